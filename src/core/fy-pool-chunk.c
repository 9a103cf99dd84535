/* fy-pool-chunk.c: a map chunk's record, and its items' outcomes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A map chunk is one FyFuture for many items (fy-pool.h, "Chunks"). On the
 * usual path its worker reports every item's result in one message, and
 * the future keeps that array as it came. When the worker dies inside the
 * chunk, the items it finished are settled one by one (from its progress
 * messages and the log in the block it shares with the pool, see
 * fy-pool-wire.h), the item it ran meets the crash policy alone, and the
 * chunk runs on from the first unsettled item: a finished item never runs
 * twice.
 */

#include "config.h"

#include <string.h>

#include "fy-pool-private.h"

/* The errors of settled items hold NULL for each that has a result. */
static void
error_free_or_null (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
ensure_settled (FyFuture *future)
{
  if (future->map->settled != NULL)
    return;
  future->map->settled = g_ptr_array_new_full (future->n_items, (GDestroyNotify) g_variant_unref);
  future->map->settled_ends = g_array_sized_new (FALSE, FALSE, sizeof (gint64), future->n_items);
}

void
fy_pool_chunk_settle (FyFuture *future,
                      GVariant *value,
                      gint64    ended_at)
{
  g_assert (future->map->n_settled < future->n_items);
  ensure_settled (future);
  if (future->map->items_started_at == 0)
    future->map->items_started_at = future->started_at != 0 ? future->started_at : ended_at;
  g_ptr_array_add (future->map->settled, g_variant_take_ref (value));
  g_array_append_val (future->map->settled_ends, ended_at);
  if (future->map->settled_errors != NULL)
    g_ptr_array_add (future->map->settled_errors, NULL);
  future->map->n_settled++;
}

void
fy_pool_chunk_settle_error (FyFuture *future,
                            GError   *error,
                            gint64    ended_at)
{
  fy_pool_chunk_settle (future, g_variant_new ("()"), ended_at);
  if (future->map->settled_errors == NULL)
    future->map->settled_errors = g_ptr_array_new_full (future->n_items, error_free_or_null);
  /* NULL for every item settled before this one. */
  g_ptr_array_set_size (future->map->settled_errors, future->map->n_settled - 1);
  g_ptr_array_add (future->map->settled_errors, error);
}

GVariant *
fy_pool_chunk_argument (FyFuture *future)
{
  const char *type = g_variant_get_type_string (future->argument);
  gsize fixed = fy_pool_fixed_size (type + 1);
  guint first = future->map->n_settled;
  guint n = future->n_items - first;
  g_autofree GVariant **children = NULL;
  GVariant *slice;

  if (first == 0)
    return g_variant_ref (future->argument);
  if (fixed > 0)
    return g_variant_ref_sink (g_variant_new_from_data (g_variant_get_type (future->argument),
                                                        (const guint8 *) g_variant_get_data (future->argument) + first * fixed,
                                                        n * fixed, TRUE, (GDestroyNotify) g_variant_unref,
                                                        g_variant_ref (future->argument)));
  children = g_new (GVariant *, n);
  for (guint i = 0; i < n; i++)
    children[i] = fy_pool_unboxed_child (future->argument, first + i);
  slice = g_variant_ref_sink (fy_pool_variants_to_av (children, n));
  for (guint i = 0; i < n; i++)
    g_variant_unref (children[i]);
  return slice;
}

void
fy_pool_chunk_complete (FyPool   *self,
                        FyFuture *future,
                        gint64    now)
{
  g_autoptr(GVariant) result = NULL;
  g_autofree guint32 *ends = g_new (guint32, MAX (future->n_items, 1));
  GError *error = NULL;

  g_assert (future->map->n_settled == future->n_items);
  for (guint i = 0; i < future->n_items; i++)
    {
      gint64 end = g_array_index (future->map->settled_ends, gint64, i) - future->map->items_started_at;

      ends[i] = (guint32) CLAMP (end, 0, G_MAXUINT32);
    }
  result = g_variant_ref_sink (fy_pool_pack_values ((GVariant **) future->map->settled->pdata, future->n_items));
  future->map->item_ends = g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, ends,
                                                                     future->n_items, sizeof (guint32)));
  g_clear_pointer (&future->map->settled, g_ptr_array_unref);
  g_clear_pointer (&future->map->settled_ends, g_array_unref);
  if (future->map->settled_errors == NULL)
    {
      fy_pool_finish_result (self, future, result, now);
      return;
    }

  /* Some items failed alone: the chunk fails with the first one's error,
   * and keeps every other item's result. */
  future->map->item_errors = g_steal_pointer (&future->map->settled_errors);
  g_ptr_array_set_size (future->map->item_errors, future->n_items);
  for (guint i = 0; i < future->n_items && error == NULL; i++)
    if (g_ptr_array_index (future->map->item_errors, i) != NULL)
      error = g_error_copy (g_ptr_array_index (future->map->item_errors, i));
  future->result = g_steal_pointer (&result);
  fy_pool_finish_error_at (self, future, FY_FUTURE_STATE_FAILED, error, now);
}

