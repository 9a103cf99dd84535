/* fy-window.c: Forkyard's main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A header bar with a view switcher over the Run, Monitor and Playground
 * pages. Its size and maximized state live in GSettings, so the window comes
 * back as the user left it.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "fy-monitor-page.h"
#include "fy-playground-page.h"
#include "fy-run-page.h"
#include "fy-window.h"

struct _FyWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  AdwViewStack         *stack;
  FyRunPage            *run_page;
  FyMonitorPage        *monitor_page;
};

G_DEFINE_FINAL_TYPE (FyWindow, fy_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_PAGE_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fy_window_show_page_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  fy_window_set_page_name (FY_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* The Monitor page lists the processes of the Run page's latest pool. */
static void
fy_window_run_notify_cb (FyWindow *self)
{
  FyRun *run = fy_run_page_get_run (self->run_page);

  fy_monitor_page_set_pool (self->monitor_page, run != NULL ? fy_run_get_pool (run) : NULL);
}

static void
fy_window_visible_child_notify_cb (FyWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_NAME]);
}

static void
fy_window_constructed (GObject *object)
{
  FyWindow *self = FY_WINDOW (object);

  G_OBJECT_CLASS (fy_window_parent_class)->constructed (object);

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
}

static void
fy_window_dispose (GObject *object)
{
  FyWindow *self = FY_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (fy_window_parent_class)->dispose (object);
}

static void
fy_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FyWindow *self = FY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_PAGE_NAME:
      g_value_set_string (value, fy_window_get_page_name (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  FyWindow *self = FY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_PAGE_NAME:
      fy_window_set_page_name (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_window_class_init (FyWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = fy_window_constructed;
  object_class->dispose = fy_window_dispose;
  object_class->get_property = fy_window_get_property;
  object_class->set_property = fy_window_set_property;

  g_type_ensure (FY_TYPE_RUN_PAGE);

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PAGE_NAME] =
    g_param_spec_string ("page-name", NULL, NULL,
                         "run",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FY_TYPE_MONITOR_PAGE);
  g_type_ensure (FY_TYPE_PLAYGROUND_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FyWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FyWindow, run_page);
  gtk_widget_class_bind_template_child (widget_class, FyWindow, monitor_page);

  gtk_widget_class_install_action (widget_class, "win.show-page", "s", fy_window_show_page_action);
}

static void
fy_window_init (FyWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->run_page, "notify::run",
                           G_CALLBACK (fy_window_run_notify_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child-name",
                           G_CALLBACK (fy_window_visible_child_notify_cb), self,
                           G_CONNECT_SWAPPED);
}

FyWindow *
fy_window_new (GtkApplication *application,
               GSettings      *settings)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (FY_TYPE_WINDOW,
                       "application", application,
                       "settings", settings,
                       NULL);
}

const char *
fy_window_get_page_name (FyWindow *self)
{
  g_return_val_if_fail (FY_IS_WINDOW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->stack);
}

void
fy_window_set_page_name (FyWindow   *self,
                         const char *page_name)
{
  g_return_if_fail (FY_IS_WINDOW (self));
  g_return_if_fail (page_name != NULL);

  if (adw_view_stack_get_child_by_name (self->stack, page_name) == NULL)
    {
      g_warning ("No page named “%s”", page_name);
      return;
    }
  adw_view_stack_set_visible_child_name (self->stack, page_name);
}
