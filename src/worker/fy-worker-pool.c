/* fy-worker-pool.c: the pool's task loop, inside forkyard-worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The protocol is described in core/fy-pool-wire.h. The worker reads
 * chunks in order, declares which items it may run (its window), and
 * reports every item in order; chunks of short items start without a
 * message. It drains its channel at least every millisecond between items,
 * so a cancel that arrived meanwhile skips its item instead of running it.
 * Before it takes an item it stores the item's number in the block it
 * shares with the pool: that store, not a message, tells the pool which
 * task a death takes with it.
 */

#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>

#include "core/fy-channel.h"
#include "core/fy-pool-error.h"
#include "core/fy-pool-wire.h"
#include "workloads/fy-workload.h"

#include "fy-worker.h"

typedef struct
{
  guint64   id;
  guint64   first_seq;   /* the number of item 0, counted across chunks */
  char     *function;
  gboolean  mapped;      /* each item is a map chunk */
  GVariant *arguments;   /* av: slices of FY_POOL_SLICE_MAX, each an array */
  GVariant *slice;       /* the slice last read from */
  gsize     slice_index;
  gsize     n_items;
  guint8   *skip;        /* one flag per item */
} Chunk;

typedef struct
{
  FyChannel *channel;
  GQueue     chunks;     /* received, not started */
  Chunk     *current;
  gint64     last_drain;
  double     avg_item_us;   /* how long items take here, lately */
  char      *avg_function;  /* … when they run this function */
  gboolean   avg_mapped;    /* … over map chunks */
  FyPoolShared *shared;     /* NULL until the pool sent it */
  guint64    next_seq;      /* number of the next item received */
  gboolean   quit;
  int        status;
} Worker;

/* How often a worker busy with short items looks for cancels. */
#define DRAIN_INTERVAL_US 1000
/* Chunks of items this short start without a message of their own. */
#define SILENT_START_US   100.0

static void
chunk_free (Chunk *chunk)
{
  g_free (chunk->function);
  g_variant_unref (chunk->arguments);
  g_clear_pointer (&chunk->slice, g_variant_unref);
  g_free (chunk->skip);
  g_free (chunk);
}

static gboolean
send_message (Worker     *worker,
              char        tag,
              guint64     chunk_id,
              guint64     next,
              guint32     index,
              guint32     window,
              GVariant   *body)
{
  g_autoptr(GVariant) message = fy_pool_message_new (tag, chunk_id, next, index, window, body);

  /* A failed send: the parent is gone or closed our channel; leave. */
  if (!fy_channel_send (worker->channel, message, NULL, NULL))
    {
      worker->quit = TRUE;
      return FALSE;
    }
  return TRUE;
}

