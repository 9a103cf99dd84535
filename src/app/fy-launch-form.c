/* fy-launch-form.c: the Run page's form: which workload, how many tasks, on what pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The form holds the fields and their order; the rules of each field are
 * in fy-launch-fields.c, Fibonacci's time estimate in fy-fib-estimate.c,
 * the file choosers in fy-launch-chooser.c and the building of a run's
 * arguments in fy-launch-inputs.c. Valid values are saved to GSettings as
 * they are typed, and a run is made from those.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "fy-fib-estimate.h"
#include "fy-launch-chooser.h"
#include "fy-launch-fields.h"
#include "fy-launch-form.h"
#include "fy-launch-inputs.h"

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

/* ---- numbers ------------------------------------------------------------- */

typedef struct
{
  gsize        entry_offset;
  gsize        row_offset;
  const char  *key;          /* its GSettings key */
  FyNumberRange range;
} NumberField;

#define FIELD(name) G_STRUCT_OFFSET (FyLaunchForm, name##_entry), G_STRUCT_OFFSET (FyLaunchForm, name##_row)

static const NumberField number_fields[] = {
  { FIELD (fib_n), "run-fib-n", { 0, 92, FALSE } },
  { FIELD (sumsq_n), "run-sumsq-n", { 0, G_MAXINT64, FALSE } },
  { FIELD (sleep_ms), "run-sleep-ms", { 0, 3600000, FALSE } },
  { FIELD (load_percent), "run-load-percent", { 0, 100, FALSE } },
  { FIELD (load_seconds), "run-load-seconds", { 1, 3600, FALSE } },
  { FIELD (width), "run-resize-width", { 1, 10000, FALSE } },
  { FIELD (height), "run-resize-height", { 1, 10000, FALSE } },
  { FIELD (tasks), "run-tasks", { 1, 1000000, FALSE } },
  { FIELD (chunk), "run-chunk-size", { 0, 1000000, TRUE } },
  { FIELD (retries), "run-retries", { 1, 100, FALSE } },
  { FIELD (max_tasks), "run-max-tasks-per-child", { 0, 1000000, TRUE } },
};

#define FIELD_ENTRY(self, field) (*(GtkEntry **) G_STRUCT_MEMBER_P ((self), (field)->entry_offset))
#define FIELD_ROW(self, field)   (*(AdwActionRow **) G_STRUCT_MEMBER_P ((self), (field)->row_offset))

/* ---- the form's state ------------------------------------------------------ */

static char *
output_folder (FyLaunchForm *self)
{
  g_autofree char *chosen = g_settings_get_string (self->settings, "run-output-folder");

  return *chosen != '\0' ? g_steal_pointer (&chosen)
                          : g_build_filename (g_get_user_cache_dir (), "forkyard", "thumbnails", NULL);
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
  int parallel = MIN (n_workers (self), (int) g_get_num_processors ());
  g_autofree char *text = NULL;
  FyFibEstimateLevel level;

  gtk_widget_remove_css_class (GTK_WIDGET (self->estimate_row), "warning");
  if (!n_valid || !tasks_valid)
    {
      fy_launch_set_subtitle (self->estimate_row, _("Needs a valid n and number of tasks"));
      fy_launch_show_field_state (self->estimate_row, NULL, NULL, NULL);
      return;
    }

  level = fy_fib_estimate (self->fib_unit, n, tasks, parallel, &text);
  switch (level)
    {
    case FY_FIB_ESTIMATE_MEASURING:
      fy_launch_set_subtitle (self->estimate_row, text);
      fy_launch_show_field_state (self->estimate_row, NULL, NULL, NULL);
      break;
    case FY_FIB_ESTIMATE_REFUSE:
      note_problem (self, first, self->estimate_row, text);
      fy_launch_show_field_state (self->estimate_row, NULL, text, NULL);
      break;
    case FY_FIB_ESTIMATE_WARN:
      gtk_widget_add_css_class (GTK_WIDGET (self->estimate_row), "warning");
      G_GNUC_FALLTHROUGH;
    case FY_FIB_ESTIMATE_OK:
      fy_launch_set_subtitle (self->estimate_row, text);
      fy_launch_show_field_state (self->estimate_row, NULL, NULL, text);
      break;
    default:
      g_assert_not_reached ();
    }
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
  error = fy_launch_check_files ((const char *const *) files);

  fy_launch_set_subtitle (self->files_row, subtitle);
  if (error != NULL && shown)
    note_problem (self, first, self->files_row, error);
  fy_launch_show_field_state (self->files_row, NULL, error, subtitle);
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
  if (*folder != '\0')
    error = fy_launch_check_folder (folder);
  fy_launch_set_subtitle (self->folder_row, subtitle);
  if (error != NULL && shown)
    note_problem (self, first, self->folder_row, error);
  fy_launch_show_field_state (self->folder_row, NULL, error, subtitle);

  output_error = fy_launch_check_output_folder (output);
  fy_launch_set_subtitle (self->output_row, output);
  if (output_error != NULL && shown)
    note_problem (self, first, self->output_row, output_error);
  fy_launch_show_field_state (self->output_row, NULL, output_error, output);
}

