/* fy-queue-private.h: the queue's ring, for inspection and fault tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-queue.h"

G_BEGIN_DECLS

/* The byte ring and its positions as currently published (call with the
 * put lock, fy_shm_lock () on the queue's FyShm, and the get lock held to
 * get a stable picture). */
guint8 *fy_queue_peek_ring (FyQueue *self,
                            guint64 *out_ring_size,
                            guint64 *out_head,
                            guint64 *out_tail);

/* A put of @item that stops after writing and counting its record, just
 * before it publishes the tail, and returns holding the put lock: the
 * state a producer killed there leaves, for fault tests. */
gboolean fy_queue_put_unpublished (FyQueue   *self,
                                   GVariant  *item,
                                   GError   **error);

/* Takes the lock consumers serialize on, as a get does: 0 or an errno. */
int     fy_queue_lock_get  (FyQueue *self);

G_END_DECLS
