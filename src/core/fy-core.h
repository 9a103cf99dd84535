/* fy-core.h: library-wide facts of libforkyard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *fy_core_get_version   (void);
/* Where gettext finds Forkyard's catalogs: FORKYARD_LOCALEDIR when set (an
 * uninstalled run: meson devenv, the tests), else the installed locale dir. */
const char *fy_core_get_localedir (void);
/* Whether a short busy wait can pay: only when another CPU can run the
 * process being waited for. Read once. */
gboolean    fy_core_can_spin      (void);

G_END_DECLS
