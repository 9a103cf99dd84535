/* fy-process.c: one worker process running one registered function
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything goes through the pidfd: signals (pidfd_send_signal, so a
 * recycled pid is never hit), reaping (waitid (P_PIDFD)) and the "exited"
 * notification (a g_unix_fd_add-style source on the pidfd, which becomes
 * readable when the child exits). No SIGCHLD handler, no helper thread and
 * no waitpid (-1) that could steal another component's child.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include <glib-unix.h>

#include "fy-process.h"
#include "fy-spawn.h"

struct _FyProcess
{
  GObject     parent_instance;

  char       *function;
  GVariant   *argument;
  char       *name;
  GArray     *fds;          /* int, owned dups, until start hands them over */

  GPid        pid;
  int         pidfd;
  FyChannel  *channel;
  GSource    *exit_source;

  int         exitcode;
  GVariant   *answer;       /* the worker's (bv) reply, once read */

  guint       daemon : 1;
  guint       started : 1;
  guint       closed : 1;
  guint       have_exitcode : 1;
  guint       answer_read : 1;
};

G_DEFINE_FINAL_TYPE (FyProcess, fy_process, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FUNCTION,
  PROP_NAME,
  PROP_DAEMON,
  PROP_PID,
  N_PROPS
};

enum {
  EXITED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_QUARK (fy-process-error-quark, fy_process_error)

/* Spare workers: when workers are exec'ed (FORKYARD_FORKSERVER=0), loading
 * forkyard-worker (the dynamic linker mapping and relocating GLib, GIO and
 * the workloads' libraries) costs far more than the spawn itself, and a few
 * workers spawned ahead hide it: start () hands the task to the oldest one
 * and spawns a replacement. They are per thread because PR_SET_PDEATHSIG
 * follows the spawning thread. An idle spare ends on EOF when its thread's
 * queue is freed or the parent exits. The fork server starts a worker in
 * well under a millisecond, so by default there are none: idle processes
 * would cost CPU and show up in the monitor for nothing. */
#define FY_DEFAULT_SPARE_WORKERS 0

static gint spare_target = -1;

static void
spare_free (gpointer data)
{
  FySpawnedWorker *worker = data;

  /* An idle spare holds no work: kill it rather than wait for it to
   * finish loading and see EOF, and reap it so no zombie lingers. */
  pidfd_send_signal (worker->pidfd, SIGKILL, NULL, 0);
  g_clear_pointer (&worker->channel, fy_channel_unref);
  fy_spawn_reap (worker->pidfd, TRUE, NULL);
  close (worker->pidfd);
  g_free (worker);
}

static void
spares_free (gpointer data)
{
  g_queue_free_full (data, spare_free);
}

static GPrivate spares_key = G_PRIVATE_INIT (spares_free);

static guint
get_spare_target (void)
{
  int target = g_atomic_int_get (&spare_target);

  if (target < 0)
    {
      const char *env = g_getenv ("FORKYARD_SPARE_WORKERS");
      guint64 value = FY_DEFAULT_SPARE_WORKERS;

      if (env != NULL)
        g_ascii_string_to_unsigned (env, 10, 0, 64, &value, NULL);
      target = (int) value;
      g_atomic_int_set (&spare_target, target);
    }
  return target;
}

static GQueue *
get_spares (void)
{
  GQueue *spares = g_private_get (&spares_key);

  if (spares == NULL)
    {
      spares = g_queue_new ();
      g_private_set (&spares_key, spares);
    }
  return spares;
}

/* Tops the thread's spares up; a failure only means a cold start later. */
static void
refill_spares (void)
{
  GQueue *spares = get_spares ();
  guint target = get_spare_target ();

  while (spares->length > target)
    spare_free (g_queue_pop_tail (spares));

  while (spares->length < target)
    {
      FySpawnedWorker worker = { 0 };

      if (!fy_spawn_worker ("process", &worker, NULL))
        break;
      g_queue_push_tail (spares, g_memdup2 (&worker, sizeof worker));
    }
}

/* A spare that is still alive, or a freshly spawned worker. */
static gboolean
take_worker (gboolean          use_spares,
             FySpawnedWorker  *out_worker,
             GError          **error)
{
  GQueue *spares = get_spares ();
  FySpawnedWorker *spare;

  while (use_spares && (spare = g_queue_pop_head (spares)) != NULL)
    {
      int code;

      if (!fy_spawn_reap (spare->pidfd, FALSE, &code))
        {
          *out_worker = *spare;
          g_free (spare);
          return TRUE;
        }
      /* It died while idle (killed by someone): discard it. */
      g_clear_pointer (&spare->channel, fy_channel_unref);
      close (spare->pidfd);
      g_free (spare);
    }

  return fy_spawn_worker ("process", out_worker, error);
}

void
fy_process_set_spare_workers (guint n_spares)
{
  g_atomic_int_set (&spare_target, (int) MIN (n_spares, 64));
  refill_spares ();
}

/* Reaps the child if it has exited; TRUE once the exit code is known. */
static gboolean
try_reap (FyProcess *self,
          gboolean   block)
{
  int code = 0;

  if (self->have_exitcode)
    return TRUE;
  if (self->pidfd < 0)
    return FALSE;
  if (!fy_spawn_reap (self->pidfd, block, &code))
    return FALSE;

  self->exitcode = code;
  self->have_exitcode = TRUE;
  return TRUE;
}

static gboolean
pidfd_ready_cb (int          fd,
                GIOCondition condition,
                gpointer     user_data)
{
  FyProcess *self = user_data;
  g_autoptr(FyProcess) hold = NULL;

  if (!try_reap (self, FALSE))
    return G_SOURCE_CONTINUE;

  /* A handler may drop the last reference to us. */
  hold = g_object_ref (self);
  g_clear_pointer (&self->exit_source, g_source_unref);
  g_signal_emit (self, signals[EXITED], 0, self->exitcode);
  return G_SOURCE_REMOVE;
}

static void
clear_exit_source (FyProcess *self)
{
  if (self->exit_source != NULL)
    {
      g_source_destroy (self->exit_source);
      g_clear_pointer (&self->exit_source, g_source_unref);
    }
}

static void
close_fds (FyProcess *self)
{
  if (self->fds == NULL)
    return;
  for (guint i = 0; i < self->fds->len; i++)
    close (g_array_index (self->fds, int, i));
  g_array_set_size (self->fds, 0);
}

static gboolean
check_started (FyProcess  *self,
               GError    **error)
{
  if (self->closed)
    {
      g_set_error_literal (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_CLOSED,
                           "The process object is closed");
      return FALSE;
    }
  if (!self->started)
    {
      g_set_error_literal (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_NOT_STARTED,
                           "The process has not been started");
      return FALSE;
    }
  return TRUE;
}

static gboolean
send_signal (FyProcess  *self,
             int         signum,
             GError    **error)
{
  if (!check_started (self, error))
    return FALSE;

  /* Like Python, signalling a process that is already gone does nothing. */
  if (self->have_exitcode)
    return TRUE;

  if (pidfd_send_signal (self->pidfd, signum, NULL, 0) < 0 && errno != ESRCH)
    {
      int saved_errno = errno;

      g_set_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_FAILED,
                   "Could not send %s to process %d: %s",
                   g_strsignal (signum), (int) self->pid, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
fy_process_dispose (GObject *object)
{
  FyProcess *self = FY_PROCESS (object);

  if (self->started && !self->have_exitcode && self->pidfd >= 0)
    {
      /* Daemons die with their owner; other children are waited for, as
       * Python joins non-daemon processes at exit. */
      if (self->daemon)
        pidfd_send_signal (self->pidfd, SIGKILL, NULL, 0);
      try_reap (self, TRUE);
    }

  clear_exit_source (self);
  g_clear_pointer (&self->channel, fy_channel_unref);
  if (self->pidfd >= 0)
    {
      close (self->pidfd);
      self->pidfd = -1;
    }
  close_fds (self);

  G_OBJECT_CLASS (fy_process_parent_class)->dispose (object);
}

static void
fy_process_finalize (GObject *object)
{
  FyProcess *self = FY_PROCESS (object);

  g_clear_pointer (&self->function, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->argument, g_variant_unref);
  g_clear_pointer (&self->answer, g_variant_unref);
  g_clear_pointer (&self->fds, g_array_unref);

  G_OBJECT_CLASS (fy_process_parent_class)->finalize (object);
}

static void
fy_process_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FyProcess *self = FY_PROCESS (object);

  switch (prop_id)
    {
    case PROP_FUNCTION:
      g_value_set_string (value, self->function);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_DAEMON:
      g_value_set_boolean (value, self->daemon);
      break;

    case PROP_PID:
      g_value_set_int (value, self->pid);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_process_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FyProcess *self = FY_PROCESS (object);

  switch (prop_id)
    {
    case PROP_FUNCTION:
      self->function = g_value_dup_string (value);
      break;

    case PROP_NAME:
      fy_process_set_name (self, g_value_get_string (value));
      break;

    case PROP_DAEMON:
      fy_process_set_daemon (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_process_class_init (FyProcessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fy_process_dispose;
  object_class->finalize = fy_process_finalize;
  object_class->get_property = fy_process_get_property;
  object_class->set_property = fy_process_set_property;

  properties[PROP_FUNCTION] =
    g_param_spec_string ("function", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DAEMON] =
    g_param_spec_boolean ("daemon", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PID] =
    g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[EXITED] =
    g_signal_new ("exited",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
fy_process_init (FyProcess *self)
{
  static gint counter = 0;

  self->pidfd = -1;
  self->fds = g_array_new (FALSE, FALSE, sizeof (int));
  self->name = g_strdup_printf ("FyProcess-%d", g_atomic_int_add (&counter, 1) + 1);
}

FyProcess *
fy_process_new (const char *function,
                GVariant   *argument)
{
  FyProcess *self;

  g_return_val_if_fail (function != NULL, NULL);

  self = g_object_new (FY_TYPE_PROCESS, "function", function, NULL);
  self->argument = argument != NULL
    ? g_variant_ref_sink (argument)
    : g_variant_ref_sink (g_variant_new ("()"));
  return self;
}

guint
fy_process_add_fd (FyProcess *self,
                   int        fd)
{
  int copy;

  g_return_val_if_fail (FY_IS_PROCESS (self), G_MAXUINT);
  g_return_val_if_fail (!self->started, G_MAXUINT);
  g_return_val_if_fail (fd >= 0, G_MAXUINT);

  copy = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  g_return_val_if_fail (copy >= 0, G_MAXUINT);

  g_array_append_val (self->fds, copy);
  return self->fds->len - 1;
}

const char *
fy_process_get_function (FyProcess *self)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), NULL);
  return self->function;
}

const char *
fy_process_get_name (FyProcess *self)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), NULL);
  return self->name;
}

void
fy_process_set_name (FyProcess  *self,
                     const char *name)
{
  g_return_if_fail (FY_IS_PROCESS (self));

  if (name == NULL || g_strcmp0 (name, self->name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

gboolean
fy_process_get_daemon (FyProcess *self)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);
  return self->daemon;
}

void
fy_process_set_daemon (FyProcess *self,
                       gboolean   daemon)
{
  g_return_if_fail (FY_IS_PROCESS (self));
  g_return_if_fail (!self->started);

  daemon = !!daemon;
  if (self->daemon == (guint) daemon)
    return;
  self->daemon = daemon;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAEMON]);
}

gboolean
fy_process_start (FyProcess  *self,
                  GError    **error)
{
  FySpawnedWorker worker = { 0 };
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GVariant) task = NULL;

  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);

  if (self->closed)
    {
      g_set_error_literal (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_CLOSED,
                           "The process object is closed");
      return FALSE;
    }
  if (self->started)
    {
      g_set_error_literal (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_ALREADY_STARTED,
                           "A process can only be started once");
      return FALSE;
    }

  if (self->fds->len > 0)
    {
      fd_list = g_unix_fd_list_new_from_array ((const int *) (gpointer) self->fds->data, self->fds->len);
      g_array_set_size (self->fds, 0);
    }
  task = g_variant_ref_sink (g_variant_new ("(s@v)", self->function,
                                            g_variant_new_variant (self->argument)));

  /* A spare can die between the check and the send (someone killed it):
   * then the task goes to a freshly spawned worker instead. */
  for (guint attempt = 0; ; attempt++)
    {
      if (!take_worker (attempt == 0, &worker, &local_error))
        {
          g_set_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_FAILED,
                       "Could not start %s: %s", self->name, local_error->message);
          return FALSE;
        }
      if (fy_channel_send (worker.channel, task, fd_list, &local_error))
        break;

      /* The worker cannot run without its task: do not leave it waiting. */
      pidfd_send_signal (worker.pidfd, SIGKILL, NULL, 0);
      fy_spawn_reap (worker.pidfd, TRUE, NULL);
      close (worker.pidfd);
      g_clear_pointer (&worker.channel, fy_channel_unref);
      if (attempt > 0)
        {
          g_set_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_FAILED,
                       "Could not send the task to %s: %s", self->name, local_error->message);
          return FALSE;
        }
      g_clear_error (&local_error);
    }

  self->started = TRUE;
  self->pid = worker.pid;
  self->pidfd = worker.pidfd;
  self->channel = worker.channel;

  refill_spares ();

  context = g_main_context_ref_thread_default ();
  self->exit_source = g_unix_fd_source_new (self->pidfd, G_IO_IN);
  g_source_set_callback (self->exit_source, (GSourceFunc) (GCallback) pidfd_ready_cb, self, NULL);
  g_source_set_static_name (self->exit_source, "[forkyard] process exit");
  g_source_attach (self->exit_source, context);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
  return TRUE;
}

