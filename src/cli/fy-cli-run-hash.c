/* fy-cli-run-hash.c: hash's files handed to the workers in chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Large files go largest first, in tasks of a few of about a size, so
 * that the workers share them evenly; small ones in chunks in the walk's
 * order, so that a tree of small files costs one round trip per chunk,
 * not per file, and the files of a chunk mostly share a directory (the
 * worker opens each by its name in the directory it holds open). A chunk
 * is one task of hash-files, hash-pairs or hash-lanes, whose packed
 * result is read here without a value made per file; every file keeps
 * its own outcome, worker and time. Chunks of small files may
 * already have gone out during the walk (fy-cli-run-stream.c): they come
 * first in the slots, and what is built here follows them.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fy-sha256.h"

#include "fy-cli-run-private.h"

/* The packed workload of an engine's chunks. */
const char *
fy_cli_run_hash_workload (FyHashEngine engine)
{
  if (engine == FY_HASH_ENGINE_LANES)
    return "hash-lanes";
  return engine == FY_HASH_ENGINE_PAIRS ? "hash-pairs" : "hash-files";
}

/* Appends a chunk of @n slots from @first to the chunks and @builder. */
static void
add_chunk (Run             *run,
           GVariantBuilder *builder,
           GArray          *files,
           guint            first,
           guint            n)
{
  g_autofree const char **paths = g_new (const char *, MAX (n, 1));

  for (guint k = 0; k < n; k++)
    paths[k] = g_array_index (files, FyCliWalkFile, g_array_index (run->slot_input, guint, first + k)).path;
  g_array_append_val (run->chunk_starts, first);
  g_variant_builder_add_value (builder, g_variant_new_bytestring_array (paths, n));
}

/* The rate of @engine on one core, as timed. */
static double
engine_rate (const FyHashEngineChoice *choice,
             FyHashEngine              engine)
{
  if (engine == FY_HASH_ENGINE_LANES)
    return choice->lanes_mib_per_s;
  return engine == FY_HASH_ENGINE_PAIRS ? choice->pairs_mib_per_s : choice->openssl_mib_per_s;
}

/* Appends the chunks of the @n large files at slots [@first, …), largest
 * first. They are cut in groups of neighbours in size of about a
 * LARGE_TASKS_PER_WORKER-th of a worker's share of their bytes, so that
 * no group leaves a worker alone at the end, and of at most eight files.
 * A group goes to the lanes as one task where it has files enough that
 * the lanes, that full, beat the stream; otherwise its files go to the
 * stream engine, two to a task for the pairs, else one. */
static void
add_large_chunks (Run             *run,
                  GVariantBuilder *builder,
                  GArray          *files,
                  guint            first,
                  guint            n,
                  guint            n_workers)
{
  FyHashEngine stream = run->engine.stream_engine;
  guint per_stream_task = stream == FY_HASH_ENGINE_PAIRS ? 2 : 1;
  gboolean lanes = run->engine.engine == FY_HASH_ENGINE_LANES;
  guint64 total = 0;
  guint64 target;
  guint end;

  run->large_workloads = g_ptr_array_new ();
  /* With no large file, nothing chose otherwise. */
  run->large_engine = lanes && n > 0 ? stream : run->engine.engine;
  for (guint k = 0; k < n; k++)
    total += g_array_index (files, FyCliWalkFile, g_array_index (run->slot_input, guint, first + k)).size;
  target = MAX (total / (LARGE_TASKS_PER_WORKER * n_workers), 1);

  for (guint k = 0; k < n; k = end)
    {
      guint64 bytes = 0;
      guint n_group;

      if (!lanes)
        {
          /* No lanes: the groups are the stream's tasks. */
          end = MIN (k + per_stream_task, n);
          add_chunk (run, builder, files, first + k, end - k);
          g_ptr_array_add (run->large_workloads, (gpointer) fy_cli_run_hash_workload (run->engine.engine));
          continue;
        }

      for (end = k; end < n && end - k < FY_SHA256_LANES; end++)
        {
          guint64 size = g_array_index (files, FyCliWalkFile, g_array_index (run->slot_input, guint, first + end)).size;

          if (end > k && bytes + size > target)
            break;
          bytes += size;
        }
      n_group = end - k;
      if (stream == FY_HASH_ENGINE_LANES ||
          engine_rate (&run->engine, FY_HASH_ENGINE_LANES) * n_group / FY_SHA256_LANES >
          engine_rate (&run->engine, stream))
        {
          add_chunk (run, builder, files, first + k, n_group);
          g_ptr_array_add (run->large_workloads, (gpointer) "hash-lanes");
          run->large_engine = FY_HASH_ENGINE_LANES;
          continue;
        }
      for (guint j = k; j < end; j += per_stream_task)
        {
          add_chunk (run, builder, files, first + j, MIN (per_stream_task, end - j));
          g_ptr_array_add (run->large_workloads, (gpointer) fy_cli_run_hash_workload (stream));
        }
    }
}

