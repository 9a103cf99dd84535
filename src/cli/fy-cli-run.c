/* fy-cli-run.c: forkyard-cli fib, sumsq, sleep, hash and resize
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds one task per input, runs them on an FyPool in the chosen mode, and
 * reports each input's outcome as it arrives, in input order: results on
 * stdout (hash exactly as sha256sum prints it), one
 * "forkyard-cli: INPUT: reason" line per failure on stderr, or a single
 * JSON document with --json.
 *
 * Files are handed out largest first, so that no worker is left alone with
 * a big file at the end while the others idle: the tasks' order is not the
 * inputs' order, and slot_input maps one to the other. Only where the
 * eight-lane digest measures faster than OpenSSL does a hash task carry up
 * to eight files of similar size, which the worker digests side by side.
 */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fy-pool.h"
#include "fy-cli.h"
#include "fy-cli-walk.h"
#include "fy-cpu-list.h"
#include "fy-hash-engine.h"
#include "fy-result-json.h"
#include "fy-sample-data.h"
#include "fy-sha256.h"
#include "fy-workload.h"

/* Below this size a file hashes in well under a millisecond: such files
 * travel to the workers in chunks (each still its own task), so that the
 * round trips do not cost more than the hashing. */
#define SMALL_FILE_SIZE (1024 * 1024)

/* A chunk of small files: at most this many files, and about an eighth of
 * a worker's share of their bytes, so that the last chunks, the smallest
 * files, end close together. */
#define SMALL_CHUNK_MAX_FILES 256
#define SMALL_CHUNKS_PER_WORKER 8

/* The load's period: short enough that a 1 s sample (mpstat, the monitor)
 * sees ten of them, long enough that the sleeps are not all scheduler
 * noise. */
#define LOAD_PERIOD_MS 100

typedef enum
{
  RUN_MODE_MAP,
  RUN_MODE_IMAP,
  RUN_MODE_UNORDERED,
  RUN_MODE_SUBMIT,
} RunMode;

typedef struct
{
  const char    *command;
  /* Options */
  gint64         n;
  int            ms;
  int            tasks;
  char          *size;
  gboolean       keep_aspect;
  char          *out_dir;
  int            workers;
  int            chunksize;
  char          *mode_text;
  double         timeout;
  char          *on_crash;
  gboolean       json;
  gboolean       progress;
  gboolean       no_progress;
  char         **paths;
  double         percent;
  double         duration;
  char          *cpus;
  /* Derived */
  RunMode        mode;
  int            width;
  int            height;
  FyCrashPolicy  policy;
  guint          retries;
  GPtrArray     *inputs;        /* display names of the tasks' inputs */
  GVariant      *arguments;     /* one child per task */
  const char    *workload;      /* what the tasks run */
  guint          batch_size;    /* inputs per task: 1, or up to 8 for hash */
  GArray        *slot_input;    /* guint: task t holds inputs at slots [t × batch_size, …) */
  GArray        *input_slot;    /* guint: the inverse */
  FyCliWalk     *walk;          /* hash and resize: what was skipped or failed */
  FyHashEngineChoice engine;
  gboolean       chunked_hash;  /* hash: files travel in map chunks of hash-outcome */
  GVariant      *large_arguments; /* … the files of SMALL_FILE_SIZE or more, one per task */
  GVariant      *small_arguments; /* … the others, in chunks of small_chunk */
  int            small_chunk;
  /* Outcome */
  GPtrArray     *futures;       /* by input index, filled as they finish: its task */
  GArray        *items;         /* guint by input index: its item in that task (0 for a task of one) */
  GPtrArray     *texts;         /* hash in chunks: by input index, its digest or why it failed, read in
                                 * place from its chunk's result (which futures holds); NULL: not read */
  GByteArray    *oks;           /* … and whether it is a digest */
  guint          n_finished;
  guint          n_failed;
  guint          next_to_print;
  gboolean       show_progress;
  gboolean       interrupted;
  gint64         started_at;
  gboolean       stdout_is_tty;
  gboolean       auto_chunks;   /* no --chunksize given */
  guint          n_large_tasks; /* hash: the tasks of files of SMALL_FILE_SIZE or more, first */
  cpu_set_t      cpu_set;       /* --cpus, when given */
  GArray        *last_cpu;      /* int per input: the worker's CPU when it reported (--cpus) */
} Run;

static void
run_clear (Run *run)
{
  g_free (run->size);
  g_free (run->out_dir);
  g_free (run->mode_text);
  g_free (run->on_crash);
  g_free (run->cpus);
  g_strfreev (run->paths);
  g_clear_pointer (&run->last_cpu, g_array_unref);
  g_clear_pointer (&run->inputs, g_ptr_array_unref);
  g_clear_pointer (&run->arguments, g_variant_unref);
  g_clear_pointer (&run->futures, g_ptr_array_unref);
  g_clear_pointer (&run->items, g_array_unref);
  g_clear_pointer (&run->texts, g_ptr_array_unref);
  g_clear_pointer (&run->oks, g_byte_array_unref);
  g_clear_pointer (&run->large_arguments, g_variant_unref);
  g_clear_pointer (&run->small_arguments, g_variant_unref);
  g_clear_pointer (&run->slot_input, g_array_unref);
  g_clear_pointer (&run->input_slot, g_array_unref);
  g_clear_pointer (&run->walk, fy_cli_walk_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* ---- options -------------------------------------------------------------- */

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
              "Each file is one task; the largest files start first. The digest\n"
              "engine (OpenSSL, using SHA-NI where the CPU has it, or eight files at\n"
              "once in the vector unit) is chosen by timing both; --json names it.");
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
static int
parse_options (Run    *run,
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
                                                                 "one by one and smaller ones in chunks of up to 256, resize one by one, the "
                                                                 "others as Python’s map chooses)"), "N" },
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

