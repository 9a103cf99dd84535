/* fy-worker-signal.h: a signal sent to a pool's worker, and what the user is told of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workers table sends the four signals its actions offer (SIGTERM,
 * SIGKILL, SIGSTOP, SIGCONT) through the worker's pidfd. These helpers
 * keep the words out of the table: the question asked before a kill, and
 * the toasts that say what came of a signal. For a worker that ends, that
 * can only be written once the pool has handled its death and decided
 * its task's fate.
 */

#pragma once

#include <adwaita.h>

#include "core/fy-pool.h"

G_BEGIN_DECLS

/* Sends @signum (one of the four) to @worker; returns at once. */
gboolean   fy_worker_signal_send            (FyPoolWorker  *worker,
                                             int            signum,
                                             GError       **error);
/* The toast for worker @pid stopped or continued by @signum; NULL for a
 * signal whose outcome is only told when the worker has ended. */
char      *fy_worker_signal_describe_sent   (GPid           pid,
                                             int            signum);
/* The toast for worker @pid of @pool that ended with @exitcode (minus the
 * signal's number when a signal ended it) while it held @task (or NULL):
 * how it ended, and what became of its task under the crash policy. */
char      *fy_worker_signal_describe_end    (FyPool        *pool,
                                             GPid           pid,
                                             int            exitcode,
                                             FyFuture      *task);
/* An AdwMessageDialog, transient for @parent (or NULL), asking whether to
 * kill worker @pid; its responses are "cancel" (the default) and "kill". */
GtkWidget *fy_worker_signal_kill_dialog_new (GtkWindow     *parent,
                                             GPid           pid);

G_END_DECLS
