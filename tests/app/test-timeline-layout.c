/* test-timeline-layout.c: the task timeline's culling, folding and axis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

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
  g_assert_cmpuint (fy_timeline_layout_lane (bars, 1000, 20000, 10, 100, 0, rects), ==, 10);
  r = &g_array_index (rects, FyTimelineRect, 0);
  g_assert_cmpuint (r->first, ==, 200);
  g_assert_cmpfloat (r->x0, ==, 0);
  g_assert_cmpfloat (r->x1, ==, 5);
  r = &g_array_index (rects, FyTimelineRect, 9);
  g_assert_cmpuint (r->first, ==, 209);
  g_assert_cmpfloat (r->x0, ==, 90);

  /* A bar cut by the left edge is clamped to it. */
  g_array_set_size (rects, 0);
  fy_timeline_layout_lane (bars, 1000, 20020, 10, 100, 0, rects);
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
  n = fy_timeline_layout_lane (bars, 100000, 0, 10000, 1000, 0, rects);
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
    g_assert_cmpuint (fy_timeline_layout_lane (close, 1000, 0, 40, 1000, 0, rects), ==, 1);
    g_assert_cmpuint (g_array_index (rects, FyTimelineRect, 0).count, ==, 400);
    g_array_set_size (rects, 0);
    g_assert_cmpuint (fy_timeline_layout_lane (close, 1000, 0, 16, 1000, 0, rects), ==, 160);
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
  g_test_add_func ("/app/timeline-layout/axis", test_axis);

  return g_test_run ();
}
