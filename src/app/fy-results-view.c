/* fy-results-view.c: the finished tasks of a run, sortable, filterable, exportable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model chain is results → GtkFilterListModel ("Failures Only") →
 * GtkSortListModel (the column view's sorter) → GtkSingleSelection. Both
 * list models work incrementally, so a list of thousands of results
 * re-sorts in slices between frames instead of in one long stall. The
 * chain follows the results only while the view is mapped: a run that
 * replaces a thousand results a frame costs a hidden view nothing but
 * the count, and the view catches up in one go when it is shown.
 *
 * The export snapshots the whole list (results are immutable, so the
 * snapshot is a list of references) and hands it to a thread that encodes
 * and writes it; the main loop only shows the toast at the end.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "fy-result-preview.h"
#include "fy-results-view.h"
#include "fy-run-result.h"
#include "fy-value-cell.h"

struct _FyResultsView
{
  GtkWidget             parent_instance;

  GListModel           *results;
  FyRun                *run;
  gboolean              failures_only;

  GtkFilterListModel   *filter_model;
  GtkFilter            *failed_filter;
  GtkSortListModel     *sort_model;
  GtkSingleSelection   *selection;

  GSimpleAction        *export_action;
  GtkWidget            *action_window;   /* weak: the window holding export_action */
  GtkFileChooserNative *chooser;
  GtkFileFilter        *json_filter;
  guint                 count_idle_id;

  GtkWidget            *box;
  GtkStack             *stack;
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *index_column;
  GtkLabel             *count_label;
  GtkToggleButton      *failures_button;
};

G_DEFINE_FINAL_TYPE (FyResultsView, fy_results_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RESULTS,
  PROP_RUN,
  PROP_FAILURES_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- template closures ------------------------------------------------------ */

static char *
format_index (gpointer this,
              guint    index)
{
  return g_strdup_printf ("%u", index);
}

static char *
format_pid (gpointer this,
            int      pid)
{
  return pid > 0 ? g_strdup_printf ("%d", pid) : g_strdup ("—");
}

static char *
format_duration (gpointer this,
                 double   seconds)
{
  /* Translators: a task's duration in seconds, e.g. "0.102 s". */
  return g_strdup_printf (_("%.3f s"), seconds);
}

static char *
result_or_error (gpointer    this,
                 const char *result_text,
                 const char *error_text)
{
  return g_strdup (result_text != NULL ? result_text : error_text != NULL ? error_text : "");
}

static gboolean
invert (gpointer this,
        gboolean value)
{
  return !value;
}

static char *
describe_index (gpointer this,
                guint    index)
{
  return g_strdup_printf (_("Task %u, in input order"), index);
}

static char *
describe_input (gpointer this,
                guint    index)
{
  return g_strdup_printf (_("Input of task %u"), index);
}

static char *
describe_worker (gpointer this,
                 guint    index)
{
  return g_strdup_printf (_("Worker process that ran task %u"), index);
}

static char *
describe_duration (gpointer this,
                   guint    index)
{
  return g_strdup_printf (_("How long task %u ran"), index);
}

/* A result or error that starts with a path ("/…/out/photo.jpg, 300×200,
 * 12.3 kB", "/…/photo.jpg: truncated JPEG: …") names its file by its name
 * alone: the folders are in the form and in the tooltip, and the column
 * has room for what follows. Other texts stay as they are. */
static char *
name_files (gpointer    this,
            const char *text)
{
  const char *end;
  const char *slash;

  if (text == NULL || text[0] != '/')
    return g_strdup (text);
  end = text + strcspn (text, ",:");
  for (slash = end; slash > text && slash[-1] != '/'; slash--)
    ;
  return g_strdup (slash);
}

static char *
describe_result (gpointer this,
                 guint    index)
{
  return g_strdup_printf (_("Result of task %u"), index);
}

static char *
describe_error (gpointer this,
                guint    index)
{
  return g_strdup_printf (_("Why task %u failed"), index);
}

/* ---- helpers ------------------------------------------------------------------ */

static void
show_toast (FyResultsView *self,
            const char    *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay == NULL)
    {
      g_message ("%s", message);
      return;
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

static gboolean
update_count_cb (gpointer data)
{
  FyResultsView *self = data;
  guint n = self->results != NULL ? g_list_model_get_n_items (self->results) : 0;
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));
  guint n_failed = 0;
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;

  self->count_idle_id = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyRunResult) result = g_list_model_get_item (self->results, i);

      n_failed += fy_run_result_get_failed (result);
    }

  if (n == 0)
    text = g_strdup ("");
  else if (n_failed == 0)
    text = g_strdup_printf (ngettext ("%u result", "%u results", n), n);
  else
    /* Translators: "40 results, 2 failed". */
    text = g_strdup_printf (ngettext ("%u result, %u failed", "%u results, %u failed", n), n, n_failed);
  gtk_label_set_text (self->count_label, text);
  /* How many rows the table holds, filter applied: a screen reader hears
   * it, and a test reads it, without walking every row. */
  /* Translators: rows in the results table, e.g. "12 of 40 shown". */
  shown = g_strdup_printf (_("%u of %u shown"), n_shown, n);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->count_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, shown, -1);

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "table" : "empty");
  g_simple_action_set_enabled (self->export_action, n > 0);
  return G_SOURCE_REMOVE;
}

