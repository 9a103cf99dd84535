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
 *
 * With FORKYARD_FORKSERVER=1 in the environment the worker is forked by a
 * fork server (a forkyard-worker in "forkserver" mode, started once from a
 * thread of its own) rather than spawned: same result at a fraction of the
 * cost. It is still a child of the calling process with the channel on
 * fd 3, this process's stdio, current directory and environment, an empty
 * signal mask and default dispositions; it dies with this process rather
 * than with the calling thread. FORKYARD_FORKSERVER=0 always spawns; unset,
 * FY_FORKSERVER_BY_DEFAULT in fy-spawn.c decides.
 */

#pragma once

#include "fy-channel.h"

G_BEGIN_DECLS

typedef struct
{
  GPid       pid;
  int        pidfd;    /* owned by the caller */
  FyChannel *channel;  /* the parent's end; owned by the caller */
  gboolean   from_forkserver;  /* forked by the fork server, not spawned */
} FySpawnedWorker;

/* The absolute path of the worker program this process spawns. */
const char *fy_spawn_get_worker_path (void);

gboolean    fy_spawn_worker          (const char       *mode,
                                      FySpawnedWorker  *out_worker,
                                      GError          **error);

/* Exit codes follow Python: -N for death by signal N. Reaps the child
 * through its pidfd; returns FALSE while it is still running. */
/* The fork server's pid while one runs for this process, else 0. It is a
 * child of this process too: code that counts children as workers must
 * leave it out (its command name is "fy-forkserver"). */
GPid        fy_spawn_get_forkserver_pid (void);

gboolean    fy_spawn_reap            (int               pidfd,
                                      gboolean          block,
                                      int              *out_exitcode);

G_END_DECLS
