/* fy-test-process.h: child processes for the core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/fy-process.h"

G_BEGIN_DECLS

/* Starts @function with @argument in a worker, passing the fds that follow
 * (ending with -1); asserts it started. */
FyProcess *fy_test_spawn         (const char *function,
                                  GVariant   *argument,
                                  ...);
/* Joins @process and asserts it exited with status 0. */
void       fy_test_join_ok       (FyProcess  *process);
double     fy_test_seconds_since (gint64      start);
/* The state letter of /proc/PID/stat ('T' once stopped), or 0 when the
 * process is gone. */
char       fy_test_proc_state    (GPid        pid);
/* How many fds this process has open, from /proc/self/fd. */
guint      fy_test_count_open_fds (void);

G_END_DECLS
