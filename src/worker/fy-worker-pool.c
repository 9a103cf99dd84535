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
 * task a death takes with it. Running the workloads themselves, one call or
 * a map chunk's many, is fy-worker-call.c's.
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
#include "fy-worker-call.h"

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

/* Sends a message; a report of one item carries when it ran. */
static gboolean
send_report (Worker     *worker,
             char        tag,
             guint64     chunk_id,
             guint64     next,
             guint32     index,
             guint32     window,
             gint64      started_at,
             gint64      ended_at,
             GVariant   *body)
{
  g_autoptr(GVariant) message = fy_pool_report_new (tag, chunk_id, next, index, window,
                                                    started_at, ended_at, body);

  /* A failed send: the parent is gone or closed our channel; leave. */
  if (!fy_channel_send (worker->channel, message, NULL, NULL))
    {
      worker->quit = TRUE;
      return FALSE;
    }
  return TRUE;
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
  return send_report (worker, tag, chunk_id, next, index, window, 0, 0, body);
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
  result = fy_worker_run_function (fy_workload_lookup (name), name, argument, &error);
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

/* Walked untrusted, the few map chunks a message carries cost little. */
#define PACKED_WALK_MAX 16

/* TRUE when a run message holds only a few map chunks, each an array of
 * one fixed-size type: nothing in it needs the normal-form pass. */
static gboolean
only_packed_map_chunks (GVariant *body)
{
  gsize n_chunks = g_variant_n_children (body);

  if (n_chunks == 0 || n_chunks > PACKED_WALK_MAX)
    return FALSE;
  for (gsize c = 0; c < n_chunks; c++)
    {
      g_autoptr(GVariant) fields = g_variant_get_child_value (body, c);
      g_autoptr(GVariant) mapped = g_variant_get_child_value (fields, 2);
      g_autoptr(GVariant) arguments = NULL;

      /* Tasks of one (apply_async, submit) leave at the first look. */
      if (!g_variant_get_boolean (mapped))
        return FALSE;
      arguments = g_variant_get_child_value (fields, 3);
      if (g_variant_n_children (arguments) != 1)
        return FALSE;
      {
        g_autoptr(GVariant) slice = fy_pool_unboxed_child (arguments, 0);
        gsize n = g_variant_n_children (slice);

        if (!g_variant_is_of_type (slice, G_VARIANT_TYPE ("av")) || n > PACKED_WALK_MAX)
          return FALSE;
        for (gsize i = 0; i < n; i++)
          {
            g_autoptr(GVariant) item = fy_pool_unboxed_child (slice, i);
            const char *type = g_variant_get_type_string (item);

            if (type[0] != 'a' || fy_pool_fixed_size (type + 1) == 0)
              return FALSE;
          }
      }
    }
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
         * it; a body that is not is read the slower way. Map chunks of
         * numbers have no offsets to check, and that pass would visit
         * every number. */
        if (!only_packed_map_chunks (body))
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
 * current chunk's last report. Looks at the channel when nothing is
 * queued here already and the next chunk would need a message to start (a
 * silent start needs no acknowledgement to ride on), and when the channel
 * was last drained long ago: a chunk held ahead while a long item ran may
 * have been cancelled meanwhile, and must be skipped, not run. */
static Chunk *
next_chunk (Worker *worker)
{
  if ((g_queue_is_empty (&worker->chunks) && !silent_start (worker, NULL))
      || g_get_monotonic_time () - worker->last_drain >= DRAIN_INTERVAL_US)
    receive (worker, FALSE);
  return worker->quit ? NULL : g_queue_peek_head (&worker->chunks);
}

/* Reports gathered since the last message: one kind, two times (when it
 * started and ended here: the parent hears of a short item only with its
 * result) and one value per item, in order. */
typedef struct
{
  GByteArray *kinds;
  GArray     *times;    /* gint64 */
  GPtrArray  *values;   /* GVariant, owned */
} Reports;

/* Takes @value, a floating or a full reference (workloads return
 * either). */
static void
reports_add (Reports  *reports,
             char      kind,
             gint64    started_at,
             gint64    ended_at,
             GVariant *value)
{
  guint8 k = (guint8) kind;
  gint64 times[2] = { started_at, ended_at };

  g_byte_array_append (reports->kinds, &k, 1);
  g_array_append_vals (reports->times, times, 2);
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
    send_report (worker, (char) reports->kinds->data[0], chunk->id, next_id, first, window,
                 g_array_index (reports->times, gint64, 0), g_array_index (reports->times, gint64, 1),
                 g_ptr_array_index (reports->values, 0));
  else
    {
      GVariant *fields[3];

      fields[0] = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, reports->kinds->data, n, 1);
      fields[1] = g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, reports->times->data, 2 * n, sizeof (gint64));
      fields[2] = g_variant_new_variant (fy_pool_pack_values ((GVariant **) reports->values->pdata, n));
      send_message (worker, FY_POOL_MSG_BATCH, chunk->id, next_id, first, window,
                    g_variant_new_tuple (fields, 3));
    }
  g_byte_array_set_size (reports->kinds, 0);
  g_array_set_size (reports->times, 0);
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
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  Reports reports = { kinds, times, values };
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
      gint64 end;
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
      /* Item 0 too: a chunk received long ago may have been cancelled
       * since (one held ahead while a long item ran). */
      if (g_get_monotonic_time () - worker->last_drain >= DRAIN_INTERVAL_US)
        receive (worker, FALSE);
      if (worker->quit)
        break;

      if (chunk->skip[i])
        {
          reports_add (&reports, FY_POOL_MSG_SKIPPED, 0, 0, NULL);
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
        {
          FyWorkerLink link = { worker->channel, worker->shared, FALSE };

          result = fy_worker_run_mapped (&link, info, chunk->function, chunk->id, (guint32) i,
                                         chunk->first_seq + i, argument, &error);
          if (link.gone)
            worker->quit = TRUE;
        }
      else
        {
          /* Items of one chunk share a context, and each type of argument
           * is checked once (types of one kind share one pointer). */
          const GVariantType *type = g_variant_get_type (argument);

          if (type != checked && fy_worker_check_call (info, chunk->function, type, &error))
            checked = type;
          if (type == checked)
            {
              if (context == NULL)
                context = fy_workload_context_new (NULL, 0);
              result = fy_worker_call (info, chunk->function, argument, context, &error);
            }
        }
      end = g_get_monotonic_time ();
      if (result != NULL)
        reports_add (&reports, FY_POOL_MSG_RESULT, start, end, result);
      else
        reports_add (&reports, FY_POOL_MSG_ERROR, start, end, fy_pool_error_to_variant (error));

      took = (double) (end - start);
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
