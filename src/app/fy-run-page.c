/* fy-run-page.c: the Run page: the launch form, the run's progress, its workers and results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The form sits in an AdwFlap: beside the run on a wide window, folded
 * into a sliding panel on a narrow one. One run at a time: while a run is
 * going, Start is refused and the page says why (Cancel first). The
 * labels follow FyRun's properties, which change at most once a frame;
 * the workers table, the task timeline and the results list below them
 * follow the run's pool and results.
 *
 * FORKYARD_AUTORUN=1 starts a run with the remembered form values as soon
 * as the page is shown; FORKYARD_FRAME_STATS=FILE records the frame
 * clock's intervals while a run goes and writes them, with the run's
 * figures and the process's CPU time, to FILE as JSON when it ends (and
 * quits, with FORKYARD_AUTORUN). bench/run ui_run_page uses both.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <sys/resource.h>

#include "fy-inspector.h"
#include "fy-launch-form.h"
#include "fy-results-view.h"
#include "fy-run-page.h"
#include "fy-task-timeline.h"
#include "fy-workers-view.h"

struct _FyRunPage
{
  AdwBin          parent_instance;

  FyRun          *run;
  GCancellable   *preparing;      /* set while the form lists the inputs */
  char           *start_error;

  /* FORKYARD_FRAME_STATS */
  char           *stats_path;
  GArray         *frame_intervals; /* gint64 µs */
  gint64          last_frame;
  guint           tick_id;
  double          cpu_at_start;

  FyLaunchForm   *form;
  GtkLabel       *state_label;
  GtkLabel       *reason_label;
  GtkWidget      *start_button;
  GtkWidget      *cancel_button;
  GtkProgressBar *progress_bar;
  GtkLabel       *done_label;
  GtkLabel       *failed_label;
  GtkLabel       *cancelled_label;
  GtkLabel       *rate_label;
  GtkLabel       *elapsed_label;
  GtkLabel       *eta_label;
  GtkLabel       *verdict_label;
  GtkLabel       *timing_label;
  AdwViewStack   *tables_stack;
  FyWorkersView  *workers_view;
  FyTaskTimeline *timeline;
  FyResultsView  *results_view;
};

