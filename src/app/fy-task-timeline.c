/* fy-task-timeline.c: which worker ran which task on which core, when
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One lane per worker slot, labelled with its worker's pid; when a worker
 * is replaced, the lane starts a new segment labelled with the new pid.
 * One bar per task (a map chunk is one task, with its items marked inside
 * it when there is room), shaped and coloured by state so the state never
 * rests on colour alone: done is a solid bar, running an outline, failed
 * has bands at top and bottom, timed out a band at the top, cancelled is
 * half height. Above the lanes, on the same time axis, a strip of every
 * core's load from the CPU sampler.
 *
 * The bars are kept per lane in start order (a worker runs one task at a
 * time), so a frame finds the first visible bar by binary search and
 * stops at the first one past the right edge; bars under a pixel merge
 * (fy-timeline-layout). While tasks run and the widget is mapped, a tick
 * callback redraws once per frame so the view scrolls live; otherwise a
 * redraw happens only on news. Scroll pans, Ctrl+scroll and pinch zoom.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fy-application.h"
#include "fy-graph-util.h"
#include "fy-task-timeline-private.h"

#define MAX_SAMPLES   3600

G_DEFINE_FINAL_TYPE (FyTaskTimeline, fy_task_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_POOL,
  PROP_SAMPLER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lane_clear (gpointer data)
{
  Lane *lane = data;

  g_clear_pointer (&lane->bars, g_array_unref);
  g_clear_pointer (&lane->segments, g_array_unref);
}

static void
task_clear (gpointer data)
{
  Task *task = data;

  g_clear_object (&task->future);
}

static Lane *
get_lane (FyTaskTimeline *self,
          guint           index)
{
  while (self->lanes->len <= index)
    {
      Lane lane = {
        g_array_new (FALSE, FALSE, sizeof (FyTimelineBar)),
        g_array_new (FALSE, FALSE, sizeof (Segment)),
      };

      g_array_append_val (self->lanes, lane);
    }
  return &g_array_index (self->lanes, Lane, index);
}

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

/* ---- accessible description ------------------------------------------- */

static char *
build_description (FyTaskTimeline *self)
{
  GString *text = g_string_new (NULL);
  guint total = self->pool != NULL ? g_list_model_get_n_items (fy_pool_get_tasks (self->pool))
                                   : self->n_scripted;

  /* Translators: the task timeline's summary for screen readers. */
  g_string_append_printf (text, _("timeline: %u of %u tasks done, %u running, %u failed, %u timed out, %u cancelled; %u lanes"),
                          self->n_state[FY_TIMELINE_DONE], total,
                          self->n_state[FY_TIMELINE_RUNNING], self->n_state[FY_TIMELINE_FAILED],
                          self->n_state[FY_TIMELINE_TIMED_OUT], self->n_state[FY_TIMELINE_CANCELLED],
                          self->lanes->len);
  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = &g_array_index (self->lanes, Lane, l);

      g_string_append (text, l == 0 ? ": " : ", ");
      /* Translators: a lane of the timeline and its worker's pid. */
      g_string_append_printf (text, _("lane %u: worker %d"), l + 1,
                              lane->segments->len > 0 ? g_array_index (lane->segments, Segment, 0).pid : 0);
      for (guint s = 1; s < lane->segments->len; s++)
        /* Translators: a worker that replaced the one before it. */
        g_string_append_printf (text, _(", then %d"), g_array_index (lane->segments, Segment, s).pid);
    }
  if (self->selected >= 0)
    {
      g_autofree char *details = fy_task_timeline_describe_task (self, self->selected, -1);

      /* Translators: the details of the bar selected in the timeline. */
      g_string_append_printf (text, _("; selected: %s"), details);
    }
  return g_string_free (text, FALSE);
}

static char *
describe (gpointer owner)
{
  return build_description (owner);
}

static FyApplication *
find_application (FyTaskTimeline *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  return FY_IS_APPLICATION (app) ? FY_APPLICATION (app) : NULL;
}

