/* fy-pool-private.h: the pool's wire protocol and its internal API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every message on a pool worker's channel is a "(yttuuv)": a tag, a chunk
 * id, the id of the chunk the worker starts next (0: none), an item index
 * inside the chunk, a window size, and a body.
 *
 *   parent → worker
 *     'm'  0   0  0  0  ()       map the shared word block (the one fd sent
 *                                with it); always the first message
 *     'i'  0   0  0  0  (sv)     run the initializer (function, argument)
 *     'r'  0   0  0  0  a(tsbav)  chunks: id, one function, whether each
 *                                item is a map chunk (below), one argument
 *                                per item, in slices of FY_POOL_SLICE_MAX
 *                                (each packed or boxed, as values below)
 *     'c'  id  0  k  0  ()       skip item k of chunk id if it has not started
 *     'q'  0   0  0  0  ()       leave (the worker exits 0)
 *   worker → parent
 *     'R'  0   0  0  0  ()       the initializer succeeded
 *     'I'  0   0  0  0  (sis)    the initializer failed (then it exits 1)
 *     's'  id  0  0  w  ()       chunk id starts: items 0 … w-1 may run
 *                                before the next message (its window)
 *     'o'  id  n  k  w  v        item k's result
 *     'e'  id  n  k  w  (sis)    item k's error: domain, code, message
 *     'k'  id  n  k  w  ()       item k was skipped after a 'c'
 *     'b'  id  n  k  w  (ayv)    items k, k+1 …: a kind each ('o', 'e' or
 *                                'k'), then their values in one array:
 *                                "aT" when all are results of one
 *                                fixed-size basic type T, else "av" of
 *                                the result, an error (sis), or () when
 *                                skipped
 *   After a report, w is the next window of the same chunk, or, once the
 *   chunk is done, the window of chunk n that starts now (n = 0: none).
 *
 * An item that is a map chunk (Python's chunks of map, imap …) carries an
 * array of arguments: the worker runs the function on each, in order, and
 * reports the array of their results as the item's one result ("aT" when
 * every result is of the same fixed-size basic type T, "av" otherwise), or
 * the first error, which ends the item.
 *
 * Chunks start in the order they were sent and report in order. The window
 * says which items may have started; the pool shows them as running. A
 * window is one item unless items take well under a millisecond; then
 * reports are batched. The next chunk's acknowledgement rides on the last
 * report of the previous one.
 *
 * Which item runs is known exactly from shared memory, not from messages:
 * items are numbered in the order the pool sent them to the worker (from
 * 0, across chunks), and the worker stores n + 1 in FyPoolShared.running
 * when it takes item n: before any message shows the item as started, and
 * before it runs it. A dead worker therefore held exactly the item that
 * word names, unless it was reported already; every other unreported item
 * goes back to the queue (the ones before it ran, but their results died
 * with the worker). That store costs no system call, so a worker whose
 * items are short may skip the 's' of a chunk: its first report then
 * acknowledges it. It never does so while the pool asks for every start
 * (FyPoolShared.want_starts: a task timeout needs to know when a task
 * began). Without the shared block (it could not be made) the worker
 * declares every window and a death fails the unreported items of the
 * window, as the window is all the pool knows.
 */

#pragma once

#include "fy-channel.h"
#include "fy-pool.h"

G_BEGIN_DECLS

#define FY_POOL_MESSAGE_TYPE "(yttuuv)"

#define FY_POOL_MSG_SHARED      'm'
#define FY_POOL_MSG_INIT        'i'
#define FY_POOL_MSG_RUN         'r'
#define FY_POOL_MSG_CANCEL      'c'
#define FY_POOL_MSG_QUIT        'q'
#define FY_POOL_MSG_READY       'R'
#define FY_POOL_MSG_INIT_FAILED 'I'
#define FY_POOL_MSG_STARTED     's'
#define FY_POOL_MSG_RESULT      'o'
#define FY_POOL_MSG_ERROR       'e'
#define FY_POOL_MSG_SKIPPED     'k'
#define FY_POOL_MSG_BATCH       'b'

/* Kinds and values apart: the kinds are one fixed array read in place, and
 * each value costs the parent one GVariant when packed, two when boxed. */
#define FY_POOL_BATCH_TYPE      "(ayv)"
#define FY_POOL_RUN_TYPE        "a(tsbav)"
/* GLib 2.74 checks the offsets of an untrusted array up to the child it is
 * asked for, so walking one of n variable-size children costs n²: arrays on
 * the wire stay this short. */
#define FY_POOL_SLICE_MAX       256
/* Windows aim at this much work between two messages, and hold at most
 * this many items. */
#define FY_POOL_WINDOW_US       1000.0
#define FY_POOL_WINDOW_MAX      256

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

/* The block a pool shares with each worker, in a sealed memfd of
 * FY_POOL_SHARED_SIZE bytes. Words are read and written with atomics. */
typedef struct
{
  guint64  running;       /* worker: 1 + number of the item it took last; 0: none */
  guint32  want_starts;   /* pool: 1 = declare every window by message */
  guint32  reserved;
} FyPoolShared;

#define FY_POOL_SHARED_SIZE     4096

typedef struct
{
  char     tag;
  guint64  chunk;
  guint64  next;
  guint32  index;
  guint32  window;
} FyPoolHeader;

/* Messages are built and read on every task, so both ends skip GVariant's
 * format strings: the fixed part is laid out by hand (GVariant's own
 * serialisation of "(yttuuv)"), the body is checked by GVariant as usual.
 * @body may be NULL (unit); a floating reference is sunk. */
