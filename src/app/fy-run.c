/* fy-run.c: one run of a workload on a pool, as the Run page shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run hands its inputs to the pool (imap for map and imap,
 * imap_unordered, or submitted futures) and reads what finished from the
 * tasks themselves through a FyRunFeed: a map chunk's items come from its
 * per-chunk record, with no object made per item. A frame-rate timer takes
 * finished items within a budget of time, so a backlog of many thousand
 * items is spread over several frames instead of holding one; every item
 * is counted, and only the last FY_RUN_MAX_RESULTS become FyRunResult
 * objects in the list. Hashing makes one task per file, as forkyard-cli
 * does where OpenSSL's single stream is the faster engine.
 *
 * The pool runs in a main context of its own, dispatched by a
 * FyRunSource below GTK's layout and redraw (GDK_PRIORITY_REDRAW,
 * HIGH_IDLE + 20) but above default idles: a pool whose workers' channels
 * are always readable then still lets every frame through, and its kill
 * timers and reaping still come before idle work.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include "fy-run.h"
#include "fy-run-feed.h"
#include "fy-run-item.h"
#include "fy-run-result.h"
#include "fy-run-source.h"
#include "fy-run-stats.h"

/* Once per frame at 60 Hz, and just before GTK's redraw (HIGH_IDLE + 20),
 * so what a flush changed is painted in the same frame. */
#define FLUSH_INTERVAL_MS 16
#define FLUSH_PRIORITY    (G_PRIORITY_HIGH_IDLE + 10)
/* How long one flush may take items: a quarter of a 60 Hz frame, so the
 * frame's layout and paint keep the rest. A bigger backlog waits for the
 * next flush. Time is looked at every FLUSH_CHECK_EVERY items. */
#define FLUSH_BUDGET_USEC 4000
#define FLUSH_CHECK_EVERY 256
/* Below GTK's redraw (HIGH_IDLE + 20), above default idles; a timer at
 * default priority sees that the pool waits no longer than POOL_LATE_MS. */
#define POOL_PRIORITY     (G_PRIORITY_HIGH_IDLE + 30)
#define POOL_LATE_MS      50

struct _FyRun
{
  GObject         parent_instance;

  char           *function;     /* the workload, by its registered name */
  GVariant       *arguments;    /* one child per input */

  FyRunOptions    options;      /* n_workers: the pool's, once started */

  FyPool         *pool;
  GMainContext   *context;      /* the pool's own */
  GSource        *pool_source;  /* runs it from the main loop */
  FyRunFeed      *feed;         /* finished items, not taken yet */
  guint           flush_id;
  guint           catch_up_id;

  FyRunState      state;
  guint           total;
  guint           done;
  guint           failed;
  guint           cancelled;
  gint64          started_at;
  gint64          finished_at;
  FyRunTaskTime   task_time;    /* summed run time of the pool's tasks */
  FyPool         *pool_starting; /* the pool while fy_run_start () sets it up */
  gint64          last_elapsed_notify;

  FyRunRate       rate;
  double          tasks_per_second;

  char           *verdict;
  GListStore     *results;
  guint           n_dropped;
};

G_DEFINE_FINAL_TYPE (FyRun, fy_run, G_TYPE_OBJECT)

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

static void
task_finished_cb (FyRun    *self,
                  FyFuture *task)
{
  fy_run_task_time_add (&self->task_time, self->pool_starting != NULL ? self->pool_starting : self->pool,
                        task, self->started_at);
}

static void
update_rate (FyRun  *self,
             gint64  now)
{
  double rate;

  if (!fy_run_rate_sample (&self->rate, now, n_finished (self), self->started_at, &rate))
    return;
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

  self->verdict = fy_run_verdict_new (self->state == FY_RUN_STATE_CANCELLING, self->options.n_workers,
                                      fy_run_get_wall_time (self), fy_run_get_speedup (self),
                                      n_done, self->failed, self->total);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WALL_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASK_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEEDUP]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERDICT]);
  set_state (self, self->state == FY_RUN_STATE_CANCELLING ? FY_RUN_STATE_CANCELLED
                                                           : FY_RUN_STATE_FINISHED);
}

/* Takes the items that finished since the last flush, without waiting,
 * for at most FLUSH_BUDGET_USEC. */
