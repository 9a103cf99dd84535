/* test-png-decode.c: FyPngDecoder against gdk-pixbuf's PNG loader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PNGs are written here, chunk by chunk, so that every colour type
 * and bit depth, every row filter, a transparent colour, palette indices
 * past the palette and each kind of damage can be made on purpose. The
 * rows the decoder hands on must be, byte for byte, the pixels gdk-pixbuf
 * (libpng underneath) decodes from the same file; a damaged file must
 * fail with an error that names the damage. And the thumbnails' PNG
 * writer (fy-png-encode.h) must give back, through both decoders, the
 * pixels it was given.
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>
#include <zlib.h>

#include "fy-png-decode.h"
#include "fy-png-encode.h"
#include "fy-workload-error.h"

typedef struct
{
  guint8   colour;
  guint8   depth;
  int      width;
  int      height;
  gboolean trns;        /* a tRNS chunk */
  int      palette_len; /* entries in PLTE (palette pictures) */
  int      idat_split;  /* bytes per IDAT chunk; 0: one chunk */
  int      level;       /* zlib level */
} PngSpec;

static int
samples (guint8 colour)
{
  static const int table[] = { 1, 0, 3, 1, 2, 0, 4 };

  return table[colour];
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint8 b[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, b, 4);
}

static void
put_chunk (GByteArray   *out,
           const char   *type,
           const guint8 *data,
           gsize         len)
{
  guint32 crc = crc32 (0, (const guint8 *) type, 4);

  /* zlib's crc32 () restarts when given NULL. */
  if (len > 0)
    crc = crc32 (crc, data, (uInt) len);
  put_u32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (out, data, (guint) len);
  put_u32 (out, crc);
}

