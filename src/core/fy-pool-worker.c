/* fy-pool-worker.c: one worker process of a pool, as the pool sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fy-pool-error.h"
#include "fy-pool-worker-private.h"

G_DEFINE_FINAL_TYPE (FyPoolWorker, fy_pool_worker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PID,
  PROP_SLOT,
  PROP_STATE,
  PROP_CURRENT_TASK,
  PROP_TASKS_DONE,
  PROP_STARTED_AT,
  PROP_EXITCODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
fy_pool_worker_state_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { FY_POOL_WORKER_STATE_STARTING, "FY_POOL_WORKER_STATE_STARTING", "starting" },
    { FY_POOL_WORKER_STATE_IDLE, "FY_POOL_WORKER_STATE_IDLE", "idle" },
    { FY_POOL_WORKER_STATE_BUSY, "FY_POOL_WORKER_STATE_BUSY", "busy" },
    { FY_POOL_WORKER_STATE_STOPPED, "FY_POOL_WORKER_STATE_STOPPED", "stopped" },
    { FY_POOL_WORKER_STATE_EXITING, "FY_POOL_WORKER_STATE_EXITING", "exiting" },
    { FY_POOL_WORKER_STATE_EXITED, "FY_POOL_WORKER_STATE_EXITED", "exited" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("FyPoolWorkerState", values));
  return type_id;
}

static gboolean
send_signal (FyPoolWorker  *self,
             int            signum,
             GError       **error)
{
  if (self->exited || self->pidfd < 0)
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "Worker %d has already exited", self->pid);
      return FALSE;
    }
  if (syscall (SYS_pidfd_send_signal, self->pidfd, signum, NULL, 0) < 0)
    {
      int saved_errno = errno;

      /* ESRCH: it died an instant ago; its pidfd will tell the pool. */
      if (saved_errno == ESRCH)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Signalling worker %d: %s", self->pid, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
grace_expired_cb (gpointer data)
{
  FyPoolWorker *self = data;

  self->grace_id = 0;
  send_signal (self, SIGKILL, NULL);
  return G_SOURCE_REMOVE;
}

static void
fy_pool_worker_finalize (GObject *object)
{
  FyPoolWorker *self = FY_POOL_WORKER (object);

  fy_pool_clear_source (&self->grace_id);
  fy_pool_clear_source (&self->out_watch);
  g_queue_clear_full (&self->outbox, (GDestroyNotify) g_variant_unref);
  if (self->pidfd >= 0)
    close (self->pidfd);
  g_clear_object (&self->current_task);
  g_clear_pointer (&self->reason_message, g_free);
  g_clear_pointer (&self->channel, fy_channel_unref);
  if (self->shared != NULL)
    munmap (self->shared, FY_POOL_SHARED_SIZE);

  G_OBJECT_CLASS (fy_pool_worker_parent_class)->finalize (object);
}

static void
fy_pool_worker_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FyPoolWorker *self = FY_POOL_WORKER (object);

  switch (prop_id)
    {
    case PROP_PID:
      g_value_set_int (value, self->pid);
      break;
    case PROP_SLOT:
      g_value_set_uint (value, self->slot);
      break;
    case PROP_STATE:
      g_value_set_enum (value, fy_pool_worker_get_state (self));
      break;
    case PROP_CURRENT_TASK:
      g_value_set_object (value, self->current_task);
      break;
    case PROP_TASKS_DONE:
      g_value_set_uint (value, self->tasks_done);
      break;
    case PROP_STARTED_AT:
      g_value_set_int64 (value, self->started_at);
      break;
    case PROP_EXITCODE:
      g_value_set_int (value, self->exitcode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_pool_worker_class_init (FyPoolWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = fy_pool_worker_finalize;
  object_class->get_property = fy_pool_worker_get_property;

  properties[PROP_PID] = g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_SLOT] = g_param_spec_uint ("slot", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FY_TYPE_POOL_WORKER_STATE,
                                              FY_POOL_WORKER_STATE_STARTING, flags);
  properties[PROP_CURRENT_TASK] = g_param_spec_object ("current-task", NULL, NULL, FY_TYPE_FUTURE, flags);
  properties[PROP_TASKS_DONE] = g_param_spec_uint ("tasks-done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_STARTED_AT] = g_param_spec_int64 ("started-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_EXITCODE] = g_param_spec_int ("exitcode", NULL, NULL, G_MININT, G_MAXINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_pool_worker_init (FyPoolWorker *self)
{
  self->pidfd = -1;
  g_queue_init (&self->sent);
}

/* ---- internal API ------------------------------------------------------------ */

FyPoolWorker *
fy_pool_worker_new (guint  slot,
                    GPid   pid,
                    int    pidfd,
                    double kill_grace)
{
  FyPoolWorker *self = g_object_new (FY_TYPE_POOL_WORKER, NULL);

  self->slot = slot;
  self->pid = pid;
  self->pidfd = pidfd;
  self->kill_grace = kill_grace;
  self->started_at = g_get_monotonic_time ();
  return self;
}

void
fy_pool_worker_set_state (FyPoolWorker      *self,
                          FyPoolWorkerState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
fy_pool_worker_set_current_task (FyPoolWorker *self,
                                 FyFuture     *task)
{
  if (self->current_task == task)
    return;
  g_set_object (&self->current_task, task);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_TASK]);
}

void
fy_pool_worker_add_tasks_done (FyPoolWorker *self,
                               guint         n)
{
  if (n == 0)
    return;
  self->tasks_done += n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_DONE]);
}

