/* fy-cli-parse.h: parsers of forkyard-cli's option values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions on untrusted text, kept apart from the commands so the
 * fuzzer (tests/fuzz) can drive them without a pool.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "90", "90s", "1.5m", "2m", "1h": a duration above 0 and at most a week,
 * in seconds. FALSE with G_OPTION_ERROR_BAD_VALUE and a message naming
 * what is wrong otherwise. */
gboolean fy_cli_parse_duration (const char  *text,
                                double      *out_seconds,
                                GError     **error);

G_END_DECLS