/* ---- inputs --------------------------------------------------------------- */

static GArray *sort_by_size_files;

static int
compare_sizes_descending (gconstpointer a,
                          gconstpointer b)
{
  guint i = *(const guint *) a;
  guint j = *(const guint *) b;
  const FyCliWalkFile *x = &g_array_index (sort_by_size_files, FyCliWalkFile, i);
  const FyCliWalkFile *y = &g_array_index (sort_by_size_files, FyCliWalkFile, j);

  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return i < j ? -1 : i > j;
}

/* Largest first (longest processing time first): with w workers, the last
 * tasks to start are the smallest, so the workers finish close together. */
static void
order_by_size (Run    *run,
               GArray *files)
{
  run->slot_input = g_array_sized_new (FALSE, FALSE, sizeof (guint), files->len);
  run->input_slot = g_array_sized_new (FALSE, FALSE, sizeof (guint), files->len);
  g_array_set_size (run->slot_input, files->len);
  g_array_set_size (run->input_slot, files->len);
  for (guint i = 0; i < files->len; i++)
    g_array_index (run->slot_input, guint, i) = i;
  sort_by_size_files = files;
  g_array_sort (run->slot_input, compare_sizes_descending);
  sort_by_size_files = NULL;
  for (guint i = 0; i < files->len; i++)
    g_array_index (run->input_slot, guint, g_array_index (run->slot_input, guint, i)) = i;
}

static gpointer
choose_engine_thread (gpointer data)
{
  fy_hash_engine_choose (data);
  return NULL;
}

/* Files of SMALL_FILE_SIZE or more one per task, so the workers share
 * them evenly; the small ones in map chunks, one task and one message
 * each way per chunk, each file still its own item with its own outcome
 * (hash-outcome carries a file's failure as a value, so it does not end
 * its chunk). The files are in size order, largest first. */
static void
build_hash_chunks (Run    *run,
                   GArray *files)
{
  g_autofree const char **paths = g_new (const char *, MAX (files->len, 1));
  guint n_workers = (guint) (run->workers > 0 ? run->workers : (int) g_get_num_processors ());
  guint64 small_bytes = 0;
  guint64 chunk_bytes;
  guint64 first_bytes = 0;
  guint n_large = 0;
  guint n_small;
  guint chunk;

  for (guint slot = 0; slot < files->len; slot++)
    {
      guint input = g_array_index (run->slot_input, guint, slot);
      const FyCliWalkFile *file = &g_array_index (files, FyCliWalkFile, input);

      paths[slot] = file->path;
      if (file->size >= SMALL_FILE_SIZE)
        n_large++;
      else
        small_bytes += file->size;
    }
  n_small = files->len - n_large;

  /* By count about SMALL_CHUNKS_PER_WORKER chunks per worker; by bytes the
   * first chunk, the one of the largest small files, no more than that
   * share of the bytes (at least one file). */
  chunk = CLAMP (n_small / (SMALL_CHUNKS_PER_WORKER * n_workers), 1, SMALL_CHUNK_MAX_FILES);
  chunk_bytes = MAX (small_bytes / (SMALL_CHUNKS_PER_WORKER * n_workers), SMALL_FILE_SIZE);
  for (guint i = 0; i < chunk && i < n_small; i++)
    {
      first_bytes += g_array_index (files, FyCliWalkFile,
                                    g_array_index (run->slot_input, guint, n_large + i)).size;
      if (first_bytes > chunk_bytes)
        {
          chunk = MAX (i, 1);
          break;
        }
    }

  run->workload = "hash-outcome";
  run->chunked_hash = TRUE;
  run->small_chunk = (int) chunk;
  run->n_large_tasks = n_large;
  run->large_arguments = g_variant_ref_sink (g_variant_new_bytestring_array (paths, n_large));
  run->small_arguments = g_variant_ref_sink (g_variant_new_bytestring_array (paths + n_large, n_small));
}

