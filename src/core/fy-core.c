/* fy-core.c: library-wide facts of libforkyard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-core.h"

const char *
fy_core_get_version (void)
{
  return PACKAGE_VERSION;
}
