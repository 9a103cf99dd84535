/* fy-launch-chooser.c: the launch form's file and folder choosers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The chooser keeps its settings and key on itself, so it can outlive a
 * form that was closed while it was open: its answer is then still saved.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include "fy-launch-chooser.h"

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  GSettings *settings = g_object_get_data (G_OBJECT (dialog), "fy-settings");
  const char *key = g_object_get_data (G_OBJECT (dialog), "fy-key");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_autoptr(GVariant) current = g_settings_get_value (settings, key);
      g_auto(GStrv) paths = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *path = g_file_get_path (file);

          /* A file with no local path cannot be handed to a worker. */
          if (path != NULL)
            g_strv_builder_add (builder, path);
        }
      paths = g_strv_builder_end (builder);
      if (g_variant_is_of_type (current, G_VARIANT_TYPE_STRING_ARRAY))
        g_settings_set_strv (settings, key, (const char *const *) paths);
      else if (paths[0] != NULL)
        g_settings_set_string (settings, key, paths[0]);
    }
  gtk_native_dialog_destroy (dialog);
}

GtkNativeDialog *
fy_launch_chooser_open (GtkWidget            *for_widget,
                        GSettings            *settings,
                        const char           *key,
                        const char           *title,
                        GtkFileChooserAction  action)
{
  GtkRoot *root = gtk_widget_get_root (for_widget);
  GtkFileChooserNative *chooser;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         action, NULL, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser),
                                        action == GTK_FILE_CHOOSER_ACTION_OPEN);
  g_object_set_data_full (G_OBJECT (chooser), "fy-settings", g_object_ref (settings), g_object_unref);
  g_object_set_data_full (G_OBJECT (chooser), "fy-key", g_strdup (key), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
  return GTK_NATIVE_DIALOG (chooser);
}
