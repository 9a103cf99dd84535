/* fy-workloads-ipc.c: child-side bodies that use shared objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the cross-process tests, the benchmarks and the playground run in a
 * worker: producers and consumers, incrementers, barrier parties, condition
 * and event waiters, Manager-style dict and list writers, and processes
 * that die at awkward moments (holding a lock, half-way through a put).
 * Every shared object arrives as an fd, in the order documented per body;
 * results go back through shared objects, not the return value.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "core/fy-array.h"
#include "core/fy-barrier.h"
#include "core/fy-condition.h"
#include "core/fy-dict.h"
#include "core/fy-event.h"
#include "core/fy-futex.h"
#include "core/fy-list.h"
#include "core/fy-lock.h"
#include "core/fy-queue-private.h"
#include "core/fy-shm-private.h"
#include "core/fy-value.h"

#include "fy-workload.h"
#include "fy-workload-error.h"

static int
need_fd (FyWorkloadContext  *context,
         guint               index,
         GError            **error)
{
  if (index < fy_workload_context_get_n_fds (context))
    return fy_workload_context_get_fd (context, index);
  g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
               "needs a shared object as fd %u", index);
  return -1;
}

static gboolean
has_fd (FyWorkloadContext *context,
        guint              index)
{
  return index < fy_workload_context_get_n_fds (context);
}

static GVariant *
unit (void)
{
  return g_variant_new ("()");
}

/* A checkable queue item: (seq, bytes all equal to seq & 0xff). */
static GVariant *
make_item (gint64 seq,
           guint  payload)
{
  guint8 *bytes;

  if (payload == 0)
    return g_variant_new_int64 (seq);
  bytes = g_malloc (payload);
  memset (bytes, (int) (seq & 0xff), payload);
  return g_variant_new ("(x@ay)", seq,
                        g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, bytes, payload,
                                                 TRUE, g_free, bytes));
}

static gboolean
is_sentinel (GVariant *item)
{
  return g_variant_is_of_type (item, G_VARIANT_TYPE_UNIT);
}

/* fd 0: FyValue; fd 1 (optional): FyLock. (count, locked): adds 1 count
 * times, under fd 1's lock, else the value's own when @locked. */
static GVariant *
ipc_increment (GVariant           *argument,
               FyWorkloadContext  *context,
               GError            **error)
{
  g_autoptr(FyValue) value = NULL;
  g_autoptr(FyLock) lock = NULL;
  FyLock *guard = NULL;
  guint32 count;
  gboolean locked;
  int fd;

  g_variant_get (argument, "(ub)", &count, &locked);
  if ((fd = need_fd (context, 0, error)) < 0 ||
      (value = fy_value_new_from_fd (fd, error)) == NULL)
    return NULL;
  if (has_fd (context, 1))
    {
      if ((lock = fy_lock_new_from_fd (fy_workload_context_get_fd (context, 1), error)) == NULL)
        return NULL;
      guard = lock;
    }
  else if (locked)
    guard = fy_value_get_lock (value);

  for (guint32 i = 0; i < count; i++)
    {
      if (guard != NULL && !fy_lock_acquire (guard, -1, error))
        return NULL;
      fy_value_set_int (value, fy_value_get_int (value) + 1);
      if (guard != NULL && !fy_lock_release (guard, error))
        return NULL;
    }
  return unit ();
}

/* fd 0: FyValue; fd 1: FyLock. The seed's read, sleep @ms, write + 1. */
static GVariant *
ipc_read_sleep_write (GVariant           *argument,
                      FyWorkloadContext  *context,
                      GError            **error)
{
  g_autoptr(FyValue) value = NULL;
  g_autoptr(FyLock) lock = NULL;
  gint64 temp;
  int fd0, fd1;

  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (value = fy_value_new_from_fd (fd0, error)) == NULL ||
      (lock = fy_lock_new_from_fd (fd1, error)) == NULL)
    return NULL;

  if (!fy_lock_acquire (lock, -1, error))
    return NULL;
  temp = fy_value_get_int (value);
  g_usleep ((gulong) g_variant_get_uint32 (argument) * 1000);
  fy_value_set_int (value, temp + 1);
  if (!fy_lock_release (lock, error))
    return NULL;
  return unit ();
}

