/* test-run.c: FyRun on a real pool, without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts a run and iterates the default main context until the
 * run ends, as the application's main loop would: nothing here waits on
 * the pool directly.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "fy-run.h"
#include "fy-run-result.h"

static gboolean
run_ended (FyRun *run)
{
  return fy_run_get_state (run) == FY_RUN_STATE_FINISHED ||
         fy_run_get_state (run) == FY_RUN_STATE_CANCELLED;
}

static void
iterate_until_ended (FyRun *run)
{
  while (!run_ended (run))
    g_main_context_iteration (NULL, TRUE);
}

static GVariant *
repeated_int64 (gint64 value,
                guint  n)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("ax"));

  for (guint i = 0; i < n; i++)
    g_variant_builder_add (builder, "x", value);
  return g_variant_builder_end (builder);
}

static void
check_fib_run (FyRunCallStyle style,
               int            chunksize)
{
  g_autoptr(FyRun) run = fy_run_new ("fib", repeated_int64 (27, 40));
  g_autoptr(GError) error = NULL;
  GListModel *results = fy_run_get_results (run);
  gboolean seen[40] = { FALSE };

  fy_run_set_n_workers (run, 2);
  fy_run_set_call_style (run, style);
  fy_run_set_chunksize (run, chunksize);
  g_assert_true (fy_run_start (run, &error));
  g_assert_no_error (error);
  g_assert_nonnull (fy_run_get_pool (run));
  g_assert_true (fy_run_is_active (run));
  iterate_until_ended (run);

  g_assert_cmpint (fy_run_get_state (run), ==, FY_RUN_STATE_FINISHED);
  g_assert_cmpuint (fy_run_get_total (run), ==, 40);
  g_assert_cmpuint (fy_run_get_done (run), ==, 40);
  g_assert_cmpuint (fy_run_get_failed (run), ==, 0);
  g_assert_cmpuint (fy_run_get_cancelled (run), ==, 0);
  g_assert_cmpfloat (fy_run_get_fraction (run), ==, 1.0);
  g_assert_cmpfloat (fy_run_get_wall_time (run), >, 0);
  g_assert_cmpfloat (fy_run_get_task_time (run), >, 0);
  g_assert_cmpfloat (fy_run_get_speedup (run), >, 0);
  g_assert_nonnull (g_strstr_len (fy_run_get_verdict (run), -1, "2 workers"));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 40);
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(FyRunResult) result = g_list_model_get_item (results, i);
      guint index = fy_run_result_get_index (result);

      g_assert_cmpstr (fy_run_result_get_result_text (result), ==, "196418");
      g_assert_cmpint (fy_run_result_get_worker_pid (result), >, 0);
      g_assert_cmpuint (index, <, 40);
      g_assert_false (seen[index]);
      seen[index] = TRUE;
      /* map and imap give results in input order. */
      if (style == FY_RUN_CALL_STYLE_MAP || style == FY_RUN_CALL_STYLE_IMAP)
        g_assert_cmpuint (index, ==, i);
    }
}

static void
test_fib_map (void)
{
  check_fib_run (FY_RUN_CALL_STYLE_MAP, 0);
}

static void
test_fib_imap_chunked (void)
{
  check_fib_run (FY_RUN_CALL_STYLE_IMAP, 3);
}

static void
test_fib_unordered (void)
{
  check_fib_run (FY_RUN_CALL_STYLE_IMAP_UNORDERED, 4);
}

static void
test_fib_submit (void)
{
  check_fib_run (FY_RUN_CALL_STYLE_SUBMIT, 0);
}

/* More results than the list keeps: the oldest are only counted. */
static void
test_results_bounded (void)
{
  guint n = FY_RUN_MAX_RESULTS + 1234;
  g_autoptr(FyRun) run = fy_run_new ("fib", repeated_int64 (1, n));
  g_autoptr(FyRunResult) last = NULL;
  GListModel *results = fy_run_get_results (run);

  fy_run_set_n_workers (run, 2);
  fy_run_set_call_style (run, FY_RUN_CALL_STYLE_IMAP);
  fy_run_set_chunksize (run, 100);
  g_assert_true (fy_run_start (run, NULL));
  iterate_until_ended (run);

  g_assert_cmpuint (fy_run_get_done (run), ==, n);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, FY_RUN_MAX_RESULTS);
  g_assert_cmpuint (fy_run_get_n_dropped (run), ==, 1234);
  last = g_list_model_get_item (results, FY_RUN_MAX_RESULTS - 1);
  g_assert_cmpuint (fy_run_result_get_index (last), ==, n - 1);
}