void
fy_pool_worker_set_exited (FyPoolWorker *self,
                           int           exitcode)
{
  fy_pool_clear_source (&self->grace_id);
  fy_pool_clear_source (&self->out_watch);
  g_queue_clear_full (&self->outbox, (GDestroyNotify) g_variant_unref);
  if (self->pidfd >= 0)
    close (self->pidfd);
  self->pidfd = -1;
  self->exited = TRUE;
  self->exitcode = exitcode;
  self->stopped = FALSE;
  fy_pool_worker_set_current_task (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXITCODE]);
  fy_pool_worker_set_state (self, FY_POOL_WORKER_STATE_EXITED);
}

gboolean
fy_pool_worker_terminate_with_grace (FyPoolWorker  *self,
                                     GError       **error)
{
  if (!send_signal (self, SIGTERM, error))
    return FALSE;
  /* A stopped process does not act on SIGTERM until it is continued. */
  if (self->stopped)
    send_signal (self, SIGCONT, NULL);
  if (self->grace_id == 0)
    {
      /* In the pool's context, which is this thread's default. */
      GSource *source = g_timeout_source_new (MAX (1, (guint) (self->kill_grace * 1000.0 + 0.5)));

      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_set_callback (source, grace_expired_cb, self, NULL);
      self->grace_id = g_source_attach (source, g_main_context_get_thread_default ());
      g_source_unref (source);
    }
  return TRUE;
}

/* ---- public API --------------------------------------------------------------- */

GPid
fy_pool_worker_get_pid (FyPoolWorker *self)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), 0);
  return self->pid;
}

guint
fy_pool_worker_get_slot (FyPoolWorker *self)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), 0);
  return self->slot;
}

FyPoolWorkerState
fy_pool_worker_get_state (FyPoolWorker *self)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), FY_POOL_WORKER_STATE_EXITED);
  if (self->stopped && self->state <= FY_POOL_WORKER_STATE_BUSY)
    return FY_POOL_WORKER_STATE_STOPPED;
  return self->state;
}

FyFuture *
fy_pool_worker_get_current_task (FyPoolWorker *self)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), NULL);
  return self->current_task;
}

guint
fy_pool_worker_get_tasks_done (FyPoolWorker *self)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), 0);
  return self->tasks_done;
}

gint64
fy_pool_worker_get_started_at (FyPoolWorker *self)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), 0);
  return self->started_at;
}

gboolean
fy_pool_worker_get_exitcode (FyPoolWorker *self,
                             int          *exitcode)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), FALSE);
  if (!self->exited)
    return FALSE;
  if (exitcode != NULL)
    *exitcode = self->exitcode;
  return TRUE;
}

gboolean
fy_pool_worker_terminate (FyPoolWorker  *self,
                          GError       **error)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), FALSE);
  return fy_pool_worker_terminate_with_grace (self, error);
}

gboolean
fy_pool_worker_kill (FyPoolWorker  *self,
                     GError       **error)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), FALSE);
  return send_signal (self, SIGKILL, error);
}

gboolean
fy_pool_worker_stop (FyPoolWorker  *self,
                     GError       **error)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), FALSE);
  if (!send_signal (self, SIGSTOP, error))
    return FALSE;
  if (!self->stopped)
    {
      self->stopped = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  return TRUE;
}

gboolean
fy_pool_worker_continue (FyPoolWorker  *self,
                         GError       **error)
{
  g_return_val_if_fail (FY_IS_POOL_WORKER (self), FALSE);
  if (!send_signal (self, SIGCONT, error))
    return FALSE;
  if (self->stopped)
    {
      self->stopped = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  return TRUE;
}
