/* fy-launch-form.c: the Run page's form: which workload, how many tasks, on what pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Numbers are typed into plain entries rather than spin buttons: a spin
 * button silently clamps what it is given, and the form must instead say
 * what is wrong where it is wrong. Fibonacci's cost is estimated from a
 * short calibration of the same naive recursion in a thread (its cost
 * grows as φⁿ), so nobody starts fib(92) and waits for years.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

#include "fy-launch-form.h"
#include "workloads/fy-sample-data.h"

#define PHI 1.6180339887498949
/* A run estimated above these is warned of, then refused. */
#define WARN_SECONDS   60.0
#define REFUSE_SECONDS 3600.0

struct _FyLaunchForm
{
  AdwBin          parent_instance;

  GSettings      *settings;
  gboolean        loading;
  gboolean        valid;
  char           *problem;
  GCancellable   *cancellable;
  GtkNativeDialog *chooser;

  /* Seconds fib (n) takes here is fib_unit × φⁿ; 0 until calibrated. */
  double          fib_unit;

  AdwComboRow    *workload_row;
  AdwActionRow   *fib_n_row;
  GtkEntry       *fib_n_entry;
  AdwActionRow   *estimate_row;
  AdwActionRow   *sumsq_n_row;
  GtkEntry       *sumsq_n_entry;
  AdwActionRow   *sleep_ms_row;
  GtkEntry       *sleep_ms_entry;
  AdwActionRow   *load_percent_row;
  GtkEntry       *load_percent_entry;
  AdwActionRow   *load_seconds_row;
  GtkEntry       *load_seconds_entry;
  AdwActionRow   *files_row;
  GtkWidget      *files_reset_button;
  GtkWidget      *folder_reset_button;
  GtkWidget      *output_reset_button;
  AdwActionRow   *folder_row;
  AdwActionRow   *width_row;
  GtkEntry       *width_entry;
  AdwActionRow   *height_row;
  GtkEntry       *height_entry;
  AdwActionRow   *keep_aspect_row;
  GtkSwitch      *keep_aspect_switch;
  AdwActionRow   *output_row;
  AdwActionRow   *tasks_row;
  GtkEntry       *tasks_entry;
  AdwActionRow   *workers_row;
  GtkSpinButton  *workers_spin;
  GtkAdjustment  *workers_adjustment;
  AdwActionRow   *chunk_row;
  GtkEntry       *chunk_entry;
  AdwComboRow    *call_style_row;
  AdwActionRow   *timeout_row;
  GtkEntry       *timeout_entry;
  AdwComboRow    *policy_row;
  AdwActionRow   *retries_row;
  GtkEntry       *retries_entry;
  AdwActionRow   *max_tasks_row;
  GtkEntry       *max_tasks_entry;
};

