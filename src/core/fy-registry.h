/* fy-registry.h: the live shared objects of this process, as a list model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every queue, value, lock … created in this process appears here as its
 * FyShm (kind, name, fy_shm_snapshot ()) until the object is finalized. The
 * IPC inspector lists the model; a snapshot costs loads from the mapping,
 * never a message to the processes using it.
 */

#pragma once

#include <gio/gio.h>

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_TYPE_REGISTRY (fy_registry_get_type ())
G_DECLARE_FINAL_TYPE (FyRegistry, fy_registry, FY, REGISTRY, GObject)

/* The process-wide registry. Its GListModel changes are emitted in the
 * thread-default main context of the thread that first asked for it;
 * objects created in other threads show up once that context runs. */
FyRegistry *fy_registry_get_default (void);

/* Objects currently listed, and all their snapshots as aa{sv}. */
guint       fy_registry_get_n_objects (FyRegistry *self);
GVariant   *fy_registry_snapshot_all  (FyRegistry *self);

G_END_DECLS
