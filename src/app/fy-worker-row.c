/* fy-worker-row.c: one row of the workers table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-worker-row.h"

/* The table's columns; each is a pair of properties. */
typedef enum
{
  COLUMN_PID,
  COLUMN_STATE,
  COLUMN_STATE_NAME,
  COLUMN_LAST_CPU,
  COLUMN_CPU_PERCENT,
  COLUMN_RSS,
  COLUMN_TASK,
  COLUMN_DONE,
  COLUMN_UPTIME,
  N_COLUMNS
} Column;

static const char *const column_names[N_COLUMNS] = {
  "pid", "state", "state-name", "last-cpu", "cpu-percent", "rss", "task", "done", "uptime",
};

struct _FyWorkerRow
{
  GObject        parent_instance;

  FyPoolWorker  *worker;
  GListModel    *tasks;
  FyProcessInfo  info;
  gboolean       has_info;
  gint64         now_us;

  char          *text[N_COLUMNS];
  char          *description[N_COLUMNS];

  /* CPU % of each reading, for the table's sparkline. */
  FyHistory     *history;
  guint64        n_samples;
};

G_DEFINE_FINAL_TYPE (FyWorkerRow, fy_worker_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WORKER,
  PROP_HISTORY,
  PROP_N_SAMPLES,
  PROP_FIRST_TEXT,
  PROP_FIRST_DESCRIPTION = PROP_FIRST_TEXT + N_COLUMNS,
  N_PROPS = PROP_FIRST_DESCRIPTION + N_COLUMNS
};

static GParamSpec *properties[N_PROPS];

static void
set_column (FyWorkerRow *self,
            Column       column,
            char        *text,          /* taken */
            char        *description)   /* taken */
{
  if (g_strcmp0 (self->text[column], text) != 0)
    {
      g_free (self->text[column]);
      self->text[column] = text;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_TEXT + column]);
    }
  else
    g_free (text);

  if (g_strcmp0 (self->description[column], description) != 0)
    {
      g_free (self->description[column]);
      self->description[column] = description;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_DESCRIPTION + column]);
    }
  else
    g_free (description);
}

static char
state_letter (FyWorkerRow *self)
{
  FyPoolWorkerState state = fy_pool_worker_get_state (self->worker);

  /* The pool knows first: a stopped or reaped worker shows so at once,
   * before the next reading of its process. */
  if (state == FY_POOL_WORKER_STATE_EXITED)
    return 'X';
  if (state == FY_POOL_WORKER_STATE_STOPPED)
    return 'T';
  if (self->has_info && !self->info.gone && self->info.valid && self->info.state != '\0')
    return self->info.state;
  return '?';
}

static void
refresh (FyWorkerRow *self)
{
  GPid pid = fy_pool_worker_get_pid (self->worker);
  gboolean live = self->has_info && self->info.valid && !self->info.gone;
  char letter = state_letter (self);
  const char *name = fy_worker_row_state_name (letter);
  FyFuture *task = fy_pool_worker_get_current_task (self->worker);
  gint64 now = self->now_us > 0 ? self->now_us : g_get_monotonic_time ();

  set_column (self, COLUMN_PID, g_strdup_printf ("%d", pid),
              g_strdup_printf (_("Process ID of the worker in slot %u"),
                               fy_pool_worker_get_slot (self->worker) + 1));
  set_column (self, COLUMN_STATE, g_strdup_printf ("%c", letter),
              g_strdup_printf (_("State of worker %d: %s"), pid, name));
  set_column (self, COLUMN_STATE_NAME, g_strdup (name),
              g_strdup_printf (_("State of worker %d: %s"), pid, name));

  if (live && self->info.last_cpu >= 0)
    set_column (self, COLUMN_LAST_CPU, g_strdup_printf ("%d", self->info.last_cpu),
                g_strdup_printf (_("Worker %d last ran on CPU %d"), pid, self->info.last_cpu));
  else
    set_column (self, COLUMN_LAST_CPU, g_strdup ("—"),
                g_strdup_printf (_("The CPU worker %d last ran on is not known"), pid));

  if (live && !isnan (self->info.cpu_percent))
    set_column (self, COLUMN_CPU_PERCENT,
                /* Translators: CPU usage; 100 % is one core fully busy. */
                g_strdup_printf (_("%.0f %%"), self->info.cpu_percent),
                g_strdup_printf (_("CPU usage of worker %d, where 100 %% is one core"), pid));
  else
    set_column (self, COLUMN_CPU_PERCENT, g_strdup ("—"),
                g_strdup_printf (_("CPU usage of worker %d is not measured yet"), pid));

  if (live)
    {
      g_autofree char *size = g_format_size (self->info.rss);

      set_column (self, COLUMN_RSS, g_strdup (size),
                  g_strdup_printf (_("Resident memory of worker %d"), pid));
    }
  else
    set_column (self, COLUMN_RSS, g_strdup ("—"),
                g_strdup_printf (_("Resident memory of worker %d is not known"), pid));

  if (task != NULL)
    {
      int index = (int) fy_worker_row_task_index (self->tasks, task);
      gint64 started = fy_future_get_started_at (task);
      guint n_items = fy_future_get_n_items (task);
      guint settled = fy_future_get_n_items_settled (task);
      g_autofree char *running = NULL;

      /* A map chunk runs the item after those it reported, numbered as
       * the results list numbers it, since the last one ended (reports
       * come at least every tenth of a second, so a short item may be a
       * few behind). */
      if (n_items > 0)
        {
          index = (int) (fy_future_get_first_item (task) + MIN (settled, n_items - 1));
          if (settled > 0 && settled < n_items)
            fy_future_get_item_times (task, settled - 1, NULL, &started);
        }
      running = fy_worker_row_format_duration (started > 0 ? MAX (0, now - started) : 0);

      set_column (self, COLUMN_TASK,
                  /* Translators: a task's number and how long it has run. */
                  g_strdup_printf (_("Task %d · %s"), index, running),
                  g_strdup_printf (_("Worker %d runs task %d for %s"),
                                   pid, index, running));
    }
  else
    set_column (self, COLUMN_TASK, g_strdup ("—"),
                g_strdup_printf (_("Worker %d runs no task"), pid));

  set_column (self, COLUMN_DONE, g_strdup_printf ("%u", fy_pool_worker_get_tasks_done (self->worker)),
              g_strdup_printf (_("Tasks worker %d has finished"), pid));

  if (letter != 'X')
    set_column (self, COLUMN_UPTIME,
                fy_worker_row_format_duration (MAX (0, now - fy_pool_worker_get_started_at (self->worker))),
                g_strdup_printf (_("How long worker %d has been running"), pid));
  else
    set_column (self, COLUMN_UPTIME, g_strdup ("—"),
                g_strdup_printf (_("Worker %d has exited"), pid));
}

