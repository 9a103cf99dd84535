/* fy-pool-crash.c: a pool's workers: spawning them, and what their deaths do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A worker is spawned with its channel, its pidfd and the block it shares
 * with the pool. When it dies, the tasks it held meet the crash policy, its
 * task timeout or its cancellation (see worker_died ()), and a replacement
 * is spawned; breaking and terminating the pool end every worker at once.
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gio/gunixfdlist.h>

#include "fy-pool-private.h"
#include "fy-spawn.h"

static char *
describe_exit (GPid pid,
               int  exitcode)
{
  if (exitcode < 0)
    {
      const char *abbrev = sigabbrev_np (-exitcode);

      return g_strdup_printf ("worker %d killed by signal %d (SIG%s)", pid, -exitcode,
                              abbrev != NULL ? abbrev : "?");
    }
  return g_strdup_printf ("worker %d exited with code %d", pid, exitcode);
}

/* Takes every unfinished task a worker holds out of it. */
void
fy_pool_take_back_all (FyPool       *self,
               FyPoolWorker *worker,
               GPtrArray    *into)
{
  FyPoolChunk *chunk;

  while ((chunk = g_queue_pop_head (&worker->sent)) != NULL)
    {
      for (guint i = chunk->n_reported; i < chunk->items->len; i++)
        {
          FyFuture *future = g_ptr_array_index (chunk->items, i);

          self->n_in_flight--;
          future->holder = NULL;
          if (!fy_future_finished (future))
            g_ptr_array_add (into, g_object_ref (future));
        }
      fy_pool_chunk_free (chunk);
    }
  worker->in_flight_items = 0;
  fy_pool_clear_source (&worker->timeout_id);
}


/* Ends every live worker (SIGKILL now, or SIGTERM and SIGKILL after the
 * grace) and gathers every unfinished task, held by a worker or pending,
 * into @held for the caller to finish. */
void
fy_pool_stop_workers_and_gather (FyPool    *self,
                         gboolean   kill_now,
                         GPtrArray *held)
{
  FyFuture *future;

  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (!fy_pool_worker_is_live (worker))
        continue;
      fy_pool_take_back_all (self, worker, held);
      worker->reason = FY_POOL_WORKER_REASON_POOL;
      fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_EXITING);
      if (kill_now)
        fy_pool_worker_kill (worker, NULL);
      else
        fy_pool_worker_terminate_with_grace (worker, NULL);
    }
  while ((future = fy_pool_pending_pop (self)) != NULL)
    g_ptr_array_add (held, future);
}

/* Every unfinished task fails and every worker is killed: Python's
 * BrokenProcessPool, without the hang. */
void
fy_pool_break (FyPool     *self,
            const char *why)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->state == FY_POOL_STATE_BROKEN || self->state == FY_POOL_STATE_TERMINATED)
    return;
  fy_pool_set_state (self, FY_POOL_STATE_BROKEN);

  fy_pool_stop_workers_and_gather (self, TRUE, held);
  for (guint i = 0; i < held->len; i++)
    fy_pool_finish_error (self, g_ptr_array_index (held, i), FY_FUTURE_STATE_FAILED,
                  g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_BROKEN,
                               "The pool is broken: %s", why));
}

