/* fy-cpu-graph.c: per-core CPU history as lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One line per core (up to FY_CPU_GRAPH_MAX_LINES), the total as a thicker
 * line in the text colour, a 0–100 % axis, the time span of the history
 * below and a legend. The frame, grid, axis texts and legend only change
 * with the size, the style or the history's shape, so they are recorded
 * once as a render node and replayed; each new sample only redraws the
 * lines. New samples queue a draw, which GTK coalesces to the next frame.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-cpu-graph.h"
#include "fy-graph-describer.h"
#include "fy-graph-util.h"

#define PAD          6.0
#define LEGEND_SWATCH 14.0
#define LEGEND_GAP   12.0

struct _FyCpuGraph
{
  GtkWidget      parent_instance;

  FyCpuSampler  *sampler;
  gulong         sampled_id;

  /* The cached static layer and what it was drawn for. */
  GskRenderNode *grid;
  int            grid_width;
  int            grid_height;
  guint          grid_capacity;
  guint          grid_interval;
  guint          grid_n_cpus;
  graphene_rect_t plot;

  FyGraphDescriber describer;
};

G_DEFINE_FINAL_TYPE (FyCpuGraph, fy_cpu_graph, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SAMPLER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
describe (gpointer owner)
{
  FyCpuGraph *self = owner;

  return self->sampler != NULL ? fy_graph_describe_cores (self->sampler) : NULL;
}

static void
sampled_cb (FyCpuGraph *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  fy_graph_describer_queue (&self->describer);
}

static guint
n_lines (FyCpuGraph *self)
{
  return MIN (fy_cpu_sampler_get_n_cpus (self->sampler), FY_CPU_GRAPH_MAX_LINES);
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
            const char  *text,
            int         *height)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  if (height != NULL)
    *height = h;
  return w;
}

