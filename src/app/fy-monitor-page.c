/* fy-monitor-page.c: the Monitor page — every core, the load, the pool's processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Per-core history as lines (up to 16 cores) or as a heatmap (chosen by
 * the core count, switchable), or the same figures as a table for screen
 * readers; the total and the load average as text; and the watched
 * processes — this app and the current pool's workers — with state, CPU %,
 * a sparkline and memory.
 *
 * The page holds the application's shared sampler only while it is mapped,
 * so nothing samples while no one looks. The interval and history length
 * come from the preferences through the sampler; pausing is the
 * app.pause-monitor action.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <unistd.h>

#include "fy-cpu-graph.h"
#include "fy-cpu-heatmap.h"
#include "fy-graph-util.h"
#include "fy-monitor-core.h"
#include "fy-monitor-page.h"
#include "fy-monitor-process.h"
#include "fy-sampler-provider.h"
#include "fy-sparkline.h"

struct _FyMonitorPage
{
  GtkWidget       parent_instance;

  FyCpuSampler   *sampler;
  FyPool         *pool;
  FySamplerProvider *held_provider;
  GListStore     *cores;
  GListStore     *processes;
  gboolean        view_chosen;

  GtkWidget      *scroller;
  GtkLabel       *total_label;
  GtkLabel       *load_label;
  GtkLabel       *updated_label;
  GtkToggleButton *graph_button;
  GtkToggleButton *heatmap_button;
  GtkToggleButton *table_button;
  GtkStack       *view_stack;
  FyCpuGraph     *graph;
  FyCpuHeatmap   *heatmap;
  GtkColumnView  *core_view;
  GtkColumnView  *process_view;
  GtkWidget      *processes_empty_label;
};

G_DEFINE_FINAL_TYPE (FyMonitorPage, fy_monitor_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SAMPLER,
  PROP_POOL,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
pid_text (gpointer unused,
          int      pid)
{
  return g_strdup_printf ("%d", pid);
}

static void
update_cores_table (FyMonitorPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->cores));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyMonitorCore) core = g_list_model_get_item (G_LIST_MODEL (self->cores), i);

      /* Row 0 is the total, then the cores in order. */
      fy_monitor_core_update (core, i == 0 ? fy_cpu_sampler_get_total (self->sampler)
                                           : fy_cpu_sampler_get_core (self->sampler, i - 1));
    }
}

static void
update_updated_label (FyMonitorPage *self)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *time = NULL;
  g_autofree char *text = NULL;

  if (self->sampler == NULL)
    return;
  if (fy_cpu_sampler_get_paused (self->sampler))
    {
      gtk_label_set_label (self->updated_label, _("Sampling paused"));
      return;
    }
  if (fy_cpu_sampler_get_n_samples (self->sampler) == 0)
    {
      gtk_label_set_label (self->updated_label, _("Waiting for the first sample"));
      return;
    }
  now = g_date_time_new_now_local ();
  time = g_date_time_format (now, "%X");
  /* Translators: when the figures were last sampled, a local time. */
  text = g_strdup_printf (_("Updated at %s"), time);
  gtk_label_set_label (self->updated_label, text);
}

static FyMonitorProcess *
find_process (FyMonitorPage *self,
              GPid           pid,
              guint         *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->processes));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyMonitorProcess) row = g_list_model_get_item (G_LIST_MODEL (self->processes), i);

      if (fy_monitor_process_get_pid (row) == pid)
        {
          *position = i;
          return row;
        }
    }
  return NULL;
}

/* Brings the process rows in line with the sampler's processes: existing
 * rows update in place (keeping any selection), new pids are appended and
 * rows of pids no longer watched go. A process seen gone is shown as
 * exited once, then no longer watched. */