static guint8
paeth (int a,
       int b,
       int c)
{
  int p = a + b - c, pa = ABS (p - a), pb = ABS (p - b), pc = ABS (p - c);

  return (guint8) (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/* The raw picture for @spec: noise in smooth gradients, so that every
 * filter has both neighbours alike and different. @rowbytes is set. */
static guint8 *
make_raw (const PngSpec *spec,
          gsize         *rowbytes,
          guint32        seed)
{
  gsize bits = (gsize) spec->width * spec->depth * samples (spec->colour);
  gsize n;
  GRand *rand = g_rand_new_with_seed (seed);
  guint8 *raw;

  *rowbytes = (bits + 7) / 8;
  n = *rowbytes * spec->height;
  raw = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    raw[i] = (guint8) (i * 7 / (*rowbytes + 1) + g_rand_int_range (rand, 0, 24));
  g_rand_free (rand);
  return raw;
}

/* A PNG of @raw, row y filtered with type y % 5. */
static GByteArray *
write_png (const PngSpec *spec,
           const guint8  *raw,
           gsize          rowbytes)
{
  GByteArray *out = g_byte_array_new ();
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 header[13];
  int bpp = MAX (spec->depth * samples (spec->colour) / 8, 1);
  gsize filtered_len = (rowbytes + 1) * spec->height;
  g_autofree guint8 *filtered = g_malloc (filtered_len);
  g_autofree guint8 *zeros = g_malloc0 (rowbytes);
  uLongf packed_len = compressBound (filtered_len);
  g_autofree guint8 *packed = g_malloc (packed_len);

  g_byte_array_append (out, signature, 8);
  header[0] = spec->width >> 24, header[1] = spec->width >> 16, header[2] = spec->width >> 8;
  header[3] = spec->width;
  header[4] = spec->height >> 24, header[5] = spec->height >> 16, header[6] = spec->height >> 8;
  header[7] = spec->height;
  header[8] = spec->depth, header[9] = spec->colour, header[10] = header[11] = header[12] = 0;
  put_chunk (out, "IHDR", header, 13);
  /* An ancillary chunk the decoder skips. */
  put_chunk (out, "tEXt", (const guint8 *) "Comment\0test", 12);

  if (spec->colour == 3)
    {
      g_autofree guint8 *palette = g_malloc (3 * spec->palette_len);

      for (int i = 0; i < 3 * spec->palette_len; i++)
        palette[i] = (guint8) (i * 37 + 11);
      put_chunk (out, "PLTE", palette, 3 * spec->palette_len);
    }
  if (spec->trns)
    {
      guint8 trns[256];
      gsize trns_len;

      if (spec->colour == 3)
        {
          trns_len = MIN (spec->palette_len, 200);
          for (gsize i = 0; i < trns_len; i++)
            trns[i] = (guint8) (i * 53);
        }
      else
        {
          /* The first pixel's colour, so that some pixels match. */
          trns_len = spec->colour == 0 ? 2 : 6;
          for (gsize i = 0; i < trns_len / 2; i++)
            {
              guint value;

              if (spec->depth == 16)
                value = raw[2 * i] << 8 | raw[2 * i + 1];
              else if (spec->depth == 8)
                value = raw[i];
              else
                value = raw[0] >> (8 - spec->depth);
              trns[2 * i] = value >> 8;
              trns[2 * i + 1] = value & 0xff;
            }
        }
      put_chunk (out, "tRNS", trns, trns_len);
    }

  for (int y = 0; y < spec->height; y++)
    {
      const guint8 *row = raw + rowbytes * y;
      const guint8 *prev = y > 0 ? row - rowbytes : zeros;
      guint8 *f = filtered + (rowbytes + 1) * y;
      guint8 type = (guint8) (y % 5);

      f[0] = type;
      for (gsize i = 0; i < rowbytes; i++)
        {
          int a = i >= (gsize) bpp ? row[i - bpp] : 0;
          int b = prev[i];
          int c = i >= (gsize) bpp ? prev[i - bpp] : 0;
          int predicted[] = { 0, a, b, (a + b) >> 1, paeth (a, b, c) };

          f[1 + i] = (guint8) (row[i] - predicted[type]);
        }
    }
  g_assert_cmpint (compress2 (packed, &packed_len, filtered, filtered_len, spec->level), ==, Z_OK);

  if (spec->idat_split > 0)
    for (gsize at = 0; at < packed_len; at += spec->idat_split)
      put_chunk (out, "IDAT", packed + at, MIN ((gsize) spec->idat_split, packed_len - at));
  else
    put_chunk (out, "IDAT", packed, packed_len);
  put_chunk (out, "IEND", NULL, 0);
  return out;
}

typedef struct
{
  int         width;
  int         height;
  int         channels;
  GByteArray *rows;
  int         headers;
  gboolean    refuse;
} Collected;

static gboolean
collect_header (int      width,
                int      height,
                int      channels,
                gpointer user_data)
{
  Collected *c = user_data;

  c->width = width;
  c->height = height;
  c->channels = channels;
  c->headers++;
  return !c->refuse;
}

static void
collect_row (const guint8 *row,
             gpointer      user_data)
{
  Collected *c = user_data;

  g_byte_array_append (c->rows, row, c->width * c->channels);
}

/* Decodes @data fed in blocks of @block bytes; the rows, or NULL with
 * @error set. */
static GByteArray *
decode (const guint8  *data,
        gsize          len,
        gsize          block,
        Collected     *c,
        GError       **error)
{
  g_autoptr(FyPngDecoder) decoder = fy_png_decoder_new (collect_header, collect_row, c);

  c->rows = g_byte_array_new ();
  for (gsize at = 0; at < len; at += block)
    if (!fy_png_decoder_feed (decoder, data + at, MIN (block, len - at), error))
      {
        g_byte_array_unref (c->rows);
        return NULL;
      }
  if (!fy_png_decoder_is_done (decoder))
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT, "not done");
      g_byte_array_unref (c->rows);
      return NULL;
    }
  return c->rows;
}

