/* fuzz-target.h: what every fuzz target defines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer's entry point. The same sources also build, with fuzz-main.c
 * instead of libFuzzer, into programs that replay the seed corpus and the
 * regressions in the normal test suites.
 */

#pragma once

#include <glib.h>
#include <stddef.h>

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);
