/* test-spawn.c: starting workers, through the fork server and without it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every contract of fy_spawn_worker () is checked on both paths:
 * /core/spawn/forkserver/... with the fork server, /core/spawn/plain/...
 * with FORKYARD_FORKSERVER=0. The forkserver/ tests also check that each
 * worker really came from the fork server, and what is special about it.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "core/fy-lock.h"
#include "core/fy-pipe.h"
#include "core/fy-process.h"
#include "core/fy-spawn.h"

#include "fy-test-process.h"

#define FORKSERVER GINT_TO_POINTER (1)
#define PLAIN      GINT_TO_POINTER (0)

/* The fork server needs clone3 and PR_GET_TID_ADDRESS; a kernel without
 * them falls back to spawning, which the plain tests cover. */
static gboolean
forkserver_possible (void)
{
  pid_t *address = NULL;

  if (prctl (PR_GET_TID_ADDRESS, &address, 0, 0, 0) < 0)
    return FALSE;
  /* A NULL clone_args: EFAULT or EINVAL where clone3 exists. */
  return syscall (SYS_clone3, NULL, 0) < 0 && errno != ENOSYS;
}

/* Selects the path; FALSE when the test must be skipped. */
static gboolean
use_path (gconstpointer path)
{
  if (path == FORKSERVER && !forkserver_possible ())
    {
      g_test_skip ("no clone3 or PR_GET_TID_ADDRESS here");
      return FALSE;
    }
  g_setenv ("FORKYARD_FORKSERVER", path == FORKSERVER ? "1" : "0", TRUE);
  return TRUE;
}

/* A worker forked by the fork server starts as a copy of it (its name, its
 * /dev/null stdio) and sets itself up, then takes its own name: read its
 * state from /proc only after that. */
static void
wait_until_set_up (GPid pid)
{
  g_autofree char *comm_path = g_strdup_printf ("/proc/%d/comm", (int) pid);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *comm = NULL;

      g_assert_true (g_file_get_contents (comm_path, &comm, NULL, NULL));
      if (g_str_equal (g_strchomp (comm), "forkyard-worker"))
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

/* A worker in process mode that has been given its task, and @fd when it
 * is not -1. */
static FySpawnedWorker
start_task_with_fd (gconstpointer  path,
                    const char    *function,
                    GVariant      *argument,
                    int            fd)
{
  FySpawnedWorker worker = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) task = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;

  task = g_variant_ref_sink (g_variant_new ("(sv)", function,
                                            argument != NULL ? argument : g_variant_new ("()")));

  g_assert_true (fy_spawn_worker ("process", &worker, &error));
  g_assert_no_error (error);
  g_assert_cmpint (worker.pid, >, 0);
  g_assert_cmpint (worker.pidfd, >=, 0);
  g_assert_nonnull (worker.channel);
  g_assert_cmpint (worker.from_forkserver, ==, path == FORKSERVER);

  if (fd >= 0)
    {
      fd_list = g_unix_fd_list_new ();
      g_assert_cmpint (g_unix_fd_list_append (fd_list, fd, &error), ==, 0);
      g_assert_no_error (error);
    }
  g_assert_true (fy_channel_send (worker.channel, task, fd_list, &error));
  g_assert_no_error (error);
  return worker;
}

static FySpawnedWorker
start_task (gconstpointer  path,
            const char    *function,
            GVariant      *argument)
{
  return start_task_with_fd (path, function, argument, -1);
}

/* Reaps the worker; its exit code. */
static int
finish (FySpawnedWorker *worker)
{
  int code = G_MININT;

  g_assert_true (fy_spawn_reap (worker->pidfd, TRUE, &code));
  close (worker->pidfd);
  worker->pidfd = -1;
  g_clear_pointer (&worker->channel, fy_channel_unref);
  return code;
}

/* The value of a worker that answered (TRUE, value). */
static GVariant *
receive_result (FySpawnedWorker *worker)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) answer = fy_channel_receive (worker->channel, 60, NULL, &error);
  GVariant *value = NULL;
  gboolean ok = FALSE;

  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (answer, G_VARIANT_TYPE ("(bv)")));
  g_variant_get (answer, "(bv)", &ok, &value);
  g_assert_true (ok);
  return value;
}

