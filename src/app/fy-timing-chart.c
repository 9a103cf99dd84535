/* fy-timing-chart.c: a few timings as horizontal bars
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The threads-vs-processes scenario's lesson in one look: one bar per way
 * of running the same batch, its length the wall time, the label on the
 * left and the figure with its speed against the first bar on the right.
 * Bars are colour nodes in the style's accent colour (the fastest in the
 * success colour), text goes through Pango in the foreground colour, so
 * the chart follows light and dark. The accessible description states
 * every figure, for a screen reader has no bars to look at.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-graph-util.h"
#include "fy-timing-chart.h"

#define BAR_H   18.0
#define ROW_GAP 8.0
#define PAD     8.0

typedef struct
{
  char   *label;
  double  seconds;
  graphene_rect_t area;
} Bar;

struct _FyTimingChart
{
  GtkWidget  parent_instance;

  GArray    *bars;   /* Bar */
  char      *description;
};

G_DEFINE_FINAL_TYPE (FyTimingChart, fy_timing_chart, GTK_TYPE_WIDGET)

static void
bar_clear (gpointer data)
{
  Bar *bar = data;

  g_free (bar->label);
}

static char *
figure_text (FyTimingChart *self,
             guint          index)
{
  Bar *bar = &g_array_index (self->bars, Bar, index);
  double reference = g_array_index (self->bars, Bar, 0).seconds;

  if (index == 0 || bar->seconds <= 0 || reference <= 0)
    /* Translators: a wall time in seconds. */
    return g_strdup_printf (_("%.2f s"), bar->seconds);
  /* Translators: a wall time, then how many times as fast as the first
   * bar's (the sequential run) it is. */
  return g_strdup_printf (_("%.2f s, %.1f× as fast"), bar->seconds, reference / bar->seconds);
}

static void
describe (FyTimingChart *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->bars->len; i++)
    {
      g_autofree char *figure = figure_text (self, i);

      if (i > 0)
        g_string_append (text, "; ");
      /* Translators: one bar of the timing chart, "Processes: 0.31 s". */
      g_string_append_printf (text, _("%s: %s"), g_array_index (self->bars, Bar, i).label, figure);
    }
  g_free (self->description);
  self->description = g_string_free (text, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->description,
                                  -1);
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color))
    fy_graph_line_color (0, fy_graph_is_dark (widget), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
append_text (GtkSnapshot *snapshot,
             PangoLayout *layout,
             double       x,
             double       y,
             GdkRGBA     *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
fy_timing_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  FyTimingChart *self = FY_TIMING_CHART (widget);
  double width = gtk_widget_get_width (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  GdkRGBA fg, accent, fastest, track;
  double label_w = 0, figure_w = 0, longest = 0, plot_w;
  guint best = 0;
  int w, h;

  if (self->bars->len == 0 || width <= 0)
    return;

  fy_graph_foreground (widget, &fg);
  lookup_color (widget, "accent_bg_color", &accent);
  lookup_color (widget, "success_bg_color", &fastest);
  track = fg;
  track.alpha *= 0.08;

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autofree char *figure = figure_text (self, i);

      pango_layout_set_text (layout, bar->label, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      label_w = MAX (label_w, w);
      pango_layout_set_text (layout, figure, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      figure_w = MAX (figure_w, w);
      longest = MAX (longest, bar->seconds);
      if (bar->seconds < g_array_index (self->bars, Bar, best).seconds)
        best = i;
    }
  plot_w = MAX (width - label_w - figure_w - 3 * PAD, 1);

  for (guint i = 0; i < self->bars->len; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autofree char *figure = figure_text (self, i);
      double y = i * (BAR_H + ROW_GAP);
      double x0 = label_w + PAD;
      double bar_w = longest > 0 ? round (bar->seconds / longest * plot_w) : 0;

      pango_layout_set_text (layout, bar->label, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      append_text (snapshot, layout, label_w - w, y + (BAR_H - h) / 2, &fg);

      gtk_snapshot_append_color (snapshot, &track, &GRAPHENE_RECT_INIT (x0, y, plot_w, BAR_H));
      bar->area = GRAPHENE_RECT_INIT (x0, y, MAX (bar_w, 1), BAR_H);
      gtk_snapshot_append_color (snapshot, i == best && self->bars->len > 1 ? &fastest : &accent,
                                 &bar->area);

      pango_layout_set_text (layout, figure, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      append_text (snapshot, layout, x0 + plot_w + PAD, y + (BAR_H - h) / 2, &fg);
    }
}

static void
fy_timing_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  FyTimingChart *self = FY_TIMING_CHART (widget);
  guint n = self->bars->len;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 480;
    }
  else
    *minimum = *natural = n > 0 ? (int) (n * BAR_H + (n - 1) * ROW_GAP) : 0;
}

static void
fy_timing_chart_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (fy_timing_chart_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (widget);
}

static void
fy_timing_chart_finalize (GObject *object)
{
  FyTimingChart *self = FY_TIMING_CHART (object);

  g_array_unref (self->bars);
  g_free (self->description);

  G_OBJECT_CLASS (fy_timing_chart_parent_class)->finalize (object);
}

static void
fy_timing_chart_class_init (FyTimingChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = fy_timing_chart_finalize;

  widget_class->snapshot = fy_timing_chart_snapshot;
  widget_class->measure = fy_timing_chart_measure;
  widget_class->css_changed = fy_timing_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "timingchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fy_timing_chart_init (FyTimingChart *self)
{
  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_array_set_clear_func (self->bars, bar_clear);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Timings"),
                                  -1);
}

GtkWidget *
fy_timing_chart_new (void)
{
  return g_object_new (FY_TYPE_TIMING_CHART, NULL);
}

void
fy_timing_chart_clear (FyTimingChart *self)
{
  g_return_if_fail (FY_IS_TIMING_CHART (self));

  g_array_set_size (self->bars, 0);
  describe (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
fy_timing_chart_add (FyTimingChart *self,
                     const char    *label,
                     double         seconds)
{
  Bar bar = { 0 };

  g_return_if_fail (FY_IS_TIMING_CHART (self));
  g_return_if_fail (label != NULL);
  g_return_if_fail (seconds >= 0 && isfinite (seconds));

  bar.label = g_strdup (label);
  bar.seconds = seconds;
  g_array_append_val (self->bars, bar);
  describe (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
fy_timing_chart_get_n_bars (FyTimingChart *self)
{
  g_return_val_if_fail (FY_IS_TIMING_CHART (self), 0);

  return self->bars->len;
}

const char *
fy_timing_chart_get_description (FyTimingChart *self)
{
  g_return_val_if_fail (FY_IS_TIMING_CHART (self), NULL);

  return self->description;
}

gboolean
fy_timing_chart_get_bar_area (FyTimingChart   *self,
                              guint            index,
                              graphene_rect_t *area)
{
  g_return_val_if_fail (FY_IS_TIMING_CHART (self), FALSE);

  if (index >= self->bars->len)
    return FALSE;
  *area = g_array_index (self->bars, Bar, index).area;
  return TRUE;
}
