/* test-process-fake.c: FyProcessSampler on scripted process figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fy-monitor.h"

static FyProcStat
make_stat (char    state,
           guint64 cpu_time_us,
           gint64  start_time)
{
  FyProcStat stat = { { 0, }, };

  g_strlcpy (stat.name, "forkyard-worker", sizeof stat.name);
  stat.state = state;
  stat.last_cpu = 5;
  stat.ppid = 1;
  stat.n_threads = 3;
  stat.cpu_time_us = cpu_time_us;
  stat.rss = 4096 * 100;
  stat.start_time = start_time;

  return stat;
}

static void
updated_cb (FyProcessSampler *sampler,
            guint            *count)
{
  (*count)++;
}

static void
test_cpu_percent (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (8);
  g_autoptr(FyProcessSampler) sampler = fy_process_sampler_new (FY_SAMPLE_SOURCE (source));
  const FyProcessInfo *info;
  FyProcStat stat;
  guint updates = 0;

  g_signal_connect (sampler, "updated", G_CALLBACK (updated_cb), &updates);

  stat = make_stat ('R', 0, 1700000000);
  fy_fake_source_set_process (source, 100, &stat);
  fy_process_sampler_add (sampler, 100);
  fy_process_sampler_add (sampler, 100);
  g_assert_cmpuint (fy_process_sampler_get_n_processes (sampler), ==, 1);

  info = fy_process_sampler_lookup (sampler, 100);
  g_assert_nonnull (info);
  g_assert_false (info->valid);
  g_assert_null (fy_process_sampler_lookup (sampler, 101));

  fy_process_sampler_update_at (sampler, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (updates, ==, 1);
  info = fy_process_sampler_lookup (sampler, 100);
  g_assert_true (info->valid);
  g_assert_false (info->gone);
  g_assert_cmpint (info->state, ==, 'R');
  g_assert_cmpstr (info->name, ==, "forkyard-worker");
  g_assert_cmpint (info->last_cpu, ==, 5);
  g_assert_cmpuint (info->n_threads, ==, 3);
  g_assert_cmpuint (info->rss, ==, 409600);
  g_assert_cmpint (info->start_time, ==, 1700000000);
  g_assert_true (isnan (info->cpu_percent));

  /* 1.5 s of CPU in 1 s of wall time: three threads busy half the time
   * on the per-core scale, 150 %. */
  stat = make_stat ('R', 1500000, 1700000000);
  fy_fake_source_set_process (source, 100, &stat);
  fy_process_sampler_update_at (sampler, 11 * G_USEC_PER_SEC);
  g_assert_cmpfloat (info->cpu_percent, ==, 150.0);

  /* Stopped: no CPU over the next 2 s. */
  stat = make_stat ('T', 1500000, 1700000000);
  fy_fake_source_set_process (source, 100, &stat);
  fy_process_sampler_update_at (sampler, 13 * G_USEC_PER_SEC);
  g_assert_cmpint (info->state, ==, 'T');
  g_assert_cmpfloat (info->cpu_percent, ==, 0.0);

  /* A quarter of a core over 4 s. */
  stat = make_stat ('S', 2500000, 1700000000);
  fy_fake_source_set_process (source, 100, &stat);
  fy_process_sampler_update_at (sampler, 17 * G_USEC_PER_SEC);
  g_assert_cmpint (info->state, ==, 'S');
  g_assert_cmpfloat (info->cpu_percent, ==, 25.0);
  g_assert_cmpuint (updates, ==, 4);
}

static void
assert_gone (const FyProcessInfo *info,
             GPid                 pid)
{
  g_assert_nonnull (info);
  g_assert_cmpint (info->pid, ==, pid);
  g_assert_true (info->gone);
  g_assert_false (info->valid);
  g_assert_cmpint (info->state, ==, '\0');
  g_assert_cmpstr (info->name, ==, "");
  g_assert_true (isnan (info->cpu_percent));
  g_assert_cmpint (info->last_cpu, ==, -1);
  g_assert_cmpuint (info->rss, ==, 0);
  g_assert_cmpuint (info->n_threads, ==, 0);
  g_assert_cmpint (info->start_time, ==, 0);
}

