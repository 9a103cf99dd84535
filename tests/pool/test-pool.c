/* test-pool.c: FyPool and FyFuture against the behaviours CPython checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "core/fy-pool-private.h"
#include "core/fy-registry.h"
#include "workloads/fy-workload-error.h"
#include "test-pool-common.h"

static void
test_apply (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = fy_pool_apply (pool, "square", g_variant_new_int64 (7), &error);

  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (result), ==, 49);
}

static void
test_map (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) chunked = NULL;

  results = fy_pool_map (pool, "square", range_variant (10), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (results, i)), ==, i * i);

  /* CPython's test_map_chunksize: 100 items in chunks of 20. */
  chunked = fy_pool_map (pool, "square", range_variant (100), 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chunked->len, ==, 100);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (chunked, i)), ==, i * i);
}

/* With a chunksize above 1 a map call makes one task per chunk, as
 * Python does, and still gives one result per item, in order. */
static void
test_map_chunks (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) boxed = NULL;
  g_autoptr(GPtrArray) starred = NULL;
  GListModel *tasks = fy_pool_get_tasks (pool);

  results = fy_pool_map (pool, "square", range_variant (100), 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 100);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (results, i)), ==, i * i);
  /* ceil (100 / 7) tasks, each with its items' arguments and results. */
  g_assert_cmpuint (g_list_model_get_n_items (tasks), ==, 15);
  for (guint t = 0; t < 15; t++)
    {
      g_autoptr(FyFuture) task = g_list_model_get_item (tasks, t);
      GVariant *argument = fy_future_get_argument (task);
      GVariant *result = fy_future_get_result_value (task);
      gsize n = t < 14 ? 7 : 2;

      g_assert_cmpint (fy_future_get_state (task), ==, FY_FUTURE_STATE_DONE);
      g_assert_cmpuint (g_variant_n_children (argument), ==, n);
      g_assert_cmpuint (g_variant_n_children (result), ==, n);
      g_assert_cmpuint (fy_future_get_attempts (task), ==, 1);
      g_assert_cmpint (fy_future_get_worker_pid (task), >, 0);
    }

  /* Values of a type that is not packed travel boxed: sumsq's strings,
   * and starmap's tuples. */
  boxed = fy_pool_map (pool, "sumsq", g_variant_new_parsed ("[@x 3, 4, 5, 10, 100]"), 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (boxed->len, ==, 5);
  g_assert_cmpstr (g_variant_get_string (g_ptr_array_index (boxed, 0), NULL), ==, "5");
  g_assert_cmpstr (g_variant_get_string (g_ptr_array_index (boxed, 4), NULL), ==, "328350");
  starred = fy_pool_starmap (pool, "add", g_variant_new_parsed ("[(@x 1, @x 2), (3, 4), (5, 6), (7, 8), (9, 10)]"), 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (starred->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (starred, i)), ==, 4 * i + 3);
  g_assert_cmpuint (g_list_model_get_n_items (tasks), ==, 15 + 3 + 3);
}

/* fib fails on a negative n. Items 8 and 10 fail, both in the second chunk
 * of 7: map fails with the first one's error, as Python raises it, and an
 * iterator gives that chunk's error for each of its items. */
