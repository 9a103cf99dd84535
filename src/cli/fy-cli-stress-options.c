/* fy-cli-stress-options.c: forkyard-cli stress's options, read and checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "fy-cli.h"
#include "fy-cli-parse.h"

#include "fy-cli-stress-private.h"

gboolean
fy_cli_stress_parse_options (Stress  *s,
                             int      argc,
                             char   **argv)
{
  GOptionEntry entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &s->duration_text, N_("How long to run: seconds, or with s, m or h (default 60s)"), "D" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &s->workers, N_("Worker processes (default 4)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &s->seed, N_("Seed of the random choices (default: from the clock)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &s->json, N_("Print the books as one JSON object on the last line"), NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &s->progress, N_("Show progress on stderr"), NULL },
    { "no-progress", 0, 0, G_OPTION_ARG_NONE, &s->no_progress, N_("Never show progress"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  s->workers = 4;
  s->seed = -1;
  g_option_context_set_summary (context, _("Runs a mixed workload under chaos, then checks the books"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_set_prgname ("forkyard-cli stress");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fy_cli_error ("%s", error->message);
      return FALSE;
    }
  if (argc > 1)
    {
      fy_cli_error (_("unexpected argument “%s”"), argv[1]);
      return FALSE;
    }
  if (!fy_cli_parse_duration (s->duration_text != NULL ? s->duration_text : "60s", &s->duration, &error))
    {
      fy_cli_error ("--duration: %s", error->message);
      return FALSE;
    }
  if (s->workers < 1 || s->workers > 256)
    {
      fy_cli_error (_("--workers must be between 1 and 256, not %d"), s->workers);
      return FALSE;
    }
  if (s->seed < 0)
    s->seed = g_get_real_time () & G_MAXINT32;
  s->show_progress = s->progress || (!s->no_progress && !s->json && isatty (STDERR_FILENO));
  return TRUE;
}
