/* fy-spawn.c: start a forkyard-worker the robust way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Never fork (): the parent may be a multi-threaded GTK process. posix_spawn
 * uses clone (CLONE_VM | CLONE_VFORK) and execs at once, so nothing of the
 * parent's state beyond what we list survives into the worker.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fy-spawn.h"

/* The worker always finds its end of the channel here. */
#define FY_CHILD_CHANNEL_FD 3

static char *
resolve_worker_path (void)
{
  const char *env = g_getenv ("FORKYARD_WORKER");
  g_autofree char *exe = NULL;

  if (env != NULL && *env != '\0' && g_path_is_absolute (env))
    return g_strdup (env);

  /* A program running from the build tree uses the worker built beside it,
   * so tests and benchmarks never pick up an older installed copy. */
  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL && g_str_has_prefix (exe, FY_BUILD_ROOT "/"))
    return g_strdup (FY_UNINSTALLED_WORKER);

  return g_strdup (FY_INSTALLED_WORKER);
}

const char *
fy_spawn_get_worker_path (void)
{
  static char *path = NULL;

  if (g_once_init_enter (&path))
    g_once_init_leave (&path, resolve_worker_path ());
  return path;
}

gboolean
fy_spawn_worker (const char       *mode,
                 FySpawnedWorker  *out_worker,
                 GError          **error)
{
  const char *path = fy_spawn_get_worker_path ();
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t mask;
  sigset_t defaults;
  char fd_arg[16];
  char pid_arg[32];
  char *argv[8];
  int sv[2] = { -1, -1 };
  int child_fd;
  pid_t pid = 0;
  int pidfd;
  int r;

  g_return_val_if_fail (mode != NULL, FALSE);
  g_return_val_if_fail (out_worker != NULL, FALSE);

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "socketpair: %s", g_strerror (saved_errno));
      return FALSE;
    }

  /* dup2 (3, 3) would keep close-on-exec set, so make sure the child's end
   * is not already sitting on the fd it must land on. */
  child_fd = sv[1];
  if (child_fd == FY_CHILD_CHANNEL_FD)
    {
      child_fd = fcntl (sv[1], F_DUPFD_CLOEXEC, FY_CHILD_CHANNEL_FD + 1);
      close (sv[1]);
      sv[1] = child_fd;
      if (child_fd < 0)
        {
          int saved_errno = errno;

          close (sv[0]);
          g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                       "fcntl: %s", g_strerror (saved_errno));
          return FALSE;
        }
    }

  g_snprintf (fd_arg, sizeof fd_arg, "%d", FY_CHILD_CHANNEL_FD);
  g_snprintf (pid_arg, sizeof pid_arg, "%d", (int) getpid ());
  argv[0] = (char *) path;
  argv[1] = (char *) "--mode";
  argv[2] = (char *) mode;
  argv[3] = (char *) "--channel-fd";
  argv[4] = fd_arg;
  argv[5] = (char *) "--parent-pid";
  argv[6] = pid_arg;
  argv[7] = NULL;

  /* Whatever the caller blocked or ignored (GLib's SIGPIPE, a GUI's
   * handlers) must not leak into the worker. */
  sigemptyset (&mask);
  sigfillset (&defaults);
  sigdelset (&defaults, SIGKILL);
  sigdelset (&defaults, SIGSTOP);

  posix_spawnattr_init (&attr);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask (&attr, &mask);
  posix_spawnattr_setsigdefault (&attr, &defaults);

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, child_fd, FY_CHILD_CHANNEL_FD);
  /* Belt and braces: fds opened without O_CLOEXEC by other code (or other
   * threads) never reach the worker. */
  posix_spawn_file_actions_addclosefrom_np (&actions, FY_CHILD_CHANNEL_FD + 1);

  r = posix_spawn (&pid, path, &actions, &attr, argv, environ);

  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);
  close (sv[1]);

  if (r != 0)
    {
      close (sv[0]);
      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "Could not start %s: %s", path, g_strerror (r));
      return FALSE;
    }

  pidfd = pidfd_open (pid, 0);
  if (pidfd < 0)
    {
      int saved_errno = errno;
      int status;

      /* Without a pidfd we cannot watch it safely: do not leave it behind. */
      kill (pid, SIGKILL);
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      close (sv[0]);
      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "pidfd_open: %s", g_strerror (saved_errno));
      return FALSE;
    }

  out_worker->pid = pid;
  out_worker->pidfd = pidfd;
  out_worker->channel = fy_channel_new_from_fd (sv[0]);
  return TRUE;
}

gboolean
fy_spawn_reap (int       pidfd,
               gboolean  block,
               int      *out_exitcode)
{
  siginfo_t info;
  int r;

  g_return_val_if_fail (pidfd >= 0, FALSE);

  for (;;)
    {
      memset (&info, 0, sizeof info);
      r = waitid (P_PIDFD, pidfd, &info, WEXITED | (block ? 0 : WNOHANG));
      if (r == 0 || errno != EINTR)
        break;
    }

  if (r < 0)
    {
      /* ECHILD: someone else reaped it (a stray waitpid (-1) elsewhere in
       * the process). It is gone; its status is lost. */
      if (out_exitcode != NULL)
        *out_exitcode = 255;
      return TRUE;
    }

  if (info.si_pid == 0)
    return FALSE;

  if (out_exitcode != NULL)
    {
      if (info.si_code == CLD_EXITED)
        *out_exitcode = info.si_status;
      else
        *out_exitcode = -info.si_status;
    }
  return TRUE;
}
