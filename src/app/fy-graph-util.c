/* fy-graph-util.c: what the graph widgets share — colours, scales, texts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Colours come from the GNOME palette that libadwaita's own colours are
 * built from. Lines use darker shades on a light background and lighter
 * shades on a dark one, so each keeps its contrast in both styles. The heat
 * scale runs from the background's own tone to the strongest colour, light
 * to dark in the light style and dark to bright in the dark style, so "idle"
 * always recedes and "busy" always stands out.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-graph-util.h"

/* Eight hues, two shades each: the first eight lines get clearly different
 * hues, the next eight the same hues in a second shade. */
static const char *const line_colors_light[FY_GRAPH_N_LINE_COLORS] = {
  "#1c71d8", "#e66100", "#26a269", "#9141ac",
  "#e01b24", "#986a44", "#e5a50a", "#5e5c64",
  "#62a0ea", "#ffa348", "#33d17a", "#c061cb",
  "#f66151", "#b5835a", "#1a5fb4", "#613583",
};

static const char *const line_colors_dark[FY_GRAPH_N_LINE_COLORS] = {
  "#62a0ea", "#ffa348", "#57e389", "#dc8add",
  "#f66151", "#cdab8f", "#f8e45c", "#c0bfbc",
  "#99c1f1", "#ffbe6f", "#8ff0a4", "#c061cb",
  "#ed333b", "#b5835a", "#3584e4", "#9141ac",
};

typedef struct
{
  double      at;
  const char *color;
} HeatStop;

static const HeatStop heat_light[] = {
  { 0.00, "#f6f5f4" },
  { 0.25, "#99c1f1" },
  { 0.50, "#3584e4" },
  { 0.75, "#9141ac" },
  { 1.00, "#a51d2d" },
};

static const HeatStop heat_dark[] = {
  { 0.00, "#241f31" },
  { 0.25, "#1a5fb4" },
  { 0.50, "#9141ac" },
  { 0.75, "#e66100" },
  { 1.00, "#f9f06b" },
};

static void
parse_color (const char *spec,
             GdkRGBA    *color)
{
  gboolean ok = gdk_rgba_parse (color, spec);

  g_assert (ok);
}