/* The command name of PID, NULL when it is gone. */
static char *
proc_stat_name (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *open_paren;
  const char *close_paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  open_paren = strchr (contents, '(');
  close_paren = strrchr (contents, ')');
  g_assert_nonnull (open_paren);
  g_assert_nonnull (close_paren);
  return g_strndup (open_paren + 1, close_paren - open_paren - 1);
}

static gboolean
proc_stat (GPid  pid,
           char *out_state,
           GPid *out_ppid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *paren;
  char state = 0;
  int ppid = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  paren = strrchr (contents, ')');
  if (paren == NULL || sscanf (paren + 1, " %c %d", &state, &ppid) != 2)
    return FALSE;
  *out_state = state;
  *out_ppid = ppid;
  return TRUE;
}

/* Children of @parent: all of them (but our own fork server), or the
 * zombies only. */
static guint
count_children (GPid     parent,
                gboolean zombies_only)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  GPid server = fy_spawn_get_forkserver_pid ();
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      char state;
      GPid ppid;

      if (!g_ascii_isdigit (name[0]) || !proc_stat (atoi (name), &state, &ppid))
        continue;
      if (ppid != parent || (parent == getpid () && atoi (name) == server))
        continue;
      if (!zombies_only || state == 'Z')
        n++;
    }
  return n;
}

/* The child of @parent named fy-forkserver, or 0. */
static GPid
find_forkserver_of (GPid parent)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm = NULL;
      char state;
      GPid ppid;

      if (!g_ascii_isdigit (name[0]) || !proc_stat (atoi (name), &state, &ppid) || ppid != parent)
        continue;
      comm = proc_stat_name (atoi (name));
      if (g_strcmp0 (comm, "fy-forkserver") == 0 && state != 'Z')
        return atoi (name);
    }
  return 0;
}

/* Waits (with a generous bound) until @pidfd's process has exited. */
static gboolean
wait_exit (int    pidfd,
           double seconds)
{
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  int r;

  do
    r = poll (&pfd, 1, (int) (seconds * 1000));
  while (r < 0 && errno == EINTR);
  return r == 1 && (pfd.revents & POLLIN) != 0;
}

/* A "Sig...:" mask of /proc/PID/status. */
static guint64
proc_signal_mask (GPid        pid,
                  const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *line;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  line = strstr (contents, key);
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen (key), NULL, 16);
}

static void
test_exitcodes (gconstpointer path)
{
  const int signals[] = { SIGKILL, SIGTERM };
  FySpawnedWorker worker;

  if (!use_path (path))
    return;

  worker = start_task (path, "exit", g_variant_new_int32 (0));
  g_assert_cmpint (finish (&worker), ==, 0);
  worker = start_task (path, "exit", g_variant_new_int32 (3));
  g_assert_cmpint (finish (&worker), ==, 3);
  worker = start_task (path, "segv", NULL);
  g_assert_cmpint (finish (&worker), ==, -SIGSEGV);

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      worker = start_task (path, "sleep-ms", g_variant_new_uint32 (60000));
      g_assert_false (fy_spawn_reap (worker.pidfd, FALSE, NULL));
      g_assert_no_errno (pidfd_send_signal (worker.pidfd, signals[i], NULL, 0));
      g_assert_cmpint (finish (&worker), ==, -signals[i]);
    }
}

static void
test_result (gconstpointer path)
{
  g_autoptr(GVariant) value = NULL;
  FySpawnedWorker worker;

  if (!use_path (path))
    return;

  worker = start_task (path, "square", g_variant_new_int64 (-7));
  value = receive_result (&worker);
  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64));
  g_assert_cmpint (g_variant_get_int64 (value), ==, 49);
  g_assert_cmpint (finish (&worker), ==, 0);
}

/* The worker gets only stdio and its channel, an empty signal mask and
 * default dispositions, whatever the parent has open, blocked or ignored;
 * and it starts in the parent's directory and environment as they are
 * now, not as they were when a fork server started. */