static void
worker_notify_cb (FyWorkerRow *self)
{
  /* A task that started just now ran for no time yet. */
  self->now_us = g_get_monotonic_time ();
  refresh (self);
}

static void
fy_worker_row_dispose (GObject *object)
{
  FyWorkerRow *self = FY_WORKER_ROW (object);

  if (self->worker != NULL)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_clear_object (&self->worker);
  g_clear_object (&self->tasks);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (fy_worker_row_parent_class)->dispose (object);
}

static void
fy_worker_row_finalize (GObject *object)
{
  FyWorkerRow *self = FY_WORKER_ROW (object);

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      g_free (self->text[c]);
      g_free (self->description[c]);
    }

  G_OBJECT_CLASS (fy_worker_row_parent_class)->finalize (object);
}

static void
fy_worker_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FyWorkerRow *self = FY_WORKER_ROW (object);

  if (prop_id == PROP_WORKER)
    g_value_set_object (value, self->worker);
  else if (prop_id == PROP_HISTORY)
    g_value_set_object (value, self->history);
  else if (prop_id == PROP_N_SAMPLES)
    g_value_set_uint64 (value, self->n_samples);
  else if (prop_id >= PROP_FIRST_TEXT && prop_id < PROP_FIRST_DESCRIPTION)
    g_value_set_string (value, self->text[prop_id - PROP_FIRST_TEXT]);
  else if (prop_id >= PROP_FIRST_DESCRIPTION && prop_id < N_PROPS)
    g_value_set_string (value, self->description[prop_id - PROP_FIRST_DESCRIPTION]);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fy_worker_row_class_init (FyWorkerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fy_worker_row_dispose;
  object_class->finalize = fy_worker_row_finalize;
  object_class->get_property = fy_worker_row_get_property;

  properties[PROP_WORKER] =
    g_param_spec_object ("worker", NULL, NULL, FY_TYPE_POOL_WORKER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, FY_TYPE_HISTORY,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Bumped at each reading the history took: the sparkline's revision. */
  properties[PROP_N_SAMPLES] =
    g_param_spec_uint64 ("n-samples", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      g_autofree char *description_name = g_strconcat (column_names[c], "-description", NULL);

      properties[PROP_FIRST_TEXT + c] =
        g_param_spec_string (column_names[c], NULL, NULL, NULL, flags);
      /* Interned strings live as long as the process: static enough. */
      properties[PROP_FIRST_DESCRIPTION + c] =
        g_param_spec_string (g_intern_string (description_name), NULL, NULL, NULL, flags);
    }
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_worker_row_init (FyWorkerRow *self)
{
  self->history = fy_history_new (FY_HISTORY_DEFAULT_CAPACITY);
}

FyWorkerRow *
fy_worker_row_new (FyPoolWorker *worker,
                   GListModel   *tasks)
{
  FyWorkerRow *self;

  g_return_val_if_fail (FY_IS_POOL_WORKER (worker), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (tasks), NULL);

  self = g_object_new (FY_TYPE_WORKER_ROW, NULL);
  self->worker = g_object_ref (worker);
  self->tasks = g_object_ref (tasks);
  g_signal_connect_swapped (worker, "notify::state", G_CALLBACK (worker_notify_cb), self);
  g_signal_connect_swapped (worker, "notify::current-task", G_CALLBACK (worker_notify_cb), self);
  g_signal_connect_swapped (worker, "notify::tasks-done", G_CALLBACK (worker_notify_cb), self);
  refresh (self);
  return self;
}

FyPoolWorker *
fy_worker_row_get_worker (FyWorkerRow *self)
{
  g_return_val_if_fail (FY_IS_WORKER_ROW (self), NULL);

  return self->worker;
}

GPid
fy_worker_row_get_pid (FyWorkerRow *self)
{
  g_return_val_if_fail (FY_IS_WORKER_ROW (self), 0);

  return fy_pool_worker_get_pid (self->worker);
}

const char *
fy_worker_row_get_state (FyWorkerRow *self)
{
  g_return_val_if_fail (FY_IS_WORKER_ROW (self), NULL);

  return self->text[COLUMN_STATE];
}

void
fy_worker_row_update (FyWorkerRow         *self,
                      const FyProcessInfo *info,
                      gint64               now_us)
{
  g_return_if_fail (FY_IS_WORKER_ROW (self));

  self->has_info = info != NULL;
  if (info != NULL)
    self->info = *info;
  self->now_us = now_us;
  refresh (self);

  /* A process that is gone, or not measured yet, adds nothing: the line
   * of an exited worker stays as it ended instead of scrolling empty. */
  if (info != NULL && info->valid && !info->gone && !isnan (info->cpu_percent)
      && fy_pool_worker_get_state (self->worker) != FY_POOL_WORKER_STATE_EXITED)
    {
      fy_history_push (self->history, info->cpu_percent);
      self->n_samples++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SAMPLES]);
    }
}