/* The CPU strip needs the shared sampler running while the timeline is
 * seen, and while its tasks run, so the run's own samples are there when
 * the timeline is looked at afterwards. */
static void
update_hold (FyTaskTimeline *self)
{
  FyApplication *app = find_application (self);
  gboolean need = gtk_widget_get_mapped (GTK_WIDGET (self)) || self->n_state[FY_TIMELINE_RUNNING] > 0;

  if (app != NULL && need && self->sampler == NULL)
    fy_task_timeline_set_sampler (self, fy_application_get_cpu_sampler (app));
  need = need && app != NULL && self->sampler == fy_application_get_cpu_sampler (app);
  if (need && self->held_app == NULL)
    {
      self->held_app = g_object_ref (app);
      fy_application_hold_sampler (self->held_app);
    }
  else if (!need && self->held_app != NULL)
    {
      fy_application_release_sampler (self->held_app);
      g_clear_object (&self->held_app);
    }
}

void
fy_task_timeline_selection_changed (FyTaskTimeline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  fy_graph_describer_queue (&self->describer);
}

static void
changed (FyTaskTimeline *self)
{
  update_hold (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  fy_graph_describer_queue (&self->describer);
  fy_task_timeline_update_ticking (self);
}

/* ---- recording --------------------------------------------------------- */

static void
add_segment (FyTaskTimeline *self,
             guint           lane_index,
             GPid            pid,
             gint64          start)
{
  Lane *lane = get_lane (self, lane_index);

  if (lane->segments->len > 0
      && g_array_index (lane->segments, Segment, lane->segments->len - 1).pid == pid)
    return;
  g_array_append_vals (lane->segments, &(Segment) { pid, start }, 1);
  if (self->origin == 0 || start < self->origin)
    self->origin = start;
}

static guint
add_task (FyTaskTimeline *self,
          FyFuture       *future,
          guint           lane)
{
  Task task = { future != NULL ? g_object_ref (future) : NULL, lane, G_MAXUINT, 0 };

  g_array_append_val (self->tasks, task);
  if (future != NULL)
    g_hash_table_insert (self->task_ids, future, GUINT_TO_POINTER (self->tasks->len));
  return self->tasks->len - 1;
}

static void
start_bar (FyTaskTimeline *self,
           guint           task_index,
           gint64          start)
{
  Task *task = &g_array_index (self->tasks, Task, task_index);
  Lane *lane = get_lane (self, task->lane);
  FyTimelineBar bar = { start, 0, FY_TIMELINE_RUNNING, task_index };

  g_array_append_val (lane->bars, bar);
  task->bar = lane->bars->len - 1;
  self->n_state[FY_TIMELINE_RUNNING]++;
  if (self->origin == 0 || start < self->origin)
    self->origin = start;
}

static void
end_bar (FyTaskTimeline  *self,
         guint            task_index,
         gint64           end,
         FyTimelineState  state)
{
  Task *task = &g_array_index (self->tasks, Task, task_index);
  Lane *lane = &g_array_index (self->lanes, Lane, task->lane);
  FyTimelineBar *bar = &g_array_index (lane->bars, FyTimelineBar, task->bar);

  if (bar->end != 0)
    return;
  bar->end = MAX (end, bar->start + 1);
  bar->state = state;
  self->n_state[FY_TIMELINE_RUNNING]--;
  self->n_state[state]++;
}

static FyTimelineState
future_state (FyFuture *future)
{
  const GError *error = fy_future_get_error (future);

  switch (fy_future_get_state (future))
    {
    case FY_FUTURE_STATE_DONE:
      return FY_TIMELINE_DONE;
    case FY_FUTURE_STATE_CANCELLED:
      return FY_TIMELINE_CANCELLED;
    case FY_FUTURE_STATE_FAILED:
      return g_error_matches (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT)
             ? FY_TIMELINE_TIMED_OUT : FY_TIMELINE_FAILED;
    default:
      return FY_TIMELINE_RUNNING;
    }
}

static guint
lane_of_pid (FyTaskTimeline *self,
             GPid            pid)
{
  FyPoolWorker *worker = fy_pool_find_worker (self->pool, pid);

  if (worker != NULL)
    return fy_pool_worker_get_slot (worker);
  /* The worker is gone already: find the lane that had it. */
  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = &g_array_index (self->lanes, Lane, l);

      for (guint s = 0; s < lane->segments->len; s++)
        if (g_array_index (lane->segments, Segment, s).pid == pid)
          return l;
    }
  return self->lanes->len;
}

