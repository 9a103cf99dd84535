/* test-sample-data.c: the built-in sample images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fy-sample-data.h"

/* Test directories come without a MIME database, so gdk-pixbuf cannot
 * sniff files by itself: read them with the loader their bytes name. */
static GdkPixbuf *
load_image (const char  *path,
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

static void
test_sample_images (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = fy_sample_data_list (FY_SAMPLE_SET_IMAGES, &error);
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *cache = NULL;
  guint n_jpeg = 0;
  guint n_png = 0;
  struct stat before;
  struct stat after;

  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpuint (first->len, ==, 28);

  /* It lives in the (isolated) user cache directory. */
  cache = g_build_filename (g_get_user_cache_dir (), "forkyard", "samples", NULL);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (first, 0), cache));

  for (guint i = 0; i < first->len; i++)
    {
      const char *path = g_ptr_array_index (first, i);
      g_autofree char *name = NULL;
      g_autoptr(GdkPixbuf) image = load_image (path, &name);
      int w = gdk_pixbuf_get_width (image);
      int h = gdk_pixbuf_get_height (image);

      if (g_str_equal (name, "jpeg"))
        {
          n_jpeg++;
          g_assert_cmpint (w, ==, 1920);
          g_assert_cmpint (h, ==, 1080);
        }
      else
        {
          g_assert_cmpstr (name, ==, "png");
          n_png++;
        }
      if (i > 0)
        g_assert_cmpint (strcmp (g_ptr_array_index (first, i - 1), path), <, 0);
    }
  g_assert_cmpuint (n_jpeg, ==, 24);
  g_assert_cmpuint (n_png, ==, 4);

  /* A second use finds the set and does not write it again. */
  g_assert_cmpint (stat (g_ptr_array_index (first, 0), &before), ==, 0);
  again = fy_sample_data_list (FY_SAMPLE_SET_IMAGES, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, first->len);
  g_assert_cmpint (stat (g_ptr_array_index (again, 0), &after), ==, 0);
  g_assert_cmpint (before.st_ino, ==, after.st_ino);
  g_assert_cmpint (before.st_mtim.tv_nsec, ==, after.st_mtim.tv_nsec);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/workloads/sample-data/images", test_sample_images);

  return g_test_run ();
}
