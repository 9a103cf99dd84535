/* main.c: the forkyard application's entry point
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "core/fy-core.h"

#include "fy-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(FyApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, fy_core_get_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Forkyard"));

  app = fy_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
