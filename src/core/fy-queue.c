/* fy-queue.c: a bounded multi-producer, multi-consumer queue in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "fy-futex.h"
#include "fy-queue-private.h"
#include "fy-shm-private.h"

/* Each record: a length, its complement (so repair can tell a record from
 * garbage) and the serialized "v" padded to 8 bytes. */
typedef struct
{
  guint32 length;
  guint32 check;
} RecordHeader;

#define RECORD_CHECK(len) ((len) ^ 0x5a5aa5a5u)

typedef struct
{
  guint32 not_empty;     /* futex words, bumped under the lock */
  guint32 not_full;
  guint32 all_done;
  guint32 closed;
  guint32 maxsize;
  guint32 joinable;
  guint32 get_waiters;
  guint32 put_waiters;
  guint32 join_waiters;
  guint32 count;         /* derived from the ring; repaired after a death */
  guint32 get_wakes;     /* wake-ups sent to sleeping getters, not yet taken */
  guint32 put_wakes;
  guint64 ring_size;
  guint64 head;          /* monotonic byte positions; head <= tail */
  guint64 tail;
  guint64 puts;
  guint64 gets;
  guint64 unfinished;
} QueueData;

#define RING_OFFSET 128
G_STATIC_ASSERT (sizeof (QueueData) <= RING_OFFSET);

struct _FyQueue
{
  GObject    parent_instance;

  FyShm     *shm;
  QueueData *data;
  guint8    *ring;
};

G_DEFINE_FINAL_TYPE (FyQueue, fy_queue, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-queue-error-quark, fy_queue_error)

/* Before a getter (putter) sleeps it watches the tail (head) for a short
 * while: a producer (consumer) in full flow then hands items over without
 * the two system calls of a futex sleep and wake. Bounded, so a quiet queue costs a few
 * tens of microseconds of CPU, then nothing. */
#define SPINS 2000

/* A waiter re-checks at least this often, so a wake-up absorbed by a
 * process killed right after it was woken costs a delay, never a hang. */
#define MAX_SLEEP_USEC (G_USEC_PER_SEC / 2)

static void
ring_read (QueueData   *data,
           guint8      *ring,
           guint64      position,
           void        *dest,
           gsize        length)
{
  gsize offset = position % data->ring_size;
  gsize first = MIN (length, data->ring_size - offset);

  memcpy (dest, ring + offset, first);
  if (first < length)
    memcpy ((guint8 *) dest + first, ring, length - first);
}

static void
ring_write (QueueData   *data,
            guint8      *ring,
            guint64      position,
            const void  *src,
            gsize        length)
{
  gsize offset = position % data->ring_size;
  gsize first = MIN (length, data->ring_size - offset);

  memcpy (ring + offset, src, first);
  if (first < length)
    memcpy (ring, (const guint8 *) src + first, length - first);
}

static void
queue_repair (FyShm *shm)
{
  QueueData *data = fy_shm_get_data (shm);
  guint8 *ring = (guint8 *) data + RING_OFFSET;
  guint64 position = data->head;
  guint32 count = 0;

  /* head and tail are only ever published whole, so walking from one to
   * the other finds complete records; a record that does not check out
   * means the ring itself was scribbled on, and everything after it goes. */
  while (position < data->tail)
    {
      RecordHeader rh;

      ring_read (data, ring, position, &rh, sizeof rh);
      if (rh.check != RECORD_CHECK (rh.length) ||
          sizeof rh + fy_align8 (rh.length) > data->tail - position)
        {
          g_warning ("Queue '%s': dropping %" G_GUINT64_FORMAT " unreadable bytes",
                     fy_shm_get_name (shm), data->tail - position);
          data->tail = position;
          break;
        }
      position += sizeof rh + fy_align8 (rh.length);
      count++;
    }
  data->count = count;
  if (data->unfinished < count)
    data->unfinished = count;
  /* Whoever slept through the death gets to look again; wake-ups owed to
   * the dead are forgotten. */
  data->get_wakes = 0;
  data->put_wakes = 0;
  data->not_empty++;
  data->not_full++;
  fy_futex_wake (&data->not_empty, G_MAXINT);
  fy_futex_wake (&data->not_full, G_MAXINT);
}

