/* fy-worker-process.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-worker.h"

int
fy_worker_process_main (FyChannel *channel)
{
  return 2;
}