void
fy_graph_foreground (GtkWidget *widget,
                     GdkRGBA   *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

gboolean
fy_graph_is_dark (GtkWidget *widget)
{
  GdkRGBA fg;

  fy_graph_foreground (widget, &fg);
  /* A light text colour means a dark background. */
  return 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5;
}

void
fy_graph_line_color (guint     index,
                     gboolean  dark,
                     GdkRGBA  *color)
{
  const char *const *table = dark ? line_colors_dark : line_colors_light;

  parse_color (table[index % FY_GRAPH_N_LINE_COLORS], color);
}

guint
fy_graph_heat_level (double fraction)
{
  if (isnan (fraction) || fraction <= 0)
    return 0;
  if (fraction >= 1)
    return FY_GRAPH_HEAT_LEVELS - 1;
  return (guint) lround (fraction * (FY_GRAPH_HEAT_LEVELS - 1));
}

void
fy_graph_heat_level_color (guint     level,
                           gboolean  dark,
                           GdkRGBA  *color)
{
  const HeatStop *stops = dark ? heat_dark : heat_light;
  guint n_stops = G_N_ELEMENTS (heat_light);
  double at = MIN (level, FY_GRAPH_HEAT_LEVELS - 1) / (double) (FY_GRAPH_HEAT_LEVELS - 1);
  GdkRGBA a, b;
  double t;
  guint i;

  for (i = 1; i < n_stops - 1 && stops[i].at < at; i++)
    ;
  parse_color (stops[i - 1].color, &a);
  parse_color (stops[i].color, &b);
  t = (at - stops[i - 1].at) / (stops[i].at - stops[i - 1].at);
  t = CLAMP (t, 0, 1);
  color->red = a.red + (b.red - a.red) * t;
  color->green = a.green + (b.green - a.green) * t;
  color->blue = a.blue + (b.blue - a.blue) * t;
  color->alpha = 1;
}

void
fy_graph_heat_color (double    fraction,
                     gboolean  dark,
                     GdkRGBA  *color)
{
  if (isnan (fraction))
    {
      *color = (GdkRGBA) { 0, 0, 0, 0 };
      return;
    }
  fy_graph_heat_level_color (fy_graph_heat_level (fraction), dark, color);
}

double
fy_graph_sample_x (guint  index,
                   guint  length,
                   guint  capacity,
                   double width)
{
  guint slot;

  g_return_val_if_fail (index < length && length <= capacity, 0);

  if (capacity < 2)
    return width;
  /* The newest sample sits at the right edge; older ones move left. */
  slot = capacity - length + index;
  return width * slot / (double) (capacity - 1);
}

double
fy_graph_value_y (double fraction,
                  double top,
                  double height)
{
  return top + height * (1 - CLAMP (fraction, 0, 1));
}

int
fy_graph_sample_at (double x,
                    guint  length,
                    guint  capacity,
                    double width)
{
  double slot;
  int index;

  if (length == 0 || capacity == 0 || width <= 0 || x < 0 || x > width)
    return -1;
  if (capacity < 2)
    return (int) length - 1;
  slot = round (x * (capacity - 1) / width);
  index = (int) slot - (int) (capacity - length);
  return index >= 0 && index < (int) length ? index : -1;
}

char *
fy_graph_format_percent (double fraction)
{
  if (isnan (fraction))
    return g_strdup (_("no figure"));
  /* Translators: a CPU load, e.g. "87 %". */
  return g_strdup_printf (_("%.0f %%"), CLAMP (fraction, 0, 1) * 100);
}

char *
fy_graph_format_age (double seconds)
{
  guint s = (guint) lround (MAX (seconds, 0));

  if (s == 0)
    return g_strdup (_("now"));
  if (s < 60)
    /* Translators: how long ago a sample was taken. */
    return g_strdup_printf (_("%u s ago"), s);
  /* Translators: how long ago a sample was taken, minutes and seconds. */
  return g_strdup_printf (_("%u min %u s ago"), s / 60, s % 60);
}

char *
fy_graph_describe_cores (FyCpuSampler *sampler)
{
  GString *text = g_string_new (NULL);
  guint n_cpus = fy_cpu_sampler_get_n_cpus (sampler);
  g_autofree char *total = NULL;

  for (guint i = 0; i < n_cpus; i++)
    {
      g_autofree char *value = fy_graph_format_percent (fy_cpu_sampler_get_core (sampler, i)->busy);

      if (i > 0)
        g_string_append (text, ", ");
      /* Translators: one core's load in a list, e.g. "CPU 3: 87 %". */
      g_string_append_printf (text, _("CPU %u: %s"), i + 1, value);
    }
  total = fy_graph_format_percent (fy_cpu_sampler_get_total (sampler)->busy);
  if (n_cpus > 0)
    g_string_append (text, "; ");
  /* Translators: the load of all cores together, e.g. "total: 40 %". */
  g_string_append_printf (text, _("total: %s"), total);
  return g_string_free (text, FALSE);
}

void
fy_graph_cell_span (guint   index,
                    guint   length,
                    guint   capacity,
                    double  width,
                    double *x0,
                    double *x1)
{
  guint slot;

  g_return_if_fail (index < length && length <= capacity);

  slot = capacity - length + index;
  *x0 = width * slot / capacity;
  *x1 = width * (slot + 1) / capacity;
}

int
fy_graph_cell_at (double x,
                  guint  length,
                  guint  capacity,
                  double width)
{
  int slot, index;

  if (length == 0 || capacity == 0 || width <= 0 || x < 0 || x >= width)
    return -1;
  slot = (int) floor (x * capacity / width);
  index = slot - (int) (capacity - length);
  return index >= 0 && index < (int) length ? index : -1;
}

void
fy_graph_fold_row (const double *values,
                   guint         length,
                   guint         capacity,
                   int          *columns,
                   guint         n_columns)
{
  for (guint c = 0; c < n_columns; c++)
    columns[c] = -1;
  if (n_columns == 0)
    return;

  for (guint i = 0; i < length; i++)
    {
      double x0, x1;
      int a, b, level;

      if (isnan (values[i]))
        continue;
      fy_graph_cell_span (i, length, capacity, n_columns, &x0, &x1);
      a = (int) floor (x0);
      b = MAX ((int) ceil (x1 - 0.5), a + 1);
      level = (int) fy_graph_heat_level (values[i]);
      for (int c = MAX (a, 0); c < MIN (b, (int) n_columns); c++)
        columns[c] = MAX (columns[c], level);
    }
}