G_DEFINE_FINAL_TYPE (FyLaunchForm, fy_launch_form, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_VALID,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The combo rows list their choices in the order of the enums' nicks. */
static const char *const workload_nicks[] = { "fib", "sumsq", "sleep", "hash", "resize", "load", NULL };

enum { WORKLOAD_FIB, WORKLOAD_SUMSQ, WORKLOAD_SLEEP, WORKLOAD_HASH, WORKLOAD_RESIZE, WORKLOAD_LOAD };

/* A load task's period, as forkyard-cli load and stress-ng --cpu-load use. */
#define LOAD_PERIOD_MS 100

/* ---- numbers ------------------------------------------------------------- */

typedef struct
{
  gsize        entry_offset;
  gsize        row_offset;
  const char  *key;          /* its GSettings key */
  guint64      min;
  guint64      max;
  gboolean     empty_is_zero; /* "auto", "none": shown as the placeholder */
} NumberField;

#define FIELD(name) G_STRUCT_OFFSET (FyLaunchForm, name##_entry), G_STRUCT_OFFSET (FyLaunchForm, name##_row)

static const NumberField number_fields[] = {
  { FIELD (fib_n), "run-fib-n", 0, 92, FALSE },
  { FIELD (sumsq_n), "run-sumsq-n", 0, G_MAXINT64, FALSE },
  { FIELD (sleep_ms), "run-sleep-ms", 0, 3600000, FALSE },
  { FIELD (load_percent), "run-load-percent", 0, 100, FALSE },
  { FIELD (load_seconds), "run-load-seconds", 1, 3600, FALSE },
  { FIELD (width), "run-resize-width", 1, 10000, FALSE },
  { FIELD (height), "run-resize-height", 1, 10000, FALSE },
  { FIELD (tasks), "run-tasks", 1, 1000000, FALSE },
  { FIELD (chunk), "run-chunk-size", 0, 1000000, TRUE },
  { FIELD (retries), "run-retries", 1, 100, FALSE },
  { FIELD (max_tasks), "run-max-tasks-per-child", 0, 1000000, TRUE },
};

#define FIELD_ENTRY(self, field) (*(GtkEntry **) G_STRUCT_MEMBER_P ((self), (field)->entry_offset))
#define FIELD_ROW(self, field)   (*(AdwActionRow **) G_STRUCT_MEMBER_P ((self), (field)->row_offset))

/* TRUE with the value, or FALSE with a message for the row. */
static gboolean
parse_number (const NumberField  *field,
              const char         *text,
              guint64            *out_value,
              char              **out_error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  guint64 value;

  if (*stripped == '\0' && field->empty_is_zero)
    {
      *out_value = 0;
      return TRUE;
    }
  if (*stripped == '\0')
    {
      *out_error = g_strdup (_("Enter a number"));
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (stripped, 10, 0, G_MAXUINT64, &value, NULL))
    {
      *out_error = g_strdup (_("Enter a whole number"));
      return FALSE;
    }
  if (field->empty_is_zero && value == 0)
    {
      *out_value = 0;
      return TRUE;
    }
  if (value < field->min)
    {
      g_autofree char *bound = g_strdup_printf ("%" G_GUINT64_FORMAT, field->min);

      *out_error = g_strdup_printf (_("Must be at least %s"), bound);
      return FALSE;
    }
  if (value > field->max)
    {
      if (field->max == 92)
        *out_error = g_strdup (_("Must be at most 92: fib (93) does not fit in 64 bits"));
      else
        {
          g_autofree char *bound = g_strdup_printf ("%" G_GUINT64_FORMAT, field->max);

          *out_error = g_strdup_printf (_("Must be at most %s"), bound);
        }
      return FALSE;
    }
  *out_value = value;
  return TRUE;
}

/* Seconds, with a dot or the locale's comma; empty or 0 for none. */
static gboolean
parse_timeout (const char  *text,
               double      *out_seconds,
               char       **out_error)
{
  g_autofree char *stripped = g_strdelimit (g_strstrip (g_strdup (text)), ",", '.');
  char *end = NULL;
  double seconds;

  if (*stripped == '\0')
    {
      *out_seconds = 0;
      return TRUE;
    }
  errno = 0;
  seconds = g_ascii_strtod (stripped, &end);
  if (errno != 0 || end == stripped || *end != '\0' || !isfinite (seconds) || seconds < 0)
    {
      *out_error = g_strdup (_("Enter seconds, such as 2.5"));
      return FALSE;
    }
  if (seconds > 86400)
    {
      *out_error = g_strdup (_("Must be at most 86400 seconds (a day)"));
      return FALSE;
    }
  *out_seconds = seconds;
  return TRUE;
}

/* ---- durations and paths --------------------------------------------------- */

static char *
format_duration (double seconds)
{
  if (seconds < 0.001)
    return g_strdup (_("<1 ms"));
  if (seconds < 1)
    return g_strdup_printf (_("%.0f ms"), seconds * 1000);
  if (seconds < 60)
    return g_strdup_printf (_("%.1f s"), seconds);
  if (seconds < 3600)
    return g_strdup_printf (_("%.0f min"), seconds / 60);
  if (seconds < 86400 * 2)
    return g_strdup_printf (_("%.1f hours"), seconds / 3600);
  if (seconds < 86400 * 365 * 2)
    return g_strdup_printf (_("%.0f days"), seconds / 86400);
  return g_strdup_printf (_("%.0f years"), seconds / (86400 * 365.25));
}

static char *
default_output_folder (void)
{
  return g_build_filename (g_get_user_cache_dir (), "forkyard", "thumbnails", NULL);
}

static char *
output_folder (FyLaunchForm *self)
{
  g_autofree char *chosen = g_settings_get_string (self->settings, "run-output-folder");

  return *chosen != '\0' ? g_steal_pointer (&chosen) : default_output_folder ();
}

/* NULL when the folder exists and is writable, or can be made. */
static char *
check_output_folder (const char *path)
{
  g_autofree char *ancestor = g_strdup (path);

  while (!g_file_test (ancestor, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (ancestor);

      g_free (ancestor);
      ancestor = parent;
    }
  if (!g_file_test (ancestor, G_FILE_TEST_IS_DIR))
    return g_strdup_printf (_("%s is not a folder"), ancestor);
  if (g_access (ancestor, W_OK | X_OK) != 0)
    return g_strdup_printf (_("%s cannot be written to"), ancestor);
  return NULL;
}

/* ---- showing a field's state ------------------------------------------------ */

/* The row shows @error in place of its subtitle, with the error style;
 * @widget (the control) and the row carry it as their accessible
 * description, or @value_text when all is well. */
static void
show_field_state (AdwActionRow *row,
                  GtkWidget    *widget,
                  const char   *error,
                  const char   *value_text)
{
  const char *subtitle = g_object_get_data (G_OBJECT (row), "fy-subtitle");
  const char *description = error != NULL ? error : value_text;
  g_autofree char *escaped = NULL;

  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  if (widget != NULL && GTK_IS_ENTRY (widget))
    {
      if (error != NULL)
        gtk_widget_add_css_class (widget, "error");
      else
        gtk_widget_remove_css_class (widget, "error");
    }
  /* Subtitles are markup; paths and "<1 ms" are not. */
  escaped = g_markup_escape_text (error != NULL ? error : (subtitle ? subtitle : ""), -1);
  adw_action_row_set_subtitle (row, escaped);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description ? description : "",
                                  -1);
  if (widget != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description ? description : "",
                                    -1);
  if (widget != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (widget),
                                 GTK_ACCESSIBLE_STATE_INVALID, error != NULL ? GTK_ACCESSIBLE_INVALID_TRUE
                                                                             : GTK_ACCESSIBLE_INVALID_FALSE,
                                 -1);
}

static guint
workload (FyLaunchForm *self)
{
  return adw_combo_row_get_selected (self->workload_row);
}

static int
n_workers (FyLaunchForm *self)
{
  return gtk_spin_button_get_value_as_int (self->workers_spin);
}

/* Records the first problem of the form. */
static void
note_problem (FyLaunchForm  *self,
              char         **first,
              AdwActionRow  *row,
              const char    *error)
{
  if (*first == NULL)
    *first = g_strdup_printf ("%s: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), error);
}

static void
update_estimate (FyLaunchForm  *self,
                 guint64        n,
                 gboolean       n_valid,
                 guint64        tasks,
                 gboolean       tasks_valid,
                 char         **first)
{
  double per_task, run;
  g_autofree char *per_text = NULL;
  g_autofree char *run_text = NULL;
  g_autofree char *text = NULL;
  int parallel = MIN (n_workers (self), (int) g_get_num_processors ());

  gtk_widget_remove_css_class (GTK_WIDGET (self->estimate_row), "warning");
  if (!n_valid || !tasks_valid)
    {
      g_object_set_data_full (G_OBJECT (self->estimate_row), "fy-subtitle",
                              g_strdup (_("Needs a valid n and number of tasks")), g_free);
      show_field_state (self->estimate_row, NULL, NULL, NULL);
      return;
    }
  if (self->fib_unit <= 0)
    {
      g_object_set_data_full (G_OBJECT (self->estimate_row), "fy-subtitle",
                              g_strdup (_("Measuring this computer’s speed…")), g_free);
      show_field_state (self->estimate_row, NULL, NULL, NULL);
      return;
    }

  per_task = self->fib_unit * pow (PHI, (double) n);
  /* The workers share the CPUs: more workers than CPUs add no speed. */
  run = per_task * ceil ((double) tasks / MAX (parallel, 1));
  per_text = format_duration (per_task);
  run_text = format_duration (run);

  if (run > REFUSE_SECONDS)
    {
      g_autofree char *error =
        /* TRANSLATORS: the refusal of a Fibonacci run; both are durations */
        g_strdup_printf (_("Refused: about %s a task, %s for the run, more than an hour. Lower n or the tasks."),
                         per_text, run_text);

      note_problem (self, first, self->estimate_row, error);
      show_field_state (self->estimate_row, NULL, error, NULL);
      return;
    }

  /* TRANSLATORS: the estimate of a Fibonacci run; both are durations */
  text = g_strdup_printf (_("About %s a task, %s for the run"), per_text, run_text);
  if (run > WARN_SECONDS)
    {
      g_autofree char *warned = g_strdup_printf (_("%s — longer than a minute"), text);

      g_free (text);
      text = g_steal_pointer (&warned);
      gtk_widget_add_css_class (GTK_WIDGET (self->estimate_row), "warning");
    }
  g_object_set_data_full (G_OBJECT (self->estimate_row), "fy-subtitle", g_strdup (text), g_free);
  show_field_state (self->estimate_row, NULL, NULL, text);
}

static void
update_files_row (FyLaunchForm  *self,
                  char         **first,
                  gboolean       shown)
{
  g_auto(GStrv) files = g_settings_get_strv (self->settings, "run-hash-files");
  guint n = g_strv_length (files);
  g_autofree char *subtitle = NULL;
  g_autofree char *error = NULL;

  gtk_widget_set_sensitive (self->files_reset_button, n > 0);
  if (n == 0)
    subtitle = g_strdup (_("Sample data: 8 files of 32 MiB"));
  else
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file: %s", "%u files: %s, …", n),
                                n, files[0]);
  for (guint i = 0; i < n && error == NULL; i++)
    if (!g_file_test (files[i], G_FILE_TEST_IS_REGULAR) || g_access (files[i], R_OK) != 0)
      error = g_strdup_printf (_("%s cannot be read"), files[i]);

  g_object_set_data_full (G_OBJECT (self->files_row), "fy-subtitle", g_strdup (subtitle), g_free);
  if (error != NULL && shown)
    note_problem (self, first, self->files_row, error);
  show_field_state (self->files_row, NULL, error, subtitle);
}

static void
update_folder_rows (FyLaunchForm  *self,
                    char         **first,
                    gboolean       shown)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "run-resize-folder");
  g_autofree char *output = output_folder (self);
  g_autofree char *chosen_output = g_settings_get_string (self->settings, "run-output-folder");
  g_autofree char *error = NULL;
  g_autofree char *output_error = NULL;
  const char *subtitle;

  gtk_widget_set_sensitive (self->folder_reset_button, *folder != '\0');
  gtk_widget_set_sensitive (self->output_reset_button, *chosen_output != '\0');
  subtitle = *folder != '\0' ? folder : _("Sample images: 24 photos and 4 PNGs");
  if (*folder != '\0' && (!g_file_test (folder, G_FILE_TEST_IS_DIR) ||
                          g_access (folder, R_OK | X_OK) != 0))
    error = g_strdup_printf (_("%s is not a folder that can be read"), folder);
  g_object_set_data_full (G_OBJECT (self->folder_row), "fy-subtitle", g_strdup (subtitle), g_free);
  if (error != NULL && shown)
    note_problem (self, first, self->folder_row, error);
  show_field_state (self->folder_row, NULL, error, subtitle);

  output_error = check_output_folder (output);
  g_object_set_data_full (G_OBJECT (self->output_row), "fy-subtitle", g_strdup (output), g_free);
  if (output_error != NULL && shown)
    note_problem (self, first, self->output_row, output_error);
  show_field_state (self->output_row, NULL, output_error, output);
}

