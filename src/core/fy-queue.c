/* fy-queue.c: a bounded multi-producer, multi-consumer queue in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A two-lock queue over a byte ring. Producers serialize among themselves
 * on the FyShm header lock (the put lock: its holder pid and recoveries are
 * what the inspector shows), consumers on a second robust mutex inside the
 * ring's header (the get lock); nothing ever needs both. A producer and a
 * consumer therefore never wait for each other, and each writes only its
 * own cache line: the producers' line holds the tail and the count of puts,
 * the consumers' line the head and the get lock. Every record carries the
 * sequence number of its put, so the depth is puts minus the number of the
 * record at the head: no count or gets counter exists to go stale when a
 * process dies between two stores.
 *
 * A put serializes a small item before it takes the lock, writes the record
 * past the tail, counts it and publishes the tail last, in one store: killed
 * before that, it leaves no record, and the put lock's repair recounts the
 * puts. A get copies the record out and publishes the head last: killed
 * anywhere, it leaves the record where it was, and nothing needs repair.
 *
 * A caller that has to wait keeps its lock, as Python's Queue keeps its
 * reader lock while it polls: it watches the other side's position for a
 * moment, then raises its "sleeping" word, re-reads the position and sleeps
 * on a futex word. The other side publishes its position, then reads the
 * sleeping word (both sequentially consistent), so one of the two always
 * sees the other and no wake-up is lost; only one sleeper per side exists,
 * so a dead sleeper's word is simply cleared by whoever recovers its lock.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "fy-futex.h"
#include "fy-queue-private.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"

/* Each record: a length, the put's sequence number, a check over both (so
 * a record can be told from garbage) and the serialized item padded to 8. */
typedef struct
{
  guint32 length;
  guint32 check;
  guint64 seq;
} RecordHeader;

#define CACHE_LINE __attribute__ ((aligned (64)))

typedef struct
{
  /* Set at creation or written rarely: stays shared in every cache. */
  guint64         ring_size;
  guint32         maxsize;
  guint32         joinable;
  guint32         closed;
  guint32         get_sleeping;   /* set by a getter (holding the get lock) asleep on not_empty */
  guint32         put_sleeping;   /* set by a putter (holding the put lock) asleep on not_full */

  /* Written by producers only. */
  guint64         tail CACHE_LINE;  /* monotonic byte positions; head <= tail */
  guint64         puts;             /* sequence number of the next record */
  guint32         not_empty;        /* futex word */

  /* Written by consumers only. */
  guint64         head CACHE_LINE;
  guint32         not_full;         /* futex word */
  gint32          get_holder_pid;
  guint32         get_lock_waiters;
  guint32         get_recoveries;
  pthread_mutex_t get_lock;         /* process-shared, robust */

  /* JoinableQueue: the unfinished tasks are the puts minus these, so the
   * put lock's repair of the puts count repairs them too. */
  guint64         dones CACHE_LINE;     /* task_done calls */
  guint32         all_done;         /* futex word */
  guint32         join_waiters;
} QueueData;

#define RING_OFFSET 256
G_STATIC_ASSERT (sizeof (QueueData) <= RING_OFFSET);

/* Items up to this size are serialized before the put lock is taken and
 * copied out of the ring onto the stack by a get, so the critical sections
 * are a memcpy each; larger ones go to and from the ring directly. */
#define SMALL_RECORD 256

/* A byte position and its offset in the ring, so that the next operation
 * of the same process can step from there rather than divide again. */
typedef struct
{
  guint64 position;
  gsize   offset;
} RingCursor;

struct _FyQueue
{
  GObject    parent_instance;

  FyShm     *shm;
  QueueData *data;
  guint8    *ring;
  /* Positions last seen of the other side, touched only under the lock of
   * this side. Head and tail only grow, so an old value merely
   * underestimates the room or the items (an old tail may even lie behind
   * the head, which other processes moved), and the other side's cache
   * line is read only when the old value is not enough. */
  guint64    head_seen;
  guint64    tail_seen;
  /* Where this process last put and got, under the same locks. */
  RingCursor put_cursor;
  RingCursor get_cursor;
};

