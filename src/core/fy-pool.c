/* fy-pool.c: a pool of worker processes, Python's Pool and ProcessPoolExecutor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs in the pool's GMainContext: each worker has a pidfd
 * source and a channel source. Tasks wait in one queue; chunks of them are
 * handed to workers. A task may itself be a map chunk of many items (see
 * fy-pool.h): the pool then handles one future, not one per item. A worker receives more chunks before it finished the
 * first only while its tasks are short (that hides the round trip); those
 * have not started, so its death sends them back to the queue untouched.
 * Which one runs is always known exactly: the worker names it in a word
 * of memory it shares with the pool before it runs it (see
 * fy-pool-private.h), so tiny tasks need no message each.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gio/gunixfdlist.h>

#include "fy-pool.h"
#include "fy-pool-private.h"
#include "fy-task-list.h"
#include "fy-shm-private.h"
#include "fy-spawn.h"

/* Prefetch only while a worker's items are this short, and only as far as
 * this much work ahead of it. */
#define PREFETCH_MAX_ITEM_US  1000.0
#define PREFETCH_AHEAD_US     5000.0
#define PREFETCH_MAX_CHUNKS   256
/* Messages handled per wake-up of one channel, so one busy worker cannot
 * starve the others or the user interface. */
#define MESSAGES_PER_DISPATCH 256
/* Below this many items per worker, the automatic chunksize is 1. */
#define FY_POOL_ITEMS_PER_WORKER_UNCHUNKED 32
/* Most items one merged chunk carries. */
#define MERGE_MAX_ITEMS       4096

typedef struct
{
  guint64    id;
  guint64    first_seq;   /* the worker's number for item 0 */
  GPtrArray *items;       /* FyFuture, owned */
  guint      n_reported;
  guint      window_end;  /* items before it may have started */
  gboolean   acked;
} FyPoolChunk;

struct _FyPool
{
  GObject        parent_instance;

  int            n_workers;
  int            max_tasks_per_child;
  FyCrashPolicy  policy;
  guint          max_retries;
  double         task_timeout;
  double         kill_grace;
  char          *init_function;
  GVariant      *init_argument;

  FyPoolState    state;
  GMainContext  *context;
  GListStore    *workers;
  FyTaskList    *tasks;
  GPtrArray     *slots;         /* FyPoolWorker, the current one per slot */
  GQueue         pending;       /* FyFuture, owned */
  guint          n_in_flight;
  guint          n_live;
  guint64        next_chunk_id;
  guint64        next_batch;
  GPtrArray     *finished;      /* to announce once bookkeeping is done */
  gboolean       flushing;
  guint          spawn_fault;
  guint          dispatch_id;   /* a dispatch is due at the next iteration */

  /* The queues as the registry shows them (FyPoolQueueCounters). */
  FyShm         *queues[2];     /* tasks, results; NULL if they could not be made */
  guint64        tasks_put;
  guint64        tasks_got;
  guint64        results_put;
  guint64        results_got;
};

G_DEFINE_FINAL_TYPE (FyPool, fy_pool, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-pool-error-quark, fy_pool_error)

enum {
  PROP_0,
  PROP_STATE,
  PROP_N_WORKERS,
  PROP_WORKERS,
  PROP_TASKS,
  N_PROPS
};

enum {
  TASK_STARTED,
  TASK_FINISHED,
  WORKER_SPAWNED,
  WORKER_EXITED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void dispatch (FyPool *self);
static void flush (FyPool *self);
static void publish_queues (FyPool *self);

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

GVariant *
fy_pool_error_to_variant (const GError *error)
{
  if (error == NULL)
    return g_variant_new ("(sis)", "", 0, "Unknown error");
  return g_variant_new ("(sis)", g_quark_to_string (error->domain), error->code, error->message);
}

GError *
fy_pool_error_from_variant (GVariant *value)
{
  const char *domain;
  const char *message;
  gint32 code;

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE ("(sis)")))
    return g_error_new_literal (FY_POOL_ERROR, FY_POOL_ERROR_PROTOCOL, "A worker sent a malformed error");
  g_variant_get (value, "(&si&s)", &domain, &code, &message);
  if (*domain == '\0')
    return g_error_new_literal (FY_POOL_ERROR, FY_POOL_ERROR_FAILED, message);
  return g_error_new_literal (g_quark_from_string (domain), code, message);
}

gsize
fy_pool_fixed_size (const char *type_string)
{
  if (type_string[0] == '\0' || type_string[1] != '\0')
    return 0;
  switch (type_string[0])
    {
    case 'y':
    case 'b':
      return 1;
    case 'n':
    case 'q':
      return 2;
    case 'i':
    case 'u':
      return 4;
    case 'x':
    case 't':
    case 'd':
      return 8;
    default:
      return 0;
    }
}

/* Offsets in the serialised "(yttuuv)": y, then t aligned to 8, t, u, u,
 * and the variant aligned to 8. */
#define MSG_CHUNK_AT  8
#define MSG_NEXT_AT   16
#define MSG_INDEX_AT  24
#define MSG_WINDOW_AT 28
#define MSG_BODY_AT   32

GVariant *
fy_pool_message_new (char      tag,
                     guint64   chunk,
                     guint64   next,
                     guint32   index,
                     guint32   window,
                     GVariant *body)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (body != NULL ? body : g_variant_new ("()"));
  const char *type = g_variant_get_type_string (owned);
  gsize type_len = strlen (type);
  gsize body_size = g_variant_get_size (owned);
  gsize size = MSG_BODY_AT + body_size + 1 + type_len;
  guint8 *data = g_malloc0 (size);

  data[0] = (guint8) tag;
  memcpy (data + MSG_CHUNK_AT, &chunk, sizeof chunk);
  memcpy (data + MSG_NEXT_AT, &next, sizeof next);
  memcpy (data + MSG_INDEX_AT, &index, sizeof index);
  memcpy (data + MSG_WINDOW_AT, &window, sizeof window);
  /* A serialised variant: the value, a zero byte, its type string. */
  g_variant_store (owned, data + MSG_BODY_AT);
  memcpy (data + MSG_BODY_AT + body_size + 1, type, type_len);
  return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (FY_POOL_MESSAGE_TYPE),
                                                      data, size, FALSE, g_free, data));
}

gboolean
fy_pool_message_parse (GVariant      *message,
                       FyPoolHeader  *out_header,
                       GVariant     **out_body)
{
  g_autoptr(GVariant) boxed = NULL;
  const guint8 *data;

  if (!g_variant_is_of_type (message, G_VARIANT_TYPE (FY_POOL_MESSAGE_TYPE))
      || g_variant_get_size (message) < MSG_BODY_AT + 2)
    return FALSE;

  data = g_variant_get_data (message);
  out_header->tag = (char) data[0];
  memcpy (&out_header->chunk, data + MSG_CHUNK_AT, sizeof out_header->chunk);
  memcpy (&out_header->next, data + MSG_NEXT_AT, sizeof out_header->next);
  memcpy (&out_header->index, data + MSG_INDEX_AT, sizeof out_header->index);
  memcpy (&out_header->window, data + MSG_WINDOW_AT, sizeof out_header->window);
  boxed = g_variant_get_child_value (message, 5);
  *out_body = g_variant_get_variant (boxed);
  return TRUE;
}

static char *
describe_exit (GPid pid,
               int  exitcode)
{
  if (exitcode < 0)
    {
      const char *abbrev = sigabbrev_np (-exitcode);

      return g_strdup_printf ("worker %d killed by signal %d (SIG%s)", pid, -exitcode,
                              abbrev != NULL ? abbrev : "?");
    }
  return g_strdup_printf ("worker %d exited with code %d", pid, exitcode);
}

static void
chunk_free (FyPoolChunk *chunk)
{
  g_ptr_array_unref (chunk->items);
  g_free (chunk);
}

/* ---- the pending queue ------------------------------------------------------- */

/* It links each future through a node inside it, so queueing a task
 * allocates nothing. The queue holds a reference. */
static void
pending_push (FyPool   *self,
              FyFuture *future,
              gboolean  at_head)
{
  future->queue_node.data = g_object_ref (future);
  future->queue_link = &future->queue_node;
  if (at_head)
    g_queue_push_head_link (&self->pending, future->queue_link);
  else
    g_queue_push_tail_link (&self->pending, future->queue_link);
  self->tasks_put++;
}

/* The oldest pending task (the queue's reference), or NULL. */
static FyFuture *
pending_pop (FyPool *self)
{
  GList *link = g_queue_pop_head_link (&self->pending);
  FyFuture *future;

  if (link == NULL)
    return NULL;
  future = link->data;
  future->queue_link = NULL;
  return future;
}

/* ---- finishing tasks --------------------------------------------------------- */