/* Checks every field, shows each one's state, saves the valid values and
 * updates "valid" and "problem". */
static void
validate (FyLaunchForm *self)
{
  guint kind = workload (self);
  gboolean counted = kind == WORKLOAD_FIB || kind == WORKLOAD_SUMSQ || kind == WORKLOAD_SLEEP;
  gboolean retry = adw_combo_row_get_selected (self->policy_row) == 1;
  g_autofree char *first = NULL;
  guint64 fib_n = 0, tasks = 0;
  gboolean fib_valid = FALSE, tasks_valid = FALSE;
  double timeout = 0;
  g_autofree char *timeout_error = NULL;
  g_autofree char *workers_text = NULL;
  gboolean valid;

  gtk_widget_set_visible (GTK_WIDGET (self->fib_n_row), kind == WORKLOAD_FIB);
  gtk_widget_set_visible (GTK_WIDGET (self->estimate_row), kind == WORKLOAD_FIB);
  gtk_widget_set_visible (GTK_WIDGET (self->sumsq_n_row), kind == WORKLOAD_SUMSQ);
  gtk_widget_set_visible (GTK_WIDGET (self->sleep_ms_row), kind == WORKLOAD_SLEEP);
  gtk_widget_set_visible (GTK_WIDGET (self->load_percent_row), kind == WORKLOAD_LOAD);
  gtk_widget_set_visible (GTK_WIDGET (self->load_seconds_row), kind == WORKLOAD_LOAD);
  gtk_widget_set_visible (GTK_WIDGET (self->tasks_row), counted);
  gtk_widget_set_visible (GTK_WIDGET (self->files_row), kind == WORKLOAD_HASH);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_row), kind == WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->width_row), kind == WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->height_row), kind == WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->keep_aspect_row), kind == WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->output_row), kind == WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->retries_row), retry);

  for (guint i = 0; i < G_N_ELEMENTS (number_fields); i++)
    {
      const NumberField *field = &number_fields[i];
      GtkEntry *entry = FIELD_ENTRY (self, field);
      AdwActionRow *row = FIELD_ROW (self, field);
      const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
      g_autofree char *error = NULL;
      guint64 value = 0;
      gboolean ok = parse_number (field, text, &value, &error);

      if (ok && !self->loading)
        {
          g_autoptr(GVariant) current = g_settings_get_value (self->settings, field->key);
          const GVariantType *type = g_variant_get_type (current);

          if (g_variant_type_equal (type, G_VARIANT_TYPE_INT32))
            g_settings_set_int (self->settings, field->key, (int) value);
          else if (g_variant_type_equal (type, G_VARIANT_TYPE_UINT32))
            g_settings_set_uint (self->settings, field->key, (guint) value);
          else
            g_settings_set_int64 (self->settings, field->key, (gint64) value);
        }
      if (field->entry_offset == G_STRUCT_OFFSET (FyLaunchForm, fib_n_entry))
        fib_n = value, fib_valid = ok;
      if (field->entry_offset == G_STRUCT_OFFSET (FyLaunchForm, tasks_entry))
        tasks = value, tasks_valid = ok;
      if (!ok && gtk_widget_get_visible (GTK_WIDGET (row)))
        note_problem (self, &first, row, error);
      show_field_state (row, GTK_WIDGET (entry), error,
                        *text != '\0' ? text : gtk_entry_get_placeholder_text (entry));
    }

  if (parse_timeout (gtk_editable_get_text (GTK_EDITABLE (self->timeout_entry)), &timeout, &timeout_error))
    {
      if (!self->loading)
        g_settings_set_double (self->settings, "run-task-timeout", timeout);
    }
  else
    note_problem (self, &first, self->timeout_row, timeout_error);
  show_field_state (self->timeout_row, GTK_WIDGET (self->timeout_entry), timeout_error,
                    gtk_editable_get_text (GTK_EDITABLE (self->timeout_entry)));

  if (kind == WORKLOAD_FIB)
    update_estimate (self, fib_n, fib_valid, tasks, tasks_valid, &first);
  update_files_row (self, &first, kind == WORKLOAD_HASH);
  update_folder_rows (self, &first, kind == WORKLOAD_RESIZE);

  workers_text = g_strdup_printf ("%d", n_workers (self));
  show_field_state (self->workers_row, GTK_WIDGET (self->workers_spin), NULL, workers_text);

  if (!self->loading)
    {
      g_settings_set_enum (self->settings, "run-workload", kind);
      g_settings_set_enum (self->settings, "run-call-style", adw_combo_row_get_selected (self->call_style_row));
      g_settings_set_enum (self->settings, "crash-policy", adw_combo_row_get_selected (self->policy_row));
    }

  valid = first == NULL;
  if (valid != self->valid)
    {
      self->valid = valid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
    }
  if (g_strcmp0 (first, self->problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_steal_pointer (&first);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    }
}

