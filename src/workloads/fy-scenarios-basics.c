/* fy-scenarios-basics.c: processes, pools and executors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seeds' first examples: processes that report their pids, Pool.map
 * and its siblings, imap against imap_unordered, daemon and non-daemon
 * processes, terminate and kill, and the executor's as_completed and map.
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/fy-event.h"
#include "core/fy-pool.h"

#include "fy-scenario-private.h"

static GVariant *
range_int64 (gint64 start,
             gint64 end)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("ax"));
  for (gint64 i = start; i < end; i++)
    g_variant_builder_add (&builder, "x", i);
  return g_variant_builder_end (&builder);
}

/* The int64 results of a map as "[…]", and into @out when not NULL. */
static char *
format_results (GVariant *results)
{
  gsize n = 0;
  const gint64 *values = g_variant_get_fixed_array (results, &n, sizeof (gint64));

  return fy_scenario_format_ints (values, n);
}

static gboolean
end_pool (FyPool  *pool,
          GError **error)
{
  fy_pool_close (pool);
  return fy_pool_join (pool, 30, error);
}

gboolean
fy_scenario_process_basics (FyScenarioRun  *run,
                            GError        **error)
{
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);
  gboolean all_right = TRUE;

  for (int i = 0; i < 4; i++)
    if (!fy_scenario_start_into (run, processes, "scenario-hello",
                                 g_variant_new_int32 (i), NULL, 0, error))
      return FALSE;
  if (!fy_scenario_join_all (processes, 30, error))
    return FALSE;
  fy_scenario_run_print (run, "Main process PID: %d", (int) getpid ());

  for (guint i = 0; i < processes->len; i++)
    {
      FyProcess *p = g_ptr_array_index (processes, i);
      g_autoptr(GVariant) result = fy_process_get_result (p, error);
      gint32 id, pid;

      if (result == NULL)
        return FALSE;
      g_variant_get (result, "(ii)", &id, &pid);
      /* Each child saw its own pid, the one the parent knows it by. */
      if (pid != fy_process_get_pid (p) || pid == getpid ())
        all_right = FALSE;
      g_hash_table_add (pids, GINT_TO_POINTER (pid));
    }
  fy_scenario_run_add_detail (run, "distinct-pids", g_variant_new_uint32 (g_hash_table_size (pids)));
  fy_scenario_run_set_outcome (run, all_right && g_hash_table_size (pids) == 4,
                               "%u distinct worker pids, none the parent's",
                               g_hash_table_size (pids));
  return TRUE;
}

gboolean
fy_scenario_pool_map (FyScenarioRun  *run,
                      GError        **error)
{
  g_autoptr(FyPool) pool = fy_pool_new_started (4, error);
  g_autoptr(GVariant) results = NULL;
  g_autofree char *text = NULL;
  const char *expected = "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]";

  if (pool == NULL)
    return FALSE;
  results = fy_pool_map (pool, "square", range_int64 (0, 10), 0, error);
  if (results == NULL || !end_pool (pool, error))
    return FALSE;
  text = format_results (results);
  fy_scenario_run_print (run, "%s", text);
  fy_scenario_run_set_outcome (run, g_str_equal (text, expected), "%s", text);
  return TRUE;
}

typedef struct
{
  GVariant *results;
  GError   *error;
  gboolean  done;
} AsyncMap;

static void
map_async_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncMap *state = user_data;

  state->results = fy_pool_map_finish (FY_POOL (source), result, &state->error);
  state->done = TRUE;
}

gboolean
fy_scenario_pool_methods (FyScenarioRun  *run,
                          GError        **error)
{
  g_autoptr(FyPool) pool = fy_pool_new_started (4, error);
  g_autoptr(GVariant) mapped = NULL;
  g_autoptr(GVariant) starmapped = NULL;
  g_autoptr(FyFuture) applied = NULL;
  g_autoptr(GVariant) applied_result = NULL;
  g_autofree char *map_text = NULL;
  g_autofree char *starmap_text = NULL;
  g_autofree char *map_async_text = NULL;
  AsyncMap state = { NULL, NULL, FALSE };
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean matched;

  if (pool == NULL)
    return FALSE;

  mapped = fy_pool_map (pool, "square", range_int64 (0, 10), 0, error);
  if (mapped == NULL)
    return FALSE;
  map_text = format_results (mapped);
  fy_scenario_run_print (run, "map: %s", map_text);

  starmapped = fy_pool_starmap (pool, "add",
                                g_variant_new_parsed ("[(int64 1, int64 2), (3, 4), (5, 6)]"),
                                0, error);
  if (starmapped == NULL)
    return FALSE;
  starmap_text = format_results (starmapped);
  fy_scenario_run_print (run, "starmap: %s", starmap_text);

  applied = fy_pool_apply_async (pool, "square", g_variant_new_int64 (10),
                                 NULL, NULL, NULL, NULL, error);
  if (applied == NULL || (applied_result = fy_future_result (applied, -1, error)) == NULL)
    return FALSE;
  fy_scenario_run_print (run, "apply_async: %" G_GINT64_FORMAT, g_variant_get_int64 (applied_result));

  fy_pool_map_async (pool, "square", range_int64 (0, 5), 0, NULL, map_async_cb, &state);
  while (!state.done)
    g_main_context_iteration (context, TRUE);
  if (state.results == NULL)
    {
      g_propagate_error (error, state.error);
      return FALSE;
    }
  map_async_text = format_results (state.results);
  g_variant_unref (state.results);
  fy_scenario_run_print (run, "map_async: %s", map_async_text);

  if (!end_pool (pool, error))
    return FALSE;

  matched = g_str_equal (map_text, "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]") &&
            g_str_equal (starmap_text, "[3, 7, 11]") &&
            g_variant_get_int64 (applied_result) == 100 &&
            g_str_equal (map_async_text, "[0, 1, 4, 9, 16]");
  fy_scenario_run_set_outcome (run, matched, "map %s, starmap %s, apply_async %" G_GINT64_FORMAT ", map_async %s",
                               map_text, starmap_text, g_variant_get_int64 (applied_result), map_async_text);
  return TRUE;
}