gboolean
fy_pool_chunk_report_parse (FyFuture     *future,
                            GVariant     *value,
                            FyPoolMapped *out)
{
  if (!fy_pool_mapped_parse (value, out))
    return FALSE;
  if (out->n == future->n_items - future->map->run_from)
    return TRUE;
  fy_pool_mapped_clear (out);
  return FALSE;
}

void
fy_pool_chunk_finish (FyPool       *self,
                      FyFuture     *future,
                      FyPoolMapped *mapped,
                      gint64        now)
{
  if (future->map->run_from == 0)
    {
      /* The usual path: the report is the chunk's outcome as it is. What
       * this run's progress messages settled (a chunk larger than the
       * worker's log) is in it too, and is dropped rather than packed
       * again item by item. */
      g_clear_pointer (&future->map->settled, g_ptr_array_unref);
      g_clear_pointer (&future->map->settled_ends, g_array_unref);
      g_clear_pointer (&future->map->settled_errors, g_ptr_array_unref);
      future->map->n_settled = 0;
      future->map->items_started_at = mapped->started_at;
      future->map->item_ends = g_steal_pointer (&mapped->ends);
      fy_pool_finish_result (self, future, mapped->results, now);
      return;
    }

  /* This run reported every item it ran: what its progress settled
   * already is in the report too. */
  if (future->map->n_settled > future->map->run_from)
    {
      g_ptr_array_set_size (future->map->settled, future->map->run_from);
      g_array_set_size (future->map->settled_ends, future->map->run_from);
      if (future->map->settled_errors != NULL)
        g_ptr_array_set_size (future->map->settled_errors, MIN (future->map->settled_errors->len, future->map->run_from));
      future->map->n_settled = future->map->run_from;
    }
  for (gsize i = 0; i < mapped->n; i++)
    fy_pool_chunk_settle (future, fy_pool_unboxed_child (mapped->results, i), mapped->started_at + mapped->end_us[i]);
  fy_pool_chunk_complete (self, future, now);
}

gboolean
fy_pool_chunk_progress (FyFuture *future,
                        guint32   first,
                        GVariant *body)
{
  g_auto(FyPoolMapped) mapped = { 0 };

  if (future->n_items == 0 || first != future->map->n_settled - future->map->run_from
      || !fy_pool_mapped_parse (body, &mapped) || mapped.n > future->n_items - future->map->n_settled)
    return FALSE;
  if (future->map->items_started_at == 0)
    future->map->items_started_at = mapped.started_at;
  for (gsize i = 0; i < mapped.n; i++)
    fy_pool_chunk_settle (future, fy_pool_unboxed_child (mapped.results, i), mapped.started_at + mapped.end_us[i]);
  return TRUE;
}

void
fy_pool_chunk_recover (FyPoolWorker *worker,
                       FyFuture     *future,
                       guint64       seq)
{
  FyPoolShared *shared = worker->shared;
  const guint8 *log;
  guint64 used;
  guint32 first;
  guint32 done;
  guint have;
  gint64 started_at;
  gsize at = 0;

  if (shared == NULL || future->n_items == 0
      || __atomic_load_n (&shared->map_item, __ATOMIC_ACQUIRE) != seq + 1)
    return;
  first = __atomic_load_n (&shared->log_first, __ATOMIC_ACQUIRE);
  done = __atomic_load_n (&shared->log_done, __ATOMIC_ACQUIRE);
  used = __atomic_load_n (&shared->log_used, __ATOMIC_ACQUIRE);
  started_at = shared->map_started_at;
  have = future->map->n_settled - future->map->run_from;
  /* The worker is dead, but what it left is checked like a message. */
  if (first > done || done > future->n_items - future->map->run_from || used > FY_POOL_LOG_SIZE || have < first)
    return;

  if (future->map->items_started_at == 0 && done > have)
    future->map->items_started_at = started_at;
  log = (const guint8 *) shared + FY_POOL_LOG_AT;
  for (guint32 j = first; j < done; j++)
    {
      FyPoolLogRecord header;
      g_autoptr(GVariant) boxed = NULL;

      if (used - at < sizeof header)
        return;
      memcpy (&header, log + at, sizeof header);
      if (header.size == 0 || header.size > used - at - sizeof header)
        return;
      if (j >= have)
        {
          GBytes *bytes = g_bytes_new (log + at + sizeof header, header.size);

          boxed = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARIANT, bytes, FALSE));
          g_bytes_unref (bytes);
          fy_pool_chunk_settle (future, g_variant_get_variant (boxed), started_at + header.end_us);
        }
      at += (sizeof header + header.size + 7) & ~(gsize) 7;
    }
}
