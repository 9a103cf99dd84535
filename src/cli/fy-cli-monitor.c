/* fy-cli-monitor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "fy-cli.h"

int
fy_cli_monitor_main (int    argc,
                 char **argv)
{
  fy_cli_error (_("%s: not available yet"), argv[0]);
  return FY_CLI_EXIT_USAGE;
}
