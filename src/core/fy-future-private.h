/* fy-future-private.h: a future as its pool drives it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A future knows nothing of the pool that made it: the pool fills in the
 * fields below and gives it a cancel function to call back.
 */

#pragma once

#include "fy-future.h"

G_BEGIN_DECLS

typedef gboolean (*FyFutureCancelFunc) (gpointer  owner,
                                        FyFuture *future);

/* What a map chunk keeps beyond a task of one: apart, so that the many
 * futures of submit () and chunksize 1 stay small. */
typedef struct
{
  gint64         items_started_at; /* when item 0 started */
  GVariant      *item_ends;      /* "au": when each ended, µs after that */
  GPtrArray     *item_errors;    /* GError or NULL per item, when some failed alone */
  /* Items settled before a crash of the worker that ran the chunk: the
   * chunk runs on from item @n_settled (fy-pool-crash.c). */
  guint          n_settled;
  guint          run_from;       /* the item its last run started at */
  guint          crash_item;     /* 1 + the item whose crashes @crash_retries counts */
  guint          crash_retries;
  GPtrArray     *settled;        /* GVariant result per settled item; "()" for a failed one */
  GArray        *settled_ends;   /* gint64 per settled item */
  GPtrArray     *settled_errors; /* GError or NULL per settled item; NULL while none failed */
} FyFutureMap;

struct _FyFuture
{
  GObject        parent_instance;

  guint64        id;
  const char    *function;       /* interned */
  GVariant      *argument;       /* NULL until asked for when @packed is set */
  /* A task of one whose argument is item @packed_index of @packed, an
   * array of a fixed-size basic type (a map call's numbers, chunksize 1):
   * it travels as those bytes, and @argument is made only when someone
   * asks for it (fy_future_argument ()). */
  GVariant      *packed;
  guint          packed_index;
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
  gpointer       owner;          /* its pool, not a reference: the pool clears it */
  FyFutureCancelFunc cancel_func;
  GList         *done_callbacks; /* DoneCallback */

  /* Owned by the pool. */
  GList          queue_node;     /* its link in the pool's pending queue … */
  GList         *queue_link;     /* … &queue_node while it is there, else NULL */
  gpointer       holder;         /* the FyPoolWorker that has it, or NULL */
  guint64        batch;          /* futures of one map call share it */
  guint          chunksize;
  guint          cancel_requested : 1;

  /* A map chunk (fy-pool.h, "Chunks"): its items' arguments are @argument,
   * their results @result, once it finished. */
  guint          n_items;        /* a map chunk of that many items; 0: one task */
  guint          first_item;     /* item 0's index in the input of its map call */
  FyFutureMap   *map;            /* the rest, for map chunks only: NULL for a task of one */
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
FyFuture *fy_future_new            (GMainContext *context,
                                    const char   *function,
                                    GVariant     *argument,
                                    gint64        submitted_at);
/* A task whose argument is item @index of @packed (see above). */
FyFuture *fy_future_new_packed     (GMainContext *context,
                                    const char   *function,
                                    GVariant     *packed,
                                    guint         index,
                                    gint64        submitted_at);
/* Its argument (borrowed), made from @packed the first time. */
GVariant *fy_future_argument       (FyFuture     *self);
void      fy_future_set_state      (FyFuture      *self,
                                    FyFutureState  state);
void      fy_future_mark_started   (FyFuture      *self,
                                    GPid           pid,
                                    gint64         now);
/* These only record the outcome and notify; the pool calls
 * fy_future_run_done_callbacks () once its own bookkeeping is consistent. */
void      fy_future_set_result     (FyFuture      *self,
                                    GVariant      *result,
                                    gint64         now);
/* @now: when it ended (0: now); takes @error. */
void      fy_future_set_error_at   (FyFuture      *self,
                                    FyFutureState  state,
                                    GError        *error,
                                    gint64         now);
void      fy_future_set_error      (FyFuture      *self,
                                    FyFutureState  state,
                                    GError        *error);    /* takes it */
void      fy_future_run_done_callbacks (FyFuture  *self);
/* Item @index of a finished map chunk (or 0 of a task of one): a new
 * reference to its result, or NULL with its error. */
GVariant *fy_future_item_outcome   (FyFuture      *self,
                                    guint          index,
                                    GError       **error);
/* Waits until @check returns TRUE or the timeout (< 0: none) expires,
 * iterating @context. TRUE when @check held. */
gboolean  fy_future_wait_context   (GMainContext *context,
                                    double        timeout_seconds,
                                    gboolean    (*check) (gpointer data),
                                    gpointer      data);
FyFutureIter *fy_future_iter_new   (GPtrArray    *futures,
                                    gboolean      ordered);

G_END_DECLS
