/* fy-worker-row.h: one row of the workers table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Joins a pool's FyPoolWorker with what FyProcessSampler last read of its
 * process, as the texts the table's cells bind: every column has a text
 * property and a "-description" property, the sentence a screen reader
 * says about the value. The row follows its worker's state, task and count
 * at once; the process figures and the running times change when the
 * table's owner hands it a new reading, which also adds the process's
 * CPU % to the row's history (the sparkline's line; "n-samples" counts
 * them, so a sparkline bound to it knows to redraw).
 */

#pragma once

#include <gio/gio.h>

#include "core/fy-pool.h"
#include "monitor/fy-history.h"
#include "monitor/fy-process-sampler.h"

G_BEGIN_DECLS

#define FY_TYPE_WORKER_ROW (fy_worker_row_get_type ())
G_DECLARE_FINAL_TYPE (FyWorkerRow, fy_worker_row, FY, WORKER_ROW, GObject)

/* @tasks is the pool's task list, to number the worker's current task. */
FyWorkerRow  *fy_worker_row_new          (FyPoolWorker        *worker,
                                          GListModel          *tasks);
FyPoolWorker *fy_worker_row_get_worker   (FyWorkerRow         *self);
GPid          fy_worker_row_get_pid      (FyWorkerRow         *self);
/* The state letter shown: the process's own (R, S, D, T, Z …) or X once
 * the pool saw it exit. */
const char   *fy_worker_row_get_state    (FyWorkerRow         *self);
/* @info may be NULL (not read yet, or forgotten); @now_us is monotonic. */
void          fy_worker_row_update       (FyWorkerRow         *self,
                                          const FyProcessInfo *info,
                                          gint64               now_us);

/* CPU % per reading, 100 being one core; the owner sets its capacity. */
FyHistory    *fy_worker_row_get_history  (FyWorkerRow         *self);
guint64       fy_worker_row_get_n_samples (FyWorkerRow        *self);

/* The position of @task in @tasks, counted from 0, or -1. */
gint64        fy_worker_row_task_index   (GListModel          *tasks,
                                          FyFuture            *task);
/* "0.4 s", "12 s", "3:07", "1:02:03". */
char         *fy_worker_row_format_duration (gint64            microseconds);
/* "Running", "Stopped" … for a state letter. */
const char   *fy_worker_row_state_name   (char                 letter);

G_END_DECLS