/* Records the frame, grid, axis texts and legend for this size. */
static GskRenderNode *
build_grid (FyCpuGraph *self,
            int         width,
            int         height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  gboolean dark = fy_graph_is_dark (widget);
  guint capacity = fy_history_get_capacity (fy_cpu_sampler_get_total_history (self->sampler));
  guint interval = fy_cpu_sampler_get_interval (self->sampler);
  guint lines = n_lines (self);
  g_autofree char *label_100 = fy_graph_format_percent (1);
  g_autofree char *span = fy_graph_format_age ((capacity - 1) * interval / 1000.0);
  GdkRGBA fg, text, rule, swatch;
  int text_h, axis_w, item_w, n_columns, n_rows;
  double plot_x, plot_y, plot_w, plot_h, legend_y;

  fy_graph_foreground (widget, &fg);
  text = fg;
  text.alpha *= 0.7;
  rule = fg;
  rule.alpha *= 0.15;

  axis_w = text_width (layout, label_100, &text_h) + PAD;
  /* The legend: "Total" and one item per line, in as many columns as fit. */
  {
    g_autofree char *widest = g_strdup_printf (_("CPU %u"), FY_CPU_GRAPH_MAX_LINES);

    item_w = LEGEND_SWATCH + 4 + MAX (text_width (layout, _("Total"), NULL),
                                      text_width (layout, widest, NULL)) + LEGEND_GAP;
  }
  plot_x = axis_w;
  plot_w = MAX (width - plot_x - PAD, 1);
  n_columns = MAX ((int) (plot_w / item_w), 1);
  n_rows = (lines + 1 + n_columns - 1) / n_columns;
  plot_y = ceil (text_h / 2.0);
  plot_h = MAX (floor (height - plot_y - text_h - PAD - n_rows * (text_h + 2) - PAD), 1);
  legend_y = plot_y + plot_h + text_h + PAD;
  self->plot = GRAPHENE_RECT_INIT (plot_x, plot_y, plot_w, plot_h);

  /* Horizontal rules every 25 %, labelled every 50 %. */
  for (guint i = 0; i <= 4; i++)
    {
      double y = round (fy_graph_value_y (i / 4.0, plot_y, plot_h));

      gtk_snapshot_append_color (snapshot, &rule, &GRAPHENE_RECT_INIT (plot_x, y, plot_w, 1));
      if (i % 2 == 0)
        {
          g_autofree char *label = fy_graph_format_percent (i / 4.0);
          int w = text_width (layout, label, NULL);

          append_text (snapshot, layout, label, plot_x - PAD - w, y - text_h / 2.0, &text);
        }
    }
  gtk_snapshot_append_color (snapshot, &rule, &GRAPHENE_RECT_INIT (plot_x, plot_y, 1, plot_h));
  gtk_snapshot_append_color (snapshot, &rule, &GRAPHENE_RECT_INIT (plot_x + plot_w - 1, plot_y, 1, plot_h));

  /* The time span under the plot: oldest at the left, now at the right. */
  append_text (snapshot, layout, span, plot_x, plot_y + plot_h + 1, &text);
  {
    const char *now = _("now");

    append_text (snapshot, layout, now, plot_x + plot_w - text_width (layout, now, NULL),
                 plot_y + plot_h + 1, &text);
  }

  for (guint i = 0; i <= lines; i++)
    {
      double x = plot_x + (i % n_columns) * item_w;
      double y = legend_y + (i / n_columns) * (text_h + 2);
      g_autofree char *label = NULL;

      if (i == 0)
        {
          label = g_strdup (_("Total"));
          swatch = fg;
        }
      else
        {
          /* Translators: a core's name in the graph's legend. */
          label = g_strdup_printf (_("CPU %u"), i);
          fy_graph_line_color (i - 1, dark, &swatch);
        }
      /* On whole pixels, so cairo does not blur the swatch's edges. */
      gtk_snapshot_append_color (snapshot, &swatch,
                                 &GRAPHENE_RECT_INIT (x, round (y + text_h / 2.0 - (i == 0 ? 2 : 1.5)),
                                                      LEGEND_SWATCH, i == 0 ? 4 : 3));
      append_text (snapshot, layout, label, x + LEGEND_SWATCH + 4, y, &text);
    }

  self->grid_width = width;
  self->grid_height = height;
  self->grid_capacity = capacity;
  self->grid_interval = interval;
  self->grid_n_cpus = fy_cpu_sampler_get_n_cpus (self->sampler);
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static void
trace_history (cairo_t   *cr,
               FyHistory *history,
               double     width,
               double     height)
{
  guint length = fy_history_get_length (history);
  guint capacity = fy_history_get_capacity (history);
  const double *spans[2];
  guint n_spans[2];
  gboolean drawing = FALSE;
  guint index = 0;

  fy_history_peek (history, &spans[0], &n_spans[0], &spans[1], &n_spans[1]);
  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < n_spans[s]; i++, index++)
      {
        double value = spans[s][i];
        double x, y;

        /* A core with no figure leaves a gap, not a drop to zero. */
        if (isnan (value))
          {
            drawing = FALSE;
            continue;
          }
        x = fy_graph_sample_x (index, length, capacity, width);
        y = fy_graph_value_y (value, 0, height);
        if (drawing)
          cairo_line_to (cr, x, y);
        else
          cairo_move_to (cr, x, y);
        drawing = TRUE;
      }
}

static void
fy_cpu_graph_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  FyCpuGraph *self = FY_CPU_GRAPH (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean dark;
  GdkRGBA fg, color;
  cairo_t *cr;
  guint lines;

  if (self->sampler == NULL || width <= 0 || height <= 0)
    return;

  if (self->grid == NULL
      || self->grid_width != width || self->grid_height != height
      || self->grid_capacity != fy_history_get_capacity (fy_cpu_sampler_get_total_history (self->sampler))
      || self->grid_interval != fy_cpu_sampler_get_interval (self->sampler)
      || self->grid_n_cpus != fy_cpu_sampler_get_n_cpus (self->sampler))
    {
      g_clear_pointer (&self->grid, gsk_render_node_unref);
      self->grid = build_grid (self, width, height);
    }
  gtk_snapshot_append_node (snapshot, self->grid);

  dark = fy_graph_is_dark (widget);
  fy_graph_foreground (widget, &fg);
  lines = n_lines (self);

  cr = gtk_snapshot_append_cairo (snapshot,
                                  &GRAPHENE_RECT_INIT (self->plot.origin.x, self->plot.origin.y - 4,
                                                       self->plot.size.width, self->plot.size.height + 8));
  cairo_translate (cr, self->plot.origin.x, self->plot.origin.y);
  /* Clipped at the sides only: a line at 0 % or 100 % keeps its width. */
  cairo_rectangle (cr, 0, -4, self->plot.size.width, self->plot.size.height + 8);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 2);
  for (guint i = 0; i < lines; i++)
    {
      fy_graph_line_color (i, dark, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      trace_history (cr, fy_cpu_sampler_get_core_history (self->sampler, i),
                     self->plot.size.width, self->plot.size.height);
      cairo_stroke (cr);
    }
  /* The total last, on top, thicker, opaque so crossings stay legible. */
  fg.alpha = 1;
  cairo_set_line_width (cr, 3.5);
  gdk_cairo_set_source_rgba (cr, &fg);
  trace_history (cr, fy_cpu_sampler_get_total_history (self->sampler),
                 self->plot.size.width, self->plot.size.height);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
fy_cpu_graph_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 480;
    }
  else
    {
      *minimum = 180;
      *natural = 260;
    }
}

