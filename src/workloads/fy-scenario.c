/* fy-scenario.c: one run of a scenario, its output and its outcome
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>

#include "core/fy-list.h"

#include "fy-scenario-private.h"

struct _FyScenarioRun
{
  const FyScenarioInfo *info;
  gboolean              interactive;
  gboolean              executed;

  FyList               *output;   /* strings, appended by every process */
  FyList               *reader;   /* the same list, mapped for the reading thread */
  guint                 n_taken;

  gboolean              matched;
  char                 *outcome;
  GVariantDict         *details;
};

/* Room for far more lines than any scenario prints. */
#define OUTPUT_MAX_LINES 4096
#define OUTPUT_BYTES     (512 * 1024)

FyScenarioRun *
fy_scenario_run_new (const FyScenarioInfo  *info,
                     gboolean               interactive,
                     GError               **error)
{
  g_autoptr(FyScenarioRun) run = g_atomic_rc_box_new0 (FyScenarioRun);

  g_return_val_if_fail (info != NULL, NULL);

  run->info = info;
  run->interactive = interactive;
  run->details = g_variant_dict_new (NULL);
  run->output = fy_list_new ("output", OUTPUT_MAX_LINES, OUTPUT_BYTES, error);
  if (run->output == NULL)
    return NULL;
  /* A second mapping of the same memory, so the thread that shows the
   * lines never shares a GObject with the thread that runs the scenario. */
  run->reader = fy_list_new_from_fd (fy_list_get_fd (run->output), error);
  if (run->reader == NULL)
    return NULL;
  return g_steal_pointer (&run);
}

static void
run_clear (gpointer data)
{
  FyScenarioRun *run = data;

  g_clear_object (&run->output);
  g_clear_object (&run->reader);
  g_clear_pointer (&run->outcome, g_free);
  g_clear_pointer (&run->details, g_variant_dict_unref);
}

FyScenarioRun *
fy_scenario_run_ref (FyScenarioRun *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  return g_atomic_rc_box_acquire (run);
}

void
fy_scenario_run_unref (FyScenarioRun *run)
{
  if (run != NULL)
    g_atomic_rc_box_release_full (run, run_clear);
}

const FyScenarioInfo *
fy_scenario_run_get_info (FyScenarioRun *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  return run->info;
}

gboolean
fy_scenario_run_is_interactive (FyScenarioRun *run)
{
  g_return_val_if_fail (run != NULL, FALSE);
  return run->interactive;
}

gboolean
fy_scenario_run_execute (FyScenarioRun  *run,
                         GError        **error)
{
  g_return_val_if_fail (run != NULL, FALSE);
  g_return_val_if_fail (!run->executed, FALSE);

  run->executed = TRUE;
  if (!run->info->run (run, error))
    {
      run->matched = FALSE;
      return FALSE;
    }
  if (run->outcome == NULL)
    fy_scenario_run_set_outcome (run, FALSE, "the scenario settled no outcome");
  return TRUE;
}

static void
execute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  FyScenarioRun *run = task_data;
  GMainContext *context = g_main_context_new ();
  GError *error = NULL;
  gboolean ran;

  /* The run's pools and processes report in this thread's own context,
   * which the run iterates while it waits. */
  g_main_context_push_thread_default (context);
  ran = fy_scenario_run_execute (run, &error);
  g_main_context_pop_thread_default (context);
  /* Sources the pools left behind go with the context. */
  for (guint i = 0; i < 100 && g_main_context_iteration (context, FALSE); i++)
    ;
  g_main_context_unref (context);

  if (ran)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
fy_scenario_run_execute_async (FyScenarioRun       *run,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (run != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fy_scenario_run_execute_async);
  g_task_set_task_data (task, fy_scenario_run_ref (run), (GDestroyNotify) fy_scenario_run_unref);
  g_task_run_in_thread (task, execute_thread);
}

gboolean
fy_scenario_run_execute_finish (FyScenarioRun  *run,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GStrv
fy_scenario_run_take_lines (FyScenarioRun *run)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint length;

  g_return_val_if_fail (run != NULL, NULL);

  length = fy_list_get_length (run->reader);
  for (; run->n_taken < length; run->n_taken++)
    {
      g_autoptr(GVariant) line = fy_list_get (run->reader, run->n_taken, NULL);

      if (line != NULL && g_variant_is_of_type (line, G_VARIANT_TYPE_STRING))
        g_strv_builder_add (builder, g_variant_get_string (line, NULL));
    }
  return g_strv_builder_end (builder);
}

