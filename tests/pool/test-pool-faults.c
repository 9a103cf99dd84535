/* test-pool-faults.c: workers that die, hang, ignore signals or get cancelled
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "core/fy-pool-private.h"
#include "test-pool-common.h"

static gboolean
check_running (gpointer data)
{
  return fy_future_get_state (data) == FY_FUTURE_STATE_RUNNING;
}

static void
wait_running (FyFuture *future)
{
  g_assert_true (fy_future_wait_context (NULL, 30, check_running, future));
}

static FyPool *
new_pool_with_policy (int           n_workers,
                      FyCrashPolicy policy,
                      guint         retries)
{
  g_autoptr(GError) error = NULL;
  FyPool *pool = fy_pool_new ();

  g_assert_true (fy_pool_set_n_workers (pool, n_workers, &error));
  fy_pool_set_crash_policy (pool, policy, retries);
  g_assert_true (fy_pool_start (pool, &error));
  return pool;
}

static guint
count_live_workers (FyPool *pool)
{
  GListModel *workers = fy_pool_get_workers (pool);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);

      if (fy_pool_worker_get_state (worker) != FY_POOL_WORKER_STATE_EXITED)
        n++;
    }
  return n;
}

static void
kill_worker_of (FyPool   *pool,
                FyFuture *future)
{
  g_autoptr(GError) error = NULL;
  FyPoolWorker *worker = fy_pool_find_worker (pool, fy_future_get_worker_pid (future));

  g_assert_nonnull (worker);
  g_assert_true (fy_pool_worker_kill (worker, &error));
  g_assert_no_error (error);
}

/* A long task is SIGKILLed mid-run among short ones. Returns the others. */
static GPtrArray *
run_with_a_kill (FyPool    *pool,
                 FyFuture **out_victim)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *others;
  FyFuture *victim;

  victim = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (600), &error);
  g_assert_no_error (error);
  others = fy_pool_submit_map (pool, "square", range_variant (20), 1, &error);
  g_assert_no_error (error);
  wait_running (victim);
  kill_worker_of (pool, victim);
  *out_victim = victim;
  return others;
}

