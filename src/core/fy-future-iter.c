/* fy-future-iter.c: results one by one, in order or as they finish
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FyFutureIter (declared in fy-future.h) behind imap, imap_unordered and
 * as_completed. A map chunk is given item by item, read from the chunk's
 * record; a future per item is made only when fy_future_iter_next () or
 * fy_future_iter_get_futures () asks for one.
 */

#include "config.h"

#include "fy-future-private.h"
#include "fy-pool-error.h"
#include "fy-pool-wire.h"

struct _FyFutureIter
{
  gatomicrefcount  ref_count;
  GPtrArray       *futures;   /* the tasks, input order */
  gboolean         ordered;
  guint            next;      /* ordered: index of the next one to give */
  GQueue           ready;     /* unordered: finished, not given yet */
  guint            n_given;
  /* Map chunks are given item by item. */
  gboolean         chunked;   /* some task is a map chunk */
  guint            n_items;
  FyFuture        *current;   /* a finished task with items left to give */
  guint            item;      /* the next of them */
  GPtrArray       *items;     /* a future per item, made on demand */
  GHashTable      *first_of;  /* task → index of its first item in @items */
};

G_DEFINE_BOXED_TYPE (FyFutureIter, fy_future_iter, fy_future_iter_ref, fy_future_iter_unref)

static void fy_future_iter_push_cb (FyFuture *future,
                                   gpointer  user_data);

/* ---- FyFutureIter ------------------------------------------------------------ */

FyFutureIter *
fy_future_iter_new (GPtrArray *futures,
                    gboolean   ordered)
{
  FyFutureIter *self = g_new0 (FyFutureIter, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->futures = g_ptr_array_ref (futures);
  self->ordered = ordered;
  g_queue_init (&self->ready);
  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *task = g_ptr_array_index (futures, i);

      self->n_items += MAX (task->n_items, 1);
      self->chunked |= task->n_items > 0;
    }
  /* Completion order comes from the done callbacks, which the pool runs in
   * the order tasks finish: no scan over every future on each step. */
  if (!ordered)
    for (guint i = 0; i < futures->len; i++)
      fy_future_add_done_callback (g_ptr_array_index (futures, i), fy_future_iter_push_cb,
                                   fy_future_iter_ref (self),
                                   (GDestroyNotify) fy_future_iter_unref);
  return self;
}

FyFutureIter *
fy_future_as_completed (GPtrArray *futures)
{
  g_autoptr(GPtrArray) copy = NULL;

  g_return_val_if_fail (futures != NULL, NULL);

  copy = g_ptr_array_new_full (futures->len, g_object_unref);
  for (guint i = 0; i < futures->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (futures, i)));
  return fy_future_iter_new (copy, FALSE);
}

FyFutureIter *
fy_future_iter_ref (FyFutureIter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
fy_future_iter_unref (FyFutureIter *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->futures);
  g_queue_clear_full (&self->ready, g_object_unref);
  g_clear_object (&self->current);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->first_of, g_hash_table_unref);
  g_free (self);
}

guint
fy_future_iter_get_n_items (FyFutureIter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_items;
}

/* A map chunk's items, once it finished: each becomes a finished future
 * of its own, with its result or the chunk's error. */
static void
fill_items (FyFutureIter *self,
            FyFuture     *task)
{
  guint first = GPOINTER_TO_UINT (g_hash_table_lookup (self->first_of, task));

  for (guint k = 0; k < task->n_items; k++)
    {
      FyFuture *item = g_ptr_array_index (self->items, first + k);
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) result = fy_future_item_outcome (task, k, &error);
      gint64 started_at = 0;
      gint64 finished_at = 0;

      item->worker_pid = task->worker_pid;
      item->worker_exitcode = task->worker_exitcode;
      item->attempts = task->attempts;
      if (!fy_future_get_item_times (task, k, &started_at, &finished_at))
        {
          started_at = task->started_at;
          finished_at = task->finished_at;
        }
      item->started_at = started_at;
      if (result != NULL)
        fy_future_set_result (item, result, finished_at);
      else
        {
          fy_future_set_error (item, task->state == FY_FUTURE_STATE_DONE ? FY_FUTURE_STATE_FAILED : task->state,
                               g_steal_pointer (&error));
          item->finished_at = finished_at;
        }
      fy_future_run_done_callbacks (item);
    }
}