G_DEFINE_FINAL_TYPE (FyQueue, fy_queue, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-queue-error-quark, fy_queue_error)

/* Before a getter (putter) sleeps it watches the tail (head) for a short
 * while: a producer (consumer) in full flow then hands items over without
 * the two system calls of a futex sleep and wake. Bounded, so a quiet queue
 * costs a few tens of microseconds of CPU, then nothing. */
#define SPINS 2000

/* A sleeper re-checks at least this often, so a wake-up lost with a
 * process killed between publishing and waking costs a delay, never a hang. */
#define MAX_SLEEP_USEC (G_USEC_PER_SEC / 2)

static inline guint32
record_check (guint32 length,
              guint64 seq)
{
  return length ^ (guint32) seq ^ (guint32) (seq >> 32) ^ 0x5a5aa5a5u;
}

static inline gsize
record_size (gsize length)
{
  return sizeof (RecordHeader) + fy_align8 (length);
}

/* TRUE when @rh checks out and its record fits in @room bytes. */
static gboolean
record_ok (const RecordHeader *rh,
           guint64             room)
{
  return rh->check == record_check (rh->length, rh->seq) && record_size (rh->length) <= room;
}

/* Byte positions grow forever; the ring is indexed by offsets. A 64-bit
 * division is slow, so each operation makes one and steps from there. */
static inline gsize
ring_offset (QueueData *data,
             guint64    position)
{
  return position % data->ring_size;
}

static inline gsize
ring_advance (QueueData *data,
              gsize      offset,
              gsize      n)
{
  offset += n;
  return offset >= data->ring_size ? offset - data->ring_size : offset;
}

static gsize
cursor_offset (QueueData  *data,
               RingCursor *cursor,
               guint64     position)
{
  if (cursor->position != position)
    {
      cursor->position = position;
      cursor->offset = ring_offset (data, position);
    }
  return cursor->offset;
}

static void
cursor_advance (QueueData  *data,
                RingCursor *cursor,
                gsize       n)
{
  cursor->position += n;
  cursor->offset = ring_advance (data, cursor->offset, n);
}

static void
ring_read (QueueData   *data,
           guint8      *ring,
           gsize        offset,
           void        *dest,
           gsize        length)
{
  gsize first = MIN (length, data->ring_size - offset);

  memcpy (dest, ring + offset, first);
  if (first < length)
    memcpy ((guint8 *) dest + first, ring, length - first);
}

static void
ring_write (QueueData   *data,
            guint8      *ring,
            gsize        offset,
            const void  *src,
            gsize        length)
{
  gsize first = MIN (length, data->ring_size - offset);

  memcpy (ring + offset, src, first);
  if (first < length)
    memcpy (ring, (const guint8 *) src + first, length - first);
}

/* Items in the queue, without a lock. The record at the head cannot be
 * overwritten before a consumer takes it, and then the head moves: an
 * unchanged head after reading its sequence number proves it was read whole. */
static guint64
queue_depth (QueueData *data,
             guint8    *ring)
{
  for (;;)
    {
      guint64 head = __atomic_load_n (&data->head, __ATOMIC_ACQUIRE);
      guint64 tail = __atomic_load_n (&data->tail, __ATOMIC_ACQUIRE);
      guint64 puts = __atomic_load_n (&data->puts, __ATOMIC_ACQUIRE);
      RecordHeader rh;

      if (head == tail)
        return 0;
      ring_read (data, ring, ring_offset (data, head), &rh, sizeof rh);
      __atomic_thread_fence (__ATOMIC_ACQUIRE);
      if (__atomic_load_n (&data->head, __ATOMIC_RELAXED) == head)
        return puts > rh.seq ? puts - rh.seq : 0;
    }
}

/* The put lock's repair, run by the next producer after one died holding
 * it. Only producers write the ring, so while this runs the records from
 * any head it reads on stay readable, even as consumers take them. A
 * producer dies with at most its puts count stored ahead of its tail: the
 * number after the last published record is the true one. */
