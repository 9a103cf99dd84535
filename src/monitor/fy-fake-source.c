/* fy-fake-source.c: scripted figures for tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-fake-source.h"

struct _FyFakeSource
{
  GObject     parent_instance;

  guint       n_cpus;
  GQueue      pending;      /* of FyFakeReading */
  FyCpuTicks *last;         /* the last reading handed out, for auto-advance */
  double      last_load[3];
  gboolean    auto_advance;
  GHashTable *processes;    /* pid → FyProcStat */
};

typedef struct
{
  double     load[3];
  FyCpuTicks ticks[];
} FyFakeReading;

static void fy_fake_source_iface_init (FySampleSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FyFakeSource, fy_fake_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FY_TYPE_SAMPLE_SOURCE,
                                                      fy_fake_source_iface_init))

static guint
fy_fake_source_get_n_cpus (FySampleSource *source)
{
  return FY_FAKE_SOURCE (source)->n_cpus;
}

static void
advance (FyFakeSource *self)
{
  for (guint i = 0; i < self->n_cpus; i++)
    {
      FyCpuTicks *t = &self->last[i];
      guint64 busy = 10 + (i * 7) % 81;

      if (!t->online)
        continue;
      t->user += busy / 2;
      t->sys += busy - busy / 2;
      t->idle += 100 - busy;
    }
}

static gboolean
fy_fake_source_read_cpus (FySampleSource *source,
                          FyCpuTicks     *ticks,
                          guint           n_ticks,
                          double          load[3],
                          GError        **error)
{
  FyFakeSource *self = FY_FAKE_SOURCE (source);
  FyFakeReading *reading = g_queue_pop_head (&self->pending);

  if (reading != NULL)
    {
      memcpy (self->last, reading->ticks, n_ticks * sizeof (FyCpuTicks));
      memcpy (self->last_load, reading->load, sizeof reading->load);
      g_free (reading);
    }
  else if (self->auto_advance)
    {
      advance (self);
    }
  else
    {
      g_set_error_literal (error, FY_MONITOR_ERROR, FY_MONITOR_ERROR_NO_DATA,
                           "No scripted CPU reading left");
      return FALSE;
    }

  memcpy (ticks, self->last, n_ticks * sizeof (FyCpuTicks));
  memcpy (load, self->last_load, sizeof self->last_load);

  return TRUE;
}

static gboolean
fy_fake_source_read_process (FySampleSource *source,
                             GPid            pid,
                             FyProcStat     *stat,
                             GError        **error)
{
  FyFakeSource *self = FY_FAKE_SOURCE (source);
  const FyProcStat *found = g_hash_table_lookup (self->processes, GINT_TO_POINTER (pid));

  if (found == NULL)
    {
      g_set_error (error, FY_MONITOR_ERROR, FY_MONITOR_ERROR_GONE,
                   "Process %d does not exist", (int) pid);
      return FALSE;
    }

  *stat = *found;
  return TRUE;
}

static void
fy_fake_source_iface_init (FySampleSourceInterface *iface)
{
  iface->get_n_cpus = fy_fake_source_get_n_cpus;
  iface->read_cpus = fy_fake_source_read_cpus;
  iface->read_process = fy_fake_source_read_process;
}

static void
fy_fake_source_finalize (GObject *object)
{
  FyFakeSource *self = (FyFakeSource *) object;

  g_queue_clear_full (&self->pending, g_free);
  g_clear_pointer (&self->last, g_free);
  g_clear_pointer (&self->processes, g_hash_table_unref);

  G_OBJECT_CLASS (fy_fake_source_parent_class)->finalize (object);
}

static void
fy_fake_source_class_init (FyFakeSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fy_fake_source_finalize;
}

static void
fy_fake_source_init (FyFakeSource *self)
{
  g_queue_init (&self->pending);
  self->processes = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

FyFakeSource *
fy_fake_source_new (guint n_cpus)
{
  FyFakeSource *self;

  g_return_val_if_fail (n_cpus > 0 && n_cpus <= 4096, NULL);

  self = g_object_new (FY_TYPE_FAKE_SOURCE, NULL);
  self->n_cpus = n_cpus;
  self->last = g_new0 (FyCpuTicks, n_cpus);
  for (guint i = 0; i < n_cpus; i++)
    self->last[i].online = TRUE;

  return self;
}

void
fy_fake_source_push_cpus (FyFakeSource     *self,
                          const FyCpuTicks *ticks,
                          const double     *load)
{
  FyFakeReading *reading;

  g_return_if_fail (FY_IS_FAKE_SOURCE (self));
  g_return_if_fail (ticks != NULL);

  reading = g_malloc0 (sizeof (FyFakeReading) + self->n_cpus * sizeof (FyCpuTicks));
  memcpy (reading->ticks, ticks, self->n_cpus * sizeof (FyCpuTicks));
  if (load != NULL)
    memcpy (reading->load, load, sizeof reading->load);
  g_queue_push_tail (&self->pending, reading);
}

guint
fy_fake_source_get_n_pending (FyFakeSource *self)
{
  g_return_val_if_fail (FY_IS_FAKE_SOURCE (self), 0);

  return self->pending.length;
}

void
fy_fake_source_set_auto_advance (FyFakeSource *self,
                                 gboolean      auto_advance)
{
  g_return_if_fail (FY_IS_FAKE_SOURCE (self));

  self->auto_advance = !!auto_advance;
}

void
fy_fake_source_set_process (FyFakeSource     *self,
                            GPid              pid,
                            const FyProcStat *stat)
{
  g_return_if_fail (FY_IS_FAKE_SOURCE (self));
  g_return_if_fail (pid > 0);
  g_return_if_fail (stat != NULL);

  g_hash_table_insert (self->processes, GINT_TO_POINTER (pid),
                       g_memdup2 (stat, sizeof *stat));
}

void
fy_fake_source_remove_process (FyFakeSource *self,
                               GPid          pid)
{
  g_return_if_fail (FY_IS_FAKE_SOURCE (self));

  g_hash_table_remove (self->processes, GINT_TO_POINTER (pid));
}
