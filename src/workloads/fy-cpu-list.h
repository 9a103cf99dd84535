/* fy-cpu-list.h: CPU lists as Linux writes them ("0-3,6")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The syntax of /sys/devices/system/cpu/online, taskset -c and the
 * Cpus_allowed_list line of /proc/PID/status: comma-separated CPU numbers
 * and inclusive ranges.
 */

#pragma once

#include <sched.h>

#include <glib.h>

G_BEGIN_DECLS

/* The environment variable that pins a worker: forkyard-worker sets its
 * affinity to this list before it runs anything. */
#define FY_WORKER_CPUS_ENV "FY_WORKER_CPUS"

/* Parses @text into @out_set. FY_WORKLOAD_ERROR_INVALID_ARGUMENT on bad
 * syntax, an empty list or a CPU number beyond CPU_SETSIZE. */
gboolean fy_cpu_list_parse       (const char  *text,
                                  cpu_set_t   *out_set,
                                  GError     **error);
/* Parses @text and checks every CPU in it is online, with an error that
 * names the first that is not and the online list. */
gboolean fy_cpu_list_parse_online (const char  *text,
                                   cpu_set_t   *out_set,
                                   GError     **error);
/* "0-3,6" */
char    *fy_cpu_list_format      (const cpu_set_t *set);

G_END_DECLS
