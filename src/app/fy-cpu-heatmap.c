/* fy-cpu-heatmap.c: per-core CPU history as a cores × time heatmap
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per core, time along x (newest at the right), the busy fraction
 * as colour, with a legend scale below. It stays readable where lines do
 * not: 64 or 256 cores are 64 or 256 thin rows.
 *
 * Drawing cost is bounded by pixels, not samples: each row is folded onto
 * whole pixel columns (the busiest cell wins a shared pixel) and runs of
 * equal colour become one colour node. The cells are recorded once per new
 * sample (or size or style change) and replayed in between, so hovering or
 * a resize of something else never rebuilds them. Hovering shows the core,
 * the sample's age and its value in a tooltip.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fy-cpu-heatmap.h"
#include "fy-graph-describer.h"
#include "fy-graph-util.h"

#define PAD         6.0
#define SCALE_H     10.0
#define SCALE_STEPS 32
#define MIN_ROW_H   2

struct _FyCpuHeatmap
{
  GtkWidget       parent_instance;

  FyCpuSampler   *sampler;
  gulong          sampled_id;

  /* Cached layers: the frame, labels and scale; the cells. */
  GskRenderNode  *frame;
  GskRenderNode  *cells;
  int             cached_width;
  int             cached_height;
  guint           cached_n_cpus;
  guint           cached_capacity;
  guint           cached_interval;
  graphene_rect_t plot;
  guint           n_cell_nodes;

  FyGraphDescriber describer;
};

