/* fy-pool.h: a pool of worker processes, Python's Pool and ProcessPoolExecutor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A task names a registered workload ("square", "fib" …) and carries one
 * GVariant argument; its result is a GVariant. Workers are spawned copies of
 * forkyard-worker. The pool lives in the thread-default GMainContext of the
 * thread that starts it: its workers' pidfds and channels are watched there,
 * asynchronous calls report there, and synchronous calls (map, apply, join,
 * fy_future_result …) iterate it while they wait, never blocking it on a
 * system call. Use a pool from that one thread.
 *
 * Robustness: a worker acknowledges a task before it runs it, so the pool
 * always knows which worker holds which task. When a worker dies, the task
 * it was running fails, is retried or breaks the pool, per the crash policy;
 * tasks it had received but not started go back to the queue; a replacement
 * is spawned. Nothing hangs and nothing is lost. A worker holds one task
 * (or chunk) ahead of the one it runs while the queue holds at least one
 * for every worker, and more only while its tasks are short; and
 * only among tasks of one (chunksize 1, submit) far shorter than a
 * millisecond may a death send a few finished but unreported tasks (at
 * most 256) back to the queue to run again. Map chunks never do: see
 * "Chunks".
 *
 * Iterables: map and friends take a GVariant container (an array or a
 * tuple); each child is one task's argument. For starmap each child must be
 * a tuple, which is the argument of a workload taking several values
 * ("add" takes "(xx)"). map's results come back as one GVariant array, in
 * input order.
 *
 * Chunks: with a chunksize above 1 (the automatic one included), map,
 * starmap, map_async, imap and imap_unordered make one task per chunk, as
 * Python does: one FyFuture, one row of the task list and one message each
 * way, whatever the number of its items. Its argument is the array of its
 * items' arguments (packed "aT" when they are numbers of one type T, else
 * "av") and its result the array of their results. Per-item data is read
 * from the chunk lazily, with no object made per item: fy_future_get_n_items
 * (), fy_future_get_first_item () (where its items start in the input),
 * fy_future_get_item_result () and fy_future_get_item_times () (when each
 * item started and ended), which is what a results list or a timeline of
 * items needs; fy_future_iter_get_futures () makes a future per item only
 * when asked. "task-started" and "task-finished" fire once per chunk.
 * Retries, the task timeout and cancelling apply to the chunk; the crash
 * policy applies to the item its worker was running when it died: the
 * items it had finished keep their results and never run again, that one
 * item fails (its error names it) or is retried alone, and the chunk runs
 * on from the next item on another worker. A workload's error ends its
 * chunk, as in Python: the chunk fails with it, and each of its items
 * gives that error, except those a crash of its worker had settled
 * before, which keep theirs. fy_pool_submit_map () (the executor's map)
 * and chunksize 1 make one task per item. A chunk of numbers ("ax" or
 * "ad") of a workload with a typed entry point (FyWorkloadNumberFunc in
 * fy-workload.h: square, fib …) runs in its worker with no GVariant made
 * per item, on the same terms.
 *
 * Inspection: the pool's task queue and result queue are listed in the
 * registry (fy-registry.h) while the pool lives, as two objects of kind
 * "pool-queue" named "pool-N-tasks" and "pool-N-results", whose snapshots
 * ("depth", "puts", "gets", "in-flight", "waiters") are read from shared
 * memory.
 */

#pragma once

#include <gio/gio.h>

#include "fy-future.h"
#include "fy-pool-error.h"
#include "fy-pool-worker.h"

G_BEGIN_DECLS

typedef enum
{
  FY_CRASH_POLICY_FAIL,  /* only the task the dead worker ran fails */
  FY_CRASH_POLICY_RETRY, /* that task is re-run up to max_retries times */
  FY_CRASH_POLICY_BREAK, /* every unfinished task fails, later submits too */
} FyCrashPolicy;

GType fy_crash_policy_get_type (void);
#define FY_TYPE_CRASH_POLICY (fy_crash_policy_get_type ())

typedef enum
{
  FY_POOL_STATE_NEW,        /* not started yet: options may change */
  FY_POOL_STATE_RUNNING,
  FY_POOL_STATE_CLOSED,     /* no new tasks; queued ones still run */
  FY_POOL_STATE_BROKEN,
  FY_POOL_STATE_TERMINATED, /* workers killed; unfinished tasks cancelled */
} FyPoolState;

