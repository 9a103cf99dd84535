/* fy-sample-data.c: deterministic sample files and images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every byte comes from a seeded xorshift generator and integer arithmetic,
 * so two machines generate the same set; the images are smooth skies,
 * hills and soft discs with a little grain, which compress and decode like
 * photographs rather than like noise or flat colour.
 */

#include "config.h"

#include <errno.h>
#include <math.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "fy-sample-data.h"
#include "fy-workload-error.h"

#define SAMPLE_VERSION     "v1"
#define N_BLOBS            8
#define BLOB_SIZE          (32 * 1024 * 1024)
#define N_PHOTOS           24
#define PHOTO_WIDTH        1920
#define PHOTO_HEIGHT       1080
#define N_DIAGRAMS         4
#define DIAGRAM_WIDTH      1024
#define DIAGRAM_HEIGHT     768

static const char *const set_names[] = { "files", "images" };

static inline guint64
xorshift64 (guint64 *state)
{
  guint64 x = *state;

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *state = x;
  return x;
}

static gboolean
write_blob (const char  *path,
            guint        index,
            GError     **error)
{
  g_autofree guint64 *data = g_malloc (BLOB_SIZE);
  guint64 state = 0x9e3779b97f4a7c15ULL * (index + 1);

  for (gsize i = 0; i < BLOB_SIZE / sizeof (guint64); i++)
    data[i] = GUINT64_TO_LE (xorshift64 (&state));

  return g_file_set_contents_full (path, (const char *) data, BLOB_SIZE,
                                   G_FILE_SET_CONTENTS_NONE, 0644, error);
}

static guchar
clamp_byte (int value)
{
  return (guchar) CLAMP (value, 0, 255);
}

