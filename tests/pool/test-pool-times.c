/* test-pool-times.c: when tasks started and ended, as their workers saw it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A task's started and finished times are stamped by the worker that ran
 * it, around the call: a short task no longer shows the time between its
 * start message and its result (often none: both arrive together), and the
 * tasks of one worker never overlap on a timeline.
 */

#include "config.h"

#include "test-pool-common.h"

static gint
by_start (gconstpointer a,
          gconstpointer b)
{
  gint64 x = fy_future_get_started_at (*(FyFuture **) a);
  gint64 y = fy_future_get_started_at (*(FyFuture **) b);

  return x < y ? -1 : x > y;
}

/* Per worker, in the order they started: each ended before the next
 * started, and none ended before it started. */
static void
assert_no_overlap (GPtrArray *futures)
{
  g_autoptr(GHashTable) last_end = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  guint n_followed = 0;

  /* Borrowed: a copy would take the free function along. */
  for (guint i = 0; i < futures->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (futures, i));
  g_ptr_array_sort (sorted, by_start);
  for (guint i = 0; i < sorted->len; i++)
    {
      FyFuture *future = g_ptr_array_index (sorted, i);
      gpointer pid = GINT_TO_POINTER (fy_future_get_worker_pid (future));
      gint64 *end = g_hash_table_lookup (last_end, pid);

      g_assert_cmpint (fy_future_get_state (future), ==, FY_FUTURE_STATE_DONE);
      g_assert_cmpint (fy_future_get_worker_pid (future), >, 0);
      g_assert_cmpint (fy_future_get_started_at (future), >=, fy_future_get_submitted_at (future));
      g_assert_cmpint (fy_future_get_finished_at (future), >=, fy_future_get_started_at (future));
      if (end == NULL)
        {
          end = g_new (gint64, 1);
          g_hash_table_insert (last_end, pid, end);
        }
      else
        {
          g_assert_cmpint (fy_future_get_started_at (future), >=, *end);
          n_followed++;
        }
      *end = fy_future_get_finished_at (future);
    }
  g_assert_cmpuint (n_followed, >, 0);
}

/* A 20 ms sleep takes at least 20 ms, alone or with others. */
static void
test_sleep_duration (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < 6; i++)
    {
      FyFuture *future = fy_pool_submit (pool, "sleep", g_variant_new_uint32 (20), &error);

      g_assert_no_error (error);
      g_ptr_array_add (futures, future);
    }
  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);
      gint64 before = g_get_monotonic_time ();

      g_assert_true (fy_future_wait (future, -1));
      g_assert_cmpint (fy_future_get_state (future), ==, FY_FUTURE_STATE_DONE);
      g_assert_cmpint (fy_future_get_finished_at (future) - fy_future_get_started_at (future), >=, 20000);
      g_assert_cmpint (fy_future_get_finished_at (future), <=, MAX (before, g_get_monotonic_time ()));
    }
  assert_no_overlap (futures);
}

/* Tasks far shorter than a millisecond travel in batches of reports, and
 * 2 ms ones report alone: either way one worker's tasks follow each other. */
static void
test_one_worker_in_turn (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tiny = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) slow = NULL;

  for (gint64 i = 0; i < 2000; i++)
    {
      FyFuture *future = fy_pool_submit (pool, "square", g_variant_new_int64 (i), &error);

      g_assert_no_error (error);
      g_ptr_array_add (tiny, future);
    }
  for (guint i = 0; i < tiny->len; i++)
    g_assert_true (fy_future_wait (g_ptr_array_index (tiny, i), -1));
  assert_no_overlap (tiny);

  slow = fy_pool_submit_map (pool, "sleep", repeat_u (2, 20), 1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < slow->len; i++)
    {
      FyFuture *future = g_ptr_array_index (slow, i);

      g_assert_true (fy_future_wait (future, -1));
      g_assert_cmpint (fy_future_get_finished_at (future) - fy_future_get_started_at (future), >=, 2000);
    }
  assert_no_overlap (slow);
}

/* Two workers, many short tasks: each worker's lane stays in turn. */
static void
test_two_workers_in_turn (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) futures = fy_pool_submit_map (pool, "sleep", repeat_u (1, 60), 1, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < futures->len; i++)
    g_assert_true (fy_future_wait (g_ptr_array_index (futures, i), -1));
  assert_no_overlap (futures);
}

/* A map chunk's run, as its worker timed it, holds its items' times:
 * from before item 0 started to after the last one ended. */
static void
test_map_chunk_times (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = fy_pool_map (pool, "sleep", repeat_u (3, 40), 10, &error);
  GListModel *tasks = fy_pool_get_tasks (pool);
  g_autoptr(GPtrArray) chunks = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (results), ==, 40);
  g_assert_cmpuint (g_list_model_get_n_items (tasks), ==, 4);
  for (guint t = 0; t < 4; t++)
    {
      FyFuture *chunk = g_list_model_get_item (tasks, t);
      gint64 first_start = 0;
      gint64 last_end = 0;

      g_ptr_array_add (chunks, chunk);
      g_assert_true (fy_future_get_item_times (chunk, 0, &first_start, NULL));
      g_assert_true (fy_future_get_item_times (chunk, 9, NULL, &last_end));
      g_assert_cmpint (fy_future_get_started_at (chunk), <=, first_start);
      g_assert_cmpint (fy_future_get_finished_at (chunk), >=, last_end);
      g_assert_cmpint (last_end - first_start, >=, 10 * 3000);
    }
  assert_no_overlap (chunks);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pool/times/sleep-duration", test_sleep_duration);
  g_test_add_func ("/pool/times/one-worker-in-turn", test_one_worker_in_turn);
  g_test_add_func ("/pool/times/two-workers-in-turn", test_two_workers_in_turn);
  g_test_add_func ("/pool/times/map-chunk-times", test_map_chunk_times);

  return g_test_run ();
}
