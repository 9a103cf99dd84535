/* fy-pool-private.h: the contract between the files of the pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FyPool is one GObject written in several files, one seam each (see
 * fy-pool.c); this header holds its struct, its workers' and its chunks'
 * records, and what each file offers the others. The wire protocol is in
 * fy-pool-wire.h.
 */

#pragma once

#include "fy-channel.h"
#include "fy-future-private.h"
#include "fy-pool.h"
#include "fy-pool-worker-private.h"
#include "fy-pool-wire.h"
#include "fy-shm.h"
#include "fy-task-list.h"

G_BEGIN_DECLS

/* The counters of a pool's task queue and of its result queue, each the
 * data of a FyShm of kind FY_SHM_KIND_POOL_QUEUE named "<pool>-tasks" and
 * "<pool>-results", listed in the registry while the pool lives. Only the
 * pool writes them, with relaxed atomic stores, each time it is done with
 * a batch of work; whoever maps the fd reads them with relaxed loads. */
typedef struct
{
  guint64  puts;       /* tasks: queued (once more per retry); results: reported */
  guint64  gets;       /* tasks: handed to workers; results: delivered */
  guint32  depth;      /* waiting now */
  guint32  in_flight;  /* tasks: held by workers, not reported yet */
  guint32  waiters;    /* tasks: idle workers waiting for one */
  guint32  reserved;
} FyPoolQueueCounters;

/* What a worker was sent and has not reported in full: the futures of
 * one wire chunk (several user chunks of one function may travel as one). */
typedef struct
{
  guint64    id;
  guint64    first_seq;   /* the worker's number for item 0 */
  GPtrArray *items;       /* FyFuture, owned */
  guint      n_reported;
  guint      window_end;  /* items before it may have started */
  gboolean   acked;
} FyPoolChunk;

struct _FyPool
{
  GObject        parent_instance;

  int            n_workers;
  int            max_tasks_per_child;
  FyCrashPolicy  policy;
  guint          max_retries;
  double         task_timeout;
  double         kill_grace;
  char          *init_function;
  GVariant      *init_argument;

  FyPoolState    state;
  GMainContext  *context;
  GListStore    *workers;
  FyTaskList    *tasks;
  GPtrArray     *slots;         /* FyPoolWorker, the current one per slot */
  GQueue         pending;       /* FyFuture, owned */
  guint          n_in_flight;
  guint          n_live;
  guint64        next_chunk_id;
  guint64        next_batch;
  GPtrArray     *finished;      /* to announce once bookkeeping is done */
  gboolean       flushing;
  guint          spawn_fault;
  guint          dispatch_id;   /* a dispatch is due at the next iteration */
  guint          log_limit;     /* FyPoolShared.log_limit for every worker */

  /* The queues as the registry shows them (FyPoolQueueCounters). */
  FyShm         *queues[2];     /* tasks, results; NULL if they could not be made */
  guint64        tasks_put;
  guint64        tasks_got;
  guint64        results_put;
  guint64        results_got;
};

enum {
  FY_POOL_SIGNAL_TASK_STARTED,
  FY_POOL_SIGNAL_TASK_FINISHED,
  FY_POOL_SIGNAL_WORKER_SPAWNED,
  FY_POOL_SIGNAL_WORKER_EXITED,
  FY_POOL_N_SIGNALS
};

extern guint fy_pool_signals[FY_POOL_N_SIGNALS];

/* ---- FyPool, for its futures ------------------------------------------------ */

/* A FyFutureCancelFunc, @owner being the pool. */
gboolean      fy_pool_cancel_future            (gpointer           owner,
                                                FyFuture          *future);

/* ---- FyPool test hooks ------------------------------------------------------ */

/* The @n-th spawn from now (1 = the next one) fails, as if the system had
 * refused it. 0 turns it off. */
void          fy_pool_set_spawn_fault          (FyPool            *self,
                                                guint              n);
/* Workers use only @bytes of their map chunk log (0: all of it), so a
 * test reaches the progress messages of a full log with small results. */
void          fy_pool_set_log_limit            (FyPool            *self,
                                                guint              bytes);

/* ---- fy-pool.c ---------------------------------------------------------------- */

void          fy_pool_set_state                (FyPool            *self,
                                                FyPoolState        state);

/* ---- fy-pool-models.c: finishing tasks, announcing them, the counters ---------- */

void          fy_pool_finish_result            (FyPool            *self,
                                                FyFuture          *future,
                                                GVariant          *result,
                                                gint64             now);
void          fy_pool_finish_error             (FyPool            *self,
                                                FyFuture          *future,
                                                FyFutureState      state,
                                                GError            *error);
