/* fy-seccomp.c: a classic BPF seccomp allow-list, written out by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian 12 ships libseccomp, but the filter is a few dozen comparisons:
 * it is built here with the kernel's own macros rather than adding a
 * dependency. The filter checks the architecture first, since system call
 * numbers differ between ABIs (and x86-64's x32 numbers would bypass a
 * check of the 64-bit ones), then lets through only the calls listed in
 * fy_seccomp_restrict_thread (), each with the reason it is needed; every
 * other call fails with EPERM rather than killing the worker, so a decoder
 * that reaches for something new fails that one file with an error.
 *
 * The list was taken from strace -f of the decoder thread (and the threads
 * a codec starts) while resizing the resize fuzz corpus (JPEG baseline and
 * progressive, PNG of every colour type, 16 bit and interlaced, GIF, WebP,
 * TIFF, BMP, ICO, AVIF, HEIF, SVG and PNM), the workloads suite's
 * photo-sized, cut-short and corrupt files and the system's own icons, in
 * the normal and the AddressSanitizer builds.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
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
#define DENY            (SECCOMP_RET_ERRNO | EPERM)

/* The low 32 bits of argument @n: every argument checked here is an int or
 * a flag word that fits in them (little-endian on both architectures). */
#define ARG_LOW(n) (offsetof (struct seccomp_data, args) + (n) * sizeof (guint64))

/* Room for the whole list with its argument checks. */
#define FILTER_MAX 160

typedef struct
{
  struct sock_filter insns[FILTER_MAX];
  guint              len;
} Filter;

static void
emit (Filter           *filter,
      struct sock_filter insn)
{
  g_assert (filter->len < FILTER_MAX);
  filter->insns[filter->len++] = insn;
}

static void
emit_return (Filter  *filter,
             guint32  action)
{
  emit (filter, (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, action));
}

static void
emit_load (Filter  *filter,
           guint32  offset)
{
  emit (filter, (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offset));
}

/* With the call's number in the accumulator: @action for @nr. */
static void
return_for (Filter  *filter,
            guint32  nr,
            guint32  action)
{
  emit (filter, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
  emit_return (filter, action);
}

static void
allow (Filter  *filter,
       guint32  nr)
{
  return_for (filter, nr, SECCOMP_RET_ALLOW);
}

/* A block of argument checks for @nr, skipped for every other call. It
 * must end in a return, so the number is still in the accumulator for
 * whatever follows the block. */
static guint
begin_checks (Filter  *filter,
              guint32  nr)
{
  emit (filter, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 0));
  return filter->len - 1;
}

static void
end_checks (Filter *filter,
            guint   start)
{
  guint skip = filter->len - start - 1;

  g_assert (skip <= G_MAXUINT8);
  filter->insns[start].jf = (guint8) skip;
}

/* Inside a block: refuse unless the low half of argument @arg equals @value. */
static void
require_arg (Filter  *filter,
             guint    arg,
             guint32  value)
{
  emit_load (filter, ARG_LOW (arg));
  emit (filter, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, value, 1, 0));
  emit_return (filter, DENY);
}

/* Inside a block: refuse if argument @arg has any of @bits. */
static void
require_clear (Filter  *filter,
               guint    arg,
               guint32  bits)
{
  emit_load (filter, ARG_LOW (arg));
  emit (filter, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, bits, 0, 1));
  emit_return (filter, DENY);
}

/* Inside a block: refuse unless argument @arg, masked with @mask, is @value. */
static void
require_masked (Filter  *filter,
                guint    arg,
                guint32  mask,
                guint32  value)
{
  emit_load (filter, ARG_LOW (arg));
  emit (filter, (struct sock_filter) BPF_STMT (BPF_ALU | BPF_AND | BPF_K, mask));
  emit (filter, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, value, 1, 0));
  emit_return (filter, DENY);
}

/* A call allowed only when argument @arg is @value (a file descriptor, a
 * process id); refused outright when @value is -1 (none given). */
static void
allow_if_arg (Filter  *filter,
              guint32  nr,
              guint    arg,
              int      value)
{
  guint block = begin_checks (filter, nr);

  if (value >= 0)
    {
      require_arg (filter, arg, (guint32) value);
      emit_return (filter, SECCOMP_RET_ALLOW);
    }
  else
    emit_return (filter, DENY);
  end_checks (filter, block);
}

static gboolean
refuse_bytes (const gchar  *buf,
              gsize         count,
              GError      **error,
              gpointer      user_data)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "loading the module only");
  return FALSE;
}

/* gdk-pixbuf loads an image loader's module (dlopen: openat, mmap with
 * PROT_EXEC) the first time it meets the format, which the filter forbids.
 * Saving a 1×1 picture in the format loads its module without feeding
 * any loader a byte (a loader closed unfed may warn), and the first write
 * is refused, so nothing is kept; formats gdk-pixbuf cannot write fail
 * after their module is loaded. */
static void
load_module (GdkPixbuf  *pixel,
             const char *name)
{
  gdk_pixbuf_save_to_callback (pixel, refuse_bytes, NULL, name, NULL, NULL);
}

