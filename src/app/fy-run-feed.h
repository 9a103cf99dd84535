/* fy-run-feed.h: a run's finished items, one at a time, without a future per item
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run hands the pool its inputs as tasks: map chunks of many items, or
 * tasks of one. The feed gives back each finished item once, as the task
 * it belongs to and its place in that task, read from the task's own
 * per-chunk record (fy_future_get_item_result ()), so 100 000 items cost
 * no object each. Ordered feeds give the items in input order (map,
 * imap), unordered ones in the order their tasks finished
 * (imap_unordered, as_completed). Reference counted: the tasks' done
 * callbacks hold it until they have run.
 */

#pragma once

#include "core/fy-future.h"

G_BEGIN_DECLS

typedef struct _FyRunFeed FyRunFeed;

/* @tasks holds the run's tasks in input order. */
FyRunFeed *fy_run_feed_new         (GPtrArray  *tasks,
                                    gboolean    ordered);
FyRunFeed *fy_run_feed_ref         (FyRunFeed  *self);
void       fy_run_feed_unref       (FyRunFeed  *self);
/* Items in all. */
guint      fy_run_feed_get_n_items (FyRunFeed  *self);
/* Items finished and not taken yet: what the next takes can give now. */
guint      fy_run_feed_get_n_ready (FyRunFeed  *self);
/* TRUE once every item was taken. */
gboolean   fy_run_feed_is_over     (FyRunFeed  *self);
/* Takes the next finished item: TRUE with its task (borrowed, valid while
 * the feed lives), its index in the task (0 for a task of one; the index
 * fy_future_get_item_result () takes) and its index in the input. FALSE
 * when nothing is ready. */
gboolean   fy_run_feed_take        (FyRunFeed  *self,
                                    FyFuture  **out_task,
                                    guint      *out_item,
                                    guint      *out_index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyRunFeed, fy_run_feed_unref)

G_END_DECLS