static void
queue_repair (FyShm *shm)
{
  QueueData *data = fy_shm_get_data (shm);
  guint8 *ring = (guint8 *) data + RING_OFFSET;
  guint64 start = __atomic_load_n (&data->head, __ATOMIC_ACQUIRE);
  guint64 puts = data->puts;
  RecordHeader rh;

  for (guint64 position = start; position < data->tail; position += record_size (rh.length))
    {
      ring_read (data, ring, ring_offset (data, position), &rh, sizeof rh);
      if (!record_ok (&rh, data->tail - position))
        {
          /* Only a process scribbling on the mapping gets here; the
           * consumer that reaches the damage drops it. */
          g_warning ("Queue '%s': unreadable record in the ring", fy_shm_get_name (shm));
          puts = data->puts;
          break;
        }
      puts = rh.seq + 1;
    }
  if (start == data->tail)
    {
      /* Nothing left to count from: a record complete at the tail whose
       * number is the last one counted was put by the dead producer, but
       * never published. A published record never starts there, as none
       * fills the whole ring. */
      ring_read (data, ring, ring_offset (data, data->tail), &rh, sizeof rh);
      if (record_ok (&rh, data->ring_size) && rh.seq + 1 == puts)
        puts = rh.seq;
    }
  __atomic_store_n (&data->puts, puts, __ATOMIC_RELEASE);
  __atomic_store_n (&data->put_sleeping, 0, __ATOMIC_RELAXED);
  /* The dead may have published a record without waking its getter, and
   * a join may have waited for a put that never was. */
  __atomic_add_fetch (&data->not_empty, 1, __ATOMIC_SEQ_CST);
  fy_futex_wake (&data->not_empty, G_MAXINT);
  if (data->joinable)
    {
      __atomic_add_fetch (&data->all_done, 1, __ATOMIC_SEQ_CST);
      fy_futex_wake (&data->all_done, G_MAXINT);
    }
}

static guint64
queue_unfinished (QueueData *data)
{
  guint64 dones = __atomic_load_n (&data->dones, __ATOMIC_SEQ_CST);
  guint64 puts = __atomic_load_n (&data->puts, __ATOMIC_SEQ_CST);

  /* A dead producer's count, until its repair, may have let one task_done
   * too many through. */
  return puts > dones ? puts - dones : 0;
}

