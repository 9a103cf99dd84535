/* fy-task-timeline-record.c: what the task timeline remembers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lanes, their segments (one per worker that held the slot) and bars, from
 * the pool's task-started, task-finished and worker-spawned signals, or
 * from a script in tests; and, from each CPU sample, the strip's per-core
 * levels and the cores each running task's worker was seen on. A retried
 * task ends its old bar as failed and starts a new one where it runs now.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <math.h>
#include <string.h>

#include "fy-graph-util.h"
#include "fy-task-timeline-private.h"

/* The strip keeps at most this many samples; the oldest quarter goes. */
#define MAX_SAMPLES   3600

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static Lane *
get_lane (FyTaskTimeline *self,
          guint           index)
{
  while (self->lanes->len <= index)
    {
      Lane lane = {
        g_array_new (FALSE, FALSE, sizeof (FyTimelineBar)),
        g_array_new (FALSE, FALSE, sizeof (Segment)),
      };

      g_array_append_val (self->lanes, lane);
    }
  return &g_array_index (self->lanes, Lane, index);
}

static void
add_segment (FyTaskTimeline *self,
             guint           lane_index,
             GPid            pid,
             gint64          start)
{
  Lane *lane = get_lane (self, lane_index);

  if (lane->segments->len > 0
      && g_array_index (lane->segments, Segment, lane->segments->len - 1).pid == pid)
    return;
  g_array_append_vals (lane->segments, &(Segment) { pid, start }, 1);
  if (self->origin == 0 || start < self->origin)
    self->origin = start;
}

static guint
add_task (FyTaskTimeline *self,
          FyFuture       *future,
          guint           lane)
{
  Task task = { future != NULL ? g_object_ref (future) : NULL, lane, G_MAXUINT, 0 };

  g_array_append_val (self->tasks, task);
  if (future != NULL)
    g_hash_table_insert (self->task_ids, future, GUINT_TO_POINTER (self->tasks->len));
  return self->tasks->len - 1;
}

static void
start_bar (FyTaskTimeline *self,
           guint           task_index,
           gint64          start)
{
  Task *task = &g_array_index (self->tasks, Task, task_index);
  Lane *lane = get_lane (self, task->lane);
  FyTimelineBar bar = { start, 0, FY_TIMELINE_RUNNING, task_index };

  g_array_append_val (lane->bars, bar);
  task->bar = lane->bars->len - 1;
  self->n_state[FY_TIMELINE_RUNNING]++;
  if (self->origin == 0 || start < self->origin)
    self->origin = start;
}

static void
end_bar (FyTaskTimeline  *self,
         guint            task_index,
         gint64           end,
         FyTimelineState  state)
{
  Task *task = &g_array_index (self->tasks, Task, task_index);
  Lane *lane = &g_array_index (self->lanes, Lane, task->lane);
  FyTimelineBar *bar = &g_array_index (lane->bars, FyTimelineBar, task->bar);

  if (bar->end != 0)
    return;
  bar->end = MAX (end, bar->start + 1);
  bar->state = state;
  self->n_state[FY_TIMELINE_RUNNING]--;
  self->n_state[state]++;
}

static FyTimelineState
future_state (FyFuture *future)
{
  const GError *error = fy_future_get_error (future);

  switch (fy_future_get_state (future))
    {
    case FY_FUTURE_STATE_DONE:
      return FY_TIMELINE_DONE;
    case FY_FUTURE_STATE_CANCELLED:
      return FY_TIMELINE_CANCELLED;
    case FY_FUTURE_STATE_FAILED:
      return g_error_matches (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT)
             ? FY_TIMELINE_TIMED_OUT : FY_TIMELINE_FAILED;
    default:
      return FY_TIMELINE_RUNNING;
    }
}

static guint
lane_of_pid (FyTaskTimeline *self,
             GPid            pid)
{
  FyPoolWorker *worker = fy_pool_find_worker (self->pool, pid);

  if (worker != NULL)
    return fy_pool_worker_get_slot (worker);
  /* The worker is gone already: find the lane that had it. */
  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = &g_array_index (self->lanes, Lane, l);

      for (guint s = 0; s < lane->segments->len; s++)
        if (g_array_index (lane->segments, Segment, s).pid == pid)
          return l;
    }
  return self->lanes->len;
}

static void
task_started_cb (FyTaskTimeline *self,
                 FyFuture       *future)
{
  gpointer id = g_hash_table_lookup (self->task_ids, future);
  GPid pid = fy_future_get_worker_pid (future);
  gint64 start = fy_future_get_started_at (future);
  guint lane = lane_of_pid (self, pid);
  guint index;

  if (start <= 0)
    start = now_us ();
  if (id != NULL)
    {
      /* Started again: its worker died and the task is retried. */
      index = GPOINTER_TO_UINT (id) - 1;
      end_bar (self, index, start, FY_TIMELINE_FAILED);
      g_array_index (self->tasks, Task, index).lane = lane;
    }
  else
    index = add_task (self, future, lane);
  add_segment (self, lane, pid, start);
  start_bar (self, index, start);
  fy_task_timeline_changed (self);
}

static void
task_finished_cb (FyTaskTimeline *self,
                  FyFuture       *future)
{
  gpointer id = g_hash_table_lookup (self->task_ids, future);
  gint64 end = fy_future_get_finished_at (future);

  /* Cancelled before any worker took it: counted, never drawn. */
  if (id == NULL)
    {
      self->n_state[future_state (future)]++;
      fy_task_timeline_changed (self);
      return;
    }
  end_bar (self, GPOINTER_TO_UINT (id) - 1, end > 0 ? end : now_us (), future_state (future));
  fy_task_timeline_changed (self);
}

