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
 * or NULL when memory runs out. A source more than three times the target
 * on a side is first averaged down by a whole factor, as Pillow's
 * reducing_gap does: the Lanczos pass then has a short kernel, and the
 * result differs from the full-kernel one by less than the encoder's loss. */
GdkPixbuf *fy_resample_lanczos (GdkPixbuf *source,
                                int        width,
                                int        height);

G_END_DECLS
