/* fuzz-resize.c: the resize workload on untrusted image bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Byte 0 picks the target size and whether the aspect ratio is kept; the
 * rest is written to a file, which the "resize" workload decodes through
 * gdk-pixbuf, in its sandbox (no_new_privs, the CPU limit, Landlock and
 * the system call allow-list on its thread), exactly as in a worker. Any
 * outcome is fine but a crash: an image that fails to decode must fail
 * with an error that says why. A crash on the decoder thread cannot write
 * libFuzzer's artifact (the allow-list refuses the open), so the input is
 * kept where it was written: $TMPDIR/fuzz-resize-XXXXXX/input.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "workloads/fy-workload.h"

#include "fuzz-target.h"

/* The worker limits its address space to 4 GiB (RLIMIT_AS, see
 * fy-workloads-resize.c), so a loader that asks for gigabytes on a forged
 * header (the BMP loader reallocs its header buffer to the pixel data's
 * offset, up to 4 GiB) gets NULL and fails with an error. No RLIMIT_AS
 * can hold this ASan build, whose shadow reserves terabytes, and libFuzzer
 * calls any allocation above 2 GiB an out-of-memory crash. So ASan's
 * allocator refuses, with NULL, any one allocation above 1 GiB: the
 * worker's outcome (a load error), at a lower threshold, because ASan
 * takes about a second per GiB to map and poison such a block, and a
 * 4 GiB one came close to the 10 s per-input limit. Pictures the workload
 * accepts need at most 200 MB (50 megapixels). */
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "allocator_may_return_null=1:max_allocation_size_mb=1024";
}

static char *dir;
static char *in_path;
static char *out_dir;

/* gdk-pixbuf's HEIF loader (built from libheif, third-party) reports a
 * file it cannot decode with g_warning () and no log domain ("Invalid
 * input: No 'ipco' box") before the load fails with an error; under
 * G_DEBUG=fatal-warnings that would end the run as if it had crashed.
 * Every file of Forkyard logs with a domain (G_LOG_DOMAIN is set for each
 * target), and GLib's and gdk-pixbuf's own criticals and warnings have
 * theirs, so only a domain-less warning is let pass; the load's outcome
 * is still checked below. */
static gboolean
fatal_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  return log_domain != NULL || (log_level & G_LOG_LEVEL_MASK) != G_LOG_LEVEL_WARNING;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const FyWorkloadInfo *resize = fy_workload_lookup ("resize");
  g_autoptr(FyWorkloadContext) context = fy_workload_context_new (NULL, 0);
  g_autoptr(GVariant) argument = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out_path = NULL;
  int width, height;

  if (resize == NULL)
    abort ();
  if (dir == NULL)
    {
      dir = g_dir_make_tmp ("fuzz-resize-XXXXXX", NULL);
      if (dir == NULL)
        abort ();
      in_path = g_build_filename (dir, "input", NULL);
      out_dir = g_build_filename (dir, "out", NULL);
      g_mkdir (out_dir, 0700);
      g_test_log_set_fatal_handler (fatal_log_cb, NULL);
    }
  if (size < 1)
    return 0;
  width = 1 + data[0] % 40;
  height = 1 + (data[0] / 40) % 6 * 8;
  if (!g_file_set_contents (in_path, (const char *) data + 1, size - 1, NULL))
    abort ();

  argument = g_variant_ref_sink (g_variant_new ("(^ay^ayiib)", in_path, out_dir,
                                                width, height, (data[0] & 0x80) != 0));
  result = resize->func (argument, context, &error);
  if (result != NULL)
    {
      g_variant_ref_sink (result);
      g_variant_get (result, "(^ayii)", &out_path, NULL, NULL);
      g_unlink (out_path);
    }
  else if (error == NULL || error->message[0] == '\0')
    abort ();
  g_unlink (in_path);
  return 0;
}
