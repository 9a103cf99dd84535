/* fy-png-unfilter.h: undoing a PNG row's filter, in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The row filters of PNG (None, Sub, Up, Average, Paeth), reversed byte
 * for byte as the specification defines them. FyPngDecoder
 * (fy-png-decode.h) runs every row of the inflated image data through
 * here before expanding it.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes past a row's end that fy_png_unfilter_row () may read (never
 * write): the buffers holding rows must have that many to spare. */
#define FY_PNG_UNFILTER_SLACK 4

/* Undoes filter @type (0 to 4; other values leave the row as it is) on
 * @row, @n bytes of pixels of @bpp bytes each (1, 2, 3, 4, 6 or 8), in
 * place; @prev is the row above, already unfiltered (zeros above the
 * first). */
void fy_png_unfilter_row (guint8        type,
                          guint8       *row,
                          const guint8 *prev,
                          gsize         n,
                          int           bpp);

G_END_DECLS
