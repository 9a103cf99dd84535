/* fy-workload-error.c: the error domain of the built-in workloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-workload-error.h"

G_DEFINE_QUARK (fy-workload-error-quark, fy_workload_error)
