/* fy-resample.c: shrinking a picture as sharply as Pillow's LANCZOS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two passes, horizontal then vertical, each output sample a normalised
 * weighted sum of the source samples under a Lanczos-3 kernel stretched by
 * the scale when shrinking (so it also low-passes). Samples are floats,
 * alpha-premultiplied for RGBA. Taps that fall outside the picture are
 * dropped and the rest renormalised, as Pillow does at the edges.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fy-resample.h"

#define LANCZOS_LOBES 3.0
/* Averaging down by whole factors stops this many times above the target
 * (see fy-resample.h). */
#define REDUCE_GAP    2

typedef struct
{
  int    *first;   /* per output sample: its first source index */
  int    *count;   /* … and how many taps it has */
  float  *weights; /* count[i] weights per output sample, max_taps apart */
  int     max_taps;
} Kernel;

static double
sinc (double x)
{
  if (x == 0.0)
    return 1.0;
  x *= G_PI;
  return sin (x) / x;
}

static double
lanczos (double x)
{
  if (x <= -LANCZOS_LOBES || x >= LANCZOS_LOBES)
    return 0.0;
  return sinc (x) * sinc (x / LANCZOS_LOBES);
}

static void
kernel_clear (Kernel *kernel)
{
  g_free (kernel->first);
  g_free (kernel->count);
  g_free (kernel->weights);
}

static void
kernel_init (Kernel *kernel,
             int     in_size,
             int     out_size)
{
  double scale = (double) in_size / out_size;
  double stretch = MAX (scale, 1.0);
  double support = LANCZOS_LOBES * stretch;

  kernel->max_taps = (int) ceil (support) * 2 + 1;
  kernel->first = g_new (int, out_size);
  kernel->count = g_new (int, out_size);
  kernel->weights = g_new0 (float, (gsize) out_size * kernel->max_taps);

  for (int i = 0; i < out_size; i++)
    {
      double center = (i + 0.5) * scale;
      int lo = MAX ((int) floor (center - support), 0);
      int hi = MIN ((int) ceil (center + support), in_size);
      float *w = kernel->weights + (gsize) i * kernel->max_taps;
      double sum = 0;
      int n = 0;

      hi = MIN (hi, lo + kernel->max_taps);
      for (int j = lo; j < hi; j++)
        {
          double value = lanczos ((j + 0.5 - center) / stretch);

          w[n++] = (float) value;
          sum += value;
        }
      if (sum != 0)
        for (int k = 0; k < n; k++)
          w[k] = (float) (w[k] / sum);
      kernel->first[i] = lo;
      kernel->count[i] = n;
    }
}

static guint8
clamp_byte (float value)
{
  if (value <= 0.f)
    return 0;
  if (value >= 255.f)
    return 255;
  return (guint8) (value + 0.5f);
}

/* Adds one source row @p to the sums of its band: @fx pixels into each
 * of @width sums. Always inlined with a constant @channels, so that the
 * inner loops know their stride and hold no branch. */
static inline __attribute__ ((always_inline)) void
box_add_row (const guint8 *p,
             int           width,
             int           fx,
             guint32      *sums,
             const int     channels)
{
  guint32 *s = sums;

  for (int x = 0; x < width; x++, s += channels)
    for (int dx = 0; dx < fx; dx++, p += channels)
      {
        if (channels == 4)
          {
            /* Premultiplied, so transparent pixels add no colour. */
            s[0] += p[0] * p[3];
            s[1] += p[1] * p[3];
            s[2] += p[2] * p[3];
            s[3] += p[3];
          }
        else
          {
            s[0] += p[0];
            s[1] += p[1];
            s[2] += p[2];
          }
      }
}

/* The averages of a band's @sums (of @fx × @fy pixels each) into @o. */
static inline __attribute__ ((always_inline)) void
box_emit_row (const guint32 *sums,
              int            width,
              int            fx,
              int            fy,
              guint8        *o,
              const int      channels)
{
  guint32 area = (guint32) (fx * fy);

  for (int x = 0; x < width; x++, o += channels)
    {
      const guint32 *s = sums + (gsize) x * channels;

      if (channels == 4)
        {
          guint32 alpha = s[3];

          for (int c = 0; c < 3; c++)
            o[c] = alpha ? (guint8) MIN ((s[c] + alpha / 2) / alpha, 255) : 0;
          o[3] = (guint8) ((alpha + area / 2) / area);
        }
      else
        for (int c = 0; c < 3; c++)
          o[c] = (guint8) ((s[c] + area / 2) / area);
    }
}

/* One output row of reduce_box (): the @fy source rows from @in summed
 * into @sums, then divided out into @o. */