static gboolean
build_tasks (Run     *run,
             GError **error)
{
  g_autoptr(GVariantBuilder) builder = NULL;
  GArray *files;
  const FyWorkloadInfo *info = fy_workload_lookup (run->command);
  g_autofree char *array_type = g_strdup_printf ("a%s", info->argument_type);
  GThread *engine_thread = NULL;

  run->inputs = g_ptr_array_new_with_free_func (g_free);
  run->workload = run->command;
  run->batch_size = 1;
  builder = g_variant_builder_new (G_VARIANT_TYPE (array_type));

  if (g_str_equal (run->command, "load"))
    {
      gint64 deadline = g_get_monotonic_time () + (gint64) (run->duration * G_USEC_PER_SEC);

      /* One loader per worker, as stress-ng starts one per CPU. */
      if (run->workers < 0)
        run->workers = run->cpus != NULL ? CPU_COUNT (&run->cpu_set) : (int) g_get_num_processors ();
      for (int i = 0; i < run->workers; i++)
        {
          g_variant_builder_add (builder, "(dux)", run->percent, (guint32) LOAD_PERIOD_MS, deadline);
          g_ptr_array_add (run->inputs, g_strdup_printf ("load %d", i + 1));
        }
      run->arguments = g_variant_ref_sink (g_variant_builder_end (builder));
      return TRUE;
    }

  if (g_str_equal (run->command, "fib") || g_str_equal (run->command, "sumsq") ||
      g_str_equal (run->command, "sleep"))
    {
      for (int i = 0; i < run->tasks; i++)
        {
          if (g_str_equal (run->command, "sleep"))
            {
              g_variant_builder_add (builder, "u", (guint32) run->ms);
              g_ptr_array_add (run->inputs, g_strdup_printf ("%d", run->ms));
            }
          else
            {
              g_variant_builder_add (builder, "x", run->n);
              g_ptr_array_add (run->inputs, g_strdup_printf ("%" G_GINT64_FORMAT, run->n));
            }
        }
      run->arguments = g_variant_ref_sink (g_variant_builder_end (builder));
      return TRUE;
    }

  /* The engine is timed on another thread while this one walks the
   * tree: the few milliseconds it takes cost no wall time. */
  if (g_str_equal (run->command, "hash"))
    engine_thread = g_thread_new ("hash-engine", choose_engine_thread, &run->engine);

  run->walk = fy_cli_walk_new ();
  files = run->walk->files;
  if (run->paths == NULL || run->paths[0] == NULL)
    {
      FySampleSet set = g_str_equal (run->command, "hash") ? FY_SAMPLE_SET_FILES : FY_SAMPLE_SET_IMAGES;
      g_autoptr(GPtrArray) samples = fy_sample_data_list (set, error);

      if (samples == NULL)
        {
          if (engine_thread != NULL)
            g_thread_join (engine_thread);
          return FALSE;
        }
      for (guint i = 0; i < samples->len; i++)
        fy_cli_walk_add_file (run->walk, g_ptr_array_index (samples, i));
    }
  else
    {
      for (guint i = 0; run->paths[i] != NULL; i++)
        fy_cli_walk_add (run->walk, run->paths[i]);
    }
  if (engine_thread != NULL)
    g_thread_join (engine_thread);

  order_by_size (run, files);
  /* The inputs are the walk's own paths, which outlive them. */
  g_ptr_array_set_free_func (run->inputs, NULL);
  g_ptr_array_set_size (run->inputs, files->len);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_index (run->inputs, i) = (char *) g_array_index (files, FyCliWalkFile, i).path;

  if (g_str_equal (run->command, "resize"))
    {
      if (run->out_dir == NULL)
        run->out_dir = g_strdup ("resized");
      if (g_mkdir_with_parents (run->out_dir, 0755) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "%s: %s", run->out_dir, g_strerror (saved_errno));
          return FALSE;
        }
    }

  /* One file per message unless asked otherwise: a chunk of files is a
   * unit of work the other workers cannot share, and with files sorted by
   * size the first chunk would hold every large one. The pool still hands
   * short tasks over in windows, so small files cost no round trip each. */
  if (run->chunksize == 0)
    {
      run->chunksize = 1;
      run->auto_chunks = TRUE;
    }

  if (g_str_equal (run->command, "hash"))
    {
      if (run->engine.engine == FY_HASH_ENGINE_LANES)
        {
          /* Neighbours in size order are of similar length, so the eight
           * lanes of a task stay busy together. */
          run->workload = "hash-batch";
          run->batch_size = FY_SHA256_LANES;
          g_variant_builder_unref (builder);
          builder = g_variant_builder_new (G_VARIANT_TYPE ("aaay"));
        }
      /* A pool's task timeout applies to a chunk as a whole: with
       * --timeout, each file stays a task of its own, so that the limit is
       * per file as its help says. */
      else if (run->auto_chunks && run->mode == RUN_MODE_MAP && run->timeout == 0)
        {
          build_hash_chunks (run, files);
          return TRUE;
        }
    }

  for (guint first = 0; first < files->len; first += run->batch_size)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      FyCliWalkFile *head = &g_array_index (files, FyCliWalkFile, g_array_index (run->slot_input, guint, first));

      if (head->size >= SMALL_FILE_SIZE)
        run->n_large_tasks++;

      for (guint slot = first; slot < files->len && slot < first + run->batch_size; slot++)
        {
          guint input = g_array_index (run->slot_input, guint, slot);

          g_ptr_array_add (batch, g_ptr_array_index (run->inputs, input));
        }

      if (g_str_equal (run->workload, "hash-batch"))
        g_variant_builder_add (builder, "@aay",
                               g_variant_new_bytestring_array ((const char *const *) batch->pdata,
                                                               batch->len));
      else if (g_str_equal (run->workload, "hash"))
        g_variant_builder_add (builder, "^ay", g_ptr_array_index (batch, 0));
      else
        g_variant_builder_add (builder, "(^ay^ayiib)", g_ptr_array_index (batch, 0), run->out_dir,
                               run->width, run->height, run->keep_aspect);
    }

  run->arguments = g_variant_ref_sink (g_variant_builder_end (builder));
  return TRUE;
}

/* ---- output --------------------------------------------------------------- */

/* sha256sum's line: names holding a backslash or a newline get a leading
 * backslash and those two characters escaped. Plain names, nearly all of
 * them, go out in one piece: a locked putchar per byte cost more than
 * hashing a small file. */
static void
print_hash_line (const char *digest,
                 const char *path)
{
  gsize length = strlen (path);
  gboolean escape = memchr (path, '\\', length) != NULL || memchr (path, '\n', length) != NULL;

  if (!escape)
    {
      fputs (digest, stdout);
      fputs ("  ", stdout);
      fwrite (path, 1, length, stdout);
      putchar ('\n');
      return;
    }

  putchar ('\\');
  fputs (digest, stdout);
  fputs ("  ", stdout);
  for (const char *p = path; *p != '\0'; p++)
    {
      if (*p == '\\')
        fputs ("\\\\", stdout);
      else if (*p == '\n')
        fputs ("\\n", stdout);
      else
        putchar (*p);
    }
  putchar ('\n');
}

