/* fy-monitor-process.h: one watched process as a row of the Monitor page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_TYPE_MONITOR_PROCESS (fy_monitor_process_get_type ())
G_DECLARE_FINAL_TYPE (FyMonitorProcess, fy_monitor_process, FY, MONITOR_PROCESS, GObject)

FyMonitorProcess *fy_monitor_process_new           (GPid                 pid,
                                                    guint                history_length);
GPid              fy_monitor_process_get_pid       (FyMonitorProcess    *self);
const char       *fy_monitor_process_get_name      (FyMonitorProcess    *self);
const char       *fy_monitor_process_get_state_text (FyMonitorProcess   *self);
const char       *fy_monitor_process_get_cpu_text  (FyMonitorProcess    *self);
const char       *fy_monitor_process_get_rss_text  (FyMonitorProcess    *self);
/* CPU % per sample, 100 being one core. */
FyHistory        *fy_monitor_process_get_history   (FyMonitorProcess    *self);
guint64           fy_monitor_process_get_n_samples (FyMonitorProcess    *self);
/* Takes one reading of the process sampler; @info NULL means the process
 * is no longer watched. */
void              fy_monitor_process_update        (FyMonitorProcess    *self,
                                                    const FyProcessInfo *info);
/* The one-letter kernel state as a word: "Running", "Sleeping" … */
const char       *fy_monitor_process_state_name    (char                 state);

G_END_DECLS
