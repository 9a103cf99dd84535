/* fy-workloads-scenarios.c: the child side of the Playground's scenarios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seeds' worker functions, rebuilt on libforkyard. Fd 0 of every body
 * is the run's output list: a body prints by appending a line to it, so the
 * parent shows the lines of all its processes in the order they printed
 * them. The other shared objects follow as fd 1, 2 … as each body says.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <stdarg.h>
#include <unistd.h>

#include "core/fy-array.h"
#include "core/fy-barrier.h"
#include "core/fy-condition.h"
#include "core/fy-dict.h"
#include "core/fy-event.h"
#include "core/fy-list.h"
#include "core/fy-lock.h"
#include "core/fy-queue.h"
#include "core/fy-semaphore.h"
#include "core/fy-value.h"

#include "fy-scenario-private.h"
#include "fy-workload.h"
#include "fy-workload-error.h"

/* Opens the run's output list (fd 0) and fd @index as its kind. */
typedef gpointer (*OpenFunc) (int fd, GError **error);

static gpointer
open_fd (FyWorkloadContext  *context,
         guint               index,
         OpenFunc            open_func,
         GError            **error)
{
  if (index >= fy_workload_context_get_n_fds (context))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "needs a shared object as fd %u", index);
      return NULL;
    }
  return open_func (fy_workload_context_get_fd (context, index), error);
}

#define OPEN(context, index, kind, error) \
  ((Fy##kind *) open_fd ((context), (index), (OpenFunc) fy_##kind##_new_from_fd_any, (error)))

/* The typed constructors, under one signature for open_fd. */
static gpointer fy_List_new_from_fd_any (int fd, GError **error) { return fy_list_new_from_fd (fd, error); }
static gpointer fy_Queue_new_from_fd_any (int fd, GError **error) { return fy_queue_new_from_fd (fd, error); }
static gpointer fy_Value_new_from_fd_any (int fd, GError **error) { return fy_value_new_from_fd (fd, error); }
static gpointer fy_Array_new_from_fd_any (int fd, GError **error) { return fy_array_new_from_fd (fd, error); }
static gpointer fy_Event_new_from_fd_any (int fd, GError **error) { return fy_event_new_from_fd (fd, error); }
static gpointer fy_Lock_new_from_fd_any (int fd, GError **error) { return fy_lock_new_from_fd (fd, error); }
static gpointer fy_Dict_new_from_fd_any (int fd, GError **error) { return fy_dict_new_from_fd (fd, error); }
static gpointer fy_Semaphore_new_from_fd_any (int fd, GError **error) { return fy_semaphore_new_from_fd (fd, error); }
static gpointer fy_Condition_new_from_fd_any (int fd, GError **error) { return fy_condition_new_from_fd (fd, error); }
static gpointer fy_Barrier_new_from_fd_any (int fd, GError **error) { return fy_barrier_new_from_fd (fd, error); }

static gboolean
say (FyList     *out,
     const char *format,
     ...) G_GNUC_PRINTF (2, 3);

static gboolean
say (FyList     *out,
     const char *format,
     ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  /* A full output list loses the line, never the scenario. */
  return fy_list_append (out, g_variant_new_string (line), NULL);
}

static void
sleep_ms (guint ms)
{
  g_usleep ((gulong) ms * 1000);
}

guint64
fy_scenario_sum_squares (guint64 start,
                         guint64 end)
{
  guint64 sum = 0;

  for (guint64 i = start; i < end; i++)
    {
      sum += i * i;
      /* Keeps the compiler from replacing the loop by its closed form:
       * the point of the loop is the work. */
      __asm__ ("" : "+r" (sum));
    }
  return sum;
}

guint64
fy_scenario_sum_squares_expected (guint64 n)
{
  unsigned __int128 m = n;

  return (guint64) (n == 0 ? 0 : (m - 1) * m * (2 * m - 1) / 6);
}

/* (i): "Worker i, PID: p"; answers (i, pid). */
static GVariant *
scenario_hello (GVariant           *argument,
                FyWorkloadContext  *context,
                GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);

  if (out == NULL)
    return NULL;
  say (out, "Worker %d, PID: %d", g_variant_get_int32 (argument), (int) getpid ());
  return g_variant_new ("(ii)", g_variant_get_int32 (argument), (gint32) getpid ());
}

/* fd 1 queue. (first, count): puts the ints, then a "()" sentinel. */
static GVariant *
scenario_producer (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyQueue) queue = out != NULL ? OPEN (context, 1, Queue, error) : NULL;
  gint64 first, count;

  if (queue == NULL)
    return NULL;
  g_variant_get (argument, "(xx)", &first, &count);
  for (gint64 i = first; i < first + count; i++)
    {
      if (!fy_queue_put (queue, g_variant_new_int64 (i), -1, error))
        return NULL;
      say (out, "Produced: %" G_GINT64_FORMAT, i);
    }
  if (!fy_queue_put (queue, g_variant_new ("()"), -1, error))
    return NULL;
  return g_variant_new ("()");
}

