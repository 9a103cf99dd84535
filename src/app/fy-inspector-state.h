/* fy-inspector-state.h: the lines a shared object's snapshot gives the inspector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An inspector row shows an object's state and who is blocked on it as
 * a few short lines. Most kinds say everything from their snapshot alone
 * (queues, semaphores, events, conditions, barriers); the row adds what
 * needs memory of earlier frames or a mapping of the object (how long a
 * lock has been held, an array's or a dict's contents) with the same
 * line helpers.
 */

#pragma once

#include <glib.h>

#include "core/fy-shm.h"

G_BEGIN_DECLS

/* A count of @snapshot under @key, whatever its integer type; 0 if none. */
guint64  fy_inspector_lookup_count      (GVariant   *snapshot,
                                         const char *key);
/* A pid of @snapshot under @key, 0 if none. */
gint32   fy_inspector_lookup_pid        (GVariant   *snapshot,
                                         const char *key);
gboolean fy_inspector_lookup_flag       (GVariant   *snapshot,
                                         const char *key);

/* Appends @line to @text, on a line of its own. */
void     fy_inspector_append_line       (GString    *text,
                                         const char *line);
/* "1 waiting", "3 waiting" on a row's blocked line; nothing for none. */
void     fy_inspector_append_waiting    (GString    *blocked,
                                         guint       n);

/* For the kinds whose snapshot says it all, appends their state to
 * @state and who waits to @blocked, and returns how full the object is
 * (0 … 1), or -1 when it has no bound. Other kinds are left alone. */
double   fy_inspector_describe          (FyShmKind   kind,
                                         GVariant   *snapshot,
                                         GString    *state,
                                         GString    *blocked);
/* The line saying how often the object's lock was recovered from a
 * holder that died, if it ever was. */
void     fy_inspector_append_recoveries (FyShmKind   kind,
                                         GVariant   *snapshot,
                                         GString    *state);

G_END_DECLS
