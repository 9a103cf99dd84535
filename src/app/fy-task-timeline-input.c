/* fy-task-timeline-input.c: the task timeline's view, live and by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While following, the view shows all of a short run and the last half
 * minute of a long one, redrawn every frame (a tick callback that exists
 * only while tasks run and the widget is mapped). Scrolling pans, Ctrl +
 * scroll and a pinch zoom around the pointer, Left / Right / + / - do the
 * same from the keyboard and Home goes back to following. A click selects
 * the bar under the pointer; Ctrl + Left / Right and Up / Down move the
 * selection, whose details the accessible description then carries, so
 * a keyboard and a screen reader reach every bar.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <math.h>

#include "fy-task-timeline-private.h"

#define FOLLOW_SPAN (30 * G_USEC_PER_SEC)

void
fy_task_timeline_follow_view (FyTaskTimeline *self,
                              double          width)
{
  gint64 end = g_get_monotonic_time ();
  gint64 span;

  if (self->n_state[FY_TIMELINE_RUNNING] == 0)
    {
      gint64 last = self->origin;

      for (guint l = 0; l < self->lanes->len; l++)
        {
          Lane *lane = &g_array_index (self->lanes, Lane, l);

          if (lane->bars->len > 0)
            last = MAX (last, g_array_index (lane->bars, FyTimelineBar, lane->bars->len - 1).end);
        }
      end = MAX (last, self->origin + 1);
    }
  span = end - self->origin;
  if (span > FOLLOW_SPAN && self->n_state[FY_TIMELINE_RUNNING] > 0)
    {
      /* A long run scrolls: its last half minute, now at the right. */
      self->view_start = end - FOLLOW_SPAN;
      self->us_per_px = FOLLOW_SPAN / MAX (width, 1);
    }
  else
    {
      self->view_start = self->origin;
      self->us_per_px = MAX (span, G_USEC_PER_SEC / 10) / MAX (width, 1);
    }
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

