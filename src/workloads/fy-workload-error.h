/* fy-workload-error.h: the error domain of the built-in workloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every workload reports its failures in this one domain, so the parent can
 * tell a bad argument (a usage error) from a bad input file (one task fails,
 * the rest go on) without parsing messages.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FY_WORKLOAD_ERROR (fy_workload_error_quark ())

typedef enum
{
  FY_WORKLOAD_ERROR_INVALID_ARGUMENT, /* the argument itself is wrong (negative n …) */
  FY_WORKLOAD_ERROR_OVERFLOW,         /* the result does not fit its type */
  FY_WORKLOAD_ERROR_IO,               /* the file vanished, is unreadable, a FIFO … */
  FY_WORKLOAD_ERROR_CHANGED,          /* the file was truncated while being read */
  FY_WORKLOAD_ERROR_CORRUPT,          /* not a valid image, empty or cut short */
  FY_WORKLOAD_ERROR_TOO_LARGE,        /* a pixel bomb or an oversized file */
  FY_WORKLOAD_ERROR_UNSUPPORTED,      /* a format that cannot be written back */
  FY_WORKLOAD_ERROR_SANDBOX,          /* the sandbox could not be set up */
  FY_WORKLOAD_ERROR_CANCELLED,        /* interrupted before it finished */
} FyWorkloadError;

GQuark fy_workload_error_quark (void);

G_END_DECLS
