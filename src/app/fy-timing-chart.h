/* fy-timing-chart.h: a few timings as horizontal bars
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FY_TYPE_TIMING_CHART (fy_timing_chart_get_type ())
G_DECLARE_FINAL_TYPE (FyTimingChart, fy_timing_chart, FY, TIMING_CHART, GtkWidget)

GtkWidget  *fy_timing_chart_new             (void);
void        fy_timing_chart_clear           (FyTimingChart *self);
/* Appends a bar: @label (copied) took @seconds (≥ 0). The first bar is
 * the reference the others' speed is given against. */
void        fy_timing_chart_add             (FyTimingChart *self,
                                             const char    *label,
                                             double         seconds);
guint       fy_timing_chart_get_n_bars      (FyTimingChart *self);
/* "Sequential: 1.20 s; Processes: 0.31 s, 3.9× as fast; …" */
const char *fy_timing_chart_get_description (FyTimingChart *self);
/* Where bar @index was drawn in the last frame, for tests. */
gboolean    fy_timing_chart_get_bar_area    (FyTimingChart   *self,
                                             guint            index,
                                             graphene_rect_t *area);

G_END_DECLS