/* Input @index's own result, or NULL and why not. It is item @item of
 * its task @future (0 for a task of one). A batch task succeeds as a
 * whole yet carries one outcome per file; so does each item of a chunk
 * of hash-outcome. */
static GVariant *
input_result (Run          *run,
              guint         index,
              FyFuture     *future,
              guint         item,
              char        **out_reason)
{
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) outcome = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  const char *text;

  if (!fy_future_get_item_result (future, item, &result, &error))
    {
      *out_reason = g_strdup (error ? error->message : _("no result"));
      return NULL;
    }
  if (g_str_equal (run->workload, "hash-outcome"))
    outcome = g_steal_pointer (&result);
  else if (g_str_equal (run->workload, "hash-batch"))
    outcome = g_variant_get_child_value (result,
                                         g_array_index (run->input_slot, guint, index) % run->batch_size);
  else
    return g_steal_pointer (&result);

  g_variant_get (outcome, "(b&s)", &ok, &text);
  if (!ok)
    {
      *out_reason = g_strdup (text);
      return NULL;
    }
  return g_variant_new_string (text);
}

static void
print_plain (Run      *run,
             guint     index,
             FyFuture *future)
{
  const char *input = g_ptr_array_index (run->inputs, index);
  g_autofree char *reason = NULL;
  g_autoptr(GVariant) result = NULL;

  if (run->texts != NULL && g_ptr_array_index (run->texts, index) != NULL)
    {
      const char *text = g_ptr_array_index (run->texts, index);

      if (run->oks->data[index])
        print_hash_line (text, input);
      else
        {
          fflush (stdout);
          fy_cli_error ("%s: %s", input, text);
        }
      return;
    }

  result = input_result (run, index, future, g_array_index (run->items, guint, index), &reason);

  if (result == NULL)
    {
      fflush (stdout);
      fy_cli_error ("%s: %s", input, reason);
      return;
    }

  if (g_str_equal (run->command, "hash"))
    print_hash_line (g_variant_get_string (result, NULL), input);
  else if (g_str_equal (run->command, "resize"))
    {
      g_autofree char *out_path = NULL;
      int w, h;

      g_variant_get (result, "(^ayii)", &out_path, &w, &h);
      printf ("%s\n", out_path);
    }
  else if (g_str_equal (run->command, "load"))
    {
      double fraction, wall, cpu;
      int last_cpu;

      g_variant_get (result, "(dddi)", &fraction, &wall, &cpu, &last_cpu);
      /* TRANSLATORS: one worker of a load run: its pid, the busy share it
       * achieved in per cent, and the CPU it last ran on. */
      printf (_("worker %d: busy %.1f %% on CPU %d\n"), (int) fy_future_get_worker_pid (future),
              fraction * 100, last_cpu);
    }
  else if (g_str_equal (run->command, "sumsq"))
    printf ("%s\n", g_variant_get_string (result, NULL));
  else if (g_str_equal (run->command, "fib"))
    printf ("%" G_GINT64_FORMAT "\n", g_variant_get_int64 (result));
  else
    printf ("%u\n", g_variant_get_uint32 (result));
}

static void
clear_progress (Run *run)
{
  if (run->show_progress)
    fputs ("\r\033[K", stderr);
}

static void
draw_progress (Run *run)
{
  guint total = run->inputs->len;
  double elapsed = (g_get_monotonic_time () - run->started_at) / (double) G_USEC_PER_SEC;
  double rate = elapsed > 0 ? run->n_finished / elapsed : 0;
  char bar[31];
  guint filled = total > 0 ? run->n_finished * (sizeof bar - 1) / total : 0;

  if (!run->show_progress)
    return;

  /* A load run's progress is its time, not its tasks. */
  if (g_str_equal (run->command, "load"))
    filled = (guint) MIN (elapsed / run->duration * (sizeof bar - 1), sizeof bar - 1);

  for (guint i = 0; i < sizeof bar - 1; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[sizeof bar - 1] = '\0';

  if (g_str_equal (run->command, "load"))
    fprintf (stderr, "\r\033[K[%s] %.0f/%.0f s  %g %%", bar, MIN (elapsed, run->duration),
             run->duration, run->percent);
  else if (rate > 0 && run->n_finished < total)
    fprintf (stderr, "\r\033[K[%s] %u/%u  %.1f/s  ETA %.0f s", bar, run->n_finished, total,
             rate, (total - run->n_finished) / rate);
  else
    fprintf (stderr, "\r\033[K[%s] %u/%u  %.1f/s", bar, run->n_finished, total, rate);
  fflush (stderr);
}

/* The CPU @pid last ran on (field 39 of /proc/PID/stat), -1 if unknown.
 * Read as its result comes in, while the worker waits for its next task:
 * so it is where the task ran last. */
static int
worker_last_cpu (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;
  gint64 cpu;

  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL) ||
      (after_name = strrchr (text, ')')) == NULL)
    return -1;
  /* After "pid (comm) ", the state is field 3; the CPU is field 39. */
  fields = g_strsplit (after_name + 2, " ", 40);
  if (g_strv_length (fields) < 37 || !g_ascii_string_to_signed (fields[36], 10, 0, G_MAXINT, &cpu, NULL))
    return -1;
  return (int) cpu;
}

/* Input @index finished as item @item of @future; @cpu is where its
 * worker last ran (--cpus). */
