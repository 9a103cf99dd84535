/* fy-png-encode.h: a thumbnail written as PNG with libdeflate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * gdk-pixbuf writes PNG through libpng and zlib; on a PNG wallpaper a
 * fifth of the thumbnail's CPU went there. This writer makes the same
 * kind of file (8-bit RGB or RGBA, not interlaced, no ancillary chunks)
 * with libdeflate, which compresses faster and smaller than zlib at the
 * same level, and picks each row's filter as libpng does by default: the
 * one whose output has the least sum of absolute values.
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* The PNG file of @pixbuf (8 bits a sample, 3 or 4 channels) in a new
 * buffer of *@out_len bytes, or NULL when memory runs out. */
guint8 *fy_png_encode (GdkPixbuf *pixbuf,
                       gsize     *out_len);

G_END_DECLS