/* fd 0: FyArray. ("scale" | "add", x): every element, under the array's lock. */
static GVariant *
ipc_array_update (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  g_autoptr(FyArray) array = NULL;
  const char *op;
  double x;
  FyLock *lock;
  int fd;

  g_variant_get (argument, "(&sd)", &op, &x);
  if ((fd = need_fd (context, 0, error)) < 0 ||
      (array = fy_array_new_from_fd (fd, error)) == NULL)
    return NULL;

  lock = fy_array_get_lock (array);
  if (lock != NULL && !fy_lock_acquire (lock, -1, error))
    return NULL;
  for (gsize i = 0; i < fy_array_get_length (array); i++)
    {
      double v = fy_array_get_double (array, i);

      fy_array_set_double (array, i, g_str_equal (op, "scale") ? v * x : v + x);
    }
  if (lock != NULL && !fy_lock_release (lock, error))
    return NULL;
  return unit ();
}

/* fd 0: FyQueue. (first, count, payload bytes, sentinel): puts first …
 * first + count - 1 (ints, or (seq, zeroed bytes) items), then a "()"
 * sentinel when asked. Returns at once: there is nothing to flush. */
static GVariant *
ipc_queue_put (GVariant           *argument,
               FyWorkloadContext  *context,
               GError            **error)
{
  g_autoptr(FyQueue) queue = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 first, count;
  guint32 payload;
  gboolean sentinel;
  int fd;

  g_variant_get (argument, "(xxub)", &first, &count, &payload, &sentinel);
  if ((fd = need_fd (context, 0, error)) < 0 ||
      (queue = fy_queue_new_from_fd (fd, error)) == NULL)
    return NULL;

  /* One zeroed payload shared by every item, as Python's side reuses one
   * bytes object: what is measured is the queue, not memset. */
  bytes = g_bytes_new_take (g_malloc0 (MAX (payload, 1)), payload);
  for (gint64 i = 0; i < count; i++)
    {
      GVariant *item;

      if (payload == 0)
        item = g_variant_new_int64 (first + i);
      else
        item = g_variant_new ("(x@ay)", first + i,
                              g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE));
      if (!fy_queue_put (queue, item, -1, error))
        return NULL;
    }
  if (sentinel && !fy_queue_put (queue, unit (), -1, error))
    return NULL;
  return unit ();
}

/* fd 0: FyQueue. Puts the int64s first .. first + count - 1 with the typed
 * put, which makes no GVariant. */
static GVariant *
ipc_queue_put_int64 (GVariant           *argument,
                     FyWorkloadContext  *context,
                     GError            **error)
{
  g_autoptr(FyQueue) queue = NULL;
  gint64 first, count;
  int fd;

  g_variant_get (argument, "(xx)", &first, &count);
  if ((fd = need_fd (context, 0, error)) < 0 ||
      (queue = fy_queue_new_from_fd (fd, error)) == NULL)
    return NULL;

  for (gint64 i = 0; i < count; i++)
    if (!fy_queue_put_int64 (queue, first + i, -1, error))
      return NULL;
  return unit ();
}

/* fd 0: FyQueue; fd 1: FyList. Gets @count items (< 0: until a "()"
 * sentinel) and appends each to the list. */
static GVariant *
ipc_queue_collect (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  g_autoptr(FyQueue) queue = NULL;
  g_autoptr(FyList) list = NULL;
  gint64 count = g_variant_get_int64 (argument);
  int fd0, fd1;

  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (queue = fy_queue_new_from_fd (fd0, error)) == NULL ||
      (list = fy_list_new_from_fd (fd1, error)) == NULL)
    return NULL;

  for (gint64 i = 0; count < 0 || i < count; i++)
    {
      g_autoptr(GVariant) item = fy_queue_get (queue, -1, error);

      if (item == NULL)
        return NULL;
      if (count < 0 && is_sentinel (item))
        break;
      if (!fy_list_append (list, g_steal_pointer (&item), error))
        return NULL;
    }
  return unit ();
}

