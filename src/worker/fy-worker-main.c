/* fy-worker-main.c: the child side of the worker protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Started only by fy_spawn_worker () as
 *   forkyard-worker --mode process|pool|forkserver --channel-fd N --parent-pid PID
 * or forked by the fork server (fy-worker-forkserver.c), which then calls
 * fy_worker_run () itself.
 *
 * A worker must never outlive its parent. Three things make sure of it:
 * PR_SET_PDEATHSIG (SIGKILL) kills it when the spawning thread dies; the
 * getppid () check right after catches a parent that died before the prctl
 * took effect; and EOF on the channel (every parent end is closed when the
 * parent dies) ends a worker that is waiting for work.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "fy-cpu-list.h"
#include "fy-worker.h"

static void
usage (void)
{
  g_printerr ("forkyard-worker: not meant to be run by hand\n"
              "usage: forkyard-worker --mode process|pool|forkserver --channel-fd N --parent-pid PID\n");
}

static gboolean
parse_int (const char *text,
           gint64      min,
           gint64      max,
           gint64     *out)
{
  return text != NULL && g_ascii_string_to_signed (text, 10, min, max, out, NULL);
}

/* Order matters: arm the death signal first, then check the parent, so a
 * parent dying in between cannot be missed. Then make sure the fd really is
 * a channel: only a SOCK_SEQPACKET socket can be one, and anything else is
 * refused rather than misparsed. */
static gboolean
attach_to_parent (int   channel_fd,
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

  if (!attach_to_parent (channel_fd, parent_pid))
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

/* The fork server's own 0, 1 and 2 (/dev/null) go to nobody, but they
 * must stay open: every fd it receives then lands above its control
 * socket. */
static gboolean
fill_stdio (void)
{
  for (int fd = 0; fd < 3; fd++)
    {
      if (fcntl (fd, F_GETFD) >= 0)
        continue;
      if (open ("/dev/null", O_RDWR) != fd)
        return FALSE;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  const char *mode = NULL;
  gint64 channel_fd = -1;
  gint64 parent_pid = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (g_str_equal (argv[i], "--mode") && value != NULL)
        mode = value;
      else if (g_str_equal (argv[i], "--channel-fd") && parse_int (value, 0, G_MAXINT, &channel_fd))
        ;
      else if (g_str_equal (argv[i], "--parent-pid") && parse_int (value, 1, G_MAXINT, &parent_pid))
        ;
      else
        {
          usage ();
          return 2;
        }
      i++;
    }

  if (mode == NULL || channel_fd < 0 || parent_pid <= 0)
    {
      usage ();
      return 2;
    }

  if (g_str_equal (mode, "forkserver"))
    {
      /* Its control socket must sit on 3, below every fd it receives. */
      if (channel_fd != 3 || !fill_stdio ())
        return 2;
      if (!attach_to_parent ((int) channel_fd, (pid_t) parent_pid))
        return 2;
      return fy_worker_forkserver_main (argc, argv, (int) channel_fd, (pid_t) parent_pid);
    }

  return fy_worker_run (mode, (int) channel_fd, (pid_t) parent_pid);
}
