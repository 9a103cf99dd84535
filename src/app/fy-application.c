/* fy-application.c: the Forkyard application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A single-instance AdwApplication: a second launch presents the window of
 * the first. It owns the GSettings every window and page reads.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "fy-application.h"
#include "fy-preferences-window.h"
#include "fy-resources.h"
#include "fy-window.h"

struct _FyApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (FyApplication, fy_application, ADW_TYPE_APPLICATION)

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
};

static void
fy_application_activate (GApplication *app)
{
  FyApplication *self = FY_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (fy_window_new (self, self->settings));
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

  G_APPLICATION_CLASS (fy_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page('run')", run_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page('monitor')", monitor_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page('playground')", playground_accels);

  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                adw_style_manager_get_default (), "color-scheme",
                                G_SETTINGS_BIND_GET,
                                color_scheme_get_mapping, NULL, NULL, NULL);
}

static void
fy_application_dispose (GObject *object)
{
  FyApplication *self = FY_APPLICATION (object);

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