static void
finish_result (FyPool   *self,
               FyFuture *future,
               GVariant *result,
               gint64    now)
{
  fy_future_set_result (future, result, now);
  g_ptr_array_add (self->finished, g_object_ref (future));
  self->results_put++;
}

static void
finish_error (FyPool        *self,
              FyFuture      *future,
              FyFutureState  state,
              GError        *error)
{
  fy_future_set_error (future, state, error);
  g_ptr_array_add (self->finished, g_object_ref (future));
  self->results_put++;
}

static void
finish_cancelled (FyPool     *self,
                  FyFuture   *future,
                  const char *why)
{
  finish_error (self, future, FY_FUTURE_STATE_CANCELLED,
                g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_CANCELLED,
                             "Task %" G_GUINT64_FORMAT " (%s) was cancelled: %s",
                             future->id, future->function, why));
}

/* Announces finished tasks only now that the pool's own state is
 * consistent: a callback may submit, cancel or terminate. */
static void
flush (FyPool *self)
{
  if (self->flushing)
    return;
  self->flushing = TRUE;
  g_object_ref (self);
  while (self->finished->len > 0)
    {
      g_autoptr(GPtrArray) batch = g_steal_pointer (&self->finished);

      self->finished = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < batch->len; i++)
        {
          FyFuture *future = g_ptr_array_index (batch, i);

          self->results_got++;
          g_signal_emit (self, signals[TASK_FINISHED], 0, future);
          fy_future_run_done_callbacks (future);
        }
    }
  self->flushing = FALSE;
  publish_queues (self);
  g_object_unref (self);
}

static void
set_state (FyPool      *self,
           FyPoolState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Takes every unfinished task a worker holds out of it. */
static void
take_back_all (FyPool       *self,
               FyPoolWorker *worker,
               GPtrArray    *into)
{
  FyPoolChunk *chunk;

  while ((chunk = g_queue_pop_head (&worker->sent)) != NULL)
    {
      for (guint i = chunk->n_reported; i < chunk->items->len; i++)
        {
          FyFuture *future = g_ptr_array_index (chunk->items, i);

          self->n_in_flight--;
          future->holder = NULL;
          if (!fy_future_finished (future))
            g_ptr_array_add (into, g_object_ref (future));
        }
      chunk_free (chunk);
    }
  worker->in_flight_items = 0;
  g_clear_handle_id (&worker->timeout_id, g_source_remove);
}

static gboolean
worker_is_live (FyPoolWorker *worker)
{
  return worker != NULL && !worker->exited && worker->pidfd >= 0;
}

/* ---- the queues in the registry ------------------------------------------------ */

static void
queue_snapshot (FyShm        *shm,
                GVariantDict *dict)
{
  FyPoolQueueCounters *c = fy_shm_get_data (shm);

  g_variant_dict_insert (dict, "depth", "u", __atomic_load_n (&c->depth, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "t", __atomic_load_n (&c->puts, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "gets", "t", __atomic_load_n (&c->gets, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "in-flight", "u", __atomic_load_n (&c->in_flight, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "waiters", "u", __atomic_load_n (&c->waiters, __ATOMIC_RELAXED));
}

/* Two small mappings the registry lists while the pool lives. They are
 * for inspection only: a pool that could not make them works the same. */
static void
create_queues (FyPool *self)
{
  static guint last_pool;
  static const char *const names[2] = { "tasks", "results" };
  guint number = (guint) g_atomic_int_add (&last_pool, 1) + 1;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *name = g_strdup_printf ("pool-%u-%s", number, names[i]);

      self->queues[i] = fy_shm_new (FY_SHM_KIND_POOL_QUEUE, name, sizeof (FyPoolQueueCounters), NULL);
      if (self->queues[i] == NULL)
        continue;
      fy_shm_set_funcs (self->queues[i], NULL, queue_snapshot);
      fy_shm_attach_owner (self->queues[i], G_OBJECT (self), TRUE);
    }
}

static void
store_counters (FyShm   *shm,
                guint64  puts,
                guint64  gets,
                guint    depth,
                guint    in_flight,
                guint    waiters)
{
  FyPoolQueueCounters *c;

  if (shm == NULL)
    return;
  c = fy_shm_get_data (shm);
  __atomic_store_n (&c->puts, puts, __ATOMIC_RELAXED);
  __atomic_store_n (&c->gets, gets, __ATOMIC_RELAXED);
  __atomic_store_n (&c->depth, depth, __ATOMIC_RELAXED);
  __atomic_store_n (&c->in_flight, in_flight, __ATOMIC_RELAXED);
  __atomic_store_n (&c->waiters, waiters, __ATOMIC_RELAXED);
}

/* Once per batch of work (a submit, the messages of one wake-up), not
 * once per task. */
static void
publish_queues (FyPool *self)
{
  guint waiters = 0;

  for (guint s = 0; self->slots != NULL && s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (worker_is_live (worker) && worker->state == FY_POOL_WORKER_STATE_IDLE)
        waiters++;
    }
  store_counters (self->queues[0], self->tasks_put, self->tasks_got, self->pending.length,
                  self->n_in_flight, waiters);
  store_counters (self->queues[1], self->results_put, self->results_got,
                  (guint) (self->results_put - self->results_got), 0, 0);
}

/* Ends every live worker (SIGKILL now, or SIGTERM and SIGKILL after the
 * grace) and gathers every unfinished task, held by a worker or pending,
 * into @held for the caller to finish. */
static void
stop_workers_and_gather (FyPool    *self,
                         gboolean   kill_now,
                         GPtrArray *held)
{
  FyFuture *future;

  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (!worker_is_live (worker))
        continue;
      take_back_all (self, worker, held);
      worker->reason = FY_POOL_WORKER_REASON_POOL;
      fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_EXITING);
      if (kill_now)
        fy_pool_worker_kill (worker, NULL);
      else
        fy_pool_worker_terminate_with_grace (worker, NULL);
    }
  while ((future = pending_pop (self)) != NULL)
    g_ptr_array_add (held, future);
}

/* Every unfinished task fails and every worker is killed: Python's
 * BrokenProcessPool, without the hang. */
static void
break_pool (FyPool     *self,
            const char *why)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->state == FY_POOL_STATE_BROKEN || self->state == FY_POOL_STATE_TERMINATED)
    return;
  set_state (self, FY_POOL_STATE_BROKEN);

  stop_workers_and_gather (self, TRUE, held);
  for (guint i = 0; i < held->len; i++)
    finish_error (self, g_ptr_array_index (held, i), FY_FUTURE_STATE_FAILED,
                  g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_BROKEN,
                               "The pool is broken: %s", why));
}

/* ---- workers ------------------------------------------------------------------- */

static gboolean
send_to_worker (FyPoolWorker *worker,
                char          tag,
                guint64       chunk_id,
                guint32       index,
                GVariant     *body)
{
  g_autoptr(GVariant) message = NULL;

  if (worker->channel == NULL)
    {
      if (body != NULL)
        g_variant_unref (g_variant_ref_sink (body));
      return FALSE;
    }
  message = fy_pool_message_new (tag, chunk_id, 0, index, 0, body);
  return fy_channel_send (worker->channel, message, NULL, NULL);
}

static gboolean task_timeout_cb (gpointer data);

/* The worker declared a window in its oldest chunk: those items may run
 * now (@now: one clock reading for them all). The first unreported one is
 * shown as its current task. */