/* Checks every field, shows each one's state, saves the valid values and
 * updates "valid" and "problem". */
static void
validate (FyLaunchForm *self)
{
  guint kind = workload (self);
  gboolean counted = kind == FY_WORKLOAD_FIB || kind == FY_WORKLOAD_SUMSQ || kind == FY_WORKLOAD_SLEEP;
  gboolean retry = adw_combo_row_get_selected (self->policy_row) == 1;
  g_autofree char *first = NULL;
  guint64 fib_n = 0, tasks = 0;
  gboolean fib_valid = FALSE, tasks_valid = FALSE;
  double timeout = 0;
  g_autofree char *timeout_error = NULL;
  g_autofree char *workers_text = NULL;
  gboolean valid;

  gtk_widget_set_visible (GTK_WIDGET (self->fib_n_row), kind == FY_WORKLOAD_FIB);
  gtk_widget_set_visible (GTK_WIDGET (self->estimate_row), kind == FY_WORKLOAD_FIB);
  gtk_widget_set_visible (GTK_WIDGET (self->sumsq_n_row), kind == FY_WORKLOAD_SUMSQ);
  gtk_widget_set_visible (GTK_WIDGET (self->sleep_ms_row), kind == FY_WORKLOAD_SLEEP);
  gtk_widget_set_visible (GTK_WIDGET (self->load_percent_row), kind == FY_WORKLOAD_LOAD);
  gtk_widget_set_visible (GTK_WIDGET (self->load_seconds_row), kind == FY_WORKLOAD_LOAD);
  gtk_widget_set_visible (GTK_WIDGET (self->tasks_row), counted);
  gtk_widget_set_visible (GTK_WIDGET (self->files_row), kind == FY_WORKLOAD_HASH);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_row), kind == FY_WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->width_row), kind == FY_WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->height_row), kind == FY_WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->keep_aspect_row), kind == FY_WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->output_row), kind == FY_WORKLOAD_RESIZE);
  gtk_widget_set_visible (GTK_WIDGET (self->retries_row), retry);
  fy_launch_describe_choice (self->workload_row);
  fy_launch_describe_choice (self->call_style_row);
  fy_launch_describe_choice (self->policy_row);

  for (guint i = 0; i < G_N_ELEMENTS (number_fields); i++)
    {
      const NumberField *field = &number_fields[i];
      GtkEntry *entry = FIELD_ENTRY (self, field);
      AdwActionRow *row = FIELD_ROW (self, field);
      const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
      g_autofree char *error = NULL;
      guint64 value = 0;
      gboolean ok = fy_launch_parse_number (&field->range, text, &value, &error);

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
      fy_launch_show_field_state (row, GTK_WIDGET (entry), error,
                        *text != '\0' ? text : gtk_entry_get_placeholder_text (entry));
    }

  if (fy_launch_parse_timeout (gtk_editable_get_text (GTK_EDITABLE (self->timeout_entry)), &timeout, &timeout_error))
    {
      if (!self->loading)
        g_settings_set_double (self->settings, "run-task-timeout", timeout);
    }
  else
    note_problem (self, &first, self->timeout_row, timeout_error);
  fy_launch_show_field_state (self->timeout_row, GTK_WIDGET (self->timeout_entry), timeout_error,
                    gtk_editable_get_text (GTK_EDITABLE (self->timeout_entry)));

  if (kind == FY_WORKLOAD_FIB)
    update_estimate (self, fib_n, fib_valid, tasks, tasks_valid, &first);
  update_files_row (self, &first, kind == FY_WORKLOAD_HASH);
  update_folder_rows (self, &first, kind == FY_WORKLOAD_RESIZE);

  workers_text = g_strdup_printf ("%d", n_workers (self));
  fy_launch_show_field_state (self->workers_row, GTK_WIDGET (self->workers_spin), NULL, workers_text);

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

