/* fy-worker-main.c: the child side of the worker protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

int
main (int    argc,
      char **argv)
{
  g_printerr ("forkyard-worker: not meant to be run by hand\n");
  return 2;
}
