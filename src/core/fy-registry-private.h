/* fy-registry-private.h: how shared objects enter and leave the registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-registry.h"

G_BEGIN_DECLS

void fy_registry_add_internal    (FyShm *shm);
void fy_registry_remove_internal (FyShm *shm);

G_END_DECLS
