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
#ifdef __SSE2__
# include <emmintrin.h>
#endif

#include "fy-resample.h"

#define LANCZOS_LOBES 3.0
/* Averaging down by whole factors stops this many times above the target
 * (see fy-resample.h). */
#define REDUCE_GAP    2

/* A pixel as four floats: R, G, B premultiplied by A, and A (RGB: A is
 * 0 and unused). GCC's vector extension makes each multiply-add one
 * instruction on the four, on any target. */
typedef float Pixel4 __attribute__ ((vector_size (16)));

typedef struct
{
  int    *first;   /* per output sample: its first source index */
  int    *count;   /* … and how many taps it has */
  Pixel4 *weights; /* count[i] weights per output sample, max_taps apart,
                    * each in all four lanes, ready to multiply a pixel */
  int     max_taps;
} Kernel;

/* sinc (x) · sinc (x / 3) with one sine: sin (πx) is sin (3θ) for
 * θ = πx / 3, that is 3 sin θ − 4 sin³ θ. The kernel has thousands of
 * taps, and the sine was most of their cost. */
static double
lanczos (double x)
{
  double theta;
  double s;

  if (x <= -LANCZOS_LOBES || x >= LANCZOS_LOBES)
    return 0.0;
  if (x == 0.0)
    return 1.0;
  theta = x * (G_PI / LANCZOS_LOBES);
  s = sin (theta);
  return s * (3.0 - 4.0 * s * s) * s / (LANCZOS_LOBES * theta * theta);
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
  g_autofree float *value = NULL;

  kernel->max_taps = (int) ceil (support) * 2 + 1;
  kernel->first = g_new (int, out_size);
  kernel->count = g_new (int, out_size);
  kernel->weights = g_new0 (Pixel4, (gsize) out_size * kernel->max_taps);
  value = g_new (float, kernel->max_taps);

  for (int i = 0; i < out_size; i++)
    {
      double center = (i + 0.5) * scale;
      int lo = MAX ((int) floor (center - support), 0);
      int hi = MIN ((int) ceil (center + support), in_size);
      Pixel4 *w = kernel->weights + (gsize) i * kernel->max_taps;
      double sum = 0;
      int n = 0;

      hi = MIN (hi, lo + kernel->max_taps);
      /* A side kept at its size: the kernel is 1 at the sample itself and
       * 0 at every other whole offset, where the sines give only rounding
       * noise; one tap, as Pillow skips such a pass. */
      if (in_size == out_size)
        {
          lo = i;
          hi = i + 1;
        }
      for (int j = lo; j < hi; j++)
        {
          double v = lanczos ((j + 0.5 - center) / stretch);

          value[n++] = (float) v;
          sum += v;
        }
      if (sum != 0)
        for (int k = 0; k < n; k++)
          value[k] = (float) (value[k] / sum);
      for (int k = 0; k < n; k++)
        w[k] = (Pixel4) { value[k], value[k], value[k], value[k] };
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

/* Four bytes, and four 32-bit integers, as vectors: converting one to
 * the other is a few instructions for all four lanes. */
typedef guint8 Bytes4 __attribute__ ((vector_size (4)));
typedef gint32 Int4 __attribute__ ((vector_size (16)));

static inline __attribute__ ((always_inline)) Pixel4
load_bytes4 (const guint8 *p)
{
#ifdef __SSE2__
  /* Widened by unpacking with zeros: what the generic conversion below
   * becomes is a byte at a time. */
  const __m128i zero = _mm_setzero_si128 ();
  guint32 word;
  __m128i v;

  memcpy (&word, p, sizeof word);
  v = _mm_cvtsi32_si128 ((int) word);
  v = _mm_unpacklo_epi16 (_mm_unpacklo_epi8 (v, zero), zero);
  return (Pixel4) _mm_cvtepi32_ps (v);
#else
  Bytes4 bytes;

  memcpy (&bytes, p, sizeof bytes);
  return __builtin_convertvector (__builtin_convertvector (bytes, Int4), Pixel4);
#endif
}

/* One source row to premultiplied float pixels, once: each is then read
 * by several taps of the horizontal pass. */
static inline __attribute__ ((always_inline)) void
row_to_pixels (const guint8 *row,
               int           width,
               Pixel4       *px,
               const int     channels)
{
  const Pixel4 rgb_only = { 1.f, 1.f, 1.f, 0.f };
  int x = 0;

  if (channels == 4)
    for (; x < width; x++, row += 4)
      {
        Pixel4 p = load_bytes4 (row);

        /* Exact: a product of two bytes fits a float's mantissa. */
        px[x] = p * (Pixel4) { p[3], p[3], p[3], 1.f };
      }
  else
    {
      /* Four bytes at a time, the next pixel's red dropped; not for the
       * last pixel, whose fourth byte may be past the row's end. */
      for (; x + 1 < width; x++, row += 3)
        px[x] = load_bytes4 (row) * rgb_only;
      for (; x < width; x++, row += 3)
        px[x] = (Pixel4) { row[0], row[1], row[2], 0.f };
    }
}

/* The horizontal pass over one row of pixels. Four sums over every
 * fourth tap: one sum would make each add wait for the one before it. */
static void
lanczos_row (const Kernel *kx,
             const Pixel4 *px,
             int           width,
             Pixel4       *dst)
{
  for (int x = 0; x < width; x++)
    {
      const Pixel4 *w = kx->weights + (gsize) x * kx->max_taps;
      const Pixel4 *p = px + kx->first[x];
      int count = kx->count[x];
      Pixel4 acc0 = { 0, 0, 0, 0 };
      Pixel4 acc1 = { 0, 0, 0, 0 };
      Pixel4 acc2 = { 0, 0, 0, 0 };
      Pixel4 acc3 = { 0, 0, 0, 0 };
      int k = 0;

      for (; k + 4 <= count; k += 4)
        {
          acc0 += w[k] * p[k];
          acc1 += w[k + 1] * p[k + 1];
          acc2 += w[k + 2] * p[k + 2];
          acc3 += w[k + 3] * p[k + 3];
        }
      for (; k < count; k++)
        acc0 += w[k] * p[k];
      dst[x] = (acc0 + acc1) + (acc2 + acc3);
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

/* clamp_byte () of four lanes at once, to the same values: rounding is
 * the truncation of v + 0.5, which lands in 0 to 255 once clamped. */
static inline __attribute__ ((always_inline)) Int4
clamp_bytes4 (Pixel4 v)
{
  const Pixel4 half = { .5f, .5f, .5f, .5f };
  const Pixel4 zero = { 0.f, 0.f, 0.f, 0.f };
  const Pixel4 top = { 255.f, 255.f, 255.f, 255.f };
  Int4 over;

  v += half;
  v = (Pixel4) ((Int4) v & (v > zero));
  over = v > top;
  v = (Pixel4) (((Int4) v & ~over) | ((Int4) top & over));
  return __builtin_convertvector (v, Int4);
}

/* One output row of the vertical pass: the @count rows at @taps (already
 * resampled horizontally) weighted by @w, into @o as bytes. Each pixel's
 * sum stays in a register over its taps, instead of a row of sums being
 * read and written again for every tap. */
static inline __attribute__ ((always_inline)) void
lanczos_column_row (const Pixel4 *const *taps,
                    const Pixel4        *w,
                    int                  count,
                    int                  width,
                    guint8              *o,
                    const int            channels)
{
  for (int i = 0; i < width; i++, o += channels)
    {
      Pixel4 acc = { 0, 0, 0, 0 };

      for (int k = 0; k < count; k++)
        acc += w[k] * taps[k][i];

      if (channels == 4)
        {
          float alpha = acc[3];

          for (int c = 0; c < 3; c++)
            o[c] = alpha > 0.f ? clamp_byte (acc[c] / alpha) : 0;
          o[3] = clamp_byte (alpha);
        }
      else
        {
          Int4 bytes = clamp_bytes4 (acc);
#ifdef __SSE2__
          /* Packed to bytes in one register (the values are 0 to 255, so
           * neither saturating pack changes them), then stored from one
           * word instead of a lane at a time. */
          __m128i packed = _mm_packs_epi32 ((__m128i) bytes, (__m128i) bytes);
          guint32 word = (guint32) _mm_cvtsi128_si32 (_mm_packus_epi16 (packed, packed));

          o[0] = (guint8) word;
          o[1] = (guint8) (word >> 8);
          o[2] = (guint8) (word >> 16);
#else
          o[0] = (guint8) bytes[0];
          o[1] = (guint8) bytes[1];
          o[2] = (guint8) bytes[2];
#endif
        }
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
  g_autofree Pixel4 *ring = NULL;
  g_autofree Pixel4 *px = NULL;
  g_autofree const Pixel4 **taps = NULL;
  GdkPixbuf *out;
  const guint8 *in;
  guint8 *pixels;
  int in_width, in_height, channels, in_stride, out_stride;
  int fx, fy;
  int done = 0;

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

  kernel_init (&kx, in_width, width);
  kernel_init (&ky, in_height, height);

  /* The vertical pass reads the horizontally resampled rows of one
   * kernel's reach at a time, so only that many are kept, in a ring
   * (row r in slot r % max_taps): they stay in the cache between the
   * output rows that share them. */
  out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, channels == 4, 8, width, height);
  ring = g_try_new (Pixel4, (gsize) ky.max_taps * width);
  px = g_try_new (Pixel4, in_width);
  taps = g_new (const Pixel4 *, ky.max_taps);
  if (out == NULL || ring == NULL || px == NULL)
    {
      g_clear_object (&out);
      kernel_clear (&kx);
      kernel_clear (&ky);
      return NULL;
    }
  pixels = gdk_pixbuf_get_pixels (out);
  out_stride = gdk_pixbuf_get_rowstride (out);

  for (int y = 0; y < height; y++)
    {
      int first = ky.first[y];
      int count = ky.count[y];

      /* Horizontal: the source rows this output row reaches, each once,
       * to @width premultiplied float pixels. */
      for (; done < first + count; done++)
        {
          const guint8 *row = in + (gsize) done * in_stride;

          if (channels == 4)
            row_to_pixels (row, in_width, px, 4);
          else
            row_to_pixels (row, in_width, px, 3);
          lanczos_row (&kx, px, width, ring + (gsize) (done % ky.max_taps) * width);
        }

      /* Vertical: those rows, weighted, to one output row. */
      for (int k = 0; k < count; k++)
        taps[k] = ring + (gsize) ((first + k) % ky.max_taps) * width;
      if (channels == 4)
        lanczos_column_row (taps, ky.weights + (gsize) y * ky.max_taps, count, width,
                            pixels + (gsize) y * out_stride, 4);
      else
        lanczos_column_row (taps, ky.weights + (gsize) y * ky.max_taps, count, width,
                            pixels + (gsize) y * out_stride, 3);
    }

  kernel_clear (&kx);
  kernel_clear (&ky);
  return out;
}