static void
field_changed_cb (FyLaunchForm *self)
{
  validate (self);
}

/* Only a change the user made is remembered, so the Workers preference
 * stays the default until then. */
static void
workers_changed_cb (FyLaunchForm *self)
{
  if (!self->loading)
    g_settings_set_int (self->settings, "run-workers", n_workers (self));
  validate (self);
}

/* ---- file choosers ----------------------------------------------------------- */

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     FyLaunchForm    *self)
{
  const char *key = g_object_get_data (G_OBJECT (dialog), "fy-key");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) paths = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *path = g_file_get_path (file);

          if (path != NULL)
            g_strv_builder_add (builder, path);
        }
      paths = g_strv_builder_end (builder);
      if (g_str_equal (key, "run-hash-files"))
        g_settings_set_strv (self->settings, key, (const char *const *) paths);
      else if (paths[0] != NULL)
        g_settings_set_string (self->settings, key, paths[0]);
      validate (self);
    }
  gtk_native_dialog_destroy (dialog);
  if (self->chooser == dialog)
    g_clear_object (&self->chooser);
}

static void
open_chooser (FyLaunchForm         *self,
              const char           *title,
              GtkFileChooserAction  action,
              const char           *key)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);

  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         action, NULL, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser),
                                        action == GTK_FILE_CHOOSER_ACTION_OPEN);
  g_object_set_data (G_OBJECT (chooser), "fy-key", (gpointer) key);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
