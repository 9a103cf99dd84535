/* fy-run-page.h: the Run page: the launch form, the run's progress, its workers and results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "fy-run.h"

G_BEGIN_DECLS

#define FY_TYPE_RUN_PAGE (fy_run_page_get_type ())
G_DECLARE_FINAL_TYPE (FyRunPage, fy_run_page, FY, RUN_PAGE, AdwBin)

/* The latest run, NULL before the first; its pool and results are what the
 * workers table and the results list show. */
FyRun *fy_run_page_get_run (FyRunPage *self);

G_END_DECLS
