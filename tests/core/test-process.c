/* test-process.c: FyProcess against what CPython's tests ask of Process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "core/fy-pipe.h"
#include "core/fy-process.h"
#include "core/fy-spawn.h"

#include "fy-test-process.h"

static FyProcess *
start_process (const char *function,
               GVariant   *argument)
{
  g_autoptr(GError) error = NULL;
  FyProcess *process = fy_process_new (function, argument);

  g_assert_true (fy_process_start (process, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fy_process_get_pid (process), >, 0);
  return process;
}

static int
run_to_exit (const char *function,
             GVariant   *argument)
{
  g_autoptr(FyProcess) process = start_process (function, argument);
  g_autoptr(GError) error = NULL;
  int code = G_MININT;

  g_assert_true (fy_process_join (process, -1, &error));
  g_assert_no_error (error);
  g_assert_false (fy_process_is_alive (process));
  g_assert_true (fy_process_get_exitcode (process, &code));
  return code;
}

static void
test_join_zero (void)
{
  g_autoptr(FyProcess) process = start_process ("sleep-ms", g_variant_new_uint32 (30000));
  g_autoptr(GError) error = NULL;
  gint64 start;
  int code = 12345;

  /* No exit code before it exits. */
  g_assert_false (fy_process_get_exitcode (process, &code));
  g_assert_cmpint (code, ==, 12345);

  start = g_get_monotonic_time ();
  g_assert_false (fy_process_join (process, 0, &error));
  g_assert_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_TIMED_OUT);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 1.0);
  g_assert_true (fy_process_is_alive (process));
  g_assert_true (fy_process_is_alive (process));
  g_assert_false (fy_process_get_exitcode (process, NULL));
  g_clear_error (&error);

  g_assert_true (fy_process_terminate (process, &error));
  g_assert_true (fy_process_join (process, -1, &error));
  g_assert_no_error (error);
  g_assert_true (fy_process_get_exitcode (process, &code));
  g_assert_cmpint (code, ==, -SIGTERM);
}

static void
test_timed_join (void)
{
  g_autoptr(FyProcess) process = start_process ("sleep-ms", g_variant_new_uint32 (30000));
  g_autoptr(GError) error = NULL;
  gint64 start;
  double elapsed;
  int code = 0;

  start = g_get_monotonic_time ();
  g_assert_false (fy_process_join (process, 0.2, &error));
  elapsed = fy_test_seconds_since (start);
  g_assert_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_TIMED_OUT);
  g_assert_cmpfloat (elapsed, >=, 0.19);
  g_assert_cmpfloat (elapsed, <, 3.0);
  g_assert_true (fy_process_is_alive (process));
  g_clear_error (&error);

  /* A timed join of a child that does exit in time returns TRUE. */
  g_assert_true (fy_process_kill (process, &error));
  g_assert_true (fy_process_join (process, 10.0, &error));
  g_assert_no_error (error);
  g_assert_true (fy_process_get_exitcode (process, &code));
  g_assert_cmpint (code, ==, -SIGKILL);
}

static void
test_exitcodes (void)
{
  g_autoptr(FyProcess) process = NULL;
  g_autoptr(GError) error = NULL;
  int code = 0;

  g_assert_cmpint (run_to_exit ("exit", g_variant_new_int32 (8)), ==, 8);
  g_assert_cmpint (run_to_exit ("exit", g_variant_new_int32 (0)), ==, 0);
  g_assert_cmpint (run_to_exit ("segv", NULL), ==, -SIGSEGV);
  g_assert_cmpint (run_to_exit ("abort", NULL), ==, -SIGABRT);
  g_assert_cmpint (run_to_exit ("fail", g_variant_new_string ("no luck")), ==, 1);
  g_assert_cmpint (run_to_exit ("no-such-function", NULL), ==, 1);
  /* The argument type is checked before the function runs. */
  g_assert_cmpint (run_to_exit ("square", g_variant_new_string ("7")), ==, 1);

  /* terminate and kill of a running child. */
  process = start_process ("sleep-ms", g_variant_new_uint32 (30000));
  g_assert_true (fy_process_terminate (process, &error));
  g_assert_true (fy_process_join (process, -1, &error));
  g_assert_true (fy_process_get_exitcode (process, &code));
  g_assert_cmpint (code, ==, -SIGTERM);
  /* Signalling a process that has exited is harmless, as in Python. */
  g_assert_true (fy_process_kill (process, &error));
  g_assert_no_error (error);
  g_clear_object (&process);

  process = start_process ("ignore-sigterm", g_variant_new_uint32 (30000));
  g_assert_true (fy_process_kill (process, &error));
  g_assert_true (fy_process_join (process, -1, &error));
  g_assert_true (fy_process_get_exitcode (process, &code));
  g_assert_cmpint (code, ==, -SIGKILL);
}

