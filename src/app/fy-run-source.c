/* fy-run-source.c: a main loop source that runs a pool's own main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each prepare asks the inner context for its fds and timeout and mirrors
 * them as unix fds of this source; check and dispatch hand the poll's
 * results back to the inner context. The inner context is dispatched only
 * from here, so whatever the pool does (reading replies, reaping, its kill
 * timers) runs at this source's priority.
 */

#include "config.h"

#include "fy-run-source.h"

typedef struct
{
  GSource       source;
  GMainContext *inner;
  GPollFD      *fds;
  int           n_fds;
  int           n_allocated;
  gpointer     *tags;
  GPollFD      *mirrored;     /* the fds and events the tags stand for */
  int           max_priority;
  gboolean      checked;
  gboolean      ready;
  gint64        last_dispatch;
} PoolSource;

/* TRUE when the inner context asks for the fds already mirrored. */
static gboolean
same_fds (PoolSource *self,
          int         n)
{
  if (n != self->n_fds)
    return FALSE;
  for (int i = 0; i < n; i++)
    if (self->fds[i].fd != self->mirrored[i].fd || self->fds[i].events != self->mirrored[i].events)
      return FALSE;
  return TRUE;
}

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

  /* Adding a unix fd to a source wakes the main loop up: mirroring the
   * same fds afresh at every prepare kept it spinning (a quarter of a core
   * for as long as a run's pool lived, finished or not). They change only
   * when a worker comes or goes. */
  if (!same_fds (self, n))
    {
      for (int i = 0; i < self->n_fds; i++)
        g_source_remove_unix_fd (source, self->tags[i]);
      self->tags = g_renew (gpointer, self->tags, MAX (n, 1));
      self->mirrored = g_renew (GPollFD, self->mirrored, MAX (n, 1));
      for (int i = 0; i < n; i++)
        {
          self->tags[i] = g_source_add_unix_fd (source, self->fds[i].fd, self->fds[i].events);
          self->mirrored[i] = self->fds[i];
        }
      self->n_fds = n;
    }
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
  self->last_dispatch = g_get_monotonic_time ();
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
  g_free (self->mirrored);
}

static GSourceFuncs pool_source_funcs = {
  pool_source_prepare,
  pool_source_check,
  pool_source_dispatch,
  pool_source_finalize,
  NULL, NULL,
};

GSource *
fy_run_source_new (GMainContext *inner,
                   int           priority)
{
  PoolSource *self;

  g_return_val_if_fail (inner != NULL, NULL);

  self = (PoolSource *) g_source_new (&pool_source_funcs, sizeof (PoolSource));
  self->inner = g_main_context_ref (inner);
  g_main_context_acquire (inner);
  g_source_set_priority ((GSource *) self, priority);
  g_source_set_name ((GSource *) self, "FyRun pool");
  self->last_dispatch = g_get_monotonic_time ();
  return (GSource *) self;
}

void
fy_run_source_catch_up (GSource *source,
                        gint64   late_usec)
{
  PoolSource *self = (PoolSource *) source;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (source != NULL);

  if (now - self->last_dispatch < late_usec)
    return;
  self->last_dispatch = now;
  /* Whatever the inner context has ready now, without waiting. */
  g_main_context_push_thread_default (self->inner);
  g_main_context_iteration (self->inner, FALSE);
  g_main_context_pop_thread_default (self->inner);
}
