/* fy-sandbox.c: no_new_privs, rlimits and Landlock through raw syscalls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian 12's libc has no Landlock wrappers and its kernel headers stop at
 * ABI 2, so the syscalls and the newer access bits are spelt out here; what
 * a running kernel does not know is simply not asked for.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>

#include "fy-sandbox.h"
#include "fy-workload-error.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
# define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
# define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
# define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
/* AddressSanitizer and ThreadSanitizer reserve terabytes of address space
 * for their shadow memory, so no RLIMIT_AS can hold a sanitized worker:
 * those builds keep every other limit and leave the address space alone. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
# define FY_SANITIZED_BUILD 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#  define FY_SANITIZED_BUILD 1
# endif
#endif
#ifndef FY_SANITIZED_BUILD
# define FY_SANITIZED_BUILD 0
#endif

#define FY_LANDLOCK_ACCESS_NET_BIND_TCP    (1ULL << 0)
#define FY_LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)

/* The ruleset attribute grew with the ABI; the kernel takes the size we
 * pass, so only the fields it knows are sent. */
typedef struct
{
  guint64 handled_access_fs;
  guint64 handled_access_net;
} FyLandlockRulesetAttr;

typedef struct __attribute__ ((packed))
{
  guint64 allowed_access;
  gint32  parent_fd;
} FyLandlockPathBeneathAttr;

#define ACCESS_DIR_READ  (LANDLOCK_ACCESS_FS_READ_FILE | \
                          LANDLOCK_ACCESS_FS_READ_DIR | \
                          LANDLOCK_ACCESS_FS_EXECUTE)
#define ACCESS_DIR_WRITE (LANDLOCK_ACCESS_FS_READ_FILE | \
                          LANDLOCK_ACCESS_FS_READ_DIR | \
                          LANDLOCK_ACCESS_FS_WRITE_FILE | \
                          LANDLOCK_ACCESS_FS_MAKE_REG | \
                          LANDLOCK_ACCESS_FS_REMOVE_FILE | \
                          LANDLOCK_ACCESS_FS_TRUNCATE)
#define ACCESS_FILE_ONLY (LANDLOCK_ACCESS_FS_EXECUTE | \
                          LANDLOCK_ACCESS_FS_WRITE_FILE | \
                          LANDLOCK_ACCESS_FS_READ_FILE | \
                          LANDLOCK_ACCESS_FS_TRUNCATE | \
                          LANDLOCK_ACCESS_FS_IOCTL_DEV)

int
fy_sandbox_get_landlock_abi (void)
{
  long abi = syscall (SYS_landlock_create_ruleset, NULL, 0,
                      LANDLOCK_CREATE_RULESET_VERSION);

  return abi > 0 ? (int) abi : 0;
}

static guint64
handled_fs_for_abi (int abi)
{
  /* ABI 1: bits 0 to 12; 2 adds REFER, 3 TRUNCATE, 5 IOCTL_DEV. */
  guint64 access = (1ULL << 13) - 1;

  if (abi >= 2)
    access |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3)
    access |= LANDLOCK_ACCESS_FS_TRUNCATE;
  if (abi >= 5)
    access |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
  return access;
}

