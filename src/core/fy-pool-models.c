/* fy-pool-models.c: what a pool shows: finished tasks, signals and queue counters
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tasks finish in two steps: the outcome is recorded at once, and the
 * "task-finished" signal and done callbacks run only from fy_pool_flush (),
 * once the pool's own bookkeeping is consistent. The queue counters the
 * registry lists are published once per batch of work.
 */

#include "config.h"

#include "fy-pool-private.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"

/* ---- finishing tasks --------------------------------------------------------- */

void
fy_pool_finish_result (FyPool   *self,
               FyFuture *future,
               GVariant *result,
               gint64    now)
{
  fy_future_set_result (future, result, now);
  g_ptr_array_add (self->finished, g_object_ref (future));
  self->results_put++;
}

void
fy_pool_finish_error (FyPool        *self,
              FyFuture      *future,
              FyFutureState  state,
              GError        *error)
{
  fy_pool_finish_error_at (self, future, state, error, 0);
}

void
fy_pool_finish_error_at (FyPool        *self,
                         FyFuture      *future,
                         FyFutureState  state,
                         GError        *error,
                         gint64         now)
{
  fy_future_set_error_at (future, state, error, now);
  g_ptr_array_add (self->finished, g_object_ref (future));
  self->results_put++;
}

void
fy_pool_finish_cancelled (FyPool     *self,
                  FyFuture   *future,
                  const char *why)
{
  fy_pool_finish_error (self, future, FY_FUTURE_STATE_CANCELLED,
                g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_CANCELLED,
                             "Task %" G_GUINT64_FORMAT " (%s) was cancelled: %s",
                             future->id, future->function, why));
}

/* Announces finished tasks only now that the pool's own state is
 * consistent: a callback may submit, cancel or terminate. */
void
fy_pool_flush (FyPool *self)
{
  if (self->flushing)
    return;
  self->flushing = TRUE;
  g_object_ref (self);
  while (self->finished->len > 0)
    {
      g_autoptr(GPtrArray) batch = g_steal_pointer (&self->finished);

      self->finished = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < batch->len; i++)
        {
          FyFuture *future = g_ptr_array_index (batch, i);

          self->results_got++;
          g_signal_emit (self, fy_pool_signals[FY_POOL_SIGNAL_TASK_FINISHED], 0, future);
          fy_future_run_done_callbacks (future);
        }
    }
  self->flushing = FALSE;
  fy_pool_publish_queues (self);
  g_object_unref (self);
}

/* ---- the queues in the registry ------------------------------------------------ */

static void
queue_snapshot (FyShm        *shm,
                GVariantDict *dict)
{
  FyPoolQueueCounters *c = fy_shm_get_data (shm);

  g_variant_dict_insert (dict, "depth", "u", __atomic_load_n (&c->depth, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "t", __atomic_load_n (&c->puts, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "gets", "t", __atomic_load_n (&c->gets, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "in-flight", "u", __atomic_load_n (&c->in_flight, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "waiters", "u", __atomic_load_n (&c->waiters, __ATOMIC_RELAXED));
}

/* Two small mappings the registry lists while the pool lives. They are
 * for inspection only: a pool that could not make them works the same. */
void
fy_pool_create_queues (FyPool *self)
{
  static guint last_pool;
  static const char *const names[2] = { "tasks", "results" };
  guint number = (guint) g_atomic_int_add (&last_pool, 1) + 1;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *name = g_strdup_printf ("pool-%u-%s", number, names[i]);

      self->queues[i] = fy_shm_new (FY_SHM_KIND_POOL_QUEUE, name, sizeof (FyPoolQueueCounters), NULL);
      if (self->queues[i] == NULL)
        continue;
      fy_shm_set_funcs (self->queues[i], NULL, queue_snapshot);
      fy_registry_attach_owner (self->queues[i], G_OBJECT (self), TRUE);
    }
}

static void
store_counters (FyShm   *shm,
                guint64  puts,
                guint64  gets,
                guint    depth,
                guint    in_flight,
                guint    waiters)
{
  FyPoolQueueCounters *c;

  if (shm == NULL)
    return;
  c = fy_shm_get_data (shm);
  __atomic_store_n (&c->puts, puts, __ATOMIC_RELAXED);
  __atomic_store_n (&c->gets, gets, __ATOMIC_RELAXED);
  __atomic_store_n (&c->depth, depth, __ATOMIC_RELAXED);
  __atomic_store_n (&c->in_flight, in_flight, __ATOMIC_RELAXED);
  __atomic_store_n (&c->waiters, waiters, __ATOMIC_RELAXED);
}

/* Once per batch of work (a submit, the messages of one wake-up), not
 * once per task. */
void
fy_pool_publish_queues (FyPool *self)
{
  guint waiters = 0;

  for (guint s = 0; self->slots != NULL && s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (fy_pool_worker_is_live (worker) && worker->state == FY_POOL_WORKER_STATE_IDLE)
        waiters++;
    }
  store_counters (self->queues[0], self->tasks_put, self->tasks_got, self->pending.length,
                  self->n_in_flight, waiters);
  store_counters (self->queues[1], self->results_put, self->results_got,
                  (guint) (self->results_put - self->results_got), 0, 0);
}
