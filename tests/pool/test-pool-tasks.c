/* test-pool-tasks.c: what a pool shows of its tasks: callbacks, signals
 * and models, stopped workers, spreading, its queues in the registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "core/fy-pool-private.h"
#include "core/fy-registry.h"
#include "test-pool-common.h"

typedef struct
{
  guint ok;
  guint failed;
  gint64 value;
} ApplyData;

static void
apply_ok_cb (GVariant *result,
             gpointer  user_data)
{
  ApplyData *data = user_data;

  data->ok++;
  data->value = g_variant_get_int64 (result);
}

static void
apply_error_cb (const GError *error,
                gpointer      user_data)
{
  ((ApplyData *) user_data)->failed++;
}

static void
test_apply_async_callbacks (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) good = NULL;
  g_autoptr(FyFuture) bad = NULL;
  ApplyData good_data = { 0 };
  ApplyData bad_data = { 0 };

  good = fy_pool_apply_async (pool, "square", g_variant_new_int64 (9), apply_ok_cb, apply_error_cb, &good_data, NULL, &error);
  bad = fy_pool_apply_async (pool, "pool.fail", g_variant_new ("(sis)", "g-io-error-quark", 1, "x"),
                             apply_ok_cb, apply_error_cb, &bad_data, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (fy_future_wait (good, 20));
  g_assert_true (fy_future_wait (bad, 20));
  g_assert_cmpuint (good_data.ok, ==, 1);
  g_assert_cmpuint (good_data.failed, ==, 0);
  g_assert_cmpint (good_data.value, ==, 81);
  g_assert_cmpuint (bad_data.ok, ==, 0);
  g_assert_cmpuint (bad_data.failed, ==, 1);
}

typedef struct
{
  guint started;
  guint finished;
  guint spawned;
} SignalCounts;

static void
task_started_cb (FyPool *pool, FyFuture *future, SignalCounts *counts)
{
  counts->started++;
  g_assert_cmpint (fy_future_get_state (future), ==, FY_FUTURE_STATE_RUNNING);
}

static void
task_finished_cb (FyPool *pool, FyFuture *future, SignalCounts *counts)
{
  counts->finished++;
  g_assert_true (fy_future_is_finished (future));
}

static void
worker_spawned_cb (FyPool *pool, FyPoolWorker *worker, SignalCounts *counts)
{
  counts->spawned++;
}

static void
test_models (void)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  GListModel *workers = fy_pool_get_workers (pool);
  SignalCounts counts = { 0 };
  guint total_done = 0;

  g_signal_connect (pool, "task-started", G_CALLBACK (task_started_cb), &counts);
  g_signal_connect (pool, "task-finished", G_CALLBACK (task_finished_cb), &counts);
  g_signal_connect (pool, "worker-spawned", G_CALLBACK (worker_spawned_cb), &counts);
  g_assert_true (fy_pool_set_n_workers (pool, 3, &error));
  g_assert_true (fy_pool_start (pool, &error));
  g_assert_cmpuint (g_list_model_get_n_items (workers), ==, 3);
  g_assert_cmpuint (counts.spawned, ==, 3);

  /* Chunks of two, as in Python: 13 tasks for 25 items. */
  results = fy_pool_map (pool, "square", range_variant (25), 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (results), ==, 25);
  g_assert_cmpuint (g_list_model_get_n_items (fy_pool_get_tasks (pool)), ==, 13);
  g_assert_cmpuint (counts.started, ==, 13);
  g_assert_cmpuint (counts.finished, ==, 13);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);

      g_assert_cmpint (fy_pool_worker_get_pid (worker), >, 0);
      g_assert_cmpuint (fy_pool_worker_get_slot (worker), ==, i);
      g_assert_true (fy_pool_find_worker (pool, fy_pool_worker_get_pid (worker)) == worker);
      g_assert_cmpint (fy_pool_worker_get_state (worker), ==, FY_POOL_WORKER_STATE_IDLE);
      g_assert_null (fy_pool_worker_get_current_task (worker));
      total_done += fy_pool_worker_get_tasks_done (worker);
    }
  /* Each item of a chunk counts as a task done. */
  g_assert_cmpuint (total_done, ==, 25);
}

typedef struct
{
  FyPool  *pool;
  gint64   nested;
  gboolean called;
} Nested;

static void
nested_apply_cb (FyFuture *future,
                 gpointer  user_data)
{
  Nested *nested = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) inner = fy_pool_submit (nested->pool, "square", g_variant_new_int64 (12), &error);
  g_autoptr(GVariant) result = NULL;

  g_assert_no_error (error);
  /* The only worker is the one whose report is being handled right now. */
  result = fy_future_result (inner, 20, &error);
  g_assert_no_error (error);
  nested->nested = g_variant_get_int64 (result);
  nested->called = TRUE;
}

