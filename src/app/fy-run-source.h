/* fy-run-source.h: a main loop source that runs a pool's own main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run's pool lives in a GMainContext of its own; this source, attached
 * to the main loop, polls that context's fds and dispatches it, so the
 * page chooses at which priority the pool's messages are handled relative
 * to GTK's layout and redraw.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Acquires @inner for as long as the source lives. */
GSource *fy_run_source_new (GMainContext *inner,
                            int           priority);

G_END_DECLS
