/* fy-workloads-load.c: load, a CPU kept busy a chosen share of the time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stress tester's load generator, as stress-ng --cpu-load does it: in
 * every short period the worker spins until its own CPU time has grown by
 * the chosen share of the period, then sleeps to the period's end. Counting
 * CPU time rather than wall time keeps the share right when the worker is
 * preempted: it spins on until it really got its share (or the period is
 * over). The run ends at an absolute CLOCK_MONOTONIC deadline carried in
 * the argument, so a task retried on a replacement worker keeps the load
 * up until the same moment instead of starting the whole duration again.
 */

#include "config.h"

#include <errno.h>
#include <sched.h>
#include <time.h>

#include "fy-workload.h"
#include "fy-workload-error.h"

#define LOAD_MIN_PERIOD_MS 1
#define LOAD_MAX_PERIOD_MS 10000
#define LOAD_SLICE_US 200

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
sleep_until_us (gint64 monotonic_us)
{
  struct timespec ts = {
    .tv_sec = monotonic_us / G_USEC_PER_SEC,
    .tv_nsec = (monotonic_us % G_USEC_PER_SEC) * 1000,
  };

  while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

static GVariant *
fy_workload_load (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  double percent;
  guint32 period_ms;
  gint64 deadline;
  gint64 start_wall, start_cpu, end_wall, end_cpu;
  gint64 period;
  volatile guint64 spins = 0;

  g_variant_get (argument, "(dux)", &percent, &period_ms, &deadline);
  if (!(percent >= 0 && percent <= 100))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "load of %g %% is outside 0 to 100", percent);
      return NULL;
    }
  if (period_ms < LOAD_MIN_PERIOD_MS || period_ms > LOAD_MAX_PERIOD_MS)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "period of %u ms is outside %d to %d ms", period_ms,
                   LOAD_MIN_PERIOD_MS, LOAD_MAX_PERIOD_MS);
      return NULL;
    }

  period = (gint64) period_ms * 1000;
  start_wall = g_get_monotonic_time ();
  start_cpu = thread_cpu_us ();

  for (gint64 period_start = start_wall; period_start < deadline; period_start += period)
    {
      gint64 period_end = MIN (period_start + period, deadline);
      gint64 busy = (gint64) ((period_end - period_start) * percent / 100.0);
      gint64 cpu = thread_cpu_us ();
      gint64 cpu_goal = cpu + busy;
      gint64 now = g_get_monotonic_time ();

      /* Reading the thread's CPU clock is a system call, so spinning on it
       * would show as system time; spin on the monotonic clock (read in
       * user space) for a short slice at a time and look at the CPU clock
       * only between slices. */
      while (cpu < cpu_goal && now < period_end)
        {
          gint64 slice_end = MIN (now + MIN (cpu_goal - cpu, LOAD_SLICE_US), period_end);

          while ((now = g_get_monotonic_time ()) < slice_end)
            spins++;
          cpu = thread_cpu_us ();
        }
      if (percent < 100)
        sleep_until_us (period_end);

      /* Far behind (the worker was stopped): start afresh from now rather
       * than hurry through the missed periods. */
      if (g_get_monotonic_time () > period_end + period)
        period_start = g_get_monotonic_time () - period;
    }

  end_wall = g_get_monotonic_time ();
  end_cpu = thread_cpu_us ();

  /* (busy fraction, wall seconds, CPU seconds, the CPU it last ran on) */
  return g_variant_new ("(dddi)",
                        end_wall > start_wall ? (double) (end_cpu - start_cpu) / (end_wall - start_wall) : 0.0,
                        (end_wall - start_wall) / 1e6, (end_cpu - start_cpu) / 1e6,
                        sched_getcpu ());
}

const FyWorkloadInfo fy_workloads_load[] = {
  { "load", "(dux)", "(dddi)", fy_workload_load,
    "Keeps one CPU busy a share of every period, as stress-ng --cpu-load: "
    "(percent 0–100, period in ms, CLOCK_MONOTONIC deadline in µs) (dux) → "
    "(busy fraction achieved, wall seconds, CPU seconds, last CPU) (dddi)" },
  { NULL },
};
