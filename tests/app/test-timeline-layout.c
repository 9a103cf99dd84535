/* test-timeline-layout.c: the task timeline's culling, folding and axis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "fy-timeline-layout.h"

/* @n bars of @len µs every @every µs from 0, all done but @failed. */
static FyTimelineBar *
make_bars (guint  n,
           gint64 len,
           gint64 every,
           int    failed)
{
  FyTimelineBar *bars = g_new0 (FyTimelineBar, n);

  for (guint i = 0; i < n; i++)
    bars[i] = (FyTimelineBar) { i * every, i * every + len,
                                (int) i == failed ? FY_TIMELINE_FAILED : FY_TIMELINE_DONE, i };
  return bars;
}

static void
test_first_visible (void)
{
  g_autofree FyTimelineBar *bars = make_bars (100, 5, 10, -1);

  g_assert_cmpuint (fy_timeline_first_visible (bars, 100, 0, 0), ==, 0);
  g_assert_cmpuint (fy_timeline_first_visible (bars, 100, 5, 0), ==, 0);
  g_assert_cmpuint (fy_timeline_first_visible (bars, 100, 6, 0), ==, 1);
  g_assert_cmpuint (fy_timeline_first_visible (bars, 100, 995, 0), ==, 99);
  g_assert_cmpuint (fy_timeline_first_visible (bars, 100, 996, 0), ==, 100);
  g_assert_cmpint (fy_timeline_bar_at (bars, 100, 12, 0), ==, 1);
  g_assert_cmpint (fy_timeline_bar_at (bars, 100, 17, 0), ==, -1);
  /* A running bar (end 0) reaches now. */
  bars[99].end = 0;
  g_assert_cmpint (fy_timeline_bar_at (bars, 100, 5000, 6000), ==, 99);
  g_assert_cmpint (fy_timeline_bar_at (bars, 100, 5000, 4000), ==, -1);
}

static void
test_cull (void)
{
  g_autofree FyTimelineBar *bars = make_bars (1000, 50, 100, -1);
  g_autoptr(GArray) rects = g_array_new (FALSE, FALSE, sizeof (FyTimelineRect));
  FyTimelineRect *r;

  /* 10 µs a pixel, 100 px wide from 20 000: bars 200 … 210 show, each
   * 5 px wide, nothing off screen is visited. */
  g_assert_cmpuint (fy_timeline_layout_lane (bars, 1000, 20000, 10, 100, 1, 0, rects), ==, 10);
  r = &g_array_index (rects, FyTimelineRect, 0);
  g_assert_cmpuint (r->first, ==, 200);
  g_assert_cmpfloat (r->x0, ==, 0);
  g_assert_cmpfloat (r->x1, ==, 5);
  r = &g_array_index (rects, FyTimelineRect, 9);
  g_assert_cmpuint (r->first, ==, 209);
  g_assert_cmpfloat (r->x0, ==, 90);

  /* A bar cut by the left edge is clamped to it. */
  g_array_set_size (rects, 0);
  fy_timeline_layout_lane (bars, 1000, 20020, 10, 100, 1, 0, rects);
  r = &g_array_index (rects, FyTimelineRect, 0);
  g_assert_cmpuint (r->first, ==, 200);
  g_assert_cmpfloat (r->x0, ==, 0);
  g_assert_cmpfloat (r->x1, ==, 3);
}

