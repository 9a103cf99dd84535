/* fy-run-launch.h: a run's pool made to its options, and its inputs handed to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pool takes work differently per call style (imap, imap_unordered,
 * one submit per input); a run only wants its tasks back in input order,
 * to read their items as they finish. These helpers keep that difference
 * out of FyRun, which then only counts and lists what finished.
 */

#pragma once

#include "core/fy-pool.h"

G_BEGIN_DECLS

/* How a run hands its inputs to the pool, as the launch form offers it. */
typedef enum
{
  FY_RUN_CALL_STYLE_MAP,            /* Pool.map: chunks, results in input order */
  FY_RUN_CALL_STYLE_IMAP,           /* Pool.imap: in input order as they come */
  FY_RUN_CALL_STYLE_IMAP_UNORDERED, /* Pool.imap_unordered: as they finish */
  FY_RUN_CALL_STYLE_SUBMIT,         /* executor submit + as_completed */
} FyRunCallStyle;

GType fy_run_call_style_get_type (void);
#define FY_TYPE_RUN_CALL_STYLE (fy_run_call_style_get_type ())

/* A run's options, as FyRun's setters leave them. */
typedef struct
{
  int            n_workers;           /* 0: the pool's default */
  int            chunksize;           /* 0: automatic, as Python's map */
  FyRunCallStyle call_style;
  double         task_timeout;        /* seconds, 0 for none */
  FyCrashPolicy  crash_policy;
  guint          max_retries;
  int            max_tasks_per_child; /* 0 for no limit */
} FyRunOptions;

/* A pool set up to @options, not started yet. */
FyPool    *fy_run_launch_pool_new (const FyRunOptions  *options,
                                   GError             **error);
/* Hands every child of @arguments to the started @pool as calls of
 * @function in @options' call style. Returns the tasks in input order
 * and sets @out_ordered when the items must be shown in that order;
 * NULL when the pool refused the work. */
GPtrArray *fy_run_launch_tasks    (FyPool              *pool,
                                   const char          *function,
                                   GVariant            *arguments,
                                   const FyRunOptions  *options,
                                   gboolean            *out_ordered,
                                   GError             **error);

G_END_DECLS
