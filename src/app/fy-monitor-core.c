/* fy-monitor-core.c: one core's figures as a row of the Monitor page's table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The text view of the graphs: a screen reader reads a table row by row
 * far better than a picture, so each core's busy, user and system shares
 * are also texts in a GtkColumnView. Only texts that changed are notified,
 * so steady cores cost nothing to redraw.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <math.h>

#include "fy-graph-util.h"
#include "fy-monitor-core.h"

struct _FyMonitorCore
{
  GObject  parent_instance;

  char    *name;
  char    *busy_text;
  char    *user_text;
  char    *system_text;
};

G_DEFINE_FINAL_TYPE (FyMonitorCore, fy_monitor_core, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_BUSY_TEXT,
  PROP_USER_TEXT,
  PROP_SYSTEM_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_text (FyMonitorCore  *self,
          char          **field,
          double          fraction,
          guint           prop_id)
{
  g_autofree char *text = fy_graph_format_percent (fraction);

  if (g_strcmp0 (*field, text) == 0)
    return;
  g_free (*field);
  *field = g_steal_pointer (&text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
fy_monitor_core_finalize (GObject *object)
{
  FyMonitorCore *self = FY_MONITOR_CORE (object);

  g_free (self->name);
  g_free (self->busy_text);
  g_free (self->user_text);
  g_free (self->system_text);

  G_OBJECT_CLASS (fy_monitor_core_parent_class)->finalize (object);
}

static void
fy_monitor_core_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  FyMonitorCore *self = FY_MONITOR_CORE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_BUSY_TEXT:
      g_value_set_string (value, self->busy_text);
      break;

    case PROP_USER_TEXT:
      g_value_set_string (value, self->user_text);
      break;

    case PROP_SYSTEM_TEXT:
      g_value_set_string (value, self->system_text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_monitor_core_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FyMonitorCore *self = FY_MONITOR_CORE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_monitor_core_class_init (FyMonitorCoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fy_monitor_core_finalize;
  object_class->get_property = fy_monitor_core_get_property;
  object_class->set_property = fy_monitor_core_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY_TEXT] =
    g_param_spec_string ("busy-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_TEXT] =
    g_param_spec_string ("user-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYSTEM_TEXT] =
    g_param_spec_string ("system-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_monitor_core_init (FyMonitorCore *self)
{
  self->busy_text = fy_graph_format_percent (NAN);
  self->user_text = fy_graph_format_percent (NAN);
  self->system_text = fy_graph_format_percent (NAN);
}

FyMonitorCore *
fy_monitor_core_new (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (FY_TYPE_MONITOR_CORE, "name", name, NULL);
}

const char *
fy_monitor_core_get_name (FyMonitorCore *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_CORE (self), NULL);

  return self->name;
}

const char *
fy_monitor_core_get_busy_text (FyMonitorCore *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_CORE (self), NULL);

  return self->busy_text;
}

const char *
fy_monitor_core_get_user_text (FyMonitorCore *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_CORE (self), NULL);

  return self->user_text;
}

const char *
fy_monitor_core_get_system_text (FyMonitorCore *self)
{
  g_return_val_if_fail (FY_IS_MONITOR_CORE (self), NULL);

  return self->system_text;
}

void
fy_monitor_core_update (FyMonitorCore   *self,
                        const FyCpuLoad *load)
{
  g_return_if_fail (FY_IS_MONITOR_CORE (self));
  g_return_if_fail (load != NULL);

  set_text (self, &self->busy_text, load->busy, PROP_BUSY_TEXT);
  set_text (self, &self->user_text, load->user, PROP_USER_TEXT);
  set_text (self, &self->system_text, load->system, PROP_SYSTEM_TEXT);
}
