/* fy-run-result.h: one finished task of a run, as the results list shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An immutable snapshot of one input of a run once it finished: what went
 * in, what came out (or why not), which worker ran it and how long it took.
 * The texts match what forkyard-cli prints for the same workload, so a list
 * exported from the app compares line for line with the CLI's output.
 */

#pragma once

#include <glib-object.h>

#include "core/fy-future.h"

G_BEGIN_DECLS

#define FY_TYPE_RUN_RESULT (fy_run_result_get_type ())
G_DECLARE_FINAL_TYPE (FyRunResult, fy_run_result, FY, RUN_RESULT, GObject)

/* @argument is the input's own argument ("x" for fib and sumsq, "u" for
 * sleep, "ay" (the path) for hash, "(ayayiib)" for resize); @result is the
 * input's own result (NULL unless @state is DONE), @error why it has none
 * (NULL unless FAILED or CANCELLED). */
FyRunResult   *fy_run_result_new              (guint          index,
                                               const char    *function,
                                               GVariant      *argument,
                                               GVariant      *result,
                                               const GError  *error,
                                               FyFutureState  state,
                                               GPid           worker_pid,
                                               gint64         started_at,
                                               gint64         finished_at);

/* Input order, from 0. */
guint          fy_run_result_get_index        (FyRunResult   *self);
/* The workload's name: "fib", "sumsq", "sleep", "hash", "resize" or "load". */
const char    *fy_run_result_get_function     (FyRunResult   *self);
GVariant      *fy_run_result_get_argument     (FyRunResult   *self);
/* "27" for fib (27), the file's path for hash and resize. */
const char    *fy_run_result_get_input_text   (FyRunResult   *self);
FyFutureState  fy_run_result_get_state        (FyRunResult   *self);
/* TRUE unless the state is DONE. */
gboolean       fy_run_result_get_failed       (FyRunResult   *self);
GVariant      *fy_run_result_get_result       (FyRunResult   *self);
/* "196418"; the sha256sum line "HASH  PATH"; "out/x.jpg, 300×200, 12.3 kB".
 * NULL unless done. */
const char    *fy_run_result_get_result_text  (FyRunResult   *self);
/* Why the task failed or was cancelled, naming the file for hash and
 * resize. NULL unless failed or cancelled. */
const char    *fy_run_result_get_error_text   (FyRunResult   *self);
/* The thumbnail resize wrote, or NULL. */
const char    *fy_run_result_get_output_path  (FyRunResult   *self);
GPid           fy_run_result_get_worker_pid   (FyRunResult   *self);
/* When the task failed because its worker died: that worker's exit code
 * (-N for signal N), as fy_future_get_worker_exitcode () gives it; 0
 * otherwise. Set once, by the result's maker, before anyone reads it. */
void           fy_run_result_set_worker_exitcode (FyRunResult *self,
                                               int            exitcode);
int            fy_run_result_get_worker_exitcode (FyRunResult *self);
/* Seconds from the task's start to its end; 0 when it never started. */
double         fy_run_result_get_duration     (FyRunResult   *self);

G_END_DECLS
