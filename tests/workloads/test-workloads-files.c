/* test-workloads-files.c: resize and the sandbox, called directly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "fy-png-reduce.h"
#include "fy-resample.h"
#include "fy-sandbox.h"
#include "fy-workload.h"
#include "fy-workload-error.h"

#include "fy-test-workloads.h"

static gboolean
fixed_size_cb (int       width,
               int       height,
               int      *out_width,
               int      *out_height,
               gpointer  user_data)
{
  const int *size = user_data;

  *out_width = size[0];
  *out_height = size[1];
  return TRUE;
}

/* A picture of @channels with some structure and, for RGBA, alpha that
 * varies down to fully transparent. */
static GdkPixbuf *
make_test_picture (int width,
                   int height,
                   int channels)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, channels == 4, 8, width, height);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  GRand *rand = g_rand_new_with_seed (18);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;

        p[0] = (guint8) ((x * 7 + y * 3) & 0xff);
        p[1] = (guint8) g_rand_int_range (rand, 0, 256);
        p[2] = (guint8) (((x / 9) ^ (y / 5)) & 1 ? 230 : 20);
        if (channels == 4)
          p[3] = (guint8) (x % 50 < 5 ? 0 : (y * 255) / MAX (height - 1, 1));
      }
  g_rand_free (rand);
  return pixbuf;
}

/* The row-fed reduction gives what fy_resample_lanczos () makes of the
 * whole picture, byte for byte, at factors of one and more, with rows and
 * columns left over. */
static void
test_resample_box_reducer (void)
{
  const int cases[][4] = {
    /* source w, h, target w, h */
    { 1000, 700, 120, 90 },
    { 640, 480, 300, 300 },
    { 301, 977, 37, 100 },
    { 90, 60, 80, 50 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int channels = 3; channels <= 4; channels++)
      {
        g_autoptr(GdkPixbuf) source = make_test_picture (cases[i][0], cases[i][1], channels);
        g_autoptr(GdkPixbuf) whole = fy_resample_lanczos (source, cases[i][2], cases[i][3]);
        FyBoxReducer *reducer = fy_box_reducer_new (cases[i][0], cases[i][1], channels,
                                                    cases[i][2], cases[i][3]);
        g_autoptr(GdkPixbuf) reduced = NULL;
        g_autoptr(GdkPixbuf) streamed = NULL;
        const guint8 *pixels = gdk_pixbuf_read_pixels (source);
        int stride = gdk_pixbuf_get_rowstride (source);

        g_assert_nonnull (reducer);
        for (int y = 0; y < cases[i][1]; y++)
          fy_box_reducer_push_row (reducer, pixels + (gsize) y * stride);
        reduced = fy_box_reducer_finish (reducer);
        streamed = fy_resample_lanczos (reduced, cases[i][2], cases[i][3]);

        g_assert_nonnull (whole);
        g_assert_nonnull (streamed);
        g_assert_cmpint (gdk_pixbuf_get_width (streamed), ==, cases[i][2]);
        g_assert_cmpint (gdk_pixbuf_get_height (streamed), ==, cases[i][3]);
        for (int y = 0; y < cases[i][3]; y++)
          g_assert_cmpmem (gdk_pixbuf_read_pixels (whole) + (gsize) y * gdk_pixbuf_get_rowstride (whole),
                           cases[i][2] * channels,
                           gdk_pixbuf_read_pixels (streamed) + (gsize) y * gdk_pixbuf_get_rowstride (streamed),
                           cases[i][2] * channels);
      }
}

/* PNGs through FyPngReduce give, byte for byte, the thumbnail
 * gdk-pixbuf's decode gives: RGB and RGBA files saved by gdk-pixbuf, fed
 * in uneven blocks; a file cut short fails with an error. (Grey, grey +
 * alpha, palette and 16-bit files go through the whole resize workload in
 * tests/cli/test-cli-workloads.py.) */
static void
test_png_reduce_matches_gdk_pixbuf (void)
{
  g_autoptr(GdkPixbuf) rgb = make_test_picture (333, 211, 3);
  g_autoptr(GdkPixbuf) rgba = make_test_picture (333, 211, 4);
  GdkPixbuf *pictures[] = { rgb, rgba };

  for (guint i = 0; i < G_N_ELEMENTS (pictures); i++)
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
      g_autoptr(GdkPixbuf) expected = NULL;
      g_autoptr(GdkPixbuf) reduced = NULL;
      g_autoptr(GdkPixbuf) got = NULL;
      g_autoptr(FyPngReduce) png = NULL;
      g_autoptr(FyPngReduce) cut = NULL;
      g_autoptr(GError) error = NULL;
      int size[2] = { 100, 70 };

      g_assert_true (gdk_pixbuf_save_to_buffer (pictures[i], &data, &len, "png", NULL, NULL));
      g_assert_true (fy_png_reduce_can_decode ((const guint8 *) data, len));
      g_assert_true (gdk_pixbuf_loader_write (loader, (const guint8 *) data, len, NULL));
      g_assert_true (gdk_pixbuf_loader_close (loader, NULL));
      expected = fy_resample_lanczos (gdk_pixbuf_loader_get_pixbuf (loader), size[0], size[1]);

      png = fy_png_reduce_new (fixed_size_cb, size);
      /* In uneven blocks, as a file is read. */
      for (gsize at = 0; at < len; at += 1000)
        g_assert_true (fy_png_reduce_feed (png, (const guint8 *) data + at, MIN (1000, len - at), &error));
      g_assert_no_error (error);
      reduced = fy_png_reduce_finish (png, &error);
      g_assert_no_error (error);
      got = fy_resample_lanczos (reduced, size[0], size[1]);
      g_assert_cmpint (gdk_pixbuf_get_n_channels (got), ==, gdk_pixbuf_get_n_channels (expected));
      for (int y = 0; y < size[1]; y++)
        g_assert_cmpmem (gdk_pixbuf_read_pixels (expected) + (gsize) y * gdk_pixbuf_get_rowstride (expected),
                         size[0] * gdk_pixbuf_get_n_channels (expected),
                         gdk_pixbuf_read_pixels (got) + (gsize) y * gdk_pixbuf_get_rowstride (got),
                         size[0] * gdk_pixbuf_get_n_channels (got));

      cut = fy_png_reduce_new (fixed_size_cb, size);
      g_assert_true (fy_png_reduce_feed (cut, (const guint8 *) data, len / 2, &error));
      g_assert_null (fy_png_reduce_finish (cut, &error));
      g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT);
    }
}
/* ---- resize ------------------------------------------------------------- */

