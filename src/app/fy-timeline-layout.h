/* fy-timeline-layout.h: the task timeline's geometry, without a widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bars of one lane, in time order, are culled to the visible time range
 * and folded so that nothing narrower than a pixel becomes its own node:
 * narrow neighbours of one state less than a pixel apart become one rect,
 * sub-pixel neighbours of different states merge into runs of at most two
 * pixels that take the most notable state among their bars, so one
 * failure among a thousand quick successes still shows; then every rect
 * is snapped to whole device pixels. Kept apart from the widget so tests
 * can check it exactly.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In order of precedence when bars merge: a failure outranks the rest. */
typedef enum
{
  FY_TIMELINE_DONE,
  FY_TIMELINE_RUNNING,
  FY_TIMELINE_CANCELLED,
  FY_TIMELINE_TIMED_OUT,
  FY_TIMELINE_FAILED,
  FY_TIMELINE_N_STATES,
} FyTimelineState;

/* One bar: a task (or map chunk) on one worker, from @start to @end
 * (monotonic µs); @end is 0 while it runs. */
typedef struct
{
  gint64  start;
  gint64  end;
  guint8  state;
  guint   task;     /* index of the bar's task in the widget's own list */
} FyTimelineBar;

/* What to draw for one or more merged bars, in pixels from the plot's
 * left edge. @first is the index (in the lane) of its first bar. */
typedef struct
{
  double  x0;
  double  x1;
  guint8  state;
  guint   first;
  guint   count;
} FyTimelineRect;

/* The first bar of @bars (sorted by start, not overlapping) that ends at
 * or after @time (running bars end at @now); @n_bars when none. */
guint    fy_timeline_first_visible  (const FyTimelineBar *bars,
                                     guint                n_bars,
                                     gint64               time,
                                     gint64               now);
/* Appends to @rects (of FyTimelineRect) the bars visible between
 * @view_start and @view_start + @width * @us_per_px, culled and folded.
 * @scale is the device pixels per pixel: rects start and end on whole
 * device pixels and are at least one wide, so they look the same whether
 * GL or cairo draws them. Returns how many were appended. */
guint    fy_timeline_layout_lane    (const FyTimelineBar *bars,
                                     guint                n_bars,
                                     gint64               view_start,
                                     double               us_per_px,
                                     double               width,
                                     double               scale,
                                     gint64               now,
                                     GArray              *rects);
/* The bar of a lane under @time, or -1. */
int      fy_timeline_bar_at         (const FyTimelineBar *bars,
                                     guint                n_bars,
                                     gint64               time,
                                     gint64               now);
/* A "nice" step between time ticks (1, 2 or 5 × 10^n µs) so that ticks
 * are at least @min_px apart. */
gint64   fy_timeline_tick_step      (double               us_per_px,
                                     double               min_px);
/* A tick's label: @t µs since the start, with as many decimals of a
 * second as @step needs ("0 s", "1.25 s", "2 min 10 s"). */
char    *fy_timeline_format_tick    (gint64               t,
                                     gint64               step);
/* "1.5 s", "250 ms", "2 min 5 s" for a duration in µs. */
char    *fy_timeline_format_duration (gint64              us);

G_END_DECLS
