/* test-cpu-fake.c: FyCpuSampler on scripted ticks gives exact fractions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every fraction here is a ratio of small integers chosen to be exact in
 * binary (quarters, eighths), so the figures are compared with ==.
 */

#include "config.h"

#include <math.h>

#include "fy-monitor.h"

static FyCpuSampler *
new_paused_sampler (FyFakeSource *source)
{
  return g_object_new (FY_TYPE_CPU_SAMPLER, "source", source, "paused", TRUE, NULL);
}

static void
set_ticks (FyCpuTicks *t,
           guint64     user,
           guint64     nice,
           guint64     sys,
           guint64     idle,
           guint64     iowait,
           guint64     irq,
           guint64     softirq)
{
  *t = (FyCpuTicks) { user, nice, sys, idle, iowait, irq, softirq, TRUE };
}

/* Core i, tick k: user 4k·(i % 4), nice k·(i % 2), sys 2k, iowait k, and
 * idle making each step exactly 32 ticks, so busy is
 * (4·(i % 4) + (i % 2) + 2) / 32. */
static void
scripted_ticks (FyCpuTicks *ticks,
                guint       n_cpus,
                guint64     k)
{
  for (guint i = 0; i < n_cpus; i++)
    {
      guint64 user = 4 * (i % 4), nice = i % 2, sys = 2;

      set_ticks (&ticks[i], 1000 + k * user, 500 + k * nice, 2000 + k * sys,
                 9000 + k * (32 - user - nice - sys - 1), 7 + k, 0, 0);
    }
}

static void
check_cores (guint n_cpus)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (n_cpus);
  g_autoptr(FyCpuSampler) sampler = new_paused_sampler (source);
  g_autofree FyCpuTicks *ticks = g_new0 (FyCpuTicks, n_cpus);
  g_autoptr(GError) error = NULL;
  double load[3] = { 0.5, 0.25, 0.125 };
  double got_load[3];
  guint64 sum_busy = 0;

  g_assert_cmpuint (fy_cpu_sampler_get_n_cpus (sampler), ==, n_cpus);

  for (guint k = 0; k < 3; k++)
    {
      scripted_ticks (ticks, n_cpus, k);
      fy_fake_source_push_cpus (source, ticks, load);
    }

  /* The first reading is only a baseline. */
  g_assert_false (fy_cpu_sampler_sample (sampler, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fy_cpu_sampler_get_n_samples (sampler), ==, 0);
  g_assert_true (isnan (fy_cpu_sampler_get_core (sampler, 0)->busy));

  for (guint tick = 1; tick <= 2; tick++)
    {
      g_assert_true (fy_cpu_sampler_sample (sampler, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (fy_cpu_sampler_get_n_samples (sampler), ==, tick);

      sum_busy = 0;
      for (guint i = 0; i < n_cpus; i++)
        {
          const FyCpuLoad *core = fy_cpu_sampler_get_core (sampler, i);
          double user = (4 * (i % 4) + (i % 2)) / 32.0;

          g_assert_true (core->online);
          g_assert_cmpfloat (core->busy, ==, (4 * (i % 4) + (i % 2) + 2) / 32.0);
          g_assert_cmpfloat (core->user, ==, user);
          g_assert_cmpfloat (core->system, ==, 2 / 32.0);
          g_assert_cmpfloat (fy_history_get_newest (fy_cpu_sampler_get_core_history (sampler, i)),
                             ==, core->busy);
          sum_busy += 4 * (i % 4) + (i % 2) + 2;
        }

      /* The total weighs every core's ticks: here all steps are 32. */
      g_assert_cmpfloat_with_epsilon (fy_cpu_sampler_get_total (sampler)->busy,
                                      (double) sum_busy / (32.0 * n_cpus), 1e-12);
      g_assert_cmpfloat_with_epsilon (fy_cpu_sampler_get_total (sampler)->busy,
                                      fy_cpu_sampler_get_total (sampler)->user
                                      + fy_cpu_sampler_get_total (sampler)->system, 1e-12);
    }

  fy_cpu_sampler_get_load_average (sampler, got_load);
  g_assert_cmpfloat (got_load[0], ==, 0.5);
  g_assert_cmpfloat (got_load[1], ==, 0.25);
  g_assert_cmpfloat (got_load[2], ==, 0.125);

  g_assert_cmpuint (fy_history_get_length (fy_cpu_sampler_get_total_history (sampler)), ==, 2);
  g_assert_cmpuint (fy_history_get_length (fy_cpu_sampler_get_core_history (sampler, n_cpus - 1)), ==, 2);

  /* A script that ran out is an error, not a figure. */
  g_assert_false (fy_cpu_sampler_sample (sampler, &error));
  g_assert_error (error, FY_MONITOR_ERROR, FY_MONITOR_ERROR_NO_DATA);
  g_assert_cmpuint (fy_cpu_sampler_get_n_samples (sampler), ==, 2);
}

static void
test_core_counts (void)
{
  static const guint counts[] = { 1, 2, 16, 64, 256 };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    check_cores (counts[i]);
}

/* iowait is idle; irq and softirq are in the total but not busy. */
static void
test_convention (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (1);
  g_autoptr(FyCpuSampler) sampler = new_paused_sampler (source);
  FyCpuTicks t;
  const FyCpuLoad *core;

  set_ticks (&t, 0, 0, 0, 0, 0, 0, 0);
  fy_fake_source_push_cpus (source, &t, NULL);
  /* user 10, nice 6, sys 16, idle 16, iowait 8, irq 4, softirq 4: 64. */
  set_ticks (&t, 10, 6, 16, 16, 8, 4, 4);
  fy_fake_source_push_cpus (source, &t, NULL);

  g_assert_false (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  core = fy_cpu_sampler_get_core (sampler, 0);
  g_assert_cmpfloat (core->busy, ==, 32 / 64.0);
  g_assert_cmpfloat (core->user, ==, 16 / 64.0);
  g_assert_cmpfloat (core->system, ==, 16 / 64.0);
}

static void
test_counter_wrap (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (2);
  g_autoptr(FyCpuSampler) sampler = new_paused_sampler (source);
  FyCpuTicks t[2];

  /* Core 0: a 32-bit counter that wraps. Core 1: a 64-bit one. */
  set_ticks (&t[0], G_MAXUINT32 - 9, 0, 100, G_MAXUINT32 - 19, 0, 0, 0);
  set_ticks (&t[1], G_MAXUINT64 - 29, 0, 0, 1000, 0, 0, 0);
  fy_fake_source_push_cpus (source, t, NULL);
  /* +30 user, +10 sys, +24 idle  → 40/64 busy on core 0;
   * +48 user, +16 idle           → 48/64 busy on core 1. */
  set_ticks (&t[0], 20, 0, 110, 4, 0, 0, 0);
  set_ticks (&t[1], 18, 0, 0, 1016, 0, 0, 0);
  fy_fake_source_push_cpus (source, t, NULL);
  /* Both go on counting from their small values. */
  set_ticks (&t[0], 36, 0, 110, 20, 0, 0, 0);
  set_ticks (&t[1], 34, 0, 0, 1032, 0, 0, 0);
  fy_fake_source_push_cpus (source, t, NULL);

  g_assert_false (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 0)->busy, ==, 40 / 64.0);
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 0)->user, ==, 30 / 64.0);
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 1)->busy, ==, 48 / 64.0);
  g_assert_cmpfloat (fy_cpu_sampler_get_total (sampler)->busy, ==, 88 / 128.0);

  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 0)->busy, ==, 16 / 32.0);
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 1)->busy, ==, 16 / 32.0);
}

