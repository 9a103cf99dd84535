/* fy-png-decode.c: a non-interlaced PNG, decoded row by row without libpng
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bytes come in blocks from an untrusted file, inside the resize
 * workload's sandbox. Every chunk is bounded before any of it is kept:
 * a length above 2^31 - 1 is an error, IHDR, PLTE and tRNS are kept only
 * up to their largest valid size, other chunks are only checksummed, and
 * the image data is gathered (at most the file's size) and inflated into
 * a buffer of exactly the size the header gives, once the data is large
 * enough that it could hold it (DEFLATE expands a byte to at most 1 032).
 * libdeflate checks the zlib header and the Adler-32, and fails on a
 * stream that is short, long or malformed. The rules where the PNG
 * specification leaves a decoder the choice follow libpng's defaults, so
 * that a file gdk-pixbuf's loader reads is read here to the same pixels:
 * a bad CRC is an error in a critical chunk and drops an ancillary one,
 * an unknown critical chunk is an error, a tRNS chunk that is invalid for
 * its colour type is ignored, palette indices past the palette's end are
 * opaque black.
 */

#include "config.h"

#include <libdeflate.h>
#include <string.h>

#include "fy-png-decode.h"
#include "fy-png-unfilter.h"
#include "fy-workload-error.h"

#define PNG_SIGNATURE_BYTES  8
#define PNG_HEADER_BYTES     29  /* signature, IHDR's length, type and data */
#define PNG_INTERLACE_AT     28
#define PNG_CHUNK_MAX        0x7fffffffu
#define PNG_IHDR_BYTES       13
#define PNG_PALETTE_MAX      256
/* A DEFLATE stream can make at most 258 bytes of 2 bits, so 1 032 bytes
 * out of each byte in, and a little more for its end. */
#define DEFLATE_MAX_RATIO    1032
#define DEFLATE_SLACK        64
/* Bytes readable past the end of the last row (fy-png-unfilter.h). */
#define ROW_SLACK            FY_PNG_UNFILTER_SLACK

enum
{
  COLOUR_GREY = 0,
  COLOUR_RGB = 2,
  COLOUR_PALETTE = 3,
  COLOUR_GREY_ALPHA = 4,
  COLOUR_RGBA = 6,
};

typedef enum
{
  STATE_SIGNATURE,
  STATE_CHUNK_HEAD,   /* length and type */
  STATE_CHUNK_DATA,
  STATE_CHUNK_CRC,
  STATE_DONE,
  STATE_FAILED,
} State;

struct _FyPngDecoder
{
  FyPngHeaderFunc header_func;
  FyPngRowFunc    row_func;
  gpointer        user_data;

  State           state;
  guint8          head[PNG_SIGNATURE_BYTES]; /* the signature, a chunk's head or CRC */
  guint           head_len;
  guint32         chunk_len;
  guint32         chunk_got;
  guint8          chunk_type[4];
  guint32         crc;
  guint8          kept[3 * PNG_PALETTE_MAX]; /* IHDR, PLTE or tRNS data */
  guint           kept_len;
  gboolean        keep;

  /* IHDR */
  gboolean        have_header;
  guint32         width;
  guint32         height;
  guint8          depth;
  guint8          colour;
  /* PLTE and tRNS, as RGBA; entries past the palette are opaque black */
  gboolean        have_palette;
  guint           palette_len;
  guint8          palette[4 * PNG_PALETTE_MAX];
  gboolean        have_trns;
  guint16         trns[3];   /* grey, or RGB, at the file's depth */
  int             channels;  /* of the rows handed on */

  gboolean        in_idat;
  gboolean        idat_ended;
  guint8         *idat;
  gsize           idat_len;
  gsize           idat_alloc;
};

gboolean
fy_png_decoder_can_decode (const guint8 *data,
                           gsize         len)
{
  static const guint8 signature[PNG_SIGNATURE_BYTES] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  return len >= PNG_HEADER_BYTES && memcmp (data, signature, sizeof signature) == 0 &&
         memcmp (data + 12, "IHDR", 4) == 0 && data[PNG_INTERLACE_AT] == 0;
}

FyPngDecoder *
fy_png_decoder_new (FyPngHeaderFunc header_func,
                    FyPngRowFunc    row_func,
                    gpointer        user_data)
{
  FyPngDecoder *self = g_new0 (FyPngDecoder, 1);

  self->header_func = header_func;
  self->row_func = row_func;
  self->user_data = user_data;
  self->state = STATE_SIGNATURE;
  return self;
}

