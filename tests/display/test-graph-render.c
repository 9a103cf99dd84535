/* test-graph-render.c: the graph widgets drawn off screen, checked by pixels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each widget is drawn from scripted figures into a texture through the
 * same snapshot path the window uses, by GTK's cairo renderer (see
 * render () for why not GL), saved as a PNG under the build tree
 * (FY_TEST_OUTDIR) and checked by its pixels: a core scripted at 100 %
 * fills its heatmap row with the "full" colour, its line runs along the top
 * of the plot, and so on. A widget that drew nothing fails.
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "fy-cpu-graph.h"
#include "fy-cpu-heatmap.h"
#include "fy-graph-util.h"
#include "fy-sparkline.h"
#include "fy-task-timeline-private.h"
#include "fy-timing-chart.h"

typedef struct
{
  guint8 *data;
  gsize   stride;
  int     width;
  int     height;
} Pixels;

static void
pixels_free (Pixels *pixels)
{
  g_free (pixels->data);
  g_free (pixels);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pixels, pixels_free)

static void
pixel_at (const Pixels *pixels,
          int           x,
          int           y,
          GdkRGBA      *color)
{
  /* gdk_texture_download () gives premultiplied native-endian ARGB32. */
  guint32 p = *(const guint32 *) (pixels->data + y * pixels->stride + x * 4);
  double a = (p >> 24) / 255.0;

  color->alpha = a;
  color->red = a > 0 ? ((p >> 16) & 0xff) / 255.0 / a : 0;
  color->green = a > 0 ? ((p >> 8) & 0xff) / 255.0 / a : 0;
  color->blue = a > 0 ? (p & 0xff) / 255.0 / a : 0;
}

static double
distance (const GdkRGBA *a,
          const GdkRGBA *b)
{
  return fmax (fabs (a->red - b->red), fmax (fabs (a->green - b->green), fabs (a->blue - b->blue)));
}

/* TRUE when some pixel of column @x, rows @y0 … @y1, has @color. */
static gboolean
column_has (const Pixels  *pixels,
            int            x,
            int            y0,
            int            y1,
            const GdkRGBA *color)
{
  for (int y = MAX (y0, 0); y <= MIN (y1, pixels->height - 1); y++)
    {
      GdkRGBA c;

      pixel_at (pixels, x, y, &c);
      if (c.alpha > 0.99 && distance (&c, color) < 0.04)
        return TRUE;
    }
  return FALSE;
}

static gboolean
window_ready (GtkWidget *widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* Shows @widget in a window of the given size, then draws it into a
 * texture and saves it as @name.png. */
static Pixels *
render (GtkWidget  *widget,
        int         width,
        int         height,
        gboolean    dark,
        const char *name,
        gboolean    background,
        GdkRGBA    *foreground)
{
  GtkWidget *window = gtk_window_new ();
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  Pixels *pixels;
  GskRenderer *renderer;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  while (!window_ready (widget) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (window_ready (widget));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  /* The window's background under the widget, so the PNG looks as the
   * widget does on screen. */
  if (background)
    {
      GdkRGBA bg;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      if (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget),
                                          "window_bg_color", &bg))
        gtk_snapshot_append_color (snapshot, &bg,
                                   &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                        gtk_widget_get_height (widget)));
      G_GNUC_END_IGNORE_DEPRECATIONS
    }
  paintable = gtk_widget_paintable_new (widget);
  gdk_paintable_snapshot (paintable, snapshot,
                          gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  /* A renderer of our own, cairo, new for every picture. Not the window's
   * GL renderer: GTK 4.8 keeps the textures of cairo nodes it drew in a
   * cache keyed by the node's address, held by a GL driver that every GL
   * renderer of the display shares, and purged only a frame or two later.
   * A node freed after one case and a new one malloc () happens to put at
   * the same address in the next were drawn as the old picture — how the
   * sparkline once came out as an earlier graph, depending on how many
   * frames the new window had drawn in between. So a new GL renderer per
   * case would not help; cairo has no such cache. It is also what users
   * see where GL would run on the CPU (fy-renderer-choice.c). */
  renderer = gsk_cairo_renderer_new ();
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              gtk_widget_get_width (widget),
                                                              gtk_widget_get_height (widget)));
  gsk_renderer_unrealize (renderer);
  g_object_unref (renderer);

  path = g_build_filename (g_getenv ("FY_TEST_OUTDIR"), name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);

  pixels = g_new0 (Pixels, 1);
  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = pixels->width * 4;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->data, pixels->stride);

  /* The style's colours, read while the widget is still in its window. */
  if (foreground != NULL)
    fy_graph_foreground (widget, foreground);
  gtk_window_destroy (GTK_WINDOW (window));
  return pixels;
}