static void
results_changed_cb (FyResultsView *self)
{
  /* A run adds results once a frame; count them once a frame too. */
  if (self->count_idle_id == 0)
    self->count_idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, update_count_cb, self, NULL);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The toast said it all; nothing else waits for the outcome. */
  if (!fy_results_view_export_finish (FY_RESULTS_VIEW (source), result, &error))
    g_debug ("Export failed: %s", error->message);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     FyResultsView   *self)
{
  g_autoptr(GtkFileChooserNative) chooser = g_steal_pointer (&self->chooser);
  g_autoptr(GFile) file = NULL;
  g_autofree char *name = NULL;
  FyResultsFormat format;

  if (response != GTK_RESPONSE_ACCEPT)
    return;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file == NULL)
    return;

  /* The name's extension decides; without one, the chosen filter does,
   * and gives the name its extension. */
  name = g_file_get_basename (file);
  if (g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".JSON"))
    format = FY_RESULTS_FORMAT_JSON;
  else if (g_str_has_suffix (name, ".csv") || g_str_has_suffix (name, ".CSV"))
    format = FY_RESULTS_FORMAT_CSV;
  else
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *full_name = NULL;

      format = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (chooser)) == self->json_filter
               ? FY_RESULTS_FORMAT_JSON : FY_RESULTS_FORMAT_CSV;
      full_name = g_strconcat (name, format == FY_RESULTS_FORMAT_JSON ? ".json" : ".csv", NULL);
      g_object_unref (file);
      file = g_file_get_child (parent, full_name);
    }
  fy_results_view_export_async (self, file, format, NULL, export_done_cb, NULL);
}

static void
export_activate_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  FyResultsView *self = user_data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) csv_filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Export Results"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  gtk_file_filter_set_name (csv_filter, _("CSV (comma-separated values)"));
  gtk_file_filter_add_pattern (csv_filter, "*.csv");
  gtk_file_filter_add_mime_type (csv_filter, "text/csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv_filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), self->json_filter);

  name = g_strdup_printf ("%s-results.csv",
                          self->run != NULL ? fy_run_get_function (self->run) : "forkyard");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);

  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
failures_only_toggled_cb (FyResultsView *self)
{
  fy_results_view_set_failures_only (self, gtk_toggle_button_get_active (self->failures_button));
}

/* ---- GtkWidget ----------------------------------------------------------------- */

static void
fy_results_view_root (GtkWidget *widget)
{
  FyResultsView *self = FY_RESULTS_VIEW (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (fy_results_view_parent_class)->root (widget);

  /* win.export lives on the window, so its accelerator works wherever the
   * focus is; the first results view of a window owns it. */
  root = gtk_widget_get_root (widget);
  if (G_IS_ACTION_MAP (root) && g_action_map_lookup_action (G_ACTION_MAP (root), "export") == NULL)
    {
      g_action_map_add_action (G_ACTION_MAP (root), G_ACTION (self->export_action));
      g_set_weak_pointer (&self->action_window, GTK_WIDGET (root));
    }
}

static void
fy_results_view_unroot (GtkWidget *widget)
{
  FyResultsView *self = FY_RESULTS_VIEW (widget);

  if (self->action_window != NULL &&
      g_action_map_lookup_action (G_ACTION_MAP (self->action_window), "export") == G_ACTION (self->export_action))
    g_action_map_remove_action (G_ACTION_MAP (self->action_window), "export");
  g_clear_weak_pointer (&self->action_window);

  GTK_WIDGET_CLASS (fy_results_view_parent_class)->unroot (widget);
}

static void
fy_results_view_map (GtkWidget *widget)
{
  FyResultsView *self = FY_RESULTS_VIEW (widget);

  gtk_filter_list_model_set_model (self->filter_model, self->results);
  GTK_WIDGET_CLASS (fy_results_view_parent_class)->map (widget);
}

static void
fy_results_view_unmap (GtkWidget *widget)
{
  FyResultsView *self = FY_RESULTS_VIEW (widget);

  GTK_WIDGET_CLASS (fy_results_view_parent_class)->unmap (widget);
  gtk_filter_list_model_set_model (self->filter_model, NULL);
}

static gboolean
fy_results_view_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (FY_RESULTS_VIEW (widget)->column_view));
}

