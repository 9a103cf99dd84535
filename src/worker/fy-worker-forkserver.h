/* fy-worker-forkserver.h: forkyard-worker's fork server mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Serves worker requests on CONTROL_FD (fd 3) until the application goes
 * away; see core/fy-forkserver.h. Returns only in the fork server. */
int fy_worker_forkserver_main (int         argc,
                               char      **argv,
                               int         control_fd,
                               pid_t       parent_pid);

G_END_DECLS