/* Core 0 always busy, core 1 always idle, core i busy (i * 13) % 101 %. */
static guint
scripted_busy (guint core)
{
  if (core == 0)
    return 100;
  if (core == 1)
    return 0;
  return (core * 13) % 101;
}

static FyCpuSampler *
scripted_sampler (guint n_cpus,
                  guint n_samples)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (n_cpus);
  FyCpuSampler *sampler = g_object_new (FY_TYPE_CPU_SAMPLER,
                                        "source", source, "paused", TRUE,
                                        "history-length", MAX (n_samples, 2), NULL);
  g_autofree FyCpuTicks *ticks = g_new0 (FyCpuTicks, n_cpus);
  double load[3] = { 1.5, 1.25, 1.0 };

  for (guint k = 0; k <= n_samples; k++)
    {
      for (guint i = 0; i < n_cpus; i++)
        {
          ticks[i] = (FyCpuTicks) {
            .user = k * scripted_busy (i),
            .idle = k * (100 - scripted_busy (i)),
            .online = TRUE,
          };
        }
      fy_fake_source_push_cpus (source, ticks, load);
      fy_cpu_sampler_sample (sampler, NULL);
    }
  g_assert_cmpuint (fy_cpu_sampler_get_n_samples (sampler), ==, n_samples);
  return sampler;
}

static void
check_heatmap (guint    n_cpus,
               guint    n_samples,
               gboolean dark)
{
  g_autoptr(FyCpuSampler) sampler = scripted_sampler (n_cpus, n_samples);
  GtkWidget *heatmap = fy_cpu_heatmap_new ();
  g_autofree char *name = g_strdup_printf ("graph-heatmap-%u%s.png", n_cpus, dark ? "-dark" : "");
  g_autoptr(Pixels) pixels = NULL;
  graphene_rect_t plot;
  GdkRGBA full, idle, c;
  double row_h;
  g_autofree char *tip = NULL;

  g_object_ref_sink (heatmap);
  fy_cpu_heatmap_set_sampler (FY_CPU_HEATMAP (heatmap), sampler);
  pixels = render (heatmap, 720, MAX (300, n_cpus * 2 + 80), dark, name, TRUE, NULL);
  fy_cpu_heatmap_get_plot_area (FY_CPU_HEATMAP (heatmap), &plot);
  row_h = plot.size.height / n_cpus;
  g_assert_cmpfloat (row_h, >=, 1);

  fy_graph_heat_color (1, dark, &full);
  fy_graph_heat_color (0, dark, &idle);
  /* Across the whole history: core 1's row is "full", core 2's "idle". */
  for (double f = 0.02; f < 1; f += 0.1)
    {
      int x = plot.origin.x + plot.size.width * f;

      pixel_at (pixels, x, plot.origin.y + row_h * 0.5, &c);
      g_assert_cmpfloat (distance (&c, &full), <, 0.02);
      pixel_at (pixels, x, plot.origin.y + row_h * 1.5, &c);
      g_assert_cmpfloat (distance (&c, &idle), <, 0.02);
    }
  /* Each core's row is one colour node: equal cells merged. */
  g_assert_cmpuint (fy_cpu_heatmap_get_n_cell_nodes (FY_CPU_HEATMAP (heatmap)), ==, n_cpus);

  /* Every core is in the description, and hovering names the cell. */
  g_assert_nonnull (strstr (fy_cpu_heatmap_get_description (FY_CPU_HEATMAP (heatmap)), "CPU 1: 100 %, CPU 2: 0 %"));
  {
    g_autofree char *last = g_strdup_printf ("CPU %u: ", n_cpus);

    g_assert_nonnull (strstr (fy_cpu_heatmap_get_description (FY_CPU_HEATMAP (heatmap)), last));
  }
  tip = fy_cpu_heatmap_describe_at (FY_CPU_HEATMAP (heatmap),
                                    plot.origin.x + plot.size.width - 1,
                                    plot.origin.y + row_h * 0.5);
  g_assert_cmpstr (tip, ==, "CPU 1 · now · 100 %");
  g_clear_pointer (&tip, g_free);
  tip = fy_cpu_heatmap_describe_at (FY_CPU_HEATMAP (heatmap), plot.origin.x - 2, plot.origin.y + 1);
  g_assert_null (tip);
  g_object_unref (heatmap);
}

