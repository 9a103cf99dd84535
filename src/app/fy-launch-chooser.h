/* fy-launch-chooser.h: the launch form's file and folder choosers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 has no GtkFileDialog: a GtkFileChooserNative (a portal when
 * sandboxed) picks the files to hash, the folder of images and the folder
 * for thumbnails. The answer goes straight into the GSettings key the form
 * reads, so the form only has to watch that key.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows a modal chooser over @for_widget's window. On Accept the chosen
 * paths are written to @key of @settings: all of them for a string-array
 * key, the first for a string key. Returns the dialog (a new reference)
 * so that its owner can close it early with gtk_native_dialog_destroy (). */
GtkNativeDialog *fy_launch_chooser_open (GtkWidget            *for_widget,
                                         GSettings            *settings,
                                         const char           *key,
                                         const char           *title,
                                         GtkFileChooserAction  action);

G_END_DECLS
