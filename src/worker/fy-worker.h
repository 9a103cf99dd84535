/* fy-worker.h: the modes of forkyard-worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * main () does the set-up every worker needs (parent-death signal, parent pid
 * check, default signals, stray fds closed) and hands the channel to a mode.
 * Each mode returns the worker's exit status.
 */

#pragma once

#include "core/fy-channel.h"

G_BEGIN_DECLS

/* The set-up every worker needs (parent-death signal, parent check, a real
 * channel, SIGPIPE ignored), then MODE ("process" or "pool") on the channel
 * at CHANNEL_FD. Returns the worker's exit status. */
int fy_worker_run                (const char *mode,
                                  int         channel_fd,
                                  pid_t       parent_pid);

/* Receives one (function, argument, fds) message, runs it, exits. */
int fy_worker_process_main (FyChannel *channel);
/* The pool's task loop. */
int fy_worker_pool_main    (FyChannel *channel);
/* Serves worker requests on CONTROL_FD (fd 3) until the application goes
 * away; see core/fy-forkserver.h. Returns only in the fork server. */
int fy_worker_forkserver_main (int         argc,
                               char      **argv,
                               int         control_fd,
                               pid_t       parent_pid);

G_END_DECLS