static inline __attribute__ ((always_inline)) void
reduce_box_row (const guint8 *in,
                int           in_stride,
                int           width,
                int           fx,
                int           fy,
                guint32      *sums,
                guint8       *o,
                const int     channels)
{
  memset (sums, 0, sizeof (guint32) * width * channels);
  for (int dy = 0; dy < fy; dy++)
    box_add_row (in + (gsize) dy * in_stride, width, fx, sums, channels);
  box_emit_row (sums, width, fx, fy, o, channels);
}

/* Averages @source down by whole factors @fx × @fy. */
static GdkPixbuf *
reduce_box (GdkPixbuf *source,
            int        fx,
            int        fy)
{
  int width = gdk_pixbuf_get_width (source) / fx;
  int height = gdk_pixbuf_get_height (source) / fy;
  int channels = gdk_pixbuf_get_n_channels (source);
  int in_stride = gdk_pixbuf_get_rowstride (source);
  const guint8 *in = gdk_pixbuf_read_pixels (source);
  g_autofree guint32 *sums = g_new (guint32, (gsize) width * channels);
  GdkPixbuf *out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, channels == 4, 8, width, height);
  guint8 *pixels;
  int out_stride;

  if (out == NULL)
    return NULL;
  pixels = gdk_pixbuf_get_pixels (out);
  out_stride = gdk_pixbuf_get_rowstride (out);

  for (int y = 0; y < height; y++)
    {
      const guint8 *rows = in + (gsize) y * fy * in_stride;
      guint8 *o = pixels + (gsize) y * out_stride;

      if (channels == 4)
        reduce_box_row (rows, in_stride, width, fx, fy, sums, o, 4);
      else
        reduce_box_row (rows, in_stride, width, fx, fy, sums, o, 3);
    }
  return out;
}

/* A pixel as four floats: R, G, B premultiplied by A, and A (RGB: A is
 * 0 and unused). GCC's vector extension makes each multiply-add one
 * instruction on the four, on any target. */
typedef float Pixel4 __attribute__ ((vector_size (16)));

/* One source row to premultiplied float pixels, once: each is then read
 * by several taps of the horizontal pass. */
static inline __attribute__ ((always_inline)) void
row_to_pixels (const guint8 *row,
               int           width,
               Pixel4       *px,
               const int     channels)
{
  for (int x = 0; x < width; x++, row += channels)
    {
      if (channels == 4)
        {
          float a = row[3];

          /* Exact: a product of two bytes fits a float's mantissa. */
          px[x] = (Pixel4) { row[0] * a, row[1] * a, row[2] * a, a };
        }
      else
        px[x] = (Pixel4) { row[0], row[1], row[2], 0.f };
    }
}

/* The horizontal pass over one row of pixels. */
static void
lanczos_row (const Kernel *kx,
             const Pixel4 *px,
             int           width,
             Pixel4       *dst)
{
  for (int x = 0; x < width; x++)
    {
      const float *w = kx->weights + (gsize) x * kx->max_taps;
      const Pixel4 *p = px + kx->first[x];
      int count = kx->count[x];
      Pixel4 acc = { 0, 0, 0, 0 };

      for (int k = 0; k < count; k++)
        acc += w[k] * p[k];
      dst[x] = acc;
    }
}

/* The whole factor a side of @in_size pixels is averaged down by before
 * the Lanczos pass to @out_size. */
static int
reduce_factor (int in_size,
               int out_size)
{
  return MAX (in_size / (REDUCE_GAP * out_size), 1);
}

struct _FyBoxReducer
{
  GdkPixbuf *out;
  guint8    *pixels;
  int        out_stride;
  int        width;      /* of the output */
  int        height;
  int        channels;
  int        fx;
  int        fy;
  int        row;        /* source rows taken so far */
  guint32   *sums;
};

FyBoxReducer *
fy_box_reducer_new (int in_width,
                    int in_height,
                    int channels,
                    int width,
                    int height)
{
  FyBoxReducer *self;

  g_return_val_if_fail (channels == 3 || channels == 4, NULL);
  g_return_val_if_fail (in_width > 0 && in_height > 0 && width > 0 && height > 0, NULL);

  self = g_new0 (FyBoxReducer, 1);
  self->channels = channels;
  self->fx = reduce_factor (in_width, width);
  self->fy = reduce_factor (in_height, height);
  self->width = in_width / self->fx;
  self->height = in_height / self->fy;
  self->out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, channels == 4, 8, self->width, self->height);
  self->sums = g_try_new0 (guint32, (gsize) self->width * channels);
  if (self->out == NULL || self->sums == NULL)
    {
      fy_box_reducer_free (self);
      return NULL;
    }
  self->pixels = gdk_pixbuf_get_pixels (self->out);
  self->out_stride = gdk_pixbuf_get_rowstride (self->out);
  return self;
}

