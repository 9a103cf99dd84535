/* fy-pool.c: a pool of worker processes, Python's Pool and ProcessPoolExecutor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GObject, its options, starting and ending it. Everything runs in the
 * pool's GMainContext: each worker has a pidfd source and a channel
 * source. The rest of the pool lives beside this file, one seam each, with
 * fy-pool-private.h as their contract: fy-pool-dispatch.c (the queue and
 * chunks), fy-pool-reports.c (what workers say), fy-pool-crash.c (spawning
 * and deaths: crash policy, timeouts, cancelling), fy-pool-models.c (what
 * the user interface sees), fy-pool-map.c (map and friends) and
 * fy-pool-wire.c (the messages).
 */

#include "config.h"

#include "fy-pool-private.h"
#include "fy-task-list.h"

G_DEFINE_FINAL_TYPE (FyPool, fy_pool, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_N_WORKERS,
  PROP_WORKERS,
  PROP_TASKS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
guint fy_pool_signals[FY_POOL_N_SIGNALS];


GType
fy_crash_policy_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { FY_CRASH_POLICY_FAIL, "FY_CRASH_POLICY_FAIL", "fail" },
    { FY_CRASH_POLICY_RETRY, "FY_CRASH_POLICY_RETRY", "retry" },
    { FY_CRASH_POLICY_BREAK, "FY_CRASH_POLICY_BREAK", "break" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("FyCrashPolicy", values));
  return type_id;
}

GType
fy_pool_state_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { FY_POOL_STATE_NEW, "FY_POOL_STATE_NEW", "new" },
    { FY_POOL_STATE_RUNNING, "FY_POOL_STATE_RUNNING", "running" },
    { FY_POOL_STATE_CLOSED, "FY_POOL_STATE_CLOSED", "closed" },
    { FY_POOL_STATE_BROKEN, "FY_POOL_STATE_BROKEN", "broken" },
    { FY_POOL_STATE_TERMINATED, "FY_POOL_STATE_TERMINATED", "terminated" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("FyPoolState", values));
  return type_id;
}

gboolean
fy_crash_policy_parse (const char     *text,
                       FyCrashPolicy  *out_policy,
                       guint          *out_max_retries,
                       GError        **error)
{
  guint64 n = 1;

  g_return_val_if_fail (text != NULL, FALSE);

  if (g_str_equal (text, "fail") || g_str_equal (text, "break"))
    {
      if (out_policy != NULL)
        *out_policy = text[0] == 'f' ? FY_CRASH_POLICY_FAIL : FY_CRASH_POLICY_BREAK;
      if (out_max_retries != NULL)
        *out_max_retries = 0;
      return TRUE;
    }
  if (g_str_has_prefix (text, "retry"))
    {
      const char *rest = text + strlen ("retry");

      if (*rest != '\0')
        {
          if (*rest != ' ' && *rest != ':' && *rest != '=')
            goto invalid;
          if (!g_ascii_string_to_unsigned (rest + 1, 10, 0, G_MAXINT, &n, NULL))
            goto invalid;
        }
      if (out_policy != NULL)
        *out_policy = FY_CRASH_POLICY_RETRY;
      if (out_max_retries != NULL)
        *out_max_retries = (guint) n;
      return TRUE;
    }

invalid:
  g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
               "“%s” is not a crash policy: use fail, break or retry N", text);
  return FALSE;
}

