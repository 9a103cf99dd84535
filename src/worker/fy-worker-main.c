/* fy-worker-main.c: the child side of the worker protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Started only by fy_spawn_worker () as
 *   forkyard-worker --mode process|pool|forkserver --channel-fd N --parent-pid PID
 * or forked by the fork server (fy-worker-forkserver.c), which then calls
 * fy_worker_run () itself. This file only reads the command line; the
 * set-up every worker needs is fy-worker-run.c's.
 */

#include "config.h"

#include <fcntl.h>

#include <glib.h>

#include "fy-worker-forkserver.h"
#include "fy-worker-run.h"

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
      if (!fy_worker_attach_to_parent ((int) channel_fd, (pid_t) parent_pid))
        return 2;
      return fy_worker_forkserver_main (argc, argv, (int) channel_fd, (pid_t) parent_pid);
    }

  return fy_worker_run (mode, (int) channel_fd, (pid_t) parent_pid);
}
