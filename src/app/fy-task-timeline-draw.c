/* fy-task-timeline-draw.c: drawing and describing the task timeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * From the top: a legend of the states' shapes, the per-core CPU strip,
 * the time axis (seconds since the pool's first worker started), one lane
 * per worker slot and a line with the details of the selected bar. Bars
 * and strip cells are colour nodes; only text goes through Pango. What is
 * off screen is never visited: lanes are binary-searched to the view and
 * sub-pixel bars fold together (fy-timeline-layout.c), strip samples fold
 * onto pixel columns as in the heatmap. Every bar and cell starts and ends
 * on a whole device pixel, so cairo (which blends fractional edges) and GL
 * (which fills the pixels whose centres a quad covers) draw the same.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fy-graph-util.h"
#include "fy-task-timeline-private.h"

#define PAD 6.0

typedef struct
{
  const char *name;
  const char *fallback;
} NamedColor;

/* libadwaita's named background colours, which it adjusts for dark. */
static const NamedColor state_colors[FY_TIMELINE_N_STATES] = {
  [FY_TIMELINE_DONE] = { "success_bg_color", "#26a269" },
  [FY_TIMELINE_RUNNING] = { "accent_bg_color", "#3584e4" },
  [FY_TIMELINE_CANCELLED] = { "dark_2", "#77767b" },
  [FY_TIMELINE_TIMED_OUT] = { "warning_bg_color", "#cd9309" },
  [FY_TIMELINE_FAILED] = { "error_bg_color", "#c01c28" },
};

void
fy_task_timeline_state_color (FyTaskTimeline  *self,
                              FyTimelineState  state,
                              GdkRGBA         *color)
{
  g_return_if_fail (state < FY_TIMELINE_N_STATES);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (state == FY_TIMELINE_CANCELLED
      || !gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)),
                                          state_colors[state].name, color))
    gdk_rgba_parse (color, state_colors[state].fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
  color->alpha = 1;
}

static const char *
state_label (FyTimelineState state)
{
  switch (state)
    {
    case FY_TIMELINE_DONE:
      return _("Done");
    case FY_TIMELINE_RUNNING:
      return _("Running");
    case FY_TIMELINE_CANCELLED:
      return _("Cancelled");
    case FY_TIMELINE_TIMED_OUT:
      return _("Timed out");
    case FY_TIMELINE_FAILED:
    case FY_TIMELINE_N_STATES:
    default:
      return _("Failed");
    }
}

/* The shape says the state as much as the colour does: done is solid,
 * running an outline, failed has dark bands at top and bottom, timed out
 * one at the top, cancelled fills the lower half. */
static guint
append_bar (GtkSnapshot     *snapshot,
            FyTimelineState  state,
            const GdkRGBA   *fill,
            const GdkRGBA   *band,
            double           x0,
            double           x1,
            double           y,
            double           h)
{
  double w = x1 - x0;
  guint nodes = 1;

  switch (state)
    {
    case FY_TIMELINE_RUNNING:
      {
        GdkRGBA light = *fill;

        light.alpha = 0.35;
        gtk_snapshot_append_color (snapshot, &light, &GRAPHENE_RECT_INIT (x0, y, w, h));
        gtk_snapshot_append_color (snapshot, fill, &GRAPHENE_RECT_INIT (x0, y, w, 2));
        gtk_snapshot_append_color (snapshot, fill, &GRAPHENE_RECT_INIT (x0, y + h - 2, w, 2));
        if (w > 4)
          {
            gtk_snapshot_append_color (snapshot, fill, &GRAPHENE_RECT_INIT (x0, y, 2, h));
            gtk_snapshot_append_color (snapshot, fill, &GRAPHENE_RECT_INIT (x1 - 2, y, 2, h));
            nodes += 2;
          }
        return nodes + 2;
      }
    case FY_TIMELINE_CANCELLED:
      gtk_snapshot_append_color (snapshot, fill, &GRAPHENE_RECT_INIT (x0, y + h / 2, w, h / 2));
      return 1;
    case FY_TIMELINE_FAILED:
      gtk_snapshot_append_color (snapshot, fill, &GRAPHENE_RECT_INIT (x0, y, w, h));
      gtk_snapshot_append_color (snapshot, band, &GRAPHENE_RECT_INIT (x0, y, w, 3));
      gtk_snapshot_append_color (snapshot, band, &GRAPHENE_RECT_INIT (x0, y + h - 3, w, 3));
      return 3;
    case FY_TIMELINE_TIMED_OUT:
      gtk_snapshot_append_color (snapshot, fill, &GRAPHENE_RECT_INIT (x0, y, w, h));
      gtk_snapshot_append_color (snapshot, band, &GRAPHENE_RECT_INIT (x0, y, w, 3));
      return 2;
    case FY_TIMELINE_DONE:
    case FY_TIMELINE_N_STATES:
    default:
      gtk_snapshot_append_color (snapshot, fill, &GRAPHENE_RECT_INIT (x0, y, w, h));
      return nodes;
    }
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             const char    *text,
             double         x,
             double         y,
             const GdkRGBA *color)
{
  pango_layout_set_text (layout, text, -1);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static int
text_width (PangoLayout *layout,
            const char  *text)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  return w;
}