static void
queue_snapshot (FyShm        *shm,
                GVariantDict *dict)
{
  QueueData *data = fy_shm_get_data (shm);
  guint64 depth = queue_depth (data, (guint8 *) data + RING_OFFSET);
  guint64 puts = __atomic_load_n (&data->puts, __ATOMIC_RELAXED);
  guint32 get_waiters = __atomic_load_n (&data->get_sleeping, __ATOMIC_RELAXED) +
                        __atomic_load_n (&data->get_lock_waiters, __ATOMIC_RELAXED);
  guint32 put_waiters = __atomic_load_n (&data->put_sleeping, __ATOMIC_RELAXED) +
                        __atomic_load_n (&fy_shm_get_header (shm)->lock_waiters, __ATOMIC_RELAXED);

  g_variant_dict_insert (dict, "capacity", "u", data->maxsize);
  g_variant_dict_insert (dict, "capacity-bytes", "t", data->ring_size);
  g_variant_dict_insert (dict, "depth", "u", (guint32) MIN (depth, G_MAXUINT32));
  g_variant_dict_insert (dict, "bytes", "t",
                         __atomic_load_n (&data->tail, __ATOMIC_RELAXED) -
                         __atomic_load_n (&data->head, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "t", puts);
  g_variant_dict_insert (dict, "gets", "t", puts - MIN (depth, puts));
  g_variant_dict_insert (dict, "waiters", "u", get_waiters + put_waiters);
  g_variant_dict_insert (dict, "get-waiters", "u", get_waiters);
  g_variant_dict_insert (dict, "put-waiters", "u", put_waiters);
  g_variant_dict_insert (dict, "get-holder-pid", "i",
                         __atomic_load_n (&data->get_holder_pid, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "get-recoveries", "u",
                         __atomic_load_n (&data->get_recoveries, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "closed", "b", __atomic_load_n (&data->closed, __ATOMIC_RELAXED) != 0);
  if (data->joinable)
    g_variant_dict_insert (dict, "unfinished", "t", queue_unfinished (data));
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
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
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
  pthread_mutexattr_t attr;
  QueueData *data;
  int rc;

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

  pthread_mutexattr_init (&attr);
  pthread_mutexattr_setpshared (&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust (&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_settype (&attr, PTHREAD_MUTEX_ERRORCHECK);
  rc = pthread_mutex_init (&data->get_lock, &attr);
  pthread_mutexattr_destroy (&attr);
  if (rc != 0)
    {
      g_set_error (error, FY_SHM_ERROR, FY_SHM_ERROR_FAILED,
                   "Initialising the queue's get lock: %s", g_strerror (rc));
      return NULL;
    }
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

/* Takes the get lock: 0, ETIMEDOUT once @deadline passed, or the error of
 * pthread_mutex_lock. A dead holder's lock is simply taken over: a get
 * publishes the head last, so the dead one left its record in place. */
static int
get_lock (FyQueue *self,
          gint64   deadline)
{
  QueueData *data = self->data;
  int rc = pthread_mutex_trylock (&data->get_lock);

  if (rc == EBUSY)
    rc = fy_mutex_spin_trylock (&data->get_lock);
  if (rc == EBUSY)
    {
      struct timespec ts = {
        .tv_sec = deadline / G_USEC_PER_SEC,
        .tv_nsec = (deadline % G_USEC_PER_SEC) * 1000,
      };

      if (fy_deadline_expired (deadline))
        return ETIMEDOUT;
      __atomic_add_fetch (&data->get_lock_waiters, 1, __ATOMIC_RELAXED);
      if (deadline == FY_DEADLINE_NEVER)
        rc = pthread_mutex_lock (&data->get_lock);
      else
        rc = pthread_mutex_clocklock (&data->get_lock, CLOCK_MONOTONIC, &ts);
      __atomic_sub_fetch (&data->get_lock_waiters, 1, __ATOMIC_RELAXED);
    }
  if (rc == EOWNERDEAD)
    {
      pthread_mutex_consistent (&data->get_lock);
      /* The snapshot reads these two without the lock. */
      __atomic_store_n (&data->get_recoveries, data->get_recoveries + 1, __ATOMIC_RELAXED);
      /* Only the holder sleeps; and a putter the dead one should have
       * woken gets to look again. */
      data->get_sleeping = 0;
      __atomic_add_fetch (&data->not_full, 1, __ATOMIC_SEQ_CST);
      fy_futex_wake (&data->not_full, G_MAXINT);
      g_debug ("Recovered the get lock of queue '%s' from a dead holder",
               fy_shm_get_name (self->shm));
      rc = 0;
    }
  if (rc == 0)
    __atomic_store_n (&data->get_holder_pid, fy_shm_self_pid (), __ATOMIC_RELAXED);
  return rc;
}

static void
get_unlock (FyQueue *self)
{
  __atomic_store_n (&self->data->get_holder_pid, 0, __ATOMIC_RELAXED);
  pthread_mutex_unlock (&self->data->get_lock);
}

/* For a lock not taken: a timeout is the caller's Full or Empty. */
static void
set_lock_error (GError     **error,
                int          rc,
                FyQueueError code,
                const char  *message)
{
  if (rc == ETIMEDOUT)
    g_set_error_literal (error, FY_QUEUE_ERROR, code, message);
  else
    g_set_error (error, FY_QUEUE_ERROR, code, "The queue's lock failed: %s", g_strerror (rc));
}

/* Watches @position (the other side's) for a short while until it moves
 * away from @seen or the queue closes. */
static void
spin_while (QueueData *data,
            guint64   *position,
            guint64    seen)
{
  for (guint i = 0; i < SPINS; i++)
    {
      if (__atomic_load_n (position, __ATOMIC_ACQUIRE) != seen ||
          __atomic_load_n (&data->closed, __ATOMIC_RELAXED))
        return;
      fy_cpu_relax ();
    }
}

/* Sleeps on @word while @position stays at @seen and the queue open, for
 * at most MAX_SLEEP_USEC. FALSE, without sleeping, once @deadline passed. */
static gboolean
sleep_while (QueueData *data,
             guint32   *word,
             guint32   *sleeping,
             guint64   *position,
             guint64    seen,
             gint64     deadline)
{
  gint64 now = g_get_monotonic_time ();
  gint64 until = now + MAX_SLEEP_USEC;
  guint32 word_seen;

  if (deadline != FY_DEADLINE_NEVER)
    {
      if (now >= deadline)
        return FALSE;
      until = MIN (until, deadline);
    }
  __atomic_store_n (sleeping, 1, __ATOMIC_SEQ_CST);
  word_seen = __atomic_load_n (word, __ATOMIC_SEQ_CST);
  if (__atomic_load_n (position, __ATOMIC_SEQ_CST) == seen &&
      !__atomic_load_n (&data->closed, __ATOMIC_SEQ_CST))
    fy_futex_wait (word, word_seen, until);
  __atomic_store_n (sleeping, 0, __ATOMIC_RELAXED);
  return TRUE;
}

/* After publishing a position: wakes the other side's sleeper, if any.
 * The first to see the sleeping word takes it down, so a burst of puts
 * (gets) costs one wake-up, however long the sleeper takes to run again. */
static void
wake_sleeper (guint32 *word,
              guint32 *sleeping)
{
  if (__atomic_load_n (sleeping, __ATOMIC_SEQ_CST) == 0 ||
      __atomic_exchange_n (sleeping, 0, __ATOMIC_SEQ_CST) == 0)
    return;
  __atomic_add_fetch (word, 1, __ATOMIC_SEQ_CST);
  fy_futex_wake (word, 1);
}

/* With the put lock held: TRUE when a record of @record bytes fits now. */
static gboolean
has_room (FyQueue *self,
          gsize    record)
{
  QueueData *data = self->data;

  /* Bytes in use, measured from an old head, may exceed the ring. */
  if (data->maxsize == 0 && data->tail - self->head_seen <= data->ring_size - record)
    return TRUE;
  self->head_seen = __atomic_load_n (&data->head, __ATOMIC_ACQUIRE);
  return data->tail - self->head_seen <= data->ring_size - record &&
         (data->maxsize == 0 || queue_depth (data, self->ring) < data->maxsize);
}

/* Where a put stops short, for fault tests: holding the put lock, as a
 * producer killed there leaves the queue. */
typedef enum
{
  PUT_WHOLE,
  PUT_STOP_BEFORE_PUBLISH,
} PutStop;

/* Puts one record of @length bytes: @small, serialized already, or for a
 * larger item @item, serialized straight into the ring under the lock. */
static gboolean
put_record (FyQueue       *self,
            const guint8  *small,
            GVariant      *item,
            gsize          length,
            double         timeout_seconds,
            PutStop        stop,
            GError       **error)
{
  QueueData *data = self->data;
  gsize record = record_size (length);
  RecordHeader rh;
  gsize offset;
  gint64 deadline;
  gboolean spun = FALSE;
  int rc;

  /* Strictly smaller than the ring: the put lock's repair relies on no
   * record starting where the one before it ends, a lap later. */
  if (length > G_MAXUINT32 || record >= data->ring_size)
    {
      g_set_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TOO_BIG,
                   "An item of %" G_GSIZE_FORMAT " bytes cannot fit a queue of %"
                   G_GUINT64_FORMAT " bytes", length, data->ring_size);
      return FALSE;
    }

  deadline = fy_deadline_from_timeout (timeout_seconds);
  rc = fy_shm_lock (self->shm, deadline);
  if (rc != 0)
    {
      set_lock_error (error, rc, FY_QUEUE_ERROR_FULL, "The queue is full");
      return FALSE;
    }
  for (;;)
    {
      if (__atomic_load_n (&data->closed, __ATOMIC_ACQUIRE))
        {
          fy_shm_unlock (self->shm);
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED,
                               "The queue is closed");
          return FALSE;
        }
      if (has_room (self, record))
        break;
      if (!spun && !fy_deadline_expired (deadline))
        {
          spun = TRUE;
          spin_while (data, &data->head, self->head_seen);
          continue;
        }
      if (!sleep_while (data, &data->not_full, &data->put_sleeping, &data->head, self->head_seen, deadline))
        {
          fy_shm_unlock (self->shm);
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_FULL,
                               "The queue is full");
          return FALSE;
        }
    }

  rh.length = length;
  rh.seq = data->puts;
  rh.check = record_check (rh.length, rh.seq);
  offset = cursor_offset (data, &self->put_cursor, data->tail);
  ring_write (data, self->ring, offset, &rh, sizeof rh);
  offset = ring_advance (data, offset, sizeof rh);
  if (small != NULL)
    ring_write (data, self->ring, offset, small, length);
  else if (offset + length <= data->ring_size)
    fy_variant_record_write (item, self->ring + offset);
  else
    {
      /* Split across the end of the ring: serialized aside first. */
      g_autofree guint8 *flat = g_malloc (length);

      fy_variant_record_write (item, flat);
      ring_write (data, self->ring, offset, flat, length);
    }
  /* Counted before it is published, so task_done never overtakes it. */
  __atomic_store_n (&data->puts, rh.seq + 1, __ATOMIC_RELAXED);
  if (G_UNLIKELY (stop == PUT_STOP_BEFORE_PUBLISH))
    return TRUE;
  /* The commit: until the tail moves, the record does not exist. */
  cursor_advance (data, &self->put_cursor, record);
  __atomic_store_n (&data->tail, self->put_cursor.position, __ATOMIC_SEQ_CST);
  fy_shm_unlock (self->shm);

  wake_sleeper (&data->not_empty, &data->get_sleeping);
  return TRUE;
}

static gboolean
put_variant (FyQueue   *self,
             GVariant  *item,
             double     timeout_seconds,
             PutStop    stop,
             GError   **error)
{
  g_autoptr(GVariant) owned = NULL;
  guint8 small[SMALL_RECORD];
  gsize length;

  /* A floating item has no other owner: sinking it would only take its
   * lock twice before the unref frees it. */
  owned = g_variant_is_floating (item) ? item : g_variant_ref_sink (item);
  length = fy_variant_record_size (owned);
  if (length > sizeof small)
    return put_record (self, NULL, owned, length, timeout_seconds, stop, error);
  fy_variant_record_write (owned, small);
  return put_record (self, small, NULL, length, timeout_seconds, stop, error);
}

gboolean
fy_queue_put (FyQueue   *self,
              GVariant  *item,
              double     timeout_seconds,
              GError   **error)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  return put_variant (self, item, timeout_seconds, PUT_WHOLE, error);
}

gboolean
fy_queue_put_unpublished (FyQueue   *self,
                          GVariant  *item,
                          GError   **error)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  return put_variant (self, item, -1, PUT_STOP_BEFORE_PUBLISH, error);
}

/* An int64 item as a GVariant "x" is stored: its type string padded to 8,
 * then the value in the machine's byte order. */
#define INT64_RECORD 16
static const guint8 int64_type[8] = { 'x' };

gboolean
fy_queue_put_int64 (FyQueue   *self,
                    gint64     value,
                    double     timeout_seconds,
                    GError   **error)
{
  guint8 record[INT64_RECORD];

  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);

  memcpy (record, int64_type, sizeof int64_type);
  memcpy (record + sizeof int64_type, &value, sizeof value);
  return put_record (self, record, NULL, sizeof record, timeout_seconds, PUT_WHOLE, error);
}

