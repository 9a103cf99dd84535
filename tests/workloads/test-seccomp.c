/* test-seccomp.c: what a decoding thread can still do, and nothing more
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three views of the resize workload's system call allow-list:
 * - a thread installs the filter, then tries what a decoder taken over by
 *   a crafted image would (a socket, another program, opening a file,
 *   executable memory, tracing or signalling another process, reading
 *   another fd): each fails with EPERM, while what decoding needs (memory,
 *   a thread, reading the input, creating, renaming and removing a new
 *   file in the output directory, signals to itself) still works, and the
 *   process's other threads are not filtered at all;
 * - the resize workload itself: a hook on the loader's size-prepared
 *   signal, which runs on the decoder thread mid-decode, makes the same
 *   forbidden calls there, so this fails if resize stops installing the
 *   filter;
 * - every image of the resize fuzz corpus (JPEG baseline and progressive,
 *   PNG 8 and 16 bit and interlaced, GIF, WebP, TIFF, BMP, ICO, AVIF,
 *   HEIF, SVG, PNM) still resizes under the filter, all in one process,
 *   and each alone in a fresh process, which loads only the modules of
 *   that one format before its filter (none for JPEG and PNG).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "fy-seccomp.h"
#include "fy-test-workloads.h"

/* The process that started the tests, the stand-in for a worker's parent. */
static pid_t parent_pid;

/* errno of a call that returned -1, 0 when it succeeded. */
static int
outcome (long rc)
{
  return rc == -1 ? errno : 0;
}

/* What a taken-over decoder would try first; each must fail with EPERM. */
typedef struct
{
  int socket_errno;
  int exec_errno;
  int open_errno;
  int open_write_errno;
  int exec_mmap_errno;
  int kill_parent_errno;
  int ptrace_errno;
} Forbidden;

/* @outside is an existing file the thread may not write to: the input
 * itself, which Landlock lets it read. */