static void
test_counter_backwards (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (1);
  g_autoptr(FyCpuSampler) sampler = new_paused_sampler (source);
  FyCpuTicks t;

  /* iowait drops by 3: that counts as no progress, not as 2^32 ticks. */
  set_ticks (&t, 100, 0, 100, 100, 50, 0, 0);
  fy_fake_source_push_cpus (source, &t, NULL);
  set_ticks (&t, 116, 0, 100, 116, 47, 0, 0);
  fy_fake_source_push_cpus (source, &t, NULL);

  g_assert_false (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 0)->busy, ==, 0.5);
}

static void
test_core_offline (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (4);
  g_autoptr(FyCpuSampler) sampler = new_paused_sampler (source);
  FyHistory *history;
  FyCpuTicks t[4];

  for (guint i = 0; i < 4; i++)
    set_ticks (&t[i], 0, 0, 0, 0, 0, 0, 0);
  fy_fake_source_push_cpus (source, t, NULL);

  /* Every core 1/4 busy; core 2 then goes offline. */
  for (guint i = 0; i < 4; i++)
    set_ticks (&t[i], 25, 0, 0, 75, 0, 0, 0);
  fy_fake_source_push_cpus (source, t, NULL);
  t[2] = (FyCpuTicks) { 0, };
  for (guint i = 0; i < 4; i++)
    if (i != 2)
      set_ticks (&t[i], 50, 0, 0, 150, 0, 0, 0);
  fy_fake_source_push_cpus (source, t, NULL);
  /* Core 2 comes back with counters that restarted: no figure yet. */
  for (guint i = 0; i < 4; i++)
    if (i != 2)
      set_ticks (&t[i], 150, 0, 0, 150, 0, 0, 0);
  set_ticks (&t[2], 3, 0, 0, 1, 0, 0, 0);
  fy_fake_source_push_cpus (source, t, NULL);
  /* And has one again on the next tick. */
  for (guint i = 0; i < 4; i++)
    if (i != 2)
      set_ticks (&t[i], 150, 0, 0, 250, 0, 0, 0);
  set_ticks (&t[2], 3, 0, 0, 101, 0, 0, 0);
  fy_fake_source_push_cpus (source, t, NULL);

  g_assert_false (fy_cpu_sampler_sample (sampler, NULL));

  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, i)->busy, ==, 0.25);
  g_assert_cmpfloat (fy_cpu_sampler_get_total (sampler)->busy, ==, 0.25);

  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_false (fy_cpu_sampler_get_core (sampler, 2)->online);
  g_assert_true (isnan (fy_cpu_sampler_get_core (sampler, 2)->busy));
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 0)->busy, ==, 0.25);
  /* The total covers the three online cores only. */
  g_assert_cmpfloat (fy_cpu_sampler_get_total (sampler)->busy, ==, 0.25);

  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_true (fy_cpu_sampler_get_core (sampler, 2)->online);
  g_assert_true (isnan (fy_cpu_sampler_get_core (sampler, 2)->busy));
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 3)->busy, ==, 1.0);
  g_assert_cmpfloat (fy_cpu_sampler_get_total (sampler)->busy, ==, 1.0);

  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 2)->busy, ==, 0.0);
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 1)->busy, ==, 0.0);

  /* The history shows the gap as NAN. */
  history = fy_cpu_sampler_get_core_history (sampler, 2);
  g_assert_cmpuint (fy_history_get_length (history), ==, 4);
  g_assert_cmpfloat (fy_history_get (history, 0), ==, 0.25);
  g_assert_true (isnan (fy_history_get (history, 1)));
  g_assert_true (isnan (fy_history_get (history, 2)));
  g_assert_cmpfloat (fy_history_get (history, 3), ==, 0.0);
}