/* fd 0: a joinable FyQueue; fd 1: FyList. Takes ints, appends 2·n to the
 * list and marks each done, until a "()" sentinel (marked done too). */
static GVariant *
ipc_queue_worker (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  g_autoptr(FyQueue) queue = NULL;
  g_autoptr(FyList) list = NULL;
  int fd0, fd1;

  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (queue = fy_queue_new_from_fd (fd0, error)) == NULL ||
      (list = fy_list_new_from_fd (fd1, error)) == NULL)
    return NULL;

  for (;;)
    {
      g_autoptr(GVariant) item = fy_queue_get (queue, -1, error);
      gboolean done;

      if (item == NULL)
        return NULL;
      done = is_sentinel (item);
      if (!done && !fy_list_append (list, g_variant_new_int64 (2 * g_variant_get_int64 (item)), error))
        return NULL;
      if (!fy_queue_task_done (queue, error))
        return NULL;
      if (done)
        return unit ();
    }
}

/* fd 0: FyQueue. Leaves the queue as a process killed in the middle of an
 * operation does, then hangs until killed. (mode, n): "put" takes the put
 * lock and scribbles a half-written record after the tail; "put-unpublished"
 * puts the int64 n up to just before the tail moves, its record written and
 * counted; "get" takes the get lock, as a consumer copying a record out
 * (which writes nothing shared). */
static GVariant *
ipc_queue_die_locked (GVariant           *argument,
                      FyWorkloadContext  *context,
                      GError            **error)
{
  g_autoptr(FyQueue) queue = NULL;
  const char *mode;
  gint64 n;
  guint64 ring_size, head, tail;
  guint8 *ring;
  int fd;

  g_variant_get (argument, "(&sx)", &mode, &n);
  if (!g_str_equal (mode, "put") && !g_str_equal (mode, "put-unpublished") && !g_str_equal (mode, "get"))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "unknown mode '%s': put, put-unpublished or get", mode);
      return NULL;
    }
  if ((fd = need_fd (context, 0, error)) < 0 ||
      (queue = fy_queue_new_from_fd (fd, error)) == NULL)
    return NULL;

  if (g_str_equal (mode, "put-unpublished"))
    {
      if (!fy_queue_put_unpublished (queue, g_variant_new_int64 (n), error))
        return NULL;
    }
  else if ((g_str_equal (mode, "get") ? fy_queue_lock_get (queue)
                                      : fy_shm_lock (fy_queue_get_shm (queue), FY_DEADLINE_NEVER)) != 0)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "could not take the queue's lock");
      return NULL;
    }
  else if (g_str_equal (mode, "put"))
    {
      /* Garbage over the free part of the ring (a put cut short), while
       * the published tail stays where it was. */
      ring = fy_queue_peek_ring (queue, &ring_size, &head, &tail);
      for (guint64 i = 0; i < MIN (ring_size - (tail - head), 4096); i++)
        ring[(tail + i) % ring_size] = 0xEE;
    }
  for (;;)
    g_usleep (G_USEC_PER_SEC);
  return NULL;
}

/* fd 0: FyQueue. Puts checkable (seq, bytes) items of @payload bytes
 * forever; the fault tests kill it at random moments. */
static GVariant *
ipc_queue_flood (GVariant           *argument,
                 FyWorkloadContext  *context,
                 GError            **error)
{
  g_autoptr(FyQueue) queue = NULL;
  guint32 payload = g_variant_get_uint32 (argument);
  int fd;

  if ((fd = need_fd (context, 0, error)) < 0 ||
      (queue = fy_queue_new_from_fd (fd, error)) == NULL)
    return NULL;

  for (gint64 seq = 0;; seq++)
    if (!fy_queue_put (queue, make_item (seq, payload), -1, error))
      return NULL;
}

static void
count_action (gpointer user_data)
{
  FyValue *value = user_data;

  /* Runs under the barrier's lock: no other action can race it. */
  fy_value_set_int (value, fy_value_get_int (value) + 1);
}