static void
test_heatmap_2 (void)
{
  check_heatmap (2, 60, FALSE);
}

static void
test_heatmap_16 (void)
{
  check_heatmap (16, 120, FALSE);
}

static void
test_heatmap_64 (void)
{
  check_heatmap (64, 300, FALSE);
  check_heatmap (64, 300, TRUE);
}

static void
test_heatmap_256 (void)
{
  check_heatmap (256, 600, FALSE);
}

static void
check_graph (guint    n_cpus,
             gboolean dark)
{
  g_autoptr(FyCpuSampler) sampler = scripted_sampler (n_cpus, 60);
  GtkWidget *graph = fy_cpu_graph_new ();
  g_autofree char *name = g_strdup_printf ("graph-lines-%u%s.png", n_cpus, dark ? "-dark" : "");
  g_autoptr(Pixels) pixels = NULL;
  graphene_rect_t plot;
  GdkRGBA first, second, total;
  double total_y;

  g_object_ref_sink (graph);
  fy_cpu_graph_set_sampler (FY_CPU_GRAPH (graph), sampler);
  pixels = render (graph, 640, 320, dark, name, TRUE, &total);
  fy_cpu_graph_get_plot_area (FY_CPU_GRAPH (graph), &plot);
  g_assert_cmpfloat (plot.size.height, >, 100);

  fy_graph_line_color (0, dark, &first);
  fy_graph_line_color (1, dark, &second);
  total.alpha = 1;
  total_y = fy_graph_value_y (fy_cpu_sampler_get_total (sampler)->busy,
                              plot.origin.y, plot.size.height);
  for (double f = 0.1; f < 1; f += 0.2)
    {
      int x = plot.origin.x + plot.size.width * f;

      /* CPU 1 at 100 % along the top, CPU 2 at 0 % along the bottom. */
      g_assert_true (column_has (pixels, x, plot.origin.y - 2, plot.origin.y + 1, &first));
      g_assert_true (column_has (pixels, x, plot.origin.y + plot.size.height - 1,
                                 plot.origin.y + plot.size.height + 2, &second));
      g_assert_true (column_has (pixels, x, total_y - 2, total_y + 2, &total));
      /* Nothing of CPU 1's colour in the middle of the plot. */
      g_assert_false (column_has (pixels, x, plot.origin.y + 0.25 * plot.size.height,
                                  plot.origin.y + 0.35 * plot.size.height, &first));
    }
  g_assert_nonnull (strstr (fy_cpu_graph_get_description (FY_CPU_GRAPH (graph)),
                            "CPU 1: 100 %, CPU 2: 0 %"));
  g_object_unref (graph);
}

static void
test_graph_2 (void)
{
  check_graph (2, FALSE);
  check_graph (2, TRUE);
}

static void
test_graph_16 (void)
{
  check_graph (16, FALSE);
  check_graph (16, TRUE);
}

