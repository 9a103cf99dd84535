/* fy-future.h: one task of a pool, its state and its outcome
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Python's concurrent.futures.Future, for FyPool. A future is created by the
 * pool (fy_pool_submit (), map, imap …) and changes in place in the pool's
 * GMainContext: "notify::state" fires on every transition. Every wait below
 * iterates that context, so it works from a plain C program and from the
 * application alike; call them from the thread that runs the context.
 *
 * Timestamps are g_get_monotonic_time () microseconds, 0 until reached.
 *
 * The task of a map chunk (map, imap … with a chunksize above 1, see
 * fy-pool.h) takes the array of its items' arguments and gives the array
 * of their results.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  FY_FUTURE_STATE_PENDING,   /* waiting in the pool's queue */
  FY_FUTURE_STATE_QUEUED,    /* handed to a worker, not yet acknowledged */
  FY_FUTURE_STATE_RUNNING,   /* the worker acknowledged it and runs it */
  FY_FUTURE_STATE_DONE,      /* finished with a result */
  FY_FUTURE_STATE_FAILED,    /* finished with an error */
  FY_FUTURE_STATE_CANCELLED, /* cancelled before it could finish */
} FyFutureState;

GType fy_future_state_get_type (void);
#define FY_TYPE_FUTURE_STATE (fy_future_state_get_type ())

/* How fy_future_wait_many () decides it may return, as in Python. */
typedef enum
{
  FY_WAIT_FIRST_COMPLETED,
  FY_WAIT_FIRST_EXCEPTION,
  FY_WAIT_ALL_COMPLETED,
} FyWaitMode;

#define FY_TYPE_FUTURE (fy_future_get_type ())
G_DECLARE_FINAL_TYPE (FyFuture, fy_future, FY, FUTURE, GObject)

typedef void (*FyFutureDoneFunc) (FyFuture *future,
                                  gpointer  user_data);

guint64        fy_future_get_id            (FyFuture  *self);   /* unique in the process, from 1 */
const char    *fy_future_get_function      (FyFuture  *self);
GVariant      *fy_future_get_argument      (FyFuture  *self);   /* borrowed */
FyFutureState  fy_future_get_state         (FyFuture  *self);
/* TRUE once DONE, FAILED or CANCELLED: the state never changes again. */
gboolean       fy_future_is_finished       (FyFuture  *self);
/* Borrowed; NULL unless DONE. */
GVariant      *fy_future_get_result_value  (FyFuture  *self);
/* Borrowed; NULL unless FAILED or CANCELLED. A task's own error keeps its
 * domain, code and message across the process boundary. */
const GError  *fy_future_get_error         (FyFuture  *self);
/* The worker that ran (or runs) the task; 0 while none has. */
GPid           fy_future_get_worker_pid    (FyFuture  *self);
/* When the task failed because its worker died: that worker's exit code
 * (-N for signal N, Python's convention). 0 otherwise. */
int            fy_future_get_worker_exitcode (FyFuture *self);
/* How many times a worker started it (more than one after a retry). */
guint          fy_future_get_attempts      (FyFuture  *self);
gint64         fy_future_get_submitted_at  (FyFuture  *self);
/* Once a worker reported the task, when it started and ended there, as
 * the worker's own clock (CLOCK_MONOTONIC, the same in every process)
 * read them around the call: a worker's tasks never overlap. While it
 * runs, started-at is when the pool heard it start; a task that never
 * reached a worker (cancelled, or failed with its worker) ends when the
 * pool decided so. */
gint64         fy_future_get_started_at    (FyFuture  *self);
gint64         fy_future_get_finished_at   (FyFuture  *self);

/* ---- map chunks ------------------------------------------------------------
 *
 * A map chunk (fy-pool.h, "Chunks") is one future, one row of the pool's
 * task list, for many items. Its items are read from it lazily, once it
 * finished, with no object made per item. */

/* How many items it carries; 0 for a task of one (then index 0 below
 * means the task itself). Also the "n-items" property, and the next one
 * "first-item", for list item templates. */
guint          fy_future_get_n_items       (FyFuture  *self);
/* Index of its item 0 in the input of its map call. */
guint          fy_future_get_first_item    (FyFuture  *self);
/* How many of its items have their outcome: all once it finished; while
 * a map chunk runs, those its worker reported so far, in order from item
 * 0 (a long chunk reports at least every tenth of a second). */
guint          fy_future_get_n_items_settled (FyFuture *self);
/* For a map chunk whose worker died running one of its items: TRUE with
 * that item's index in the chunk and how often it was run again for it
 * (the crash policy's retries, counted per item). FALSE for a task of one
 * or a chunk no worker died in. */
gboolean       fy_future_get_crashed_item  (FyFuture  *self,
                                            guint     *out_item,
                                            guint     *out_retries);
/* Item @index of a finished future, or a settled item of a running one:
 * TRUE with a new reference to its result, or FALSE with its error. An
 * item of a chunk fails alone when its worker died running it (the
 * others keep their results); the error of a chunk that failed as a
 * whole (a workload's error, which ends the chunk, as in Python;
 * cancelling; a broken pool) is that of each of its items but those
 * settled before. FALSE with FY_POOL_ERROR_INVALID_ARGUMENT for an item
 * not settled yet. */
