/* fy-scenario.h: the classic multiprocessing examples as runnable scenarios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A scenario is one of the seeds' examples rebuilt on libforkyard: a title,
 * a paragraph that explains it, the idea in Python beside the C call that
 * Forkyard makes, the outcome to expect, and a run function. The run
 * function is the seed's main program: it creates the shared objects (which
 * the registry, and so the IPC inspector, lists while they live), starts
 * worker processes that run the bodies in fy-workloads-scenarios.c, prints
 * what the seed prints, and checks the outcome.
 *
 * Printed lines go into a shared list that the children append to as well,
 * so the output keeps the order in which the processes printed it whatever
 * reads it: forkyard-cli prints it, the Playground page shows it live.
 *
 * A run blocks the calling thread and iterates its thread-default main
 * context while it waits (that is where its pools live): the application
 * runs scenarios on a thread of their own.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _FyScenarioRun FyScenarioRun;

/* Prints with fy_scenario_run_print () and settles the outcome with
 * fy_scenario_run_set_outcome (). FALSE with @error when the scenario
 * could not run at all (a process failed to start …). */
typedef gboolean (*FyScenarioFunc) (FyScenarioRun  *run,
                                    GError        **error);

typedef struct
{
  const char     *name;         /* "race-condition" */
  const char     *title;        /* translatable (N_), shown with _() */
  const char     *summary;      /* translatable one line, for --list */
  const char     *explanation;  /* translatable paragraph */
  const char     *python;       /* the seed's idea in a few lines of Python */
  const char     *c_code;       /* the libforkyard calls that do the same */
  const char     *expected;     /* translatable: the outcome to expect */
  FyScenarioFunc  run;
} FyScenarioInfo;

/* Every scenario, in teaching order; @n_scenarios gets their number. */
const FyScenarioInfo *fy_scenario_get_all (guint      *n_scenarios);
const FyScenarioInfo *fy_scenario_lookup  (const char *name);

/* @interactive: someone watches (the Playground page): steps last long
 * enough to be seen in the inspector and waits give the user time to
 * poke; headless runs go at full speed. */
FyScenarioRun        *fy_scenario_run_new          (const FyScenarioInfo  *info,
                                                    gboolean               interactive,
                                                    GError               **error);
FyScenarioRun        *fy_scenario_run_ref          (FyScenarioRun         *run);
void                  fy_scenario_run_unref        (FyScenarioRun         *run);
const FyScenarioInfo *fy_scenario_run_get_info     (FyScenarioRun         *run);
gboolean              fy_scenario_run_is_interactive (FyScenarioRun       *run);

/* Runs the scenario; TRUE when it ran (matched or not), FALSE with @error
 * when it could not. Once only. */
gboolean              fy_scenario_run_execute      (FyScenarioRun         *run,
                                                    GError               **error);

/* The same on a thread of its own, with a fresh thread-default main
 * context for the run's pools; @callback runs in the caller's context. */
void                  fy_scenario_run_execute_async  (FyScenarioRun       *run,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean              fy_scenario_run_execute_finish (FyScenarioRun       *run,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Lines printed since the last call, by any process of the run. Call from
 * one thread only; safe while the run executes on another. */
GStrv                 fy_scenario_run_take_lines   (FyScenarioRun         *run);

/* After execute. */
gboolean              fy_scenario_run_get_matched  (FyScenarioRun         *run);
const char           *fy_scenario_run_get_outcome  (FyScenarioRun         *run);
/* Figures the scenario measured (a{sv}), for --json and the page. */
GVariant             *fy_scenario_run_get_details  (FyScenarioRun         *run);

/* ---- for the run functions -------------------------------------------- */

void                  fy_scenario_run_print        (FyScenarioRun         *run,
                                                    const char            *format,
                                                    ...) G_GNUC_PRINTF (2, 3);
/* The shared list the children print into (give it to them as an fd). */
int                   fy_scenario_run_get_output_fd (FyScenarioRun        *run);
void                  fy_scenario_run_set_outcome  (FyScenarioRun         *run,
                                                    gboolean               matched,
                                                    const char            *format,
                                                    ...) G_GNUC_PRINTF (3, 4);
/* @value: a floating reference is sunk. */
void                  fy_scenario_run_add_detail   (FyScenarioRun         *run,
                                                    const char            *key,
                                                    GVariant              *value);
/* Scales a duration: @headless_ms, or @interactive_ms when watched. */
guint                 fy_scenario_run_ms           (FyScenarioRun         *run,
                                                    guint                  headless_ms,
                                                    guint                  interactive_ms);
/* Sleeps @ms while iterating the thread-default main context. */
void                  fy_scenario_run_sleep        (FyScenarioRun         *run,
                                                    guint                  ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyScenarioRun, fy_scenario_run_unref)

G_END_DECLS