G_DEFINE_FINAL_TYPE (FyCpuHeatmap, fy_cpu_heatmap, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SAMPLER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
describe (gpointer owner)
{
  FyCpuHeatmap *self = owner;

  return self->sampler != NULL ? fy_graph_describe_cores (self->sampler) : NULL;
}

static void
sampled_cb (FyCpuHeatmap *self)
{
  g_clear_pointer (&self->cells, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  fy_graph_describer_queue (&self->describer);
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

static double
row_top (FyCpuHeatmap *self,
         guint         core)
{
  guint n = MAX (fy_cpu_sampler_get_n_cpus (self->sampler), 1);

  return round (self->plot.origin.y + self->plot.size.height * core / n);
}

/* Row labels, the time span and the legend scale; sets the plot area. */
static GskRenderNode *
build_frame (FyCpuHeatmap *self,
             int           width,
             int           height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  gboolean dark = fy_graph_is_dark (widget);
  guint n_cpus = fy_cpu_sampler_get_n_cpus (self->sampler);
  guint capacity = fy_history_get_capacity (fy_cpu_sampler_get_total_history (self->sampler));
  guint interval = fy_cpu_sampler_get_interval (self->sampler);
  g_autofree char *widest = g_strdup_printf (_("CPU %u"), MAX (n_cpus, 1));
  g_autofree char *span = fy_graph_format_age ((capacity - 1) * interval / 1000.0);
  g_autofree char *zero = fy_graph_format_percent (0);
  g_autofree char *full = fy_graph_format_percent (1);
  GdkRGBA fg, text;
  int text_h, label_w, zero_w, full_w;
  double plot_x, plot_w, plot_h, row_h, scale_x, scale_w, scale_y;
  guint label_every;

  fy_graph_foreground (widget, &fg);
  text = fg;
  text.alpha *= 0.7;

  label_w = text_width (layout, widest, &text_h) + PAD;
  plot_x = label_w;
  plot_w = MAX (floor (width - plot_x - PAD), 1);
  plot_h = MAX (height - (text_h + 2) - (SCALE_H + text_h + PAD) - PAD, 1);
  self->plot = GRAPHENE_RECT_INIT (plot_x, 0, plot_w, plot_h);
  row_h = plot_h / MAX (n_cpus, 1);

  /* Label every core whose label fits; 1, then every 2nd, 4th, 8th … */
  label_every = 1;
  while (label_every * row_h < text_h + 2 && label_every < n_cpus)
    label_every *= 2;
  for (guint i = 0; i < n_cpus; i += label_every)
    {
      g_autofree char *label = g_strdup_printf (_("CPU %u"), i + 1);
      /* A label per row is centred on it; a sparser one starts at its row. */
      double y = label_every == 1 ? plot_h * (i + 0.5) / MAX (n_cpus, 1) - text_h / 2.0
                                  : plot_h * i / MAX (n_cpus, 1);

      append_text (snapshot, layout, label, plot_x - PAD - text_width (layout, label, NULL),
                   CLAMP (y, 0, plot_h - text_h), &text);
    }

  append_text (snapshot, layout, span, plot_x, plot_h + 2, &text);
  {
    const char *now = _("now");

    append_text (snapshot, layout, now, plot_x + plot_w - text_width (layout, now, NULL),
                 plot_h + 2, &text);
  }

  /* The legend scale: "0 %" [gradient] "100 %". */
  zero_w = text_width (layout, zero, NULL);
  full_w = text_width (layout, full, NULL);
  scale_y = plot_h + 2 + text_h + PAD;
  scale_w = MIN (plot_w - zero_w - full_w - 2 * PAD, 320);
  scale_x = plot_x + (plot_w - scale_w) / 2;
  append_text (snapshot, layout, zero, scale_x - PAD - zero_w, scale_y + (SCALE_H - text_h) / 2, &text);
  append_text (snapshot, layout, full, scale_x + scale_w + PAD, scale_y + (SCALE_H - text_h) / 2, &text);
  for (guint i = 0; i < SCALE_STEPS && scale_w > 0; i++)
    {
      GdkRGBA color;
      double x0 = round (scale_x + scale_w * i / SCALE_STEPS);
      double x1 = round (scale_x + scale_w * (i + 1) / SCALE_STEPS);

      fy_graph_heat_level_color (i * (FY_GRAPH_HEAT_LEVELS - 1) / (SCALE_STEPS - 1), dark, &color);
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x0, scale_y, x1 - x0, SCALE_H));
    }

  self->cached_width = width;
  self->cached_height = height;
  self->cached_n_cpus = n_cpus;
  self->cached_capacity = capacity;
  self->cached_interval = interval;
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static GskRenderNode *
build_cells (FyCpuHeatmap *self)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  gboolean dark = fy_graph_is_dark (GTK_WIDGET (self));
  guint n_cpus = fy_cpu_sampler_get_n_cpus (self->sampler);
  guint n_columns = (guint) self->plot.size.width;
  g_autofree int *columns = g_new (int, n_columns);
  g_autofree double *values = g_new (double, FY_HISTORY_MAX_CAPACITY);
  GdkRGBA level_colors[FY_GRAPH_HEAT_LEVELS];
  GdkRGBA empty;
  guint n_nodes = 0;

  for (guint l = 0; l < FY_GRAPH_HEAT_LEVELS; l++)
    fy_graph_heat_level_color (l, dark, &level_colors[l]);

  /* Where there is no figure yet the plot shows a faint tint, so an
   * idle core (the lightest colour) is not mistaken for "no data". */
  fy_graph_foreground (GTK_WIDGET (self), &empty);
  empty.alpha *= 0.06;
  gtk_snapshot_append_color (snapshot, &empty, &self->plot);

  for (guint core = 0; core < n_cpus; core++)
    {
      FyHistory *history = fy_cpu_sampler_get_core_history (self->sampler, core);
      guint capacity = fy_history_get_capacity (history);
      guint length = fy_history_get_length (history);
      const double *first, *second;
      guint n_first, n_second;
      double y0 = row_top (self, core);
      double y1 = row_top (self, core + 1);
      guint c = 0;

      fy_history_peek (history, &first, &n_first, &second, &n_second);
      if (n_first > 0)
        memcpy (values, first, n_first * sizeof (double));
      if (n_second > 0)
        memcpy (values + n_first, second, n_second * sizeof (double));
      fy_graph_fold_row (values, length, capacity, columns, n_columns);

      /* Runs of equal colour become one node. */
      while (c < n_columns)
        {
          guint start = c;
          int level = columns[c];

          while (c < n_columns && columns[c] == level)
            c++;
          if (level < 0)
            continue;
          gtk_snapshot_append_color (snapshot, &level_colors[level],
                                     &GRAPHENE_RECT_INIT (self->plot.origin.x + start, y0,
                                                          c - start, y1 - y0));
          n_nodes++;
        }
    }
  self->n_cell_nodes = n_nodes;
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static void
fy_cpu_heatmap_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  FyCpuHeatmap *self = FY_CPU_HEATMAP (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (self->sampler == NULL || width <= 0 || height <= 0)
    return;

  if (self->frame == NULL || self->cached_width != width || self->cached_height != height
      || self->cached_n_cpus != fy_cpu_sampler_get_n_cpus (self->sampler)
      || self->cached_capacity != fy_history_get_capacity (fy_cpu_sampler_get_total_history (self->sampler))
      || self->cached_interval != fy_cpu_sampler_get_interval (self->sampler))
    {
      g_clear_pointer (&self->frame, gsk_render_node_unref);
      g_clear_pointer (&self->cells, gsk_render_node_unref);
      self->frame = build_frame (self, width, height);
    }
  if (self->cells == NULL)
    self->cells = build_cells (self);
  gtk_snapshot_append_node (snapshot, self->cells);
  gtk_snapshot_append_node (snapshot, self->frame);
}

static void
fy_cpu_heatmap_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  FyCpuHeatmap *self = FY_CPU_HEATMAP (widget);
  guint n_cpus = self->sampler != NULL ? fy_cpu_sampler_get_n_cpus (self->sampler) : 1;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 480;
    }
  else
    {
      /* Rows never get thinner than MIN_ROW_H pixels. */
      *minimum = MAX (120, (int) n_cpus * MIN_ROW_H + 60);
      *natural = MAX (260, (int) n_cpus * 4 + 60);
    }
}