gboolean
fy_process_join (FyProcess  *self,
                 double      timeout_seconds,
                 GError    **error)
{
  gint64 deadline;

  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);

  if (!check_started (self, error))
    return FALSE;
  if (self->have_exitcode)
    return TRUE;

  if (timeout_seconds < 0)
    {
      try_reap (self, TRUE);
      return TRUE;
    }

  deadline = g_get_monotonic_time () + (gint64) (timeout_seconds * G_USEC_PER_SEC);
  for (;;)
    {
      struct pollfd pfd = { .fd = self->pidfd, .events = POLLIN };
      gint64 left = deadline - g_get_monotonic_time ();
      int r;

      r = poll (&pfd, 1, left <= 0 ? 0 : (int) MIN ((left + 999) / 1000, G_MAXINT));
      if (r < 0 && errno == EINTR)
        continue;
      if (try_reap (self, FALSE))
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        break;
    }

  g_set_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_TIMED_OUT,
               "%s is still running after %.3g s", self->name, timeout_seconds);
  return FALSE;
}

gboolean
fy_process_is_alive (FyProcess *self)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);

  if (!self->started || self->closed)
    return FALSE;
  return !try_reap (self, FALSE);
}

GPid
fy_process_get_pid (FyProcess *self)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), 0);
  return self->pid;
}