/* fd 0: FyBarrier; fd 1: FyArray of int64; fd 2 (optional): FyValue the
 * action increments. (slot, timeout): stores the arrival index in
 * array[slot], or -1 when the barrier broke. */
static GVariant *
ipc_barrier_wait (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  g_autoptr(FyBarrier) barrier = NULL;
  g_autoptr(FyArray) array = NULL;
  g_autoptr(FyValue) actions = NULL;
  g_autoptr(GError) local_error = NULL;
  guint32 slot;
  double timeout;
  int fd0, fd1, index;

  g_variant_get (argument, "(ud)", &slot, &timeout);
  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (barrier = fy_barrier_new_from_fd (fd0, error)) == NULL ||
      (array = fy_array_new_from_fd (fd1, error)) == NULL)
    return NULL;
  if (has_fd (context, 2))
    {
      if ((actions = fy_value_new_from_fd (fy_workload_context_get_fd (context, 2), error)) == NULL)
        return NULL;
      fy_barrier_set_action (barrier, count_action, actions);
    }
  if (slot >= fy_array_get_length (array))
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "slot outside the array");
      return NULL;
    }

  index = fy_barrier_wait (barrier, timeout, &local_error);
  fy_array_set_int (array, slot, index);
  return unit ();
}

/* fd 0: FyBarrier; fd 1: FyArray of int64, one slot per party. (me,
 * passes): before pass i, array[me] = i; after it, every party must be at
 * i or i + 1, or the barrier let someone through early. */
static GVariant *
ipc_barrier_steps (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  g_autoptr(FyBarrier) barrier = NULL;
  g_autoptr(FyArray) array = NULL;
  guint32 me, passes;
  int fd0, fd1;

  g_variant_get (argument, "(uu)", &me, &passes);
  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (barrier = fy_barrier_new_from_fd (fd0, error)) == NULL ||
      (array = fy_array_new_from_fd (fd1, error)) == NULL)
    return NULL;

  for (guint32 i = 1; i <= passes; i++)
    {
      fy_array_set_int (array, me, i);
      if (fy_barrier_wait (barrier, 30, error) < 0)
        return NULL;
      for (gsize j = 0; j < fy_array_get_length (array); j++)
        {
          gint64 other = fy_array_get_int (array, j);

          if (other < i || other > (gint64) i + 1)
            {
              g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "pass %u: party %" G_GSIZE_FORMAT " is at %" G_GINT64_FORMAT,
                           i, j, other);
              return NULL;
            }
        }
    }
  return unit ();
}

/* fd 0: FyCondition; fd 1, fd 2: lock-free FyValues counting sleepers and
 * wakers. (timeout): waits once under the lock. */
static GVariant *
ipc_condition_wait (GVariant           *argument,
                    FyWorkloadContext  *context,
                    GError            **error)
{
  g_autoptr(FyCondition) condition = NULL;
  g_autoptr(FyValue) sleeping = NULL;
  g_autoptr(FyValue) woken = NULL;
  gboolean notified;
  int fd0, fd1, fd2;

  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (fd2 = need_fd (context, 2, error)) < 0 ||
      (condition = fy_condition_new_from_fd (fd0, error)) == NULL ||
      (sleeping = fy_value_new_from_fd (fd1, error)) == NULL ||
      (woken = fy_value_new_from_fd (fd2, error)) == NULL)
    return NULL;

  if (!fy_condition_acquire (condition, -1, error))
    return NULL;
  fy_value_set_int (sleeping, fy_value_get_int (sleeping) + 1);
  notified = fy_condition_wait (condition, g_variant_get_double (argument), error);
  if (notified)
    fy_value_set_int (woken, fy_value_get_int (woken) + 1);
  if (!fy_condition_release (condition, error))
    return NULL;
  return unit ();
}

