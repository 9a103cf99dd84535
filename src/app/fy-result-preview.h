/* fy-result-preview.h: a small preview of an image file, loaded in a thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The results list shows each thumbnail resize wrote. A cell's image is
 * decoded at the size shown, by gdk-pixbuf in a worker thread, so
 * scrolling through thousands of rows never decodes on the main loop; a
 * recycled cell cancels the load it no longer needs.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FY_TYPE_RESULT_PREVIEW (fy_result_preview_get_type ())
G_DECLARE_FINAL_TYPE (FyResultPreview, fy_result_preview, FY, RESULT_PREVIEW, GtkWidget)

/* The image file, or NULL for none (the widget then hides itself). */
const char *fy_result_preview_get_path   (FyResultPreview *self);
void        fy_result_preview_set_path   (FyResultPreview *self,
                                          const char      *path);
/* TRUE once the current path's image is shown. */
gboolean    fy_result_preview_get_loaded (FyResultPreview *self);

G_END_DECLS
