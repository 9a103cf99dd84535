/* fy-workloads-pool.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-workload.h"

const FyWorkloadInfo fy_workloads_pool[] = {
  { NULL },
};
