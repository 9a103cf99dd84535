/* test-jpeg-decode.c: fy_jpeg_decode () against gdk-pixbuf's JPEG loader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JPEGs are written here with libjpeg, so that each chroma
 * subsampling, progressive and sequential files, restart markers and an
 * EXIF orientation can be made on purpose. At every DCT scale the picture
 * must be, byte for byte, what gdk-pixbuf's loader decodes from the same
 * file at that scale, whether or not scans were left out; and the scans
 * left out must be exactly the AC scans of the components decoded at 1/8.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <jpeglib.h>

#include "fy-jpeg-decode.h"
#include "fy-workload-error.h"

typedef struct
{
  J_COLOR_SPACE space;       /* JCS_RGB (stored as YCbCr), JCS_GRAYSCALE or JCS_CMYK */
  int           h_samp;      /* the first component's sampling factors */
  int           v_samp;
  gboolean      progressive;
  int           restart;     /* restart interval in MCUs, 0 for none */
  int           orientation; /* an EXIF orientation to embed, 0 for none */
} JpegSpec;

#define WIDTH  203
#define HEIGHT 147

/* Detail at every frequency, so that the AC scans carry data: smooth
 * ramps, a fine checkerboard and a little pseudo-random noise. */
static guint8
sample (int x,
        int y,
        int c)
{
  guint32 noise = (guint32) (x * 7919 + y * 104729 + c * 1299709);

  noise ^= noise >> 13;
  noise *= 0x5bd1e995;
  noise ^= noise >> 15;
  return (guint8) ((x * (c + 1) * 255 / WIDTH + y * (3 - c) * 255 / HEIGHT) / 3 +
                   ((x / (c + 1) + y) % 2) * 40 + (noise & 31));
}

/* A minimal EXIF APP1 body: big-endian TIFF, IFD0 with the orientation. */
static void
write_exif (j_compress_ptr cinfo,
            int            orientation)
{
  const guint8 body[] = {
    'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0, 42, 0, 0, 0, 8,
    0, 1,
    0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (guint8) orientation, 0, 0,
    0, 0, 0, 0,
  };

  jpeg_write_marker (cinfo, JPEG_APP0 + 1, body, sizeof body);
}

static GBytes *
make_jpeg (const JpegSpec *spec)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  unsigned char *out = NULL;
  unsigned long out_len = 0;
  int components = spec->space == JCS_GRAYSCALE ? 1 : spec->space == JCS_CMYK ? 4 : 3;
  g_autofree guint8 *row = g_malloc ((gsize) WIDTH * components);
  GBytes *bytes;

  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &out_len);
  cinfo.image_width = WIDTH;
  cinfo.image_height = HEIGHT;
  cinfo.input_components = components;
  cinfo.in_color_space = spec->space;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 92, TRUE);
  if (components == 3)
    {
      cinfo.comp_info[0].h_samp_factor = spec->h_samp;
      cinfo.comp_info[0].v_samp_factor = spec->v_samp;
    }
  if (spec->progressive)
    jpeg_simple_progression (&cinfo);
  cinfo.restart_interval = (unsigned int) spec->restart;
  jpeg_start_compress (&cinfo, TRUE);
  if (spec->orientation != 0)
    write_exif (&cinfo, spec->orientation);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW rows[1] = { row };

      for (int x = 0; x < WIDTH; x++)
        for (int c = 0; c < components; c++)
          row[x * components + c] = sample (x, (int) cinfo.next_scanline, c);
      jpeg_write_scanlines (&cinfo, rows, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);

  bytes = g_bytes_new (out, out_len);
  free (out);
  return bytes;
}

static void
loader_size_cb (GdkPixbufLoader *loader,
                int              width,
                int              height,
                gpointer         user_data)
{
  int denominator = GPOINTER_TO_INT (user_data);

  gdk_pixbuf_loader_set_size (loader, (width + denominator - 1) / denominator,
                              (height + denominator - 1) / denominator);
}

/* gdk-pixbuf's decode at 1/@denominator, fed in 64 KiB blocks as the
 * resize workload used to feed it. */
static GdkPixbuf *
reference (GBytes *jpeg,
           int     denominator)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("jpeg", NULL);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (jpeg, &len);

  g_signal_connect (loader, "size-prepared", G_CALLBACK (loader_size_cb),
                    GINT_TO_POINTER (denominator));
  for (gsize at = 0; at < len; at += 65536)
    g_assert_true (gdk_pixbuf_loader_write (loader, data + at, MIN (len - at, 65536), &error));
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

typedef struct
{
  int      denominator;
  gboolean refuse;
  int      calls;
  int      width;
  int      height;
} Scale;

static gboolean
scale_cb (int       width,
          int       height,
          int      *denominator,
          gpointer  user_data)
{
  Scale *scale = user_data;

  scale->calls++;
  scale->width = width;
  scale->height = height;
  *denominator = scale->denominator;
  return !scale->refuse;
}

