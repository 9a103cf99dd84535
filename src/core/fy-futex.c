/* fy-futex.c: process-shared futex waits and wakes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fy-futex.h"

gint64
fy_deadline_from_timeout (double timeout_seconds)
{
  if (timeout_seconds < 0)
    return FY_DEADLINE_NEVER;
  if (timeout_seconds > 1e9)
    return FY_DEADLINE_NEVER;
  return g_get_monotonic_time () + (gint64) (timeout_seconds * G_USEC_PER_SEC);
}

gboolean
fy_deadline_expired (gint64 deadline)
{
  return deadline != FY_DEADLINE_NEVER && g_get_monotonic_time () >= deadline;
}

int
fy_futex_wait (guint32 *word,
               guint32  expected,
               gint64   deadline)
{
  struct timespec ts;
  struct timespec *tsp = NULL;
  long rc;

  if (deadline != FY_DEADLINE_NEVER)
    {
      if (g_get_monotonic_time () >= deadline)
        return ETIMEDOUT;
      /* g_get_monotonic_time () is CLOCK_MONOTONIC on Linux, the clock
       * FUTEX_WAIT_BITSET measures absolute timeouts against. */
      ts.tv_sec = deadline / G_USEC_PER_SEC;
      ts.tv_nsec = (deadline % G_USEC_PER_SEC) * 1000;
      tsp = &ts;
    }

  rc = syscall (SYS_futex, word, FUTEX_WAIT_BITSET, expected, tsp, NULL,
                FUTEX_BITSET_MATCH_ANY);
  if (rc == -1 && errno == ETIMEDOUT)
    return ETIMEDOUT;
  return 0;
}

int
fy_futex_wake (guint32 *word,
               int      n_waiters)
{
  long rc = syscall (SYS_futex, word, FUTEX_WAKE, n_waiters, NULL, NULL, 0);

  return rc < 0 ? 0 : (int) rc;
}
