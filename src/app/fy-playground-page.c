/* fy-playground-page.c: the Playground page — classic examples beside the inspector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One scenario runs at a time. Its printed lines are read from the run's
 * shared output list a few times a second while it runs (a read of shared
 * memory, no message) and kept per scenario with its outcome, so going back
 * to a scenario shows its last run.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "workloads/fy-scenario.h"

#include "fy-inspector.h"
#include "fy-playground-page.h"
#include "fy-timing-chart.h"

/* How often the output of a running scenario is read. */
#define DRAIN_INTERVAL_MS 50

typedef struct
{
  GString  *output;
  gboolean  ran;        /* finished, with an outcome */
  gboolean  matched;
  char     *outcome;    /* the outcome, or why it could not run */
  GVariant *details;    /* the figures it measured (a{sv}), or NULL */
} LastRun;

struct _FyPlaygroundPage
{
  GtkWidget       parent_instance;

  GHashTable     *last_runs;     /* name → LastRun */
  FyScenarioRun  *run;           /* the running one, or NULL */
  const FyScenarioInfo *running; /* its scenario */
  GCancellable   *cancellable;
  guint           drain_id;

  GtkListView    *scenario_list;
  GtkSingleSelection *selection;
  GtkLabel       *title_label;
  GtkLabel       *summary_label;
  GtkLabel       *explanation_label;
  GtkLabel       *python_label;
  GtkLabel       *c_label;
  GtkLabel       *expected_label;
  GtkButton      *run_button;
  GtkLabel       *run_status_label;
  GtkTextView    *output_view;
  GtkLabel       *outcome_status_label;
  GtkLabel       *outcome_label;
  FyTimingChart  *timing_chart;
};

G_DEFINE_FINAL_TYPE (FyPlaygroundPage, fy_playground_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SCENARIO,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
last_run_free (gpointer data)
{
  LastRun *last = data;

  g_string_free (last->output, TRUE);
  g_free (last->outcome);
  g_clear_pointer (&last->details, g_variant_unref);
  g_free (last);
}

static LastRun *
last_run_for (FyPlaygroundPage *self,
              const char       *name)
{
  LastRun *last = g_hash_table_lookup (self->last_runs, name);

  if (last == NULL)
    {
      last = g_new0 (LastRun, 1);
      last->output = g_string_new (NULL);
      g_hash_table_insert (self->last_runs, g_strdup (name), last);
    }
  return last;
}

static const FyScenarioInfo *
selected_info (FyPlaygroundPage *self)
{
  GtkStringObject *item = gtk_single_selection_get_selected_item (self->selection);

  return item != NULL ? fy_scenario_lookup (gtk_string_object_get_string (item)) : NULL;
}

/* Closure of the sidebar rows: a scenario's translated title. */
static char *
scenario_title (gpointer    unused,
                const char *name)
{
  const FyScenarioInfo *info = name != NULL ? fy_scenario_lookup (name) : NULL;

  return g_strdup (info != NULL ? _(info->title) : "");
}

/* The timings a scenario measured, drawn as bars: today the
 * threads-vs-processes one, the seeds' bar chart. */
typedef struct
{
  const char *key;
  const char *label;
} Timing;

static const Timing timings[] = {
  { "sequential", N_("Sequential") },
  { "threads-gil", N_("Threads, simulated GIL") },
  { "threads-free", N_("Threads, free") },
  { "processes", N_("Processes") },
};

static void
show_timings (FyPlaygroundPage *self,
              LastRun          *last)
{
  guint n = 0;

  fy_timing_chart_clear (self->timing_chart);
  if (last != NULL && last->ran && last->details != NULL)
    {
      g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (last->details);

      for (guint i = 0; i < G_N_ELEMENTS (timings); i++)
        {
          double seconds;

          if (g_variant_dict_lookup (&dict, timings[i].key, "d", &seconds)
              && isfinite (seconds) && seconds >= 0)
            {
              fy_timing_chart_add (self->timing_chart, _(timings[i].label), seconds);
              n++;
            }
        }

      /* The speedup curve: one bar per worker count. */
      if (g_variant_dict_contains (&dict, "worker-seconds"))
        {
          g_autoptr(GVariant) curve = g_variant_dict_lookup_value (&dict, "worker-seconds",
                                                                   G_VARIANT_TYPE ("ad"));
          gsize n_counts = 0;
          const double *per_count = curve != NULL
                                    ? g_variant_get_fixed_array (curve, &n_counts, sizeof (double))
                                    : NULL;

          for (gsize i = 0; i < n_counts; i++)
            {
              g_autofree char *label = NULL;

              if (!isfinite (per_count[i]) || per_count[i] < 0)
                continue;
              label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers", i + 1),
                                       (guint) (i + 1));
              fy_timing_chart_add (self->timing_chart, label, per_count[i]);
              n++;
            }
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->timing_chart), n > 0);
}