static void
sampled_cb (FyCpuSampler *sampler,
            guint        *count)
{
  (*count)++;
}

static gboolean
quit_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, quit_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The timer ticks in the main context, pause stops it, the history length
 * applies to every series. */
static void
test_timer_and_pause (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (16);
  g_autoptr(FyCpuSampler) sampler = NULL;
  guint count = 0;
  guint paused_count;
  gint64 start, elapsed;

  fy_fake_source_set_auto_advance (source, TRUE);
  sampler = fy_cpu_sampler_new (FY_SAMPLE_SOURCE (source));
  g_assert_cmpuint (fy_cpu_sampler_get_interval (sampler), ==, 1000);
  g_assert_false (fy_cpu_sampler_get_paused (sampler));
  g_assert_cmpuint (fy_cpu_sampler_get_history_length (sampler), ==, 120);
  fy_cpu_sampler_set_history_length (sampler, 600);
  g_assert_cmpuint (fy_history_get_capacity (fy_cpu_sampler_get_core_history (sampler, 15)), ==, 600);
  g_assert_cmpuint (fy_history_get_capacity (fy_cpu_sampler_get_total_history (sampler)), ==, 600);

  fy_cpu_sampler_set_interval (sampler, 250);
  g_signal_connect (sampler, "sampled", G_CALLBACK (sampled_cb), &count);

  /* About 0.25 s for the first tick. */
  start = g_get_monotonic_time ();
  while (count == 0)
    g_main_context_iteration (NULL, TRUE);
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (elapsed, >=, 240 * 1000);
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);

  /* Auto-advance: core i is (10 + 7i % 81) % busy. */
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, 3)->busy, ==, 31 / 100.0);

  fy_cpu_sampler_set_paused (sampler, TRUE);
  paused_count = count;
  run_for (700);
  g_assert_cmpuint (count, ==, paused_count);

  fy_cpu_sampler_set_paused (sampler, FALSE);
  while (count < paused_count + 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fy_history_get_length (fy_cpu_sampler_get_total_history (sampler)), ==, count);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/monitor/cpu/fake/core-counts", test_core_counts);
  g_test_add_func ("/monitor/cpu/fake/convention", test_convention);
  g_test_add_func ("/monitor/cpu/fake/counter-wrap", test_counter_wrap);
  g_test_add_func ("/monitor/cpu/fake/counter-backwards", test_counter_backwards);
  g_test_add_func ("/monitor/cpu/fake/core-offline", test_core_offline);
  g_test_add_func ("/monitor/cpu/fake/timer-and-pause", test_timer_and_pause);

  return g_test_run ();
}
