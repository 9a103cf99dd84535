/* fy-worker-call.c: running workloads inside a worker, one call or many
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A task of one is one call. A map chunk is many, in order, as Python's
 * chunks are: each element's result is packed as it comes, its end is
 * timed, and it is logged in the block the worker shares with the pool
 * before the next element runs (fy-pool-wire.h), so a death loses none of
 * the elements that finished.
 */

#include "config.h"

#include <string.h>

#include "core/fy-pool-error.h"
#include "core/fy-pool-wire.h"

#include "fy-worker-call.h"

/* FALSE with the reason when the function @name cannot take a @type. */
gboolean
fy_worker_check_call (const FyWorkloadInfo  *info,
            const char            *name,
            const GVariantType    *type,
            GError               **error)
{
  if (info == NULL)
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "No workload is called “%s”", name);
      return FALSE;
    }
  if (info->argument_type != NULL
      && !g_variant_type_is_subtype_of (type, (const GVariantType *) info->argument_type))
    {
      g_autofree char *given = g_variant_type_dup_string (type);

      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT,
                   "Workload “%s” takes a “%s”, not a “%s”", name, info->argument_type, given);
      return FALSE;
    }
  return TRUE;
}

GVariant *
fy_worker_call (const FyWorkloadInfo  *info,
      const char            *name,
      GVariant              *argument,
      FyWorkloadContext     *context,
      GError               **error)
{
  GVariant *result = info->func (argument, context, error);

  if (result == NULL && error != NULL && *error == NULL)
    g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_FAILED,
                 "Workload “%s” failed without saying why", name);
  return result;
}

GVariant *
fy_worker_run_function (const FyWorkloadInfo  *info,
              const char            *name,
              GVariant              *argument,
              GError               **error)
{
  g_autoptr(FyWorkloadContext) context = NULL;

  if (!fy_worker_check_call (info, name, g_variant_get_type (argument), error))
    return NULL;
  context = fy_workload_context_new (NULL, 0);
  return fy_worker_call (info, name, argument, context, error);
}

/* The results of a map chunk's elements as they come: packed while they
 * all are of one fixed-size basic type (no variant kept per element),
 * one variant each otherwise. */
typedef struct
{
  const char *type;       /* the packed ones' type string, NULL before the first */
  gsize       type_len;
  gsize       size;       /* its size; 0 once they are kept as variants */
  GByteArray *packed;
  GPtrArray  *values;     /* GVariant, once not packed */
  guint       n;
} Results;

static void
results_add (Results  *r,
             GVariant *value)
{
  const char *type = g_variant_get_type_string (value);

  /* Type strings of one type share one pointer. */
  if (r->n == 0 && r->values == NULL)
    {
      r->type = type;
      r->type_len = strlen (type);
      r->size = fy_pool_fixed_size (type);
    }
  if (r->size > 0 && type != r->type && !g_str_equal (type, r->type))
    {
      /* Mixed types after all: every earlier one becomes a variant. */
      r->values = g_ptr_array_new_full (r->n + 1, (GDestroyNotify) g_variant_unref);
      for (guint i = 0; i < r->n; i++)
        {
          gpointer data = g_memdup2 (r->packed->data + i * r->size, r->size);

          g_ptr_array_add (r->values, g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (r->type), data,
                                                                                   r->size, TRUE, g_free, data)));
        }
      r->size = 0;
    }
  if (r->size > 0)
    g_byte_array_append (r->packed, g_variant_get_data (value), (guint) r->size);
  else
    {
      if (r->values == NULL)
        r->values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      g_ptr_array_add (r->values, g_variant_ref (value));
    }
  r->n++;
}

/* Elements @first … @end - 1 of @r as one array (a floating reference). */
static GVariant *
results_pack (Results *r,
              guint    first,
              guint    end)
{
  g_autofree char *array_type = NULL;
  gpointer data;

  if (r->size == 0)
    return fy_pool_pack_values (r->values != NULL ? (GVariant **) r->values->pdata + first : NULL, end - first);
  array_type = g_strconcat ("a", r->type, NULL);
  data = g_memdup2 (r->packed->data + first * r->size, (end - first) * r->size);
  return g_variant_new_from_data (G_VARIANT_TYPE (array_type), data, (end - first) * r->size, TRUE, g_free, data);
}