/* fd 0: FyEvent. (delay ms): sleeps, then sets the event. */
static GVariant *
ipc_event_set (GVariant           *argument,
               FyWorkloadContext  *context,
               GError            **error)
{
  g_autoptr(FyEvent) event = NULL;
  int fd;

  if ((fd = need_fd (context, 0, error)) < 0 ||
      (event = fy_event_new_from_fd (fd, error)) == NULL)
    return NULL;
  g_usleep ((gulong) g_variant_get_uint32 (argument) * 1000);
  fy_event_set (event);
  return unit ();
}

/* fd 0: FyEvent; fd 1: FyValue. (timeout): value = 1 when the event was
 * set in time, 2 when the wait timed out. */
static GVariant *
ipc_event_wait (GVariant           *argument,
                FyWorkloadContext  *context,
                GError            **error)
{
  g_autoptr(FyEvent) event = NULL;
  g_autoptr(FyValue) value = NULL;
  int fd0, fd1;

  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (event = fy_event_new_from_fd (fd0, error)) == NULL ||
      (value = fy_value_new_from_fd (fd1, error)) == NULL)
    return NULL;
  fy_value_set_int (value, fy_event_wait (event, g_variant_get_double (argument)) ? 1 : 2);
  return unit ();
}

/* fd 0: FyLock. Takes it and keeps it until killed. */
static GVariant *
ipc_lock_hold (GVariant           *argument,
               FyWorkloadContext  *context,
               GError            **error)
{
  g_autoptr(FyLock) lock = NULL;
  int fd;

  if ((fd = need_fd (context, 0, error)) < 0 ||
      (lock = fy_lock_new_from_fd (fd, error)) == NULL)
    return NULL;
  if (!fy_lock_acquire (lock, -1, error))
    return NULL;
  for (;;)
    g_usleep (G_USEC_PER_SEC);
  return NULL;
}

/* fd 0: FyDict; fd 1: FyList. The seed's Manager worker:
 * dict[str (id)] = id · 10 and list.append (id). */
static GVariant *
ipc_manager_worker (GVariant           *argument,
                    FyWorkloadContext  *context,
                    GError            **error)
{
  g_autoptr(FyDict) dict = NULL;
  g_autoptr(FyList) list = NULL;
  g_autofree char *key = NULL;
  gint64 id = g_variant_get_int64 (argument);
  int fd0, fd1;

  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (dict = fy_dict_new_from_fd (fd0, error)) == NULL ||
      (list = fy_list_new_from_fd (fd1, error)) == NULL)
    return NULL;

  key = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  if (!fy_dict_set (dict, key, g_variant_new_int64 (id * 10), error) ||
      !fy_list_append (list, g_variant_new_int64 (id), error))
    return NULL;
  return unit ();
}

/* fd 0: FyDict. (payload): sets k0 … k31 round-robin to checkable
 * (seq, bytes) values of @payload bytes until killed; the dict's log fills
 * and is compacted over and over. */
static GVariant *
ipc_dict_flood (GVariant           *argument,
                FyWorkloadContext  *context,
                GError            **error)
{
  g_autoptr(FyDict) dict = NULL;
  guint32 payload = g_variant_get_uint32 (argument);
  char key[16];
  int fd;

  if ((fd = need_fd (context, 0, error)) < 0 ||
      (dict = fy_dict_new_from_fd (fd, error)) == NULL)
    return NULL;

  for (gint64 seq = 0;; seq++)
    {
      g_snprintf (key, sizeof key, "k%u", (guint) (seq % 32));
      if (!fy_dict_set (dict, key, make_item (seq, payload), error))
        return NULL;
    }
}

/* fd 0: FyDict; fd 1: FyValue (double). (n): n sets then n gets over 1000
 * keys, checking each value read; stores the seconds it took. */
