/* fy-bench-pool.c: the C half of the pool benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: fy-bench-pool MODE [ARGS…] [--repeat R]
 *   map N CHUNKSIZE WORKERS     map "square" over range (N)        → seconds
 *   imap-unordered N WORKERS    imap_unordered, chunksize 1        → seconds, tasks_per_s
 *   apply-rt N WORKERS          N × apply_async (…).get ()         → us (per round trip)
 *   executor N WORKERS          N × submit, then every result      → seconds, tasks_per_s
 *   fib N COUNT WORKERS         map "fib" over COUNT × [N]         → seconds
 *   spin N COUNT                fib (N) COUNT times in this process → seconds
 *
 * The pool is started and warmed up before the clock runs, as on the
 * Python side. With --repeat R the best of R runs is printed. Beside the
 * wall time, "cpu_seconds" is the CPU time this process and its workers
 * spent in the timed part: on a machine shared with other work, the wall
 * time mostly measures the others. "rss_kib" is this process's peak
 * resident size (getrusage's ru_maxrss), as Python's side reports its own.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/fy-pool.h"
#include "workloads/fy-workload.h"

static GVariant *
range_variant (gint64 n)
{
  g_autofree gint64 *values = g_new (gint64, MAX (n, 1));

  /* The way a C caller hands over many numbers: one flat array, already
   * in serialised form. */
  for (gint64 i = 0; i < n; i++)
    values[i] = i;
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, values, n, sizeof (gint64));
}

static GVariant *
repeat_x (gint64 value,
          guint  n)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("ax"));
  for (guint i = 0; i < n; i++)
    g_variant_builder_add (&builder, "x", value);
  return g_variant_builder_end (&builder);
}

static void
die_on_error (GError *error)
{
  if (error == NULL)
    return;
  g_printerr ("fy-bench-pool: %s\n", error->message);
  exit (1);
}