static char *
pid_label (GPid pid)
{
  return g_strdup_printf ("%d", pid);
}

/* The strip: each core's samples in the view, folded onto pixel columns;
 * above as many cores as the strip has pixel rows, neighbours share a row
 * and the busiest wins. */
static void
draw_strip (FyTaskTimeline *self,
            GtkSnapshot    *snapshot,
            gboolean        dark)
{
  guint n_cpus = self->strip_n_cpus;
  guint n_samples = self->sample_times->len;
  guint n_columns = (guint) self->strip.size.width;
  guint n_rows, per_row;
  g_autofree int *columns = NULL;
  GdkRGBA level_colors[FY_GRAPH_HEAT_LEVELS];
  const gint64 *times = (const gint64 *) self->sample_times->data;
  gint64 view_end = self->view_start + (gint64) (n_columns * self->us_per_px);
  guint first = 0;

  if (n_cpus == 0 || n_samples < 2 || n_columns == 0)
    return;
  for (guint l = 0; l < FY_GRAPH_HEAT_LEVELS; l++)
    fy_graph_heat_level_color (l, dark, &level_colors[l]);
  n_rows = MIN (n_cpus, (guint) self->strip.size.height);
  per_row = (n_cpus + n_rows - 1) / n_rows;
  n_rows = (n_cpus + per_row - 1) / per_row;
  columns = g_new (int, n_columns);

  /* Sample k covers (times[k-1], times[k]]; the first one in view is
   * found by binary search, so a long run costs no more than a short. */
  {
    guint lo = 0, hi = n_samples - 1;

    /* The last k with times[k] < view_start, or 0. */
    while (lo < hi)
      {
        guint mid = lo + (hi - lo + 1) / 2;

        if (times[mid] < self->view_start)
          lo = mid;
        else
          hi = mid - 1;
      }
    first = lo;
  }

  for (guint row = 0; row < n_rows; row++)
    {
      double y0 = round (self->strip.origin.y + self->strip.size.height * row / n_rows);
      double y1 = round (self->strip.origin.y + self->strip.size.height * (row + 1) / n_rows);
      guint c = 0;

      for (guint i = 0; i < n_columns; i++)
        columns[i] = -1;
      for (guint k = MAX (first, 1); k < n_samples && times[k - 1] <= view_end; k++)
        {
          int level = -1;
          int a = (int) floor ((times[k - 1] - self->view_start) / self->us_per_px);
          int b = MAX ((int) ceil ((times[k] - self->view_start) / self->us_per_px), a + 1);

          for (guint core = row * per_row; core < MIN ((row + 1) * per_row, n_cpus); core++)
            {
              guint8 v = self->sample_levels->data[k * n_cpus + core];

              if (v != NO_LEVEL)
                level = MAX (level, v);
            }
          for (int x = MAX (a, 0); x < MIN (b, (int) n_columns); x++)
            columns[x] = MAX (columns[x], level);
        }
      while (c < n_columns)
        {
          guint start = c;
          int level = columns[c];

          while (c < n_columns && columns[c] == level)
            c++;
          if (level >= 0)
            gtk_snapshot_append_color (snapshot, &level_colors[level],
                                       &GRAPHENE_RECT_INIT (self->strip.origin.x + start, y0,
                                                            c - start, y1 - y0));
        }
    }
}

/* Lines at the ends of a chunk's items, when each item has room. */
static void
draw_items (FyTaskTimeline      *self,
            GtkSnapshot         *snapshot,
            const FyTimelineRect *rect,
            const FyTimelineBar  *bar,
            double               y,
            const GdkRGBA       *color)
{
  Task *task = &g_array_index (self->tasks, Task, bar->task);
  guint n_items;

  if (task->future == NULL || bar->end == 0 || !fy_future_is_finished (task->future))
    return;
  n_items = fy_future_get_n_items (task->future);
  if (n_items < 2 || (rect->x1 - rect->x0) / n_items < 4)
    return;
  for (guint i = 0; i + 1 < n_items; i++)
    {
      gint64 started, finished;
      double x;

      if (!fy_future_get_item_times (task->future, i, &started, &finished))
        continue;
      x = self->plot.origin.x + (finished - self->view_start) / self->us_per_px;
      if (x > self->plot.origin.x + rect->x0 && x < self->plot.origin.x + rect->x1)
        gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (round (x), y + 3, 1, LANE_H - 8));
    }
}

