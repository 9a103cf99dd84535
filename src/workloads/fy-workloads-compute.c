/* fy-workloads-compute.c: fib, sumsq and sleep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CPU-bound workloads of the seeds, done the same (deliberately naive)
 * way so a run costs what the Python version costs in operations, plus the
 * I/O-bound contrast that only waits.
 */

#include "config.h"

#include <errno.h>
#include <time.h>

#include "fy-workload.h"
#include "fy-workload-error.h"

/* fib(93) = 12200160415121876738 is the first one above G_MAXINT64. */
#define FIB_MAX_N 92

/* Each i·i needs at most 80 bits below this bound and the whole sum stays
 * well inside 128 bits, so nothing can wrap. */
#define SUMSQ_MAX_N (G_GINT64_CONSTANT (1) << 40)

static gint64
fib_naive (gint64 n)
{
  if (n <= 0)
    return 0;
  if (n <= 2)
    return 1;
  return fib_naive (n - 1) + fib_naive (n - 2);
}

/* The typed entry point (fy-workload.h); the GVariant one wraps it, so
 * both give the same results and the same errors. */
static gboolean
fy_workload_fib_number (FyWorkloadNumber   argument,
                        FyWorkloadNumber  *result,
                        GError           **error)
{
  gint64 n = argument.x;

  if (n < 0)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "fib: n must be 0 or more, not %" G_GINT64_FORMAT, n);
      return FALSE;
    }
  if (n > FIB_MAX_N)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_OVERFLOW,
                   "fib: n = %" G_GINT64_FORMAT " is above %d, the largest "
                   "whose result fits a 64-bit integer",
                   n, FIB_MAX_N);
      return FALSE;
    }

  result->x = fib_naive (n);
  return TRUE;
}

static GVariant *
fy_workload_fib (GVariant           *argument,
                 FyWorkloadContext  *context,
                 GError            **error)
{
  FyWorkloadNumber n = { .x = g_variant_get_int64 (argument) };
  FyWorkloadNumber result;

  if (!fy_workload_fib_number (n, &result, error))
    return NULL;
  return g_variant_new_int64 (result.x);
}

/* Decimal digits of an unsigned 128-bit number; GLib has no format for it. */
static char *
u128_to_string (unsigned __int128 value)
{
  char digits[48];
  int pos = sizeof digits - 1;

  digits[pos] = '\0';
  do
    {
      digits[--pos] = (char) ('0' + (int) (value % 10));
      value /= 10;
    }
  while (value != 0);

  return g_strdup (digits + pos);
}

static GVariant *
fy_workload_sumsq (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  gint64 n = g_variant_get_int64 (argument);
  unsigned __int128 sum = 0;
  g_autofree char *text = NULL;

  if (n < 0)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "sumsq: n must be 0 or more, not %" G_GINT64_FORMAT, n);
      return NULL;
    }
  if (n > SUMSQ_MAX_N)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "sumsq: n = %" G_GINT64_FORMAT " is above the limit of %"
                   G_GINT64_FORMAT, n, SUMSQ_MAX_N);
      return NULL;
    }

  /* The loop the seeds run, not the closed form: the point is the work. */
  for (guint64 i = 0; i < (guint64) n; i++)
    sum += (unsigned __int128) i * i;

  text = u128_to_string (sum);
  return g_variant_new_string (text);
}

static GVariant *
fy_workload_sleep (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  guint32 ms = g_variant_get_uint32 (argument);
  struct timespec deadline;
  int rc;

  /* An absolute deadline, so a signal that interrupts the sleep (and is not
   * fatal) does not stretch it when we go back to sleep. */
  clock_gettime (CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += ms / 1000;
  deadline.tv_nsec += (long) (ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L)
    {
      deadline.tv_sec += 1;
      deadline.tv_nsec -= 1000000000L;
    }

  do
    rc = clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
  while (rc == EINTR);

  return g_variant_new_uint32 (ms);
}

const FyWorkloadInfo fy_workloads_compute[] = {
  { "fib", "x", "x", fy_workload_fib,
    "Naive recursive Fibonacci, fib(1) = fib(2) = 1: n (x, 0 to 92) → fib(n) (x)",
    fy_workload_fib_number },
  { "sleep", "u", "u", fy_workload_sleep,
    "Sleeps: milliseconds (u) → the same milliseconds (u)" },
  { "sumsq", "x", "s", fy_workload_sumsq,
    "Sum of i·i for i in [0, n): n (x) → the exact 128-bit sum in decimal (s)" },
  { NULL },
};