static void
assert_same_pixels (GdkPixbuf *a,
                    GdkPixbuf *b)
{
  int width = gdk_pixbuf_get_width (a);
  int height = gdk_pixbuf_get_height (a);

  g_assert_cmpint (gdk_pixbuf_get_width (b), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (b), ==, height);
  g_assert_cmpint (gdk_pixbuf_get_n_channels (a), ==, 3);
  g_assert_cmpint (gdk_pixbuf_get_n_channels (b), ==, 3);
  for (int y = 0; y < height; y++)
    {
      const guint8 *ra = gdk_pixbuf_read_pixels (a) + (gsize) y * gdk_pixbuf_get_rowstride (a);
      const guint8 *rb = gdk_pixbuf_read_pixels (b) + (gsize) y * gdk_pixbuf_get_rowstride (b);

      if (memcmp (ra, rb, (gsize) width * 3) != 0)
        g_error ("row %d differs from gdk-pixbuf's decode", y);
    }
}

/* The scans libjpeg's simple progression writes: for three components a
 * DC scan, its refinement, and four AC scans of the luma and two of each
 * chroma component; for one, a DC scan and its refinement and four AC
 * scans. */
static void
check_spec (const JpegSpec *spec,
            const char     *name)
{
  g_autoptr(GBytes) jpeg = make_jpeg (spec);
  gsize len;
  const guint8 *data = g_bytes_get_data (jpeg, &len);

  for (int denominator = 1; denominator <= 8; denominator *= 2)
    {
      g_autoptr(GdkPixbuf) expected = reference (jpeg, denominator);
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;
      FyJpegDecodeStats stats;
      Scale scale = { .denominator = denominator };
      FyJpegDecodeStatus status;
      guint skipped = 0;

      status = fy_jpeg_decode (data, len, scale_cb, &scale, &pixbuf, &stats, &error);
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, FY_JPEG_DECODE_DONE);
      g_assert_cmpint (scale.calls, ==, 1);
      g_assert_cmpint (scale.width, ==, WIDTH);
      g_assert_cmpint (scale.height, ==, HEIGHT);
      g_test_message ("%s at 1/%d: %u of %u scans left out, %" G_GSIZE_FORMAT " of %"
                      G_GSIZE_FORMAT " bytes", name, denominator, stats.scans_skipped,
                      stats.scans, stats.bytes_skipped, len);
      assert_same_pixels (pixbuf, expected);

      /* At 1/8 every component sampled at the full rate reads only DC;
       * a subsampled chroma component is scaled up by its IDCT instead
       * of by upsampling, and needs its AC scans then. */
      if (spec->progressive && denominator == 8)
        {
          if (spec->space == JCS_GRAYSCALE)
            skipped = 4;
          else if (spec->h_samp == 1 && spec->v_samp == 1)
            skipped = 8;
          else if (spec->h_samp == 2 && spec->v_samp == 2)
            skipped = 4;
          else
            skipped = 8;  /* 2×1: chroma rows are not subsampled, no IDCT can scale them up */
        }
      g_assert_cmpuint (stats.scans_skipped, ==, skipped);
      if (spec->progressive)
        g_assert_cmpuint (stats.scans, ==, spec->space == JCS_GRAYSCALE ? 6 : 10);
      else
        g_assert_cmpuint (stats.scans, ==, 0);
      if (skipped > 0)
        g_assert_cmpuint (stats.bytes_skipped, >, len / 3);
    }
}