static void
start_window (FyPool       *self,
              FyPoolWorker *worker,
              gint64        now)
{
  FyPoolChunk *chunk = g_queue_peek_head (&worker->sent);

  g_clear_handle_id (&worker->timeout_id, g_source_remove);
  if (chunk == NULL || !chunk->acked || chunk->n_reported >= chunk->items->len)
    {
      fy_pool_worker_set_current_task (worker, NULL);
      return;
    }

  fy_pool_worker_set_current_task (worker, g_ptr_array_index (chunk->items, chunk->n_reported));
  for (guint i = chunk->n_reported; i < chunk->window_end; i++)
    {
      FyFuture *future = g_ptr_array_index (chunk->items, i);

      if (fy_future_finished (future) || future->state == FY_FUTURE_STATE_RUNNING)
        continue;
      fy_future_mark_started (future, worker->pid, now);
      g_signal_emit (self, signals[TASK_STARTED], 0, future);
    }

  /* One timeout for the window: a window of several items only exists when
   * items take far less than a millisecond. */
  if (self->task_timeout > 0)
    {
      GSource *source = g_timeout_source_new (MAX (1, (guint) (self->task_timeout * 1000.0 + 0.5)));

      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_set_callback (source, task_timeout_cb, worker, NULL);
      worker->timeout_id = g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

static gboolean
task_timeout_cb (gpointer data)
{
  FyPoolWorker *worker = data;

  worker->timeout_id = 0;
  if (worker->current_task == NULL || worker->reason != FY_POOL_WORKER_REASON_NONE)
    return G_SOURCE_REMOVE;
  worker->reason = FY_POOL_WORKER_REASON_TIMEOUT;
  worker->reason_future = worker->current_task;
  fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_EXITING);
  fy_pool_worker_terminate_with_grace (worker, NULL);
  return G_SOURCE_REMOVE;
}

static void
update_busy (FyPoolWorker *worker)
{
  if (worker->state == FY_POOL_WORKER_STATE_IDLE || worker->state == FY_POOL_WORKER_STATE_BUSY)
    fy_pool_worker_set_state (worker, worker->in_flight_items > 0 ? FY_POOL_WORKER_STATE_BUSY
                                                                  : FY_POOL_WORKER_STATE_IDLE);
}

static void
kill_for_protocol (FyPoolWorker *worker,
                   const char   *why)
{
  if (worker->reason == FY_POOL_WORKER_REASON_NONE)
    {
      worker->reason = FY_POOL_WORKER_REASON_PROTOCOL;
      g_free (worker->reason_message);
      worker->reason_message = g_strdup (why);
    }
  fy_pool_worker_kill (worker, NULL);
}

/* The worker starts chunk @id, its oldest, with a window of @window items. */
static gboolean
acknowledge (FyPool       *self,
             FyPoolWorker *worker,
             guint64       id,
             guint32       window)
{
  FyPoolChunk *chunk = g_queue_peek_head (&worker->sent);

  if (chunk == NULL || chunk->acked || chunk->id != id || window == 0 || window > chunk->items->len)
    {
      kill_for_protocol (worker, "acknowledged a task it was not given");
      return FALSE;
    }
  chunk->acked = TRUE;
  chunk->window_end = window;
  worker->last_progress = g_get_monotonic_time ();
  start_window (self, worker, worker->last_progress);
  return TRUE;
}

/* A map chunk's result: an array with one result per item. */
static gboolean
map_chunk_result_ok (FyFuture *future,
                     GVariant *value)
{
  const char *type = g_variant_get_type_string (value);

  if (type[0] != 'a' || (!g_str_equal (type, "av") && fy_pool_fixed_size (type + 1) == 0))
    return FALSE;
  /* One pass that, when it holds, marks the array trusted: reading each
   * item then skips GLib's checks of every offset before it. */
  if (type[1] == 'v')
    g_variant_is_normal_form (value);
  return g_variant_n_children (value) == future->n_items;
}

/* One item's report. FALSE when it is malformed. */
static gboolean
handle_report (FyPool       *self,
               FyPoolWorker *worker,
               FyFuture     *future,
               char          kind,
               GVariant     *value,
               gint64        now)
{
  if (kind != FY_POOL_MSG_RESULT && kind != FY_POOL_MSG_ERROR && kind != FY_POOL_MSG_SKIPPED)
    return FALSE;
  if (kind == FY_POOL_MSG_RESULT && future->n_items > 0 && !map_chunk_result_ok (future, value))
    {
      kill_for_protocol (worker, "sent a map chunk's results of the wrong shape");
      return FALSE;
    }

  worker->in_flight_items--;
  self->n_in_flight--;
  if (kind != FY_POOL_MSG_SKIPPED)
    fy_pool_worker_add_task_done (worker);

  if (fy_future_finished (future))
    ;
  else if (future->cancel_requested || kind == FY_POOL_MSG_SKIPPED)
    finish_cancelled (self, future, "cancelled before it started");
  else if (kind == FY_POOL_MSG_RESULT)
    finish_result (self, future, value, now);
  else
    finish_error (self, future, FY_FUTURE_STATE_FAILED, fy_pool_error_from_variant (value));
  return TRUE;
}

/* Reports of one item ('o', 'e', 'k') or of several ('b'). */
static gboolean
handle_reports (FyPool             *self,
                FyPoolWorker       *worker,
                const FyPoolHeader *header,
                GVariant           *body)
{
  FyPoolChunk *chunk = g_queue_peek_head (&worker->sent);
  g_autoptr(GVariant) kinds_variant = NULL;
  g_autoptr(GVariant) boxed_values = NULL;
  g_autoptr(GVariant) values = NULL;
  const guint8 *kinds = NULL;
  gsize n = 1;
  gint64 now;

  if (chunk == NULL || chunk->id != header->chunk || chunk->n_reported != header->index
      || (!chunk->acked && worker->shared == NULL))
    goto out_of_turn;
  if (header->tag == FY_POOL_MSG_BATCH)
    {
      const char *type;
      gsize n_kinds = 0;

      if (!g_variant_is_of_type (body, G_VARIANT_TYPE (FY_POOL_BATCH_TYPE)))
        goto out_of_turn;
      kinds_variant = g_variant_get_child_value (body, 0);
      boxed_values = g_variant_get_child_value (body, 1);
      values = g_variant_get_variant (boxed_values);
      type = g_variant_get_type_string (values);
      /* Packed values have no offsets to check, and each is read in
       * place. Boxed ones found in normal form (one pass) are marked
       * trusted, and reading each then skips GLib's checks of every
       * offset before it; boxed ones that are not (a result made from
       * odd data) are simply read the slower way. */
      if (g_str_equal (type, "av"))
        g_variant_is_normal_form (values);
      else if (type[0] != 'a' || fy_pool_fixed_size (type + 1) == 0)
        goto out_of_turn;
      kinds = g_variant_get_fixed_array (kinds_variant, &n_kinds, 1);
      n = g_variant_n_children (values);
      if (n != n_kinds)
        goto out_of_turn;
    }
  now = g_get_monotonic_time ();
  if (!chunk->acked)
    {
      /* A chunk of short items starts without its own message (see
       * fy-pool-private.h): this first report acknowledges it. */
      if (header->index != 0 || n == 0 || n > chunk->items->len)
        goto out_of_turn;
      chunk->acked = TRUE;
      chunk->window_end = n;
      start_window (self, worker, now);
    }
  if (n > chunk->window_end - chunk->n_reported)
    goto out_of_turn;

  if (n > 0)
    {
      double per_item = (double) (now - worker->last_progress) / (double) n;
      FyFuture *first = g_ptr_array_index (chunk->items, 0);

      /* The speed of another function says nothing about this one, nor
       * that of one call about a map chunk's many. */
      if (worker->avg_item_us <= 0 || worker->avg_function != first->function
          || worker->avg_mapped != (first->n_items > 0))
        worker->avg_item_us = per_item;
      else
        worker->avg_item_us = 0.8 * worker->avg_item_us + 0.2 * per_item;
      worker->avg_function = first->function;
      worker->avg_mapped = first->n_items > 0;
    }
  worker->last_progress = now;

  if (header->tag != FY_POOL_MSG_BATCH)
    {
      if (!handle_report (self, worker, g_ptr_array_index (chunk->items, chunk->n_reported), header->tag, body, now))
        goto out_of_turn;
      chunk->n_reported++;
    }
  else
    for (gsize i = 0; i < n; i++)
      {
        g_autoptr(GVariant) value = fy_pool_unboxed_child (values, i);

        if (!handle_report (self, worker, g_ptr_array_index (chunk->items, chunk->n_reported),
                            (char) kinds[i], value, now))
          goto out_of_turn;
        chunk->n_reported++;
      }

  if (chunk->n_reported == chunk->items->len)
    {
      chunk_free (g_queue_pop_head (&worker->sent));
      update_busy (worker);
      if (header->next != 0)
        return acknowledge (self, worker, header->next, header->window);
      start_window (self, worker, now);
      return TRUE;
    }

  /* A new window starts where the last one ended. */
  if (chunk->n_reported != chunk->window_end || header->window == 0
      || chunk->n_reported + header->window > chunk->items->len)
    goto out_of_turn;
  chunk->window_end = chunk->n_reported + header->window;
  start_window (self, worker, now);
  return TRUE;

out_of_turn:
  kill_for_protocol (worker, "reported a task out of turn");
  return FALSE;
}

/* FALSE when the worker broke the protocol (it has been killed). */
static gboolean
handle_message (FyPool       *self,
                FyPoolWorker *worker,
                GVariant     *message)
{
  g_autoptr(GVariant) body = NULL;
  FyPoolHeader header;

  if (!fy_pool_message_parse (message, &header, &body))
    {
      kill_for_protocol (worker, "sent a message of the wrong type");
      return FALSE;
    }

  switch (header.tag)
    {
    case FY_POOL_MSG_READY:
      if (worker->state == FY_POOL_WORKER_STATE_STARTING)
        fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_IDLE);
      update_busy (worker);
      return TRUE;

    case FY_POOL_MSG_INIT_FAILED:
      {
        g_autoptr(GError) error = fy_pool_error_from_variant (body);
        g_autofree char *why = g_strdup_printf ("the initializer %s failed: %s",
                                                self->init_function, error->message);

        worker->reason = FY_POOL_WORKER_REASON_POOL;
        break_pool (self, why);
        return FALSE;
      }

    case FY_POOL_MSG_STARTED:
      return acknowledge (self, worker, header.chunk, header.window);

    case FY_POOL_MSG_RESULT:
    case FY_POOL_MSG_ERROR:
    case FY_POOL_MSG_SKIPPED:
    case FY_POOL_MSG_BATCH:
      return handle_reports (self, worker, &header, body);

    default:
      kill_for_protocol (worker, "sent an unknown message");
      return FALSE;
    }
}