gboolean       fy_future_get_item_result   (FyFuture  *self,
                                            guint      index,
                                            GVariant **out_result,
                                            GError   **error);
/* When item @index started and ended (monotonic µs): an item starts when
 * the one before it ended, item 0 when its chunk started. FALSE (and 0s)
 * until it finished. Known for every item of a chunk that finished with
 * results, and for the items a crash settled. */
gboolean       fy_future_get_item_times    (FyFuture  *self,
                                            guint      index,
                                            gint64    *out_started_at,
                                            gint64    *out_finished_at);

/* Waits up to @timeout_seconds (< 0: forever) for the future to finish,
 * iterating the pool's main context. TRUE when finished. */
gboolean       fy_future_wait              (FyFuture  *self,
                                            double     timeout_seconds);
/* Waits as fy_future_wait (), then returns a new reference to the result, or
 * NULL with the task's error, FY_POOL_ERROR_CANCELLED, or
 * FY_POOL_ERROR_TIMED_OUT when the wait expired. The task itself goes on:
 * to stop it as well, use fy_future_result_or_cancel () or give the pool a
 * task timeout (fy_pool_set_task_timeout ()). */
GVariant      *fy_future_result            (FyFuture  *self,
                                            double     timeout_seconds,
                                            GError   **error);
/* Like fy_future_result (), but when the wait expires the task is cancelled
 * too, so nothing runs on unobserved. */
GVariant      *fy_future_result_or_cancel  (FyFuture  *self,
                                            double     timeout_seconds,
                                            GError   **error);
/* Async flavour: @callback runs in the pool's main context once the future
 * has finished; fy_future_result_finish () gives its result or error. */
void           fy_future_result_async      (FyFuture            *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GVariant      *fy_future_result_finish     (FyFuture            *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* A pending or queued task never runs; a running one has its worker killed
 * (and replaced), and only this future is cancelled. FALSE when the future
 * had already finished. Cancelling a task its worker holds may complete a
 * moment later, in the main context; the state is CANCELLED either way. */
gboolean       fy_future_cancel            (FyFuture  *self);

/* @func runs once in the pool's main context after the future finishes
 * (from an idle when it already has). */
void           fy_future_add_done_callback (FyFuture         *self,
                                            FyFutureDoneFunc  func,
                                            gpointer          user_data,
                                            GDestroyNotify    destroy);

/* Python's concurrent.futures.wait over an array of FyFuture. Sorts them
 * into @out_done and @out_not_done (new arrays with new references; either
 * may be NULL). TRUE when @mode was satisfied, FALSE when the timeout
 * (< 0: none) expired first. */
gboolean       fy_future_wait_many         (GPtrArray   *futures,
                                            FyWaitMode   mode,
                                            double       timeout_seconds,
                                            GPtrArray  **out_done,
                                            GPtrArray  **out_not_done);

/* An iterator over finished futures: in their given order (imap) or in the
 * order they finish (imap_unordered, as_completed). Reference counted.
 *
 * The tasks of imap and imap_unordered with a chunksize above 1 are chunks
 * of items, as in Python; the iterator still gives each item once, in
 * order inside its chunk, as soon as the chunk finished. An item of a
 * failed chunk gives the chunk's error. */
typedef struct _FyFutureIter FyFutureIter;

GType          fy_future_iter_get_type     (void);
#define FY_TYPE_FUTURE_ITER (fy_future_iter_get_type ())

/* Python's as_completed: each future of @futures once, as it finishes. */
FyFutureIter  *fy_future_as_completed      (GPtrArray     *futures);
FyFutureIter  *fy_future_iter_ref          (FyFutureIter  *self);
void           fy_future_iter_unref        (FyFutureIter  *self);
/* How many items it gives in all. */
guint          fy_future_iter_get_n_items  (FyFutureIter  *self);
/* A future per item, in input order, borrowed. An item of a chunk has a
 * future of its own, outside the pool's task list, that finishes with its
 * chunk: made on the first call of this or of fy_future_iter_next (). */
GPtrArray     *fy_future_iter_get_futures  (FyFutureIter  *self);
/* Waits up to @timeout_seconds (< 0: forever) for the next finished future.
 * TRUE with a new reference in @out_future; FALSE without an error at the
 * end; FALSE with FY_POOL_ERROR_TIMED_OUT when nothing finished in time
 * (the iterator stays usable). */
gboolean       fy_future_iter_next         (FyFutureIter  *self,
                                            double         timeout_seconds,
                                            FyFuture     **out_future,
                                            GError       **error);
/* Same, but gives the next future's result: TRUE with a new reference in
 * @out_result; FALSE with the task's error (iteration may go on after it),
 * with FY_POOL_ERROR_TIMED_OUT, or without an error at the end. */
gboolean       fy_future_iter_next_result  (FyFutureIter  *self,
                                            double         timeout_seconds,
                                            GVariant     **out_result,
                                            GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyFutureIter, fy_future_iter_unref)

G_END_DECLS