/* Takes the record at the head, waiting as @timeout_seconds says: copies
 * it into @small when it fits, else into a new buffer, and returns that in
 * *@out_payload and its length in *@out_length. With @want_type, a record
 * that is not @want_length bytes starting with that type string (padded
 * to 8) stays where it is, with FY_QUEUE_ERROR_WRONG_TYPE. */
static gboolean
take_record (FyQueue       *self,
             double         timeout_seconds,
             const guint8  *want_type,
             gsize          want_length,
             guint8        *small,
             guint8       **out_payload,
             gsize         *out_length,
             GError       **error)
{
  QueueData *data = self->data;
  RecordHeader rh;
  guint64 head;
  gsize offset;
  gint64 deadline;
  guint8 *payload;
  gboolean spun = FALSE;
  int rc;

  deadline = fy_deadline_from_timeout (timeout_seconds);
  rc = get_lock (self, deadline);
  if (rc != 0)
    {
      set_lock_error (error, rc, FY_QUEUE_ERROR_EMPTY, "The queue is empty");
      return FALSE;
    }
  head = data->head;
  for (;;)
    {
      /* Other processes' gets may have taken the head past it. */
      if (head < self->tail_seen)
        break;
      self->tail_seen = __atomic_load_n (&data->tail, __ATOMIC_ACQUIRE);
      if (head < self->tail_seen)
        break;
      if (__atomic_load_n (&data->closed, __ATOMIC_ACQUIRE))
        {
          get_unlock (self);
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED,
                               "The queue is closed");
          return FALSE;
        }
      if (!spun && !fy_deadline_expired (deadline))
        {
          spun = TRUE;
          spin_while (data, &data->tail, head);
          continue;
        }
      if (!sleep_while (data, &data->not_empty, &data->get_sleeping, &data->tail, head, deadline))
        {
          get_unlock (self);
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY,
                               "The queue is empty");
          return FALSE;
        }
    }

  offset = cursor_offset (data, &self->get_cursor, head);
  ring_read (data, self->ring, offset, &rh, sizeof rh);
  if (!record_ok (&rh, self->tail_seen - head))
    {
      /* Only a process scribbling on the mapping gets here: everything
       * published goes, so the queue works again. */
      g_warning ("Queue '%s': dropping %" G_GUINT64_FORMAT " unreadable bytes",
                 fy_shm_get_name (self->shm), self->tail_seen - head);
      __atomic_store_n (&data->head, self->tail_seen, __ATOMIC_SEQ_CST);
      get_unlock (self);
      wake_sleeper (&data->not_full, &data->put_sleeping);
      g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY,
                           "The queue held a damaged record");
      return FALSE;
    }
  payload = rh.length <= SMALL_RECORD ? small : g_malloc (MAX (rh.length, 1));
  ring_read (data, self->ring, ring_advance (data, offset, sizeof rh), payload, rh.length);
  if (want_type != NULL &&
      (rh.length != want_length || memcmp (payload, want_type, 8) != 0))
    {
      const guint8 *nul = memchr (payload, '\0', rh.length);

      get_unlock (self);
      g_set_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_WRONG_TYPE,
                   "The item at the head of the queue is of type '%.*s', not '%s'",
                   nul != NULL ? (int) (nul - payload) : 0, (const char *) payload,
                   (const char *) want_type);
      if (payload != small)
        g_free (payload);
      return FALSE;
    }
  /* The commit: the record is gone once the head moves past it. */
  cursor_advance (data, &self->get_cursor, record_size (rh.length));
  __atomic_store_n (&data->head, self->get_cursor.position, __ATOMIC_SEQ_CST);
  get_unlock (self);

  wake_sleeper (&data->not_full, &data->put_sleeping);
  *out_payload = payload;
  *out_length = rh.length;
  return TRUE;
}