static void
fy_cpu_graph_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  FyCpuGraph *self = FY_CPU_GRAPH (widget);

  GTK_WIDGET_CLASS (fy_cpu_graph_parent_class)->css_changed (widget, change);
  /* Colours and fonts of the cached layer may have changed. */
  g_clear_pointer (&self->grid, gsk_render_node_unref);
  gtk_widget_queue_draw (widget);
}

static void
fy_cpu_graph_dispose (GObject *object)
{
  FyCpuGraph *self = FY_CPU_GRAPH (object);

  fy_cpu_graph_set_sampler (self, NULL);
  fy_graph_describer_clear (&self->describer);
  g_clear_pointer (&self->grid, gsk_render_node_unref);

  G_OBJECT_CLASS (fy_cpu_graph_parent_class)->dispose (object);
}

static void
fy_cpu_graph_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FyCpuGraph *self = FY_CPU_GRAPH (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      g_value_set_object (value, self->sampler);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_cpu_graph_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FyCpuGraph *self = FY_CPU_GRAPH (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      fy_cpu_graph_set_sampler (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_cpu_graph_class_init (FyCpuGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_cpu_graph_dispose;
  object_class->get_property = fy_cpu_graph_get_property;
  object_class->set_property = fy_cpu_graph_set_property;

  widget_class->snapshot = fy_cpu_graph_snapshot;
  widget_class->measure = fy_cpu_graph_measure;
  widget_class->css_changed = fy_cpu_graph_css_changed;

  properties[PROP_SAMPLER] =
    g_param_spec_object ("sampler", NULL, NULL,
                         FY_TYPE_CPU_SAMPLER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cpugraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fy_cpu_graph_init (FyCpuGraph *self)
{
  fy_graph_describer_init (&self->describer, GTK_ACCESSIBLE (self), describe);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("CPU history per core"),
                                  -1);
}

GtkWidget *
fy_cpu_graph_new (void)
{
  return g_object_new (FY_TYPE_CPU_GRAPH, NULL);
}

FyCpuSampler *
fy_cpu_graph_get_sampler (FyCpuGraph *self)
{
  g_return_val_if_fail (FY_IS_CPU_GRAPH (self), NULL);

  return self->sampler;
}

void
fy_cpu_graph_set_sampler (FyCpuGraph   *self,
                          FyCpuSampler *sampler)
{
  g_return_if_fail (FY_IS_CPU_GRAPH (self));
  g_return_if_fail (sampler == NULL || FY_IS_CPU_SAMPLER (sampler));

  if (self->sampler == sampler)
    return;
  if (self->sampler != NULL)
    g_clear_signal_handler (&self->sampled_id, self->sampler);
  g_set_object (&self->sampler, sampler);
  if (sampler != NULL)
    {
      self->sampled_id = g_signal_connect_swapped (sampler, "sampled",
                                                   G_CALLBACK (sampled_cb), self);
      fy_graph_describer_now (&self->describer);
    }
  g_clear_pointer (&self->grid, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
}

const char *
fy_cpu_graph_get_description (FyCpuGraph *self)
{
  g_return_val_if_fail (FY_IS_CPU_GRAPH (self), NULL);

  return fy_graph_describer_get_text (&self->describer);
}

void
fy_cpu_graph_get_plot_area (FyCpuGraph      *self,
                           graphene_rect_t *area)
{
  g_return_if_fail (FY_IS_CPU_GRAPH (self));

  *area = self->plot;
}