gboolean
fy_pool_task_timeout_cb (gpointer data)
{
  FyPoolWorker *worker = data;

  worker->timeout_id = 0;
  if (worker->current_task == NULL || worker->reason != FY_POOL_WORKER_REASON_NONE)
    return G_SOURCE_REMOVE;
  worker->reason = FY_POOL_WORKER_REASON_TIMEOUT;
  worker->reason_future = worker->current_task;
  fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_EXITING);
  fy_pool_worker_terminate_with_grace (worker, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean pidfd_ready_cb (int          fd,
                                GIOCondition condition,
                                gpointer     data);

static guint
attach_fd (FyPool       *self,
           int           fd,
           GUnixFDSourceFunc func,
           gpointer      data,
           int           priority)
{
  GSource *source = g_unix_fd_source_new (fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  guint id;

  g_source_set_priority (source, priority);
  /* A done callback may wait for another task (fy_pool_apply () inside it):
   * that wait must still hear from this very worker. */
  g_source_set_can_recurse (source, TRUE);
  g_source_set_callback (source, G_SOURCE_FUNC (func), data, NULL);
  id = g_source_attach (source, self->context);
  g_source_unref (source);
  return id;
}

/* The worker's number of the item it took last, plus one; 0 when it took
 * none or has no shared block. */
guint64
fy_pool_shared_running (FyPoolWorker *worker)
{
  return worker->shared != NULL ? __atomic_load_n (&worker->shared->running, __ATOMIC_ACQUIRE) : 0;
}

void
fy_pool_update_want_starts (FyPool       *self,
                    FyPoolWorker *worker)
{
  if (worker->shared != NULL)
    {
      __atomic_store_n (&worker->shared->log_limit, self->log_limit, __ATOMIC_RELAXED);
      __atomic_store_n (&worker->shared->want_starts, self->task_timeout > 0 ? 1 : 0, __ATOMIC_RELEASE);
    }
}

/* Maps a new sealed block and hands it to the worker. Without it the
 * worker still runs, with the coarser ownership of windows: so a failure
 * here is not fatal. */
static void
share_block (FyPool       *self,
             FyPoolWorker *worker)
{
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) message = NULL;
  gpointer data;
  int fd;

  fd = memfd_create ("forkyard-pool-worker", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return;
  if (ftruncate (fd, FY_POOL_SHARED_SIZE) < 0
      || fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0
      || (data = mmap (NULL, FY_POOL_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
    {
      close (fd);
      return;
    }
  fds = g_unix_fd_list_new_from_array (&fd, 1);
  message = fy_pool_message_new (FY_POOL_MSG_SHARED, 0, 0, 0, 0, NULL);
  /* The first message on a new socket: it has room, and sending waits
   * for nothing (see fy_pool_send_to_worker ()). */
  if (!fy_channel_try_send (worker->channel, message, fds, NULL))
    {
      munmap (data, FY_POOL_SHARED_SIZE);
      return;
    }
  worker->shared = data;
  fy_pool_update_want_starts (self, worker);
}

FyPoolWorker *
fy_pool_spawn_worker (FyPool  *self,
              guint    slot,
              GError **error)
{
  FySpawnedWorker spawned = { 0 };
  FyPoolWorker *worker;

  if (self->spawn_fault > 0 && --self->spawn_fault == 0)
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_SPAWN_FAILED,
                   "Could not start worker %u: refused for a test", slot);
      return NULL;
    }
  if (!fy_spawn_worker ("pool", &spawned, error))
    {
      g_prefix_error (error, "Could not start worker %u: ", slot);
      if (error != NULL && *error != NULL)
        {
          (*error)->domain = FY_POOL_ERROR;
          (*error)->code = FY_POOL_ERROR_SPAWN_FAILED;
        }
      return NULL;
    }

  worker = fy_pool_worker_new (slot, spawned.pid, spawned.pidfd, self->kill_grace);
  worker->pool = self;
  worker->channel = spawned.channel;
  worker->channel_watch = attach_fd (self, fy_channel_get_fd (worker->channel),
                                     fy_pool_channel_ready_cb, worker, G_PRIORITY_DEFAULT);
  /* At the channel's priority, not idle: a GUI's frame clock keeps
   * default-priority sources ready all the time, and a death heard only when
   * the loop idles would stall the run. worker_died () drains the channel
   * first, so no result sent before the death is lost. */
  worker->pidfd_watch = attach_fd (self, worker->pidfd, pidfd_ready_cb, worker,
                                   G_PRIORITY_DEFAULT);
  self->n_live++;
  share_block (self, worker);

  if (self->init_function != NULL)
    {
      fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_STARTING);
      fy_pool_send_to_worker (worker, FY_POOL_MSG_INIT, 0, 0,
                      g_variant_new ("(sv)", self->init_function, self->init_argument));
    }
  else
    fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_IDLE);

  if (slot < self->slots->len)
    {
      /* The slot's reference to the worker this one replaces goes with it;
       * whoever still handles that one's death holds a reference of its own. */
      g_object_unref (g_ptr_array_index (self->slots, slot));
      g_ptr_array_index (self->slots, slot) = worker;
      g_list_store_splice (self->workers, slot, 1, (gpointer *) &worker, 1);
    }
  else
    {
      g_ptr_array_add (self->slots, worker);
      g_list_store_append (self->workers, worker);
    }
  g_signal_emit (self, fy_pool_signals[FY_POOL_SIGNAL_WORKER_SPAWNED], 0, worker);
  return worker;
}

/* Removes a worker's sources once it is gone. */
static void
detach_worker (FyPoolWorker *worker)
{
  fy_pool_clear_source (&worker->channel_watch);
  fy_pool_clear_source (&worker->pidfd_watch);
  fy_pool_clear_source (&worker->eof_kill_id);
  fy_pool_clear_source (&worker->timeout_id);
  fy_pool_clear_source (&worker->out_watch);
  g_queue_clear_full (&worker->outbox, (GDestroyNotify) g_variant_unref);
  if (worker->channel != NULL)
    fy_channel_close (worker->channel);
  g_clear_pointer (&worker->channel, fy_channel_unref);
}

/* A map chunk whose worker died in it: the items it finished are settled
 * already (fy_pool_chunk_recover ()), the one it ran meets the policy, its
 * timeout or its cancellation alone, and the chunk goes back to the front
 * of the queue for the rest. */
static void
chunk_died (FyPool       *self,
            FyPoolWorker *worker,
            FyFuture     *victim,
            const char   *cause,
            GPtrArray    *requeue,
            guint        *n_front,
            gboolean     *crashed)
{
  gint64 now = g_get_monotonic_time ();
  guint item = victim->map->n_settled;
  GError *error;

  if (item == victim->n_items)
    {
      /* It finished every item; only the report died with it. */
      fy_pool_chunk_complete (self, victim, now);
      return;
    }
  if (victim->cancel_requested)
    {
      fy_pool_finish_cancelled (self, victim, "its worker was stopped");
      return;
    }
  if (worker->reason == FY_POOL_WORKER_REASON_CANCEL)
    {
      /* Killed to cancel another task: not its fault. */
      victim->attempts--;
      victim->worker_exitcode = 0;
      fy_future_set_state (victim, FY_FUTURE_STATE_PENDING);
      g_ptr_array_insert (requeue, (*n_front)++, g_object_ref (victim));
      return;
    }

  if (worker->reason == FY_POOL_WORKER_REASON_TIMEOUT)
    error = g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT,
                         "Item %u of the input (item %u of task %" G_GUINT64_FORMAT ", %s) ran longer than %.3g s; %s",
                         victim->first_item + item, item, victim->id, victim->function, self->task_timeout, cause);
  else if (worker->reason == FY_POOL_WORKER_REASON_PROTOCOL)
    error = g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_PROTOCOL,
                         "Item %u of the input (item %u of task %" G_GUINT64_FORMAT ", %s) failed: worker %d %s",
                         victim->first_item + item, item, victim->id, victim->function, worker->pid,
                         worker->reason_message != NULL ? worker->reason_message : "broke the protocol");
  else
    {
      /* Retries count per item: each item of the chunk has its own. */
      if (victim->map->crash_item != item + 1)
        {
          victim->map->crash_item = item + 1;
          victim->map->crash_retries = 0;
        }
      if (self->policy == FY_CRASH_POLICY_RETRY && victim->map->crash_retries < self->max_retries
          && self->state != FY_POOL_STATE_BROKEN && self->state != FY_POOL_STATE_TERMINATED)
        {
          victim->map->crash_retries++;
          fy_future_set_state (victim, FY_FUTURE_STATE_PENDING);
          g_ptr_array_insert (requeue, (*n_front)++, g_object_ref (victim));
          return;
        }
      error = g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED,
                           "Item %u of the input (item %u of task %" G_GUINT64_FORMAT ", %s) failed: %s%s",
                           victim->first_item + item, item, victim->id, victim->function, cause,
                           self->policy == FY_CRASH_POLICY_RETRY ? " (no retries left)" : "");
      *crashed = TRUE;
    }

  fy_pool_chunk_settle_error (victim, error, now);
  if (victim->map->n_settled == victim->n_items)
    fy_pool_chunk_complete (self, victim, now);
  else
    {
      fy_future_set_state (victim, FY_FUTURE_STATE_PENDING);
      g_ptr_array_insert (requeue, (*n_front)++, g_object_ref (victim));
    }
}