static void
test_result (void)
{
  g_autoptr(FyProcess) process = start_process ("square", g_variant_new_int64 (7));
  g_autoptr(FyProcess) failing = start_process ("fail", g_variant_new_string ("no luck"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;

  g_assert_true (fy_process_join (process, -1, &error));
  result = fy_process_get_result (process, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (result), ==, 49);

  g_assert_true (fy_process_join (failing, -1, &error));
  g_assert_null (fy_process_get_result (failing, &error));
  g_assert_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no luck"));
}

static void
test_start_twice (void)
{
  g_autoptr(FyProcess) process = start_process ("square", g_variant_new_int64 (3));
  g_autoptr(FyProcess) unstarted = fy_process_new ("square", g_variant_new_int64 (3));
  g_autoptr(GError) error = NULL;

  g_assert_false (fy_process_start (process, &error));
  g_assert_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_ALREADY_STARTED);
  g_clear_error (&error);

  g_assert_false (fy_process_join (unstarted, 0, &error));
  g_assert_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&error);
  g_assert_false (fy_process_terminate (unstarted, &error));
  g_assert_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_NOT_STARTED);
  g_clear_error (&error);
  g_assert_false (fy_process_is_alive (unstarted));
  g_assert_cmpint (fy_process_get_pid (unstarted), ==, 0);
  g_assert_cmpint (fy_process_get_pidfd (unstarted), ==, -1);

  g_assert_true (fy_process_join (process, -1, &error));
  g_assert_no_error (error);
}

static void
test_close (void)
{
  g_autoptr(FyProcess) process = start_process ("sleep-ms", g_variant_new_uint32 (30000));
  g_autoptr(GError) error = NULL;

  g_assert_false (fy_process_close (process, &error));
  g_assert_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_STILL_RUNNING);
  g_clear_error (&error);
  g_assert_cmpint (fy_process_get_pidfd (process), >=, 0);

  g_assert_true (fy_process_kill (process, &error));
  g_assert_true (fy_process_join (process, -1, &error));
  g_assert_true (fy_process_close (process, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fy_process_get_pidfd (process), ==, -1);

  g_assert_false (fy_process_join (process, -1, &error));
  g_assert_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_CLOSED);
}

