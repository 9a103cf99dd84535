/* fy-launch-form.h: the Run page's form: which workload, how many tasks, on what pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every field is checked as it is edited: a bad value marks its row with
 * the error (visible, and in the row's accessible description) and makes
 * the form invalid, so a run is never refused once started. Valid values
 * are remembered in GSettings.
 */

#pragma once

#include <adwaita.h>

#include "fy-run.h"

G_BEGIN_DECLS

#define FY_TYPE_LAUNCH_FORM (fy_launch_form_get_type ())
G_DECLARE_FINAL_TYPE (FyLaunchForm, fy_launch_form, FY, LAUNCH_FORM, AdwBin)

/* FALSE while a field holds an invalid value. */
gboolean      fy_launch_form_get_valid       (FyLaunchForm         *self);
/* "Tasks: at least 1": the first field's problem, or NULL when valid. */
const char   *fy_launch_form_get_problem     (FyLaunchForm         *self);

/* A run made from the form's values, not started. Lists the input files
 * (generating the sample data on first use) in a thread. */
void          fy_launch_form_create_run_async  (FyLaunchForm         *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
FyRun        *fy_launch_form_create_run_finish (FyLaunchForm         *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