static void
update_processes (FyMonitorPage *self)
{
  FyProcessSampler *processes = fy_cpu_sampler_get_processes (self->sampler);
  guint history_length = fy_cpu_sampler_get_history_length (self->sampler);
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->processes));
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (GPid));

  for (guint i = n_rows; i > 0; i--)
    {
      g_autoptr(FyMonitorProcess) row = g_list_model_get_item (G_LIST_MODEL (self->processes), i - 1);

      if (fy_process_sampler_lookup (processes, fy_monitor_process_get_pid (row)) == NULL)
        g_list_store_remove (self->processes, i - 1);
    }

  for (guint i = 0; i < fy_process_sampler_get_n_processes (processes); i++)
    {
      const FyProcessInfo *info = fy_process_sampler_get_nth (processes, i);
      guint position;
      FyMonitorProcess *row = find_process (self, info->pid, &position);

      if (row == NULL)
        {
          g_autoptr(FyMonitorProcess) added = fy_monitor_process_new (info->pid, history_length);

          g_list_store_append (self->processes, added);
          row = added;
        }
      fy_monitor_process_update (row, info);
      if (info->gone)
        g_array_append_val (gone, info->pid);
    }
  for (guint i = 0; i < gone->len; i++)
    fy_process_sampler_remove (processes, g_array_index (gone, GPid, i));

  gtk_widget_set_visible (self->processes_empty_label,
                          self->pool == NULL || fy_pool_get_state (self->pool) == FY_POOL_STATE_NEW);
  gtk_widget_set_visible (GTK_WIDGET (self->process_view),
                          g_list_model_get_n_items (G_LIST_MODEL (self->processes)) > 0);
}

static void
sampled_cb (FyMonitorPage *self)
{
  double load[3];
  g_autofree char *total = fy_graph_format_percent (fy_cpu_sampler_get_total (self->sampler)->busy);
  g_autofree char *total_text = NULL;
  g_autofree char *load_text = NULL;

  /* Translators: the load of all cores together, e.g. "Total CPU 37 %". */
  total_text = g_strdup_printf (_("Total CPU %s"), total);
  gtk_label_set_label (self->total_label, total_text);
  fy_cpu_sampler_get_load_average (self->sampler, load);
  /* Translators: the 1, 5 and 15 minute load averages. */
  load_text = g_strdup_printf (_("Load average %.2f, %.2f, %.2f (1, 5, 15 min)"),
                               load[0], load[1], load[2]);
  gtk_label_set_label (self->load_label, load_text);
  update_updated_label (self);

  /* The table's texts only while it is shown: 256 cores are 768 labels. */
  if (gtk_stack_get_visible_child (self->view_stack) == GTK_WIDGET (self->core_view))
    update_cores_table (self);
  update_processes (self);
}

static void
history_length_cb (FyMonitorPage *self)
{
  guint length = fy_cpu_sampler_get_history_length (self->sampler);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->processes));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyMonitorProcess) row = g_list_model_get_item (G_LIST_MODEL (self->processes), i);

      fy_history_set_capacity (fy_monitor_process_get_history (row), length);
    }
}

static void
view_toggled_cb (FyMonitorPage *self)
{
  const char *view = gtk_toggle_button_get_active (self->heatmap_button) ? "heatmap"
                   : gtk_toggle_button_get_active (self->table_button) ? "table"
                   : "graph";

  if (!gtk_toggle_button_get_active (self->graph_button)
      && !gtk_toggle_button_get_active (self->heatmap_button)
      && !gtk_toggle_button_get_active (self->table_button))
    return;  /* halfway through a switch within the group */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), view) == 0)
    return;
  gtk_stack_set_visible_child_name (self->view_stack, view);
  if (self->sampler != NULL && g_str_equal (view, "table"))
    update_cores_table (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

/* Lines up to 16 cores, a heatmap beyond, unless the user chose. */
static void
choose_view (FyMonitorPage *self)
{
  gboolean many = self->sampler != NULL
                  && fy_cpu_sampler_get_n_cpus (self->sampler) > FY_CPU_GRAPH_MAX_LINES;

  gtk_widget_set_sensitive (GTK_WIDGET (self->graph_button), !many);
  if (many && gtk_toggle_button_get_active (self->graph_button))
    gtk_toggle_button_set_active (self->heatmap_button, TRUE);
  else if (!self->view_chosen)
    gtk_toggle_button_set_active (many ? self->heatmap_button : self->graph_button, TRUE);
}

static void
rebuild_cores (FyMonitorPage *self)
{
  g_list_store_remove_all (self->cores);
  if (self->sampler == NULL)
    return;
  {
    g_autoptr(FyMonitorCore) total = fy_monitor_core_new (_("Total"));

    g_list_store_append (self->cores, total);
  }
  for (guint i = 0; i < fy_cpu_sampler_get_n_cpus (self->sampler); i++)
    {
      g_autofree char *name = g_strdup_printf (_("CPU %u"), i + 1);
      g_autoptr(FyMonitorCore) core = fy_monitor_core_new (name);

      g_list_store_append (self->cores, core);
    }
  update_cores_table (self);
}

static void
watch_pool_workers (FyMonitorPage *self)
{
  GListModel *workers;

  if (self->pool == NULL || self->sampler == NULL)
    return;
  workers = fy_pool_get_workers (self->pool);
  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);
      GPid pid = fy_pool_worker_get_pid (worker);

      if (pid > 0)
        fy_process_sampler_add (fy_cpu_sampler_get_processes (self->sampler), pid);
    }
}