/* FALSE with the reason when the function @name cannot take a @type. */
static gboolean
check_call (const FyWorkloadInfo  *info,
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

static GVariant *
call (const FyWorkloadInfo  *info,
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

static GVariant *
run_function (const FyWorkloadInfo  *info,
              const char            *name,
              GVariant              *argument,
              GError               **error)
{
  g_autoptr(FyWorkloadContext) context = NULL;

  if (!check_call (info, name, g_variant_get_type (argument), error))
    return NULL;
  context = fy_workload_context_new (NULL, 0);
  return call (info, name, argument, context, error);
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

static void
results_clear (Results *r)
{
  g_clear_pointer (&r->packed, g_byte_array_unref);
  g_clear_pointer (&r->values, g_ptr_array_unref);
}

/* Where the map chunk item that runs stands, as fy-pool-wire.h says. */
typedef struct
{
  Worker   *worker;
  guint64   chunk_id;
  guint32   index;        /* of the item in its chunk */
  gint64    started_at;
  GArray   *ends;         /* guint32 µs after started_at, per element */
  Results   results;
} MapRun;

static guint8 *
log_area (Worker *worker)
{
  return (guint8 *) worker->shared + FY_POOL_LOG_AT;
}

/* Logs element @i (whose result is @value) before the next one starts;
 * when the log is full, what it holds goes to the pool by message
 * first. */
static void
log_element (MapRun   *run,
             guint32   i,
             GVariant *value)
{
  FyPoolShared *shared = run->worker->shared;
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
      if (!send_message (run->worker, FY_POOL_MSG_PROGRESS, run->chunk_id, 0, run->index, first,
                         g_variant_new_tuple (fields, 3)))
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
          send_message (run->worker, FY_POOL_MSG_PROGRESS, run->chunk_id, 0, run->index, i,
                        g_variant_new_tuple (fields, 3));
          __atomic_store_n (&shared->log_first, i + 1, __ATOMIC_RELEASE);
          __atomic_store_n (&shared->log_done, i + 1, __ATOMIC_RELEASE);
          return;
        }
    }
  at = log_area (run->worker) + used;
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

/* When each element of a map chunk ended. Reading the clock costs this
 * machine about as much as a tiny element: while elements are short it
 * is read every few of them, and the ends between two readings are spread
 * evenly. An element's end in the log may then be that of the reading
 * before it; the report carries the spread ones. */
typedef struct
{
  gint64  started_at;
  guint32 stride;      /* read at every stride-th element */
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

  if ((i + 1) % clock->stride != 0)
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

/* Runs the function on each argument of a map chunk, in order, as Python
 * does: the "(xvau)" of fy-pool-wire.h, or the first error. Items of one
 * type are checked once, and share one context. Item @seq of chunk
 * @chunk_id (its @index-th). */
static GVariant *
run_mapped (Worker                *worker,
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
  MapRun run = { worker, chunk_id, index, 0, NULL, { NULL, 0, 0, NULL, NULL, 0 } };
  const GVariantType *element;
  GVariant *fields[3];
  gboolean boxed;
  gsize fixed;
  const guint8 *packed;
  Clock clock = { 0 };
  gsize n;

  if (!g_variant_is_of_type (arguments, G_VARIANT_TYPE_ARRAY))
    {
      g_set_error (error, FY_POOL_ERROR, FY_POOL_ERROR_PROTOCOL,
                   "A map chunk's arguments came as a “%s”", g_variant_get_type_string (arguments));
      return NULL;
    }
  element = g_variant_type_element (g_variant_get_type (arguments));
  boxed = g_variant_type_equal (element, G_VARIANT_TYPE_VARIANT);
  if (!boxed && !check_call (info, name, element, error))
    return NULL;

  fixed = boxed ? 0 : fy_pool_fixed_size (g_variant_type_peek_string (element));
  if (fixed > 0 && g_variant_type_get_string_length (element) != 1)
    fixed = 0;
  packed = fixed > 0 ? g_variant_get_data (arguments) : NULL;
  context = fy_workload_context_new (NULL, 0);
  n = g_variant_n_children (arguments);
  clock.started_at = g_get_monotonic_time ();
  clock.stride = 1;
  ends = g_array_sized_new (FALSE, FALSE, sizeof (guint32), (guint) n);
  run.ends = ends;
  run.results.packed = g_byte_array_sized_new ((guint) MIN (n * 8, 1u << 20));
  run.started_at = clock.started_at;
  if (worker->shared != NULL)
    {
      FyPoolShared *shared = worker->shared;

      /* Another item's log is void before this one's fields change. */
      __atomic_store_n (&shared->map_item, 0, __ATOMIC_RELEASE);
      shared->map_started_at = run.started_at;
      shared->log_first = 0;
      shared->log_done = 0;
      shared->log_used = 0;
      __atomic_store_n (&shared->map_item, seq + 1, __ATOMIC_RELEASE);
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
      if (boxed && !check_call (info, name, g_variant_get_type (argument), error))
        {
          results_clear (&run.results);
          return NULL;
        }
      result = call (info, name, argument, context, error);
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
      g_variant_unref (result);
    }
  clock_finish (&clock, ends);
  fields[0] = g_variant_new_int64 (run.started_at);
  fields[1] = g_variant_new_variant (results_pack (&run.results, 0, run.results.n));
  fields[2] = g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, ends->data, ends->len, sizeof (guint32));
  results_clear (&run.results);
  return g_variant_new_tuple (fields, 3);
}

/* Names item @i of @chunk as the one this worker holds, in the word the
 * pool reads if we die: before any message shows the item as started, and
 * before it runs. The items before it are finished. */
static void
take_item (Worker *worker,
           Chunk  *chunk,
           gsize   i)
{
  if (worker->shared != NULL)
    __atomic_store_n (&worker->shared->running, chunk->first_seq + i + 1, __ATOMIC_RELEASE);
}

static Chunk *
find_chunk (Worker  *worker,
            guint64  id)
{
  if (worker->current != NULL && worker->current->id == id)
    return worker->current;
  for (GList *l = worker->chunks.head; l != NULL; l = l->next)
    if (((Chunk *) l->data)->id == id)
      return l->data;
  return NULL;
}

static void
run_initializer (Worker   *worker,
                 GVariant *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) argument = NULL;
  g_autoptr(GVariant) result = NULL;
  const char *name;

  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(sv)")))
    {
      worker->quit = TRUE;
      worker->status = 2;
      return;
    }
  g_variant_get (body, "(&sv)", &name, &argument);
  result = run_function (fy_workload_lookup (name), name, argument, &error);
  if (result != NULL)
    {
      g_variant_take_ref (result);
      send_message (worker, FY_POOL_MSG_READY, 0, 0, 0, 0, NULL);
      return;
    }
  send_message (worker, FY_POOL_MSG_INIT_FAILED, 0, 0, 0, 0, fy_pool_error_to_variant (error));
  worker->quit = TRUE;
  worker->status = 1;
}

/* Maps the block the pool shares with this worker. */
static gboolean
map_shared (Worker      *worker,
            GUnixFDList *fds)
{
  struct stat st;
  gpointer data;
  int fd;

  if (worker->shared != NULL || g_unix_fd_list_get_length (fds) != 1)
    return FALSE;
  fd = g_unix_fd_list_get (fds, 0, NULL);
  if (fd < 0)
    return FALSE;
  if (fstat (fd, &st) < 0 || st.st_size != FY_POOL_SHARED_SIZE
      || (data = mmap (NULL, FY_POOL_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
    {
      close (fd);
      return FALSE;
    }
  close (fd);
  worker->shared = data;
  return TRUE;
}

/* FALSE when the message is not one of ours: the parent is confused or
 * something else writes to our channel; either way we leave. */
static gboolean
handle_message (Worker      *worker,
                GVariant    *message,
                GUnixFDList *fds)
{
  g_autoptr(GVariant) body = NULL;
  FyPoolHeader header;

  if (!fy_pool_message_parse (message, &header, &body))
    return FALSE;
  /* Only the shared block comes with an fd. */
  if (header.tag == FY_POOL_MSG_SHARED)
    return map_shared (worker, fds);
  if (g_unix_fd_list_get_length (fds) != 0)
    return FALSE;

  switch (header.tag)
    {
    case FY_POOL_MSG_RUN:
      {
        gsize n_chunks;

        if (!g_variant_is_of_type (body, G_VARIANT_TYPE (FY_POOL_RUN_TYPE)))
          return FALSE;
        /* Found in normal form (one pass), the body is marked trusted and
         * reading each argument skips GLib's checks of the offsets before
         * it; a body that is not is read the slower way. */
        g_variant_is_normal_form (body);
        n_chunks = g_variant_n_children (body);
        for (gsize c = 0; c < n_chunks; c++)
          {
            g_autoptr(GVariant) fields = g_variant_get_child_value (body, c);
            g_autoptr(GVariant) id = g_variant_get_child_value (fields, 0);
            g_autoptr(GVariant) function = g_variant_get_child_value (fields, 1);
            g_autoptr(GVariant) mapped = g_variant_get_child_value (fields, 2);
            Chunk *chunk = g_new0 (Chunk, 1);

            chunk->id = g_variant_get_uint64 (id);
            chunk->function = g_variant_dup_string (function, NULL);
            chunk->mapped = g_variant_get_boolean (mapped);
            chunk->arguments = g_variant_get_child_value (fields, 3);
            chunk->n_items = 0;
            for (gsize k = 0; k < g_variant_n_children (chunk->arguments); k++)
              {
                g_autoptr(GVariant) slice = fy_pool_unboxed_child (chunk->arguments, k);
                gsize n = g_variant_is_of_type (slice, G_VARIANT_TYPE_ARRAY) ? g_variant_n_children (slice) : 0;

                /* Every slice but the last is full, so item i is found at once. */
                if (n == 0 || n > FY_POOL_SLICE_MAX
                    || (n < FY_POOL_SLICE_MAX && k + 1 < g_variant_n_children (chunk->arguments)))
                  {
                    chunk_free (chunk);
                    return FALSE;
                  }
                chunk->n_items += n;
              }
            if (chunk->n_items == 0)
              {
                chunk_free (chunk);
                return FALSE;
              }
            chunk->skip = g_new0 (guint8, MAX (chunk->n_items, 1));
            chunk->first_seq = worker->next_seq;
            worker->next_seq += chunk->n_items;
            g_queue_push_tail (&worker->chunks, chunk);
          }
        return TRUE;
      }

    case FY_POOL_MSG_CANCEL:
      {
        Chunk *chunk = find_chunk (worker, header.chunk);

        /* A cancel for a chunk already finished arrived late: harmless. */
        if (chunk != NULL && header.index < chunk->n_items)
          chunk->skip[header.index] = TRUE;
        return TRUE;
      }

    case FY_POOL_MSG_INIT:
      run_initializer (worker, body);
      return TRUE;

    case FY_POOL_MSG_QUIT:
      worker->quit = TRUE;
      return TRUE;

    default:
      return FALSE;
    }
}

/* Reads what the parent sent, waiting for it only when there is nothing
 * else to do. */
static void
receive (Worker   *worker,
         gboolean  block)
{
  worker->last_drain = g_get_monotonic_time ();
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) message = NULL;
      g_autoptr(GUnixFDList) fds = NULL;

      message = fy_channel_receive (worker->channel, block ? -1 : 0, &fds, &error);
      if (message == NULL)
        {
          if (!g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_TIMED_OUT))
            worker->quit = TRUE;
          return;
        }
      if (!handle_message (worker, message, fds))
        {
          worker->quit = TRUE;
          worker->status = 2;
          return;
        }
      if (worker->quit)
        return;
      block = FALSE;
    }
}

/* How many items of @chunk from @first on may run before the next message:
 * one while items are slow, so the parent always knows which one runs. */
/* TRUE when the speed measured lately is that of @chunk's function: the
 * speed of another says nothing about it. */
static gboolean
speed_known (Worker *worker,
             Chunk  *chunk)
{
  return worker->avg_item_us > 0 && worker->avg_function != NULL
         && g_str_equal (worker->avg_function, chunk->function) && worker->avg_mapped == chunk->mapped;
}

static guint32
choose_window (Worker *worker,
               Chunk  *chunk,
               gsize   first)
{
  gsize remaining = chunk->n_items - first;
  double w;

  /* A map chunk's elements are logged as they finish, but a finished
   * chunk's result only travels in its report: one chunk per window, so
   * no finished chunk waits for a report when its worker dies. */
  if (!speed_known (worker, chunk) || chunk->mapped)
    return 1;
  w = FY_POOL_WINDOW_US / MAX (worker->avg_item_us, 1.0);
  return (guint32) CLAMP (w, 1.0, (double) MIN (remaining, FY_POOL_WINDOW_MAX));
}

/* A chunk of short items may start without telling the pool: the shared
 * word says which item runs, and the first report acknowledges the chunk.
 * That saves the pool a wake-up per chunk when tasks come one at a time. */
static gboolean
silent_start (Worker *worker,
              Chunk  *chunk)
{
  return worker->shared != NULL
         && !__atomic_load_n (&worker->shared->want_starts, __ATOMIC_ACQUIRE)
         && worker->avg_item_us > 0 && worker->avg_item_us < SILENT_START_US
         && (chunk == NULL || speed_known (worker, chunk));
}

/* The chunk to run after the current one: its acknowledgement rides on the
 * current chunk's last report. Looks at the channel only when nothing is
 * queued here already, and only when the next chunk would need a message
 * to start: a silent start needs no acknowledgement to ride on. */
static Chunk *
next_chunk (Worker *worker)
{
  if (g_queue_is_empty (&worker->chunks) && !silent_start (worker, NULL))
    receive (worker, FALSE);
  return worker->quit ? NULL : g_queue_peek_head (&worker->chunks);
}

/* Reports gathered since the last message: one kind and one value per
 * item, in order. */
typedef struct
{
  GByteArray *kinds;
  GPtrArray  *values;   /* GVariant, owned */
} Reports;

/* Takes @value, a floating or a full reference (workloads return
 * either). */
static void
reports_add (Reports  *reports,
             char      kind,
             GVariant *value)
{
  guint8 k = (guint8) kind;

  g_byte_array_append (reports->kinds, &k, 1);
  g_ptr_array_add (reports->values, g_variant_take_ref (value != NULL ? value : g_variant_new ("()")));
}

/* Sends the reports gathered since @first: alone when there is one (no
 * array to build on the usual path), as a batch otherwise. */
static void
send_reports (Worker    *worker,
              Chunk     *chunk,
              guint64    next_id,
              gsize      first,
              Reports   *reports,
              guint32    window)
{
  guint n = reports->values->len;

  if (n == 1)
    send_message (worker, (char) reports->kinds->data[0], chunk->id, next_id, first, window,
                  g_ptr_array_index (reports->values, 0));
  else
    {
      GVariant *fields[2];

      fields[0] = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, reports->kinds->data, n, 1);
      fields[1] = g_variant_new_variant (fy_pool_pack_values ((GVariant **) reports->values->pdata, n));
      send_message (worker, FY_POOL_MSG_BATCH, chunk->id, next_id, first, window,
                    g_variant_new_tuple (fields, 2));
    }
  g_byte_array_set_size (reports->kinds, 0);
  g_ptr_array_set_size (reports->values, 0);
}

