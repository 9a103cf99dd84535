/* fy-inspector-row.h: one live shared object as the IPC inspector shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Wraps a registry entry (FyShm) and turns its snapshot into texts a row
 * binds to: what it is, its state, a fill level, its rates and who is
 * blocked on it. fy_inspector_row_update () reads the mapping only; it
 * never sends anything to the processes that use the object. Pokes (put,
 * set, clear, break) act on the object itself, as any of its users could.
 */

#pragma once

#include <gio/gio.h>

#include "core/fy-shm.h"
#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_TYPE_INSPECTOR_ROW (fy_inspector_row_get_type ())
G_DECLARE_FINAL_TYPE (FyInspectorRow, fy_inspector_row, FY, INSPECTOR_ROW, GObject)

typedef enum
{
  FY_INSPECTOR_POKE_NONE,
  FY_INSPECTOR_POKE_PUT,      /* queue: put the typed text as an item */
  FY_INSPECTOR_POKE_SET,      /* value: set it to the typed text */
  FY_INSPECTOR_POKE_EVENT,    /* event: set it when clear, clear it when set */
  FY_INSPECTOR_POKE_BREAK,    /* barrier: abort it */
} FyInspectorPoke;

FyInspectorRow *fy_inspector_row_new          (FyShm          *shm);
FyShm          *fy_inspector_row_get_shm      (FyInspectorRow *self);
const char     *fy_inspector_row_get_kind     (FyInspectorRow *self);
const char     *fy_inspector_row_get_name     (FyInspectorRow *self);
/* The state in one or two lines: depth, holder, waiters, contents … */
const char     *fy_inspector_row_get_state    (FyInspectorRow *self);
/* Who is blocked on it, with pids; "" when nobody. */
const char     *fy_inspector_row_get_blocked  (FyInspectorRow *self);
/* Operations per second (puts, gets, sets …); "" when none. */
const char     *fy_inspector_row_get_rates    (FyInspectorRow *self);
/* 0 … 1 for a bounded object (queue, semaphore, barrier), else -1. */
double          fy_inspector_row_get_fraction (FyInspectorRow *self);
FyHistory      *fy_inspector_row_get_history  (FyInspectorRow *self);
guint64         fy_inspector_row_get_revision (FyInspectorRow *self);
FyInspectorPoke fy_inspector_row_get_poke     (FyInspectorRow *self);
/* The button's label for the poke (translated), NULL when none. */
const char     *fy_inspector_row_get_poke_label (FyInspectorRow *self);

/* Reads the snapshot and notifies the properties that changed. @now is
 * g_get_monotonic_time () of this frame, shared by every row. */
void            fy_inspector_row_update       (FyInspectorRow *self,
                                               gint64          now);
/* @text: the item or value to put or set (a GVariant text, or a plain
 * string); ignored by the other pokes. */
gboolean        fy_inspector_row_poke         (FyInspectorRow *self,
                                               const char     *text,
                                               GError        **error);

G_END_DECLS