static void
test_kill_fail (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (2, FY_CRASH_POLICY_FAIL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) victim = NULL;
  g_autoptr(GPtrArray) others = run_with_a_kill (pool, &victim);
  g_autofree char *pid_text = NULL;
  g_autoptr(GVariant) after = NULL;

  g_assert_true (fy_future_wait (victim, 30));
  g_assert_true (fy_future_wait_many (others, FY_WAIT_ALL_COMPLETED, 30, NULL, NULL));

  g_assert_cmpint (fy_future_get_state (victim), ==, FY_FUTURE_STATE_FAILED);
  g_assert_error ((GError *) fy_future_get_error (victim), FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
  pid_text = g_strdup_printf ("worker %d ", fy_future_get_worker_pid (victim));
  g_assert_nonnull (strstr (fy_future_get_error (victim)->message, pid_text));
  g_assert_nonnull (strstr (fy_future_get_error (victim)->message, "killed by signal 9 (SIGKILL)"));
  g_assert_cmpint (fy_future_get_worker_exitcode (victim), ==, -9);

  for (guint i = 0; i < others->len; i++)
    g_assert_cmpint (fy_future_get_state (g_ptr_array_index (others, i)), ==, FY_FUTURE_STATE_DONE);

  /* The pool replaced the worker and goes on with n workers. */
  after = fy_pool_apply (pool, "square", g_variant_new_int64 (3), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (after), ==, 9);
  g_assert_cmpuint (count_live_workers (pool), ==, 2);
  g_assert_cmpint (fy_pool_get_state (pool), ==, FY_POOL_STATE_RUNNING);
  g_assert_cmpuint (count_children (FALSE), ==, 0);
}

static void
test_kill_retry (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (2, FY_CRASH_POLICY_RETRY, 2);
  g_autoptr(FyFuture) victim = NULL;
  g_autoptr(GPtrArray) others = run_with_a_kill (pool, &victim);

  g_assert_true (fy_future_wait (victim, 30));
  g_assert_true (fy_future_wait_many (others, FY_WAIT_ALL_COMPLETED, 30, NULL, NULL));
  g_assert_cmpint (fy_future_get_state (victim), ==, FY_FUTURE_STATE_DONE);
  g_assert_cmpuint (fy_future_get_attempts (victim), ==, 2);
  for (guint i = 0; i < others->len; i++)
    g_assert_cmpint (fy_future_get_state (g_ptr_array_index (others, i)), ==, FY_FUTURE_STATE_DONE);
  g_assert_cmpuint (count_live_workers (pool), ==, 2);
}

/* A worker running a long task holds the next one ahead. When it is
 * killed, the task it ran fails or is retried per the policy, and the one
 * it held goes back to the queue: it runs once, on the replacement, and
 * counts one attempt. */
static void
kill_holding_ahead (FyCrashPolicy policy)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (1, policy, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) victim = NULL;
  g_autoptr(FyFuture) held = NULL;
  g_autoptr(FyFuture) queued = NULL;
  g_autoptr(GVariant) held_pid = NULL;
  g_autoptr(GVariant) queued_pid = NULL;
  FyPoolWorker *replacement;
  GPid victim_pid;

  victim = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (600), &error);
  held = fy_pool_submit (pool, "pool.pid", NULL, &error);
  queued = fy_pool_submit (pool, "pool.pid", NULL, &error);
  g_assert_no_error (error);
  wait_running (victim);
  g_assert_cmpint (fy_future_get_state (held), ==, FY_FUTURE_STATE_QUEUED);
  g_assert_cmpint (fy_future_get_state (queued), ==, FY_FUTURE_STATE_PENDING);
  victim_pid = fy_future_get_worker_pid (victim);
  kill_worker_of (pool, victim);

  held_pid = fy_future_result (held, 30, &error);
  g_assert_no_error (error);
  queued_pid = fy_future_result (queued, 30, &error);
  g_assert_no_error (error);
  g_assert_true (fy_future_wait (victim, 30));
  g_assert_cmpint (g_variant_get_int32 (held_pid), !=, victim_pid);
  g_assert_cmpint (g_variant_get_int32 (held_pid), ==, fy_future_get_worker_pid (held));
  g_assert_cmpint (g_variant_get_int32 (queued_pid), ==, g_variant_get_int32 (held_pid));
  g_assert_cmpuint (fy_future_get_attempts (held), ==, 1);
  g_assert_cmpuint (fy_future_get_attempts (queued), ==, 1);

  replacement = fy_pool_find_worker (pool, g_variant_get_int32 (held_pid));
  g_assert_nonnull (replacement);
  if (policy == FY_CRASH_POLICY_FAIL)
    {
      g_assert_error ((GError *) fy_future_get_error (victim), FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
      g_assert_cmpuint (fy_future_get_attempts (victim), ==, 1);
      g_assert_cmpuint (fy_pool_worker_get_tasks_done (replacement), ==, 2);
    }
  else
    {
      g_assert_cmpint (fy_future_get_state (victim), ==, FY_FUTURE_STATE_DONE);
      g_assert_cmpuint (fy_future_get_attempts (victim), ==, 2);
      g_assert_cmpint (fy_future_get_worker_pid (victim), ==, g_variant_get_int32 (held_pid));
      g_assert_cmpuint (fy_pool_worker_get_tasks_done (replacement), ==, 3);
    }
}

static void
test_kill_holding_ahead_fail (void)
{
  kill_holding_ahead (FY_CRASH_POLICY_FAIL);
}

static void
test_kill_holding_ahead_retry (void)
{
  kill_holding_ahead (FY_CRASH_POLICY_RETRY);
}