/* fd 1 queue. (delay ms): gets until the sentinel, sleeping after each
 * item; answers the items in the order they came. */
static GVariant *
scenario_consumer (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyQueue) queue = out != NULL ? OPEN (context, 1, Queue, error) : NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint32 delay = g_variant_get_uint32 (argument);

  if (queue == NULL)
    return NULL;
  for (;;)
    {
      g_autoptr(GVariant) item = fy_queue_get (queue, 60, error);
      gint64 value;

      if (item == NULL)
        return NULL;
      if (!g_variant_is_of_type (item, G_VARIANT_TYPE_INT64))
        break;
      value = g_variant_get_int64 (item);
      g_array_append_val (items, value);
      say (out, "Consumed: %" G_GINT64_FORMAT, value);
      sleep_ms (delay);
    }
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, items->data, items->len, sizeof (gint64));
}

/* fd 1 value, fd 2 the start barrier, fd 3 (optional) lock. (count,
 * window): waits at the barrier for the others, then count
 * read-modify-writes of the value with @window spins between the read and
 * the write (Python's counter.value += 1 is that slow); under the lock
 * when there is one. Answers count. */
static GVariant *
scenario_increment (GVariant           *argument,
                    FyWorkloadContext  *context,
                    GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyValue) value = out != NULL ? OPEN (context, 1, Value, error) : NULL;
  g_autoptr(FyBarrier) start = value != NULL ? OPEN (context, 2, Barrier, error) : NULL;
  g_autoptr(FyLock) lock = NULL;
  guint32 count, window;

  if (start == NULL)
    return NULL;
  if (fy_workload_context_get_n_fds (context) > 3 &&
      (lock = OPEN (context, 3, Lock, error)) == NULL)
    return NULL;
  g_variant_get (argument, "(uu)", &count, &window);

  /* Every incrementer waits here, so that all of them start together. */
  if (fy_barrier_wait (start, -1, error) < 0)
    return NULL;
  for (guint32 i = 0; i < count; i++)
    {
      gint64 temp;

      if (lock != NULL && !fy_lock_acquire (lock, -1, error))
        return NULL;
      temp = fy_value_get_int (value);
      for (volatile guint32 spin = 0; spin < window; spin++)
        ;
      fy_value_set_int (value, temp + 1);
      if (lock != NULL && !fy_lock_release (lock, error))
        return NULL;
    }
  return g_variant_new_uint32 (count);
}

/* fd 1 counter value, fd 2 char array. (name): the seed's modify_values:
 * counter += 1 under its lock, then the name replaced. */
static GVariant *
scenario_rename (GVariant           *argument,
                 FyWorkloadContext  *context,
                 GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyValue) counter = out != NULL ? OPEN (context, 1, Value, error) : NULL;
  g_autoptr(FyArray) names = counter != NULL ? OPEN (context, 2, Array, error) : NULL;
  const char *name = g_variant_get_string (argument, NULL);
  FyLock *lock;
  gsize length;

  if (names == NULL)
    return NULL;
  length = fy_array_get_length (names);
  lock = fy_value_get_lock (counter);
  if (lock != NULL && !fy_lock_acquire (lock, -1, error))
    return NULL;
  fy_value_set_int (counter, fy_value_get_int (counter) + 1);
  if (lock != NULL && !fy_lock_release (lock, error))
    return NULL;

  /* Array('c').value = b"Alice": the bytes, then a NUL if there is room. */
  for (gsize i = 0; i < length; i++)
    fy_array_set_int (names, i, i < strlen (name) ? (guchar) name[i] : 0);
  return g_variant_new ("()");
}

/* fd 1 dict. (delay ms): the seed's update_data. */
static GVariant *
scenario_update_status (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyDict) dict = out != NULL ? OPEN (context, 1, Dict, error) : NULL;

  if (dict == NULL)
    return NULL;
  sleep_ms (g_variant_get_uint32 (argument));
  if (!fy_dict_set (dict, "status", g_variant_new_string ("completed"), error))
    return NULL;
  return g_variant_new ("()");
}