static void
test_clean_inheritance (gconstpointer path)
{
  g_autoptr(GVariant) value = NULL;
  g_autofree char *old_dir = g_get_current_dir ();
  g_autofree char *new_dir = NULL;
  g_autofree char *token = NULL;
  g_autofree char *expected_env = NULL;
  g_autofree char *proc_path = NULL;
  g_autofree char *link = NULL;
  g_autofree char *our_stdout = NULL;
  g_autofree char *environment = NULL;
  struct sigaction ignore = { .sa_handler = SIG_IGN };
  struct sigaction saved;
  sigset_t block, old_mask;
  FySpawnedWorker lister;
  FySpawnedWorker sleeper;
  const gint32 *fds;
  gsize n_fds = 0;
  gsize env_len = 0;
  gboolean env_found = FALSE;
  int leaky;

  if (!use_path (path))
    return;

  /* Start a fork server (on its path) before changing anything. */
  lister = start_task (path, "exit", g_variant_new_int32 (0));
  g_assert_cmpint (finish (&lister), ==, 0);

  /* An fd without close-on-exec, as careless code elsewhere might open;
   * SIGTERM ignored and blocked; another directory; a new variable. */
  leaky = fcntl (STDERR_FILENO, F_DUPFD, 10);
  g_assert_cmpint (leaky, >=, 10);
  g_assert_no_errno (sigaction (SIGTERM, &ignore, &saved));
  sigemptyset (&block);
  sigaddset (&block, SIGTERM);
  sigaddset (&block, SIGUSR1);
  g_assert_no_errno (sigprocmask (SIG_BLOCK, &block, &old_mask));
  new_dir = g_dir_make_tmp ("fy-spawn-XXXXXX", NULL);
  g_assert_nonnull (new_dir);
  g_assert_no_errno (g_chdir (new_dir));
  token = g_strdup_printf ("%08x", g_random_int ());
  g_setenv ("FY_TEST_SPAWN_TOKEN", token, TRUE);

  lister = start_task (path, "list-fds", NULL);
  sleeper = start_task (path, "sleep-ms", g_variant_new_uint32 (60000));
  wait_until_set_up (sleeper.pid);

  g_assert_no_errno (g_chdir (old_dir));
  g_assert_no_errno (sigprocmask (SIG_SETMASK, &old_mask, NULL));
  g_assert_no_errno (sigaction (SIGTERM, &saved, NULL));
  close (leaky);

  value = receive_result (&lister);
  fds = g_variant_get_fixed_array (value, &n_fds, sizeof (gint32));
  g_assert_cmpuint (n_fds, ==, 4);
  for (guint i = 0; i < n_fds; i++)
    g_assert_cmpint (fds[i], ==, (int) i);
  g_assert_cmpint (finish (&lister), ==, 0);

  /* Nothing blocked; nothing ignored but the SIGPIPE the worker ignores
   * itself and glibc's two internal signals (32, 33), which its
   * posix_spawn leaves ignored and its sigaction cannot reset. */
  g_assert_cmpuint (proc_signal_mask (sleeper.pid, "SigBlk"), ==, 0);
  g_assert_cmpuint (proc_signal_mask (sleeper.pid, "SigIgn") &
                    ~((G_GUINT64_CONSTANT (1) << (SIGPIPE - 1)) | (G_GUINT64_CONSTANT (3) << 31)),
                    ==, 0);

  proc_path = g_strdup_printf ("/proc/%d/cwd", (int) sleeper.pid);
  link = g_file_read_link (proc_path, NULL);
  g_assert_cmpstr (link, ==, new_dir);
  g_clear_pointer (&proc_path, g_free);
  g_clear_pointer (&link, g_free);

  proc_path = g_strdup_printf ("/proc/%d/fd/1", (int) sleeper.pid);
  link = g_file_read_link (proc_path, NULL);
  our_stdout = g_file_read_link ("/proc/self/fd/1", NULL);
  g_assert_nonnull (link);
  g_assert_cmpstr (link, ==, our_stdout);
  g_clear_pointer (&proc_path, g_free);

  proc_path = g_strdup_printf ("/proc/%d/environ", (int) sleeper.pid);
  expected_env = g_strdup_printf ("FY_TEST_SPAWN_TOKEN=%s", token);
  /* Read until found, within a generous bound: what is checked is the
   * environment the worker runs with, not how soon /proc shows it. */
  for (guint attempt = 0; !env_found && attempt < 500; attempt++)
    {
      g_clear_pointer (&environment, g_free);
      g_assert_true (g_file_get_contents (proc_path, &environment, &env_len, NULL));
      for (gsize i = 0; i < env_len; i += strlen (environment + i) + 1)
        env_found |= g_str_equal (environment + i, expected_env);
      if (!env_found)
        g_usleep (10000);
    }
  g_assert_true (env_found);

  /* SIGTERM is deadly in the worker, though ignored here at its start. */
  g_assert_no_errno (pidfd_send_signal (sleeper.pidfd, SIGTERM, NULL, 0));
  g_assert_cmpint (finish (&sleeper), ==, -SIGTERM);

  g_unsetenv ("FY_TEST_SPAWN_TOKEN");
  g_assert_no_errno (g_rmdir (new_dir));
}

