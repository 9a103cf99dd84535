/* test-queue.c: Queue and JoinableQueue, in one process and across several
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPython's Queue tests (Full / Empty with and without timeouts, qsize,
 * FIFO, JoinableQueue.join), no feeder thread, close, and the faults: a
 * producer killed while holding the put lock, or at random points of a put,
 * and a consumer killed while holding the get lock, never leave a partial
 * item, a stuck queue or wrong counts.
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "core/fy-list.h"
#include "core/fy-queue.h"

#include "fy-test-process.h"

static void
put_int (FyQueue *queue,
         gint64   n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_queue_put (queue, g_variant_new_int64 (n), 0, &error));
  g_assert_no_error (error);
}

static gint64
get_int (FyQueue *queue,
         double   timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) item = fy_queue_get (queue, timeout, &error);

  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (item, G_VARIANT_TYPE_INT64));
  return g_variant_get_int64 (item);
}

static void
test_full_and_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 6, &error);
  g_autoptr(GVariant) item = NULL;
  gint64 start;
  double elapsed;

  g_assert_no_error (error);
  g_assert_cmpuint (fy_queue_get_maxsize (queue), ==, 6);
  for (gint64 i = 0; i < 6; i++)
    put_int (queue, i);
  g_assert_true (fy_queue_is_full (queue));

  start = g_get_monotonic_time ();
  g_assert_false (fy_queue_put (queue, g_variant_new_int64 (6), 0, &error));
  elapsed = fy_test_seconds_since (start);
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpfloat (elapsed, <, 1);

  start = g_get_monotonic_time ();
  g_assert_false (fy_queue_put (queue, g_variant_new_int64 (6), 0.1, &error));
  elapsed = fy_test_seconds_since (start);
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_FULL);
  g_clear_error (&error);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2);
  g_assert_cmpuint (fy_queue_get_qsize (queue), ==, 6);

  for (gint64 i = 0; i < 6; i++)
    g_assert_cmpint (get_int (queue, 0), ==, i);
  g_assert_true (fy_queue_is_empty (queue));

  start = g_get_monotonic_time ();
  item = fy_queue_get (queue, 0, &error);
  elapsed = fy_test_seconds_since (start);
  g_assert_null (item);
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_cmpfloat (elapsed, <, 1);

  start = g_get_monotonic_time ();
  item = fy_queue_get (queue, 0.1, &error);
  elapsed = fy_test_seconds_since (start);
  g_assert_null (item);
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2);
}

static guint32
snapshot_u (FyQueue    *queue,
            const char *key)
{
  g_autoptr(GVariant) snapshot = fy_shm_snapshot (fy_queue_get_shm (queue));
  guint32 value = 0;

  g_assert_true (g_variant_lookup (snapshot, key, "u", &value));
  return value;
}

/* qsize, the inspector's depth and its puts and gets all tell the same
 * story. */
static void
check_counts (FyQueue *queue,
              guint64  puts,
              guint64  gets)
{
  g_autoptr(GVariant) snapshot = fy_shm_snapshot (fy_queue_get_shm (queue));
  guint64 snapshot_puts = 0, snapshot_gets = 0;
  guint32 depth = 0;

  g_assert_true (g_variant_lookup (snapshot, "puts", "t", &snapshot_puts));
  g_assert_true (g_variant_lookup (snapshot, "gets", "t", &snapshot_gets));
  g_assert_true (g_variant_lookup (snapshot, "depth", "u", &depth));
  g_assert_cmpuint (snapshot_puts, ==, puts);
  g_assert_cmpuint (snapshot_gets, ==, gets);
  g_assert_cmpuint (depth, ==, puts - gets);
  g_assert_cmpuint (fy_queue_get_qsize (queue), ==, puts - gets);
  g_assert_true (fy_queue_is_empty (queue) == (puts == gets));
}

