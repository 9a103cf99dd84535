/* fy-spawn.c: start a forkyard-worker the robust way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Never fork (): the parent may be a multi-threaded GTK process. posix_spawn
 * uses clone (CLONE_VM | CLONE_VFORK) and execs at once, so nothing of the
 * parent's state beyond what we list survives into the worker.
 *
 * Loading forkyard-worker costs milliseconds, so workers can come from a
 * fork server instead: one spawned forkyard-worker that forks copies of
 * itself on request (fy-forkserver.h). Whenever it cannot serve, a worker
 * is spawned the plain way, and a dead fork server is replaced on the next
 * request. FORKYARD_FORKSERVER=1 asks for it, =0 always spawns.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fy-forkserver.h"
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

/* A socketpair whose child end is not on fd 3: dup2 (3, 3) would keep
 * close-on-exec set, and the fork server's children expect their channel
 * above the fds they set up. */
static gboolean
make_socketpair (int      sv[2],
                 GError **error)
{
  int child_fd;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "socketpair: %s", g_strerror (saved_errno));
      return FALSE;
    }

  if (sv[1] == FY_CHILD_CHANNEL_FD)
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
  return TRUE;
}

/* posix_spawn of forkyard-worker in @mode with @child_fd as its fd 3, and
 * our stdio or /dev/null. */
static gboolean
spawn_plain (const char  *mode,
             int          child_fd,
             gboolean     null_stdio,
             GPid        *out_pid,
             int         *out_pidfd,
             GError     **error)
{
  const char *path = fy_spawn_get_worker_path ();
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t mask;
  sigset_t defaults;
  char fd_arg[16];
  char pid_arg[32];
  char *argv[8];
  pid_t pid = 0;
  int pidfd;
  int r;

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
  for (int fd = 0; null_stdio && fd < 3; fd++)
    posix_spawn_file_actions_addopen (&actions, fd, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_adddup2 (&actions, child_fd, FY_CHILD_CHANNEL_FD);
  /* Belt and braces: fds opened without O_CLOEXEC by other code (or other
   * threads) never reach the worker. */
  posix_spawn_file_actions_addclosefrom_np (&actions, FY_CHILD_CHANNEL_FD + 1);

  r = posix_spawn (&pid, path, &actions, &attr, argv, environ);

  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);

  if (r != 0)
    {
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
      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "pidfd_open: %s", g_strerror (saved_errno));
      return FALSE;
    }

  *out_pid = pid;
  *out_pidfd = pidfd;
  return TRUE;
}

/* The fork server (see fy-forkserver.h). All of this is guarded by
 * server_lock; one request at a time is plenty, a fork takes well under
 * a millisecond. The locks here are pthread ones, not GMutex / GCond:
 * GLib's are bare futexes ThreadSanitizer cannot see, so with them every
 * hand-over between the two threads below read as a data race. */
static pthread_mutex_t server_lock = PTHREAD_MUTEX_INITIALIZER;
static int    server_control_fd = -1;
static int    server_pidfd = -1;
static GPid   server_pid;
static guint  server_environ_hash;
static gint64 server_retry_after;   /* no new start before (monotonic µs) */
static gboolean server_disabled;    /* never again in this process */

/* The fork server is started from one thread that never exits: its
 * parent-death signal, and that of every worker it forks (CLONE_PARENT
 * gives them the same parent thread), fires when that thread ends. */
static pthread_mutex_t spawner_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  spawner_cond = PTHREAD_COND_INITIALIZER;
static GThread *spawner_thread;
static pid_t    spawner_owner;       /* getpid () of the process it runs in */
static gboolean spawner_requested;
static gboolean spawner_done;

/* How long a request may take before the fork server is given up: the
 * first one includes its start, on a machine that may be very busy. */
#define SERVER_REPLY_TIMEOUT_MS 10000
/* After a failed start, the next attempt waits this long. */
#define SERVER_RETRY_US (1 * G_USEC_PER_SEC)

/* The fork server's children inherit the environment it started with, so
 * a change to ours means a new fork server. */
static guint
environ_hash (void)
{
  guint hash = 5381;

  for (char **e = environ; e != NULL && *e != NULL; e++)
    hash = hash * 33 + g_str_hash (*e);
  return hash;
}

static void
server_stop (void)
{
  if (server_pidfd >= 0)
    {
      pidfd_send_signal (server_pidfd, SIGKILL, NULL, 0);
      fy_spawn_reap (server_pidfd, TRUE, NULL);
      close (server_pidfd);
    }
  if (server_control_fd >= 0)
    close (server_control_fd);
  server_pidfd = -1;
  server_control_fd = -1;
  server_pid = 0;
}

/* Runs on the spawner thread, while the requesting thread holds
 * server_lock and waits. */
