/* fy-results-export.h: a run's results as CSV or JSON, written off the main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CSV: a header, then one row per result in index order: index, input,
 * worker_pid, duration_seconds, state, result, error. Fields holding a
 * comma, a quote, a line break or edge spaces are quoted (RFC 4180), so
 * paths of any shape survive a spreadsheet; lines end in CRLF.
 *
 * JSON: forkyard-cli --json's document, its entries from fy-result-json.
 * "results" has one slot per task, null where the task failed or where its
 * result is no longer in the list (a long run keeps only the last ones).
 * In the app "cpu_seconds" is the summed time of the tasks, since the
 * app's own CPU time has nothing to do with the run.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  FY_RESULTS_FORMAT_CSV,
  FY_RESULTS_FORMAT_JSON,
} FyResultsFormat;

/* What the JSON document says of the run as a whole. */
typedef struct
{
  char     *workload;
  int       workers;
  guint     tasks;
  guint     completed;
  gboolean  interrupted;
  double    wall_seconds;
  double    cpu_seconds;
  double    tasks_per_second;
} FyResultsSummary;

void              fy_results_summary_free     (FyResultsSummary *summary);
/* Derived from the results alone, when no run is at hand: the workers
 * are the distinct pids seen, the times are the tasks' own. */
FyResultsSummary *fy_results_summary_new_from_results (GPtrArray *results);

/* @results holds FyRunResult, in any order. */
GBytes           *fy_results_export_csv       (GPtrArray              *results);
GBytes           *fy_results_export_json      (GPtrArray              *results,
                                               const FyResultsSummary *summary);

/* Encodes and writes @file in a worker thread; @results and @summary are
 * taken (transfer full: the results are immutable, so the thread may read
 * them). */
void              fy_results_export_async     (GPtrArray              *results,
                                               FyResultsSummary       *summary,
                                               FyResultsFormat         format,
                                               GFile                  *file,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
gboolean          fy_results_export_finish    (GAsyncResult           *result,
                                               GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyResultsSummary, fy_results_summary_free)

G_END_DECLS