/* Every element of @r as one array (a floating reference): packed ones
 * become the array's own bytes, with no copy. @r is spent. */
static GVariant *
results_take_all (Results *r)
{
  g_autofree char *array_type = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (r->size == 0 || r->packed->len != (gsize) r->n * r->size)
    return results_pack (r, 0, r->n);
  array_type = g_strconcat ("a", r->type, NULL);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&r->packed));
  return g_variant_new_from_bytes (G_VARIANT_TYPE (array_type), bytes, TRUE);
}

static void
results_clear (Results *r)
{
  g_clear_pointer (&r->packed, g_byte_array_unref);
  g_clear_pointer (&r->values, g_ptr_array_unref);
}

/* Where the map chunk item that runs stands, as fy-pool-wire.h says. */
typedef struct
{
  FyWorkerLink *link;
  guint64   chunk_id;
  guint32   index;        /* of the item in its chunk */
  gint64    started_at;
  GArray   *ends;         /* guint32 µs after started_at, per element */
  Results   results;
  guint32   reported_us;  /* the end of the last element the pool was sent */
} MapRun;

/* The items of a long chunk reach the pool at least this often, so that
 * the Run page's count and timeline move with items, not whole chunks. A
 * chunk of tiny items sends one message more for every tenth of a
 * second it runs. */
#define REPORT_EVERY_US 100000

static guint8 *
log_area (FyPoolShared *shared)
{
  return (guint8 *) shared + FY_POOL_LOG_AT;
}

/* A progress message of the item that runs; FALSE (and the link is gone)
 * when the pool cannot be told. */
static gboolean
send_progress (MapRun   *run,
               guint32   first,
               GVariant *body)
{
  g_autoptr(GVariant) message = fy_pool_message_new (FY_POOL_MSG_PROGRESS, run->chunk_id, 0, run->index, first, body);

  if (!fy_channel_send (run->link->channel, message, NULL, NULL))
    run->link->gone = TRUE;
  return !run->link->gone;
}

/* Logs element @i (whose result is @value) before the next one starts;
 * when the log is full, what it holds goes to the pool by message
 * first. */
static void
log_element (MapRun   *run,
             guint32   i,
             GVariant *value)
{
  FyPoolShared *shared = run->link->shared;
  Results *r = &run->results;
  /* Packed results are copied from where they are packed, without asking
   * the variant again. */
  const char *type = r->size > 0 ? r->type : g_variant_get_type_string (value);
  gsize type_len = r->size > 0 ? r->type_len : strlen (type);
  gsize value_size = r->size > 0 ? r->size : g_variant_get_size (value);
  gsize size = value_size + 1 + type_len;
  gsize record = (sizeof (FyPoolLogRecord) + size + 7) & ~(gsize) 7;
  guint64 used;
  guint32 limit;
  guint8 *at;
  FyPoolLogRecord header;

  if (shared == NULL)
    return;
  limit = __atomic_load_n (&shared->log_limit, __ATOMIC_RELAXED);
  limit = limit > 0 ? MIN (limit, FY_POOL_LOG_SIZE) : FY_POOL_LOG_SIZE;
  used = shared->log_used;
  if (used + record > limit)
    {
      guint32 first = shared->log_first;
      GVariant *fields[3];

      fields[0] = g_variant_new_int64 (run->started_at);
      fields[1] = g_variant_new_variant (results_pack (&run->results, first, i));
      fields[2] = g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, &g_array_index (run->ends, guint32, first),
                                             i - first, sizeof (guint32));
      if (!send_progress (run, first, g_variant_new_tuple (fields, 3)))
        return;
      /* The pool has those now: the log starts again at this element. */
      __atomic_store_n (&shared->log_used, 0, __ATOMIC_RELAXED);
      __atomic_store_n (&shared->log_first, i, __ATOMIC_RELEASE);
      used = 0;
      if (record > limit)
        {
          /* One result larger than the log: it goes by message alone. */
          fields[1] = g_variant_new_variant (results_pack (&run->results, i, i + 1));
          fields[2] = g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, &g_array_index (run->ends, guint32, i),
                                                 1, sizeof (guint32));
          send_progress (run, i, g_variant_new_tuple (fields, 3));
          __atomic_store_n (&shared->log_first, i + 1, __ATOMIC_RELEASE);
          __atomic_store_n (&shared->log_done, i + 1, __ATOMIC_RELEASE);
          return;
        }
    }
  at = log_area (shared) + used;
  header.end_us = g_array_index (run->ends, guint32, i);
  header.size = (guint32) size;
  memcpy (at, &header, sizeof header);
  if (r->size > 0)
    memcpy (at + sizeof header, r->packed->data + (gsize) i * r->size, r->size);
  else
    g_variant_store (value, at + sizeof header);
  at[sizeof header + value_size] = 0;
  memcpy (at + sizeof header + size - type_len, type, type_len);
  __atomic_store_n (&shared->log_used, used + record, __ATOMIC_RELAXED);
  /* The record is complete before the count that publishes it. */
  __atomic_store_n (&shared->log_done, i + 1, __ATOMIC_RELEASE);
}

