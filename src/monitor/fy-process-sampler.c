/* fy-process-sampler.c: per-process figures for a set of pids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fy-process-sampler.h"

typedef struct
{
  FyProcessInfo info;
  guint64       prev_cpu_time_us;
  guint64       start_ticks;
  gint64        prev_time_us;     /* 0 until the first reading */
} Entry;

struct _FyProcessSampler
{
  GObject         parent_instance;

  FySampleSource *source;
  GArray         *entries;        /* of Entry, in order of addition */
};

G_DEFINE_FINAL_TYPE (FyProcessSampler, fy_process_sampler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_N_PROCESSES,
  N_PROPS
};

enum {
  UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gint
find_index (FyProcessSampler *self,
            GPid              pid)
{
  for (guint i = 0; i < self->entries->len; i++)
    if (g_array_index (self->entries, Entry, i).info.pid == pid)
      return (gint) i;

  return -1;
}

static void
mark_gone (Entry *entry)
{
  GPid pid = entry->info.pid;

  memset (&entry->info, 0, sizeof entry->info);
  entry->info.pid = pid;
  entry->info.gone = TRUE;
  entry->info.last_cpu = -1;
  entry->info.cpu_percent = NAN;
}

static void
read_entry (FyProcessSampler *self,
            Entry            *entry,
            gint64            now_us)
{
  FyProcessInfo *info = &entry->info;
  FyProcStat stat;
  g_autoptr(GError) error = NULL;

  if (info->gone)
    return;

  if (!fy_sample_source_read_process (self->source, info->pid, &stat, &error))
    {
      if (!g_error_matches (error, FY_MONITOR_ERROR, FY_MONITOR_ERROR_GONE))
        g_debug ("Reading process %d: %s", (int) info->pid, error->message);
      mark_gone (entry);
      return;
    }

  /* Same pid, another process: the one we watched has gone. CPU time
   * never decreases for one process either. */
  if (info->valid &&
      (stat.start_time != info->start_time ||
       stat.start_ticks != entry->start_ticks ||
       stat.cpu_time_us < entry->prev_cpu_time_us))
    {
      mark_gone (entry);
      return;
    }

  if (info->valid && now_us > entry->prev_time_us)
    info->cpu_percent = 100.0 * (double) (stat.cpu_time_us - entry->prev_cpu_time_us)
                        / (double) (now_us - entry->prev_time_us);
  else if (!info->valid)
    info->cpu_percent = NAN;

  memcpy (info->name, stat.name, sizeof info->name);
  info->name[sizeof info->name - 1] = '\0';
  info->state = stat.state;
  info->last_cpu = stat.last_cpu;
  info->ppid = stat.ppid;
  info->nice = stat.nice;
  info->n_threads = stat.n_threads;
  info->rss = stat.rss;
  info->start_time = stat.start_time;
  info->valid = TRUE;

  entry->prev_cpu_time_us = stat.cpu_time_us;
  entry->start_ticks = stat.start_ticks;
  entry->prev_time_us = now_us;
}

static void
fy_process_sampler_dispose (GObject *object)
{
  FyProcessSampler *self = (FyProcessSampler *) object;

  g_clear_object (&self->source);

  G_OBJECT_CLASS (fy_process_sampler_parent_class)->dispose (object);
}

static void
fy_process_sampler_finalize (GObject *object)
{
  FyProcessSampler *self = (FyProcessSampler *) object;

  g_clear_pointer (&self->entries, g_array_unref);

  G_OBJECT_CLASS (fy_process_sampler_parent_class)->finalize (object);
}

static void
fy_process_sampler_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  FyProcessSampler *self = FY_PROCESS_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_N_PROCESSES:
      g_value_set_uint (value, self->entries->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_process_sampler_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  FyProcessSampler *self = FY_PROCESS_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_process_sampler_class_init (FyProcessSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fy_process_sampler_dispose;
  object_class->finalize = fy_process_sampler_finalize;
  object_class->get_property = fy_process_sampler_get_property;
  object_class->set_property = fy_process_sampler_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL,
                         FY_TYPE_SAMPLE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PROCESSES] =
    g_param_spec_uint ("n-processes", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after every update, once all watched processes were read. */
  signals[UPDATED] =
    g_signal_new ("updated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
fy_process_sampler_init (FyProcessSampler *self)
{
  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
}

FyProcessSampler *
fy_process_sampler_new (FySampleSource *source)
{
  g_return_val_if_fail (FY_IS_SAMPLE_SOURCE (source), NULL);

  return g_object_new (FY_TYPE_PROCESS_SAMPLER, "source", source, NULL);
}

FySampleSource *
fy_process_sampler_get_source (FyProcessSampler *self)
{
  g_return_val_if_fail (FY_IS_PROCESS_SAMPLER (self), NULL);

  return self->source;
}

void
fy_process_sampler_add (FyProcessSampler *self,
                        GPid              pid)
{
  Entry entry = { { 0, }, };

  g_return_if_fail (FY_IS_PROCESS_SAMPLER (self));
  g_return_if_fail (pid > 0);

  if (find_index (self, pid) >= 0)
    return;

  entry.info.pid = pid;
  entry.info.last_cpu = -1;
  entry.info.cpu_percent = NAN;
  g_array_append_val (self->entries, entry);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PROCESSES]);
}

void
fy_process_sampler_remove (FyProcessSampler *self,
                           GPid              pid)
{
  gint index;

  g_return_if_fail (FY_IS_PROCESS_SAMPLER (self));

  index = find_index (self, pid);
  if (index < 0)
    return;

  g_array_remove_index (self->entries, (guint) index);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PROCESSES]);
}

void
fy_process_sampler_remove_gone (FyProcessSampler *self)
{
  guint before;

  g_return_if_fail (FY_IS_PROCESS_SAMPLER (self));

  before = self->entries->len;
  for (guint i = self->entries->len; i > 0; i--)
    if (g_array_index (self->entries, Entry, i - 1).info.gone)
      g_array_remove_index (self->entries, i - 1);

  if (before != self->entries->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PROCESSES]);
}

guint
fy_process_sampler_get_n_processes (FyProcessSampler *self)
{
  g_return_val_if_fail (FY_IS_PROCESS_SAMPLER (self), 0);

  return self->entries->len;
}

const FyProcessInfo *
fy_process_sampler_get_nth (FyProcessSampler *self,
                            guint             index)
{
  g_return_val_if_fail (FY_IS_PROCESS_SAMPLER (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  return &g_array_index (self->entries, Entry, index).info;
}

const FyProcessInfo *
fy_process_sampler_lookup (FyProcessSampler *self,
                           GPid              pid)
{
  gint index;

  g_return_val_if_fail (FY_IS_PROCESS_SAMPLER (self), NULL);

  index = find_index (self, pid);
  if (index < 0)
    return NULL;

  return &g_array_index (self->entries, Entry, index).info;
}

void
fy_process_sampler_update_at (FyProcessSampler *self,
                              gint64            now_us)
{
  g_return_if_fail (FY_IS_PROCESS_SAMPLER (self));

  for (guint i = 0; i < self->entries->len; i++)
    read_entry (self, &g_array_index (self->entries, Entry, i), now_us);

  g_signal_emit (self, signals[UPDATED], 0);
}

void
fy_process_sampler_update (FyProcessSampler *self)
{
  fy_process_sampler_update_at (self, g_get_monotonic_time ());
}
