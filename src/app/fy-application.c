/* fy-application.c: the Forkyard application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A single-instance AdwApplication: a second launch presents the window of
 * the first. It owns the GSettings every window and page reads, and the one
 * CPU sampler the pages share: it runs only while some shown page holds it
 * and the user has not paused it, at the interval and history length the
 * preferences set.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "monitor/fy-monitor.h"

#include "fy-application.h"
#include "fy-preferences-window.h"
#include "fy-renderer-choice.h"
#include "fy-resources.h"
#include "fy-window.h"

struct _FyApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;

  FyCpuSampler   *sampler;
  guint           sampler_holds;
};

static void fy_application_sampler_provider_init (FySamplerProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FyApplication, fy_application, ADW_TYPE_APPLICATION,
                               G_IMPLEMENT_INTERFACE (FY_TYPE_SAMPLER_PROVIDER,
                                                      fy_application_sampler_provider_init))

/* The color-scheme key stores nicks; AdwStyleManager wants its enum.
 * "default" lets libadwaita follow the system's dark style preference. */
static gboolean
color_scheme_get_mapping (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  if (g_str_equal (nick, "light"))
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_str_equal (nick, "dark"))
    g_value_set_enum (value, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    g_value_set_enum (value, ADW_COLOR_SCHEME_DEFAULT);
  return TRUE;
}

static gboolean
seconds_to_ms (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  double seconds = g_variant_get_double (variant);

  g_value_set_uint (value, CLAMP ((guint) (seconds * 1000 + 0.5),
                                  FY_CPU_SAMPLER_MIN_INTERVAL, FY_CPU_SAMPLER_MAX_INTERVAL));
  return TRUE;
}

static gboolean
user_paused (FyApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "pause-monitor");
  g_autoptr(GVariant) state = action != NULL ? g_action_get_state (action) : NULL;

  return state != NULL && g_variant_get_boolean (state);
}

static void
update_sampler_paused (FyApplication *self)
{
  if (self->sampler != NULL)
    fy_cpu_sampler_set_paused (self->sampler, self->sampler_holds == 0 || user_paused (self));
}

static void
fy_application_pause_monitor_change_state (GSimpleAction *action,
                                           GVariant      *state,
                                           gpointer       user_data)
{
  g_simple_action_set_state (action, state);
  update_sampler_paused (FY_APPLICATION (user_data));
}

static void
fy_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  FyApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing the windows first lets each save its state. */
  for (GList *l = windows; l != NULL; l = windows)
    {
      windows = l->next;
      gtk_window_destroy (GTK_WINDOW (l->data));
    }
  g_application_quit (G_APPLICATION (self));
}

static void
fy_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  FyApplication *self = user_data;
  static const char *developers[] = { "The Forkyard developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (parent,
                         "application-name", _("Forkyard"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Forkyard developers"),
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/forkyard/forkyard",
                         "issue-url", "https://github.com/forkyard/forkyard/issues",
                         "comments", _("Run workloads on a pool of worker processes and watch every core."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Forkyard developers",
                         "developers", developers,
                         /* Translators: your names, one per line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
fy_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  FyApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  FyPreferencesWindow *preferences = fy_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static const GActionEntry app_actions[] = {
  { "quit", fy_application_quit_action },
  { "about", fy_application_about_action },
  { "preferences", fy_application_preferences_action },
  { "pause-monitor", NULL, NULL, "false", fy_application_pause_monitor_change_state },
};

static void
fy_application_activate (GApplication *app)
{
  FyApplication *self = FY_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (fy_window_new (GTK_APPLICATION (self), self->settings));
  gtk_window_present (window);
}

static void
fy_application_startup (GApplication *app)
{
  FyApplication *self = FY_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *run_accels[] = { "<Alt>1", NULL };
  static const char *monitor_accels[] = { "<Alt>2", NULL };
  static const char *playground_accels[] = { "<Alt>3", NULL };
  static const char *pause_monitor_accels[] = { "<Control>p", NULL };
  static const char *export_accels[] = { "<Control><Shift>s", NULL };

  G_APPLICATION_CLASS (fy_application_parent_class)->startup (app);

  /* Before the first window is realized, when GTK picks its renderer. */
  fy_renderer_choice_apply (gdk_display_get_default ());
  gtk_window_set_default_icon_name (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page('run')", run_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page('monitor')", monitor_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page('playground')", playground_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.pause-monitor", pause_monitor_accels);
  /* Added to the window by the Run page's results list. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.export", export_accels);

  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                adw_style_manager_get_default (), "color-scheme",
                                G_SETTINGS_BIND_GET,
                                color_scheme_get_mapping, NULL, NULL, NULL);
}

static void
fy_application_dispose (GObject *object)
{
  FyApplication *self = FY_APPLICATION (object);

  g_clear_object (&self->sampler);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (fy_application_parent_class)->dispose (object);
}

static void
fy_application_class_init (FyApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  fy_register_resource ();

  object_class->dispose = fy_application_dispose;
  app_class->activate = fy_application_activate;
  app_class->startup = fy_application_startup;
}

static void
fy_application_init (FyApplication *self)
{
  self->settings = g_settings_new (APP_ID);
}

FyApplication *
fy_application_new (void)
{
  return g_object_new (FY_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/forkyard/Forkyard",
                       NULL);
}

GSettings *
fy_application_get_settings (FyApplication *self)
{
  g_return_val_if_fail (FY_IS_APPLICATION (self), NULL);

  return self->settings;
}

/* The shared sampler, made on first use: paused until someone holds it. */
FyCpuSampler *
fy_application_get_cpu_sampler (FyApplication *self)
{
  g_return_val_if_fail (FY_IS_APPLICATION (self), NULL);

  if (self->sampler == NULL)
    {
      g_autoptr(FySampleSource) source = fy_default_source_new ();

      self->sampler = g_object_new (FY_TYPE_CPU_SAMPLER,
                                    "source", source,
                                    "paused", TRUE,
                                    NULL);
      g_settings_bind_with_mapping (self->settings, "sample-interval",
                                    self->sampler, "interval",
                                    G_SETTINGS_BIND_GET,
                                    seconds_to_ms, NULL, NULL, NULL);
      g_settings_bind (self->settings, "history-length",
                       self->sampler, "history-length",
                       G_SETTINGS_BIND_GET);
      update_sampler_paused (self);
    }
  return self->sampler;
}

void
fy_application_hold_sampler (FyApplication *self)
{
  g_return_if_fail (FY_IS_APPLICATION (self));

  self->sampler_holds++;
  update_sampler_paused (self);
}

void
fy_application_release_sampler (FyApplication *self)
{
  g_return_if_fail (FY_IS_APPLICATION (self));
  g_return_if_fail (self->sampler_holds > 0);

  self->sampler_holds--;
  update_sampler_paused (self);
}

static FyCpuSampler *
provider_get_cpu_sampler (FySamplerProvider *provider)
{
  return fy_application_get_cpu_sampler (FY_APPLICATION (provider));
}

static void
provider_hold_sampler (FySamplerProvider *provider)
{
  fy_application_hold_sampler (FY_APPLICATION (provider));
}

static void
provider_release_sampler (FySamplerProvider *provider)
{
  fy_application_release_sampler (FY_APPLICATION (provider));
}

static void
fy_application_sampler_provider_init (FySamplerProviderInterface *iface)
{
  iface->get_cpu_sampler = provider_get_cpu_sampler;
  iface->hold_sampler = provider_hold_sampler;
  iface->release_sampler = provider_release_sampler;
}