static void
test_map_chunk_error (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(GVariant) input = NULL;
  gint64 values[20];
  gint64 fib[2] = { -1, 1 };
  GVariant *value = NULL;

  for (guint i = 0; i < 20; i++)
    values[i] = i == 8 ? -3 : i == 10 ? -5 : (gint64) i;
  input = g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, values, 20, sizeof (gint64)));

  results = fy_pool_map (pool, "fib", input, 7, &error);
  g_assert_null (results);
  g_assert_nonnull (error);
  g_assert_cmpstr (g_quark_to_string (error->domain), ==, "fy-workload-error-quark");
  g_assert_cmpint (error->code, ==, FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "fib: n must be 0 or more, not -3");
  g_clear_error (&error);

  iter = fy_pool_imap (pool, "fib", input, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_future_iter_get_n_items (iter), ==, 20);
  for (guint i = 0; i < 20; i++)
    {
      gboolean ok = fy_future_iter_next_result (iter, -1, &value, &error);

      /* fib (i) in fib[1], with fib (0) = 0 and fib (1) = fib (2) = 1. */
      fib[1] = fib[0] + fib[1];
      fib[0] = fib[1] - fib[0];

      if (i >= 7 && i < 14)
        {
          g_assert_false (ok);
          g_assert_cmpstr (error->message, ==, "fib: n must be 0 or more, not -3");
          g_clear_error (&error);
          continue;
        }
      g_assert_true (ok);
      g_assert_no_error (error);
      g_assert_cmpint (g_variant_get_int64 (value), ==, fib[1]);
      g_clear_pointer (&value, g_variant_unref);
    }
  g_assert_false (fy_future_iter_next_result (iter, -1, &value, &error));
  g_assert_no_error (error);
}

/* Iterators over chunks still give every item once: results in order or
 * as chunks finish, and a future per item for those who ask for futures. */
static void
test_imap_chunks (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFutureIter) unordered = NULL;
  g_autoptr(FyFutureIter) futures = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GPtrArray *items;
  GVariant *value = NULL;
  FyFuture *future = NULL;
  guint n = 0;

  unordered = fy_pool_imap_unordered (pool, "square", range_variant (100), 6, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_future_iter_get_n_items (unordered), ==, 100);
  while (fy_future_iter_next_result (unordered, -1, &value, &error))
    {
      gpointer key = GSIZE_TO_POINTER ((gsize) g_variant_get_int64 (value));

      g_assert_false (g_hash_table_contains (seen, key));
      g_hash_table_add (seen, key);
      g_variant_unref (value);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 100);
  for (gsize i = 0; i < 100; i++)
    g_assert_true (g_hash_table_contains (seen, GSIZE_TO_POINTER (i * i)));

  futures = fy_pool_imap (pool, "square", range_variant (10), 3, &error);
  g_assert_no_error (error);
  items = fy_future_iter_get_futures (futures);
  g_assert_cmpuint (items->len, ==, 10);
  while (fy_future_iter_next (futures, -1, &future, &error))
    {
      GVariant *argument = fy_future_get_argument (future);
      gint64 x = g_variant_get_int64 (argument);

      g_assert_true (future == g_ptr_array_index (items, n));
      g_assert_cmpint (x, ==, n);
      g_assert_cmpint (fy_future_get_state (future), ==, FY_FUTURE_STATE_DONE);
      g_assert_cmpint (g_variant_get_int64 (fy_future_get_result_value (future)), ==, x * x);
      g_assert_cmpint (fy_future_get_worker_pid (future), >, 0);
      g_clear_object (&future);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 10);
}