/* A dead worker's tasks: the one it ran meets the policy (or its timeout or
 * cancellation), the ones it had not started go back to the queue. */
static void
worker_died (FyPool       *self,
             FyPoolWorker *worker,
             int           exitcode)
{
  g_autoptr(GPtrArray) requeue = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) victims = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *cause = describe_exit (worker->pid, exitcode);
  FyPoolChunk *chunk;
  gboolean crashed = FALSE;
  guint n_front = 0;
  guint64 running;

  /* Results it sent before it died are still in the socket. */
  if (worker->channel != NULL)
    fy_pool_drain_channel (self, worker, G_MAXUINT);
  detach_worker (worker);

  /* With the shared block, the one unreported item the worker last
   * started is the one it ran; without it, any unreported item of the
   * window may have. */
  running = fy_pool_shared_running (worker);
  while ((chunk = g_queue_pop_head (&worker->sent)) != NULL)
    {
      for (guint i = chunk->n_reported; i < chunk->items->len; i++)
        {
          FyFuture *future = g_ptr_array_index (chunk->items, i);
          gboolean ran = worker->shared != NULL ? chunk->first_seq + i + 1 == running
                                                : chunk->acked && i < chunk->window_end;

          self->n_in_flight--;
          future->holder = NULL;
          if (fy_future_finished (future))
            continue;
          if (ran)
            {
              /* What a map chunk finished before the death stays done. */
              fy_pool_chunk_recover (worker, future, chunk->first_seq + i);
              g_ptr_array_add (victims, g_object_ref (future));
            }
          else if (future->cancel_requested)
            fy_pool_finish_cancelled (self, future, "cancelled before it started");
          else
            {
              /* Shown as started with its window, but it did not run here
               * (or its result died with the worker): not an attempt. */
              if (future->state == FY_FUTURE_STATE_RUNNING && future->attempts > 0)
                future->attempts--;
              fy_future_set_state (future, FY_FUTURE_STATE_PENDING);
              g_ptr_array_add (requeue, g_object_ref (future));
            }
        }
      fy_pool_chunk_free (chunk);
    }
  worker->in_flight_items = 0;
  self->n_live--;

  for (guint v = 0; v < victims->len; v++)
    {
      FyFuture *victim = g_ptr_array_index (victims, v);

      /* A short task may have started without a message: it did start. */
      if (victim->state != FY_FUTURE_STATE_RUNNING)
        {
          fy_future_mark_started (victim, worker->pid, g_get_monotonic_time ());
          g_signal_emit (self, fy_pool_signals[FY_POOL_SIGNAL_TASK_STARTED], 0, victim);
        }
      victim->worker_exitcode = exitcode;
      if (victim->n_items > 0)
        chunk_died (self, worker, victim, cause, requeue, &n_front, &crashed);
      else if (worker->reason == FY_POOL_WORKER_REASON_TIMEOUT)
        fy_pool_finish_error (self, victim, FY_FUTURE_STATE_FAILED,
                      g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT,
                                   "Task %" G_GUINT64_FORMAT " (%s) ran longer than %.3g s; %s",
                                   victim->id, victim->function, self->task_timeout, cause));
      else if (victim->cancel_requested)
        fy_pool_finish_cancelled (self, victim, "its worker was stopped");
      else if (worker->reason == FY_POOL_WORKER_REASON_CANCEL)
        {
          /* Killed to cancel another task of its window: not its fault. */
          victim->attempts--;
          victim->worker_exitcode = 0;
          fy_future_set_state (victim, FY_FUTURE_STATE_PENDING);
          g_ptr_array_insert (requeue, n_front++, g_object_ref (victim));
        }
      else if (worker->reason == FY_POOL_WORKER_REASON_PROTOCOL)
        fy_pool_finish_error (self, victim, FY_FUTURE_STATE_FAILED,
                      g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_PROTOCOL,
                                   "Task %" G_GUINT64_FORMAT " (%s) failed: worker %d %s",
                                   victim->id, victim->function, worker->pid,
                                   worker->reason_message != NULL ? worker->reason_message : "broke the protocol"));
      else if (self->policy == FY_CRASH_POLICY_RETRY && victim->attempts <= self->max_retries
               && self->state != FY_POOL_STATE_BROKEN && self->state != FY_POOL_STATE_TERMINATED)
        {
          fy_future_set_state (victim, FY_FUTURE_STATE_PENDING);
          g_ptr_array_insert (requeue, n_front++, g_object_ref (victim));
        }
      else
        {
          fy_pool_finish_error (self, victim, FY_FUTURE_STATE_FAILED,
                        g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED,
                                     "Task %" G_GUINT64_FORMAT " (%s) failed: %s%s",
                                     victim->id, victim->function, cause,
                                     self->policy == FY_CRASH_POLICY_RETRY ? " (no retries left)" : ""));
          crashed = TRUE;
        }
    }
  if (victims->len == 0 && worker->reason == FY_POOL_WORKER_REASON_NONE)
    crashed = TRUE;

  /* Put the untouched tasks back at the front, in their order. */
  for (guint i = requeue->len; i > 0; i--)
    {
      FyFuture *future = g_ptr_array_index (requeue, i - 1);

      fy_pool_pending_push (self, future, TRUE);
    }

  fy_pool_worker_set_exited (worker, exitcode);
  g_signal_emit (self, fy_pool_signals[FY_POOL_SIGNAL_WORKER_EXITED], 0, worker, exitcode);

  if (crashed && self->policy == FY_CRASH_POLICY_BREAK)
    fy_pool_break (self, cause);

  if (self->state == FY_POOL_STATE_RUNNING
      || (self->state == FY_POOL_STATE_CLOSED && !g_queue_is_empty (&self->pending)))
    {
      g_autoptr(GError) error = NULL;

      if (fy_pool_spawn_worker (self, worker->slot, &error) == NULL)
        fy_pool_break (self, error->message);
    }
}