/* Reads what is ready. FALSE once the channel reached its end. */
static gboolean
drain_channel (FyPool       *self,
               FyPoolWorker *worker,
               guint         max_messages)
{
  for (guint n = 0; n < max_messages && worker->channel != NULL; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) message = NULL;

      message = fy_channel_receive (worker->channel, 0, NULL, &error);
      if (message == NULL)
        {
          if (g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_TIMED_OUT))
            return TRUE;
          if (!g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF))
            kill_for_protocol (worker, error->message);
          return FALSE;
        }
      if (!handle_message (self, worker, message))
        return TRUE;
    }
  return TRUE;
}

static gboolean
eof_kill_cb (gpointer data)
{
  FyPoolWorker *worker = data;

  worker->eof_kill_id = 0;
  fy_pool_worker_kill (worker, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
channel_ready_cb (int          fd,
                  GIOCondition condition,
                  gpointer     data)
{
  FyPoolWorker *worker = data;
  FyPool *self = worker->pool;
  gboolean open;

  g_object_ref (self);
  g_object_ref (worker);
  open = drain_channel (self, worker, MESSAGES_PER_DISPATCH);
  if (!open && worker->channel_watch != 0)
    {
      /* The worker closed its end; it is exiting, or must. */
      worker->channel_watch = 0;
      if (worker->eof_kill_id == 0 && !worker->exited)
        {
          GSource *source = g_timeout_source_new (1000);

          g_source_set_callback (source, eof_kill_cb, worker, NULL);
          worker->eof_kill_id = g_source_attach (source, self->context);
          g_source_unref (source);
        }
    }
  dispatch (self);
  flush (self);
  g_object_unref (worker);
  g_object_unref (self);
  return open ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean pidfd_ready_cb (int          fd,
                                GIOCondition condition,
                                gpointer     data);

static guint
attach_fd (FyPool       *self,
           int           fd,
           GUnixFDSourceFunc func,
           gpointer      data,
           int           priority)
{
  GSource *source = g_unix_fd_source_new (fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  guint id;

  g_source_set_priority (source, priority);
  /* A done callback may wait for another task (fy_pool_apply () inside it):
   * that wait must still hear from this very worker. */
  g_source_set_can_recurse (source, TRUE);
  g_source_set_callback (source, G_SOURCE_FUNC (func), data, NULL);
  id = g_source_attach (source, self->context);
  g_source_unref (source);
  return id;
}

/* The worker's number of the item it took last, plus one; 0 when it took
 * none or has no shared block. */
static guint64
shared_running (FyPoolWorker *worker)
{
  return worker->shared != NULL ? __atomic_load_n (&worker->shared->running, __ATOMIC_ACQUIRE) : 0;
}

static void
update_want_starts (FyPool       *self,
                    FyPoolWorker *worker)
{
  if (worker->shared != NULL)
    __atomic_store_n (&worker->shared->want_starts, self->task_timeout > 0 ? 1 : 0, __ATOMIC_RELEASE);
}

/* Maps a new sealed block and hands it to the worker. Without it the
 * worker still runs, with the coarser ownership of windows: so a failure
 * here is not fatal. */
static void
share_block (FyPool       *self,
             FyPoolWorker *worker)
{
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) message = NULL;
  gpointer data;
  int fd;

  fd = memfd_create ("forkyard-pool-worker", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return;
  if (ftruncate (fd, FY_POOL_SHARED_SIZE) < 0
      || fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0
      || (data = mmap (NULL, FY_POOL_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
    {
      close (fd);
      return;
    }
  fds = g_unix_fd_list_new_from_array (&fd, 1);
  message = fy_pool_message_new (FY_POOL_MSG_SHARED, 0, 0, 0, 0, NULL);
  if (!fy_channel_send (worker->channel, message, fds, NULL))
    {
      munmap (data, FY_POOL_SHARED_SIZE);
      return;
    }
  worker->shared = data;
  update_want_starts (self, worker);
}

static FyPoolWorker *
spawn_worker (FyPool  *self,
              guint    slot,
              GError **error)
{
  FySpawnedWorker spawned = { 0 };
  FyPoolWorker *worker;

  if (self->spawn_fault > 0 && --self->spawn_fault == 0)
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_SPAWN_FAILED,
                   "Could not start worker %u: refused for a test", slot);
      return NULL;
    }
  if (!fy_spawn_worker ("pool", &spawned, error))
    {
      g_prefix_error (error, "Could not start worker %u: ", slot);
      if (error != NULL && *error != NULL)
        {
          (*error)->domain = FY_POOL_ERROR;
          (*error)->code = FY_POOL_ERROR_SPAWN_FAILED;
        }
      return NULL;
    }

  worker = fy_pool_worker_new (slot, spawned.pid, spawned.pidfd, self->kill_grace);
  worker->pool = self;
  worker->channel = spawned.channel;
  worker->channel_watch = attach_fd (self, fy_channel_get_fd (worker->channel),
                                     channel_ready_cb, worker, G_PRIORITY_DEFAULT);
  worker->pidfd_watch = attach_fd (self, worker->pidfd, pidfd_ready_cb, worker,
                                   G_PRIORITY_DEFAULT_IDLE);
  self->n_live++;
  share_block (self, worker);

  if (self->init_function != NULL)
    {
      fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_STARTING);
      send_to_worker (worker, FY_POOL_MSG_INIT, 0, 0,
                      g_variant_new ("(sv)", self->init_function, self->init_argument));
    }
  else
    fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_IDLE);

  if (slot < self->slots->len)
    {
      /* The slot's reference to the worker this one replaces goes with it;
       * whoever still handles that one's death holds a reference of its own. */
      g_object_unref (g_ptr_array_index (self->slots, slot));
      g_ptr_array_index (self->slots, slot) = worker;
      g_list_store_splice (self->workers, slot, 1, (gpointer *) &worker, 1);
    }
  else
    {
      g_ptr_array_add (self->slots, worker);
      g_list_store_append (self->workers, worker);
    }
  g_signal_emit (self, signals[WORKER_SPAWNED], 0, worker);
  return worker;
}

/* Removes a worker's sources once it is gone. */
static void
detach_worker (FyPoolWorker *worker)
{
  g_clear_handle_id (&worker->channel_watch, g_source_remove);
  g_clear_handle_id (&worker->pidfd_watch, g_source_remove);
  g_clear_handle_id (&worker->eof_kill_id, g_source_remove);
  g_clear_handle_id (&worker->timeout_id, g_source_remove);
  if (worker->channel != NULL)
    fy_channel_close (worker->channel);
  g_clear_pointer (&worker->channel, fy_channel_unref);
}

/* A dead worker's tasks: the one it ran meets the policy (or its timeout or
 * cancellation), the ones it had not started go back to the queue. */
static void
worker_died (FyPool       *self,
             FyPoolWorker *worker,
             int           exitcode)
{
  g_autoptr(GPtrArray) requeue = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) victims = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *cause = describe_exit (worker->pid, exitcode);
  FyPoolChunk *chunk;
  gboolean crashed = FALSE;
  guint n_front = 0;
  guint64 running;

  /* Results it sent before it died are still in the socket. */
  if (worker->channel != NULL)
    drain_channel (self, worker, G_MAXUINT);
  detach_worker (worker);

  /* With the shared block, the one unreported item the worker last
   * started is the one it ran; without it, any unreported item of the
   * window may have. */
  running = shared_running (worker);
  while ((chunk = g_queue_pop_head (&worker->sent)) != NULL)
    {
      for (guint i = chunk->n_reported; i < chunk->items->len; i++)
        {
          FyFuture *future = g_ptr_array_index (chunk->items, i);
          gboolean ran = worker->shared != NULL ? chunk->first_seq + i + 1 == running
                                                : chunk->acked && i < chunk->window_end;

          self->n_in_flight--;
          future->holder = NULL;
          if (fy_future_finished (future))
            continue;
          if (ran)
            g_ptr_array_add (victims, g_object_ref (future));
          else if (future->cancel_requested)
            finish_cancelled (self, future, "cancelled before it started");
          else
            {
              /* Shown as started with its window, but it did not run here
               * (or its result died with the worker): not an attempt. */
              if (future->state == FY_FUTURE_STATE_RUNNING && future->attempts > 0)
                future->attempts--;
              fy_future_set_state (future, FY_FUTURE_STATE_PENDING);
              g_ptr_array_add (requeue, g_object_ref (future));
            }
        }
      chunk_free (chunk);
    }
  worker->in_flight_items = 0;
  self->n_live--;

  for (guint v = 0; v < victims->len; v++)
    {
      FyFuture *victim = g_ptr_array_index (victims, v);

      /* A short task may have started without a message: it did start. */
      if (victim->state != FY_FUTURE_STATE_RUNNING)
        {
          fy_future_mark_started (victim, worker->pid, g_get_monotonic_time ());
          g_signal_emit (self, signals[TASK_STARTED], 0, victim);
        }
      victim->worker_exitcode = exitcode;
      if (worker->reason == FY_POOL_WORKER_REASON_TIMEOUT)
        finish_error (self, victim, FY_FUTURE_STATE_FAILED,
                      g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT,
                                   "Task %" G_GUINT64_FORMAT " (%s) ran longer than %.3g s; %s",
                                   victim->id, victim->function, self->task_timeout, cause));
      else if (victim->cancel_requested)
        finish_cancelled (self, victim, "its worker was stopped");
      else if (worker->reason == FY_POOL_WORKER_REASON_CANCEL)
        {
          /* Killed to cancel another task of its window: not its fault. */
          victim->attempts--;
          victim->worker_exitcode = 0;
          fy_future_set_state (victim, FY_FUTURE_STATE_PENDING);
          g_ptr_array_insert (requeue, n_front++, g_object_ref (victim));
        }
      else if (worker->reason == FY_POOL_WORKER_REASON_PROTOCOL)
        finish_error (self, victim, FY_FUTURE_STATE_FAILED,
                      g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_PROTOCOL,
                                   "Task %" G_GUINT64_FORMAT " (%s) failed: worker %d %s",
                                   victim->id, victim->function, worker->pid,
                                   worker->reason_message != NULL ? worker->reason_message : "broke the protocol"));
      else if (self->policy == FY_CRASH_POLICY_RETRY && victim->attempts <= self->max_retries
               && self->state != FY_POOL_STATE_BROKEN && self->state != FY_POOL_STATE_TERMINATED)
        {
          fy_future_set_state (victim, FY_FUTURE_STATE_PENDING);
          g_ptr_array_insert (requeue, n_front++, g_object_ref (victim));
        }
      else
        {
          finish_error (self, victim, FY_FUTURE_STATE_FAILED,
                        g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED,
                                     "Task %" G_GUINT64_FORMAT " (%s) failed: %s%s",
                                     victim->id, victim->function, cause,
                                     self->policy == FY_CRASH_POLICY_RETRY ? " (no retries left)" : ""));
          crashed = TRUE;
        }
    }
  if (victims->len == 0 && worker->reason == FY_POOL_WORKER_REASON_NONE)
    crashed = TRUE;

  /* Put the untouched tasks back at the front, in their order. */
  for (guint i = requeue->len; i > 0; i--)
    {
      FyFuture *future = g_ptr_array_index (requeue, i - 1);

      pending_push (self, future, TRUE);
    }

  fy_pool_worker_set_exited (worker, exitcode);
  g_signal_emit (self, signals[WORKER_EXITED], 0, worker, exitcode);

  if (crashed && self->policy == FY_CRASH_POLICY_BREAK)
    break_pool (self, cause);

  if (self->state == FY_POOL_STATE_RUNNING
      || (self->state == FY_POOL_STATE_CLOSED && !g_queue_is_empty (&self->pending)))
    {
      g_autoptr(GError) error = NULL;

      if (spawn_worker (self, worker->slot, &error) == NULL)
        break_pool (self, error->message);
    }
}