/* 100 starts and exits leave no fd and no child behind. */
static void
test_cycles (gconstpointer path)
{
  FySpawnedWorker worker;
  guint fds_before;

  if (!use_path (path))
    return;

  /* Warm up: whatever is opened once (the fork server's socket, GLib). */
  worker = start_task (path, "exit", g_variant_new_int32 (0));
  g_assert_cmpint (finish (&worker), ==, 0);
  fds_before = fy_test_count_open_fds ();

  for (guint i = 0; i < 100; i++)
    {
      worker = start_task (path, i % 2 ? "exit" : "segv",
                           i % 2 ? g_variant_new_int32 (i % 7) : NULL);
      g_assert_cmpint (finish (&worker), ==, i % 2 ? (int) (i % 7) : -SIGSEGV);
    }

  g_assert_cmpuint (fy_test_count_open_fds (), ==, fds_before);
  g_assert_cmpuint (count_children (getpid (), FALSE), ==, 0);
}

/* A worker SIGKILLed while it holds a robust lock: the next acquirer
 * recovers it. For a forked worker this needs glibc's thread id and
 * robust list fixed up after the raw clone. */
static void
test_dead_lock_owner (gconstpointer path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyLock) lock = NULL;
  FySpawnedWorker holder;
  gint64 start;

  if (!use_path (path))
    return;

  lock = fy_lock_new (NULL, &error);
  g_assert_no_error (error);
  holder = start_task_with_fd (path, "ipc-lock-hold", NULL, fy_lock_get_fd (lock));

  start = g_get_monotonic_time ();
  while (fy_lock_get_holder (lock) != holder.pid)
    {
      g_assert_cmpfloat (fy_test_seconds_since (start), <, 60);
      g_usleep (1000);
    }
  g_assert_false (fy_lock_acquire (lock, 0.05, &error));
  g_assert_error (error, FY_LOCK_ERROR, FY_LOCK_ERROR_TIMED_OUT);
  g_clear_error (&error);

  g_assert_no_errno (pidfd_send_signal (holder.pidfd, SIGKILL, NULL, 0));
  g_assert_cmpint (finish (&holder), ==, -SIGKILL);

  g_assert_true (fy_lock_acquire (lock, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fy_lock_get_holder (lock), ==, getpid ());
  g_assert_true (fy_lock_release (lock, &error));
  g_assert_no_error (error);
}

/* A worker whose parent is SIGKILLed dies with it, and so do the fork
 * server it started and the grandchild that server forked. */