static void
test_qsize (void)
{
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);

  check_counts (queue, 0, 0);
  put_int (queue, 5);
  check_counts (queue, 1, 0);
  put_int (queue, 6);
  check_counts (queue, 2, 0);
  g_assert_cmpint (get_int (queue, 0), ==, 5);
  check_counts (queue, 2, 1);
  g_assert_cmpint (get_int (queue, 0), ==, 6);
  check_counts (queue, 2, 2);
  put_int (queue, 7);
  check_counts (queue, 3, 2);
  g_assert_cmpint (get_int (queue, 0), ==, 7);
  check_counts (queue, 3, 3);
  /* Unbounded by count: never full. */
  g_assert_false (fy_queue_is_full (queue));
}

static void
test_items_of_every_shape (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new_full (NULL, 0, 256 * 1024, FALSE, &error);
  g_autoptr(GVariant) big = NULL;
  GVariant *byte;
  guint8 *bytes = g_malloc (64 * 1024);
  GVariant *items[4];

  for (guint i = 0; i < 64 * 1024; i++)
    bytes[i] = i * 7;
  big = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, bytes, 64 * 1024,
                                                     TRUE, g_free, bytes));
  items[0] = g_variant_ref_sink (g_variant_new_string ("hello"));
  items[1] = g_variant_ref_sink (g_variant_new_parsed ("{'a': <1>, 'b': <(2.5, 'x')>}"));
  items[2] = g_variant_ref_sink (g_variant_new ("()"));
  items[3] = g_variant_ref (big);

  /* Many rounds through a ring that holds only three big items, so the
   * records wrap around its end at every possible offset. */
  for (guint round = 0; round < 40; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (items); i++)
        g_assert_true (fy_queue_put (queue, items[i], 0, &error));
      for (guint i = 0; i < G_N_ELEMENTS (items); i++)
        {
          g_autoptr(GVariant) got = fy_queue_get (queue, 0, &error);

          g_assert_no_error (error);
          /* Byte for byte: g_variant_equal () prints untrusted values. */
          g_assert_cmpstr (g_variant_get_type_string (got), ==, g_variant_get_type_string (items[i]));
          g_assert_cmpmem (g_variant_get_data (got), g_variant_get_size (got),
                           g_variant_get_data (items[i]), g_variant_get_size (items[i]));
        }
      g_assert_true (fy_queue_put (queue, g_variant_new_byte (round), 0, &error));
      byte = fy_queue_get (queue, 0, &error);
      g_assert_cmpint (g_variant_get_byte (byte), ==, round);
      g_clear_pointer (&byte, g_variant_unref);
    }
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    g_variant_unref (items[i]);
}

/* Python's "an item that fails to pickle does not stop the queue": here,
 * an item that can never fit the ring. */
static void
test_bad_item (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new_full (NULL, 0, 4096, FALSE, &error);
  guint8 *bytes = g_malloc0 (8192);

  put_int (queue, 1);
  g_assert_false (fy_queue_put (queue,
                                g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, bytes, 8192,
                                                         TRUE, g_free, bytes),
                                -1, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TOO_BIG);
  put_int (queue, 2);
  g_assert_cmpuint (fy_queue_get_qsize (queue), ==, 2);
  g_assert_cmpint (get_int (queue, 0), ==, 1);
  g_assert_cmpint (get_int (queue, 0), ==, 2);
}

typedef struct
{
  FyQueue *queue;
  GError  *error;
  double   elapsed;
} Getter;

static gpointer
getter_thread (gpointer data)
{
  Getter *g = data;
  gint64 start = g_get_monotonic_time ();
  GVariant *item = fy_queue_get (g->queue, 60, &g->error);

  g->elapsed = fy_test_seconds_since (start);
  g_assert_null (item);
  return NULL;
}