static gboolean
pidfd_ready_cb (int          fd,
                GIOCondition condition,
                gpointer     data)
{
  FyPoolWorker *worker = data;
  FyPool *self = worker->pool;
  int exitcode = 0;

  if (!fy_spawn_reap (fd, FALSE, &exitcode))
    return G_SOURCE_CONTINUE;

  g_object_ref (self);
  g_object_ref (worker);
  worker->pidfd_watch = 0;
  worker_died (self, worker, exitcode);
  dispatch (self);
  flush (self);
  g_object_unref (worker);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* ---- handing out tasks -------------------------------------------------------------- */

static gboolean
can_send (FyPool       *self,
          FyPoolWorker *worker)
{
  FyFuture *head;

  if (!worker_is_live (worker) || worker->channel == NULL)
    return FALSE;
  if (worker->state == FY_POOL_WORKER_STATE_EXITING || worker->reason != FY_POOL_WORKER_REASON_NONE)
    return FALSE;
  if (self->max_tasks_per_child > 0 && worker->chunks_sent >= (guint) self->max_tasks_per_child)
    return FALSE;
  if (g_queue_is_empty (&worker->sent))
    return TRUE;
  /* Prefetch on the speed of the same function only: after a warm-up of
   * tiny tasks, a worker would otherwise take a whole batch of slow ones
   * and leave the others idle. */
  head = g_queue_peek_head (&self->pending);
  if (head != NULL && (head->function != worker->avg_function || worker->avg_mapped != (head->n_items > 0)))
    return FALSE;
  if (worker->sent.length >= PREFETCH_MAX_CHUNKS || worker->avg_item_us <= 0
      || worker->avg_item_us > PREFETCH_MAX_ITEM_US)
    return FALSE;
  return worker->in_flight_items * worker->avg_item_us < PREFETCH_AHEAD_US;
}

/* Moves the next user chunk (chunksize items of one map call, or one
 * submitted task) off the queue into @chunk. */
static void
take_items (FyPool       *self,
            FyPoolWorker *worker,
            FyPoolChunk  *chunk)
{
  FyFuture *head = pending_pop (self);
  FyFuture *next;
  guint n = 1;

  g_ptr_array_add (chunk->items, head);
  while (n < head->chunksize
         && (next = g_queue_peek_head (&self->pending)) != NULL
         && next->batch == head->batch && head->batch != 0)
    {
      g_ptr_array_add (chunk->items, pending_pop (self));
      n++;
    }
  for (guint i = chunk->items->len - n; i < chunk->items->len; i++)
    {
      FyFuture *future = g_ptr_array_index (chunk->items, i);

      future->holder = worker;
      fy_future_set_state (future, FY_FUTURE_STATE_QUEUED);
    }
  g_queue_push_tail (&worker->sent, chunk);
  worker->next_seq += n;
  worker->in_flight_items += n;
  worker->chunks_sent++;
  self->n_in_flight += n;
  self->tasks_got += n;
}

GVariant *
fy_pool_variants_to_av (GVariant * const *values,
                        guint             n)
{
  gsize body = 0;
  gsize offset_size;
  gsize size;
  guint8 *data;
  gsize at = 0;

  /* Each child: aligned to 8, its value, a zero byte, its type string. */
  for (guint i = 0; i < n; i++)
    body = ((body + 7) & ~(gsize) 7) + g_variant_get_size (values[i]) + 1
           + strlen (g_variant_get_type_string (values[i]));
  /* Then the end of each child, in the smallest offset size that can
   * address the whole array. */
  for (offset_size = 1; offset_size < 8; offset_size *= 2)
    if (body + n * offset_size <= (G_GUINT64_CONSTANT (1) << (8 * offset_size)) - 1)
      break;
  size = body + n * offset_size;
  data = g_malloc0 (MAX (size, 1));
  for (guint i = 0; i < n; i++)
    {
      const char *type = g_variant_get_type_string (values[i]);
      gsize type_len = strlen (type);
      guint64 end;

      at = (at + 7) & ~(gsize) 7;
      g_variant_store (values[i], data + at);
      at += g_variant_get_size (values[i]);
      data[at++] = 0;
      memcpy (data + at, type, type_len);
      at += type_len;
      end = GUINT64_TO_LE (at);
      memcpy (data + body + i * offset_size, &end, offset_size);
    }
  g_assert (at == body);
  return g_variant_new_from_data (G_VARIANT_TYPE ("av"), data, size, FALSE, g_free, data);
}

GVariant *
fy_pool_pack_values (GVariant * const *values,
                     guint             n)
{
  const char *type = n > 0 ? g_variant_get_type_string (values[0]) : "v";
  gsize size = fy_pool_fixed_size (type);
  g_autofree char *array_type = NULL;
  guint8 *data;

  for (guint i = 1; i < n && size > 0; i++)
    if (!g_str_equal (g_variant_get_type_string (values[i]), type))
      size = 0;
  if (size == 0)
    return fy_pool_variants_to_av (values, n);

  data = g_malloc (n * size);
  for (guint i = 0; i < n; i++)
    g_variant_store (values[i], data + i * size);
  array_type = g_strconcat ("a", type, NULL);
  return g_variant_new_from_data (G_VARIANT_TYPE (array_type), data, n * size, TRUE, g_free, data);
}

/* The wire form of @chunk: "(tsbav)". The arguments are serialised by
 * hand, straight into their slices: building a variant per argument and
 * letting GVariant serialise the tree cost more than the task. */
static GVariant *
chunk_to_variant (FyPoolChunk *chunk)
{
  GVariant **arguments = g_new (GVariant *, MIN (chunk->items->len, FY_POOL_SLICE_MAX));
  FyFuture *first_item = g_ptr_array_index (chunk->items, 0);
  GVariant **slices;
  GVariant *fields[4];
  guint n_slices;

  n_slices = (chunk->items->len + FY_POOL_SLICE_MAX - 1) / FY_POOL_SLICE_MAX;
  slices = g_new (GVariant *, n_slices);
  for (guint s = 0; s < n_slices; s++)
    {
      guint first = s * FY_POOL_SLICE_MAX;
      guint n = MIN (FY_POOL_SLICE_MAX, chunk->items->len - first);

      for (guint i = 0; i < n; i++)
        arguments[i] = ((FyFuture *) g_ptr_array_index (chunk->items, first + i))->argument;
      slices[s] = g_variant_new_variant (fy_pool_pack_values (arguments, n));
    }
  fields[0] = g_variant_new_uint64 (chunk->id);
  fields[1] = g_variant_new_string (first_item->function);
  fields[2] = g_variant_new_boolean (first_item->n_items > 0);
  fields[3] = g_variant_new_array (G_VARIANT_TYPE_VARIANT, slices, n_slices);
  g_free (slices);
  g_free (arguments);
  return g_variant_new_tuple (fields, 4);
}

/* Hands @worker as many chunks as it may hold, in one message. Chunks of
 * the same function sent together travel as one: the worker then reports
 * them in windows of several items instead of one message per chunk,
 * which is what makes chunksize 1 cheap. Ownership stays exact: the
 * worker names the item it runs in the block it shares with the pool. */
static void
send_chunks (FyPool       *self,
             FyPoolWorker *worker)
{
  g_autoptr(GPtrArray) chunks = g_ptr_array_new ();
  FyPoolChunk *chunk = NULL;

  do
    {
      FyFuture *head = g_queue_peek_head (&self->pending);

      FyFuture *first = chunk != NULL ? g_ptr_array_index (chunk->items, 0) : NULL;

      if (first != NULL && head->function == first->function
          && (head->n_items > 0) == (first->n_items > 0) && chunk->items->len < MERGE_MAX_ITEMS)
        {
          /* take_items () queues it again at the tail, where it already is. */
          g_queue_pop_tail (&worker->sent);
        }
      else
        {
          chunk = g_new0 (FyPoolChunk, 1);
          chunk->id = ++self->next_chunk_id;
          chunk->first_seq = worker->next_seq;
          chunk->items = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (chunks, chunk);
        }
      take_items (self, worker, chunk);
    }
  while (!g_queue_is_empty (&self->pending) && can_send (self, worker));
  update_busy (worker);

  for (guint i = 0; i < chunks->len; i++)
    chunks->pdata[i] = chunk_to_variant (chunks->pdata[i]);

  /* A failed send means the worker is on its way out (it crashed, or closed
   * its end): its death, handled as any other, puts the unacknowledged
   * chunks back in the queue. */
  if (!send_to_worker (worker, FY_POOL_MSG_RUN, 0, 0,
                       g_variant_new_array (NULL, (GVariant **) chunks->pdata, chunks->len)))
    fy_pool_worker_kill (worker, NULL);
}

static void
retire (FyPoolWorker *worker)
{
  worker->reason = FY_POOL_WORKER_REASON_RETIRE;
  fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_EXITING);
  if (!send_to_worker (worker, FY_POOL_MSG_QUIT, 0, 0, NULL))
    fy_pool_worker_kill (worker, NULL);
}