static GdkPixbuf *
make_picture (int      width,
              int      height,
              gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);

  /* Smooth shapes and a hard edge: recognisable after a downscale. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + y * stride + x * n;
        double dx = x - width * 0.4;
        double dy = y - height * 0.5;
        gboolean inside = dx * dx + dy * dy < (height * 0.3) * (height * 0.3);

        p[0] = inside ? 220 : (guchar) (255 * x / width);
        p[1] = inside ? 40 : (guchar) (255 * y / height);
        p[2] = (guchar) (128 + 100 * sin (x * 0.01));
        if (n == 4)
          p[3] = 255;
      }
  return pixbuf;
}

/* The reference: a plain box filter over the source, written here so it
 * shares nothing with gdk-pixbuf's scaler. */
static double
psnr_against_box_filter (GdkPixbuf *source,
                         GdkPixbuf *result)
{
  int sw = gdk_pixbuf_get_width (source);
  int sh = gdk_pixbuf_get_height (source);
  int rw = gdk_pixbuf_get_width (result);
  int rh = gdk_pixbuf_get_height (result);
  int sn = gdk_pixbuf_get_n_channels (source);
  int rn = gdk_pixbuf_get_n_channels (result);
  const guchar *sp = gdk_pixbuf_read_pixels (source);
  const guchar *rp = gdk_pixbuf_read_pixels (result);
  int ss = gdk_pixbuf_get_rowstride (source);
  int rs = gdk_pixbuf_get_rowstride (result);
  double mse = 0;

  for (int y = 0; y < rh; y++)
    for (int x = 0; x < rw; x++)
      {
        int x0 = x * sw / rw, x1 = MAX (x0 + 1, (x + 1) * sw / rw);
        int y0 = y * sh / rh, y1 = MAX (y0 + 1, (y + 1) * sh / rh);

        for (int c = 0; c < 3; c++)
          {
            double sum = 0;
            double diff;

            for (int yy = y0; yy < y1; yy++)
              for (int xx = x0; xx < x1; xx++)
                sum += sp[yy * ss + xx * sn + c];
            diff = sum / ((x1 - x0) * (y1 - y0)) - rp[y * rs + x * rn + c];
            mse += diff * diff;
          }
      }

  mse /= (double) rw * rh * 3;
  return mse == 0 ? 99.0 : 10 * log10 (255.0 * 255.0 / mse);
}