static void
test_kill_break (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (1, FY_CRASH_POLICY_BREAK, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) victim = NULL;
  g_autoptr(GPtrArray) others = run_with_a_kill (pool, &victim);
  g_autoptr(FyFuture) later = NULL;

  g_assert_true (fy_future_wait (victim, 30));
  g_assert_true (fy_future_wait_many (others, FY_WAIT_ALL_COMPLETED, 30, NULL, NULL));
  g_assert_error ((GError *) fy_future_get_error (victim), FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
  /* One worker, so every other task was still waiting: all fail. */
  for (guint i = 0; i < others->len; i++)
    g_assert_error ((GError *) fy_future_get_error (g_ptr_array_index (others, i)),
                    FY_POOL_ERROR, FY_POOL_ERROR_BROKEN);
  g_assert_cmpint (fy_pool_get_state (pool), ==, FY_POOL_STATE_BROKEN);

  later = fy_pool_submit (pool, "square", g_variant_new_int64 (1), &error);
  g_assert_null (later);
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_BROKEN);
  g_clear_error (&error);

  g_assert_true (fy_pool_join (pool, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_children (TRUE), ==, 0);
}

typedef struct
{
  const char    *function;
  const char    *argument;
  int            exitcode;
  const char    *text;
} Crash;

static const Crash crashes[] = {
  { "segv", "()", -11, "killed by signal 11 (SIGSEGV)" },
  { "abort", "()", -6, "killed by signal 6 (SIGABRT)" },
  { "exit", "3", 3, "exited with code 3" },
};

static void
test_crash (gconstpointer data)
{
  const Crash *crash = data;

  for (FyCrashPolicy policy = FY_CRASH_POLICY_FAIL; policy <= FY_CRASH_POLICY_BREAK; policy++)
    {
      g_autoptr(FyPool) pool = new_pool_with_policy (2, policy, 2);
      g_autoptr(GError) error = NULL;
      g_autoptr(FyFuture) victim = NULL;
      g_autoptr(GVariant) before = NULL;
      g_autoptr(GPtrArray) others = NULL;
      const GError *victim_error;

      /* Some work done first, so the crash happens in a pool that is busy. */
      before = fy_pool_map (pool, "square", range_variant (10), 1, &error);
      g_assert_no_error (error);
      victim = fy_pool_submit (pool, crash->function, g_variant_new_parsed (crash->argument), &error);
      others = fy_pool_submit_map (pool, "sleep", repeat_u (5, 10), 1, &error);
      g_assert_no_error (error);

      g_assert_true (fy_future_wait (victim, 30));
      g_assert_true (fy_future_wait_many (others, FY_WAIT_ALL_COMPLETED, 30, NULL, NULL));

      victim_error = fy_future_get_error (victim);
      g_assert_error ((GError *) victim_error, FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
      g_assert_nonnull (strstr (victim_error->message, crash->text));
      g_assert_cmpint (fy_future_get_worker_exitcode (victim), ==, crash->exitcode);

      if (policy == FY_CRASH_POLICY_RETRY)
        {
          /* It crashes every time: run 1 + 2 retries, then fails. */
          g_assert_cmpuint (fy_future_get_attempts (victim), ==, 3);
          g_assert_nonnull (strstr (victim_error->message, "no retries left"));
        }
      else
        g_assert_cmpuint (fy_future_get_attempts (victim), ==, 1);

      for (guint i = 0; i < others->len; i++)
        {
          FyFuture *other = g_ptr_array_index (others, i);

          if (policy == FY_CRASH_POLICY_BREAK)
            g_assert_true (fy_future_get_state (other) == FY_FUTURE_STATE_DONE
                           || g_error_matches (fy_future_get_error (other), FY_POOL_ERROR, FY_POOL_ERROR_BROKEN));
          else
            g_assert_cmpint (fy_future_get_state (other), ==, FY_FUTURE_STATE_DONE);
        }

      if (policy == FY_CRASH_POLICY_BREAK)
        g_assert_cmpint (fy_pool_get_state (pool), ==, FY_POOL_STATE_BROKEN);
      else
        g_assert_cmpuint (count_live_workers (pool), ==, 2);
    }
  g_assert_true (wait_no_children (10));
}

/* A pool whose workers ignore SIGTERM from before their first task. */
static FyPool *
new_stubborn_pool (void)
{
  g_autoptr(GError) error = NULL;
  FyPool *pool = fy_pool_new ();

  g_assert_true (fy_pool_set_n_workers (pool, 1, &error));
  fy_pool_set_initializer (pool, "pool.ignore-sigterm", NULL);
  fy_pool_set_kill_grace (pool, 0.3);
  g_assert_true (fy_pool_start (pool, &error));
  return pool;
}

static void
test_ignore_sigterm (void)
{
  g_autoptr(FyPool) pool = new_stubborn_pool ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) future = NULL;
  FyPoolWorker *worker;
  gint64 start;
  double elapsed;

  future = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (20000), &error);
  g_assert_no_error (error);
  wait_running (future);

  worker = fy_pool_find_worker (pool, fy_future_get_worker_pid (future));
  start = g_get_monotonic_time ();
  g_assert_true (fy_pool_worker_terminate (worker, &error));
  g_assert_no_error (error);
  g_assert_true (fy_future_wait (future, 20));
  elapsed = (g_get_monotonic_time () - start) / 1e6;

  g_assert_cmpfloat (elapsed, >=, 0.28);
  g_assert_cmpfloat (elapsed, <, 5.0);
  g_assert_cmpint (fy_future_get_worker_exitcode (future), ==, -9);
  g_assert_error ((GError *) fy_future_get_error (future), FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
}

static void
test_timeout_ignoring_sigterm (void)
{
  g_autoptr(FyPool) pool = new_stubborn_pool ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) future = NULL;
  g_autoptr(GVariant) after = NULL;
  double elapsed;

  fy_pool_set_task_timeout (pool, 0.3);
  future = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (20000), &error);
  g_assert_no_error (error);
  g_assert_true (fy_future_wait (future, 20));
  elapsed = (fy_future_get_finished_at (future) - fy_future_get_started_at (future)) / 1e6;

  g_assert_error ((GError *) fy_future_get_error (future), FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT);
  g_assert_cmpint (fy_future_get_worker_exitcode (future), ==, -9);
  g_assert_cmpfloat (elapsed, >=, 0.55);
  g_assert_cmpfloat (elapsed, <, 5.0);

  /* The replacement went through the initializer too and serves on. */
  after = fy_pool_apply (pool, "square", g_variant_new_int64 (4), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (after), ==, 16);
}