void
fy_pool_set_state (FyPool      *self,
           FyPoolState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* ---- GObject ----------------------------------------------------------------------------- */

static void
fy_pool_dispose (GObject *object)
{
  FyPool *self = FY_POOL (object);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  FyFuture *future;

  if (self->dispatch_id != 0)
    {
      /* Removed from its own context: the pool may be disposed from
       * another thread than the one that runs it. */
      GSource *source = g_main_context_find_source_by_id (self->context, self->dispatch_id);

      if (source != NULL)
        g_source_destroy (source);
      self->dispatch_id = 0;
    }
  if (self->slots != NULL)
    {
      for (guint s = 0; s < self->slots->len; s++)
        {
          FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

          if (fy_pool_worker_is_live (worker))
            fy_pool_take_back_all (self, worker, held);
        }
      fy_pool_kill_all_now (self);
    }
  while ((future = fy_pool_pending_pop (self)) != NULL)
    g_ptr_array_add (held, future);
  for (guint i = 0; i < held->len; i++)
    fy_pool_finish_cancelled (self, g_ptr_array_index (held, i), "the pool was destroyed");
  if (self->finished != NULL)
    fy_pool_flush (self);

  if (self->tasks != NULL)
    {
      guint n_tasks;
      FyFuture * const *tasks = fy_task_list_peek (self->tasks, &n_tasks);

      for (guint i = 0; i < n_tasks; i++)
        {
          tasks[i]->owner = NULL;
          tasks[i]->cancel_func = NULL;
        }
    }
  if (self->slots != NULL)
    for (guint s = 0; s < self->slots->len; s++)
      ((FyPoolWorker *) g_ptr_array_index (self->slots, s))->pool = NULL;

  g_clear_object (&self->tasks);
  g_clear_object (&self->workers);
  g_clear_pointer (&self->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (fy_pool_parent_class)->dispose (object);
}

static void
fy_pool_finalize (GObject *object)
{
  FyPool *self = FY_POOL (object);

  g_free (self->init_function);
  g_clear_pointer (&self->init_argument, g_variant_unref);
  g_clear_pointer (&self->finished, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->queues[0]);
  g_clear_object (&self->queues[1]);

  G_OBJECT_CLASS (fy_pool_parent_class)->finalize (object);
}

static void
fy_pool_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  FyPool *self = FY_POOL (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_N_WORKERS:
      g_value_set_int (value, self->n_workers);
      break;
    case PROP_WORKERS:
      g_value_set_object (value, self->workers);
      break;
    case PROP_TASKS:
      g_value_set_object (value, self->tasks);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
fy_pool_class_init (FyPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fy_pool_dispose;
  object_class->finalize = fy_pool_finalize;
  object_class->get_property = fy_pool_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FY_TYPE_POOL_STATE,
                                              FY_POOL_STATE_NEW, flags);
  properties[PROP_N_WORKERS] = g_param_spec_int ("n-workers", NULL, NULL, 1, G_MAXINT, 1, flags);
  properties[PROP_WORKERS] = g_param_spec_object ("workers", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_TASKS] = g_param_spec_object ("tasks", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  fy_pool_signals[FY_POOL_SIGNAL_TASK_STARTED] = g_signal_new ("task-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, FY_TYPE_FUTURE);
  fy_pool_signals[FY_POOL_SIGNAL_TASK_FINISHED] = g_signal_new ("task-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, FY_TYPE_FUTURE);
  fy_pool_signals[FY_POOL_SIGNAL_WORKER_SPAWNED] = g_signal_new ("worker-spawned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, FY_TYPE_POOL_WORKER);
  fy_pool_signals[FY_POOL_SIGNAL_WORKER_EXITED] = g_signal_new ("worker-exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2, FY_TYPE_POOL_WORKER, G_TYPE_INT);
}

void
fy_pool_init (FyPool *self)
{
  self->n_workers = MAX (1, (int) g_get_num_processors ());
  self->policy = FY_CRASH_POLICY_FAIL;
  self->kill_grace = 1.0;
  self->workers = g_list_store_new (FY_TYPE_POOL_WORKER);
  self->tasks = fy_task_list_new ();
  self->slots = g_ptr_array_new_with_free_func (g_object_unref);
  self->finished = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->pending);
  fy_pool_create_queues (self);
}

/* ---- public API: construction and options ----------------------------------------------- */

FyPool *
fy_pool_new (void)
{
  return g_object_new (FY_TYPE_POOL, NULL);
}

FyPool *
fy_pool_new_started (int      n_workers,
                     GError **error)
{
  g_autoptr(FyPool) self = fy_pool_new ();

  if (!fy_pool_set_n_workers (self, n_workers, error) || !fy_pool_start (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean
check_new (FyPool  *self,
           GError **error)
{
  if (self->state == FY_POOL_STATE_NEW)
    return TRUE;
  g_set_error_literal (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                       "The pool has started: this option is fixed");
  return FALSE;
}

gboolean
fy_pool_set_n_workers (FyPool  *self,
                       int      n_workers,
                       GError **error)
{
  g_return_val_if_fail (FY_IS_POOL (self), FALSE);

  if (n_workers <= 0)
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "A pool needs at least one worker, not %d", n_workers);
      return FALSE;
    }
  if (!check_new (self, error))
    return FALSE;
  if (self->n_workers != n_workers)
    {
      self->n_workers = n_workers;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WORKERS]);
    }
  return TRUE;
}

int
fy_pool_get_n_workers (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), 0);
  return self->n_workers;
}

gboolean
fy_pool_set_max_tasks_per_child (FyPool  *self,
                                 int      max_tasks,
                                 GError **error)
{
  g_return_val_if_fail (FY_IS_POOL (self), FALSE);

  if (max_tasks <= 0)
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "max_tasks_per_child must be a positive number, not %d", max_tasks);
      return FALSE;
    }
  if (!check_new (self, error))
    return FALSE;
  self->max_tasks_per_child = max_tasks;
  return TRUE;
}

int
fy_pool_get_max_tasks_per_child (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), 0);
  return self->max_tasks_per_child;
}

