/* fy-worker.h: the modes of forkyard-worker that run tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fy_worker_run () (fy-worker-run.h) does the set-up every worker needs
 * (parent-death signal, parent pid check, SIGPIPE ignored, CPU pinning)
 * and hands the channel to a mode. Each mode returns the worker's exit
 * status.
 */

#pragma once

#include "core/fy-channel.h"

G_BEGIN_DECLS

/* Receives one (function, argument, fds) message, runs it, exits. */
int fy_worker_process_main (FyChannel *channel);
/* The pool's task loop. */
int fy_worker_pool_main    (FyChannel *channel);

G_END_DECLS
