/* fy-result-preview.c: a small preview of an image file, loaded in a thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "fy-result-preview.h"

/* Decoded at twice the size shown, for HiDPI screens. */
#define PREVIEW_PIXELS 64

struct _FyResultPreview
{
  GtkWidget     parent_instance;

  char         *path;
  GCancellable *cancellable;
  gboolean      loaded;

  GtkPicture   *picture;
};

G_DEFINE_FINAL_TYPE (FyResultPreview, fy_result_preview, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PATH,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file_at_scale (path, PREVIEW_PIXELS, PREVIEW_PIXELS, TRUE, &error);

  if (pixbuf == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pixbuf, g_object_unref);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  FyResultPreview *self = FY_RESULT_PREVIEW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GdkTexture) texture = NULL;

  /* A load for a path the cell no longer shows is dropped. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  if (pixbuf == NULL)
    {
      /* A file that went away or cannot be read shows no preview; the
       * row's text still names it. */
      g_debug ("No preview of %s: %s", self->path, error->message);
      return;
    }
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
fy_result_preview_dispose (GObject *object)
{
  FyResultPreview *self = FY_RESULT_PREVIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_RESULT_PREVIEW);

  G_OBJECT_CLASS (fy_result_preview_parent_class)->dispose (object);
}

static void
fy_result_preview_finalize (GObject *object)
{
  FyResultPreview *self = FY_RESULT_PREVIEW (object);

  g_free (self->path);

  G_OBJECT_CLASS (fy_result_preview_parent_class)->finalize (object);
}

static void
fy_result_preview_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  FyResultPreview *self = FY_RESULT_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_result_preview_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  FyResultPreview *self = FY_RESULT_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_PATH:
      fy_result_preview_set_path (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_result_preview_class_init (FyResultPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_result_preview_dispose;
  object_class->finalize = fy_result_preview_finalize;
  object_class->get_property = fy_result_preview_get_property;
  object_class->set_property = fy_result_preview_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-result-preview.ui");
  gtk_widget_class_bind_template_child (widget_class, FyResultPreview, picture);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "fy-result-preview");
}

static void
fy_result_preview_init (FyResultPreview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

const char *
fy_result_preview_get_path (FyResultPreview *self)
{
  g_return_val_if_fail (FY_IS_RESULT_PREVIEW (self), NULL);

  return self->path;
}

void
fy_result_preview_set_path (FyResultPreview *self,
                            const char      *path)
{
  g_return_if_fail (FY_IS_RESULT_PREVIEW (self));

  if (g_strcmp0 (self->path, path) == 0)
    return;

  g_free (self->path);
  self->path = g_strdup (path);

  /* A recycled cell drops the image of the row it showed before. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_picture_set_paintable (self->picture, NULL);
  if (self->loaded)
    {
      self->loaded = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), path != NULL);

  if (path != NULL)
    {
      g_autofree char *basename = g_path_get_basename (path);
      /* Translators: the accessible text of a thumbnail; %s is its file name. */
      g_autofree char *alternative = g_strdup_printf (_("Preview of %s"), basename);
      g_autoptr(GTask) task = NULL;

      gtk_picture_set_alternative_text (self->picture, alternative);
      self->cancellable = g_cancellable_new ();
      /* The task holds the widget until the thread is done with it. */
      task = g_task_new (self, self->cancellable, loaded_cb, NULL);
      g_task_set_source_tag (task, fy_result_preview_set_path);
      g_task_set_task_data (task, g_strdup (path), g_free);
      g_task_set_return_on_cancel (task, TRUE);
      g_task_run_in_thread (task, load_thread);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

gboolean
fy_result_preview_get_loaded (FyResultPreview *self)
{
  g_return_val_if_fail (FY_IS_RESULT_PREVIEW (self), FALSE);

  return self->loaded;
}
