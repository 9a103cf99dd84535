/* fy-bench-ui.c: frame times of the graphs, on a real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: fy-bench-ui monitor|timeline [FRAMES]
 *
 * Runs on a display (bench/run starts one with xvfb-run) and prints one
 * JSON object. A frame's time is its paint phase as the frame clock runs
 * it: from "before-paint" to "after-paint", which covers the snapshot of
 * every widget and GSK's rendering of the result.
 *
 * monitor: the Monitor page with 256 scripted cores and a full history of
 * 600 samples; every frame brings a new sample, the worst case (the
 * heatmap's cells are rebuilt each time).
 * timeline: the task timeline with 100 000 finished tasks on 8 lanes,
 * scrolled by 40 pixels every frame at a zoom that shows 5 000 of them.
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "fy-cpu-heatmap.h"
#include "fy-monitor-page.h"
#include "fy-resources.h"
#include "fy-task-timeline-private.h"

typedef struct
{
  GArray    *durations;  /* double, ms */
  GArray    *snapshots;  /* double, ms: the widget's own snapshot */
  gint64     paint_start;
  guint      frames;
  guint      wanted;
  GtkWidget *widget;
  GtkWidget *drawing;  /* the graph whose snapshot is timed */
  void     (*step) (gpointer data);
  gpointer   data;
} Bench;

