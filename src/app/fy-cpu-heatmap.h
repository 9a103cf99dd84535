/* fy-cpu-heatmap.h: per-core CPU history as a cores × time heatmap
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_TYPE_CPU_HEATMAP (fy_cpu_heatmap_get_type ())
G_DECLARE_FINAL_TYPE (FyCpuHeatmap, fy_cpu_heatmap, FY, CPU_HEATMAP, GtkWidget)

GtkWidget    *fy_cpu_heatmap_new             (void);
FyCpuSampler *fy_cpu_heatmap_get_sampler     (FyCpuHeatmap *self);
void          fy_cpu_heatmap_set_sampler     (FyCpuHeatmap *self,
                                              FyCpuSampler *sampler);
const char   *fy_cpu_heatmap_get_description (FyCpuHeatmap *self);
/* What hovering at (@x, @y) shows, or NULL off the cells. */
char         *fy_cpu_heatmap_describe_at     (FyCpuHeatmap *self,
                                              double        x,
                                              double        y);
/* Colour nodes the last frame's cells took (runs of equal cells merge). */
guint         fy_cpu_heatmap_get_n_cell_nodes (FyCpuHeatmap *self);

/* Where the last frame drew the samples, in widget coordinates. */
void          fy_cpu_heatmap_get_plot_area (FyCpuHeatmap *self,
                                   graphene_rect_t *area);

G_END_DECLS
