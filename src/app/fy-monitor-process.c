/* fy-monitor-process.c: one watched process as a row of the Monitor page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Texts for the table's cells (state, CPU %, memory) and the CPU % history
 * its sparkline draws. The process sampler keeps no histories of its own,
 * so each row records its process's figure on every update; :n-samples
 * moves with it so the sparkline bound to it knows to redraw.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-monitor-process.h"

struct _FyMonitorProcess
{
  GObject    parent_instance;

  GPid       pid;
  char      *name;
  char      *state_text;
  char      *cpu_text;
  char      *rss_text;
  FyHistory *history;
  guint64    n_samples;
};

G_DEFINE_FINAL_TYPE (FyMonitorProcess, fy_monitor_process, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PID,
  PROP_NAME,
  PROP_STATE_TEXT,
  PROP_CPU_TEXT,
  PROP_RSS_TEXT,
  PROP_HISTORY,
  PROP_N_SAMPLES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
take_text (FyMonitorProcess  *self,
           char             **field,
           char              *text,
           guint              prop_id)
{
  if (g_strcmp0 (*field, text) == 0)
    {
      g_free (text);
      return;
    }
  g_free (*field);
  *field = text;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
fy_monitor_process_dispose (GObject *object)
{
  FyMonitorProcess *self = FY_MONITOR_PROCESS (object);

  g_clear_object (&self->history);

  G_OBJECT_CLASS (fy_monitor_process_parent_class)->dispose (object);
}

static void
fy_monitor_process_finalize (GObject *object)
{
  FyMonitorProcess *self = FY_MONITOR_PROCESS (object);

  g_free (self->name);
  g_free (self->state_text);
  g_free (self->cpu_text);
  g_free (self->rss_text);

  G_OBJECT_CLASS (fy_monitor_process_parent_class)->finalize (object);
}

static void
fy_monitor_process_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  FyMonitorProcess *self = FY_MONITOR_PROCESS (object);

  switch (prop_id)
    {
    case PROP_PID:
      g_value_set_int (value, self->pid);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_STATE_TEXT:
      g_value_set_string (value, self->state_text);
      break;

    case PROP_CPU_TEXT:
      g_value_set_string (value, self->cpu_text);
      break;

    case PROP_RSS_TEXT:
      g_value_set_string (value, self->rss_text);
      break;

    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;

    case PROP_N_SAMPLES:
      g_value_set_uint64 (value, self->n_samples);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_monitor_process_class_init (FyMonitorProcessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fy_monitor_process_dispose;
  object_class->finalize = fy_monitor_process_finalize;
  object_class->get_property = fy_monitor_process_get_property;

  properties[PROP_PID] =
    g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_TEXT] =
    g_param_spec_string ("state-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CPU_TEXT] =
    g_param_spec_string ("cpu-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RSS_TEXT] =
    g_param_spec_string ("rss-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, FY_TYPE_HISTORY,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_SAMPLES] =
    g_param_spec_uint64 ("n-samples", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_monitor_process_init (FyMonitorProcess *self)
{
}

FyMonitorProcess *
fy_monitor_process_new (GPid  pid,
                        guint history_length)
{
  FyMonitorProcess *self;

  g_return_val_if_fail (pid > 0, NULL);

  self = g_object_new (FY_TYPE_MONITOR_PROCESS, NULL);
  self->pid = pid;
  self->name = g_strdup ("");
  self->state_text = g_strdup (fy_monitor_process_state_name ('?'));
  self->cpu_text = g_strdup ("");
  self->rss_text = g_strdup ("");
  self->history = fy_history_new (CLAMP (history_length, 1, FY_HISTORY_MAX_CAPACITY));
  return self;
}

const char *
fy_monitor_process_state_name (char state)
{
  switch (state)
    {
    case 'R':
      return _("Running");
    case 'S':
      return _("Sleeping");
    case 'D':
      return _("Waiting for I/O");
    case 'T':
      return _("Stopped");
    case 'Z':
      return _("Zombie");
    case 'W':
      return _("Paging");
    case '\0':
      return _("Exited");
    default:
      return _("Unknown");
    }
}

GPid
fy_monitor_process_get_pid (FyMonitorProcess *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PROCESS (self), 0);

  return self->pid;
}

const char *
fy_monitor_process_get_name (FyMonitorProcess *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PROCESS (self), NULL);

  return self->name;
}

const char *
fy_monitor_process_get_state_text (FyMonitorProcess *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PROCESS (self), NULL);

  return self->state_text;
}

const char *
fy_monitor_process_get_cpu_text (FyMonitorProcess *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PROCESS (self), NULL);

  return self->cpu_text;
}

const char *
fy_monitor_process_get_rss_text (FyMonitorProcess *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PROCESS (self), NULL);

  return self->rss_text;
}

FyHistory *
fy_monitor_process_get_history (FyMonitorProcess *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PROCESS (self), NULL);

  return self->history;
}

guint64
fy_monitor_process_get_n_samples (FyMonitorProcess *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_PROCESS (self), 0);

  return self->n_samples;
}

void
fy_monitor_process_update (FyMonitorProcess    *self,
                           const FyProcessInfo *info)
{
  gboolean gone;

  g_return_if_fail (FY_IS_MONITOR_PROCESS (self));

  gone = info == NULL || info->gone;
  if (info != NULL && info->valid && info->name[0] != '\0')
    take_text (self, &self->name, g_strndup (info->name, sizeof info->name), PROP_NAME);
  take_text (self, &self->state_text,
             g_strdup (fy_monitor_process_state_name (gone ? '\0' : info->valid ? info->state : '?')),
             PROP_STATE_TEXT);
  if (gone || !info->valid || isnan (info->cpu_percent))
    take_text (self, &self->cpu_text, g_strdup ("—"), PROP_CPU_TEXT);
  else
    /* Translators: a process's CPU use, 100 % being one core. */
    take_text (self, &self->cpu_text, g_strdup_printf (_("%.1f %%"), info->cpu_percent), PROP_CPU_TEXT);
  take_text (self, &self->rss_text,
             gone || !info->valid ? g_strdup ("—") : g_format_size_full (info->rss, G_FORMAT_SIZE_IEC_UNITS),
             PROP_RSS_TEXT);

  fy_history_push (self->history, gone || !info->valid ? NAN : info->cpu_percent);
  self->n_samples++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SAMPLES]);
}
