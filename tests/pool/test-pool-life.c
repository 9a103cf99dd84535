/* test-pool-life.c: a pool's life: closing, joining, terminating,
 * recycling and replacing workers, initializers, shutting down
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "core/fy-pool-private.h"
#include "test-pool-common.h"

static void
test_closed (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;

  fy_pool_close (pool);
  g_assert_null (fy_pool_submit (pool, "square", g_variant_new_int64 (1), &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_null (fy_pool_map (pool, "square", range_variant (3), 0, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_null (fy_pool_apply_async (pool, "square", g_variant_new_int64 (1), NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_true (fy_pool_join (pool, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_children (TRUE), ==, 0);
}

static void
test_join_running (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;

  g_assert_false (fy_pool_join (pool, 1, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
}

static void
test_terminate_pending (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  gint64 start;
  double elapsed;
  guint n_cancelled = 0;

  futures = fy_pool_submit_map (pool, "sleep", repeat_u (10, 10000), 1, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  fy_pool_terminate (pool);
  g_assert_true (fy_pool_join (pool, 10, &error));
  g_assert_no_error (error);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpfloat (elapsed, <, 5.0);

  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);

      g_assert_true (fy_future_is_finished (future));
      if (fy_future_get_state (future) == FY_FUTURE_STATE_CANCELLED)
        n_cancelled++;
    }
  g_assert_cmpuint (n_cancelled, >, 9900);
  g_assert_cmpuint (count_children (TRUE), ==, 0);
}

static GPtrArray *
pids_of (GPtrArray *futures)
{
  GPtrArray *pids = g_ptr_array_new ();

  for (guint i = 0; i < futures->len; i++)
    {
      GPid pid = fy_future_get_worker_pid (g_ptr_array_index (futures, i));

      if (!g_ptr_array_find (pids, GINT_TO_POINTER (pid), NULL))
        g_ptr_array_add (pids, GINT_TO_POINTER (pid));
    }
  return pids;
}

static void
test_max_tasks_10 (void)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) pids = NULL;
  g_autoptr(GHashTable) per_pid = g_hash_table_new (NULL, NULL);

  g_assert_true (fy_pool_set_n_workers (pool, 2, &error));
  g_assert_true (fy_pool_set_max_tasks_per_child (pool, 10, &error));
  g_assert_true (fy_pool_start (pool, &error));
  for (guint i = 0; i < 100; i++)
    g_ptr_array_add (futures, fy_pool_submit (pool, "pool.pid", NULL, &error));
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, 60, NULL, NULL));

  for (guint i = 0; i < futures->len; i++)
    {
      g_autoptr(GVariant) pid = fy_future_result (g_ptr_array_index (futures, i), 0, &error);
      gpointer key;
      guint n;

      g_assert_no_error (error);
      key = GINT_TO_POINTER (g_variant_get_int32 (pid));
      n = GPOINTER_TO_UINT (g_hash_table_lookup (per_pid, key)) + 1;
      g_hash_table_insert (per_pid, key, GUINT_TO_POINTER (n));
      g_assert_cmpuint (n, <=, 10);
    }
  pids = pids_of (futures);
  g_assert_cmpuint (pids->len, >=, 10);
  g_assert_cmpuint (g_hash_table_size (per_pid), >=, 10);
}

static void
test_max_tasks_1_close (void)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_true (fy_pool_set_n_workers (pool, 2, &error));
  g_assert_true (fy_pool_set_max_tasks_per_child (pool, 1, &error));
  for (gint64 i = 0; i < 6; i++)
    g_ptr_array_add (futures, fy_pool_apply_async (pool, "square", g_variant_new_int64 (i),
                                                   NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  fy_pool_close (pool);
  g_assert_true (fy_pool_join (pool, 60, &error));
  g_assert_no_error (error);

  for (gint64 i = 0; i < 6; i++)
    {
      g_autoptr(GVariant) result = fy_future_result (g_ptr_array_index (futures, i), 0, &error);

      g_assert_no_error (error);
      g_assert_cmpint (g_variant_get_int64 (result), ==, i * i);
    }
  g_assert_cmpuint (count_children (TRUE), ==, 0);
}

static void
test_max_tasks_3 (void)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  GPid pids[4];

  g_assert_true (fy_pool_set_n_workers (pool, 1, &error));
  g_assert_true (fy_pool_set_max_tasks_per_child (pool, 3, &error));
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GVariant) pid = fy_pool_apply (pool, "pool.pid", NULL, &error);

      g_assert_no_error (error);
      pids[i] = g_variant_get_int32 (pid);
    }
  g_assert_cmpint (pids[0], ==, pids[1]);
  g_assert_cmpint (pids[1], ==, pids[2]);
  g_assert_cmpint (pids[3], !=, pids[2]);
}

typedef struct
{
  guint spawned;
  guint finalized;
} WorkerCount;

static void
worker_finalized_cb (gpointer  data,
                     GObject  *where_the_object_was)
{
  ((WorkerCount *) data)->finalized++;
}

static void
count_spawned_cb (FyPool       *pool,
                  FyPoolWorker *worker,
                  gpointer      data)
{
  ((WorkerCount *) data)->spawned++;
  g_object_weak_ref (G_OBJECT (worker), worker_finalized_cb, data);
}

/* Workers replaced after max_tasks_per_child are freed once their exit is
 * handled: a long run with recycling must not grow. */