/* Runs the current chunk, whose start and first window were declared
 * already. Returns the chunk it acknowledged with its last report (or NULL)
 * and that chunk's window in @out_window. */
static Chunk *
run_chunk (Worker  *worker,
           Chunk   *chunk,
           guint32  window,
           guint32 *out_window)
{
  const FyWorkloadInfo *info = fy_workload_lookup (chunk->function);
  g_autoptr(GByteArray) kinds = g_byte_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  Reports reports = { kinds, values };
  gsize window_end = window;
  gsize first = 0;
  Chunk *next;
  g_autoptr(FyWorkloadContext) context = NULL;
  const GVariantType *checked = NULL;

  *out_window = 0;
  for (gsize i = 0; i < chunk->n_items && !worker->quit; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) argument = NULL;
      GVariant *result = NULL;
      gint64 start;
      double took;

      if (i == window_end)
        {
          guint32 w = choose_window (worker, chunk, i);

          /* A map chunk's report goes before the next one is taken,
           * so its result is never lost with the worker. */
          if (!chunk->mapped)
            take_item (worker, chunk, i);
          send_reports (worker, chunk, 0, first, &reports, w);
          if (chunk->mapped)
            take_item (worker, chunk, i);
          first = i;
          window_end = i + w;
        }
      if (i > 0 && g_get_monotonic_time () - worker->last_drain >= DRAIN_INTERVAL_US)
        receive (worker, FALSE);
      if (worker->quit)
        break;

      if (chunk->skip[i])
        {
          reports_add (&reports, FY_POOL_MSG_SKIPPED, NULL);
          continue;
        }

      take_item (worker, chunk, i);
      start = g_get_monotonic_time ();
      if (chunk->slice == NULL || chunk->slice_index != i / FY_POOL_SLICE_MAX)
        {
          g_clear_pointer (&chunk->slice, g_variant_unref);
          chunk->slice_index = i / FY_POOL_SLICE_MAX;
          chunk->slice = fy_pool_unboxed_child (chunk->arguments, chunk->slice_index);
        }
      /* An item of a boxed slice travels in a "v"; the function gets what
       * is inside. */
      argument = fy_pool_unboxed_child (chunk->slice, i % FY_POOL_SLICE_MAX);
      if (chunk->mapped)
        result = run_mapped (worker, info, chunk->function, chunk->id, (guint32) i, chunk->first_seq + i,
                             argument, &error);
      else
        {
          /* Items of one chunk share a context, and each type of argument
           * is checked once (types of one kind share one pointer). */
          const GVariantType *type = g_variant_get_type (argument);

          if (type != checked && check_call (info, chunk->function, type, &error))
            checked = type;
          if (type == checked)
            {
              if (context == NULL)
                context = fy_workload_context_new (NULL, 0);
              result = call (info, chunk->function, argument, context, &error);
            }
        }
      if (result != NULL)
        {
          reports_add (&reports, FY_POOL_MSG_RESULT, result);
        }
      else
        reports_add (&reports, FY_POOL_MSG_ERROR, fy_pool_error_to_variant (error));

      took = (double) (g_get_monotonic_time () - start);
      if (!speed_known (worker, chunk))
        {
          worker->avg_item_us = took;
          g_free (worker->avg_function);
          worker->avg_function = g_strdup (chunk->function);
          worker->avg_mapped = chunk->mapped;
        }
      else
        worker->avg_item_us = 0.7 * worker->avg_item_us + 0.3 * took;
    }
  if (worker->quit)
    return NULL;

  next = next_chunk (worker);
  if (next != NULL)
    {
      *out_window = choose_window (worker, next, 0);
      if (!chunk->mapped)
        take_item (worker, next, 0);
    }
  send_reports (worker, chunk, next != NULL ? next->id : 0, first, &reports, *out_window);
  if (next != NULL && chunk->mapped)
    take_item (worker, next, 0);
  return next;
}

int
fy_worker_pool_main (FyChannel *channel)
{
  Worker worker = { 0 };
  Chunk *acknowledged = NULL;
  guint32 window = 0;

  worker.channel = channel;
  g_queue_init (&worker.chunks);

  while (!worker.quit)
    {
      if (g_queue_is_empty (&worker.chunks))
        receive (&worker, TRUE);
      if (worker.quit)
        break;

      worker.current = g_queue_pop_head (&worker.chunks);
      if (worker.current == NULL)
        continue;
      if (worker.current != acknowledged)
        {
          window = choose_window (&worker, worker.current, 0);
          take_item (&worker, worker.current, 0);
          if (!silent_start (&worker, worker.current)
              && !send_message (&worker, FY_POOL_MSG_STARTED, worker.current->id, 0, 0, window, NULL))
            break;
        }
      acknowledged = run_chunk (&worker, worker.current, window, &window);
      g_clear_pointer (&worker.current, chunk_free);
    }

  g_clear_pointer (&worker.current, chunk_free);
  g_queue_clear_full (&worker.chunks, (GDestroyNotify) chunk_free);
  if (worker.shared != NULL)
    munmap (worker.shared, FY_POOL_SHARED_SIZE);
  g_free (worker.avg_function);
  return worker.status;
}