static void
task_started_cb (FyTaskTimeline *self,
                 FyFuture       *future)
{
  gpointer id = g_hash_table_lookup (self->task_ids, future);
  GPid pid = fy_future_get_worker_pid (future);
  gint64 start = fy_future_get_started_at (future);
  guint lane = lane_of_pid (self, pid);
  guint index;

  if (start <= 0)
    start = now_us ();
  if (id != NULL)
    {
      /* Started again: its worker died and the task is retried. */
      index = GPOINTER_TO_UINT (id) - 1;
      end_bar (self, index, start, FY_TIMELINE_FAILED);
      g_array_index (self->tasks, Task, index).lane = lane;
    }
  else
    index = add_task (self, future, lane);
  add_segment (self, lane, pid, start);
  start_bar (self, index, start);
  changed (self);
}

static void
task_finished_cb (FyTaskTimeline *self,
                  FyFuture       *future)
{
  gpointer id = g_hash_table_lookup (self->task_ids, future);
  gint64 end = fy_future_get_finished_at (future);

  /* Cancelled before any worker took it: counted, never drawn. */
  if (id == NULL)
    {
      self->n_state[future_state (future)]++;
      changed (self);
      return;
    }
  end_bar (self, GPOINTER_TO_UINT (id) - 1, end > 0 ? end : now_us (), future_state (future));
  changed (self);
}

static void
worker_spawned_cb (FyTaskTimeline *self,
                   FyPoolWorker   *worker)
{
  gint64 start = fy_pool_worker_get_started_at (worker);

  add_segment (self, fy_pool_worker_get_slot (worker), fy_pool_worker_get_pid (worker),
               start > 0 ? start : now_us ());
  if (self->sampler != NULL)
    fy_process_sampler_add (fy_cpu_sampler_get_processes (self->sampler),
                            fy_pool_worker_get_pid (worker));
  changed (self);
}

static void
reset (FyTaskTimeline *self)
{
  g_array_set_size (self->lanes, 0);
  g_array_set_size (self->tasks, 0);
  g_hash_table_remove_all (self->task_ids);
  memset (self->n_state, 0, sizeof self->n_state);
  self->n_scripted = 0;
  self->origin = 0;
  self->selected = -1;
  self->follow = TRUE;
  g_array_set_size (self->sample_times, 0);
  g_byte_array_set_size (self->sample_levels, 0);
}

/* Takes what the pool did before it was set. */
static void
load_pool (FyTaskTimeline *self)
{
  GListModel *workers = fy_pool_get_workers (self->pool);
  GListModel *tasks = fy_pool_get_tasks (self->pool);

  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);

      worker_spawned_cb (self, worker);
    }
  for (guint i = 0; i < g_list_model_get_n_items (tasks); i++)
    {
      g_autoptr(FyFuture) future = g_list_model_get_item (tasks, i);

      if (fy_future_get_started_at (future) > 0 && fy_future_get_worker_pid (future) > 0)
        {
          task_started_cb (self, future);
          if (fy_future_is_finished (future))
            task_finished_cb (self, future);
        }
      else if (fy_future_is_finished (future))
        task_finished_cb (self, future);
    }
}

/* Each sample: the cores' levels for the strip, and which core each
 * running task's worker was last seen on. */