static void
worker_spawned_cb (FyTaskTimeline *self,
                   FyPoolWorker   *worker)
{
  gint64 start = fy_pool_worker_get_started_at (worker);

  add_segment (self, fy_pool_worker_get_slot (worker), fy_pool_worker_get_pid (worker),
               start > 0 ? start : now_us ());
  if (self->sampler != NULL)
    fy_process_sampler_add (fy_cpu_sampler_get_processes (self->sampler),
                            fy_pool_worker_get_pid (worker));
  fy_task_timeline_changed (self);
}

void
fy_task_timeline_reset (FyTaskTimeline *self)
{
  g_array_set_size (self->lanes, 0);
  g_array_set_size (self->tasks, 0);
  g_hash_table_remove_all (self->task_ids);
  memset (self->n_state, 0, sizeof self->n_state);
  self->n_scripted = 0;
  self->origin = 0;
  self->selected = -1;
  self->follow = TRUE;
  g_array_set_size (self->sample_times, 0);
  g_byte_array_set_size (self->sample_levels, 0);
}

void
fy_task_timeline_watch_pool (FyTaskTimeline *self)
{
  GListModel *workers = fy_pool_get_workers (self->pool);
  GListModel *tasks = fy_pool_get_tasks (self->pool);

  g_signal_connect_swapped (self->pool, "task-started", G_CALLBACK (task_started_cb), self);
  g_signal_connect_swapped (self->pool, "task-finished", G_CALLBACK (task_finished_cb), self);
  g_signal_connect_swapped (self->pool, "worker-spawned", G_CALLBACK (worker_spawned_cb), self);

  /* What the pool did before it was set. */
  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, i);

      worker_spawned_cb (self, worker);
    }
  for (guint i = 0; i < g_list_model_get_n_items (tasks); i++)
    {
      g_autoptr(FyFuture) future = g_list_model_get_item (tasks, i);

      if (fy_future_get_started_at (future) > 0 && fy_future_get_worker_pid (future) > 0)
        {
          task_started_cb (self, future);
          if (fy_future_is_finished (future))
            task_finished_cb (self, future);
        }
      else if (fy_future_is_finished (future))
        task_finished_cb (self, future);
    }
}

void
fy_task_timeline_sampled (FyTaskTimeline *self)
{
  guint n_cpus = fy_cpu_sampler_get_n_cpus (self->sampler);
  FyProcessSampler *processes = fy_cpu_sampler_get_processes (self->sampler);
  gint64 now = now_us ();

  if (self->pool == NULL && self->n_scripted == 0)
    return;
  if (n_cpus != self->strip_n_cpus)
    {
      g_array_set_size (self->sample_times, 0);
      g_byte_array_set_size (self->sample_levels, 0);
      self->strip_n_cpus = n_cpus;
    }
  if (self->sample_times->len >= MAX_SAMPLES)
    {
      g_array_remove_range (self->sample_times, 0, MAX_SAMPLES / 4);
      g_byte_array_remove_range (self->sample_levels, 0, MAX_SAMPLES / 4 * n_cpus);
    }
  g_array_append_val (self->sample_times, now);
  for (guint i = 0; i < n_cpus; i++)
    {
      double busy = fy_cpu_sampler_get_core (self->sampler, i)->busy;
      guint8 level = isnan (busy) ? NO_LEVEL : fy_graph_heat_level (busy);

      g_byte_array_append (self->sample_levels, &level, 1);
    }

  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = &g_array_index (self->lanes, Lane, l);
      FyTimelineBar *bar;
      const FyProcessInfo *info;

      if (lane->bars->len == 0 || lane->segments->len == 0)
        continue;
      bar = &g_array_index (lane->bars, FyTimelineBar, lane->bars->len - 1);
      info = fy_process_sampler_lookup (processes,
                                        g_array_index (lane->segments, Segment, lane->segments->len - 1).pid);
      if (bar->end == 0 && info != NULL && info->last_cpu >= 0 && info->last_cpu < 64)
        g_array_index (self->tasks, Task, bar->task).cores |= G_GUINT64_CONSTANT (1) << info->last_cpu;
    }

  /* A live run redraws every frame anyway; after it, a sample past the
   * right edge of the view (where following stops at the last bar) or
   * before its left changes nothing on screen. */
  if (self->tick_id == 0 && self->us_per_px > 0
      && now >= self->view_start
      && now <= self->view_start + (gint64) (self->plot.size.width * self->us_per_px))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- scripted timelines, for tests ------------------------------------- */

void
fy_task_timeline_add_scripted_worker (FyTaskTimeline *self,
                                      guint           lane,
                                      GPid            pid,
                                      gint64          start)
{
  g_return_if_fail (FY_IS_TASK_TIMELINE (self));
  g_return_if_fail (self->pool == NULL);

  add_segment (self, lane, pid, start);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  fy_task_timeline_changed (self);
}

void
fy_task_timeline_add_scripted_task (FyTaskTimeline  *self,
                                    guint            lane,
                                    gint64           start,
                                    gint64           end,
                                    FyTimelineState  state)
{
  guint index;

  g_return_if_fail (FY_IS_TASK_TIMELINE (self));
  g_return_if_fail (self->pool == NULL);
  g_return_if_fail (lane < self->lanes->len);

  index = add_task (self, NULL, lane);
  self->n_scripted++;
  start_bar (self, index, start);
  if (end > 0)
    end_bar (self, index, end, state);
  fy_task_timeline_changed (self);
}