/* The answer lands in the settings, whose change validates the form. */
static void
open_chooser (FyLaunchForm         *self,
              const char           *title,
              GtkFileChooserAction  action,
              const char           *key)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  self->chooser = fy_launch_chooser_open (GTK_WIDGET (self), self->settings, key, title, action);
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
}

/* Chosen, reset, or changed by another copy of the app. */
static void
paths_changed_cb (FyLaunchForm *self)
{
  validate (self);
}

/* ---- calibration --------------------------------------------------------------- */

static void
calibrate_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  double unit = fy_fib_estimate_calibrate_finish (result, NULL);
  FyLaunchForm *self = FY_LAUNCH_FORM (object);

  /* 0 when cancelled: the form is going away. */
  if (unit <= 0)
    return;
  self->fib_unit = unit;
  validate (self);
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
fy_launch_form_init (FyLaunchForm *self)
{
  int cpus = (int) g_get_num_processors ();
  int workers;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  /* Before any value is set: a row shows its error in place of these. */
  for (guint i = 0; i < G_N_ELEMENTS (number_fields); i++)
    fy_launch_remember_subtitle (FIELD_ROW (self, &number_fields[i]));
  fy_launch_remember_subtitle (self->timeout_row);
  fy_launch_remember_subtitle (self->workers_row);

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
      text = field->range.empty_is_zero && number == 0 ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, number);
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

  g_signal_connect_object (self->settings, "changed::run-hash-files",
                           G_CALLBACK (paths_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::run-resize-folder",
                           G_CALLBACK (paths_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::run-output-folder",
                           G_CALLBACK (paths_changed_cb), self, G_CONNECT_SWAPPED);

  fy_fib_estimate_calibrate_async (self, self->cancellable, calibrate_done_cb, NULL);
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
  FyLaunchInputs *inputs;

  g_return_if_fail (FY_IS_LAUNCH_FORM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fy_launch_form_create_run_async);
  if (!self->valid)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", self->problem);
      return;
    }

  /* The form's values as they are now: the thread reads only these. */
  inputs = g_new0 (FyLaunchInputs, 1);
  inputs->kind = workload (self);
  inputs->n = inputs->kind == FY_WORKLOAD_FIB ? g_settings_get_int (self->settings, "run-fib-n")
                                           : g_settings_get_int64 (self->settings, "run-sumsq-n");
  inputs->ms = g_settings_get_uint (self->settings, "run-sleep-ms");
  inputs->load_percent = g_settings_get_uint (self->settings, "run-load-percent");
  inputs->load_seconds = g_settings_get_uint (self->settings, "run-load-seconds");
  /* A load keeps each worker busy: one task per worker, as forkyard-cli
   * load runs it. */
  inputs->tasks = inputs->kind == FY_WORKLOAD_LOAD ? (guint) n_workers (self)
                                                : g_settings_get_uint (self->settings, "run-tasks");
  inputs->hash_files = g_settings_get_strv (self->settings, "run-hash-files");
  inputs->resize_folder = g_settings_get_string (self->settings, "run-resize-folder");
  inputs->output_folder = output_folder (self);
  inputs->width = g_settings_get_int (self->settings, "run-resize-width");
  inputs->height = g_settings_get_int (self->settings, "run-resize-height");
  inputs->keep_aspect = g_settings_get_boolean (self->settings, "run-keep-aspect");
  g_task_set_task_data (task, inputs, (GDestroyNotify) fy_launch_inputs_free);
  g_task_run_in_thread (task, fy_launch_inputs_build_in_thread);
}

FyRun *
fy_launch_form_create_run_finish (FyLaunchForm  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  FyLaunchInputs *inputs;
  FyRun *run;
  guint policy;
  double timeout = 0;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  inputs = g_task_get_task_data (G_TASK (result));
  run = fy_run_new (fy_workload_kind_function (inputs->kind), g_variant_ref (inputs->arguments));
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