static void
show_outcome (FyPlaygroundPage *self,
              const FyScenarioInfo *info)
{
  LastRun *last = g_hash_table_lookup (self->last_runs, info->name);
  gboolean running = self->running == info;
  GtkWidget *status = GTK_WIDGET (self->outcome_status_label);

  gtk_widget_remove_css_class (status, "success");
  gtk_widget_remove_css_class (status, "error");
  show_timings (self, running ? NULL : last);
  if (running)
    {
      gtk_label_set_label (self->outcome_status_label, _("Running…"));
      gtk_label_set_label (self->outcome_label, "");
    }
  else if (last == NULL)
    {
      gtk_label_set_label (self->outcome_status_label, _("Not run yet"));
      gtk_label_set_label (self->outcome_label, "");
    }
  else
    {
      if (!last->ran)
        gtk_label_set_label (self->outcome_status_label, _("Could not run"));
      else if (last->matched)
        gtk_label_set_label (self->outcome_status_label, _("Outcome matched"));
      else
        gtk_label_set_label (self->outcome_status_label, _("Outcome did not match"));
      gtk_widget_add_css_class (status, last->ran && last->matched ? "success" : "error");
      gtk_label_set_label (self->outcome_label, last->outcome);
    }
}

static void
update_run_controls (FyPlaygroundPage *self)
{
  const FyScenarioInfo *info = selected_info (self);
  gboolean busy = self->run != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button), !busy && info != NULL);
  if (busy && info != self->running)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” is running"), _(self->running->title));

      gtk_label_set_label (self->run_status_label, text);
    }
  else
    gtk_label_set_label (self->run_status_label, busy ? _("Running…") : "");
}

static void
show_scenario (FyPlaygroundPage *self)
{
  const FyScenarioInfo *info = selected_info (self);
  LastRun *last;

  if (info == NULL)
    return;
  gtk_label_set_label (self->title_label, _(info->title));
  gtk_label_set_label (self->summary_label, _(info->summary));
  gtk_label_set_label (self->explanation_label, _(info->explanation));
  gtk_label_set_label (self->python_label, info->python);
  gtk_label_set_label (self->c_label, info->c_code);
  gtk_label_set_label (self->expected_label, _(info->expected));

  last = g_hash_table_lookup (self->last_runs, info->name);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view),
                            last != NULL ? last->output->str : "", -1);
  show_outcome (self, info);
  update_run_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCENARIO]);
}

static void
drain (FyPlaygroundPage *self)
{
  g_auto(GStrv) lines = NULL;
  LastRun *last;
  gboolean shown;
  GtkTextBuffer *buffer;
  GtkTextIter end;

  if (self->run == NULL)
    return;
  lines = fy_scenario_run_take_lines (self->run);
  if (lines[0] == NULL)
    return;

  last = last_run_for (self, self->running->name);
  shown = selected_info (self) == self->running;
  buffer = gtk_text_view_get_buffer (self->output_view);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_string_append (last->output, lines[i]);
      g_string_append_c (last->output, '\n');
      if (shown)
        {
          gtk_text_buffer_get_end_iter (buffer, &end);
          gtk_text_buffer_insert (buffer, &end, lines[i], -1);
          gtk_text_buffer_get_end_iter (buffer, &end);
          gtk_text_buffer_insert (buffer, &end, "\n", 1);
        }
    }
  if (shown)
    {
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_view_scroll_to_iter (self->output_view, &end, 0, FALSE, 0, 0);
    }
}

static gboolean
drain_cb (gpointer data)
{
  drain (data);
  return G_SOURCE_CONTINUE;
}

static void
executed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(FyPlaygroundPage) self = user_data;
  g_autoptr(FyScenarioRun) run = g_steal_pointer (&self->run);
  g_autoptr(GError) error = NULL;
  const FyScenarioInfo *info = self->running;
  LastRun *last;
  gboolean ran;

  ran = fy_scenario_run_execute_finish (run, result, &error);
  /* The lines printed last, after the final read of the timer. */
  self->run = run;
  drain (self);
  self->run = NULL;
  g_clear_handle_id (&self->drain_id, g_source_remove);
  g_clear_object (&self->cancellable);

  last = last_run_for (self, info->name);
  last->ran = ran;
  last->matched = ran && fy_scenario_run_get_matched (run);
  g_free (last->outcome);
  last->outcome = g_strdup (ran ? fy_scenario_run_get_outcome (run) : error->message);
  g_clear_pointer (&last->details, g_variant_unref);
  if (ran)
    last->details = fy_scenario_run_get_details (run);
  self->running = NULL;

  /* The page may have gone while the scenario ran. */
  if (self->selection == NULL)
    return;
  if (selected_info (self) == info)
    show_outcome (self, info);
  update_run_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
