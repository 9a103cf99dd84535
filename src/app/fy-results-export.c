/* fy-results-export.c: a run's results as CSV or JSON, written off the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "fy-result-json.h"
#include "fy-results-export.h"
#include "fy-run-result.h"

typedef struct
{
  GPtrArray        *results;
  FyResultsSummary *summary;
  FyResultsFormat   format;
  GFile            *file;
} ExportData;

static void
export_data_free (gpointer data)
{
  ExportData *export = data;

  g_clear_pointer (&export->results, g_ptr_array_unref);
  g_clear_pointer (&export->summary, fy_results_summary_free);
  g_clear_object (&export->file);
  g_free (export);
}

static int
compare_index (gconstpointer a,
               gconstpointer b)
{
  guint ia = fy_run_result_get_index (*(FyRunResult **) a);
  guint ib = fy_run_result_get_index (*(FyRunResult **) b);

  return ia < ib ? -1 : ia > ib;
}

/* A sorted copy: the list may be sorted by any column on screen. */
static GPtrArray *
sorted_by_index (GPtrArray *results)
{
  GPtrArray *sorted = g_ptr_array_new_full (results->len, g_object_unref);

  for (guint i = 0; i < results->len; i++)
    g_ptr_array_add (sorted, g_object_ref (g_ptr_array_index (results, i)));
  g_ptr_array_sort (sorted, compare_index);
  return sorted;
}

static void
append_csv_field (GString    *csv,
                  const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  gsize length = strlen (valid);
  gboolean quote = strpbrk (valid, ",\"\r\n") != NULL
                   || (length > 0 && (valid[0] == ' ' || valid[length - 1] == ' '));

  if (!quote)
    {
      g_string_append (csv, valid);
      return;
    }
  g_string_append_c (csv, '"');
  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv, '"');
      g_string_append_c (csv, *p);
    }
  g_string_append_c (csv, '"');
}

static const char *
state_nick (FyFutureState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (FY_TYPE_FUTURE_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  /* Nicks are static strings of the registered type. */
  return value != NULL ? value->value_nick : "unknown";
}

void
fy_results_summary_free (FyResultsSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->workload);
  g_free (summary);
}

FyResultsSummary *
fy_results_summary_new_from_results (GPtrArray *results)
{
  FyResultsSummary *summary = g_new0 (FyResultsSummary, 1);
  g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);

  g_return_val_if_fail (results != NULL, summary);

  for (guint i = 0; i < results->len; i++)
    {
      FyRunResult *result = g_ptr_array_index (results, i);

      if (summary->workload == NULL)
        summary->workload = g_strdup (fy_run_result_get_function (result));
      summary->tasks = MAX (summary->tasks, fy_run_result_get_index (result) + 1);
      if (fy_run_result_get_state (result) == FY_FUTURE_STATE_DONE)
        summary->completed++;
      if (fy_run_result_get_state (result) == FY_FUTURE_STATE_CANCELLED)
        summary->interrupted = TRUE;
      if (fy_run_result_get_worker_pid (result) > 0)
        g_hash_table_add (pids, GINT_TO_POINTER (fy_run_result_get_worker_pid (result)));
      summary->cpu_seconds += fy_run_result_get_duration (result);
    }
  summary->workers = g_hash_table_size (pids);
  if (summary->workload == NULL)
    summary->workload = g_strdup ("");
  return summary;
}

