/* fy-gtop-source.h: the running system's figures, through libgtop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-sample-source.h"

G_BEGIN_DECLS

#define FY_TYPE_GTOP_SOURCE (fy_gtop_source_get_type ())
G_DECLARE_FINAL_TYPE (FyGtopSource, fy_gtop_source, FY, GTOP_SOURCE, GObject)

FyGtopSource *fy_gtop_source_new (void);

G_END_DECLS
