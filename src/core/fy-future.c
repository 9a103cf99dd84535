/* fy-future.c: one task of a pool, its state and its outcome
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-core.h"
#include "fy-future.h"
#include "fy-future-private.h"
#include "fy-pool-error.h"
#include "fy-pool-wire.h"

G_DEFINE_FINAL_TYPE (FyFuture, fy_future, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_FUNCTION,
  PROP_STATE,
  PROP_WORKER_PID,
  PROP_ATTEMPTS,
  PROP_SUBMITTED_AT,
  PROP_STARTED_AT,
  PROP_FINISHED_AT,
  PROP_N_ITEMS,
  PROP_FIRST_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  FyFutureDoneFunc func;
  gpointer         user_data;
  GDestroyNotify   destroy;
} DoneCallback;

GType
fy_future_state_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { FY_FUTURE_STATE_PENDING, "FY_FUTURE_STATE_PENDING", "pending" },
    { FY_FUTURE_STATE_QUEUED, "FY_FUTURE_STATE_QUEUED", "queued" },
    { FY_FUTURE_STATE_RUNNING, "FY_FUTURE_STATE_RUNNING", "running" },
    { FY_FUTURE_STATE_DONE, "FY_FUTURE_STATE_DONE", "done" },
    { FY_FUTURE_STATE_FAILED, "FY_FUTURE_STATE_FAILED", "failed" },
    { FY_FUTURE_STATE_CANCELLED, "FY_FUTURE_STATE_CANCELLED", "cancelled" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("FyFutureState", values));
  return type_id;
}

static void
done_callback_free (gpointer data)
{
  DoneCallback *cb = data;

  if (cb->destroy != NULL)
    cb->destroy (cb->user_data);
  g_free (cb);
}

static void
fy_future_finalize (GObject *object)
{
  FyFuture *self = FY_FUTURE (object);

  g_clear_pointer (&self->argument, g_variant_unref);
  g_clear_pointer (&self->packed, g_variant_unref);
  g_clear_pointer (&self->result, g_variant_unref);
  g_clear_error (&self->error);
  if (self->map != NULL)
    {
      g_clear_pointer (&self->map->item_ends, g_variant_unref);
      g_clear_pointer (&self->map->item_errors, g_ptr_array_unref);
      g_clear_pointer (&self->map->settled, g_ptr_array_unref);
      g_clear_pointer (&self->map->settled_ends, g_array_unref);
      g_clear_pointer (&self->map->settled_errors, g_ptr_array_unref);
      g_clear_pointer (&self->map, g_free);
    }
  g_list_free_full (g_steal_pointer (&self->done_callbacks), done_callback_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (fy_future_parent_class)->finalize (object);
}

static void
fy_future_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FyFuture *self = FY_FUTURE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint64 (value, self->id);
      break;
    case PROP_FUNCTION:
      g_value_set_string (value, self->function);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_WORKER_PID:
      g_value_set_int (value, self->worker_pid);
      break;
    case PROP_ATTEMPTS:
      g_value_set_uint (value, self->attempts);
      break;
    case PROP_SUBMITTED_AT:
      g_value_set_int64 (value, self->submitted_at);
      break;
    case PROP_STARTED_AT:
      g_value_set_int64 (value, self->started_at);
      break;
    case PROP_FINISHED_AT:
      g_value_set_int64 (value, self->finished_at);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_FIRST_ITEM:
      g_value_set_uint (value, self->first_item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_future_class_init (FyFutureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = fy_future_finalize;
  object_class->get_property = fy_future_get_property;

  properties[PROP_ID] = g_param_spec_uint64 ("id", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_FUNCTION] = g_param_spec_string ("function", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FY_TYPE_FUTURE_STATE,
                                              FY_FUTURE_STATE_PENDING, flags);
  properties[PROP_WORKER_PID] = g_param_spec_int ("worker-pid", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_ATTEMPTS] = g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_SUBMITTED_AT] = g_param_spec_int64 ("submitted-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_STARTED_AT] = g_param_spec_int64 ("started-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_FINISHED_AT] = g_param_spec_int64 ("finished-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /* Fixed before the pool hands the future out: never notified. */
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_FIRST_ITEM] = g_param_spec_uint ("first-item", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_future_init (FyFuture *self)
{
}

/* ---- internal API --------------------------------------------------------- */

static FyFuture *
future_new (GMainContext *context,
            const char   *function,
            gint64        submitted_at)
{
  static guint64 last_id;
  FyFuture *self = g_object_new (FY_TYPE_FUTURE, NULL);

  self->id = ++last_id;
  self->function = function;
  self->context = g_main_context_ref (context);
  self->submitted_at = submitted_at;
  return self;
}

FyFuture *
fy_future_new (GMainContext *context,
               const char   *function,
               GVariant     *argument,
               gint64        submitted_at)
{
  FyFuture *self = future_new (context, function, submitted_at);

  self->argument = argument != NULL ? g_variant_ref_sink (argument) : g_variant_ref_sink (g_variant_new ("()"));
  return self;
}

/* A map call over 10^5 numbers with chunksize 1 made a GVariant per
 * argument only to copy its 8 bytes into a message: a fifth of what the
 * parent spent per item. */
FyFuture *
fy_future_new_packed (GMainContext *context,
                      const char   *function,
                      GVariant     *packed,
                      guint         index,
                      gint64        submitted_at)
{
  FyFuture *self = future_new (context, function, submitted_at);

  self->packed = g_variant_ref (packed);
  self->packed_index = index;
  return self;
}

GVariant *
fy_future_argument (FyFuture *self)
{
  if (self->argument == NULL)
    self->argument = g_variant_get_child_value (self->packed, self->packed_index);
  return self->argument;
}

void
fy_future_set_state (FyFuture      *self,
                     FyFutureState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
fy_future_mark_started (FyFuture *self,
                        GPid      pid,
                        gint64    now)
{
  self->started_at = now;
  self->worker_pid = pid;
  self->attempts++;
  fy_future_set_state (self, FY_FUTURE_STATE_RUNNING);
}

static void
mark_finished (FyFuture      *self,
               FyFutureState  state,
               gint64         now)
{
  self->finished_at = now;
  self->holder = NULL;
  fy_future_set_state (self, state);
}

void
fy_future_set_result (FyFuture *self,
                      GVariant *result,
                      gint64    now)
{
  g_assert (!fy_future_is_finished (self));
  self->result = g_variant_ref_sink (result);
  mark_finished (self, FY_FUTURE_STATE_DONE, now);
}

void
fy_future_set_error_at (FyFuture      *self,
                        FyFutureState  state,
                        GError        *error,
                        gint64         now)
{
  g_assert (!fy_future_is_finished (self));
  g_assert (state == FY_FUTURE_STATE_FAILED || state == FY_FUTURE_STATE_CANCELLED);
  self->error = error;
  mark_finished (self, state, now != 0 ? now : g_get_monotonic_time ());
}

void
fy_future_set_error (FyFuture      *self,
                     FyFutureState  state,
                     GError        *error)
{
  fy_future_set_error_at (self, state, error, 0);
}

void
fy_future_run_done_callbacks (FyFuture *self)
{
  GList *callbacks = g_steal_pointer (&self->done_callbacks);

  g_object_ref (self);
  callbacks = g_list_reverse (callbacks);
  for (GList *l = callbacks; l != NULL; l = l->next)
    {
      DoneCallback *cb = l->data;

      cb->func (self, cb->user_data);
    }
  g_list_free_full (callbacks, done_callback_free);
  g_object_unref (self);
}

/* How long a wait looks for its result before it lets poll () sleep. */
#define WAIT_SPIN_USEC 20

static gboolean
wait_timeout_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
fy_future_wait_context (GMainContext *context,
                      double        timeout_seconds,
                      gboolean    (*check) (gpointer data),
                      gpointer      data)
{
  g_autoptr(GSource) timer = NULL;
  gboolean expired = FALSE;
  gint64 spin_until;
  gboolean ok;

  if (check (data))
    return TRUE;
  if (timeout_seconds == 0)
    return FALSE;

  if (timeout_seconds > 0)
    {
      timer = g_timeout_source_new (MAX (1, (guint) (timeout_seconds * 1000.0 + 0.5)));
      g_source_set_callback (timer, wait_timeout_cb, &expired, NULL);
      g_source_attach (timer, context);
    }

  /* A short task's result is back within microseconds: iterating without
   * blocking for a moment first spares the sleep in poll () and the
   * wake-up, as a channel receive does. Only with a CPU to spare. */
  spin_until = fy_core_can_spin () ? g_get_monotonic_time () + WAIT_SPIN_USEC : 0;
  while (!(ok = check (data)) && !expired)
    g_main_context_iteration (context, g_get_monotonic_time () >= spin_until);

  if (timer != NULL)
    g_source_destroy (timer);
  return ok;
}

/* ---- public API ------------------------------------------------------------ */

guint64
fy_future_get_id (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->id;
}

const char *
fy_future_get_function (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), NULL);
  return self->function;
}

