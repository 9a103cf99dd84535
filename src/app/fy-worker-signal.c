/* fy-worker-signal.c: a signal sent to a pool's worker, and what the user is told of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "fy-worker-row.h"
#include "fy-worker-signal.h"

gboolean
fy_worker_signal_send (FyPoolWorker  *worker,
                       int            signum,
                       GError       **error)
{
  switch (signum)
    {
    case SIGTERM:
      return fy_pool_worker_terminate (worker, error);
    case SIGKILL:
      return fy_pool_worker_kill (worker, error);
    case SIGSTOP:
      return fy_pool_worker_stop (worker, error);
    case SIGCONT:
      return fy_pool_worker_continue (worker, error);
    default:
      g_return_val_if_reached (FALSE);
    }
}

char *
fy_worker_signal_describe_sent (GPid pid,
                                int  signum)
{
  switch (signum)
    {
    case SIGSTOP:
      return g_strdup_printf (_("Worker %d stopped by SIGSTOP"), pid);
    case SIGCONT:
      return g_strdup_printf (_("Worker %d continued by SIGCONT"), pid);
    default:
      return NULL;
    }
}

char *
fy_worker_signal_describe_end (FyPool   *pool,
                               GPid      pid,
                               int       exitcode,
                               FyFuture *task)
{
  g_autofree char *cause = NULL;
  FyCrashPolicy policy;
  guint max_retries = 0;
  guint item = 0;
  guint retries = 0;
  int index;

  if (exitcode == -SIGTERM)
    cause = g_strdup_printf (_("Worker %d terminated by SIGTERM"), pid);
  else if (exitcode < 0)
    {
      const char *abbrev = sigabbrev_np (-exitcode);
      g_autofree char *name = abbrev != NULL ? g_strconcat ("SIG", abbrev, NULL)
                                             : g_strdup_printf ("%d", -exitcode);

      /* Translators: the second %s is a signal's name, e.g. SIGKILL. */
      cause = g_strdup_printf (_("Worker %d killed by %s"), pid, name);
    }
  else
    cause = g_strdup_printf (_("Worker %d exited with code %d"), pid, exitcode);

  if (pool != NULL && fy_pool_get_state (pool) == FY_POOL_STATE_BROKEN)
    /* Translators: %s says how a worker ended. */
    return g_strdup_printf (_("%s — the pool is broken, as its crash policy says"), cause);
  if (task == NULL || pool == NULL)
    return g_steal_pointer (&cause);

  index = (int) fy_worker_row_task_index (fy_pool_get_tasks (pool), task);
  policy = fy_pool_get_crash_policy (pool, &max_retries);
  if (fy_future_get_crashed_item (task, &item, &retries))
    {
      /* A map chunk: the item it ran is what the policy met, numbered as
       * the results list numbers it; the chunk's other items are not
       * touched. */
      index = (int) (fy_future_get_first_item (task) + item);
      if (item < fy_future_get_n_items_settled (task) && !fy_future_is_finished (task))
        return g_strdup_printf (_("%s — task %d failed"), cause, index);
      if (fy_future_is_finished (task))
        {
          g_autoptr(GVariant) result = NULL;

          if (!fy_future_get_item_result (task, item, &result, NULL))
            return g_strdup_printf (_("%s — task %d failed"), cause, index);
          return g_steal_pointer (&cause);
        }
      if (retries > 0)
        return g_strdup_printf (_("%s — task %d retried (%u of %u)"), cause, index, retries, max_retries);
      return g_strdup_printf (_("%s — task %d goes back to the queue"), cause, index);
    }
  switch (fy_future_get_state (task))
    {
    case FY_FUTURE_STATE_DONE:
      /* Its result arrived before it died: nothing was lost. */
      return g_steal_pointer (&cause);

    case FY_FUTURE_STATE_FAILED:
      /* Translators: %s says how a worker ended, %d is a task's number. */
      return g_strdup_printf (_("%s — task %d failed"), cause, index);

    case FY_FUTURE_STATE_CANCELLED:
      return g_strdup_printf (_("%s — task %d cancelled"), cause, index);

    case FY_FUTURE_STATE_PENDING:
    case FY_FUTURE_STATE_QUEUED:
    case FY_FUTURE_STATE_RUNNING:
    default:
      if (policy == FY_CRASH_POLICY_RETRY && fy_future_get_attempts (task) > 0)
        /* Translators: "Worker 4242 killed by SIGKILL — task 17 retried (1 of 3)". */
        return g_strdup_printf (_("%s — task %d retried (%u of %u)"), cause, index,
                                fy_future_get_attempts (task), max_retries);
      /* It had not started there: the pool runs it elsewhere. */
      return g_strdup_printf (_("%s — task %d goes back to the queue"), cause, index);
    }
}

GtkWidget *
fy_worker_signal_kill_dialog_new (GtkWindow *parent,
                                  GPid       pid)
{
  g_autofree char *heading = g_strdup_printf (_("Kill Worker %d?"), pid);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (parent, heading,
                                   _("The process ends at once, without a chance to clean up. "
                                     "Its task fails or is retried, as the run’s crash policy says, "
                                     "and the pool starts a new worker in its place."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "kill", _("_Kill"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "kill",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return dialog;
}
