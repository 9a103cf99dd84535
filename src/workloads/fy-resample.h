/* fy-resample.h: shrinking a picture as sharply as Pillow's LANCZOS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * gdk-pixbuf's scalers average every source pixel under an output pixel
 * (a box): no aliasing, but visibly soft thumbnails, 6–15 dB below a
 * Lanczos resize of the same picture. This is a separable Lanczos-3
 * resampler on 8-bit RGB and RGBA pixbufs, alpha premultiplied while
 * filtering so that transparent pixels lend no colour to their
 * neighbours.
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* A new pixbuf of @width × @height from @source (8-bit, 3 or 4 channels),
 * or NULL when memory runs out. A source at least twice the target on a
 * side is first averaged down by a whole factor to no less than twice it,
 * as Pillow's thumbnail () does with reducing_gap 2: the Lanczos pass then
 * has a short kernel. On the mate-backgrounds PNGs the result stays above
 * 52 dB of a full-kernel LANCZOS resize, for a third less CPU than a
 * reduction to three times the target. */
GdkPixbuf *fy_resample_lanczos (GdkPixbuf *source,
                                int        width,
                                int        height);

/* The same averaging down, fed one source row at a time as a decoder
 * gives them: the full-size picture is never stored. @in_width ×
 * @in_height is the source, @channels 3 (RGB) or 4 (RGBA, not
 * premultiplied), @width × @height the size the result will be resampled
 * to with fy_resample_lanczos (), which then averages nothing more. The
 * result is the one fy_resample_lanczos () would have averaged the whole
 * picture to. NULL when memory runs out. */
typedef struct _FyBoxReducer FyBoxReducer;

FyBoxReducer *fy_box_reducer_new      (int           in_width,
                                       int           in_height,
                                       int           channels,
                                       int           width,
                                       int           height);
/* Rows in order, top first, @in_width × @channels bytes each. */
void          fy_box_reducer_push_row (FyBoxReducer *self,
                                       const guint8 *row);
/* The averaged picture (rows never pushed stay 0); frees @self. */
GdkPixbuf    *fy_box_reducer_finish   (FyBoxReducer *self);
void          fy_box_reducer_free     (FyBoxReducer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyBoxReducer, fy_box_reducer_free)

G_END_DECLS