static void
dispatch (FyPool *self)
{
  gboolean progress = TRUE;

  if (self->state != FY_POOL_STATE_RUNNING && self->state != FY_POOL_STATE_CLOSED)
    return;

  /* Round robin: each worker takes what it may hold in one message. An
   * idle worker holds one chunk until its speed is known, so slow tasks
   * spread over every worker. */
  while (progress && !g_queue_is_empty (&self->pending))
    {
      progress = FALSE;
      for (guint s = 0; s < self->slots->len && !g_queue_is_empty (&self->pending); s++)
        {
          FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

          if (can_send (self, worker))
            {
              send_chunks (self, worker);
              progress = TRUE;
            }
        }
    }

  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (!worker_is_live (worker) || worker->reason != FY_POOL_WORKER_REASON_NONE
          || worker->in_flight_items > 0)
        continue;
      if ((self->max_tasks_per_child > 0 && worker->chunks_sent >= (guint) self->max_tasks_per_child)
          || (self->state == FY_POOL_STATE_CLOSED && g_queue_is_empty (&self->pending)))
        retire (worker);
    }
}

static gboolean
dispatch_cb (gpointer data)
{
  FyPool *self = data;

  self->dispatch_id = 0;
  g_object_ref (self);
  dispatch (self);
  flush (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Tasks submitted one by one while every worker is busy wait for the next
 * iteration of the context and leave together, as one chunk: sending each
 * at once would cost a message (and a report) per task. An idle worker
 * gets its task at once, so a lone task never waits. */
static void
dispatch_soon (FyPool *self)
{
  GSource *source;

  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);

      if (g_queue_is_empty (&worker->sent) && can_send (self, worker)
          && (self->state == FY_POOL_STATE_RUNNING || self->state == FY_POOL_STATE_CLOSED))
        {
          send_chunks (self, worker);
          return;
        }
    }
  if (self->dispatch_id != 0)
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_cb, self, NULL);
  self->dispatch_id = g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ---- GObject ----------------------------------------------------------------------------- */

/* Kills and reaps every worker at once: the pool is going away and nothing
 * may outlive it, not even a zombie. */