/* fd 1 semaphore, fd 2 "inside" value (with its lock), fd 3 "peak" value.
 * (id, ms): holds the semaphore @ms, counting who is inside with it. */
static GVariant *
scenario_semaphore_worker (GVariant           *argument,
                           FyWorkloadContext  *context,
                           GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FySemaphore) semaphore = out != NULL ? OPEN (context, 1, Semaphore, error) : NULL;
  g_autoptr(FyValue) inside = semaphore != NULL ? OPEN (context, 2, Value, error) : NULL;
  g_autoptr(FyValue) peak = inside != NULL ? OPEN (context, 3, Value, error) : NULL;
  guint32 id, ms;
  gint64 now;

  if (peak == NULL)
    return NULL;
  g_variant_get (argument, "(uu)", &id, &ms);
  if (!fy_semaphore_acquire (semaphore, 60, error))
    return NULL;
  if (!fy_lock_acquire (fy_value_get_lock (inside), -1, error))
    return NULL;
  now = fy_value_get_int (inside) + 1;
  fy_value_set_int (inside, now);
  if (now > fy_value_get_int (peak))
    fy_value_set_int (peak, now);
  say (out, "Worker %u entered (%" G_GINT64_FORMAT " inside)", id, now);
  if (!fy_lock_release (fy_value_get_lock (inside), error))
    return NULL;

  sleep_ms (ms);

  if (!fy_lock_acquire (fy_value_get_lock (inside), -1, error))
    return NULL;
  fy_value_set_int (inside, fy_value_get_int (inside) - 1);
  say (out, "Worker %u left", id);
  if (!fy_lock_release (fy_value_get_lock (inside), error))
    return NULL;
  if (!fy_semaphore_release (semaphore, error))
    return NULL;
  return g_variant_new ("()");
}

/* fd 1 event. (id, timeout): answers whether the event came in time. */
static GVariant *
scenario_event_waiter (GVariant           *argument,
                       FyWorkloadContext  *context,
                       GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyEvent) event = out != NULL ? OPEN (context, 1, Event, error) : NULL;
  guint32 id;
  double timeout;
  gboolean released;

  if (event == NULL)
    return NULL;
  g_variant_get (argument, "(ud)", &id, &timeout);
  say (out, "Waiter %u waits for the event", id);
  released = fy_event_wait (event, timeout);
  if (released)
    say (out, "Waiter %u released", id);
  else
    say (out, "Waiter %u gave up waiting", id);
  return g_variant_new_boolean (released);
}

/* fd 1 condition, fd 2 "woken" value (changed under the condition's
 * lock). (id, timeout): one wait; answers whether it was notified. */
static GVariant *
scenario_condition_waiter (GVariant           *argument,
                           FyWorkloadContext  *context,
                           GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyCondition) condition = out != NULL ? OPEN (context, 1, Condition, error) : NULL;
  g_autoptr(FyValue) woken = condition != NULL ? OPEN (context, 2, Value, error) : NULL;
  guint32 id;
  double timeout;
  gboolean notified;

  if (woken == NULL)
    return NULL;
  g_variant_get (argument, "(ud)", &id, &timeout);
  if (!fy_condition_acquire (condition, -1, error))
    return NULL;
  say (out, "Waiter %u waits on the condition", id);
  notified = fy_condition_wait (condition, timeout, error);
  if (notified)
    {
      fy_value_set_int (woken, fy_value_get_int (woken) + 1);
      say (out, "Waiter %u notified", id);
    }
  if (!fy_condition_release (condition, error))
    return NULL;
  return g_variant_new_boolean (notified);
}

/* fd 1 barrier. (id, delay ms): arrives after the delay; answers the
 * arrival index, -1 when the barrier broke. */
static GVariant *
scenario_barrier_party (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyBarrier) barrier = out != NULL ? OPEN (context, 1, Barrier, error) : NULL;
  g_autoptr(GError) local_error = NULL;
  guint32 id, delay;
  int index;

  if (barrier == NULL)
    return NULL;
  g_variant_get (argument, "(uu)", &id, &delay);
  sleep_ms (delay);
  say (out, "Party %u arrives at the barrier", id);
  index = fy_barrier_wait (barrier, 60, &local_error);
  if (index < 0)
    say (out, "Party %u: the barrier broke", id);
  else
    say (out, "Party %u passed the barrier", id);
  return g_variant_new_int32 (index);
}

