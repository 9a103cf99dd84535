/* fy-cli-run-options.c: the options of forkyard-cli's pool runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each command's own options, the ones every pool run shares, and the
 * checks that turn a bad value into a usage error before anything runs.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "fy-cli.h"
#include "fy-cli-run-private.h"
#include "fy-cpu-list.h"

static gboolean
parse_size (const char  *text,
            int         *out_width,
            int         *out_height)
{
  g_auto(GStrv) parts = g_strsplit_set (text, "x×", 2);
  guint64 w, h;

  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 1, 16384, &w, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, 16384, &h, NULL))
    return FALSE;
  *out_width = (int) w;
  *out_height = (int) h;
  return TRUE;
}

static gboolean
parse_mode (const char *text,
            RunMode    *out_mode)
{
  static const char *const names[] = { "map", "imap", "unordered", "submit" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (text, names[i]))
      {
        *out_mode = (RunMode) i;
        return TRUE;
      }
  return FALSE;
}

static const char *
command_summary (const char *command)
{
  if (g_str_equal (command, "fib"))
    return N_("Runs the naive recursive Fibonacci of n (0 to 92) as --tasks tasks\n"
              "and prints one result per task.");
  if (g_str_equal (command, "sumsq"))
    return N_("Computes the exact sum of i·i for i below n as --tasks tasks\n"
              "and prints one result per task.");
  if (g_str_equal (command, "sleep"))
    return N_("Runs --tasks tasks that each sleep --ms milliseconds.");
  if (g_str_equal (command, "load"))
    return N_("Keeps each worker busy --percent of every 100 ms for --duration seconds,\n"
              "spinning then sleeping as stress-ng --cpu-load does, and prints the\n"
              "share of the time each worker really was on a CPU (from its own CPU\n"
              "time) and the CPU it last ran on. One worker per CPU (per CPU of\n"
              "--cpus) unless --workers says otherwise. A worker killed mid-run is\n"
              "handled by --on-crash; with retry, its replacement keeps the load up\n"
              "to the same end.");
  if (g_str_equal (command, "hash"))
    return N_("Prints the SHA-256 of each file, exactly as sha256sum does. With no PATH,\n"
              "a built-in sample set is used.\n"
              "\n"
              "A PATH that is a symbolic link is followed. Directories are walked\n"
              "recursively, in byte order of names. In a walk, regular files and\n"
              "symbolic links to regular files are hashed; symbolic links to\n"
              "directories are not followed (as find does without -L); dangling\n"
              "links, link loops, sockets, FIFOs and devices are skipped silently, as\n"
              "“find -type f” skips them (--json lists them under “skipped”). A file\n"
              "or directory that cannot be read is reported on stderr and makes the\n"
              "exit status 1. FIFOs are never opened for reading, so nothing blocks.\n"
              "Each file is one task; small files go first, then files of 1 MiB or\n"
              "more, the largest first. The digest engine (OpenSSL, using SHA-NI\n"
              "where the CPU has it; two files at once through SHA-NI; or eight\n"
              "files at once in the vector unit) is chosen by timing each. The\n"
              "fastest takes the small files; large files go to the vector unit only\n"
              "in groups that keep its eight lanes busy; --json names the engines.");
  return N_("Resizes each image into --out under the same name and format. With\n"
            "no PATH, a built-in sample set is used.\n"
            "\n"
            "Pictures are turned upright from their EXIF orientation first; with\n"
            "--keep-aspect the upright picture is fitted into the size. JPEG, PNG,\n"
            "GIF, TIFF, BMP, WebP, HEIF and AVIF are read. A format that cannot be\n"
            "written is saved as PNG (pictures with transparency, GIF) or JPEG\n"
            "(opaque photographs), with .png or .jpg added to the name; the\n"
            "output printed is the file written. Each thumbnail is written to a\n"
            "temporary file and renamed into place once complete, so a failed\n"
            "write leaves no partial file and keeps an older thumbnail intact.");
}

/* Returns FY_CLI_EXIT_OK to go on, or the status to exit with. */
int
fy_cli_run_parse_options (Run    *run,
                          int     argc,
                          char  **argv)
{
  gboolean is_compute = g_str_equal (run->command, "fib") || g_str_equal (run->command, "sumsq");
  GOptionEntry compute_entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT64, &run->n, N_("The argument of each task"), "N" },
    { "tasks", 0, 0, G_OPTION_ARG_INT, &run->tasks, N_("How many tasks (default 4)"), "N" },
    { NULL }
  };
  GOptionEntry sleep_entries[] = {
    { "ms", 0, 0, G_OPTION_ARG_INT, &run->ms, N_("Milliseconds each task sleeps (default 100)"), "MS" },
    { "tasks", 0, 0, G_OPTION_ARG_INT, &run->tasks, N_("How many tasks (default 4)"), "N" },
    { NULL }
  };
  GOptionEntry load_entries[] = {
    { "percent", 0, 0, G_OPTION_ARG_DOUBLE, &run->percent, N_("Busy share of each worker, 0 to 100 (default 50)"), "P" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &run->duration, N_("How long to keep the load up (default 10)"), "SECONDS" },
    { NULL }
  };
  GOptionEntry hash_entries[] = {
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &run->paths, NULL, N_("[PATH…]") },
    { NULL }
  };
  GOptionEntry resize_entries[] = {
    { "size", 0, 0, G_OPTION_ARG_STRING, &run->size, N_("Target size (default 300x300)"), "WxH" },
    { "keep-aspect", 0, 0, G_OPTION_ARG_NONE, &run->keep_aspect, N_("Fit inside the size, keeping the aspect ratio"), NULL },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &run->out_dir, N_("Output directory (default ./resized)"), "DIR" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &run->paths, NULL, N_("[PATH…]") },
    { NULL }
  };
  GOptionEntry common_entries[] = {
    { "workers", 'w', 0, G_OPTION_ARG_INT, &run->workers, N_("Worker processes (default: one per CPU)"), "N" },
    { "chunksize", 0, 0, G_OPTION_ARG_INT, &run->chunksize, N_("Inputs a worker gets in one message (default: hash sends files of 1 MiB or more "
                                                                 "one by one, two by two to the paired SHA-NI engine or up to eight to the vector "
                                                                 "unit, and smaller ones in "
                                                                 "chunks of about a millisecond of work, resize one by one, the others as "
                                                                 "Python’s map chooses)"), "N" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &run->mode_text, N_("map, imap, unordered or submit (default map)"), "MODE" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &run->timeout, N_("Per-task time limit"), "SECONDS" },
    { "on-crash", 0, 0, G_OPTION_ARG_STRING, &run->on_crash, N_("When a worker dies: fail, retry[:N] or break (default fail)"), "POLICY" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &run->json, N_("Print one JSON document"), NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &run->progress, N_("Show a progress bar on stderr"), NULL },
    { "no-progress", 0, 0, G_OPTION_ARG_NONE, &run->no_progress, N_("Never show a progress bar"), NULL },
    { "cpus", 0, 0, G_OPTION_ARG_STRING, &run->cpus, N_("Pin the workers to these CPUs, e.g. 1 or 0-3,6"), "LIST" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameter = NULL;
  const GOptionEntry *entries;

  run->n = g_str_equal (run->command, "fib") ? 30 : 1000000;
  run->ms = 100;
  run->percent = 50;
  run->duration = 10;
  run->tasks = 4;
  run->chunksize = 0;
  run->workers = -1;
  run->timeout = 0;

  if (is_compute)
    entries = compute_entries;
  else if (g_str_equal (run->command, "sleep"))
    entries = sleep_entries;
  else if (g_str_equal (run->command, "load"))
    entries = load_entries;
  else if (g_str_equal (run->command, "hash"))
    entries = hash_entries;
  else
    entries = resize_entries;

  parameter = g_strdup_printf ("forkyard-cli %s", run->command);
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _(command_summary (run->command)));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, FALSE);

  /* GOptionContext names the program in --help and errors after the prgname. */
  g_set_prgname (parameter);
  argv[0] = parameter;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fy_cli_error ("%s: %s", run->command, error->message);
      return FY_CLI_EXIT_USAGE;
    }

  if (!is_compute && !g_str_equal (run->command, "sleep") && !g_str_equal (run->command, "load") &&
      argc > 1)
    {
      /* Remaining arguments after "--". */
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      if (run->paths != NULL)
        g_strv_builder_addv (builder, (const char **) run->paths);
      for (int i = 1; i < argc; i++)
        g_strv_builder_add (builder, argv[i]);
      g_strfreev (run->paths);
      run->paths = g_strv_builder_end (builder);
    }
  else if (argc > 1)
    {
      fy_cli_error (_("%s: unexpected argument “%s”"), run->command, argv[1]);
      return FY_CLI_EXIT_USAGE;
    }

  if (run->workers == 0 || run->workers < -1)
    {
      fy_cli_error (_("%s: --workers must be 1 or more"), run->command);
      return FY_CLI_EXIT_USAGE;
    }
  if (run->tasks < 1)
    {
      fy_cli_error (_("%s: --tasks must be 1 or more"), run->command);
      return FY_CLI_EXIT_USAGE;
    }
  if (run->chunksize < 0)
    {
      fy_cli_error (_("%s: --chunksize must be 1 or more"), run->command);
      return FY_CLI_EXIT_USAGE;
    }
  if (run->timeout < 0)
    {
      fy_cli_error (_("%s: --timeout must be a positive number of seconds"), run->command);
      return FY_CLI_EXIT_USAGE;
    }
  if (!(run->percent >= 0 && run->percent <= 100))
    {
      fy_cli_error (_("%s: --percent must be between 0 and 100"), run->command);
      return FY_CLI_EXIT_USAGE;
    }
  if (!(run->duration > 0 && run->duration <= 7 * 24 * 3600))
    {
      fy_cli_error (_("%s: --duration must be a positive number of seconds, at most a week"),
                    run->command);
      return FY_CLI_EXIT_USAGE;
    }
  if (run->cpus != NULL && !fy_cpu_list_parse_online (run->cpus, &run->cpu_set, &error))
    {
      fy_cli_error (_("%s: --cpus: %s"), run->command, error->message);
      return FY_CLI_EXIT_USAGE;
    }
  if (run->ms < 0)
    {
      fy_cli_error (_("%s: --ms must be 0 or more"), run->command);
      return FY_CLI_EXIT_USAGE;
    }
  if (run->mode_text != NULL && !parse_mode (run->mode_text, &run->mode))
    {
      fy_cli_error (_("%s: unknown --mode “%s”; use map, imap, unordered or submit"),
                    run->command, run->mode_text);
      return FY_CLI_EXIT_USAGE;
    }
  if (run->on_crash != NULL &&
      !fy_crash_policy_parse (run->on_crash, &run->policy, &run->retries, &error))
    {
      fy_cli_error (_("%s: --on-crash: %s"), run->command, error->message);
      return FY_CLI_EXIT_USAGE;
    }
  if (g_str_equal (run->command, "resize"))
    {
      if (!parse_size (run->size ? run->size : "300x300", &run->width, &run->height))
        {
          fy_cli_error (_("%s: --size “%s” is not WxH with both between 1 and 16384"),
                        run->command, run->size);
          return FY_CLI_EXIT_USAGE;
        }
    }
  if (is_compute && run->n < 0)
    {
      fy_cli_error (_("%s: --n must be 0 or more, not %lld"), run->command, (long long) run->n);
      return FY_CLI_EXIT_USAGE;
    }
  if (g_str_equal (run->command, "fib") && run->n > 92)
    {
      fy_cli_error (_("%s: --n %lld is above 92, the largest whose "
                      "Fibonacci number fits a 64-bit integer"), run->command, (long long) run->n);
      return FY_CLI_EXIT_USAGE;
    }

  run->show_progress = run->progress || (!run->no_progress && isatty (STDERR_FILENO));
  run->stdout_is_tty = isatty (STDOUT_FILENO);
  return FY_CLI_EXIT_OK;
}
