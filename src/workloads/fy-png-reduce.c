/* fy-png-reduce.c: a PNG decoded straight into the thumbnail's box reduction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The glue between FyPngDecoder (fy-png-decode.h), which hands on rows,
 * and FyBoxReducer (fy-resample.h), which averages them down.
 */

#include "config.h"

#include "fy-png-decode.h"
#include "fy-png-reduce.h"
#include "fy-resample.h"
#include "fy-workload-error.h"

struct _FyPngReduce
{
  FyPngDecoder        *decoder;
  FyPngReduceSizeFunc  size_func;
  gpointer             user_data;
  FyBoxReducer        *reducer;
  GError              *error;     /* the first failure, kept for finish () */
  gboolean             refused;
};

gboolean
fy_png_reduce_can_decode (const guint8 *data,
                          gsize         len)
{
  return fy_png_decoder_can_decode (data, len);
}

static gboolean
header_cb (int      width,
           int      height,
           int      channels,
           gpointer user_data)
{
  FyPngReduce *self = user_data;
  int out_width, out_height;

  if (!self->size_func (width, height, &out_width, &out_height, self->user_data))
    {
      self->refused = TRUE;
      return FALSE;
    }
  self->reducer = fy_box_reducer_new (width, height, channels, out_width, out_height);
  return self->reducer != NULL;
}

static void
row_cb (const guint8 *row,
        gpointer      user_data)
{
  FyPngReduce *self = user_data;

  fy_box_reducer_push_row (self->reducer, row);
}

FyPngReduce *
fy_png_reduce_new (FyPngReduceSizeFunc size_func,
                   gpointer            user_data)
{
  FyPngReduce *self = g_new0 (FyPngReduce, 1);

  self->size_func = size_func;
  self->user_data = user_data;
  self->decoder = fy_png_decoder_new (header_cb, row_cb, self);
  return self;
}

gboolean
fy_png_reduce_feed (FyPngReduce   *self,
                    const guint8  *data,
                    gsize          len,
                    GError       **error)
{
  if (self->error == NULL)
    fy_png_decoder_feed (self->decoder, data, len, &self->error);
  if (self->error != NULL)
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    }
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
  if (self->error != NULL)
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      return NULL;
    }
  if (!fy_png_decoder_is_done (self->decoder) || self->reducer == NULL)
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
  fy_png_decoder_free (self->decoder);
  fy_box_reducer_free (self->reducer);
  g_clear_error (&self->error);
  g_free (self);
}