GVariant *
fy_queue_get (FyQueue  *self,
              double    timeout_seconds,
              GError  **error)
{
  guint8 small[SMALL_RECORD];
  guint8 *payload;
  gsize length;
  GVariant *item;

  g_return_val_if_fail (FY_IS_QUEUE (self), NULL);

  if (!take_record (self, timeout_seconds, NULL, 0, small, &payload, &length, error))
    return NULL;
  if (payload == small)
    payload = g_memdup2 (small, MAX (length, 1));
  item = fy_variant_record_parse (payload, length);
  if (item == NULL)
    g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY,
                         "The queue held a damaged item");
  return item;
}

gboolean
fy_queue_get_int64 (FyQueue  *self,
                    gint64   *out_value,
                    double    timeout_seconds,
                    GError  **error)
{
  guint8 small[SMALL_RECORD];
  guint8 *payload;
  gsize length;

  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (out_value != NULL, FALSE);

  if (!take_record (self, timeout_seconds, int64_type, INT64_RECORD, small, &payload, &length, error))
    return FALSE;
  memcpy (out_value, payload + sizeof int64_type, sizeof *out_value);
  return TRUE;
}

guint
fy_queue_get_qsize (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), 0);
  return MIN (queue_depth (self->data, self->ring), G_MAXUINT);
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