GBytes *
fy_results_export_csv (GPtrArray *results)
{
  g_autoptr(GPtrArray) sorted = NULL;
  GString *csv = g_string_new ("index,input,worker_pid,duration_seconds,state,result,error\r\n");

  g_return_val_if_fail (results != NULL, NULL);

  sorted = sorted_by_index (results);
  for (guint i = 0; i < sorted->len; i++)
    {
      FyRunResult *result = g_ptr_array_index (sorted, i);
      char duration[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (csv, "%u,", fy_run_result_get_index (result));
      append_csv_field (csv, fy_run_result_get_input_text (result));
      g_string_append_printf (csv, ",%d,", (int) fy_run_result_get_worker_pid (result));
      /* A dot whatever the locale: spreadsheets and scripts read it. */
      g_string_append (csv, g_ascii_formatd (duration, sizeof duration, "%.6f",
                                             fy_run_result_get_duration (result)));
      g_string_append_c (csv, ',');
      g_string_append (csv, state_nick (fy_run_result_get_state (result)));
      g_string_append_c (csv, ',');
      append_csv_field (csv, fy_run_result_get_result_text (result));
      g_string_append_c (csv, ',');
      append_csv_field (csv, fy_run_result_get_error_text (result));
      g_string_append (csv, "\r\n");
    }
  return g_string_free_to_bytes (csv);
}

GBytes *
fy_results_export_json (GPtrArray              *results,
                        const FyResultsSummary *summary)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GPtrArray) slots = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  guint n_slots;
  char *text;
  gsize length;

  g_return_val_if_fail (results != NULL, NULL);
  g_return_val_if_fail (summary != NULL, NULL);

  sorted = sorted_by_index (results);
  n_slots = summary->tasks;
  if (sorted->len > 0)
    n_slots = MAX (n_slots, fy_run_result_get_index (g_ptr_array_index (sorted, sorted->len - 1)) + 1);
  /* Each result at its task's slot; the rest stay null. */
  slots = g_ptr_array_new_full (n_slots, NULL);
  g_ptr_array_set_size (slots, n_slots);
  for (guint i = 0; i < sorted->len; i++)
    {
      FyRunResult *result = g_ptr_array_index (sorted, i);

      if (fy_run_result_get_state (result) == FY_FUTURE_STATE_DONE && fy_run_result_get_result (result) != NULL)
        g_ptr_array_index (slots, fy_run_result_get_index (result)) = result;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "workload");
  json_builder_add_string_value (builder, summary->workload != NULL ? summary->workload : "");
  json_builder_set_member_name (builder, "workers");
  json_builder_add_int_value (builder, summary->workers);
  json_builder_set_member_name (builder, "tasks");
  json_builder_add_int_value (builder, summary->tasks);
  json_builder_set_member_name (builder, "completed");
  json_builder_add_int_value (builder, summary->completed);
  json_builder_set_member_name (builder, "interrupted");
  json_builder_add_boolean_value (builder, summary->interrupted);

  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_slots; i++)
    {
      FyRunResult *result = g_ptr_array_index (slots, i);

      if (result != NULL)
        json_builder_add_value (builder,
                                fy_result_json_new_value (fy_run_result_get_function (result),
                                                          fy_run_result_get_input_text (result),
                                                          fy_run_result_get_result (result),
                                                          fy_run_result_get_worker_pid (result),
                                                          fy_run_result_get_duration (result)));
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "failed");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sorted->len; i++)
    {
      FyRunResult *result = g_ptr_array_index (sorted, i);

      if (!fy_run_result_get_failed (result))
        continue;
      json_builder_add_value (builder,
                              fy_result_json_new_failure (fy_run_result_get_index (result),
                                                          fy_run_result_get_input_text (result),
                                                          fy_run_result_get_error_text (result) != NULL
                                                          ? fy_run_result_get_error_text (result) : "",
                                                          fy_run_result_get_worker_pid (result),
                                                          fy_run_result_get_worker_exitcode (result)));
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "wall_seconds");
  json_builder_add_double_value (builder, summary->wall_seconds);
  json_builder_set_member_name (builder, "cpu_seconds");
  json_builder_add_double_value (builder, summary->cpu_seconds);
  json_builder_set_member_name (builder, "tasks_per_second");
  json_builder_add_double_value (builder, summary->tasks_per_second);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *export = task_data;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  bytes = export->format == FY_RESULTS_FORMAT_JSON
          ? fy_results_export_json (export->results, export->summary)
          : fy_results_export_csv (export->results);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!g_file_replace_contents (export->file,
                                g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                NULL, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
fy_results_export_async (GPtrArray           *results,
                         FyResultsSummary    *summary,
                         FyResultsFormat      format,
                         GFile               *file,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportData *export;

  g_return_if_fail (results != NULL);
  g_return_if_fail (summary != NULL);
  g_return_if_fail (G_IS_FILE (file));

  export = g_new0 (ExportData, 1);
  export->results = results;
  export->summary = summary;
  export->format = format;
  export->file = g_object_ref (file);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fy_results_export_async);
  g_task_set_task_data (task, export, export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
fy_results_export_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
