/* fy-run.c: one run of a workload on a pool, as the Run page shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run hands its tasks to the pool through one FyFutureIter (imap for
 * map and imap, imap_unordered, or as_completed over submitted futures) and
 * drains it without waiting, from a frame-rate timer: every finished item
 * is counted, and only the last FY_RUN_MAX_RESULTS of them become
 * FyRunResult objects in the list. Hashing makes one task per file, as
 * forkyard-cli does where OpenSSL's single stream is the faster engine.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "fy-run.h"
#include "fy-run-result.h"

/* Once per frame at 60 Hz, and just before GTK's redraw (HIGH_IDLE + 20),
 * so what a flush changed is painted in the same frame. */
#define FLUSH_INTERVAL_MS 16
#define FLUSH_PRIORITY    (G_PRIORITY_HIGH_IDLE + 10)
/* The rate is the change over the last RATE_SAMPLES × RATE_STEP_USEC. */
#define RATE_SAMPLES      8
#define RATE_STEP_USEC    (G_USEC_PER_SEC / 2)
/* A SIGTERMed worker that ignores it (or is stopped) is killed after this. */
#define KILL_GRACE_SECONDS 0.2

struct _FyRun
{
  GObject         parent_instance;

  char           *function;     /* the workload, by its registered name */
  GVariant       *arguments;    /* one child per input */

  int             n_workers;
  int             chunksize;
  FyRunCallStyle  call_style;
  double          task_timeout;
  FyCrashPolicy   crash_policy;
  guint           max_retries;
  int             max_tasks_per_child;

  FyPool         *pool;
  GMainContext   *context;      /* the pool's own */
  GSource        *pool_source;  /* runs it from the main loop */
  FyFutureIter   *iter;
  GHashTable     *index_of;     /* item future → input index; NULL when ordered */
  guint           n_given;      /* items taken from the iterator */
  guint           flush_id;

  FyRunState      state;
  guint           total;
  guint           done;
  guint           failed;
  guint           cancelled;
  gint64          started_at;
  gint64          finished_at;
  gint64          task_usec;    /* summed run time of the pool's tasks */
  GHashTable     *worker_free_since; /* pid → when its last task ended (gint64 *) */
  FyPool         *pool_starting; /* the pool while fy_run_start () sets it up */
  gint64          last_elapsed_notify;

  gint64          rate_time[RATE_SAMPLES];
  guint           rate_count[RATE_SAMPLES];
  guint           rate_next;
  guint           rate_filled;
  double          tasks_per_second;

  char           *verdict;
  GListStore     *results;
  guint           n_dropped;
};