static void
test_starmap (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  static const gint64 expected[] = { 3, 7, 11 };

  results = fy_pool_starmap (pool, "add", g_variant_new_parsed ("[(@x 1, @x 2), (3, 4), (5, 6)]"), 0, &error);
  g_assert_no_error (error);
  assert_results_x (results, expected, 3);

  /* Each item must be a tuple. */
  g_assert_null (fy_pool_starmap (pool, "add", range_variant (3), 0, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
}

static void
test_imap (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFutureIter) iter = NULL;
  GVariant *value = NULL;

  iter = fy_pool_imap (pool, "square", range_variant (20), 3, &error);
  g_assert_no_error (error);
  for (gint64 i = 0; i < 20; i++)
    {
      g_assert_true (fy_future_iter_next_result (iter, -1, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_variant_get_int64 (value), ==, i * i);
      g_variant_unref (value);
    }
  /* Then the end: FALSE without an error, and again. */
  g_assert_false (fy_future_iter_next_result (iter, -1, &value, &error));
  g_assert_no_error (error);
  g_assert_null (value);
  g_assert_false (fy_future_iter_next_result (iter, 1, &value, &error));
  g_assert_no_error (error);
}

static void
test_imap_unordered (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GVariant *value = NULL;

  iter = fy_pool_imap_unordered (pool, "square", range_variant (50), 1, &error);
  g_assert_no_error (error);
  while (fy_future_iter_next_result (iter, -1, &value, &error))
    {
      g_hash_table_add (seen, GSIZE_TO_POINTER ((gsize) g_variant_get_int64 (value)));
      g_variant_unref (value);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 50);
  for (gsize i = 0; i < 50; i++)
    g_assert_true (g_hash_table_contains (seen, GSIZE_TO_POINTER (i * i)));
}

typedef struct
{
  guint      calls;
  GPtrArray *results;
  GError    *error;
} MapAsyncData;

static void
map_async_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  MapAsyncData *data = user_data;

  data->calls++;
  data->results = fy_pool_map_finish (FY_POOL (source), result, &data->error);
}

static gboolean
check_called (gpointer user_data)
{
  return ((MapAsyncData *) user_data)->calls > 0;
}

static void
test_map_async (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  MapAsyncData ok = { 0 };
  MapAsyncData bad = { 0 };
  GVariant *failing;

  fy_pool_map_async (pool, "square", range_variant (30), 0, NULL, map_async_cb, &ok);
  failing = g_variant_new_parsed ("[('g-io-error-quark', 1, 'no'), ('g-io-error-quark', 2, 'nope')]");
  fy_pool_map_async (pool, "pool.fail", failing, 1, NULL, map_async_cb, &bad);

  g_assert_true (fy_future_wait_context (NULL, 20, check_called, &ok));
  g_assert_true (fy_future_wait_context (NULL, 20, check_called, &bad));
  /* Give a stray second call every chance to happen. */
  fy_future_wait_context (NULL, 0.1, check_called, &(MapAsyncData) { 0 });

  g_assert_cmpuint (ok.calls, ==, 1);
  g_assert_no_error (ok.error);
  g_assert_cmpuint (ok.results->len, ==, 30);
  g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (ok.results, 29)), ==, 29 * 29);

  g_assert_cmpuint (bad.calls, ==, 1);
  g_assert_null (bad.results);
  /* The first error in input order. */
  g_assert_error (bad.error, G_IO_ERROR, 1);
  g_assert_cmpstr (bad.error->message, ==, "no");

  g_ptr_array_unref (ok.results);
  g_error_free (bad.error);
}

static void
test_empty (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) starred = NULL;
  g_autoptr(FyFutureIter) iter = NULL;
  MapAsyncData data = { 0 };
  GVariant *value = NULL;

  results = fy_pool_map (pool, "square", range_variant (0), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);

  starred = fy_pool_starmap (pool, "add", g_variant_new_parsed ("@a(xx) []"), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (starred->len, ==, 0);

  iter = fy_pool_imap (pool, "square", range_variant (0), 0, &error);
  g_assert_no_error (error);
  g_assert_false (fy_future_iter_next_result (iter, 1, &value, &error));
  g_assert_no_error (error);

  fy_pool_map_async (pool, "square", range_variant (0), 0, NULL, map_async_cb, &data);
  g_assert_true (fy_future_wait_context (NULL, 10, check_called, &data));
  g_assert_no_error (data.error);
  g_assert_cmpuint (data.results->len, ==, 0);
  g_ptr_array_unref (data.results);
}

