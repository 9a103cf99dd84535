/* fy-result-json.h: one workload result as JSON, for every exporter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * forkyard-cli --json and the app's results export write the same
 * document; the parts that describe one input live here so the two cannot
 * drift apart:
 *
 *   "results": one entry per input, null when it failed: a number for fib
 *              and sleep, a decimal string for sumsq (it exceeds 2^53),
 *              {"path", "sha256"} for hash, {"input", "output", "width",
 *              "height"} for resize, {"busy_fraction", "cpu_seconds",
 *              "wall_seconds", "cpu"} for load (the share of its wall time
 *              the task was on a CPU, and the CPU it last ran on), all three
 *              with "worker_pid" and "seconds";
 *   "failed":  {"index", "input", "error", "worker_pid"} and, when the
 *              worker died, "signal" (ended by a signal) or "exit_code".
 *
 * Paths need not be UTF-8; invalid bytes become U+FFFD so one odd file
 * name cannot break the whole document.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A path as a JSON string value. */
void      fy_result_json_add_path  (JsonBuilder *builder,
                                    const char  *path);
/* The "results" entry of one input of @workload ("fib", "sumsq", "sleep",
 * "hash", "resize" or "load") whose own result is @result: "x", "s", "u",
 * the digest "s", "(ayii)", "(dddi)". @input is its path for hash and resize; files are
 * tasks a user follows, so their entries say which worker ran each
 * (@worker_pid) and for how long (@seconds). */
JsonNode *fy_result_json_new_value (const char  *workload,
                                    const char  *input,
                                    GVariant    *result,
                                    GPid         worker_pid,
                                    double       seconds);
/* The "failed" entry of input @index. @worker_exitcode is the exit code of
 * the worker that died running it (-N for signal N), 0 when none did. */
JsonNode *fy_result_json_new_failure (guint       index,
                                      const char *input,
                                      const char *error,
                                      GPid        worker_pid,
                                      int         worker_exitcode);

G_END_DECLS
