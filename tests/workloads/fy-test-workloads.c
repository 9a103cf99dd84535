/* fy-test-workloads.c: what several workload tests do, written once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-workload.h"

#include "fy-test-workloads.h"

GVariant *
fy_test_run_workload (const char  *name,
                      GVariant    *argument,
                      GError     **error)
{
  const FyWorkloadInfo *info = fy_workload_lookup (name);
  g_autoptr(FyWorkloadContext) context = fy_workload_context_new (NULL, 0);
  g_autoptr(GVariant) arg = g_variant_ref_sink (argument);
  GVariant *result;

  g_assert_nonnull (info);
  g_assert_true (g_variant_is_of_type (arg, G_VARIANT_TYPE (info->argument_type)));
  result = info->func (arg, context, error);
  if (result != NULL)
    {
      g_variant_ref_sink (result);
      g_assert_true (g_variant_is_of_type (result, G_VARIANT_TYPE (info->result_type)));
    }
  return result;
}

/* Test directories come without a MIME database, so gdk-pixbuf cannot
 * sniff files by itself: read them with the loader their bytes name. */
GdkPixbuf *
fy_test_load_image (const char  *path,
                    char       **out_format)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  const char *type;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 8);
  if (memcmp (data, "\xff\xd8\xff", 3) == 0)
    type = "jpeg";
  else if (memcmp (data, "\x89PNG", 4) == 0)
    type = "png";
  else
    g_assert_not_reached ();
  if (out_format != NULL)
    *out_format = g_strdup (type);

  loader = gdk_pixbuf_loader_new_with_type (type, &error);
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_loader_write (loader, (const guchar *) data, len, &error));
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  g_assert_no_error (error);
  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

char *
fy_test_make_tmp_dir (void)
{
  char *dir = g_build_filename (g_get_user_cache_dir (), "files-XXXXXX", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_nonnull (g_mkdtemp (dir));
  return dir;
}
