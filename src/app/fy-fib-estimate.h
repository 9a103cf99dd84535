/* fy-fib-estimate.h: how long a Fibonacci run will take on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workers run the naive recursion, whose cost grows as φⁿ: a short
 * calibration of the same recursion in a thread gives the seconds per φⁿ,
 * from which a task and a run are estimated, warned of past a minute and
 * refused past an hour.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  FY_FIB_ESTIMATE_MEASURING, /* not calibrated yet */
  FY_FIB_ESTIMATE_OK,
  FY_FIB_ESTIMATE_WARN,      /* longer than a minute */
  FY_FIB_ESTIMATE_REFUSE,    /* longer than an hour */
} FyFibEstimateLevel;

/* Times the recursion in a thread; finishes with the seconds fib (n) takes
 * here divided by φⁿ. @source_object is held until then. */
void    fy_fib_estimate_calibrate_async  (gpointer             source_object,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
double  fy_fib_estimate_calibrate_finish (GAsyncResult        *result,
                                          GError             **error);

/* The estimate of @tasks tasks of fib (@n) on @parallel CPUs, given the
 * calibrated @unit (0: not calibrated), and its sentence for the form. */
FyFibEstimateLevel fy_fib_estimate (double   unit,
                                    guint64  n,
                                    guint64  tasks,
                                    int      parallel,
                                    char   **out_text);

/* "20 ms", "3.5 s", "2 min", "5.0 hours", "12 days", "3 years". */
char   *fy_format_duration (double seconds);

G_END_DECLS
