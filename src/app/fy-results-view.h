/* fy-results-view.h: the finished tasks of a run, sortable, filterable, exportable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkColumnView over a GListModel of FyRunResult: index, input, worker,
 * duration, and the result (with a preview of a thumbnail) or the error.
 * Every column sorts; "Failures Only" filters. While the view is in a
 * GtkApplicationWindow it gives that window a "win.export" action, which
 * saves the whole list (not only what the filter shows) as CSV or JSON —
 * the JSON of forkyard-cli --json — through a save dialog.
 */

#pragma once

#include <gtk/gtk.h>

#include "fy-results-export.h"
#include "fy-run.h"

G_BEGIN_DECLS

#define FY_TYPE_RESULTS_VIEW (fy_results_view_get_type ())
G_DECLARE_FINAL_TYPE (FyResultsView, fy_results_view, FY, RESULTS_VIEW, GtkWidget)

FyResultsView *fy_results_view_new               (void);
GListModel    *fy_results_view_get_results       (FyResultsView       *self);
/* @results is a GListModel of FyRunResult, or NULL. */
void           fy_results_view_set_results       (FyResultsView       *self,
                                                  GListModel          *results);
/* Optional: the run the results come from, for the export's totals
 * (workers, tasks, times). Setting it also shows its results. */
FyRun         *fy_results_view_get_run           (FyResultsView       *self);
void           fy_results_view_set_run           (FyResultsView       *self,
                                                  FyRun               *run);
gboolean       fy_results_view_get_failures_only (FyResultsView       *self);
void           fy_results_view_set_failures_only (FyResultsView       *self,
                                                  gboolean             failures_only);
/* What the table shows now: filtered and sorted. */
GListModel    *fy_results_view_get_shown         (FyResultsView       *self);
/* Writes every result to @file, off the main loop, then says so in a
 * toast of the nearest AdwToastOverlay. */
void           fy_results_view_export_async      (FyResultsView       *self,
                                                  GFile               *file,
                                                  FyResultsFormat      format,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       fy_results_view_export_finish     (FyResultsView       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
