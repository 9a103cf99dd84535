/* fy-run-feed.c: a run's finished items, one at a time, without a future per item
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ordered: a cursor walks the tasks in input order and stops at the first
 * unfinished one, of which it takes the items settled so far (a long map
 * chunk reports them as it goes); a second cursor, ahead of it, counts the
 * items ready to take, so counting them costs each task once. Unordered:
 * each task's done callback, which the pool runs in the order tasks
 * finish, queues it.
 */

#include "config.h"

#include "fy-run-feed.h"

struct _FyRunFeed
{
  gatomicrefcount  ref_count;
  GPtrArray       *tasks;       /* input order */
  gboolean         ordered;
  guint            n_items;
  guint            n_taken;

  /* The task being taken from and the next of its items. */
  FyFuture        *current;     /* borrowed from @tasks */
  guint            current_index; /* input index of its item 0 */
  guint            item;

  /* Ordered: the next task to take, and how far the tasks are known to
   * have finished, with their items counted. */
  guint            next;
  guint            scanned;
  guint            n_scanned_items;

  /* Unordered: finished tasks not taken yet, and each task's first input
   * index. */
  GQueue           ready;
  guint            n_ready_items;
  GHashTable      *first_index; /* task → input index of its item 0 */
};

static guint
task_n_items (FyFuture *task)
{
  return MAX (fy_future_get_n_items (task), 1);
}

static void
task_done_cb (FyFuture *task,
              gpointer  user_data)
{
  FyRunFeed *self = user_data;

  g_queue_push_tail (&self->ready, task);
  self->n_ready_items += task_n_items (task);
}

FyRunFeed *
fy_run_feed_new (GPtrArray *tasks,
                 gboolean   ordered)
{
  FyRunFeed *self;
  guint first = 0;

  g_return_val_if_fail (tasks != NULL, NULL);

  self = g_new0 (FyRunFeed, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->tasks = g_ptr_array_ref (tasks);
  self->ordered = ordered;
  g_queue_init (&self->ready);
  if (!ordered)
    self->first_index = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < tasks->len; i++)
    {
      FyFuture *task = g_ptr_array_index (tasks, i);

      if (!ordered)
        {
          g_hash_table_insert (self->first_index, task, GUINT_TO_POINTER (first));
          fy_future_add_done_callback (task, task_done_cb, fy_run_feed_ref (self),
                                       (GDestroyNotify) fy_run_feed_unref);
        }
      first += task_n_items (task);
    }
  self->n_items = first;
  return self;
}

FyRunFeed *
fy_run_feed_ref (FyRunFeed *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
fy_run_feed_unref (FyRunFeed *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  /* The queue borrows from @tasks. */
  g_queue_clear (&self->ready);
  g_clear_pointer (&self->first_index, g_hash_table_unref);
  g_ptr_array_unref (self->tasks);
  g_free (self);
}

guint
fy_run_feed_get_n_items (FyRunFeed *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_items;
}

/* Items of @task that can be taken: all once it finished, those settled
 * while it runs. */
static guint
task_n_available (FyFuture *task)
{
  return fy_future_get_n_items_settled (task);
}

/* Moves the ordered scan over every task that finished since. */
static void
scan (FyRunFeed *self)
{
  while (self->scanned < self->tasks->len &&
         fy_future_is_finished (g_ptr_array_index (self->tasks, self->scanned)))
    self->n_scanned_items += task_n_items (g_ptr_array_index (self->tasks, self->scanned++));
}

guint
fy_run_feed_get_n_ready (FyRunFeed *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (!self->ordered)
    return self->n_ready_items + (self->current != NULL ? task_n_items (self->current) - self->item : 0);
  scan (self);
  /* The first unfinished task's settled items are part of it, and so may
   * be some of those taken. */
  if (self->scanned < self->tasks->len)
    return self->n_scanned_items + task_n_available (g_ptr_array_index (self->tasks, self->scanned)) - self->n_taken;
  return self->n_scanned_items - self->n_taken;
}

gboolean
fy_run_feed_is_over (FyRunFeed *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->n_taken >= self->n_items;
}

gboolean
fy_run_feed_take (FyRunFeed  *self,
                  FyFuture  **out_task,
                  guint      *out_item,
                  guint      *out_index)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->current == NULL)
    {
      if (self->ordered)
        {
          if (self->next >= self->tasks->len ||
              task_n_available (g_ptr_array_index (self->tasks, self->next)) == 0)
            return FALSE;
          self->current = g_ptr_array_index (self->tasks, self->next++);
          self->current_index = self->n_taken;
        }
      else
        {
          if (g_queue_is_empty (&self->ready))
            return FALSE;
          self->current = g_queue_pop_head (&self->ready);
          self->n_ready_items -= task_n_items (self->current);
          self->current_index = GPOINTER_TO_UINT (g_hash_table_lookup (self->first_index, self->current));
        }
      self->item = 0;
    }
  /* A running chunk's items that are not settled yet wait. */
  else if (self->item >= task_n_available (self->current))
    return FALSE;

  if (out_task != NULL)
    *out_task = self->current;
  if (out_item != NULL)
    *out_item = self->item;
  if (out_index != NULL)
    *out_index = self->current_index + self->item;
  self->n_taken++;
  if (++self->item >= task_n_items (self->current))
    self->current = NULL;
  return TRUE;
}
