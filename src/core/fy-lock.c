/* fy-lock.c: a process-shared lock that survives its holder's death
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>

#include "fy-futex.h"
#include "fy-lock-private.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"

struct _FyLock
{
  GObject  parent_instance;

  FyShm   *shm;
};

G_DEFINE_FINAL_TYPE (FyLock, fy_lock, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-lock-error-quark, fy_lock_error)

static void
fy_lock_finalize (GObject *object)
{
  FyLock *self = FY_LOCK (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_lock_parent_class)->finalize (object);
}

static void
fy_lock_class_init (FyLockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_lock_finalize;
}

static void
fy_lock_init (FyLock *self)
{
}

gboolean
fy_lock_check_result (int       rc,
                      gboolean  unlocking,
                      GError  **error)
{
  switch (rc)
    {
    case 0:
      return TRUE;
    case ETIMEDOUT:
    case EBUSY:
      g_set_error_literal (error, FY_LOCK_ERROR, FY_LOCK_ERROR_TIMED_OUT,
                           "Timed out waiting for the lock");
      return FALSE;
    case EPERM:
      g_set_error_literal (error, FY_LOCK_ERROR, FY_LOCK_ERROR_NOT_HELD,
                           unlocking ? "Release of a lock this thread does not hold"
                                     : "Lock not held");
      return FALSE;
    case EDEADLK:
      g_set_error_literal (error, FY_LOCK_ERROR, FY_LOCK_ERROR_DEADLOCK,
                           "This thread already holds the lock");
      return FALSE;
    default:
      g_set_error (error, FY_LOCK_ERROR, FY_LOCK_ERROR_FAILED,
                   "Lock failed: %s", g_strerror (rc));
      return FALSE;
    }
}

FyLock *
fy_lock_new_for_shm (FyShm *shm)
{
  FyLock *self = g_object_new (FY_TYPE_LOCK, NULL);

  self->shm = g_object_ref (shm);
  return self;
}

FyLock *
fy_lock_new (const char  *name,
             GError     **error)
{
  g_autoptr(FyShm) shm = fy_shm_new (FY_SHM_KIND_LOCK, name, 8, error);
  FyLock *self;

  if (shm == NULL)
    return NULL;
  self = fy_lock_new_for_shm (shm);
  fy_registry_attach_owner (shm, G_OBJECT (self), TRUE);
  return self;
}

FyLock *
fy_lock_new_from_fd (int      fd,
                     GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_LOCK, error);

  if (shm == NULL)
    return NULL;
  return fy_lock_new_for_shm (shm);
}

int
fy_lock_get_fd (FyLock *self)
{
  g_return_val_if_fail (FY_IS_LOCK (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_lock_get_shm (FyLock *self)
{
  g_return_val_if_fail (FY_IS_LOCK (self), NULL);
  return self->shm;
}

gboolean
fy_lock_acquire (FyLock  *self,
                 double   timeout_seconds,
                 GError **error)
{
  g_return_val_if_fail (FY_IS_LOCK (self), FALSE);

  return fy_lock_check_result (fy_shm_lock (self->shm, fy_deadline_from_timeout (timeout_seconds)),
                               FALSE, error);
}

gboolean
fy_lock_release (FyLock  *self,
                 GError **error)
{
  g_return_val_if_fail (FY_IS_LOCK (self), FALSE);

  return fy_lock_check_result (fy_shm_unlock (self->shm), TRUE, error);
}

GPid
fy_lock_get_holder (FyLock *self)
{
  g_return_val_if_fail (FY_IS_LOCK (self), 0);
  return fy_shm_get_holder_pid (self->shm);
}