/* A landscape: sky gradient, two rows of hills, a few soft discs, grain. */
static GdkPixbuf *
paint_photo (guint index,
             int   width,
             int   height,
             gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int n_channels = gdk_pixbuf_get_n_channels (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  guint64 state = 0x2545f4914f6cdd1dULL * (index + 7);
  double phase = (double) (xorshift64 (&state) % 1000) / 159.0;
  int sky_r = 60 + (int) (xorshift64 (&state) % 80);
  int sky_b = 150 + (int) (xorshift64 (&state) % 100);
  struct { int x, y, r, red, green, blue; } discs[6];

  for (guint d = 0; d < G_N_ELEMENTS (discs); d++)
    {
      discs[d].x = (int) (xorshift64 (&state) % (guint64) width);
      discs[d].y = (int) (xorshift64 (&state) % (guint64) (height / 2));
      discs[d].r = height / 30 + (int) (xorshift64 (&state) % (guint64) (height / 8));
      discs[d].red = 150 + (int) (xorshift64 (&state) % 100);
      discs[d].green = 120 + (int) (xorshift64 (&state) % 120);
      discs[d].blue = 60 + (int) (xorshift64 (&state) % 120);
    }

  for (int x = 0; x < width; x++)
    {
      double u = (double) x / width;
      int hill1 = (int) (height * (0.55 + 0.08 * sin (u * 7.0 + phase) + 0.03 * sin (u * 23.0)));
      int hill2 = (int) (height * (0.70 + 0.06 * sin (u * 4.0 - phase) + 0.02 * sin (u * 41.0 + 1.0)));

      for (int y = 0; y < height; y++)
        {
          guchar *p = pixels + (gsize) y * stride + (gsize) x * n_channels;
          int grain = (int) (xorshift64 (&state) % 9) - 4;
          int r, g, b;

          if (y < hill1)
            {
              r = sky_r + 100 * y / height;
              g = 110 + 90 * y / height;
              b = sky_b + 40 * y / height;
              for (guint d = 0; d < G_N_ELEMENTS (discs); d++)
                {
                  int dx = x - discs[d].x;
                  int dy = y - discs[d].y;
                  int d2 = dx * dx + dy * dy;
                  int r2 = discs[d].r * discs[d].r;

                  if (d2 < r2)
                    {
                      int w = 256 * (r2 - d2) / r2;

                      r = (r * (256 - w) + discs[d].red * w) / 256;
                      g = (g * (256 - w) + discs[d].green * w) / 256;
                      b = (b * (256 - w) + discs[d].blue * w) / 256;
                    }
                }
            }
          else if (y < hill2)
            {
              r = 40 + 30 * (y - hill1) / height + (x / 37 % 3) * 6;
              g = 110 + 60 * (hill2 - y) / height;
              b = 50;
            }
          else
            {
              r = 90 + 50 * (y - hill2) / height + ((x + y) / 19 % 4) * 5;
              g = 80 + 30 * (y - hill2) / height;
              b = 40;
            }

          p[0] = clamp_byte (r + grain);
          p[1] = clamp_byte (g + grain);
          p[2] = clamp_byte (b + grain);
          if (n_channels == 4)
            p[3] = (guchar) (255 - (x * 64 / width));
        }
    }

  return pixbuf;
}

static gboolean
generate (FySampleSet   set,
          const char   *dir,
          GError      **error)
{
  if (set == FY_SAMPLE_SET_FILES)
    {
      for (guint i = 0; i < N_BLOBS; i++)
        {
          g_autofree char *name = g_strdup_printf ("blob-%02u.bin", i + 1);
          g_autofree char *path = g_build_filename (dir, name, NULL);

          if (!write_blob (path, i, error))
            return FALSE;
        }
      return TRUE;
    }

  for (guint i = 0; i < N_PHOTOS + N_DIAGRAMS; i++)
    {
      gboolean photo = i < N_PHOTOS;
      g_autofree char *name = photo
        ? g_strdup_printf ("photo-%02u.jpg", i + 1)
        : g_strdup_printf ("picture-%02u.png", i - N_PHOTOS + 1);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GdkPixbuf) pixbuf = photo
        ? paint_photo (i, PHOTO_WIDTH, PHOTO_HEIGHT, FALSE)
        : paint_photo (i, DIAGRAM_WIDTH, DIAGRAM_HEIGHT, TRUE);
      gboolean ok = photo
        ? gdk_pixbuf_save (pixbuf, path, "jpeg", error, "quality", "88", NULL)
        : gdk_pixbuf_save (pixbuf, path, "png", error, NULL);

      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

char *
fy_sample_data_ensure (FySampleSet   set,
                       GError      **error)
{
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp_template = NULL;
  char *tmp_dir;

  g_return_val_if_fail (set <= FY_SAMPLE_SET_IMAGES, NULL);

  root = g_build_filename (g_get_user_cache_dir (), "forkyard", "samples", SAMPLE_VERSION, NULL);
  dir = g_build_filename (root, set_names[set], NULL);
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&dir);

  if (g_mkdir_with_parents (root, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                   "cannot create %s: %s", root, g_strerror (saved_errno));
      return NULL;
    }

  tmp_template = g_build_filename (root, ".tmp-XXXXXX", NULL);
  tmp_dir = g_mkdtemp (tmp_template);
  if (tmp_dir == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                   "cannot create a directory in %s: %s", root, g_strerror (saved_errno));
      return NULL;
    }

  if (!generate (set, tmp_dir, error))
    {
      remove_tree (tmp_dir);
      return NULL;
    }

  /* Whoever renames first wins; a loser's identical copy is dropped. */
  if (g_rename (tmp_dir, dir) != 0)
    {
      int saved_errno = errno;

      remove_tree (tmp_dir);
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                       "cannot create %s: %s", dir, g_strerror (saved_errno));
          return NULL;
        }
    }

  return g_steal_pointer (&dir);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
fy_sample_data_list (FySampleSet   set,
                     GError      **error)
{
  g_autofree char *dir = fy_sample_data_ensure (set, error);
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GDir) handle = NULL;
  const char *name;

  if (dir == NULL)
    return NULL;

  handle = g_dir_open (dir, 0, error);
  if (handle == NULL)
    return NULL;

  paths = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (paths, compare_strings);

  return g_steal_pointer (&paths);
}
