/* fy-run-stats.h: the figures a run derives: its rate, its summed task time, its verdict
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain values FyRun keeps and updates as its tasks finish; nothing here
 * emits a signal, so FyRun decides what to notify.
 */

#pragma once

#include "core/fy-pool.h"

G_BEGIN_DECLS

/* The rate is the change over the last FY_RUN_RATE_SAMPLES samples, one
 * every FY_RUN_RATE_STEP_USEC at most. */
#define FY_RUN_RATE_SAMPLES   8
#define FY_RUN_RATE_STEP_USEC (G_USEC_PER_SEC / 2)

typedef struct
{
  gint64 time[FY_RUN_RATE_SAMPLES];
  guint  count[FY_RUN_RATE_SAMPLES];
  guint  next;
  guint  filled;
} FyRunRate;

/* Takes a sample of @n_finished at @now unless the last one is too
 * recent: TRUE with the tasks per second in @out_rate. */
gboolean fy_run_rate_sample     (FyRunRate     *rate,
                                 gint64         now,
                                 guint          n_finished,
                                 gint64         started_at,
                                 double        *out_rate);

typedef struct
{
  GHashTable *free_since;       /* pid → when its last task ended (gint64 *) */
  gint64      usec;
} FyRunTaskTime;

void     fy_run_task_time_init  (FyRunTaskTime *task_time);
void     fy_run_task_time_clear (FyRunTaskTime *task_time);
/* Adds finished @task (a task of one or a whole map chunk) of @pool, in a
 * run that started at @run_started. */
void     fy_run_task_time_add   (FyRunTaskTime *task_time,
                                 FyPool        *pool,
                                 FyFuture      *task,
                                 gint64         run_started);

/* The one line a run ends with: "2 workers, 1.93× faster than one", with
 * its failures; for a cancelled run how far it got. */
char    *fy_run_verdict_new     (gboolean       cancelled,
                                 int            n_workers,
                                 double         wall_seconds,
                                 double         speedup,
                                 guint          done,
                                 guint          failed,
                                 guint          total);

G_END_DECLS