static void
record_input (Run      *run,
              FyFuture *future,
              guint     item,
              guint     index,
              int       cpu)
{
  g_autofree char *reason = NULL;
  g_autoptr(GVariant) result = NULL;

  if (g_ptr_array_index (run->futures, index) != NULL)
    return;
  g_ptr_array_index (run->futures, index) = g_object_ref (future);
  g_array_index (run->items, guint, index) = item;
  run->n_finished++;
  if (run->last_cpu != NULL)
    g_array_index (run->last_cpu, int, index) = cpu;
  if (run->texts != NULL && g_ptr_array_index (run->texts, index) != NULL)
    run->n_failed += !run->oks->data[index];
  else
    {
      result = input_result (run, index, future, item, &reason);
      if (result == NULL)
        run->n_failed++;
    }

  if (run->json)
    return;

  clear_progress (run);
  if (run->mode == RUN_MODE_UNORDERED)
    print_plain (run, index, future);
  else
    /* Input order: print every finished one up to the first gap. */
    while (run->next_to_print < run->inputs->len &&
           g_ptr_array_index (run->futures, run->next_to_print) != NULL)
      {
        print_plain (run, run->next_to_print, g_ptr_array_index (run->futures, run->next_to_print));
        run->next_to_print++;
      }
  /* Someone watching sees each line as it comes; a pipe or a file gets
   * full buffers: a write per line cost more than hashing a small file. */
  if (run->stdout_is_tty)
    fflush (stdout);
}

/* Task @task_index holds batch_size slots of inputs. */
static void
record_finished (Run      *run,
                 FyFuture *future,
                 guint     task_index)
{
  guint first = task_index * run->batch_size;
  int cpu = run->last_cpu != NULL ? worker_last_cpu (fy_future_get_worker_pid (future)) : -1;

  if (run->slot_input == NULL)
    {
      record_input (run, future, 0, task_index, cpu);
      return;
    }
  for (guint slot = first; slot < run->inputs->len && slot < first + run->batch_size; slot++)
    record_input (run, future, 0, g_array_index (run->slot_input, guint, slot), cpu);
}

/* A task of hash's map call finished: a chunk of small files, or one
 * file. Its items are read from it, with no object made per file. */
typedef struct
{
  Run   *run;
  guint  first_slot; /* of its item 0, in size order */
} HashTask;

/* The size of a framing offset in a serialised container of @size bytes. */
static gsize
offset_size (gsize size)
{
  if (size == 0)
    return 0;
  if (size <= G_MAXUINT8)
    return 1;
  if (size <= G_MAXUINT16)
    return 2;
  if (size <= G_MAXUINT32)
    return 4;
  return 8;
}

static gsize
read_offset (const guint8 *at,
             gsize         size)
{
  guint64 value = 0;

  /* Little-endian, as GVariant stores them. */
  for (gsize i = 0; i < size; i++)
    value |= (guint64) at[i] << (8 * i);
  return (gsize) value;
}

/* Reads the @n outcomes of a finished chunk of hash-outcome in place:
 * its result is an "av" of "(bs)", each one the value's bytes, a zero
 * byte and the type string, 8-aligned, with the ends of the children in
 * a table at the end (GVariant's serialisation). Getting a variant per
 * file, twice (to count the failures and to print), cost the parent more
 * than all the rest of a tree of small files. Each text points into the
 * result, which stays alive with the future. FALSE, with nothing stored,
 * for anything that is not such an array: the caller then reads the items
 * one by one. */
static gboolean
read_chunk_outcomes (Run      *run,
                     FyFuture *future,
                     guint     first_slot,
                     guint     n)
{
  GVariant *result = fy_future_get_result_value (future);
  const guint8 *data;
  gsize size, osize, table, start = 0;

  if (result == NULL || fy_future_get_n_items (future) != n ||
      !g_variant_is_of_type (result, G_VARIANT_TYPE ("av")))
    return FALSE;
  data = g_variant_get_data (result);
  size = g_variant_get_size (result);
  osize = offset_size (size);
  if (data == NULL || osize == 0 || size < osize ||
      (table = read_offset (data + size - osize, osize)) > size - osize ||
      (size - table) % osize != 0 || (size - table) / osize != n)
    return FALSE;

  /* Checked whole before anything is stored. */
  for (guint pass = 0; pass < 2; pass++)
    {
      start = 0;
      for (guint k = 0; k < n; k++)
        {
          gsize end = read_offset (data + table + (gsize) k * osize, osize);
          gsize sep;
          guint index;

          start = (start + 7) & ~(gsize) 7;
          if (end > table || end < start + 2 + 1 + 4)
            return FALSE;
          /* "(bs)" after the last zero; before it the value: the boolean,
           * then the string with its own zero. */
          sep = end - 5;
          if (data[sep] != '\0' || memcmp (data + sep + 1, "(bs)", 4) != 0 ||
              data[sep - 1] != '\0' || data[start] > 1 ||
              memchr (data + start + 1, '\0', sep - 1 - (start + 1)) != NULL)
            return FALSE;
          if (pass == 1)
            {
              index = g_array_index (run->slot_input, guint, first_slot + k);
              g_ptr_array_index (run->texts, index) = (char *) data + start + 1;
              run->oks->data[index] = data[start];
            }
          start = end;
        }
    }
  return TRUE;
}