/* Large map chunks finishing out of order: every item is counted once,
 * the list keeps the last FY_RUN_MAX_RESULTS with their own inputs and
 * values, whatever number of flushes the items take. */
static void
test_unordered_chunks (void)
{
  guint n = 40000;
  g_autoptr(FyRun) run = fy_run_new ("fib", repeated_int64 (12, n));
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GListModel *results = fy_run_get_results (run);

  fy_run_set_n_workers (run, 2);
  fy_run_set_call_style (run, FY_RUN_CALL_STYLE_IMAP_UNORDERED);
  fy_run_set_chunksize (run, 5000);
  g_assert_true (fy_run_start (run, NULL));
  iterate_until_ended (run);

  g_assert_cmpint (fy_run_get_state (run), ==, FY_RUN_STATE_FINISHED);
  g_assert_cmpuint (fy_run_get_done (run), ==, n);
  g_assert_cmpuint (fy_run_get_failed (run), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, FY_RUN_MAX_RESULTS);
  g_assert_cmpuint (fy_run_get_n_dropped (run), ==, n - FY_RUN_MAX_RESULTS);
  for (guint i = 0; i < FY_RUN_MAX_RESULTS; i++)
    {
      g_autoptr(FyRunResult) result = g_list_model_get_item (results, i);
      guint index = fy_run_result_get_index (result);

      g_assert_cmpuint (index, <, n);
      g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (index + 1)));
      g_hash_table_add (seen, GUINT_TO_POINTER (index + 1));
      g_assert_cmpstr (fy_run_result_get_input_text (result), ==, "12");
      g_assert_cmpstr (fy_run_result_get_result_text (result), ==, "144");
      g_assert_cmpint (fy_run_result_get_worker_pid (result), >, 0);
      g_assert_cmpint (fy_run_result_get_worker_exitcode (result), ==, 0);
    }
}

static gboolean
kill_busy_worker_cb (gpointer data)
{
  FyPool *pool = fy_run_get_pool (data);
  GListModel *workers = fy_pool_get_workers (pool);

  if (fy_pool_get_n_in_flight (pool) == 0)
    return G_SOURCE_CONTINUE;
  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);

      if (fy_pool_worker_get_current_task (worker) != NULL)
        {
          g_assert_cmpint (kill (fy_pool_worker_get_pid (worker), SIGKILL), ==, 0);
          return G_SOURCE_REMOVE;
        }
    }
  return G_SOURCE_CONTINUE;
}

/* A worker killed in the middle of a map chunk fails the one item it was
 * running, and that item's result keeps how the worker ended (-9), as
 * forkyard-cli --json reports it; the chunk's other items are done. */
static void
test_killed_in_chunk (void)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("au"));
  g_autoptr(FyRun) run = NULL;
  GListModel *results;
  guint n_failed = 0;

  for (guint i = 0; i < 8; i++)
    g_variant_builder_add (builder, "u", 300);
  run = fy_run_new ("sleep", g_variant_builder_end (builder));
  fy_run_set_n_workers (run, 1);
  fy_run_set_call_style (run, FY_RUN_CALL_STYLE_MAP);
  fy_run_set_chunksize (run, 4);
  g_assert_true (fy_run_start (run, NULL));
  g_timeout_add (50, kill_busy_worker_cb, run);
  iterate_until_ended (run);

  g_assert_cmpint (fy_run_get_state (run), ==, FY_RUN_STATE_FINISHED);
  g_assert_cmpuint (fy_run_get_failed (run), ==, 1);
  g_assert_cmpuint (fy_run_get_done (run), ==, 7);
  results = fy_run_get_results (run);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(FyRunResult) result = g_list_model_get_item (results, i);

      g_assert_cmpuint (fy_run_result_get_index (result), ==, i);
      if (fy_run_result_get_failed (result))
        {
          n_failed++;
          g_assert_cmpint (fy_run_result_get_state (result), ==, FY_FUTURE_STATE_FAILED);
          g_assert_cmpint (fy_run_result_get_worker_exitcode (result), ==, -SIGKILL);
          g_assert_nonnull (fy_run_result_get_error_text (result));
        }
      else
        g_assert_cmpint (fy_run_result_get_worker_exitcode (result), ==, 0);
    }
  g_assert_cmpuint (n_failed, ==, 1);
}

