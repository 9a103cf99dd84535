/* fy-cli-run-hash.c: hash's files handed to the workers in chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Large files go one per task, so that the workers share them evenly;
 * small ones in chunks, so that a tree of small files costs one round
 * trip per chunk, not per file. Every file keeps its own outcome.
 */

#include "config.h"

#include <string.h>

#include "fy-cli-run-private.h"

/* Files of SMALL_FILE_SIZE or more one per task, so the workers share
 * them evenly; the small ones in map chunks, one task and one message
 * each way per chunk, each file still its own item with its own outcome
 * (hash-outcome carries a file's failure as a value, so it does not end
 * its chunk). The files are in size order, largest first. */
void
fy_cli_run_build_hash_chunks (Run    *run,
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
  cpu = run->last_cpu != NULL ? fy_cli_run_worker_last_cpu (fy_future_get_worker_pid (future)) : -1;
  if (!run->json && fy_future_get_state (future) == FY_FUTURE_STATE_DONE)
    read_chunk_outcomes (run, future, task->first_slot, n);
  for (guint k = 0; k < n; k++)
    fy_cli_run_record_input (run, future, k, g_array_index (run->slot_input, guint, task->first_slot + k), cpu);
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

/* Submits hash's two map calls (large files one per task, small ones in
 * chunks) and watches their tasks as they finish. The tasks are read
 * from the pool's task list, which they join at its end, in order. */
gboolean
fy_cli_run_start_hash_chunks (Run     *run,
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

