/* fy-futex.h: process-shared futex waits and wakes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The blocking half of every futex-based primitive (Event, Semaphore,
 * Condition, Barrier, Queue). Words live in shared memory, so the futexes are
 * never FUTEX_PRIVATE. Deadlines are absolute g_get_monotonic_time ()
 * microseconds, which keeps retries after a spurious wake-up exact.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* No deadline: wait until woken. */
#define FY_DEADLINE_NEVER ((gint64) -1)

/* < 0 → FY_DEADLINE_NEVER; otherwise now + @timeout_seconds. */
gint64   fy_deadline_from_timeout (double        timeout_seconds);
/* TRUE once @deadline (not FY_DEADLINE_NEVER) lies in the past. */
gboolean fy_deadline_expired      (gint64        deadline);

/* Sleeps while *@word == @expected, until woken or @deadline passes.
 * Returns 0 when woken (or the word already differed, or a signal
 * interrupted the sleep: callers re-check their condition anyway) and
 * ETIMEDOUT when the deadline passed. */
int      fy_futex_wait            (guint32      *word,
                                   guint32       expected,
                                   gint64        deadline);
/* Wakes up to @n_waiters sleepers on @word (G_MAXINT: all of them). */
int      fy_futex_wake            (guint32      *word,
                                   int           n_waiters);

G_END_DECLS
