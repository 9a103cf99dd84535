/* fy-worker-run.c: the set-up every worker needs, then its mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A worker must never outlive its parent. Three things make sure of it:
 * PR_SET_PDEATHSIG (SIGKILL) kills it when the spawning thread dies; the
 * getppid () check right after catches a parent that died before the prctl
 * took effect; and EOF on the channel (every parent end is closed when the
 * parent dies) ends a worker that is waiting for work.
 *
 * Both a spawned worker (fy-worker-main.c) and one the fork server cloned
 * (fy-worker-forkserver.c) come through here.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fy-cpu-list.h"
#include "fy-worker.h"
#include "fy-worker-run.h"

/* Order matters: arm the death signal first, then check the parent, so a
 * parent dying in between cannot be missed. Then make sure the fd really is
 * a channel: only a SOCK_SEQPACKET socket can be one, and anything else is
 * refused rather than misparsed. */
gboolean
fy_worker_attach_to_parent (int   channel_fd,
                            pid_t parent_pid)
{
  int sock_type = 0;
  socklen_t len = sizeof sock_type;

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    {
      g_printerr ("forkyard-worker: PR_SET_PDEATHSIG: %s\n", g_strerror (errno));
      return FALSE;
    }
  if (getppid () != parent_pid)
    _exit (2);

  if (getsockopt (channel_fd, SOL_SOCKET, SO_TYPE, &sock_type, &len) < 0 ||
      sock_type != SOCK_SEQPACKET)
    {
      g_printerr ("forkyard-worker: fd %d is not a channel\n", channel_fd);
      return FALSE;
    }
  fcntl (channel_fd, F_SETFD, FD_CLOEXEC);
  return TRUE;
}

/* A pool started with a CPU list (forkyard-cli --cpus) passes it in the
 * environment; the worker pins itself before its first task, so no task
 * ever runs elsewhere, replacements included. */
static gboolean
pin_to_cpus (void)
{
  const char *list = g_getenv (FY_WORKER_CPUS_ENV);
  g_autoptr(GError) error = NULL;
  cpu_set_t set;

  if (list == NULL || list[0] == '\0')
    return TRUE;
  if (!fy_cpu_list_parse (list, &set, &error))
    {
      g_printerr ("forkyard-worker: %s: %s\n", FY_WORKER_CPUS_ENV, error->message);
      return FALSE;
    }
  if (sched_setaffinity (0, sizeof set, &set) != 0)
    {
      g_printerr ("forkyard-worker: cannot pin to CPUs %s: %s\n", list, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

int
fy_worker_run (const char *mode,
               int         channel_fd,
               pid_t       parent_pid)
{
  g_autoptr(FyChannel) channel = NULL;

  if (!fy_worker_attach_to_parent (channel_fd, parent_pid))
    return 2;

  /* The parent may vanish while we write to the channel: report EPIPE
   * rather than die of SIGPIPE in the middle of a message to someone else. */
  signal (SIGPIPE, SIG_IGN);

  if (!pin_to_cpus ())
    return 2;

  channel = fy_channel_new_from_fd (channel_fd);

  if (g_str_equal (mode, "process"))
    return fy_worker_process_main (channel);
  if (g_str_equal (mode, "pool"))
    return fy_worker_pool_main (channel);

  g_printerr ("forkyard-worker: unknown mode '%s'\n", mode);
  return 2;
}