GType fy_pool_state_get_type (void);
#define FY_TYPE_POOL_STATE (fy_pool_state_get_type ())

/* Parses "fail", "break", "retry" (= "retry 1") or "retry N" / "retry:N"
 * / "retry=N" with N ≥ 0. */
gboolean fy_crash_policy_parse (const char     *text,
                                FyCrashPolicy  *out_policy,
                                guint          *out_max_retries,
                                GError        **error);

#define FY_TYPE_POOL (fy_pool_get_type ())
G_DECLARE_FINAL_TYPE (FyPool, fy_pool, FY, POOL, GObject)

/* Exactly one of the two runs, once, in the pool's main context. */
typedef void (*FyPoolResultFunc) (GVariant     *result,
                                  gpointer      user_data);
typedef void (*FyPoolErrorFunc)  (const GError *error,
                                  gpointer      user_data);

/* ---- construction and options (before fy_pool_start ()) ---------------- */

/* A pool with the defaults: one worker per CPU, no recycling, the "fail"
 * policy, no task timeout, a 1 s SIGTERM → SIGKILL grace. Not started. */
FyPool        *fy_pool_new                    (void);
/* Python's Pool(n): a started pool of @n_workers (≤ 0 is an error). */
FyPool        *fy_pool_new_started            (int             n_workers,
                                               GError        **error);

gboolean       fy_pool_set_n_workers          (FyPool         *self,
                                               int             n_workers,
                                               GError        **error);
int            fy_pool_get_n_workers          (FyPool         *self);
/* A worker is replaced after it ran @max_tasks tasks (a chunk counts as
 * one task, as in Python). ≤ 0 is an error; the default is no limit. */
gboolean       fy_pool_set_max_tasks_per_child (FyPool        *self,
                                               int             max_tasks,
                                               GError        **error);
/* 0 when unlimited. */
int            fy_pool_get_max_tasks_per_child (FyPool        *self);
void           fy_pool_set_crash_policy       (FyPool         *self,
                                               FyCrashPolicy   policy,
                                               guint           max_retries);
FyCrashPolicy  fy_pool_get_crash_policy       (FyPool         *self,
                                               guint          *out_max_retries);
/* A task running longer than @seconds gets its worker SIGTERMed, SIGKILLed
 * after the grace, fails with FY_POOL_ERROR_TIMED_OUT; the worker is
 * replaced. 0 (the default) means no limit. May change at any time; it
 * applies to tasks that start afterwards. */
void           fy_pool_set_task_timeout       (FyPool         *self,
                                               double          seconds);
double         fy_pool_get_task_timeout       (FyPool         *self);
/* Time between SIGTERM and SIGKILL (task timeout, terminate, shutdown). */
void           fy_pool_set_kill_grace         (FyPool         *self,
                                               double          seconds);
double         fy_pool_get_kill_grace         (FyPool         *self);
/* A workload each worker runs once, before any task (e.g. to sandbox
 * itself). If it fails, the pool breaks with its error. @argument may be
 * NULL; a floating reference is sunk. */
void           fy_pool_set_initializer        (FyPool         *self,
                                               const char     *function,
                                               GVariant       *argument);

/* Spawns the workers. If one cannot be spawned, the ones already started
 * are stopped and reaped, and the pool is left unusable. Submitting to a
 * NEW pool starts it. */
gboolean       fy_pool_start                  (FyPool         *self,
                                               GError        **error);

FyPoolState    fy_pool_get_state              (FyPool         *self);
/* GListModel of FyPoolWorker, one per slot. */
GListModel    *fy_pool_get_workers            (FyPool         *self);
/* GListModel of FyFuture, every task in submission order (a map chunk is
 * one task, whose items are read from it: see "Chunks" above). */
GListModel    *fy_pool_get_tasks              (FyPool         *self);
/* NULL when no live worker has that pid. Borrowed. */
FyPoolWorker  *fy_pool_find_worker            (FyPool         *self,
                                               GPid            pid);
/* Tasks waiting in the pool's queue, not yet handed to a worker. */
guint          fy_pool_get_n_pending          (FyPool         *self);
/* Tasks handed to workers whose results have not come back yet. */
guint          fy_pool_get_n_in_flight        (FyPool         *self);

/* ---- executor style ----------------------------------------------------- */

/* @argument may be NULL; a floating reference is sunk. NULL with
 * FY_POOL_ERROR_CLOSED / _BROKEN when the pool takes no more tasks. */