static void
assert_matches_gdk_pixbuf (const PngSpec *spec,
                           GByteArray    *png)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
  g_autoptr(GByteArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  Collected c = { 0 };
  GdkPixbuf *expected;
  const gsize blocks[] = { 1, 13, 4096, 1 << 20 };

  g_assert_true (fy_png_decoder_can_decode (png->data, png->len));
  gdk_pixbuf_loader_write (loader, png->data, png->len, &error);
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  expected = gdk_pixbuf_loader_get_pixbuf (loader);

  for (guint b = 0; b < G_N_ELEMENTS (blocks); b++)
    {
      g_autoptr(GByteArray) got = decode (png->data, png->len, blocks[b], &c, &error);

      g_assert_no_error (error);
      g_assert_cmpint (c.headers, ==, b + 1);
      g_assert_cmpint (c.width, ==, gdk_pixbuf_get_width (expected));
      g_assert_cmpint (c.height, ==, gdk_pixbuf_get_height (expected));
      g_assert_cmpint (c.channels, ==, gdk_pixbuf_get_n_channels (expected));
      for (int y = 0; y < c.height; y++)
        g_assert_cmpmem (got->data + (gsize) y * c.width * c.channels, c.width * c.channels,
                         gdk_pixbuf_read_pixels (expected) + (gsize) y * gdk_pixbuf_get_rowstride (expected),
                         c.width * c.channels);
    }
}

/* Every colour type at every bit depth it allows, with and without a
 * transparent colour, each row filter on each, odd widths (partial bytes
 * at the low depths), image data in one chunk or in many small ones. */
static void
test_png_decode_every_type (void)
{
  static const struct { guint8 colour, depth; } types[] = {
    { 0, 1 }, { 0, 2 }, { 0, 4 }, { 0, 8 }, { 0, 16 },
    { 2, 8 }, { 2, 16 },
    { 3, 1 }, { 3, 2 }, { 3, 4 }, { 3, 8 },
    { 4, 8 }, { 4, 16 },
    { 6, 8 }, { 6, 16 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    for (int trns = 0; trns < 2; trns++)
      {
        PngSpec spec = {
          .colour = types[i].colour, .depth = types[i].depth,
          .width = 37 + i, .height = 23, .trns = trns,
          /* Fewer entries than the depth can index: the rest are
           * opaque black. */
          .palette_len = types[i].colour == 3 ? MAX ((1 << types[i].depth) - 1, 1) : 0,
          .idat_split = trns ? 97 : 0,
          .level = trns ? 9 : 1,
        };
        gsize rowbytes;
        g_autofree guint8 *raw = make_raw (&spec, &rowbytes, i * 2 + trns);
        g_autoptr(GByteArray) png = NULL;

        /* An alpha channel leaves no room for a tRNS chunk. */
        if (trns && (spec.colour & 4))
          continue;
        g_test_message ("colour type %u, depth %u, tRNS %d", spec.colour, spec.depth, trns);
        png = write_png (&spec, raw, rowbytes);
        assert_matches_gdk_pixbuf (&spec, png);
      }
}

static GByteArray *
sample_png (void)
{
  PngSpec spec = { .colour = 2, .depth = 8, .width = 40, .height = 30, .level = 6 };
  gsize rowbytes;
  g_autofree guint8 *raw = make_raw (&spec, &rowbytes, 7);

  return write_png (&spec, raw, rowbytes);
}

/* The offset of chunk @type in @png. */
static gsize
find_chunk (GByteArray *png,
            const char *type)
{
  for (gsize at = 8; at + 8 <= png->len;)
    {
      guint32 len = (guint32) png->data[at] << 24 | png->data[at + 1] << 16 | png->data[at + 2] << 8 |
                    png->data[at + 3];

      if (memcmp (png->data + at + 4, type, 4) == 0)
        return at;
      at += 12 + len;
    }
  g_assert_not_reached ();
}

static void
assert_fails (GByteArray *png,
              int         code,
              const char *words)
{
  g_autoptr(GError) error = NULL;
  Collected c = { 0 };
  g_autoptr(GByteArray) rows = decode (png->data, png->len, 1000, &c, &error);

  g_assert_null (rows);
  g_assert_error (error, FY_WORKLOAD_ERROR, code);
  if (strstr (error->message, words) == NULL)
    g_error ("expected “%s” in “%s”", words, error->message);
}

/* Chunks put together by hand, one fault each. */
static GByteArray *
png_of_chunks (const guint8 *header,
               const char   *type1,
               const guint8 *data1,
               gsize         len1,
               const char   *type2,
               const guint8 *data2,
               gsize         len2)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, signature, 8);
  put_chunk (out, "IHDR", header, 13);
  if (type1 != NULL)
    put_chunk (out, type1, data1, len1);
  if (type2 != NULL)
    put_chunk (out, type2, data2, len2);
  put_chunk (out, "IEND", NULL, 0);
  return out;
}

