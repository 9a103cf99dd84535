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
GSource *fy_run_source_new      (GMainContext *inner,
                                 int           priority);
/* Below redraw, the source waits while frames follow each other without
 * a pause (a software renderer slower than the frame rate). Called from a
 * timer of higher priority, this runs the inner context once, without
 * waiting, when the source has not run for @late_usec, so the pool's
 * replies, reaping and kill timers are never later than that. */
void     fy_run_source_catch_up (GSource      *source,
                                 gint64        late_usec);

G_END_DECLS