static GVariant *
ipc_dict_ops (GVariant           *argument,
              FyWorkloadContext  *context,
              GError            **error)
{
  g_autoptr(FyDict) dict = NULL;
  g_autoptr(FyValue) elapsed = NULL;
  guint32 n = g_variant_get_uint32 (argument);
  char key[32];
  gint64 start;
  int fd0, fd1;

  if ((fd0 = need_fd (context, 0, error)) < 0 || (fd1 = need_fd (context, 1, error)) < 0 ||
      (dict = fy_dict_new_from_fd (fd0, error)) == NULL ||
      (elapsed = fy_value_new_from_fd (fd1, error)) == NULL)
    return NULL;

  start = g_get_monotonic_time ();
  for (guint32 i = 0; i < n; i++)
    {
      g_snprintf (key, sizeof key, "key-%u", i % 1000);
      if (!fy_dict_set (dict, key, g_variant_new_int64 (i), error))
        return NULL;
    }
  for (guint32 i = 0; i < n; i++)
    {
      g_autoptr(GVariant) value = NULL;

      g_snprintf (key, sizeof key, "key-%u", i % 1000);
      if ((value = fy_dict_get (dict, key, error)) == NULL)
        return NULL;
      if (g_variant_get_int64 (value) % 1000 != i % 1000)
        {
          g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                       "dict[%s] holds a wrong value", key);
          return NULL;
        }
    }
  fy_value_set_double (elapsed, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  return unit ();
}

const FyWorkloadInfo fy_workloads_ipc[] = {
  { "ipc-increment", "(ub)", "()", ipc_increment,
    "fd 0 value, fd 1 optional lock: (count, locked) increments" },
  { "ipc-read-sleep-write", "u", "()", ipc_read_sleep_write,
    "fd 0 value, fd 1 lock: read, sleep ms, write + 1 under the lock" },
  { "ipc-array-update", "(sd)", "()", ipc_array_update,
    "fd 0 array: (\"scale\" | \"add\", x) on every element under its lock" },
  { "ipc-queue-put", "(xxub)", "()", ipc_queue_put,
    "fd 0 queue: (first, count, payload bytes, sentinel)" },
  { "ipc-queue-put-int64", "(xx)", "()", ipc_queue_put_int64,
    "fd 0 queue: (first, count) int64s, each put without a GVariant" },
  { "ipc-queue-collect", "x", "()", ipc_queue_collect,
    "fd 0 queue, fd 1 list: get n items (< 0: until a sentinel) into the list" },
  { "ipc-queue-worker", "()", "()", ipc_queue_worker,
    "fd 0 joinable queue, fd 1 list: 2·n per item, task_done each, until a sentinel" },
  { "ipc-queue-die-locked", "(sx)", "()", ipc_queue_die_locked,
    "fd 0 queue: (put | put-unpublished | get, n) stops mid-operation holding a lock until killed" },
  { "ipc-queue-flood", "u", "()", ipc_queue_flood,
    "fd 0 queue: puts checkable items of n bytes until killed" },
  { "ipc-barrier-wait", "(ud)", "()", ipc_barrier_wait,
    "fd 0 barrier, fd 1 int array, fd 2 optional action counter: (slot, timeout)" },
  { "ipc-barrier-steps", "(uu)", "()", ipc_barrier_steps,
    "fd 0 barrier, fd 1 int array: (party, passes) in lock-step" },
  { "ipc-condition-wait", "d", "()", ipc_condition_wait,
    "fd 0 condition, fd 1 sleepers, fd 2 woken: one wait with a timeout" },
  { "ipc-event-set", "u", "()", ipc_event_set,
    "fd 0 event: set after a delay in ms" },
  { "ipc-event-wait", "d", "()", ipc_event_wait,
    "fd 0 event, fd 1 value: 1 when set within the timeout, else 2" },
  { "ipc-lock-hold", "()", "()", ipc_lock_hold,
    "fd 0 lock: takes it and sleeps until killed" },
  { "ipc-manager-worker", "x", "()", ipc_manager_worker,
    "fd 0 dict, fd 1 list: the seed's Manager worker" },
  { "ipc-dict-flood", "u", "()", ipc_dict_flood,
    "fd 0 dict: sets 32 keys to checkable values of n bytes until killed" },
  { "ipc-dict-ops", "u", "()", ipc_dict_ops,
    "fd 0 dict, fd 1 double value: n sets and n gets, stores the seconds" },
  { NULL },
};
