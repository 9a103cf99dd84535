/* fy-rlock.c: a re-entrant process-shared lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "fy-futex.h"
#include "fy-lock-private.h"
#include "fy-registry-private.h"
#include "fy-rlock.h"
#include "fy-shm-private.h"

typedef struct
{
  guint32 depth;   /* written by the holder only */
} RLockData;

struct _FyRLock
{
  GObject    parent_instance;

  FyShm     *shm;
  RLockData *data;
};

G_DEFINE_FINAL_TYPE (FyRLock, fy_rlock, G_TYPE_OBJECT)

static void
rlock_repair (FyShm *shm)
{
  RLockData *data = fy_shm_get_data (shm);

  /* The dead holder's levels died with it; the recovering acquire counts
   * itself from zero. */
  data->depth = 0;
}

static void
rlock_snapshot (FyShm        *shm,
                GVariantDict *dict)
{
  RLockData *data = fy_shm_get_data (shm);

  g_variant_dict_insert (dict, "depth", "u", __atomic_load_n (&data->depth, __ATOMIC_RELAXED));
}

static void
fy_rlock_finalize (GObject *object)
{
  FyRLock *self = FY_RLOCK (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_rlock_parent_class)->finalize (object);
}

static void
fy_rlock_class_init (FyRLockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_rlock_finalize;
}

static void
fy_rlock_init (FyRLock *self)
{
}

static FyRLock *
rlock_wrap (FyShm    *shm,
            gboolean  created)
{
  FyRLock *self = g_object_new (FY_TYPE_RLOCK, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  fy_shm_set_funcs (shm, rlock_repair, rlock_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

FyRLock *
fy_rlock_new (const char  *name,
              GError     **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_recursive (FY_SHM_KIND_RLOCK, name,
                                               sizeof (RLockData), error);

  return shm != NULL ? rlock_wrap (shm, TRUE) : NULL;
}

FyRLock *
fy_rlock_new_from_fd (int      fd,
                      GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_RLOCK, error);

  return shm != NULL ? rlock_wrap (shm, FALSE) : NULL;
}

int
fy_rlock_get_fd (FyRLock *self)
{
  g_return_val_if_fail (FY_IS_RLOCK (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_rlock_get_shm (FyRLock *self)
{
  g_return_val_if_fail (FY_IS_RLOCK (self), NULL);
  return self->shm;
}

gboolean
fy_rlock_acquire (FyRLock  *self,
                  double    timeout_seconds,
                  GError  **error)
{
  int rc;

  g_return_val_if_fail (FY_IS_RLOCK (self), FALSE);

  rc = fy_shm_lock (self->shm, fy_deadline_from_timeout (timeout_seconds));
  if (rc != 0)
    return fy_lock_check_result (rc, FALSE, error);
  self->data->depth++;
  return TRUE;
}

gboolean
fy_rlock_release (FyRLock  *self,
                  GError  **error)
{
  FyShmHeader *h;
  guint32 remaining;
  int rc;

  g_return_val_if_fail (FY_IS_RLOCK (self), FALSE);

  /* A try-lock tells the holder from everyone else: it succeeds for the
   * holder (one more level) or on a free lock (depth 0), and fails with
   * EBUSY for any other thread. */
  h = fy_shm_get_header (self->shm);
  rc = fy_shm_lock (self->shm, 0);
  if (rc != 0 || self->data->depth == 0)
    {
      if (rc == 0)
        fy_shm_unlock (self->shm);
      return fy_lock_check_result (EPERM, TRUE, error);
    }

  remaining = --self->data->depth;
  fy_shm_unlock (self->shm);
  fy_shm_unlock (self->shm);
  /* Still ours while levels remain: the unlocks cleared the holder. */
  if (remaining > 0)
    h->holder_pid = fy_shm_self_pid ();
  return TRUE;
}

guint
fy_rlock_get_depth (FyRLock *self)
{
  g_return_val_if_fail (FY_IS_RLOCK (self), 0);
  return __atomic_load_n (&self->data->depth, __ATOMIC_RELAXED);
}

GPid
fy_rlock_get_holder (FyRLock *self)
{
  g_return_val_if_fail (FY_IS_RLOCK (self), 0);
  return fy_shm_get_holder_pid (self->shm);
}
