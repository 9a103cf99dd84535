/* fy-spawn.h: start a forkyard-worker the robust way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * posix_spawn of the worker by absolute path (FORKYARD_WORKER, else the build
 * tree's when running uninstalled, else libexecdir), empty signal mask and
 * default dispositions, every fd closed but the channel, a pidfd opened right
 * after. Call it from the main thread or one long-lived thread:
 * PR_SET_PDEATHSIG follows the spawning thread.
 *
 * The worker is started as
 *   forkyard-worker --mode MODE --channel-fd N --parent-pid PID
 * and MODE is "process" (run one function, exit) or "pool" (a task loop).
 */

#pragma once

#include "fy-channel.h"

G_BEGIN_DECLS

typedef struct
{
  GPid       pid;
  int        pidfd;    /* owned by the caller */
  FyChannel *channel;  /* the parent's end; owned by the caller */
} FySpawnedWorker;

/* The absolute path of the worker program this process spawns. */
const char *fy_spawn_get_worker_path (void);

gboolean    fy_spawn_worker          (const char       *mode,
                                      FySpawnedWorker  *out_worker,
                                      GError          **error);

/* Exit codes follow Python: -N for death by signal N. Reaps the child
 * through its pidfd; returns FALSE while it is still running. */
gboolean    fy_spawn_reap            (int               pidfd,
                                      gboolean          block,
                                      int              *out_exitcode);

G_END_DECLS