static void
test_gone (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (2);
  g_autoptr(FyProcessSampler) sampler = fy_process_sampler_new (FY_SAMPLE_SOURCE (source));
  FyProcStat stat;

  stat = make_stat ('S', 1000, 1700000000);
  fy_fake_source_set_process (source, 200, &stat);
  fy_fake_source_set_process (source, 201, &stat);
  fy_fake_source_set_process (source, 202, &stat);
  fy_process_sampler_add (sampler, 200);
  fy_process_sampler_add (sampler, 201);
  fy_process_sampler_add (sampler, 202);
  /* Never existed. */
  fy_process_sampler_add (sampler, 203);
  fy_process_sampler_update_at (sampler, G_USEC_PER_SEC);
  g_assert_false (fy_process_sampler_get_nth (sampler, 0)->gone);
  assert_gone (fy_process_sampler_get_nth (sampler, 3), 203);

  /* 200 vanishes; 201's pid is taken by a newer process; 202 lives on. */
  fy_fake_source_remove_process (source, 200);
  stat = make_stat ('R', 10, 1700000100);
  fy_fake_source_set_process (source, 201, &stat);
  fy_process_sampler_update_at (sampler, 2 * G_USEC_PER_SEC);
  assert_gone (fy_process_sampler_lookup (sampler, 200), 200);
  assert_gone (fy_process_sampler_lookup (sampler, 201), 201);
  g_assert_false (fy_process_sampler_lookup (sampler, 202)->gone);
  g_assert_cmpfloat (fy_process_sampler_lookup (sampler, 202)->cpu_percent, ==, 0.0);

  /* Reused within the same second: told apart by the start ticks. */
  stat = make_stat ('S', 1000, 1700000000);
  fy_fake_source_set_process (source, 204, &stat);
  fy_process_sampler_add (sampler, 204);
  fy_process_sampler_update_at (sampler, 2 * G_USEC_PER_SEC + 1);
  g_assert_false (fy_process_sampler_lookup (sampler, 204)->gone);
  stat.start_ticks = 17;
  fy_fake_source_set_process (source, 204, &stat);
  fy_process_sampler_update_at (sampler, 2 * G_USEC_PER_SEC + 2);
  assert_gone (fy_process_sampler_lookup (sampler, 204), 204);

  /* Gone stays gone, even if the pid shows up again. */
  stat = make_stat ('R', 2000, 1700000000);
  fy_fake_source_set_process (source, 200, &stat);
  fy_process_sampler_update_at (sampler, 3 * G_USEC_PER_SEC);
  assert_gone (fy_process_sampler_lookup (sampler, 200), 200);

  fy_process_sampler_remove_gone (sampler);
  g_assert_cmpuint (fy_process_sampler_get_n_processes (sampler), ==, 1);
  g_assert_cmpint (fy_process_sampler_get_nth (sampler, 0)->pid, ==, 202);
  fy_process_sampler_remove (sampler, 202);
  g_assert_cmpuint (fy_process_sampler_get_n_processes (sampler), ==, 0);
}

/* 64 processes through the CPU sampler's tick, as the app watches a pool. */
static void
test_through_cpu_sampler (void)
{
  g_autoptr(FyFakeSource) source = fy_fake_source_new (256);
  g_autoptr(FyCpuSampler) sampler = NULL;
  FyProcessSampler *processes;
  FyProcStat stat;

  fy_fake_source_set_auto_advance (source, TRUE);
  sampler = g_object_new (FY_TYPE_CPU_SAMPLER, "source", source, "paused", TRUE, NULL);
  processes = fy_cpu_sampler_get_processes (sampler);
  for (GPid pid = 1000; pid < 1064; pid++)
    {
      stat = make_stat ('S', pid, 1700000000);
      fy_fake_source_set_process (source, pid, &stat);
      fy_process_sampler_add (processes, pid);
    }

  g_assert_false (fy_cpu_sampler_sample (sampler, NULL));
  g_assert_true (fy_cpu_sampler_sample (sampler, NULL));
  for (guint i = 0; i < 64; i++)
    {
      const FyProcessInfo *info = fy_process_sampler_get_nth (processes, i);

      g_assert_true (info->valid);
      g_assert_cmpint (info->pid, ==, 1000 + (GPid) i);
      g_assert_cmpfloat (info->cpu_percent, ==, 0.0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/monitor/process/fake/cpu-percent", test_cpu_percent);
  g_test_add_func ("/monitor/process/fake/gone", test_gone);
  g_test_add_func ("/monitor/process/fake/through-cpu-sampler", test_through_cpu_sampler);

  return g_test_run ();
}
