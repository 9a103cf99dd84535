/* fy-timeline-layout.c: the task timeline's geometry, without a widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-timeline-layout.h"

static inline gint64
bar_end (const FyTimelineBar *bar,
         gint64               now)
{
  return bar->end > 0 ? bar->end : MAX (now, bar->start);
}

guint
fy_timeline_first_visible (const FyTimelineBar *bars,
                           guint                n_bars,
                           gint64               time,
                           gint64               now)
{
  guint lo = 0, hi = n_bars;

  /* A worker runs one task at a time, so ends rise with starts. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (bar_end (&bars[mid], now) < time)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Puts a rect on whole device pixels: a bar at least a pixel wide gets
 * the pixels whose centres it covers (what a GL quad fills), a narrower
 * one the pixel its middle falls in. Without this cairo would blend a
 * fractional edge with the background, so a one-pixel bar would show in
 * no state's colour at all, and the two renderers would disagree. */
static void
snap_rect (FyTimelineRect *rect,
           double          width)
{
  double a, b;

  if (rect->x1 - rect->x0 < 1)
    {
      a = floor ((rect->x0 + rect->x1) / 2);
      a = CLAMP (a, 0, MAX (ceil (width) - 1, 0));
      b = a + 1;
    }
  else
    {
      a = round (rect->x0);
      b = MAX (round (rect->x1), a + 1);
    }
  rect->x0 = a;
  rect->x1 = b;
}

guint
fy_timeline_layout_lane (const FyTimelineBar *bars,
                         guint                n_bars,
                         gint64               view_start,
                         double               us_per_px,
                         double               width,
                         double               scale,
                         gint64               now,
                         GArray              *rects)
{
  gint64 view_end = view_start + (gint64) ceil (width * us_per_px);
  guint n_before = rects->len;
  FyTimelineRect *last = NULL;
  guint kept;

  g_return_val_if_fail (us_per_px > 0, 0);
  g_return_val_if_fail (scale >= 1, 0);

  /* Everything below is in device pixels: "narrower than a pixel" means
   * narrower than what the screen can show. */
  us_per_px /= scale;
  width *= scale;

  for (guint i = fy_timeline_first_visible (bars, n_bars, view_start, now);
       i < n_bars && bars[i].start < view_end; i++)
    {
      double x0 = (bars[i].start - view_start) / us_per_px;
      double x1 = (bar_end (&bars[i], now) - view_start) / us_per_px;

      x0 = CLAMP (x0, 0, width);
      x1 = CLAMP (x1, x0, width);
      /* Narrow bars of one state, a sub-pixel gap apart, cannot be told
       * apart on screen: they become one rect, however many. */
      if (last != NULL && last->state == bars[i].state && x0 - last->x1 < 1 && x1 - x0 < 3
          && (last->count > 1 || last->x1 - last->x0 < 3))
        {
          last->x1 = MAX (last->x1, x1);
          last->count++;
          continue;
        }
      /* Sub-pixel bars never become nodes of their own: one that touches
       * a run of other sub-pixel bars joins it, and the run shows its most
       * notable state; one hidden under a wide bar's last pixel is part
       * of that bar's rect, unless its state is the more notable. */
      if (last != NULL && x1 - x0 < 1)
        {
          gboolean last_small = last->count > 1 || last->x1 - last->x0 < 1;

          if (last_small && x0 - last->x1 < 1 && x1 - last->x0 < 2)
            {
              last->x1 = MAX (last->x1, x1);
              last->state = MAX (last->state, bars[i].state);
              last->count++;
              continue;
            }
          if (!last_small && x1 <= ceil (last->x1) && bars[i].state <= last->state)
            {
              last->x1 = MAX (last->x1, x1);
              last->count++;
              continue;
            }
        }
      g_array_append_vals (rects, &(FyTimelineRect) { x0, x1, bars[i].state, i, 1 }, 1);
      last = &g_array_index (rects, FyTimelineRect, rects->len - 1);
    }

  /* Whole device pixels. Snapping can put a rect on a pixel its
   * predecessor already covers: two narrow ones then merge (taking the
   * more notable state, never growing past two pixels), a one-pixel one
   * moves to the next pixel, and a wide one starts where the other ends. */
  kept = n_before;
  for (guint r = n_before; r < rects->len; r++)
    {
      FyTimelineRect rect = g_array_index (rects, FyTimelineRect, r);
      FyTimelineRect *prev = kept > n_before ? &g_array_index (rects, FyTimelineRect, kept - 1) : NULL;

      snap_rect (&rect, width);
      if (prev != NULL && rect.x0 < prev->x1)
        {
          if (MAX (prev->x1, rect.x1) - prev->x0 <= 2)
            {
              prev->x1 = MAX (prev->x1, rect.x1);
              prev->state = MAX (prev->state, rect.state);
              prev->count += rect.count;
              continue;
            }
          if (rect.x1 - rect.x0 <= 1 && prev->x1 < ceil (width))
            rect.x1 = prev->x1 + 1;
          else if (rect.x1 <= prev->x1)
            {
              prev->state = MAX (prev->state, rect.state);
              prev->count += rect.count;
              continue;
            }
          rect.x0 = prev->x1;
        }
      g_array_index (rects, FyTimelineRect, kept++) = rect;
    }
  g_array_set_size (rects, kept);

  for (guint r = n_before; r < rects->len; r++)
    {
      FyTimelineRect *rect = &g_array_index (rects, FyTimelineRect, r);

      rect->x0 /= scale;
      rect->x1 /= scale;
    }
  return rects->len - n_before;
}