/* ---- GObject ------------------------------------------------------------------- */

static void
fy_results_view_dispose (GObject *object)
{
  FyResultsView *self = FY_RESULTS_VIEW (object);

  g_clear_handle_id (&self->count_idle_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->results != NULL)
    g_signal_handlers_disconnect_by_data (self->results, self);
  g_clear_object (&self->results);
  g_clear_object (&self->run);
  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_RESULTS_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->failed_filter);
  g_clear_object (&self->json_filter);
  g_clear_object (&self->export_action);

  G_OBJECT_CLASS (fy_results_view_parent_class)->dispose (object);
}

static void
fy_results_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  FyResultsView *self = FY_RESULTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_RESULTS:
      g_value_set_object (value, self->results);
      break;

    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;

    case PROP_FAILURES_ONLY:
      g_value_set_boolean (value, self->failures_only);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_results_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FyResultsView *self = FY_RESULTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_RESULTS:
      fy_results_view_set_results (self, g_value_get_object (value));
      break;

    case PROP_RUN:
      fy_results_view_set_run (self, g_value_get_object (value));
      break;

    case PROP_FAILURES_ONLY:
      fy_results_view_set_failures_only (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_results_view_class_init (FyResultsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_results_view_dispose;
  object_class->get_property = fy_results_view_get_property;
  object_class->set_property = fy_results_view_set_property;

  widget_class->root = fy_results_view_root;
  widget_class->unroot = fy_results_view_unroot;
  widget_class->map = fy_results_view_map;
  widget_class->unmap = fy_results_view_unmap;
  widget_class->grab_focus = fy_results_view_grab_focus;

  properties[PROP_RESULTS] =
    g_param_spec_object ("results", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL, FY_TYPE_RUN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FAILURES_ONLY] =
    g_param_spec_boolean ("failures-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FY_TYPE_RUN_RESULT);
  g_type_ensure (FY_TYPE_VALUE_CELL);
  g_type_ensure (FY_TYPE_RESULT_PREVIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-results-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FyResultsView, box);
  gtk_widget_class_bind_template_child (widget_class, FyResultsView, stack);
  gtk_widget_class_bind_template_child (widget_class, FyResultsView, column_view);
  gtk_widget_class_bind_template_child (widget_class, FyResultsView, index_column);
  gtk_widget_class_bind_template_child (widget_class, FyResultsView, count_label);
  gtk_widget_class_bind_template_child (widget_class, FyResultsView, failures_button);
  gtk_widget_class_bind_template_callback (widget_class, format_index);
  gtk_widget_class_bind_template_callback (widget_class, format_pid);
  gtk_widget_class_bind_template_callback (widget_class, format_duration);
  gtk_widget_class_bind_template_callback (widget_class, result_or_error);
  gtk_widget_class_bind_template_callback (widget_class, invert);
  gtk_widget_class_bind_template_callback (widget_class, name_files);
  gtk_widget_class_bind_template_callback (widget_class, describe_index);
  gtk_widget_class_bind_template_callback (widget_class, describe_input);
  gtk_widget_class_bind_template_callback (widget_class, describe_worker);
  gtk_widget_class_bind_template_callback (widget_class, describe_duration);
  gtk_widget_class_bind_template_callback (widget_class, describe_result);
  gtk_widget_class_bind_template_callback (widget_class, describe_error);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "fy-results-view");
}

static void
fy_results_view_init (FyResultsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->failed_filter =
    GTK_FILTER (gtk_bool_filter_new (gtk_property_expression_new (FY_TYPE_RUN_RESULT, NULL, "failed")));
  self->filter_model = gtk_filter_list_model_new (NULL, NULL);
  gtk_filter_list_model_set_incremental (self->filter_model, TRUE);
  self->sort_model = gtk_sort_list_model_new (G_LIST_MODEL (self->filter_model),
                                              g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  gtk_sort_list_model_set_incremental (self->sort_model, TRUE);
  g_signal_connect_object (self->sort_model, "items-changed", G_CALLBACK (results_changed_cb),
                           self, G_CONNECT_SWAPPED);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sort_model));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  gtk_column_view_sort_by_column (self->column_view, self->index_column, GTK_SORT_ASCENDING);

  self->json_filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (self->json_filter, _("JSON (as forkyard-cli --json)"));
  gtk_file_filter_add_pattern (self->json_filter, "*.json");
  gtk_file_filter_add_mime_type (self->json_filter, "application/json");

  self->export_action = g_simple_action_new ("export", NULL);
  g_simple_action_set_enabled (self->export_action, FALSE);
  g_signal_connect_object (self->export_action, "activate", G_CALLBACK (export_activate_cb), self, 0);

  g_signal_connect_object (self->failures_button, "toggled", G_CALLBACK (failures_only_toggled_cb),
                           self, G_CONNECT_SWAPPED);
  update_count_cb (self);
}

