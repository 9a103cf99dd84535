/* fy-preferences-window.c: Forkyard's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every row is bound straight to its GSettings key, so there is nothing to
 * apply or save: a change takes effect at once, everywhere.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include "fy-preferences-window.h"

struct _FyPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *color_scheme_row;
  AdwComboRow          *crash_policy_row;
  GtkSpinButton        *workers_spin;
  GtkSwitch            *confirm_kill_switch;
  GtkSpinButton        *sample_interval_spin;
  GtkSpinButton        *history_length_spin;
};

G_DEFINE_FINAL_TYPE (FyPreferencesWindow, fy_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The combo rows list their choices in the order of the enum's nicks. */
static const char *const color_scheme_nicks[] = { "default", "light", "dark", NULL };
static const char *const crash_policy_nicks[] = { "fail", "retry", "break", NULL };

static gboolean
nick_to_position (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char *const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
position_to_nick (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char *const *nicks = user_data;
  guint position = g_value_get_uint (value);

  if (position >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[position]);
}

static void
bind_combo_row (FyPreferencesWindow *self,
                const char          *key,
                AdwComboRow         *row,
                const char *const   *nicks)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                nick_to_position, position_to_nick,
                                (gpointer) nicks, NULL);
}

static void
fy_preferences_window_constructed (GObject *object)
{
  FyPreferencesWindow *self = FY_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (fy_preferences_window_parent_class)->constructed (object);

  bind_combo_row (self, "color-scheme", self->color_scheme_row, color_scheme_nicks);
  bind_combo_row (self, "crash-policy", self->crash_policy_row, crash_policy_nicks);
  g_settings_bind (self->settings, "workers", self->workers_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "confirm-kill", self->confirm_kill_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sample-interval", self->sample_interval_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "history-length", self->history_length_spin, "value", G_SETTINGS_BIND_DEFAULT);
}

static void
fy_preferences_window_dispose (GObject *object)
{
  FyPreferencesWindow *self = FY_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (fy_preferences_window_parent_class)->dispose (object);
}

static void
fy_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  FyPreferencesWindow *self = FY_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  FyPreferencesWindow *self = FY_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_preferences_window_class_init (FyPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = fy_preferences_window_constructed;
  object_class->dispose = fy_preferences_window_dispose;
  object_class->get_property = fy_preferences_window_get_property;
  object_class->set_property = fy_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FyPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, FyPreferencesWindow, crash_policy_row);
  gtk_widget_class_bind_template_child (widget_class, FyPreferencesWindow, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, FyPreferencesWindow, confirm_kill_switch);
  gtk_widget_class_bind_template_child (widget_class, FyPreferencesWindow, sample_interval_spin);
  gtk_widget_class_bind_template_child (widget_class, FyPreferencesWindow, history_length_spin);
}

static void
fy_preferences_window_init (FyPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

FyPreferencesWindow *
fy_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (FY_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}
