/* fy-pool-dispatch.c: a pool's queue, its chunks and handing them to workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tasks wait in one queue; map calls enqueue one task per chunk of items.
 * Chunks of one function sent to a worker together travel as one message,
 * and a worker takes more only while its items are short.
 */

#include "config.h"

#include <string.h>
#include <glib-unix.h>

#include "fy-pool-private.h"
#include "fy-task-list.h"

/* Beyond the one task ahead every worker may hold (see can_send ()),
 * prefetch only while a worker's items are this short, and only as far as
 * this much work ahead of it. */
#define PREFETCH_MAX_ITEM_US  1000.0
#define PREFETCH_AHEAD_US     5000.0
#define PREFETCH_MAX_CHUNKS   256
/* Below this many items per worker, the automatic chunksize is 1. */
#define FY_POOL_ITEMS_PER_WORKER_UNCHUNKED 32
/* Most items of an automatic chunk: the worker's log (FY_POOL_LOG_SIZE)
 * holds this many records of an 8-byte number (24 bytes each), so such a
 * chunk never needs progress messages, which the pool would settle item
 * by item. Measured: 4 × 10^6 squares took 0.54 s in chunks of 131 072
 * against 1.8–2.2 s in Python's four chunks per worker (500 000 each). */
#define FY_POOL_AUTO_CHUNK_MAX 131072
/* Most items one merged chunk carries. */
#define MERGE_MAX_ITEMS       4096

void
fy_pool_chunk_free (FyPoolChunk *chunk)
{
  g_ptr_array_unref (chunk->items);
  g_free (chunk);
}

/* ---- the pending queue ------------------------------------------------------- */

/* It links each future through a node inside it, so queueing a task
 * allocates nothing. The queue holds a reference. */
void
fy_pool_pending_push (FyPool   *self,
              FyFuture *future,
              gboolean  at_head)
{
  future->queue_node.data = g_object_ref (future);
  future->queue_link = &future->queue_node;
  if (at_head)
    g_queue_push_head_link (&self->pending, future->queue_link);
  else
    g_queue_push_tail_link (&self->pending, future->queue_link);
  self->tasks_put++;
}

/* The oldest pending task (the queue's reference), or NULL. */
FyFuture *
fy_pool_pending_pop (FyPool *self)
{
  GList *link = g_queue_pop_head_link (&self->pending);
  FyFuture *future;

  if (link == NULL)
    return NULL;
  future = link->data;
  future->queue_link = NULL;
  return future;
}

/* ---- workers ------------------------------------------------------------------- */

/* Sends what the socket has room for, oldest first. FALSE when the
 * channel failed (the worker is on its way out). */
static gboolean
flush_outbox (FyPoolWorker *worker)
{
  GVariant *message;

  while ((message = g_queue_peek_head (&worker->outbox)) != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (worker->channel == NULL)
        return FALSE;
      if (!fy_channel_try_send (worker->channel, message, NULL, &error))
        return g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_WOULD_BLOCK);
      g_variant_unref (g_queue_pop_head (&worker->outbox));
    }
  return TRUE;
}