static void
test_invalid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyPool) pool = fy_pool_new ();

  g_assert_null (fy_pool_new_started (0, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fy_pool_new_started (-1, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_false (fy_pool_set_max_tasks_per_child (pool, 0, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (fy_pool_set_max_tasks_per_child (pool, -3, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (fy_pool_map (pool, "square", range_variant (3), -1, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* An unknown workload fails its task, not the pool. */
  g_assert_null (fy_pool_apply (pool, "no-such-workload", NULL, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fy_pool_apply (pool, "square", g_variant_new_string ("seven"), &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (fy_pool_get_state (pool), ==, FY_POOL_STATE_RUNNING);
}

static void
test_crash_policy_parse (void)
{
  g_autoptr(GError) error = NULL;
  FyCrashPolicy policy;
  guint retries;

  g_assert_true (fy_crash_policy_parse ("fail", &policy, &retries, &error));
  g_assert_cmpint (policy, ==, FY_CRASH_POLICY_FAIL);
  g_assert_true (fy_crash_policy_parse ("retry 2", &policy, &retries, &error));
  g_assert_cmpint (policy, ==, FY_CRASH_POLICY_RETRY);
  g_assert_cmpuint (retries, ==, 2);
  g_assert_true (fy_crash_policy_parse ("break", &policy, &retries, &error));
  g_assert_cmpint (policy, ==, FY_CRASH_POLICY_BREAK);
  g_assert_no_error (error);
  g_assert_false (fy_crash_policy_parse ("retry 2.5", &policy, &retries, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
}

static void
test_get_timeout (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) future = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (400), &error);
  g_autoptr(GVariant) result = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  g_assert_no_error (error);
  g_assert_null (fy_future_result (future, 0.05, &error));
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT);
  g_assert_cmpfloat (elapsed, >=, 0.045);
  g_assert_cmpfloat (elapsed, <, 2.0);
  g_clear_error (&error);

  /* The task went on; its result is still there to get. */
  result = fy_future_result (future, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint32 (result), ==, 400);
}

static void
test_error_domain (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;

  g_assert_null (fy_pool_apply (pool, "pool.fail",
                                g_variant_new ("(sis)", "g-io-error-quark", G_IO_ERROR_PERMISSION_DENIED, "no entry"),
                                &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "no entry");
  g_clear_error (&error);

  /* A domain this process never registered still comes back by name. */
  g_assert_null (fy_pool_apply (pool, "pool.fail",
                                g_variant_new ("(sis)", "forkyard-test-made-up-quark", 77, "made up"),
                                &error));
  g_assert_cmpstr (g_quark_to_string (error->domain), ==, "forkyard-test-made-up-quark");
  g_assert_cmpint (error->code, ==, 77);
  g_assert_cmpstr (error->message, ==, "made up");
}

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
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GVariant) result = NULL;

  g_assert_true (fy_pool_set_n_workers (pool, 2, &error));
  fy_pool_set_initializer (pool, "pool.init-set", g_variant_new_int64 (42));
  results = fy_pool_map (pool, "pool.init-get", g_variant_new_parsed ("[(), (), (), (), ()]"), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 5);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (results, i)), ==, 42);

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
  g_autoptr(GPtrArray) results = NULL;
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
  g_assert_cmpuint (results->len, ==, 25);
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
  g_assert_cmpuint (total_done, ==, 13);
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

/* The hand-made message layout must be exactly GVariant's own. */
static void
test_message_layout (void)
{
  g_autoptr(GVariant) body = g_variant_ref_sink (g_variant_new_parsed ("('fy-pool-error-quark', 3, 'some text')"));
  g_autoptr(GVariant) ours = fy_pool_report_new ('e', 77, G_MAXUINT64 - 5, 12, 64, 1234567, G_MAXINT64 - 3, body);
  g_autoptr(GVariant) theirs = NULL;
  g_autoptr(GVariant) parsed_body = NULL;
  g_autoptr(GVariant) garbage = NULL;
  g_autoptr(GVariant) unit = fy_pool_message_new ('q', 0, 0, 0, 0, NULL);
  FyPoolHeader header;

  theirs = g_variant_ref_sink (g_variant_new ("(yttuuxxv)", 'e', (guint64) 77, G_MAXUINT64 - 5,
                                              (guint32) 12, (guint32) 64, (gint64) 1234567,
                                              G_MAXINT64 - 3, body));
  g_assert_cmpuint (g_variant_get_size (ours), ==, g_variant_get_size (theirs));
  g_assert_cmpmem (g_variant_get_data (ours), g_variant_get_size (ours),
                   g_variant_get_data (theirs), g_variant_get_size (theirs));
  g_assert_true (g_variant_is_normal_form (ours));

  g_assert_true (fy_pool_message_parse (theirs, &header, &parsed_body));
  g_assert_cmpint (header.tag, ==, 'e');
  g_assert_cmpuint (header.chunk, ==, 77);
  g_assert_cmpuint (header.next, ==, G_MAXUINT64 - 5);
  g_assert_cmpuint (header.index, ==, 12);
  g_assert_cmpuint (header.window, ==, 64);
  g_assert_cmpint (header.started_at, ==, 1234567);
  g_assert_cmpint (header.ended_at, ==, G_MAXINT64 - 3);
  g_assert_true (g_variant_equal (parsed_body, body));
  g_clear_pointer (&parsed_body, g_variant_unref);

  g_assert_true (fy_pool_message_parse (unit, &header, &parsed_body));
  g_assert_true (g_variant_is_of_type (parsed_body, G_VARIANT_TYPE_UNIT));
  g_assert_cmpint (header.started_at, ==, 0);
  g_assert_cmpint (header.ended_at, ==, 0);
  g_clear_pointer (&parsed_body, g_variant_unref);

  /* A large body makes a tree instead: the same bytes once serialised. */
  {
    g_autofree guint8 *bytes = g_malloc0 (70000);
    g_autoptr(GVariant) large = g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, bytes, 70000, 1));
    g_autoptr(GVariant) tree = fy_pool_report_new ('o', 5, 6, 7, 8, 9, 10, large);
    g_autoptr(GVariant) flat = g_variant_ref_sink (g_variant_new ("(yttuuxxv)", 'o', (guint64) 5, (guint64) 6,
                                                                  (guint32) 7, (guint32) 8, (gint64) 9,
                                                                  (gint64) 10, large));

    g_assert_cmpuint (g_variant_get_size (tree), ==, g_variant_get_size (flat));
    g_assert_cmpmem (g_variant_get_data (tree), g_variant_get_size (tree),
                     g_variant_get_data (flat), g_variant_get_size (flat));
    g_assert_true (fy_pool_message_parse (tree, &header, &parsed_body));
    g_assert_cmpint (header.started_at, ==, 9);
    g_assert_cmpint (header.ended_at, ==, 10);
    g_assert_true (g_variant_equal (parsed_body, large));
    g_clear_pointer (&parsed_body, g_variant_unref);
  }

  garbage = g_variant_ref_sink (g_variant_new ("(yttuuxxs)", 'e', (guint64) 1, (guint64) 2, 3, 4,
                                               (gint64) 5, (gint64) 6, "x"));
  g_assert_false (fy_pool_message_parse (garbage, &header, &parsed_body));
}

/* The hand-made "av" of task arguments must be exactly GVariant's own,
 * whatever the types and whatever offset size the array needs. */
static void
test_arguments_layout (void)
{
  const char *texts[] = {
    "int64 7", "'a string'", "(int32 1, 'two', [3.0, 4.0])", "()", "@as []",
    "{'key': <uint16 5>}", "byte 0xff", "[(int64 1, true), (int64 2, false)]",
  };
  guint sizes[] = { 1, 2, 3, 8, 40, 300, 3000 };

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      g_autoptr(GPtrArray) boxed = g_ptr_array_new ();
      g_autoptr(GVariant) ours = NULL;
      g_autoptr(GVariant) theirs = NULL;

      for (guint i = 0; i < sizes[k]; i++)
        {
          GVariant *value = g_variant_ref_sink (g_variant_new_parsed (texts[i % G_N_ELEMENTS (texts)]));

          /* Big strings push the array past one- and two-byte offsets. */
          if (i % 97 == 5)
            {
              g_autofree char *big = g_strnfill (i * 7, 'x');

              g_variant_unref (value);
              value = g_variant_ref_sink (g_variant_new_string (big));
            }
          g_ptr_array_add (values, value);
          g_ptr_array_add (boxed, g_variant_new_variant (value));
        }
      ours = g_variant_ref_sink (fy_pool_variants_to_av ((GVariant **) values->pdata, values->len));
      theirs = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE_VARIANT, (GVariant **) boxed->pdata, boxed->len));
      g_assert_cmpmem (g_variant_get_data (ours), g_variant_get_size (ours),
                       g_variant_get_data (theirs), g_variant_get_size (theirs));
      g_assert_true (g_variant_is_normal_form (ours));
      g_assert_true (g_variant_equal (ours, theirs));
    }
}

/* Values of one fixed-size basic type travel packed, in GVariant's own
 * layout of that array; any mix travels boxed. */
static void
test_pack_values (void)
{
  GVariant *ints[3];
  GVariant *mixed[2];
  g_autoptr(GVariant) packed = NULL;
  g_autoptr(GVariant) expected = NULL;
  g_autoptr(GVariant) boxed = NULL;
  g_autoptr(GVariant) boxed_expected = NULL;

  for (guint i = 0; i < 3; i++)
    ints[i] = g_variant_ref_sink (g_variant_new_int64 (-7 * (gint64) i));
  packed = g_variant_ref_sink (fy_pool_pack_values (ints, 3));
  expected = g_variant_ref_sink (g_variant_new_parsed ("[@x 0, -7, -14]"));
  g_assert_true (g_variant_equal (packed, expected));
  g_assert_cmpmem (g_variant_get_data (packed), g_variant_get_size (packed),
                   g_variant_get_data (expected), g_variant_get_size (expected));

  mixed[0] = ints[1];
  mixed[1] = g_variant_ref_sink (g_variant_new_int32 (5));
  boxed = g_variant_ref_sink (fy_pool_pack_values (mixed, 2));
  boxed_expected = g_variant_ref_sink (g_variant_new_parsed ("[<@x -7>, <5>]"));
  g_assert_true (g_variant_equal (boxed, boxed_expected));

  g_variant_unref (mixed[1]);
  for (guint i = 0; i < 3; i++)
    g_variant_unref (ints[i]);
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
  g_autoptr(GPtrArray) warm = NULL;
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
  g_autoptr(GPtrArray) results = NULL;
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
  /* One runs, five wait for the only worker. */
  g_assert_cmpuint (queue_counter ("-tasks", "depth"), ==, 5);
  g_assert_cmpuint (queue_counter ("-tasks", "in-flight"), ==, 1);
  g_assert_cmpuint (queue_counter ("-tasks", "puts"), ==, 6);
  g_assert_cmpuint (queue_counter ("-tasks", "gets"), ==, 1);
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

  g_test_add_func ("/pool/api/message-layout", test_message_layout);
  g_test_add_func ("/pool/api/arguments-layout", test_arguments_layout);
  g_test_add_func ("/pool/api/pack-values", test_pack_values);
  g_test_add_func ("/pool/api/apply", test_apply);
  g_test_add_func ("/pool/api/map", test_map);
  g_test_add_func ("/pool/api/map-chunks", test_map_chunks);
  g_test_add_func ("/pool/api/map-chunk-error", test_map_chunk_error);
  g_test_add_func ("/pool/api/imap-chunks", test_imap_chunks);
  g_test_add_func ("/pool/api/starmap", test_starmap);
  g_test_add_func ("/pool/api/imap", test_imap);
  g_test_add_func ("/pool/api/imap-unordered", test_imap_unordered);
  g_test_add_func ("/pool/api/map-async", test_map_async);
  g_test_add_func ("/pool/api/empty", test_empty);
  g_test_add_func ("/pool/api/invalid", test_invalid);
  g_test_add_func ("/pool/api/crash-policy-parse", test_crash_policy_parse);
  g_test_add_func ("/pool/api/get-timeout", test_get_timeout);
  g_test_add_func ("/pool/api/error-domain", test_error_domain);
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
  g_test_add_func ("/pool/api/apply-async-callbacks", test_apply_async_callbacks);
  g_test_add_func ("/pool/api/models", test_models);
  g_test_add_func ("/pool/api/stop-continue", test_stop_continue);
  g_test_add_func ("/pool/api/wait-in-callback", test_wait_in_callback);
  g_test_add_func ("/pool/api/spread-after-warm-up", test_spread_after_warm_up);
  g_test_add_func ("/pool/api/registry", test_registry);

  return g_test_run ();
}