GVariant *
fy_future_get_argument (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), NULL);
  return fy_future_argument (self);
}

FyFutureState
fy_future_get_state (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), FY_FUTURE_STATE_PENDING);
  return self->state;
}

gboolean
fy_future_is_finished (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), FALSE);
  return self->state >= FY_FUTURE_STATE_DONE;
}

GVariant *
fy_future_get_result_value (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), NULL);
  /* A chunk that failed in part keeps its other items' results. */
  return self->state == FY_FUTURE_STATE_DONE ? self->result : NULL;
}

const GError *
fy_future_get_error (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), NULL);
  return self->error;
}

GPid
fy_future_get_worker_pid (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->worker_pid;
}

int
fy_future_get_worker_exitcode (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->worker_exitcode;
}

guint
fy_future_get_attempts (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->attempts;
}

gint64
fy_future_get_submitted_at (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->submitted_at;
}

gint64
fy_future_get_started_at (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->started_at;
}

gint64
fy_future_get_finished_at (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->finished_at;
}

guint
fy_future_get_n_items (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->n_items;
}

guint
fy_future_get_n_items_settled (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);

  if (fy_future_is_finished (self))
    return MAX (self->n_items, 1);
  return self->n_items > 0 ? self->map->n_settled : 0;
}

gboolean
fy_future_get_crashed_item (FyFuture *self,
                            guint    *out_item,
                            guint    *out_retries)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), FALSE);

  if (self->n_items == 0 || self->map->crash_item == 0)
    return FALSE;
  if (out_item != NULL)
    *out_item = self->map->crash_item - 1;
  if (out_retries != NULL)
    *out_retries = self->map->crash_retries;
  return TRUE;
}