G_DEFINE_FINAL_TYPE (FyRunPage, fy_run_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static double
process_cpu_seconds (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* Whole seconds while a run goes (tenths would flicker), tenths after. */
static char *
format_seconds (double   seconds,
                gboolean precise)
{
  if (seconds < 0)
    return g_strdup ("—");
  if (seconds < 60 && precise)
    return g_strdup_printf (_("%.1f s"), seconds);
  if (seconds < 60)
    return g_strdup_printf (_("%.0f s"), seconds);
  if (seconds < 3600)
    return g_strdup_printf ("%d:%02d", (int) seconds / 60, (int) seconds % 60);
  return g_strdup_printf ("%d:%02d:%02d", (int) seconds / 3600, ((int) seconds / 60) % 60,
                          (int) seconds % 60);
}

/* A value label shows its figure; its accessible description says what
 * it is too, "Done: 40", for screen readers and for tests that read it. */
static void
set_value (GtkLabel   *label,
           const char *caption,
           const char *text)
{
  g_autofree char *description = NULL;

  if (g_strcmp0 (gtk_label_get_label (label), text) == 0 &&
      g_object_get_data (G_OBJECT (label), "fy-described") != NULL)
    return;
  gtk_label_set_label (label, text);
  /* TRANSLATORS: a figure's accessible description, "Done: 40" */
  description = g_strdup_printf (_("%s: %s"), caption, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  g_object_set_data (G_OBJECT (label), "fy-described", GINT_TO_POINTER (TRUE));
}

static void
set_uint_value (GtkLabel   *label,
                const char *caption,
                guint       value)
{
  char text[16];

  g_snprintf (text, sizeof text, "%u", value);
  set_value (label, caption, text);
}

static void
update_actions (FyRunPage *self)
{
  gboolean active = self->run != NULL && fy_run_is_active (self->run);
  gboolean preparing = self->preparing != NULL;
  gboolean valid = fy_launch_form_get_valid (self->form);
  const char *problem = fy_launch_form_get_problem (self->form);
  g_autofree char *reason = NULL;
  gboolean is_error = FALSE;

  gboolean can_cancel = preparing || (self->run != NULL &&
                                      fy_run_get_state (self->run) == FY_RUN_STATE_RUNNING);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "run.start", valid && !active && !preparing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "run.cancel", can_cancel);
  /* Red only while it would stop something: an insensitive destructive
   * button is a pale pink that reads as a warning with nothing to warn of. */
  if (can_cancel)
    gtk_widget_add_css_class (self->cancel_button, "destructive-action");
  else
    gtk_widget_remove_css_class (self->cancel_button, "destructive-action");

  if (active || preparing)
    reason = g_strdup (_("One run at a time: Start is refused until this one ends or is cancelled (Esc)."));
  else if (!valid && problem != NULL)
    {
      /* TRANSLATORS: why Start is insensitive; %s is the field's problem */
      reason = g_strdup_printf (_("Cannot start — %s"), problem);
      is_error = TRUE;
    }
  else if (self->start_error != NULL)
    {
      reason = g_strdup (self->start_error);
      is_error = TRUE;
    }
  else
    reason = g_strdup (_("Choose a workload, then Start (Ctrl+Return)."));

  gtk_label_set_label (self->reason_label, reason);
  if (is_error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->reason_label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->reason_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "dim-label");
    }
  /* Start's description says why it cannot be pressed. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->start_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, reason, -1);
}

static const char *
state_title (FyRunPage *self)
{
  if (self->preparing != NULL)
    return _("Preparing…");
  if (self->run == NULL)
    return _("Ready");
  switch (fy_run_get_state (self->run))
    {
    case FY_RUN_STATE_RUNNING:
      return _("Running");
    case FY_RUN_STATE_CANCELLING:
      return _("Cancelling…");
    case FY_RUN_STATE_FINISHED:
      return fy_run_get_failed (self->run) > 0 ? _("Finished with Failures") : _("Finished");
    case FY_RUN_STATE_CANCELLED:
      return _("Cancelled");
    case FY_RUN_STATE_READY:
    default:
      return _("Ready");
    }
}

static void
update_progress (FyRunPage *self)
{
  FyRun *run = self->run;
  g_autofree char *progress = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *elapsed = NULL;
  g_autofree char *eta = NULL;
  guint finished;

  set_value (self->state_label, _("Run State"), state_title (self));
  if (run == NULL)
    {
      gtk_progress_bar_set_text (self->progress_bar, _("No run yet"));
      set_value (self->done_label, _("Done"), "—");
      set_value (self->failed_label, _("Failed"), "—");
      set_value (self->cancelled_label, _("Cancelled"), "—");
      set_value (self->rate_label, _("Tasks per Second"), "—");
      set_value (self->elapsed_label, _("Elapsed"), "—");
      set_value (self->eta_label, _("Time Left"), "—");
      return;
    }

  finished = fy_run_get_done (run) + fy_run_get_failed (run) + fy_run_get_cancelled (run);
  /* TRANSLATORS: the progress bar's text, "17 of 40" tasks finished */
  progress = g_strdup_printf (_("%u of %u"), finished, fy_run_get_total (run));
  gtk_progress_bar_set_text (self->progress_bar, progress);
  gtk_progress_bar_set_fraction (self->progress_bar, fy_run_get_fraction (run));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, progress, -1);

  set_uint_value (self->done_label, _("Done"), fy_run_get_done (run));
  set_uint_value (self->failed_label, _("Failed"), fy_run_get_failed (run));
  set_uint_value (self->cancelled_label, _("Cancelled"), fy_run_get_cancelled (run));
  if (fy_run_get_failed (run) > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->failed_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->failed_label), "error");

  rate = g_strdup_printf (fy_run_get_tasks_per_second (run) >= 100 ? "%.0f" : "%.1f",
                          fy_run_get_tasks_per_second (run));
  set_value (self->rate_label, _("Tasks per Second"), rate);
  elapsed = format_seconds (fy_run_get_elapsed (run), !fy_run_is_active (run));
  set_value (self->elapsed_label, _("Elapsed"), elapsed);
  eta = format_seconds (fy_run_get_eta (run), !fy_run_is_active (run));
  set_value (self->eta_label, _("Time Left"), eta);
}

static void
update_verdict (FyRunPage *self)
{
  const char *verdict = self->run != NULL ? fy_run_get_verdict (self->run) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->verdict_label), verdict != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->timing_label), verdict != NULL);
  if (verdict == NULL)
    return;

  {
    g_autofree char *wall = format_seconds (fy_run_get_wall_time (self->run), TRUE);
    g_autofree char *summed = format_seconds (fy_run_get_task_time (self->run), TRUE);
    /* TRANSLATORS: under the verdict: wall time, summed task time, their ratio */
    g_autofree char *timing = g_strdup_printf (_("Wall time %s · summed task time %s · speedup %.2f×"),
                                               wall, summed, fy_run_get_speedup (self->run));

    set_value (self->verdict_label, _("Verdict"), verdict);
    set_value (self->timing_label, _("Timing"), timing);
  }
}

/* ---- frame statistics ----------------------------------------------------- */