static void
kill_all_now (FyPool *self)
{
  for (guint s = 0; s < self->slots->len; s++)
    {
      FyPoolWorker *worker = g_ptr_array_index (self->slots, s);
      int exitcode = 0;

      if (!worker_is_live (worker))
        continue;
      worker->reason = FY_POOL_WORKER_REASON_POOL;
      fy_pool_worker_kill (worker, NULL);
      detach_worker (worker);
      fy_spawn_reap (worker->pidfd, TRUE, &exitcode);
      self->n_live--;
      fy_pool_worker_set_exited (worker, exitcode);
    }
}

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

          if (worker_is_live (worker))
            take_back_all (self, worker, held);
        }
      kill_all_now (self);
    }
  while ((future = pending_pop (self)) != NULL)
    g_ptr_array_add (held, future);
  for (guint i = 0; i < held->len; i++)
    finish_cancelled (self, g_ptr_array_index (held, i), "the pool was destroyed");
  if (self->finished != NULL)
    flush (self);

  if (self->tasks != NULL)
    {
      guint n_tasks;
      FyFuture * const *tasks = fy_task_list_peek (self->tasks, &n_tasks);

      for (guint i = 0; i < n_tasks; i++)
        tasks[i]->pool = NULL;
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

static void
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

  signals[TASK_STARTED] = g_signal_new ("task-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, FY_TYPE_FUTURE);
  signals[TASK_FINISHED] = g_signal_new ("task-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, FY_TYPE_FUTURE);
  signals[WORKER_SPAWNED] = g_signal_new ("worker-spawned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, FY_TYPE_POOL_WORKER);
  signals[WORKER_EXITED] = g_signal_new ("worker-exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2, FY_TYPE_POOL_WORKER, G_TYPE_INT);
}

static void
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
  create_queues (self);
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
    update_want_starts (self, g_ptr_array_index (self->slots, s));
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
      if (spawn_worker (self, i, error) == NULL)
        {
          kill_all_now (self);
          set_state (self, FY_POOL_STATE_BROKEN);
          return FALSE;
        }
    }
  set_state (self, FY_POOL_STATE_RUNNING);
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

      if (worker_is_live (worker) && worker->pid == pid)
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

/* ---- public API: submitting ----------------------------------------------------------------- */

static gboolean
check_accepting (FyPool  *self,
                 GError **error)
{
  if (self->state == FY_POOL_STATE_NEW && !fy_pool_start (self, error))
    return FALSE;

  switch (self->state)
    {
    case FY_POOL_STATE_RUNNING:
      return TRUE;
    case FY_POOL_STATE_BROKEN:
      g_set_error_literal (error, FY_POOL_ERROR, FY_POOL_ERROR_BROKEN,
                           "The pool is broken: a worker died under the “break” policy");
      return FALSE;
    case FY_POOL_STATE_NEW:
    case FY_POOL_STATE_CLOSED:
    case FY_POOL_STATE_TERMINATED:
    default:
      g_set_error_literal (error, FY_POOL_ERROR, FY_POOL_ERROR_CLOSED,
                           "The pool is closed and takes no new tasks");
      return FALSE;
    }
}

/* @function is interned. */
static FyFuture *
enqueue (FyPool     *self,
         const char *function,
         GVariant   *argument,
         guint64     batch,
         guint       chunksize,
         gint64      now)
{
  FyFuture *future = fy_future_new (self, self->context, function, argument, now);

  future->batch = batch;
  future->chunksize = chunksize;
  pending_push (self, future, FALSE);
  return future;
}

FyFuture *
fy_pool_submit (FyPool      *self,
                const char  *function,
                GVariant    *argument,
                GError     **error)
{
  FyFuture *future;

  g_return_val_if_fail (FY_IS_POOL (self), NULL);
  g_return_val_if_fail (function != NULL, NULL);

  if (argument != NULL)
    g_variant_ref_sink (argument);
  if (!check_accepting (self, error))
    {
      g_clear_pointer (&argument, g_variant_unref);
      return NULL;
    }
  future = enqueue (self, g_intern_string (function), argument, 0, 1, g_get_monotonic_time ());
  g_clear_pointer (&argument, g_variant_unref);
  fy_task_list_append (self->tasks, &future, 1);
  dispatch_soon (self);
  publish_queues (self);
  return future;
}

GVariant *
fy_pool_unboxed_child (GVariant *container,
                       gsize     i)
{
  GVariant *child = g_variant_get_child_value (container, i);
  GVariant *inner;

  if (!g_variant_is_of_type (child, G_VARIANT_TYPE_VARIANT))
    return child;
  inner = g_variant_get_variant (child);
  g_variant_unref (child);
  return inner;
}

/* One task per chunk of @chunksize items, as Python's map makes: its
 * argument is the array of their arguments, a slice of @iterable's own
 * data when the items are of a fixed-size basic type. */
static void
enqueue_map_chunks (FyPool      *self,
                    const char  *function,
                    GVariant    *iterable,
                    gsize        n,
                    guint        chunksize,
                    guint64      batch,
                    gint64       now,
                    GPtrArray   *futures)
{
  const char *type = g_variant_get_type_string (iterable);
  gsize fixed = type[0] == 'a' ? fy_pool_fixed_size (type + 1) : 0;
  const guint8 *data = fixed > 0 ? g_variant_get_data (iterable) : NULL;
  g_autofree GVariant **children = fixed > 0 ? NULL : g_new (GVariant *, chunksize);

  for (gsize first = 0; first < n; first += chunksize)
    {
      guint count = (guint) MIN (chunksize, n - first);
      GVariant *argument;
      FyFuture *future;

      if (fixed > 0)
        argument = g_variant_new_from_data (g_variant_get_type (iterable), data + first * fixed,
                                            count * fixed, FALSE, (GDestroyNotify) g_variant_unref,
                                            g_variant_ref (iterable));
      else
        {
          for (guint i = 0; i < count; i++)
            children[i] = fy_pool_unboxed_child (iterable, first + i);
          argument = fy_pool_variants_to_av (children, count);
          for (guint i = 0; i < count; i++)
            g_variant_unref (children[i]);
        }
      future = enqueue (self, function, argument, batch, 1, now);
      future->n_items = count;
      g_ptr_array_add (futures, future);
    }
}

/* The futures of a map call. With @per_item (the executor's map) or a
 * chunksize of 1, one per item; otherwise one per chunk of items. */
static GPtrArray *
submit_many (FyPool      *self,
             const char  *function,
             GVariant    *iterable,
             int          chunksize,
             gboolean     star,
             gboolean     per_item,
             GError     **error)
{
  g_autoptr(GVariant) owned = NULL;
  GPtrArray *futures;
  gsize n;
  guint64 batch;
  gint64 now;

  g_return_val_if_fail (FY_IS_POOL (self), NULL);
  g_return_val_if_fail (function != NULL, NULL);
  g_return_val_if_fail (iterable != NULL, NULL);

  owned = g_variant_ref_sink (iterable);
  if (!g_variant_is_container (owned))
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "The arguments must be an array or a tuple, not a “%s”",
                   g_variant_get_type_string (owned));
      return NULL;
    }
  if (chunksize < 0)
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "chunksize must be 0 (automatic) or positive, not %d", chunksize);
      return NULL;
    }
  if (!check_accepting (self, error))
    return NULL;

  n = g_variant_n_children (owned);
  if (star)
    for (gsize i = 0; i < n; i++)
      {
        g_autoptr(GVariant) child = fy_pool_unboxed_child (owned, i);

        if (!g_variant_is_of_type (child, G_VARIANT_TYPE_TUPLE))
          {
            g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                         "starmap needs a tuple per task; item %" G_GSIZE_FORMAT " is a “%s”",
                         i, g_variant_get_type_string (child));
            return NULL;
          }
      }

  /* Python's rule, about four chunks per worker, for long inputs. A short
   * one goes item by item: then balance matters more than messages (a few
   * slow items in one chunk would keep one worker busy while the others
   * idle), and the pool hands short items over in windows anyway. */
  if (chunksize == 0)
    {
      gsize per = (gsize) self->n_workers * 4;

      if (n < (gsize) self->n_workers * FY_POOL_ITEMS_PER_WORKER_UNCHUNKED)
        chunksize = 1;
      else
        chunksize = (int) MAX (1, n / per + (n % per != 0 ? 1 : 0));
    }

  function = g_intern_string (function);
  now = g_get_monotonic_time ();
  batch = ++self->next_batch;
  futures = g_ptr_array_new_full (n, g_object_unref);
  if (chunksize > 1 && !per_item)
    enqueue_map_chunks (self, function, owned, n, (guint) chunksize, batch, now, futures);
  else
    for (gsize i = 0; i < n; i++)
      {
        g_autoptr(GVariant) child = fy_pool_unboxed_child (owned, i);

        g_ptr_array_add (futures, enqueue (self, function, child, batch, chunksize, now));
      }
  fy_task_list_append (self->tasks, (FyFuture **) futures->pdata, futures->len);
  dispatch (self);
  publish_queues (self);
  return futures;
}

GPtrArray *
fy_pool_submit_map (FyPool      *self,
                    const char  *function,
                    GVariant    *iterable,
                    int          chunksize,
                    GError     **error)
{
  return submit_many (self, function, iterable, chunksize, FALSE, TRUE, error);
}

/* The results of a map call, gathered in order as its tasks finish. */
typedef struct
{
  GPtrArray *futures;
  guint      next;      /* every future before it has finished */
  GPtrArray *results;   /* theirs so far; NULL once one failed */
} Collect;

static void
collect_init (Collect   *c,
              GPtrArray *futures)
{
  guint n = 0;

  for (guint i = 0; i < futures->len; i++)
    n += MAX (((FyFuture *) g_ptr_array_index (futures, i))->n_items, 1);
  c->futures = futures;
  c->next = 0;
  c->results = g_ptr_array_new_full (n, (GDestroyNotify) g_variant_unref);
}

/* TRUE once every task finished. Tasks never become unfinished, so each
 * check resumes where the last one stopped: O(n) in all. A map chunk's
 * items are taken out as soon as it finished, while the workers still
 * run the others. */
static gboolean
collect_finished (gpointer data)
{
  Collect *c = data;

  for (; c->next < c->futures->len; c->next++)
    {
      FyFuture *future = g_ptr_array_index (c->futures, c->next);

      if (!fy_future_finished (future))
        return FALSE;
      if (future->state != FY_FUTURE_STATE_DONE)
        g_clear_pointer (&c->results, g_ptr_array_unref);
      else if (c->results != NULL && future->n_items == 0)
        g_ptr_array_add (c->results, g_variant_ref (future->result));
      else if (c->results != NULL)
        for (guint k = 0; k < future->n_items; k++)
          g_ptr_array_add (c->results, fy_pool_unboxed_child (future->result, k));
    }
  return TRUE;
}