void
fy_pool_set_crash_policy (FyPool        *self,
                          FyCrashPolicy  policy,
                          guint          max_retries)
{
  g_return_if_fail (FY_IS_POOL (self));
  self->policy = policy;
  self->max_retries = policy == FY_CRASH_POLICY_RETRY ? max_retries : 0;
}

FyCrashPolicy
fy_pool_get_crash_policy (FyPool *self,
                          guint  *out_max_retries)
{
  g_return_val_if_fail (FY_IS_POOL (self), FY_CRASH_POLICY_FAIL);
  if (out_max_retries != NULL)
    *out_max_retries = self->max_retries;
  return self->policy;
}

void
fy_pool_set_task_timeout (FyPool *self,
                          double  seconds)
{
  g_return_if_fail (FY_IS_POOL (self));
  self->task_timeout = MAX (seconds, 0);
  for (guint s = 0; s < self->slots->len; s++)
    fy_pool_update_want_starts (self, g_ptr_array_index (self->slots, s));
}

double
fy_pool_get_task_timeout (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), 0);
  return self->task_timeout;
}

void
fy_pool_set_kill_grace (FyPool *self,
                        double  seconds)
{
  g_return_if_fail (FY_IS_POOL (self));
  self->kill_grace = MAX (seconds, 0.001);
  for (guint s = 0; s < self->slots->len; s++)
    ((FyPoolWorker *) g_ptr_array_index (self->slots, s))->kill_grace = self->kill_grace;
}

double
fy_pool_get_kill_grace (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), 0);
  return self->kill_grace;
}

void
fy_pool_set_initializer (FyPool     *self,
                         const char *function,
                         GVariant   *argument)
{
  g_return_if_fail (FY_IS_POOL (self));
  g_return_if_fail (self->state == FY_POOL_STATE_NEW);

  g_free (self->init_function);
  g_clear_pointer (&self->init_argument, g_variant_unref);
  self->init_function = g_strdup (function);
  if (function != NULL)
    self->init_argument = g_variant_ref_sink (argument != NULL ? argument : g_variant_new ("()"));
  else if (argument != NULL)
    g_variant_unref (g_variant_ref_sink (argument));
}

void
fy_pool_set_spawn_fault (FyPool *self,
                         guint   n)
{
  g_return_if_fail (FY_IS_POOL (self));
  self->spawn_fault = n;
}

void
fy_pool_set_log_limit (FyPool *self,
                       guint   bytes)
{
  g_return_if_fail (FY_IS_POOL (self));
  self->log_limit = bytes;
  for (guint s = 0; s < self->slots->len; s++)
    fy_pool_update_want_starts (self, g_ptr_array_index (self->slots, s));
}

