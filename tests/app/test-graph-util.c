/* test-graph-util.c: the graphs' scales, colours, folding and descriptions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pure part of the drawing widgets, checked without a display.
 */

#include "config.h"

#include <math.h>

#include "fy-graph-util.h"

static double
luminance (const GdkRGBA *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

static gboolean
same_color (const GdkRGBA *a,
            const GdkRGBA *b)
{
  return fabs (a->red - b->red) < 1e-6 && fabs (a->green - b->green) < 1e-6
         && fabs (a->blue - b->blue) < 1e-6 && fabs (a->alpha - b->alpha) < 1e-6;
}

static void
test_line_colors (void)
{
  for (guint dark = 0; dark <= 1; dark++)
    for (guint i = 0; i < FY_GRAPH_N_LINE_COLORS; i++)
      {
        GdkRGBA a, wrapped;

        fy_graph_line_color (i, dark, &a);
        fy_graph_line_color (i + FY_GRAPH_N_LINE_COLORS, dark, &wrapped);
        g_assert_true (same_color (&a, &wrapped));
        /* Every line differs from every other one. */
        for (guint j = 0; j < i; j++)
          {
            GdkRGBA b;

            fy_graph_line_color (j, dark, &b);
            g_assert_false (same_color (&a, &b));
          }
        /* Readable on the background: not near white in the light style,
         * not near black in the dark style. */
        if (dark)
          g_assert_cmpfloat (luminance (&a), >, 0.2);
        else
          g_assert_cmpfloat (luminance (&a), <, 0.75);
      }
}

static void
test_heat_scale (void)
{
  GdkRGBA idle, full, none, mid;

  g_assert_cmpuint (fy_graph_heat_level (0), ==, 0);
  g_assert_cmpuint (fy_graph_heat_level (-0.5), ==, 0);
  g_assert_cmpuint (fy_graph_heat_level (NAN), ==, 0);
  g_assert_cmpuint (fy_graph_heat_level (1), ==, FY_GRAPH_HEAT_LEVELS - 1);
  g_assert_cmpuint (fy_graph_heat_level (7), ==, FY_GRAPH_HEAT_LEVELS - 1);
  g_assert_cmpuint (fy_graph_heat_level (0.5), ==, 32);

  /* Monotonic levels, and the scale runs from receding to standing out:
   * light to dark in the light style, dark to bright in the dark one. */
  for (guint l = 1; l < FY_GRAPH_HEAT_LEVELS; l++)
    g_assert_cmpuint (fy_graph_heat_level (l / (double) (FY_GRAPH_HEAT_LEVELS - 1)), ==, l);
  fy_graph_heat_color (0, FALSE, &idle);
  fy_graph_heat_color (1, FALSE, &full);
  g_assert_cmpfloat (luminance (&idle), >, luminance (&full) + 0.4);
  fy_graph_heat_color (0, TRUE, &idle);
  fy_graph_heat_color (1, TRUE, &full);
  g_assert_cmpfloat (luminance (&full), >, luminance (&idle) + 0.4);

  fy_graph_heat_color (NAN, FALSE, &none);
  g_assert_cmpfloat (none.alpha, ==, 0);
  fy_graph_heat_color (0.5, FALSE, &mid);
  g_assert_cmpfloat (mid.alpha, ==, 1);
  g_assert_false (same_color (&mid, &idle));
}

static void
test_sample_x (void)
{
  /* The newest sample is at the right edge whatever the length. */
  g_assert_cmpfloat (fy_graph_sample_x (9, 10, 60, 590), ==, 590);
  g_assert_cmpfloat (fy_graph_sample_x (59, 60, 60, 590), ==, 590);
  g_assert_cmpfloat (fy_graph_sample_x (0, 60, 60, 590), ==, 0);
  g_assert_cmpfloat (fy_graph_sample_x (0, 10, 60, 590), ==, 500);
  g_assert_cmpfloat (fy_graph_sample_x (0, 1, 1, 100), ==, 100);

  g_assert_cmpint (fy_graph_sample_at (590, 10, 60, 590), ==, 9);
  g_assert_cmpint (fy_graph_sample_at (500, 10, 60, 590), ==, 0);
  g_assert_cmpint (fy_graph_sample_at (100, 10, 60, 590), ==, -1);
  g_assert_cmpint (fy_graph_sample_at (-1, 10, 60, 590), ==, -1);

  g_assert_cmpfloat (fy_graph_value_y (1, 10, 100), ==, 10);
  g_assert_cmpfloat (fy_graph_value_y (0, 10, 100), ==, 110);
  g_assert_cmpfloat (fy_graph_value_y (0.25, 10, 100), ==, 85);
  g_assert_cmpfloat (fy_graph_value_y (3, 10, 100), ==, 10);
}

static void
test_cells (void)
{
  double x0, x1;

  fy_graph_cell_span (9, 10, 60, 600, &x0, &x1);
  g_assert_cmpfloat (x0, ==, 590);
  g_assert_cmpfloat (x1, ==, 600);
  fy_graph_cell_span (0, 10, 60, 600, &x0, &x1);
  g_assert_cmpfloat (x0, ==, 500);
  g_assert_cmpint (fy_graph_cell_at (599.9, 10, 60, 600), ==, 9);
  g_assert_cmpint (fy_graph_cell_at (500, 10, 60, 600), ==, 0);
  g_assert_cmpint (fy_graph_cell_at (499, 10, 60, 600), ==, -1);
  g_assert_cmpint (fy_graph_cell_at (600, 10, 60, 600), ==, -1);
}

static void
test_fold_row (void)
{
  double values[600];
  int columns[200];

  /* 600 samples on 200 pixels: three per pixel, the busiest wins, so a
   * single busy sample among idle ones still shows. */
  for (guint i = 0; i < 600; i++)
    values[i] = 0;
  values[301] = 1;
  values[0] = NAN;
  values[1] = NAN;
  values[2] = NAN;
  fy_graph_fold_row (values, 600, 600, columns, 200);
  g_assert_cmpint (columns[0], ==, -1);
  g_assert_cmpint (columns[1], ==, 0);
  g_assert_cmpint (columns[100], ==, FY_GRAPH_HEAT_LEVELS - 1);
  g_assert_cmpint (columns[99], ==, 0);
  g_assert_cmpint (columns[101], ==, 0);
  g_assert_cmpint (columns[199], ==, 0);

  /* Fewer samples than the capacity fill only the right-hand part; wide
   * cells cover whole pixels without gaps. */
  for (guint i = 0; i < 10; i++)
    values[i] = i / 9.0;
  fy_graph_fold_row (values, 10, 20, columns, 200);
  for (guint c = 0; c < 100; c++)
    g_assert_cmpint (columns[c], ==, -1);
  for (guint c = 100; c < 200; c++)
    g_assert_cmpint (columns[c], ==, (int) fy_graph_heat_level (((c - 100) / 10) / 9.0));
}

static void
test_formats (void)
{
  g_autofree char *p87 = fy_graph_format_percent (0.871);
  g_autofree char *pnan = fy_graph_format_percent (NAN);
  g_autofree char *a0 = fy_graph_format_age (0.2);
  g_autofree char *a5 = fy_graph_format_age (5);
  g_autofree char *a125 = fy_graph_format_age (125);

  g_assert_cmpstr (p87, ==, "87 %");
  g_assert_cmpstr (pnan, ==, "no figure");
  g_assert_cmpstr (a0, ==, "now");
  g_assert_cmpstr (a5, ==, "5 s ago");
  g_assert_cmpstr (a125, ==, "2 min 5 s ago");
}

static void
test_describe_cores (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (3);
  g_autoptr(FyCpuSampler) sampler = g_object_new (FY_TYPE_CPU_SAMPLER,
                                                  "source", source, "paused", TRUE, NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  before = fy_graph_describe_cores (sampler);
  g_assert_cmpstr (before, ==, "CPU 1: no figure, CPU 2: no figure, CPU 3: no figure; total: no figure");

  /* Auto-advance: core i is busy 10 + (i * 7) % 81 ticks in 100. */
  fy_fake_source_set_auto_advance (source, TRUE);
  fy_cpu_sampler_sample (sampler, NULL);
  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  after = fy_graph_describe_cores (sampler);
  g_assert_cmpstr (after, ==, "CPU 1: 10 %, CPU 2: 17 %, CPU 3: 24 %; total: 17 %");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/graph-util/line-colors", test_line_colors);
  g_test_add_func ("/app/graph-util/heat-scale", test_heat_scale);
  g_test_add_func ("/app/graph-util/sample-x", test_sample_x);
  g_test_add_func ("/app/graph-util/cells", test_cells);
  g_test_add_func ("/app/graph-util/fold-row", test_fold_row);
  g_test_add_func ("/app/graph-util/formats", test_formats);
  g_test_add_func ("/app/graph-util/describe-cores", test_describe_cores);

  return g_test_run ();
}
