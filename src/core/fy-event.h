/* fy-event.h: a process-shared event flag
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.Event on a futex word: set wakes every waiter in every
 * process; wait sleeps in the kernel with an optional timeout.
 */

#pragma once

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_TYPE_EVENT (fy_event_get_type ())
G_DECLARE_FINAL_TYPE (FyEvent, fy_event, FY, EVENT, GObject)

FyEvent  *fy_event_new         (const char  *name,
                                GError     **error);
FyEvent  *fy_event_new_from_fd (int          fd,
                                GError     **error);
int       fy_event_get_fd      (FyEvent     *self);
FyShm    *fy_event_get_shm     (FyEvent     *self);

void      fy_event_set         (FyEvent     *self);
void      fy_event_clear       (FyEvent     *self);
gboolean  fy_event_is_set      (FyEvent     *self);
/* TRUE once set; FALSE when @timeout_seconds (< 0: forever) passed first. */
gboolean  fy_event_wait        (FyEvent     *self,
                                double       timeout_seconds);

G_END_DECLS
