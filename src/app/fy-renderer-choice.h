/* fy-renderer-choice.h: cairo drawing where OpenGL is only emulated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean fy_renderer_name_is_software (const char *gl_renderer);
gboolean fy_renderer_choice_apply     (GdkDisplay *display);

G_END_DECLS