static void
sampled_cb (FyTaskTimeline *self)
{
  guint n_cpus = fy_cpu_sampler_get_n_cpus (self->sampler);
  FyProcessSampler *processes = fy_cpu_sampler_get_processes (self->sampler);
  gint64 now = now_us ();

  if (self->pool == NULL && self->n_scripted == 0)
    return;
  if (n_cpus != self->strip_n_cpus)
    {
      g_array_set_size (self->sample_times, 0);
      g_byte_array_set_size (self->sample_levels, 0);
      self->strip_n_cpus = n_cpus;
    }
  if (self->sample_times->len >= MAX_SAMPLES)
    {
      g_array_remove_range (self->sample_times, 0, MAX_SAMPLES / 4);
      g_byte_array_remove_range (self->sample_levels, 0, MAX_SAMPLES / 4 * n_cpus);
    }
  g_array_append_val (self->sample_times, now);
  for (guint i = 0; i < n_cpus; i++)
    {
      double busy = fy_cpu_sampler_get_core (self->sampler, i)->busy;
      guint8 level = isnan (busy) ? NO_LEVEL : fy_graph_heat_level (busy);

      g_byte_array_append (self->sample_levels, &level, 1);
    }

  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = &g_array_index (self->lanes, Lane, l);
      FyTimelineBar *bar;
      const FyProcessInfo *info;

      if (lane->bars->len == 0 || lane->segments->len == 0)
        continue;
      bar = &g_array_index (lane->bars, FyTimelineBar, lane->bars->len - 1);
      info = fy_process_sampler_lookup (processes,
                                        g_array_index (lane->segments, Segment, lane->segments->len - 1).pid);
      if (bar->end == 0 && info != NULL && info->last_cpu >= 0 && info->last_cpu < 64)
        g_array_index (self->tasks, Task, bar->task).cores |= G_GUINT64_CONSTANT (1) << info->last_cpu;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- GObject and GtkWidget ---------------------------------------------- */

static void
fy_task_timeline_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  fy_task_timeline_draw (FY_TASK_TIMELINE (widget), snapshot);
}

static void
fy_task_timeline_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  FyTaskTimeline *self = FY_TASK_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 600;
    }
  else
    {
      /* Legend, strip, axis, lanes and the details line. */
      guint lanes = MAX (self->lanes->len, self->pool != NULL ? (guint) MAX (fy_pool_get_n_workers (self->pool), 0) : 0);

      *minimum = 20 + FY_TIMELINE_STRIP_H + 20 + MAX (lanes, 1) * LANE_H + 24;
      *natural = *minimum;
    }
}

