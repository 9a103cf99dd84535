/* fy-forkserver.h: the wire format between fy_spawn and the fork server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading forkyard-worker costs milliseconds; forking a copy that has
 * already loaded it costs a fraction of one. fy_spawn_worker () therefore
 * starts one forkyard-worker in "forkserver" mode and asks it for workers
 * over a SOCK_SEQPACKET control socket. The fork server clones itself with
 * CLONE_PARENT, so every worker is a child of the application, reaped and
 * signalled through its pidfd exactly like a spawned one.
 *
 * One request is one datagram: a FyForkserverRequest with, as SCM_RIGHTS,
 * the worker's channel end, then the fds named in its flags in this order:
 * the current directory, stdin, stdout, stderr. The answer is one
 * FyForkserverReply, carrying the worker's pidfd when error is 0.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FY_FORKSERVER_MAGIC      0x46595331u   /* "FYS1" */
#define FY_FORKSERVER_MODE_MAX   16

typedef enum
{
  FY_FORKSERVER_HAVE_CWD    = 1 << 0,
  FY_FORKSERVER_HAVE_STDIN  = 1 << 1,
  FY_FORKSERVER_HAVE_STDOUT = 1 << 2,
  FY_FORKSERVER_HAVE_STDERR = 1 << 3,
} FyForkserverFlags;

/* The channel plus the four optional fds. */
#define FY_FORKSERVER_MAX_FDS 5

typedef struct
{
  guint32 magic;
  guint32 flags;                        /* FyForkserverFlags */
  char    mode[FY_FORKSERVER_MODE_MAX]; /* NUL-terminated */
} FyForkserverRequest;

typedef struct
{
  guint32 magic;
  gint32  error;    /* an errno value; 0 when a worker was started */
  gint32  pid;
} FyForkserverReply;

G_END_DECLS
