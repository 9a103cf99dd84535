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
 *
 * This file holds the widget, its properties and its accessible summary;
 * fy-task-timeline-record.c what it remembers, fy-task-timeline-draw.c
 * how it looks and fy-task-timeline-input.c how it moves.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fy-graph-util.h"
#include "fy-task-timeline-private.h"

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

/* The CPU strip needs the shared sampler running while the timeline is
 * seen, and while its tasks run, so the run's own samples are there when
 * the timeline is looked at afterwards. */
static void
update_hold (FyTaskTimeline *self)
{
  FySamplerProvider *provider = fy_sampler_provider_find (GTK_WIDGET (self));
  gboolean need = gtk_widget_get_mapped (GTK_WIDGET (self)) || self->n_state[FY_TIMELINE_RUNNING] > 0;

  if (provider != NULL && need && self->sampler == NULL)
    fy_task_timeline_set_sampler (self, fy_sampler_provider_get_cpu_sampler (provider));
  need = need && provider != NULL && self->sampler == fy_sampler_provider_get_cpu_sampler (provider);
  if (need && self->held_provider == NULL)
    {
      self->held_provider = g_object_ref (provider);
      fy_sampler_provider_hold_sampler (self->held_provider);
    }
  else if (!need && self->held_provider != NULL)
    {
      fy_sampler_provider_release_sampler (self->held_provider);
      g_clear_object (&self->held_provider);
    }
}

void
fy_task_timeline_selection_changed (FyTaskTimeline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  fy_graph_describer_queue (&self->describer);
}

void
fy_task_timeline_changed (FyTaskTimeline *self)
{
  update_hold (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  fy_graph_describer_queue (&self->describer);
  fy_task_timeline_update_ticking (self);
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
fy_task_timeline_css_changed (GtkWidget         *widget,
                              GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (fy_task_timeline_parent_class)->css_changed (widget, change);
  /* Colours and fonts of the cached layers may have changed. */
  fy_task_timeline_clear_cache (FY_TASK_TIMELINE (widget));
  gtk_widget_queue_draw (widget);
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
  fy_task_timeline_clear_cache (self);
  g_clear_object (&self->held_provider);

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
  widget_class->css_changed = fy_task_timeline_css_changed;
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
  fy_task_timeline_reset (self);
  if (pool != NULL)
    fy_task_timeline_watch_pool (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  fy_task_timeline_changed (self);
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
  if (self->held_provider != NULL)
    {
      fy_sampler_provider_release_sampler (self->held_provider);
      g_clear_object (&self->held_provider);
    }
  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_data (self->sampler, self);
  g_set_object (&self->sampler, sampler);
  g_array_set_size (self->sample_times, 0);
  g_byte_array_set_size (self->sample_levels, 0);
  if (sampler != NULL)
    {
      g_signal_connect_swapped (sampler, "sampled", G_CALLBACK (fy_task_timeline_sampled), self);
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

/* ---- geometry, for tests ------------------------------------------------ */

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
