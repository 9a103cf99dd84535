/* fy-run-item.h: one finished item of a run: its outcome and the row that lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run's task is a map chunk of many items or a task of one. What an
 * item ended as, and the FyRunResult the results list shows for it, are
 * read from the task's per-item record, falling back to the task's own
 * times and state where it has none.
 */

#pragma once

#include "core/fy-future.h"
#include "fy-run-result.h"

G_BEGIN_DECLS

/* Item @item of @task: DONE with its result in @out_result, else FAILED
 * or CANCELLED with the error, if any, in @out_error. An item of a chunk
 * that failed alone (its worker died running it) fails; the others of a
 * chunk that failed or was cancelled as a whole take the chunk's state. */
FyFutureState  fy_run_item_outcome    (FyFuture      *task,
                                       guint          item,
                                       GVariant     **out_result,
                                       GError       **out_error);
/* The list's row for item @item of @task, input @index of @arguments,
 * which ended in @state with @result or @error. */
FyRunResult   *fy_run_item_result_new (const char    *function,
                                       GVariant      *arguments,
                                       FyFuture      *task,
                                       guint          item,
                                       guint          index,
                                       FyFutureState  state,
                                       GVariant      *result,
                                       const GError  *error);

G_END_DECLS
