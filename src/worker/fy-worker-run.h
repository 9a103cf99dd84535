/* fy-worker-run.h: the set-up every worker needs, then its mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Arms the parent-death signal, checks that PARENT_PID is still the
 * parent (exits 2 at once if not) and that CHANNEL_FD is a channel.
 * FALSE (with a message on stderr) when the worker must not go on. */
gboolean fy_worker_attach_to_parent (int         channel_fd,
                                     pid_t       parent_pid);
/* The set-up every worker needs (parent-death signal, parent check, a real
 * channel, SIGPIPE ignored, CPU pinning), then MODE ("process" or "pool")
 * on the channel at CHANNEL_FD. Returns the worker's exit status. */
int      fy_worker_run              (const char *mode,
                                     int         channel_fd,
                                     pid_t       parent_pid);

G_END_DECLS