/* After element @i was logged: when the last report is REPORT_EVERY_US
 * old, what the log holds goes to the pool now, and the log starts again
 * after @i, as when it is full. */
static void
report_if_due (MapRun  *run,
               guint32  i)
{
  FyPoolShared *shared = run->link->shared;
  guint32 end_us = g_array_index (run->ends, guint32, i);
  guint32 first;
  GVariant *fields[3];

  if (G_LIKELY (end_us - run->reported_us < REPORT_EVERY_US) || shared == NULL || run->link->gone)
    return;
  run->reported_us = end_us;
  first = shared->log_first;
  /* A result too large for the log went by message already. */
  if (first > i)
    return;
  fields[0] = g_variant_new_int64 (run->started_at);
  fields[1] = g_variant_new_variant (results_pack (&run->results, first, i + 1));
  fields[2] = g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, &g_array_index (run->ends, guint32, first),
                                         i + 1 - first, sizeof (guint32));
  if (!send_progress (run, first, g_variant_new_tuple (fields, 3)))
    return;
  __atomic_store_n (&shared->log_used, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&shared->log_first, i + 1, __ATOMIC_RELEASE);
}

/* log_element () for an element of run_numbers () while the log has
 * room: the same record (an 8-byte number, its type), with nothing to
 * work out per element. FALSE when the log is full or not there. */
static inline gboolean
log_number (MapRun  *run,
            guint32  i)
{
  FyPoolShared *shared = run->link->shared;
  Results *r = &run->results;
  const gsize size = sizeof (FyWorkloadNumber) + 2;
  const gsize record = (sizeof (FyPoolLogRecord) + size + 7) & ~(gsize) 7;
  FyPoolLogRecord header;
  guint32 limit;
  guint64 used;
  guint8 *at;

  if (shared == NULL)
    return FALSE;
  limit = __atomic_load_n (&shared->log_limit, __ATOMIC_RELAXED);
  limit = limit > 0 ? MIN (limit, FY_POOL_LOG_SIZE) : FY_POOL_LOG_SIZE;
  used = shared->log_used;
  if (used + record > limit)
    return FALSE;
  at = log_area (shared) + used;
  header.end_us = g_array_index (run->ends, guint32, i);
  header.size = (guint32) size;
  memcpy (at, &header, sizeof header);
  memcpy (at + sizeof header, r->packed->data + (gsize) i * sizeof (FyWorkloadNumber), sizeof (FyWorkloadNumber));
  at[sizeof header + sizeof (FyWorkloadNumber)] = 0;
  at[sizeof header + sizeof (FyWorkloadNumber) + 1] = r->type[0];
  __atomic_store_n (&shared->log_used, used + record, __ATOMIC_RELAXED);
  /* The record is complete before the count that publishes it. */
  __atomic_store_n (&shared->log_done, i + 1, __ATOMIC_RELEASE);
  return TRUE;
}

/* When each element of a map chunk ended. Reading the clock costs this
 * machine about as much as a tiny element: while elements are short it
 * is read every few of them, and the ends between two readings are spread
 * evenly. An element's end in the log may then be that of the reading
 * before it; the report carries the spread ones. */