void
fy_png_decoder_free (FyPngDecoder *self)
{
  if (self == NULL)
    return;
  g_free (self->idat);
  g_free (self);
}

gboolean
fy_png_decoder_is_done (FyPngDecoder *self)
{
  return self->state == STATE_DONE;
}

static guint32
read_u32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint16
read_u16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static gboolean
fail (FyPngDecoder  *self,
      GError       **error,
      const char    *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (FyPngDecoder  *self,
      GError       **error,
      const char    *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  self->state = STATE_FAILED;
  g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT, "corrupt PNG: %s", message);
  return FALSE;
}

static int
samples_per_pixel (guint8 colour)
{
  switch (colour)
    {
    case COLOUR_GREY:
    case COLOUR_PALETTE:
      return 1;
    case COLOUR_GREY_ALPHA:
      return 2;
    case COLOUR_RGB:
      return 3;
    default:
      return 4;
    }
}

static gboolean
handle_header (FyPngDecoder  *self,
               GError       **error)
{
  const guint8 *p = self->kept;
  guint8 depth = p[8];
  guint8 colour = p[9];
  gboolean depth_ok;

  if (self->chunk_len != PNG_IHDR_BYTES)
    return fail (self, error, "the IHDR chunk is %u bytes long, not 13", self->chunk_len);
  self->width = read_u32 (p);
  self->height = read_u32 (p + 4);
  if (self->width == 0 || self->height == 0 || self->width > PNG_CHUNK_MAX || self->height > PNG_CHUNK_MAX)
    return fail (self, error, "the header gives a size of %u×%u pixels", self->width, self->height);
  switch (colour)
    {
    case COLOUR_GREY:
      depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
      break;
    case COLOUR_PALETTE:
      depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8;
      break;
    case COLOUR_RGB:
    case COLOUR_GREY_ALPHA:
    case COLOUR_RGBA:
      depth_ok = depth == 8 || depth == 16;
      break;
    default:
      return fail (self, error, "unknown colour type %u", colour);
    }
  if (!depth_ok)
    return fail (self, error, "bit depth %u is not allowed for colour type %u", depth, colour);
  if (p[10] != 0 || p[11] != 0)
    return fail (self, error, "unknown compression or filter method (%u, %u)", p[10], p[11]);
  if (p[12] != 0)
    return fail (self, error, "an interlaced picture on the path for whole rows");
  self->depth = depth;
  self->colour = colour;
  self->have_header = TRUE;
  return TRUE;
}

static gboolean
handle_palette (FyPngDecoder  *self,
                GError       **error)
{
  guint entries = self->chunk_len / 3;
  guint max_entries = self->colour == COLOUR_PALETTE ? 1u << self->depth : PNG_PALETTE_MAX;

  /* A suggested palette in a grey or true-colour file means nothing to
   * the decode; libpng lets a bad one pass there too. */
  if (self->colour != COLOUR_PALETTE)
    return TRUE;
  if (self->have_palette)
    return fail (self, error, "a second PLTE chunk");
  if (self->chunk_len == 0 || self->chunk_len % 3 != 0 || self->chunk_len > 3 * PNG_PALETTE_MAX)
    return fail (self, error, "a PLTE chunk of %u bytes", self->chunk_len);
  /* Entries past what the bit depth can index are never used. */
  entries = MIN (entries, max_entries);
  for (guint i = 0; i < PNG_PALETTE_MAX; i++)
    {
      guint8 *entry = self->palette + 4 * i;

      if (i < entries)
        memcpy (entry, self->kept + 3 * i, 3);
      else
        memset (entry, 0, 3);
      entry[3] = 0xff;
    }
  self->have_palette = TRUE;
  self->palette_len = entries;
  return TRUE;
}

static void
handle_transparency (FyPngDecoder *self)
{
  const guint8 *p = self->kept;

  /* Invalid for its colour type, or out of place: ignored, as libpng
   * ignores it. */
  if (self->have_trns || self->chunk_len == 0)
    return;
  switch (self->colour)
    {
    case COLOUR_GREY:
      if (self->chunk_len != 2)
        return;
      self->trns[0] = read_u16 (p);
      break;
    case COLOUR_RGB:
      if (self->chunk_len != 6)
        return;
      for (int i = 0; i < 3; i++)
        self->trns[i] = read_u16 (p + 2 * i);
      break;
    case COLOUR_PALETTE:
      if (!self->have_palette || self->chunk_len > self->palette_len)
        return;
      for (guint i = 0; i < self->chunk_len; i++)
        self->palette[4 * i + 3] = p[i];
      break;
    default:
      return;
    }
  self->have_trns = TRUE;
}