static void
queue_snapshot (FyShm        *shm,
                GVariantDict *dict)
{
  QueueData *data = fy_shm_get_data (shm);

  g_variant_dict_insert (dict, "capacity", "u", data->maxsize);
  g_variant_dict_insert (dict, "capacity-bytes", "t", data->ring_size);
  g_variant_dict_insert (dict, "depth", "u", __atomic_load_n (&data->count, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "bytes", "t",
                         __atomic_load_n (&data->tail, __ATOMIC_RELAXED) -
                         __atomic_load_n (&data->head, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "t", __atomic_load_n (&data->puts, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "gets", "t", __atomic_load_n (&data->gets, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "waiters", "u",
                         __atomic_load_n (&data->get_waiters, __ATOMIC_RELAXED) +
                         __atomic_load_n (&data->put_waiters, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "get-waiters", "u", __atomic_load_n (&data->get_waiters, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "put-waiters", "u", __atomic_load_n (&data->put_waiters, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "closed", "b", data->closed != 0);
  if (data->joinable)
    g_variant_dict_insert (dict, "unfinished", "t", __atomic_load_n (&data->unfinished, __ATOMIC_RELAXED));
}

static void
fy_queue_finalize (GObject *object)
{
  FyQueue *self = FY_QUEUE (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_queue_parent_class)->finalize (object);
}

static void
fy_queue_class_init (FyQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_queue_finalize;
}

static void
fy_queue_init (FyQueue *self)
{
}

static FyQueue *
queue_wrap (FyShm    *shm,
            gboolean  created)
{
  FyQueue *self = g_object_new (FY_TYPE_QUEUE, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  self->ring = (guint8 *) self->data + RING_OFFSET;
  fy_shm_set_funcs (shm, queue_repair, queue_snapshot);
  fy_shm_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

FyQueue *
fy_queue_new_full (const char  *name,
                   guint        maxsize,
                   gsize        capacity_bytes,
                   gboolean     joinable,
                   GError     **error)
{
  g_autoptr(FyShm) shm = NULL;
  QueueData *data;

  if (capacity_bytes == 0)
    capacity_bytes = FY_QUEUE_DEFAULT_CAPACITY;
  capacity_bytes = MAX (fy_align8 (capacity_bytes), 64);

  shm = fy_shm_new (FY_SHM_KIND_QUEUE, name, RING_OFFSET + capacity_bytes, error);
  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  data->maxsize = maxsize;
  data->joinable = joinable;
  data->ring_size = capacity_bytes;
  return queue_wrap (shm, TRUE);
}

FyQueue *
fy_queue_new (const char  *name,
              guint        maxsize,
              GError     **error)
{
  return fy_queue_new_full (name, maxsize, 0, FALSE, error);
}

FyQueue *
fy_queue_new_joinable (const char  *name,
                       guint        maxsize,
                       GError     **error)
{
  return fy_queue_new_full (name, maxsize, 0, TRUE, error);
}

FyQueue *
fy_queue_new_from_fd (int      fd,
                      GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_QUEUE, error);
  QueueData *data;

  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  if (data->ring_size < 64 || data->ring_size % 8 != 0 ||
      data->ring_size > fy_shm_get_data_size (shm) - RING_OFFSET)
    {
      g_set_error_literal (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                           "The queue's ring does not fit its mapping");
      return NULL;
    }
  return queue_wrap (shm, FALSE);
}

int
fy_queue_get_fd (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_queue_get_shm (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), NULL);
  return self->shm;
}

/* Sleeps on @word (read under the lock) with the lock released; returns
 * with it held again. FALSE once @deadline has passed. @pending counts the
 * wake-ups sent and not yet taken: each sleeper that comes back takes one,
 * so a burst of puts wakes a sleeping getter once, not once per put. */
static gboolean
sleep_unlocked (FyQueue *self,
                guint32 *word,
                guint32 *waiters,
                guint32 *pending,
                gint64   deadline)
{
  guint32 seen = *word;
  gint64 now = g_get_monotonic_time ();
  gint64 until = now + MAX_SLEEP_USEC;

  if (deadline != FY_DEADLINE_NEVER)
    {
      if (now >= deadline)
        return FALSE;
      until = MIN (until, deadline);
    }

  (*waiters)++;
  fy_shm_unlock (self->shm);
  fy_futex_wait (word, seen, until);
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  if (*waiters > 0)
    (*waiters)--;
  if (pending != NULL && *pending > 0)
    (*pending)--;
  return TRUE;
}

/* With the lock held: TRUE when a sleeper should be woken (after the
 * unlock), that is when some sleeper has not been sent a wake-up yet. */
static gboolean
signal_one (guint32 *word,
            guint32  waiters,
            guint32 *pending)
{
  if (waiters <= *pending)
    return FALSE;
  (*pending)++;
  __atomic_add_fetch (word, 1, __ATOMIC_RELEASE);
  return TRUE;
}

static void
wake (guint32 *word,
      int      n)
{
  __atomic_add_fetch (word, 1, __ATOMIC_RELEASE);
  fy_futex_wake (word, n);
}

gboolean
fy_queue_put (FyQueue   *self,
              GVariant  *item,
              double     timeout_seconds,
              GError   **error)
{
  g_autoptr(GVariant) owned = NULL;
  QueueData *data;
  RecordHeader rh;
  gsize length, record;
  gint64 deadline;
  gboolean woke_getter = FALSE;
  gboolean spun = FALSE;

  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  owned = g_variant_ref_sink (item);
  data = self->data;
  length = fy_variant_record_size (owned);
  record = sizeof rh + fy_align8 (length);
  if (length > G_MAXUINT32 || record > data->ring_size)
    {
      g_set_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TOO_BIG,
                   "An item of %" G_GSIZE_FORMAT " bytes cannot fit a queue of %"
                   G_GUINT64_FORMAT " bytes", length, data->ring_size);
      return FALSE;
    }

  deadline = fy_deadline_from_timeout (timeout_seconds);
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  for (;;)
    {
      if (data->closed)
        {
          fy_shm_unlock (self->shm);
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED,
                               "The queue is closed");
          return FALSE;
        }
      if ((data->maxsize == 0 || data->count < data->maxsize) &&
          data->ring_size - (data->tail - data->head) >= record)
        break;
      if (!spun && (deadline == FY_DEADLINE_NEVER || !fy_deadline_expired (deadline)))
        {
          /* As in get: a consumer in full flow frees room very soon. */
          guint64 head = data->head;

          spun = TRUE;
          fy_shm_unlock (self->shm);
          for (guint i = 0; i < SPINS; i++)
            {
              if (__atomic_load_n (&data->head, __ATOMIC_ACQUIRE) != head ||
                  __atomic_load_n (&data->closed, __ATOMIC_RELAXED))
                break;
              fy_cpu_relax ();
            }
          fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
          continue;
        }
      if (!sleep_unlocked (self, &data->not_full, &data->put_waiters, &data->put_wakes, deadline))
        {
          fy_shm_unlock (self->shm);
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_FULL,
                               "The queue is full");
          return FALSE;
        }
    }

  rh.length = length;
  rh.check = RECORD_CHECK (rh.length);
  ring_write (data, self->ring, data->tail, &rh, sizeof rh);
  {
    gsize offset = (data->tail + sizeof rh) % data->ring_size;

    if (offset + length <= data->ring_size)
      fy_variant_record_write (owned, self->ring + offset);
    else
      {
        /* Split across the end of the ring: serialized aside first. */
        g_autofree guint8 *flat = g_malloc (length);

        fy_variant_record_write (owned, flat);
        ring_write (data, self->ring, data->tail + sizeof rh, flat, length);
      }
  }
  if (data->joinable)
    data->unfinished++;
  data->count++;
  data->puts++;
  /* The commit: until the tail moves, the record does not exist. */
  __atomic_store_n (&data->tail, data->tail + record, __ATOMIC_RELEASE);
  woke_getter = signal_one (&data->not_empty, data->get_waiters, &data->get_wakes);
  fy_shm_unlock (self->shm);

  if (woke_getter)
    fy_futex_wake (&data->not_empty, 1);
  return TRUE;
}

GVariant *
fy_queue_get (FyQueue  *self,
              double    timeout_seconds,
              GError  **error)
{
  GVariant *item;
  QueueData *data;
  RecordHeader rh;
  gint64 deadline;
  guint8 *payload;
  gboolean woke_putter = FALSE;
  gboolean spun = FALSE;

  g_return_val_if_fail (FY_IS_QUEUE (self), NULL);

  data = self->data;
  deadline = fy_deadline_from_timeout (timeout_seconds);
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  while (data->head == data->tail)
    {
      if (data->closed)
        {
          fy_shm_unlock (self->shm);
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED,
                               "The queue is closed");
          return NULL;
        }
      if (!spun && (deadline == FY_DEADLINE_NEVER || !fy_deadline_expired (deadline)))
        {
          guint64 head = data->head;

          spun = TRUE;
          fy_shm_unlock (self->shm);
          for (guint i = 0; i < SPINS; i++)
            {
              if (__atomic_load_n (&data->tail, __ATOMIC_ACQUIRE) != head ||
                  __atomic_load_n (&data->closed, __ATOMIC_RELAXED))
                break;
              fy_cpu_relax ();
            }
          fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
          continue;
        }
      if (!sleep_unlocked (self, &data->not_empty, &data->get_waiters, &data->get_wakes, deadline))
        {
          fy_shm_unlock (self->shm);
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY,
                               "The queue is empty");
          return NULL;
        }
    }

  ring_read (data, self->ring, data->head, &rh, sizeof rh);
  if (rh.check != RECORD_CHECK (rh.length) ||
      sizeof rh + fy_align8 (rh.length) > data->tail - data->head)
    {
      /* Only a process scribbling on the mapping gets here. */
      queue_repair (self->shm);
      fy_shm_unlock (self->shm);
      g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY,
                           "The queue held a damaged record");
      return NULL;
    }
  payload = g_malloc (MAX (rh.length, 1));
  ring_read (data, self->ring, data->head + sizeof rh, payload, rh.length);
  if (data->count > 0)
    data->count--;
  data->gets++;
  __atomic_store_n (&data->head, data->head + sizeof rh + fy_align8 (rh.length), __ATOMIC_RELEASE);
  woke_putter = signal_one (&data->not_full, data->put_waiters, &data->put_wakes);
  fy_shm_unlock (self->shm);

  if (woke_putter)
    fy_futex_wake (&data->not_full, 1);

  item = fy_variant_record_parse (payload, rh.length);
  if (item == NULL)
    g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY,
                         "The queue held a damaged item");
  return item;
}

