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

/* The outcome of finished @futures: every result in one array, or NULL
 * with the first failed task's error in input order. */
static GVariant *
map_outcome (GPtrArray  *futures,
             GError    **error)
{
  guint n_items = 0;

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

static GVariant *
map_sync (FyPool      *self,
          const char  *function,
          GVariant    *iterable,
          int          chunksize,
          gboolean     star,
          GError     **error)
{
  g_autoptr(GPtrArray) futures = fy_pool_submit_many (self, function, iterable, chunksize, star, FALSE, error);
  AllFinished a = { NULL, 0 };

  if (futures == NULL)
    return NULL;
  a.futures = futures;
  fy_future_wait_context (self->context, -1, all_finished, &a);
  return map_outcome (futures, error);
}

GVariant *
fy_pool_map (FyPool      *self,
             const char  *function,
             GVariant    *iterable,
             int          chunksize,
             GError     **error)
{
  return map_sync (self, function, iterable, chunksize, FALSE, error);
}

GVariant *
fy_pool_starmap (FyPool      *self,
                 const char  *function,
                 GVariant    *iterable,
                 int          chunksize,
                 GError     **error)
{
  return map_sync (self, function, iterable, chunksize, TRUE, error);
}

gsize
fy_pool_results_length (GVariant *results)
{
  g_return_val_if_fail (results != NULL && g_variant_is_of_type (results, G_VARIANT_TYPE_ARRAY), 0);
  return g_variant_n_children (results);
}

GVariant *
fy_pool_results_get (GVariant *results,
                     gsize     index)
{
  g_return_val_if_fail (results != NULL && g_variant_is_of_type (results, G_VARIANT_TYPE_ARRAY), NULL);
  g_return_val_if_fail (index < g_variant_n_children (results), NULL);
  return fy_pool_unboxed_child (results, index);
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
  GVariant *results;

  if (--m->remaining > 0)
    return;
  results = map_outcome (m->futures, &error);
  if (results != NULL)
    g_task_return_pointer (task, results, (GDestroyNotify) g_variant_unref);
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
      g_task_return_pointer (task, join_results (futures, 0), (GDestroyNotify) g_variant_unref);
      g_ptr_array_unref (futures);
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

GVariant *
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