static void
hash_task_done_cb (FyFuture *future,
                   gpointer  data)
{
  HashTask *task = data;
  Run *run = task->run;
  guint n = MAX (fy_future_get_n_items (future), 1);
  int cpu;

  /* Cancelled because the run was interrupted: not finished. */
  if (run->interrupted && fy_future_get_state (future) == FY_FUTURE_STATE_CANCELLED)
    return;
  cpu = run->last_cpu != NULL ? worker_last_cpu (fy_future_get_worker_pid (future)) : -1;
  if (!run->json && fy_future_get_state (future) == FY_FUTURE_STATE_DONE)
    read_chunk_outcomes (run, future, task->first_slot, n);
  for (guint k = 0; k < n; k++)
    record_input (run, future, k, g_array_index (run->slot_input, guint, task->first_slot + k), cpu);
}

/* [{"path": …, "reason": …}, …] from alternating path, reason. */
static void
add_pairs_json (JsonBuilder *builder,
                const char  *name,
                GPtrArray   *pairs)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      fy_result_json_add_path (builder, g_ptr_array_index (pairs, i));
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, g_ptr_array_index (pairs, i + 1));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static double
cpu_seconds_used (void)
{
  struct rusage self, children;

  getrusage (RUSAGE_SELF, &self);
  getrusage (RUSAGE_CHILDREN, &children);
  return self.ru_utime.tv_sec + self.ru_stime.tv_sec +
         children.ru_utime.tv_sec + children.ru_stime.tv_sec +
         (self.ru_utime.tv_usec + self.ru_stime.tv_usec +
          children.ru_utime.tv_usec + children.ru_stime.tv_usec) / 1e6;
}

static void
print_json (Run    *run,
            int     n_workers,
            double  wall_seconds)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "workload");
  json_builder_add_string_value (builder, run->command);
  json_builder_set_member_name (builder, "workers");
  json_builder_add_int_value (builder, n_workers);
  json_builder_set_member_name (builder, "tasks");
  json_builder_add_int_value (builder, run->inputs->len);
  json_builder_set_member_name (builder, "completed");
  json_builder_add_int_value (builder, run->n_finished - run->n_failed);
  json_builder_set_member_name (builder, "interrupted");
  json_builder_add_boolean_value (builder, run->interrupted);

  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < run->inputs->len; i++)
    {
      FyFuture *future = g_ptr_array_index (run->futures, i);
      guint item = g_array_index (run->items, guint, i);
      g_autofree char *reason = NULL;
      g_autoptr(GVariant) result = future ? input_result (run, i, future, item, &reason) : NULL;

      if (result != NULL)
        {
          gint64 started_at, finished_at;
          JsonNode *node;

          if (!fy_future_get_item_times (future, item, &started_at, &finished_at))
            {
              started_at = fy_future_get_started_at (future);
              finished_at = fy_future_get_finished_at (future);
            }
          node = fy_result_json_new_value (run->command, g_ptr_array_index (run->inputs, i), result,
                                           fy_future_get_worker_pid (future),
                                           (finished_at - started_at) / (double) G_USEC_PER_SEC);

          /* Pinned: which of the CPUs each task ended on (load says it
           * itself, from inside the worker). */
          if (run->last_cpu != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
              !json_object_has_member (json_node_get_object (node), "cpu"))
            json_object_set_int_member (json_node_get_object (node), "cpu",
                                        g_array_index (run->last_cpu, int, i));
          json_builder_add_value (builder, node);
        }
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_array (builder);

  if (run->last_cpu != NULL)
    {
      g_autofree char *list = fy_cpu_list_format (&run->cpu_set);

      json_builder_set_member_name (builder, "cpus");
      json_builder_add_string_value (builder, list);
      /* For every input, also those whose result is a bare number. */
      json_builder_set_member_name (builder, "last_cpus");
      json_builder_begin_array (builder);
      for (guint i = 0; i < run->inputs->len; i++)
        json_builder_add_int_value (builder, g_array_index (run->last_cpu, int, i));
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "failed");
  json_builder_begin_array (builder);
  for (guint i = 0; i < run->inputs->len; i++)
    {
      FyFuture *future = g_ptr_array_index (run->futures, i);
      g_autofree char *reason = NULL;
      g_autoptr(GVariant) result = NULL;
      const GError *error;
      int exitcode;

      if (future == NULL)
        continue;
      /* A file of a batch can fail while its task succeeded. */
      result = input_result (run, i, future, g_array_index (run->items, guint, i), &reason);
      if (result != NULL)
        continue;
      error = fy_future_get_error (future);
      exitcode = fy_future_get_worker_exitcode (future);

      json_builder_add_value (builder,
                              fy_result_json_new_failure (i, g_ptr_array_index (run->inputs, i),
                                                          error ? error->message
                                                          : fy_future_get_state (future) == FY_FUTURE_STATE_DONE ? reason
                                                          : "cancelled",
                                                          fy_future_get_worker_pid (future), exitcode));
    }
  json_builder_end_array (builder);

  if (run->walk != NULL)
    {
      add_pairs_json (builder, "skipped", run->walk->skipped);
      add_pairs_json (builder, "walk_errors", run->walk->errors);
    }
  if (g_str_equal (run->command, "hash"))
    {
      /* Which digest ran, and the two rates that chose it. */
      json_builder_set_member_name (builder, "engine");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, fy_hash_engine_name (run->engine.engine));
      json_builder_set_member_name (builder, "openssl_mib_per_s");
      json_builder_add_double_value (builder, run->engine.openssl_mib_per_s);
      json_builder_set_member_name (builder, "lanes_mib_per_s");
      json_builder_add_double_value (builder, run->engine.lanes_mib_per_s);
      json_builder_set_member_name (builder, "forced");
      json_builder_add_boolean_value (builder, run->engine.forced);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "wall_seconds");
  json_builder_add_double_value (builder, wall_seconds);
  json_builder_set_member_name (builder, "cpu_seconds");
  json_builder_add_double_value (builder, cpu_seconds_used ());
  json_builder_set_member_name (builder, "tasks_per_second");
  json_builder_add_double_value (builder, wall_seconds > 0 ? run->n_finished / wall_seconds : 0);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

