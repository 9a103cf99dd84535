/* fy-pool-map.c: Pool.map and friends: gathering the results of many tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * map, starmap, apply and their asynchronous and iterating forms, on top of
 * the tasks fy-pool-dispatch.c enqueues.
 */

#include "config.h"

#include <string.h>

#include "fy-pool-private.h"


/* The results of a map call, gathered in order as its tasks finish. */
typedef struct
{
  GPtrArray *futures;
  guint      next;      /* every future before it has finished */
  GPtrArray *results;   /* theirs so far; NULL once one failed */
} Collect;

static void
collect_init (Collect   *c,
              GPtrArray *futures)
{
  guint n = 0;

  for (guint i = 0; i < futures->len; i++)
    n += MAX (((FyFuture *) g_ptr_array_index (futures, i))->n_items, 1);
  c->futures = futures;
  c->next = 0;
  c->results = g_ptr_array_new_full (n, (GDestroyNotify) g_variant_unref);
}

/* The @n results of a finished chunk, @array, at the end of @into. Child
 * values share the chunk's bytes: a variant over its own bytes each would
 * be a little faster to make and twice the memory (bench/README.md). The
 * array's type is looked at once, not once per item, and the slots are
 * filled in place: a GVariant per item is what GLib's own work costs,
 * and this loop adds as little to it as it can. */
static void
append_items (GPtrArray *into,
              GVariant  *array,
              guint      n)
{
  gboolean boxed = g_str_equal (g_variant_get_type_string (array), "av");
  gpointer *slots;

  g_ptr_array_set_size (into, into->len + n);
  slots = into->pdata + into->len - n;
  if (boxed)
    for (guint k = 0; k < n; k++)
      slots[k] = fy_pool_unboxed_child (array, k);
  else
    for (guint k = 0; k < n; k++)
      slots[k] = g_variant_get_child_value (array, k);
}

/* TRUE once every task finished. Tasks never become unfinished, so each
 * check resumes where the last one stopped: O(n) in all. A map chunk's
 * items are taken out as soon as it finished, while the workers still
 * run the others. */
static gboolean
collect_finished (gpointer data)
{
  Collect *c = data;

  for (; c->next < c->futures->len; c->next++)
    {
      FyFuture *future = g_ptr_array_index (c->futures, c->next);

      if (!fy_future_finished (future))
        return FALSE;
      if (future->state != FY_FUTURE_STATE_DONE)
        g_clear_pointer (&c->results, g_ptr_array_unref);
      else if (c->results != NULL && future->n_items == 0)
        g_ptr_array_add (c->results, g_variant_ref (future->result));
      else if (c->results != NULL)
        append_items (c->results, future->result, future->n_items);
    }
  return TRUE;
}

/* Once every task finished: the results in order, or the first error in
 * order. */
static GPtrArray *
collect_end (Collect  *c,
             GError  **error)
{
  collect_finished (c);
  if (c->results != NULL)
    return g_steal_pointer (&c->results);
  for (guint i = 0; i < c->futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (c->futures, i);

      if (future->state != FY_FUTURE_STATE_DONE)
        {
          g_propagate_error (error, g_error_copy (future->error));
          break;
        }
    }
  return NULL;
}

static GPtrArray *
map_sync (FyPool      *self,
          const char  *function,
          GVariant    *iterable,
          int          chunksize,
          gboolean     star,
          GError     **error)
{
  g_autoptr(GPtrArray) futures = fy_pool_submit_many (self, function, iterable, chunksize, star, FALSE, error);
  Collect c;

  if (futures == NULL)
    return NULL;
  collect_init (&c, futures);
  fy_future_wait_context (self->context, -1, collect_finished, &c);
  return collect_end (&c, error);
}

/* Every future of a map call finished; resumes where the last look
 * stopped, as collect_finished () does, without taking results out. */
typedef struct
{
  GPtrArray *futures;
  guint      next;
} AllFinished;

static gboolean
all_finished (gpointer data)
{
  AllFinished *a = data;

  for (; a->next < a->futures->len; a->next++)
    if (!fy_future_finished (g_ptr_array_index (a->futures, a->next)))
      return FALSE;
  return TRUE;
}

/* The results of finished @futures as one array: "aT" made of their own
 * bytes when they all are of one fixed-size type T, "av" otherwise. */
static GVariant *
join_results (GPtrArray *futures,
              guint      n_items)
{
  g_autofree char *array_type = NULL;
  g_autoptr(GPtrArray) values = NULL;
  const char *type = NULL;
  gsize size = 0;
  guint8 *data;
  gsize at = 0;

  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);
      const char *t = g_variant_get_type_string (future->result);

      /* A chunk's result is the array of its items' results. */
      if (future->n_items > 0)
        t = t[0] == 'a' ? t + 1 : "";
      if (type == NULL)
        type = t;
      if (!g_str_equal (t, type) || (size = fy_pool_fixed_size (type)) == 0)
        {
          size = 0;
          break;
        }
    }

  if (size > 0)
    {
      data = g_malloc (MAX ((gsize) n_items * size, 1));
      for (guint i = 0; i < futures->len; i++)
        {
          FyFuture *future = g_ptr_array_index (futures, i);
          gsize bytes = g_variant_get_size (future->result);

          memcpy (data + at, g_variant_get_data (future->result), bytes);
          at += bytes;
        }
      g_assert (at == (gsize) n_items * size);
      array_type = g_strconcat ("a", type, NULL);
      return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (array_type), data, at, TRUE, g_free, data));
    }

  values = g_ptr_array_new_full (n_items, (GDestroyNotify) g_variant_unref);
  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);

      for (guint k = 0; k < MAX (future->n_items, 1); k++)
        g_ptr_array_add (values, fy_future_item_outcome (future, k, NULL));
    }
  return g_variant_ref_sink (fy_pool_variants_to_av ((GVariant **) values->pdata, values->len));
}

