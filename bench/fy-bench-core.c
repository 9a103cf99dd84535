/* fy-bench-core.c: the C side of the shared-object benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: fy-bench-core queue_small_items|queue_small_variants|queue_64k_items|
 *                      value_locked_increments|lock_uncontended|dict_ops N
 *
 * Prints one JSON object: {"value": RATE, "unit": UNIT, "n": N, "seconds": S}.
 * bench/bench_shared.py runs Python's multiprocessing doing the same work in
 * the same run. Processes are started inside the timed region on both sides
 * where Python's is (producers, incrementers), so N is large enough to make
 * the start cost small.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fy-dict.h"
#include "core/fy-lock.h"
#include "core/fy-process.h"
#include "core/fy-queue.h"
#include "core/fy-value.h"

static double
now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
die (const char *what,
     GError     *error)
{
  fprintf (stderr, "fy-bench-core: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

static FyProcess *
start (const char *function,
       GVariant   *argument,
       int         fd0,
       int         fd1)
{
  g_autoptr(GError) error = NULL;
  FyProcess *process = fy_process_new (function, argument);

  if (fd0 >= 0)
    fy_process_add_fd (process, fd0);
  if (fd1 >= 0)
    fy_process_add_fd (process, fd1);
  if (!fy_process_start (process, &error))
    die ("start", error);
  return process;
}

static void
join (FyProcess *process)
{
  g_autoptr(GError) error = NULL;
  int code = -1;

  if (!fy_process_join (process, -1, &error))
    die ("join", error);
  if (!fy_process_get_exitcode (process, &code) || code != 0)
    die ("child failed", NULL);
  g_object_unref (process);
}

static void
report (double      value,
        const char *unit,
        gint64      n,
        double      seconds)
{
  printf ("{\"value\": %.6g, \"unit\": \"%s\", \"n\": %" G_GINT64_FORMAT ", \"seconds\": %.6g}\n",
          value, unit, n, seconds);
}

/* One producer process puts @n items, this process gets them. Small items
 * are int64s; @typed puts and gets them with the typed calls, which make no
 * GVariant, else each is a GVariant on both sides. */
static void
bench_queue (gint64   n,
             guint    payload,
             gboolean typed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new_full ("bench", 0, payload > 0 ? 8 * 1024 * 1024 : 0,
                                                FALSE, &error);
  FyProcess *producer;
  double t0, elapsed;

  if (queue == NULL)
    die ("queue", error);
  t0 = now ();
  if (typed)
    producer = start ("ipc-queue-put-int64", g_variant_new ("(xx)", (gint64) 0, n),
                      fy_queue_get_fd (queue), -1);
  else
    producer = start ("ipc-queue-put", g_variant_new ("(xxub)", (gint64) 0, n, payload, FALSE),
                      fy_queue_get_fd (queue), -1);
  for (gint64 i = 0; i < n; i++)
    {
      gint64 value;

      if (typed)
        {
          if (!fy_queue_get_int64 (queue, &value, -1, &error))
            die ("get", error);
          /* One producer: the items come in order. */
          if (value != i)
            die ("item out of order", NULL);
        }
      else
        {
          g_autoptr(GVariant) item = fy_queue_get (queue, -1, &error);

          if (item == NULL)
            die ("get", error);
        }
    }
  elapsed = now () - t0;
  join (producer);
  report (n / elapsed, "msgs/s", n, elapsed);
}

/* Two processes each add 1, @n times, under the value's lock. */
static void
bench_increments (gint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyValue) value = fy_value_new ("bench", FY_VALUE_TYPE_INT32, TRUE, &error);
  FyProcess *a, *b;
  double t0, elapsed;

  if (value == NULL)
    die ("value", error);
  t0 = now ();
  a = start ("ipc-increment", g_variant_new ("(ub)", (guint32) n, TRUE), fy_value_get_fd (value), -1);
  b = start ("ipc-increment", g_variant_new ("(ub)", (guint32) n, TRUE), fy_value_get_fd (value), -1);
  join (a);
  join (b);
  elapsed = now () - t0;
  if (fy_value_get_int (value) != 2 * n)
    die ("lost increments", NULL);
  report (2 * n / elapsed, "incr/s", 2 * n, elapsed);
}

static void
bench_lock (gint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyLock) lock = fy_lock_new ("bench", &error);
  double t0, elapsed;

  if (lock == NULL)
    die ("lock", error);
  t0 = now ();
  for (gint64 i = 0; i < n; i++)
    {
      fy_lock_acquire (lock, -1, NULL);
      fy_lock_release (lock, NULL);
    }
  elapsed = now () - t0;
  report (n / elapsed, "pairs/s", n, elapsed);
}

/* A child does @n sets then @n gets and times itself. */
static void
bench_dict (gint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyDict) dict = fy_dict_new ("bench", 0, &error);
  g_autoptr(FyValue) seconds = fy_value_new ("bench-seconds", FY_VALUE_TYPE_DOUBLE, FALSE, &error);

  if (dict == NULL || seconds == NULL)
    die ("dict", error);
  join (start ("ipc-dict-ops", g_variant_new_uint32 ((guint32) n),
               fy_dict_get_fd (dict), fy_value_get_fd (seconds)));
  report (2 * n / fy_value_get_double (seconds), "ops/s", 2 * n, fy_value_get_double (seconds));
}

int
main (int   argc,
      char *argv[])
{
  const char *name;
  gint64 n;

  if (argc != 3)
    {
      fprintf (stderr, "usage: fy-bench-core NAME N\n");
      return 2;
    }
  name = argv[1];
  n = g_ascii_strtoll (argv[2], NULL, 10);
  if (n <= 0)
    return 2;

  if (g_str_equal (name, "queue_small_items"))
    bench_queue (n, 0, TRUE);
  else if (g_str_equal (name, "queue_small_variants"))
    bench_queue (n, 0, FALSE);
  else if (g_str_equal (name, "queue_64k_items"))
    bench_queue (n, 64 * 1024, FALSE);
  else if (g_str_equal (name, "value_locked_increments"))
    bench_increments (n);
  else if (g_str_equal (name, "lock_uncontended"))
    bench_lock (n);
  else if (g_str_equal (name, "dict_ops"))
    bench_dict (n);
  else
    {
      fprintf (stderr, "fy-bench-core: unknown benchmark %s\n", name);
      return 2;
    }
  return 0;
}
