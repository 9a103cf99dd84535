/* fy-pool-error.h: the errors of a pool and of its tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Apart from fy-pool.h so that futures, which carry these errors, need not
 * know the pool; fy-pool.h includes it.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FY_POOL_ERROR (fy_pool_error_quark ())

typedef enum
{
  FY_POOL_ERROR_CLOSED,           /* closed, terminated or shut down */
  FY_POOL_ERROR_BROKEN,           /* a crash under the "break" policy */
  FY_POOL_ERROR_WORKER_DIED,      /* "worker 123 killed by signal 9 (SIGKILL)" */
  FY_POOL_ERROR_TIMED_OUT,        /* task timeout, or a wait that expired */
  FY_POOL_ERROR_CANCELLED,
  FY_POOL_ERROR_INVALID_ARGUMENT, /* n_workers ≤ 0, max_tasks_per_child ≤ 0 … */
  FY_POOL_ERROR_SPAWN_FAILED,     /* a worker could not be started */
  FY_POOL_ERROR_PROTOCOL,         /* a worker sent something invalid */
  FY_POOL_ERROR_FAILED,           /* a task's error from an unknown domain */
} FyPoolError;

GQuark fy_pool_error_quark (void);

G_END_DECLS