FyHistory *
fy_worker_row_get_history (FyWorkerRow *self)
{
  g_return_val_if_fail (FY_IS_WORKER_ROW (self), NULL);

  return self->history;
}

guint64
fy_worker_row_get_n_samples (FyWorkerRow *self)
{
  g_return_val_if_fail (FY_IS_WORKER_ROW (self), 0);

  return self->n_samples;
}

gint64
fy_worker_row_task_index (GListModel *tasks,
                          FyFuture   *task)
{
  g_autoptr(FyFuture) first = NULL;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (tasks), -1);
  g_return_val_if_fail (FY_IS_FUTURE (task), -1);

  n = g_list_model_get_n_items (tasks);
  first = n > 0 ? g_list_model_get_item (tasks, 0) : NULL;
  if (first == NULL)
    return -1;

  /* Ids are handed out in submission order, so while one pool is the only
   * one submitting, a task's position is its id's distance from the
   * first. Checked, since another pool may have taken ids in between. */
  if (fy_future_get_id (task) >= fy_future_get_id (first))
    {
      guint64 guess = fy_future_get_id (task) - fy_future_get_id (first);

      if (guess < n)
        {
          g_autoptr(FyFuture) item = g_list_model_get_item (tasks, guess);

          if (item == task)
            return guess;
        }
    }

  /* A worker runs one of the latest tasks: search from the end. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(FyFuture) item = g_list_model_get_item (tasks, i - 1);

      if (item == task)
        return i - 1;
    }
  return -1;
}

char *
fy_worker_row_format_duration (gint64 microseconds)
{
  gint64 seconds = microseconds / G_USEC_PER_SEC;

  if (microseconds < 10 * G_USEC_PER_SEC)
    /* Translators: a duration in seconds, with one decimal. */
    return g_strdup_printf (_("%.1f s"), microseconds / (double) G_USEC_PER_SEC);
  if (seconds < 60)
    /* Translators: a duration in whole seconds. */
    return g_strdup_printf (_("%d s"), (int) seconds);
  if (seconds < 3600)
    return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600),
                          (int) (seconds / 60 % 60), (int) (seconds % 60));
}

const char *
fy_worker_row_state_name (char letter)
{
  switch (letter)
    {
    case 'R':
      return _("Running");
    case 'S':
      return _("Sleeping");
    case 'D':
      return _("Waiting for I/O");
    case 'T':
      return _("Stopped");
    case 't':
      return _("Traced");
    case 'Z':
      return _("Zombie");
    case 'W':
      return _("Paging");
    case 'I':
      return _("Idle");
    case 'X':
      return _("Exited");
    default:
      return _("Unknown");
    }
}