static gboolean
pidfd_ready_cb (int          fd,
                GIOCondition condition,
                gpointer     data)
{
  FyPoolWorker *worker = data;
  FyPool *self = worker->pool;
  int exitcode = 0;

  if (!fy_spawn_reap (fd, FALSE, &exitcode))
    return G_SOURCE_CONTINUE;

  g_object_ref (self);
  g_object_ref (worker);
  worker->pidfd_watch = 0;
  worker_died (self, worker, exitcode);
  fy_pool_dispatch (self);
  fy_pool_flush (self);
  g_object_unref (worker);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}


/* Kills and reaps every worker at once: the pool is going away and nothing
 * may outlive it, not even a zombie. */
void
fy_pool_kill_all_now (FyPool *self)
{
  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);
      int exitcode = 0;

      if (!fy_pool_worker_is_live (worker))
        continue;
      worker->reason = FY_POOL_WORKER_REASON_POOL;
      fy_pool_worker_kill (worker, NULL);
      detach_worker (worker);
      fy_spawn_reap (worker->pidfd, TRUE, &exitcode);
      self->n_live--;
      fy_pool_worker_set_exited (worker, exitcode);
    }
}

/* ---- public API: cancelling and ending ------------------------------------------------------ */

/* Where @future sits in @worker's chunks; TRUE with @out_started when it
 * is inside the window (it may be running). */