static GVariant *
resize (const char  *input,
        const char  *out_dir,
        int          width,
        int          height,
        gboolean     keep_aspect,
        GError     **error)
{
  return fy_test_run_workload ("resize", g_variant_new ("(^ay^ayiib)", input, out_dir, width, height, keep_aspect),
              error);
}

static void
check_resized (const char *input,
               const char *out_dir,
               int         width,
               int         height,
               gboolean    keep_aspect,
               int         expect_width,
               int         expect_height,
               const char *expect_format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = resize (input, out_dir, width, height, keep_aspect, &error);
  g_autoptr(GdkPixbuf) source = NULL;
  g_autoptr(GdkPixbuf) output = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *expected_path = NULL;
  g_autofree char *base = g_path_get_basename (input);
  g_autofree char *format_name = NULL;
  int got_w, got_h;
  double psnr;

  g_assert_no_error (error);
  g_variant_get (result, "(^ayii)", &out_path, &got_w, &got_h);
  expected_path = g_build_filename (out_dir, base, NULL);
  g_assert_cmpstr (out_path, ==, expected_path);
  g_assert_cmpint (got_w, ==, expect_width);
  g_assert_cmpint (got_h, ==, expect_height);

  output = fy_test_load_image (out_path, &format_name);
  g_assert_cmpstr (format_name, ==, expect_format);
  g_assert_cmpint (gdk_pixbuf_get_width (output), ==, expect_width);
  g_assert_cmpint (gdk_pixbuf_get_height (output), ==, expect_height);

  source = fy_test_load_image (input, NULL);
  psnr = psnr_against_box_filter (source, output);
  g_test_message ("%s → %d×%d: PSNR %.1f dB", base, expect_width, expect_height, psnr);
  g_assert_cmpfloat (psnr, >=, 25.0);
}

static void
test_resize_good (void)
{
  g_autofree char *dir = fy_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *aspect_out = g_build_filename (dir, "aspect", NULL);
  g_autofree char *jpeg = g_build_filename (dir, "photo.jpg", NULL);
  g_autofree char *png = g_build_filename (dir, "picture.png", NULL);
  g_autoptr(GdkPixbuf) photo = make_picture (1600, 1200, FALSE);
  g_autoptr(GdkPixbuf) picture = make_picture (640, 480, TRUE);
  g_autofree char *wide = g_build_filename (dir, "wide.jpg", NULL);
  g_autoptr(GdkPixbuf) wide_photo = make_picture (1920, 1080, FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (aspect_out, 0755), ==, 0);
  g_assert_true (gdk_pixbuf_save (photo, jpeg, "jpeg", &error, "quality", "92", NULL));
  g_assert_true (gdk_pixbuf_save (picture, png, "png", &error, NULL));

  check_resized (jpeg, out, 300, 300, FALSE, 300, 300, "jpeg");
  /* 1080 / 4 = 270 rows: decoded a little short of 300, then scaled up. */
  g_assert_true (gdk_pixbuf_save (wide_photo, wide, "jpeg", &error, NULL));
  check_resized (wide, out, 300, 300, FALSE, 300, 300, "jpeg");
  check_resized (png, out, 300, 300, FALSE, 300, 300, "png");
  check_resized (jpeg, aspect_out, 300, 300, TRUE, 300, 225, "jpeg");
  check_resized (png, aspect_out, 200, 400, TRUE, 200, 150, "png");
}

static guint32
crc32_of (const guchar *data,
          gsize         len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
    }
  return ~crc;
}

static void
append_chunk (GByteArray   *png,
              const char   *type,
              const guchar *data,
              guint32       len)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint32 be_len = GUINT32_TO_BE (len);
  guint32 crc;

  g_byte_array_append (body, (const guchar *) type, 4);
  if (len > 0)
    g_byte_array_append (body, data, len);
  crc = GUINT32_TO_BE (crc32_of (body->data, body->len));
  g_byte_array_append (png, (const guchar *) &be_len, 4);
  g_byte_array_append (png, body->data, body->len);
  g_byte_array_append (png, (const guchar *) &crc, 4);
}

/* A valid PNG header claiming 100000×100000 RGB pixels (30 GB decoded),
 * followed by a few bytes of data: the classic decompression bomb. */