files_choose_cb (FyLaunchForm *self)
{
  open_chooser (self, _("Files to Hash"), GTK_FILE_CHOOSER_ACTION_OPEN, "run-hash-files");
}

static void
files_reset_cb (FyLaunchForm *self)
{
  g_settings_reset (self->settings, "run-hash-files");
  validate (self);
}

static void
folder_choose_cb (FyLaunchForm *self)
{
  open_chooser (self, _("Folder of Images"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "run-resize-folder");
}

static void
folder_reset_cb (FyLaunchForm *self)
{
  g_settings_reset (self->settings, "run-resize-folder");
  validate (self);
}

static void
output_choose_cb (FyLaunchForm *self)
{
  open_chooser (self, _("Folder for the Thumbnails"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                "run-output-folder");
}

static void
output_reset_cb (FyLaunchForm *self)
{
  g_settings_reset (self->settings, "run-output-folder");
  validate (self);
}

/* ---- calibration --------------------------------------------------------------- */

/* The workers' naive recursion, here only to time it. */
static gint64
calibration_fib (int n)
{
  return n <= 2 ? 1 : calibration_fib (n - 1) + calibration_fib (n - 2);
}

static void
calibrate_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  double *unit = g_new (double, 1);
  volatile gint64 sink = 0;

  /* Up from a small n until one call takes 20 ms: long enough to time,
   * short enough not to be noticed. */
  for (int n = 20; n <= 40; n++)
    {
      gint64 start = g_get_monotonic_time ();
      double seconds;

      sink += calibration_fib (n);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      *unit = seconds / pow (PHI, n);
      if (seconds >= 0.02)
        break;
    }
  (void) sink;
  g_task_return_pointer (task, unit, g_free);
}

static void
calibrate_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autofree double *unit = g_task_propagate_pointer (G_TASK (result), NULL);
  FyLaunchForm *self;

  if (unit == NULL)
    return;
  self = FY_LAUNCH_FORM (object);
  self->fib_unit = *unit;
  validate (self);
}