static void
wake_all (guint32 *word)
{
  __atomic_add_fetch (word, 1, __ATOMIC_SEQ_CST);
  fy_futex_wake (word, G_MAXINT);
}

void
fy_queue_close (FyQueue *self)
{
  g_return_if_fail (FY_IS_QUEUE (self));

  /* Sleepers read the closed flag after their futex word: bumping the
   * words after the store makes each either see it or be woken. */
  __atomic_store_n (&self->data->closed, 1, __ATOMIC_SEQ_CST);
  wake_all (&self->data->not_empty);
  wake_all (&self->data->not_full);
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

/* task_done takes no lock: it must not wait behind a putter asleep on a
 * full queue with the put lock, which would deadlock a worker that marks
 * its item done before getting the next one. */
gboolean
fy_queue_task_done (FyQueue  *self,
                    GError  **error)
{
  QueueData *data;
  guint64 dones;

  g_return_val_if_fail (FY_IS_QUEUE (self), FALSE);

  if (!check_joinable (self, error))
    return FALSE;

  data = self->data;
  dones = __atomic_load_n (&data->dones, __ATOMIC_RELAXED);
  do
    {
      if (dones >= __atomic_load_n (&data->puts, __ATOMIC_ACQUIRE))
        {
          g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TASK_DONE,
                               "task_done () called more times than items were put");
          return FALSE;
        }
    }
  while (!__atomic_compare_exchange_n (&data->dones, &dones, dones + 1, FALSE,
                                       __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
  if (queue_unfinished (data) == 0 && __atomic_load_n (&data->join_waiters, __ATOMIC_SEQ_CST) > 0)
    wake_all (&data->all_done);
  return TRUE;
}

/* A producer killed with the put lock, before publishing the item it had
 * counted, leaves the count one too high until the next put repairs it:
 * join repairs it itself when the lock's holder is gone, rather than wait
 * for a put that may never come. A live holder is left alone. */
static void
repair_dead_producer (FyQueue *self)
{
  if (fy_shm_get_holder_pid (self->shm) != 0 &&
      fy_shm_lock (self->shm, g_get_monotonic_time ()) == 0)
    fy_shm_unlock (self->shm);
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
  while (queue_unfinished (data) > 0)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 until = now + MAX_SLEEP_USEC;
      guint32 seen;

      if (deadline != FY_DEADLINE_NEVER)
        {
          if (now >= deadline)
            {
              g_set_error_literal (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TIMED_OUT,
                                   "Tasks still unfinished at the timeout");
              return FALSE;
            }
          until = MIN (until, deadline);
        }
      /* As for the sleepers of put and get: announce, then re-check. */
      __atomic_add_fetch (&data->join_waiters, 1, __ATOMIC_SEQ_CST);
      seen = __atomic_load_n (&data->all_done, __ATOMIC_SEQ_CST);
      repair_dead_producer (self);
      if (queue_unfinished (data) > 0)
        fy_futex_wait (&data->all_done, seen, until);
      __atomic_sub_fetch (&data->join_waiters, 1, __ATOMIC_RELAXED);
    }
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

int
fy_queue_lock_get (FyQueue *self)
{
  g_return_val_if_fail (FY_IS_QUEUE (self), EINVAL);
  return get_lock (self, FY_DEADLINE_NEVER);
}