static void
test_png_decode_damage (void)
{
  static const guint8 header[13] = { 0, 0, 0, 40, 0, 0, 0, 30, 8, 2, 0, 0, 0 };
  /* 100 000 × 100 000 pixels, whose data is a few bytes. */
  static const guint8 huge[13] = { 0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 2, 0, 0, 0 };
  static const guint8 bad_depth[13] = { 0, 0, 0, 40, 0, 0, 0, 30, 4, 2, 0, 0, 0 };
  guint8 idat_bytes[64];
  uLongf idat_len = sizeof idat_bytes;
  static const guint8 one_row[1 + 3] = { 0 };

  g_assert_cmpint (compress2 (idat_bytes, &idat_len, one_row, sizeof one_row, 9), ==, Z_OK);

  /* A bad CRC in the image data. */
  {
    g_autoptr(GByteArray) png = sample_png ();

    png->data[find_chunk (png, "IDAT") + 20] ^= 0x40;
    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "CRC of the IDAT chunk");
  }
  /* … in an ancillary chunk: dropped, the picture decodes. */
  {
    g_autoptr(GByteArray) png = sample_png ();
    g_autoptr(GError) error = NULL;
    g_autoptr(GByteArray) rows = NULL;
    Collected c = { 0 };

    png->data[find_chunk (png, "tEXt") + 9] ^= 0x40;
    rows = decode (png->data, png->len, 1000, &c, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 40 * 30 * 3);
  }
  /* Cut short, anywhere. */
  {
    g_autoptr(GByteArray) png = sample_png ();

    g_byte_array_set_size (png, png->len - 20);
    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "not done");
  }
  /* Damaged compressed data, with the CRC made to match it. */
  {
    g_autoptr(GByteArray) png = NULL;
    guint8 damaged[64];

    memcpy (damaged, idat_bytes, idat_len);
    damaged[2] = 0xff;
    png = png_of_chunks (header, "IDAT", damaged, idat_len, NULL, NULL, 0);
    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "");
  }
  /* Data for one row of a picture of 30 rows. */
  {
    g_autoptr(GByteArray) png = png_of_chunks (header, "IDAT", idat_bytes, idat_len, NULL, NULL, 0);

    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "image data");
  }
  /* A huge canvas claimed by a few bytes: refused before the buffer for
   * it is made. */
  {
    g_autoptr(GByteArray) png = png_of_chunks (huge, "IDAT", idat_bytes, idat_len, NULL, NULL, 0);

    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "cannot hold 100000×100000 pixels");
  }
  /* An impossible depth, an unknown critical chunk, IDAT chunks apart, a
   * chunk length past 2^31, a missing palette, no signature. */
  {
    g_autoptr(GByteArray) png = png_of_chunks (bad_depth, NULL, NULL, 0, NULL, NULL, 0);

    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "bit depth 4");
  }
  {
    g_autoptr(GByteArray) png = png_of_chunks (header, "ABCD", one_row, 4, "IDAT", idat_bytes, idat_len);

    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "unknown critical chunk");
  }
  {
    g_autoptr(GByteArray) png = png_of_chunks (header, "IDAT", idat_bytes, 4, "tEXt", one_row, 4);
    gsize end = find_chunk (png, "IEND");

    g_byte_array_set_size (png, end);
    put_chunk (png, "IDAT", idat_bytes + 4, idat_len - 4);
    put_chunk (png, "IEND", NULL, 0);
    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "other chunks between them");
  }
  {
    g_autoptr(GByteArray) png = png_of_chunks (header, "IDAT", idat_bytes, idat_len, NULL, NULL, 0);

    png->data[find_chunk (png, "IDAT")] = 0x80;
    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "claims");
  }
  {
    guint8 palette_header[13];
    g_autoptr(GByteArray) png = NULL;

    memcpy (palette_header, header, 13);
    palette_header[9] = 3;
    png = png_of_chunks (palette_header, "IDAT", idat_bytes, idat_len, NULL, NULL, 0);
    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "without a PLTE chunk");
  }
  {
    g_autoptr(GByteArray) png = sample_png ();

    png->data[1] = 'Q';
    assert_fails (png, FY_WORKLOAD_ERROR_CORRUPT, "no PNG signature");
  }
  /* Refused by the header function: before any inflating. */
  {
    g_autoptr(GByteArray) png = sample_png ();
    g_autoptr(GError) error = NULL;
    Collected c = { .refuse = TRUE };
    g_autoptr(GByteArray) rows = decode (png->data, png->len, 1000, &c, &error);

    g_assert_null (rows);
    g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE);
    g_assert_cmpint (c.headers, ==, 1);
  }
}

