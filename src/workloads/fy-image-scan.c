/* fy-image-scan.c: what the first and last bytes of an image file say
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-image-scan.h"

const char *
fy_image_sniff_type (const guchar *data,
                  gsize         len)
{
  static const struct { const char *type; gsize offset; gsize len; const char *magic; } signatures[] = {
    { "jpeg", 0, 3, "\xff\xd8\xff" },
    { "png",  0, 8, "\x89PNG\r\n\x1a\n" },
    { "gif",  0, 4, "GIF8" },
    { "bmp",  0, 2, "BM" },
    { "tiff", 0, 4, "II*\0" },
    { "tiff", 0, 4, "MM\0*" },
    { "webp", 8, 4, "WEBP" },
    /* ISO base media files: the brand of the "ftyp" box names the codec. */
    { "avif", 4, 8, "ftypavif" },
    { "avif", 4, 8, "ftypavis" },
    { "heif", 4, 8, "ftypheic" },
    { "heif", 4, 8, "ftypheix" },
    { "heif", 4, 8, "ftypheim" },
    { "heif", 4, 8, "ftypheis" },
    { "heif", 4, 8, "ftyphevc" },
    { "heif", 4, 8, "ftypmif1" },
    { "heif", 4, 8, "ftypmsf1" },
    { "ico",  0, 4, "\0\0\1\0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (len >= signatures[i].offset + signatures[i].len &&
        memcmp (data + signatures[i].offset, signatures[i].magic, signatures[i].len) == 0)
      return signatures[i].type;

  return NULL;
}

/* libjpeg decodes a cut-short JPEG as a grey-filled picture and only warns,
 * so the end-of-image marker is looked for here. The marker segments
 * before the first scan are skipped by their lengths (an EXIF thumbnail has
 * its own end marker); after it, an unstuffed FF D9 only ever means the end. */
typedef enum
{
  JPEG_SCAN_MARKER_START,
  JPEG_SCAN_MARKER_CODE,
  JPEG_SCAN_LENGTH_HIGH,
  JPEG_SCAN_LENGTH_LOW,
  JPEG_SCAN_SKIP,
  JPEG_SCAN_ENTROPY,
} JpegScanState;