/* Whether gdk-pixbuf has a format of that name. */
static gboolean
is_format (GSList     *all,
           const char *name)
{
  for (GSList *l = all; l != NULL; l = l->next)
    {
      g_autofree char *format_name = gdk_pixbuf_format_get_name (l->data);

      if (g_str_equal (format_name, name))
        return TRUE;
    }
  return FALSE;
}

/* The modules loaded so far, by format name, and whether all are. */
static GMutex decoders_lock;
static GHashTable *decoders_loaded = NULL;
static gboolean all_decoders_loaded = FALSE;

/* Loading a module maps and relocates its libraries (librsvg, libheif and
 * its codecs…), which costs a worker more than decoding a small photograph:
 * only the modules a thread asks for are loaded, each once per process.
 * Every module is loaded for a thread that does not know its format, or
 * names one gdk-pixbuf does not (its HEIF module is "heif/avif"): a loader
 * made without a type guesses it from the MIME database, read here then
 * (xdgmime keeps it). The list of formats itself (loaders.cache) and
 * GLib's random number generator, seeded while /dev/urandom may still be
 * opened (for the temporary names of the output files), are wanted by
 * every thread. Called with decoders_lock held. */
static void
load_decoders_locked (const char *const *formats)
{
  g_autoptr(GdkPixbuf) pixel = NULL;
  g_autoptr(GSList) all = NULL;
  gboolean every = formats == NULL;

  if (all_decoders_loaded)
    return;
  if (decoders_loaded == NULL)
    {
      decoders_loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      (void) g_random_int ();
    }
  all = gdk_pixbuf_get_formats ();
  pixel = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1, 1);
  gdk_pixbuf_fill (pixel, 0);

  for (guint i = 0; !every && formats[i] != NULL; i++)
    every = !is_format (all, formats[i]);

  if (every)
    {
      for (GSList *l = all; l != NULL; l = l->next)
        {
          g_autofree char *name = gdk_pixbuf_format_get_name (l->data);

          if (!gdk_pixbuf_format_is_disabled (l->data) &&
              !g_hash_table_contains (decoders_loaded, name))
            load_module (pixel, name);
        }
      g_free (g_content_type_guess (NULL, (const guchar *) "GIF89a", 6, NULL));
      all_decoders_loaded = TRUE;
      return;
    }

  for (guint i = 0; formats[i] != NULL; i++)
    if (!g_hash_table_contains (decoders_loaded, formats[i]))
      {
        load_module (pixel, formats[i]);
        g_hash_table_add (decoders_loaded, g_strdup (formats[i]));
      }
}

static void
load_decoders (const char *const *formats)
{
  g_mutex_lock (&decoders_lock);
  load_decoders_locked (formats);
  g_mutex_unlock (&decoders_lock);
}

static void
build_filter (Filter *filter,
              int     in_fd,
              int     out_dir_fd)
{
  guint32 self = (guint32) getpid ();
  guint block;

  /* Another ABI's numbers mean other calls: refuse them all. */
  emit_load (filter, offsetof (struct seccomp_data, arch));
  emit (filter, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, FY_AUDIT_ARCH, 1, 0));
  emit_return (filter, DENY);
  emit_load (filter, offsetof (struct seccomp_data, nr));
#if defined(__x86_64__)
  emit (filter, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1));
  emit_return (filter, DENY);