static void
fy_monitor_page_map (GtkWidget *widget)
{
  FyMonitorPage *self = FY_MONITOR_PAGE (widget);
  FySamplerProvider *provider = fy_sampler_provider_find (widget);

  GTK_WIDGET_CLASS (fy_monitor_page_parent_class)->map (widget);

  if (provider != NULL)
    {
      if (self->sampler == NULL)
        fy_monitor_page_set_sampler (self, fy_sampler_provider_get_cpu_sampler (provider));
      if (self->sampler == fy_sampler_provider_get_cpu_sampler (provider))
        {
          self->held_provider = g_object_ref (provider);
          fy_sampler_provider_hold_sampler (self->held_provider);
        }
    }
  update_updated_label (self);
}

static void
fy_monitor_page_unmap (GtkWidget *widget)
{
  FyMonitorPage *self = FY_MONITOR_PAGE (widget);

  if (self->held_provider != NULL)
    {
      fy_sampler_provider_release_sampler (self->held_provider);
      g_clear_object (&self->held_provider);
    }

  GTK_WIDGET_CLASS (fy_monitor_page_parent_class)->unmap (widget);
}

static void
fy_monitor_page_dispose (GObject *object)
{
  FyMonitorPage *self = FY_MONITOR_PAGE (object);

  fy_monitor_page_set_pool (self, NULL);
  fy_monitor_page_set_sampler (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_MONITOR_PAGE);
  g_clear_object (&self->cores);
  g_clear_object (&self->processes);
  g_clear_object (&self->held_provider);

  G_OBJECT_CLASS (fy_monitor_page_parent_class)->dispose (object);
}

static void
fy_monitor_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  FyMonitorPage *self = FY_MONITOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      g_value_set_object (value, self->sampler);
      break;

    case PROP_POOL:
      g_value_set_object (value, self->pool);
      break;

    case PROP_VIEW:
      g_value_set_string (value, fy_monitor_page_get_view (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_monitor_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FyMonitorPage *self = FY_MONITOR_PAGE (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      fy_monitor_page_set_sampler (self, g_value_get_object (value));
      break;

    case PROP_POOL:
      fy_monitor_page_set_pool (self, g_value_get_object (value));
      break;

    case PROP_VIEW:
      fy_monitor_page_set_view (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_monitor_page_class_init (FyMonitorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_monitor_page_dispose;
  object_class->get_property = fy_monitor_page_get_property;
  object_class->set_property = fy_monitor_page_set_property;

  widget_class->map = fy_monitor_page_map;
  widget_class->unmap = fy_monitor_page_unmap;

  properties[PROP_SAMPLER] =
    g_param_spec_object ("sampler", NULL, NULL,
                         FY_TYPE_CPU_SAMPLER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POOL] =
    g_param_spec_object ("pool", NULL, NULL,
                         FY_TYPE_POOL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "graph",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FY_TYPE_CPU_GRAPH);
  g_type_ensure (FY_TYPE_CPU_HEATMAP);
  g_type_ensure (FY_TYPE_MONITOR_CORE);
  g_type_ensure (FY_TYPE_MONITOR_PROCESS);
  g_type_ensure (FY_TYPE_SPARKLINE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-monitor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, total_label);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, load_label);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, updated_label);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, graph_button);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, heatmap_button);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, table_button);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, graph);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, heatmap);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, core_view);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, process_view);
  gtk_widget_class_bind_template_child (widget_class, FyMonitorPage, processes_empty_label);
  gtk_widget_class_bind_template_callback (widget_class, view_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, pid_text);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
