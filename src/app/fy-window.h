/* fy-window.h: Forkyard's main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FY_TYPE_WINDOW (fy_window_get_type ())
G_DECLARE_FINAL_TYPE (FyWindow, fy_window, FY, WINDOW, AdwApplicationWindow)

/* Any GtkApplication: the window needs only its settings, so the
 * application (which makes the windows) and the window do not need each
 * other. */
FyWindow   *fy_window_new           (GtkApplication *application,
                                     GSettings      *settings);
const char *fy_window_get_page_name (FyWindow       *self);
void        fy_window_set_page_name (FyWindow       *self,
                                     const char     *page_name);

G_END_DECLS
