/* fy-run-item.c: one finished item of a run: its outcome and the row that lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-run-item.h"

FyFutureState
fy_run_item_outcome (FyFuture  *task,
                     guint      item,
                     GVariant **out_result,
                     GError   **out_error)
{
  FyFutureState state = fy_future_get_state (task);

  if (fy_future_get_item_result (task, item, out_result, out_error))
    return FY_FUTURE_STATE_DONE;
  /* An item that failed alone, in a chunk that finished or runs on. */
  if (state == FY_FUTURE_STATE_DONE || !fy_future_is_finished (task))
    return FY_FUTURE_STATE_FAILED;
  return state;
}

FyRunResult *
fy_run_item_result_new (const char    *function,
                        GVariant      *arguments,
                        FyFuture      *task,
                        guint          item,
                        guint          index,
                        FyFutureState  state,
                        GVariant      *result,
                        const GError  *error)
{
  g_autoptr(GVariant) argument = g_variant_get_child_value (arguments, index);
  gint64 started_at = 0;
  gint64 finished_at = 0;
  FyRunResult *made;

  if (!fy_future_get_item_times (task, item, &started_at, &finished_at))
    {
      started_at = fy_future_get_started_at (task);
      finished_at = fy_future_get_finished_at (task);
    }
  made = fy_run_result_new (index, function, argument, result, error, state,
                            fy_future_get_worker_pid (task), started_at, finished_at);
  /* A worker's death is the task's, or for a chunk that of the one item
   * its worker was running: the only item of it that failed alone. */
  if (state == FY_FUTURE_STATE_FAILED)
    fy_run_result_set_worker_exitcode (made, fy_future_get_worker_exitcode (task));
  return made;
}