void
fy_task_timeline_draw (FyTaskTimeline *self,
                       GtkSnapshot    *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  gboolean dark = fy_graph_is_dark (widget);
  gint64 now = g_get_monotonic_time ();
  GdkRGBA fg, text, rule, band, stripe, colors[FY_TIMELINE_N_STATES];
  int text_w, text_h;
  double label_w, y, legend_x;

  if (width <= 0 || height <= 0)
    return;

  fy_graph_foreground (widget, &fg);
  text = fg;
  text.alpha *= 0.75;
  rule = fg;
  rule.alpha *= 0.12;
  stripe = fg;
  stripe.alpha *= 0.04;
  band = fg;
  band.alpha = 0.85;
  for (guint s = 0; s < FY_TIMELINE_N_STATES; s++)
    fy_task_timeline_state_color (self, s, &colors[s]);

  if (self->legend_node == NULL)
    {
      g_autoptr(GtkSnapshot) legend = gtk_snapshot_new ();

      pango_layout_set_text (layout, "0000000", -1);
      pango_layout_get_pixel_size (layout, &text_w, &text_h);
      self->legend_text_h = text_h;
      self->legend_label_w = MAX (text_w, text_width (layout, _("CPU"))) + PAD;

      /* Legend: each state's shape and name. */
      legend_x = self->legend_label_w;
      for (guint s = 0; s < FY_TIMELINE_N_STATES; s++)
        {
          const char *name = state_label (s);

          append_bar (legend, s, &colors[s], &band, legend_x, legend_x + 24, 2, text_h);
          append_text (legend, layout, name, legend_x + 28, 2, &text);
          legend_x += 28 + text_width (layout, name) + 16;
        }
      self->legend_node = gtk_snapshot_free_to_node (g_steal_pointer (&legend));
    }
  text_h = self->legend_text_h;
  label_w = self->legend_label_w;
  if (self->legend_node != NULL)
    gtk_snapshot_append_node (snapshot, self->legend_node);
  y = text_h + 8;

  /* Geometry for this frame. */
  self->strip = GRAPHENE_RECT_INIT (label_w, y, MAX (floor (width - label_w - PAD), 1),
                                    self->sampler != NULL ? FY_TIMELINE_STRIP_H : 0);
  y += self->strip.size.height + text_h + 4;
  self->plot = GRAPHENE_RECT_INIT (label_w, y, self->strip.size.width, self->lanes->len * LANE_H);
  if (self->follow || self->us_per_px <= 0)
    fy_task_timeline_follow_view (self, self->plot.size.width);

  /* Lane stripes, then time ticks through strip and lanes. */
  for (guint l = 1; l < self->lanes->len; l += 2)
    gtk_snapshot_append_color (snapshot, &stripe,
                               &GRAPHENE_RECT_INIT (0, self->plot.origin.y + l * LANE_H, width, LANE_H));
  if (self->axis_node != NULL
      && (self->axis_view_start != self->view_start || self->axis_us_per_px != self->us_per_px
          || self->axis_origin != self->origin
          || !graphene_rect_equal (&self->axis_strip, &self->strip)
          || !graphene_rect_equal (&self->axis_plot, &self->plot)))
    g_clear_pointer (&self->axis_node, gsk_render_node_unref);
  if (self->axis_node == NULL && self->origin > 0)
    {
      g_autoptr(GtkSnapshot) axis = gtk_snapshot_new ();
      gint64 step = fy_timeline_tick_step (self->us_per_px, 80);
      gint64 first_tick = self->origin + ((self->view_start - self->origin) / step) * step;

      for (gint64 t = first_tick; t <= self->view_start + (gint64) (self->plot.size.width * self->us_per_px); t += step)
        {
          double x = round (self->plot.origin.x + (t - self->view_start) / self->us_per_px);
          g_autofree char *label = NULL;

          if (x < self->plot.origin.x)
            continue;
          gtk_snapshot_append_color (axis, &rule,
                                     &GRAPHENE_RECT_INIT (x, self->strip.origin.y, 1,
                                                          self->plot.origin.y + self->plot.size.height
                                                          - self->strip.origin.y));
          label = fy_timeline_format_tick (t - self->origin, step);
          append_text (axis, layout, label, x + 3,
                       self->strip.origin.y + self->strip.size.height + 2, &text);
        }
      self->axis_node = gtk_snapshot_free_to_node (g_steal_pointer (&axis));
      self->axis_view_start = self->view_start;
      self->axis_us_per_px = self->us_per_px;
      self->axis_origin = self->origin;
      self->axis_strip = self->strip;
      self->axis_plot = self->plot;
    }
  if (self->axis_node != NULL && self->origin > 0)
    gtk_snapshot_append_node (snapshot, self->axis_node);

  if (self->sampler != NULL)
    {
      append_text (snapshot, layout, _("CPU"), 0, self->strip.origin.y, &text);
      gtk_snapshot_append_color (snapshot, &stripe, &self->strip);
      draw_strip (self, snapshot, dark);
    }

  /* The lanes: culled, folded bars; segment starts; labels. */
  self->n_bar_nodes = 0;
  gtk_snapshot_push_clip (snapshot, &self->plot);
  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = &g_array_index (self->lanes, Lane, l);
      double lane_y = self->plot.origin.y + l * LANE_H;

      g_array_set_size (self->rects, 0);
      fy_timeline_layout_lane ((FyTimelineBar *) lane->bars->data, lane->bars->len,
                               self->view_start, self->us_per_px, self->plot.size.width,
                               gtk_widget_get_scale_factor (widget), now, self->rects);
      for (guint r = 0; r < self->rects->len; r++)
        {
          FyTimelineRect *rect = &g_array_index (self->rects, FyTimelineRect, r);
          FyTimelineBar *bar = &g_array_index (lane->bars, FyTimelineBar, rect->first);

          /* Back-to-back bars wide enough keep a pixel between them. */
          double x1 = rect->x1 - rect->x0 >= 3 ? rect->x1 - 1 : rect->x1;

          self->n_bar_nodes += append_bar (snapshot, rect->state, &colors[rect->state], &band,
                                           self->plot.origin.x + rect->x0, self->plot.origin.x + x1,
                                           lane_y + 2, LANE_H - 4);
          if (rect->count == 1)
            draw_items (self, snapshot, rect, bar, lane_y, &band);
          if (rect->count == 1 && (int) bar->task == self->selected)
            {
              GskRoundedRect outline;
              const GdkRGBA borders[4] = { fg, fg, fg, fg };
              const float widths[4] = { 2, 2, 2, 2 };

              gsk_rounded_rect_init_from_rect (&outline,
                                               &GRAPHENE_RECT_INIT (self->plot.origin.x + rect->x0 - 2, lane_y,
                                                                    rect->x1 - rect->x0 + 4, LANE_H),
                                               0);
              gtk_snapshot_append_border (snapshot, &outline, widths, borders);
            }
        }
      /* A replaced worker: a mark and the new pid where it took over. */
      for (guint s = 1; s < lane->segments->len; s++)
        {
          Segment *segment = &g_array_index (lane->segments, Segment, s);
          double x = round (self->plot.origin.x + (segment->start - self->view_start) / self->us_per_px);
          g_autofree char *label = pid_label (segment->pid);

          if (x < self->plot.origin.x || x > self->plot.origin.x + self->plot.size.width)
            continue;
          gtk_snapshot_append_color (snapshot, &fg, &GRAPHENE_RECT_INIT (x, lane_y, 1, LANE_H));
          append_text (snapshot, layout, label, x + 3, lane_y - 1, &fg);
        }
    }
  gtk_snapshot_pop (snapshot);

  /* Each lane's label: the pid of the worker at the left edge. */
  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = &g_array_index (self->lanes, Lane, l);
      guint s = 0;
      g_autofree char *label = NULL;

      if (lane->segments->len == 0)
        continue;
      while (s + 1 < lane->segments->len
             && g_array_index (lane->segments, Segment, s + 1).start <= self->view_start)
        s++;
      label = pid_label (g_array_index (lane->segments, Segment, s).pid);
      append_text (snapshot, layout, label, label_w - PAD - text_width (layout, label),
                   self->plot.origin.y + l * LANE_H + (LANE_H - text_h) / 2, &text);
    }

  /* The selected bar's details, or how to get them. */
  {
    g_autofree char *details = self->selected >= 0
                               ? fy_task_timeline_describe_task (self, self->selected, -1)
                               : g_strdup (_("Hover or click a bar for its input, worker, cores, times and result"));

    pango_layout_set_width (layout, (int) (width - label_w) * PANGO_SCALE);
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    append_text (snapshot, layout, details, label_w,
                 self->plot.origin.y + self->plot.size.height + 4, &text);
  }
}