/* (interval ms): prints @line forever; ended by its owner. */
static GVariant *
print_forever (FyWorkloadContext  *context,
               guint32             interval,
               const char         *line,
               GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);

  if (out == NULL)
    return NULL;
  for (;;)
    {
      say (out, "%s", line);
      sleep_ms (interval);
    }
}

static GVariant *
scenario_background (GVariant           *argument,
                     FyWorkloadContext  *context,
                     GError            **error)
{
  return print_forever (context, g_variant_get_uint32 (argument),
                        "Background process running...", error);
}

static GVariant *
scenario_working (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  return print_forever (context, g_variant_get_uint32 (argument), "Working...", error);
}

/* fd 1 event. (interval ms): ignores SIGTERM, says so through the event,
 * then works until killed. */
static GVariant *
scenario_stubborn (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);
  g_autoptr(FyEvent) ready = out != NULL ? OPEN (context, 1, Event, error) : NULL;

  if (ready == NULL)
    return NULL;
  signal (SIGTERM, SIG_IGN);
  say (out, "Stubborn worker ignores SIGTERM");
  fy_event_set (ready);
  g_clear_object (&ready);
  g_clear_object (&out);
  return print_forever (context, g_variant_get_uint32 (argument), "Still working...", error);
}

/* (ms): works a while, then says it finished. */
static GVariant *
scenario_finite (GVariant           *argument,
                 FyWorkloadContext  *context,
                 GError            **error)
{
  g_autoptr(FyList) out = OPEN (context, 0, List, error);

  if (out == NULL)
    return NULL;
  sleep_ms (g_variant_get_uint32 (argument));
  say (out, "Non-daemon process finished its work");
  return g_variant_new ("()");
}

/* (n): sum of i·i below n modulo 2⁶⁴, the long way. */
static GVariant *
scenario_cpu (GVariant           *argument,
              FyWorkloadContext  *context,
              GError            **error)
{
  return g_variant_new_uint64 (fy_scenario_sum_squares (0, g_variant_get_uint64 (argument)));
}

const FyWorkloadInfo fy_workloads_scenarios[] = {
  { "scenario-hello", "i", "(ii)", scenario_hello,
    "fd 0 output: prints “Worker i, PID: p”, answers (i, pid)" },
  { "scenario-producer", "(xx)", "()", scenario_producer,
    "fd 0 output, fd 1 queue: (first, count) ints and a sentinel" },
  { "scenario-consumer", "u", "ax", scenario_consumer,
    "fd 0 output, fd 1 queue: gets until the sentinel, sleeping ms after each" },
  { "scenario-increment", "(uu)", "u", scenario_increment,
    "fd 0 output, fd 1 value, fd 2 start barrier, fd 3 optional lock: (count, window)" },
  { "scenario-rename", "s", "()", scenario_rename,
    "fd 0 output, fd 1 counter, fd 2 char array: counter += 1, name replaced" },
  { "scenario-update-status", "u", "()", scenario_update_status,
    "fd 0 output, fd 1 dict: after ms, status = completed" },
  { "scenario-semaphore-worker", "(uu)", "()", scenario_semaphore_worker,
    "fd 0 output, fd 1 semaphore, fd 2 inside, fd 3 peak: (id, ms held)" },
  { "scenario-event-waiter", "(ud)", "b", scenario_event_waiter,
    "fd 0 output, fd 1 event: (id, timeout) → released in time" },
  { "scenario-condition-waiter", "(ud)", "b", scenario_condition_waiter,
    "fd 0 output, fd 1 condition, fd 2 woken count: (id, timeout) → notified" },
  { "scenario-barrier-party", "(uu)", "i", scenario_barrier_party,
    "fd 0 output, fd 1 barrier: (id, delay ms) → arrival index" },
  { "scenario-background", "u", "()", scenario_background,
    "fd 0 output: prints every ms until ended" },
  { "scenario-working", "u", "()", scenario_working,
    "fd 0 output: prints “Working...” every ms until ended" },
  { "scenario-stubborn", "u", "()", scenario_stubborn,
    "fd 0 output, fd 1 ready event: ignores SIGTERM, works until killed" },
  { "scenario-finite", "u", "()", scenario_finite,
    "fd 0 output: works ms, then says so" },
  { "scenario-cpu", "t", "t", scenario_cpu,
    "sum of i·i below n modulo 2⁶⁴, the long way" },
  { NULL },
};