static void
test_close (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);
  Getter getter = { .queue = queue };
  GThread *thread;

  /* A getter blocked on the empty queue is woken by close. */
  thread = g_thread_new ("getter", getter_thread, &getter);
  while (snapshot_u (queue, "get-waiters") == 0)
    g_usleep (1000);
  fy_queue_close (queue);
  g_thread_join (thread);
  g_assert_error (getter.error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED);
  g_clear_error (&getter.error);
  g_assert_cmpfloat (getter.elapsed, <, 30);
  g_assert_true (fy_queue_is_closed (queue));

  g_assert_false (fy_queue_put (queue, g_variant_new_int64 (1), 0, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_null (fy_queue_get (queue, -1, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED);
  g_clear_error (&error);
}

static void
test_close_drains (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);

  put_int (queue, 7);
  fy_queue_close (queue);
  g_assert_cmpint (get_int (queue, 0), ==, 7);
  g_assert_null (fy_queue_get (queue, 0, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* A waiter blocked on an empty queue sleeps; it does not spin. */
static void
test_blocked_does_not_spin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);
  g_autoptr(GVariant) item = NULL;
  double cpu = cpu_seconds ();
  gint64 start = g_get_monotonic_time ();

  item = fy_queue_get (queue, 0.6, &error);
  g_assert_null (item);
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY);
  g_assert_cmpfloat (fy_test_seconds_since (start), >=, 0.59);
  /* A spinning wait would burn about 0.6 s of CPU. */
  g_assert_cmpfloat (cpu_seconds () - cpu, <, 0.2);
}

static void
test_fifo_two_producers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 100, NULL);
  g_autoptr(FyProcess) a = NULL;
  g_autoptr(FyProcess) b = NULL;
  gint64 next_a = 0, next_b = 1000000;
  const gint64 n = 3000;

  a = fy_test_spawn ("ipc-queue-put", g_variant_new ("(xxub)", (gint64) 0, n, 0, FALSE),
             fy_queue_get_fd (queue), -1);
  b = fy_test_spawn ("ipc-queue-put", g_variant_new ("(xxub)", (gint64) 1000000, n, 0, FALSE),
             fy_queue_get_fd (queue), -1);
  for (gint64 i = 0; i < 2 * n; i++)
    {
      gint64 v = get_int (queue, 60);

      /* Each producer's items arrive in the order it put them. */
      if (v < 1000000)
        g_assert_cmpint (v, ==, next_a++);
      else
        g_assert_cmpint (v, ==, next_b++);
    }
  g_assert_cmpint (next_a, ==, n);
  g_assert_cmpint (next_b, ==, 1000000 + n);
  fy_test_join_ok (a);
  fy_test_join_ok (b);
  g_assert_true (fy_queue_is_empty (queue));
}

/* Two producers and two consumers through a queue of four items: both
 * sides keep blocking and waking each other. Every item comes out exactly
 * once, and each consumer sees each producer's items in order. */
static void
test_two_by_two (void)
{
  g_autoptr(FyQueue) queue = fy_queue_new_full (NULL, 4, 1024, FALSE, NULL);
  const gint64 n = 3000;
  FyProcess *processes[4];
  FyList *lists[2];
  g_autofree guint8 *seen = g_malloc0 (2 * n);

  for (guint i = 0; i < 2; i++)
    {
      lists[i] = fy_list_new (NULL, 0, 0, NULL);
      processes[i] = fy_test_spawn ("ipc-queue-collect", g_variant_new_int64 (n),
                                    fy_queue_get_fd (queue), fy_list_get_fd (lists[i]), -1);
    }
  for (guint i = 0; i < 2; i++)
    processes[2 + i] = fy_test_spawn ("ipc-queue-put", g_variant_new ("(xxub)", i * n, n, 0, FALSE),
                                      fy_queue_get_fd (queue), -1);
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      fy_test_join_ok (processes[i]);
      g_object_unref (processes[i]);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) all = fy_list_to_variant (lists[i]);
      gint64 last[2] = { -1, -1 };

      g_assert_cmpuint (g_variant_n_children (all), ==, n);
      for (gsize j = 0; j < n; j++)
        {
          g_autoptr(GVariant) boxed = g_variant_get_child_value (all, j);
          g_autoptr(GVariant) v = g_variant_get_variant (boxed);
          gint64 value = g_variant_get_int64 (v);

          g_assert_cmpint (value, >=, 0);
          g_assert_cmpint (value, <, 2 * n);
          g_assert_cmpint (value, >, last[value / n]);
          last[value / n] = value;
          g_assert_cmpuint (seen[value], ==, 0);
          seen[value] = 1;
        }
      g_object_unref (lists[i]);
    }
  check_counts (queue, 2 * n, 2 * n);
}