GVariant *
fy_pool_map_array (FyPool      *self,
                   const char  *function,
                   GVariant    *iterable,
                   int          chunksize,
                   GError     **error)
{
  g_autoptr(GPtrArray) futures = fy_pool_submit_many (self, function, iterable, chunksize, FALSE, FALSE, error);
  AllFinished a = { futures, 0 };
  guint n_items = 0;

  if (futures == NULL)
    return NULL;
  fy_future_wait_context (self->context, -1, all_finished, &a);
  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (futures, i);

      if (future->state != FY_FUTURE_STATE_DONE)
        {
          g_propagate_error (error, g_error_copy (future->error));
          return NULL;
        }
      n_items += MAX (future->n_items, 1);
    }
  return join_results (futures, n_items);
}

GPtrArray *
fy_pool_map (FyPool      *self,
             const char  *function,
             GVariant    *iterable,
             int          chunksize,
             GError     **error)
{
  return map_sync (self, function, iterable, chunksize, FALSE, error);
}

GPtrArray *
fy_pool_starmap (FyPool      *self,
                 const char  *function,
                 GVariant    *iterable,
                 int          chunksize,
                 GError     **error)
{
  return map_sync (self, function, iterable, chunksize, TRUE, error);
}

GVariant *
fy_pool_apply (FyPool      *self,
               const char  *function,
               GVariant    *argument,
               GError     **error)
{
  g_autoptr(FyFuture) future = fy_pool_submit (self, function, argument, error);

  if (future == NULL)
    return NULL;
  return fy_future_result (future, -1, error);
}

typedef struct
{
  FyPoolResultFunc callback;
  FyPoolErrorFunc  error_callback;
  gpointer         user_data;
  GDestroyNotify   destroy;
} ApplyAsync;

static void
apply_async_free (gpointer data)
{
  ApplyAsync *a = data;

  if (a->destroy != NULL)
    a->destroy (a->user_data);
  g_free (a);
}

static void
apply_async_done_cb (FyFuture *future,
                     gpointer  data)
{
  ApplyAsync *a = data;

  if (future->state == FY_FUTURE_STATE_DONE)
    {
      if (a->callback != NULL)
        a->callback (future->result, a->user_data);
    }
  else if (a->error_callback != NULL)
    a->error_callback (future->error, a->user_data);
}

FyFuture *
fy_pool_apply_async (FyPool           *self,
                     const char       *function,
                     GVariant         *argument,
                     FyPoolResultFunc  callback,
                     FyPoolErrorFunc   error_callback,
                     gpointer          user_data,
                     GDestroyNotify    destroy,
                     GError          **error)
{
  FyFuture *future = fy_pool_submit (self, function, argument, error);
  ApplyAsync *a;

  if (future == NULL)
    return NULL;
  a = g_new0 (ApplyAsync, 1);
  a->callback = callback;
  a->error_callback = error_callback;
  a->user_data = user_data;
  a->destroy = destroy;
  fy_future_add_done_callback (future, apply_async_done_cb, a, apply_async_free);
  return future;
}

typedef struct
{
  GPtrArray *futures;
  guint      remaining;
} MapAsync;

static void
map_async_free (gpointer data)
{
  MapAsync *m = data;

  g_ptr_array_unref (m->futures);
  g_free (m);
}

static void
map_async_done_cb (FyFuture *future,
                   gpointer  data)
{
  GTask *task = data;
  MapAsync *m = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *results;
  Collect c;

  if (--m->remaining > 0)
    return;
  collect_init (&c, m->futures);
  results = collect_end (&c, &error);
  if (results != NULL)
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
fy_pool_map_async (FyPool              *self,
                   const char          *function,
                   GVariant            *iterable,
                   int                  chunksize,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GPtrArray *futures;
  MapAsync *m;

  g_return_if_fail (FY_IS_POOL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fy_pool_map_async);

  futures = fy_pool_submit_many (self, function, iterable, chunksize, FALSE, FALSE, &error);
  if (futures == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (futures->len == 0)
    {
      g_task_return_pointer (task, futures, (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  m = g_new0 (MapAsync, 1);
  m->futures = futures;
  m->remaining = futures->len;
  g_task_set_task_data (task, m, map_async_free);
  for (guint i = 0; i < futures->len; i++)
    fy_future_add_done_callback (g_ptr_array_index (futures, i), map_async_done_cb,
                                 g_object_ref (task), g_object_unref);
}

GPtrArray *
fy_pool_map_finish (FyPool        *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

FyFutureIter *
fy_pool_imap (FyPool      *self,
              const char  *function,
              GVariant    *iterable,
              int          chunksize,
              GError     **error)
{
  g_autoptr(GPtrArray) futures = fy_pool_submit_many (self, function, iterable, chunksize, FALSE, FALSE, error);

  if (futures == NULL)
    return NULL;
  return fy_future_iter_new (futures, TRUE);
}

FyFutureIter *
fy_pool_imap_unordered (FyPool      *self,
                        const char  *function,
                        GVariant    *iterable,
                        int          chunksize,
                        GError     **error)
{
  g_autoptr(GPtrArray) futures = fy_pool_submit_many (self, function, iterable, chunksize, FALSE, FALSE, error);

  if (futures == NULL)
    return NULL;
  return fy_future_iter_new (futures, FALSE);
}