int
fy_process_get_pidfd (FyProcess *self)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), -1);
  return self->pidfd;
}

gboolean
fy_process_get_exitcode (FyProcess *self,
                         int       *exitcode)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);

  if (!self->started || !try_reap (self, FALSE))
    return FALSE;
  if (exitcode != NULL)
    *exitcode = self->exitcode;
  return TRUE;
}

GVariant *
fy_process_get_result (FyProcess  *self,
                       GError    **error)
{
  g_autoptr(GVariant) value = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (FY_IS_PROCESS (self), NULL);

  if (!check_started (self, error))
    return NULL;
  if (!try_reap (self, FALSE))
    {
      g_set_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_STILL_RUNNING,
                   "%s has not finished yet", self->name);
      return NULL;
    }

  /* The worker answered before exiting, so the answer is already queued;
   * a worker that died first simply has none. */
  if (!self->answer_read && self->channel != NULL)
    {
      GVariant *answer = fy_channel_receive (self->channel, 0, NULL, NULL);

      self->answer_read = TRUE;
      if (answer != NULL && g_variant_is_of_type (answer, G_VARIANT_TYPE ("(bv)")))
        self->answer = answer;
      else
        g_clear_pointer (&answer, g_variant_unref);
    }

  if (self->answer == NULL)
    {
      g_set_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_FAILED,
                   "%s ended without a result (exit code %d)", self->name, self->exitcode);
      return NULL;
    }

  g_variant_get (self->answer, "(bv)", &ok, &value);
  if (!ok)
    {
      g_set_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_FAILED, "%s: %s",
                   self->function,
                   g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
                   ? g_variant_get_string (value, NULL) : "failed");
      return NULL;
    }
  return g_steal_pointer (&value);
}