static gboolean
frame_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  FyRunPage *self = FY_RUN_PAGE (widget);
  gint64 now = g_get_monotonic_time ();

  if (self->last_frame != 0)
    {
      gint64 interval = now - self->last_frame;

      g_array_append_val (self->frame_intervals, interval);
    }
  self->last_frame = now;
  return G_SOURCE_CONTINUE;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *sorted,
               double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0;
  i = MIN (sorted->len - 1, (guint) (p * (sorted->len - 1) + 0.5));
  return g_array_index (sorted, gint64, i) / 1000.0;
}

static void
write_frame_stats (FyRunPage *self)
{
  FyRun *run = self->run;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GString) in_order = g_string_new (NULL);
  double cpu = process_cpu_seconds () - self->cpu_at_start;
  guint total = fy_run_get_total (run);

  gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  /* The wait after the last frame counts too: a main loop too busy to
   * paint at all must not report no intervals. */
  frame_tick_cb (GTK_WIDGET (self), NULL, NULL);
  /* The intervals as they came, to see where the long ones fall. */
  for (guint i = 0; i < self->frame_intervals->len; i++)
    g_string_append_printf (in_order, "%s%.1f", i > 0 ? ", " : "",
                            g_array_index (self->frame_intervals, gint64, i) / 1000.0);
  g_array_sort (self->frame_intervals, compare_int64);
  json = g_strdup_printf ("{\"frames\": %u, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f,"
                          " \"tasks\": %u, \"done\": %u, \"failed\": %u, \"wall_seconds\": %.6f,"
                          " \"tasks_per_second\": %.3f, \"cpu_seconds\": %.6f,"
                          " \"cpu_ms_per_1000_tasks\": %.3f, \"intervals_ms\": [%s]}\n",
                          self->frame_intervals->len,
                          percentile_ms (self->frame_intervals, 0.5),
                          percentile_ms (self->frame_intervals, 0.99),
                          percentile_ms (self->frame_intervals, 1.0),
                          total, fy_run_get_done (run), fy_run_get_failed (run),
                          fy_run_get_wall_time (run),
                          fy_run_get_wall_time (run) > 0 ? total / fy_run_get_wall_time (run) : 0,
                          cpu, total > 0 ? cpu * 1000.0 * 1000.0 / total : 0, in_order->str);
  if (!g_file_set_contents (self->stats_path, json, -1, &error))
    g_warning ("FORKYARD_FRAME_STATS: %s", error->message);

  if (g_getenv ("FORKYARD_AUTORUN") != NULL)
    g_application_quit (g_application_get_default ());
}

/* ---- the run ----------------------------------------------------------------- */

static void
run_state_cb (FyRunPage *self)
{
  FyRunState state = fy_run_get_state (self->run);

  update_actions (self);
  update_progress (self);
  update_verdict (self);

  if (self->stats_path != NULL && state == FY_RUN_STATE_RUNNING && self->tick_id == 0)
    {
      g_array_set_size (self->frame_intervals, 0);
      /* From the start: the first frame may be long in coming. */
      self->last_frame = g_get_monotonic_time ();
      self->cpu_at_start = process_cpu_seconds ();
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), frame_tick_cb, NULL, NULL);
    }
  if (self->stats_path != NULL && self->tick_id != 0 &&
      (state == FY_RUN_STATE_FINISHED || state == FY_RUN_STATE_CANCELLED))
    write_frame_stats (self);
}

static void
set_run (FyRunPage *self,
         FyRun     *run)
{
  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      /* A finished run's pool is kept until the next one replaces it, so
       * its workers can still be looked at. */
      g_clear_object (&self->run);
    }
  self->run = run != NULL ? g_object_ref (run) : NULL;
  if (run != NULL)
    {
      g_signal_connect_object (run, "notify::state", G_CALLBACK (run_state_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::done", G_CALLBACK (update_progress), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::failed", G_CALLBACK (update_progress), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::cancelled", G_CALLBACK (update_progress), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::elapsed", G_CALLBACK (update_progress), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::tasks-per-second", G_CALLBACK (update_progress), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::verdict", G_CALLBACK (update_verdict), self, G_CONNECT_SWAPPED);
    }
  /* The run is started: its pool is there for the table and the timeline. */
  fy_workers_view_set_pool (self->workers_view, run != NULL ? fy_run_get_pool (run) : NULL);
  fy_task_timeline_set_pool (self->timeline, run != NULL ? fy_run_get_pool (run) : NULL);
  fy_results_view_set_run (self->results_view, run);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
  update_progress (self);
  update_verdict (self);
  update_actions (self);
}