static FyPool *
warm_pool (int workers)
{
  GError *error = NULL;
  FyPool *pool = fy_pool_new_started (workers, &error);
  GVariant *warm;

  die_on_error (error);
  warm = fy_pool_map (pool, "square", range_variant (200), 1, &error);
  die_on_error (error);
  g_variant_unref (warm);
  return pool;
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* User + system seconds of one process, from /proc/PID/stat. */
static double
process_cpu (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  unsigned long utime = 0;
  unsigned long stime = 0;
  const char *rest;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || (rest = strrchr (contents, ')')) == NULL)
    return 0;
  /* After the name: state, then fields 4 … 13, then utime and stime. */
  if (sscanf (rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return 0;
  return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

/* This process and the pool's live workers. */
static double
pool_cpu (FyPool *pool)
{
  GListModel *workers = fy_pool_get_workers (pool);
  struct rusage usage;
  double total;

  getrusage (RUSAGE_SELF, &usage);
  total = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);

      total += process_cpu (fy_pool_worker_get_pid (worker));
    }
  return total;
}

/* The CPU seconds of the last timed run. */
static double last_cpu;

static double
run_map (gint64 n,
         int    chunksize,
         int    workers)
{
  g_autoptr(FyPool) pool = warm_pool (workers);
  g_autoptr(GVariant) input = g_variant_ref_sink (range_variant (n));
  g_autoptr(GVariant) results = NULL;
  GError *error = NULL;
  double cpu_start = pool_cpu (pool);
  double start = now ();
  double seconds;
  const gint64 *squares;
  gsize n_results = 0;

  results = fy_pool_map (pool, "square", input, chunksize, &error);
  seconds = now () - start;
  last_cpu = pool_cpu (pool) - cpu_start;
  die_on_error (error);
  squares = g_variant_get_fixed_array (results, &n_results, sizeof (gint64));
  for (gsize i = 0; i < n_results; i++)
    if (squares[i] != (gint64) (i * i))
      n_results = 0;
  if (n_results != (gsize) n)
    {
      g_printerr ("fy-bench-pool: wrong results\n");
      exit (1);
    }
  return seconds;
}

static double
run_imap_unordered (gint64 n,
                    int    workers)
{
  g_autoptr(FyPool) pool = warm_pool (workers);
  g_autoptr(GVariant) input = g_variant_ref_sink (range_variant (n));
  g_autoptr(FyFutureIter) iter = NULL;
  GError *error = NULL;
  GVariant *value;
  gint64 count = 0;
  double cpu_start = pool_cpu (pool);
  double start = now ();

  iter = fy_pool_imap_unordered (pool, "square", input, 1, &error);
  die_on_error (error);
  while (fy_future_iter_next_result (iter, -1, &value, &error))
    {
      count++;
      g_variant_unref (value);
    }
  die_on_error (error);
  if (count != n)
    exit (1);
  last_cpu = pool_cpu (pool) - cpu_start;
  return now () - start;
}

static double
run_apply_rt (gint64 n,
              int    workers)
{
  g_autoptr(FyPool) pool = warm_pool (workers);
  GError *error = NULL;
  double cpu_start = pool_cpu (pool);
  double start = now ();

  for (gint64 i = 0; i < n; i++)
    {
      g_autoptr(FyFuture) future = fy_pool_apply_async (pool, "square", g_variant_new_int64 (i),
                                                        NULL, NULL, NULL, NULL, &error);
      g_autoptr(GVariant) result = NULL;

      die_on_error (error);
      result = fy_future_result (future, -1, &error);
      die_on_error (error);
    }
  last_cpu = pool_cpu (pool) - cpu_start;
  return now () - start;
}

static double
run_executor (gint64 n,
              int    workers)
{
  g_autoptr(FyPool) pool = warm_pool (workers);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_full (n, g_object_unref);
  GError *error = NULL;
  double cpu_start = pool_cpu (pool);
  double start = now ();

  for (gint64 i = 0; i < n; i++)
    {
      g_ptr_array_add (futures, fy_pool_submit (pool, "square", g_variant_new_int64 (i), &error));
      die_on_error (error);
    }
  for (gint64 i = 0; i < n; i++)
    {
      g_autoptr(GVariant) result = fy_future_result (g_ptr_array_index (futures, i), -1, &error);

      die_on_error (error);
    }
  last_cpu = pool_cpu (pool) - cpu_start;
  return now () - start;
}

static double
run_fib (gint64 fib_n,
         guint  count,
         int    workers)
{
  g_autoptr(FyPool) pool = warm_pool (workers);
  g_autoptr(GVariant) input = g_variant_ref_sink (repeat_x (fib_n, count));
  g_autoptr(GVariant) results = NULL;
  GError *error = NULL;
  double cpu_start = pool_cpu (pool);
  double start = now ();

  results = fy_pool_map (pool, "fib", input, 1, &error);
  die_on_error (error);
  last_cpu = pool_cpu (pool) - cpu_start;
  return now () - start;
}

/* The same function the workers run, here in one plain process: what the
 * machine gives two independent busy processes is measured with it. */
static double
run_spin (gint64 fib_n,
          guint  count)
{
  const FyWorkloadInfo *info = fy_workload_lookup ("fib");
  GError *error = NULL;
  double start = now ();

  for (guint i = 0; i < count; i++)
    {
      GVariant *result = info->func (g_variant_new_int64 (fib_n), NULL, &error);

      die_on_error (error);
      g_variant_unref (g_variant_ref_sink (result));
    }
  return now () - start;
}

static gint64
arg (char **argv,
     int    argc,
     int    index)
{
  if (index >= argc)
    {
      g_printerr ("fy-bench-pool: missing argument; see the header of fy-bench-pool.c\n");
      exit (2);
    }
  return g_ascii_strtoll (argv[index], NULL, 10);
}

int
main (int    argc,
      char **argv)
{
  const char *mode;
  int repeat = 1;
  double best = G_MAXDOUBLE;
  double best_cpu = G_MAXDOUBLE;
  struct rusage usage;
  gint64 n;

  for (int i = 1; i + 1 < argc; i++)
    if (g_str_equal (argv[i], "--repeat"))
      {
        repeat = MAX (1, atoi (argv[i + 1]));
        argc = i;
        break;
      }
  if (argc < 2)
    {
      g_printerr ("usage: fy-bench-pool MODE [ARGS…] [--repeat R]\n");
      return 2;
    }
  mode = argv[1];
  n = argc > 2 ? arg (argv, argc, 2) : 0;

  for (int r = 0; r < repeat; r++)
    {
      double seconds;

      if (g_str_equal (mode, "map"))
        seconds = run_map (n, (int) arg (argv, argc, 3), (int) arg (argv, argc, 4));
      else if (g_str_equal (mode, "imap-unordered"))
        seconds = run_imap_unordered (n, (int) arg (argv, argc, 3));
      else if (g_str_equal (mode, "apply-rt"))
        seconds = run_apply_rt (n, (int) arg (argv, argc, 3));
      else if (g_str_equal (mode, "executor"))
        seconds = run_executor (n, (int) arg (argv, argc, 3));
      else if (g_str_equal (mode, "fib"))
        seconds = run_fib (n, (guint) arg (argv, argc, 3), (int) arg (argv, argc, 4));
      else if (g_str_equal (mode, "spin"))
        seconds = run_spin (n, (guint) arg (argv, argc, 3));
      else
        {
          g_printerr ("fy-bench-pool: unknown mode “%s”\n", mode);
          return 2;
        }
      best = MIN (best, seconds);
      best_cpu = MIN (best_cpu, last_cpu);
    }

  getrusage (RUSAGE_SELF, &usage);
  printf ("{\"seconds\": %.9f, \"cpu_seconds\": %.6f, \"n\": %" G_GINT64_FORMAT ", \"per_second\": %.3f, \"us_each\": %.3f, \"rss_kib\": %ld}\n",
          best, best_cpu, n, n > 0 ? n / best : 0.0, n > 0 ? best * 1e6 / n : 0.0, usage.ru_maxrss);
  return 0;
}