static void
test_parent_death (gconstpointer path)
{
  g_autoptr(FyPipe) reader = NULL;
  g_autoptr(FyPipe) writer = NULL;
  g_autoptr(FyProcess) middle = NULL;
  g_autoptr(GVariant) message = NULL;
  g_autoptr(GError) error = NULL;
  GPid grandchild;
  GPid middle_server;
  GPid ppid = 0;
  char state;
  gint64 start;
  int grandchild_fd;
  int server_fd = -1;
  int code = 0;

  if (!use_path (path))
    return;

  g_assert_true (fy_pipe_new_pair (FALSE, &reader, &writer, &error));
  middle = fy_test_spawn ("spawn-grandchild", g_variant_new_uint32 (60000),
                          fy_pipe_get_fd (writer), -1);
  fy_pipe_close (writer);

  message = fy_pipe_recv (reader, 60.0, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (message, G_VARIANT_TYPE_INT32));
  grandchild = g_variant_get_int32 (message);
  g_assert_cmpint (grandchild, >, 0);
  g_assert_true (proc_stat (grandchild, &state, &ppid));
  g_assert_cmpint (ppid, ==, fy_process_get_pid (middle));

  /* The middle worker inherited the switch: it has a fork server exactly
   * when we use one. */
  middle_server = find_forkserver_of (fy_process_get_pid (middle));
  if (path == FORKSERVER)
    {
      g_assert_cmpint (middle_server, >, 0);
      server_fd = pidfd_open (middle_server, 0);
      g_assert_cmpint (server_fd, >=, 0);
    }
  else
    g_assert_cmpint (middle_server, ==, 0);

  grandchild_fd = pidfd_open (grandchild, 0);
  g_assert_cmpint (grandchild_fd, >=, 0);
  g_assert_no_errno (pidfd_send_signal (grandchild_fd, 0, NULL, 0));

  g_assert_true (fy_process_kill (middle, &error));
  start = g_get_monotonic_time ();
  g_assert_true (fy_process_join (middle, 60, &error));
  g_assert_true (fy_process_get_exitcode (middle, &code));
  g_assert_cmpint (code, ==, -SIGKILL);

  g_assert_true (wait_exit (grandchild_fd, 10));
  if (server_fd >= 0)
    g_assert_true (wait_exit (server_fd, 10));
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 2.0);

  close (grandchild_fd);
  if (server_fd >= 0)
    close (server_fd);
}

/* A worker from the fork server is our child, not the server's: its
 * parent pid is ours and waitid (P_PIDFD) reaps it here. */
static void
test_forkserver_child_of_app (void)
{
  FySpawnedWorker worker;
  siginfo_t info;
  GPid server;
  GPid ppid = 0;
  char state;

  if (!use_path (FORKSERVER))
    return;

  worker = start_task (FORKSERVER, "sleep-ms", g_variant_new_uint32 (60000));
  server = fy_spawn_get_forkserver_pid ();
  g_assert_cmpint (server, >, 0);
  g_assert_cmpint (server, !=, worker.pid);
  g_assert_true (proc_stat (worker.pid, &state, &ppid));
  g_assert_cmpint (ppid, ==, getpid ());
  g_assert_true (proc_stat (server, &state, &ppid));
  g_assert_cmpint (ppid, ==, getpid ());

  g_assert_no_errno (pidfd_send_signal (worker.pidfd, SIGKILL, NULL, 0));
  memset (&info, 0, sizeof info);
  g_assert_no_errno (waitid (P_PIDFD, worker.pidfd, &info, WEXITED));
  g_assert_cmpint (info.si_pid, ==, worker.pid);
  g_assert_cmpint (info.si_code, ==, CLD_KILLED);
  g_assert_cmpint (info.si_status, ==, SIGKILL);
  close (worker.pidfd);
  g_clear_pointer (&worker.channel, fy_channel_unref);

  worker = start_task (FORKSERVER, "exit", g_variant_new_int32 (7));
  memset (&info, 0, sizeof info);
  g_assert_no_errno (waitid (P_PIDFD, worker.pidfd, &info, WEXITED));
  g_assert_cmpint (info.si_pid, ==, worker.pid);
  g_assert_cmpint (info.si_code, ==, CLD_EXITED);
  g_assert_cmpint (info.si_status, ==, 7);
  close (worker.pidfd);
  g_clear_pointer (&worker.channel, fy_channel_unref);

  /* Only the fork server is left. */
  g_assert_cmpuint (count_children (getpid (), FALSE), ==, 0);
}

/* A fork server that someone kills is reaped and replaced at the next
 * request, which still gets a forked worker. */
