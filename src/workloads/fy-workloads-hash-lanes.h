/* fy-workloads-hash-lanes.h: hash-lanes, eight files at a time in the vector unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-workload.h"

G_BEGIN_DECLS

/* (size to hand back from (t), paths (aay)) → (digests, 32 bytes per
 * file (ay); microseconds per file (au); index and reason of each failure
 * (a(us)); index and size of each file handed back unread (a(ut))), as
 * hash-files takes and packs them. Only where fy_sha256_x8_supported (). */
GVariant *fy_workload_hash_lanes (GVariant           *argument,
                                  FyWorkloadContext  *context,
                                  GError            **error);

G_END_DECLS
