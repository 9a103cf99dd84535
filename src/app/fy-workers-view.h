/* fy-workers-view.h: the table of a pool's worker processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per worker of the pool, joined with what FyProcessSampler reads
 * of its process while the table is on screen: pid, state, last CPU, CPU %,
 * memory, current task, tasks done, uptime. The selected worker can be
 * terminated, killed, stopped or continued (the workers.* actions, in a
 * context menu and on Ctrl+E, Ctrl+K, Ctrl+S, Ctrl+R); a toast in the
 * nearest AdwToastOverlay says what came of it.
 */

#pragma once

#include <adwaita.h>

#include "core/fy-pool.h"

G_BEGIN_DECLS

#define FY_TYPE_WORKERS_VIEW (fy_workers_view_get_type ())
G_DECLARE_FINAL_TYPE (FyWorkersView, fy_workers_view, FY, WORKERS_VIEW, GtkWidget)

FyWorkersView *fy_workers_view_new      (void);
FyPool        *fy_workers_view_get_pool (FyWorkersView *self);
/* @pool may be NULL; the table follows the new pool's workers at once. */
void           fy_workers_view_set_pool (FyWorkersView *self,
                                         FyPool        *pool);

G_END_DECLS