static gboolean
writable_cb (int          fd,
             GIOCondition condition,
             gpointer     data)
{
  FyPoolWorker *worker = data;
  FyPool *self = worker->pool;

  if (!flush_outbox (worker))
    {
      /* Its death, handled as any other, puts back what it held. */
      worker->out_watch = 0;
      g_queue_clear_full (&worker->outbox, (GDestroyNotify) g_variant_unref);
      fy_pool_worker_kill (worker, NULL);
      return G_SOURCE_REMOVE;
    }
  if (!g_queue_is_empty (&worker->outbox))
    return G_SOURCE_CONTINUE;

  /* Cleared first: dispatching may need a new watch for this worker. */
  worker->out_watch = 0;
  g_object_ref (self);
  g_object_ref (worker);
  fy_pool_dispatch (self);
  fy_pool_flush (self);
  g_object_unref (worker);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Sends one message to @worker without ever waiting for it: a worker busy
 * sending its reports reads nothing, and a parent blocked on its full
 * socket would read none of those reports either. What the socket has no
 * room for waits in the worker's outbox, in order, and leaves when the fd
 * is writable. Nothing more is dispatched to a worker while its outbox
 * holds anything (see can_send ()), so it holds at most one run message
 * and a few small ones. FALSE when the channel is gone or failed. */
gboolean
fy_pool_send_to_worker (FyPoolWorker *worker,
                        char          tag,
                        guint64       chunk_id,
                        guint32       index,
                        GVariant     *body)
{
  g_autoptr(GError) error = NULL;
  GVariant *message;
  GSource *source;

  if (worker->channel == NULL)
    {
      if (body != NULL)
        g_variant_unref (g_variant_ref_sink (body));
      return FALSE;
    }
  message = fy_pool_message_new (tag, chunk_id, 0, index, 0, body);
  if (!g_queue_is_empty (&worker->outbox))
    {
      g_queue_push_tail (&worker->outbox, message);
      return TRUE;
    }
  if (fy_channel_try_send (worker->channel, message, NULL, &error))
    {
      g_variant_unref (message);
      return TRUE;
    }
  if (!g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_WOULD_BLOCK))
    {
      g_variant_unref (message);
      return FALSE;
    }
  g_queue_push_tail (&worker->outbox, message);

  source = g_unix_fd_source_new (fy_channel_get_fd (worker->channel), G_IO_OUT);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  /* A done callback may wait for another task (fy_pool_apply () inside
   * it): that wait must still be able to send to this worker. */
  g_source_set_can_recurse (source, TRUE);
  g_source_set_callback (source, G_SOURCE_FUNC (writable_cb), worker, NULL);
  worker->out_watch = g_source_attach (source, worker->pool->context);
  g_source_unref (source);
  return TRUE;
}

void
fy_pool_update_busy (FyPoolWorker *worker)
{
  if (worker->state == FY_POOL_WORKER_STATE_IDLE || worker->state == FY_POOL_WORKER_STATE_BUSY)
    fy_pool_worker_set_state (worker, worker->in_flight_items > 0 ? FY_POOL_WORKER_STATE_BUSY
                                                                  : FY_POOL_WORKER_STATE_IDLE);
}

/* ---- handing out tasks -------------------------------------------------------------- */

static gboolean
can_send (FyPool       *self,
          FyPoolWorker *worker)
{
  FyFuture *head;

  if (!fy_pool_worker_is_live (worker) || worker->channel == NULL)
    return FALSE;
  if (worker->state == FY_POOL_WORKER_STATE_EXITING || worker->reason != FY_POOL_WORKER_REASON_NONE)
    return FALSE;
  if (self->max_tasks_per_child > 0 && worker->chunks_sent >= (guint) self->max_tasks_per_child)
    return FALSE;
  /* What it was sent last still waits for room in its socket. */
  if (!g_queue_is_empty (&worker->outbox))
    return FALSE;
  if (g_queue_is_empty (&worker->sent))
    return TRUE;
  head = g_queue_peek_head (&self->pending);
  /* One task ahead, whatever its length: Python's workers take the next
   * task from a shared queue without waiting for the parent, and here a
   * worker would otherwise wait a round trip through the parent after
   * each one (a map call's chunks are sized for about four per worker, and
   * tasks longer than PREFETCH_MAX_ITEM_US get no deeper prefetch). Only
   * while the queue holds at least one for every worker, so no worker
   * idles while another holds two. A worker's death sends the one it had
   * not started back to the queue, as any unstarted task. */
  if (head != NULL && worker->in_flight_items < 2 && self->pending.length >= self->slots->len)
    return TRUE;
  /* Prefetch on the speed of the same function only: after a warm-up of
   * tiny tasks, a worker would otherwise take a whole batch of slow ones
   * and leave the others idle. */
  if (head != NULL && (head->function != worker->avg_function || worker->avg_mapped != (head->n_items > 0)))
    return FALSE;
  if (worker->sent.length >= PREFETCH_MAX_CHUNKS || worker->avg_item_us <= 0
      || worker->avg_item_us > PREFETCH_MAX_ITEM_US)
    return FALSE;
  return worker->in_flight_items * worker->avg_item_us < PREFETCH_AHEAD_US;
}