/* A chunk of long items is counted item by item while it runs, not all at
 * once when it ends: "Done" and the results list move with its items. */
static void
test_chunk_counted_as_it_runs (void)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("au"));
  g_autoptr(FyRun) run = NULL;
  guint seen_partial = 0;

  for (guint i = 0; i < 20; i++)
    g_variant_builder_add (builder, "u", 150);
  run = fy_run_new ("sleep", g_variant_builder_end (builder));
  fy_run_set_n_workers (run, 1);
  fy_run_set_call_style (run, FY_RUN_CALL_STYLE_MAP);
  fy_run_set_chunksize (run, 20);
  g_assert_true (fy_run_start (run, NULL));
  while (!run_ended (run))
    {
      guint done = fy_run_get_done (run);

      g_main_context_iteration (NULL, TRUE);
      if (done >= 2 && done < 20 && !run_ended (run))
        {
          seen_partial = done;
          g_assert_cmpuint (g_list_model_get_n_items (fy_run_get_results (run)), ==, done);
          break;
        }
    }
  g_assert_cmpuint (seen_partial, >=, 2);
  iterate_until_ended (run);
  g_assert_cmpint (fy_run_get_state (run), ==, FY_RUN_STATE_FINISHED);
  g_assert_cmpuint (fy_run_get_done (run), ==, 20);
  g_assert_cmpuint (g_list_model_get_n_items (fy_run_get_results (run)), ==, 20);
}

/* The CPU load the form offers: one task per worker, each busy its share
 * until one common end, each result saying how busy it really was. */
static void
test_load (void)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a(dux)"));
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  g_autoptr(FyRun) run = NULL;
  GListModel *results;

  for (guint i = 0; i < 2; i++)
    g_variant_builder_add (builder, "(dux)", 50.0, (guint32) 100, deadline);
  run = fy_run_new ("load", g_variant_builder_end (builder));
  fy_run_set_n_workers (run, 2);
  g_assert_true (fy_run_start (run, NULL));
  iterate_until_ended (run);

  g_assert_cmpuint (fy_run_get_done (run), ==, 2);
  results = fy_run_get_results (run);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(FyRunResult) result = g_list_model_get_item (results, i);

      g_assert_cmpstr (fy_run_result_get_input_text (result), ==, "50 % load");
      g_assert_nonnull (strstr (fy_run_result_get_result_text (result), " % busy for "));
      g_assert_nonnull (strstr (fy_run_result_get_result_text (result), ", last on CPU "));
    }
}

/* Each file has its own result, in input order, and a missing one fails
 * alone, named. */
static void
test_hash_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fy-run-XXXXXX", NULL);
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("aay"));
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FyRun) run = NULL;
  GListModel *results;

  for (guint i = 0; i < 10; i++)
    {
      char *path = g_strdup_printf ("%s/file-%02u", dir, i);

      if (i != 4)
        g_assert_true (g_file_set_contents (path, "", 0, NULL));
      g_variant_builder_add (builder, "^ay", path);
      g_ptr_array_add (paths, path);
    }
  run = fy_run_new ("hash", g_variant_builder_end (builder));
  fy_run_set_n_workers (run, 2);
  g_assert_true (fy_run_start (run, NULL));
  iterate_until_ended (run);

  results = fy_run_get_results (run);
  g_assert_cmpuint (fy_run_get_total (run), ==, 10);
  g_assert_cmpuint (fy_run_get_done (run), ==, 9);
  g_assert_cmpuint (fy_run_get_failed (run), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(FyRunResult) result = g_list_model_get_item (results, i);
      const char *path = g_ptr_array_index (paths, i);

      g_assert_cmpuint (fy_run_result_get_index (result), ==, i);
      g_assert_cmpstr (fy_run_result_get_input_text (result), ==, path);
      if (i == 4)
        {
          g_assert_true (fy_run_result_get_failed (result));
          g_assert_nonnull (g_strstr_len (fy_run_result_get_error_text (result), -1, path));
        }
      else
        {
          g_autofree char *line = g_strdup_printf ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  %s", path);

          g_assert_cmpstr (fy_run_result_get_result_text (result), ==, line);
          g_unlink (path);
        }
    }
  g_rmdir (dir);
}

