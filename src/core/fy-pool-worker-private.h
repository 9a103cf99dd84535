/* fy-pool-worker-private.h: a worker as its pool drives it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-channel.h"
#include "fy-pool-wire.h"
#include "fy-pool-worker.h"

G_BEGIN_DECLS

typedef enum
{
  FY_POOL_WORKER_REASON_NONE,    /* an unexpected death: the crash policy applies */
  FY_POOL_WORKER_REASON_RETIRE,  /* recycled or closed: it was told to leave */
  FY_POOL_WORKER_REASON_TIMEOUT, /* its task ran out of time */
  FY_POOL_WORKER_REASON_CANCEL,  /* its task was cancelled */
  FY_POOL_WORKER_REASON_POOL,    /* terminate, break or dispose */
  FY_POOL_WORKER_REASON_PROTOCOL,/* it sent garbage */
} FyPoolWorkerReason;

struct _FyPoolWorker
{
  GObject             parent_instance;

  guint               slot;
  GPid                pid;
  int                 pidfd;
  FyPoolWorkerState   state;
  gboolean            stopped;
  FyFuture           *current_task;
  guint               tasks_done;
  gint64              started_at;
  gboolean            exited;
  int                 exitcode;
  double              kill_grace;
  guint               grace_id;

  /* Owned by the pool. */
  struct _FyPool     *pool;             /* not a reference */
  FyChannel          *channel;
  guint               pidfd_watch;
  guint               channel_watch;
  guint               eof_kill_id;
  guint               timeout_id;
  GQueue              sent;             /* of FyPoolChunk, oldest first */
  GQueue              outbox;           /* GVariant messages the socket had no room for */
  guint               out_watch;        /* waits for room to send the outbox */
  FyPoolShared       *shared;           /* mapped, or NULL */
  guint64             next_seq;         /* number of the next item sent */
  guint               in_flight_items;
  guint               chunks_sent;
  double              avg_item_us;
  const char         *avg_function;     /* interned: what avg_item_us measured */
  gboolean            avg_mapped;       /* … in map chunks */
  gint64              last_progress;
  FyPoolWorkerReason  reason;
  FyFuture           *reason_future;    /* the task timed out or cancelled */
  char               *reason_message;
};

FyPoolWorker *fy_pool_worker_new               (guint              slot,
                                                GPid               pid,
                                                int                pidfd,
                                                double             kill_grace);
void          fy_pool_worker_set_state         (FyPoolWorker      *self,
                                                FyPoolWorkerState  state);
void          fy_pool_worker_set_current_task  (FyPoolWorker      *self,
                                                FyFuture          *task);
/* @n more tasks, or items of map chunks, finished. */
void          fy_pool_worker_add_tasks_done    (FyPoolWorker      *self,
                                                guint              n);
/* Closes the pidfd and stops the grace timer. */
void          fy_pool_worker_set_exited        (FyPoolWorker      *self,
                                                int                exitcode);
/* SIGTERM now, SIGKILL once the grace has passed. */
gboolean      fy_pool_worker_terminate_with_grace (FyPoolWorker   *self,
                                                   GError        **error);

/* Removes the source @id names and zeroes it. Source ids belong to one
 * main context, and a pool lives in the thread-default context of its
 * thread, which g_source_remove () (the global default's) does not search. */
static inline void
fy_pool_clear_source (guint *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}

G_END_DECLS