G_DEFINE_FINAL_TYPE (FyRun, fy_run, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (FyRunCallStyle, fy_run_call_style,
  G_DEFINE_ENUM_VALUE (FY_RUN_CALL_STYLE_MAP, "map"),
  G_DEFINE_ENUM_VALUE (FY_RUN_CALL_STYLE_IMAP, "imap"),
  G_DEFINE_ENUM_VALUE (FY_RUN_CALL_STYLE_IMAP_UNORDERED, "imap-unordered"),
  G_DEFINE_ENUM_VALUE (FY_RUN_CALL_STYLE_SUBMIT, "submit"))

G_DEFINE_ENUM_TYPE (FyRunState, fy_run_state,
  G_DEFINE_ENUM_VALUE (FY_RUN_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (FY_RUN_STATE_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (FY_RUN_STATE_CANCELLING, "cancelling"),
  G_DEFINE_ENUM_VALUE (FY_RUN_STATE_FINISHED, "finished"),
  G_DEFINE_ENUM_VALUE (FY_RUN_STATE_CANCELLED, "cancelled"))

enum {
  PROP_0,
  PROP_FUNCTION,
  PROP_POOL,
  PROP_STATE,
  PROP_ACTIVE,
  PROP_N_WORKERS,
  PROP_TOTAL,
  PROP_DONE,
  PROP_FAILED,
  PROP_CANCELLED,
  PROP_TASKS_PER_SECOND,
  PROP_ELAPSED,
  PROP_ETA,
  PROP_FRACTION,
  PROP_WALL_TIME,
  PROP_TASK_TIME,
  PROP_SPEEDUP,
  PROP_VERDICT,
  PROP_RESULTS,
  PROP_N_DROPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The pool lives in a main context of its own, run from the main loop by
 * this source, so the page decides when the pool's messages are handled.
 * It runs at default priority, as the pool's own sources would: at idle
 * priority GTK's frames did come first, but the pool then answered a
 * Cancel's SIGKILL and reaping too late on a loaded machine (over a second
 * where 0.2 s is due). Letting frames through a busy run is still to do. */
typedef struct
{
  GSource       source;
  GMainContext *inner;
  GPollFD      *fds;
  int           n_fds;
  int           n_allocated;
  gpointer     *tags;
  int           max_priority;
  gboolean      checked;
  gboolean      ready;
} PoolSource;

static gboolean
pool_source_prepare (GSource *source,
                     int     *timeout)
{
  PoolSource *self = (PoolSource *) source;
  int inner_timeout = -1;
  gboolean ready;
  int n;

  g_main_context_push_thread_default (self->inner);
  ready = g_main_context_prepare (self->inner, &self->max_priority);
  while ((n = g_main_context_query (self->inner, self->max_priority, &inner_timeout,
                                    self->fds, self->n_allocated)) > self->n_allocated)
    {
      self->n_allocated = n;
      self->fds = g_renew (GPollFD, self->fds, n);
    }
  g_main_context_pop_thread_default (self->inner);

  for (int i = 0; i < self->n_fds; i++)
    g_source_remove_unix_fd (source, self->tags[i]);
  self->tags = g_renew (gpointer, self->tags, MAX (n, 1));
  for (int i = 0; i < n; i++)
    self->tags[i] = g_source_add_unix_fd (source, self->fds[i].fd, self->fds[i].events);
  self->n_fds = n;
  self->checked = FALSE;
  *timeout = ready ? 0 : inner_timeout;
  return ready;
}

static gboolean
pool_source_check_inner (PoolSource *self)
{
  for (int i = 0; i < self->n_fds; i++)
    self->fds[i].revents = g_source_query_unix_fd ((GSource *) self, self->tags[i]);
  self->ready = g_main_context_check (self->inner, self->max_priority, self->fds, self->n_fds);
  self->checked = TRUE;
  return self->ready;
}

static gboolean
pool_source_check (GSource *source)
{
  return pool_source_check_inner ((PoolSource *) source);
}

static gboolean
pool_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  PoolSource *self = (PoolSource *) source;

  /* A source ready in prepare skips check; the inner context still needs it. */
  if (!self->checked)
    pool_source_check_inner (self);
  g_main_context_push_thread_default (self->inner);
  g_main_context_dispatch (self->inner);
  g_main_context_pop_thread_default (self->inner);
  return G_SOURCE_CONTINUE;
}

static void
pool_source_finalize (GSource *source)
{
  PoolSource *self = (PoolSource *) source;

  g_main_context_release (self->inner);
  g_main_context_unref (self->inner);
  g_free (self->fds);
  g_free (self->tags);
}

static GSourceFuncs pool_source_funcs = {
  pool_source_prepare,
  pool_source_check,
  pool_source_dispatch,
  pool_source_finalize,
  NULL, NULL,
};

static GSource *
pool_source_new (GMainContext *inner)
{
  PoolSource *self = (PoolSource *) g_source_new (&pool_source_funcs, sizeof (PoolSource));

  self->inner = g_main_context_ref (inner);
  g_main_context_acquire (inner);
  g_source_set_priority ((GSource *) self, G_PRIORITY_DEFAULT);
  g_source_set_name ((GSource *) self, "FyRun pool");
  return (GSource *) self;
}

/* One item the iterator gave in this flush, and its input's index. */
typedef struct
{
  FyFuture *future;
  guint     index;
} Finished;

static void
clear_finished (gpointer data)
{
  Finished *finished = data;

  g_clear_object (&finished->future);
}

static guint
n_finished (FyRun *self)
{
  return self->done + self->failed + self->cancelled;
}

static void
set_state (FyRun      *self,
           FyRunState  state)
{
  gboolean was_active = fy_run_is_active (self);

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_active != fy_run_is_active (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static void
set_uint (FyRun  *self,
          guint  *field,
          guint   value,
          int     prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* A task's time, as the parent can know it: from when its worker was free
 * for it (the end of that worker's previous task, or the worker's spawn,
 * but not before the run began) to its end. The task's own start is when
 * the parent read the worker's acknowledgement, which for short tasks
 * arrives together with the result, so it would count next to nothing. */
static void
task_finished_cb (FyRun    *self,
                  FyFuture *task)
{
  gint64 finished = fy_future_get_finished_at (task);
  GPid pid = fy_future_get_worker_pid (task);
  gpointer previous;
  gint64 free_since;

  /* Cancelled tasks that never ran cost nothing. */
  if (fy_future_get_started_at (task) == 0 || pid == 0 || finished == 0)
    return;

  if (g_hash_table_lookup_extended (self->worker_free_since, GINT_TO_POINTER (pid), NULL, &previous))
    free_since = *(gint64 *) previous;
  else
    {
      FyPoolWorker *worker = fy_pool_find_worker (self->pool_starting != NULL ? self->pool_starting : self->pool, pid);

      free_since = worker != NULL ? fy_pool_worker_get_started_at (worker)
                                  : fy_future_get_started_at (task);
    }
  free_since = MAX (free_since, self->started_at);
  if (finished > free_since)
    self->task_usec += finished - free_since;

  {
    gint64 *stored = g_new (gint64, 1);

    *stored = finished;
    g_hash_table_insert (self->worker_free_since, GINT_TO_POINTER (pid), stored);
  }
}

static void
count_item (FyFuture *future,
            guint    *done,
            guint    *failed,
            guint    *cancelled)
{
  switch (fy_future_get_state (future))
    {
    case FY_FUTURE_STATE_DONE:
      (*done)++;
      break;
    case FY_FUTURE_STATE_CANCELLED:
      (*cancelled)++;
      break;
    default:
      (*failed)++;
      break;
    }
}

static FyRunResult *
make_result (FyRun    *self,
             Finished *finished)
{
  FyFuture *future = finished->future;
  g_autoptr(GVariant) argument = g_variant_get_child_value (self->arguments, finished->index);

  return fy_run_result_new (finished->index, self->function, argument,
                            fy_future_get_result_value (future), fy_future_get_error (future),
                            fy_future_get_state (future), fy_future_get_worker_pid (future),
                            fy_future_get_started_at (future), fy_future_get_finished_at (future));
}

static void
update_rate (FyRun  *self,
             gint64  now)
{
  guint last = (self->rate_next + RATE_SAMPLES - 1) % RATE_SAMPLES;
  guint oldest;
  double rate = 0;

  if (self->rate_filled > 0 && now - self->rate_time[last] < RATE_STEP_USEC)
    return;

  self->rate_time[self->rate_next] = now;
  self->rate_count[self->rate_next] = n_finished (self);
  self->rate_next = (self->rate_next + 1) % RATE_SAMPLES;
  self->rate_filled = MIN (self->rate_filled + 1, RATE_SAMPLES);

  oldest = (self->rate_next + RATE_SAMPLES - self->rate_filled) % RATE_SAMPLES;
  if (self->rate_filled > 1 && now > self->rate_time[oldest])
    rate = (n_finished (self) - self->rate_count[oldest]) /
           ((now - self->rate_time[oldest]) / (double) G_USEC_PER_SEC);
  else if (now > self->started_at)
    rate = n_finished (self) / ((now - self->started_at) / (double) G_USEC_PER_SEC);

  if (rate != self->tasks_per_second)
    {
      self->tasks_per_second = rate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_PER_SECOND]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA]);
    }
}

static void
finish (FyRun *self)
{
  guint n_done = self->done;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  self->finished_at = g_get_monotonic_time ();
  /* At the end the rate is the whole run's. */
  self->tasks_per_second = fy_run_get_wall_time (self) > 0
    ? n_finished (self) / fy_run_get_wall_time (self) : 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_PER_SECOND]);
  if (fy_pool_get_state (self->pool) == FY_POOL_STATE_RUNNING)
    {
      g_main_context_push_thread_default (self->context);
      fy_pool_close (self->pool);
      g_main_context_pop_thread_default (self->context);
    }

  if (self->state == FY_RUN_STATE_CANCELLING)
    /* TRANSLATORS: the verdict of a cancelled run */
    self->verdict = g_strdup_printf (_("Cancelled after %.1f s: %u of %u tasks done"),
                                     fy_run_get_wall_time (self), n_done, self->total);
  else
    {
      double speedup = fy_run_get_speedup (self);
      g_autofree char *workers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d worker", "%d workers",
                                                               self->n_workers), self->n_workers);

      /* TRANSLATORS: the verdict of a run, "2 workers, 1.93× faster than one" */
      self->verdict = speedup >= 1.0
        ? g_strdup_printf (_("%s, %.2f× faster than one"), workers, speedup)
        : g_strdup_printf (_("%s, %.2f× the speed of one"), workers, speedup);
      if (self->failed > 0)
        {
          g_autofree char *line = self->verdict;

          self->verdict = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; %u task failed",
                                                        "%s; %u tasks failed", self->failed),
                                           line, self->failed);
        }
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WALL_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASK_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEEDUP]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERDICT]);
  set_state (self, self->state == FY_RUN_STATE_CANCELLING ? FY_RUN_STATE_CANCELLED
                                                           : FY_RUN_STATE_FINISHED);
}

