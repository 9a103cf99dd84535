/* fy-cpu-sampler.h: per-core and total CPU busy fractions, on a timer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Busy convention (GNOME System Monitor's, from /proc/stat's columns):
 * busy = user + nice + system; idle and iowait count as idle; irq and
 * softirq count in the total but not as busy; steal and guest are not
 * counted at all (guest time is already inside user). So over one
 * interval, for each core:
 *
 *   busy = Δ(user + nice + system) / Δ(user + nice + system + idle + iowait + irq + softirq)
 *
 * and the user / system split is Δ(user + nice) / Δtotal and
 * Δsystem / Δtotal. The total line is the same sums taken over the cores
 * that have a figure.
 *
 * The sampler reads its source every interval (1 s by default, 0.25 s to
 * 10 s) from a timer in the thread-default main context of the thread that
 * created it, updates the histories and the processes, then emits
 * ::sampled. Pause it while nothing shows its figures.
 */

#pragma once

#include "fy-history.h"
#include "fy-process-sampler.h"
#include "fy-sample-source.h"

G_BEGIN_DECLS

#define FY_CPU_SAMPLER_MIN_INTERVAL      250
#define FY_CPU_SAMPLER_DEFAULT_INTERVAL 1000
#define FY_CPU_SAMPLER_MAX_INTERVAL    10000

/* One core (or the total) over the last interval. The fractions go from 0
 * to 1 and are NAN when there is no figure: the core is offline, has just
 * come (back) online, or this was the first reading. */
typedef struct
{
  gboolean online;
  double   busy;     /* user + system */
  double   user;     /* user + nice */
  double   system;
} FyCpuLoad;

#define FY_TYPE_CPU_SAMPLER (fy_cpu_sampler_get_type ())
G_DECLARE_FINAL_TYPE (FyCpuSampler, fy_cpu_sampler, FY, CPU_SAMPLER, GObject)

/* @source NULL means fy_default_source_new (). The sampler starts
 * running unless created with "paused" TRUE. */
FyCpuSampler     *fy_cpu_sampler_new                (FySampleSource *source);
FySampleSource   *fy_cpu_sampler_get_source         (FyCpuSampler   *self);
/* Updated on every tick, before ::sampled; add the pids to watch. */
FyProcessSampler *fy_cpu_sampler_get_processes      (FyCpuSampler   *self);

/* Milliseconds, FY_CPU_SAMPLER_MIN_INTERVAL to _MAX_INTERVAL. */
guint             fy_cpu_sampler_get_interval       (FyCpuSampler   *self);
void              fy_cpu_sampler_set_interval       (FyCpuSampler   *self,
                                                     guint           interval_ms);
gboolean          fy_cpu_sampler_get_paused         (FyCpuSampler   *self);
/* Resuming takes a fresh reading, so the first figures after a pause
 * cover one interval, not the pause. */
void              fy_cpu_sampler_set_paused         (FyCpuSampler   *self,
                                                     gboolean        paused);
/* Samples kept per history, 1 to FY_HISTORY_MAX_CAPACITY. */
guint             fy_cpu_sampler_get_history_length (FyCpuSampler   *self);
void              fy_cpu_sampler_set_history_length (FyCpuSampler   *self,
                                                     guint           length);

/* Reads the source now, as a timer tick does. TRUE when new figures were
 * computed (and ::sampled emitted); FALSE for the first reading, which only
 * sets the baseline, and on error (with @error set). */
gboolean          fy_cpu_sampler_sample             (FyCpuSampler   *self,
                                                     GError        **error);
/* Ticks that produced figures so far. */
guint64           fy_cpu_sampler_get_n_samples      (FyCpuSampler   *self);

guint             fy_cpu_sampler_get_n_cpus         (FyCpuSampler   *self);
const FyCpuLoad  *fy_cpu_sampler_get_core           (FyCpuSampler   *self,
                                                     guint           cpu);
const FyCpuLoad  *fy_cpu_sampler_get_total          (FyCpuSampler   *self);
/* The 1, 5 and 15 minute load averages of the last reading. */
void              fy_cpu_sampler_get_load_average   (FyCpuSampler   *self,
                                                     double          load[3]);

/* Busy fractions, one value per tick (NAN for no figure). */
FyHistory        *fy_cpu_sampler_get_core_history   (FyCpuSampler   *self,
                                                     guint           cpu);
FyHistory        *fy_cpu_sampler_get_total_history  (FyCpuSampler   *self);
FyHistory        *fy_cpu_sampler_get_user_history   (FyCpuSampler   *self);
FyHistory        *fy_cpu_sampler_get_system_history (FyCpuSampler   *self);

G_END_DECLS