static void
test_forkserver_respawn (void)
{
  g_autoptr(GVariant) value = NULL;
  FySpawnedWorker worker;
  GPid first;
  GPid second;
  int server_fd;

  if (!use_path (FORKSERVER))
    return;

  worker = start_task (FORKSERVER, "exit", g_variant_new_int32 (0));
  g_assert_cmpint (finish (&worker), ==, 0);
  first = fy_spawn_get_forkserver_pid ();
  g_assert_cmpint (first, >, 0);

  server_fd = pidfd_open (first, 0);
  g_assert_cmpint (server_fd, >=, 0);
  g_assert_no_errno (pidfd_send_signal (server_fd, SIGKILL, NULL, 0));
  g_assert_true (wait_exit (server_fd, 10));
  close (server_fd);

  worker = start_task (FORKSERVER, "square", g_variant_new_int64 (6));
  value = receive_result (&worker);
  g_assert_cmpint (g_variant_get_int64 (value), ==, 36);
  g_assert_cmpint (finish (&worker), ==, 0);

  second = fy_spawn_get_forkserver_pid ();
  g_assert_cmpint (second, >, 0);
  g_assert_cmpint (second, !=, first);
  /* The dead one was reaped, not left a zombie. */
  g_assert_cmpuint (count_children (getpid (), TRUE), ==, 0);
}

/* The fork server ends when its parent is SIGKILLed: a child process that
 * starts one, reports its pid and kills itself. */
static void
test_forkserver_dies_with_parent (void)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  GPid server;
  int server_fd;

  if (!use_path (FORKSERVER))
    return;

  if (g_test_subprocess ())
    {
      const char *pid_file = g_getenv ("FY_TEST_SPAWN_PID_FILE");
      FySpawnedWorker worker = start_task (FORKSERVER, "exit", g_variant_new_int32 (0));
      g_autofree char *text = NULL;

      g_assert_cmpint (finish (&worker), ==, 0);
      text = g_strdup_printf ("%d", (int) fy_spawn_get_forkserver_pid ());
      g_assert_nonnull (pid_file);
      g_assert_true (g_file_set_contents (pid_file, text, -1, NULL));
      raise (SIGKILL);
      return;
    }

  path = g_build_filename (g_get_tmp_dir (), "forkserver-pid", NULL);
  g_setenv ("FY_TEST_SPAWN_PID_FILE", path, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();

  g_unsetenv ("FY_TEST_SPAWN_PID_FILE");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_no_errno (g_unlink (path));
  server = atoi (contents);
  g_assert_cmpint (server, >, 0);
  g_assert_cmpint (server, !=, getpid ());

  /* Already gone and reaped (by init) or about to be. */
  server_fd = pidfd_open (server, 0);
  if (server_fd >= 0)
    {
      g_assert_true (wait_exit (server_fd, 10));
      close (server_fd);
    }
  else
    g_assert_cmpint (errno, ==, ESRCH);
}

static void
add_both (const char    *name,
          GTestDataFunc  func)
{
  g_autofree char *forkserver = g_strdup_printf ("/core/spawn/forkserver/%s", name);
  g_autofree char *plain = g_strdup_printf ("/core/spawn/plain/%s", name);

  g_test_add_data_func (forkserver, FORKSERVER, func);
  g_test_add_data_func (plain, PLAIN, func);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* FyProcess keeps spare workers started on whichever path was in use:
   * none here, so each test starts on its own. */
  fy_process_set_spare_workers (0);

  add_both ("exitcodes", test_exitcodes);
  add_both ("result", test_result);
  add_both ("clean-inheritance", test_clean_inheritance);
  add_both ("cycles", test_cycles);
  add_both ("dead-lock-owner", test_dead_lock_owner);
  add_both ("parent-death", test_parent_death);
  g_test_add_func ("/core/spawn/forkserver/child-of-app", test_forkserver_child_of_app);
  g_test_add_func ("/core/spawn/forkserver/respawn", test_forkserver_respawn);
  g_test_add_func ("/core/spawn/forkserver/dies-with-parent", test_forkserver_dies_with_parent);

  return g_test_run ();
}
