/* fy-lock-private.h: locks that guard another shared object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-lock.h"

G_BEGIN_DECLS

/* A lock on @shm's own header lock: Value.get_lock (), Condition's lock. */
FyLock   *fy_lock_new_for_shm  (FyShm   *shm);
/* Maps fy_shm_lock () / fy_shm_unlock () results onto FY_LOCK_ERROR. */
gboolean  fy_lock_check_result (int      rc,
                                gboolean unlocking,
                                GError **error);

G_END_DECLS