static void
server_start (void)
{
  g_autoptr(GError) error = NULL;
  int sv[2] = { -1, -1 };
  GPid pid = 0;
  int pidfd = -1;

  if (!make_socketpair (sv, &error))
    return;
  /* The fork server gives each worker our stdio of the moment; it must not
   * keep a pipe we write to open after we have closed it. */
  if (!spawn_plain ("forkserver", sv[1], TRUE, &pid, &pidfd, &error))
    {
      g_debug ("No fork server: %s", error->message);
      close (sv[0]);
      close (sv[1]);
      return;
    }
  close (sv[1]);

  server_control_fd = sv[0];
  server_pidfd = pidfd;
  server_pid = pid;
}

static gpointer
spawner_thread_func (gpointer data)
{
  pthread_mutex_lock (&spawner_lock);
  for (;;)
    {
      while (!spawner_requested)
        pthread_cond_wait (&spawner_cond, &spawner_lock);
      spawner_requested = FALSE;
      server_start ();
      spawner_done = TRUE;
      pthread_cond_broadcast (&spawner_cond);
    }
  pthread_mutex_unlock (&spawner_lock);
  return NULL;
}

/* With server_lock held: a running fork server, or FALSE. */
static gboolean
server_ensure (void)
{
  struct pollfd pfd;
  guint hash = environ_hash ();

  /* It died (killed by someone): reap it now and start another. */
  if (server_pidfd >= 0)
    {
      pfd.fd = server_pidfd;
      pfd.events = POLLIN;
      pfd.revents = 0;
      if (poll (&pfd, 1, 0) != 0 || server_environ_hash != hash)
        server_stop ();
    }
  if (server_pidfd >= 0)
    return TRUE;

  if (g_get_monotonic_time () < server_retry_after)
    return FALSE;

  pthread_mutex_lock (&spawner_lock);
  if (spawner_thread == NULL)
    {
      g_autoptr(GError) error = NULL;

      spawner_thread = g_thread_try_new ("fy-spawner", spawner_thread_func, NULL, &error);
      if (spawner_thread == NULL)
        {
          pthread_mutex_unlock (&spawner_lock);
          server_disabled = TRUE;
          return FALSE;
        }
      spawner_owner = getpid ();
    }
  spawner_requested = TRUE;
  spawner_done = FALSE;
  pthread_cond_broadcast (&spawner_cond);
  while (!spawner_done)
    pthread_cond_wait (&spawner_cond, &spawner_lock);
  pthread_mutex_unlock (&spawner_lock);

  if (server_pidfd < 0)
    {
      server_retry_after = g_get_monotonic_time () + SERVER_RETRY_US;
      return FALSE;
    }
  server_environ_hash = hash;
  return TRUE;
}

static gboolean
server_send_request (const char *mode,
                     int         child_fd)
{
  FyForkserverRequest request = { 0 };
  struct iovec iov = { &request, sizeof request };
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int) * FY_FORKSERVER_MAX_FDS)];
  } control;
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  int fds[FY_FORKSERVER_MAX_FDS];
  int n_fds = 0;
  int cwd_fd;
  ssize_t n;

  /* The worker works where we do now, not where the server started. */
  cwd_fd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cwd_fd < 0)
    return FALSE;

  request.magic = FY_FORKSERVER_MAGIC;
  g_strlcpy (request.mode, mode, sizeof request.mode);
  fds[n_fds++] = child_fd;
  request.flags |= FY_FORKSERVER_HAVE_CWD;
  fds[n_fds++] = cwd_fd;
  /* Our stdio as it is now; one that is closed stays closed there. */
  for (int i = 0; i < 3; i++)
    if (fcntl (i, F_GETFD) >= 0)
      {
        request.flags |= FY_FORKSERVER_HAVE_STDIN << i;
        fds[n_fds++] = i;
      }

  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
  memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);

  do
    n = sendmsg (server_control_fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  close (cwd_fd);
  return n == sizeof request;
}

/* Waits for the answer. -1: the server is broken; else the errno it
 * answered, 0 with the new worker's pid and pidfd. */