/* No feeder thread: a producer can be joined before anyone drains. */
static void
test_no_feeder (void)
{
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);
  g_autoptr(FyProcess) producer = NULL;

  producer = fy_test_spawn ("ipc-queue-put", g_variant_new ("(xxub)", (gint64) 0, (gint64) 100, 1000, FALSE),
                    fy_queue_get_fd (queue), -1);
  fy_test_join_ok (producer);
  g_assert_cmpuint (fy_queue_get_qsize (queue), ==, 100);
  for (gint64 i = 0; i < 100; i++)
    {
      g_autoptr(GVariant) item = fy_queue_get (queue, 0, NULL);
      g_autoptr(GVariant) bytes = NULL;
      gint64 seq = -1;

      g_variant_get (item, "(x@ay)", &seq, &bytes);
      g_assert_cmpint (seq, ==, i);
      g_assert_cmpuint (g_variant_n_children (bytes), ==, 1000);
    }
}

/* The seed: a producer puts 0..4 and a None sentinel, a consumer takes
 * them until the sentinel. */
static void
test_seed_producer_consumer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);
  g_autoptr(FyList) consumed = fy_list_new (NULL, 0, 0, NULL);
  g_autoptr(FyProcess) producer = NULL;
  g_autoptr(FyProcess) consumer = NULL;
  g_autoptr(GVariant) all = NULL;

  producer = fy_test_spawn ("ipc-queue-put", g_variant_new ("(xxub)", (gint64) 0, (gint64) 5, 0, TRUE),
                    fy_queue_get_fd (queue), -1);
  consumer = fy_test_spawn ("ipc-queue-collect", g_variant_new_int64 (-1),
                    fy_queue_get_fd (queue), fy_list_get_fd (consumed), -1);
  fy_test_join_ok (producer);
  fy_test_join_ok (consumer);

  all = fy_list_to_variant (consumed);
  g_assert_cmpuint (g_variant_n_children (all), ==, 5);
  for (gint64 i = 0; i < 5; i++)
    {
      g_autoptr(GVariant) item = fy_list_get (consumed, i, &error);

      g_assert_cmpint (g_variant_get_int64 (item), ==, i);
    }
  g_assert_true (fy_queue_is_empty (queue));
}

static void
test_joinable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new_joinable (NULL, 0, &error);
  g_autoptr(FyList) results = fy_list_new (NULL, 0, 0, NULL);
  g_autoptr(GVariant) all = NULL;
  FyProcess *workers[4];
  gint64 sum = 0;

  g_assert_true (fy_queue_is_joinable (queue));
  /* Nothing put: join returns at once. */
  g_assert_true (fy_queue_join (queue, 0, &error));

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    workers[i] = fy_test_spawn ("ipc-queue-worker", NULL, fy_queue_get_fd (queue),
                        fy_list_get_fd (results), -1);
  for (gint64 i = 0; i < 10; i++)
    put_int (queue, i);
  g_assert_true (fy_queue_join (queue, 60, &error));
  g_assert_no_error (error);
  /* join returned: every item was marked done, after its result was
   * written. */
  g_assert_cmpuint (fy_list_get_length (results), ==, 10);
  all = fy_list_to_variant (results);
  for (gsize i = 0; i < 10; i++)
    {
      g_autoptr(GVariant) boxed = g_variant_get_child_value (all, i);
      g_autoptr(GVariant) v = g_variant_get_variant (boxed);

      sum += g_variant_get_int64 (v);
    }
  g_assert_cmpint (sum, ==, 2 * 45);

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    g_assert_true (fy_queue_put (queue, g_variant_new ("()"), 0, &error));
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      fy_test_join_ok (workers[i]);
      g_object_unref (workers[i]);
    }
  g_assert_true (fy_queue_join (queue, 0, &error));
}