/* The files not handed out during the walk (all of them, when nothing
 * streamed): those of SMALL_FILE_SIZE or more as add_large_chunks ()
 * groups them, largest first; then the small ones in the walk's order,
 * in chunks of about equal cost that shrink toward the end. Chunks the
 * walk made that are still of the full cost here go out as they are; the
 * last ones are cut again, smaller. Slots follow the chunks handed out
 * already. */
void
fy_cli_run_build_hash_chunks (Run    *run,
                              GArray *files)
{
  guint n_workers = (guint) (run->workers > 0 ? run->workers : (int) g_get_num_processors ());
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("aaay"));
  g_autoptr(GArray) large = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) small = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  HashStream *stream = run->stream;
  guint64 left = 0;
  guint64 share;
  guint slot;
  guint c;

  if (run->slot_input == NULL)
    {
      run->slot_input = g_array_new (FALSE, FALSE, sizeof (guint));
      run->chunk_starts = g_array_new (FALSE, FALSE, sizeof (guint));
    }

  for (guint input = 0; input < files->len; input++)
    if (g_array_index (files, FyCliWalkFile, input).size >= SMALL_FILE_SIZE)
      g_array_append_val (large, input);
  fy_cli_run_sort_largest_first (files, large);

  /* Small files go in chunks to the fastest engine; large ones as
   * add_large_chunks () shares them out. */
  run->small_engine = run->engine.engine;
  run->workload = fy_cli_run_hash_workload (run->small_engine);

  /* The small files left: the walk's chunks not handed out, then the
   * files after them. */
  if (stream != NULL)
    {
      HashStreamChunk *chunk;

      while ((chunk = g_async_queue_try_pop (stream->queue)) != NULL)
        g_ptr_array_add (stream->ready, chunk);
      for (c = 0; c < stream->ready->len; c++)
        left += ((HashStreamChunk *) g_ptr_array_index (stream->ready, c))->cost;
      left += stream->pending_cost;
    }
  else
    for (guint input = 0; input < files->len; input++)
      {
        guint64 size = g_array_index (files, FyCliWalkFile, input).size;

        if (size < SMALL_FILE_SIZE)
          {
            g_array_append_val (small, input);
            left += size + HASH_FILE_COST;
          }
      }
  share = MAX (left / n_workers, 1);

  /* A chunk of the walk stays whole while the chunks cut here would be
   * of the full cost too. */
  if (stream != NULL)
    {
      guint64 rest = left;

      for (c = 0; c < stream->ready->len; c++)
        {
          HashStreamChunk *chunk = g_ptr_array_index (stream->ready, c);

          if (MIN (CLAMP (rest / (SMALL_CHUNKS_PER_WORKER * n_workers), SMALL_CHUNK_MIN_COST,
                          SMALL_CHUNK_MAX_COST), share) < SMALL_CHUNK_MAX_COST)
            break;
          g_ptr_array_add (kept, chunk);
          rest -= chunk->cost;
        }
      for (; c < stream->ready->len; c++)
        {
          HashStreamChunk *chunk = g_ptr_array_index (stream->ready, c);

          g_array_append_vals (small, chunk->inputs->data, chunk->inputs->len);
        }
      g_array_append_vals (small, stream->pending->data, stream->pending->len);
    }

  slot = run->slot_input->len;
  g_array_append_vals (run->slot_input, large->data, large->len);
  add_large_chunks (run, builder, files, slot, large->len, n_workers);
  for (c = 0; c < kept->len; c++)
    {
      HashStreamChunk *chunk = g_ptr_array_index (kept, c);

      g_array_append_val (run->chunk_starts, run->slot_input->len);
      g_array_append_vals (run->slot_input, chunk->inputs->data, chunk->inputs->len);
      g_variant_builder_add_value (builder, chunk->paths);
      left -= chunk->cost;
    }

  slot = run->slot_input->len;
  g_array_append_vals (run->slot_input, small->data, small->len);
  while (slot < run->slot_input->len)
    {
      /* Never more than a worker's share of all the small files: a few
       * of them still go to every worker. */
      guint64 target = MIN (CLAMP (left / (SMALL_CHUNKS_PER_WORKER * n_workers), SMALL_CHUNK_MIN_COST,
                                   SMALL_CHUNK_MAX_COST),
                            share);
      guint64 cost = 0;
      guint first = slot;

      /* Up to the target, not past it: two files of about a share each
       * make two chunks. */
      while (slot < run->slot_input->len)
        {
          guint64 next = g_array_index (files, FyCliWalkFile, g_array_index (run->slot_input, guint, slot)).size
                         + HASH_FILE_COST;

          if (slot > first && cost + next > target)
            break;
          cost += next;
          slot++;
        }
      left -= MIN (cost, left);
      add_chunk (run, builder, files, first, slot - first);
    }
  g_array_append_val (run->chunk_starts, slot);
  g_assert (run->slot_input->len == files->len);

  run->input_slot = g_array_sized_new (FALSE, FALSE, sizeof (guint), files->len);
  g_array_set_size (run->input_slot, files->len);
  for (slot = 0; slot < files->len; slot++)
    g_array_index (run->input_slot, guint, g_array_index (run->slot_input, guint, slot)) = slot;

  g_assert (stream == NULL || stream->n_streamed == 0 || g_str_equal (stream->workload, run->workload));
  run->chunked_hash = TRUE;
  run->n_large_tasks = large->len;
  run->chunk_arguments = g_variant_ref_sink (g_variant_builder_end (builder));
  run->texts = g_ptr_array_new ();
  g_ptr_array_set_size (run->texts, files->len);
  run->oks = g_byte_array_sized_new (files->len);
  g_byte_array_set_size (run->oks, files->len);
  run->hex = g_malloc ((gsize) files->len * (2 * FY_SHA256_DIGEST_SIZE + 1) + 1);
  run->reasons = g_ptr_array_new_with_free_func (g_free);
  run->micros = g_array_new (FALSE, TRUE, sizeof (guint32));
  g_array_set_size (run->micros, files->len);
}

