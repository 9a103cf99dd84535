/* test-image-scan.c: magic bytes, EXIF orientation and CPU lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The small parsers the resize and load workloads rely on, fed crafted
 * bytes: each format's signature, an EXIF block in both byte orders (and
 * cut short), a JPEG's end marker found in blocks of any size, and CPU lists as taskset and sysfs write them.
 */

#include "config.h"

#include <string.h>

#include "fy-cpu-list.h"
#include "fy-image-scan.h"
#include "fy-workload-error.h"

static void
test_sniff_every_format (void)
{
  static const struct { const char *bytes; gsize len; const char *type; } cases[] = {
    { "\xff\xd8\xff\xe0\0\x10JFIF", 10, "jpeg" },
    { "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "png" },
    { "GIF89a\x01\0\x01\0", 10, "gif" },
    { "BM\x36\0\0\0\0\0", 8, "bmp" },
    { "II*\0\x08\0\0\0", 8, "tiff" },
    { "MM\0*\0\0\0\x08", 8, "tiff" },
    { "RIFF\x24\0\0\0WEBPVP8 ", 16, "webp" },
    { "\0\0\0\x18" "ftypheic\0\0\0\0", 16, "heif" },
    { "\0\0\0\x18" "ftypmif1\0\0\0\0", 16, "heif" },
    { "\0\0\0\x1c" "ftypavif\0\0\0\0", 16, "avif" },
    { "\0\0\1\0\1\0\x10\x10", 8, "ico" },
    { "%PDF-1.7", 8, NULL },
    { "\xff\xd8", 2, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (fy_image_sniff_type ((const guchar *) cases[i].bytes, cases[i].len), ==,
                     cases[i].type);
}

/* A JPEG start: SOI, an APP0, then an APP1 EXIF block whose IFD0 holds a
 * resolution tag and then the orientation. */
static gsize
make_exif_jpeg (guchar   *out,
                gboolean  big_endian,
                guint     orientation)
{
  guchar tiff[64] = { 0 };
  gsize at = 0;
  gsize tiff_len = 8 + 2 + 2 * 12 + 4;

#define U16(p, v) do { if (big_endian) { (p)[0] = (v) >> 8; (p)[1] = (v) & 0xff; } \
                       else { (p)[1] = (v) >> 8; (p)[0] = (v) & 0xff; } } while (0)
  memcpy (tiff, big_endian ? "MM\0*" : "II*\0", 4);
  if (big_endian)
    tiff[7] = 8;
  else
    tiff[4] = 8;
  U16 (tiff + 8, 2);
  U16 (tiff + 10, 0x011a);       /* XResolution, RATIONAL: not ours */
  U16 (tiff + 12, 5);
  U16 (tiff + 22, 0x0112);       /* Orientation, SHORT, 1 */
  U16 (tiff + 24, 3);
  tiff[big_endian ? 29 : 26] = 1;
  U16 (tiff + 30, orientation);
#undef U16

  memcpy (out + at, "\xff\xd8\xff\xe0\0\x10JFIF\0\1\1\0\0\1\0\1\0\0", 20);
  at += 20;
  out[at++] = 0xff;
  out[at++] = 0xe1;
  out[at++] = (guchar) ((2 + 6 + tiff_len) >> 8);
  out[at++] = (guchar) ((2 + 6 + tiff_len) & 0xff);
  memcpy (out + at, "Exif\0\0", 6);
  at += 6;
  memcpy (out + at, tiff, tiff_len);
  at += tiff_len;
  memcpy (out + at, "\xff\xda\0\x08", 4);
  return at + 4;
}

static void
test_exif_orientation (void)
{
  guchar jpeg[256];

  for (guint orientation = 1; orientation <= 8; orientation++)
    {
      gsize len = make_exif_jpeg (jpeg, orientation % 2 == 0, orientation);

      g_assert_cmpint (fy_jpeg_exif_orientation (jpeg, len), ==, orientation);
      /* Cut before the tag: unknown, never a guess. */
      g_assert_cmpint (fy_jpeg_exif_orientation (jpeg, 20 + 4 + 6 + 20), ==, 0);
    }

  /* Out of range, no EXIF, not a JPEG. */
  g_assert_cmpint (fy_jpeg_exif_orientation (jpeg, make_exif_jpeg (jpeg, TRUE, 9)), ==, 0);
  g_assert_cmpint (fy_jpeg_exif_orientation ((const guchar *) "\xff\xd8\xff\xda\0\x08", 6), ==, 0);
  g_assert_cmpint (fy_jpeg_exif_orientation ((const guchar *) "\x89PNG\r\n\x1a\n", 8), ==, 0);
}

/* A 2 × 2 GIF: a global colour table, a graphic control extension, a
 * comment whose payload holds the bytes of an empty frame (data, not a
 * frame), a good frame, a stray byte the loader passes over, and then
 * @last_frame's descriptor, or the trailer when it is NULL. */
static GByteArray *
make_gif (const guchar *last_frame)
{
  static const guchar head[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x80, 0, 0,
    0, 0, 0, 255, 255, 255,                          /* two colours */
    0x21, 0xf9, 4, 0, 0, 0, 0, 0,                    /* graphic control */
    0x21, 0xfe, 10, ',', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* a comment */
    0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0,                 /* frame 1: 2 × 2 */
    2, 2, 0x44, 0x01, 0,                             /* its pixels */
    0x18,                                            /* stray */
  };
  GByteArray *gif = g_byte_array_new ();

  g_byte_array_append (gif, head, sizeof head);
  if (last_frame != NULL)
    g_byte_array_append (gif, last_frame, 10);
  else
    g_byte_array_append (gif, (const guchar *) ";", 1);
  return gif;
}

static void
test_gif_empty_frames (void)
{
  static const guchar empty[] = { 0x2c, 0xff, 0xcc, 0, 0, 0, 0x2c, 0, 0, 0 };
  static const guchar good[] = { 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0 };
  g_autoptr(GByteArray) with_empty = make_gif (empty);
  g_autoptr(GByteArray) with_good = make_gif (good);
  g_autoptr(GByteArray) plain = make_gif (NULL);
  FyGifFrameScan scan = { 0 };

  /* Whole, and a byte at a time as blocks may cut it anywhere. */
  fy_gif_frame_scan_feed (&scan, with_empty->data, with_empty->len);
  g_assert_true (scan.empty_frame);
  g_assert_cmpuint (scan.frames, ==, 2);
  g_assert_cmpuint (scan.empty_width, ==, 11264);
  g_assert_cmpuint (scan.empty_height, ==, 0);
  memset (&scan, 0, sizeof scan);
  for (guint i = 0; i < with_empty->len; i++)
    fy_gif_frame_scan_feed (&scan, with_empty->data + i, 1);
  g_assert_true (scan.empty_frame);
  g_assert_cmpuint (scan.frames, ==, 2);

  /* The comment's payload is skipped, not read as a frame. */
  memset (&scan, 0, sizeof scan);
  fy_gif_frame_scan_feed (&scan, with_good->data, with_good->len);
  g_assert_false (scan.empty_frame);
  g_assert_cmpuint (scan.frames, ==, 2);
  memset (&scan, 0, sizeof scan);
  fy_gif_frame_scan_feed (&scan, plain->data, plain->len);
  g_assert_false (scan.empty_frame);
  g_assert_cmpuint (scan.frames, ==, 1);
}

/* The end-of-image scan, fed a crafted file in blocks of every size: a
 * segment whose payload holds 0xff 0xd9 (it must be skipped by length),
 * entropy-coded data with stuffed bytes, a restart marker and fill bytes
 * before the end marker; and the same file cut short of that marker. */
static void
test_jpeg_end_scan (void)
{
  static const guchar file[] = {
    0xff, 0xd8,
    0xff, 0xfe, 0x00, 0x06, 0xff, 0xd9, 0xff, 0xd9,   /* a comment holding FF D9 */
    0xff, 0xda, 0x00, 0x04, 0x00, 0x00,               /* a scan header */
    0x12, 0xff, 0x00, 0x34, 0x56, 0xff, 0xd0, 0x78,   /* data, stuffing, RST0 */
    0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0xff, 0x00,
    0xff, 0xff, 0xd9,                                 /* fill byte, EOI */
  };

  for (gsize block = 1; block <= sizeof file; block++)
    for (gsize cut = sizeof file - 1; cut <= sizeof file; cut++)
      {
        FyJpegEndScan scan = { 0 };

        for (gsize at = 0; at < cut; at += block)
          fy_jpeg_end_scan_feed (&scan, file + at, MIN (block, cut - at));
        g_assert_cmpint (scan.seen_end, ==, cut == sizeof file);
      }
  /* Cut just before the fill byte, or inside the comment: no end. */
  {
    FyJpegEndScan scan = { 0 };

    fy_jpeg_end_scan_feed (&scan, file, sizeof file - 3);
    g_assert_false (scan.seen_end);
  }
  {
    FyJpegEndScan scan = { 0 };

    fy_jpeg_end_scan_feed (&scan, file, 10);
    g_assert_false (scan.seen_end);
  }
}

static void
test_cpu_lists (void)
{
  static const struct { const char *text; const char *canonical; } good[] = {
    { "1", "1" },
    { "0-3,6", "0-3,6" },
    { "6,0,1,2,3", "0-3,6" },
    { " 2 , 4-5 ", "2,4-5" },
    { "0-0", "0" },
  };
  static const char *const bad[] = { "", "x", "1-", "-1", "3-1", "1,,2", "0-2-4", "99999" };
  cpu_set_t set;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      g_assert_true (fy_cpu_list_parse (good[i].text, &set, &error));
      g_assert_no_error (error);
      text = fy_cpu_list_format (&set);
      g_assert_cmpstr (text, ==, good[i].canonical);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (fy_cpu_list_parse (bad[i], &set, &error));
      g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
    }

  /* CPU_SETSIZE - 1 is never online on a test machine. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *text = g_strdup_printf ("%d", CPU_SETSIZE - 1);

    g_assert_false (fy_cpu_list_parse_online (text, &set, &error));
    g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "is not online"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/workloads/image-scan/sniff", test_sniff_every_format);
  g_test_add_func ("/workloads/image-scan/exif-orientation", test_exif_orientation);
  g_test_add_func ("/workloads/image-scan/gif-empty-frames", test_gif_empty_frames);
  g_test_add_func ("/workloads/image-scan/jpeg-end", test_jpeg_end_scan);
  g_test_add_func ("/workloads/cpu-list/parse", test_cpu_lists);

  return g_test_run ();
}
