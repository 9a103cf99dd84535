/* fy-cli-run-hash.c: hash's files handed to the workers in chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small files go in chunks in the walk's order, so that a tree of small
 * files costs one round trip per chunk, not per file, and the files of a
 * chunk mostly share a directory (the worker opens each by its name in
 * the directory it holds open). The walk does not stat regular files:
 * a worker learns each size as it opens the file, and hands back unread
 * any file of SMALL_FILE_SIZE or more. Chunks go out a few per worker at
 * a time (submit_more ()), the small files' first, so that every large
 * file is known before the large ones go, largest first, in tasks of a
 * few of about a size. A chunk is one task of hash-files, hash-pairs or
 * hash-lanes, whose packed result is read here without a value made per
 * file; every file keeps its own outcome, worker and time. Chunks of
 * small files may already have gone out during the walk
 * (fy-cli-run-stream.c): they come first in the slots, and what is built
 * here follows them.
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

/* Appends a chunk of @n slots from @first to the chunks, and returns its
 * argument (floating): files of @defer_from bytes or more (0: none) come
 * back unread. */
static GVariant *
add_chunk (Run     *run,
           GArray  *files,
           guint    first,
           guint    n,
           guint64  defer_from)
{
  g_autofree const char **paths = g_new (const char *, MAX (n, 1));

  for (guint k = 0; k < n; k++)
    paths[k] = g_array_index (files, FyCliWalkFile, g_array_index (run->slot_input, guint, first + k)).path;
  g_array_append_val (run->chunk_starts, first);
  return g_variant_new ("(t@aay)", defer_from, g_variant_new_bytestring_array (paths, n));
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

/* The files not handed out during the walk (all of them, when nothing
 * streamed): the small ones, and those of unknown size, in the walk's
 * order, in chunks of about equal cost that shrink toward the end; those
 * known to be of SMALL_FILE_SIZE or more wait in run->deferred for
 * take_large_chunk (). Chunks the walk made that are still of the full
 * cost here go out as they are; the last ones are cut again, smaller.
 * Slots follow the chunks handed out already. */
void
fy_cli_run_build_hash_chunks (Run    *run,
                              GArray *files)
{
  guint n_workers = (guint) (run->workers > 0 ? run->workers : (int) g_get_num_processors ());
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a(taay)"));
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

  /* Files known to be large wait for the small ones, with those the
   * workers hand back (take_large_chunk ()). */
  run->deferred = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint input = 0; input < files->len; input++)
    {
      guint64 size = g_array_index (files, FyCliWalkFile, input).size;

      if (size != FY_CLI_WALK_SIZE_UNKNOWN && size >= SMALL_FILE_SIZE)
        g_array_append_val (run->deferred, input);
    }

  /* Small files go in chunks to the fastest engine; large ones as
   * take_large_chunk () shares them out. */
  run->small_engine = run->engine.engine;
  run->large_engine = run->engine.engine;
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

        if (size == FY_CLI_WALK_SIZE_UNKNOWN || size < SMALL_FILE_SIZE)
          {
            g_array_append_val (small, input);
            left += fy_cli_run_file_cost (size);
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
          guint64 next = fy_cli_run_file_cost (
            g_array_index (files, FyCliWalkFile, g_array_index (run->slot_input, guint, slot)).size);

          if (slot > first && cost + next > target)
            break;
          cost += next;
          slot++;
        }
      left -= MIN (cost, left);
      g_variant_builder_add_value (builder, add_chunk (run, files, first, slot - first, SMALL_FILE_SIZE));
    }
  g_array_append_val (run->chunk_starts, slot);
  g_assert (run->slot_input->len + run->deferred->len == files->len);

  run->input_slot = g_array_sized_new (FALSE, FALSE, sizeof (guint), files->len);
  g_array_set_size (run->input_slot, files->len);
  for (slot = 0; slot < run->slot_input->len; slot++)
    g_array_index (run->input_slot, guint, g_array_index (run->slot_input, guint, slot)) = slot;

  g_assert (stream == NULL || stream->n_streamed == 0 || g_str_equal (stream->workload, run->workload));
  run->chunked_hash = TRUE;
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

/* A chunk of files finished. */
typedef struct
{
  Run   *run;
  guint  chunk;
} HashTask;

/* Reads a finished chunk's packed outcomes into the run: each file's
 * digest as text, or its reason, and its time; a file the worker handed
 * back gets its size and joins the large ones, and is marked in
 * @handed_back (@n entries). FALSE, with nothing stored, for a result
 * that does not fit the chunk. */
