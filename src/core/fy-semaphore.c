/* fy-semaphore.c: process-shared counting semaphores, plain and bounded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>

#include "fy-futex.h"
#include "fy-registry-private.h"
#include "fy-semaphore.h"
#include "fy-shm-private.h"

typedef struct
{
  guint32 value;     /* the futex word */
  guint32 bound;     /* 0: unbounded */
  guint32 waiters;
  guint32 acquires;
  guint32 releases;
} SemaphoreData;

struct _FySemaphore
{
  GObject        parent_instance;

  FyShm         *shm;
  SemaphoreData *data;
};

G_DEFINE_FINAL_TYPE (FySemaphore, fy_semaphore, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-semaphore-error-quark, fy_semaphore_error)

static void
semaphore_snapshot (FyShm        *shm,
                    GVariantDict *dict)
{
  SemaphoreData *data = fy_shm_get_data (shm);

  g_variant_dict_insert (dict, "value", "u", __atomic_load_n (&data->value, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "capacity", "u", data->bound);
  g_variant_dict_insert (dict, "waiters", "u", __atomic_load_n (&data->waiters, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "gets", "u", __atomic_load_n (&data->acquires, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "u", __atomic_load_n (&data->releases, __ATOMIC_RELAXED));
}

static void
fy_semaphore_finalize (GObject *object)
{
  FySemaphore *self = FY_SEMAPHORE (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_semaphore_parent_class)->finalize (object);
}

static void
fy_semaphore_class_init (FySemaphoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_semaphore_finalize;
}

static void
fy_semaphore_init (FySemaphore *self)
{
}

static FySemaphore *
semaphore_wrap (FyShm    *shm,
                gboolean  created)
{
  FySemaphore *self = g_object_new (FY_TYPE_SEMAPHORE, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  fy_shm_set_funcs (shm, NULL, semaphore_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

static FySemaphore *
semaphore_create (const char  *name,
                  guint        value,
                  gboolean     bounded,
                  GError     **error)
{
  g_autoptr(FyShm) shm = NULL;
  SemaphoreData *data;

  g_return_val_if_fail (value < G_MAXINT32, NULL);
  g_return_val_if_fail (!bounded || value > 0, NULL);

  shm = fy_shm_new (FY_SHM_KIND_SEMAPHORE, name, sizeof (SemaphoreData), error);
  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  data->value = value;
  data->bound = bounded ? value : 0;
  return semaphore_wrap (shm, TRUE);
}

FySemaphore *
fy_semaphore_new (const char  *name,
                  guint        value,
                  GError     **error)
{
  return semaphore_create (name, value, FALSE, error);
}

FySemaphore *
fy_semaphore_new_bounded (const char  *name,
                          guint        value,
                          GError     **error)
{
  return semaphore_create (name, value, TRUE, error);
}

FySemaphore *
fy_semaphore_new_from_fd (int      fd,
                          GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_SEMAPHORE, error);

  return shm != NULL ? semaphore_wrap (shm, FALSE) : NULL;
}

int
fy_semaphore_get_fd (FySemaphore *self)
{
  g_return_val_if_fail (FY_IS_SEMAPHORE (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_semaphore_get_shm (FySemaphore *self)
{
  g_return_val_if_fail (FY_IS_SEMAPHORE (self), NULL);
  return self->shm;
}

gboolean
fy_semaphore_acquire (FySemaphore  *self,
                      double        timeout_seconds,
                      GError      **error)
{
  gint64 deadline;

  g_return_val_if_fail (FY_IS_SEMAPHORE (self), FALSE);

  deadline = fy_deadline_from_timeout (timeout_seconds);
  for (;;)
    {
      guint32 value = __atomic_load_n (&self->data->value, __ATOMIC_ACQUIRE);

      if (value > 0)
        {
          if (__atomic_compare_exchange_n (&self->data->value, &value, value - 1, FALSE,
                                           __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            {
              __atomic_add_fetch (&self->data->acquires, 1, __ATOMIC_RELAXED);
              return TRUE;
            }
          continue;
        }

      if (fy_deadline_expired (deadline))
        break;

      __atomic_add_fetch (&self->data->waiters, 1, __ATOMIC_SEQ_CST);
      fy_futex_wait (&self->data->value, 0, deadline);
      __atomic_sub_fetch (&self->data->waiters, 1, __ATOMIC_SEQ_CST);
    }

  g_set_error_literal (error, FY_SEMAPHORE_ERROR, FY_SEMAPHORE_ERROR_TIMED_OUT,
                       "Timed out waiting for the semaphore");
  return FALSE;
}

gboolean
fy_semaphore_release (FySemaphore  *self,
                      GError      **error)
{
  guint32 value;

  g_return_val_if_fail (FY_IS_SEMAPHORE (self), FALSE);

  value = __atomic_load_n (&self->data->value, __ATOMIC_RELAXED);
  do
    {
      if (self->data->bound != 0 && value >= self->data->bound)
        {
          g_set_error_literal (error, FY_SEMAPHORE_ERROR, FY_SEMAPHORE_ERROR_OVER_RELEASED,
                               "Semaphore released too many times");
          return FALSE;
        }
    }
  while (!__atomic_compare_exchange_n (&self->data->value, &value, value + 1, FALSE,
                                       __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));

  __atomic_add_fetch (&self->data->releases, 1, __ATOMIC_RELAXED);
  /* Sleepers only exist once they announced themselves, so an idle
   * semaphore releases without a system call. */
  if (__atomic_load_n (&self->data->waiters, __ATOMIC_SEQ_CST) > 0)
    fy_futex_wake (&self->data->value, 1);
  return TRUE;
}

guint
fy_semaphore_get_value (FySemaphore *self)
{
  g_return_val_if_fail (FY_IS_SEMAPHORE (self), 0);
  return __atomic_load_n (&self->data->value, __ATOMIC_ACQUIRE);
}

gboolean
fy_semaphore_is_bounded (FySemaphore *self)
{
  g_return_val_if_fail (FY_IS_SEMAPHORE (self), FALSE);
  return self->data->bound != 0;
}