static gboolean
fy_task_timeline_query_tooltip (GtkWidget  *widget,
                                int         x,
                                int         y,
                                gboolean    keyboard_mode,
                                GtkTooltip *tooltip)
{
  g_autofree char *text = fy_task_timeline_describe_at (FY_TASK_TIMELINE (widget), x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
fy_task_timeline_map (GtkWidget *widget)
{
  FyTaskTimeline *self = FY_TASK_TIMELINE (widget);

  GTK_WIDGET_CLASS (fy_task_timeline_parent_class)->map (widget);
  update_hold (self);
  fy_task_timeline_update_ticking (self);
}

static void
fy_task_timeline_unmap (GtkWidget *widget)
{
  FyTaskTimeline *self = FY_TASK_TIMELINE (widget);

  GTK_WIDGET_CLASS (fy_task_timeline_parent_class)->unmap (widget);
  update_hold (self);
  fy_task_timeline_update_ticking (self);
}

static void
fy_task_timeline_dispose (GObject *object)
{
  FyTaskTimeline *self = FY_TASK_TIMELINE (object);

  fy_task_timeline_set_pool (self, NULL);
  fy_task_timeline_set_sampler (self, NULL);
  fy_graph_describer_clear (&self->describer);
  g_clear_object (&self->held_app);

  G_OBJECT_CLASS (fy_task_timeline_parent_class)->dispose (object);
}

static void
fy_task_timeline_finalize (GObject *object)
{
  FyTaskTimeline *self = FY_TASK_TIMELINE (object);

  g_array_unref (self->lanes);
  g_array_unref (self->tasks);
  g_hash_table_unref (self->task_ids);
  g_array_unref (self->sample_times);
  g_byte_array_unref (self->sample_levels);
  g_array_unref (self->rects);

  G_OBJECT_CLASS (fy_task_timeline_parent_class)->finalize (object);
}

static void
fy_task_timeline_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  FyTaskTimeline *self = FY_TASK_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_POOL:
      g_value_set_object (value, self->pool);
      break;

    case PROP_SAMPLER:
      g_value_set_object (value, self->sampler);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_task_timeline_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  FyTaskTimeline *self = FY_TASK_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_POOL:
      fy_task_timeline_set_pool (self, g_value_get_object (value));
      break;

    case PROP_SAMPLER:
      fy_task_timeline_set_sampler (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_task_timeline_class_init (FyTaskTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_task_timeline_dispose;
  object_class->finalize = fy_task_timeline_finalize;
  object_class->get_property = fy_task_timeline_get_property;
  object_class->set_property = fy_task_timeline_set_property;

  widget_class->snapshot = fy_task_timeline_snapshot;
  widget_class->measure = fy_task_timeline_measure;
  widget_class->query_tooltip = fy_task_timeline_query_tooltip;
  widget_class->map = fy_task_timeline_map;
  widget_class->unmap = fy_task_timeline_unmap;

  properties[PROP_POOL] =
    g_param_spec_object ("pool", NULL, NULL,
                         FY_TYPE_POOL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAMPLER] =
    g_param_spec_object ("sampler", NULL, NULL,
                         FY_TYPE_CPU_SAMPLER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "tasktimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fy_task_timeline_init (FyTaskTimeline *self)
{
  self->lanes = g_array_new (FALSE, FALSE, sizeof (Lane));
  g_array_set_clear_func (self->lanes, lane_clear);
  self->tasks = g_array_new (FALSE, FALSE, sizeof (Task));
  g_array_set_clear_func (self->tasks, task_clear);
  self->task_ids = g_hash_table_new (NULL, NULL);
  self->sample_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->sample_levels = g_byte_array_new ();
  self->rects = g_array_new (FALSE, FALSE, sizeof (FyTimelineRect));
  self->selected = -1;
  self->follow = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Task timeline"),
                                  -1);

  fy_task_timeline_add_controllers (self);

  fy_graph_describer_init (&self->describer, GTK_ACCESSIBLE (self), describe);
  fy_graph_describer_now (&self->describer);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
fy_task_timeline_new (void)
{
  return g_object_new (FY_TYPE_TASK_TIMELINE, NULL);
}

FyPool *
fy_task_timeline_get_pool (FyTaskTimeline *self)
{
  g_return_val_if_fail (FY_IS_TASK_TIMELINE (self), NULL);

  return self->pool;
}

void
fy_task_timeline_set_pool (FyTaskTimeline *self,
                           FyPool         *pool)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));
  g_return_if_fail (pool == NULL || FY_IS_POOL (pool));

  if (self->pool == pool)
    return;
  if (self->pool != NULL)
    g_signal_handlers_disconnect_by_data (self->pool, self);
  g_set_object (&self->pool, pool);
  reset (self);
  if (pool != NULL)
    {
      g_signal_connect_swapped (pool, "task-started", G_CALLBACK (task_started_cb), self);
      g_signal_connect_swapped (pool, "task-finished", G_CALLBACK (task_finished_cb), self);
      g_signal_connect_swapped (pool, "worker-spawned", G_CALLBACK (worker_spawned_cb), self);
      load_pool (self);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOL]);
}

FyCpuSampler *
fy_task_timeline_get_sampler (FyTaskTimeline *self)
{
  g_return_val_if_fail (FY_IS_TASK_TIMELINE (self), NULL);

  return self->sampler;
}

void
fy_task_timeline_set_sampler (FyTaskTimeline *self,
                              FyCpuSampler   *sampler)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));
  g_return_if_fail (sampler == NULL || FY_IS_CPU_SAMPLER (sampler));

  if (self->sampler == sampler)
    return;
  if (self->held_app != NULL)
    {
      fy_application_release_sampler (self->held_app);
      g_clear_object (&self->held_app);
    }
  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_data (self->sampler, self);
  g_set_object (&self->sampler, sampler);
  g_array_set_size (self->sample_times, 0);
  g_byte_array_set_size (self->sample_levels, 0);
  if (sampler != NULL)
    {
      g_signal_connect_swapped (sampler, "sampled", G_CALLBACK (sampled_cb), self);
      for (guint l = 0; l < self->lanes->len; l++)
        {
          Lane *lane = &g_array_index (self->lanes, Lane, l);

          for (guint s = 0; s < lane->segments->len; s++)
            if (g_array_index (lane->segments, Segment, s).pid > 0 && self->pool != NULL)
              fy_process_sampler_add (fy_cpu_sampler_get_processes (sampler),
                                      g_array_index (lane->segments, Segment, s).pid);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
}

void
fy_task_timeline_set_view (FyTaskTimeline *self,
                           gint64          start,
                           double          us_per_px)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));
  g_return_if_fail (us_per_px > 0);

  self->follow = FALSE;
  self->view_start = start;
  self->us_per_px = us_per_px;
  fy_task_timeline_update_ticking (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
fy_task_timeline_get_view (FyTaskTimeline *self,
                           gint64         *start,
                           double         *us_per_px)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));

  *start = self->view_start;
  *us_per_px = self->us_per_px;
}