/* The seed sleeps 1, 5 and 3 seconds; a tenth of that shows the same. */
static char *
run_imap (FyScenarioRun  *run,
          FyPool         *pool,
          gboolean        ordered,
          GError        **error)
{
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (gint64));
  GVariant *iterable = g_variant_new_parsed ("[uint32 100, 500, 300]");
  GVariant *result = NULL;
  GError *local_error = NULL;

  iter = ordered ? fy_pool_imap (pool, "sleep", iterable, 1, error)
                 : fy_pool_imap_unordered (pool, "sleep", iterable, 1, error);
  if (iter == NULL)
    return NULL;
  while (fy_future_iter_next_result (iter, 60, &result, &local_error))
    {
      gint64 ms = g_variant_get_uint32 (result);

      g_array_append_val (order, ms);
      if (ordered)
        fy_scenario_run_print (run, "Completed task after %" G_GINT64_FORMAT " ms", ms);
      else
        fy_scenario_run_print (run, "Task finished in %" G_GINT64_FORMAT " ms", ms);
      g_variant_unref (result);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return fy_scenario_format_ints ((gint64 *) (gpointer) order->data, order->len);
}

gboolean
fy_scenario_imap_order (FyScenarioRun  *run,
                        GError        **error)
{
  g_autoptr(FyPool) pool = fy_pool_new_started (3, error);
  g_autofree char *in_order = NULL;
  g_autofree char *as_finished = NULL;

  if (pool == NULL)
    return FALSE;
  if ((in_order = run_imap (run, pool, TRUE, error)) == NULL ||
      (as_finished = run_imap (run, pool, FALSE, error)) == NULL ||
      !end_pool (pool, error))
    return FALSE;
  fy_scenario_run_set_outcome (run,
                               g_str_equal (in_order, "[100, 500, 300]") &&
                               g_str_equal (as_finished, "[100, 300, 500]"),
                               "imap %s (input order), imap_unordered %s (completion order)",
                               in_order, as_finished);
  return TRUE;
}

/* Whether the process behind @pidfd ends within @timeout_ms. */
static gboolean
ends_within (int  pidfd,
             int  timeout_ms)
{
  struct pollfd fd = { .fd = pidfd, .events = POLLIN };

  return poll (&fd, 1, timeout_ms) == 1;
}

gboolean
fy_scenario_daemon (FyScenarioRun  *run,
                    GError        **error)
{
  guint interval = fy_scenario_run_ms (run, 100, 1000);
  g_autoptr(FyProcess) daemon = NULL;
  g_autoptr(FyProcess) worker = NULL;
  int daemon_pidfd, exitcode = 1;
  gboolean daemon_ended;

  daemon = fy_scenario_start (run, "scenario-background", g_variant_new_uint32 (interval),
                              NULL, 0, error);
  if (daemon == NULL)
    return FALSE;

  /* The non-daemon one is joined, however long it takes. */
  worker = fy_process_new ("scenario-finite", g_variant_new_uint32 (4 * interval));
  fy_process_add_fd (worker, fy_scenario_run_get_output_fd (run));
  if (!fy_process_start (worker, error))
    return FALSE;

  fy_scenario_run_sleep (run, 3 * interval);
  fy_scenario_run_print (run, "Main process exiting, daemon will be terminated");

  /* Our own handle on the daemon, to see it end once its owner drops it. */
  daemon_pidfd = (int) syscall (SYS_pidfd_open, fy_process_get_pid (daemon), 0);
  if (daemon_pidfd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "pidfd_open: %s", g_strerror (errno));
      return FALSE;
    }
  g_clear_object (&daemon);
  daemon_ended = ends_within (daemon_pidfd, 5000);
  close (daemon_pidfd);

  if (!fy_process_join (worker, 30, error))
    return FALSE;
  fy_process_get_exitcode (worker, &exitcode);
  fy_scenario_run_print (run, "Daemon %s; non-daemon process joined with exit code %d",
                         daemon_ended ? "ended with its owner" : "still running", exitcode);
  fy_scenario_run_set_outcome (run, daemon_ended && exitcode == 0,
                               "daemon ended with its owner: %s; non-daemon joined, exit code %d",
                               daemon_ended ? "yes" : "no", exitcode);
  return TRUE;
}

