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

/* One output row of reduce_box (): the @fy source rows from @in summed
 * into @sums, then divided out into @o. Always inlined with a constant
 * @channels, so that the inner loops know their stride and hold no
 * branch. */
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
  guint32 area = (guint32) (fx * fy);

  memset (sums, 0, sizeof (guint32) * width * channels);
  for (int dy = 0; dy < fy; dy++)
    {
      const guint8 *p = in + (gsize) dy * in_stride;
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

/* The horizontal pass over one source row, inlined per channel count as
 * reduce_box_row () is. */
static inline __attribute__ ((always_inline)) void
lanczos_row (const Kernel *kx,
             const guint8 *row,
             int           width,
             float        *dst,
             const int     channels)
{
  for (int x = 0; x < width; x++, dst += channels)
    {
      const float *w = kx->weights + (gsize) x * kx->max_taps;
      const guint8 *p = row + (gsize) kx->first[x] * channels;
      int count = kx->count[x];
      float acc[4] = { 0, 0, 0, 0 };

      for (int k = 0; k < count; k++, p += channels)
        if (channels == 4)
          {
            float a = w[k] * p[3];

            acc[0] += a * p[0];
            acc[1] += a * p[1];
            acc[2] += a * p[2];
            acc[3] += a;
          }
        else
          {
            acc[0] += w[k] * p[0];
            acc[1] += w[k] * p[1];
            acc[2] += w[k] * p[2];
          }
      for (int c = 0; c < channels; c++)
        dst[c] = acc[c];
    }
}

GdkPixbuf *
fy_resample_lanczos (GdkPixbuf *source,
                     int        width,
                     int        height)
{
  g_autoptr(GdkPixbuf) reduced = NULL;
  Kernel kx = { 0 };
  Kernel ky = { 0 };
  g_autofree float *rows = NULL;
  g_autofree float *acc_row = NULL;
  GdkPixbuf *out;
  const guint8 *in;
  guint8 *pixels;
  int in_width, in_height, channels, in_stride, out_stride;
  gsize row_len;
  int fx, fy;

  g_return_val_if_fail (gdk_pixbuf_get_bits_per_sample (source) == 8, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  fx = MAX (gdk_pixbuf_get_width (source) / (REDUCE_GAP * width), 1);
  fy = MAX (gdk_pixbuf_get_height (source) / (REDUCE_GAP * height), 1);
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
  row_len = (gsize) width * channels;
  rows = g_try_new (float, (gsize) in_height * row_len);
  acc_row = g_new (float, row_len);
  if (out == NULL || rows == NULL)
    {
      g_clear_object (&out);
      return NULL;
    }
  pixels = gdk_pixbuf_get_pixels (out);
  out_stride = gdk_pixbuf_get_rowstride (out);

  kernel_init (&kx, in_width, width);
  kernel_init (&ky, in_height, height);

  /* Horizontal: every source row to @width premultiplied float samples. */
  for (int y = 0; y < in_height; y++)
    {
      const guint8 *row = in + (gsize) y * in_stride;
      float *dst = rows + (gsize) y * width * channels;

      if (channels == 4)
        lanczos_row (&kx, row, width, dst, 4);
      else
        lanczos_row (&kx, row, width, dst, 3);
    }

  /* Vertical: the columns of those rows to @height. Whole rows at a time,
   * tap after tap, so that the multiply-adds run along contiguous floats
   * (the sums are the same, in the same order, as column by column). */
  for (int y = 0; y < height; y++)
    {
      const float *w = ky.weights + (gsize) y * ky.max_taps;
      guint8 *o = pixels + (gsize) y * out_stride;

      memset (acc_row, 0, sizeof (float) * row_len);
      for (int k = 0; k < ky.count[y]; k++)
        {
          const float *s = rows + (gsize) (ky.first[y] + k) * row_len;
          float weight = w[k];

          for (gsize i = 0; i < row_len; i++)
            acc_row[i] += weight * s[i];
        }

      for (gsize i = 0; i < row_len; i += channels)
        {
          const float *acc = acc_row + i;

          if (channels == 4)
            {
              float alpha = acc[3];

              for (int c = 0; c < 3; c++)
                o[i + c] = alpha > 0.f ? clamp_byte (acc[c] / alpha) : 0;
              o[i + 3] = clamp_byte (alpha);
            }
          else
            for (int c = 0; c < 3; c++)
              o[i + c] = clamp_byte (acc[c]);
        }
    }

  kernel_clear (&kx);
  kernel_clear (&ky);
  return out;
}