/* Summed task time counts each task from when its worker was free for it:
 * sleeps can take no less than they sleep, and two workers cannot have
 * worked more than twice the wall time. */
static void
test_task_time (void)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("au"));
  g_autoptr(FyRun) run = NULL;

  for (guint i = 0; i < 12; i++)
    g_variant_builder_add (builder, "u", 50);
  run = fy_run_new ("sleep", g_variant_builder_end (builder));
  fy_run_set_n_workers (run, 2);
  fy_run_set_call_style (run, FY_RUN_CALL_STYLE_IMAP_UNORDERED);
  g_assert_true (fy_run_start (run, NULL));
  iterate_until_ended (run);

  g_assert_cmpuint (fy_run_get_done (run), ==, 12);
  g_assert_cmpfloat (fy_run_get_task_time (run), >=, 12 * 0.05);
  g_assert_cmpfloat (fy_run_get_task_time (run), <=, 2 * fy_run_get_wall_time (run));
  g_assert_cmpfloat (fy_run_get_speedup (run), >, 1.0);
  g_assert_cmpfloat (fy_run_get_speedup (run), <=, 2.0);
}

static gboolean
cancel_cb (gpointer data)
{
  fy_run_cancel (data);
  return G_SOURCE_REMOVE;
}

static gboolean
process_exists (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d", pid);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Cancel stops running tasks, even on a stopped worker, and leaves no
 * worker behind. */
static void
test_cancel (void)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("au"));
  g_autoptr(FyRun) run = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  GListModel *workers;

  for (guint i = 0; i < 20; i++)
    g_variant_builder_add (builder, "u", 10000);
  run = fy_run_new ("sleep", g_variant_builder_end (builder));
  fy_run_set_n_workers (run, 2);
  fy_run_set_call_style (run, FY_RUN_CALL_STYLE_IMAP_UNORDERED);
  g_assert_true (fy_run_start (run, NULL));

  /* Both workers busy, then one stopped. */
  while (fy_pool_get_n_in_flight (fy_run_get_pool (run)) < 2)
    g_main_context_iteration (NULL, TRUE);
  workers = fy_pool_get_workers (fy_run_get_pool (run));
  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);
      GPid pid = fy_pool_worker_get_pid (worker);

      g_array_append_val (pids, pid);
    }
  g_assert_cmpint (kill (g_array_index (pids, GPid, 0), SIGSTOP), ==, 0);

  g_idle_add (cancel_cb, run);
  iterate_until_ended (run);
  g_assert_cmpint (fy_run_get_state (run), ==, FY_RUN_STATE_CANCELLED);
  g_assert_cmpuint (fy_run_get_cancelled (run), ==, 20);
  g_assert_cmpuint (fy_run_get_done (run), ==, 0);
  g_assert_false (fy_run_is_active (run));
  g_assert_nonnull (fy_run_get_verdict (run));

  /* The workers go after the grace; the pool reaps them in this context. */
  for (guint i = 0; i < pids->len; i++)
    while (process_exists (g_array_index (pids, GPid, i)))
      g_main_context_iteration (NULL, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/run/fib-map", test_fib_map);
  g_test_add_func ("/app/run/fib-imap-chunked", test_fib_imap_chunked);
  g_test_add_func ("/app/run/fib-unordered", test_fib_unordered);
  g_test_add_func ("/app/run/fib-submit", test_fib_submit);
  g_test_add_func ("/app/run/results-bounded", test_results_bounded);
  g_test_add_func ("/app/run/unordered-chunks", test_unordered_chunks);
  g_test_add_func ("/app/run/killed-in-chunk", test_killed_in_chunk);
  g_test_add_func ("/app/run/chunk-counted-as-it-runs", test_chunk_counted_as_it_runs);
  g_test_add_func ("/app/run/load", test_load);
  g_test_add_func ("/app/run/hash-files", test_hash_files);
  g_test_add_func ("/app/run/task-time", test_task_time);
  g_test_add_func ("/app/run/cancel", test_cancel);

  return g_test_run ();
}