static void
test_fold (void)
{
  g_autofree FyTimelineBar *bars = make_bars (100000, 50, 100, 54321);
  g_autoptr(GArray) rects = g_array_new (FALSE, FALSE, sizeof (FyTimelineRect));
  guint n, total = 0;
  gboolean failure_shown = FALSE;

  /* 100 000 bars on 1 000 pixels: 100 a pixel. The done ones on either
   * side of the one failure fold into one rect each, every bar counted
   * once, and the failure keeps a rect of its own colour. */
  n = fy_timeline_layout_lane (bars, 100000, 0, 10000, 1000, 1, 0, rects);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (n, <=, 4);
  for (guint i = 0; i < n; i++)
    {
      FyTimelineRect *r = &g_array_index (rects, FyTimelineRect, i);

      g_assert_cmpfloat (r->x1 - r->x0, >=, 1);
      total += r->count;
      if (r->first <= 54321 && 54321 < r->first + r->count)
        {
          g_assert_cmpuint (r->state, ==, FY_TIMELINE_FAILED);
          g_assert_cmpfloat (r->x1 - r->x0, <=, 2.01);
          failure_shown = TRUE;
        }
      else
        g_assert_cmpuint (r->state, ==, FY_TIMELINE_DONE);
    }
  g_assert_true (failure_shown);
  g_assert_cmpuint (total, ==, 100000);

  /* Bars 2 px wide half a pixel apart merge; 5 px wide, 1.25 px apart,
   * they stay apart. */
  {
    g_autofree FyTimelineBar *close = make_bars (1000, 80, 100, -1);

    g_array_set_size (rects, 0);
    g_assert_cmpuint (fy_timeline_layout_lane (close, 1000, 0, 40, 1000, 1, 0, rects), ==, 1);
    g_assert_cmpuint (g_array_index (rects, FyTimelineRect, 0).count, ==, 400);
    g_array_set_size (rects, 0);
    g_assert_cmpuint (fy_timeline_layout_lane (close, 1000, 0, 16, 1000, 1, 0, rects), ==, 160);
  }
}

/* Every rect starts and ends on a whole device pixel and is at least one
 * wide, whatever the bars' fractions, at scale 1 and 2. */
static void
check_whole_pixels (const GArray *rects,
                    double        scale)
{
  for (guint i = 0; i < rects->len; i++)
    {
      const FyTimelineRect *r = &g_array_index (rects, FyTimelineRect, i);

      g_assert_cmpfloat (r->x0 * scale, ==, round (r->x0 * scale));
      g_assert_cmpfloat (r->x1 * scale, ==, round (r->x1 * scale));
      g_assert_cmpfloat ((r->x1 - r->x0) * scale, >=, 1);
      if (i > 0)
        g_assert_cmpfloat (r->x0, >=, g_array_index (rects, FyTimelineRect, i - 1).x1);
    }
}