static void
test_terminate_many (void)
{
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  /* Terminated right after start, as CPython's test does: even a child
   * that has not reached main () yet must report -SIGTERM. */
  for (guint i = 0; i < 100; i++)
    {
      FyProcess *process = start_process ("sleep-ms", g_variant_new_uint32 (60000));

      g_ptr_array_add (processes, process);
      g_assert_true (fy_process_terminate (process, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < processes->len; i++)
    {
      FyProcess *process = processes->pdata[i];
      int code = 0;

      g_assert_true (fy_process_join (process, 30.0, &error));
      g_assert_no_error (error);
      g_assert_true (fy_process_get_exitcode (process, &code));
      g_assert_cmpint (code, ==, -SIGTERM);
    }
}

static gboolean
wait_for_state (GPid     pid,
                gboolean stopped)
{
  gint64 start = g_get_monotonic_time ();

  while (fy_test_seconds_since (start) < 10.0)
    {
      if ((fy_test_proc_state (pid) == 'T') == stopped)
        return TRUE;
      g_usleep (2000);
    }
  return FALSE;
}

static void
test_stop_continue (void)
{
  g_autoptr(FyProcess) process = start_process ("spin-ms", g_variant_new_uint32 (30000));
  g_autoptr(GError) error = NULL;
  GPid pid = fy_process_get_pid (process);
  int code = 0;

  g_assert_true (wait_for_state (pid, FALSE));

  g_assert_true (fy_process_stop (process, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for_state (pid, TRUE));
  /* A stopped child is alive, and a join does not mistake it for exited. */
  g_assert_true (fy_process_is_alive (process));
  g_assert_false (fy_process_join (process, 0.05, NULL));

  g_assert_true (fy_process_continue (process, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for_state (pid, FALSE));
  g_assert_true (fy_process_is_alive (process));

  g_assert_true (fy_process_kill (process, &error));
  g_assert_true (fy_process_join (process, -1, &error));
  g_assert_true (fy_process_get_exitcode (process, &code));
  g_assert_cmpint (code, ==, -SIGKILL);
}

static void
test_daemon_dispose (void)
{
  FyProcess *process = fy_process_new ("sleep-ms", g_variant_new_uint32 (60000));
  g_autoptr(GError) error = NULL;
  gint64 start;
  int pidfd;

  fy_process_set_daemon (process, TRUE);
  g_assert_true (fy_process_get_daemon (process));
  g_assert_true (fy_process_start (process, &error));
  g_assert_no_error (error);

  /* Our own copy of the pidfd says whether the process still exists after
   * the object (and its pidfd) are gone; unlike a pid it cannot be reused. */
  pidfd = fcntl (fy_process_get_pidfd (process), F_DUPFD_CLOEXEC, 3);
  g_assert_cmpint (pidfd, >=, 0);
  g_assert_no_errno (pidfd_send_signal (pidfd, 0, NULL, 0));

  start = g_get_monotonic_time ();
  g_object_unref (process);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 5.0);

  g_assert_cmpint (pidfd_send_signal (pidfd, 0, NULL, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
  close (pidfd);
}

static void
test_nondaemon_dispose_joins (void)
{
  FyProcess *process = start_process ("sleep-ms", g_variant_new_uint32 (200));
  gint64 start = g_get_monotonic_time ();

  /* Disposing a non-daemon waits for it instead of killing it. */
  g_object_unref (process);
  g_assert_cmpfloat (fy_test_seconds_since (start), >=, 0.05);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 10.0);
}

typedef struct
{
  GMainLoop *loop;
  int        exitcode;
  guint      n_emissions;
  GThread   *thread;
} ExitedData;

static void
exited_cb (FyProcess  *process,
           int         exitcode,
           ExitedData *data)
{
  data->exitcode = exitcode;
  data->n_emissions++;
  data->thread = g_thread_self ();
  g_main_loop_quit (data->loop);
}

static gboolean
give_up_cb (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

static void
test_exited_signal (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(FyProcess) process = fy_process_new ("exit", g_variant_new_int32 (3));
  g_autoptr(FyProcess) killed = fy_process_new ("sleep-ms", g_variant_new_uint32 (60000));
  g_autoptr(GError) error = NULL;
  ExitedData data = { loop, 0, 0, NULL };
  guint give_up;

  give_up = g_timeout_add_seconds (20, give_up_cb, NULL);

  g_signal_connect (process, "exited", G_CALLBACK (exited_cb), &data);
  g_assert_true (fy_process_start (process, &error));
  g_main_loop_run (loop);
  g_assert_cmpuint (data.n_emissions, ==, 1);
  g_assert_cmpint (data.exitcode, ==, 3);
  g_assert_true (data.thread == g_thread_self ());

  /* Emitted once even when join () reaped the child first. */
  data.n_emissions = 0;
  g_signal_connect (killed, "exited", G_CALLBACK (exited_cb), &data);
  g_assert_true (fy_process_start (killed, &error));
  g_assert_true (fy_process_kill (killed, &error));
  g_assert_true (fy_process_join (killed, -1, &error));
  g_main_loop_run (loop);
  g_assert_cmpuint (data.n_emissions, ==, 1);
  g_assert_cmpint (data.exitcode, ==, -SIGKILL);

  /* Nothing more comes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (data.n_emissions, ==, 1);

  g_source_remove (give_up);
}

/* Children of ours that have exited but were never reaped. */
static guint
count_zombie_children (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      const char *paren;
      char state = 0;
      int ppid = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      paren = strrchr (contents, ')');
      if (paren == NULL || sscanf (paren + 1, " %c %d", &state, &ppid) != 2)
        continue;
      if (ppid == getpid () && state == 'Z')
        n++;
    }
  return n;
}

static void
test_no_leaks (void)
{
  g_autoptr(GError) error = NULL;
  guint fds_before;

  /* Warm up whatever GLib opens once (the worker path, type system). */
  g_assert_cmpint (run_to_exit ("exit", g_variant_new_int32 (0)), ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  fds_before = fy_test_count_open_fds ();

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(FyProcess) process = fy_process_new (i % 2 ? "exit" : "segv",
                                                     i % 2 ? g_variant_new_int32 (i % 7) : NULL);
      int code = 0;

      g_assert_true (fy_process_start (process, &error));
      g_assert_no_error (error);
      g_assert_true (fy_process_join (process, -1, &error));
      g_assert_true (fy_process_get_exitcode (process, &code));
      g_assert_cmpint (code, ==, i % 2 ? (int) (i % 7) : -SIGSEGV);
      /* Some are closed explicitly, the rest only disposed. */
      if (i % 3 == 0)
        g_assert_true (fy_process_close (process, &error));
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_cmpuint (count_zombie_children (), ==, 0);
  g_assert_cmpuint (fy_test_count_open_fds (), ==, fds_before);
}

/* Idle spare workers that someone kills are noticed, reaped and replaced:
 * the next start still runs its function. */
static void
test_dead_spares (void)
{
  g_autoptr(FyProcess) first = NULL;
  g_autoptr(FyProcess) second = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_killed = 0;

  fy_process_set_spare_workers (2);
  first = start_process ("square", g_variant_new_int64 (2));
  g_assert_true (fy_process_join (first, -1, &error));
  g_clear_object (&first);

  dir = g_dir_open ("/proc", 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      const char *paren;
      char state = 0;
      int ppid = 0;
      int pidfd;
      struct pollfd pfd;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      paren = strrchr (contents, ')');
      if (paren == NULL || sscanf (paren + 1, " %c %d", &state, &ppid) != 2 || ppid != getpid ())
        continue;
      /* The fork server is a child too, but no spare. */
      if (atoi (name) == fy_spawn_get_forkserver_pid ())
        continue;

      /* Wait for it to die, without reaping it: that is FyProcess's job. */
      pidfd = pidfd_open (atoi (name), 0);
      g_assert_cmpint (pidfd, >=, 0);
      g_assert_no_errno (pidfd_send_signal (pidfd, SIGKILL, NULL, 0));
      pfd.fd = pidfd;
      pfd.events = POLLIN;
      pfd.revents = 0;
      while (poll (&pfd, 1, 10000) < 0 && errno == EINTR)
        ;
      g_assert_cmpint (pfd.revents & POLLIN, !=, 0);
      close (pidfd);
      n_killed++;
    }
  g_assert_cmpuint (n_killed, ==, 2);

  second = start_process ("square", g_variant_new_int64 (9));
  g_assert_true (fy_process_join (second, -1, &error));
  result = fy_process_get_result (second, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (result), ==, 81);
  g_assert_cmpuint (count_zombie_children (), ==, 0);
}

/* Whatever the parent has open or has done to its signals stays out of the
 * worker: it sees only stdio and its channel, and default signals. */
static void
test_clean_inheritance (void)
{
  g_autoptr(FyProcess) lister = NULL;
  g_autoptr(FyProcess) sleeper = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  struct sigaction ignore = { .sa_handler = SIG_IGN };
  struct sigaction saved;
  sigset_t block, old_mask;
  const gint32 *fds;
  gsize n_fds = 0;
  int leaky;
  int code = 0;

  /* An fd without close-on-exec, as careless code elsewhere might open. */
  leaky = fcntl (STDERR_FILENO, F_DUPFD, 10);
  g_assert_cmpint (leaky, >=, 10);

  lister = start_process ("list-fds", NULL);
  g_assert_true (fy_process_join (lister, -1, &error));
  result = fy_process_get_result (lister, &error);
  g_assert_no_error (error);
  fds = g_variant_get_fixed_array (result, &n_fds, sizeof (gint32));
  g_assert_cmpuint (n_fds, ==, 4);
  for (guint i = 0; i < n_fds; i++)
    g_assert_cmpint (fds[i], ==, (int) i);
  close (leaky);

  /* SIGTERM ignored and blocked here: still deadly in the worker. The
   * spares were spawned before, so start cold. */
  fy_process_set_spare_workers (0);
  g_assert_no_errno (sigaction (SIGTERM, &ignore, &saved));
  sigemptyset (&block);
  sigaddset (&block, SIGTERM);
  g_assert_no_errno (sigprocmask (SIG_BLOCK, &block, &old_mask));

  sleeper = start_process ("sleep-ms", g_variant_new_uint32 (30000));

  g_assert_no_errno (sigprocmask (SIG_SETMASK, &old_mask, NULL));
  g_assert_no_errno (sigaction (SIGTERM, &saved, NULL));
  fy_process_set_spare_workers (2);

  g_assert_true (fy_process_terminate (sleeper, &error));
  g_assert_true (fy_process_join (sleeper, 30.0, &error));
  g_assert_no_error (error);
  g_assert_true (fy_process_get_exitcode (sleeper, &code));
  g_assert_cmpint (code, ==, -SIGTERM);
}

static void
test_parent_death (void)
{
  g_autoptr(FyPipe) reader = NULL;
  g_autoptr(FyPipe) writer = NULL;
  g_autoptr(FyProcess) middle = fy_process_new ("spawn-grandchild", g_variant_new_uint32 (60000));
  g_autoptr(GVariant) message = NULL;
  g_autoptr(GError) error = NULL;
  struct pollfd pfd;
  GPid grandchild;
  gint64 start;
  int pidfd;
  int code = 0;

  g_assert_true (fy_pipe_new_pair (FALSE, &reader, &writer, &error));
  fy_process_add_fd (middle, fy_pipe_get_fd (writer));
  fy_pipe_close (writer);
  g_assert_true (fy_process_start (middle, &error));
  g_assert_no_error (error);

  message = fy_pipe_recv (reader, 30.0, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (message, G_VARIANT_TYPE_INT32));
  grandchild = g_variant_get_int32 (message);
  g_assert_cmpint (grandchild, >, 0);
  g_assert_cmpint (grandchild, !=, fy_process_get_pid (middle));

  /* The grandchild is still running, as long as its parent does. */
  pidfd = pidfd_open (grandchild, 0);
  g_assert_cmpint (pidfd, >=, 0);
  g_assert_no_errno (pidfd_send_signal (pidfd, 0, NULL, 0));

  g_assert_true (fy_process_kill (middle, &error));
  start = g_get_monotonic_time ();
  g_assert_true (fy_process_join (middle, -1, &error));
  g_assert_true (fy_process_get_exitcode (middle, &code));
  g_assert_cmpint (code, ==, -SIGKILL);

  /* A pidfd becomes readable when its process exits. */
  pfd.fd = pidfd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  while (poll (&pfd, 1, 1000) < 0 && errno == EINTR)
    ;
  g_assert_cmpint (pfd.revents & POLLIN, !=, 0);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 1.5);
  close (pidfd);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/process/join-zero", test_join_zero);
  g_test_add_func ("/core/process/timed-join", test_timed_join);
  g_test_add_func ("/core/process/exitcodes", test_exitcodes);
  g_test_add_func ("/core/process/result", test_result);
  g_test_add_func ("/core/process/start-twice", test_start_twice);
  g_test_add_func ("/core/process/close", test_close);
  g_test_add_func ("/core/process/terminate-many", test_terminate_many);
  g_test_add_func ("/core/process/stop-continue", test_stop_continue);
  g_test_add_func ("/core/process/daemon-dispose", test_daemon_dispose);
  g_test_add_func ("/core/process/nondaemon-dispose-joins", test_nondaemon_dispose_joins);
  g_test_add_func ("/core/process/exited-signal", test_exited_signal);
  g_test_add_func ("/core/process/no-leaks", test_no_leaks);
  g_test_add_func ("/core/process/dead-spares", test_dead_spares);
  g_test_add_func ("/core/process/clean-inheritance", test_clean_inheritance);
  g_test_add_func ("/core/process/parent-death", test_parent_death);

  return g_test_run ();
}