static void
test_replaced_workers_freed (void)
{
  FyPool *pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  WorkerCount count = { 0, 0 };
  gint64 deadline;

  g_signal_connect (pool, "worker-spawned", G_CALLBACK (count_spawned_cb), &count);
  g_assert_true (fy_pool_set_n_workers (pool, 1, &error));
  g_assert_true (fy_pool_set_max_tasks_per_child (pool, 1, &error));
  for (gint64 i = 0; i < 5; i++)
    {
      g_autoptr(GVariant) result = fy_pool_apply (pool, "square", g_variant_new_int64 (i), &error);

      g_assert_no_error (error);
      g_assert_cmpint (g_variant_get_int64 (result), ==, i * i);
    }
  fy_pool_close (pool);
  g_assert_true (fy_pool_join (pool, 30, &error));
  g_assert_cmpuint (count.spawned, >=, 5);

  /* Every worker but the one its slot still shows is gone. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (count.finalized < count.spawned - 1 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  g_assert_cmpuint (count.finalized, ==, count.spawned - 1);
  g_object_unref (pool);
  g_assert_cmpuint (count.finalized, ==, count.spawned);
}

static void
count_children_cb (FyPool   *pool,
                   FyFuture *future,
                   gpointer  user_data)
{
  guint *most = user_data;

  *most = MAX (*most, count_children (TRUE));
}

static void
test_no_extra_processes (void)
{
  const int n_workers = 2;
  g_autoptr(FyPool) pool = new_pool (n_workers);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) pids = NULL;
  guint most = 0;

  g_signal_connect (pool, "task-started", G_CALLBACK (count_children_cb), &most);
  for (int i = 0; i < 15 * n_workers; i++)
    g_ptr_array_add (futures, fy_pool_submit (pool, "pool.sleep-pid", g_variant_new_uint32 (10), &error));
  g_assert_no_error (error);
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, 60, NULL, NULL));

  pids = pids_of (futures);
  g_assert_cmpuint (pids->len, <=, n_workers);
  g_assert_cmpuint (most, >, 0);
  g_assert_cmpuint (most, <=, n_workers);
}

static void
test_spawn_failure (void)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_pool_set_n_workers (pool, 3, &error));
  fy_pool_set_spawn_fault (pool, 3);
  g_assert_false (fy_pool_start (pool, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_SPAWN_FAILED);
  g_clear_error (&error);

  /* The two started before the failure are gone and reaped already. */
  g_assert_cmpuint (count_children (TRUE), ==, 0);
  g_assert_cmpint (fy_pool_get_state (pool), ==, FY_POOL_STATE_BROKEN);
  g_assert_null (fy_pool_submit (pool, "square", g_variant_new_int64 (1), &error));
  g_assert_nonnull (error);
}

