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

const char *
fy_core_get_localedir (void)
{
  const char *localedir = g_getenv ("FORKYARD_LOCALEDIR");

  if (localedir == NULL || *localedir == '\0')
    return LOCALEDIR;
  return localedir;
}

gboolean
fy_core_can_spin (void)
{
  static gsize cpus;

  /* g_get_num_processors () reads sysfs each time. */
  if (g_once_init_enter (&cpus))
    g_once_init_leave (&cpus, g_get_num_processors ());
  return cpus > 1;
}