/* A frame-clock redraw only while something moves on screen. */
void
fy_task_timeline_update_ticking (FyTaskTimeline *self)
{
  gboolean need = gtk_widget_get_mapped (GTK_WIDGET (self)) && self->follow
                  && self->n_state[FY_TIMELINE_RUNNING] > 0;

  if (need && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
  else if (!need && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

static void
zoom_at (FyTaskTimeline *self,
         double          x,
         double          factor)
{
  double px = CLAMP (x - self->plot.origin.x, 0, self->plot.size.width);
  gint64 at = self->view_start + (gint64) (px * self->us_per_px);
  double us_per_px = CLAMP (self->us_per_px * factor, 0.5, 1e9);

  fy_task_timeline_set_view (self, at - (gint64) (px * us_per_px), us_per_px);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           FyTaskTimeline           *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (self->us_per_px <= 0)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    zoom_at (self, self->pointer_x, pow (1.2, dy));
  else
    fy_task_timeline_set_view (self, self->view_start + (gint64) ((dx + dy) * 40 * self->us_per_px),
                               self->us_per_px);
  return TRUE;
}

static void
zoom_scale_changed_cb (GtkGestureZoom *gesture,
                       double          scale,
                       FyTaskTimeline *self)
{
  double x, y;

  if (gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y) && scale > 0)
    {
      zoom_at (self, x, self->zoom_scale / scale);
      self->zoom_scale = scale;
    }
}

static void
zoom_begin_cb (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               FyTaskTimeline   *self)
{
  /* The gesture reports scale since its start; each step applies the
   * change since the last one. */
  self->zoom_scale = 1;
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           FyTaskTimeline           *self)
{
  self->pointer_x = x;
}

gboolean
fy_task_timeline_task_at (FyTaskTimeline *self,
                          double          x,
                          double          y,
                          guint          *out_task,
                          gint64         *out_time)
{
  guint lane_index;
  Lane *lane;
  gint64 time;
  int bar;

  if (self->us_per_px <= 0 || x < self->plot.origin.x || x > self->plot.origin.x + self->plot.size.width
      || y < self->plot.origin.y)
    return FALSE;
  lane_index = (guint) ((y - self->plot.origin.y) / LANE_H);
  if (lane_index >= self->lanes->len)
    return FALSE;
  lane = &g_array_index (self->lanes, Lane, lane_index);
  time = self->view_start + (gint64) ((x - self->plot.origin.x) * self->us_per_px);
  bar = fy_timeline_bar_at ((FyTimelineBar *) lane->bars->data, lane->bars->len, time, g_get_monotonic_time ());
  /* A bar under a pixel wide is hit within half a pixel either side. */
  if (bar < 0)
    bar = fy_timeline_bar_at ((FyTimelineBar *) lane->bars->data, lane->bars->len,
                              time - (gint64) (self->us_per_px / 2), g_get_monotonic_time ());
  if (bar < 0)
    return FALSE;
  *out_task = g_array_index (lane->bars, FyTimelineBar, bar).task;
  *out_time = time;
  return TRUE;
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            FyTaskTimeline  *self)
{
  guint task;
  gint64 time;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->selected = fy_task_timeline_task_at (self, x, y, &task, &time) ? (int) task : -1;
  fy_task_timeline_selection_changed (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FyTaskTimeline        *self)
{
  double width = self->plot.size.width;

  /* Ctrl+Left / Right and Up / Down move the selection between bars and
   * lanes, so the details are there without a pointer. */
  if ((state & GDK_CONTROL_MASK) && (keyval == GDK_KEY_Left || keyval == GDK_KEY_Right))
    {
      fy_task_timeline_step_selection (self, 0, keyval == GDK_KEY_Left ? -1 : 1);
      return TRUE;
    }
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_Down:
      fy_task_timeline_step_selection (self, keyval == GDK_KEY_Up ? -1 : 1, 0);
      return TRUE;
    case GDK_KEY_Left:
      fy_task_timeline_set_view (self, self->view_start - (gint64) (width / 10 * self->us_per_px), self->us_per_px);
      return TRUE;
    case GDK_KEY_Right:
      fy_task_timeline_set_view (self, self->view_start + (gint64) (width / 10 * self->us_per_px), self->us_per_px);
      return TRUE;
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      zoom_at (self, self->plot.origin.x + width / 2, 1 / 1.5);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      zoom_at (self, self->plot.origin.x + width / 2, 1.5);
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_0:
      fy_task_timeline_follow (self);
      return TRUE;
    default:
      return FALSE;
    }
}

void
fy_task_timeline_add_controllers (FyTaskTimeline *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}

void
fy_task_timeline_step_selection (FyTaskTimeline *self,
                                 int             lane_step,
                                 int             bar_step)
{
  int lane = 0, bar = 0;
  Lane *lanes = (Lane *) self->lanes->data;
  gint64 at = self->view_start;
  FyTimelineBar *chosen;

  if (self->lanes->len == 0)
    return;
  if (self->selected >= 0)
    {
      Task *task = &g_array_index (self->tasks, Task, self->selected);

      lane = (int) task->lane;
      bar = (int) task->bar;
      at = g_array_index (lanes[lane].bars, FyTimelineBar, bar).start;
      if (lane_step != 0)
        {
          lane = CLAMP (lane + lane_step, 0, (int) self->lanes->len - 1);
          bar = (int) fy_timeline_first_visible ((FyTimelineBar *) lanes[lane].bars->data,
                                                 lanes[lane].bars->len, at, g_get_monotonic_time ());
        }
      bar += bar_step;
    }
  else
    {
      /* Nothing selected yet: the first bar in view of the first lane
       * that has one. */
      while (lane + 1 < (int) self->lanes->len && lanes[lane].bars->len == 0)
        lane++;
      bar = (int) fy_timeline_first_visible ((FyTimelineBar *) lanes[lane].bars->data,
                                             lanes[lane].bars->len, at, g_get_monotonic_time ());
    }
  if (lanes[lane].bars->len == 0)
    return;
  bar = CLAMP (bar, 0, (int) lanes[lane].bars->len - 1);
  chosen = &g_array_index (lanes[lane].bars, FyTimelineBar, bar);
  self->selected = (int) chosen->task;

  /* Bring it into view, a quarter in from the left. */
  if (self->us_per_px > 0
      && (chosen->start < self->view_start
          || chosen->start > self->view_start + (gint64) (self->plot.size.width * self->us_per_px)))
    fy_task_timeline_set_view (self, chosen->start - (gint64) (self->plot.size.width / 4 * self->us_per_px),
                               self->us_per_px);
  fy_task_timeline_selection_changed (self);
}
