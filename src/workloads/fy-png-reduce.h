/* fy-png-reduce.h: a PNG decoded straight into the thumbnail's box reduction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PNG has no reduced-size decode: every pixel must be inflated and
 * unfiltered. What can be saved is the rest of gdk-pixbuf's path: a
 * full-size pixbuf filled before the decode, the decoded rows copied into
 * it, and then read back once more by the averaging down. Here
 * FyPngDecoder (fy-png-decode.h) hands each row, expanded to 8-bit RGB or
 * RGBA as gdk-pixbuf's PNG loader expands it, to an FyBoxReducer (fy-resample.h),
 * so the full-size picture is never stored: the result is the picture
 * fy_resample_lanczos () would have averaged gdk-pixbuf's decode down to.
 *
 * Only non-interlaced PNGs come this way (fy_png_reduce_can_decode ()):
 * an interlaced picture's rows come in seven passes, and needs the whole
 * picture anyway.
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

typedef struct _FyPngReduce FyPngReduce;

/* Called once the header is read, with the picture's size: returns FALSE
 * to refuse it (too large), else sets the size of the thumbnail the
 * reduction prepares for. */
typedef gboolean (*FyPngReduceSizeFunc) (int       width,
                                         int       height,
                                         int      *out_width,
                                         int      *out_height,
                                         gpointer  user_data);

/* TRUE when the first @len bytes of a file are a PNG signature and a
 * header saying the picture is not interlaced. */
gboolean     fy_png_reduce_can_decode (const guint8        *data,
                                       gsize                len);
FyPngReduce *fy_png_reduce_new        (FyPngReduceSizeFunc  size_func,
                                       gpointer             user_data);
/* The file's bytes in order, in blocks of any size. FALSE with the
 * decoder's error, or when the size function refused the picture
 * (fy_png_reduce_was_refused ()); nothing more may be fed then. */
gboolean     fy_png_reduce_feed       (FyPngReduce         *self,
                                       const guint8        *data,
                                       gsize                len,
                                       GError             **error);
gboolean     fy_png_reduce_was_refused (FyPngReduce        *self);
/* The averaged picture once the whole image was decoded, or NULL with an
 * error (the data ended before the picture did). */
GdkPixbuf   *fy_png_reduce_finish     (FyPngReduce         *self,
                                       GError             **error);
void         fy_png_reduce_free       (FyPngReduce         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyPngReduce, fy_png_reduce_free)

G_END_DECLS