static void
test_timeout (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (1, FY_CRASH_POLICY_FAIL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) slow = NULL;
  g_autoptr(FyFuture) next = NULL;
  g_autoptr(GVariant) next_pid = NULL;
  double elapsed;

  fy_pool_set_task_timeout (pool, 0.3);
  /* spin-ms, not a big fib: how long a fib takes depends on the compiler
   * (a sanitized build's GCC folds most of the recursion away). */
  slow = fy_pool_submit (pool, "spin-ms", g_variant_new_uint32 (60000), &error);
  next = fy_pool_submit (pool, "pool.pid", NULL, &error);
  g_assert_no_error (error);

  g_assert_true (fy_future_wait (slow, 20));
  elapsed = (fy_future_get_finished_at (slow) - fy_future_get_started_at (slow)) / 1e6;
  g_assert_error ((GError *) fy_future_get_error (slow), FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT);
  g_assert_cmpfloat (elapsed, >=, 0.28);
  /* About 0.5 s; generous on a loaded machine. */
  g_assert_cmpfloat (elapsed, <, 3.0);
  g_assert_cmpint (fy_future_get_worker_exitcode (slow), ==, -15);

  next_pid = fy_future_result (next, 20, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (next_pid), !=, fy_future_get_worker_pid (slow));
  g_assert_cmpint (g_variant_get_int32 (next_pid), ==, fy_future_get_worker_pid (next));
}

/* A worker holds one task ahead of the one it runs while the queue holds
 * one for every worker: behind a running task, the next one is held by
 * the worker and the one after it waits in the pool's queue. Both cancel,
 * neither runs: the queued one at once, the held one when its worker
 * reports that it skipped it. */