/* Moves the next user chunk (chunksize items of one map call, or one
 * submitted task) off the queue into @chunk. */
static void
take_items (FyPool       *self,
            FyPoolWorker *worker,
            FyPoolChunk  *chunk)
{
  FyFuture *head = fy_pool_pending_pop (self);
  FyFuture *next;
  guint n = 1;

  g_ptr_array_add (chunk->items, head);
  while (n < head->chunksize
         && (next = g_queue_peek_head (&self->pending)) != NULL
         && next->batch == head->batch && head->batch != 0)
    {
      g_ptr_array_add (chunk->items, fy_pool_pending_pop (self));
      n++;
    }
  for (guint i = chunk->items->len - n; i < chunk->items->len; i++)
    {
      FyFuture *future = g_ptr_array_index (chunk->items, i);

      future->holder = worker;
      fy_future_set_state (future, FY_FUTURE_STATE_QUEUED);
    }
  g_queue_push_tail (&worker->sent, chunk);
  worker->next_seq += n;
  worker->in_flight_items += n;
  worker->chunks_sent++;
  self->n_in_flight += n;
  self->tasks_got += n;
}

/* Items @first … @first + @n - 1 of @chunk as the packed slice
 * fy_pool_pack_values () would make of their arguments, copied straight
 * from the arrays they were handed in, when every one is a task of one
 * whose argument is still an item of such an array of one type; else
 * NULL. */
static GVariant *
packed_slice (FyPoolChunk *chunk,
              guint        first,
              guint        n)
{
  FyFuture *head = g_ptr_array_index (chunk->items, first);
  const GVariantType *type;
  gsize size;
  guint8 *data;

  if (head->packed == NULL || head->argument != NULL)
    return NULL;
  type = g_variant_get_type (head->packed);
  size = fy_pool_fixed_size (g_variant_get_type_string (head->packed) + 1);
  for (guint i = 1; i < n; i++)
    {
      FyFuture *future = g_ptr_array_index (chunk->items, first + i);

      if (future->packed == NULL || future->argument != NULL
          || !g_variant_type_equal (g_variant_get_type (future->packed), type))
        return NULL;
    }
  data = g_malloc (n * size);
  for (guint i = 0; i < n; i++)
    {
      FyFuture *future = g_ptr_array_index (chunk->items, first + i);

      memcpy (data + i * size, (const guint8 *) g_variant_get_data (future->packed) + future->packed_index * size,
              size);
    }
  return g_variant_new_from_data (type, data, n * size, TRUE, g_free, data);
}

/* The wire form of @chunk: "(tsbav)". The arguments are serialised by
 * hand, straight into their slices: building a variant per argument and
 * letting GVariant serialise the tree cost more than the task. */