fy_monitor_page_init (FyMonitorPage *self)
{
  g_autoptr(GtkNoSelection) cores_selection = NULL;
  g_autoptr(GtkNoSelection) processes_selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Watch Every Core"),
                                  -1);

  self->cores = g_list_store_new (FY_TYPE_MONITOR_CORE);
  self->processes = g_list_store_new (FY_TYPE_MONITOR_PROCESS);
  cores_selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->cores)));
  processes_selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->processes)));
  gtk_column_view_set_model (self->core_view, GTK_SELECTION_MODEL (cores_selection));
  gtk_column_view_set_model (self->process_view, GTK_SELECTION_MODEL (processes_selection));

  gtk_label_set_label (self->total_label, _("Total CPU"));
  gtk_widget_set_visible (GTK_WIDGET (self->process_view), FALSE);
  choose_view (self);
}

GtkWidget *
fy_monitor_page_new (void)
{
  return g_object_new (FY_TYPE_MONITOR_PAGE, NULL);
}

FyCpuSampler *
fy_monitor_page_get_sampler (FyMonitorPage *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PAGE (self), NULL);

  return self->sampler;
}

void
fy_monitor_page_set_sampler (FyMonitorPage *self,
                             FyCpuSampler  *sampler)
{
  g_return_if_fail (FY_IS_MONITOR_PAGE (self));
  g_return_if_fail (sampler == NULL || FY_IS_CPU_SAMPLER (sampler));

  if (self->sampler == sampler)
    return;
  if (self->held_provider != NULL)
    {
      fy_sampler_provider_release_sampler (self->held_provider);
      g_clear_object (&self->held_provider);
    }
  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_data (self->sampler, self);
  g_set_object (&self->sampler, sampler);
  fy_cpu_graph_set_sampler (self->graph, sampler);
  fy_cpu_heatmap_set_sampler (self->heatmap, sampler);
  g_list_store_remove_all (self->processes);
  if (sampler != NULL)
    {
      g_signal_connect_object (sampler, "sampled", G_CALLBACK (sampled_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (sampler, "notify::paused", G_CALLBACK (update_updated_label), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (sampler, "notify::history-length", G_CALLBACK (history_length_cb), self,
                               G_CONNECT_SWAPPED);
      /* The app's own process, unless the cores are scripted: then the
       * process figures are too, and this process is not among them. */
      if (!FY_IS_FAKE_SOURCE (fy_cpu_sampler_get_source (sampler)))
        fy_process_sampler_add (fy_cpu_sampler_get_processes (sampler), getpid ());
      watch_pool_workers (self);
    }
  rebuild_cores (self);
  choose_view (self);
  update_updated_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
}

FyPool *
fy_monitor_page_get_pool (FyMonitorPage *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PAGE (self), NULL);

  return self->pool;
}

void
fy_monitor_page_set_pool (FyMonitorPage *self,
                          FyPool        *pool)
{
  g_return_if_fail (FY_IS_MONITOR_PAGE (self));
  g_return_if_fail (pool == NULL || FY_IS_POOL (pool));

  if (self->pool == pool)
    return;
  if (self->pool != NULL)
    g_signal_handlers_disconnect_by_data (fy_pool_get_workers (self->pool), self);
  g_set_object (&self->pool, pool);
  if (pool != NULL)
    {
      /* A replaced worker is a new item in the workers model. */
      g_signal_connect_object (fy_pool_get_workers (pool), "items-changed",
                               G_CALLBACK (watch_pool_workers), self, G_CONNECT_SWAPPED);
      watch_pool_workers (self);
    }
  gtk_widget_set_visible (self->processes_empty_label, pool == NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOL]);
}

const char *
fy_monitor_page_get_view (FyMonitorPage *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->view_stack);
}

void
fy_monitor_page_set_view (FyMonitorPage *self,
                          const char    *view)
{
  g_return_if_fail (FY_IS_MONITOR_PAGE (self));
  g_return_if_fail (view != NULL);

  self->view_chosen = TRUE;
  if (g_str_equal (view, "graph"))
    gtk_toggle_button_set_active (self->graph_button, TRUE);
  else if (g_str_equal (view, "heatmap"))
    gtk_toggle_button_set_active (self->heatmap_button, TRUE);
  else if (g_str_equal (view, "table"))
    gtk_toggle_button_set_active (self->table_button, TRUE);
  else
    g_warning ("No monitor view named “%s”", view);
}