guint
fy_future_get_first_item (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), 0);
  return self->first_item;
}

GVariant *
fy_future_item_outcome (FyFuture  *self,
                        guint      index,
                        GError   **error)
{
  const GError *item_error = NULL;

  if (self->n_items == 0)
    {
      if (self->state == FY_FUTURE_STATE_DONE)
        return g_variant_ref (self->result);
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    }
  if (self->map->item_errors != NULL)
    item_error = g_ptr_array_index (self->map->item_errors, index);
  else if (self->map->settled_errors != NULL && index < self->map->settled_errors->len)
    item_error = g_ptr_array_index (self->map->settled_errors, index);
  if (item_error != NULL)
    {
      g_propagate_error (error, g_error_copy (item_error));
      return NULL;
    }
  if (self->result != NULL)
    return fy_pool_unboxed_child (self->result, index);
  /* A chunk that failed or was cancelled as a whole keeps the items it
   * settled before. */
  if (self->map->settled != NULL && index < self->map->settled->len)
    return g_variant_ref (g_ptr_array_index (self->map->settled, index));
  g_propagate_error (error, g_error_copy (self->error));
  return NULL;
}

gboolean
fy_future_get_item_result (FyFuture  *self,
                           guint      index,
                           GVariant **out_result,
                           GError   **error)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (out_result != NULL, FALSE);
  g_return_val_if_fail (index < MAX (self->n_items, 1), FALSE);

  *out_result = NULL;
  if (index >= fy_future_get_n_items_settled (self))
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "Task %" G_GUINT64_FORMAT " (%s) has not finished", self->id, self->function);
      return FALSE;
    }
  *out_result = fy_future_item_outcome (self, index, error);
  return *out_result != NULL;
}

gboolean
fy_future_get_item_times (FyFuture *self,
                          guint     index,
                          gint64   *out_started_at,
                          gint64   *out_finished_at)
{
  gint64 started = 0;
  gint64 finished = 0;

  g_return_val_if_fail (FY_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (index < MAX (self->n_items, 1), FALSE);

  if (self->n_items == 0)
    {
      started = self->started_at;
      finished = self->finished_at;
    }
  else if (self->map->item_ends != NULL)
    {
      gsize n;
      const guint32 *ends = g_variant_get_fixed_array (self->map->item_ends, &n, sizeof (guint32));

      if (index < n)
        {
          started = self->map->items_started_at + (index > 0 ? ends[index - 1] : 0);
          finished = self->map->items_started_at + ends[index];
        }
    }
  else if (self->map->settled_ends != NULL && index < self->map->settled_ends->len)
    {
      started = index > 0 ? g_array_index (self->map->settled_ends, gint64, index - 1) : self->map->items_started_at;
      finished = g_array_index (self->map->settled_ends, gint64, index);
    }
  if (out_started_at != NULL)
    *out_started_at = started;
  if (out_finished_at != NULL)
    *out_finished_at = finished;
  return finished != 0;
}

static gboolean
check_finished (gpointer data)
{
  return fy_future_is_finished (data);
}

gboolean
fy_future_wait (FyFuture *self,
                double    timeout_seconds)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), FALSE);
  return fy_future_wait_context (self->context, timeout_seconds, check_finished, self);
}

static GVariant *
outcome (FyFuture  *self,
         GError   **error)
{
  if (self->state == FY_FUTURE_STATE_DONE)
    return g_variant_ref (self->result);
  g_propagate_error (error, g_error_copy (self->error));
  return NULL;
}

