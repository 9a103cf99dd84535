/* fy-worker-forkserver.c: forkyard-worker's fork server mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A single-threaded process with every library already loaded, waiting on
 * its control socket (see core/fy-forkserver.h). For each request it clones
 * itself with CLONE_PARENT | CLONE_PIDFD: the new worker is a child of the
 * application, not of the fork server, so the application reaps it with
 * waitid (P_PIDFD) and its parent-death signal follows the application's
 * spawning thread, as for a spawned worker. The new worker resets what it
 * inherited from the fork server and runs its mode without an exec.
 *
 * The clone is a raw clone3 system call, which glibc does not know about:
 * CLONE_CHILD_SETTID writes the child's thread id where glibc caches it
 * (found with PR_GET_TID_ADDRESS), and the child registers glibc's robust
 * mutex list again, which the kernel clears on clone. Without those two, a
 * robust mutex locked by the worker would carry the fork server's id and
 * never be recovered when the worker dies. Where either cannot be found, or
 * clone3 is missing, every request is answered ENOSYS and the application
 * spawns its workers the plain way.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "core/fy-forkserver.h"
#include "workloads/fy-workload.h"

#include "fy-worker-forkserver.h"
#include "fy-worker-run.h"

typedef struct
{
  int     argc;
  char  **argv;
  int     control_fd;
  pid_t   parent_pid;
  pid_t  *tid_address;    /* glibc's cached thread id */
  void   *robust_head;    /* glibc's robust mutex list */
  size_t  robust_len;
  int     unsupported;    /* the errno every request gets, or 0 */
  sigset_t changed;       /* signals whose disposition is not the default */
} Server;

/* Finds what the child must fix up after a raw clone; ENOSYS when the
 * kernel will not tell us. */
static int
find_thread_state (Server *server)
{
  pid_t *tid_address = NULL;

  if (prctl (PR_GET_TID_ADDRESS, &tid_address, 0, 0, 0) < 0 ||
      tid_address == NULL || *tid_address != gettid ())
    return ENOSYS;
  if (syscall (SYS_get_robust_list, 0, &server->robust_head, &server->robust_len) < 0 ||
      server->robust_head == NULL)
    return ENOSYS;

  server->tid_address = tid_address;
  return 0;
}

/* The fork server was spawned with default dispositions, so only what
 * has changed since (our SIGPIPE) needs resetting in each child: one
 * sigaction call, not sixty-four. */
static void
find_changed_signals (Server *server)
{
  sigemptyset (&server->changed);
  for (int sig = 1; sig < NSIG; sig++)
    {
      struct sigaction action;

      if (sig == SIGKILL || sig == SIGSTOP || sigaction (sig, NULL, &action) < 0)
        continue;
      if (action.sa_handler != SIG_DFL)
        sigaddset (&server->changed, sig);
    }
}

/* Whatever the worker touches first is set up once, here, and inherited
 * by every fork. No threads may start: fork copies only the caller. */
static void
warm_up (void)
{
  gpointer klass;

  fy_workload_lookup ("square");
  klass = g_type_class_ref (G_TYPE_UNIX_FD_LIST);
  g_type_class_unref (klass);
}

/* ps, top and the monitor show a worker, not a second fork server: the
 * name and the command line it would have had if it had been spawned. The
 * new command line is never longer than the fork server's, whose mode is
 * the longest; what is left over becomes empty arguments. */
static void
rename_worker (Server     *server,
               const char *mode)
{
  char *start = server->argv[0];
  char *end = server->argv[server->argc - 1] + strlen (server->argv[server->argc - 1]) + 1;
  g_autoptr(GString) line = g_string_new (NULL);

  prctl (PR_SET_NAME, "forkyard-worker", 0, 0, 0);

  /* fy_worker_forkserver_main () checked that argv is "PATH --mode
   * forkserver ...", so the mode is argv[2]. */
  for (int i = 0; i < server->argc; i++)
    g_string_append_len (line, i == 2 ? mode : server->argv[i],
                         strlen (i == 2 ? mode : server->argv[i]) + 1);
  if (line->len <= (gsize) (end - start))
    {
      memcpy (start, line->str, line->len);
      memset (start + line->len, 0, (end - start) - line->len);
    }
}

/* Runs in the new worker: make it look exactly like a freshly spawned one,
 * then run its mode. Never returns. */