guint
fy_queue_get_qsize (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), 0);
  return __atomic_load_n (&self->data->count, __ATOMIC_ACQUIRE);
}

gboolean
fy_queue_is_empty (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), TRUE);
  return __atomic_load_n (&self->data->head, __ATOMIC_ACQUIRE) ==
         __atomic_load_n (&self->data->tail, __ATOMIC_ACQUIRE);
}

gboolean
fy_queue_is_full (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);
  return self->data->maxsize > 0 && fy_queue_get_qsize (self) >= self->data->maxsize;
}

guint
fy_queue_get_maxsize (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), 0);
  return self->data->maxsize;
}

gsize
fy_queue_get_capacity (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), 0);
  return self->data->ring_size;
}

gboolean
fy_queue_is_joinable (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);
  return self->data->joinable != 0;
}

void
fy_queue_close (FyQueue *self)
{
  g_return_if_fail (FY_IS_QUEUE (self));

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  self->data->closed = 1;
  wake (&self->data->not_empty, G_MAXINT);
  wake (&self->data->not_full, G_MAXINT);
  fy_shm_unlock (self->shm);
}

gboolean
fy_queue_is_closed (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);
  return __atomic_load_n (&self->data->closed, __ATOMIC_ACQUIRE) != 0;
}

static gboolean
check_joinable (FyQueue  *self,
                GError  **error)
{
  if (self->data->joinable)
    return TRUE;
  g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_NOT_JOINABLE,
                       "The queue is not joinable");
  return FALSE;
}