static char *
argument_text (FyFuture *future)
{
  GVariant *argument = fy_future_get_argument (future);
  g_autofree char *printed = argument != NULL ? g_variant_print (argument, FALSE) : g_strdup ("");

  if (g_utf8_strlen (printed, -1) > 48)
    {
      g_autofree char *cut = g_utf8_substring (printed, 0, 47);

      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&printed);
}

void
fy_task_timeline_clear_cache (FyTaskTimeline *self)
{
  g_clear_pointer (&self->legend_node, gsk_render_node_unref);
  g_clear_pointer (&self->axis_node, gsk_render_node_unref);
}

char *
fy_task_timeline_describe_task (FyTaskTimeline *self,
                                guint           index,
                                gint64          time)
{
  Task *task;
  Lane *lane;
  FyTimelineBar *bar;
  GString *text;
  g_autofree char *start = NULL;
  g_autofree char *took = NULL;
  GPid pid = 0;

  g_return_val_if_fail (index < self->tasks->len, NULL);

  task = &g_array_index (self->tasks, Task, index);
  lane = &g_array_index (self->lanes, Lane, task->lane);
  bar = &g_array_index (lane->bars, FyTimelineBar, task->bar);
  text = g_string_new (NULL);

  for (guint s = 0; s < lane->segments->len; s++)
    if (g_array_index (lane->segments, Segment, s).start <= bar->start)
      pid = g_array_index (lane->segments, Segment, s).pid;

  if (task->future != NULL)
    {
      g_autofree char *argument = argument_text (task->future);

      /* Translators: task number, then its function and argument. */
      g_string_append_printf (text, _("Task %u · %s %s"), index + 1,
                              fy_future_get_function (task->future), argument);
    }
  else
    g_string_append_printf (text, _("Task %u"), index + 1);
  /* Translators: the pid of the worker that ran a task. */
  g_string_append_printf (text, _(" · worker %d"), pid);
  if (task->cores != 0)
    {
      gboolean first = TRUE;

      g_string_append (text, " · ");
      for (guint c = 0; c < 64; c++)
        if (task->cores & (G_GUINT64_CONSTANT (1) << c))
          {
            if (first)
              g_string_append_printf (text, _("CPU %u"), c + 1);
            else
              g_string_append_printf (text, ", %u", c + 1);
            first = FALSE;
          }
    }
  start = fy_timeline_format_duration (bar->start - self->origin);
  took = fy_timeline_format_duration ((bar->end > 0 ? bar->end : g_get_monotonic_time ()) - bar->start);
  /* Translators: when a task started (since the pool's start) and how long it ran. */
  g_string_append_printf (text, _(" · started at %s, took %s"), start, took);

  if (bar->end == 0)
    g_string_append_printf (text, " · %s", state_label (FY_TIMELINE_RUNNING));
  else if (task->future != NULL && fy_future_is_finished (task->future))
    {
      guint n_items = fy_future_get_n_items (task->future);
      GVariant *result = fy_future_get_result_value (task->future);
      const GError *error = fy_future_get_error (task->future);

      if (n_items > 1)
        {
          /* Translators: how many items a map chunk carries. */
          g_string_append_printf (text, _(" · %u items"), n_items);
          for (guint i = 0; time > 0 && i < n_items; i++)
            {
              gint64 item_start, item_end;
              g_autoptr(GVariant) item_result = NULL;
              g_autoptr(GError) item_error = NULL;

              if (!fy_future_get_item_times (task->future, i, &item_start, &item_end)
                  || time < item_start || time > item_end)
                continue;
              /* Translators: the item of a chunk under the pointer. */
              g_string_append_printf (text, _(" · item %u"), fy_future_get_first_item (task->future) + i + 1);
              if (fy_future_get_item_result (task->future, i, &item_result, &item_error))
                {
                  g_autofree char *printed = g_variant_print (item_result, FALSE);

                  g_string_append_printf (text, _(" · result %s"), printed);
                }
              else
                g_string_append_printf (text, _(" · error: %s"), item_error->message);
              break;
            }
        }
      if (error != NULL)
        g_string_append_printf (text, _(" · error: %s"), error->message);
      else if (result != NULL && n_items <= 1)
        {
          g_autofree char *printed = g_variant_print (result, FALSE);

          g_string_append_printf (text, _(" · result %s"), printed);
        }
    }
  else
    g_string_append_printf (text, " · %s", state_label (bar->state));
  return g_string_free (text, FALSE);
}