static void
run_created_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(FyRunPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(FyRun) run = fy_launch_form_create_run_finish (FY_LAUNCH_FORM (object), result, &error);

  g_clear_object (&self->preparing);
  g_clear_pointer (&self->start_error, g_free);
  if (run != NULL && !fy_run_start (run, &error))
    g_clear_object (&run);
  if (run == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        /* TRANSLATORS: %s says why the run could not start */
        self->start_error = g_strdup_printf (_("The run could not start: %s"), error->message);
      update_progress (self);
      update_actions (self);
      return;
    }
  set_run (self, run);
  run_state_cb (self);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  FyRunPage *self = FY_RUN_PAGE (widget);

  if (self->preparing != NULL || (self->run != NULL && fy_run_is_active (self->run)) ||
      !fy_launch_form_get_valid (self->form))
    return;

  self->preparing = g_cancellable_new ();
  g_clear_pointer (&self->start_error, g_free);
  update_progress (self);
  update_actions (self);
  fy_launch_form_create_run_async (self->form, self->preparing, run_created_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  FyRunPage *self = FY_RUN_PAGE (widget);

  if (self->preparing != NULL)
    g_cancellable_cancel (self->preparing);
  else if (self->run != NULL)
    fy_run_cancel (self->run);
}

static void
form_changed_cb (FyRunPage *self)
{
  update_actions (self);
}

static gboolean
autorun_cb (gpointer user_data)
{
  FyRunPage *self = user_data;

  gtk_widget_activate_action (GTK_WIDGET (self), "run.start", NULL);
  return G_SOURCE_REMOVE;
}

static void
fy_run_page_map (GtkWidget *widget)
{
  FyRunPage *self = FY_RUN_PAGE (widget);
  static gboolean autorun_done = FALSE;

  GTK_WIDGET_CLASS (fy_run_page_parent_class)->map (widget);

  /* Once per process, when the page is first on screen. */
  if (!autorun_done && g_strcmp0 (g_getenv ("FORKYARD_AUTORUN"), "1") == 0)
    {
      autorun_done = TRUE;
      g_timeout_add_full (G_PRIORITY_DEFAULT, 300, autorun_cb, g_object_ref (self), g_object_unref);
    }
}

static void
fy_run_page_dispose (GObject *object)
{
  FyRunPage *self = FY_RUN_PAGE (object);

  if (self->preparing != NULL)
    g_cancellable_cancel (self->preparing);
  g_clear_object (&self->preparing);
  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  /* Closing the window ends its run: the pool is terminated, and its
   * workers killed, stopped ones too. */
  if (self->run != NULL)
    fy_run_cancel (self->run);
  g_clear_object (&self->run);
  /* The flap, AdwBin's child, is not bound to a field: AdwBin unparents
   * it, and disposing the template must not do so first. */
  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_RUN_PAGE);

  G_OBJECT_CLASS (fy_run_page_parent_class)->dispose (object);
}

static void
fy_run_page_finalize (GObject *object)
{
  FyRunPage *self = FY_RUN_PAGE (object);

  g_free (self->start_error);
  g_free (self->stats_path);
  g_clear_pointer (&self->frame_intervals, g_array_unref);

  G_OBJECT_CLASS (fy_run_page_parent_class)->finalize (object);
}

static void
fy_run_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FyRunPage *self = FY_RUN_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_run_page_class_init (FyRunPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_run_page_dispose;
  object_class->finalize = fy_run_page_finalize;
  object_class->get_property = fy_run_page_get_property;
  widget_class->map = fy_run_page_map;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL, FY_TYPE_RUN,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A group, so the page is found by its name as the status page it
   * replaced was. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_install_action (widget_class, "run.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "run.cancel", NULL, cancel_action);

  g_type_ensure (FY_TYPE_INSPECTOR);
  g_type_ensure (FY_TYPE_LAUNCH_FORM);
  g_type_ensure (FY_TYPE_WORKERS_VIEW);
  g_type_ensure (FY_TYPE_TASK_TIMELINE);
  g_type_ensure (FY_TYPE_RESULTS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-run-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, form);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, reason_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, done_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, failed_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, cancelled_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, rate_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, eta_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, timing_label);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, tables_stack);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, workers_view);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, timeline);
  gtk_widget_class_bind_template_child (widget_class, FyRunPage, results_view);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
}

static void
fy_run_page_init (FyRunPage *self)
{
  GtkEventController *shortcuts;
  const char *stats_path = g_getenv ("FORKYARD_FRAME_STATS");

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Ctrl+Return and Escape work wherever the focus is in the window. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK),
                                                          gtk_named_action_new ("run.start")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK),
                                                          gtk_named_action_new ("run.start")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("run.cancel")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  if (stats_path != NULL && *stats_path != '\0')
    {
      self->stats_path = g_strdup (stats_path);
      self->frame_intervals = g_array_new (FALSE, FALSE, sizeof (gint64));
    }

  update_progress (self);
  update_verdict (self);
  update_actions (self);
}

FyRun *
fy_run_page_get_run (FyRunPage *self)
{
  g_return_val_if_fail (FY_IS_RUN_PAGE (self), NULL);
  return self->run;
}