static void
test_cancel_queued (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (1, FY_CRASH_POLICY_FAIL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) first = NULL;
  g_autoptr(FyFuture) held = NULL;
  g_autoptr(FyFuture) queued = NULL;
  g_autoptr(FyPoolWorker) worker = NULL;

  first = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (300), &error);
  held = fy_pool_submit (pool, "pool.pid", NULL, &error);
  queued = fy_pool_submit (pool, "pool.pid", NULL, &error);
  g_assert_no_error (error);
  wait_running (first);
  g_assert_cmpint (fy_future_get_state (held), ==, FY_FUTURE_STATE_QUEUED);
  g_assert_cmpint (fy_future_get_state (queued), ==, FY_FUTURE_STATE_PENDING);

  g_assert_true (fy_future_cancel (queued));
  g_assert_cmpint (fy_future_get_state (queued), ==, FY_FUTURE_STATE_CANCELLED);
  g_assert_error ((GError *) fy_future_get_error (queued), FY_POOL_ERROR, FY_POOL_ERROR_CANCELLED);
  g_assert_false (fy_future_cancel (queued));

  g_assert_true (fy_future_cancel (held));
  g_assert_true (fy_future_wait (held, 20));
  g_assert_cmpint (fy_future_get_state (held), ==, FY_FUTURE_STATE_CANCELLED);
  g_assert_error ((GError *) fy_future_get_error (held), FY_POOL_ERROR, FY_POOL_ERROR_CANCELLED);
  g_assert_false (fy_future_cancel (held));

  g_assert_true (fy_future_wait (first, 20));
  g_assert_cmpint (fy_future_get_state (first), ==, FY_FUTURE_STATE_DONE);
  /* Give them every chance to run by mistake. */
  fy_future_wait_context (NULL, 0.1, check_running, queued);
  g_assert_cmpint (fy_future_get_state (queued), ==, FY_FUTURE_STATE_CANCELLED);
  g_assert_cmpint (fy_future_get_worker_pid (queued), ==, 0);
  g_assert_cmpint (fy_future_get_started_at (queued), ==, 0);
  g_assert_cmpint (fy_future_get_state (held), ==, FY_FUTURE_STATE_CANCELLED);
  g_assert_cmpint (fy_future_get_started_at (held), ==, 0);
  /* The worker ran one task: the skipped one does not count. */
  worker = g_list_model_get_item (fy_pool_get_workers (pool), 0);
  g_assert_cmpuint (fy_pool_worker_get_tasks_done (worker), ==, 1);
  g_assert_false (fy_future_cancel (first));
}

static void
test_cancel_running (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (1, FY_CRASH_POLICY_BREAK, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) running = NULL;
  g_autoptr(FyFuture) after = NULL;
  g_autoptr(GVariant) after_pid = NULL;
  gint64 start;

  running = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (30000), &error);
  after = fy_pool_submit (pool, "pool.pid", NULL, &error);
  g_assert_no_error (error);
  wait_running (running);

  start = g_get_monotonic_time ();
  g_assert_true (fy_future_cancel (running));
  g_assert_true (fy_future_wait (running, 20));
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / 1e6, <, 5.0);
  g_assert_cmpint (fy_future_get_state (running), ==, FY_FUTURE_STATE_CANCELLED);

  /* Only that future: even under "break" the pool goes on, on a new worker. */
  after_pid = fy_future_result (after, 20, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (after_pid), !=, fy_future_get_worker_pid (running));
  g_assert_cmpint (fy_pool_get_state (pool), ==, FY_POOL_STATE_RUNNING);
}