gboolean
fy_process_terminate (FyProcess  *self,
                      GError    **error)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);
  return send_signal (self, SIGTERM, error);
}

gboolean
fy_process_kill (FyProcess  *self,
                 GError    **error)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);
  return send_signal (self, SIGKILL, error);
}

gboolean
fy_process_stop (FyProcess  *self,
                 GError    **error)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);
  return send_signal (self, SIGSTOP, error);
}

gboolean
fy_process_continue (FyProcess  *self,
                     GError    **error)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);
  return send_signal (self, SIGCONT, error);
}

gboolean
fy_process_close (FyProcess  *self,
                  GError    **error)
{
  g_return_val_if_fail (FY_IS_PROCESS (self), FALSE);

  if (self->closed)
    return TRUE;
  if (self->started && !try_reap (self, FALSE))
    {
      g_set_error (error, FY_PROCESS_ERROR, FY_PROCESS_ERROR_STILL_RUNNING,
                   "Cannot close %s while it is still running", self->name);
      return FALSE;
    }

  clear_exit_source (self);
  g_clear_pointer (&self->channel, fy_channel_unref);
  if (self->pidfd >= 0)
    {
      close (self->pidfd);
      self->pidfd = -1;
    }
  close_fds (self);
  self->closed = TRUE;
  return TRUE;
}