/* The first IDAT chunk: everything about the rows is known now. */
static gboolean
start_image (FyPngDecoder  *self,
             GError       **error)
{
  if (self->colour == COLOUR_PALETTE && !self->have_palette)
    return fail (self, error, "a palette picture without a PLTE chunk before its data");
  self->channels = (self->colour & 4) || self->have_trns ? 4 : 3;
  if (self->header_func != NULL &&
      !self->header_func ((int) MIN (self->width, G_MAXINT), (int) MIN (self->height, G_MAXINT),
                          self->channels, self->user_data))
    {
      self->state = STATE_FAILED;
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE, "picture refused");
      return FALSE;
    }
  return TRUE;
}

static gboolean
append_idat (FyPngDecoder  *self,
             const guint8  *data,
             gsize          len,
             GError       **error)
{
  if (self->idat_alloc - self->idat_len < len)
    {
      gsize want = MAX (self->idat_alloc * 2, self->idat_len + len);
      guint8 *grown = g_try_realloc (self->idat, MAX (want, 64 * 1024));

      if (grown == NULL)
        {
          self->state = STATE_FAILED;
          g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                               "not enough memory for the PNG's image data");
          return FALSE;
        }
      self->idat = grown;
      self->idat_alloc = MAX (want, 64 * 1024);
    }
  memcpy (self->idat + self->idat_len, data, len);
  self->idat_len += len;
  return TRUE;
}

/* ---- expansion to 8-bit RGB or RGBA --------------------------------------- */

/* Sample @x of a row of @depth-bit samples (1, 2, 4, 8 or 16). */
static inline guint
sample_at (const guint8 *row,
           guint32       x,
           guint8        depth)
{
  switch (depth)
    {
    case 16:
      return read_u16 (row + 2 * (gsize) x);
    case 8:
      return row[x];
    default:
      {
        guint per_byte = 8 / depth;
        guint shift = 8 - depth * (x % per_byte + 1);

        return (row[x / per_byte] >> shift) & ((1u << depth) - 1);
      }
    }
}

/* A grey sample scaled to 8 bits as libpng expands it: the high byte of a
 * 16-bit sample, the low depths repeated across the byte. */
static inline guint8
grey_to_8 (guint value,
           guint8 depth)
{
  switch (depth)
    {
    case 1: return (guint8) (value * 0xff);
    case 2: return (guint8) (value * 0x55);
    case 4: return (guint8) (value * 0x11);
    case 8: return (guint8) value;
    default: return (guint8) (value >> 8);
    }
}

/* The row @raw (unfiltered, the file's layout) as @self->channels 8-bit
 * samples a pixel in @out, or NULL when @raw already is that. */
static const guint8 *
expand_row (FyPngDecoder *self,
            const guint8 *raw,
            guint8       *out)
{
  guint32 width = self->width;
  guint8 depth = self->depth;
  guint8 *o = out;

  switch (self->colour)
    {
    case COLOUR_RGBA:
      if (depth == 8)
        return raw;
      for (guint32 x = 0; x < width; x++, o += 4, raw += 8)
        o[0] = raw[0], o[1] = raw[2], o[2] = raw[4], o[3] = raw[6];
      return out;

    case COLOUR_RGB:
      if (depth == 8 && !self->have_trns)
        return raw;
      if (!self->have_trns)
        {
          for (guint32 x = 0; x < width; x++, o += 3, raw += 6)
            o[0] = raw[0], o[1] = raw[2], o[2] = raw[4];
          return out;
        }
      for (guint32 x = 0; x < width; x++, o += 4)
        {
          guint r = sample_at (raw, 3 * x, depth);
          guint g = sample_at (raw, 3 * x + 1, depth);
          guint b = sample_at (raw, 3 * x + 2, depth);

          o[0] = grey_to_8 (r, depth);
          o[1] = grey_to_8 (g, depth);
          o[2] = grey_to_8 (b, depth);
          o[3] = r == self->trns[0] && g == self->trns[1] && b == self->trns[2] ? 0 : 0xff;
        }
      return out;

    case COLOUR_GREY_ALPHA:
      for (guint32 x = 0; x < width; x++, o += 4)
        {
          guint8 grey = grey_to_8 (sample_at (raw, 2 * x, depth), depth);

          o[0] = o[1] = o[2] = grey;
          o[3] = grey_to_8 (sample_at (raw, 2 * x + 1, depth), depth);
        }
      return out;

    case COLOUR_GREY:
      for (guint32 x = 0; x < width; x++)
        {
          guint value = sample_at (raw, x, depth);
          guint8 grey = grey_to_8 (value, depth);

          o[0] = o[1] = o[2] = grey;
          if (self->have_trns)
            {
              o[3] = value == self->trns[0] ? 0 : 0xff;
              o += 4;
            }
          else
            o += 3;
        }
      return out;

    default: /* palette */
      for (guint32 x = 0; x < width; x++)
        {
          const guint8 *entry = self->palette + 4 * sample_at (raw, x, depth);

          memcpy (o, entry, (gsize) self->channels);
          o += self->channels;
        }
      return out;
    }
}

