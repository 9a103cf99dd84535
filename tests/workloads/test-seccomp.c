/* test-seccomp.c: what a decoding thread can no longer do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thread installs the resize workload's system call filter, then tries
 * what a decoder taken over by a crafted image would: make a socket, run
 * a program, trace or signal another process. Each attempt must fail with
 * EPERM, while signals to its own process still work and the other
 * threads are not filtered at all.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fy-seccomp.h"

typedef struct
{
  gboolean enforced;
  int      socket_errno;
  int      socketpair_errno;
  int      exec_errno;
  int      kill_parent_errno;
  int      kill_group_errno;
  int      ptrace_errno;
  int      pidfd_signal_errno;
  int      kill_self_errno;
  int      tgkill_self_errno;
} Probe;

/* errno of a call that returned -1, 0 when it succeeded. */
static int
outcome (long rc)
{
  return rc == -1 ? errno : 0;
}

static gpointer
filtered_thread (gpointer data)
{
  Probe *probe = data;
  g_autoptr(GError) error = NULL;
  char *const argv[] = { (char *) "probe", NULL };
  int pair[2];
  int fd;

  g_assert_true (fy_seccomp_restrict_thread (&probe->enforced, &error));
  g_assert_no_error (error);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  probe->socket_errno = outcome (fd);
  if (fd >= 0)
    close (fd);
  fd = socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair);
  probe->socketpair_errno = outcome (fd);
  if (fd == 0)
    {
      close (pair[0]);
      close (pair[1]);
    }
  /* A path that does not exist: unfiltered, this fails with ENOENT, and
   * the test process is never replaced. */
  probe->exec_errno = outcome (execve ("/nonexistent/forkyard-seccomp-probe", argv, argv + 1));
  /* Signal 0 only checks that the signal could be sent. */
  probe->kill_parent_errno = outcome (kill (getppid (), 0));
  probe->kill_group_errno = outcome (kill (0, 0));
  probe->ptrace_errno = outcome (ptrace (PTRACE_TRACEME, 0, NULL, NULL));
  probe->pidfd_signal_errno = outcome (syscall (SYS_pidfd_send_signal, -1, 0, NULL, 0));
  probe->kill_self_errno = outcome (kill (getpid (), 0));
  probe->tgkill_self_errno = outcome (syscall (SYS_tgkill, getpid (), syscall (SYS_gettid), 0));
  return NULL;
}

static void
test_decoder_thread_is_confined (void)
{
  Probe probe = { 0 };
  GThread *thread;
  int fd;

  thread = g_thread_new ("filtered", filtered_thread, &probe);
  g_thread_join (thread);

  if (!probe.enforced)
    {
      g_test_skip ("the kernel has no seccomp filters");
      return;
    }
  g_assert_cmpint (probe.socket_errno, ==, EPERM);
  g_assert_cmpint (probe.socketpair_errno, ==, EPERM);
  g_assert_cmpint (probe.exec_errno, ==, EPERM);
  g_assert_cmpint (probe.kill_parent_errno, ==, EPERM);
  g_assert_cmpint (probe.kill_group_errno, ==, EPERM);
  g_assert_cmpint (probe.ptrace_errno, ==, EPERM);
  g_assert_cmpint (probe.pidfd_signal_errno, ==, EPERM);
  /* raise () and abort () still work. */
  g_assert_cmpint (probe.kill_self_errno, ==, 0);
  g_assert_cmpint (probe.tgkill_self_errno, ==, 0);

  /* Only that thread was filtered. */
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_cmpint (kill (getppid (), 0), ==, 0);
  g_assert_cmpint (outcome (execve ("/nonexistent/forkyard-seccomp-probe",
                                    (char *const[]) { (char *) "probe", NULL },
                                    (char *const[]) { NULL })), ==, ENOENT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/workloads/sandbox/seccomp", test_decoder_thread_is_confined);

  return g_test_run ();
}