/* Takes every item that finished since the last flush, without waiting. */
static void
flush (FyRun *self)
{
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (Finished));
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_object_unref);
  guint done = self->done, failed = self->failed, cancelled = self->cancelled;
  gboolean ended = FALSE;
  guint first_kept, n_items;
  gint64 now = g_get_monotonic_time ();

  g_array_set_clear_func (batch, clear_finished);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      Finished finished = { NULL, 0 };

      if (!fy_future_iter_next (self->iter, 0, &finished.future, &error))
        {
          if (error == NULL)
            ended = TRUE;
          else if (!g_error_matches (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT))
            {
              g_warning ("Run of %s: %s", self->function, error->message);
              ended = TRUE;
            }
          break;
        }
      finished.index = self->index_of != NULL
        ? GPOINTER_TO_UINT (g_hash_table_lookup (self->index_of, finished.future))
        : self->n_given;
      self->n_given++;
      count_item (finished.future, &done, &failed, &cancelled);
      g_array_append_val (batch, finished);
    }

  g_object_freeze_notify (G_OBJECT (self));

  /* Only the newest results are kept, so only they are made. */
  first_kept = batch->len > FY_RUN_MAX_RESULTS ? batch->len - FY_RUN_MAX_RESULTS : 0;
  for (guint i = first_kept; i < batch->len; i++)
    g_ptr_array_add (made, make_result (self, &g_array_index (batch, Finished, i)));
  self->n_dropped += first_kept;

  if (made->len > 0)
    {
      n_items = g_list_model_get_n_items (G_LIST_MODEL (self->results));
      if (n_items + made->len > FY_RUN_MAX_RESULTS)
        {
          guint drop = MIN (n_items, n_items + made->len - FY_RUN_MAX_RESULTS);

          g_list_store_splice (self->results, 0, drop, NULL, 0);
          self->n_dropped += drop;
          n_items -= drop;
        }
      g_list_store_splice (self->results, n_items, 0, made->pdata, made->len);
    }
  if (batch->len > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);

  set_uint (self, &self->done, done, PROP_DONE);
  set_uint (self, &self->failed, failed, PROP_FAILED);
  set_uint (self, &self->cancelled, cancelled, PROP_CANCELLED);
  if (batch->len > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);

  update_rate (self, now);
  /* Once a second: the page shows whole seconds while running, and every
   * label change costs a redraw and a message to assistive technologies. */
  if (now - self->last_elapsed_notify >= G_USEC_PER_SEC)
    {
      self->last_elapsed_notify = now;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA]);
    }

  if (ended)
    finish (self);

  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