GVariant *fy_pool_message_new        (char          tag,
                                      guint64       chunk,
                                      guint64       next,
                                      guint32       index,
                                      guint32       window,
                                      GVariant     *body);
/* FALSE when @message is not a pool message. @out_body: a new reference. */
gboolean  fy_pool_message_parse      (GVariant     *message,
                                      FyPoolHeader *out_header,
                                      GVariant    **out_body);

/* The "av" holding @values (not consumed), serialised by hand: what
 * g_variant_new_array () of g_variant_new_variant () makes, byte for byte,
 * at a fraction of the cost. Returns a floating reference. */
GVariant *fy_pool_variants_to_av     (GVariant * const *values,
                                      guint             n);

/* The size of a fixed-size basic type ("x", "u", "d" …), 0 for any other:
 * arrays of those are sliced and packed without a variant per item. */
gsize     fy_pool_fixed_size         (const char   *type_string);
/* @values (not consumed) as one array: packed as "aT" when they all are
 * of the same fixed-size basic type T (read back without a variant box to
 * open, nor offsets to check), as fy_pool_variants_to_av () otherwise.
 * Returns a floating reference. */
GVariant *fy_pool_pack_values        (GVariant * const *values,
                                      guint             n);

/* Child @i of @container, taken out of its "v" when it is boxed: how map
 * arguments and a map chunk's results travel. A new reference. */
GVariant *fy_pool_unboxed_child      (GVariant     *container,
                                      gsize         i);

/* An error as it crosses the channel, and back. */
GVariant *fy_pool_error_to_variant   (const GError *error);
GError   *fy_pool_error_from_variant (GVariant     *value);

/* ---- FyFuture, as the pool drives it ------------------------------------- */

struct _FyFuture
{
  GObject        parent_instance;

  guint64        id;
  const char    *function;       /* interned */
  GVariant      *argument;
  FyFutureState  state;
  GVariant      *result;
  GError        *error;
  GPid           worker_pid;
  int            worker_exitcode;
  guint          attempts;
  gint64         submitted_at;
  gint64         started_at;
  gint64         finished_at;

  GMainContext  *context;
  FyPool        *pool;           /* not a reference: the pool clears it */
  GList         *done_callbacks; /* DoneCallback */

  /* Owned by the pool. */
  GList          queue_node;     /* its link in the pool's pending queue … */
  GList         *queue_link;     /* … &queue_node while it is there, else NULL */
  FyPoolWorker  *holder;         /* the worker that has it, or NULL */
  guint64        batch;          /* futures of one map call share it */
  guint          chunksize;
  guint          n_items;        /* a map chunk of that many items; 0: one task */
  guint          cancel_requested : 1;
};

/* fy_future_is_finished () without its type check, for the pool's loops
 * over every task. */
static inline gboolean
fy_future_finished (FyFuture *self)
{
  return self->state >= FY_FUTURE_STATE_DONE;
}

/* @function is interned; the pool reads the clock once per call, not
 * once per task, hence @submitted_at (and @now below). */
FyFuture *fy_future_new            (FyPool       *pool,
                                    GMainContext *context,
                                    const char   *function,
                                    GVariant     *argument,
                                    gint64        submitted_at);
void      fy_future_set_state      (FyFuture      *self,
                                    FyFutureState  state);
void      fy_future_mark_started   (FyFuture      *self,
                                    GPid           pid,
                                    gint64         now);
/* These two only record the outcome and notify; the pool calls
 * fy_future_run_done_callbacks () once its own bookkeeping is consistent. */
void      fy_future_set_result     (FyFuture      *self,
                                    GVariant      *result,
                                    gint64         now);
void      fy_future_set_error      (FyFuture      *self,
                                    FyFutureState  state,
                                    GError        *error);    /* takes it */
void      fy_future_run_done_callbacks (FyFuture  *self);
/* Waits until @check returns TRUE or the timeout (< 0: none) expires,
 * iterating @context. TRUE when @check held. */
gboolean  fy_pool_wait_context     (GMainContext *context,
                                    double        timeout_seconds,
                                    gboolean    (*check) (gpointer data),
                                    gpointer      data);
FyFutureIter *fy_future_iter_new   (GPtrArray    *futures,
                                    gboolean      ordered);

/* ---- FyPoolWorker, as the pool drives it ---------------------------------- */

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
  FyPool             *pool;             /* not a reference */
  FyChannel          *channel;
  guint               pidfd_watch;
  guint               channel_watch;
  guint               eof_kill_id;
  guint               timeout_id;
  GQueue              sent;             /* of FyPoolChunk, oldest first */
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
void          fy_pool_worker_add_task_done     (FyPoolWorker      *self);
/* Closes the pidfd and stops the grace timer. */
void          fy_pool_worker_set_exited        (FyPoolWorker      *self,
                                                int                exitcode);
/* SIGTERM now, SIGKILL once the grace has passed. */
gboolean      fy_pool_worker_terminate_with_grace (FyPoolWorker   *self,
                                                   GError        **error);

/* ---- FyPool, for its futures ------------------------------------------------ */

gboolean      fy_pool_cancel_future            (FyPool            *self,
                                                FyFuture          *future);

/* ---- FyPool test hooks ------------------------------------------------------ */

/* The @n-th spawn from now (1 = the next one) fails, as if the system had
 * refused it. 0 turns it off. */
void          fy_pool_set_spawn_fault          (FyPool            *self,
                                                guint              n);

G_END_DECLS