/* ---- running -------------------------------------------------------------- */

static gboolean
interrupt_cb (gpointer user_data)
{
  Run *run = user_data;

  run->interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

/* The children [@first, @last) of @array, as a new array. */
static GVariant *
slice_array (GVariant *array,
             gsize     first,
             gsize     last)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (g_variant_get_type (array));

  for (gsize i = first; i < last; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (array, i);

      g_variant_builder_add_value (builder, child);
    }
  return g_variant_builder_end (builder);
}

/* Large files one by one, so the workers share them evenly; then the small
 * ones in chunks of a few dozen, so that a tree of small files costs one
 * round trip per chunk, not per file. Every file is still its own future. */
static FyFutureIter *
start_hash_tasks (Run     *run,
                  FyPool  *pool,
                  GError **error)
{
  gsize n_tasks = g_variant_n_children (run->arguments);
  gsize n_large = MIN (run->n_large_tasks, n_tasks);
  gsize n_small = n_tasks - n_large;
  guint n_workers = (guint) MAX (fy_pool_get_n_workers (pool), 1);
  /* About eight chunks per worker, so the last ones finish close together. */
  int small_chunk = (int) CLAMP (n_small / (8 * n_workers), 1, 64);
  g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

  if (n_large > 0)
    {
      g_autoptr(GVariant) large = g_variant_ref_sink (slice_array (run->arguments, 0, n_large));
      g_autoptr(GPtrArray) some = fy_pool_submit_map (pool, run->workload, large, 1, error);

      if (some == NULL)
        return NULL;
      for (guint i = 0; i < some->len; i++)
        g_ptr_array_add (futures, g_object_ref (g_ptr_array_index (some, i)));
    }
  if (n_small > 0)
    {
      g_autoptr(GVariant) small = g_variant_ref_sink (slice_array (run->arguments, n_large, n_tasks));
      g_autoptr(GPtrArray) some = fy_pool_submit_map (pool, run->workload, small, small_chunk, error);

      if (some == NULL)
        return NULL;
      for (guint i = 0; i < some->len; i++)
        g_ptr_array_add (futures, g_object_ref (g_ptr_array_index (some, i)));
    }
  return fy_future_as_completed (futures);
}

/* Submits hash's two map calls (large files one per task, small ones in
 * chunks) and watches their tasks as they finish. The tasks are read
 * from the pool's task list, which they join at its end, in order. */
