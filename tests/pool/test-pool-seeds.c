/* test-pool-seeds.c: the tutorials' pool examples, in C, with their results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "core/fy-pool-private.h"
#include "test-pool-common.h"

/* with Pool(4) as p: p.map(square, range(10)) */
static void
test_map_square (void)
{
  static const gint64 expected[] = { 0, 1, 4, 9, 16, 25, 36, 49, 64, 81 };
  g_autoptr(FyPool) pool = new_pool (4);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = fy_pool_map (pool, "square", range_variant (10), 0, &error);

  g_assert_no_error (error);
  assert_results_x (results, expected, G_N_ELEMENTS (expected));
}

/* p.starmap(add, [(1, 2), (3, 4), (5, 6)]) */
static void
test_starmap_add (void)
{
  static const gint64 expected[] = { 3, 7, 11 };
  g_autoptr(FyPool) pool = new_pool (4);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;

  results = fy_pool_starmap (pool, "add", g_variant_new_parsed ("[(@x 1, @x 2), (3, 4), (5, 6)]"), 0, &error);
  g_assert_no_error (error);
  assert_results_x (results, expected, G_N_ELEMENTS (expected));
}

static void
got_result_cb (GVariant *result,
               gpointer  user_data)
{
  *(gint64 *) user_data = g_variant_get_int64 (result);
}

/* p.apply_async(square, (10,)).get() */
static void
test_apply_async_square (void)
{
  g_autoptr(FyPool) pool = new_pool (4);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) future = NULL;
  g_autoptr(GVariant) result = NULL;
  gint64 from_callback = -1;

  future = fy_pool_apply_async (pool, "square", g_variant_new_int64 (10), got_result_cb, NULL,
                                &from_callback, NULL, &error);
  g_assert_no_error (error);
  result = fy_future_result (future, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (result), ==, 100);
  g_assert_cmpint (from_callback, ==, 100);
}

static void
map_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GVariant **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = fy_pool_map_finish (FY_POOL (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
check_set (gpointer data)
{
  return *(GVariant **) data != NULL;
}

/* p.map_async(square, range(5)).get() */
static void
test_map_async_square (void)
{
  static const gint64 expected[] = { 0, 1, 4, 9, 16 };
  g_autoptr(FyPool) pool = new_pool (4);
  GVariant *results = NULL;

  fy_pool_map_async (pool, "square", range_variant (5), 0, NULL, map_done_cb, &results);
  g_assert_true (fy_future_wait_context (NULL, 30, check_set, &results));
  assert_results_x (results, expected, G_N_ELEMENTS (expected));
  g_variant_unref (results);
}

/* pool.imap(execute_task, [1, 5, 3]) then pool.imap_unordered (…): seconds
 * scaled down to tenths. imap gives input order; imap_unordered the order
 * the sleeps end, which is 1, 3, 5. */
static void
test_imap_sleeps (void)
{
  static const guint32 ordered[] = { 100, 500, 300 };
  static const guint32 by_completion[] = { 100, 300, 500 };
  g_autoptr(FyPool) pool = new_pool (3);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFutureIter) in_order = NULL;
  g_autoptr(FyFutureIter) unordered = NULL;
  GVariant *sleeps = g_variant_new_parsed ("[@u 100, 500, 300]");
  GVariant *value;

  g_variant_ref_sink (sleeps);
  in_order = fy_pool_imap (pool, "sleep", sleeps, 1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (fy_future_iter_next_result (in_order, 30, &value, &error));
      g_assert_cmpuint (g_variant_get_uint32 (value), ==, ordered[i]);
      g_variant_unref (value);
    }
  g_assert_false (fy_future_iter_next_result (in_order, 30, &value, &error));
  g_assert_no_error (error);

  unordered = fy_pool_imap_unordered (pool, "sleep", sleeps, 1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (fy_future_iter_next_result (unordered, 30, &value, &error));
      g_assert_cmpuint (g_variant_get_uint32 (value), ==, by_completion[i]);
      g_variant_unref (value);
    }
  g_assert_false (fy_future_iter_next_result (unordered, 30, &value, &error));
  g_assert_no_error (error);
  g_variant_unref (sleeps);
}

/* ProcessPoolExecutor(max_workers=4): four compute(10**6) submitted, read
 * with as_completed; sum(i * i for i in range(10**6)) = 333332833333500000. */
static void
test_as_completed_sumsq (void)
{
  g_autoptr(FyPool) pool = new_pool (4);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  FyFuture *future;

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (futures, fy_pool_submit (pool, "sumsq", g_variant_new_int64 (1000000), &error));
  g_assert_no_error (error);

  iter = fy_future_as_completed (futures);
  while (fy_future_iter_next (iter, 30, &future, &error))
    {
      g_autoptr(GVariant) result = fy_future_result (future, 0, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (g_variant_get_string (result, NULL), ==, "333332833333500000");
      g_assert_false (g_hash_table_contains (seen, future));
      g_hash_table_add (seen, future);
      g_object_unref (future);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 4);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pool/seeds/map-square", test_map_square);
  g_test_add_func ("/pool/seeds/starmap-add", test_starmap_add);
  g_test_add_func ("/pool/seeds/apply-async-square", test_apply_async_square);
  g_test_add_func ("/pool/seeds/map-async-square", test_map_async_square);
  g_test_add_func ("/pool/seeds/imap-sleeps", test_imap_sleeps);
  g_test_add_func ("/pool/seeds/as-completed-sumsq", test_as_completed_sumsq);

  return g_test_run ();
}
