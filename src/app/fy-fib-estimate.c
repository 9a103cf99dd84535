/* fy-fib-estimate.c: how long a Fibonacci run will take on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The calibration runs the same naive recursion as the workers, from a
 * small n up until one call takes long enough to time; the estimate scales
 * it by φⁿ, so nobody starts fib (92) and waits for years.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-fib-estimate.h"

#define PHI 1.6180339887498949
/* A run estimated above these is warned of, then refused. */
#define WARN_SECONDS   60.0
#define REFUSE_SECONDS 3600.0

/* The workers' naive recursion, here only to time it. */
static gint64
calibration_fib (int n)
{
  return n <= 2 ? 1 : calibration_fib (n - 1) + calibration_fib (n - 2);
}

static void
calibrate_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  double *unit = g_new (double, 1);
  volatile gint64 sink = 0;

  /* Up from a small n until one call takes 20 ms: long enough to time,
   * short enough not to be noticed. */
  for (int n = 20; n <= 40; n++)
    {
      gint64 start = g_get_monotonic_time ();
      double seconds;

      sink += calibration_fib (n);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      *unit = seconds / pow (PHI, n);
      if (seconds >= 0.02)
        break;
    }
  (void) sink;
  g_task_return_pointer (task, unit, g_free);
}

void
fy_fib_estimate_calibrate_async (gpointer             source_object,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, user_data);

  g_task_set_source_tag (task, fy_fib_estimate_calibrate_async);
  g_task_run_in_thread (task, calibrate_thread);
}

double
fy_fib_estimate_calibrate_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_autofree double *unit = NULL;

  g_return_val_if_fail (G_IS_TASK (result), 0);

  unit = g_task_propagate_pointer (G_TASK (result), error);
  return unit != NULL ? *unit : 0;
}

char *
fy_format_duration (double seconds)
{
  if (seconds < 0.001)
    return g_strdup (_("<1 ms"));
  if (seconds < 1)
    return g_strdup_printf (_("%.0f ms"), seconds * 1000);
  if (seconds < 60)
    return g_strdup_printf (_("%.1f s"), seconds);
  if (seconds < 3600)
    return g_strdup_printf (_("%.0f min"), seconds / 60);
  if (seconds < 86400 * 2)
    return g_strdup_printf (_("%.1f hours"), seconds / 3600);
  if (seconds < 86400 * 365 * 2)
    return g_strdup_printf (_("%.0f days"), seconds / 86400);
  return g_strdup_printf (_("%.0f years"), seconds / (86400 * 365.25));
}

FyFibEstimateLevel
fy_fib_estimate (double   unit,
                 guint64  n,
                 guint64  tasks,
                 int      parallel,
                 char   **out_text)
{
  double per_task, run;
  g_autofree char *per_text = NULL;
  g_autofree char *run_text = NULL;
  g_autofree char *text = NULL;

  if (unit <= 0)
    {
      *out_text = g_strdup (_("Measuring this computer’s speed…"));
      return FY_FIB_ESTIMATE_MEASURING;
    }

  per_task = unit * pow (PHI, (double) n);
  /* The workers share the CPUs: more workers than CPUs add no speed. */
  run = per_task * ceil ((double) tasks / MAX (parallel, 1));
  per_text = fy_format_duration (per_task);
  run_text = fy_format_duration (run);

  if (run > REFUSE_SECONDS)
    {
      /* TRANSLATORS: the refusal of a Fibonacci run; both are durations */
      *out_text = g_strdup_printf (_("Refused: about %s a task, %s for the run, more than an hour. Lower n or the tasks."),
                                   per_text, run_text);
      return FY_FIB_ESTIMATE_REFUSE;
    }

  /* TRANSLATORS: the estimate of a Fibonacci run; both are durations */
  text = g_strdup_printf (_("About %s a task, %s for the run"), per_text, run_text);
  if (run > WARN_SECONDS)
    {
      *out_text = g_strdup_printf (_("%s — longer than a minute"), text);
      return FY_FIB_ESTIMATE_WARN;
    }
  *out_text = g_steal_pointer (&text);
  return FY_FIB_ESTIMATE_OK;
}