static GVariant *
chunk_to_variant (FyPoolChunk *chunk)
{
  GVariant **arguments = g_new (GVariant *, MIN (chunk->items->len, FY_POOL_SLICE_MAX));
  GVariant **owned = g_new0 (GVariant *, MIN (chunk->items->len, FY_POOL_SLICE_MAX));
  FyFuture *first_item = g_ptr_array_index (chunk->items, 0);
  GVariant **slices;
  GVariant *fields[4];
  guint n_slices;

  n_slices = (chunk->items->len + FY_POOL_SLICE_MAX - 1) / FY_POOL_SLICE_MAX;
  slices = g_new (GVariant *, n_slices);
  for (guint s = 0; s < n_slices; s++)
    {
      guint first = s * FY_POOL_SLICE_MAX;
      guint n = MIN (FY_POOL_SLICE_MAX, chunk->items->len - first);

      GVariant *packed = packed_slice (chunk, first, n);

      if (packed != NULL)
        {
          slices[s] = g_variant_new_variant (packed);
          continue;
        }
      for (guint i = 0; i < n; i++)
        {
          FyFuture *future = g_ptr_array_index (chunk->items, first + i);

          /* A map chunk runs from its first item not settled yet. */
          if (future->map != NULL)
            future->map->run_from = future->map->n_settled;
          arguments[i] = future->map != NULL && future->map->n_settled > 0 ? (owned[i] = fy_pool_chunk_argument (future))
                                                                           : fy_future_argument (future);
        }
      slices[s] = g_variant_new_variant (fy_pool_pack_values (arguments, n));
      for (guint i = 0; i < n; i++)
        g_clear_pointer (&owned[i], g_variant_unref);
    }
  fields[0] = g_variant_new_uint64 (chunk->id);
  fields[1] = g_variant_new_string (first_item->function);
  fields[2] = g_variant_new_boolean (first_item->n_items > 0);
  fields[3] = g_variant_new_array (G_VARIANT_TYPE_VARIANT, slices, n_slices);
  g_free (slices);
  g_free (arguments);
  g_free (owned);
  return g_variant_new_tuple (fields, 4);
}

/* Hands @worker as many chunks as it may hold, in one message. Chunks of
 * the same function sent together travel as one: the worker then reports
 * them in windows of several items instead of one message per chunk,
 * which is what makes chunksize 1 cheap. Ownership stays exact: the
 * worker names the item it runs in the block it shares with the pool. */
static void
send_chunks (FyPool       *self,
             FyPoolWorker *worker)
{
  g_autoptr(GPtrArray) chunks = g_ptr_array_new ();
  FyPoolChunk *chunk = NULL;

  do
    {
      FyFuture *head = g_queue_peek_head (&self->pending);

      FyFuture *first = chunk != NULL ? g_ptr_array_index (chunk->items, 0) : NULL;

      if (first != NULL && head->function == first->function
          && (head->n_items > 0) == (first->n_items > 0) && chunk->items->len < MERGE_MAX_ITEMS)
        {
          /* take_items () queues it again at the tail, where it already is. */
          g_queue_pop_tail (&worker->sent);
        }
      else
        {
          chunk = g_new0 (FyPoolChunk, 1);
          chunk->id = ++self->next_chunk_id;
          chunk->first_seq = worker->next_seq;
          chunk->items = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (chunks, chunk);
        }
      take_items (self, worker, chunk);
    }
  /* A map chunk is a message of its own: every worker gets its first one
   * before any gets its next, and starts on it sooner. */
  while (!g_queue_is_empty (&self->pending) && ((FyFuture *) g_ptr_array_index (chunk->items, 0))->n_items == 0
         && can_send (self, worker));
  fy_pool_update_busy (worker);

  for (guint i = 0; i < chunks->len; i++)
    chunks->pdata[i] = chunk_to_variant (chunks->pdata[i]);

  /* A failed send means the worker is on its way out (it crashed, or closed
   * its end): its death, handled as any other, puts the unacknowledged
   * chunks back in the queue. */
  if (!fy_pool_send_to_worker (worker, FY_POOL_MSG_RUN, 0, 0,
                       g_variant_new_array (NULL, (GVariant **) chunks->pdata, chunks->len)))
    fy_pool_worker_kill (worker, NULL);
}

static void
retire (FyPoolWorker *worker)
{
  worker->reason = FY_POOL_WORKER_REASON_RETIRE;
  fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_EXITING);
  if (!fy_pool_send_to_worker (worker, FY_POOL_MSG_QUIT, 0, 0, NULL))
    fy_pool_worker_kill (worker, NULL);
}