FyFuture      *fy_pool_submit                 (FyPool         *self,
                                               const char     *function,
                                               GVariant       *argument,
                                               GError        **error);
/* One future per child of @iterable; chunksize 0 picks one (as Python does,
 * ceil (n / (4 × workers)), except that fewer than 32 items per worker go
 * one by one and no chunk takes more than 131 072 items), < 0 is an error.
 * An array in input order. */
GPtrArray     *fy_pool_submit_map             (FyPool         *self,
                                               const char     *function,
                                               GVariant       *iterable,
                                               int             chunksize,
                                               GError        **error);
/* Stops taking tasks. @cancel_futures cancels the ones not started yet;
 * @wait waits (iterating the main context) until every worker has exited. */
void           fy_pool_shutdown               (FyPool         *self,
                                               gboolean        wait,
                                               gboolean        cancel_futures);

/* ---- Pool style --------------------------------------------------------- */

GVariant      *fy_pool_apply                  (FyPool         *self,
                                               const char     *function,
                                               GVariant       *argument,
                                               GError        **error);
/* Returns the task's future (transfer full); @callback or @error_callback
 * (either may be NULL) runs once it finishes, then @destroy. */
FyFuture      *fy_pool_apply_async            (FyPool          *self,
                                               const char      *function,
                                               GVariant        *argument,
                                               FyPoolResultFunc callback,
                                               FyPoolErrorFunc  error_callback,
                                               gpointer         user_data,
                                               GDestroyNotify   destroy,
                                               GError         **error);
/* Every result in input order, in one array (transfer full): "aT" when
 * the results are all of one fixed-size basic type T (numbers: read them
 * with g_variant_get_fixed_array ()), "av" else, and "av" when the
 * iterable is empty. The C counterpart of Python's list: no object is made
 * per result until fy_pool_results_get () asks for one. NULL with the
 * first failed task's error (in input order). */
GVariant      *fy_pool_map                    (FyPool         *self,
                                               const char     *function,
                                               GVariant       *iterable,
                                               int             chunksize,
                                               GError        **error);
GVariant      *fy_pool_starmap                (FyPool         *self,
                                               const char     *function,
                                               GVariant       *iterable,
                                               int             chunksize,
                                               GError        **error);
/* @callback runs once in the pool's main context when every task finished
 * (or one failed, or the pool could not take them); get the outcome with
 * fy_pool_map_finish (). */
void           fy_pool_map_async              (FyPool              *self,
                                               const char          *function,
                                               GVariant            *iterable,
                                               int                  chunksize,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GVariant      *fy_pool_map_finish             (FyPool              *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* The number of results in an array from fy_pool_map (), and result
 * @index (transfer full), taken out of its "v" box in an "av" array. */
gsize          fy_pool_results_length         (GVariant            *results);
GVariant      *fy_pool_results_get            (GVariant            *results,
                                               gsize                index);
/* Results one by one: imap in input order, imap_unordered as they finish. */
FyFutureIter  *fy_pool_imap                   (FyPool         *self,
                                               const char     *function,
                                               GVariant       *iterable,
                                               int             chunksize,
                                               GError        **error);
FyFutureIter  *fy_pool_imap_unordered         (FyPool         *self,
                                               const char     *function,
                                               GVariant       *iterable,
                                               int             chunksize,
                                               GError        **error);

/* No new tasks; the queued ones still run, then the workers exit. */
void           fy_pool_close                  (FyPool         *self);
/* Kills the workers now (SIGTERM, SIGKILL after the grace); every
 * unfinished task is cancelled. Returns at once. */
void           fy_pool_terminate              (FyPool         *self);
/* After close or terminate: waits up to @timeout_seconds (< 0: forever),
 * iterating the main context, until every task finished and every worker
 * exited and was reaped. FALSE with FY_POOL_ERROR_TIMED_OUT, or
 * FY_POOL_ERROR_INVALID_ARGUMENT while the pool still runs. */
gboolean       fy_pool_join                   (FyPool         *self,
                                               double          timeout_seconds,
                                               GError        **error);

/* Signals, all in the pool's main context:
 *   "task-started"   (FyFuture *task)
 *   "task-finished"  (FyFuture *task)      done, failed or cancelled
 *   "worker-spawned" (FyPoolWorker *worker)
 *   "worker-exited"  (FyPoolWorker *worker, int exitcode)
 */

G_END_DECLS