run_clicked_cb (FyPlaygroundPage *self)
{
  const FyScenarioInfo *info = selected_info (self);
  g_autoptr(GError) error = NULL;
  LastRun *last;

  if (info == NULL || self->run != NULL)
    return;

  last = last_run_for (self, info->name);
  g_string_truncate (last->output, 0);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), "", 0);

  self->run = fy_scenario_run_new (info, TRUE, &error);
  if (self->run == NULL)
    {
      last->ran = FALSE;
      g_free (last->outcome);
      last->outcome = g_strdup (error->message);
      show_outcome (self, info);
      return;
    }
  self->running = info;
  self->cancellable = g_cancellable_new ();
  self->drain_id = g_timeout_add (DRAIN_INTERVAL_MS, drain_cb, self);
  fy_scenario_run_execute_async (self->run, self->cancellable, executed_cb, g_object_ref (self));

  show_outcome (self, info);
  update_run_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
selection_changed_cb (FyPlaygroundPage *self)
{
  show_scenario (self);
}

static void
fy_playground_page_dispose (GObject *object)
{
  FyPlaygroundPage *self = FY_PLAYGROUND_PAGE (object);

  g_clear_handle_id (&self->drain_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_PLAYGROUND_PAGE);
  /* The template's root box is not bound to a field: unparent it too. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (fy_playground_page_parent_class)->dispose (object);
}

static void
fy_playground_page_finalize (GObject *object)
{
  FyPlaygroundPage *self = FY_PLAYGROUND_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_runs, g_hash_table_unref);

  G_OBJECT_CLASS (fy_playground_page_parent_class)->finalize (object);
}

static void
fy_playground_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  FyPlaygroundPage *self = FY_PLAYGROUND_PAGE (object);

  switch (prop_id)
    {
    case PROP_SCENARIO:
      g_value_set_string (value, fy_playground_page_get_scenario (self));
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, fy_playground_page_get_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_playground_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  FyPlaygroundPage *self = FY_PLAYGROUND_PAGE (object);

  switch (prop_id)
    {
    case PROP_SCENARIO:
      fy_playground_page_set_scenario (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_playground_page_class_init (FyPlaygroundPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_playground_page_dispose;
  object_class->finalize = fy_playground_page_finalize;
  object_class->get_property = fy_playground_page_get_property;
  object_class->set_property = fy_playground_page_set_property;

  properties[PROP_SCENARIO] =
    g_param_spec_string ("scenario", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FY_TYPE_INSPECTOR);
  g_type_ensure (FY_TYPE_TIMING_CHART);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-playground-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, scenario_list);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, python_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, c_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, expected_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, run_button);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, run_status_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, output_view);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, outcome_status_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, outcome_label);
  gtk_widget_class_bind_template_child (widget_class, FyPlaygroundPage, timing_chart);
  gtk_widget_class_bind_template_callback (widget_class, run_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, scenario_title);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
fy_playground_page_init (FyPlaygroundPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const FyScenarioInfo *all;
  guint n;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Classic Examples"),
                                  -1);

  self->last_runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, last_run_free);

  all = fy_scenario_get_all (&n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (names, all[i].name);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_steal_pointer (&names)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_list_view_set_model (self->scenario_list, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  show_scenario (self);
}

GtkWidget *
fy_playground_page_new (void)
{
  return g_object_new (FY_TYPE_PLAYGROUND_PAGE, NULL);
}

const char *
fy_playground_page_get_scenario (FyPlaygroundPage *self)
{
  const FyScenarioInfo *info;

  g_return_val_if_fail (FY_IS_PLAYGROUND_PAGE (self), NULL);

  info = selected_info (self);
  return info != NULL ? info->name : NULL;
}

gboolean
fy_playground_page_set_scenario (FyPlaygroundPage *self,
                                 const char       *name)
{
  GListModel *names;

  g_return_val_if_fail (FY_IS_PLAYGROUND_PAGE (self), FALSE);

  names = gtk_single_selection_get_model (self->selection);
  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (names), i), name) == 0)
      {
        gtk_single_selection_set_selected (self->selection, i);
        return TRUE;
      }
  return FALSE;
}

gboolean
fy_playground_page_get_running (FyPlaygroundPage *self)
{
  g_return_val_if_fail (FY_IS_PLAYGROUND_PAGE (self), FALSE);
  return self->run != NULL;
}