static void
test_cancel_in_chunk (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (1, FY_CRASH_POLICY_FAIL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  FyFuture *third;

  /* One chunk of four: the third is handed to the worker but not started. */
  futures = fy_pool_submit_map (pool, "sleep", repeat_u (150, 4), 4, &error);
  g_assert_no_error (error);
  wait_running (g_ptr_array_index (futures, 0));
  third = g_ptr_array_index (futures, 2);
  g_assert_cmpint (fy_future_get_state (third), ==, FY_FUTURE_STATE_QUEUED);
  g_assert_true (fy_future_cancel (third));

  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, 20, NULL, NULL));
  g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, 0)), ==, FY_FUTURE_STATE_DONE);
  g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, 1)), ==, FY_FUTURE_STATE_DONE);
  g_assert_cmpint (fy_future_get_state (third), ==, FY_FUTURE_STATE_CANCELLED);
  g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, 3)), ==, FY_FUTURE_STATE_DONE);
  /* Skipped, not killed: the same worker ran the fourth. */
  g_assert_cmpint (fy_future_get_worker_pid (g_ptr_array_index (futures, 3)), ==,
                   fy_future_get_worker_pid (g_ptr_array_index (futures, 0)));
}

static void
test_chunk_death (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (1, FY_CRASH_POLICY_FAIL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  FyFuture *second;

  /* A chunk of five; the worker dies on the second item. Only that one
   * fails; the three it never started run on the replacement. */
  futures = fy_pool_submit_map (pool, "sleep", repeat_u (100, 5), 5, &error);
  g_assert_no_error (error);
  second = g_ptr_array_index (futures, 1);
  wait_running (second);
  kill_worker_of (pool, second);

  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, 20, NULL, NULL));
  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);

      if (i == 1)
        g_assert_error ((GError *) fy_future_get_error (future), FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
      else
        g_assert_cmpint (fy_future_get_state (future), ==, FY_FUTURE_STATE_DONE);
    }
  g_assert_cmpint (fy_future_get_worker_pid (g_ptr_array_index (futures, 4)), !=, fy_future_get_worker_pid (second));
}

typedef struct
{
  FyPool *pool;
  GRand  *rand;
  guint   kills;
} Chaos;

static gboolean
chaos_kill_cb (gpointer data)
{
  Chaos *chaos = data;
  GListModel *workers = fy_pool_get_workers (chaos->pool);
  guint n = g_list_model_get_n_items (workers);
  g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, g_rand_int_range (chaos->rand, 0, n));

  if (fy_pool_worker_get_state (worker) != FY_POOL_WORKER_STATE_EXITED
      && fy_pool_worker_kill (worker, NULL))
    chaos->kills++;
  return G_SOURCE_CONTINUE;
}

static void
test_chaos (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (4, FY_CRASH_POLICY_FAIL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  Chaos chaos = { pool, g_rand_new_with_seed (96062), 0 };
  guint killer;
  guint n_done = 0;
  guint n_died = 0;

  futures = fy_pool_submit_map (pool, "sleep", repeat_u (1, 10000), 1, &error);
  g_assert_no_error (error);
  killer = g_timeout_add (50, chaos_kill_cb, &chaos);
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, hang_guard (50), NULL, NULL));
  g_source_remove (killer);

  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);

      if (fy_future_get_state (future) == FY_FUTURE_STATE_DONE)
        n_done++;
      else
        {
          const GError *e = fy_future_get_error (future);
          g_autofree char *pid_text = g_strdup_printf ("worker %d killed by signal 9 (SIGKILL)",
                                                       fy_future_get_worker_pid (future));

          g_assert_error ((GError *) e, FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
          g_assert_nonnull (strstr (e->message, pid_text));
          n_died++;
        }
    }
  g_test_message ("%u kills: %u done, %u failed", chaos.kills, n_done, n_died);
  g_assert_cmpuint (n_done + n_died, ==, 10000);
  g_assert_cmpuint (chaos.kills, >, 0);
  /* A kill fails at most the one task its worker ran. */
  g_assert_cmpuint (n_died, <=, chaos.kills);
  g_assert_cmpuint (fy_pool_get_n_pending (pool), ==, 0);
  g_assert_cmpuint (fy_pool_get_n_in_flight (pool), ==, 0);

  /* The last kill may have landed a moment ago: its zombie must go soon. */
  g_assert_true (wait_no_zombies (10));
  fy_pool_close (pool);
  g_assert_true (fy_pool_join (pool, 20, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_children (TRUE), ==, 0);
  g_rand_free (chaos.rand);
}