GVariant *
fy_future_result (FyFuture  *self,
                  double     timeout_seconds,
                  GError   **error)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fy_future_wait (self, timeout_seconds))
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT,
                   "Task %" G_GUINT64_FORMAT " (%s) did not finish within %.3g s",
                   self->id, self->function, timeout_seconds);
      return NULL;
    }
  return outcome (self, error);
}

GVariant *
fy_future_result_or_cancel (FyFuture  *self,
                            double     timeout_seconds,
                            GError   **error)
{
  GVariant *result;
  GError *local_error = NULL;

  g_return_val_if_fail (FY_IS_FUTURE (self), NULL);

  result = fy_future_result (self, timeout_seconds, &local_error);
  if (result == NULL && g_error_matches (local_error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT))
    fy_future_cancel (self);
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return result;
}

static void
result_async_done_cb (FyFuture *future,
                      gpointer  user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GVariant *result = outcome (future, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) g_variant_unref);
  else
    g_task_return_error (task, error);
}

void
fy_future_result_async (FyFuture            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (FY_IS_FUTURE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fy_future_result_async);
  g_task_set_check_cancellable (task, TRUE);
  fy_future_add_done_callback (self, result_async_done_cb, task, NULL);
}

GVariant *
fy_future_result_finish (FyFuture      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
fy_future_cancel (FyFuture *self)
{
  g_return_val_if_fail (FY_IS_FUTURE (self), FALSE);

  if (fy_future_is_finished (self))
    return FALSE;
  if (self->cancel_func == NULL)
    return FALSE;
  return self->cancel_func (self->owner, self);
}

static gboolean
run_done_idle_cb (gpointer data)
{
  fy_future_run_done_callbacks (data);
  return G_SOURCE_REMOVE;
}

void
fy_future_add_done_callback (FyFuture         *self,
                             FyFutureDoneFunc  func,
                             gpointer          user_data,
                             GDestroyNotify    destroy)
{
  DoneCallback *cb;

  g_return_if_fail (FY_IS_FUTURE (self));
  g_return_if_fail (func != NULL);

  cb = g_new0 (DoneCallback, 1);
  cb->func = func;
  cb->user_data = user_data;
  cb->destroy = destroy;
  self->done_callbacks = g_list_prepend (self->done_callbacks, cb);

  if (fy_future_is_finished (self))
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_callback (idle, run_done_idle_cb, g_object_ref (self), g_object_unref);
      g_source_attach (idle, self->context);
      g_source_unref (idle);
    }
}

typedef struct
{
  GPtrArray  *futures;
  FyWaitMode  mode;
  guint       next;   /* ALL_COMPLETED: every future before it has finished */
} WaitMany;

static gboolean
check_wait_many (gpointer data)
{
  WaitMany *w = data;
  guint n_finished = 0;

  /* Finished futures stay finished: resume where the last check stopped. */
  if (w->mode == FY_WAIT_ALL_COMPLETED)
    {
      while (w->next < w->futures->len
             && fy_future_is_finished (g_ptr_array_index (w->futures, w->next)))
        w->next++;
      return w->next == w->futures->len;
    }

  for (guint i = 0; i < w->futures->len; i++)
    {
      FyFuture *f = g_ptr_array_index (w->futures, i);

      if (!fy_future_is_finished (f))
        continue;
      n_finished++;
      if (w->mode == FY_WAIT_FIRST_COMPLETED)
        return TRUE;
      if (w->mode == FY_WAIT_FIRST_EXCEPTION && f->state != FY_FUTURE_STATE_DONE)
        return TRUE;
    }
  return n_finished == w->futures->len;
}

gboolean
fy_future_wait_many (GPtrArray   *futures,
                     FyWaitMode   mode,
                     double       timeout_seconds,
                     GPtrArray  **out_done,
                     GPtrArray  **out_not_done)
{
  WaitMany w = { futures, mode, 0 };
  GMainContext *context;
  gboolean ok;

  g_return_val_if_fail (futures != NULL, FALSE);

  context = futures->len > 0 ? FY_FUTURE (g_ptr_array_index (futures, 0))->context : NULL;
  ok = context != NULL ? fy_future_wait_context (context, timeout_seconds, check_wait_many, &w) : TRUE;

  if (out_done != NULL)
    *out_done = g_ptr_array_new_with_free_func (g_object_unref);
  if (out_not_done != NULL)
    *out_not_done = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < futures->len; i++)
    {
      FyFuture *f = g_ptr_array_index (futures, i);
      GPtrArray **into = fy_future_is_finished (f) ? out_done : out_not_done;

      if (into != NULL)
        g_ptr_array_add (*into, g_object_ref (f));
    }
  return ok;
}