void
fy_box_reducer_push_row (FyBoxReducer *self,
                         const guint8 *row)
{
  int band = self->row / self->fy;

  /* Rows past the last whole band are dropped, as reduce_box () drops them. */
  if (band >= self->height)
    return;
  if (self->channels == 4)
    box_add_row (row, self->width, self->fx, self->sums, 4);
  else
    box_add_row (row, self->width, self->fx, self->sums, 3);
  self->row++;
  if (self->row % self->fy != 0)
    return;

  if (self->channels == 4)
    box_emit_row (self->sums, self->width, self->fx, self->fy,
                  self->pixels + (gsize) band * self->out_stride, 4);
  else
    box_emit_row (self->sums, self->width, self->fx, self->fy,
                  self->pixels + (gsize) band * self->out_stride, 3);
  memset (self->sums, 0, sizeof (guint32) * self->width * self->channels);
}

GdkPixbuf *
fy_box_reducer_finish (FyBoxReducer *self)
{
  GdkPixbuf *out = g_steal_pointer (&self->out);

  fy_box_reducer_free (self);
  return out;
}

void
fy_box_reducer_free (FyBoxReducer *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->out);
  g_free (self->sums);
  g_free (self);
}

GdkPixbuf *
fy_resample_lanczos (GdkPixbuf *source,
                     int        width,
                     int        height)
{
  g_autoptr(GdkPixbuf) reduced = NULL;
  Kernel kx = { 0 };
  Kernel ky = { 0 };
  g_autofree Pixel4 *rows = NULL;
  g_autofree Pixel4 *acc_row = NULL;
  g_autofree Pixel4 *px = NULL;
  GdkPixbuf *out;
  const guint8 *in;
  guint8 *pixels;
  int in_width, in_height, channels, in_stride, out_stride;
  int fx, fy;

  g_return_val_if_fail (gdk_pixbuf_get_bits_per_sample (source) == 8, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  fx = reduce_factor (gdk_pixbuf_get_width (source), width);
  fy = reduce_factor (gdk_pixbuf_get_height (source), height);
  if (fx > 1 || fy > 1)
    {
      reduced = reduce_box (source, fx, fy);
      if (reduced == NULL)
        return NULL;
      source = reduced;
    }

  in_width = gdk_pixbuf_get_width (source);
  in_height = gdk_pixbuf_get_height (source);
  channels = gdk_pixbuf_get_n_channels (source);
  in_stride = gdk_pixbuf_get_rowstride (source);
  in = gdk_pixbuf_read_pixels (source);

  out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, channels == 4, 8, width, height);
  rows = g_try_new (Pixel4, (gsize) in_height * width);
  px = g_try_new (Pixel4, in_width);
  acc_row = g_new (Pixel4, width);
  if (out == NULL || rows == NULL || px == NULL)
    {
      g_clear_object (&out);
      return NULL;
    }
  pixels = gdk_pixbuf_get_pixels (out);
  out_stride = gdk_pixbuf_get_rowstride (out);

  kernel_init (&kx, in_width, width);
  kernel_init (&ky, in_height, height);

  /* Horizontal: every source row to @width premultiplied float pixels. */
  for (int y = 0; y < in_height; y++)
    {
      const guint8 *row = in + (gsize) y * in_stride;

      if (channels == 4)
        row_to_pixels (row, in_width, px, 4);
      else
        row_to_pixels (row, in_width, px, 3);
      lanczos_row (&kx, px, width, rows + (gsize) y * width);
    }

  /* Vertical: the columns of those rows to @height. Whole rows at a time,
   * tap after tap, so that the multiply-adds run along contiguous pixels. */
  for (int y = 0; y < height; y++)
    {
      const float *w = ky.weights + (gsize) y * ky.max_taps;
      guint8 *o = pixels + (gsize) y * out_stride;

      memset (acc_row, 0, sizeof (Pixel4) * width);
      for (int k = 0; k < ky.count[y]; k++)
        {
          const Pixel4 *s = rows + (gsize) (ky.first[y] + k) * width;
          float weight = w[k];

          for (int i = 0; i < width; i++)
            acc_row[i] += weight * s[i];
        }

      for (int i = 0; i < width; i++, o += channels)
        {
          Pixel4 acc = acc_row[i];

          if (channels == 4)
            {
              float alpha = acc[3];

              for (int c = 0; c < 3; c++)
                o[c] = alpha > 0.f ? clamp_byte (acc[c] / alpha) : 0;
              o[3] = clamp_byte (alpha);
            }
          else
            for (int c = 0; c < 3; c++)
              o[c] = clamp_byte (acc[c]);
        }
    }

  kernel_clear (&kx);
  kernel_clear (&ky);
  return out;
}
