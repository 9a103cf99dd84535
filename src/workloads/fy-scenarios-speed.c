/* fy-scenarios-speed.c: threads against processes, and the speedup curve
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seeds time one CPU-bound batch sequentially, on threads and on
 * processes, to show that Python's threads do not compute in parallel.
 * In C they do: so the batch runs on threads twice, once holding a
 * simulated global interpreter lock (one mutex, handed over every few
 * thousand iterations as CPython's switch interval does) and once free.
 * The outcome checks the sums, not the clock: timings are for looking at.
 */

#include "config.h"

#include "core/fy-pool.h"

#include "fy-scenario-private.h"

#define BATCH          4
#define GIL_SLICE      100000   /* iterations between two releases of the GIL */
#define BAR_WIDTH      40

typedef struct
{
  guint64  n;
  GMutex  *gil;      /* NULL: free threads */
  guint64  result;
} ThreadTask;

static gpointer
thread_task_func (gpointer data)
{
  ThreadTask *task = data;
  guint64 sum = 0;

  for (guint64 start = 0; start < task->n; start += GIL_SLICE)
    {
      guint64 end = MIN (start + GIL_SLICE, task->n);

      if (task->gil != NULL)
        g_mutex_lock (task->gil);
      sum += fy_scenario_sum_squares (start, end);
      if (task->gil != NULL)
        g_mutex_unlock (task->gil);
    }
  task->result = sum;
  return NULL;
}

/* Seconds for the batch on BATCH threads; FALSE when a sum is wrong. */
static gboolean
time_threads (guint64   n,
              gboolean  with_gil,
              double   *out_seconds)
{
  ThreadTask tasks[BATCH];
  GThread *threads[BATCH];
  GMutex gil;
  gint64 start = g_get_monotonic_time ();
  gboolean right = TRUE;

  g_mutex_init (&gil);
  for (guint i = 0; i < BATCH; i++)
    {
      tasks[i] = (ThreadTask) { n, with_gil ? &gil : NULL, 0 };
      threads[i] = g_thread_new ("fy-scenario-cpu", thread_task_func, &tasks[i]);
    }
  for (guint i = 0; i < BATCH; i++)
    {
      g_thread_join (threads[i]);
      right &= tasks[i].result == fy_scenario_sum_squares_expected (n);
    }
  g_mutex_clear (&gil);
  *out_seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  return right;
}

static GVariant *
batch_of (guint64 n,
          guint   count)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("at"));
  for (guint i = 0; i < count; i++)
    g_variant_builder_add (&builder, "t", n);
  return g_variant_builder_end (&builder);
}

/* Seconds for @count tasks of @n on a started pool; -1 with @error. */
static double
time_pool_map (FyPool   *pool,
               guint64   n,
               guint     count,
               gboolean *right,
               GError  **error)
{
  g_autoptr(GVariant) results = NULL;
  gint64 start = g_get_monotonic_time ();
  const guint64 *sums;
  gsize n_sums = 0;
  double seconds;

  results = fy_pool_map (pool, "scenario-cpu", batch_of (n, count), 1, error);
  if (results == NULL)
    return -1;
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  sums = g_variant_get_fixed_array (results, &n_sums, sizeof (guint64));
  *right &= n_sums == count;
  for (gsize i = 0; i < n_sums; i++)
    *right &= sums[i] == fy_scenario_sum_squares_expected (n);
  return seconds;
}

static void
print_bar (FyScenarioRun *run,
           const char    *label,
           double         seconds,
           double         longest)
{
  g_autoptr(GString) bar = g_string_new (NULL);
  guint width = longest > 0 ? (guint) (seconds / longest * BAR_WIDTH + 0.5) : 0;

  for (guint i = 0; i < MAX (width, 1); i++)
    g_string_append (bar, "█");
  fy_scenario_run_print (run, "%-24s %6.2fs %s", label, seconds, bar->str);
}

