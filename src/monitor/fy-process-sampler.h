/* fy-process-sampler.h: per-process figures for a set of pids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPU % is over the last interval on the per-core scale: 100 % is one core
 * fully busy, so a process with four busy threads can show 400 %.
 *
 * A process that vanished (or whose pid now belongs to another process,
 * told by its start time) is reported gone: @gone is TRUE and every other
 * figure is cleared. A gone entry is never read again; it stays until it is
 * removed so a table can show what happened.
 */

#pragma once

#include "fy-sample-source.h"

G_BEGIN_DECLS

typedef struct
{
  GPid     pid;
  gboolean gone;
  gboolean valid;        /* FALSE until the first successful reading */
  char     name[40];
  char     state;        /* R, S, D, T, Z, W, '?'; '\0' when gone */
  int      last_cpu;     /* -1 when unknown */
  int      ppid;
  int      nice;
  guint    n_threads;
  double   cpu_percent;  /* NAN until two readings */
  guint64  rss;          /* bytes */
  gint64   start_time;   /* seconds since the epoch */
} FyProcessInfo;

#define FY_TYPE_PROCESS_SAMPLER (fy_process_sampler_get_type ())
G_DECLARE_FINAL_TYPE (FyProcessSampler, fy_process_sampler, FY, PROCESS_SAMPLER, GObject)

FyProcessSampler    *fy_process_sampler_new             (FySampleSource   *source);
FySampleSource      *fy_process_sampler_get_source      (FyProcessSampler *self);
/* Adding a pid already watched does nothing. */
void                 fy_process_sampler_add             (FyProcessSampler *self,
                                                         GPid              pid);
void                 fy_process_sampler_remove          (FyProcessSampler *self,
                                                         GPid              pid);
/* Forgets the processes reported gone. */
void                 fy_process_sampler_remove_gone     (FyProcessSampler *self);
guint                fy_process_sampler_get_n_processes (FyProcessSampler *self);
/* In the order they were added; valid until the next add or remove. */
const FyProcessInfo *fy_process_sampler_get_nth         (FyProcessSampler *self,
                                                         guint             index);
/* NULL when @pid is not watched. */
const FyProcessInfo *fy_process_sampler_lookup          (FyProcessSampler *self,
                                                         GPid              pid);
/* Reads every watched process now, then emits ::updated. */
void                 fy_process_sampler_update          (FyProcessSampler *self);
/* The same, with the monotonic time of the reading given (in µs), so that
 * scripted figures give exact CPU percentages. */
void                 fy_process_sampler_update_at       (FyProcessSampler *self,
                                                         gint64            now_us);

G_END_DECLS