/* ---- creating a run ------------------------------------------------------------ */

typedef struct
{
  guint          kind;
  gint64         n;
  guint          ms;
  guint          load_percent;
  guint          load_seconds;
  guint          tasks;
  char         **hash_files;
  char          *resize_folder;
  char          *output_folder;
  int            width;
  int            height;
  gboolean       keep_aspect;
  GVariant      *arguments;
} RunInputs;

static void
run_inputs_free (RunInputs *inputs)
{
  g_strfreev (inputs->hash_files);
  g_free (inputs->resize_folder);
  g_free (inputs->output_folder);
  g_clear_pointer (&inputs->arguments, g_variant_unref);
  g_free (inputs);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* Every regular file under @path, sorted, as forkyard-cli lists a folder. */
static void
collect_files (GPtrArray  *out,
               const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (out, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    collect_files (out, g_ptr_array_index (names, i));
}

static void
create_run_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  RunInputs *inputs = task_data;
  g_autoptr(GVariantBuilder) builder = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  switch (inputs->kind)
    {
    case WORKLOAD_FIB:
    case WORKLOAD_SUMSQ:
      builder = g_variant_builder_new (G_VARIANT_TYPE ("ax"));
      for (guint i = 0; i < inputs->tasks; i++)
        g_variant_builder_add (builder, "x", inputs->n);
      break;
    case WORKLOAD_SLEEP:
      builder = g_variant_builder_new (G_VARIANT_TYPE ("au"));
      for (guint i = 0; i < inputs->tasks; i++)
        g_variant_builder_add (builder, "u", inputs->ms);
      break;
    case WORKLOAD_LOAD:
      {
        /* One task per worker, all ending at one CLOCK_MONOTONIC moment, so
         * a task retried on a replacement keeps the load up to the same
         * end (fy-workloads-load.c). */
        gint64 deadline = g_get_monotonic_time () + (gint64) inputs->load_seconds * G_USEC_PER_SEC;

        builder = g_variant_builder_new (G_VARIANT_TYPE ("a(dux)"));
        for (guint i = 0; i < inputs->tasks; i++)
          g_variant_builder_add (builder, "(dux)", (double) inputs->load_percent,
                                 (guint32) LOAD_PERIOD_MS, deadline);
      }
      break;
    case WORKLOAD_HASH:
    case WORKLOAD_RESIZE:
      if (inputs->kind == WORKLOAD_HASH && inputs->hash_files[0] != NULL)
        for (guint i = 0; inputs->hash_files[i] != NULL; i++)
          collect_files (files, inputs->hash_files[i]);
      else if (inputs->kind == WORKLOAD_RESIZE && *inputs->resize_folder != '\0')
        collect_files (files, inputs->resize_folder);
      else
        {
          g_autoptr(GPtrArray) samples =
            fy_sample_data_list (inputs->kind == WORKLOAD_HASH ? FY_SAMPLE_SET_FILES : FY_SAMPLE_SET_IMAGES,
                                 &error);

          if (samples == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
          for (guint i = 0; i < samples->len; i++)
            g_ptr_array_add (files, g_strdup (g_ptr_array_index (samples, i)));
        }
      if (inputs->kind == WORKLOAD_RESIZE &&
          g_mkdir_with_parents (inputs->output_folder, 0755) != 0)
        {
          int saved_errno = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   "%s: %s", inputs->output_folder, g_strerror (saved_errno));
          return;
        }
      builder = g_variant_builder_new (inputs->kind == WORKLOAD_HASH ? G_VARIANT_TYPE ("aay")
                                                                     : G_VARIANT_TYPE ("a(ayayiib)"));
      for (guint i = 0; i < files->len; i++)
        {
          const char *path = g_ptr_array_index (files, i);

          if (inputs->kind == WORKLOAD_HASH)
            g_variant_builder_add (builder, "^ay", path);
          else
            g_variant_builder_add (builder, "(^ay^ayiib)", path, inputs->output_folder,
                                   inputs->width, inputs->height, inputs->keep_aspect);
        }
      break;
    default:
      g_assert_not_reached ();
    }

  inputs->arguments = g_variant_ref_sink (g_variant_builder_end (builder));
  g_task_return_boolean (task, TRUE);
}

/* ---- GObject --------------------------------------------------------------------- */

static void
fy_launch_form_dispose (GObject *object)
{
  FyLaunchForm *self = FY_LAUNCH_FORM (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_LAUNCH_FORM);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (fy_launch_form_parent_class)->dispose (object);
}

static void
fy_launch_form_finalize (GObject *object)
{
  FyLaunchForm *self = FY_LAUNCH_FORM (object);

  g_free (self->problem);

  G_OBJECT_CLASS (fy_launch_form_parent_class)->finalize (object);
}

static void
fy_launch_form_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FyLaunchForm *self = FY_LAUNCH_FORM (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_launch_form_class_init (FyLaunchFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_launch_form_dispose;
  object_class->finalize = fy_launch_form_finalize;
  object_class->get_property = fy_launch_form_get_property;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-launch-form.ui");
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, workload_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, fib_n_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, fib_n_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, estimate_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, sumsq_n_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, sumsq_n_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, sleep_ms_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, sleep_ms_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, load_percent_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, load_percent_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, load_seconds_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, load_seconds_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, files_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, folder_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, files_reset_button);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, folder_reset_button);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, output_reset_button);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, width_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, width_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, height_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, height_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, keep_aspect_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, keep_aspect_switch);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, output_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, tasks_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, tasks_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, workers_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, workers_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, chunk_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, chunk_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, call_style_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, timeout_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, timeout_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, policy_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, retries_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, retries_entry);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, max_tasks_row);
  gtk_widget_class_bind_template_child (widget_class, FyLaunchForm, max_tasks_entry);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, workers_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, files_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, files_reset_cb);
  gtk_widget_class_bind_template_callback (widget_class, folder_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, folder_reset_cb);
  gtk_widget_class_bind_template_callback (widget_class, output_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, output_reset_cb);
}