static gboolean
find_in_worker (FyPoolWorker *worker,
                FyFuture     *future,
                guint64      *out_chunk,
                guint        *out_index,
                gboolean     *out_started)
{
  for (GList *l = worker->sent.head; l != NULL; l = l->next)
    {
      FyPoolChunk *chunk = l->data;

      for (guint i = chunk->n_reported; i < chunk->items->len; i++)
        if (g_ptr_array_index (chunk->items, i) == future)
          {
            *out_chunk = chunk->id;
            *out_index = i;
            *out_started = (chunk->acked && i < chunk->window_end)
                           || chunk->first_seq + i + 1 == fy_pool_shared_running (worker);
            return TRUE;
          }
    }
  return FALSE;
}

/* Cancels every task a worker holds but has not started (the one it
 * holds ahead, see can_send () in fy-pool-dispatch.c): what
 * fy_pool_shutdown (…, cancel_futures) promises of tasks not started yet.
 * Each worker skips them and reports them so; one it started meanwhile
 * runs to its end and still finishes as cancelled. */
void
fy_pool_cancel_unstarted (FyPool *self)
{
  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);
      g_autoptr(GPtrArray) unstarted = g_ptr_array_new_with_free_func (g_object_unref);

      if (!fy_pool_worker_is_live (worker))
        continue;
      for (GList *l = worker->sent.head; l != NULL; l = l->next)
        {
          FyPoolChunk *chunk = l->data;

          for (guint i = chunk->n_reported; i < chunk->items->len; i++)
            {
              FyFuture *future = g_ptr_array_index (chunk->items, i);
              /* As find_in_worker () judges it. */
              gboolean started = (chunk->acked && i < chunk->window_end)
                                 || chunk->first_seq + i + 1 == fy_pool_shared_running (worker);

              if (!started && !future->cancel_requested && !fy_future_finished (future))
                g_ptr_array_add (unstarted, g_object_ref (future));
            }
        }
      for (guint i = 0; i < unstarted->len; i++)
        fy_pool_cancel_future (self, g_ptr_array_index (unstarted, i));
    }
}

gboolean
fy_pool_cancel_future (gpointer  owner,
                       FyFuture *future)
{
  FyPool *self = owner;
  FyPoolWorker *worker = future->holder;
  gboolean started = FALSE;
  guint64 chunk_id;
  guint index;

  if (fy_future_finished (future))
    return FALSE;

  if (future->queue_link != NULL)
    {
      g_queue_unlink (&self->pending, future->queue_link);
      future->queue_link = NULL;
      fy_pool_finish_cancelled (self, future, "cancelled before it started");
      g_object_unref (future);
      fy_pool_flush (self);
      return TRUE;
    }

  if (worker == NULL || !find_in_worker (worker, future, &chunk_id, &index, &started))
    return FALSE;

  future->cancel_requested = TRUE;
  if (started)
    {
      /* Only a new process can stop a running C function. */
      if (worker->reason == FY_POOL_WORKER_REASON_NONE)
        {
          worker->reason = FY_POOL_WORKER_REASON_CANCEL;
          worker->reason_future = future;
        }
      fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_EXITING);
      fy_pool_worker_kill (worker, NULL);
    }
  else
    fy_pool_send_to_worker (worker, FY_POOL_MSG_CANCEL, chunk_id, index, NULL);
  return TRUE;
}