void
fy_pool_dispatch (FyPool *self)
{
  gboolean progress = TRUE;

  if (self->state != FY_POOL_STATE_RUNNING && self->state != FY_POOL_STATE_CLOSED)
    return;

  /* Round robin: each worker takes what it may hold in one message. An
   * idle worker holds one chunk until its speed is known, so slow tasks
   * spread over every worker. */
  while (progress && !g_queue_is_empty (&self->pending))
    {
      progress = FALSE;
      for (guint s = 0; s < self->slots->len && !g_queue_is_empty (&self->pending); s++)
        {
          FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

          if (can_send (self, worker))
            {
              send_chunks (self, worker);
              progress = TRUE;
            }
        }
    }

  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (!fy_pool_worker_is_live (worker) || worker->reason != FY_POOL_WORKER_REASON_NONE
          || worker->in_flight_items > 0)
        continue;
      if ((self->max_tasks_per_child > 0 && worker->chunks_sent >= (guint) self->max_tasks_per_child)
          || (self->state == FY_POOL_STATE_CLOSED && g_queue_is_empty (&self->pending)))
        retire (worker);
    }
}

static gboolean
dispatch_cb (gpointer data)
{
  FyPool *self = data;

  self->dispatch_id = 0;
  g_object_ref (self);
  fy_pool_dispatch (self);
  fy_pool_flush (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Tasks submitted one by one while every worker is busy wait for the next
 * iteration of the context and leave together, as one chunk: sending each
 * at once would cost a message (and a report) per task. An idle worker
 * gets its task at once, so a lone task never waits. */
static void
dispatch_soon (FyPool *self)
{
  GSource *source;

  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (g_queue_is_empty (&worker->sent) && can_send (self, worker)
          && (self->state == FY_POOL_STATE_RUNNING || self->state == FY_POOL_STATE_CLOSED))
        {
          send_chunks (self, worker);
          return;
        }
    }
  if (self->dispatch_id != 0)
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_cb, self, NULL);
  self->dispatch_id = g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ---- public API: submitting ----------------------------------------------------------------- */

gboolean
fy_pool_check_accepting (FyPool  *self,
                 GError **error)
{
  if (self->state == FY_POOL_STATE_NEW && !fy_pool_start (self, error))
    return FALSE;

  switch (self->state)
    {
    case FY_POOL_STATE_RUNNING:
      return TRUE;
    case FY_POOL_STATE_BROKEN:
      g_set_error_literal (error, FY_POOL_ERROR, FY_POOL_ERROR_BROKEN,
                           "The pool is broken: a worker died under the “break” policy");
      return FALSE;
    case FY_POOL_STATE_NEW:
    case FY_POOL_STATE_CLOSED:
    case FY_POOL_STATE_TERMINATED:
    default:
      g_set_error_literal (error, FY_POOL_ERROR, FY_POOL_ERROR_CLOSED,
                           "The pool is closed and takes no new tasks");
      return FALSE;
    }
}

static void
queue_new (FyPool   *self,
           FyFuture *future,
           guint64   batch,
           guint     chunksize)
{
  future->owner = self;
  future->cancel_func = fy_pool_cancel_future;
  future->batch = batch;
  future->chunksize = chunksize;
  fy_pool_pending_push (self, future, FALSE);
}

/* @function is interned. */
static FyFuture *
enqueue (FyPool     *self,
         const char *function,
         GVariant   *argument,
         guint64     batch,
         guint       chunksize,
         gint64      now)
{
  FyFuture *future = fy_future_new (self->context, function, argument, now);

  queue_new (self, future, batch, chunksize);
  return future;
}

FyFuture *
fy_pool_submit (FyPool      *self,
                const char  *function,
                GVariant    *argument,
                GError     **error)
{
  FyFuture *future;

  g_return_val_if_fail (FY_IS_POOL (self), NULL);
  g_return_val_if_fail (function != NULL, NULL);

  if (argument != NULL)
    g_variant_ref_sink (argument);
  if (!fy_pool_check_accepting (self, error))
    {
      g_clear_pointer (&argument, g_variant_unref);
      return NULL;
    }
  future = enqueue (self, g_intern_string (function), argument, 0, 1, g_get_monotonic_time ());
  g_clear_pointer (&argument, g_variant_unref);
  fy_task_list_append (self->tasks, &future, 1);
  dispatch_soon (self);
  fy_pool_publish_queues (self);
  return future;
}

/* One task per chunk of @chunksize items, as Python's map makes: its
 * argument is the array of their arguments, a slice of @iterable's own
 * data when the items are of a fixed-size basic type. */
static void
enqueue_map_chunks (FyPool      *self,
                    const char  *function,
                    GVariant    *iterable,
                    gsize        n,
                    guint        chunksize,
                    guint64      batch,
                    gint64       now,
                    GPtrArray   *futures)
{
  const char *type = g_variant_get_type_string (iterable);
  gsize fixed = type[0] == 'a' ? fy_pool_fixed_size (type + 1) : 0;
  const guint8 *data = fixed > 0 ? g_variant_get_data (iterable) : NULL;
  g_autofree GVariant **children = fixed > 0 ? NULL : g_new (GVariant *, chunksize);

  for (gsize first = 0; first < n; first += chunksize)
    {
      guint count = (guint) MIN (chunksize, n - first);
      GVariant *argument;
      FyFuture *future;

      if (fixed > 0)
        argument = g_variant_new_from_data (g_variant_get_type (iterable), data + first * fixed,
                                            count * fixed, FALSE, (GDestroyNotify) g_variant_unref,
                                            g_variant_ref (iterable));
      else
        {
          for (guint i = 0; i < count; i++)
            children[i] = fy_pool_unboxed_child (iterable, first + i);
          argument = fy_pool_variants_to_av (children, count);
          for (guint i = 0; i < count; i++)
            g_variant_unref (children[i]);
        }
      future = enqueue (self, function, argument, batch, 1, now);
      future->n_items = count;
      future->first_item = (guint) first;
      future->map = g_new0 (FyFutureMap, 1);
      g_ptr_array_add (futures, future);
    }
}

/* @iterable as "aT" when it is an "av" whose every item is of one
 * fixed-size basic type T (numbers, usually): the map's chunks then
 * travel as slices of one packed array, and a workload with a typed entry
 * point runs them without a GVariant per item, its results coming back
 * packed the same way. NULL when the items are of other or mixed types;
 * the look stops at the first item that does not fit. */
static GVariant *
pack_uniform_items (GVariant *iterable,
                    gsize     n)
{
  char type[2] = { 0, 0 };
  char array_type[3] = { 'a', 0, 0 };
  gsize size = 0;
  guint8 *data = NULL;

  if (n == 0 || !g_variant_is_of_type (iterable, G_VARIANT_TYPE ("av")))
    return NULL;
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) child = fy_pool_unboxed_child (iterable, i);
      const char *t = g_variant_get_type_string (child);

      if (i == 0)
        {
          if ((size = fy_pool_fixed_size (t)) == 0)
            return NULL;
          type[0] = t[0];
          data = g_malloc (n * size);
        }
      else if (t[0] != type[0] || t[1] != '\0')
        {
          g_free (data);
          return NULL;
        }
      g_variant_store (child, data + i * size);
    }
  array_type[1] = type[0];
  return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (array_type), data, n * size,
                                                      TRUE, g_free, data));
}