gboolean
fy_queue_task_done (FyQueue  *self,
                    GError  **error)
{
  QueueData *data;

  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);

  if (!check_joinable (self, error))
    return FALSE;

  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  if (data->unfinished == 0)
    {
      fy_shm_unlock (self->shm);
      g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TASK_DONE,
                           "task_done () called more times than items were put");
      return FALSE;
    }
  data->unfinished--;
  if (data->unfinished == 0 && data->join_waiters > 0)
    wake (&data->all_done, G_MAXINT);
  fy_shm_unlock (self->shm);
  return TRUE;
}

gboolean
fy_queue_join (FyQueue  *self,
               double    timeout_seconds,
               GError  **error)
{
  QueueData *data;
  gint64 deadline;

  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);

  if (!check_joinable (self, error))
    return FALSE;

  data = self->data;
  deadline = fy_deadline_from_timeout (timeout_seconds);
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  while (data->unfinished > 0)
    if (!sleep_unlocked (self, &data->all_done, &data->join_waiters, NULL, deadline))
      {
        fy_shm_unlock (self->shm);
        g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TIMED_OUT,
                             "Tasks still unfinished at the timeout");
        return FALSE;
      }
  fy_shm_unlock (self->shm);
  return TRUE;
}

guint8 *
fy_queue_peek_ring (FyQueue *self,
                    guint64 *out_ring_size,
                    guint64 *out_head,
                    guint64 *out_tail)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), NULL);

  *out_ring_size = self->data->ring_size;
  *out_head = __atomic_load_n (&self->data->head, __ATOMIC_ACQUIRE);
  *out_tail = __atomic_load_n (&self->data->tail, __ATOMIC_ACQUIRE);
  return self->ring;
}