#endif

  /* Memory: malloc grows the heap (brk), maps and unmaps large blocks and
   * arenas (mmap, munmap), grows them in place (mremap, by realloc),
   * gives back freed pages (madvise MADV_DONTNEED) and sets guard pages
   * (mprotect PROT_NONE). Nothing may become executable: a decoder taken
   * over must not load or write code. And only anonymous memory is mapped:
   * the input is read, not mapped, and a mapping of another descriptor
   * the worker holds (shared memory of a queue or a dict) would let it
   * write where other processes read. */
  allow (filter, __NR_brk);
  allow (filter, __NR_munmap);
  allow (filter, __NR_mremap);
  allow (filter, __NR_madvise);
  block = begin_checks (filter, __NR_mmap);
  require_clear (filter, 2, PROT_EXEC);
  require_masked (filter, 3, MAP_ANONYMOUS, MAP_ANONYMOUS);
  emit_return (filter, SECCOMP_RET_ALLOW);
  end_checks (filter, block);
  block = begin_checks (filter, __NR_mprotect);
  require_clear (filter, 2, PROT_EXEC);
  emit_return (filter, SECCOMP_RET_ALLOW);
  end_checks (filter, block);

  /* Locks and the thread's own life: GLib's and the loaders' mutexes and
   * once-initialisations (futex), giving way (sched_yield), the end of the
   * thread or of the process (exit, exit_group), signals blocked around a
   * critical section (rt_sigprocmask) and a signal handler's return. */
  allow (filter, __NR_futex);
  allow (filter, __NR_sched_yield);
  allow (filter, __NR_exit);
  allow (filter, __NR_exit_group);
  allow (filter, __NR_rt_sigprocmask);
  allow (filter, __NR_rt_sigreturn);
  allow (filter, __NR_gettid);
  allow (filter, __NR_getpid);

  /* Facts a decoder asks about the machine: the number of CPUs it may use
   * (sched_getaffinity, for a codec's thread count), the memory size
   * (sysinfo, asked by glibc's qsort), the time (clock_gettime, a system
   * call where the clock has no vDSO path) and random bytes for hash
   * tables (getrandom). */
  allow (filter, __NR_sched_getaffinity);
  allow (filter, __NR_sysinfo);
  allow (filter, __NR_clock_gettime);
  allow (filter, __NR_getrandom);

  /* Threads of a codec's own (libdav1d, libde265, librsvg's filters)
   * inherit this filter. clone only for a thread of this process (no new
   * namespace, no new process); clone3 passes its flags in memory a filter
   * cannot read, so it answers ENOSYS and glibc falls back to clone. */
  block = begin_checks (filter, __NR_clone);
  require_masked (filter, 0,
                  CLONE_VM | CLONE_THREAD | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
                  CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET,
                  CLONE_VM | CLONE_THREAD);
  emit_return (filter, SECCOMP_RET_ALLOW);
  end_checks (filter, block);
  return_for (filter, __NR_clone3, SECCOMP_RET_ERRNO | ENOSYS);
  allow (filter, __NR_set_robust_list);
  allow (filter, __NR_rseq);
  allow (filter, __NR_sigaltstack);

  /* Signals: to this process only, for abort () and raise () (tgkill).
   * kill (0 or -pgid) would reach the parent through the process group. */
  allow_if_arg (filter, __NR_kill, 0, (int) self);
  allow_if_arg (filter, __NR_tgkill, 0, (int) self);

  /* The input, read block by block, is the only file read. */
  allow_if_arg (filter, __NR_read, 0, in_fd);
  allow_if_arg (filter, __NR_pread64, 0, in_fd);
  /* The thumbnail and diagnostics on stderr (an unwritable fd fails by
   * itself); fstat of the input to see it did not shrink (newfstatat with
   * AT_EMPTY_PATH, or fstat), stat of the output's name, which must not
   * be the input; closing what it opened. */
  allow (filter, __NR_write);
  allow (filter, __NR_lseek);
  allow (filter, __NR_close);
#ifdef __NR_fstat
  allow (filter, __NR_fstat);
#endif
  allow (filter, __NR_newfstatat);

  /* The output: a new temporary file, write-only, created relative to the
   * output directory, which Landlock also confines it to (an absolute path
   * would ignore the directory). O_EXCL means no existing file is ever
   * opened; reading needs no openat, since the input is open already. */
  block = begin_checks (filter, __NR_openat);
  if (out_dir_fd >= 0)
    {
      require_arg (filter, 0, (guint32) out_dir_fd);
      require_masked (filter, 2, O_ACCMODE | O_CREAT | O_EXCL | O_PATH | O_TMPFILE,
                      O_WRONLY | O_CREAT | O_EXCL);
      emit_return (filter, SECCOMP_RET_ALLOW);
    }
  else
    emit_return (filter, DENY);
  end_checks (filter, block);
  /* Then renamed over the final name, or removed after a failure, in the
   * same directory. */
#ifdef __NR_renameat
  block = begin_checks (filter, __NR_renameat);
  if (out_dir_fd >= 0)
    {
      require_arg (filter, 0, (guint32) out_dir_fd);
      require_arg (filter, 2, (guint32) out_dir_fd);
      emit_return (filter, SECCOMP_RET_ALLOW);
    }
  else
    emit_return (filter, DENY);
  end_checks (filter, block);
#endif
  block = begin_checks (filter, __NR_renameat2);
  if (out_dir_fd >= 0)
    {
      require_arg (filter, 0, (guint32) out_dir_fd);
      require_arg (filter, 2, (guint32) out_dir_fd);
      require_arg (filter, 4, 0);
      emit_return (filter, SECCOMP_RET_ALLOW);
    }
  else
    emit_return (filter, DENY);
  end_checks (filter, block);
  allow_if_arg (filter, __NR_unlinkat, 0, out_dir_fd);

  /* Everything else: sockets, exec, ptrace, open, ioctl, prctl, mount,
   * bpf, io_uring, process_vm_*, pidfd_*, kill of another process… */
  emit_return (filter, DENY);
}

gboolean
fy_seccomp_restrict_thread (int                 in_fd,
                            int                 out_dir_fd,
                            const char *const  *formats,
                            gboolean           *out_enforced,
                            GError            **error)
{
  Filter filter = { .len = 0 };
  struct sock_fprog program;

  if (out_enforced != NULL)
    *out_enforced = FALSE;

  load_decoders (formats);

  build_filter (&filter, in_fd, out_dir_fd);
  program.len = filter.len;
  program.filter = filter.insns;

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
fy_seccomp_restrict_thread (int                 in_fd,
                            int                 out_dir_fd,
                            const char *const  *formats,
                            gboolean           *out_enforced,
                            GError            **error)
{
  /* Only the architectures whose numbers are listed above are filtered. */
  if (out_enforced != NULL)
    *out_enforced = FALSE;
  return TRUE;
}

#endif
