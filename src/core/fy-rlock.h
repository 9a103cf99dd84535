/* fy-rlock.h: a re-entrant process-shared lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.RLock: the holding thread may acquire it again; it is free
 * once released as many times. Robust like FyLock.
 */

#pragma once

#include "fy-lock.h"

G_BEGIN_DECLS

#define FY_TYPE_RLOCK (fy_rlock_get_type ())
G_DECLARE_FINAL_TYPE (FyRLock, fy_rlock, FY, RLOCK, GObject)

/* Errors are FY_LOCK_ERROR's. */
FyRLock  *fy_rlock_new         (const char  *name,
                                GError     **error);
FyRLock  *fy_rlock_new_from_fd (int          fd,
                                GError     **error);
int       fy_rlock_get_fd      (FyRLock     *self);
FyShm    *fy_rlock_get_shm     (FyRLock     *self);

/* @timeout_seconds < 0 blocks, 0 tries once. */
gboolean  fy_rlock_acquire     (FyRLock     *self,
                                double       timeout_seconds,
                                GError     **error);
/* FY_LOCK_ERROR_NOT_HELD unless the calling thread holds it. */
gboolean  fy_rlock_release     (FyRLock     *self,
                                GError     **error);
/* How many times the holder has acquired it (0: free). */
guint     fy_rlock_get_depth   (FyRLock     *self);
GPid      fy_rlock_get_holder  (FyRLock     *self);

G_END_DECLS