gboolean
fy_pool_start (FyPool  *self,
               GError **error)
{
  g_return_val_if_fail (FY_IS_POOL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state == FY_POOL_STATE_RUNNING)
    return TRUE;
  if (self->state != FY_POOL_STATE_NEW)
    {
      g_set_error_literal (error, FY_POOL_ERROR, FY_POOL_ERROR_CLOSED, "The pool cannot start again");
      return FALSE;
    }

  self->context = g_main_context_ref_thread_default ();
  for (int i = 0; i < self->n_workers; i++)
    {
      if (fy_pool_spawn_worker (self, i, error) == NULL)
        {
          fy_pool_kill_all_now (self);
          fy_pool_set_state (self, FY_POOL_STATE_BROKEN);
          return FALSE;
        }
    }
  fy_pool_set_state (self, FY_POOL_STATE_RUNNING);
  return TRUE;
}

FyPoolState
fy_pool_get_state (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), FY_POOL_STATE_NEW);
  return self->state;
}

GListModel *
fy_pool_get_workers (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), NULL);
  return G_LIST_MODEL (self->workers);
}

GListModel *
fy_pool_get_tasks (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), NULL);
  return G_LIST_MODEL (self->tasks);
}

FyPoolWorker *
fy_pool_find_worker (FyPool *self,
                     GPid    pid)
{
  g_return_val_if_fail (FY_IS_POOL (self), NULL);

  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (fy_pool_worker_is_live (worker) && worker->pid == pid)
        return worker;
    }
  return NULL;
}

guint
fy_pool_get_n_pending (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), 0);
  return self->pending.length;
}

guint
fy_pool_get_n_in_flight (FyPool *self)
{
  g_return_val_if_fail (FY_IS_POOL (self), 0);
  return self->n_in_flight;
}

void
fy_pool_close (FyPool *self)
{
  g_return_if_fail (FY_IS_POOL (self));

  if (self->state == FY_POOL_STATE_NEW || self->state == FY_POOL_STATE_RUNNING)
    fy_pool_set_state (self, FY_POOL_STATE_CLOSED);
  fy_pool_dispatch (self);
}

void
fy_pool_terminate (FyPool *self)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (FY_IS_POOL (self));

  if (self->state == FY_POOL_STATE_TERMINATED)
    return;
  fy_pool_set_state (self, FY_POOL_STATE_TERMINATED);

  fy_pool_stop_workers_and_gather (self, FALSE, held);
  for (guint i = 0; i < held->len; i++)
    fy_pool_finish_cancelled (self, g_ptr_array_index (held, i), "the pool was terminated");
  fy_pool_flush (self);
}

static gboolean
check_joined (gpointer data)
{
  FyPool *self = data;

  return self->n_live == 0 && g_queue_is_empty (&self->pending) && self->n_in_flight == 0;
}

gboolean
fy_pool_join (FyPool  *self,
              double   timeout_seconds,
              GError **error)
{
  g_return_val_if_fail (FY_IS_POOL (self), FALSE);

  if (self->state == FY_POOL_STATE_NEW || self->state == FY_POOL_STATE_RUNNING)
    {
      g_set_error_literal (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                           "Close or terminate the pool before joining it");
      return FALSE;
    }
  if (self->context == NULL)
    return TRUE;
  if (!fy_future_wait_context (self->context, timeout_seconds, check_joined, self))
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT,
                   "The pool's workers did not finish within %.3g s", timeout_seconds);
      return FALSE;
    }
  return TRUE;
}

void
fy_pool_shutdown (FyPool   *self,
                  gboolean  wait,
                  gboolean  cancel_futures)
{
  FyFuture *future;

  g_return_if_fail (FY_IS_POOL (self));

  if (cancel_futures)
    {
      while ((future = fy_pool_pending_pop (self)) != NULL)
        {
          fy_pool_finish_cancelled (self, future, "the pool was shut down");
          g_object_unref (future);
        }
      fy_pool_cancel_unstarted (self);
      fy_pool_flush (self);
    }
  fy_pool_close (self);
  if (wait)
    fy_pool_join (self, -1, NULL);
}
