/* test-pool.c: FyPool and FyFuture, the Pool and executor calls, against
 * the behaviours CPython checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "core/fy-pool-private.h"
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
  g_autoptr(GVariant) results = NULL;
  g_autoptr(GVariant) chunked = NULL;

  results = fy_pool_map (pool, "square", range_variant (10), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (results), ==, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (result_x (results, i), ==, i * i);

  /* CPython's test_map_chunksize: 100 items in chunks of 20. */
  chunked = fy_pool_map (pool, "square", range_variant (100), 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (chunked), ==, 100);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (result_x (chunked, i), ==, i * i);
}

/* Numbers handed in packed ("ax") with chunksize 1 travel as the bytes of
 * the input, each task naming its item; a task's argument is made only
 * when asked for, and is that item. Tasks of one function from several
 * calls, packed or not, may leave in one message. */
static void
test_map_packed_arguments (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  g_autoptr(GPtrArray) more = NULL;
  g_autoptr(FyFuture) lone = NULL;
  g_autoptr(GVariant) lone_result = NULL;

  futures = fy_pool_submit_map (pool, "square", range_variant (300), 1, &error);
  g_assert_no_error (error);
  lone = fy_pool_submit (pool, "square", g_variant_new_int64 (-7), &error);
  g_assert_no_error (error);
  more = fy_pool_submit_map (pool, "square", range_variant (300), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (fy_future_get_argument (g_ptr_array_index (futures, 5))), ==, 5);

  g_assert_true (fy_future_wait_many (futures, FY_WAIT_ALL_COMPLETED, hang_guard (30), NULL, NULL));
  g_assert_true (fy_future_wait_many (more, FY_WAIT_ALL_COMPLETED, hang_guard (30), NULL, NULL));
  lone_result = fy_future_result (lone, hang_guard (30), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (lone_result), ==, 49);
  for (guint i = 0; i < 300; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);
      FyFuture *other = g_ptr_array_index (more, i);
      g_autoptr(GVariant) result = fy_future_result (future, 0, &error);
      g_autoptr(GVariant) other_result = fy_future_result (other, 0, &error);

      g_assert_no_error (error);
      g_assert_true (g_variant_is_of_type (fy_future_get_argument (future), G_VARIANT_TYPE_INT64));
      g_assert_cmpint (g_variant_get_int64 (fy_future_get_argument (future)), ==, i);
      g_assert_cmpint (g_variant_get_int64 (result), ==, (gint64) i * i);
      g_assert_cmpint (g_variant_get_int64 (other_result), ==, (gint64) i * i);
    }
}

/* With a chunksize above 1 a map call makes one task per chunk, as
 * Python does, and still gives one result per item, in order. */
static void
test_map_chunks (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  g_autoptr(GVariant) boxed = NULL;
  g_autoptr(GVariant) starred = NULL;
  GListModel *tasks = fy_pool_get_tasks (pool);

  results = fy_pool_map (pool, "square", range_variant (100), 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (results), ==, 100);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (result_x (results, i), ==, i * i);
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
  g_assert_cmpuint (fy_pool_results_length (boxed), ==, 5);
  g_assert_cmpstr (g_variant_get_type_string (boxed), ==, "av");
  {
    g_autoptr(GVariant) first = fy_pool_results_get (boxed, 0);
    g_autoptr(GVariant) last = fy_pool_results_get (boxed, 4);

    g_assert_cmpstr (g_variant_get_string (first, NULL), ==, "5");
    g_assert_cmpstr (g_variant_get_string (last, NULL), ==, "328350");
  }
  starred = fy_pool_starmap (pool, "add", g_variant_new_parsed ("[(@x 1, @x 2), (3, 4), (5, 6), (7, 8), (9, 10)]"), 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (starred), ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (result_x (starred, i), ==, 4 * i + 3);
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
  g_autoptr(GVariant) results = NULL;
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
  g_autoptr(GVariant) results = NULL;
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
  GVariant *results;
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
  g_assert_cmpuint (fy_pool_results_length (ok.results), ==, 30);
  g_assert_cmpint (result_x (ok.results, 29), ==, 29 * 29);

  g_assert_cmpuint (bad.calls, ==, 1);
  g_assert_null (bad.results);
  /* The first error in input order. */
  g_assert_error (bad.error, G_IO_ERROR, 1);
  g_assert_cmpstr (bad.error->message, ==, "no");

  g_variant_unref (ok.results);
  g_error_free (bad.error);
}

static void
test_empty (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  g_autoptr(GVariant) starred = NULL;
  g_autoptr(FyFutureIter) iter = NULL;
  MapAsyncData data = { 0 };
  GVariant *value = NULL;

  results = fy_pool_map (pool, "square", range_variant (0), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (results), ==, 0);

  starred = fy_pool_starmap (pool, "add", g_variant_new_parsed ("@a(xx) []"), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (starred), ==, 0);

  iter = fy_pool_imap (pool, "square", range_variant (0), 0, &error);
  g_assert_no_error (error);
  g_assert_false (fy_future_iter_next_result (iter, 1, &value, &error));
  g_assert_no_error (error);

  fy_pool_map_async (pool, "square", range_variant (0), 0, NULL, map_async_cb, &data);
  g_assert_true (fy_future_wait_context (NULL, 10, check_called, &data));
  g_assert_no_error (data.error);
  g_assert_cmpuint (fy_pool_results_length (data.results), ==, 0);
  g_variant_unref (data.results);
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pool/api/apply", test_apply);
  g_test_add_func ("/pool/api/map", test_map);
  g_test_add_func ("/pool/api/map-packed-arguments", test_map_packed_arguments);
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

  return g_test_run ();
}