static void
write_pixel_bomb (const char *path)
{
  static const guchar signature[8] = { 137, 'P', 'N', 'G', '\r', '\n', 26, '\n' };
  static const guchar idat[] = { 0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 };
  g_autoptr(GByteArray) png = g_byte_array_new ();
  guchar ihdr[13] = { 0 };
  guint32 side = GUINT32_TO_BE (100000);

  memcpy (ihdr, &side, 4);
  memcpy (ihdr + 4, &side, 4);
  ihdr[8] = 8;  /* bit depth */
  ihdr[9] = 2;  /* RGB */
  g_byte_array_append (png, signature, sizeof signature);
  append_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_chunk (png, "IDAT", idat, sizeof idat);
  append_chunk (png, "IEND", NULL, 0);
  g_assert_true (g_file_set_contents (path, (const char *) png->data, png->len, NULL));
}

static void
assert_resize_fails (const char *input,
                     const char *out_dir,
                     int         code,
                     const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = resize (input, out_dir, 300, 300, FALSE, &error);
  g_autofree char *base = g_path_get_basename (input);
  g_autofree char *out_path = g_build_filename (out_dir, base, NULL);

  if (result != NULL)
    g_error ("%s was resized, but it should have failed", base);
  if (code != FY_WORKLOAD_ERROR_INVALID_ARGUMENT)
    g_assert_false (g_file_test (out_path, G_FILE_TEST_EXISTS));
  g_assert_error (error, FY_WORKLOAD_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
  g_test_message ("%s: %s", base, error->message);
}

static void
test_resize_bad_inputs (void)
{
  g_autofree char *dir = fy_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *good = g_build_filename (dir, "good.jpg", NULL);
  g_autofree char *truncated = g_build_filename (dir, "truncated.jpg", NULL);
  g_autofree char *good_png = g_build_filename (dir, "good.png", NULL);
  g_autofree char *truncated_png = g_build_filename (dir, "truncated.png", NULL);
  g_autofree char *corrupt = g_build_filename (dir, "corrupt.jpg", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.png", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *bomb = g_build_filename (dir, "bomb.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.jpg", NULL);
  g_autofree char *flat_gif = g_build_filename (dir, "flat.gif", NULL);
  g_autofree char *empty_frame_gif = g_build_filename (dir, "empty-frame.gif", NULL);
  /* A 2 × 0 screen; and a 2 × 2 one whose second frame is 5 × 0, which
   * gdk-pixbuf's GIF loader met with a critical before failing. */
  static const guchar flat_gif_bytes[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255,
    0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 2, 0x44, 0x01, 0, ';',
  };
  static const guchar empty_frame_gif_bytes[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255,
    0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 2, 0x44, 0x01, 0,
    0x2c, 0, 0, 0, 0, 5, 0, 0, 0, 0, 2, 2, 0x44, 0x01, 0, ';',
  };
  g_autoptr(GdkPixbuf) photo = make_picture (800, 600, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *noise = g_malloc (20000);
  gsize len = 0;

  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_assert_true (gdk_pixbuf_save (photo, good, "jpeg", &error, NULL));
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, len / 3, NULL));
  g_clear_pointer (&contents, g_free);
  g_assert_true (gdk_pixbuf_save (photo, good_png, "png", &error, NULL));
  g_assert_true (g_file_get_contents (good_png, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (truncated_png, contents, len / 2, NULL));
  for (guint i = 0; i < 20000; i++)
    noise[i] = (char) g_test_rand_int_range (0, 256);
  /* A JPEG signature in front of noise: the decoder gets past sniffing. */
  memcpy (noise, "\xff\xd8\xff\xe0", 4);
  g_assert_true (g_file_set_contents (corrupt, noise, 20000, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (text, "just some words\n", -1, NULL));
  write_pixel_bomb (bomb);
  g_assert_true (g_file_set_contents (flat_gif, (const char *) flat_gif_bytes,
                                      sizeof flat_gif_bytes, NULL));
  g_assert_true (g_file_set_contents (empty_frame_gif, (const char *) empty_frame_gif_bytes,
                                      sizeof empty_frame_gif_bytes, NULL));

  assert_resize_fails (truncated, out, FY_WORKLOAD_ERROR_CORRUPT, NULL);
  assert_resize_fails (truncated_png, out, FY_WORKLOAD_ERROR_CORRUPT, NULL);
  assert_resize_fails (corrupt, out, FY_WORKLOAD_ERROR_CORRUPT, NULL);
  assert_resize_fails (empty, out, FY_WORKLOAD_ERROR_CORRUPT, "empty");
  assert_resize_fails (text, out, FY_WORKLOAD_ERROR_CORRUPT, "not an image");
  assert_resize_fails (bomb, out, FY_WORKLOAD_ERROR_TOO_LARGE, "100000×100000");
  assert_resize_fails (missing, out, FY_WORKLOAD_ERROR_IO, "No such file");
  assert_resize_fails (flat_gif, out, FY_WORKLOAD_ERROR_CORRUPT, "claims 2×0 pixels");
  assert_resize_fails (empty_frame_gif, out, FY_WORKLOAD_ERROR_CORRUPT, "frame 2 is 5×0 pixels");
  /* Writing over the input is refused, whatever the directory. */
  assert_resize_fails (good, dir, FY_WORKLOAD_ERROR_INVALID_ARGUMENT, "overwrite");
  /* The bomb fails as too large from its header alone: decoding its 30 GB
   * canvas would hit the worker's memory limit instead, or the test's
   * time limit. */

  /* And the good one still resizes after all that. */
  check_resized (good, out, 300, 300, FALSE, 300, 300, "jpeg");
}

static void
test_resize_bad_size (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = resize ("/nonexistent.png", "/tmp", 0, 10, FALSE, &error);

  g_assert_null (result);
  g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
}

/* ---- sandbox ------------------------------------------------------------ */

typedef struct
{
  const char *readable;
  const char *writable;
  const char *forbidden;
  gboolean    enforced;
  int         read_ok;
  int         write_ok;
  int         forbidden_read_errno;
  int         forbidden_write_errno;
} SandboxProbe;

static int
try_open (const char *dir,
          const char *name,
          int         flags)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd = open (path, flags | O_CLOEXEC, 0644);
  int saved_errno = errno;

  if (fd >= 0)
    {
      close (fd);
      return 0;
    }
  return saved_errno;
}

static gpointer
sandbox_thread (gpointer data)
{
  SandboxProbe *probe = data;
  const char *read_paths[] = { probe->readable, NULL };
  const char *write_dirs[] = { probe->writable, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_sandbox_restrict_thread (read_paths, write_dirs, &probe->enforced, &error));
  g_assert_no_error (error);

  probe->read_ok = try_open (probe->readable, "file", O_RDONLY);
  probe->write_ok = try_open (probe->writable, "new", O_WRONLY | O_CREAT | O_TRUNC);
  probe->forbidden_read_errno = try_open (probe->forbidden, "file", O_RDONLY);
  probe->forbidden_write_errno = try_open (probe->readable, "new", O_WRONLY | O_CREAT);
  return NULL;
}

static void
test_sandbox_landlock (void)
{
  g_autofree char *dir = fy_test_make_tmp_dir ();
  g_autofree char *readable = g_build_filename (dir, "in", NULL);
  g_autofree char *writable = g_build_filename (dir, "out", NULL);
  g_autofree char *forbidden = g_build_filename (dir, "private", NULL);
  g_autofree char *in_file = g_build_filename (readable, "file", NULL);
  g_autofree char *private_file = g_build_filename (forbidden, "file", NULL);
  g_autoptr(GError) error = NULL;
  SandboxProbe probe = { readable, writable, forbidden };
  GThread *thread;

  if (fy_sandbox_get_landlock_abi () == 0)
    {
      g_test_skip ("the kernel has no Landlock");
      return;
    }

  g_assert_cmpint (g_mkdir (readable, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (writable, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (forbidden, 0755), ==, 0);
  g_assert_true (g_file_set_contents (in_file, "x", 1, NULL));
  g_assert_true (g_file_set_contents (private_file, "y", 1, NULL));

  /* Landlock needs no_new_privs; the rlimits here are generous. */
  g_assert_true (fy_sandbox_limit_process (0, 0, &error));
  g_assert_no_error (error);

  thread = g_thread_new ("sandboxed", sandbox_thread, &probe);
  g_thread_join (thread);

  g_assert_true (probe.enforced);
  g_assert_cmpint (probe.read_ok, ==, 0);
  g_assert_cmpint (probe.write_ok, ==, 0);
  g_assert_cmpint (probe.forbidden_read_errno, ==, EACCES);
  g_assert_cmpint (probe.forbidden_write_errno, ==, EACCES);

  /* Only that thread was confined: this one still reads everything. */
  g_assert_cmpint (try_open (forbidden, "file", O_RDONLY), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/workloads/resize/box-reducer", test_resample_box_reducer);
  g_test_add_func ("/workloads/resize/png-reduce", test_png_reduce_matches_gdk_pixbuf);
  g_test_add_func ("/workloads/resize/good", test_resize_good);
  g_test_add_func ("/workloads/resize/bad-inputs", test_resize_bad_inputs);
  g_test_add_func ("/workloads/resize/bad-size", test_resize_bad_size);
  g_test_add_func ("/workloads/sandbox/landlock", test_sandbox_landlock);

  return g_test_run ();
}
