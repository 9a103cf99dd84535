/* fy-fake-source.h: scripted figures for tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each read of the CPUs takes the next scripted tick vector from a queue.
 * When the queue is empty the read fails with FY_MONITOR_ERROR_NO_DATA,
 * unless auto-advance is on: then every online core's counters move on by
 * a fixed, per-core amount (100 ticks, of which 10 + (i * 7) % 81 busy), so
 * a source can run for ever with predictable figures.
 */

#pragma once

#include "fy-sample-source.h"

G_BEGIN_DECLS

#define FY_TYPE_FAKE_SOURCE (fy_fake_source_get_type ())
G_DECLARE_FINAL_TYPE (FyFakeSource, fy_fake_source, FY, FAKE_SOURCE, GObject)

FyFakeSource *fy_fake_source_new               (guint               n_cpus);
/* Queues one reading: @ticks holds n_cpus entries and is copied; @load may
 * be NULL for zeroes. */
void          fy_fake_source_push_cpus         (FyFakeSource       *self,
                                                const FyCpuTicks   *ticks,
                                                const double       *load);
guint         fy_fake_source_get_n_pending     (FyFakeSource       *self);
void          fy_fake_source_set_auto_advance  (FyFakeSource       *self,
                                                gboolean            auto_advance);
/* The figures read_process () returns for @pid until changed or removed;
 * copied. */
void          fy_fake_source_set_process       (FyFakeSource       *self,
                                                GPid                pid,
                                                const FyProcStat   *stat);
void          fy_fake_source_remove_process    (FyFakeSource       *self,
                                                GPid                pid);

G_END_DECLS
