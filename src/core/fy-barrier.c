/* fy-barrier.c: a process-shared barrier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>

#include "fy-barrier.h"
#include "fy-futex.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"

typedef struct
{
  guint32 seq;          /* the futex word, bumped on every change */
  guint32 parties;
  guint32 count;        /* arrived in this generation */
  guint32 generation;
  guint32 broken;       /* new waits fail until reset */
  guint32 broken_for;   /* generation + 1 whose waiters must fail, 0: none */
  guint32 cycles;
  guint32 padding;
  double  timeout;
} BarrierData;

struct _FyBarrier
{
  GObject          parent_instance;

  FyShm           *shm;
  BarrierData     *data;
  FyBarrierAction  action;
  gpointer         action_data;
};

G_DEFINE_FINAL_TYPE (FyBarrier, fy_barrier, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-barrier-error-quark, fy_barrier_error)

static void
barrier_snapshot (FyShm        *shm,
                  GVariantDict *dict)
{
  BarrierData *data = fy_shm_get_data (shm);

  g_variant_dict_insert (dict, "capacity", "u", data->parties);
  g_variant_dict_insert (dict, "arrivals", "u", __atomic_load_n (&data->count, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "waiters", "u", __atomic_load_n (&data->count, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "broken", "b", __atomic_load_n (&data->broken, __ATOMIC_RELAXED) != 0);
  g_variant_dict_insert (dict, "gets", "u", __atomic_load_n (&data->cycles, __ATOMIC_RELAXED));
}

static void
fy_barrier_finalize (GObject *object)
{
  FyBarrier *self = FY_BARRIER (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_barrier_parent_class)->finalize (object);
}

static void
fy_barrier_class_init (FyBarrierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_barrier_finalize;
}

static void
fy_barrier_init (FyBarrier *self)
{
}

static FyBarrier *
barrier_wrap (FyShm    *shm,
              gboolean  created)
{
  FyBarrier *self = g_object_new (FY_TYPE_BARRIER, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  fy_shm_set_funcs (shm, NULL, barrier_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

FyBarrier *
fy_barrier_new (const char  *name,
                guint        parties,
                double       timeout_seconds,
                GError     **error)
{
  g_autoptr(FyShm) shm = NULL;
  BarrierData *data;

  g_return_val_if_fail (parties > 0, NULL);

  shm = fy_shm_new (FY_SHM_KIND_BARRIER, name, sizeof (BarrierData), error);
  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  data->parties = parties;
  data->timeout = timeout_seconds;
  return barrier_wrap (shm, TRUE);
}

FyBarrier *
fy_barrier_new_from_fd (int      fd,
                        GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_BARRIER, error);
  BarrierData *data;

  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  if (data->parties == 0)
    {
      g_set_error_literal (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                           "Barrier without parties");
      return NULL;
    }
  return barrier_wrap (shm, FALSE);
}

int
fy_barrier_get_fd (FyBarrier *self)
{
  g_return_val_if_fail (FY_IS_BARRIER (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_barrier_get_shm (FyBarrier *self)
{
  g_return_val_if_fail (FY_IS_BARRIER (self), NULL);
  return self->shm;
}

void
fy_barrier_set_action (FyBarrier       *self,
                       FyBarrierAction  action,
                       gpointer         user_data)
{
  g_return_if_fail (FY_IS_BARRIER (self));
  self->action = action;
  self->action_data = user_data;
}

static void
publish_change (BarrierData *data)
{
  __atomic_add_fetch (&data->seq, 1, __ATOMIC_RELEASE);
  fy_futex_wake (&data->seq, G_MAXINT);
}

/* With the lock held. */
static void
break_barrier (BarrierData *data)
{
  data->broken = 1;
  __atomic_store_n (&data->broken_for, data->generation + 1, __ATOMIC_RELEASE);
  publish_change (data);
}

static int
broken_error (GError **error)
{
  g_set_error_literal (error, FY_BARRIER_ERROR, FY_BARRIER_ERROR_BROKEN,
                       "The barrier is broken");
  return -1;
}

int
fy_barrier_wait (FyBarrier  *self,
                 double      timeout_seconds,
                 GError    **error)
{
  BarrierData *data;
  gint64 deadline;
  guint32 generation;
  int index;

  g_return_val_if_fail (FY_IS_BARRIER (self), -1);

  data = self->data;
  deadline = fy_deadline_from_timeout (timeout_seconds >= 0 ? timeout_seconds : data->timeout);

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  if (data->broken)
    {
      fy_shm_unlock (self->shm);
      return broken_error (error);
    }

  generation = data->generation;
  /* Stores to count are atomic: fy_barrier_get_n_waiting () and the
   * snapshot read it without the lock. */
  index = data->count;
  __atomic_store_n (&data->count, index + 1, __ATOMIC_RELAXED);
  if (data->count >= data->parties)
    {
      if (self->action != NULL)
        self->action (self->action_data);
      __atomic_store_n (&data->count, 0, __ATOMIC_RELAXED);
      data->cycles++;
      __atomic_store_n (&data->generation, generation + 1, __ATOMIC_RELEASE);
      publish_change (data);
      fy_shm_unlock (self->shm);
      return index;
    }
  fy_shm_unlock (self->shm);

  for (;;)
    {
      guint32 seq = __atomic_load_n (&data->seq, __ATOMIC_ACQUIRE);

      /* Breakage first: reset () also moves the generation on. */
      if (__atomic_load_n (&data->broken_for, __ATOMIC_ACQUIRE) == generation + 1)
        return broken_error (error);
      if (__atomic_load_n (&data->generation, __ATOMIC_ACQUIRE) != generation)
        return index;

      if (fy_futex_wait (&data->seq, seq, deadline) == ETIMEDOUT)
        {
          gboolean passed;

          fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
          passed = data->generation != generation && data->broken_for != generation + 1;
          if (!passed && data->broken_for != generation + 1)
            break_barrier (data);
          fy_shm_unlock (self->shm);
          return passed ? index : broken_error (error);
        }
    }
}

void
fy_barrier_abort (FyBarrier *self)
{
  g_return_if_fail (FY_IS_BARRIER (self));

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  break_barrier (self->data);
  fy_shm_unlock (self->shm);
}

void
fy_barrier_reset (FyBarrier *self)
{
  BarrierData *data;

  g_return_if_fail (FY_IS_BARRIER (self));

  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  /* Whoever is still waiting in this generation fails, as in Python. */
  if (data->count > 0)
    __atomic_store_n (&data->broken_for, data->generation + 1, __ATOMIC_RELEASE);
  __atomic_store_n (&data->count, 0, __ATOMIC_RELAXED);
  data->broken = 0;
  __atomic_store_n (&data->generation, data->generation + 1, __ATOMIC_RELEASE);
  publish_change (data);
  fy_shm_unlock (self->shm);
}

gboolean
fy_barrier_is_broken (FyBarrier *self)
{
  g_return_val_if_fail (FY_IS_BARRIER (self), FALSE);
  return __atomic_load_n (&self->data->broken, __ATOMIC_ACQUIRE) != 0;
}

guint
fy_barrier_get_parties (FyBarrier *self)
{
  g_return_val_if_fail (FY_IS_BARRIER (self), 0);
  return self->data->parties;
}

guint
fy_barrier_get_n_waiting (FyBarrier *self)
{
  g_return_val_if_fail (FY_IS_BARRIER (self), 0);
  return __atomic_load_n (&self->data->count, __ATOMIC_RELAXED);
}
