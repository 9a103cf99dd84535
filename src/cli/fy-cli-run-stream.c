/* fy-cli-run-stream.c: hash's small files out while the walk goes on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Walking a tree of many small files takes about as long as hashing
 * them on one core, and until now no worker hashed before the walk had
 * ended. The walking thread now packs small files into chunks as it
 * finds them (in walk order, of the full chunk cost) and queues them for
 * the main thread, which hands them to the pool, a few per worker at a
 * time: the workers are kept busy but the pool's queue does not run
 * ahead, so what is left when the walk ends still goes out as before,
 * the last small ones in shrinking chunks, then the large files
 * (fy-cli-run-hash.c). The results of these early chunks are kept until
 * the run has its inputs, then recorded in order like any other.
 */

#include "config.h"

#include "fy-cli-run-private.h"

static void
chunk_free (gpointer data)
{
  HashStreamChunk *chunk = data;

  g_array_unref (chunk->inputs);
  g_variant_unref (chunk->paths);
  g_free (chunk);
}

void
fy_cli_run_stream_new (Run *run)
{
  HashStream *stream = g_new0 (HashStream, 1);

  stream->pending = g_array_new (FALSE, FALSE, sizeof (guint));
  stream->queue = g_async_queue_new_full (chunk_free);
  stream->ready = g_ptr_array_new_with_free_func (chunk_free);
  stream->early = g_ptr_array_new_with_free_func (g_object_unref);
  stream->early_chunks = g_array_new (FALSE, FALSE, sizeof (guint));
  run->stream = stream;
}

void
fy_cli_run_stream_free (HashStream *stream)
{
  g_array_unref (stream->pending);
  g_async_queue_unref (stream->queue);
  g_ptr_array_unref (stream->ready);
  g_ptr_array_unref (stream->early);
  g_array_unref (stream->early_chunks);
  g_free (stream);
}

/* On the walking thread: the pending files become a chunk for the main
 * thread. The engine decides the workload, so the first chunk waits for
 * its timing (which has long ended by then, as a rule). */
static void
queue_pending (Run       *run,
               FyCliWalk *walk)
{
  HashStream *stream = run->stream;
  HashStreamChunk *chunk;
  g_autofree const char **paths = NULL;

  if (stream->workload == NULL)
    {
      if (run->engine_thread != NULL)
        g_thread_join (g_steal_pointer (&run->engine_thread));
      stream->workload = fy_cli_run_hash_workload (run->engine.engine);
    }

  paths = g_new (const char *, stream->pending->len);
  for (guint k = 0; k < stream->pending->len; k++)
    paths[k] = g_array_index (walk->files, FyCliWalkFile, g_array_index (stream->pending, guint, k)).path;
  chunk = g_new (HashStreamChunk, 1);
  chunk->inputs = g_steal_pointer (&stream->pending);
  chunk->paths = g_variant_ref_sink (g_variant_new ("(t@aay)", (guint64) SMALL_FILE_SIZE,
                                                    g_variant_new_bytestring_array (paths, chunk->inputs->len)));
  chunk->cost = stream->pending_cost;
  stream->pending = g_array_new (FALSE, FALSE, sizeof (guint));
  stream->pending_cost = 0;
  g_async_queue_push (stream->queue, chunk);
  g_main_context_wakeup (NULL);
}

/* On the walking thread, for each file found: small ones join the
 * pending chunk, which goes out when the next file would take it past
 * the full chunk cost (as the chunks made after the walk are cut). */
void
fy_cli_run_stream_file_added (FyCliWalk *walk,
                              guint      index,
                              gpointer   user_data)
{
  Run *run = user_data;
  HashStream *stream = run->stream;
  guint64 size = g_array_index (walk->files, FyCliWalkFile, index).size;
  guint64 cost = fy_cli_run_file_cost (size);

  /* Known to be large (a link's target): it waits for the small ones. */
  if (size != FY_CLI_WALK_SIZE_UNKNOWN && size >= SMALL_FILE_SIZE)
    return;
  if (stream->pending->len > 0 &&
      stream->pending_cost + cost > SMALL_CHUNK_MAX_COST)
    queue_pending (run, walk);
  g_array_append_val (stream->pending, index);
  stream->pending_cost += cost;
}

/* On the walking thread, last: the main thread stops handing out. */
void
fy_cli_run_stream_walk_done (Run *run)
{
  g_atomic_int_set (&run->stream->walk_done, TRUE);
  g_main_context_wakeup (NULL);
}

/* Hands out ready chunks while fewer than the limit are out. */
static gboolean
submit_ready (Run    *run,
              FyPool *pool,
              guint   limit)
{
  HashStream *stream = run->stream;

  while (stream->n_in_flight < limit && stream->ready->len > 0)
    {
      HashStreamChunk *chunk = g_ptr_array_index (stream->ready, 0);
      g_autoptr(FyFuture) future = NULL;
      g_autoptr(GError) error = NULL;
      guint first;

      future = fy_pool_submit (pool, stream->workload, chunk->paths, &error);
      /* The pool takes no more (broken): the rest goes with the others
       * after the walk, where the error is reported. */
      if (future == NULL)
        return FALSE;
      if (run->slot_input == NULL)
        {
          run->slot_input = g_array_new (FALSE, FALSE, sizeof (guint));
          run->chunk_starts = g_array_new (FALSE, FALSE, sizeof (guint));
        }
      first = run->slot_input->len;
      g_array_append_vals (run->slot_input, chunk->inputs->data, chunk->inputs->len);
      g_array_append_val (run->chunk_starts, first);
      stream->n_in_flight++;
      stream->n_streamed++;
      fy_cli_run_watch_hash_chunk (run, future, run->chunk_starts->len - 1);
      g_ptr_array_remove_index (stream->ready, 0);
    }
  return TRUE;
}

/* On the main thread, once the pool has started, until the walk ends:
 * chunks go out as they come and as the workers take them. */
void
fy_cli_run_stream_while_walking (Run    *run,
                                 FyPool *pool)
{
  HashStream *stream = run->stream;
  guint limit = CHUNKS_OUT_PER_WORKER * (guint) MAX (fy_pool_get_n_workers (pool), 1);

  for (;;)
    {
      gboolean done = g_atomic_int_get (&stream->walk_done);
      HashStreamChunk *chunk;

      while ((chunk = g_async_queue_try_pop (stream->queue)) != NULL)
        g_ptr_array_add (stream->ready, chunk);
      if (!submit_ready (run, pool, limit) || done)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
}
