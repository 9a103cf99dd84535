/* fy-application.h: the Forkyard application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FY_TYPE_APPLICATION (fy_application_get_type ())
G_DECLARE_FINAL_TYPE (FyApplication, fy_application, FY, APPLICATION, AdwApplication)

FyApplication *fy_application_new          (void);
GSettings     *fy_application_get_settings (FyApplication *self);

G_END_DECLS