static void
fill_items_cb (FyFuture *task,
               gpointer  user_data)
{
  fill_items (user_data, task);
}

/* Futures of the items of map chunks are made only when asked for:
 * fy_future_iter_next_result () gives the items without them. */
static void
ensure_items (FyFutureIter *self)
{
  if (self->items != NULL)
    return;
  self->items = g_ptr_array_new_full (self->n_items, g_object_unref);
  self->first_of = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->futures->len; i++)
    {
      FyFuture *task = g_ptr_array_index (self->futures, i);

      g_hash_table_insert (self->first_of, task, GUINT_TO_POINTER (self->items->len));
      if (task->n_items == 0)
        {
          g_ptr_array_add (self->items, g_object_ref (task));
          continue;
        }
      for (guint k = 0; k < task->n_items; k++)
        {
          g_autoptr(GVariant) argument = fy_pool_unboxed_child (task->argument, k);
          g_ptr_array_add (self->items, fy_future_new (task->context, task->function, argument,
                                                       task->submitted_at));
        }
      if (fy_future_is_finished (task))
        fill_items (self, task);
      else
        fy_future_add_done_callback (task, fill_items_cb, fy_future_iter_ref (self),
                                     (GDestroyNotify) fy_future_iter_unref);
    }
}

GPtrArray *
fy_future_iter_get_futures (FyFutureIter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (!self->chunked)
    return self->futures;
  ensure_items (self);
  return self->items;
}

static void
fy_future_iter_push_cb (FyFuture *future,
                        gpointer  user_data)
{
  FyFutureIter *self = user_data;

  g_queue_push_tail (&self->ready, g_object_ref (future));
}

static gboolean
check_iter_next (gpointer data)
{
  FyFutureIter *self = data;

  if (!self->ordered)
    return !g_queue_is_empty (&self->ready);
  return fy_future_is_finished (g_ptr_array_index (self->futures, self->next));
}

/* Waits for the next finished task unless one still has items to give.
 * TRUE with that task (a new reference) and the item's index in it (0 for
 * a task of one); FALSE at the end or when the wait expired. */
static gboolean
advance (FyFutureIter  *self,
         double         timeout_seconds,
         FyFuture     **out_task,
         guint         *out_item,
         GError       **error)
{
  if (self->current == NULL)
    {
      GMainContext *context;

      if ((self->ordered ? self->next : self->n_given) >= self->futures->len)
        return FALSE;
      context = FY_FUTURE (g_ptr_array_index (self->futures, 0))->context;
      if (!fy_future_wait_context (context, timeout_seconds, check_iter_next, self))
        {
          g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT,
                       "No result arrived within %.3g s", timeout_seconds);
          return FALSE;
        }
      self->n_given++;
      if (self->ordered)
        self->current = g_object_ref (g_ptr_array_index (self->futures, self->next++));
      else
        self->current = g_queue_pop_head (&self->ready);
      self->item = 0;
    }

  *out_item = self->item++;
  if (self->item >= MAX (self->current->n_items, 1))
    *out_task = g_steal_pointer (&self->current);
  else
    *out_task = g_object_ref (self->current);
  return TRUE;
}

gboolean
fy_future_iter_next (FyFutureIter  *self,
                     double         timeout_seconds,
                     FyFuture     **out_future,
                     GError       **error)
{
  g_autoptr(FyFuture) task = NULL;
  guint item;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_future != NULL, FALSE);

  *out_future = NULL;
  if (!advance (self, timeout_seconds, &task, &item, error))
    return FALSE;
  if (!self->chunked)
    *out_future = g_steal_pointer (&task);
  else
    {
      ensure_items (self);
      *out_future = g_object_ref (g_ptr_array_index (self->items,
                                                     GPOINTER_TO_UINT (g_hash_table_lookup (self->first_of, task)) + item));
    }
  return TRUE;
}

gboolean
fy_future_iter_next_result (FyFutureIter  *self,
                            double         timeout_seconds,
                            GVariant     **out_result,
                            GError       **error)
{
  g_autoptr(FyFuture) task = NULL;
  guint item;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out_result != NULL, FALSE);

  *out_result = NULL;
  if (!advance (self, timeout_seconds, &task, &item, error))
    return FALSE;
  *out_result = fy_future_item_outcome (task, item, error);
  return *out_result != NULL;
}
