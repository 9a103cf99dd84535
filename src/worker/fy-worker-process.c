/* fy-worker-process.c: the worker's process mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One task, then exit, like multiprocessing.Process: the parent sends one
 * message (function name, argument) with the task's fds; the worker runs the
 * function, answers (TRUE, result) or (FALSE, error text), and exits 0 or 1.
 * A failure is also printed as "forkyard-worker: FUNCTION: message" on
 * stderr, which is all a parent that does not read the answer gets.
 */

#include "config.h"

#include <stdlib.h>

#include "workloads/fy-workload.h"

#include "fy-worker.h"

static int
fail (FyChannel  *channel,
      const char *function,
      const char *message)
{
  g_autoptr(GVariant) answer = NULL;

  g_printerr ("forkyard-worker: %s: %s\n", function, message);
  answer = g_variant_ref_sink (g_variant_new ("(bv)", FALSE, g_variant_new_string (message)));
  /* Nobody may be listening any more: that is not an error of the task. */
  fy_channel_send (channel, answer, NULL, NULL);
  return 1;
}

int
fy_worker_process_main (FyChannel *channel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) task = NULL;
  g_autoptr(GVariant) argument = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) answer = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(FyWorkloadContext) context = NULL;
  const FyWorkloadInfo *info;
  const char *function = NULL;
  const int *fds = NULL;
  int n_fds = 0;

  task = fy_channel_receive (channel, -1, &fd_list, &error);
  if (task == NULL)
    {
      /* EOF: the parent went away before sending work; leave quietly. */
      if (g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF))
        return 1;
      return fail (channel, "(task)", error->message);
    }

  if (!g_variant_is_of_type (task, G_VARIANT_TYPE ("(sv)")))
    return fail (channel, "(task)", "the task message has the wrong type");

  g_variant_get (task, "(&sv)", &function, &argument);

  info = fy_workload_lookup (function);
  if (info == NULL)
    return fail (channel, function, "no such function");

  if (info->argument_type != NULL &&
      !g_variant_is_of_type (argument, (const GVariantType *) info->argument_type))
    {
      g_autofree char *message = g_strdup_printf ("argument of type '%s', expected '%s'",
                                                  g_variant_get_type_string (argument),
                                                  info->argument_type);
      return fail (channel, function, message);
    }

  if (fd_list != NULL)
    fds = g_unix_fd_list_peek_fds (fd_list, &n_fds);
  context = fy_workload_context_new (fds, n_fds);

  result = info->func (argument, context, &error);
  if (result == NULL)
    return fail (channel, function, error != NULL ? error->message : "failed without a reason");
  g_variant_take_ref (result);

  answer = g_variant_ref_sink (g_variant_new ("(bv)", TRUE, result));
  fy_channel_send (channel, answer, NULL, NULL);
  return 0;
}
