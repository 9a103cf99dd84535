/* test-pool-chaos.c: thousands of tasks while workers are killed and stopped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 5 000 tasks go through 4 workers while one worker is SIGKILLed every
 * 20 ms and another is stopped and continued every 50 ms. Under "fail" and
 * under "retry" every task must end exactly once with a result or a precise
 * error, nothing may hang and no process may be left behind. The only time
 * limit is a generous guard against a hang, never a speed assertion.
 */

#include "config.h"

#include <gio/gio.h>

#include "test-pool-common.h"

#define N_TASKS   5000
#define N_WORKERS 4
/* Far above what the tasks need even on a loaded machine: only a hang
 * reaches it. */
#define HANG_GUARD_SECONDS 240

typedef struct
{
  FyPool       *pool;
  GRand        *rand;
  FyPoolWorker *stopped;
  guint         kills;
  guint         stops;
} Chaos;

static FyPoolWorker *
random_live_worker (Chaos *chaos)
{
  GListModel *workers = fy_pool_get_workers (chaos->pool);
  guint n = g_list_model_get_n_items (workers);
  g_autoptr(FyPoolWorker) worker = NULL;

  if (n == 0)
    return NULL;
  worker = g_list_model_get_item (workers, g_rand_int_range (chaos->rand, 0, n));
  if (fy_pool_worker_get_state (worker) == FY_POOL_WORKER_STATE_EXITED)
    return NULL;
  return g_steal_pointer (&worker);
}

static gboolean
kill_cb (gpointer data)
{
  Chaos *chaos = data;
  g_autoptr(FyPoolWorker) worker = random_live_worker (chaos);

  if (worker != NULL && fy_pool_worker_kill (worker, NULL))
    chaos->kills++;
  return G_SOURCE_CONTINUE;
}

static void
continue_stopped (Chaos *chaos)
{
  if (chaos->stopped == NULL)
    return;
  /* It may have been killed meanwhile: then there is nothing to continue. */
  if (fy_pool_worker_get_state (chaos->stopped) != FY_POOL_WORKER_STATE_EXITED)
    fy_pool_worker_continue (chaos->stopped, NULL);
  g_clear_object (&chaos->stopped);
}

static gboolean
stop_cb (gpointer data)
{
  Chaos *chaos = data;
  g_autoptr(FyPoolWorker) worker = NULL;

  continue_stopped (chaos);
  worker = random_live_worker (chaos);
  if (worker != NULL && fy_pool_worker_stop (worker, NULL))
    {
      chaos->stops++;
      chaos->stopped = g_steal_pointer (&worker);
    }
  return G_SOURCE_CONTINUE;
}

/* Even tasks sleep a millisecond (a worker is caught mid-task), odd ones
 * square their index (tiny tasks, reported in batches). */
static GPtrArray *
submit_mixed (FyPool *pool)
{
  GPtrArray *futures = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < N_TASKS; i++)
    {
      g_autoptr(GError) error = NULL;
      FyFuture *future;

      if (i % 2 == 0)
        future = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (1), &error);
      else
        future = fy_pool_submit (pool, "square", g_variant_new_int64 (i), &error);
      g_assert_no_error (error);
      g_ptr_array_add (futures, future);
    }
  return futures;
}

static void
run_chaos (FyCrashPolicy policy,
           guint         retries,
           guint32       seed)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  Chaos chaos = { pool, g_rand_new_with_seed (seed), NULL, 0, 0 };
  guint killer, stopper;
  guint n_done = 0, n_died = 0;

  g_assert_true (fy_pool_set_n_workers (pool, N_WORKERS, &error));
  fy_pool_set_crash_policy (pool, policy, retries);
  g_assert_true (fy_pool_start (pool, &error));

  futures = submit_mixed (pool);
  killer = g_timeout_add (20, kill_cb, &chaos);
  stopper = g_timeout_add (50, stop_cb, &chaos);
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, hang_guard (HANG_GUARD_SECONDS), NULL, NULL));
  g_source_remove (killer);
  g_source_remove (stopper);
  continue_stopped (&chaos);

  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);
      g_autoptr(GError) task_error = NULL;
      g_autoptr(GVariant) result = fy_future_result (future, 0, &task_error);

      if (result != NULL)
        {
          g_assert_cmpint (fy_future_get_state (future), ==, FY_FUTURE_STATE_DONE);
          if (i % 2 == 1)
            g_assert_cmpint (g_variant_get_int64 (result), ==, (gint64) i * i);
          n_done++;
        }
      else
        {
          /* Only a kill fails a task here, and its error says which. */
          g_assert_error (task_error, FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
          g_assert_nonnull (strstr (task_error->message, "killed by signal 9 (SIGKILL)"));
          n_died++;
        }
    }
  g_test_message ("%u kills, %u stops: %u done, %u failed", chaos.kills, chaos.stops, n_done, n_died);
  g_assert_cmpuint (n_done + n_died, ==, N_TASKS);
  g_assert_cmpuint (chaos.kills, >, 0);
  g_assert_cmpuint (chaos.stops, >, 0);
  if (policy == FY_CRASH_POLICY_FAIL)
    /* A kill fails at most the one task its worker ran. */
    g_assert_cmpuint (n_died, <=, chaos.kills);
  else
    /* Far more retries than any task can need: every one succeeds. */
    g_assert_cmpuint (n_died, ==, 0);
  g_assert_cmpuint (fy_pool_get_n_pending (pool), ==, 0);
  g_assert_cmpuint (fy_pool_get_n_in_flight (pool), ==, 0);

  g_assert_true (wait_no_zombies (30));
  fy_pool_close (pool);
  g_assert_true (fy_pool_join (pool, 60, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_children (TRUE), ==, 0);
  g_rand_free (chaos.rand);
}

static void
test_chaos_fail (void)
{
  run_chaos (FY_CRASH_POLICY_FAIL, 0, 15001);
}

static void
test_chaos_retry (void)
{
  run_chaos (FY_CRASH_POLICY_RETRY, 1000, 15002);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pool/chaos/kill-and-stop-fail", test_chaos_fail);
  g_test_add_func ("/pool/chaos/kill-and-stop-retry", test_chaos_retry);

  return g_test_run ();
}