static void
test_snap (void)
{
  g_autoptr(GArray) rects = g_array_new (FALSE, FALSE, sizeof (FyTimelineRect));
  FyTimelineRect *r;

  /* One bar of 0.3 px from 12.6 px: the pixel its middle is in, 12. */
  {
    FyTimelineBar one = { 1260, 1290, FY_TIMELINE_DONE, 0 };

    g_assert_cmpuint (fy_timeline_layout_lane (&one, 1, 0, 100, 200, 1, 0, rects), ==, 1);
    r = &g_array_index (rects, FyTimelineRect, 0);
    g_assert_cmpfloat (r->x0, ==, 12);
    g_assert_cmpfloat (r->x1, ==, 13);

    /* At scale 2 the same bar is 0.6 device pixels from 25.2: device
     * pixel 25, i.e. 12.5 … 13. */
    g_array_set_size (rects, 0);
    g_assert_cmpuint (fy_timeline_layout_lane (&one, 1, 0, 100, 200, 2, 0, rects), ==, 1);
    r = &g_array_index (rects, FyTimelineRect, 0);
    g_assert_cmpfloat (r->x0, ==, 12.5);
    g_assert_cmpfloat (r->x1, ==, 13);
  }

  /* A wide bar from 3.4 to 7.7 px covers the centres of pixels 3 … 7. */
  {
    FyTimelineBar wide = { 340, 770, FY_TIMELINE_DONE, 0 };

    g_array_set_size (rects, 0);
    fy_timeline_layout_lane (&wide, 1, 0, 100, 200, 1, 0, rects);
    r = &g_array_index (rects, FyTimelineRect, 0);
    g_assert_cmpfloat (r->x0, ==, 3);
    g_assert_cmpfloat (r->x1, ==, 8);
  }

  /* A sub-pixel failure right after a wide bar's ragged end is not lost
   * under it: its middle is in the bar's last pixel, so it takes the next
   * one. A sub-pixel success there joins the bar. */
  {
    FyTimelineBar pair[] = {
      { 340, 570, FY_TIMELINE_DONE, 0 },
      { 575, 620, FY_TIMELINE_FAILED, 1 },
      { 2000, 2540, FY_TIMELINE_DONE, 2 },
      { 2545, 2555, FY_TIMELINE_DONE, 3 },
    };

    g_array_set_size (rects, 0);
    g_assert_cmpuint (fy_timeline_layout_lane (pair, 4, 0, 100, 200, 1, 0, rects), ==, 3);
    r = &g_array_index (rects, FyTimelineRect, 0);
    g_assert_cmpfloat (r->x0, ==, 3);
    g_assert_cmpfloat (r->x1, ==, 6);
    r = &g_array_index (rects, FyTimelineRect, 1);
    g_assert_cmpuint (r->state, ==, FY_TIMELINE_FAILED);
    g_assert_cmpfloat (r->x0, ==, 6);
    g_assert_cmpfloat (r->x1, ==, 7);
    r = &g_array_index (rects, FyTimelineRect, 2);
    g_assert_cmpuint (r->count, ==, 2);
    g_assert_cmpfloat (r->x1, ==, 26);
    check_whole_pixels (rects, 1);
  }

  /* Thousands of bars of odd lengths at odd zooms, at scale 1 and 2. */
  for (double scale = 1; scale <= 2; scale++)
    for (gint64 us_per_px = 7; us_per_px < 400; us_per_px += 37)
      {
        g_autofree FyTimelineBar *bars = g_new0 (FyTimelineBar, 3000);
        gint64 t = 13;
        guint total = 0;

        for (guint i = 0; i < 3000; i++)
          {
            gint64 len = 1 + (i * 7919) % 613;

            bars[i] = (FyTimelineBar) { t, t + len, (i % 97 == 0) ? FY_TIMELINE_FAILED : FY_TIMELINE_DONE, i };
            t += len + (i * 104729) % 29;
          }
        g_array_set_size (rects, 0);
        fy_timeline_layout_lane (bars, 3000, 0, us_per_px, 1000000, scale, 0, rects);
        check_whole_pixels (rects, scale);
        for (guint i = 0; i < rects->len; i++)
          {
            const FyTimelineRect *rect = &g_array_index (rects, FyTimelineRect, i);

            /* Every bar in exactly one rect, and no failure hidden. */
            g_assert_cmpuint (rect->first, ==, total);
            for (guint b = rect->first; b < rect->first + rect->count; b++)
              if (bars[b].state == FY_TIMELINE_FAILED)
                g_assert_cmpuint (rect->state, ==, FY_TIMELINE_FAILED);
            total += rect->count;
          }
        g_assert_cmpuint (total, ==, 3000);
      }
}

static void
test_axis (void)
{
  g_autofree char *zero = fy_timeline_format_tick (0, G_USEC_PER_SEC);
  g_autofree char *quarter = fy_timeline_format_tick (1250000, 250000);
  g_autofree char *ms = fy_timeline_format_duration (2500);
  g_autofree char *s = fy_timeline_format_duration (1500000);
  g_autofree char *min = fy_timeline_format_duration (125 * G_USEC_PER_SEC);

  g_assert_cmpint (fy_timeline_tick_step (1000, 80), ==, 100000);
  g_assert_cmpint (fy_timeline_tick_step (1300, 80), ==, 200000);
  g_assert_cmpint (fy_timeline_tick_step (5000, 80), ==, 500000);
  g_assert_cmpint (fy_timeline_tick_step (0.01, 80), ==, 1);
  g_assert_cmpstr (zero, ==, "0 s");
  g_assert_cmpstr (quarter, ==, "1.25 s");
  g_assert_cmpstr (ms, ==, "2.5 ms");
  g_assert_cmpstr (s, ==, "1.5 s");
  g_assert_cmpstr (min, ==, "2 min 5 s");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/timeline-layout/first-visible", test_first_visible);
  g_test_add_func ("/app/timeline-layout/cull", test_cull);
  g_test_add_func ("/app/timeline-layout/fold", test_fold);
  g_test_add_func ("/app/timeline-layout/snap", test_snap);
  g_test_add_func ("/app/timeline-layout/axis", test_axis);

  return g_test_run ();
}