flush_cb (gpointer user_data)
{
  FyRun *self = user_data;

  flush (self);
  return self->flush_id != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
fy_run_dispose (GObject *object)
{
  FyRun *self = FY_RUN (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  /* A run the window closes on stops with it, stopped workers included:
   * disposing the pool kills what is left and reaps it. */
  if (self->context != NULL)
    g_main_context_push_thread_default (self->context);
  if (self->pool != NULL && fy_pool_get_state (self->pool) == FY_POOL_STATE_RUNNING)
    fy_pool_terminate (self->pool);
  g_clear_pointer (&self->iter, fy_future_iter_unref);
  g_clear_pointer (&self->index_of, g_hash_table_unref);
  g_clear_pointer (&self->worker_free_since, g_hash_table_unref);
  g_clear_object (&self->pool);
  if (self->context != NULL)
    g_main_context_pop_thread_default (self->context);
  if (self->pool_source != NULL)
    g_source_destroy (self->pool_source);
  g_clear_pointer (&self->pool_source, g_source_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->results);

  G_OBJECT_CLASS (fy_run_parent_class)->dispose (object);
}

static void
fy_run_finalize (GObject *object)
{
  FyRun *self = FY_RUN (object);

  g_free (self->function);
  g_free (self->verdict);
  g_clear_pointer (&self->arguments, g_variant_unref);

  G_OBJECT_CLASS (fy_run_parent_class)->finalize (object);
}

static void
fy_run_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  FyRun *self = FY_RUN (object);

  switch (prop_id)
    {
    case PROP_FUNCTION:
      g_value_set_string (value, self->function);
      break;
    case PROP_POOL:
      g_value_set_object (value, self->pool);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, fy_run_is_active (self));
      break;
    case PROP_N_WORKERS:
      g_value_set_int (value, self->n_workers);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;
    case PROP_DONE:
      g_value_set_uint (value, self->done);
      break;
    case PROP_FAILED:
      g_value_set_uint (value, self->failed);
      break;
    case PROP_CANCELLED:
      g_value_set_uint (value, self->cancelled);
      break;
    case PROP_TASKS_PER_SECOND:
      g_value_set_double (value, self->tasks_per_second);
      break;
    case PROP_ELAPSED:
      g_value_set_double (value, fy_run_get_elapsed (self));
      break;
    case PROP_ETA:
      g_value_set_double (value, fy_run_get_eta (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, fy_run_get_fraction (self));
      break;
    case PROP_WALL_TIME:
      g_value_set_double (value, fy_run_get_wall_time (self));
      break;
    case PROP_TASK_TIME:
      g_value_set_double (value, fy_run_get_task_time (self));
      break;
    case PROP_SPEEDUP:
      g_value_set_double (value, fy_run_get_speedup (self));
      break;
    case PROP_VERDICT:
      g_value_set_string (value, self->verdict);
      break;
    case PROP_RESULTS:
      g_value_set_object (value, self->results);
      break;
    case PROP_N_DROPPED:
      g_value_set_uint (value, self->n_dropped);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_run_class_init (FyRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fy_run_dispose;
  object_class->finalize = fy_run_finalize;
  object_class->get_property = fy_run_get_property;

  properties[PROP_FUNCTION] = g_param_spec_string ("function", NULL, NULL, NULL, flags);
  properties[PROP_POOL] = g_param_spec_object ("pool", NULL, NULL, FY_TYPE_POOL, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FY_TYPE_RUN_STATE,
                                              FY_RUN_STATE_READY, flags);
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, flags);
  properties[PROP_N_WORKERS] = g_param_spec_int ("n-workers", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_TOTAL] = g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_DONE] = g_param_spec_uint ("done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_FAILED] = g_param_spec_uint ("failed", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_CANCELLED] = g_param_spec_uint ("cancelled", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TASKS_PER_SECOND] = g_param_spec_double ("tasks-per-second", NULL, NULL,
                                                           0, G_MAXDOUBLE, 0, flags);
  properties[PROP_ELAPSED] = g_param_spec_double ("elapsed", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_ETA] = g_param_spec_double ("eta", NULL, NULL, -1, G_MAXDOUBLE, -1, flags);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_WALL_TIME] = g_param_spec_double ("wall-time", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_TASK_TIME] = g_param_spec_double ("task-time", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_SPEEDUP] = g_param_spec_double ("speedup", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_VERDICT] = g_param_spec_string ("verdict", NULL, NULL, NULL, flags);
  properties[PROP_RESULTS] = g_param_spec_object ("results", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_N_DROPPED] = g_param_spec_uint ("n-dropped", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_run_init (FyRun *self)
{
  self->results = g_list_store_new (FY_TYPE_RUN_RESULT);
  self->worker_free_since = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->call_style = FY_RUN_CALL_STYLE_MAP;
  self->crash_policy = FY_CRASH_POLICY_FAIL;
}

FyRun *
fy_run_new (const char *function,
            GVariant   *arguments)
{
  FyRun *self;

  g_return_val_if_fail (function != NULL, NULL);
  g_return_val_if_fail (arguments != NULL && g_variant_is_container (arguments), NULL);

  self = g_object_new (FY_TYPE_RUN, NULL);
  self->function = g_strdup (function);
  self->arguments = g_variant_ref_sink (arguments);
  self->total = g_variant_n_children (self->arguments);
  return self;
}

void
fy_run_set_n_workers (FyRun *self,
                      int    n_workers)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->n_workers = n_workers;
}

void
fy_run_set_chunksize (FyRun *self,
                      int    chunksize)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->chunksize = MAX (chunksize, 0);
}

