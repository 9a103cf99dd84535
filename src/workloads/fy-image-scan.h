/* fy-image-scan.h: what the first and last bytes of an image file say
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format from its magic bytes, whether a JPEG or PNG reached its end
 * marker (their decoders accept a file cut short), and a JPEG's EXIF
 * orientation before the decoder is asked for a size.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The gdk-pixbuf loader name for the file's first bytes ("jpeg", "png",
 * "gif", "bmp", "tiff", "webp", "heif", "avif", "ico"), or NULL. */
const char *fy_image_sniff_type (const guchar *data,
                                 gsize         len);

typedef struct
{
  int      state;
  guint8   marker;
  guint32  skip;
  gboolean previous_ff;
  gboolean seen_end;
} FyJpegEndScan;

void fy_jpeg_end_scan_feed (FyJpegEndScan *scan,
                            const guchar  *data,
                            gsize          len);

typedef struct
{
  guchar   carry[7];
  gsize    n_carry;
  gboolean seen_end;
} FyPngEndScan;

void fy_png_end_scan_feed (FyPngEndScan *scan,
                           const guchar *data,
                           gsize         len);

/* Walks a GIF's blocks as gdk-pixbuf's loader does (bytes between blocks
 * that start none are skipped) and stops at the first image descriptor
 * with no pixels: gdk-pixbuf 2.42 checks a frame's size through
 * gdk_pixbuf_calculate_rowstride (), which logs a critical on a zero
 * width or height before the load fails. Zero-initialise, then feed
 * every block before the loader gets it. */
typedef struct
{
  int      state;
  int      after_skip;     /* the state once @skip bytes are passed */
  guint32  skip;           /* bytes still to skip */
  guint8   screen_flags;
  guchar   descriptor[9];
  guint    n_descriptor;
  guint    frames;         /* image descriptors seen */
  gboolean empty_frame;    /* stopped at one with no pixels */
  guint    empty_width;
  guint    empty_height;
} FyGifFrameScan;

void fy_gif_frame_scan_feed (FyGifFrameScan *scan,
                             const guchar   *data,
                             gsize           len);

/* The EXIF orientation (1 to 8) of a JPEG whose first @len bytes are
 * @data, or 0 when those bytes hold none. */
int  fy_jpeg_exif_orientation (const guchar *data,
                               gsize         len);

G_END_DECLS