static void
test_initializer (void)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(FyPool) failing = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  g_autoptr(GVariant) result = NULL;

  g_assert_true (fy_pool_set_n_workers (pool, 2, &error));
  fy_pool_set_initializer (pool, "pool.init-set", g_variant_new_int64 (42));
  results = fy_pool_map (pool, "pool.init-get", g_variant_new_parsed ("[(), (), (), (), ()]"), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (results), ==, 5);
  for (guint i = 0; i < fy_pool_results_length (results); i++)
    g_assert_cmpint (result_x (results, i), ==, 42);

  /* An initializer that fails breaks the pool rather than respawning forever. */
  g_assert_true (fy_pool_set_n_workers (failing, 1, &error));
  fy_pool_set_initializer (failing, "pool.fail", g_variant_new ("(sis)", "g-io-error-quark", 1, "sandbox refused"));
  result = fy_pool_apply (failing, "square", g_variant_new_int64 (2), &error);
  g_assert_null (result);
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_BROKEN);
  g_assert_nonnull (strstr (error->message, "sandbox refused"));
  g_assert_cmpint (fy_pool_get_state (failing), ==, FY_POOL_STATE_BROKEN);
}

static void
test_wait_modes (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) done = NULL;
  g_autoptr(GPtrArray) not_done = NULL;
  FyFuture *slow;

  g_ptr_array_add (futures, fy_pool_submit (pool, "sleep", g_variant_new_uint32 (1), &error));
  g_ptr_array_add (futures, slow = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (30000), &error));
  g_assert_no_error (error);

  g_assert_true (fy_future_wait_many (futures, FY_WAIT_FIRST_COMPLETED, 20, &done, &not_done));
  g_assert_cmpuint (done->len, ==, 1);
  g_assert_cmpuint (not_done->len, ==, 1);
  g_assert_true (g_ptr_array_index (not_done, 0) == slow);
  g_clear_pointer (&done, g_ptr_array_unref);
  g_clear_pointer (&not_done, g_ptr_array_unref);

  /* ALL_COMPLETED times out while the slow one runs. */
  g_assert_false (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, 0.05, NULL, NULL));

  /* FIRST_EXCEPTION returns on a failure though the slow one still runs. */
  g_ptr_array_add (futures, fy_pool_submit (pool, "pool.fail",
                                            g_variant_new ("(sis)", "g-io-error-quark", 1, "x"), &error));
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_FIRST_EXCEPTION, 20, &done, &not_done));
  g_assert_cmpuint (done->len, ==, 2);
  g_assert_cmpuint (not_done->len, ==, 1);

  g_assert_true (fy_future_cancel (slow));
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, 20, NULL, NULL));
  g_assert_cmpint (fy_future_get_state (slow), ==, FY_FUTURE_STATE_CANCELLED);
}

static void
test_shutdown_cancel (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (futures, fy_pool_submit (pool, "sleep", g_variant_new_uint32 (200), &error));
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (futures, fy_pool_submit (pool, "sleep", g_variant_new_uint32 (200), &error));
  g_assert_no_error (error);
  while (fy_future_get_state (g_ptr_array_index (futures, 0)) != FY_FUTURE_STATE_RUNNING)
    g_main_context_iteration (NULL, TRUE);

  fy_pool_shutdown (pool, TRUE, TRUE);
  g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, 0)), ==, FY_FUTURE_STATE_DONE);
  for (guint i = 1; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);

      g_assert_cmpint (fy_future_get_state (future), ==, FY_FUTURE_STATE_CANCELLED);
      g_assert_cmpint (fy_future_get_started_at (future), ==, 0);
    }
  g_assert_cmpuint (count_children (TRUE), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pool/api/closed", test_closed);
  g_test_add_func ("/pool/api/join-running", test_join_running);
  g_test_add_func ("/pool/api/terminate-pending", test_terminate_pending);
  g_test_add_func ("/pool/api/max-tasks-10", test_max_tasks_10);
  g_test_add_func ("/pool/api/max-tasks-1-close", test_max_tasks_1_close);
  g_test_add_func ("/pool/api/max-tasks-3", test_max_tasks_3);
  g_test_add_func ("/pool/api/replaced-workers-freed", test_replaced_workers_freed);
  g_test_add_func ("/pool/api/no-extra-processes", test_no_extra_processes);
  g_test_add_func ("/pool/api/spawn-failure", test_spawn_failure);
  g_test_add_func ("/pool/api/initializer", test_initializer);
  g_test_add_func ("/pool/api/wait-modes", test_wait_modes);
  g_test_add_func ("/pool/api/shutdown-cancel", test_shutdown_cancel);

  return g_test_run ();
}