/* A chunk of hash-files finished. */
typedef struct
{
  Run   *run;
  guint  chunk;
} HashTask;

/* Reads a finished chunk's packed outcomes into the run: each file's
 * digest as text, or its reason, and its time. FALSE, with nothing
 * stored, for a result that does not fit the chunk. */
static gboolean
read_chunk_outcomes (Run      *run,
                     FyFuture *future,
                     guint     first_slot,
                     guint     n)
{
  GVariant *result = fy_future_get_result_value (future);
  g_autoptr(GVariant) digests_value = NULL;
  g_autoptr(GVariant) micros_value = NULL;
  g_autoptr(GVariant) failures = NULL;
  const guint8 *digests;
  const guint32 *micros;
  gsize n_bytes, n_micros, n_failures;

  if (result == NULL || !g_variant_is_of_type (result, G_VARIANT_TYPE ("(ayaua(us))")))
    return FALSE;
  g_variant_get (result, "(@ay@au@a(us))", &digests_value, &micros_value, &failures);
  digests = g_variant_get_fixed_array (digests_value, &n_bytes, 1);
  micros = g_variant_get_fixed_array (micros_value, &n_micros, sizeof (guint32));
  n_failures = g_variant_n_children (failures);
  if (n_bytes != (gsize) n * FY_SHA256_DIGEST_SIZE || n_micros != n)
    return FALSE;
  for (gsize f = 0; f < n_failures; f++)
    {
      guint32 k;

      g_variant_get_child (failures, f, "(u&s)", &k, NULL);
      if (k >= n)
        return FALSE;
    }

  for (guint k = 0; k < n; k++)
    {
      guint index = g_array_index (run->slot_input, guint, first_slot + k);
      char *text = run->hex + (gsize) index * (2 * FY_SHA256_DIGEST_SIZE + 1);

      fy_sha256_to_hex (digests + (gsize) k * FY_SHA256_DIGEST_SIZE, text);
      g_ptr_array_index (run->texts, index) = text;
      run->oks->data[index] = TRUE;
      g_array_index (run->micros, guint32, index) = micros[k];
    }
  for (gsize f = 0; f < n_failures; f++)
    {
      const char *reason;
      guint32 k;
      guint index;

      g_variant_get_child (failures, f, "(u&s)", &k, &reason);
      index = g_array_index (run->slot_input, guint, first_slot + k);
      g_ptr_array_add (run->reasons, g_strdup (reason));
      g_ptr_array_index (run->texts, index) = g_ptr_array_index (run->reasons, run->reasons->len - 1);
      run->oks->data[index] = FALSE;
    }
  return TRUE;
}