static void
before_paint_cb (GdkFrameClock *clock,
                 Bench         *bench)
{
  bench->paint_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  double ms = (g_get_monotonic_time () - bench->paint_start) / 1000.0;

  if (bench->paint_start == 0)
    return;
  g_array_append_val (bench->durations, ms);
  bench->paint_start = 0;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Bench *bench = data;

  bench->step (bench->data);
  gtk_widget_queue_draw (widget);
  {
    /* The drawing widget's own part: its snapshot vfunc building the
     * render nodes, which is what this code controls, apart from GSK's
     * rendering of them. */
    g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
    g_autoptr(GskRenderNode) node = NULL;
    gint64 t0 = g_get_monotonic_time ();
    double ms;

    GTK_WIDGET_GET_CLASS (bench->drawing)->snapshot (bench->drawing, snapshot);
    node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    ms = (g_get_monotonic_time () - t0) / 1000.0;
    g_array_append_val (bench->snapshots, ms);
  }
  return G_SOURCE_CONTINUE;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Median, 95th percentile and mean of @values (sorted in place). */
static void
stats (GArray *values,
       double *median,
       double *p95,
       double *mean)
{
  *mean = 0;
  qsort (values->data, values->len, sizeof (double), compare_doubles);
  for (guint i = 0; i < values->len; i++)
    *mean += g_array_index (values, double, i);
  *mean /= MAX (values->len, 1);
  *median = values->len > 0 ? g_array_index (values, double, values->len / 2) : 0;
  *p95 = values->len > 0 ? g_array_index (values, double, values->len * 95 / 100) : 0;
}

static void
run (Bench      *bench,
     GtkWidget  *child,
     const char *name)
{
  GtkWidget *window = gtk_window_new ();
  GdkFrameClock *clock;
  double median, p95, mean, snap_median, snap_p95, snap_mean;
  gint64 deadline;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (bench->widget))
    g_main_context_iteration (NULL, TRUE);

  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), bench);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), bench);
  gtk_widget_add_tick_callback (bench->widget, tick_cb, bench, NULL);
  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  /* The first frames build caches and fonts; they are not counted. */
  while (bench->durations->len < bench->wanted + 5 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_array_remove_range (bench->durations, 0, MIN (5, bench->durations->len));

  g_array_remove_range (bench->snapshots, 0, MIN (5, bench->snapshots->len));
  stats (bench->durations, &median, &p95, &mean);
  stats (bench->snapshots, &snap_median, &snap_p95, &snap_mean);
  g_print ("{\"benchmark\": \"%s\", \"frames\": %u, \"median_ms\": %.3f, \"p95_ms\": %.3f, "
           "\"mean_ms\": %.3f, \"snapshot_median_ms\": %.3f, \"snapshot_p95_ms\": %.3f, "
           "\"renderer\": \"%s\"}\n",
           name, bench->durations->len, median, p95, mean, snap_median, snap_p95,
           G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_heatmap (GtkWidget *widget)
{
  if (FY_IS_CPU_HEATMAP (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_heatmap (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
sample_step (gpointer data)
{
  fy_cpu_sampler_sample (data, NULL);
}

static void
bench_monitor (guint frames)
{
  g_autoptr(FySampleSource) source = FY_SAMPLE_SOURCE (fy_fake_source_new (256));
  g_autoptr(FyCpuSampler) sampler = g_object_new (FY_TYPE_CPU_SAMPLER, "source", source,
                                                  "paused", TRUE, "history-length", 600, NULL);
  GtkWidget *page = fy_monitor_page_new ();
  Bench bench = {
    .durations = g_array_new (FALSE, FALSE, sizeof (double)),
    .snapshots = g_array_new (FALSE, FALSE, sizeof (double)),
    .wanted = frames, .widget = page, .step = sample_step, .data = sampler,
    .drawing = NULL,
  };

  fy_fake_source_set_auto_advance (FY_FAKE_SOURCE (source), TRUE);
  for (guint i = 0; i <= 600; i++)
    fy_cpu_sampler_sample (sampler, NULL);
  fy_monitor_page_set_sampler (FY_MONITOR_PAGE (page), sampler);
  /* 256 cores: the page shows the heatmap. */
  bench.drawing = find_heatmap (page);
  run (&bench, page, "monitor_256_cores_600_samples");
  g_array_unref (bench.durations);
  g_array_unref (bench.snapshots);
}

typedef struct
{
  FyTaskTimeline *timeline;
  gint64          start;
  double          us_per_px;
} Scroll;

static void
scroll_step (gpointer data)
{
  Scroll *scroll = data;

  scroll->start += (gint64) (40 * scroll->us_per_px);
  fy_task_timeline_set_view (scroll->timeline, scroll->start, scroll->us_per_px);
}

static void
bench_timeline (guint frames)
{
  GtkWidget *timeline = fy_task_timeline_new ();
  FyTaskTimeline *tl = FY_TASK_TIMELINE (timeline);
  const guint n_lanes = 8, n_tasks = 100000;
  const gint64 task_us = 8000, t0 = 1000000;
  Scroll scroll = { tl, t0, 0 };
  Bench bench = {
    .durations = g_array_new (FALSE, FALSE, sizeof (double)),
    .snapshots = g_array_new (FALSE, FALSE, sizeof (double)),
    .wanted = frames, .widget = timeline, .step = scroll_step, .data = &scroll,
    .drawing = timeline,
  };

  for (guint lane = 0; lane < n_lanes; lane++)
    fy_task_timeline_add_scripted_worker (tl, lane, 1000 + lane, t0);
  for (guint i = 0; i < n_tasks; i++)
    {
      guint lane = i % n_lanes;
      gint64 start = t0 + (gint64) (i / n_lanes) * task_us + (i * 7919 % 1000);

      fy_task_timeline_add_scripted_task (tl, lane, start, start + task_us - 1000 - (i * 104729 % 3000),
                                          i % 97 == 0 ? FY_TIMELINE_FAILED : FY_TIMELINE_DONE);
    }
  /* 5 000 tasks (625 a lane) across about 1 000 pixels. */
  scroll.us_per_px = 625.0 * task_us / 1000;
  fy_task_timeline_set_view (tl, t0, scroll.us_per_px);
  run (&bench, timeline, "timeline_100000_tasks_scrolling");
  g_array_unref (bench.durations);
  g_array_unref (bench.snapshots);
}

int
main (int    argc,
      char **argv)
{
  guint frames = argc > 2 ? (guint) atoi (argv[2]) : 120;

  if (argc < 2)
    {
      g_printerr ("usage: fy-bench-ui monitor|timeline [FRAMES]\n");
      return 2;
    }
  gtk_init ();
  adw_init ();
  fy_register_resource ();
  if (g_str_equal (argv[1], "monitor"))
    bench_monitor (frames);
  else if (g_str_equal (argv[1], "timeline"))
    bench_timeline (frames);
  else
    {
      g_printerr ("fy-bench-ui: unknown benchmark “%s”\n", argv[1]);
      return 2;
    }
  return 0;
}
