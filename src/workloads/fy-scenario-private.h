/* fy-scenario-private.h: what the scenario files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run functions of every scenario (one file per family, listed by the
 * table in fy-scenario.c) and the CPU-bound loop that the timing scenarios
 * run in threads and in workers alike.
 */

#pragma once

#include "core/fy-process.h"

#include "fy-scenario.h"

G_BEGIN_DECLS

/* Sum of i·i over [@start, @end), modulo 2⁶⁴, computed the long way. */
guint64  fy_scenario_sum_squares   (guint64         start,
                                    guint64         end);
/* The closed form of the same, to check a result against. */
guint64  fy_scenario_sum_squares_expected (guint64  n);

/* fy-scenarios-basics.c */
gboolean fy_scenario_process_basics     (FyScenarioRun *run, GError **error);
gboolean fy_scenario_pool_map           (FyScenarioRun *run, GError **error);
gboolean fy_scenario_pool_methods       (FyScenarioRun *run, GError **error);
gboolean fy_scenario_imap_order         (FyScenarioRun *run, GError **error);
gboolean fy_scenario_daemon             (FyScenarioRun *run, GError **error);
gboolean fy_scenario_terminate          (FyScenarioRun *run, GError **error);
gboolean fy_scenario_executor           (FyScenarioRun *run, GError **error);

/* fy-scenarios-shared.c */
gboolean fy_scenario_producer_consumer  (FyScenarioRun *run, GError **error);
gboolean fy_scenario_pipe               (FyScenarioRun *run, GError **error);
gboolean fy_scenario_shared_counter     (FyScenarioRun *run, GError **error);
gboolean fy_scenario_race_condition     (FyScenarioRun *run, GError **error);
gboolean fy_scenario_shared_array       (FyScenarioRun *run, GError **error);
gboolean fy_scenario_manager_dict       (FyScenarioRun *run, GError **error);

/* fy-scenarios-sync.c */
gboolean fy_scenario_sync_primitives    (FyScenarioRun *run, GError **error);

/* fy-scenarios-speed.c */
gboolean fy_scenario_threads_vs_processes (FyScenarioRun *run, GError **error);
gboolean fy_scenario_speedup            (FyScenarioRun *run, GError **error);

/* Helpers the run functions share (fy-scenario.c). */

/* A started process running @function with the run's output list as fd 0
 * and then @fds; @argument: a floating reference is sunk. Returns the
 * caller's reference, NULL with @error. */
FyProcess *fy_scenario_start        (FyScenarioRun  *run,
                                     const char     *function,
                                     GVariant       *argument,
                                     const int      *fds,
                                     guint           n_fds,
                                     GError        **error);
/* The same, but the started process is appended to @processes, which
 * holds its only reference: a caller that loops over starts owns nothing
 * it could forget to drop. FALSE with @error. */
gboolean   fy_scenario_start_into   (FyScenarioRun  *run,
                                     GPtrArray      *processes,
                                     const char     *function,
                                     GVariant       *argument,
                                     const int      *fds,
                                     guint           n_fds,
                                     GError        **error);
/* Joins every process (up to @timeout_seconds each) and returns TRUE when
 * all exited; their results are read with fy_process_get_result (). */
gboolean   fy_scenario_join_all     (GPtrArray      *processes,
                                     double          timeout_seconds,
                                     GError        **error);
/* "[0, 1, 4]" for an array of int64 GVariants (or a GVariant "ax"). */
char      *fy_scenario_format_ints  (const gint64   *values,
                                     gsize           n_values);

G_END_DECLS