/* The futures of a map call. With @per_item (the executor's map) or a
 * chunksize of 1, one per item; otherwise one per chunk of items. */
GPtrArray *
fy_pool_submit_many (FyPool      *self,
             const char  *function,
             GVariant    *iterable,
             int          chunksize,
             gboolean     star,
             gboolean     per_item,
             GError     **error)
{
  g_autoptr(GVariant) owned = NULL;
  GPtrArray *futures;
  gsize n;
  guint64 batch;
  gint64 now;

  g_return_val_if_fail (FY_IS_POOL (self), NULL);
  g_return_val_if_fail (function != NULL, NULL);
  g_return_val_if_fail (iterable != NULL, NULL);

  owned = g_variant_ref_sink (iterable);
  if (!g_variant_is_container (owned))
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "The arguments must be an array or a tuple, not a “%s”",
                   g_variant_get_type_string (owned));
      return NULL;
    }
  if (chunksize < 0)
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "chunksize must be 0 (automatic) or positive, not %d", chunksize);
      return NULL;
    }
  if (!fy_pool_check_accepting (self, error))
    return NULL;

  n = g_variant_n_children (owned);
  if (star)
    for (gsize i = 0; i < n; i++)
      {
        g_autoptr(GVariant) child = fy_pool_unboxed_child (owned, i);

        if (!g_variant_is_of_type (child, G_VARIANT_TYPE_TUPLE))
          {
            g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                         "starmap needs a tuple per task; item %" G_GSIZE_FORMAT " is a “%s”",
                         i, g_variant_get_type_string (child));
            return NULL;
          }
      }

  /* Python's rule, about four chunks per worker, for long inputs (up to
   * FY_POOL_AUTO_CHUNK_MAX items a chunk). A short
   * one goes item by item: then balance matters more than messages (a few
   * slow items in one chunk would keep one worker busy while the others
   * idle), and the pool hands short items over in windows anyway. */
  if (chunksize == 0)
    {
      gsize per = (gsize) self->n_workers * 4;

      if (n < (gsize) self->n_workers * FY_POOL_ITEMS_PER_WORKER_UNCHUNKED)
        chunksize = 1;
      else
        chunksize = (int) CLAMP (n / per + (n % per != 0 ? 1 : 0), 1, FY_POOL_AUTO_CHUNK_MAX);
    }

  function = g_intern_string (function);
  now = g_get_monotonic_time ();
  batch = ++self->next_batch;
  futures = g_ptr_array_new_full (n, g_object_unref);
  if (chunksize > 1 && !per_item && !star)
    {
      GVariant *packed = pack_uniform_items (owned, n);

      if (packed != NULL)
        {
          g_variant_unref (owned);
          owned = packed;
        }
    }
  if (chunksize > 1 && !per_item)
    enqueue_map_chunks (self, function, owned, n, (guint) chunksize, batch, now, futures);
  else if (g_variant_get_type_string (owned)[0] == 'a'
           && fy_pool_fixed_size (g_variant_get_type_string (owned) + 1) > 0)
    /* Numbers handed in packed stay so: each task names its item. */
    for (gsize i = 0; i < n; i++)
      {
        FyFuture *future = fy_future_new_packed (self->context, function, owned, (guint) i, now);

        queue_new (self, future, batch, chunksize);
        g_ptr_array_add (futures, future);
      }
  else
    for (gsize i = 0; i < n; i++)
      {
        g_autoptr(GVariant) child = fy_pool_unboxed_child (owned, i);

        g_ptr_array_add (futures, enqueue (self, function, child, batch, chunksize, now));
      }
  fy_task_list_append (self->tasks, (FyFuture **) futures->pdata, futures->len);
  fy_pool_dispatch (self);
  fy_pool_publish_queues (self);
  return futures;
}

GPtrArray *
fy_pool_submit_map (FyPool      *self,
                    const char  *function,
                    GVariant    *iterable,
                    int          chunksize,
                    GError     **error)
{
  return fy_pool_submit_many (self, function, iterable, chunksize, FALSE, TRUE, error);
}