gboolean
fy_sandbox_limit_process (guint64   address_space,
                          guint     cpu_seconds,
                          GError  **error)
{
  struct rlimit limit;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_SANDBOX,
                   "cannot set no_new_privs: %s", g_strerror (saved_errno));
      return FALSE;
    }

  if (address_space > 0 && !FY_SANITIZED_BUILD && getrlimit (RLIMIT_AS, &limit) == 0)
    {
      rlim_t wanted = (rlim_t) address_space;

      if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted)
        wanted = limit.rlim_max;
      if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > wanted)
        {
          limit.rlim_cur = wanted;
          if (setrlimit (RLIMIT_AS, &limit) != 0)
            {
              int saved_errno = errno;

              g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_SANDBOX,
                           "cannot limit the address space: %s",
                           g_strerror (saved_errno));
              return FALSE;
            }
        }
    }

  if (cpu_seconds > 0 && getrlimit (RLIMIT_CPU, &limit) == 0)
    {
      struct rusage usage;
      rlim_t wanted;

      /* RLIMIT_CPU counts the whole life of the process, so a worker that
       * has run many tasks gets its budget on top of what it has used. */
      getrusage (RUSAGE_SELF, &usage);
      wanted = (rlim_t) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1 + cpu_seconds);
      if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted)
        wanted = limit.rlim_max;
      limit.rlim_cur = wanted;
      if (setrlimit (RLIMIT_CPU, &limit) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_SANDBOX,
                       "cannot limit the CPU time: %s", g_strerror (saved_errno));
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
add_path_rule (int          ruleset_fd,
               const char  *path,
               guint64      access,
               guint64      handled,
               gboolean     must_exist,
               GError     **error)
{
  FyLandlockPathBeneathAttr rule = { 0 };
  struct stat st;
  int fd;
  int rc;

  fd = open (path, O_PATH | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      /* A system directory that does not exist here needs no rule. */
      if (!must_exist && saved_errno == ENOENT)
        return TRUE;
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_SANDBOX,
                   "cannot open %s for the sandbox: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  /* The kernel refuses directory rights on a file. */
  if (fstat (fd, &st) == 0 && !S_ISDIR (st.st_mode))
    access &= ACCESS_FILE_ONLY;

  rule.allowed_access = access & handled;
  rule.parent_fd = fd;
  rc = syscall (SYS_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
  if (rc != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_SANDBOX,
                   "cannot add a sandbox rule for %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  close (fd);
  return TRUE;
}

gboolean
fy_sandbox_restrict_thread (const char *const  *read_paths,
                            const char *const  *write_dirs,
                            gboolean           *out_enforced,
                            GError            **error)
{
  /* Libraries, image loader modules and the MIME database: public files the
   * decoder may still open lazily. */
  static const char *const system_paths[] = { "/usr", "/lib", "/lib64", "/etc/ld.so.cache", NULL };
  FyLandlockRulesetAttr attr = { 0 };
  gsize attr_size;
  int abi;
  int ruleset_fd;

  if (out_enforced != NULL)
    *out_enforced = FALSE;

  abi = fy_sandbox_get_landlock_abi ();
  if (abi == 0)
    return TRUE;

  attr.handled_access_fs = handled_fs_for_abi (abi);
  attr_size = sizeof attr.handled_access_fs;
  if (abi >= 4)
    {
      attr.handled_access_net = FY_LANDLOCK_ACCESS_NET_BIND_TCP | FY_LANDLOCK_ACCESS_NET_CONNECT_TCP;
      attr_size = sizeof attr;
    }

  ruleset_fd = syscall (SYS_landlock_create_ruleset, &attr, attr_size, 0);
  if (ruleset_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_SANDBOX,
                   "cannot create a Landlock ruleset: %s", g_strerror (saved_errno));
      return FALSE;
    }

  for (guint i = 0; system_paths[i] != NULL; i++)
    if (!add_path_rule (ruleset_fd, system_paths[i], ACCESS_DIR_READ,
                        attr.handled_access_fs, FALSE, error))
      goto fail;

  for (guint i = 0; read_paths != NULL && read_paths[i] != NULL; i++)
    if (!add_path_rule (ruleset_fd, read_paths[i], ACCESS_DIR_READ & ~LANDLOCK_ACCESS_FS_EXECUTE,
                        attr.handled_access_fs, TRUE, error))
      goto fail;

  for (guint i = 0; write_dirs != NULL && write_dirs[i] != NULL; i++)
    if (!add_path_rule (ruleset_fd, write_dirs[i], ACCESS_DIR_WRITE,
                        attr.handled_access_fs, TRUE, error))
      goto fail;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      syscall (SYS_landlock_restrict_self, ruleset_fd, 0) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_SANDBOX,
                   "cannot enter the Landlock sandbox: %s", g_strerror (saved_errno));
      goto fail;
    }

  close (ruleset_fd);
  if (out_enforced != NULL)
    *out_enforced = TRUE;
  return TRUE;

fail:
  close (ruleset_fd);
  return FALSE;
}