static gboolean
start_hash_chunks (Run     *run,
                   FyPool  *pool,
                   GError **error)
{
  GListModel *tasks = fy_pool_get_tasks (pool);
  guint before = g_list_model_get_n_items (tasks);
  guint after;
  guint slot = 0;

  if (g_variant_n_children (run->large_arguments) > 0)
    {
      g_autoptr(FyFutureIter) iter = fy_pool_imap_unordered (pool, run->workload, run->large_arguments, 1, error);

      if (iter == NULL)
        return FALSE;
    }
  if (g_variant_n_children (run->small_arguments) > 0)
    {
      g_autoptr(FyFutureIter) iter = fy_pool_imap_unordered (pool, run->workload, run->small_arguments,
                                                             run->small_chunk, error);

      if (iter == NULL)
        return FALSE;
    }

  after = g_list_model_get_n_items (tasks);
  for (guint i = before; i < after; i++)
    {
      g_autoptr(FyFuture) future = g_list_model_get_item (tasks, i);
      HashTask *task = g_new (HashTask, 1);

      task->run = run;
      task->first_slot = slot;
      slot += MAX (fy_future_get_n_items (future), 1);
      fy_future_add_done_callback (future, hash_task_done_cb, task, g_free);
    }
  g_assert (slot == run->inputs->len);
  return TRUE;
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static FyFutureIter *
start_tasks (Run     *run,
             FyPool  *pool,
             GError **error)
{
  g_autoptr(GPtrArray) futures = NULL;

  switch (run->mode)
    {
    case RUN_MODE_IMAP:
      return fy_pool_imap (pool, run->workload, run->arguments, run->chunksize, error);
    case RUN_MODE_UNORDERED:
      return fy_pool_imap_unordered (pool, run->workload, run->arguments, run->chunksize, error);
    case RUN_MODE_SUBMIT:
      futures = g_ptr_array_new_with_free_func (g_object_unref);
      for (gsize i = 0; i < g_variant_n_children (run->arguments); i++)
        {
          g_autoptr(GVariant) argument = g_variant_get_child_value (run->arguments, i);
          FyFuture *future = fy_pool_submit (pool, run->workload, argument, error);

          if (future == NULL)
            return NULL;
          g_ptr_array_add (futures, future);
        }
      return fy_future_as_completed (futures);
    case RUN_MODE_MAP:
    default:
      if (g_str_equal (run->command, "hash") && run->auto_chunks)
        return start_hash_tasks (run, pool, error);
      futures = fy_pool_submit_map (pool, run->workload, run->arguments, run->chunksize, error);
      return futures ? fy_future_as_completed (futures) : NULL;
    }
}

static int
run_on_pool (Run *run)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) index_of = g_hash_table_new (NULL, NULL);
  GPtrArray *ordered;
  guint sigint_id, sigterm_id;
  guint wake_id = 0;
  double wall_seconds;
  gint64 last_draw = 0;
  int n_workers;

  if (run->workers > 0 && !fy_pool_set_n_workers (pool, run->workers, &error))
    {
      fy_cli_error ("%s: %s", run->command, error->message);
      return FY_CLI_EXIT_USAGE;
    }
  fy_pool_set_crash_policy (pool, run->policy, run->retries);
  if (run->timeout > 0)
    fy_pool_set_task_timeout (pool, run->timeout);
  n_workers = fy_pool_get_n_workers (pool);

  /* Workers read the list when they start and pin themselves before any
   * task; replacements read it too. */
  if (run->cpus != NULL)
    {
      g_autofree char *list = fy_cpu_list_format (&run->cpu_set);

      g_setenv (FY_WORKER_CPUS_ENV, list, TRUE);
      run->last_cpu = g_array_new (FALSE, TRUE, sizeof (int));
      g_array_set_size (run->last_cpu, run->inputs->len);
    }

  /* A directory that could not be read is reported first, as find
   * reports it where it meets it; the run goes on without it. */
  if (run->walk != NULL && !run->json)
    for (guint i = 0; i + 1 < run->walk->errors->len; i += 2)
      fy_cli_error ("%s: %s", (char *) g_ptr_array_index (run->walk->errors, i),
                    (char *) g_ptr_array_index (run->walk->errors, i + 1));

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, run);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, run);

  run->started_at = g_get_monotonic_time ();
  /* Slots stay NULL for tasks that never finished (an interrupted run). */
  run->futures = g_ptr_array_new_with_free_func (unref_if_set);
  g_ptr_array_set_size (run->futures, run->inputs->len);

  run->items = g_array_new (FALSE, TRUE, sizeof (guint));
  g_array_set_size (run->items, run->inputs->len);
  if (run->chunked_hash)
    {
      run->texts = g_ptr_array_new ();
      g_ptr_array_set_size (run->texts, run->inputs->len);
      run->oks = g_byte_array_sized_new (run->inputs->len);
      g_byte_array_set_size (run->oks, run->inputs->len);
    }

  if (!fy_pool_start (pool, &error) ||
      (run->chunked_hash ? !start_hash_chunks (run, pool, &error)
       : (iter = start_tasks (run, pool, &error)) == NULL))
    {
      fy_cli_error ("%s: %s", run->command, error->message);
      g_source_remove (sigint_id);
      g_source_remove (sigterm_id);
      fy_pool_terminate (pool);
      fy_pool_join (pool, 10, NULL);
      return FY_CLI_EXIT_FAILED;
    }

  ordered = iter != NULL ? fy_future_iter_get_futures (iter) : NULL;
  for (guint i = 0; ordered != NULL && i < ordered->len; i++)
    g_hash_table_insert (index_of, g_ptr_array_index (ordered, i), GUINT_TO_POINTER (i));
  /* The chunks record themselves as they finish; the loop only has to
   * look at the clock now and then for the progress bar. */
  if (iter == NULL)
    wake_id = g_timeout_add (100, wake_cb, NULL);

  while (!run->interrupted)
    {
      g_autoptr(FyFuture) future = NULL;
      g_autoptr(GError) next_error = NULL;

      if (iter == NULL)
        {
          if (run->n_finished >= run->inputs->len)
            break;
          g_main_context_iteration (NULL, TRUE);
        }
      else if (fy_future_iter_next (iter, 0.1, &future, &next_error))
        record_finished (run, future,
                         GPOINTER_TO_UINT (g_hash_table_lookup (index_of, future)));
      else if (next_error == NULL)
        break;
      else if (!g_error_matches (next_error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT))
        {
          fy_cli_error ("%s: %s", run->command, next_error->message);
          break;
        }

      if (g_get_monotonic_time () - last_draw > G_USEC_PER_SEC / 10)
        {
          draw_progress (run);
          last_draw = g_get_monotonic_time ();
        }
    }

  if (run->interrupted)
    {
      /* Stop the workers now; what finished is still reported. */
      fy_pool_terminate (pool);
      fy_pool_join (pool, 10, NULL);
      for (guint i = 0; ordered != NULL && i < ordered->len; i++)
        {
          FyFuture *future = g_ptr_array_index (ordered, i);

          if (fy_future_is_finished (future) &&
              fy_future_get_state (future) != FY_FUTURE_STATE_CANCELLED)
            record_finished (run, future, i);
        }
    }
  else
    {
      fy_pool_close (pool);
      fy_pool_join (pool, -1, NULL);
    }

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (wake_id != 0)
    g_source_remove (wake_id);
  wall_seconds = (g_get_monotonic_time () - run->started_at) / (double) G_USEC_PER_SEC;
  clear_progress (run);

  if (run->json)
    print_json (run, n_workers, wall_seconds);
  fflush (stdout);

  if (run->interrupted)
    {
      fy_cli_error (_("%s: interrupted; %u of %u tasks finished"), run->command,
                    run->n_finished, run->inputs->len);
      return FY_CLI_EXIT_INTERRUPTED;
    }
  return run->n_failed > 0 || run->n_finished < run->inputs->len ||
         (run->walk != NULL && run->walk->errors->len > 0)
    ? FY_CLI_EXIT_FAILED : FY_CLI_EXIT_OK;
}

int
fy_cli_run_main (int    argc,
                 char **argv)
{
  g_auto(Run) run = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  run.command = argv[0];
  status = parse_options (&run, argc, argv);
  if (status != FY_CLI_EXIT_OK)
    return status;

  if (!build_tasks (&run, &error))
    {
      fy_cli_error ("%s: %s", run.command, error->message);
      return FY_CLI_EXIT_FAILED;
    }

  return run_on_pool (&run);
}
