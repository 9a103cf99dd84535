/* fy-graph-util.h: what the graph widgets share — colours, scales, texts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pure part of the drawing widgets: the palette (light and dark
 * variants from the GNOME palette), the heat scale, the mapping of samples
 * to pixels and the accessible descriptions. Kept apart from the widgets so
 * tests can check it without a display.
 */

#pragma once

#include <gtk/gtk.h>

#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_GRAPH_N_LINE_COLORS 16
/* The heat scale is quantised so that runs of equal cells can merge. */
#define FY_GRAPH_HEAT_LEVELS   64
/* Accessible descriptions change at most this often (µs). */
#define FY_GRAPH_DESCRIPTION_PERIOD G_USEC_PER_SEC

/* TRUE when the widget's foreground is light, i.e. it is shown dark. */
gboolean  fy_graph_is_dark            (GtkWidget     *widget);
/* The foreground colour of @widget's style. */
void      fy_graph_foreground         (GtkWidget     *widget,
                                       GdkRGBA       *color);

/* The colour of line @index (wrapping after FY_GRAPH_N_LINE_COLORS). */
void      fy_graph_line_color         (guint          index,
                                       gboolean       dark,
                                       GdkRGBA       *color);
/* 0 … FY_GRAPH_HEAT_LEVELS - 1; a NAN fraction is level 0. */
guint     fy_graph_heat_level         (double         fraction);
/* The colour of a busy fraction (clamped to 0 … 1); NAN is transparent. */
void      fy_graph_heat_color         (double         fraction,
                                       gboolean       dark,
                                       GdkRGBA       *color);
void      fy_graph_heat_level_color   (guint          level,
                                       gboolean       dark,
                                       GdkRGBA       *color);

/* Where sample @index (0 = oldest) of a history holding @length of
 * @capacity samples goes on a plot @width wide: the newest at the right
 * edge, one step of width / (capacity - 1) per sample. */
double    fy_graph_sample_x           (guint          index,
                                       guint          length,
                                       guint          capacity,
                                       double         width);
/* A fraction (clamped to 0 … 1) on a plot from @top, @height high. */
double    fy_graph_value_y            (double         fraction,
                                       double         top,
                                       double         height);
/* The sample under @x, as fy_graph_sample_x () places them; -1 when none. */
int       fy_graph_sample_at          (double         x,
                                       guint          length,
                                       guint          capacity,
                                       double         width);

/* Heatmap cells: sample @index of a history holding @length of @capacity
 * fills [*x0, *x1) of a plot @width wide, newest at the right edge. */
void      fy_graph_cell_span          (guint          index,
                                       guint          length,
                                       guint          capacity,
                                       double         width,
                                       double        *x0,
                                       double        *x1);
/* The cell under @x; -1 when none. */
int       fy_graph_cell_at            (double         x,
                                       guint          length,
                                       guint          capacity,
                                       double         width);
/* One row of heat cells folded onto whole pixels: @columns (n_columns
 * long) receives, per pixel column, the highest level of the cells that
 * touch it, or -1 where there is none. A cell narrower than a pixel still
 * marks the pixel it falls in, so a short burst never vanishes. */
void      fy_graph_fold_row           (const double  *values,
                                       guint          length,
                                       guint          capacity,
                                       int           *columns,
                                       guint          n_columns);

/* "CPU 1: 87 %, CPU 2: 12 %, …" for every core, then the total. */
char     *fy_graph_describe_cores     (FyCpuSampler  *sampler);
/* "87 %" or "no figure". */
char     *fy_graph_format_percent     (double         fraction);
/* "3 s ago", "now", "2 min 5 s ago". */
char     *fy_graph_format_age         (double         seconds);

G_END_DECLS