void
fy_run_set_call_style (FyRun          *self,
                       FyRunCallStyle  style)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->call_style = style;
}

void
fy_run_set_task_timeout (FyRun  *self,
                         double  seconds)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->task_timeout = MAX (seconds, 0);
}

void
fy_run_set_crash_policy (FyRun         *self,
                         FyCrashPolicy  policy,
                         guint          max_retries)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->crash_policy = policy;
  self->max_retries = max_retries;
}

void
fy_run_set_max_tasks_per_child (FyRun *self,
                                int    max_tasks)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->max_tasks_per_child = MAX (max_tasks, 0);
}

static gboolean
start_in_context (FyRun   *self,
                  GError **error);

gboolean
fy_run_start (FyRun   *self,
              GError **error)
{
  gboolean ok;

  g_return_val_if_fail (FY_IS_RUN (self), FALSE);
  g_return_val_if_fail (self->state == FY_RUN_STATE_READY, FALSE);

  self->context = g_main_context_new ();
  g_main_context_push_thread_default (self->context);
  ok = start_in_context (self, error);
  g_main_context_pop_thread_default (self->context);
  if (ok)
    {
      self->pool_source = pool_source_new (self->context);
      g_source_attach (self->pool_source, NULL);
    }
  return ok;
}

static gboolean
start_in_context (FyRun   *self,
                  GError **error)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(GPtrArray) futures = NULL;
  gboolean ordered = FALSE;

  if (self->n_workers > 0 && !fy_pool_set_n_workers (pool, self->n_workers, error))
    return FALSE;
  if (self->max_tasks_per_child > 0 &&
      !fy_pool_set_max_tasks_per_child (pool, self->max_tasks_per_child, error))
    return FALSE;
  fy_pool_set_crash_policy (pool, self->crash_policy, self->max_retries);
  fy_pool_set_task_timeout (pool, self->task_timeout);
  fy_pool_set_kill_grace (pool, KILL_GRACE_SECONDS);
  g_signal_connect_object (pool, "task-finished", G_CALLBACK (task_finished_cb), self,
                           G_CONNECT_SWAPPED);

  if (!fy_pool_start (pool, error))
    return FALSE;

  self->pool_starting = pool;
  self->started_at = g_get_monotonic_time ();
  switch (self->call_style)
    {
    case FY_RUN_CALL_STYLE_IMAP_UNORDERED:
      iter = fy_pool_imap_unordered (pool, self->function, self->arguments,
                                     self->chunksize, error);
      break;
    case FY_RUN_CALL_STYLE_SUBMIT:
      futures = g_ptr_array_new_with_free_func (g_object_unref);
      for (gsize i = 0; i < g_variant_n_children (self->arguments); i++)
        {
          g_autoptr(GVariant) argument = g_variant_get_child_value (self->arguments, i);
          FyFuture *future = fy_pool_submit (pool, self->function, argument, error);

          if (future == NULL)
            break;
          g_ptr_array_add (futures, future);
        }
      if (futures->len == g_variant_n_children (self->arguments))
        iter = fy_future_as_completed (futures);
      break;
    case FY_RUN_CALL_STYLE_MAP:
    case FY_RUN_CALL_STYLE_IMAP:
    default:
      /* Pool.map is imap gathered into a list: the same tasks in the same
       * order, and the page can show each result as it comes. */
      iter = fy_pool_imap (pool, self->function, self->arguments,
                           self->call_style == FY_RUN_CALL_STYLE_MAP ? self->chunksize
                                                                     : MAX (self->chunksize, 1),
                           error);
      ordered = TRUE;
      break;
    }
  if (iter == NULL)
    {
      self->pool_starting = NULL;
      fy_pool_terminate (pool);
      return FALSE;
    }

  if (!ordered)
    {
      GPtrArray *items = fy_future_iter_get_futures (iter);

      self->index_of = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < items->len; i++)
        g_hash_table_insert (self->index_of, g_ptr_array_index (items, i), GUINT_TO_POINTER (i));
    }

  self->pool_starting = NULL;
  self->pool = g_steal_pointer (&pool);
  self->iter = g_steal_pointer (&iter);
  self->n_workers = fy_pool_get_n_workers (self->pool);
  self->flush_id = g_timeout_add_full (FLUSH_PRIORITY, FLUSH_INTERVAL_MS, flush_cb, self, NULL);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WORKERS]);
  set_state (self, FY_RUN_STATE_RUNNING);
  g_object_thaw_notify (G_OBJECT (self));

  /* An empty run is over at once. */
  if (self->total == 0)
    flush (self);
  return TRUE;
}

