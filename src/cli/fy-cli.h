/* fy-cli.h: the subcommands of forkyard-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each subcommand gets argv starting at its own name and returns the
 * process exit status: 0 success, 1 some tasks failed, 2 usage error,
 * 130 interrupted.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FY_CLI_EXIT_OK          0
#define FY_CLI_EXIT_FAILED      1
#define FY_CLI_EXIT_USAGE       2
#define FY_CLI_EXIT_INTERRUPTED 130

/* fib, sumsq, sleep, hash, resize, load */
int  fy_cli_run_main     (int argc, char **argv);
/* monitor */
int  fy_cli_monitor_main (int argc, char **argv);
/* scenario */
int  fy_cli_scenario_main (int argc, char **argv);
/* stress */
int  fy_cli_stress_main  (int argc, char **argv);
/* Starts the program afresh with G_SLICE=always-malloc unless G_SLICE is
 * set; @argv: main ()'s. Returns only when it did not (see there). */
void fy_cli_stress_use_plain_malloc (char **argv);

/* Prints "forkyard-cli: MESSAGE" on stderr. */
void fy_cli_error        (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