gboolean
fy_scenario_threads_vs_processes (FyScenarioRun  *run,
                                  GError        **error)
{
  guint64 n = fy_scenario_run_ms (run, 15, 60) * (guint64) 1000000;
  double sequential, gil, free_threads, processes, longest;
  gboolean right = TRUE;
  gint64 start;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < BATCH; i++)
    right &= fy_scenario_sum_squares (0, n) == fy_scenario_sum_squares_expected (n);
  sequential = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  fy_scenario_run_print (run, "Sequential: %.2fs", sequential);

  right &= time_threads (n, TRUE, &gil);
  fy_scenario_run_print (run, "Threads (with a GIL, as Python's): %.2fs", gil);
  right &= time_threads (n, FALSE, &free_threads);
  fy_scenario_run_print (run, "Threads (free, as C's): %.2fs", free_threads);

  {
    /* As the seed times it: the pool's start is part of the cost. */
    g_autoptr(FyPool) pool = NULL;

    start = g_get_monotonic_time ();
    if ((pool = fy_pool_new_started (BATCH, error)) == NULL ||
        time_pool_map (pool, n, BATCH, &right, error) < 0)
      return FALSE;
    processes = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
    fy_pool_close (pool);
    if (!fy_pool_join (pool, 30, error))
      return FALSE;
  }
  fy_scenario_run_print (run, "Processes: %.2fs", processes);

  longest = MAX (MAX (sequential, gil), MAX (free_threads, processes));
  print_bar (run, "Sequential", sequential, longest);
  print_bar (run, "Threads, simulated GIL", gil, longest);
  print_bar (run, "Threads, free", free_threads, longest);
  print_bar (run, "Processes", processes, longest);

  fy_scenario_run_add_detail (run, "sequential", g_variant_new_double (sequential));
  fy_scenario_run_add_detail (run, "threads-gil", g_variant_new_double (gil));
  fy_scenario_run_add_detail (run, "threads-free", g_variant_new_double (free_threads));
  fy_scenario_run_add_detail (run, "processes", g_variant_new_double (processes));
  fy_scenario_run_set_outcome (run, right,
                               "all %d × 4 sums %s; GIL threads %.1f×, free threads %.1f×, processes %.1f× "
                               "the sequential speed",
                               BATCH, right ? "right" : "WRONG",
                               sequential / gil, sequential / free_threads, sequential / processes);
  return TRUE;
}

gboolean
fy_scenario_speedup (FyScenarioRun  *run,
                     GError        **error)
{
  guint n_cpus = g_get_num_processors ();
  guint max_workers = MIN (2 * n_cpus, 16);
  guint batch = max_workers;
  guint64 n = fy_scenario_run_ms (run, 6, 30) * (guint64) 1000000;
  g_autofree double *seconds = g_new0 (double, max_workers + 1);
  double sxx = 0, sxy = 0, serial = -1;
  gboolean right = TRUE;

  fy_scenario_run_print (run, "%u tasks on 1 to %u workers (%u CPUs):", batch, max_workers, n_cpus);
  for (guint w = 1; w <= max_workers; w++)
    {
      g_autoptr(FyPool) pool = fy_pool_new_started ((int) w, error);
      gboolean warm_right = TRUE;
      double speedup;

      /* Every worker up before the clock starts: the curve is about the
       * work, not about spawning. */
      if (pool == NULL || time_pool_map (pool, 1, w, &warm_right, error) < 0)
        return FALSE;
      if ((seconds[w] = time_pool_map (pool, n, batch, &right, error)) < 0)
        return FALSE;
      fy_pool_close (pool);
      if (!fy_pool_join (pool, 30, error))
        return FALSE;
      speedup = seconds[1] / seconds[w];
      fy_scenario_run_print (run, "%2u worker%s %6.3fs  speedup %5.2f (ideal %u)",
                             w, w == 1 ? ": " : "s:", seconds[w], speedup, MIN (w, n_cpus));
      /* Amdahl: 1/S(n) = s + (1 - s)/n, so 1/S - 1/n = s (1 - 1/n). Fitted
       * by least squares over the worker counts the CPUs can run at once. */
      if (w >= 2 && w <= n_cpus)
        {
          double x = 1 - 1.0 / w, y = 1 / speedup - 1.0 / w;

          sxx += x * x;
          sxy += x * y;
        }
    }
  if (sxx > 0)
    {
      serial = CLAMP (sxy / sxx, 0, 1);
      if (serial >= 0.001)
        fy_scenario_run_print (run, "Amdahl fit: serial fraction %.3f, so at most %.1f× on any number of CPUs",
                               serial, 1 / serial);
      else
        fy_scenario_run_print (run, "Amdahl fit: serial fraction %.3f, no measurable limit", serial);
    }
  else
    fy_scenario_run_print (run, "One CPU: no parallel speedup to fit");

  /* The whole curve, for a chart: element i is the time on i + 1 workers. */
  fy_scenario_run_add_detail (run, "worker-seconds",
                              g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, seconds + 1,
                                                         max_workers, sizeof (double)));
  fy_scenario_run_add_detail (run, "serial-fraction", g_variant_new_double (serial));
  fy_scenario_run_add_detail (run, "best-speedup",
                              g_variant_new_double (seconds[1] / seconds[MIN (n_cpus, max_workers)]));
  fy_scenario_run_set_outcome (run, right,
                               "%u runs, every sum %s; speedup %.2f on %u workers; serial fraction %.3f",
                               max_workers, right ? "right" : "WRONG",
                               seconds[1] / seconds[MIN (n_cpus, max_workers)],
                               MIN (n_cpus, max_workers), serial);
  return TRUE;
}