/* Chunks of tiny tasks report in batches; kills land inside batches. Under
 * "retry" every task still succeeds, with its own right result. */
static void
test_chunked_kills_retry (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (2, FY_CRASH_POLICY_RETRY, 50);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  Chaos chaos = { pool, g_rand_new_with_seed (3), 0 };
  guint killer;

  futures = fy_pool_submit_map (pool, "square", range_variant (30000), 40, &error);
  g_assert_no_error (error);
  killer = g_timeout_add (20, chaos_kill_cb, &chaos);
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, hang_guard (50), NULL, NULL));
  g_source_remove (killer);

  for (guint i = 0; i < futures->len; i++)
    {
      g_autoptr(GVariant) result = fy_future_result (g_ptr_array_index (futures, i), 0, &error);

      g_assert_no_error (error);
      g_assert_cmpint (g_variant_get_int64 (result), ==, (gint64) i * i);
    }
  g_test_message ("%u kills", chaos.kills);
  g_assert_cmpuint (fy_pool_get_n_in_flight (pool), ==, 0);
  g_rand_free (chaos.rand);
}

/* Tiny tasks run in windows of hundreds between two messages; the word
 * the worker shares with the pool still names the one task a kill takes.
 * Under "fail", a kill fails at most that one; the rest run again. */
static void
test_tiny_kills_fail (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (2, FY_CRASH_POLICY_FAIL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  Chaos chaos = { pool, g_rand_new_with_seed (11), 0 };
  guint killer;
  guint n_died = 0;

  futures = fy_pool_submit_map (pool, "square", range_variant (60000), 1, &error);
  g_assert_no_error (error);
  killer = g_timeout_add (10, chaos_kill_cb, &chaos);
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, hang_guard (60), NULL, NULL));
  g_source_remove (killer);

  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);
      g_autoptr(GVariant) result = NULL;
      g_autoptr(GError) task_error = NULL;

      result = fy_future_result (future, 0, &task_error);
      if (result != NULL)
        g_assert_cmpint (g_variant_get_int64 (result), ==, (gint64) i * i);
      else
        {
          g_assert_error (task_error, FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
          g_assert_nonnull (strstr (task_error->message, "killed by signal 9 (SIGKILL)"));
          /* It failed where it ran, once. */
          g_assert_cmpuint (fy_future_get_attempts (future), ==, 1);
          g_assert_cmpint (fy_future_get_worker_pid (future), >, 0);
          n_died++;
        }
    }
  g_test_message ("%u kills, %u failed", chaos.kills, n_died);
  g_assert_cmpuint (chaos.kills, >, 0);
  g_assert_cmpuint (n_died, <=, chaos.kills);
  g_assert_cmpuint (fy_pool_get_n_in_flight (pool), ==, 0);
  g_rand_free (chaos.rand);
}

static void
count_signal_cb (FyPool   *pool,
                 FyFuture *future,
                 gpointer  data)
{
  (*(guint *) data)++;
}

/* Short tasks one at a time start without a message of their own; the
 * pool still announces each start before its end, and a cancel of one
 * that runs still stops it. */