static void
test_sparkline (void)
{
  g_autoptr(FyHistory) history = fy_history_new (30);
  GtkWidget *sparkline = fy_sparkline_new ();
  g_autoptr(Pixels) pixels = NULL;
  int h, top_hits = 0, bottom_hits = 0;

  /* Idle for the first half, one core fully busy for the second. */
  for (guint i = 0; i < 30; i++)
    fy_history_push (history, i < 15 ? 0 : 100);
  g_object_ref_sink (sparkline);
  fy_sparkline_set_history (FY_SPARKLINE (sparkline), history);
  gtk_widget_set_size_request (sparkline, 120, 24);
  pixels = render (sparkline, 120, 24, FALSE, "graph-sparkline.png", FALSE, NULL);
  h = pixels->height;
  for (int x = 0; x < pixels->width; x++)
    {
      GdkRGBA top, middle, bottom;

      pixel_at (pixels, x, 1, &top);
      pixel_at (pixels, x, h / 2, &middle);
      pixel_at (pixels, x, h - 1, &bottom);
      /* The busy half: the line along the top, a faint fill under it. */
      if (x > pixels->width * 0.6 && top.alpha > 0.5 && middle.alpha > 0.1 && middle.alpha < 0.5)
        top_hits++;
      /* The idle half: the line along the bottom, nothing above it. */
      if (x < pixels->width * 0.4 && bottom.alpha > 0.5 && middle.alpha == 0)
        bottom_hits++;
    }
  g_assert_cmpint (top_hits, >, pixels->width * 0.3);
  g_assert_cmpint (bottom_hits, >, pixels->width * 0.3);
  g_object_unref (sparkline);
}

/* The threads-vs-processes timings: each bar as long as its time, in the
 * style's accent colour (the fastest in the success colour), in light and
 * dark; the description gives every figure. */
static void
check_timing_chart (gboolean dark)
{
  static const double seconds[] = { 1.2, 1.3, 0.6, 0.3 };
  static const char *const labels[] = { "Sequential", "Threads, simulated GIL", "Threads, free", "Processes" };
  GtkWidget *chart = fy_timing_chart_new ();
  g_autoptr(Pixels) pixels = NULL;
  graphene_rect_t area[G_N_ELEMENTS (seconds)];
  GdkRGBA accent, success;

  g_object_ref_sink (chart);
  for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
    fy_timing_chart_add (FY_TIMING_CHART (chart), labels[i], seconds[i]);
  g_assert_cmpuint (fy_timing_chart_get_n_bars (FY_TIMING_CHART (chart)), ==, 4);
  g_assert_cmpstr (fy_timing_chart_get_description (FY_TIMING_CHART (chart)), ==,
                   "Sequential: 1.20 s; Threads, simulated GIL: 1.30 s, 0.9× as fast; "
                   "Threads, free: 0.60 s, 2.0× as fast; Processes: 0.30 s, 4.0× as fast");

  pixels = render (chart, 640, 120, dark, dark ? "timing-chart-dark.png" : "timing-chart.png", TRUE, NULL);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (chart), "accent_bg_color", &accent));
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (chart), "success_bg_color", &success));
  G_GNUC_END_IGNORE_DEPRECATIONS
  for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
    {
      int y, x_end;

      g_assert_true (fy_timing_chart_get_bar_area (FY_TIMING_CHART (chart), i, &area[i]));
      y = area[i].origin.y + area[i].size.height / 2;
      x_end = area[i].origin.x + area[i].size.width;
      /* Filled from its start to its end in its colour, not beyond. */
      g_assert_true (column_has (pixels, area[i].origin.x + 1, y, y, i == 3 ? &success : &accent));
      g_assert_true (column_has (pixels, x_end - 2, y, y, i == 3 ? &success : &accent));
      g_assert_false (column_has (pixels, x_end + 2, y, y, i == 3 ? &success : &accent));
    }
  /* Lengths in proportion to the times: the longest is the GIL's. */
  for (guint i = 0; i < G_N_ELEMENTS (seconds); i++)
    g_assert_cmpfloat (fabs (area[i].size.width / area[1].size.width - seconds[i] / seconds[1]), <, 0.02);
  g_object_unref (chart);
}

