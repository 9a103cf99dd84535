/* fuzz-resize.c: the resize workload on untrusted image bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Byte 0 picks the target size and whether the aspect ratio is kept; the
 * rest is written to a file, which the "resize" workload decodes through
 * gdk-pixbuf, in its sandbox (no_new_privs, the CPU limit, Landlock on
 * its thread), exactly as in a worker. Any outcome is fine but a crash: an
 * image that fails to decode must fail with an error that says why.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "workloads/fy-workload.h"

#include "fuzz-target.h"

static char *dir;
static char *in_path;
static char *out_dir;

/* The one suppression: a critical logged inside gdk-pixbuf (third-party
 * code) when a loader is stopped through a 0 × 0 size, as the resize
 * workload does for pictures past its size limits; the fuzzer met it in
 * gdk_pixbuf_calculate_rowstride (). The load still fails with an error,
 * which is checked below, so the critical is printed, not made fatal.
 * Criticals of every other domain stay fatal (G_DEBUG=fatal-warnings). */
static gboolean
pixbuf_critical_is_not_fatal (const char     *log_domain,
                              GLogLevelFlags  log_level,
                              const char     *message,
                              gpointer        user_data)
{
  return g_strcmp0 (log_domain, "GdkPixbuf") != 0;
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
      g_test_log_set_fatal_handler (pixbuf_critical_is_not_fatal, NULL);
      dir = g_dir_make_tmp ("fuzz-resize-XXXXXX", NULL);
      if (dir == NULL)
        abort ();
      in_path = g_build_filename (dir, "input", NULL);
      out_dir = g_build_filename (dir, "out", NULL);
      g_mkdir (out_dir, 0700);
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
