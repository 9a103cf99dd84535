/* fy-monitor-page.h: the Monitor page — every core, the load, the pool's processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "core/fy-pool.h"
#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_TYPE_MONITOR_PAGE (fy_monitor_page_get_type ())
G_DECLARE_FINAL_TYPE (FyMonitorPage, fy_monitor_page, FY, MONITOR_PAGE, GtkWidget)

GtkWidget    *fy_monitor_page_new         (void);
/* NULL until set, or until the page is first shown: then it takes the
 * application's shared sampler. */
FyCpuSampler *fy_monitor_page_get_sampler (FyMonitorPage *self);
void          fy_monitor_page_set_sampler (FyMonitorPage *self,
                                           FyCpuSampler  *sampler);
/* The pool whose workers the process table lists; may be NULL. */
FyPool       *fy_monitor_page_get_pool    (FyMonitorPage *self);
void          fy_monitor_page_set_pool    (FyMonitorPage *self,
                                           FyPool        *pool);
/* "graph", "heatmap" or "table". */
const char   *fy_monitor_page_get_view    (FyMonitorPage *self);
void          fy_monitor_page_set_view    (FyMonitorPage *self,
                                           const char    *view);

G_END_DECLS
