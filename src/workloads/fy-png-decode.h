/* fy-png-decode.h: a non-interlaced PNG, decoded row by row without libpng
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On a wallpaper, two thirds of a PNG thumbnail's CPU went to zlib's
 * inflate and libpng's unfiltering. This decoder parses the chunks itself
 * (every chunk's CRC-32 checked, every length bounded), inflates the
 * whole image data at once with libdeflate (two to three times zlib's
 * speed), unfilters each row in place and hands it on expanded exactly as
 * gdk-pixbuf's PNG loader expands it through libpng (png_set_expand,
 * png_set_strip_16, png_set_gray_to_rgb): 8 bits per sample, RGB, or RGBA
 * where the file has an alpha channel or a tRNS chunk.
 *
 * It reads every colour type and bit depth the PNG specification allows;
 * interlaced pictures are refused (they go through gdk-pixbuf).
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FyPngDecoder FyPngDecoder;

/* Called once, when the first IDAT chunk arrives (a tRNS chunk, which
 * adds alpha, must come before it): the picture's size and the channels
 * its rows will have, 3 or 4. Returns FALSE to refuse the picture before
 * any of it is inflated. */
typedef gboolean (*FyPngHeaderFunc) (int       width,
                                     int       height,
                                     int       channels,
                                     gpointer  user_data);
/* Each row of the picture, top first: width × channels bytes, valid
 * until the function returns. */
typedef void     (*FyPngRowFunc)    (const guint8 *row,
                                     gpointer      user_data);

/* TRUE when the first @len bytes of a file are a PNG signature and a
 * header saying the picture is not interlaced: a file this decoder is
 * meant for. */
gboolean      fy_png_decoder_can_decode (const guint8     *data,
                                         gsize             len);
FyPngDecoder *fy_png_decoder_new        (FyPngHeaderFunc   header_func,
                                         FyPngRowFunc      row_func,
                                         gpointer          user_data);
/* The file's bytes in order, in blocks of any size. Chunks are checked
 * as they complete; the picture is decoded when the IEND chunk arrives.
 * FALSE on the first fault, with FY_WORKLOAD_ERROR_CORRUPT and what is
 * wrong, or FY_WORKLOAD_ERROR_TOO_LARGE when the header function refused
 * the picture; nothing more may be fed then. Bytes after IEND are
 * ignored. */
gboolean      fy_png_decoder_feed       (FyPngDecoder     *self,
                                         const guint8     *data,
                                         gsize             len,
                                         GError          **error);
/* TRUE once IEND was read and every row handed on. */
gboolean      fy_png_decoder_is_done    (FyPngDecoder     *self);
void          fy_png_decoder_free       (FyPngDecoder     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyPngDecoder, fy_png_decoder_free)

G_END_DECLS