static void
flush (FyRun *self)
{
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_object_unref);
  guint done = self->done, failed = self->failed, cancelled = self->cancelled;
  gboolean ended;
  guint n_items, n_ready, n_taken = 0;
  gint64 now = g_get_monotonic_time ();
  gint64 deadline = now + FLUSH_BUDGET_USEC;

  n_ready = fy_run_feed_get_n_ready (self->feed);
  while (n_taken < n_ready)
    {
      g_autoptr(GVariant) result = NULL;
      g_autoptr(GError) error = NULL;
      FyFutureState state;
      FyFuture *task;
      guint item, index;

      if (n_taken % FLUSH_CHECK_EVERY == FLUSH_CHECK_EVERY - 1 &&
          g_get_monotonic_time () >= deadline)
        break;
      if (!fy_run_feed_take (self->feed, &task, &item, &index))
        break;
      n_taken++;
      state = fy_run_item_outcome (task, item, &result, &error);
      switch (state)
        {
        case FY_FUTURE_STATE_DONE:
          done++;
          break;
        case FY_FUTURE_STATE_CANCELLED:
          cancelled++;
          break;
        default:
          failed++;
          break;
        }
      /* Only the newest results are kept, so only they are made: those
       * fewer than FY_RUN_MAX_RESULTS items before the end of what is
       * ready now. */
      if (n_ready - n_taken < FY_RUN_MAX_RESULTS)
        g_ptr_array_add (made, fy_run_item_result_new (self->function, self->arguments, task,
                                                       item, index, state, result, error));
      else
        self->n_dropped++;
    }
  ended = fy_run_feed_is_over (self->feed);

  g_object_freeze_notify (G_OBJECT (self));

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
  if (n_taken > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);

  set_uint (self, &self->done, done, PROP_DONE);
  set_uint (self, &self->failed, failed, PROP_FAILED);
  set_uint (self, &self->cancelled, cancelled, PROP_CANCELLED);
  if (n_taken > 0)
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
catch_up_cb (gpointer user_data)
{
  FyRun *self = user_data;

  fy_run_source_catch_up (self->pool_source, POOL_LATE_MS * 1000);
  return G_SOURCE_CONTINUE;
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

  g_clear_handle_id (&self->catch_up_id, g_source_remove);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  /* A run the window closes on stops with it, stopped workers included:
   * disposing the pool kills what is left and reaps it. */
  if (self->context != NULL)
    g_main_context_push_thread_default (self->context);
  if (self->pool != NULL && fy_pool_get_state (self->pool) == FY_POOL_STATE_RUNNING)
    fy_pool_terminate (self->pool);
  g_clear_pointer (&self->feed, fy_run_feed_unref);
  fy_run_task_time_clear (&self->task_time);
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
      g_value_set_int (value, self->options.n_workers);
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
  fy_run_task_time_init (&self->task_time);
  self->options.call_style = FY_RUN_CALL_STYLE_MAP;
  self->options.crash_policy = FY_CRASH_POLICY_FAIL;
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
  self->options.n_workers = n_workers;
}

void
fy_run_set_chunksize (FyRun *self,
                      int    chunksize)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->options.chunksize = MAX (chunksize, 0);
}

void
fy_run_set_call_style (FyRun          *self,
                       FyRunCallStyle  style)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->options.call_style = style;
}

void
fy_run_set_task_timeout (FyRun  *self,
                         double  seconds)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->options.task_timeout = MAX (seconds, 0);
}

void
fy_run_set_crash_policy (FyRun         *self,
                         FyCrashPolicy  policy,
                         guint          max_retries)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->options.crash_policy = policy;
  self->options.max_retries = max_retries;
}

void
fy_run_set_max_tasks_per_child (FyRun *self,
                                int    max_tasks)
{
  g_return_if_fail (FY_IS_RUN (self));
  self->options.max_tasks_per_child = MAX (max_tasks, 0);
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
      self->pool_source = fy_run_source_new (self->context, POOL_PRIORITY);
      g_source_attach (self->pool_source, NULL);
      self->catch_up_id = g_timeout_add_full (G_PRIORITY_DEFAULT, POOL_LATE_MS, catch_up_cb, self, NULL);
    }
  return ok;
}

static gboolean
start_in_context (FyRun   *self,
                  GError **error)
{
  g_autoptr(FyPool) pool = fy_run_launch_pool_new (&self->options, error);
  g_autoptr(GPtrArray) tasks = NULL;
  gboolean ordered = FALSE;

  if (pool == NULL)
    return FALSE;
  g_signal_connect_object (pool, "task-finished", G_CALLBACK (task_finished_cb), self,
                           G_CONNECT_SWAPPED);

  /* The run's time counts from its Start, spawning the workers included,
   * as forkyard-cli counts its own. */
  self->started_at = g_get_monotonic_time ();
  if (!fy_pool_start (pool, error))
    return FALSE;

  /* Tasks may finish while they are handed in; task_finished_cb counts
   * their time against this pool. */
  self->pool_starting = pool;
  tasks = fy_run_launch_tasks (pool, self->function, self->arguments, &self->options,
                               &ordered, error);
  self->pool_starting = NULL;
  if (tasks == NULL)
    {
      fy_pool_terminate (pool);
      return FALSE;
    }

  self->pool = g_steal_pointer (&pool);
  self->feed = fy_run_feed_new (tasks, ordered);
  self->options.n_workers = fy_pool_get_n_workers (self->pool);
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
  /* From now on the pool's kills and reaping matter more than frames: a
   * cancelled run ends, its workers gone, within a second. */
  if (self->pool_source != NULL)
    g_source_set_priority (self->pool_source, G_PRIORITY_DEFAULT);
  /* Every unfinished task is cancelled now; the workers get SIGTERM and,
   * stopped or not, SIGKILL at the pool's next turn: the workloads keep
   * nothing a SIGTERM would let them save, and a stopped worker would
   * only wait out the grace (a timer that frames may delay further). */
  g_main_context_push_thread_default (self->context);
  fy_pool_set_kill_grace (self->pool, 0);
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
  return self->options.n_workers;
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
  return self->task_time.usec / (double) G_USEC_PER_SEC;
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
