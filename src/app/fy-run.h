/* fy-run.h: one run of a workload on a pool, as the Run page shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FyRun owns the FyPool of one run and turns its finished tasks into
 * counters, rates and a bounded list of FyRunResult. Nothing here waits:
 * the pool reports in the main context, and FyRun gathers what finished at
 * most once per frame (a timer a little more urgent than GTK's redraw), so
 * a run of 100 000 tiny tasks costs the page one model update per frame,
 * not one per task.
 */

#pragma once

#include <glib-object.h>

#include "core/fy-pool.h"
#include "fy-run-launch.h"

G_BEGIN_DECLS

typedef enum
{
  FY_RUN_STATE_READY,      /* configured, not started */
  FY_RUN_STATE_RUNNING,
  FY_RUN_STATE_CANCELLING, /* cancelled; the last results are coming in */
  FY_RUN_STATE_FINISHED,   /* every task finished, done or failed */
  FY_RUN_STATE_CANCELLED,
} FyRunState;

GType fy_run_state_get_type (void);
#define FY_TYPE_RUN_STATE (fy_run_state_get_type ())

/* How many results the list keeps; older ones are only counted. */
#define FY_RUN_MAX_RESULTS 1000

#define FY_TYPE_RUN (fy_run_get_type ())
G_DECLARE_FINAL_TYPE (FyRun, fy_run, FY, RUN, GObject)

/* @arguments is an array with one child per input: "ax" for fib and sumsq,
 * "au" for sleep, "aay" (paths) for hash, "a(ayayiib)" for resize,
 * "a(dux)" for load. A floating reference is sunk. */
FyRun          *fy_run_new                  (const char      *function,
                                             GVariant        *arguments);

/* Options, before fy_run_start (). */
void            fy_run_set_n_workers        (FyRun           *self,
                                             int              n_workers);
/* 0: automatic, as Python's map. */
void            fy_run_set_chunksize        (FyRun           *self,
                                             int              chunksize);
void            fy_run_set_call_style       (FyRun           *self,
                                             FyRunCallStyle   style);
/* Seconds, 0 for none. */
void            fy_run_set_task_timeout     (FyRun           *self,
                                             double           seconds);
void            fy_run_set_crash_policy     (FyRun           *self,
                                             FyCrashPolicy    policy,
                                             guint            max_retries);
/* 0 for no limit. */
void            fy_run_set_max_tasks_per_child (FyRun        *self,
                                             int              max_tasks);

/* Starts the pool and hands it every task; returns at once. */
gboolean        fy_run_start                (FyRun           *self,
                                             GError         **error);
/* Stops the run now: the pool is terminated (running tasks are killed,
 * stopped workers too), every unfinished task ends cancelled. */
void            fy_run_cancel               (FyRun           *self);

const char     *fy_run_get_function         (FyRun           *self);
FyPool         *fy_run_get_pool             (FyRun           *self);
FyRunState      fy_run_get_state            (FyRun           *self);
/* TRUE while RUNNING or CANCELLING. */
gboolean        fy_run_is_active            (FyRun           *self);
int             fy_run_get_n_workers        (FyRun           *self);
guint           fy_run_get_total            (FyRun           *self);
guint           fy_run_get_done             (FyRun           *self);
guint           fy_run_get_failed           (FyRun           *self);
guint           fy_run_get_cancelled        (FyRun           *self);
double          fy_run_get_tasks_per_second (FyRun           *self);
/* Seconds since the start (frozen at the end). */
double          fy_run_get_elapsed          (FyRun           *self);
/* Seconds left at the current rate; < 0 while unknown. */
double          fy_run_get_eta              (FyRun           *self);
double          fy_run_get_fraction         (FyRun           *self);
/* At the end: wall time, summed time of the pool's tasks, their ratio. */
double          fy_run_get_wall_time        (FyRun           *self);
double          fy_run_get_task_time        (FyRun           *self);
double          fy_run_get_speedup          (FyRun           *self);
/* One line at the end, "2 workers, 1.93× faster than one"; NULL before. */
const char     *fy_run_get_verdict          (FyRun           *self);
/* GListModel of FyRunResult, the last FY_RUN_MAX_RESULTS finished. */
GListModel     *fy_run_get_results          (FyRun           *self);
/* Finished results no longer in the list. */
guint           fy_run_get_n_dropped        (FyRun           *self);

G_END_DECLS
