/* fy-registry-private.h: how shared objects enter and leave the registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The registry sits above FyShm: a mapping knows nothing of the registry,
 * and the objects built on one (queues, locks …) list it here.
 */

#pragma once

#include "fy-registry.h"

G_BEGIN_DECLS

/* Keeps the mapping alive as long as @owner (the FyQueue, FyLock …) and
 * lists it in the default registry while @owner lives, when @owner
 * created it. */
void fy_registry_attach_owner (FyShm    *shm,
                               GObject  *owner,
                               gboolean  created);

G_END_DECLS