typedef struct
{
  gint64  started_at;
  guint32 stride;      /* read at every stride-th element */
  guint32 countdown;   /* elements until the next reading (a modulo per
                          element would cost as much as a tiny element) */
  guint32 last;        /* the element of the last reading, + 1; 0: none */
  guint32 last_us;     /* that reading, µs after started_at */
} Clock;

/* Elements taking at least this long each get a reading of their own. */
#define CLOCK_EVERY_US 4

static void
clock_spread (Clock   *clock,
              GArray  *ends,
              guint32  upto,
              guint32  now_us)
{
  /* Elements last … upto - 1 got the last reading; spread them up to now. */
  guint32 span = upto + 1 - clock->last;

  for (guint32 k = clock->last; k < upto; k++)
    g_array_index (ends, guint32, k) = clock->last_us
                                       + (guint32) ((guint64) (now_us - clock->last_us) * (k + 1 - clock->last) / span);
}

/* Element @i just ended: its end, as far as it is known now. */
static guint32
clock_element (Clock   *clock,
               GArray  *ends,
               guint32  i)
{
  guint32 now_us;
  guint32 elapsed;
  guint32 count;

  if (--clock->countdown != 0)
    return clock->last_us;
  now_us = (guint32) MIN (g_get_monotonic_time () - clock->started_at, G_MAXUINT32);
  count = i + 1 - clock->last;
  elapsed = now_us - clock->last_us;
  clock_spread (clock, ends, i, now_us);
  clock->last = i + 1;
  clock->last_us = now_us;
  if (elapsed < CLOCK_EVERY_US * count)
    clock->stride = MIN (clock->stride * 2, 64);
  else
    clock->stride = 1;
  clock->countdown = clock->stride;
  return now_us;
}

/* After the last element: the ones after the last reading get theirs. */
static void
clock_finish (Clock  *clock,
              GArray *ends)
{
  guint32 n = ends->len;
  guint32 now_us;

  if (clock->last >= n)
    return;
  now_us = (guint32) MIN (g_get_monotonic_time () - clock->started_at, G_MAXUINT32);
  clock_spread (clock, ends, n - 1, now_us);
  g_array_index (ends, guint32, n - 1) = now_us;
  clock->last = n;
  clock->last_us = now_us;
}

/* The typed path of a map chunk (FyWorkloadNumberFunc): the elements are
 * read from the packed arguments and their results written straight into
 * the packed results, each logged before the next runs, as on the path of
 * variants. FALSE with the first error. */
static gboolean
run_numbers (MapRun                *run,
             Clock                 *clock,
             const FyWorkloadInfo  *info,
             const char            *name,
             const guint8          *packed,
             gsize                  n,
             GError               **error)
{
  Results *r = &run->results;

  guint32 *ends;

  r->type = info->result_type;
  r->type_len = 1;
  r->size = sizeof (FyWorkloadNumber);
  g_byte_array_set_size (r->packed, (guint) (n * r->size));
  /* Written in place: g_array_append_val () is a call and a copy per
   * element, as much as a tiny element costs. */
  g_array_set_size (run->ends, (guint) n);
  ends = (guint32 *) (gpointer) run->ends->data;
  for (gsize i = 0; i < n; i++)
    {
      FyWorkloadNumber argument;
      FyWorkloadNumber result;

      /* The argument array's bytes may be at any offset of the message. */
      memcpy (&argument, packed + i * sizeof argument, sizeof argument);
      if (!info->number_func (argument, &result, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_FAILED,
                         "Workload “%s” failed without saying why", name);
          return FALSE;
        }
      memcpy (r->packed->data + i * sizeof result, &result, sizeof result);
      r->n++;
      ends[i] = clock_element (clock, run->ends, (guint32) i);
      if (!log_number (run, (guint32) i))
        log_element (run, (guint32) i, NULL);
      report_if_due (run, (guint32) i);
    }
  return TRUE;
}

/* Runs the function on each argument of a map chunk, in order, as Python
 * does: the "(xvau)" of fy-pool-wire.h, or the first error. Items of one
 * type are checked once, and share one context. Item @seq of chunk
 * @chunk_id (its @index-th). */
