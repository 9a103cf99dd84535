/* fy-sample-source.h: where the monitor's raw counters come from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The samplers never read the system directly: they ask a FySampleSource
 * for per-core tick counters, the load average and per-process figures.
 * FyGtopSource reads the running system through libgtop; FyFakeSource
 * replays scripted figures so any core count can be exercised anywhere;
 * fy-default-source.h picks one of them.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FY_MONITOR_ERROR (fy_monitor_error_quark ())

typedef enum
{
  FY_MONITOR_ERROR_FAILED,
  FY_MONITOR_ERROR_NO_DATA,   /* a scripted source ran out of figures */
  FY_MONITOR_ERROR_GONE,      /* the process does not exist (any more) */
} FyMonitorError;

GQuark fy_monitor_error_quark (void);

/* Cumulative ticks of one core since boot, as in a "cpuN" line of
 * /proc/stat. An offline core has @online FALSE and its counters are
 * meaningless. */
typedef struct
{
  guint64  user;
  guint64  nice;
  guint64  sys;
  guint64  idle;
  guint64  iowait;
  guint64  irq;
  guint64  softirq;
  gboolean online;
} FyCpuTicks;

/* One process as seen at one instant. */
typedef struct
{
  char     name[40];     /* the executable's basename, truncated */
  char     state;        /* R, S, D, T, Z, W, or '?' when unknown */
  int      last_cpu;     /* the core it last ran on, -1 when unknown */
  int      ppid;
  int      nice;
  guint    n_threads;
  guint64  cpu_time_us;  /* user + system CPU time consumed so far */
  guint64  rss;          /* resident set size, in bytes */
  gint64   start_time;   /* seconds since the epoch */
  guint64  start_ticks;  /* clock ticks since boot at start: with the pid,
                          * tells a process from a later one reusing it */
} FyProcStat;

#define FY_TYPE_SAMPLE_SOURCE (fy_sample_source_get_type ())
G_DECLARE_INTERFACE (FySampleSource, fy_sample_source, FY, SAMPLE_SOURCE, GObject)

struct _FySampleSourceInterface
{
  GTypeInterface parent_iface;

  guint    (*get_n_cpus)   (FySampleSource *self);
  gboolean (*read_cpus)    (FySampleSource *self,
                            FyCpuTicks     *ticks,
                            guint           n_ticks,
                            double          load[3],
                            GError        **error);
  gboolean (*read_process) (FySampleSource *self,
                            GPid            pid,
                            FyProcStat     *stat,
                            GError        **error);
};

/* The number of cores the source reports, online or not; fixed for the
 * source's lifetime. */
guint           fy_sample_source_get_n_cpus   (FySampleSource *self);
/* Fills @ticks (n_ticks must equal n_cpus) and the 1, 5 and 15 minute load
 * averages. */
gboolean        fy_sample_source_read_cpus    (FySampleSource *self,
                                               FyCpuTicks     *ticks,
                                               guint           n_ticks,
                                               double          load[3],
                                               GError        **error);
/* FALSE with FY_MONITOR_ERROR_GONE when @pid does not exist. On failure
 * @stat is zeroed, never left half-filled. */
gboolean        fy_sample_source_read_process (FySampleSource *self,
                                               GPid            pid,
                                               FyProcStat     *stat,
                                               GError        **error);

G_END_DECLS