void
fy_task_timeline_follow (FyTaskTimeline *self)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));

  self->follow = TRUE;
  fy_task_timeline_update_ticking (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
fy_task_timeline_get_description (FyTaskTimeline *self)
{
  g_return_val_if_fail (FY_IS_TASK_TIMELINE (self), NULL);

  return fy_graph_describer_get_text (&self->describer);
}

char *
fy_task_timeline_describe_at (FyTaskTimeline *self,
                              double          x,
                              double          y)
{
  guint task;
  gint64 time;

  g_return_val_if_fail (FY_IS_TASK_TIMELINE (self), NULL);

  if (!fy_task_timeline_task_at (self, x, y, &task, &time))
    return NULL;
  return fy_task_timeline_describe_task (self, task, time);
}

/* ---- scripted timelines and geometry, for tests ------------------------- */

void
fy_task_timeline_add_scripted_worker (FyTaskTimeline *self,
                                      guint           lane,
                                      GPid            pid,
                                      gint64          start)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));
  g_return_if_fail (self->pool == NULL);

  add_segment (self, lane, pid, start);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  changed (self);
}

void
fy_task_timeline_add_scripted_task (FyTaskTimeline  *self,
                                    guint            lane,
                                    gint64           start,
                                    gint64           end,
                                    FyTimelineState  state)
{
  guint index;

  g_return_if_fail (FY_IS_TASK_TIMELINE (self));
  g_return_if_fail (self->pool == NULL);
  g_return_if_fail (lane < self->lanes->len);

  index = add_task (self, NULL, lane);
  self->n_scripted++;
  start_bar (self, index, start);
  if (end > 0)
    end_bar (self, index, end, state);
  changed (self);
}

void
fy_task_timeline_get_lane_area (FyTaskTimeline  *self,
                                guint            lane,
                                graphene_rect_t *area)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));

  *area = GRAPHENE_RECT_INIT (self->plot.origin.x, self->plot.origin.y + lane * LANE_H,
                              self->plot.size.width, LANE_H);
}

void
fy_task_timeline_get_strip_area (FyTaskTimeline  *self,
                                 graphene_rect_t *area)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));

  *area = self->strip;
}

guint
fy_task_timeline_get_n_bar_nodes (FyTaskTimeline *self)
{
  g_return_val_if_fail (FY_IS_TASK_TIMELINE (self), 0);

  return self->n_bar_nodes;
}
