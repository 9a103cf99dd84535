/* fy-queue.h: a bounded multi-producer, multi-consumer queue in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.Queue and JoinableQueue without a feeder thread or pipe:
 * items are serialized GVariants written into a byte ring of length-prefixed
 * records, producers serialized by one robust lock and consumers by another,
 * so a put is complete when it returns and a process may exit right after
 * it. The record is written first and the tail published last: a producer
 * killed mid-put leaves no partial item. Blocked callers watch the ring
 * briefly, then sleep on futex words. Ints also travel without a GVariant
 * (fy_queue_put_int64 / fy_queue_get_int64): making and freeing one costs
 * more than the rest of a put and a get together.
 */

#pragma once

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_QUEUE_ERROR (fy_queue_error_quark ())

typedef enum
{
  FY_QUEUE_ERROR_FULL,          /* no room before the timeout */
  FY_QUEUE_ERROR_EMPTY,         /* nothing arrived before the timeout */
  FY_QUEUE_ERROR_CLOSED,        /* put after close, or get on a closed, drained queue */
  FY_QUEUE_ERROR_TOO_BIG,       /* the item can never fit in the ring */
  FY_QUEUE_ERROR_NOT_JOINABLE,  /* task_done / join on a plain queue */
  FY_QUEUE_ERROR_TASK_DONE,     /* task_done called more times than items put */
  FY_QUEUE_ERROR_TIMED_OUT,     /* join did not finish in time */
  FY_QUEUE_ERROR_WRONG_TYPE,    /* a typed get found another type at the head */
} FyQueueError;

GQuark fy_queue_error_quark (void);

#define FY_TYPE_QUEUE (fy_queue_get_type ())
G_DECLARE_FINAL_TYPE (FyQueue, fy_queue, FY, QUEUE, GObject)

/* Default byte capacity of the ring when none is given. */
#define FY_QUEUE_DEFAULT_CAPACITY (1024 * 1024)

/* @maxsize items at most (0: limited by bytes only). */
FyQueue  *fy_queue_new          (const char  *name,
                                 guint        maxsize,
                                 GError     **error);
FyQueue  *fy_queue_new_joinable (const char  *name,
                                 guint        maxsize,
                                 GError     **error);
/* @capacity_bytes: room for the serialized items (0: the default). */
FyQueue  *fy_queue_new_full     (const char  *name,
                                 guint        maxsize,
                                 gsize        capacity_bytes,
                                 gboolean     joinable,
                                 GError     **error);
FyQueue  *fy_queue_new_from_fd  (int          fd,
                                 GError     **error);
int       fy_queue_get_fd       (FyQueue     *self);
FyShm    *fy_queue_get_shm      (FyQueue     *self);

/* @item: a floating reference is sunk. @timeout_seconds < 0 blocks, 0 does
 * not wait (put_nowait). */
gboolean  fy_queue_put          (FyQueue     *self,
                                 GVariant    *item,
                                 double       timeout_seconds,
                                 GError     **error);
/* Returns a new reference, or NULL with FY_QUEUE_ERROR_EMPTY / _CLOSED.
 * A blocked get keeps the consumers' lock while it waits, as Python's
 * reader lock: another get times out on that lock (a get_nowait beside it
 * fails with FY_QUEUE_ERROR_EMPTY), and blocked puts do the same among
 * producers. */
GVariant *fy_queue_get          (FyQueue     *self,
                                 double       timeout_seconds,
                                 GError     **error);

/* An int64 without a GVariant on either side: the item is the same as
 * g_variant_new_int64 (@value) put with fy_queue_put, and fy_queue_get
 * returns it so. fy_queue_get_int64 takes any int64 item; an item of
 * another type stays at the head, with FY_QUEUE_ERROR_WRONG_TYPE. */
gboolean  fy_queue_put_int64    (FyQueue     *self,
                                 gint64       value,
                                 double       timeout_seconds,
                                 GError     **error);
gboolean  fy_queue_get_int64    (FyQueue     *self,
                                 gint64      *out_value,
                                 double       timeout_seconds,
                                 GError     **error);

guint     fy_queue_get_qsize    (FyQueue     *self);
gboolean  fy_queue_is_empty     (FyQueue     *self);
gboolean  fy_queue_is_full      (FyQueue     *self);
guint     fy_queue_get_maxsize  (FyQueue     *self);
gsize     fy_queue_get_capacity (FyQueue     *self);
gboolean  fy_queue_is_joinable  (FyQueue     *self);

/* Later puts fail everywhere; gets drain what is left, then fail with
 * FY_QUEUE_ERROR_CLOSED instead of waiting. Wakes every blocked caller. */
void      fy_queue_close        (FyQueue     *self);
gboolean  fy_queue_is_closed    (FyQueue     *self);

/* JoinableQueue. */
gboolean  fy_queue_task_done    (FyQueue     *self,
                                 GError     **error);
/* Until every item put has been marked done; @timeout_seconds < 0: forever. */
gboolean  fy_queue_join         (FyQueue     *self,
                                 double       timeout_seconds,
                                 GError     **error);

G_END_DECLS