static void
test_silent_starts (void)
{
  g_autoptr(FyPool) pool = new_pool_with_policy (1, FY_CRASH_POLICY_FAIL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) slow = NULL;
  g_autoptr(FyPoolWorker) worker = NULL;
  g_autoptr(GVariant) after = NULL;
  guint64 taken;
  guint started = 0;
  guint finished = 0;

  g_signal_connect (pool, "task-started", G_CALLBACK (count_signal_cb), &started);
  g_signal_connect (pool, "task-finished", G_CALLBACK (count_signal_cb), &finished);
  for (gint64 i = 0; i < 200; i++)
    {
      g_autoptr(FyFuture) future = fy_pool_submit (pool, "square", g_variant_new_int64 (i), &error);
      g_autoptr(GVariant) result = NULL;

      g_assert_no_error (error);
      result = fy_future_result (future, 30, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_variant_get_int64 (result), ==, i * i);
      g_assert_cmpuint (started, ==, finished);
      g_assert_cmpuint (fy_future_get_attempts (future), ==, 1);
      g_assert_cmpint (fy_future_get_worker_pid (future), >, 0);
    }
  g_assert_cmpuint (finished, ==, 200);

  /* After 200 short ones, a long one, which starts without a message as
   * well: once the shared word shows it taken, cancelling it must kill
   * its worker (the pool saw no start message it could go by). */
  worker = g_list_model_get_item (fy_pool_get_workers (pool), 0);
  g_assert_nonnull (worker->shared);
  taken = __atomic_load_n (&worker->shared->running, __ATOMIC_ACQUIRE);
  slow = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (20000), &error);
  g_assert_no_error (error);
  for (int i = 0; i < 10000 && __atomic_load_n (&worker->shared->running, __ATOMIC_ACQUIRE) == taken; i++)
    g_usleep (1000);
  g_assert_cmpuint (__atomic_load_n (&worker->shared->running, __ATOMIC_ACQUIRE), ==, taken + 1);
  g_assert_cmpint (fy_future_get_state (slow), ==, FY_FUTURE_STATE_QUEUED);
  g_assert_true (fy_future_cancel (slow));
  g_assert_true (fy_future_wait (slow, 10));
  g_assert_cmpint (fy_future_get_state (slow), ==, FY_FUTURE_STATE_CANCELLED);
  after = fy_pool_apply (pool, "square", g_variant_new_int64 (4), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (after), ==, 16);
  g_assert_cmpuint (fy_pool_worker_get_state (worker), ==, FY_POOL_WORKER_STATE_EXITED);
}

static void
test_dispose_reaps (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) future = NULL;
  FyPool *pool = new_pool (2);

  future = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (30000), &error);
  g_assert_no_error (error);
  wait_running (future);
  g_object_unref (pool);
  g_assert_cmpint (fy_future_get_state (future), ==, FY_FUTURE_STATE_CANCELLED);
  g_assert_cmpuint (count_children (TRUE), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pool/fault/kill-fail", test_kill_fail);
  g_test_add_func ("/pool/fault/kill-retry", test_kill_retry);
  g_test_add_func ("/pool/fault/kill-break", test_kill_break);
  g_test_add_func ("/pool/fault/kill-holding-ahead-fail", test_kill_holding_ahead_fail);
  g_test_add_func ("/pool/fault/kill-holding-ahead-retry", test_kill_holding_ahead_retry);
  g_test_add_data_func ("/pool/fault/segv", &crashes[0], test_crash);
  g_test_add_data_func ("/pool/fault/abort", &crashes[1], test_crash);
  g_test_add_data_func ("/pool/fault/exit-3", &crashes[2], test_crash);
  g_test_add_func ("/pool/fault/ignore-sigterm", test_ignore_sigterm);
  g_test_add_func ("/pool/fault/timeout-ignoring-sigterm", test_timeout_ignoring_sigterm);
  g_test_add_func ("/pool/fault/timeout", test_timeout);
  g_test_add_func ("/pool/fault/cancel-queued", test_cancel_queued);
  g_test_add_func ("/pool/fault/cancel-running", test_cancel_running);
  g_test_add_func ("/pool/fault/cancel-in-chunk", test_cancel_in_chunk);
  g_test_add_func ("/pool/fault/chunk-death", test_chunk_death);
  g_test_add_func ("/pool/fault/chaos", test_chaos);
  g_test_add_func ("/pool/fault/chunked-kills-retry", test_chunked_kills_retry);
  g_test_add_func ("/pool/fault/tiny-kills-fail", test_tiny_kills_fail);
  g_test_add_func ("/pool/fault/silent-starts", test_silent_starts);
  g_test_add_func ("/pool/fault/dispose-reaps", test_dispose_reaps);

  return g_test_run ();
}