/* The same, ended at @now (0: now). */
void          fy_pool_finish_error_at          (FyPool            *self,
                                                FyFuture          *future,
                                                FyFutureState      state,
                                                GError            *error,
                                                gint64             now);
void          fy_pool_finish_cancelled         (FyPool            *self,
                                                FyFuture          *future,
                                                const char        *why);
/* Announces finished tasks (signal, done callbacks) only now that the
 * pool's own state is consistent: a callback may submit, cancel or
 * terminate. */
void          fy_pool_flush                    (FyPool            *self);
void          fy_pool_create_queues            (FyPool            *self);
void          fy_pool_publish_queues           (FyPool            *self);

/* ---- fy-pool-dispatch.c: the queue and its chunks ------------------------------- */

void          fy_pool_chunk_free               (FyPoolChunk       *chunk);
void          fy_pool_pending_push             (FyPool            *self,
                                                FyFuture          *future,
                                                gboolean           at_head);
FyFuture     *fy_pool_pending_pop              (FyPool            *self);
gboolean      fy_pool_send_to_worker           (FyPoolWorker      *worker,
                                                char               tag,
                                                guint64            chunk_id,
                                                guint32            index,
                                                GVariant          *body);
void          fy_pool_update_busy              (FyPoolWorker      *worker);
void          fy_pool_dispatch                 (FyPool            *self);
gboolean      fy_pool_check_accepting          (FyPool            *self,
                                                GError           **error);
GPtrArray    *fy_pool_submit_many              (FyPool            *self,
                                                const char        *function,
                                                GVariant          *iterable,
                                                int                chunksize,
                                                gboolean           star,
                                                gboolean           per_item,
                                                GError           **error);

/* ---- fy-pool-chunk.c: a map chunk's items' outcomes ------------------------------- */

/* Item n_settled of @future finished with @value (a full or floating
 * reference, taken) or failed with @error (taken). */
void          fy_pool_chunk_settle             (FyFuture          *future,
                                                GVariant          *value,
                                                gint64             ended_at);
void          fy_pool_chunk_settle_error       (FyFuture          *future,
                                                GError            *error,
                                                gint64             ended_at);
/* The arguments of the items not settled yet: what a run is sent. */
GVariant     *fy_pool_chunk_argument           (FyFuture          *future);
/* Once every item settled: the chunk finishes with their results. */
void          fy_pool_chunk_complete           (FyPool            *self,
                                                FyFuture          *future,
                                                gint64             now);
/* A run's report, FY_POOL_MAPPED_TYPE: checked (one result per item the
 * run was sent), then the chunk's outcome. */
gboolean      fy_pool_chunk_report_parse       (FyFuture          *future,
                                                GVariant          *value,
                                                FyPoolMapped      *out);
void          fy_pool_chunk_finish             (FyPool            *self,
                                                FyFuture          *future,
                                                FyPoolMapped      *mapped,
                                                gint64             now);
/* A 'p' message of the run: FALSE when it is malformed or out of turn. */
gboolean      fy_pool_chunk_progress           (FyFuture          *future,
                                                guint32            first,
                                                GVariant          *body);
/* After its worker died running item @seq (its number for the chunk):
 * settles the items the worker's log shows finished. */
void          fy_pool_chunk_recover            (FyPoolWorker      *worker,
                                                FyFuture          *future,
                                                guint64            seq);

/* ---- fy-pool-reports.c: what workers say ----------------------------------------- */

gboolean      fy_pool_channel_ready_cb         (int                fd,
                                                GIOCondition       condition,
                                                gpointer           data);
gboolean      fy_pool_drain_channel            (FyPool            *self,
                                                FyPoolWorker      *worker,
                                                guint              max_messages);

/* ---- fy-pool-crash.c: spawning workers, their deaths, the policy ------------------ */

FyPoolWorker *fy_pool_spawn_worker             (FyPool            *self,
                                                guint              slot,
                                                GError           **error);
void          fy_pool_kill_all_now             (FyPool            *self);
void          fy_pool_take_back_all            (FyPool            *self,
                                                FyPoolWorker      *worker,
                                                GPtrArray         *into);
void          fy_pool_stop_workers_and_gather  (FyPool            *self,
                                                gboolean           kill_now,
                                                GPtrArray         *held);
void          fy_pool_break                    (FyPool            *self,
                                                const char        *why);
gboolean      fy_pool_task_timeout_cb          (gpointer           data);
void          fy_pool_cancel_unstarted         (FyPool            *self);
guint64       fy_pool_shared_running           (FyPoolWorker      *worker);
void          fy_pool_update_want_starts       (FyPool            *self,
                                                FyPoolWorker      *worker);

static inline gboolean
fy_pool_worker_is_live (FyPoolWorker *worker)
{
  return worker != NULL && !worker->exited && worker->pidfd >= 0;
}

G_END_DECLS