/* ---- the image ------------------------------------------------------------- */

static gboolean
decode_image (FyPngDecoder  *self,
              GError       **error)
{
  struct libdeflate_decompressor *inflater;
  int bits = self->depth * samples_per_pixel (self->colour);
  int bpp = MAX (bits / 8, 1);
  guint64 rowbytes = ((guint64) self->width * bits + 7) / 8;
  guint64 total = (guint64) self->height * (rowbytes + 1);
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *zeros = NULL;
  g_autofree guint8 *expanded = NULL;
  enum libdeflate_result result;
  const guint8 *prev;

  if (self->idat_len == 0)
    return fail (self, error, "no image data (IDAT) before IEND");
  /* Before the buffer for it is made: could the data hold the picture? */
  if (total > (guint64) self->idat_len * DEFLATE_MAX_RATIO + DEFLATE_SLACK)
    return fail (self, error, "%" G_GSIZE_FORMAT " bytes of image data cannot hold %u×%u pixels",
                 self->idat_len, self->width, self->height);
  if (total > G_MAXSIZE / 2)
    return fail (self, error, "a picture of %u×%u pixels is too large", self->width, self->height);

  data = g_try_malloc ((gsize) total + ROW_SLACK);
  zeros = g_try_malloc0 ((gsize) rowbytes + ROW_SLACK);
  expanded = g_try_malloc ((gsize) self->width * 4);
  if (data == NULL || zeros == NULL || expanded == NULL)
    {
      self->state = STATE_FAILED;
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                           "not enough memory for the PNG's image");
      return FALSE;
    }

  memset (data + total, 0, ROW_SLACK);
  inflater = libdeflate_alloc_decompressor ();
  if (inflater == NULL)
    {
      self->state = STATE_FAILED;
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                           "not enough memory to inflate the PNG");
      return FALSE;
    }
  result = libdeflate_zlib_decompress (inflater, self->idat, self->idat_len, data, (gsize) total, NULL);
  libdeflate_free_decompressor (inflater);
  g_clear_pointer (&self->idat, g_free);
  self->idat_alloc = 0;
  switch (result)
    {
    case LIBDEFLATE_SUCCESS:
      break;
    case LIBDEFLATE_SHORT_OUTPUT:
      return fail (self, error, "the image data ends before the picture does");
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return fail (self, error, "more image data than the picture's %u×%u pixels", self->width, self->height);
    default:
      return fail (self, error, "the compressed image data is damaged");
    }

  prev = zeros;
  for (guint32 y = 0; y < self->height; y++)
    {
      guint8 *line = data + (gsize) y * (gsize) (rowbytes + 1);
      guint8 filter = line[0];

      if (filter > 4)
        return fail (self, error, "unknown filter type %u in row %u", filter, y);
      fy_png_unfilter_row (filter, line + 1, prev, (gsize) rowbytes, bpp);
      prev = line + 1;
      self->row_func (expand_row (self, line + 1, expanded), self->user_data);
    }
  self->state = STATE_DONE;
  return TRUE;
}

/* A whole chunk was read and its CRC matched (or, for an ancillary chunk,
 * did not: then @crc_ok is FALSE and the chunk is dropped). */
static gboolean
handle_chunk (FyPngDecoder  *self,
              gboolean       crc_ok,
              GError       **error)
{
  const guint8 *type = self->chunk_type;
  gboolean is_idat = memcmp (type, "IDAT", 4) == 0;

  if (!crc_ok)
    return TRUE;
  if (memcmp (type, "IHDR", 4) == 0)
    {
      if (self->have_header)
        return fail (self, error, "a second IHDR chunk");
      return handle_header (self, error);
    }
  if (!self->have_header)
    return fail (self, error, "the first chunk is not IHDR");
  if (self->in_idat && !is_idat)
    self->idat_ended = TRUE;
  if (is_idat || memcmp (type, "IEND", 4) == 0)
    {
      if (!is_idat)
        return decode_image (self, error);
      return TRUE;
    }
  if (memcmp (type, "PLTE", 4) == 0)
    {
      if (self->in_idat)
        return fail (self, error, "a PLTE chunk after the image data");
      return handle_palette (self, error);
    }
  if (memcmp (type, "tRNS", 4) == 0 && !self->in_idat)
    handle_transparency (self);
  return TRUE;
}

