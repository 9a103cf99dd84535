/* fy-lock.h: a process-shared lock that survives its holder's death
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.Lock on a robust pthread mutex: when the holder dies, the
 * next acquirer takes the lock over (the object it guards repairs itself).
 * Unlike Python's semaphore-based lock, only the holding thread may release.
 */

#pragma once

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_LOCK_ERROR (fy_lock_error_quark ())

typedef enum
{
  FY_LOCK_ERROR_TIMED_OUT,   /* not acquired within the timeout */
  FY_LOCK_ERROR_NOT_HELD,    /* release of a lock this thread does not hold */
  FY_LOCK_ERROR_DEADLOCK,    /* this thread already holds it */
  FY_LOCK_ERROR_FAILED,
} FyLockError;

GQuark fy_lock_error_quark (void);

#define FY_TYPE_LOCK (fy_lock_get_type ())
G_DECLARE_FINAL_TYPE (FyLock, fy_lock, FY, LOCK, GObject)

FyLock   *fy_lock_new         (const char  *name,
                               GError     **error);
FyLock   *fy_lock_new_from_fd (int          fd,
                               GError     **error);
int       fy_lock_get_fd      (FyLock      *self);
FyShm    *fy_lock_get_shm     (FyLock      *self);

/* @timeout_seconds < 0 blocks, 0 tries once. */
gboolean  fy_lock_acquire     (FyLock      *self,
                               double       timeout_seconds,
                               GError     **error);
gboolean  fy_lock_release     (FyLock      *self,
                               GError     **error);
/* Pid of the holding process, 0 when free. */
GPid      fy_lock_get_holder  (FyLock      *self);

G_END_DECLS