void
fy_jpeg_end_scan_feed (FyJpegEndScan *scan,
                    const guchar *data,
                    gsize         len)
{
  for (gsize i = 0; i < len && !scan->seen_end; i++)
    {
      guchar byte;

      /* Entropy-coded data is most of a file: only an 0xff can start the
       * end marker, so jump to the next one. */
      if (scan->state == JPEG_SCAN_ENTROPY && !scan->previous_ff)
        {
          const guchar *ff = memchr (data + i, 0xff, len - i);

          if (ff == NULL)
            break;
          i = (gsize) (ff - data);
          scan->previous_ff = TRUE;
          continue;
        }

      byte = data[i];
      switch (scan->state)
        {
        case JPEG_SCAN_MARKER_START:
          scan->state = byte == 0xff ? JPEG_SCAN_MARKER_CODE : JPEG_SCAN_ENTROPY;
          break;
        case JPEG_SCAN_MARKER_CODE:
          scan->marker = byte;
          if (byte == 0xd9)
            scan->seen_end = TRUE;
          else if (byte == 0xff)
            ; /* fill byte */
          else if (byte == 0xd8 || byte == 0x01 || (byte >= 0xd0 && byte <= 0xd7))
            scan->state = JPEG_SCAN_MARKER_START;
          else
            scan->state = JPEG_SCAN_LENGTH_HIGH;
          break;
        case JPEG_SCAN_LENGTH_HIGH:
          scan->skip = (guint32) byte << 8;
          scan->state = JPEG_SCAN_LENGTH_LOW;
          break;
        case JPEG_SCAN_LENGTH_LOW:
          scan->skip |= byte;
          scan->skip = scan->skip >= 2 ? scan->skip - 2 : 0;
          scan->state = JPEG_SCAN_SKIP;
          if (scan->skip == 0)
            scan->state = scan->marker == 0xda ? JPEG_SCAN_ENTROPY : JPEG_SCAN_MARKER_START;
          break;
        case JPEG_SCAN_SKIP:
          if (--scan->skip == 0)
            scan->state = scan->marker == 0xda ? JPEG_SCAN_ENTROPY : JPEG_SCAN_MARKER_START;
          break;
        case JPEG_SCAN_ENTROPY:
          if (scan->previous_ff && byte == 0xd9)
            scan->seen_end = TRUE;
          scan->previous_ff = byte == 0xff;
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* gdk-pixbuf's PNG loader, too, accepts a file cut short, so the IEND
 * chunk (its type and CRC, which never vary) must have gone by. The last
 * bytes of each block are carried over: the chunk may straddle two. */

void
fy_png_end_scan_feed (FyPngEndScan *scan,
                   const guchar *data,
                   gsize         len)
{
  static const guchar iend[8] = { 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  guchar joint[14];
  gsize head = MIN (len, sizeof iend - 1);

  if (scan->seen_end)
    return;

  memcpy (joint, scan->carry, scan->n_carry);
  memcpy (joint + scan->n_carry, data, head);
  if (memmem (joint, scan->n_carry + head, iend, sizeof iend) != NULL ||
      memmem (data, len, iend, sizeof iend) != NULL)
    {
      scan->seen_end = TRUE;
      return;
    }

  if (len >= sizeof scan->carry)
    {
      memcpy (scan->carry, data + len - sizeof scan->carry, sizeof scan->carry);
      scan->n_carry = sizeof scan->carry;
    }
  else
    {
      gsize keep = MIN (scan->n_carry, sizeof scan->carry - len);

      memmove (scan->carry, scan->carry + scan->n_carry - keep, keep);
      memcpy (scan->carry + keep, data, len);
      scan->n_carry = keep + len;
    }
}

enum
{
  GIF_HEADER,       /* signature and screen descriptor: 13 bytes */
  GIF_SKIP,         /* a colour table or a sub-block's payload */
  GIF_NEXT,         /* between blocks */
  GIF_LABEL,        /* an extension's label */
  GIF_DESCRIPTOR,   /* the 9 bytes after ',' */
  GIF_CODE_SIZE,    /* the LZW minimum code size */
  GIF_BLOCKS,       /* a sub-block's length; the empty one ends the run */
  GIF_DONE,
};

/* Skips @n bytes (a colour table of 2^(bits+1) entries, a payload), then
 * goes on in @then. */
static void
gif_skip (FyGifFrameScan *scan,
          guint32         n,
          int             then)
{
  scan->skip = n;
  scan->after_skip = then;
  scan->state = n > 0 ? GIF_SKIP : then;
}

void
fy_gif_frame_scan_feed (FyGifFrameScan *scan,
                        const guchar   *data,
                        gsize           len)
{
  gsize at = 0;

  while (at < len && scan->state != GIF_DONE)
    {
      guchar c = data[at];

      switch (scan->state)
        {
        case GIF_HEADER:
          /* @skip counts the header bytes seen so far; byte 10 holds the
           * global colour table's flag and size. */
          if (scan->skip == 10)
            scan->screen_flags = c;
          at++;
          if (++scan->skip == 13)
            gif_skip (scan, (scan->screen_flags & 0x80) != 0
                            ? 3u << ((scan->screen_flags & 7) + 1) : 0, GIF_NEXT);
          break;

        case GIF_SKIP:
          {
            gsize n = MIN ((gsize) scan->skip, len - at);

            at += n;
            scan->skip -= (guint32) n;
            if (scan->skip == 0)
              scan->state = scan->after_skip;
          }
          break;

        case GIF_NEXT:
          /* gdk-pixbuf passes over any other byte here. */
          if (c == ';')
            scan->state = GIF_DONE;
          else if (c == '!')
            scan->state = GIF_LABEL;
          else if (c == ',')
            {
              scan->n_descriptor = 0;
              scan->state = GIF_DESCRIPTOR;
            }
          at++;
          break;

        case GIF_LABEL:
          scan->state = GIF_BLOCKS;
          at++;
          break;

        case GIF_DESCRIPTOR:
          scan->descriptor[scan->n_descriptor++] = c;
          at++;
          if (scan->n_descriptor < sizeof scan->descriptor)
            break;
          scan->frames++;
          scan->empty_width = (guint) scan->descriptor[5] << 8 | scan->descriptor[4];
          scan->empty_height = (guint) scan->descriptor[7] << 8 | scan->descriptor[6];
          if (scan->empty_width == 0 || scan->empty_height == 0)
            {
              scan->empty_frame = TRUE;
              scan->state = GIF_DONE;
              break;
            }
          gif_skip (scan, (scan->descriptor[8] & 0x80) != 0
                          ? 3u << ((scan->descriptor[8] & 7) + 1) : 0, GIF_CODE_SIZE);
          break;

        case GIF_CODE_SIZE:
          scan->state = GIF_BLOCKS;
          at++;
          break;

        case GIF_BLOCKS:
          at++;
          if (c == 0)
            scan->state = GIF_NEXT;
          else
            gif_skip (scan, c, GIF_BLOCKS);
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static guint
read_u16 (const guchar *p,
          gboolean      big_endian)
{
  return big_endian ? (guint) (p[0] << 8 | p[1]) : (guint) (p[1] << 8 | p[0]);
}

static guint32
read_u32 (const guchar *p,
          gboolean      big_endian)
{
  return big_endian
    ? (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]
    : (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

/* The orientation tag (0x0112) of IFD0 in a TIFF structure of @len bytes. */
static int
tiff_orientation (const guchar *tiff,
                  gsize         len)
{
  gboolean big_endian;
  guint32 ifd;
  guint n_entries;

  if (len < 8)
    return 0;
  if (memcmp (tiff, "MM\0*", 4) == 0)
    big_endian = TRUE;
  else if (memcmp (tiff, "II*\0", 4) == 0)
    big_endian = FALSE;
  else
    return 0;
  ifd = read_u32 (tiff + 4, big_endian);
  if (ifd > len - 2)
    return 0;
  n_entries = read_u16 (tiff + ifd, big_endian);
  for (guint i = 0; i < n_entries; i++)
    {
      gsize at = ifd + 2 + (gsize) i * 12;
      guint value;

      if (at + 12 > len)
        return 0;
      if (read_u16 (tiff + at, big_endian) != 0x0112)
        continue;
      /* A SHORT, left-justified in the value field. */
      value = read_u16 (tiff + at + 8, big_endian);
      return value >= 1 && value <= 8 ? (int) value : 0;
    }
  return 0;
}

int
fy_jpeg_exif_orientation (const guchar *data,
                          gsize         len)
{
  gsize at = 2;

  if (len < 4 || data[0] != 0xff || data[1] != 0xd8)
    return 0;

  /* The marker segments before the first scan, by their lengths. */
  while (at + 4 <= len)
    {
      guint8 marker;
      gsize segment;

      if (data[at] != 0xff)
        return 0;
      marker = data[at + 1];
      if (marker == 0xff)
        {
          at++;
          continue;
        }
      if (marker == 0xda || marker == 0xd9)
        return 0;
      segment = (gsize) data[at + 2] << 8 | data[at + 3];
      if (segment < 2)
        return 0;
      if (marker == 0xe1 && segment >= 8 && at + 4 + 6 <= len &&
          memcmp (data + at + 4, "Exif\0\0", 6) == 0)
        {
          gsize start = at + 10;
          gsize end = MIN (len, at + 2 + segment);

          return end > start ? tiff_orientation (data + start, end - start) : 0;
        }
      at += 2 + segment;
    }
  return 0;
}