int
fy_timeline_bar_at (const FyTimelineBar *bars,
                    guint                n_bars,
                    gint64               time,
                    gint64               now)
{
  guint i = fy_timeline_first_visible (bars, n_bars, time, now);

  if (i < n_bars && bars[i].start <= time)
    return (int) i;
  return -1;
}

gint64
fy_timeline_tick_step (double us_per_px,
                       double min_px)
{
  static const gint64 factors[] = { 1, 2, 5 };
  gint64 min_us = (gint64) ceil (us_per_px * min_px);

  for (gint64 decade = 1; decade <= G_MAXINT64 / 10; decade *= 10)
    for (guint f = 0; f < G_N_ELEMENTS (factors); f++)
      if (factors[f] * decade >= min_us)
        return factors[f] * decade;
  return G_MAXINT64 / 10;
}

char *
fy_timeline_format_duration (gint64 us)
{
  if (us < 0)
    us = 0;
  if (us < 1000)
    /* Translators: a duration in microseconds. */
    return g_strdup_printf (_("%d µs"), (int) us);
  if (us < G_USEC_PER_SEC)
    /* Translators: a duration in milliseconds. */
    return g_strdup_printf (_("%.3g ms"), us / 1000.0);
  if (us < 60 * G_USEC_PER_SEC)
    /* Translators: a duration in seconds. */
    return g_strdup_printf (_("%.3g s"), us / (double) G_USEC_PER_SEC);
  /* Translators: a duration in minutes and seconds. */
  return g_strdup_printf (_("%d min %d s"), (int) (us / (60 * G_USEC_PER_SEC)),
                          (int) (us / G_USEC_PER_SEC % 60));
}

char *
fy_timeline_format_tick (gint64 t,
                         gint64 step)
{
  int decimals = 0;

  /* Enough decimals that every multiple of the step reads exactly. */
  for (gint64 unit = G_USEC_PER_SEC; step > 0 && step % unit != 0 && decimals < 6; unit /= 10)
    decimals++;
  if (t >= 60 * G_USEC_PER_SEC && step >= G_USEC_PER_SEC)
    return fy_timeline_format_duration (t);
  /* Translators: a time axis label in seconds, e.g. "1.25 s". */
  return g_strdup_printf (_("%.*f s"), decimals, t / (double) G_USEC_PER_SEC);
}