/* fy_png_encode () (the thumbnails' writer): what gdk-pixbuf reads back,
 * and what this decoder reads back, is the picture written, for RGB and
 * RGBA, rows of one pixel to many, flat areas, ramps and noise (so that
 * the rows' filters differ). */
static void
test_png_encode_round_trip (void)
{
  static const int sizes[][2] = { { 1, 1 }, { 7, 5 }, { 1, 40 }, { 300, 199 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int alpha = 0; alpha <= 1; alpha++)
      {
        int width = sizes[s][0];
        int height = sizes[s][1];
        g_autoptr(GdkPixbuf) picture = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
        g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
        g_autoptr(GByteArray) rows = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree guint8 *png = NULL;
        int channels = gdk_pixbuf_get_n_channels (picture);
        int stride = gdk_pixbuf_get_rowstride (picture);
        guint8 *pixels = gdk_pixbuf_get_pixels (picture);
        Collected c = { 0 };
        GdkPixbuf *back;
        gsize len = 0;

        for (int y = 0; y < height; y++)
          for (int x = 0; x < width * channels; x++)
            {
              int band = y * 4 / height;

              pixels[y * stride + x] = band == 0 ? 77 : band == 1 ? (guint8) (x + 3 * y)
                                     : band == 2 ? (guint8) g_test_rand_int_range (0, 256)
                                     : (guint8) ((x / channels) * 255 / MAX (width - 1, 1));
            }

        png = fy_png_encode (picture, &len);
        g_assert_nonnull (png);
        g_assert_true (gdk_pixbuf_loader_write (loader, png, len, &error));
        g_assert_true (gdk_pixbuf_loader_close (loader, &error));
        g_assert_no_error (error);
        back = gdk_pixbuf_loader_get_pixbuf (loader);
        g_assert_cmpint (gdk_pixbuf_get_width (back), ==, width);
        g_assert_cmpint (gdk_pixbuf_get_height (back), ==, height);
        g_assert_cmpint (gdk_pixbuf_get_n_channels (back), ==, channels);

        rows = decode (png, len, 4096, &c, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (rows->len, ==, (gsize) width * channels * height);
        for (int y = 0; y < height; y++)
          {
            const guint8 *want = pixels + (gsize) y * stride;

            g_assert_cmpmem (gdk_pixbuf_read_pixels (back) + (gsize) y * gdk_pixbuf_get_rowstride (back),
                             width * channels, want, width * channels);
            g_assert_cmpmem (rows->data + (gsize) y * width * channels, width * channels,
                             want, width * channels);
          }
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/workloads/png-decode/every-type", test_png_decode_every_type);
  g_test_add_func ("/workloads/png-decode/damage", test_png_decode_damage);
  g_test_add_func ("/workloads/png-encode/round-trip", test_png_encode_round_trip);

  return g_test_run ();
}
