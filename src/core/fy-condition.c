/* fy-condition.c: a process-shared condition variable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "fy-condition.h"
#include "fy-futex.h"
#include "fy-lock-private.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"

#define N_WAITER_SLOTS 128

/* Invariant under the lock: waiting + tokens == registered waiters. A
 * waiter killed while it waits stays registered; notify finds it dead
 * through its pid and takes it off, so its share is not lost. */
typedef struct
{
  guint32 seq;       /* the futex word, bumped by every notify */
  guint32 tokens;    /* wake-ups granted and not yet taken */
  guint32 waiting;   /* waiters not yet granted one; under the lock */
  guint32 notifies;
  guint32 overflow;  /* waiters that found no free slot */
  guint32 padding;
  gint32  pids[N_WAITER_SLOTS];
} ConditionData;

struct _FyCondition
{
  GObject        parent_instance;

  FyShm         *shm;
  ConditionData *data;
  FyLock        *lock;
};

G_DEFINE_FINAL_TYPE (FyCondition, fy_condition, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-condition-error-quark, fy_condition_error)

static void
condition_snapshot (FyShm        *shm,
                    GVariantDict *dict)
{
  ConditionData *data = fy_shm_get_data (shm);

  g_variant_dict_insert (dict, "waiters", "u", __atomic_load_n (&data->waiting, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "u", __atomic_load_n (&data->notifies, __ATOMIC_RELAXED));
}

static void
fy_condition_dispose (GObject *object)
{
  FyCondition *self = FY_CONDITION (object);

  g_clear_object (&self->lock);

  G_OBJECT_CLASS (fy_condition_parent_class)->dispose (object);
}

static void
fy_condition_finalize (GObject *object)
{
  FyCondition *self = FY_CONDITION (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_condition_parent_class)->finalize (object);
}

static void
fy_condition_class_init (FyConditionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fy_condition_dispose;
  object_class->finalize = fy_condition_finalize;
}

static void
fy_condition_init (FyCondition *self)
{
}

static FyCondition *
condition_wrap (FyShm    *shm,
                gboolean  created)
{
  FyCondition *self = g_object_new (FY_TYPE_CONDITION, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  self->lock = fy_lock_new_for_shm (shm);
  fy_shm_set_funcs (shm, NULL, condition_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

FyCondition *
fy_condition_new (const char  *name,
                  GError     **error)
{
  g_autoptr(FyShm) shm = fy_shm_new (FY_SHM_KIND_CONDITION, name, sizeof (ConditionData), error);

  return shm != NULL ? condition_wrap (shm, TRUE) : NULL;
}

FyCondition *
fy_condition_new_from_fd (int      fd,
                          GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_CONDITION, error);

  return shm != NULL ? condition_wrap (shm, FALSE) : NULL;
}

int
fy_condition_get_fd (FyCondition *self)
{
  g_return_val_if_fail (FY_IS_CONDITION (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_condition_get_shm (FyCondition *self)
{
  g_return_val_if_fail (FY_IS_CONDITION (self), NULL);
  return self->shm;
}

FyLock *
fy_condition_get_lock (FyCondition *self)
{
  g_return_val_if_fail (FY_IS_CONDITION (self), NULL);
  return self->lock;
}

gboolean
fy_condition_acquire (FyCondition  *self,
                      double        timeout_seconds,
                      GError      **error)
{
  g_return_val_if_fail (FY_IS_CONDITION (self), FALSE);
  return fy_lock_acquire (self->lock, timeout_seconds, error);
}

gboolean
fy_condition_release (FyCondition  *self,
                      GError      **error)
{
  g_return_val_if_fail (FY_IS_CONDITION (self), FALSE);
  return fy_lock_release (self->lock, error);
}

static gboolean
take_token (ConditionData *data)
{
  guint32 tokens = __atomic_load_n (&data->tokens, __ATOMIC_ACQUIRE);

  while (tokens > 0)
    if (__atomic_compare_exchange_n (&data->tokens, &tokens, tokens - 1, FALSE,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
      return TRUE;
  return FALSE;
}

static gboolean
not_held (GError **error)
{
  g_set_error_literal (error, FY_CONDITION_ERROR, FY_CONDITION_ERROR_NOT_HELD,
                       "The condition's lock is not held");
  return FALSE;
}

/* With the lock held. Returns the slot, or -1 when all are taken. */
static int
register_waiter (ConditionData *data)
{
  for (int i = 0; i < N_WAITER_SLOTS; i++)
    if (data->pids[i] == 0)
      {
        data->pids[i] = fy_shm_self_pid ();
        return i;
      }
  data->overflow++;
  return -1;
}

static void
unregister_waiter (ConditionData *data,
                   int            slot)
{
  if (slot >= 0)
    data->pids[slot] = 0;
  else if (data->overflow > 0)
    data->overflow--;
}

/* With the lock held: forgets waiters whose process died, taking their
 * share from "waiting" first. A dead waiter's unused grant thus wakes a
 * live one spuriously at worst; a live waiter's grant is never lost. */
static void
prune_dead_waiters (ConditionData *data)
{
  guint32 live = 0, excess;

  if (data->overflow > 0)
    return;
  for (int i = 0; i < N_WAITER_SLOTS; i++)
    {
      if (data->pids[i] == 0)
        continue;
      if (data->pids[i] != fy_shm_self_pid () && kill (data->pids[i], 0) < 0 && errno == ESRCH)
        data->pids[i] = 0;
      else
        live++;
    }
  if (data->waiting + data->tokens <= live)
    return;
  excess = data->waiting + data->tokens - live;
  /* Stores to waiting are atomic: fy_condition_get_n_waiting () and the
   * snapshot read it without the lock. */
  if (excess <= data->waiting)
    __atomic_store_n (&data->waiting, data->waiting - excess, __ATOMIC_RELAXED);
  else
    {
      excess -= data->waiting;
      __atomic_store_n (&data->waiting, 0, __ATOMIC_RELAXED);
      __atomic_sub_fetch (&data->tokens, MIN (excess, data->tokens), __ATOMIC_ACQ_REL);
    }
}

static gboolean
wait_until (FyCondition  *self,
            gint64        deadline,
            gboolean     *out_woken,
            GError      **error)
{
  ConditionData *data = self->data;
  gboolean woken = FALSE;
  int slot;

  if (fy_shm_get_holder_pid (self->shm) != fy_shm_self_pid ())
    return not_held (error);

  slot = register_waiter (data);
  __atomic_store_n (&data->waiting, data->waiting + 1, __ATOMIC_RELAXED);
  if (fy_shm_unlock (self->shm) != 0)
    {
      __atomic_store_n (&data->waiting, data->waiting - 1, __ATOMIC_RELAXED);
      unregister_waiter (data, slot);
      return not_held (error);
    }

  for (;;)
    {
      /* The sequence is read before the grants are checked, so a notify
       * that lands between the two makes the futex wait return at once. */
      guint32 seq = __atomic_load_n (&data->seq, __ATOMIC_ACQUIRE);

      if (take_token (data))
        {
          woken = TRUE;
          break;
        }
      if (fy_futex_wait (&data->seq, seq, deadline) == ETIMEDOUT)
        break;
    }

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  if (!woken)
    {
      /* A grant may have arrived after the timeout; otherwise this waiter
       * takes itself off the count so later notifies are not wasted on it. */
      woken = take_token (data);
      if (!woken && data->waiting > 0)
        __atomic_store_n (&data->waiting, data->waiting - 1, __ATOMIC_RELAXED);
    }
  unregister_waiter (data, slot);
  *out_woken = woken;
  return TRUE;
}

gboolean
fy_condition_wait (FyCondition  *self,
                   double        timeout_seconds,
                   GError      **error)
{
  gboolean woken = FALSE;

  g_return_val_if_fail (FY_IS_CONDITION (self), FALSE);

  if (!wait_until (self, fy_deadline_from_timeout (timeout_seconds), &woken, error))
    return FALSE;
  return woken;
}

gboolean
fy_condition_wait_for (FyCondition           *self,
                       FyConditionPredicate   predicate,
                       gpointer               user_data,
                       double                 timeout_seconds,
                       GError               **error)
{
  gint64 deadline;

  g_return_val_if_fail (FY_IS_CONDITION (self), FALSE);
  g_return_val_if_fail (predicate != NULL, FALSE);

  deadline = fy_deadline_from_timeout (timeout_seconds);
  while (!predicate (user_data))
    {
      gboolean woken = FALSE;

      if (fy_deadline_expired (deadline))
        return FALSE;
      if (!wait_until (self, deadline, &woken, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
fy_condition_notify (FyCondition  *self,
                     guint         n,
                     GError      **error)
{
  ConditionData *data;
  guint32 granted;

  g_return_val_if_fail (FY_IS_CONDITION (self), FALSE);

  if (fy_shm_get_holder_pid (self->shm) != fy_shm_self_pid ())
    return not_held (error);

  data = self->data;
  if (data->waiting > 0)
    prune_dead_waiters (data);
  granted = MIN (n, data->waiting);
  if (granted == 0)
    return TRUE;
  __atomic_store_n (&data->waiting, data->waiting - granted, __ATOMIC_RELAXED);
  __atomic_add_fetch (&data->tokens, granted, __ATOMIC_RELEASE);
  __atomic_add_fetch (&data->seq, 1, __ATOMIC_RELEASE);
  data->notifies++;
  fy_futex_wake (&data->seq, granted > G_MAXINT ? G_MAXINT : (int) granted);
  return TRUE;
}

gboolean
fy_condition_notify_all (FyCondition  *self,
                         GError      **error)
{
  return fy_condition_notify (self, G_MAXUINT, error);
}

guint
fy_condition_get_n_waiting (FyCondition *self)
{
  g_return_val_if_fail (FY_IS_CONDITION (self), 0);
  return __atomic_load_n (&self->data->waiting, __ATOMIC_RELAXED);
}