/* ---- public API ----------------------------------------------------------------- */

FyResultsView *
fy_results_view_new (void)
{
  return g_object_new (FY_TYPE_RESULTS_VIEW, NULL);
}

GListModel *
fy_results_view_get_results (FyResultsView *self)
{
  g_return_val_if_fail (FY_IS_RESULTS_VIEW (self), NULL);

  return self->results;
}

void
fy_results_view_set_results (FyResultsView *self,
                             GListModel    *results)
{
  g_return_if_fail (FY_IS_RESULTS_VIEW (self));
  g_return_if_fail (results == NULL || G_IS_LIST_MODEL (results));

  if (self->results == results)
    return;

  if (self->results != NULL)
    g_signal_handlers_disconnect_by_data (self->results, self);
  g_set_object (&self->results, results);
  if (results != NULL)
    g_signal_connect_object (results, "items-changed", G_CALLBACK (results_changed_cb),
                             self, G_CONNECT_SWAPPED);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_filter_list_model_set_model (self->filter_model, results);
  g_clear_handle_id (&self->count_idle_id, g_source_remove);
  update_count_cb (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULTS]);
}

FyRun *
fy_results_view_get_run (FyResultsView *self)
{
  g_return_val_if_fail (FY_IS_RESULTS_VIEW (self), NULL);

  return self->run;
}

void
fy_results_view_set_run (FyResultsView *self,
                         FyRun         *run)
{
  g_return_if_fail (FY_IS_RESULTS_VIEW (self));
  g_return_if_fail (run == NULL || FY_IS_RUN (run));

  if (!g_set_object (&self->run, run))
    return;
  fy_results_view_set_results (self, run != NULL ? fy_run_get_results (run) : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
}

gboolean
fy_results_view_get_failures_only (FyResultsView *self)
{
  g_return_val_if_fail (FY_IS_RESULTS_VIEW (self), FALSE);

  return self->failures_only;
}

void
fy_results_view_set_failures_only (FyResultsView *self,
                                   gboolean       failures_only)
{
  g_return_if_fail (FY_IS_RESULTS_VIEW (self));

  failures_only = !!failures_only;
  if (self->failures_only == failures_only)
    return;
  self->failures_only = failures_only;
  gtk_filter_list_model_set_filter (self->filter_model, failures_only ? self->failed_filter : NULL);
  gtk_toggle_button_set_active (self->failures_button, failures_only);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURES_ONLY]);
}

GListModel *
fy_results_view_get_shown (FyResultsView *self)
{
  g_return_val_if_fail (FY_IS_RESULTS_VIEW (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FyResultsView *self = g_task_get_source_object (task);
  GFile *file = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = g_file_get_parse_name (file);

  if (!fy_results_export_finish (result, &error))
    {
      /* Translators: %s is a file name, then why it could not be written. */
      message = g_strdup_printf (_("Could not export to %s: %s"), name, error->message);
      show_toast (self, message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  message = g_strdup_printf (_("Results exported to %s"), name);
  show_toast (self, message);
  g_task_return_boolean (task, TRUE);
}

void
fy_results_view_export_async (FyResultsView       *self,
                              GFile               *file,
                              FyResultsFormat      format,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *snapshot;
  FyResultsSummary *summary;
  guint n;

  g_return_if_fail (FY_IS_RESULTS_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fy_results_view_export_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);

  n = self->results != NULL ? g_list_model_get_n_items (self->results) : 0;
  snapshot = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (snapshot, g_list_model_get_item (self->results, i));

  summary = fy_results_summary_new_from_results (snapshot);
  if (self->run != NULL)
    {
      FyRunState state = fy_run_get_state (self->run);
      gboolean ended = state == FY_RUN_STATE_FINISHED || state == FY_RUN_STATE_CANCELLED;

      g_free (summary->workload);
      summary->workload = g_strdup (fy_run_get_function (self->run));
      summary->workers = fy_run_get_n_workers (self->run);
      summary->tasks = fy_run_get_total (self->run);
      summary->completed = fy_run_get_done (self->run);
      summary->interrupted = state == FY_RUN_STATE_CANCELLED || state == FY_RUN_STATE_CANCELLING;
      summary->wall_seconds = ended ? fy_run_get_wall_time (self->run) : fy_run_get_elapsed (self->run);
      summary->cpu_seconds = ended ? fy_run_get_task_time (self->run) : summary->cpu_seconds;
      summary->tasks_per_second = fy_run_get_tasks_per_second (self->run);
    }

  fy_results_export_async (snapshot, summary, format, file, cancellable,
                           export_written_cb, g_steal_pointer (&task));
}

gboolean
fy_results_view_export_finish (FyResultsView  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (FY_IS_RESULTS_VIEW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