static void
test_task_done_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) plain = fy_queue_new (NULL, 0, NULL);
  g_autoptr(FyQueue) queue = fy_queue_new_joinable (NULL, 0, NULL);
  gint64 start;

  g_assert_false (fy_queue_task_done (plain, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_NOT_JOINABLE);
  g_clear_error (&error);

  put_int (queue, 1);
  g_assert_cmpint (get_int (queue, 0), ==, 1);
  /* Taken but not done: join waits. */
  start = g_get_monotonic_time ();
  g_assert_false (fy_queue_join (queue, 0.1, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpfloat (fy_test_seconds_since (start), >=, 0.09);
  g_assert_true (fy_queue_task_done (queue, &error));
  g_assert_true (fy_queue_join (queue, 0, &error));
  /* One task_done too many, as Python's ValueError. */
  g_assert_false (fy_queue_task_done (queue, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TASK_DONE);
}

static GPid
snapshot_get_holder (FyQueue *queue)
{
  g_autoptr(GVariant) snapshot = fy_shm_snapshot (fy_queue_get_shm (queue));
  gint32 pid = 0;

  g_assert_true (g_variant_lookup (snapshot, "get-holder-pid", "i", &pid));
  return pid;
}

/* A process that stops in the middle of an operation on @queue, holding
 * its put lock (@mode "put", or "put-unpublished" with the int64 @n) or
 * its get lock ("get"), and sleeps; returned once it holds the lock. */
static FyProcess *
spawn_lock_holder (FyQueue    *queue,
                   const char *mode,
                   gint64      n)
{
  FyProcess *victim = fy_test_spawn ("ipc-queue-die-locked", g_variant_new ("(sx)", mode, n),
                                     fy_queue_get_fd (queue), -1);
  gboolean consumer = g_str_equal (mode, "get");
  gint64 start = g_get_monotonic_time ();

  while ((consumer ? snapshot_get_holder (queue) : fy_shm_get_holder_pid (fy_queue_get_shm (queue)))
         != fy_process_get_pid (victim))
    {
      g_assert_cmpfloat (fy_test_seconds_since (start), <, 30);
      g_usleep (1000);
    }
  return victim;
}

static void
kill_lock_holder (FyProcess *victim)
{
  g_autoptr(GError) error = NULL;
  int code = 0;

  g_assert_true (fy_process_kill (victim, &error));
  g_assert_true (fy_process_join (victim, 30, &error));
  g_assert_no_error (error);
  g_assert_true (fy_process_get_exitcode (victim, &code));
  g_assert_cmpint (code, ==, -9);
}

/* The first put after a producer died holding the put lock: it repairs
 * the queue and succeeds within a second. */
static void
put_recovering (FyQueue *queue,
                gint64   n)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (fy_queue_put (queue, g_variant_new_int64 (n), 1, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 1);
  g_assert_cmpuint (snapshot_u (queue, "recoveries"), ==, 1);
}

/* A process SIGKILLed while it holds the queue's lock, over a half-written
 * record: the next put and get succeed within a second and nothing
 * partial comes out. */
static void
test_killed_holding_lock (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);
  g_autoptr(FyProcess) victim = NULL;

  for (gint64 i = 0; i < 3; i++)
    put_int (queue, i);
  victim = spawn_lock_holder (queue, "put", 0);
  kill_lock_holder (victim);

  put_recovering (queue, 3);
  check_counts (queue, 4, 0);
  for (gint64 i = 0; i < 4; i++)
    g_assert_cmpint (get_int (queue, 1), ==, i);
  check_counts (queue, 4, 4);
}

/* The typed int64 calls and GVariant items are one item: each side reads
 * what the other wrote, and a typed get leaves an item of another type at
 * the head. */
static void
test_int64 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 3, &error);
  g_autoptr(GVariant) text = NULL;
  gint64 value = 0;

  g_assert_true (fy_queue_put_int64 (queue, G_MININT64, 0, &error));
  put_int (queue, 42);
  g_assert_true (fy_queue_put (queue, g_variant_new_string ("forty-two"), 0, &error));
  g_assert_no_error (error);
  /* maxsize counts typed items as any other. */
  g_assert_false (fy_queue_put_int64 (queue, 7, 0, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_FULL);
  g_clear_error (&error);

  g_assert_cmpint (get_int (queue, 0), ==, G_MININT64);
  g_assert_true (fy_queue_get_int64 (queue, &value, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, 42);
  value = 0;
  g_assert_false (fy_queue_get_int64 (queue, &value, 0, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_WRONG_TYPE);
  g_assert_nonnull (strstr (error->message, "'s'"));
  g_assert_cmpint (value, ==, 0);
  g_clear_error (&error);
  g_assert_cmpuint (fy_queue_get_qsize (queue), ==, 1);
  text = fy_queue_get (queue, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (text, NULL), ==, "forty-two");

  g_assert_false (fy_queue_get_int64 (queue, &value, 0.05, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY);
  g_clear_error (&error);
  fy_queue_close (queue);
  g_assert_false (fy_queue_put_int64 (queue, 1, 0, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (fy_queue_get_int64 (queue, &value, -1, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_CLOSED);
}

/* A child's typed puts come out as GVariants, in order, through a queue
 * too small to hold them all. */
static void
test_int64_from_child (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 4, &error);
  g_autoptr(FyProcess) producer = NULL;
  int code = -1;

  producer = fy_test_spawn ("ipc-queue-put-int64", g_variant_new ("(xx)", (gint64) 100, (gint64) 50),
                            fy_queue_get_fd (queue), -1);
  for (gint64 i = 100; i < 150; i++)
    g_assert_cmpint (get_int (queue, 30), ==, i);
  g_assert_true (fy_process_join (producer, 30, &error));
  g_assert_true (fy_process_get_exitcode (producer, &code));
  g_assert_cmpint (code, ==, 0);
  check_counts (queue, 50, 50);
}

/* A producer SIGKILLed after it wrote and counted its record, just before
 * publishing it: consumers never see the item, and the next put's repair
 * takes the count back, so the counts and the order stay right. */
static void
test_killed_before_publish (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);
  g_autoptr(FyProcess) victim = NULL;

  for (gint64 i = 0; i < 3; i++)
    put_int (queue, i);
  victim = spawn_lock_holder (queue, "put-unpublished", 99);
  for (gint64 i = 0; i < 3; i++)
    g_assert_cmpint (get_int (queue, 1), ==, i);
  g_assert_null (fy_queue_get (queue, 0.05, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY);
  g_clear_error (&error);
  kill_lock_holder (victim);

  put_recovering (queue, 3);
  check_counts (queue, 4, 3);
  g_assert_cmpint (get_int (queue, 1), ==, 3);
  check_counts (queue, 4, 4);
}

/* The same on a JoinableQueue, with nobody putting again: join repairs
 * the dead producer's count itself instead of waiting for an item that
 * never came. */
static void
test_joinable_killed_before_publish (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new_joinable (NULL, 0, NULL);
  g_autoptr(FyProcess) victim = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  guint64 unfinished = 0;
  gint64 start;

  for (gint64 i = 0; i < 2; i++)
    put_int (queue, i);
  victim = spawn_lock_holder (queue, "put-unpublished", 99);
  kill_lock_holder (victim);
  for (gint64 i = 0; i < 2; i++)
    {
      g_assert_cmpint (get_int (queue, 1), ==, i);
      g_assert_true (fy_queue_task_done (queue, &error));
      g_assert_no_error (error);
    }

  start = g_get_monotonic_time ();
  g_assert_true (fy_queue_join (queue, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 1.5);
  g_assert_cmpuint (snapshot_u (queue, "recoveries"), ==, 1);
  snapshot = fy_shm_snapshot (fy_queue_get_shm (queue));
  g_assert_true (g_variant_lookup (snapshot, "unfinished", "t", &unfinished));
  g_assert_cmpuint (unfinished, ==, 0);
  check_counts (queue, 2, 2);
  g_assert_false (fy_queue_task_done (queue, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_TASK_DONE);
}

/* A consumer SIGKILLed while it holds the get lock: producers never
 * noticed, the next get succeeds within a second, and the item it was
 * about to take is still there. */
static void
test_killed_holding_get_lock (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new (NULL, 0, NULL);
  g_autoptr(FyProcess) victim = NULL;
  gint64 start;

  for (gint64 i = 0; i < 3; i++)
    put_int (queue, i);
  victim = spawn_lock_holder (queue, "get", 0);

  /* Consumers and producers do not share a lock. */
  put_int (queue, 3);
  check_counts (queue, 4, 0);
  /* Python's get_nowait: the reader lock is busy, so Empty. */
  g_assert_null (fy_queue_get (queue, 0, &error));
  g_assert_error (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY);
  g_clear_error (&error);
  kill_lock_holder (victim);

  start = g_get_monotonic_time ();
  g_assert_cmpint (get_int (queue, 1), ==, 0);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 1);
  g_assert_cmpuint (snapshot_u (queue, "get-recoveries"), ==, 1);
  g_assert_cmpint (snapshot_get_holder (queue), ==, 0);
  check_counts (queue, 4, 1);
  for (gint64 i = 1; i < 4; i++)
    g_assert_cmpint (get_int (queue, 1), ==, i);
  check_counts (queue, 4, 4);
  g_assert_cmpuint (snapshot_u (queue, "recoveries"), ==, 0);
}

static void
check_item (GVariant *item,
            gint64    expected_seq,
            guint     payload)
{
  g_autoptr(GVariant) bytes = NULL;
  const guint8 *data;
  gsize length;
  gint64 seq = -1;

  g_assert_true (g_variant_is_of_type (item, G_VARIANT_TYPE ("(xay)")));
  g_variant_get (item, "(x@ay)", &seq, &bytes);
  g_assert_cmpint (seq, ==, expected_seq);
  data = g_variant_get_fixed_array (bytes, &length, 1);
  g_assert_cmpuint (length, ==, payload);
  for (gsize i = 0; i < length; i++)
    if (data[i] != (guint8) (seq & 0xff))
      g_assert_cmpuint (data[i], ==, (guint8) (seq & 0xff));
}

/* Takes everything, or only what is there now while a writer keeps
 * adding more. */
static void
drain_and_check (FyQueue *queue,
                 gint64  *next,
                 guint    payload,
                 gboolean writer_alive)
{
  for (guint n = fy_queue_get_qsize (queue); n > 0 || !writer_alive; n--)
    {
      g_autoptr(GVariant) item = fy_queue_get (queue, 0, NULL);

      if (item == NULL)
        break;
      check_item (item, (*next)++, payload);
    }
}

/* A writer streaming large items is killed at 20 random points, each one
 * inside a put: it is stopped at random moments until it is caught
 * holding the queue's lock, then SIGKILLed. Every item that comes out is
 * whole and in order, and the queue stays consistent. */
static void
test_killed_mid_put (void)
{
  g_autoptr(GError) error = NULL;
  const guint payload = 64 * 1024;
  g_autoptr(FyQueue) queue = fy_queue_new_full (NULL, 0, 32 * 1024 * 1024, FALSE, &error);
  guint64 delivered = 0;
  guint attempts = 0;

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(FyProcess) writer = NULL;
      gint64 next = 0, start;
      GPid pid;
      int code = 0;

      writer = fy_test_spawn ("ipc-queue-flood", g_variant_new_uint32 (payload), fy_queue_get_fd (queue), -1);
      pid = fy_process_get_pid (writer);
      start = g_get_monotonic_time ();
      while (fy_queue_is_empty (queue))
        {
          g_assert_cmpfloat (fy_test_seconds_since (start), <, 30);
          g_usleep (100);
        }

      for (;;)
        {
          attempts++;
          g_assert_cmpfloat (fy_test_seconds_since (start), <, 120);
          g_usleep (g_test_rand_int_range (20, 400));
          g_assert_true (fy_process_stop (writer, &error));
          while (fy_test_proc_state (pid) != 'T')
            {
              g_assert_cmpfloat (fy_test_seconds_since (start), <, 120);
              g_usleep (50);
            }
          if (fy_shm_get_holder_pid (fy_queue_get_shm (queue)) == pid)
            break;
          /* Keep room in the ring so the writer is busy putting, not
           * asleep on a full queue. It runs again first: stopped a few
           * instructions before or after the holder pid is written, it
           * may hold the lock all the same. */
          g_assert_true (fy_process_continue (writer, &error));
          if (fy_queue_get_qsize (queue) > 300)
            drain_and_check (queue, &next, payload, TRUE);
        }

      g_assert_true (fy_process_kill (writer, &error));
      g_assert_true (fy_process_join (writer, 30, &error));
      g_assert_true (fy_process_get_exitcode (writer, &code));
      g_assert_cmpint (code, ==, -9);

      drain_and_check (queue, &next, payload, FALSE);
      g_assert_cmpint (next, >, 0);
      delivered += next;
      g_assert_true (fy_queue_is_empty (queue));
      g_assert_cmpuint (fy_queue_get_qsize (queue), ==, 0);
      /* The kill happened with the put lock held: the next put recovers
       * it, and counts only the puts that were published. */
      put_int (queue, -1);
      g_assert_cmpuint (snapshot_u (queue, "recoveries"), ==, round + 1);
      check_counts (queue, delivered + 1, delivered);
      g_assert_cmpint (get_int (queue, 0), ==, -1);
      delivered++;
    }
  g_test_message ("20 kills inside a put took %u stops", attempts);
}

/* A producer SIGKILLed at random moments while this process takes its
 * items, small ones (copied in and out through the stack) and larger
 * ones, with the ring filling up at times: what comes out is whole and in
 * order, and the counts are right once the put lock has been recovered. */
static void
test_killed_while_consumed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyQueue) queue = fy_queue_new_full (NULL, 0, 64 * 1024, FALSE, &error);
  guint64 delivered = 0;

  for (guint round = 0; round < 40; round++)
    {
      g_autoptr(FyProcess) writer = NULL;
      guint payload = round % 2 ? 24 : 3000;
      gint64 next = 0, kill_at = g_test_rand_int_range (1, 3000);

      writer = fy_test_spawn ("ipc-queue-flood", g_variant_new_uint32 (payload), fy_queue_get_fd (queue), -1);
      while (next < kill_at)
        {
          g_autoptr(GVariant) item = fy_queue_get (queue, 60, &error);

          g_assert_no_error (error);
          check_item (item, next++, payload);
        }
      g_assert_true (fy_process_kill (writer, &error));
      g_assert_true (fy_process_join (writer, 30, &error));

      drain_and_check (queue, &next, payload, FALSE);
      delivered += next;
      g_assert_true (fy_queue_is_empty (queue));
      g_assert_cmpuint (fy_queue_get_qsize (queue), ==, 0);
      put_int (queue, -1);
      check_counts (queue, delivered + 1, delivered);
      g_assert_cmpint (get_int (queue, 0), ==, -1);
      delivered++;
    }
  g_test_message ("40 kills while consuming: %u with the put lock held",
                  snapshot_u (queue, "recoveries"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/queue/full-and-empty", test_full_and_empty);
  g_test_add_func ("/core/queue/int64", test_int64);
  g_test_add_func ("/core/queue/int64-from-child", test_int64_from_child);
  g_test_add_func ("/core/queue/qsize", test_qsize);
  g_test_add_func ("/core/queue/items", test_items_of_every_shape);
  g_test_add_func ("/core/queue/bad-item", test_bad_item);
  g_test_add_func ("/core/queue/close", test_close);
  g_test_add_func ("/core/queue/close-drains", test_close_drains);
  g_test_add_func ("/core/queue/blocked-does-not-spin", test_blocked_does_not_spin);
  g_test_add_func ("/core/queue/fifo-two-producers", test_fifo_two_producers);
  g_test_add_func ("/core/queue/two-by-two", test_two_by_two);
  g_test_add_func ("/core/queue/no-feeder", test_no_feeder);
  g_test_add_func ("/core/queue/seed-producer-consumer", test_seed_producer_consumer);
  g_test_add_func ("/core/queue/joinable", test_joinable);
  g_test_add_func ("/core/queue/task-done-errors", test_task_done_errors);
  g_test_add_func ("/core/queue/killed-holding-lock", test_killed_holding_lock);
  g_test_add_func ("/core/queue/killed-mid-put", test_killed_mid_put);
  g_test_add_func ("/core/queue/killed-before-publish", test_killed_before_publish);
  g_test_add_func ("/core/queue/joinable-killed-before-publish", test_joinable_killed_before_publish);
  g_test_add_func ("/core/queue/killed-holding-get-lock", test_killed_holding_get_lock);
  g_test_add_func ("/core/queue/killed-while-consumed", test_killed_while_consumed);

  return g_test_run ();
}