static void
test_jpeg_decode_matches_gdk_pixbuf (void)
{
  static const struct
  {
    const char *name;
    JpegSpec    spec;
  } cases[] = {
    { "sequential 4:2:0", { JCS_RGB, 2, 2, FALSE, 0, 0 } },
    { "sequential 4:4:4", { JCS_RGB, 1, 1, FALSE, 0, 0 } },
    { "sequential grey", { JCS_GRAYSCALE, 1, 1, FALSE, 0, 0 } },
    { "progressive 4:2:0", { JCS_RGB, 2, 2, TRUE, 0, 0 } },
    { "progressive 4:2:2", { JCS_RGB, 2, 1, TRUE, 0, 0 } },
    { "progressive 4:4:4", { JCS_RGB, 1, 1, TRUE, 0, 0 } },
    { "progressive grey", { JCS_GRAYSCALE, 1, 1, TRUE, 0, 0 } },
    /* Restart markers inside the entropy-coded data the scan plan steps
     * over. */
    { "progressive 4:4:4, restart every MCU", { JCS_RGB, 1, 1, TRUE, 1, 0 } },
    { "sequential 4:2:0, restart every 3 MCUs", { JCS_RGB, 2, 2, FALSE, 3, 0 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_spec (&cases[i].spec, cases[i].name);
}

static void
test_jpeg_decode_orientation (void)
{
  for (int orientation = 1; orientation <= 8; orientation++)
    {
      JpegSpec spec = { JCS_RGB, 2, 2, TRUE, 0, orientation };
      g_autoptr(GBytes) jpeg = make_jpeg (&spec);
      g_autoptr(GdkPixbuf) expected = reference (jpeg, 2);
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;
      Scale scale = { .denominator = 2 };
      gsize len;
      const guint8 *data = g_bytes_get_data (jpeg, &len);
      g_autofree char *text = g_strdup_printf ("%d", orientation);

      g_assert_cmpint (fy_jpeg_decode (data, len, scale_cb, &scale, &pixbuf, NULL, &error),
                       ==, FY_JPEG_DECODE_DONE);
      g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "orientation"), ==, text);
      g_assert_cmpstr (gdk_pixbuf_get_option (expected, "orientation"), ==, text);
    }
}

static void
test_jpeg_decode_refusals (void)
{
  /* CMYK is left to gdk-pixbuf, before the scale is asked for. */
  {
    JpegSpec spec = { JCS_CMYK, 1, 1, FALSE, 0, 0 };
    g_autoptr(GBytes) jpeg = make_jpeg (&spec);
    g_autoptr(GdkPixbuf) pixbuf = NULL;
    g_autoptr(GError) error = NULL;
    Scale scale = { .denominator = 1 };
    gsize len;
    const guint8 *data = g_bytes_get_data (jpeg, &len);

    g_assert_cmpint (fy_jpeg_decode (data, len, scale_cb, &scale, &pixbuf, NULL, &error),
                     ==, FY_JPEG_DECODE_UNSUPPORTED);
    g_assert_no_error (error);
    g_assert_null (pixbuf);
    g_assert_cmpint (scale.calls, ==, 0);
  }
  /* Refused by the scale function: nothing decoded. */
  {
    JpegSpec spec = { JCS_RGB, 2, 2, TRUE, 0, 0 };
    g_autoptr(GBytes) jpeg = make_jpeg (&spec);
    g_autoptr(GdkPixbuf) pixbuf = NULL;
    g_autoptr(GError) error = NULL;
    Scale scale = { .denominator = 1, .refuse = TRUE };
    gsize len;
    const guint8 *data = g_bytes_get_data (jpeg, &len);

    g_assert_cmpint (fy_jpeg_decode (data, len, scale_cb, &scale, &pixbuf, NULL, &error),
                     ==, FY_JPEG_DECODE_REFUSED);
    g_assert_no_error (error);
    g_assert_null (pixbuf);
    g_assert_cmpint (scale.calls, ==, 1);
  }
}

static void
test_jpeg_decode_damage (void)
{
  JpegSpec spec = { JCS_RGB, 2, 2, TRUE, 0, 0 };
  g_autoptr(GBytes) jpeg = make_jpeg (&spec);
  gsize len;
  const guint8 *data = g_bytes_get_data (jpeg, &len);
  const guint8 *scan;

  /* Noise after the start marker: a precise error, no picture. */
  {
    g_autofree guint8 *noise = g_malloc (4000);
    g_autoptr(GdkPixbuf) pixbuf = NULL;
    g_autoptr(GError) error = NULL;
    Scale scale = { .denominator = 1 };

    for (guint i = 0; i < 4000; i++)
      noise[i] = (guint8) g_test_rand_int_range (0, 256);
    memcpy (noise, "\xff\xd8\xff\xe0", 4);
    g_assert_cmpint (fy_jpeg_decode (noise, 4000, scale_cb, &scale, &pixbuf, NULL, &error),
                     ==, FY_JPEG_DECODE_FAILED);
    g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT);
    g_assert_true (g_str_has_prefix (error->message, "JPEG data: "));
    g_assert_null (pixbuf);
  }
  /* Cut anywhere after the header, at any scale: the picture as far as it
   * goes, never a crash (the caller reports the missing end marker). */
  scan = memmem (data, len, "\xff\xda", 2);
  g_assert_nonnull (scan);
  for (gsize cut = (gsize) (scan - data) + 20; cut < len; cut += len / 16)
    for (int denominator = 1; denominator <= 8; denominator *= 8)
      {
        g_autoptr(GdkPixbuf) pixbuf = NULL;
        g_autoptr(GError) error = NULL;
        Scale scale = { .denominator = denominator };

        g_assert_cmpint (fy_jpeg_decode (data, cut, scale_cb, &scale, &pixbuf, NULL, &error),
                         ==, FY_JPEG_DECODE_DONE);
        g_assert_no_error (error);
        g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, (WIDTH + denominator - 1) / denominator);
      }
  /* Cut inside the header: an error. */
  {
    g_autoptr(GdkPixbuf) pixbuf = NULL;
    g_autoptr(GError) error = NULL;
    Scale scale = { .denominator = 1 };

    g_assert_cmpint (fy_jpeg_decode (data, 60, scale_cb, &scale, &pixbuf, NULL, &error),
                     ==, FY_JPEG_DECODE_FAILED);
    g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/workloads/jpeg-decode/matches-gdk-pixbuf", test_jpeg_decode_matches_gdk_pixbuf);
  g_test_add_func ("/workloads/jpeg-decode/orientation", test_jpeg_decode_orientation);
  g_test_add_func ("/workloads/jpeg-decode/refusals", test_jpeg_decode_refusals);
  g_test_add_func ("/workloads/jpeg-decode/damage", test_jpeg_decode_damage);

  return g_test_run ();
}
