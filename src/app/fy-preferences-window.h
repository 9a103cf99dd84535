/* fy-preferences-window.h: Forkyard's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FY_TYPE_PREFERENCES_WINDOW (fy_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (FyPreferencesWindow, fy_preferences_window, FY, PREFERENCES_WINDOW, AdwPreferencesWindow)

FyPreferencesWindow *fy_preferences_window_new (GSettings *settings);

G_END_DECLS