/* Once every task finished: the results in order, or the first error in
 * order. */
static GPtrArray *
collect_end (Collect  *c,
             GError  **error)
{
  collect_finished (c);
  if (c->results != NULL)
    return g_steal_pointer (&c->results);
  for (guint i = 0; i < c->futures->len; i++)
    {
      FyFuture *future = g_ptr_array_index (c->futures, i);

      if (future->state != FY_FUTURE_STATE_DONE)
        {
          g_propagate_error (error, g_error_copy (future->error));
          break;
        }
    }
  return NULL;
}

static GPtrArray *
map_sync (FyPool      *self,
          const char  *function,
          GVariant    *iterable,
          int          chunksize,
          gboolean     star,
          GError     **error)
{
  g_autoptr(GPtrArray) futures = submit_many (self, function, iterable, chunksize, star, FALSE, error);
  Collect c;

  if (futures == NULL)
    return NULL;
  collect_init (&c, futures);
  fy_pool_wait_context (self->context, -1, collect_finished, &c);
  return collect_end (&c, error);
}

GPtrArray *
fy_pool_map (FyPool      *self,
             const char  *function,
             GVariant    *iterable,
             int          chunksize,
             GError     **error)
{
  return map_sync (self, function, iterable, chunksize, FALSE, error);
}

GPtrArray *
fy_pool_starmap (FyPool      *self,
                 const char  *function,
                 GVariant    *iterable,
                 int          chunksize,
                 GError     **error)
{
  return map_sync (self, function, iterable, chunksize, TRUE, error);
}

GVariant *
fy_pool_apply (FyPool      *self,
               const char  *function,
               GVariant    *argument,
               GError     **error)
{
  g_autoptr(FyFuture) future = fy_pool_submit (self, function, argument, error);

  if (future == NULL)
    return NULL;
  return fy_future_result (future, -1, error);
}

typedef struct
{
  FyPoolResultFunc callback;
  FyPoolErrorFunc  error_callback;
  gpointer         user_data;
  GDestroyNotify   destroy;
} ApplyAsync;

static void
apply_async_free (gpointer data)
{
  ApplyAsync *a = data;

  if (a->destroy != NULL)
    a->destroy (a->user_data);
  g_free (a);
}

static void
apply_async_done_cb (FyFuture *future,
                     gpointer  data)
{
  ApplyAsync *a = data;

  if (future->state == FY_FUTURE_STATE_DONE)
    {
      if (a->callback != NULL)
        a->callback (future->result, a->user_data);
    }
  else if (a->error_callback != NULL)
    a->error_callback (future->error, a->user_data);
}

FyFuture *
fy_pool_apply_async (FyPool           *self,
                     const char       *function,
                     GVariant         *argument,
                     FyPoolResultFunc  callback,
                     FyPoolErrorFunc   error_callback,
                     gpointer          user_data,
                     GDestroyNotify    destroy,
                     GError          **error)
{
  FyFuture *future = fy_pool_submit (self, function, argument, error);
  ApplyAsync *a;

  if (future == NULL)
    return NULL;
  a = g_new0 (ApplyAsync, 1);
  a->callback = callback;
  a->error_callback = error_callback;
  a->user_data = user_data;
  a->destroy = destroy;
  fy_future_add_done_callback (future, apply_async_done_cb, a, apply_async_free);
  return future;
}

typedef struct
{
  GPtrArray *futures;
  guint      remaining;
} MapAsync;

static void
map_async_free (gpointer data)
{
  MapAsync *m = data;

  g_ptr_array_unref (m->futures);
  g_free (m);
}

static void
map_async_done_cb (FyFuture *future,
                   gpointer  data)
{
  GTask *task = data;
  MapAsync *m = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *results;
  Collect c;

  if (--m->remaining > 0)
    return;
  collect_init (&c, m->futures);
  results = collect_end (&c, &error);
  if (results != NULL)
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
fy_pool_map_async (FyPool              *self,
                   const char          *function,
                   GVariant            *iterable,
                   int                  chunksize,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GPtrArray *futures;
  MapAsync *m;

  g_return_if_fail (FY_IS_POOL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fy_pool_map_async);

  futures = submit_many (self, function, iterable, chunksize, FALSE, FALSE, &error);
  if (futures == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (futures->len == 0)
    {
      g_task_return_pointer (task, futures, (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  m = g_new0 (MapAsync, 1);
  m->futures = futures;
  m->remaining = futures->len;
  g_task_set_task_data (task, m, map_async_free);
  for (guint i = 0; i < futures->len; i++)
    fy_future_add_done_callback (g_ptr_array_index (futures, i), map_async_done_cb,
                                 g_object_ref (task), g_object_unref);
}

GPtrArray *
fy_pool_map_finish (FyPool        *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

FyFutureIter *
fy_pool_imap (FyPool      *self,
              const char  *function,
              GVariant    *iterable,
              int          chunksize,
              GError     **error)
{
  g_autoptr(GPtrArray) futures = submit_many (self, function, iterable, chunksize, FALSE, FALSE, error);

  if (futures == NULL)
    return NULL;
  return fy_future_iter_new (futures, TRUE);
}

FyFutureIter *
fy_pool_imap_unordered (FyPool      *self,
                        const char  *function,
                        GVariant    *iterable,
                        int          chunksize,
                        GError     **error)
{
  g_autoptr(GPtrArray) futures = submit_many (self, function, iterable, chunksize, FALSE, FALSE, error);

  if (futures == NULL)
    return NULL;
  return fy_future_iter_new (futures, FALSE);
}

/* ---- public API: cancelling and ending ------------------------------------------------------ */

/* Where @future sits in @worker's chunks; TRUE with @out_started when it
 * is inside the window (it may be running). */
static gboolean
find_in_worker (FyPoolWorker *worker,
                FyFuture     *future,
                guint64      *out_chunk,
                guint        *out_index,
                gboolean     *out_started)
{
  for (GList *l = worker->sent.head; l != NULL; l = l->next)
    {
      FyPoolChunk *chunk = l->data;

      for (guint i = chunk->n_reported; i < chunk->items->len; i++)
        if (g_ptr_array_index (chunk->items, i) == future)
          {
            *out_chunk = chunk->id;
            *out_index = i;
            *out_started = (chunk->acked && i < chunk->window_end)
                           || chunk->first_seq + i + 1 == shared_running (worker);
            return TRUE;
          }
    }
  return FALSE;
}

gboolean
fy_pool_cancel_future (FyPool   *self,
                       FyFuture *future)
{
  FyPoolWorker *worker = future->holder;
  gboolean started = FALSE;
  guint64 chunk_id;
  guint index;

  if (fy_future_finished (future))
    return FALSE;

  if (future->queue_link != NULL)
    {
      g_queue_unlink (&self->pending, future->queue_link);
      future->queue_link = NULL;
      finish_cancelled (self, future, "cancelled before it started");
      g_object_unref (future);
      flush (self);
      return TRUE;
    }

  if (worker == NULL || !find_in_worker (worker, future, &chunk_id, &index, &started))
    return FALSE;

  future->cancel_requested = TRUE;
  if (started)
    {
      /* Only a new process can stop a running C function. */
      if (worker->reason == FY_POOL_WORKER_REASON_NONE)
        {
          worker->reason = FY_POOL_WORKER_REASON_CANCEL;
          worker->reason_future = future;
        }
      fy_pool_worker_set_state (worker, FY_POOL_WORKER_STATE_EXITING);
      fy_pool_worker_kill (worker, NULL);
    }
  else
    send_to_worker (worker, FY_POOL_MSG_CANCEL, chunk_id, index, NULL);
  return TRUE;
}

void
fy_pool_close (FyPool *self)
{
  g_return_if_fail (FY_IS_POOL (self));

  if (self->state == FY_POOL_STATE_NEW || self->state == FY_POOL_STATE_RUNNING)
    set_state (self, FY_POOL_STATE_CLOSED);
  dispatch (self);
}

void
fy_pool_terminate (FyPool *self)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (FY_IS_POOL (self));

  if (self->state == FY_POOL_STATE_TERMINATED)
    return;
  set_state (self, FY_POOL_STATE_TERMINATED);

  stop_workers_and_gather (self, FALSE, held);
  for (guint i = 0; i < held->len; i++)
    finish_cancelled (self, g_ptr_array_index (held, i), "the pool was terminated");
  flush (self);
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
  if (!fy_pool_wait_context (self->context, timeout_seconds, check_joined, self))
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
      while ((future = pending_pop (self)) != NULL)
        {
          finish_cancelled (self, future, "the pool was shut down");
          g_object_unref (future);
        }
      flush (self);
    }
  fy_pool_close (self);
  if (wait)
    fy_pool_join (self, -1, NULL);
}
