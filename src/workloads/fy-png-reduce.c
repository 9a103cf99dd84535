/* fy-png-reduce.c: a PNG decoded straight into the thumbnail's box reduction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libpng reports errors by longjmp () out of its own calls: every call
 * that can fail runs inside fy_png_reduce_feed ()'s setjmp (), and the
 * callbacks only store what they found in the FyPngReduce, never in
 * locals of a frame the jump skips.
 */

#include "config.h"

#include <png.h>
#include <setjmp.h>
#include <string.h>

#include "fy-png-reduce.h"
#include "fy-resample.h"
#include "fy-workload-error.h"

/* The signature, IHDR's length and type, then width, height, bit depth,
 * colour type, compression, filter and interlace method. */
#define PNG_HEADER_BYTES 29
#define PNG_INTERLACE_AT 28

struct _FyPngReduce
{
  png_structp          png;
  png_infop            info;
  FyPngReduceSizeFunc  size_func;
  gpointer             user_data;
  FyBoxReducer        *reducer;
  char                *message;   /* libpng's error, once it failed */
  gboolean             refused;
  gboolean             failed;
  gboolean             ended;
};

gboolean
fy_png_reduce_can_decode (const guint8 *data,
                          gsize         len)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  return len >= PNG_HEADER_BYTES && memcmp (data, signature, sizeof signature) == 0 &&
         memcmp (data + 12, "IHDR", 4) == 0 && data[PNG_INTERLACE_AT] == PNG_INTERLACE_NONE;
}

static void
error_cb (png_structp      png,
          png_const_charp  message)
{
  FyPngReduce *self = png_get_error_ptr (png);

  if (self->message == NULL)
    self->message = g_strdup (message);
  png_longjmp (png, 1);
}

static void
warning_cb (png_structp      png,
            png_const_charp  message)
{
  /* Ancillary chunks with a bad CRC and the like: gdk-pixbuf's loader
   * goes on past them too. */
}

static void
info_cb (png_structp png,
         png_infop   info)
{
  FyPngReduce *self = png_get_progressive_ptr (png);
  png_uint_32 width, height;
  int depth, colour, interlace;
  int out_width, out_height;
  int channels;

  png_get_IHDR (png, info, &width, &height, &depth, &colour, &interlace, NULL, NULL);
  if (interlace != PNG_INTERLACE_NONE)
    png_error (png, "interlaced picture on the path for whole rows");
  if (!self->size_func ((int) width, (int) height, &out_width, &out_height, self->user_data))
    {
      self->refused = TRUE;
      png_error (png, "picture refused");
    }

  /* What gdk-pixbuf's loader makes of every PNG: 8 bits per sample, RGB,
   * an alpha channel where the file has one or a transparent colour. */
  png_set_expand (png);
  png_set_strip_16 (png);
  png_set_gray_to_rgb (png);
  png_read_update_info (png, info);
  channels = png_get_channels (png, info);
  if (png_get_bit_depth (png, info) != 8 || (channels != 3 && channels != 4) ||
      png_get_rowbytes (png, info) != (gsize) width * channels)
    png_error (png, "unexpected pixel layout after expansion");

  self->reducer = fy_box_reducer_new ((int) width, (int) height, channels, out_width, out_height);
  if (self->reducer == NULL)
    png_error (png, "not enough memory for the picture");
}

static void
row_cb (png_structp png,
        png_bytep   row,
        png_uint_32 row_num,
        int         pass)
{
  FyPngReduce *self = png_get_progressive_ptr (png);

  if (row != NULL)
    fy_box_reducer_push_row (self->reducer, row);
}

static void
end_cb (png_structp png,
        png_infop   info)
{
  FyPngReduce *self = png_get_progressive_ptr (png);

  self->ended = TRUE;
}

FyPngReduce *
fy_png_reduce_new (FyPngReduceSizeFunc size_func,
                   gpointer            user_data)
{
  FyPngReduce *self = g_new0 (FyPngReduce, 1);

  self->size_func = size_func;
  self->user_data = user_data;
  self->png = png_create_read_struct (PNG_LIBPNG_VER_STRING, self, error_cb, warning_cb);
  if (self->png != NULL)
    self->info = png_create_info_struct (self->png);
  if (self->png == NULL || self->info == NULL)
    {
      self->failed = TRUE;
      self->message = g_strdup ("libpng could not start a decoder");
      return self;
    }
  png_set_progressive_read_fn (self->png, self, info_cb, row_cb, end_cb);
#ifdef PNG_IGNORE_ADLER32
  /* Every IDAT chunk's CRC-32 is checked already; zlib's Adler-32 over
   * the same bytes, once they are inflated, finds nothing the CRCs have
   * not, and costs a tenth of the inflate. */
  png_set_option (self->png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
  return self;
}

static void
set_failure (FyPngReduce  *self,
             GError      **error)
{
  if (self->refused)
    g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                         "picture refused");
  else
    g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                         self->message ? self->message : "libpng failed");
}

gboolean
fy_png_reduce_feed (FyPngReduce   *self,
                    const guint8  *data,
                    gsize          len,
                    GError       **error)
{
  if (self->failed)
    {
      set_failure (self, error);
      return FALSE;
    }
  if (setjmp (png_jmpbuf (self->png)))
    {
      self->failed = TRUE;
      set_failure (self, error);
      return FALSE;
    }
  png_process_data (self->png, self->info, (png_bytep) data, len);
  return TRUE;
}

gboolean
fy_png_reduce_was_refused (FyPngReduce *self)
{
  return self->refused;
}

GdkPixbuf *
fy_png_reduce_finish (FyPngReduce  *self,
                      GError      **error)
{
  if (self->failed)
    {
      set_failure (self, error);
      return NULL;
    }
  if (!self->ended || self->reducer == NULL)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                           "the data ends before the picture does");
      return NULL;
    }
  return fy_box_reducer_finish (g_steal_pointer (&self->reducer));
}

void
fy_png_reduce_free (FyPngReduce *self)
{
  if (self == NULL)
    return;
  if (self->png != NULL)
    png_destroy_read_struct (&self->png, self->info != NULL ? &self->info : NULL, NULL);
  fy_box_reducer_free (self->reducer);
  g_free (self->message);
  g_free (self);
}
