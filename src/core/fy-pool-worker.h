/* fy-pool-worker.h: one worker process of a pool, as the pool sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows of fy_pool_get_workers (). Properties change in place (with
 * "notify") in the pool's main context, so the application can bind them.
 * A worker that exits stays in the model in the EXITED state until the pool
 * replaces it with a new object at the same position.
 */

#pragma once

#include <gio/gio.h>

#include "fy-future.h"

G_BEGIN_DECLS

typedef enum
{
  FY_POOL_WORKER_STATE_STARTING, /* spawned; its initializer may be running */
  FY_POOL_WORKER_STATE_IDLE,
  FY_POOL_WORKER_STATE_BUSY,     /* runs a task */
  FY_POOL_WORKER_STATE_STOPPED,  /* SIGSTOP through the pool */
  FY_POOL_WORKER_STATE_EXITING,  /* asked to leave (recycled, closed, killed) */
  FY_POOL_WORKER_STATE_EXITED,
} FyPoolWorkerState;

GType fy_pool_worker_state_get_type (void);
#define FY_TYPE_POOL_WORKER_STATE (fy_pool_worker_state_get_type ())

#define FY_TYPE_POOL_WORKER (fy_pool_worker_get_type ())
G_DECLARE_FINAL_TYPE (FyPoolWorker, fy_pool_worker, FY, POOL_WORKER, GObject)

GPid               fy_pool_worker_get_pid          (FyPoolWorker *self);
/* Its position in the pool, 0 … n_workers - 1; a replacement keeps it. */
guint              fy_pool_worker_get_slot         (FyPoolWorker *self);
FyPoolWorkerState  fy_pool_worker_get_state        (FyPoolWorker *self);
/* The task it runs now, or NULL. Borrowed. */
FyFuture          *fy_pool_worker_get_current_task (FyPoolWorker *self);
/* Tasks it finished, each item of a map chunk counted as one, as it
 * reports them. */
guint              fy_pool_worker_get_tasks_done   (FyPoolWorker *self);
gint64             fy_pool_worker_get_started_at   (FyPoolWorker *self);   /* monotonic µs */
/* FALSE until it exited; then 0, N for exit (N), -N for signal N. */
gboolean           fy_pool_worker_get_exitcode     (FyPoolWorker *self,
                                                    int          *exitcode);

/* Signals sent through the worker's pidfd. The pool reacts to the death of
 * a worker it did not retire itself as it does to a crash: per its policy. */
gboolean           fy_pool_worker_terminate        (FyPoolWorker *self,   /* SIGTERM */
                                                    GError      **error);
gboolean           fy_pool_worker_kill             (FyPoolWorker *self,   /* SIGKILL */
                                                    GError      **error);
gboolean           fy_pool_worker_stop             (FyPoolWorker *self,   /* SIGSTOP */
                                                    GError      **error);
gboolean           fy_pool_worker_continue         (FyPoolWorker *self,   /* SIGCONT */
                                                    GError      **error);

G_END_DECLS
