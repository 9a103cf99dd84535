/* fy-task-timeline.h: which worker ran which task on which core, when
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "core/fy-pool.h"
#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_TYPE_TASK_TIMELINE (fy_task_timeline_get_type ())
G_DECLARE_FINAL_TYPE (FyTaskTimeline, fy_task_timeline, FY, TASK_TIMELINE, GtkWidget)

GtkWidget    *fy_task_timeline_new             (void);
FyPool       *fy_task_timeline_get_pool        (FyTaskTimeline *self);
/* Setting a pool starts a new timeline; tasks already started are taken
 * from the pool's task list. */
void          fy_task_timeline_set_pool        (FyTaskTimeline *self,
                                                FyPool         *pool);
/* Where the CPU strip's figures come from; NULL until set or until the
 * widget is first shown, when it takes the application's shared one. */
FyCpuSampler *fy_task_timeline_get_sampler     (FyTaskTimeline *self);
void          fy_task_timeline_set_sampler     (FyTaskTimeline *self,
                                                FyCpuSampler   *sampler);
/* The shown time range: from @start (monotonic µs) at @us_per_px. Leaves
 * live following until fy_task_timeline_follow (). */
void          fy_task_timeline_set_view        (FyTaskTimeline *self,
                                                gint64          start,
                                                double          us_per_px);
void          fy_task_timeline_get_view        (FyTaskTimeline *self,
                                                gint64         *start,
                                                double         *us_per_px);
/* Back to following the run live (all of it while short, then its last
 * half minute). */
void          fy_task_timeline_follow          (FyTaskTimeline *self);
const char   *fy_task_timeline_get_description (FyTaskTimeline *self);
/* What hovering at (@x, @y) shows, or NULL off the bars. */
char         *fy_task_timeline_describe_at     (FyTaskTimeline *self,
                                                double          x,
                                                double          y);

G_END_DECLS
