/* fy-jpeg-decode.h: a JPEG decoded in one pass at a reduced DCT scale,
 * reading only the scans that scale needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * gdk-pixbuf's incremental JPEG loader decodes a progressive file in
 * libjpeg's buffered-image mode and writes out the whole picture again
 * after every scan, for a display that wants to show it coming in. A
 * thumbnail needs it once. And at 1/8 scale a component's IDCT reads only
 * the DC coefficient of each block, so a progressive file's AC scans of
 * such a component (most of its bytes) cannot change a pixel: they are
 * left out of what libjpeg reads, and the picture is the one the full
 * decode at that scale gives, byte for byte.
 *
 * Greyscale, YCbCr and RGB files come out as 8-bit RGB, as gdk-pixbuf's
 * loader gives them; CMYK and YCCK are left to that loader
 * (FY_JPEG_DECODE_UNSUPPORTED).
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* Called once the header is read, with the picture's size as stored:
 * returns FALSE to refuse it (too large), else sets the denominator of
 * the DCT scale to decode at, 1, 2, 4 or 8. */
typedef gboolean (*FyJpegScaleFunc) (int       width,
                                     int       height,
                                     int      *denominator,
                                     gpointer  user_data);

typedef enum
{
  FY_JPEG_DECODE_DONE,
  FY_JPEG_DECODE_REFUSED,     /* the scale function refused the size */
  FY_JPEG_DECODE_UNSUPPORTED, /* a colour space left to gdk-pixbuf */
  FY_JPEG_DECODE_FAILED,      /* corrupt data; the error says how */
} FyJpegDecodeStatus;

/* What the decode read and left out, for tests and measurements. */
typedef struct
{
  guint scans;          /* scans in the file after the header */
  guint scans_skipped;  /* of them, left out as no pixel needs them */
  gsize bytes_skipped;
} FyJpegDecodeStats;

/* Decodes the whole file in @data. The pixbuf (RGB, no alpha) carries the
 * EXIF orientation as its "orientation" option, as gdk-pixbuf's loader
 * sets it. A file cut short decodes as far as it goes, as with
 * gdk-pixbuf; the caller checks for the end-of-image marker. @stats may
 * be NULL. */
FyJpegDecodeStatus fy_jpeg_decode (const guint8       *data,
                                   gsize               len,
                                   FyJpegScaleFunc     scale_func,
                                   gpointer            user_data,
                                   GdkPixbuf         **out_pixbuf,
                                   FyJpegDecodeStats  *stats,
                                   GError            **error);

G_END_DECLS