char *
fy_cpu_heatmap_describe_at (FyCpuHeatmap *self,
                            double        x,
                            double        y)
{
  FyHistory *history;
  guint n_cpus, core, length;
  int index;
  double value;
  g_autofree char *age = NULL;
  g_autofree char *percent = NULL;

  g_return_val_if_fail (FY_IS_CPU_HEATMAP (self), NULL);

  if (self->sampler == NULL || self->frame == NULL)
    return NULL;
  n_cpus = fy_cpu_sampler_get_n_cpus (self->sampler);
  if (n_cpus == 0 || y < self->plot.origin.y
      || y >= self->plot.origin.y + self->plot.size.height)
    return NULL;
  core = MIN ((guint) ((y - self->plot.origin.y) * n_cpus / self->plot.size.height), n_cpus - 1);
  history = fy_cpu_sampler_get_core_history (self->sampler, core);
  length = fy_history_get_length (history);
  index = fy_graph_cell_at (x - self->plot.origin.x, length,
                            fy_history_get_capacity (history), self->plot.size.width);
  if (index < 0)
    return NULL;
  value = fy_history_get (history, index);
  age = fy_graph_format_age ((length - 1 - index) * fy_cpu_sampler_get_interval (self->sampler) / 1000.0);
  percent = fy_graph_format_percent (value);
  /* Translators: a heatmap cell's tooltip: core, when, load. */
  return g_strdup_printf (_("CPU %u · %s · %s"), core + 1, age, percent);
}

static gboolean
fy_cpu_heatmap_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard_mode,
                              GtkTooltip *tooltip)
{
  g_autofree char *text = fy_cpu_heatmap_describe_at (FY_CPU_HEATMAP (widget), x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
fy_cpu_heatmap_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  FyCpuHeatmap *self = FY_CPU_HEATMAP (widget);

  GTK_WIDGET_CLASS (fy_cpu_heatmap_parent_class)->css_changed (widget, change);
  g_clear_pointer (&self->frame, gsk_render_node_unref);
  g_clear_pointer (&self->cells, gsk_render_node_unref);
  gtk_widget_queue_draw (widget);
}

static void
fy_cpu_heatmap_dispose (GObject *object)
{
  FyCpuHeatmap *self = FY_CPU_HEATMAP (object);

  fy_cpu_heatmap_set_sampler (self, NULL);
  fy_graph_describer_clear (&self->describer);
  g_clear_pointer (&self->frame, gsk_render_node_unref);
  g_clear_pointer (&self->cells, gsk_render_node_unref);

  G_OBJECT_CLASS (fy_cpu_heatmap_parent_class)->dispose (object);
}

static void
fy_cpu_heatmap_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FyCpuHeatmap *self = FY_CPU_HEATMAP (object);

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
fy_cpu_heatmap_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FyCpuHeatmap *self = FY_CPU_HEATMAP (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      fy_cpu_heatmap_set_sampler (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_cpu_heatmap_class_init (FyCpuHeatmapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_cpu_heatmap_dispose;
  object_class->get_property = fy_cpu_heatmap_get_property;
  object_class->set_property = fy_cpu_heatmap_set_property;

  widget_class->snapshot = fy_cpu_heatmap_snapshot;
  widget_class->measure = fy_cpu_heatmap_measure;
  widget_class->query_tooltip = fy_cpu_heatmap_query_tooltip;
  widget_class->css_changed = fy_cpu_heatmap_css_changed;

  properties[PROP_SAMPLER] =
    g_param_spec_object ("sampler", NULL, NULL,
                         FY_TYPE_CPU_SAMPLER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cpuheatmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fy_cpu_heatmap_init (FyCpuHeatmap *self)
{
  fy_graph_describer_init (&self->describer, GTK_ACCESSIBLE (self), describe);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("CPU heatmap per core"),
                                  -1);
}

GtkWidget *
fy_cpu_heatmap_new (void)
{
  return g_object_new (FY_TYPE_CPU_HEATMAP, NULL);
}

FyCpuSampler *
fy_cpu_heatmap_get_sampler (FyCpuHeatmap *self)
{
  g_return_val_if_fail (FY_IS_CPU_HEATMAP (self), NULL);

  return self->sampler;
}

void
fy_cpu_heatmap_set_sampler (FyCpuHeatmap *self,
                            FyCpuSampler *sampler)
{
  g_return_if_fail (FY_IS_CPU_HEATMAP (self));
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
  g_clear_pointer (&self->frame, gsk_render_node_unref);
  g_clear_pointer (&self->cells, gsk_render_node_unref);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
}

const char *
fy_cpu_heatmap_get_description (FyCpuHeatmap *self)
{
  g_return_val_if_fail (FY_IS_CPU_HEATMAP (self), NULL);

  return fy_graph_describer_get_text (&self->describer);
}

guint
fy_cpu_heatmap_get_n_cell_nodes (FyCpuHeatmap *self)
{
  g_return_val_if_fail (FY_IS_CPU_HEATMAP (self), 0);

  return self->n_cell_nodes;
}

void
fy_cpu_heatmap_get_plot_area (FyCpuHeatmap    *self,
                              graphene_rect_t *area)
{
  g_return_if_fail (FY_IS_CPU_HEATMAP (self));

  *area = self->plot;
}
