/* fy-cli-run-tasks.c: the inputs and tasks of forkyard-cli's pool runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One task per input: a number for fib, sumsq and sleep, a load for each
 * worker, a file for hash and resize (walked from the PATHs, or the
 * sample set). Files are handed out largest first, so that no worker is
 * left alone with a big file at the end while the others idle: the
 * tasks' order is not the inputs' order, and slot_input maps one to the
 * other. Only where the eight-lane digest measures faster than OpenSSL
 * does a hash task carry up to eight files of similar size, which the
 * worker digests side by side; where two streams of SHA-NI do, large
 * files go two to a task (fy-cli-run-hash.c).
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "fy-cli-run-private.h"
#include "fy-sample-data.h"
#include "fy-sha256.h"
#include "fy-workload.h"

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

void
fy_cli_run_sort_largest_first (GArray *files,
                               GArray *inputs)
{
  sort_by_size_files = files;
  g_array_sort (inputs, compare_sizes_descending);
  sort_by_size_files = NULL;
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
  fy_cli_run_sort_largest_first (files, run->slot_input);
  for (guint i = 0; i < files->len; i++)
    g_array_index (run->input_slot, guint, g_array_index (run->slot_input, guint, i)) = i;
}

static gpointer
choose_engine_thread (gpointer data)
{
  fy_hash_engine_choose (data);
  return NULL;
}

/* The files of hash and resize, walked from the PATHs or the sample
 * set. For hash, the engines are timed on another thread meanwhile: the
 * few milliseconds it takes cost no wall time. */
gboolean
fy_cli_run_walk_inputs (Run     *run,
                        GError **error)
{
  gboolean ok = TRUE;

  if (g_str_equal (run->command, "hash"))
    run->engine_thread = g_thread_new ("hash-engine", choose_engine_thread, &run->engine);

  run->walk = fy_cli_walk_new ();
  if (run->stream != NULL)
    {
      run->walk->file_added = fy_cli_run_stream_file_added;
      run->walk->file_added_data = run;
      /* The workers learn each file's size as they open it, and hand the
       * large ones back (fy-cli-run-hash.c). */
      run->walk->regular_files_unsized = TRUE;
    }
  if (run->paths == NULL || run->paths[0] == NULL)
    {
      FySampleSet set = g_str_equal (run->command, "hash") ? FY_SAMPLE_SET_FILES : FY_SAMPLE_SET_IMAGES;
      g_autoptr(GPtrArray) samples = fy_sample_data_list (set, error);

      ok = samples != NULL;
      for (guint i = 0; ok && i < samples->len; i++)
        fy_cli_walk_add_file (run->walk, g_ptr_array_index (samples, i));
    }
  else
    {
      for (guint i = 0; run->paths[i] != NULL; i++)
        fy_cli_walk_add (run->walk, run->paths[i]);
    }
  /* The stream may have joined it already, for its first chunk. */
  if (run->engine_thread != NULL)
    g_thread_join (g_steal_pointer (&run->engine_thread));
  if (run->stream != NULL)
    fy_cli_run_stream_walk_done (run);
  return ok;
}

gboolean
fy_cli_run_build_tasks (Run     *run,
                        GError **error)
{
  g_autoptr(GVariantBuilder) builder = NULL;
  GArray *files;
  const FyWorkloadInfo *info = fy_workload_lookup (run->command);
  g_autofree char *array_type = g_strdup_printf ("a%s", info->argument_type);

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

  if (run->walk == NULL && !fy_cli_run_walk_inputs (run, error))
    return FALSE;
  files = run->walk->files;

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
      /* A pool's task timeout applies to a chunk as a whole: with
       * --timeout, each file stays a task of its own, so that the limit is
       * per file as its help says. */
      if (run->auto_chunks && run->mode == RUN_MODE_MAP && run->timeout == 0)
        {
          fy_cli_run_build_hash_chunks (run, files);
          return TRUE;
        }
      if (run->engine.engine == FY_HASH_ENGINE_LANES)
        {
          guint n_workers = (guint) (run->workers > 0 ? run->workers : (int) g_get_num_processors ());
          guint per_worker = (files->len + n_workers - 1) / MAX (n_workers, 1);

          /* No more files in a task than a worker's share, so that every
           * worker gets some; and the lanes only where, that full, they
           * still beat the one stream (eight files on two workers are two
           * tasks of four, half the lanes each). */
          run->batch_size = CLAMP (per_worker, 1, FY_SHA256_LANES);
          if (!run->engine.forced &&
              run->engine.lanes_mib_per_s * run->batch_size / FY_SHA256_LANES <= run->engine.openssl_mib_per_s)
            {
              run->engine.engine = FY_HASH_ENGINE_OPENSSL;
              run->batch_size = 1;
            }
        }
      if (run->engine.engine == FY_HASH_ENGINE_LANES)
        {
          /* Neighbours in size order are of similar length, so the lanes
           * of a task stay busy together. */
          run->workload = "hash-batch";
          g_variant_builder_unref (builder);
          builder = g_variant_builder_new (G_VARIANT_TYPE ("aaay"));
        }
      /* The pairs need two files in a task; a task of one file hashes
       * through OpenSSL, and --json says so. */
      else if (run->engine.engine == FY_HASH_ENGINE_PAIRS)
        run->engine.engine = FY_HASH_ENGINE_OPENSSL;
      run->large_engine = run->small_engine = run->engine.engine;
    }

  /* Nothing went out during the walk: the stream is only made for runs
   * that end up in chunks, and the lanes never start it. */
  g_assert (run->stream == NULL || run->stream->n_streamed == 0);
  order_by_size (run, files);

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