static void
try_forbidden (Forbidden  *f,
               const char *outside)
{
  char *const argv[] = { (char *) "probe", NULL };
  void *map;
  int fd;

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  f->socket_errno = outcome (fd);
  if (fd >= 0)
    close (fd);
  /* A path that does not exist: unfiltered, this fails with ENOENT, and
   * the test process is never replaced. */
  f->exec_errno = outcome (execve ("/nonexistent/forkyard-seccomp-probe", argv, argv + 1));
  /* A world-readable file Landlock would allow (it lets the decoder read
   * system files). */
  fd = open ("/usr/share/common-licenses/GPL-3", O_RDONLY | O_CLOEXEC);
  f->open_errno = outcome (fd);
  if (fd >= 0)
    close (fd);
  /* O_APPEND: unfiltered, this opens the file but changes no byte of it. */
  fd = open (outside, O_WRONLY | O_APPEND | O_CLOEXEC);
  f->open_write_errno = outcome (fd);
  if (fd >= 0)
    close (fd);
  map = mmap (NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  f->exec_mmap_errno = map == MAP_FAILED ? errno : 0;
  if (map != MAP_FAILED)
    munmap (map, 4096);
  /* Signal 0 only checks that the signal could be sent. The pid is taken
   * beforehand: getppid () is refused too. */
  f->kill_parent_errno = outcome (kill (parent_pid, 0));
  f->ptrace_errno = outcome (ptrace (PTRACE_TRACEME, 0, NULL, NULL));
}

static void
assert_all_refused (const Forbidden *f)
{
  g_assert_cmpint (f->socket_errno, ==, EPERM);
  g_assert_cmpint (f->exec_errno, ==, EPERM);
  g_assert_cmpint (f->open_errno, ==, EPERM);
  g_assert_cmpint (f->open_write_errno, ==, EPERM);
  g_assert_cmpint (f->exec_mmap_errno, ==, EPERM);
  g_assert_cmpint (f->kill_parent_errno, ==, EPERM);
  g_assert_cmpint (f->ptrace_errno, ==, EPERM);
}

typedef struct
{
  const char *in_path;
  int       in_fd;
  int       other_fd;
  int       out_dir_fd;
  gboolean  enforced;
  Forbidden forbidden;
  int       socketpair_errno;
  int       kill_group_errno;
  int       pidfd_signal_errno;
  int       read_other_errno;
  int       open_existing_errno;
  int       open_read_write_errno;
  int       open_cwd_errno;
  int       mprotect_exec_errno;
  int       mmap_file_errno;
  /* What must still work. */
  int       read_input_errno;
  char      input_byte;
  int       create_errno;
  int       write_errno;
  int       rename_errno;
  int       unlink_errno;
  int       mmap_errno;
  int       mprotect_errno;
  int       kill_self_errno;
  int       tgkill_self_errno;
  gboolean  thread_ran;
} Probe;

static gpointer
child_thread (gpointer data)
{
  Probe *probe = data;
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  /* A thread started by a filtered one is filtered too. */
  probe->thread_ran = fd == -1 && errno == EPERM;
  if (fd >= 0)
    close (fd);
  return NULL;
}

static gpointer
filtered_thread (gpointer data)
{
  Probe *probe = data;
  g_autoptr(GError) error = NULL;
  GThread *child;
  void *map;
  int pair[2];
  char byte;
  int fd;

  g_assert_true (fy_seccomp_restrict_thread (probe->in_fd, probe->out_dir_fd, NULL,
                                             &probe->enforced, &error));
  g_assert_no_error (error);

  try_forbidden (&probe->forbidden, probe->in_path);
  probe->socketpair_errno = outcome (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair));
  if (probe->socketpair_errno == 0)
    {
      close (pair[0]);
      close (pair[1]);
    }
  probe->kill_group_errno = outcome (kill (0, 0));
  probe->pidfd_signal_errno = outcome (syscall (SYS_pidfd_send_signal, -1, 0, NULL, 0));
  probe->read_other_errno = outcome (read (probe->other_fd, &byte, 1));
  /* In the output directory: an existing file, for reading or writing,
   * or a new one opened read-write, or a new one elsewhere. */
  probe->open_existing_errno = outcome (openat (probe->out_dir_fd, "existing",
                                                O_RDONLY | O_CLOEXEC));
  probe->open_read_write_errno = outcome (openat (probe->out_dir_fd, "rw",
                                                  O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  probe->open_cwd_errno = outcome (openat (AT_FDCWD, "forkyard-seccomp-probe",
                                           O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));

  map = mmap (NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  probe->mmap_errno = map == MAP_FAILED ? errno : 0;
  if (map != MAP_FAILED)
    {
      probe->mprotect_exec_errno = outcome (mprotect (map, 4096, PROT_READ | PROT_EXEC));
      probe->mprotect_errno = outcome (mprotect (map, 4096, PROT_NONE));
      munmap (map, 8192);
    }

  /* Not even the input: a mapping of a descriptor could be shared memory
   * another process reads. */
  map = mmap (NULL, 1, PROT_READ, MAP_SHARED, probe->in_fd, 0);
  probe->mmap_file_errno = map == MAP_FAILED ? errno : 0;
  if (map != MAP_FAILED)
    munmap (map, 1);

  probe->read_input_errno = outcome (read (probe->in_fd, &probe->input_byte, 1));
  fd = openat (probe->out_dir_fd, ".new.part", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  probe->create_errno = outcome (fd);
  if (fd >= 0)
    {
      probe->write_errno = outcome (write (fd, "x", 1));
      close (fd);
    }
  probe->rename_errno = outcome (renameat (probe->out_dir_fd, ".new.part", probe->out_dir_fd, "new"));
  probe->unlink_errno = outcome (unlinkat (probe->out_dir_fd, "existing", 0));
  probe->kill_self_errno = outcome (kill (getpid (), 0));
  probe->tgkill_self_errno = outcome (syscall (SYS_tgkill, getpid (), syscall (SYS_gettid), 0));

  child = g_thread_try_new ("filtered-child", child_thread, probe, &error);
  g_assert_no_error (error);
  g_thread_join (child);
  return NULL;
}

static void
test_thread_is_confined (void)
{
  g_autofree char *dir = g_dir_make_tmp ("forkyard-seccomp-XXXXXX", NULL);
  g_autofree char *in_path = g_build_filename (dir, "input", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *existing = g_build_filename (out_dir, "existing", NULL);
  g_autofree char *renamed = g_build_filename (out_dir, "new", NULL);
  g_autofree char *contents = NULL;
  Probe probe = { 0 };
  GThread *thread;
  int fd;

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (in_path, "I", 1, NULL));
  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (existing, "old", 3, NULL));
  probe.in_path = in_path;
  probe.in_fd = open (in_path, O_RDONLY | O_CLOEXEC);
  probe.other_fd = open (in_path, O_RDONLY | O_CLOEXEC);
  probe.out_dir_fd = open (out_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (probe.in_fd, >=, 0);
  g_assert_cmpint (probe.other_fd, >=, 0);
  g_assert_cmpint (probe.out_dir_fd, >=, 0);

  thread = g_thread_new ("filtered", filtered_thread, &probe);
  g_thread_join (thread);

  if (!probe.enforced)
    {
      g_test_skip ("the kernel has no seccomp filters");
      goto out;
    }
  assert_all_refused (&probe.forbidden);
  g_assert_cmpint (probe.socketpair_errno, ==, EPERM);
  g_assert_cmpint (probe.kill_group_errno, ==, EPERM);
  g_assert_cmpint (probe.pidfd_signal_errno, ==, EPERM);
  g_assert_cmpint (probe.read_other_errno, ==, EPERM);
  g_assert_cmpint (probe.open_existing_errno, ==, EPERM);
  g_assert_cmpint (probe.open_read_write_errno, ==, EPERM);
  g_assert_cmpint (probe.open_cwd_errno, ==, EPERM);
  g_assert_cmpint (probe.mprotect_exec_errno, ==, EPERM);
  g_assert_cmpint (probe.mmap_file_errno, ==, EPERM);

  g_assert_cmpint (probe.read_input_errno, ==, 0);
  g_assert_cmpint (probe.input_byte, ==, 'I');
  g_assert_cmpint (probe.mmap_errno, ==, 0);
  g_assert_cmpint (probe.mprotect_errno, ==, 0);
  g_assert_cmpint (probe.create_errno, ==, 0);
  g_assert_cmpint (probe.write_errno, ==, 0);
  g_assert_cmpint (probe.rename_errno, ==, 0);
  g_assert_cmpint (probe.unlink_errno, ==, 0);
  g_assert_true (g_file_get_contents (renamed, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "x");
  g_assert_false (g_file_test (existing, G_FILE_TEST_EXISTS));
  /* raise () and abort () still work; so does starting a thread. */
  g_assert_cmpint (probe.kill_self_errno, ==, 0);
  g_assert_cmpint (probe.tgkill_self_errno, ==, 0);
  g_assert_true (probe.thread_ran);

  /* Only those threads were filtered. */
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_cmpint (kill (parent_pid, 0), ==, 0);
  g_assert_cmpint (outcome (execve ("/nonexistent/forkyard-seccomp-probe",
                                    (char *const[]) { (char *) "probe", NULL },
                                    (char *const[]) { NULL })), ==, ENOENT);

out:
  close (probe.in_fd);
  close (probe.other_fd);
  close (probe.out_dir_fd);
  g_unlink (renamed);
  g_rmdir (out_dir);
  g_unlink (in_path);
  g_rmdir (dir);
}

/* ---- The filter inside the resize workload ------------------------------ */

typedef struct
{
  const char *in_path;
  gint      calls;
  GThread  *thread;
  Forbidden forbidden;
} DecoderProbe;

/* Runs on the thread that emits size-prepared: the decoder thread, once
 * the header is read and before the pixels are decoded. */
static gboolean
size_prepared_hook (GSignalInvocationHint *hint,
                    guint                  n_values,
                    const GValue          *values,
                    gpointer               user_data)
{
  DecoderProbe *probe = user_data;

  if (g_atomic_int_add (&probe->calls, 1) == 0)
    {
      probe->thread = g_thread_self ();
      try_forbidden (&probe->forbidden, probe->in_path);
    }
  return TRUE;
}

static void
test_resize_installs_filter (void)
{
  g_autofree char *dir = g_dir_make_tmp ("forkyard-seccomp-XXXXXX", NULL);
  g_autofree char *in_path = g_build_filename (dir, "photo.bmp", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *out_path = NULL;
  g_autoptr(GdkPixbuf) picture = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTypeClass) klass = g_type_class_ref (GDK_TYPE_PIXBUF_LOADER);
  DecoderProbe probe = { .in_path = in_path };
  guint signal_id = g_signal_lookup ("size-prepared", GDK_TYPE_PIXBUF_LOADER);
  gulong hook;
  int width, height;

  gdk_pixbuf_fill (picture, 0x3465a4ff);
  g_assert_true (gdk_pixbuf_save (picture, in_path, "bmp", &error, NULL));
  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);

  /* A BMP goes through GdkPixbufLoader (JPEGs and PNGs may not), so the
   * hook runs. */
  hook = g_signal_add_emission_hook (signal_id, 0, size_prepared_hook, &probe, NULL);
  result = fy_test_run_workload ("resize",
                                 g_variant_new ("(^ay^ayiib)", in_path, out_dir, 16, 16, TRUE),
                                 &error);
  g_signal_remove_emission_hook (signal_id, hook);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  g_assert_cmpint (probe.calls, ==, 1);
  g_assert_true (probe.thread != g_thread_self ());
  assert_all_refused (&probe.forbidden);

  /* And the thumbnail was written all the same. */
  g_variant_get (result, "(^ayii)", &out_path, &width, &height);
  g_assert_cmpint (width, ==, 16);
  g_assert_cmpint (height, ==, 12);
  g_assert_true (g_file_test (out_path, G_FILE_TEST_IS_REGULAR));

  g_unlink (out_path);
  g_rmdir (out_dir);
  g_unlink (in_path);
  g_rmdir (dir);
}

/* Every seed of the resize fuzz corpus is a good picture in one format
 * (its first byte is the fuzz target's, not the image's). */
static void
test_every_format_resizes (gconstpointer data)
{
  const char *corpus = data;
  g_autoptr(GDir) seeds = NULL;
  g_autofree char *dir = g_dir_make_tmp ("forkyard-seccomp-XXXXXX", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autoptr(GError) error = NULL;
  const char *name;
  guint count = 0;

  seeds = g_dir_open (corpus, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);

  while ((name = g_dir_read_name (seeds)) != NULL)
    {
      g_autofree char *seed_path = g_build_filename (corpus, name, NULL);
      g_autofree char *in_path = g_build_filename (dir, name, NULL);
      g_autofree char *bytes = NULL;
      g_autofree char *out_path = NULL;
      g_autoptr(GVariant) result = NULL;
      gsize len;
      int width, height;

      if (!g_str_has_prefix (name, "seed-"))
        continue;
      g_assert_true (g_file_get_contents (seed_path, &bytes, &len, NULL));
      g_assert_cmpuint (len, >, 1);
      g_assert_true (g_file_set_contents (in_path, bytes + 1, len - 1, NULL));

      result = fy_test_run_workload ("resize",
                                     g_variant_new ("(^ay^ayiib)", in_path, out_dir, 12, 12, TRUE),
                                     &error);
      if (error != NULL)
        g_error ("%s: %s", name, error->message);
      g_variant_get (result, "(^ayii)", &out_path, &width, &height);
      g_test_message ("%s → %d×%d", name, width, height);
      g_assert_cmpint (MAX (width, height), ==, 12);
      g_assert_true (g_file_test (out_path, G_FILE_TEST_IS_REGULAR));
      g_unlink (out_path);
      g_unlink (in_path);
      count++;
    }
  /* At least one seed for each of the fourteen formats listed in this
   * file's header. */
  g_assert_cmpuint (count, >=, 14);
  g_rmdir (out_dir);
  g_rmdir (dir);
}

/* Whether a gdk-pixbuf loader module is mapped into this process, other
 * than those of the formats in @except (module file names such as
 * "libpixbufloader-png.so" or "libpixbufloader_png.so" contain them). */
static gboolean
other_loader_module_mapped (const char *const *except)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *module = strstr (lines[i], "libpixbufloader");
      gboolean excepted = FALSE;

      if (module == NULL)
        continue;
      for (guint j = 0; except != NULL && except[j] != NULL; j++)
        excepted = excepted || strstr (module, except[j]) != NULL;
      if (!excepted)
        return TRUE;
    }
  return FALSE;
}

/* Resizes the seed FY_TEST_SEED names, in a process that has loaded no
 * module before it. */
static void
resize_one_seed (const char *corpus)
{
  const char *name = g_getenv ("FY_TEST_SEED");
  g_autofree char *seed_path = g_build_filename (corpus, name, NULL);
  g_autofree char *dir = g_dir_make_tmp ("forkyard-seccomp-XXXXXX", NULL);
  g_autofree char *in_path = g_build_filename (dir, name, NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *bytes = NULL;
  g_autofree char *out_path = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  int width, height;

  g_assert_false (other_loader_module_mapped (NULL));
  g_assert_true (g_file_get_contents (seed_path, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (in_path, bytes + 1, len - 1, NULL));
  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);

  result = fy_test_run_workload ("resize",
                                 g_variant_new ("(^ay^ayiib)", in_path, out_dir, 12, 12, TRUE),
                                 &error);
  g_assert_no_error (error);
  g_variant_get (result, "(^ayii)", &out_path, &width, &height);
  g_assert_cmpint (MAX (width, height), ==, 12);
  g_assert_true (g_file_test (out_path, G_FILE_TEST_IS_REGULAR));
  /* A JPEG or a PNG loads no other format's module (none at all where
   * gdk-pixbuf has both built in, as Debian's does). */
  if (g_str_has_prefix (name, "seed-jpeg") || g_str_has_prefix (name, "seed-png"))
    g_assert_false (other_loader_module_mapped ((const char *const[]) { "jpeg", "png", NULL }));

  g_unlink (out_path);
  g_rmdir (out_dir);
  g_unlink (in_path);
  g_rmdir (dir);
}

/* The decoder thread loads only the modules its file's format needs
 * before the filter (fy_seccomp_restrict_thread ()), so in a process
 * where another format loaded nothing first, each format must still find
 * everything it needs: every seed alone in a fresh process. */
static void
test_each_format_alone (gconstpointer data)
{
  const char *corpus = data;
  g_autoptr(GDir) seeds = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint count = 0;

  if (g_test_subprocess ())
    {
      resize_one_seed (corpus);
      return;
    }

  seeds = g_dir_open (corpus, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (seeds)) != NULL)
    {
      if (!g_str_has_prefix (name, "seed-"))
        continue;
      g_test_message ("%s", name);
      g_setenv ("FY_TEST_SEED", name, TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      count++;
    }
  g_unsetenv ("FY_TEST_SEED");
  g_assert_cmpuint (count, >=, 14);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  parent_pid = getppid ();

  g_test_add_func ("/workloads/sandbox/seccomp", test_thread_is_confined);
  g_test_add_func ("/workloads/sandbox/seccomp-in-resize", test_resize_installs_filter);
  g_test_add_data_func ("/workloads/sandbox/seccomp-every-format",
                        FY_RESIZE_CORPUS, test_every_format_resizes);
  g_test_add_data_func ("/workloads/sandbox/seccomp-each-format-alone",
                        FY_RESIZE_CORPUS, test_each_format_alone);

  return g_test_run ();
}
