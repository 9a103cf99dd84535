/* fy-seccomp.c: a classic BPF seccomp filter, written out by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian 12 ships libseccomp, but the filter is a dozen comparisons: it is
 * spelt out here with the kernel's own macros rather than adding a
 * dependency. The filter checks the architecture first, since system call
 * numbers differ between ABIs (and x86-64's x32 numbers would bypass a
 * check of the 64-bit ones).
 */

#include "config.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>

#include "fy-seccomp.h"
#include "fy-workload-error.h"

#if defined(__x86_64__)
# define FY_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
# define FY_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef FY_AUDIT_ARCH

#define X32_SYSCALL_BIT 0x40000000u

/* The low 32 bits of argument @n (pid_t is an int; little-endian). */
#define ARG_LOW(n) (offsetof (struct seccomp_data, args) + (n) * sizeof (guint64))

#define LOAD(field)        BPF_STMT (BPF_LD | BPF_W | BPF_ABS, (field))
#define DENY_IF_NR(nr)     BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                           BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
#define RETURN(action)     BPF_STMT (BPF_RET | BPF_K, (action))

gboolean
fy_seccomp_restrict_thread (gboolean  *out_enforced,
                            GError   **error)
{
  guint32 self = (guint32) getpid ();
  struct sock_filter filter[] = {
    /* Another ABI's numbers mean other calls: refuse them all. */
    LOAD (offsetof (struct seccomp_data, arch)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, FY_AUDIT_ARCH, 1, 0),
    RETURN (SECCOMP_RET_ERRNO | EPERM),
    LOAD (offsetof (struct seccomp_data, nr)),
#if defined(__x86_64__)
    BPF_JUMP (BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1),
    RETURN (SECCOMP_RET_ERRNO | EPERM),
#endif

    /* Signals: to this process only. kill (0 or -pgid) would reach the
     * parent through the process group. */
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_kill, 3, 0),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_tgkill, 2, 0),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigqueueinfo, 1, 0),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_tgsigqueueinfo, 0, 4),
    LOAD (ARG_LOW (0)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, self, 0, 1),
    RETURN (SECCOMP_RET_ALLOW),
    RETURN (SECCOMP_RET_ERRNO | EPERM),

    /* Everything else by number alone (nr is still loaded). */
    DENY_IF_NR (__NR_tkill),
    DENY_IF_NR (__NR_pidfd_send_signal),
    DENY_IF_NR (__NR_socket),
    DENY_IF_NR (__NR_socketpair),
    DENY_IF_NR (__NR_execve),
    DENY_IF_NR (__NR_execveat),
    DENY_IF_NR (__NR_ptrace),
    DENY_IF_NR (__NR_process_vm_readv),
    DENY_IF_NR (__NR_process_vm_writev),
    RETURN (SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = { .len = G_N_ELEMENTS (filter), .filter = filter };

  if (out_enforced != NULL)
    *out_enforced = FALSE;

  /* Without no_new_privs the kernel refuses the filter to the unprivileged;
   * set it here too, for the thread this runs on. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0)
    {
      int saved_errno = errno;

      /* A kernel built without seccomp filters. */
      if (saved_errno == ENOSYS)
        return TRUE;
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_SANDBOX,
                   "cannot install the system call filter: %s", g_strerror (saved_errno));
      return FALSE;
    }

  if (out_enforced != NULL)
    *out_enforced = TRUE;
  return TRUE;
}

#else /* !FY_AUDIT_ARCH */

gboolean
fy_seccomp_restrict_thread (gboolean  *out_enforced,
                            GError   **error)
{
  /* Only the architectures whose numbers are listed above are filtered. */
  if (out_enforced != NULL)
    *out_enforced = FALSE;
  return TRUE;
}

#endif