/* The head of a chunk is in @self->head: check it, and decide what is
 * kept of its data. */
static gboolean
begin_chunk (FyPngDecoder  *self,
             GError       **error)
{
  const guint8 *type = self->head + 4;

  self->chunk_len = read_u32 (self->head);
  memcpy (self->chunk_type, type, 4);
  self->chunk_got = 0;
  self->kept_len = 0;
  self->keep = FALSE;
  if (self->chunk_len > PNG_CHUNK_MAX)
    return fail (self, error, "a chunk claims %u bytes", self->chunk_len);
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isalpha (type[i]))
      return fail (self, error, "a chunk type that is not four letters");
  self->crc = libdeflate_crc32 (0, type, 4);

  if (memcmp (type, "IDAT", 4) == 0)
    {
      if (!self->have_header)
        return fail (self, error, "the first chunk is not IHDR");
      if (self->idat_ended)
        return fail (self, error, "IDAT chunks with other chunks between them");
      if (!self->in_idat)
        {
          self->in_idat = TRUE;
          if (!start_image (self, error))
            return FALSE;
        }
    }
  else if (memcmp (type, "IHDR", 4) == 0)
    self->keep = self->chunk_len == PNG_IHDR_BYTES;
  else if (memcmp (type, "PLTE", 4) == 0 || memcmp (type, "tRNS", 4) == 0)
    self->keep = self->chunk_len <= sizeof self->kept;
  else if (memcmp (type, "IEND", 4) != 0 && !(type[0] & 0x20))
    return fail (self, error, "an unknown critical chunk “%.4s”", (const char *) type);
  return TRUE;
}

gboolean
fy_png_decoder_feed (FyPngDecoder  *self,
                     const guint8  *data,
                     gsize          len,
                     GError       **error)
{
  static const guint8 signature[PNG_SIGNATURE_BYTES] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (self->state == STATE_FAILED)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                           "corrupt PNG: the decoder failed already");
      return FALSE;
    }

  while (len > 0 && self->state != STATE_DONE)
    {
      switch (self->state)
        {
        case STATE_SIGNATURE:
        case STATE_CHUNK_HEAD:
        case STATE_CHUNK_CRC:
          {
            guint want = self->state == STATE_CHUNK_CRC ? 4 : 8;
            guint take = MIN (want - self->head_len, len);

            memcpy (self->head + self->head_len, data, take);
            self->head_len += take;
            data += take;
            len -= take;
            if (self->head_len < want)
              break;
            self->head_len = 0;
            if (self->state == STATE_SIGNATURE)
              {
                if (memcmp (self->head, signature, sizeof signature) != 0)
                  return fail (self, error, "no PNG signature");
                self->state = STATE_CHUNK_HEAD;
              }
            else if (self->state == STATE_CHUNK_HEAD)
              {
                if (!begin_chunk (self, error))
                  return FALSE;
                self->state = self->chunk_len > 0 ? STATE_CHUNK_DATA : STATE_CHUNK_CRC;
              }
            else
              {
                gboolean crc_ok = read_u32 (self->head) == self->crc;
                gboolean critical = !(self->chunk_type[0] & 0x20);

                if (!crc_ok && critical)
                  return fail (self, error, "the CRC of the %.4s chunk does not match its data",
                               (const char *) self->chunk_type);
                self->state = STATE_CHUNK_HEAD;
                if (!handle_chunk (self, crc_ok, error))
                  return FALSE;
              }
          }
          break;

        case STATE_CHUNK_DATA:
          {
            gsize take = MIN ((gsize) (self->chunk_len - self->chunk_got), len);

            self->crc = libdeflate_crc32 (self->crc, data, take);
            if (memcmp (self->chunk_type, "IDAT", 4) == 0)
              {
                if (!append_idat (self, data, take, error))
                  return FALSE;
              }
            else if (self->keep)
              {
                memcpy (self->kept + self->kept_len, data, take);
                self->kept_len += (guint) take;
              }
            self->chunk_got += (guint32) take;
            data += take;
            len -= take;
            if (self->chunk_got == self->chunk_len)
              self->state = STATE_CHUNK_CRC;
          }
          break;

        case STATE_DONE:
        case STATE_FAILED:
          break;
        }
    }
  return TRUE;
}
