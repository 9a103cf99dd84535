/* fy-barrier.h: a process-shared barrier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.Barrier: @parties callers meet, each gets a distinct index
 * (exactly one gets 0), the last to arrive runs the action, and everyone
 * leaves together. A timeout, abort () or a party that never comes (killed)
 * breaks it for everyone until reset ().
 */

#pragma once

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_BARRIER_ERROR (fy_barrier_error_quark ())

typedef enum
{
  FY_BARRIER_ERROR_BROKEN,   /* aborted, reset, timed out, or a party failed */
} FyBarrierError;

GQuark fy_barrier_error_quark (void);

#define FY_TYPE_BARRIER (fy_barrier_get_type ())
G_DECLARE_FINAL_TYPE (FyBarrier, fy_barrier, FY, BARRIER, GObject)

/* Run by the last party to arrive, in its own process, before anyone leaves. */
typedef void (*FyBarrierAction) (gpointer user_data);

/* @timeout_seconds is the default for fy_barrier_wait (< 0: none). */
FyBarrier *fy_barrier_new         (const char       *name,
                                   guint             parties,
                                   double            timeout_seconds,
                                   GError          **error);
FyBarrier *fy_barrier_new_from_fd (int               fd,
                                   GError          **error);
int        fy_barrier_get_fd      (FyBarrier        *self);
FyShm     *fy_barrier_get_shm     (FyBarrier        *self);

/* Actions are code, so each process sets its own. */
void       fy_barrier_set_action  (FyBarrier        *self,
                                   FyBarrierAction   action,
                                   gpointer          user_data);

/* Returns the arrival index (0 … parties - 1), or -1 with
 * FY_BARRIER_ERROR_BROKEN. @timeout_seconds < 0 uses the default. */
int        fy_barrier_wait        (FyBarrier        *self,
                                   double            timeout_seconds,
                                   GError          **error);
void       fy_barrier_abort       (FyBarrier        *self);
void       fy_barrier_reset       (FyBarrier        *self);
gboolean   fy_barrier_is_broken   (FyBarrier        *self);
guint      fy_barrier_get_parties (FyBarrier        *self);
guint      fy_barrier_get_n_waiting (FyBarrier      *self);

G_END_DECLS
