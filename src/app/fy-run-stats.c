/* fy-run-stats.c: the figures a run derives: its rate, its summed task time, its verdict
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "fy-run-stats.h"

gboolean
fy_run_rate_sample (FyRunRate *rate,
                    gint64     now,
                    guint      n_finished,
                    gint64     started_at,
                    double    *out_rate)
{
  guint last = (rate->next + FY_RUN_RATE_SAMPLES - 1) % FY_RUN_RATE_SAMPLES;
  guint oldest;

  if (rate->filled > 0 && now - rate->time[last] < FY_RUN_RATE_STEP_USEC)
    return FALSE;

  rate->time[rate->next] = now;
  rate->count[rate->next] = n_finished;
  rate->next = (rate->next + 1) % FY_RUN_RATE_SAMPLES;
  rate->filled = MIN (rate->filled + 1, FY_RUN_RATE_SAMPLES);

  oldest = (rate->next + FY_RUN_RATE_SAMPLES - rate->filled) % FY_RUN_RATE_SAMPLES;
  *out_rate = 0;
  if (rate->filled > 1 && now > rate->time[oldest])
    *out_rate = (n_finished - rate->count[oldest]) /
                ((now - rate->time[oldest]) / (double) G_USEC_PER_SEC);
  else if (now > started_at)
    *out_rate = n_finished / ((now - started_at) / (double) G_USEC_PER_SEC);
  return TRUE;
}

void
fy_run_task_time_init (FyRunTaskTime *task_time)
{
  task_time->free_since = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  task_time->usec = 0;
}

void
fy_run_task_time_clear (FyRunTaskTime *task_time)
{
  g_clear_pointer (&task_time->free_since, g_hash_table_unref);
}

/* A task's time, as the parent can know it: from when its worker was free
 * for it (the end of that worker's previous task, or the worker's spawn,
 * but not before the run began) to its end. The task's own start is when
 * the parent read the worker's acknowledgement, which for short tasks
 * arrives together with the result, so it would count next to nothing. */
void
fy_run_task_time_add (FyRunTaskTime *task_time,
                      FyPool        *pool,
                      FyFuture      *task,
                      gint64         run_started)
{
  gint64 finished = fy_future_get_finished_at (task);
  GPid pid = fy_future_get_worker_pid (task);
  gpointer previous;
  gint64 free_since;
  gint64 *stored;

  /* Cancelled tasks that never ran cost nothing. */
  if (fy_future_get_started_at (task) == 0 || pid == 0 || finished == 0)
    return;

  if (g_hash_table_lookup_extended (task_time->free_since, GINT_TO_POINTER (pid), NULL, &previous))
    free_since = *(gint64 *) previous;
  else
    {
      FyPoolWorker *worker = pool != NULL ? fy_pool_find_worker (pool, pid) : NULL;

      free_since = worker != NULL ? fy_pool_worker_get_started_at (worker)
                                  : fy_future_get_started_at (task);
    }
  free_since = MAX (free_since, run_started);
  if (finished > free_since)
    task_time->usec += finished - free_since;

  stored = g_new (gint64, 1);
  *stored = finished;
  g_hash_table_insert (task_time->free_since, GINT_TO_POINTER (pid), stored);
}

char *
fy_run_verdict_new (gboolean cancelled,
                    int      n_workers,
                    double   wall_seconds,
                    double   speedup,
                    guint    done,
                    guint    failed,
                    guint    total)
{
  g_autofree char *workers = NULL;
  g_autofree char *line = NULL;

  if (cancelled)
    /* TRANSLATORS: the verdict of a cancelled run */
    return g_strdup_printf (_("Cancelled after %.1f s: %u of %u tasks done"),
                            wall_seconds, done, total);

  workers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d worker", "%d workers", n_workers),
                             n_workers);
  /* TRANSLATORS: the verdict of a run, "2 workers, 1.93× faster than one" */
  line = speedup >= 1.0
    ? g_strdup_printf (_("%s, %.2f× faster than one"), workers, speedup)
    : g_strdup_printf (_("%s, %.2f× the speed of one"), workers, speedup);
  if (failed == 0)
    return g_steal_pointer (&line);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; %u task failed", "%s; %u tasks failed", failed),
                          line, failed);
}
