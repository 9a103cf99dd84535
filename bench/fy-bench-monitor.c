/* fy-bench-monitor.c: the CPU cost of the monitor's own sampling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: fy-bench-monitor fake|real MIN-CPU-SECONDS [PID…]
 *
 * Drives the sampler's tick (fy_cpu_sampler_sample (), what the timer runs)
 * back to back until at least MIN-CPU-SECONDS of CPU were spent, measured
 * with getrusage, and prints the CPU time per tick and what that costs at
 * the default 1 s cadence, as a percentage of one core.
 *
 * fake: 256 scripted cores that advance by themselves and 64 scripted
 * processes. real: libgtop on this machine, watching the given pids.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fy-monitor.h"

#define FAKE_CPUS      256
#define FAKE_PROCESSES 64

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(FySampleSource) source = NULL;
  g_autoptr(FyCpuSampler) sampler = NULL;
  g_autoptr(GError) error = NULL;
  FyProcessSampler *processes;
  double min_cpu, start, spent;
  guint64 ticks = 0;
  gboolean fake;

  if (argc < 3 || (strcmp (argv[1], "fake") != 0 && strcmp (argv[1], "real") != 0))
    {
      fprintf (stderr, "usage: fy-bench-monitor fake|real MIN-CPU-SECONDS [PID…]\n");
      return 2;
    }
  fake = strcmp (argv[1], "fake") == 0;
  min_cpu = g_ascii_strtod (argv[2], NULL);

  if (fake)
    {
      FyFakeSource *fake_source = fy_fake_source_new (FAKE_CPUS);

      fy_fake_source_set_auto_advance (fake_source, TRUE);
      for (GPid pid = 1000; pid < 1000 + FAKE_PROCESSES; pid++)
        {
          FyProcStat stat = { .state = 'S', .last_cpu = pid % FAKE_CPUS, .n_threads = 1,
                              .cpu_time_us = (guint64) pid, .rss = 1 << 20,
                              .start_time = 1700000000 };

          g_strlcpy (stat.name, "forkyard-worker", sizeof stat.name);
          fy_fake_source_set_process (fake_source, pid, &stat);
        }
      source = FY_SAMPLE_SOURCE (fake_source);
    }
  else
    {
      source = FY_SAMPLE_SOURCE (fy_gtop_source_new ());
    }

  sampler = g_object_new (FY_TYPE_CPU_SAMPLER, "source", source, "paused", TRUE, NULL);
  processes = fy_cpu_sampler_get_processes (sampler);
  if (fake)
    {
      for (GPid pid = 1000; pid < 1000 + FAKE_PROCESSES; pid++)
        fy_process_sampler_add (processes, pid);
    }
  else
    {
      for (int i = 3; i < argc; i++)
        fy_process_sampler_add (processes, atoi (argv[i]));
    }

  /* The baseline, and everything allocated once, outside the measure. */
  fy_cpu_sampler_sample (sampler, NULL);

  start = cpu_seconds ();
  do
    {
      for (guint i = 0; i < 100; i++)
        {
          if (!fy_cpu_sampler_sample (sampler, &error))
            {
              fprintf (stderr, "fy-bench-monitor: %s\n", error->message);
              return 1;
            }
        }
      ticks += 100;
      spent = cpu_seconds () - start;
    }
  while (spent < min_cpu);

  for (guint i = 0; i < fy_process_sampler_get_n_processes (processes); i++)
    if (fy_process_sampler_get_nth (processes, i)->gone)
      {
        fprintf (stderr, "fy-bench-monitor: process %d is gone\n",
                 fy_process_sampler_get_nth (processes, i)->pid);
        return 1;
      }

  printf ("{\"mode\": \"%s\", \"n_cpus\": %u, \"n_processes\": %u, \"ticks\": %" G_GUINT64_FORMAT ", "
          "\"cpu_us_per_tick\": %.3f, \"percent_cpu_at_1s\": %.6f}\n",
          argv[1], fy_cpu_sampler_get_n_cpus (sampler),
          fy_process_sampler_get_n_processes (processes), ticks,
          spent / ticks * 1e6, spent / ticks * 100.0);

  return 0;
}