gboolean
fy_scenario_run_get_matched (FyScenarioRun *run)
{
  g_return_val_if_fail (run != NULL, FALSE);
  return run->matched;
}

const char *
fy_scenario_run_get_outcome (FyScenarioRun *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  return run->outcome;
}

GVariant *
fy_scenario_run_get_details (FyScenarioRun *run)
{
  g_autoptr(GVariantDict) details = NULL;

  g_return_val_if_fail (run != NULL, NULL);
  /* The reference taken for the call is dropped after it. */
  details = g_variant_dict_ref (run->details);
  return g_variant_ref_sink (g_variant_dict_end (details));
}

void
fy_scenario_run_print (FyScenarioRun *run,
                       const char    *format,
                       ...)
{
  g_autofree char *line = NULL;
  va_list args;

  g_return_if_fail (run != NULL);

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  fy_list_append (run->output, g_variant_new_string (line), NULL);
}

int
fy_scenario_run_get_output_fd (FyScenarioRun *run)
{
  g_return_val_if_fail (run != NULL, -1);
  return fy_list_get_fd (run->output);
}

void
fy_scenario_run_set_outcome (FyScenarioRun *run,
                             gboolean       matched,
                             const char    *format,
                             ...)
{
  va_list args;

  g_return_if_fail (run != NULL);

  /* The first mismatch stands: a later "matched" must not hide it. */
  if (run->outcome != NULL && !run->matched)
    return;
  g_free (run->outcome);
  va_start (args, format);
  run->outcome = g_strdup_vprintf (format, args);
  va_end (args);
  run->matched = matched;
}

void
fy_scenario_run_add_detail (FyScenarioRun *run,
                            const char    *key,
                            GVariant      *value)
{
  g_return_if_fail (run != NULL);
  g_variant_dict_insert_value (run->details, key, value);
}

guint
fy_scenario_run_ms (FyScenarioRun *run,
                    guint          headless_ms,
                    guint          interactive_ms)
{
  g_return_val_if_fail (run != NULL, headless_ms);
  return run->interactive ? interactive_ms : headless_ms;
}

static gboolean
wake_cb (gpointer data)
{
  gboolean *done = data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

void
fy_scenario_run_sleep (FyScenarioRun *run,
                       guint          ms)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) source = g_timeout_source_new (ms);
  gboolean done = FALSE;

  /* Pools of the run live in this context: they keep answering while the
   * scenario waits, as the seeds' time.sleep leaves Python's pools be. */
  g_source_set_callback (source, wake_cb, &done, NULL);
  g_source_attach (source, context);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (source);
  g_main_context_unref (context);
}

FyProcess *
fy_scenario_start (FyScenarioRun  *run,
                   const char     *function,
                   GVariant       *argument,
                   const int      *fds,
                   guint           n_fds,
                   GError        **error)
{
  g_autoptr(FyProcess) process = fy_process_new (function, argument);

  /* A scenario that fails half-way must not wait for its children on the
   * way out: daemons are killed when dropped. */
  fy_process_set_daemon (process, TRUE);
  fy_process_add_fd (process, fy_scenario_run_get_output_fd (run));
  for (guint i = 0; i < n_fds; i++)
    fy_process_add_fd (process, fds[i]);
  if (!fy_process_start (process, error))
    return NULL;
  return g_steal_pointer (&process);
}

gboolean
fy_scenario_start_into (FyScenarioRun  *run,
                        GPtrArray      *processes,
                        const char     *function,
                        GVariant       *argument,
                        const int      *fds,
                        guint           n_fds,
                        GError        **error)
{
  FyProcess *process = fy_scenario_start (run, function, argument, fds, n_fds, error);

  if (process == NULL)
    return FALSE;
  g_ptr_array_add (processes, process);
  return TRUE;
}

gboolean
fy_scenario_join_all (GPtrArray  *processes,
                      double      timeout_seconds,
                      GError    **error)
{
  for (guint i = 0; i < processes->len; i++)
    if (!fy_process_join (g_ptr_array_index (processes, i), timeout_seconds, error))
      return FALSE;
  return TRUE;
}

char *
fy_scenario_format_ints (const gint64 *values,
                         gsize         n_values)
{
  GString *text = g_string_new ("[");

  for (gsize i = 0; i < n_values; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", values[i]);
  g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}
