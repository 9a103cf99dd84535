/* fy-png-unfilter.c: undoing a PNG row's filter, in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scalar loops are compiled once per pixel size so that each knows
 * its stride; Sub, Average and Paeth on 3- and 4-byte pixels, the common
 * photographs and drawings, run a pixel at a time in SSE2 lanes.
 */

#include "config.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fy-png-unfilter.h"

static inline __attribute__ ((always_inline)) guint8
paeth (int a,
       int b,
       int c)
{
  int pa = ABS (b - c);
  int pb = ABS (a - c);
  int pc = ABS (a + b - 2 * c);

  if (pa <= pb && pa <= pc)
    return (guint8) a;
  return (guint8) (pb <= pc ? b : c);
}

/* Undoes one row's filter in place, @prev the row above, already
 * unfiltered (zeros above the first). Always inlined with a constant
 * @bpp, so that the loops know their stride. */
static inline __attribute__ ((always_inline)) void
unfilter_row_bpp (guint8        type,
                  guint8       *row,
                  const guint8 *prev,
                  gsize         n,
                  const int     bpp)
{
  switch (type)
    {
    case 1: /* Sub */
      for (gsize i = bpp; i < n; i++)
        row[i] += row[i - bpp];
      break;
    case 2: /* Up */
      for (gsize i = 0; i < n; i++)
        row[i] += prev[i];
      break;
    case 3: /* Average */
      for (gsize i = 0; i < (gsize) bpp && i < n; i++)
        row[i] += prev[i] >> 1;
      for (gsize i = bpp; i < n; i++)
        row[i] += (guint8) ((row[i - bpp] + prev[i]) >> 1);
      break;
    case 4: /* Paeth: the left and upper-left neighbours are 0 in the
             * first pixel, which leaves the one above. */
      for (gsize i = 0; i < (gsize) bpp && i < n; i++)
        row[i] += prev[i];
      for (gsize i = bpp; i < n; i++)
        row[i] += paeth (row[i - bpp], prev[i], prev[i - bpp]);
      break;
    default:
      break;
    }
}

#ifdef __SSE2__
/* Sub, Average and Paeth on pictures of 3 or 4 bytes a pixel, a whole
 * pixel at a time: each pixel depends on the one to its left, so the
 * parallelism is across its channels, in 16-bit lanes (as libpng's own
 * SSE2 filters work, which Debian's build leaves out). */
/* Four bytes, also for 3-byte pixels: the rows lie in buffers with
 * FY_PNG_UNFILTER_SLACK bytes to spare after the last, and the fourth
 * lane is never stored. */
static inline __m128i
load_pixel (const guint8 *p,
            const int     bpp)
{
  guint32 v;

  memcpy (&v, p, 4);
  return _mm_unpacklo_epi8 (_mm_cvtsi32_si128 ((int) v), _mm_setzero_si128 ());
}

static inline void
store_pixel (guint8  *p,
             __m128i  v,
             const int bpp)
{
  guint32 bytes = (guint32) _mm_cvtsi128_si32 (_mm_packus_epi16 (v, v));

  memcpy (p, &bytes, bpp);
}

static inline __m128i
abs_epi16 (__m128i v)
{
  return _mm_max_epi16 (v, _mm_sub_epi16 (_mm_setzero_si128 (), v));
}

static inline __attribute__ ((always_inline)) gboolean
unfilter_row_simd (guint8        type,
                   guint8       *row,
                   const guint8 *prev,
                   gsize         n,
                   const int     bpp)
{
  const __m128i mask = _mm_set1_epi16 (0xff);
  __m128i a = _mm_setzero_si128 ();
  __m128i c = _mm_setzero_si128 ();

  switch (type)
    {
    case 1:
      for (gsize i = 0; i < n; i += bpp)
        {
          a = _mm_and_si128 (_mm_add_epi16 (load_pixel (row + i, bpp), a), mask);
          store_pixel (row + i, a, bpp);
        }
      return TRUE;
    case 3:
      for (gsize i = 0; i < n; i += bpp)
        {
          __m128i b = load_pixel (prev + i, bpp);
          __m128i avg = _mm_srli_epi16 (_mm_add_epi16 (a, b), 1);

          a = _mm_and_si128 (_mm_add_epi16 (load_pixel (row + i, bpp), avg), mask);
          store_pixel (row + i, a, bpp);
        }
      return TRUE;
    case 4:
      for (gsize i = 0; i < n; i += bpp)
        {
          __m128i b = load_pixel (prev + i, bpp);
          __m128i bc = _mm_sub_epi16 (b, c);
          __m128i ac = _mm_sub_epi16 (a, c);
          __m128i pa = abs_epi16 (bc);
          __m128i pb = abs_epi16 (ac);
          __m128i pc = abs_epi16 (_mm_add_epi16 (bc, ac));
          __m128i least = _mm_min_epi16 (pc, _mm_min_epi16 (pa, pb));
          __m128i take_b = _mm_cmpeq_epi16 (pb, least);
          __m128i take_a = _mm_cmpeq_epi16 (pa, least);
          __m128i pred = c;

          /* The specification's order of preference: a, then b, then c. */
          pred = _mm_or_si128 (_mm_and_si128 (take_b, b), _mm_andnot_si128 (take_b, pred));
          pred = _mm_or_si128 (_mm_and_si128 (take_a, a), _mm_andnot_si128 (take_a, pred));
          a = _mm_and_si128 (_mm_add_epi16 (load_pixel (row + i, bpp), pred), mask);
          store_pixel (row + i, a, bpp);
          c = b;
        }
      return TRUE;
    default:
      return FALSE;
    }
}
#endif

void
fy_png_unfilter_row (guint8        type,
                     guint8       *row,
                     const guint8 *prev,
                     gsize         n,
                     int           bpp)
{
#ifdef __SSE2__
  if (bpp == 4 && unfilter_row_simd (type, row, prev, n, 4))
    return;
  if (bpp == 3 && unfilter_row_simd (type, row, prev, n, 3))
    return;
#endif
  switch (bpp)
    {
    case 1: unfilter_row_bpp (type, row, prev, n, 1); break;
    case 2: unfilter_row_bpp (type, row, prev, n, 2); break;
    case 3: unfilter_row_bpp (type, row, prev, n, 3); break;
    case 4: unfilter_row_bpp (type, row, prev, n, 4); break;
    case 6: unfilter_row_bpp (type, row, prev, n, 6); break;
    default: unfilter_row_bpp (type, row, prev, n, 8); break;
    }
}