static void
remember_subtitle (AdwActionRow *row)
{
  g_object_set_data_full (G_OBJECT (row), "fy-subtitle",
                          g_strdup (adw_action_row_get_subtitle (row)), g_free);
}

static void
fy_launch_form_init (FyLaunchForm *self)
{
  g_autoptr(GTask) calibration = NULL;
  int cpus = (int) g_get_num_processors ();
  int workers;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  /* Before any value is set: a row shows its error in place of these. */
  for (guint i = 0; i < G_N_ELEMENTS (number_fields); i++)
    remember_subtitle (FIELD_ROW (self, &number_fields[i]));
  remember_subtitle (self->timeout_row);
  remember_subtitle (self->workers_row);

  for (guint i = 0; i < G_N_ELEMENTS (number_fields); i++)
    {
      const NumberField *field = &number_fields[i];
      g_autoptr(GVariant) value = g_settings_get_value (self->settings, field->key);
      g_autofree char *text = NULL;
      gint64 number;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
        number = g_variant_get_int32 (value);
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
        number = g_variant_get_uint32 (value);
      else
        number = g_variant_get_int64 (value);
      /* "auto" and "none" are the placeholder of an empty entry. */
      text = field->empty_is_zero && number == 0 ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, number);
      gtk_editable_set_text (GTK_EDITABLE (FIELD_ENTRY (self, field)), text);
    }
  if (g_settings_get_double (self->settings, "run-task-timeout") > 0)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      gtk_editable_set_text (GTK_EDITABLE (self->timeout_entry),
                             g_ascii_formatd (buffer, sizeof buffer, "%g",
                                              g_settings_get_double (self->settings, "run-task-timeout")));
    }

  /* Up to four workers a CPU: enough to show oversubscription. */
  gtk_adjustment_set_upper (self->workers_adjustment, 4 * cpus);
  workers = g_settings_get_int (self->settings, "run-workers");
  if (workers <= 0)
    workers = g_settings_get_int (self->settings, "workers");
  if (workers <= 0)
    workers = cpus;
  gtk_spin_button_set_value (self->workers_spin, CLAMP (workers, 1, 4 * cpus));

  adw_combo_row_set_selected (self->workload_row, g_settings_get_enum (self->settings, "run-workload"));
  adw_combo_row_set_selected (self->call_style_row, g_settings_get_enum (self->settings, "run-call-style"));
  adw_combo_row_set_selected (self->policy_row, g_settings_get_enum (self->settings, "crash-policy"));
  g_settings_bind (self->settings, "run-keep-aspect", self->keep_aspect_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  self->valid = TRUE;
  validate (self);
  self->loading = FALSE;

  calibration = g_task_new (self, self->cancellable, calibrate_done_cb, NULL);
  g_task_set_source_tag (calibration, fy_launch_form_init);
  g_task_run_in_thread (calibration, calibrate_thread);
}