static gboolean
read_chunk_outcomes (Run      *run,
                     FyFuture *future,
                     guint     first_slot,
                     guint     n,
                     guint8   *handed_back)
{
  GVariant *result = fy_future_get_result_value (future);
  GArray *files = run->walk->files;
  g_autoptr(GVariant) digests_value = NULL;
  g_autoptr(GVariant) micros_value = NULL;
  g_autoptr(GVariant) failures = NULL;
  g_autoptr(GVariant) deferred = NULL;
  const guint8 *digests;
  const guint32 *micros;
  gsize n_bytes, n_micros, n_failures, n_deferred;

  if (result == NULL || !g_variant_is_of_type (result, G_VARIANT_TYPE ("(ayaua(us)a(ut))")))
    return FALSE;
  g_variant_get (result, "(@ay@au@a(us)@a(ut))", &digests_value, &micros_value, &failures, &deferred);
  digests = g_variant_get_fixed_array (digests_value, &n_bytes, 1);
  micros = g_variant_get_fixed_array (micros_value, &n_micros, sizeof (guint32));
  n_failures = g_variant_n_children (failures);
  n_deferred = g_variant_n_children (deferred);
  if (n_bytes != (gsize) n * FY_SHA256_DIGEST_SIZE || n_micros != n)
    return FALSE;
  for (gsize f = 0; f < n_failures; f++)
    {
      guint32 k;

      g_variant_get_child (failures, f, "(u&s)", &k, NULL);
      if (k >= n)
        return FALSE;
    }
  for (gsize d = 0; d < n_deferred; d++)
    {
      guint32 k;
      guint64 size;

      g_variant_get_child (deferred, d, "(ut)", &k, &size);
      if (k >= n || size < SMALL_FILE_SIZE || size == FY_CLI_WALK_SIZE_UNKNOWN)
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
  for (gsize d = 0; d < n_deferred; d++)
    {
      guint32 k;
      guint64 size;
      guint index;

      g_variant_get_child (deferred, d, "(ut)", &k, &size);
      if (handed_back[k])
        continue;
      handed_back[k] = TRUE;
      index = g_array_index (run->slot_input, guint, first_slot + k);
      g_ptr_array_index (run->texts, index) = NULL;
      g_array_index (files, FyCliWalkFile, index).size = size;
      g_array_append_val (run->deferred, index);
      run->deferred_sorted = FALSE;
    }
  return TRUE;
}

/* Hands chunk @chunk, whose argument is @argument, to the pool as a task
 * of @workload. */
static gboolean
submit_chunk (Run        *run,
              const char *workload,
              GVariant   *argument,
              guint       chunk)
{
  g_autoptr(FyFuture) future = fy_pool_submit (run->pool, workload, argument, &run->late_error);

  if (future == NULL)
    return FALSE;
  run->n_out++;
  fy_cli_run_watch_hash_chunk (run, future, chunk);
  return TRUE;
}

/* The next task of large files, from run->deferred sorted largest first:
 * a group of neighbours in size of about a LARGE_TASKS_PER_WORKER-th of
 * a worker's share of the large files' bytes, and of at most eight
 * files, goes to the lanes as one task where it has files enough that
 * the lanes, that full, beat the stream; otherwise the largest file goes
 * to the stream (with the next for the pairs). Its files take slots, and
 * the chunk an index, after all the others. */
static gboolean
take_large_chunk (Run *run)
{
  GArray *files = run->walk->files;
  guint n_workers = (guint) MAX (fy_pool_get_n_workers (run->pool), 1);
  FyHashEngine stream = run->engine.stream_engine;
  g_autoptr(GVariant) argument = NULL;
  guint chunk = run->chunk_starts->len - 1;
  guint slot = run->slot_input->len;
  const char *workload;
  guint64 bytes = 0;
  guint n = 0;

  /* Sorted when files have joined (at the first large task, and after a
   * worker handed one back), not for each task: there may be thousands. */
  if (!run->deferred_sorted)
    {
      g_array_remove_range (run->deferred, 0, run->deferred_next);
      run->deferred_next = 0;
      fy_cli_run_sort_largest_first (files, run->deferred);
      run->deferred_sorted = TRUE;
    }
  if (run->large_target == 0)
    {
      guint64 total = 0;

      /* The first large chunk: --json names the stream unless a chunk
       * goes to the lanes. */
      run->large_engine = stream;
      for (guint i = 0; i < run->deferred->len; i++)
        total += g_array_index (files, FyCliWalkFile, g_array_index (run->deferred, guint, i)).size;
      run->large_target = MAX (total / (LARGE_TASKS_PER_WORKER * n_workers), 1);
    }

  if (run->engine.engine == FY_HASH_ENGINE_LANES)
    {
      while (run->deferred_next + n < run->deferred->len && n < FY_SHA256_LANES)
        {
          guint64 size = g_array_index (files, FyCliWalkFile,
                                        g_array_index (run->deferred, guint, run->deferred_next + n)).size;

          if (n > 0 && bytes + size > run->large_target)
            break;
          bytes += size;
          n++;
        }
      if (!(stream == FY_HASH_ENGINE_LANES ||
            engine_rate (&run->engine, FY_HASH_ENGINE_LANES) * n / FY_SHA256_LANES >
            engine_rate (&run->engine, stream)))
        n = 0;
    }
  if (n > 0)
    {
      workload = "hash-lanes";
      run->large_engine = FY_HASH_ENGINE_LANES;
    }
  else
    {
      n = MIN (stream == FY_HASH_ENGINE_PAIRS ? 2 : 1, run->deferred->len - run->deferred_next);
      workload = fy_cli_run_hash_workload (stream);
    }

  g_array_append_vals (run->slot_input, &g_array_index (run->deferred, guint, run->deferred_next), n);
  run->deferred_next += n;
  for (guint s = slot; s < run->slot_input->len; s++)
    g_array_index (run->input_slot, guint, g_array_index (run->slot_input, guint, s)) = s;
  /* add_chunk () appends the chunk's start; the end goes back after it. */
  g_array_set_size (run->chunk_starts, chunk);
  argument = g_variant_ref_sink (add_chunk (run, files, slot, n, 0));
  g_array_append_val (run->chunk_starts, run->slot_input->len);
  return submit_chunk (run, workload, argument, chunk);
}

/* Keeps CHUNKS_OUT_PER_WORKER chunks out per worker: the small files'
 * first, in the walk's order, so that every large file is found (the
 * workers hand back those the walk did not size) before the large ones
 * go, largest first. A chunk of small files still out when the last one
 * has gone may hand back a large file late; it then goes next. */
static void
submit_more (Run *run)
{
  guint limit, n_built, n_streamed;

  if (!run->scheduling)
    return;
  limit = CHUNKS_OUT_PER_WORKER * (guint) MAX (fy_pool_get_n_workers (run->pool), 1);
  n_built = (guint) g_variant_n_children (run->chunk_arguments);
  n_streamed = run->stream != NULL ? run->stream->n_streamed : 0;
  while (!run->interrupted && run->late_error == NULL && run->n_out < limit)
    {
      if (run->next_small < n_built)
        {
          g_autoptr(GVariant) argument = g_variant_get_child_value (run->chunk_arguments, run->next_small);

          if (!submit_chunk (run, run->workload, argument, n_streamed + run->next_small))
            return;
          run->next_small++;
        }
      else if (run->deferred_next < run->deferred->len)
        {
          if (!take_large_chunk (run))
            return;
        }
      else
        return;
    }
}

/* Records each file of chunk @chunk, which @future ran. */
static void
record_chunk (Run      *run,
              FyFuture *future,
              guint     chunk)
{
  guint first = g_array_index (run->chunk_starts, guint, chunk);
  guint n = g_array_index (run->chunk_starts, guint, chunk + 1) - first;
  g_autofree guint8 *handed_back = g_malloc0 (MAX (n, 1));
  int cpu;

  cpu = run->last_cpu != NULL ? fy_cli_run_worker_last_cpu (fy_future_get_worker_pid (future)) : -1;
  /* A chunk that failed as a whole (its worker died, say) leaves its
   * texts unset: each of its files then reports the task's error. */
  if (fy_future_get_state (future) == FY_FUTURE_STATE_DONE &&
      !read_chunk_outcomes (run, future, first, n, handed_back))
    for (guint k = 0; k < n; k++)
      {
        guint index = g_array_index (run->slot_input, guint, first + k);

        g_ptr_array_index (run->texts, index) = (char *) _("the worker’s result does not fit its files");
        run->oks->data[index] = FALSE;
      }
  for (guint k = 0; k < n; k++)
    if (!handed_back[k])
      fy_cli_run_record_input (run, future, 0, g_array_index (run->slot_input, guint, first + k), cpu);
}

static void
hash_task_done_cb (FyFuture *future,
                   gpointer  data)
{
  HashTask *task = data;
  Run *run = task->run;
  HashStream *stream = run->stream;

  /* The chunks still out when the run began scheduling were counted in
   * run->n_out too. */
  if (stream != NULL && task->chunk < stream->n_streamed)
    {
      stream->n_in_flight--;
      if (run->scheduling)
        run->n_out--;
    }
  else
    run->n_out--;
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
  submit_more (run);
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
  /* They may have handed back large files. */
  submit_more (run);
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

/* Starts handing out the chunks built after the walk, a few per worker
 * at a time (submit_more ()), beside those still out from the walk. */
gboolean
fy_cli_run_start_hash_chunks (Run     *run,
                              FyPool  *pool,
                              GError **error)
{
  run->pool = pool;
  run->n_out = run->stream != NULL ? run->stream->n_in_flight : 0;
  run->scheduling = TRUE;
  submit_more (run);
  if (run->late_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run->late_error));
      return FALSE;
    }
  return TRUE;
}