static gboolean
check_nested (gpointer data)
{
  return ((Nested *) data)->called;
}

static void
test_wait_in_callback (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) outer = fy_pool_submit (pool, "square", g_variant_new_int64 (2), &error);
  Nested nested = { pool, 0, FALSE };

  g_assert_no_error (error);
  fy_future_add_done_callback (outer, nested_apply_cb, &nested, NULL);
  g_assert_true (fy_future_wait (outer, 20));
  g_assert_true (fy_future_wait_context (NULL, 20, check_nested, &nested));
  g_assert_cmpint (nested.nested, ==, 144);
}

static void
test_stop_continue (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyPoolWorker) worker = g_list_model_get_item (fy_pool_get_workers (pool), 0);
  g_autoptr(FyFuture) future = NULL;
  g_autoptr(GVariant) result = NULL;

  g_assert_true (fy_pool_worker_stop (worker, &error));
  g_assert_cmpint (fy_pool_worker_get_state (worker), ==, FY_POOL_WORKER_STATE_STOPPED);
  future = fy_pool_submit (pool, "square", g_variant_new_int64 (5), &error);
  /* A stopped worker cannot answer. */
  g_assert_false (fy_future_wait (future, 0.2));
  g_assert_true (fy_pool_worker_continue (worker, &error));
  g_assert_no_error (error);
  result = fy_future_result (future, 20, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (result), ==, 25);
}

/* After a warm-up of tiny tasks, a batch of slow ones with chunksize 1
 * spreads over both workers: a worker may take tasks ahead only on the
 * speed of the same function, not on the one the warm-up measured. The
 * batch lasts 0.4 s or more, so a worker the scheduler holds back for a
 * few hundred milliseconds on a loaded machine still takes its share. */
static void
test_spread_after_warm_up (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) warm = NULL;
  g_autoptr(GPtrArray) slow = NULL;
  g_autoptr(GHashTable) per_pid = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer count;

  warm = fy_pool_map (pool, "square", range_variant (400), 1, &error);
  g_assert_no_error (error);
  slow = fy_pool_submit_map (pool, "sleep", repeat_u (20, 40), 1, &error);
  g_assert_no_error (error);
  g_assert_true (fy_future_wait_many (slow, FY_WAIT_ALL_COMPLETED, 60, NULL, NULL));

  for (guint i = 0; i < slow->len; i++)
    {
      gpointer pid = GINT_TO_POINTER (fy_future_get_worker_pid (g_ptr_array_index (slow, i)));

      g_assert_cmpint (fy_future_get_state (g_ptr_array_index (slow, i)), ==, FY_FUTURE_STATE_DONE);
      g_hash_table_insert (per_pid, pid, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_pid, pid)) + 1));
    }
  g_assert_cmpuint (g_hash_table_size (per_pid), ==, 2);
  g_hash_table_iter_init (&iter, per_pid);
  while (g_hash_table_iter_next (&iter, NULL, &count))
    g_assert_cmpuint (GPOINTER_TO_UINT (count), >=, 2);
}

/* Long tasks: each worker holds one ahead of the one it runs, as long as
 * the queue holds one for every worker, so no worker waits for the
 * parent between two of them and none holds two while another idles. */
static void
test_one_ahead (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = fy_pool_submit_map (pool, "sleep", repeat_u (300, 5), 1, &error);
  GPid holders[4];

  g_assert_no_error (error);
  while (fy_future_get_state (g_ptr_array_index (futures, 0)) != FY_FUTURE_STATE_RUNNING
         || fy_future_get_state (g_ptr_array_index (futures, 2)) != FY_FUTURE_STATE_RUNNING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fy_pool_get_n_pending (pool), ==, 1);
  g_assert_cmpuint (fy_pool_get_n_in_flight (pool), ==, 4);
  g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, 1)), ==, FY_FUTURE_STATE_QUEUED);
  g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, 3)), ==, FY_FUTURE_STATE_QUEUED);
  g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, 4)), ==, FY_FUTURE_STATE_PENDING);

  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, hang_guard (30), NULL, NULL));
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, i)), ==, FY_FUTURE_STATE_DONE);
      holders[i] = fy_future_get_worker_pid (g_ptr_array_index (futures, i));
    }
  /* Each worker ran the two it was handed. */
  g_assert_cmpint (holders[0], ==, holders[1]);
  g_assert_cmpint (holders[2], ==, holders[3]);
  g_assert_cmpint (holders[0], !=, holders[2]);
}

/* The registry entry of kind "pool-queue" whose name ends in @suffix
 * (a new reference), or NULL; there must not be two. */
