/* fy-pool-reports.c: what a pool hears from its workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Acknowledgements, windows and reports of items, read from each worker's
 * channel in the pool's main context and checked against what the worker
 * was sent: a worker that reports out of turn is killed.
 */

#include "config.h"

#include "fy-pool-private.h"

/* Messages handled per wake-up of one channel, so one busy worker cannot
 * starve the others or the user interface. */
#define MESSAGES_PER_DISPATCH 256


/* The worker declared a window in its oldest chunk: those items may run
 * now (@now: one clock reading for them all). The first unreported one is
 * shown as its current task. */
static void
start_window (FyPool       *self,
              FyPoolWorker *worker,
              gint64        now)
{
  FyPoolChunk *chunk = g_queue_peek_head (&worker->sent);

  fy_pool_clear_source (&worker->timeout_id);
  if (chunk == NULL || !chunk->acked || chunk->n_reported >= chunk->items->len)
    {
      fy_pool_worker_set_current_task (worker, NULL);
      return;
    }

  fy_pool_worker_set_current_task (worker, g_ptr_array_index (chunk->items, chunk->n_reported));
  for (guint i = chunk->n_reported; i < chunk->window_end; i++)
    {
      FyFuture *future = g_ptr_array_index (chunk->items, i);

      /* A task cancelled while its worker held it ahead is in the
       * window only because the worker declares the next chunk's first
       * item before it looks at that item's skip flag: it will report it
       * skipped, and its outcome is "cancelled" whatever comes back. */
      if (fy_future_finished (future) || future->state == FY_FUTURE_STATE_RUNNING || future->cancel_requested)
        continue;
      fy_future_mark_started (future, worker->pid, now);
      g_signal_emit (self, fy_pool_signals[FY_POOL_SIGNAL_TASK_STARTED], 0, future);
    }

  /* One timeout for the window: a window of several items only exists when
   * items take far less than a millisecond. */
  if (self->task_timeout > 0)
    {
      GSource *source = g_timeout_source_new (MAX (1, (guint) (self->task_timeout * 1000.0 + 0.5)));

      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_set_callback (source, fy_pool_task_timeout_cb, worker, NULL);
      worker->timeout_id = g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

static void
kill_for_protocol (FyPoolWorker *worker,
                   const char   *why)
{
  if (worker->reason == FY_POOL_WORKER_REASON_NONE)
    {
      worker->reason = FY_POOL_WORKER_REASON_PROTOCOL;
      g_free (worker->reason_message);
      worker->reason_message = g_strdup (why);
    }
  fy_pool_worker_kill (worker, NULL);
}

/* The worker starts chunk @id, its oldest, with a window of @window items. */
static gboolean
acknowledge (FyPool       *self,
             FyPoolWorker *worker,
             guint64       id,
             guint32       window)
{
  FyPoolChunk *chunk = g_queue_peek_head (&worker->sent);

  if (chunk == NULL || chunk->acked || chunk->id != id || window == 0 || window > chunk->items->len)
    {
      kill_for_protocol (worker, "acknowledged a task it was not given");
      return FALSE;
    }
  chunk->acked = TRUE;
  chunk->window_end = window;
  worker->last_progress = g_get_monotonic_time ();
  start_window (self, worker, worker->last_progress);
  return TRUE;
}

/* One item's report, with when it ran in the worker (0, 0: not said).
 * FALSE when it is malformed. */
static gboolean
handle_report (FyPool       *self,
               FyPoolWorker *worker,
               FyFuture     *future,
               char          kind,
               GVariant     *value,
               gint64        now,
               gint64        started_at,
               gint64        ended_at)
{
  g_auto(FyPoolMapped) mapped = { 0 };

  if (kind != FY_POOL_MSG_RESULT && kind != FY_POOL_MSG_ERROR && kind != FY_POOL_MSG_SKIPPED)
    return FALSE;
  if (kind == FY_POOL_MSG_RESULT && future->n_items > 0 && !fy_pool_chunk_report_parse (future, value, &mapped))
    {
      kill_for_protocol (worker, "sent a map chunk's results of the wrong shape");
      return FALSE;
    }

  worker->in_flight_items--;
  self->n_in_flight--;
  /* A chunk's items count one by one, less those its progress counted. */
  if (kind == FY_POOL_MSG_RESULT && future->n_items > 0)
    fy_pool_worker_add_tasks_done (worker, (guint) mapped.n - (future->map->n_settled - future->map->run_from));
  else if (kind != FY_POOL_MSG_SKIPPED)
    fy_pool_worker_add_tasks_done (worker, 1);

  if (fy_future_finished (future))
    return TRUE;
  if (future->cancel_requested || kind == FY_POOL_MSG_SKIPPED)
    {
      fy_pool_finish_cancelled (self, future, "cancelled before it started");
      return TRUE;
    }

  /* The task's times are the worker's: the parent hears of a short task's
   * start only with its result, and would show it as taking no time.
   * CLOCK_MONOTONIC is one clock for every process; stamps that cannot be
   * (none, reversed, or later than now) leave the parent's own. */
  if (started_at > 0 && started_at <= ended_at && ended_at <= now)
    {
      /* A map chunk run again after a crash started with its first run. */
      if (future->n_items == 0 || future->map->n_settled == 0 || future->map->items_started_at == 0)
        future->started_at = started_at;
      else
        future->started_at = future->map->items_started_at;
      now = ended_at;
    }

  if (kind == FY_POOL_MSG_RESULT && future->n_items > 0)
    fy_pool_chunk_finish (self, future, &mapped, now);
  else if (kind == FY_POOL_MSG_RESULT)
    fy_pool_finish_result (self, future, value, now);
  else
    fy_pool_finish_error_at (self, future, FY_FUTURE_STATE_FAILED, fy_pool_error_from_variant (value), now);
  return TRUE;
}

/* Reports of one item ('o', 'e', 'k') or of several ('b'). */
static gboolean
handle_reports (FyPool             *self,
                FyPoolWorker       *worker,
                const FyPoolHeader *header,
                GVariant           *body)
{
  FyPoolChunk *chunk = g_queue_peek_head (&worker->sent);
  g_auto(FyPoolBatch) batch = { 0 };
  gsize n = 1;
  gint64 now;

  if (chunk == NULL || chunk->id != header->chunk || chunk->n_reported != header->index
      || (!chunk->acked && worker->shared == NULL))
    goto out_of_turn;
  if (header->tag == FY_POOL_MSG_BATCH)
    {
      if (!fy_pool_batch_parse (body, &batch))
        goto out_of_turn;
      n = batch.n;
    }
  now = g_get_monotonic_time ();
  if (!chunk->acked)
    {
      /* A chunk of short items starts without its own message (see
       * fy-pool-wire.h): this first report acknowledges it. */
      if (header->index != 0 || n == 0 || n > chunk->items->len)
        goto out_of_turn;
      chunk->acked = TRUE;
      chunk->window_end = n;
      start_window (self, worker, now);
    }
  if (n > chunk->window_end - chunk->n_reported)
    goto out_of_turn;

  if (n > 0)
    {
      double per_item = (double) (now - worker->last_progress) / (double) n;
      FyFuture *first = g_ptr_array_index (chunk->items, 0);

      /* The speed of another function says nothing about this one, nor
       * that of one call about a map chunk's many. */
      if (worker->avg_item_us <= 0 || worker->avg_function != first->function
          || worker->avg_mapped != (first->n_items > 0))
        worker->avg_item_us = per_item;
      else
        worker->avg_item_us = 0.8 * worker->avg_item_us + 0.2 * per_item;
      worker->avg_function = first->function;
      worker->avg_mapped = first->n_items > 0;
    }
  worker->last_progress = now;

  if (header->tag != FY_POOL_MSG_BATCH)
    {
      if (!handle_report (self, worker, g_ptr_array_index (chunk->items, chunk->n_reported), header->tag, body, now,
                          header->started_at, header->ended_at))
        goto out_of_turn;
      chunk->n_reported++;
    }
  else
    for (gsize i = 0; i < n; i++)
      {
        g_autoptr(GVariant) value = fy_pool_unboxed_child (batch.values, i);

        if (!handle_report (self, worker, g_ptr_array_index (chunk->items, chunk->n_reported),
                            (char) batch.kind_of[i], value, now, batch.times_of[2 * i],
                            batch.times_of[2 * i + 1]))
          goto out_of_turn;
        chunk->n_reported++;
      }

  if (chunk->n_reported == chunk->items->len)
    {
      fy_pool_chunk_free (g_queue_pop_head (&worker->sent));
      fy_pool_update_busy (worker);
      if (header->next != 0)
        return acknowledge (self, worker, header->next, header->window);
      start_window (self, worker, now);
      return TRUE;
    }

  /* A new window starts where the last one ended. */
  if (chunk->n_reported != chunk->window_end || header->window == 0
      || chunk->n_reported + header->window > chunk->items->len)
    goto out_of_turn;
  chunk->window_end = chunk->n_reported + header->window;
  start_window (self, worker, now);
  return TRUE;

out_of_turn:
  kill_for_protocol (worker, "reported a task out of turn");
  return FALSE;
}

/* Items a map chunk finished, sent before its log would overflow: they
 * belong to the item the worker runs, its oldest unreported one. */
static gboolean
handle_progress (FyPoolWorker       *worker,
                 const FyPoolHeader *header,
                 GVariant           *body)
{
  FyPoolChunk *chunk = g_queue_peek_head (&worker->sent);
  FyFuture *future;
  guint settled;

  if (chunk == NULL || chunk->id != header->chunk || chunk->n_reported != header->index
      || header->index >= chunk->items->len)
    goto out_of_turn;
  future = g_ptr_array_index (chunk->items, header->index);
  if (fy_future_finished (future))
    return TRUE;
  settled = future->map->n_settled;
  if (!fy_pool_chunk_progress (future, header->window, body))
    goto out_of_turn;
  fy_pool_worker_add_tasks_done (worker, future->map->n_settled - settled);
  return TRUE;

out_of_turn:
  kill_for_protocol (worker, "reported a map chunk's progress out of turn");
  return FALSE;
}

/* FALSE when the worker broke the protocol (it has been killed). */
static gboolean
handle_message (FyPool       *self,
                FyPoolWorker *worker,
                GVariant     *message)
{
  g_autoptr(GVariant) body = NULL;
  FyPoolHeader header;

  if (!fy_pool_message_parse (message, &header, &body))
    {
      kill_for_protocol (worker, "sent a message of the wrong type");
      return FALSE;
    }

  switch (header.tag)
    {
    case FY_POOL_MSG_READY:
      if (worker->state == FY_POOL_WORKER_STATE_STARTING)
        fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_IDLE);
      fy_pool_update_busy (worker);
      return TRUE;

    case FY_POOL_MSG_INIT_FAILED:
      {
        g_autoptr(GError) error = fy_pool_error_from_variant (body);
        g_autofree char *why = g_strdup_printf ("the initializer %s failed: %s",
                                                self->init_function, error->message);

        worker->reason = FY_POOL_WORKER_REASON_POOL;
        fy_pool_break (self, why);
        return FALSE;
      }

    case FY_POOL_MSG_STARTED:
      return acknowledge (self, worker, header.chunk, header.window);

    case FY_POOL_MSG_RESULT:
    case FY_POOL_MSG_ERROR:
    case FY_POOL_MSG_SKIPPED:
    case FY_POOL_MSG_BATCH:
      return handle_reports (self, worker, &header, body);

    case FY_POOL_MSG_PROGRESS:
      return handle_progress (worker, &header, body);

    default:
      kill_for_protocol (worker, "sent an unknown message");
      return FALSE;
    }
}

/* Reads what is ready. FALSE once the channel reached its end. */
gboolean
fy_pool_drain_channel (FyPool       *self,
               FyPoolWorker *worker,
               guint         max_messages)
{
  for (guint n = 0; n < max_messages && worker->channel != NULL; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) message = NULL;

      message = fy_channel_receive (worker->channel, 0, NULL, &error);
      if (message == NULL)
        {
          if (g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_TIMED_OUT))
            return TRUE;
          if (!g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF))
            kill_for_protocol (worker, error->message);
          return FALSE;
        }
      if (!handle_message (self, worker, message))
        return TRUE;
    }
  return TRUE;
}

static gboolean
eof_kill_cb (gpointer data)
{
  FyPoolWorker *worker = data;

  worker->eof_kill_id = 0;
  fy_pool_worker_kill (worker, NULL);
  return G_SOURCE_REMOVE;
}

gboolean
fy_pool_channel_ready_cb (int          fd,
                  GIOCondition condition,
                  gpointer     data)
{
  FyPoolWorker *worker = data;
  FyPool *self = worker->pool;
  gboolean open;

  g_object_ref (self);
  g_object_ref (worker);
  open = fy_pool_drain_channel (self, worker, MESSAGES_PER_DISPATCH);
  if (!open && worker->channel_watch != 0)
    {
      /* The worker closed its end; it is exiting, or must. */
      worker->channel_watch = 0;
      if (worker->eof_kill_id == 0 && !worker->exited)
        {
          GSource *source = g_timeout_source_new (1000);

          g_source_set_callback (source, eof_kill_cb, worker, NULL);
          worker->eof_kill_id = g_source_attach (source, self->context);
          g_source_unref (source);
        }
    }
  fy_pool_dispatch (self);
  fy_pool_flush (self);
  g_object_unref (worker);
  g_object_unref (self);
  return open ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}