gboolean
fy_scenario_terminate (FyScenarioRun  *run,
                       GError        **error)
{
  guint interval = fy_scenario_run_ms (run, 100, 1000);
  g_autoptr(FyProcess) polite = NULL;
  g_autoptr(FyProcess) stubborn = NULL;
  g_autoptr(FyEvent) ready = fy_event_new ("stubborn-ready", error);
  g_autoptr(GError) join_error = NULL;
  int fd, polite_code = 0, stubborn_code = 0;
  gboolean needed_kill;

  if (ready == NULL)
    return FALSE;
  polite = fy_scenario_start (run, "scenario-working", g_variant_new_uint32 (interval),
                              NULL, 0, error);
  if (polite == NULL)
    return FALSE;
  fy_scenario_run_sleep (run, 3 * interval);
  if (!fy_process_terminate (polite, error))
    return FALSE;
  if (!fy_process_join (polite, 2, &join_error))
    {
      g_clear_error (&join_error);
      if (!fy_process_kill (polite, error) || !fy_process_join (polite, -1, error))
        return FALSE;
    }
  fy_process_get_exitcode (polite, &polite_code);
  fy_scenario_run_print (run, "Exit code: %d", polite_code);

  fd = fy_event_get_fd (ready);
  stubborn = fy_scenario_start (run, "scenario-stubborn", g_variant_new_uint32 (interval),
                                &fd, 1, error);
  if (stubborn == NULL)
    return FALSE;
  /* Only once it ignores SIGTERM is the lesson the one the seed means. */
  if (!fy_event_wait (ready, 30))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "the stubborn worker never got ready");
      return FALSE;
    }
  fy_scenario_run_sleep (run, interval);
  if (!fy_process_terminate (stubborn, error))
    return FALSE;
  needed_kill = !fy_process_join (stubborn, fy_scenario_run_ms (run, 500, 2000) / 1000.0, &join_error);
  if (needed_kill)
    {
      fy_scenario_run_print (run, "Still alive after the grace period: kill ()");
      if (!fy_process_kill (stubborn, error) || !fy_process_join (stubborn, -1, error))
        return FALSE;
    }
  fy_process_get_exitcode (stubborn, &stubborn_code);
  fy_scenario_run_print (run, "Exit code: %d", stubborn_code);

  fy_scenario_run_add_detail (run, "terminated-exitcode", g_variant_new_int32 (polite_code));
  fy_scenario_run_add_detail (run, "killed-exitcode", g_variant_new_int32 (stubborn_code));
  fy_scenario_run_set_outcome (run, polite_code == -15 && stubborn_code == -9,
                               "terminate (): exit code %d; SIGTERM ignored, kill (): exit code %d",
                               polite_code, stubborn_code);
  return TRUE;
}

gboolean
fy_scenario_executor (FyScenarioRun  *run,
                      GError        **error)
{
  static const char *const expected = "333332833333500000";
  g_autoptr(FyPool) pool = fy_pool_new_started (4, error);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) mapped = NULL;
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(GString) all = g_string_new ("[");
  GVariant *result = NULL;
  GError *local_error = NULL;
  guint n_right = 0, n_completed = 0;
  GVariantBuilder numbers;

  if (pool == NULL)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      FyFuture *future = fy_pool_submit (pool, "sumsq", g_variant_new_int64 (1000000), error);

      if (future == NULL)
        return FALSE;
      g_ptr_array_add (futures, future);
    }
  iter = fy_future_as_completed (futures);
  while (fy_future_iter_next_result (iter, 60, &result, &local_error))
    {
      fy_scenario_run_print (run, "Result: %s", g_variant_get_string (result, NULL));
      n_right += g_str_equal (g_variant_get_string (result, NULL), expected);
      n_completed++;
      g_variant_unref (result);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  g_variant_builder_init (&numbers, G_VARIANT_TYPE ("ax"));
  for (int i = 0; i < 4; i++)
    g_variant_builder_add (&numbers, "x", (gint64) 1000000);
  mapped = fy_pool_submit_map (pool, "sumsq", g_variant_builder_end (&numbers), 1, error);
  if (mapped == NULL)
    return FALSE;
  for (guint i = 0; i < mapped->len; i++)
    {
      g_autoptr(GVariant) value = fy_future_result (g_ptr_array_index (mapped, i), 60, error);

      if (value == NULL)
        return FALSE;
      g_string_append_printf (all, "%s%s", i > 0 ? ", " : "", g_variant_get_string (value, NULL));
      n_right += g_str_equal (g_variant_get_string (value, NULL), expected);
    }
  g_string_append_c (all, ']');
  fy_scenario_run_print (run, "All results: %s", all->str);
  if (!end_pool (pool, error))
    return FALSE;

  fy_scenario_run_set_outcome (run, n_completed == 4 && n_right == 8,
                               "%u of 8 results equal %s (4 as completed, 4 in order)",
                               n_right, expected);
  return TRUE;
}