void
fy_run_cancel (FyRun *self)
{
  g_return_if_fail (FY_IS_RUN (self));

  if (self->state != FY_RUN_STATE_RUNNING)
    return;
  set_state (self, FY_RUN_STATE_CANCELLING);
  /* Every unfinished task is cancelled now; the workers get SIGTERM and,
   * stopped or not, SIGKILL after the grace (a timer of the pool's
   * context). */
  g_main_context_push_thread_default (self->context);
  fy_pool_terminate (self->pool);
  g_main_context_pop_thread_default (self->context);
  flush (self);
}

const char *
fy_run_get_function (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), NULL);
  return self->function;
}

FyPool *
fy_run_get_pool (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), NULL);
  return self->pool;
}

FyRunState
fy_run_get_state (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), FY_RUN_STATE_READY);
  return self->state;
}

gboolean
fy_run_is_active (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), FALSE);
  return self->state == FY_RUN_STATE_RUNNING || self->state == FY_RUN_STATE_CANCELLING;
}

int
fy_run_get_n_workers (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->n_workers;
}

guint
fy_run_get_total (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->total;
}

guint
fy_run_get_done (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->done;
}

guint
fy_run_get_failed (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->failed;
}

guint
fy_run_get_cancelled (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->cancelled;
}

double
fy_run_get_tasks_per_second (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->tasks_per_second;
}