static int
server_receive_reply (GPid *out_pid,
                      int  *out_pidfd)
{
  FyForkserverReply reply = { 0 };
  struct iovec iov = { &reply, sizeof reply };
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  struct pollfd pfd = { .fd = server_control_fd, .events = POLLIN };
  gint64 deadline = g_get_monotonic_time () + SERVER_REPLY_TIMEOUT_MS * 1000;
  int pidfd = -1;
  ssize_t n;

  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      int r;

      if (left <= 0)
        return -1;
      r = poll (&pfd, 1, (int) ((left + 999) / 1000));
      if (r > 0)
        break;
      if (r < 0 && errno != EINTR)
        return -1;
    }

  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buffer;
  msg.msg_controllen = sizeof control.buffer;
  do
    n = recvmsg (server_control_fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);

  cmsg = n > 0 ? CMSG_FIRSTHDR (&msg) : NULL;
  if (cmsg != NULL && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
      cmsg->cmsg_len == CMSG_LEN (sizeof (int)))
    memcpy (&pidfd, CMSG_DATA (cmsg), sizeof (int));

  if (n != sizeof reply || reply.magic != FY_FORKSERVER_MAGIC ||
      (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
      (reply.error == 0 && (pidfd < 0 || reply.pid <= 0)) ||
      (reply.error != 0 && pidfd >= 0))
    {
      if (pidfd >= 0)
        close (pidfd);
      return -1;
    }
  if (reply.error != 0)
    return reply.error;

  *out_pid = reply.pid;
  *out_pidfd = pidfd;
  return 0;
}

/* Whether workers come from the fork server when FORKYARD_FORKSERVER is
 * not set ("0" always spawns, anything else uses the fork server). It is
 * one more child of the application: code that counts its children as
 * workers leaves out fy_spawn_get_forkserver_pid (). */
#define FY_FORKSERVER_BY_DEFAULT TRUE

static gboolean
forkserver_wanted (void)
{
  const char *env = g_getenv ("FORKYARD_FORKSERVER");

  if (env == NULL || *env == '\0')
    return FY_FORKSERVER_BY_DEFAULT;
  return !g_str_equal (env, "0");
}

/* A worker from the fork server; FALSE when it cannot give one, and the
 * caller spawns the plain way. */
static gboolean
forkserver_spawn (const char *mode,
                  int         child_fd,
                  GPid       *out_pid,
                  int        *out_pidfd)
{
  gboolean ok = FALSE;
  int r;

  if (!forkserver_wanted () || strlen (mode) >= FY_FORKSERVER_MODE_MAX)
    return FALSE;

  pthread_mutex_lock (&server_lock);

  /* A forked copy of this process shares our fork server's socket, but
   * the server's children would not be its children. */
  if (spawner_owner != 0 && spawner_owner != getpid () && !server_disabled)
    {
      /* Our copies of its fds; the server is not ours to stop. */
      if (server_control_fd >= 0)
        close (server_control_fd);
      if (server_pidfd >= 0)
        close (server_pidfd);
      server_control_fd = server_pidfd = -1;
      server_pid = 0;
      server_disabled = TRUE;
    }

  if (server_disabled || !server_ensure ())
    goto out;

  if (!server_send_request (mode, child_fd))
    {
      /* Gone between the check and the send; the next request starts
       * another. */
      server_stop ();
      goto out;
    }

  r = server_receive_reply (out_pid, out_pidfd);
  if (r < 0)
    server_stop ();
  else if (r == ENOSYS)
    {
      g_debug ("The fork server cannot fork here; spawning workers instead");
      server_stop ();
      server_disabled = TRUE;
    }
  else if (r != 0)
    g_debug ("The fork server could not fork: %s", g_strerror (r));
  ok = r == 0;

out:
  pthread_mutex_unlock (&server_lock);
  return ok;
}

GPid
fy_spawn_get_forkserver_pid (void)
{
  GPid pid;

  pthread_mutex_lock (&server_lock);
  pid = spawner_owner == getpid () ? server_pid : 0;
  pthread_mutex_unlock (&server_lock);
  return pid;
}

gboolean
fy_spawn_worker (const char       *mode,
                 FySpawnedWorker  *out_worker,
                 GError          **error)
{
  int sv[2] = { -1, -1 };
  GPid pid = 0;
  int pidfd = -1;
  gboolean forked = FALSE;
  gboolean ok;

  g_return_val_if_fail (mode != NULL, FALSE);
  g_return_val_if_fail (out_worker != NULL, FALSE);

  if (!make_socketpair (sv, error))
    return FALSE;

  if (forkserver_spawn (mode, sv[1], &pid, &pidfd))
    ok = forked = TRUE;
  else
    {
      /* The server may have forked a worker on this channel before it
       * failed: give the plain one a channel of its own. */
      close (sv[0]);
      close (sv[1]);
      if (!make_socketpair (sv, error))
        return FALSE;
      ok = spawn_plain (mode, sv[1], FALSE, &pid, &pidfd, error);
    }

  close (sv[1]);
  if (!ok)
    {
      close (sv[0]);
      return FALSE;
    }

  out_worker->pid = pid;
  out_worker->pidfd = pidfd;
  out_worker->channel = fy_channel_new_from_fd (sv[0]);
  out_worker->from_forkserver = forked;
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
