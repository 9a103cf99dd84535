/* fy-cli-main.c: forkyard-cli's entry point and subcommand dispatch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "core/fy-core.h"

#include "fy-cli.h"

typedef struct
{
  const char *name;
  int       (*main) (int argc, char **argv);
  const char *summary;
} FyCliCommand;

static const FyCliCommand commands[] = {
  { "fib",     fy_cli_run_main,     N_("Naive recursive Fibonacci on the pool") },
  { "sumsq",   fy_cli_run_main,     N_("Exact sum of squares below n on the pool") },
  { "sleep",   fy_cli_run_main,     N_("Sleep tasks: the I/O-bound contrast") },
  { "hash",    fy_cli_run_main,     N_("SHA-256 of files, like sha256sum") },
  { "resize",  fy_cli_run_main,     N_("Resize images in worker processes") },
  { "load",    fy_cli_run_main,     N_("Keep CPUs busy a chosen share of the time") },
  { "monitor", fy_cli_monitor_main, N_("Per-core CPU and load, like mpstat") },
  { "scenario", fy_cli_scenario_main, N_("The classic multiprocessing examples, run and checked") },
  { "stress",  fy_cli_stress_main,  N_("A chaos soak: mixed tasks while workers are killed, then the books") },
};

void
fy_cli_error (const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "forkyard-cli: %s\n", message);
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: forkyard-cli COMMAND [OPTION…]"));
  fprintf (out, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("“forkyard-cli COMMAND --help” describes a command’s options."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, fy_core_get_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return FY_CLI_EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("forkyard-cli %s\n", PACKAGE_VERSION);
      return FY_CLI_EXIT_OK;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (stdout);
      return FY_CLI_EXIT_OK;
    }

  /* The soak measures the program's own memory growth. */
  if (g_str_equal (argv[1], "stress"))
    fy_cli_stress_use_plain_malloc (argv);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].main (argc - 1, argv + 1);

  fy_cli_error (_("unknown command “%s”; try --help"), argv[1]);
  return FY_CLI_EXIT_USAGE;
}