double
fy_run_get_elapsed (FyRun *self)
{
  gint64 end;

  g_return_val_if_fail (FY_IS_RUN (self), 0);

  if (self->started_at == 0)
    return 0;
  end = self->finished_at != 0 ? self->finished_at : g_get_monotonic_time ();
  return (end - self->started_at) / (double) G_USEC_PER_SEC;
}

double
fy_run_get_eta (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), -1);

  if (self->state != FY_RUN_STATE_RUNNING)
    return self->finished_at != 0 ? 0 : -1;
  if (self->tasks_per_second <= 0)
    return -1;
  return (self->total - n_finished (self)) / self->tasks_per_second;
}

double
fy_run_get_fraction (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->total > 0 ? n_finished (self) / (double) self->total : 0;
}

double
fy_run_get_wall_time (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->finished_at != 0 ? (self->finished_at - self->started_at) / (double) G_USEC_PER_SEC : 0;
}

double
fy_run_get_task_time (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->task_usec / (double) G_USEC_PER_SEC;
}

double
fy_run_get_speedup (FyRun *self)
{
  double wall;

  g_return_val_if_fail (FY_IS_RUN (self), 0);
  wall = fy_run_get_wall_time (self);
  return wall > 0 ? fy_run_get_task_time (self) / wall : 0;
}

const char *
fy_run_get_verdict (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), NULL);
  return self->verdict;
}

GListModel *
fy_run_get_results (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), NULL);
  return G_LIST_MODEL (self->results);
}

guint
fy_run_get_n_dropped (FyRun *self)
{
  g_return_val_if_fail (FY_IS_RUN (self), 0);
  return self->n_dropped;
}
