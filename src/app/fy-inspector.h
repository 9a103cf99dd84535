/* fy-inspector.h: the IPC inspector, every live shared object of the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lists the registry (core/fy-registry.h): queues, values, arrays, dicts,
 * lists, locks, semaphores, events, conditions, barriers and the pools' own
 * queues, with their state read from shared memory once a frame while the
 * inspector is on screen, and not at all while it is not. Pokes put an item
 * into a queue, set a value, set or clear an event, break a barrier.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FY_TYPE_INSPECTOR (fy_inspector_get_type ())
G_DECLARE_FINAL_TYPE (FyInspector, fy_inspector, FY, INSPECTOR, GtkWidget)

GtkWidget  *fy_inspector_new            (void);
/* The rows (FyInspectorRow), in registry order. */
GListModel *fy_inspector_get_rows       (FyInspector *self);
/* Snapshots taken since the inspector was made: one per row per frame. */
guint64     fy_inspector_get_n_refreshes (FyInspector *self);

G_END_DECLS
