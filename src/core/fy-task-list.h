/* fy-task-list.h: the list model of a pool's tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fy-future.h"

G_BEGIN_DECLS

#define FY_TYPE_TASK_LIST (fy_task_list_get_type ())
G_DECLARE_FINAL_TYPE (FyTaskList, fy_task_list, FY, TASK_LIST, GObject)

/* A GListModel of FyFuture that only grows: append is all it does. */
FyTaskList       *fy_task_list_new    (void);
void              fy_task_list_append (FyTaskList *self,
                                       FyFuture  **futures,
                                       guint       n);
/* Every future so far, without a reference each. */
FyFuture * const *fy_task_list_peek   (FyTaskList *self,
                                       guint      *out_n);

G_END_DECLS
