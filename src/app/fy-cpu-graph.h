/* fy-cpu-graph.h: per-core CPU history as lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

/* Cores drawn as lines; beyond this the heatmap is the readable view. */
#define FY_CPU_GRAPH_MAX_LINES 16

#define FY_TYPE_CPU_GRAPH (fy_cpu_graph_get_type ())
G_DECLARE_FINAL_TYPE (FyCpuGraph, fy_cpu_graph, FY, CPU_GRAPH, GtkWidget)

GtkWidget    *fy_cpu_graph_new         (void);
FyCpuSampler *fy_cpu_graph_get_sampler (FyCpuGraph   *self);
void          fy_cpu_graph_set_sampler (FyCpuGraph   *self,
                                        FyCpuSampler *sampler);
/* The text its accessible description holds now. */
const char   *fy_cpu_graph_get_description (FyCpuGraph *self);

/* Where the last frame drew the samples, in widget coordinates. */
void          fy_cpu_graph_get_plot_area (FyCpuGraph *self,
                                   graphene_rect_t *area);

G_END_DECLS