/* Records each file of chunk @chunk, which @future ran. */
static void
record_chunk (Run      *run,
              FyFuture *future,
              guint     chunk)
{
  guint first = g_array_index (run->chunk_starts, guint, chunk);
  guint n = g_array_index (run->chunk_starts, guint, chunk + 1) - first;
  int cpu;

  cpu = run->last_cpu != NULL ? fy_cli_run_worker_last_cpu (fy_future_get_worker_pid (future)) : -1;
  /* A chunk that failed as a whole (its worker died, say) leaves its
   * texts unset: each of its files then reports the task's error. */
  if (fy_future_get_state (future) == FY_FUTURE_STATE_DONE &&
      !read_chunk_outcomes (run, future, first, n))
    for (guint k = 0; k < n; k++)
      {
        guint index = g_array_index (run->slot_input, guint, first + k);

        g_ptr_array_index (run->texts, index) = (char *) _("the worker’s result does not fit its files");
        run->oks->data[index] = FALSE;
      }
  for (guint k = 0; k < n; k++)
    fy_cli_run_record_input (run, future, 0, g_array_index (run->slot_input, guint, first + k), cpu);
}

static void
hash_task_done_cb (FyFuture *future,
                   gpointer  data)
{
  HashTask *task = data;
  Run *run = task->run;
  HashStream *stream = run->stream;

  if (stream != NULL && task->chunk < stream->n_streamed)
    stream->n_in_flight--;
  /* Back during the walk: the run does not know its inputs yet. */
  if (!run->recording && stream != NULL)
    {
      g_ptr_array_add (stream->early, g_object_ref (future));
      g_array_append_val (stream->early_chunks, task->chunk);
      return;
    }
  /* Cancelled because the run was interrupted: not finished. */
  if (run->interrupted && fy_future_get_state (future) == FY_FUTURE_STATE_CANCELLED)
    return;
  record_chunk (run, future, task->chunk);
}

/* Records chunk @chunk when @future finishes. */
void
fy_cli_run_watch_hash_chunk (Run      *run,
                             FyFuture *future,
                             guint     chunk)
{
  HashTask *task = g_new (HashTask, 1);

  task->run = run;
  task->chunk = chunk;
  fy_future_add_done_callback (future, hash_task_done_cb, task, g_free);
}

/* The chunks that came back during the walk, now that the run records
 * results. */
void
fy_cli_run_record_early_chunks (Run *run)
{
  HashStream *stream = run->stream;

  if (stream == NULL)
    return;
  for (guint i = 0; i < stream->early->len; i++)
    record_chunk (run, g_ptr_array_index (stream->early, i),
                  g_array_index (stream->early_chunks, guint, i));
  g_ptr_array_set_size (stream->early, 0);
  g_array_set_size (stream->early_chunks, 0);
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
FyFutureIter *
fy_cli_run_start_hash_tasks (Run     *run,
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

/* Submits hash's chunks (large files one per chunk, first) and watches
 * them as they finish. The tasks are read from the pool's task list,
 * which they join at its end, in order. */
gboolean
fy_cli_run_start_hash_chunks (Run     *run,
                              FyPool  *pool,
                              GError **error)
{
  GListModel *tasks = fy_pool_get_tasks (pool);
  guint before = g_list_model_get_n_items (tasks);
  g_autoptr(FyFutureIter) iter = NULL;
  /* Those handed out during the walk are on their way already. */
  guint n_streamed = run->stream != NULL ? run->stream->n_streamed : 0;
  guint n_chunks = run->chunk_starts->len - 1 - n_streamed;

  if (n_chunks == 0)
    return TRUE;
  /* The large files' chunks first, then the small files', each run of
   * chunks of one workload submitted as a whole, in order. */
  for (guint c = 0; c < n_chunks;)
    {
      const char *workload = c < run->large_workloads->len ? g_ptr_array_index (run->large_workloads, c)
                                                           : run->workload;
      g_autoptr(GVariant) some = NULL;
      guint end = c + 1;

      while (end < n_chunks &&
             g_str_equal (end < run->large_workloads->len ? g_ptr_array_index (run->large_workloads, end)
                                                          : run->workload,
                          workload))
        end++;
      some = g_variant_ref_sink (slice_array (run->chunk_arguments, c, end));
      g_clear_pointer (&iter, fy_future_iter_unref);
      iter = fy_pool_imap_unordered (pool, workload, some, 1, error);
      if (iter == NULL)
        return FALSE;
      c = end;
    }
  g_assert (g_list_model_get_n_items (tasks) - before == n_chunks);
  for (guint c = 0; c < n_chunks; c++)
    {
      g_autoptr(FyFuture) future = g_list_model_get_item (tasks, before + c);

      fy_cli_run_watch_hash_chunk (run, future, n_streamed + c);
    }
  return TRUE;
}