static void
test_timing_chart (void)
{
  check_timing_chart (FALSE);
  check_timing_chart (TRUE);
}

/* A scripted run: 4 lanes of 500 tasks of 10 ms each, with failures, a
 * timeout, a cancelled task and a worker replaced halfway on lane 3. */
#define TASK_US   10000
#define N_PER_LANE 500

static GtkWidget *
scripted_timeline (gint64 t0)
{
  GtkWidget *timeline = fy_task_timeline_new ();
  FyTaskTimeline *tl = FY_TASK_TIMELINE (timeline);

  g_object_ref_sink (timeline);
  for (guint lane = 0; lane < 4; lane++)
    fy_task_timeline_add_scripted_worker (tl, lane, 1001 + lane, t0);
  for (guint lane = 0; lane < 4; lane++)
    for (guint i = 0; i < N_PER_LANE; i++)
      {
        gint64 start = t0 + (gint64) i * TASK_US;
        FyTimelineState state = FY_TIMELINE_DONE;

        if (lane == 2 && i == 250)
          fy_task_timeline_add_scripted_worker (tl, lane, 2003, start);
        if (lane == 1 && i == 100)
          state = FY_TIMELINE_FAILED;
        if (lane == 2 && i == 249)
          state = FY_TIMELINE_FAILED;
        if (lane == 3 && i == 300)
          state = FY_TIMELINE_TIMED_OUT;
        if (lane == 3 && i == 400)
          state = FY_TIMELINE_CANCELLED;
        fy_task_timeline_add_scripted_task (tl, lane, start + 100, start + TASK_US - 100, state);
      }
  return timeline;
}

