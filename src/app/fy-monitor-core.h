/* fy-monitor-core.h: one core's figures as a row of the Monitor page's table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_TYPE_MONITOR_CORE (fy_monitor_core_get_type ())
G_DECLARE_FINAL_TYPE (FyMonitorCore, fy_monitor_core, FY, MONITOR_CORE, GObject)

/* @name: "CPU 3" or "Total". */
FyMonitorCore *fy_monitor_core_new         (const char      *name);
const char    *fy_monitor_core_get_name    (FyMonitorCore   *self);
const char    *fy_monitor_core_get_busy_text   (FyMonitorCore *self);
const char    *fy_monitor_core_get_user_text   (FyMonitorCore *self);
const char    *fy_monitor_core_get_system_text (FyMonitorCore *self);
/* Takes the figures of the last interval; notifies the texts that changed. */
void           fy_monitor_core_update      (FyMonitorCore   *self,
                                            const FyCpuLoad *load);

G_END_DECLS
