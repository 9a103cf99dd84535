/* test-sample-data.c: the built-in sample images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fy-sample-data.h"

#include "fy-test-workloads.h"

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
      g_autoptr(GdkPixbuf) image = fy_test_load_image (path, &name);
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
