/* fy-core.h: library-wide facts of libforkyard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *fy_core_get_version (void);

G_END_DECLS