static FyShm *
find_pool_queue (const char *suffix)
{
  GListModel *registry = G_LIST_MODEL (fy_registry_get_default ());
  FyShm *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (registry); i++)
    {
      g_autoptr(FyShm) shm = g_list_model_get_item (registry, i);

      if (fy_shm_get_kind (shm) == FY_SHM_KIND_POOL_QUEUE && g_str_has_suffix (fy_shm_get_name (shm), suffix))
        {
          g_assert_null (found);
          found = g_steal_pointer (&shm);
        }
    }
  return found;
}

/* A counter of a queue's snapshot, as fy_registry_snapshot_all () gives
 * it. */
static guint64
queue_counter (const char *suffix,
               const char *key)
{
  g_autoptr(FyShm) shm = find_pool_queue (suffix);
  g_autoptr(GVariant) all = fy_registry_snapshot_all (fy_registry_get_default ());
  GVariantIter iter;
  GVariant *snapshot;

  g_assert_nonnull (shm);
  g_variant_iter_init (&iter, all);
  while ((snapshot = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariantDict) dict = g_variant_dict_new (snapshot);
      g_autoptr(GVariant) value = g_variant_dict_lookup_value (dict, key, NULL);
      const char *name = NULL;

      g_variant_unref (snapshot);
      if (!g_variant_dict_lookup (dict, "name", "&s", &name) || !g_str_equal (name, fy_shm_get_name (shm)))
        continue;
      g_assert_nonnull (value);
      return g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64) ? g_variant_get_uint64 (value)
                                                                  : g_variant_get_uint32 (value);
    }
  g_assert_not_reached ();
}

/* The pool's task and result queues are live objects of the registry,
 * their counters read from shared memory; they leave with the pool. */
static void
test_registry (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GVariant) results = NULL;
  g_autoptr(FyShm) tasks = NULL;
  g_autoptr(FyShm) mapped = NULL;
  FyPool *pool;
  FyPoolQueueCounters *counters;

  g_assert_null (find_pool_queue ("-tasks"));
  pool = new_pool (1);
  g_ptr_array_add (futures, fy_pool_submit (pool, "sleep", g_variant_new_uint32 (300), &error));
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (futures, fy_pool_submit (pool, "sleep", g_variant_new_uint32 (1), &error));
  g_assert_no_error (error);
  while (fy_future_get_state (g_ptr_array_index (futures, 0)) != FY_FUTURE_STATE_RUNNING)
    g_main_context_iteration (NULL, TRUE);
  /* One runs, the only worker holds the next one ahead, four wait. */
  g_assert_cmpuint (queue_counter ("-tasks", "depth"), ==, 4);
  g_assert_cmpuint (queue_counter ("-tasks", "in-flight"), ==, 2);
  g_assert_cmpuint (queue_counter ("-tasks", "puts"), ==, 6);
  g_assert_cmpuint (queue_counter ("-tasks", "gets"), ==, 2);
  g_assert_cmpuint (queue_counter ("-tasks", "waiters"), ==, 0);
  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, 30, NULL, NULL));

  results = fy_pool_map (pool, "square", range_variant (50), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue_counter ("-tasks", "depth"), ==, 0);
  g_assert_cmpuint (queue_counter ("-tasks", "puts"), ==, 56);
  g_assert_cmpuint (queue_counter ("-tasks", "gets"), ==, 56);
  g_assert_cmpuint (queue_counter ("-tasks", "waiters"), ==, 1);
  g_assert_cmpuint (queue_counter ("-results", "puts"), ==, 56);
  g_assert_cmpuint (queue_counter ("-results", "gets"), ==, 56);
  g_assert_cmpuint (queue_counter ("-results", "depth"), ==, 0);

  /* Another process would map the same fd and read the same words. */
  tasks = find_pool_queue ("-tasks");
  mapped = fy_shm_new_from_fd (fy_shm_get_fd (tasks), FY_SHM_KIND_POOL_QUEUE, &error);
  g_assert_no_error (error);
  counters = fy_shm_get_data (mapped);
  g_assert_cmpuint (__atomic_load_n (&counters->puts, __ATOMIC_RELAXED), ==, 56);
  g_assert_cmpuint (__atomic_load_n (&counters->gets, __ATOMIC_RELAXED), ==, 56);

  g_object_unref (pool);
  g_assert_null (find_pool_queue ("-tasks"));
  g_assert_null (find_pool_queue ("-results"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pool/api/apply-async-callbacks", test_apply_async_callbacks);
  g_test_add_func ("/pool/api/models", test_models);
  g_test_add_func ("/pool/api/stop-continue", test_stop_continue);
  g_test_add_func ("/pool/api/wait-in-callback", test_wait_in_callback);
  g_test_add_func ("/pool/api/spread-after-warm-up", test_spread_after_warm_up);
  g_test_add_func ("/pool/api/one-ahead", test_one_ahead);
  g_test_add_func ("/pool/api/registry", test_registry);

  return g_test_run ();
}