static void G_GNUC_NORETURN
child_main (Server     *server,
            guint32     flags,
            const char *mode,
            const int  *fds,
            int         n_fds)
{
  sigset_t empty;
  int next = 1;
  int status;

  syscall (SYS_set_robust_list, server->robust_head, server->robust_len);

  /* Default dispositions first, then unblock, so nothing the fork server
   * ignored or caught is delivered to a handler that is not ours. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sigismember (&server->changed, sig) == 1)
      signal (sig, SIG_DFL);
  sigemptyset (&empty);
  sigprocmask (SIG_SETMASK, &empty, NULL);

  /* Received fds are all above 3 (the fork server keeps 0–3 open), so
   * none of these dup2 () calls overwrites one still to be used. */
  if (flags & FY_FORKSERVER_HAVE_CWD)
    {
      if (next >= n_fds || fchdir (fds[next]) < 0)
        _exit (2);
      next++;
    }
  for (int i = 0; i < 3; i++)
    {
      if (flags & (FY_FORKSERVER_HAVE_STDIN << i))
        {
          if (next >= n_fds || dup2 (fds[next], i) < 0)
            _exit (2);
          next++;
        }
      else
        close (i);
    }
  if (dup2 (fds[0], 3) < 0)
    _exit (2);
  close_range (4, ~0U, 0);

  rename_worker (server, mode);
  status = fy_worker_run (mode, 3, server->parent_pid);

  /* Like Python's forked children, leave with _exit (): the libraries'
   * destructors and atexit handlers belong to the fork server's image and
   * would only tear down, page by page, memory about to vanish anyway. */
  fflush (NULL);
  _exit (status);
}

static void
send_reply (Server *server,
            int     error,
            pid_t   pid,
            int     pidfd)
{
  FyForkserverReply reply = { FY_FORKSERVER_MAGIC, error, pid };
  struct iovec iov = { &reply, sizeof reply };
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { 0 };

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (pidfd >= 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buffer;
      msg.msg_controllen = sizeof control.buffer;
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cmsg), &pidfd, sizeof (int));
    }

  /* A failed send means the application is gone: the next receive sees
   * EOF and ends the server. */
  while (sendmsg (server->control_fd, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

static int
expected_fds (guint32 flags)
{
  int n = 1;

  for (guint32 bit = FY_FORKSERVER_HAVE_CWD; bit <= FY_FORKSERVER_HAVE_STDERR; bit <<= 1)
    if (flags & bit)
      n++;
  return n;
}

/* Handles one request; FALSE when the application has gone. */
static gboolean
serve_one (Server *server)
{
  FyForkserverRequest request;
  struct iovec iov = { &request, sizeof request };
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int) * FY_FORKSERVER_MAX_FDS)];
  } control;
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  struct clone_args args;
  int fds[FY_FORKSERVER_MAX_FDS];
  int n_fds = 0;
  int pidfd = -1;
  ssize_t n;
  pid_t pid;
  int error = 0;

  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = sizeof control.buffer;

  do
    n = recvmsg (server->control_fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return FALSE;

  for (cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
    {
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        {
          int count = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);

          for (int i = 0; i < count && n_fds < FY_FORKSERVER_MAX_FDS; i++)
            memcpy (&fds[n_fds++], CMSG_DATA (cmsg) + i * sizeof (int), sizeof (int));
        }
    }

  if (n != sizeof request || request.magic != FY_FORKSERVER_MAGIC ||
      (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
      memchr (request.mode, '\0', sizeof request.mode) == NULL ||
      n_fds != expected_fds (request.flags))
    error = EINVAL;
  else if (!g_str_equal (request.mode, "process") && !g_str_equal (request.mode, "pool"))
    error = EINVAL;
  else
    error = server->unsupported;

  if (error == 0)
    {
      memset (&args, 0, sizeof args);
      args.flags = CLONE_PARENT | CLONE_PIDFD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
      args.pidfd = (guint64) (guintptr) &pidfd;
      args.child_tid = (guint64) (guintptr) server->tid_address;
      /* With CLONE_PARENT the kernel takes the exit signal from us
       * (SIGCHLD, to the application) and refuses any other. */
      args.exit_signal = 0;

      pid = syscall (SYS_clone3, &args, sizeof args);
      if (pid == 0)
        child_main (server, request.flags, request.mode, fds, n_fds);
      if (pid < 0)
        {
          error = errno;
          /* Not worth asking again. */
          if (error == ENOSYS)
            server->unsupported = ENOSYS;
        }
    }
  else
    pid = 0;

  for (int i = 0; i < n_fds; i++)
    close (fds[i]);

  send_reply (server, error, error == 0 ? pid : 0, error == 0 ? pidfd : -1);
  if (pidfd >= 0)
    close (pidfd);
  return TRUE;
}

int
fy_worker_forkserver_main (int    argc,
                           char **argv,
                           int    control_fd,
                           pid_t  parent_pid)
{
  Server server = { 0 };

  g_return_val_if_fail (argc > 2 && g_str_equal (argv[2], "forkserver"), 2);

  server.argc = argc;
  server.argv = argv;
  server.control_fd = control_fd;
  server.parent_pid = parent_pid;
  server.unsupported = find_thread_state (&server);

  /* A dead application must not kill us in the middle of a reply; the
   * next receive sees EOF instead. */
  signal (SIGPIPE, SIG_IGN);
  /* Told apart from its workers by name, in ps as in the tests. */
  prctl (PR_SET_NAME, "fy-forkserver", 0, 0, 0);

  warm_up ();
  find_changed_signals (&server);

  while (serve_one (&server))
    ;
  return 0;
}