GVariant *
fy_worker_run_mapped (FyWorkerLink          *link,
            const FyWorkloadInfo  *info,
            const char            *name,
            guint64                chunk_id,
            guint32                index,
            guint64                seq,
            GVariant              *arguments,
            GError               **error)
{
  g_autoptr(FyWorkloadContext) context = NULL;
  g_autoptr(GArray) ends = NULL;
  MapRun run = { link, chunk_id, index, 0, NULL, { NULL, 0, 0, NULL, NULL, 0 }, 0 };
  const GVariantType *element;
  GVariant *fields[3];
  gboolean boxed;
  gsize fixed;
  const guint8 *packed;
  Clock clock = { 0 };
  gpointer ends_data;
  gsize n_ends;
  gsize n;

  if (!g_variant_is_of_type (arguments, G_VARIANT_TYPE_ARRAY))
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_PROTOCOL,
                   "A map chunk's arguments came as a “%s”", g_variant_get_type_string (arguments));
      return NULL;
    }
  element = g_variant_type_element (g_variant_get_type (arguments));
  boxed = g_variant_type_equal (element, G_VARIANT_TYPE_VARIANT);
  if (!boxed && !fy_worker_check_call (info, name, element, error))
    return NULL;

  fixed = boxed ? 0 : fy_pool_fixed_size (g_variant_type_peek_string (element));
  if (fixed > 0 && g_variant_type_get_string_length (element) != 1)
    fixed = 0;
  packed = fixed > 0 ? g_variant_get_data (arguments) : NULL;
  context = fy_workload_context_new (NULL, 0);
  n = g_variant_n_children (arguments);
  clock.started_at = g_get_monotonic_time ();
  clock.stride = 1;
  clock.countdown = 1;
  ends = g_array_sized_new (FALSE, FALSE, sizeof (guint32), (guint) n);
  run.ends = ends;
  run.results.packed = g_byte_array_sized_new ((guint) MIN (n * 8, 1u << 20));
  run.started_at = clock.started_at;
  if (link->shared != NULL)
    {
      FyPoolShared *shared = link->shared;

      /* Another item's log is void before this one's fields change. */
      __atomic_store_n (&shared->map_item, 0, __ATOMIC_RELEASE);
      shared->map_started_at = run.started_at;
      shared->log_first = 0;
      shared->log_done = 0;
      shared->log_used = 0;
      __atomic_store_n (&shared->map_item, seq + 1, __ATOMIC_RELEASE);
    }
  if (fixed > 0 && info->number_func != NULL
      && fy_workload_takes_numbers (info, (const char[]) { g_variant_type_peek_string (element)[0], '\0' }))
    {
      if (!run_numbers (&run, &clock, info, name, packed, n, error))
        {
          results_clear (&run.results);
          return NULL;
        }
      n = 0;
    }
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) argument = NULL;
      GVariant *result;
      guint32 end_us;

      /* A number of a packed array is read in place: cheaper than a
       * child value, and the array outlives any reference the workload
       * keeps. */
      if (fixed > 0)
        argument = g_variant_ref_sink (g_variant_new_from_data (element, packed + i * fixed, fixed, TRUE,
                                                                (GDestroyNotify) g_variant_unref,
                                                                g_variant_ref (arguments)));
      else
        argument = fy_pool_unboxed_child (arguments, i);
      if (boxed && !fy_worker_check_call (info, name, g_variant_get_type (argument), error))
        {
          results_clear (&run.results);
          return NULL;
        }
      result = fy_worker_call (info, name, argument, context, error);
      if (result == NULL)
        {
          results_clear (&run.results);
          return NULL;
        }
      g_variant_take_ref (result);
      end_us = clock_element (&clock, ends, (guint32) i);
      g_array_append_val (ends, end_us);
      results_add (&run.results, result);
      log_element (&run, (guint32) i, result);
      report_if_due (&run, (guint32) i);
      g_variant_unref (result);
    }
  clock_finish (&clock, ends);
  fields[0] = g_variant_new_int64 (run.started_at);
  fields[1] = g_variant_new_variant (results_take_all (&run.results));
  /* The ends too are handed over, not copied. */
  n_ends = ends->len;
  ends_data = g_array_steal (ends, NULL);
  fields[2] = g_variant_new_from_data (G_VARIANT_TYPE ("au"), ends_data, n_ends * sizeof (guint32), TRUE,
                                       g_free, ends_data);
  results_clear (&run.results);
  return g_variant_new_tuple (fields, 3);
}