/* The description follows changes within a second; waits for @part. */
static void
wait_description (FyTaskTimeline *timeline,
                  const char     *part)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (strstr (fy_task_timeline_get_description (timeline), part) == NULL
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
row_has (const Pixels  *pixels,
         int            x0,
         int            x1,
         int            y,
         const GdkRGBA *color)
{
  for (int x = MAX (x0, 0); x <= MIN (x1, pixels->width - 1); x++)
    {
      GdkRGBA c;

      pixel_at (pixels, x, y, &c);
      if (distance (&c, color) < 0.04)
        return TRUE;
    }
  return FALSE;
}

static void
test_timeline_scripted (void)
{
  gint64 t0 = 1000000;
  GtkWidget *timeline = scripted_timeline (t0);
  FyTaskTimeline *tl = FY_TASK_TIMELINE (timeline);
  g_autoptr(Pixels) zoomed = NULL;
  g_autoptr(Pixels) whole = NULL;
  graphene_rect_t lane1, lane2;
  GdkRGBA failed, done, c;
  g_autofree char *tip = NULL;
  double x;

  /* Zoomed in on the first failure: 40 µs a pixel, a task is 250 px. */
  fy_task_timeline_set_view (tl, t0 + 99 * TASK_US, 40);
  zoomed = render (timeline, 900, 260, FALSE, "timeline-scripted-zoomed.png", TRUE, NULL);
  fy_task_timeline_get_lane_area (tl, 1, &lane1);
  fy_task_timeline_state_color (tl, FY_TIMELINE_FAILED, &failed);
  fy_task_timeline_state_color (tl, FY_TIMELINE_DONE, &done);
  /* Task 100 of lane 2 (index 1) failed: its middle has the failure
   * colour; task 99 before it is done. */
  x = lane1.origin.x + (TASK_US + TASK_US / 2) / 40.0;
  pixel_at (zoomed, x, lane1.origin.y + lane1.size.height / 2, &c);
  g_assert_cmpfloat (distance (&c, &failed), <, 0.02);
  x = lane1.origin.x + (TASK_US / 2) / 40.0;
  pixel_at (zoomed, x, lane1.origin.y + lane1.size.height / 2, &c);
  g_assert_cmpfloat (distance (&c, &done), <, 0.02);
  /* The failure's shape: a dark band at its top, not the fill. */
  pixel_at (zoomed, lane1.origin.x + (TASK_US + TASK_US / 2) / 40.0, lane1.origin.y + 3, &c);
  g_assert_cmpfloat (distance (&c, &failed), >, 0.1);

  tip = fy_task_timeline_describe_at (tl, lane1.origin.x + (TASK_US + TASK_US / 2) / 40.0,
                                      lane1.origin.y + lane1.size.height / 2);
  g_assert_nonnull (tip);
  g_assert_nonnull (strstr (tip, "worker 1002"));
  g_assert_nonnull (strstr (tip, "Failed"));

  /* From the keyboard: the first bar in view, down a lane, one bar on
   * lands on the failure, and its details join the description. */
  fy_task_timeline_step_selection (tl, 0, 0);
  fy_task_timeline_step_selection (tl, 1, 0);
  fy_task_timeline_step_selection (tl, 0, 1);
  wait_description (tl, "selected: Task 601");
  g_assert_nonnull (strstr (fy_task_timeline_get_description (tl), "selected: Task 601 · worker 1002"));
  g_assert_nonnull (strstr (fy_task_timeline_get_description (tl), "Failed"));

  /* The whole run at once: 2 000 bars fold into at most a few nodes per
   * pixel column, and the failures still show. */
  fy_task_timeline_set_view (tl, t0, N_PER_LANE * TASK_US / 600.0);
  whole = render (timeline, 900, 260, FALSE, "timeline-scripted.png", TRUE, NULL);
  fy_task_timeline_get_lane_area (tl, 1, &lane1);
  fy_task_timeline_get_lane_area (tl, 2, &lane2);
  g_assert_cmpuint (fy_task_timeline_get_n_bar_nodes (tl), <, 4 * 600 * 3);
  g_assert_cmpuint (fy_task_timeline_get_n_bar_nodes (tl), >, 4);
  x = lane1.origin.x + 100.5 * TASK_US / (N_PER_LANE * TASK_US / 600.0);
  g_assert_true (row_has (whole, x - 2, x + 2, lane1.origin.y + lane1.size.height / 2, &failed));
  x = lane2.origin.x + 249.5 * TASK_US / (N_PER_LANE * TASK_US / 600.0);
  g_assert_true (row_has (whole, x - 2, x + 2, lane2.origin.y + lane2.size.height / 2, &failed));
  /* Done tasks fill the lanes elsewhere. */
  g_assert_true (row_has (whole, lane1.origin.x + 300, lane1.origin.x + 310,
                          lane1.origin.y + lane1.size.height / 2, &done));

  /* The same in dark: the state colours follow the style, and still
   * stand out from the dark lanes. */
  {
    g_autoptr(Pixels) dark = render (timeline, 900, 260, TRUE, "timeline-scripted-dark.png", TRUE, NULL);
    GdkRGBA dark_failed, dark_done;

    fy_task_timeline_state_color (tl, FY_TIMELINE_FAILED, &dark_failed);
    fy_task_timeline_state_color (tl, FY_TIMELINE_DONE, &dark_done);
    x = lane1.origin.x + 100.5 * TASK_US / (N_PER_LANE * TASK_US / 600.0);
    g_assert_true (row_has (dark, x - 2, x + 2, lane1.origin.y + lane1.size.height / 2, &dark_failed));
    g_assert_true (row_has (dark, lane1.origin.x + 300, lane1.origin.x + 310,
                            lane1.origin.y + lane1.size.height / 2, &dark_done));
    /* The lane's own background at its top edge is not the bar colour. */
    pixel_at (dark, lane1.origin.x + 300, lane1.origin.y + 1, &c);
    g_assert_cmpfloat (distance (&c, &dark_done), >, 0.1);
    /* And the style really was the dark one: light text. */
    fy_graph_foreground (timeline, &c);
    g_assert_cmpfloat (0.2126 * c.red + 0.7152 * c.green + 0.0722 * c.blue, >, 0.5);
  }

  wait_description (tl, "1996 of 2000");
  g_assert_true (g_str_has_prefix (fy_task_timeline_get_description (tl),
                                   "timeline: 1996 of 2000 tasks done, 0 running, 2 failed, 1 timed out, 1 cancelled; "
                                   "4 lanes: lane 1: worker 1001, lane 2: worker 1002, lane 3: worker 1003, then 2003, "
                                   "lane 4: worker 1004; selected: Task 601"));
  g_object_unref (timeline);
}

/* A real pool of 2 workers running 40 Fibonacci tasks. */
static void
test_timeline_pool (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *timeline = fy_task_timeline_new ();
  g_autoptr(Pixels) pixels = NULL;
  g_autofree char *expected = NULL;
  GListModel *workers;
  GPid pids[2];
  GdkRGBA done;

  g_object_ref_sink (timeline);
  g_assert_true (fy_pool_set_n_workers (pool, 2, &error));
  fy_task_timeline_set_pool (FY_TASK_TIMELINE (timeline), pool);
  g_assert_true (fy_pool_start (pool, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 40; i++)
    {
      FyFuture *future = fy_pool_submit (pool, "fib", g_variant_new_int64 (24 + i % 6), &error);

      g_assert_no_error (error);
      g_ptr_array_add (futures, future);
    }
  for (guint i = 0; i < futures->len; i++)
    g_assert_true (fy_future_wait (futures->pdata[i], 60));
  wait_description (FY_TASK_TIMELINE (timeline), "40 of 40");

  workers = fy_pool_get_workers (pool);
  g_assert_cmpuint (g_list_model_get_n_items (workers), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);

      pids[fy_pool_worker_get_slot (worker)] = fy_pool_worker_get_pid (worker);
    }
  expected = g_strdup_printf ("timeline: 40 of 40 tasks done, 0 running, 0 failed, 0 timed out, 0 cancelled; "
                              "2 lanes: lane 1: worker %d, lane 2: worker %d", pids[0], pids[1]);
  g_assert_cmpstr (fy_task_timeline_get_description (FY_TASK_TIMELINE (timeline)), ==, expected);

  pixels = render (timeline, 800, 200, FALSE, "timeline-pool.png", TRUE, NULL);
  fy_task_timeline_state_color (FY_TASK_TIMELINE (timeline), FY_TIMELINE_DONE, &done);
  for (guint lane = 0; lane < 2; lane++)
    {
      graphene_rect_t area;

      fy_task_timeline_get_lane_area (FY_TASK_TIMELINE (timeline), lane, &area);
      g_assert_true (row_has (pixels, area.origin.x, area.origin.x + area.size.width,
                              area.origin.y + area.size.height / 2, &done));
    }
  fy_pool_close (pool);
  g_assert_true (fy_pool_join (pool, 30, &error));
  g_object_unref (timeline);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The windows draw with cairo too, as the app does where GL would be a
   * CPU rasteriser: no GL context, no shared texture cache at all. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/display/graph-render/heatmap-2", test_heatmap_2);
  g_test_add_func ("/display/graph-render/heatmap-16", test_heatmap_16);
  g_test_add_func ("/display/graph-render/heatmap-64", test_heatmap_64);
  g_test_add_func ("/display/graph-render/heatmap-256", test_heatmap_256);
  g_test_add_func ("/display/graph-render/lines-2", test_graph_2);
  g_test_add_func ("/display/graph-render/lines-16", test_graph_16);
  g_test_add_func ("/display/graph-render/sparkline", test_sparkline);
  g_test_add_func ("/display/graph-render/timing-chart", test_timing_chart);
  g_test_add_func ("/display/graph-render/timeline-scripted", test_timeline_scripted);
  g_test_add_func ("/display/graph-render/timeline-pool", test_timeline_pool);

  return g_test_run ();
}