gboolean
fy_launch_form_get_valid (FyLaunchForm *self)
{
  g_return_val_if_fail (FY_IS_LAUNCH_FORM (self), FALSE);
  return self->valid;
}

const char *
fy_launch_form_get_problem (FyLaunchForm *self)
{
  g_return_val_if_fail (FY_IS_LAUNCH_FORM (self), NULL);
  return self->problem;
}

void
fy_launch_form_create_run_async (FyLaunchForm        *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RunInputs *inputs;

  g_return_if_fail (FY_IS_LAUNCH_FORM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fy_launch_form_create_run_async);
  if (!self->valid)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", self->problem);
      return;
    }

  /* The form's values as they are now: the thread reads only these. */
  inputs = g_new0 (RunInputs, 1);
  inputs->kind = workload (self);
  inputs->n = inputs->kind == WORKLOAD_FIB ? g_settings_get_int (self->settings, "run-fib-n")
                                           : g_settings_get_int64 (self->settings, "run-sumsq-n");
  inputs->ms = g_settings_get_uint (self->settings, "run-sleep-ms");
  inputs->load_percent = g_settings_get_uint (self->settings, "run-load-percent");
  inputs->load_seconds = g_settings_get_uint (self->settings, "run-load-seconds");
  /* A load keeps each worker busy: one task per worker, as forkyard-cli
   * load runs it. */
  inputs->tasks = inputs->kind == WORKLOAD_LOAD ? (guint) n_workers (self)
                                                : g_settings_get_uint (self->settings, "run-tasks");
  inputs->hash_files = g_settings_get_strv (self->settings, "run-hash-files");
  inputs->resize_folder = g_settings_get_string (self->settings, "run-resize-folder");
  inputs->output_folder = output_folder (self);
  inputs->width = g_settings_get_int (self->settings, "run-resize-width");
  inputs->height = g_settings_get_int (self->settings, "run-resize-height");
  inputs->keep_aspect = g_settings_get_boolean (self->settings, "run-keep-aspect");
  g_task_set_task_data (task, inputs, (GDestroyNotify) run_inputs_free);
  g_task_run_in_thread (task, create_run_thread);
}

FyRun *
fy_launch_form_create_run_finish (FyLaunchForm  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  RunInputs *inputs;
  FyRun *run;
  guint policy;
  double timeout = 0;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  inputs = g_task_get_task_data (G_TASK (result));
  run = fy_run_new (workload_nicks[inputs->kind], g_variant_ref (inputs->arguments));
  fy_run_set_n_workers (run, n_workers (self));
  fy_run_set_chunksize (run, (int) g_settings_get_uint (self->settings, "run-chunk-size"));
  fy_run_set_call_style (run, adw_combo_row_get_selected (self->call_style_row));
  timeout = g_settings_get_double (self->settings, "run-task-timeout");
  fy_run_set_task_timeout (run, timeout);
  policy = adw_combo_row_get_selected (self->policy_row);
  fy_run_set_crash_policy (run, policy, g_settings_get_uint (self->settings, "run-retries"));
  fy_run_set_max_tasks_per_child (run, (int) g_settings_get_uint (self->settings, "run-max-tasks-per-child"));
  return run;
}
