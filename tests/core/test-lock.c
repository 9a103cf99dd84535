/* test-lock.c: Lock, RLock, Semaphore and BoundedSemaphore
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What CPython's tests ask of them, their robustness when a holder dies,
 * and the seeds' locked-counter examples across processes.
 */

#include "config.h"

#include <unistd.h>

#include "core/fy-lock.h"
#include "core/fy-rlock.h"
#include "core/fy-semaphore.h"
#include "core/fy-value.h"

#include "fy-test-process.h"

/* Starts @function with the fds that follow, up to -1. */

static void
test_lock_basics (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyLock) lock = fy_lock_new (NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fy_lock_get_holder (lock), ==, 0);
  g_assert_true (fy_lock_acquire (lock, -1, &error));
  g_assert_cmpint (fy_lock_get_holder (lock), ==, getpid ());
  /* Not re-entrant: a second acquire by the holder is refused, not a hang. */
  g_assert_false (fy_lock_acquire (lock, 0, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (fy_lock_release (lock, &error));
  g_assert_cmpint (fy_lock_get_holder (lock), ==, 0);

  /* Releasing an unlocked lock is an error. */
  g_assert_false (fy_lock_release (lock, &error));
  g_assert_error (error, FY_LOCK_ERROR, FY_LOCK_ERROR_NOT_HELD);
}

typedef struct
{
  FyLock     *lock;
  FyRLock    *rlock;
  gboolean    result;
  GError     *error;
  double      elapsed;
  double      timeout;
} ThreadTry;

static gpointer
try_lock_thread (gpointer data)
{
  ThreadTry *t = data;
  gint64 start = g_get_monotonic_time ();

  t->result = fy_lock_acquire (t->lock, t->timeout, &t->error);
  t->elapsed = fy_test_seconds_since (start);
  if (t->result)
    fy_lock_release (t->lock, NULL);
  return NULL;
}

static void
test_lock_timeout (void)
{
  g_autoptr(FyLock) lock = fy_lock_new (NULL, NULL);
  ThreadTry t = { .lock = lock };

  g_assert_true (fy_lock_acquire (lock, -1, NULL));

  /* Non-blocking: fails at once. */
  t.timeout = 0;
  g_thread_join (g_thread_new ("try", try_lock_thread, &t));
  g_assert_false (t.result);
  g_assert_error (t.error, FY_LOCK_ERROR, FY_LOCK_ERROR_TIMED_OUT);
  g_assert_cmpfloat (t.elapsed, <, 2);
  g_clear_error (&t.error);

  /* With a timeout of 0.1 s: fails after about that long. */
  t.timeout = 0.1;
  g_thread_join (g_thread_new ("try", try_lock_thread, &t));
  g_assert_false (t.result);
  g_assert_error (t.error, FY_LOCK_ERROR, FY_LOCK_ERROR_TIMED_OUT);
  g_assert_cmpfloat (t.elapsed, >=, 0.09);
  g_assert_cmpfloat (t.elapsed, <, 2);
  g_clear_error (&t.error);

  /* A non-owner cannot release it. */
  g_assert_true (fy_lock_release (lock, NULL));
  t.timeout = -1;
  g_thread_join (g_thread_new ("try", try_lock_thread, &t));
  g_assert_true (t.result);
  g_assert_no_error (t.error);
}

static gpointer
die_holding_thread (gpointer data)
{
  g_assert_true (fy_lock_acquire (data, -1, NULL));
  /* Ends without releasing: a robust mutex notices the owner is gone. */
  return NULL;
}

static void
test_lock_dead_thread (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyLock) lock = fy_lock_new (NULL, NULL);
  g_autoptr(GVariant) snapshot = NULL;
  guint32 recoveries = 0;

  g_thread_join (g_thread_new ("die", die_holding_thread, lock));
  g_assert_true (fy_lock_acquire (lock, 5, &error));
  g_assert_no_error (error);
  snapshot = fy_shm_snapshot (fy_lock_get_shm (lock));
  g_assert_true (g_variant_lookup (snapshot, "recoveries", "u", &recoveries));
  g_assert_cmpuint (recoveries, ==, 1);
  g_assert_true (fy_lock_release (lock, &error));
  g_assert_true (fy_lock_acquire (lock, 0, &error));
  g_assert_true (fy_lock_release (lock, &error));
}

static gpointer
release_rlock_thread (gpointer data)
{
  ThreadTry *t = data;

  t->result = fy_rlock_release (t->rlock, &t->error);
  return NULL;
}

static void
test_rlock (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyRLock) rlock = fy_rlock_new (NULL, &error);
  ThreadTry t = { .rlock = rlock };

  g_assert_no_error (error);
  g_assert_false (fy_rlock_release (rlock, &error));
  g_assert_error (error, FY_LOCK_ERROR, FY_LOCK_ERROR_NOT_HELD);
  g_clear_error (&error);

  for (guint i = 1; i <= 3; i++)
    {
      g_assert_true (fy_rlock_acquire (rlock, 0, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (fy_rlock_get_depth (rlock), ==, i);
    }
  g_assert_cmpint (fy_rlock_get_holder (rlock), ==, getpid ());

  /* Someone else's release is an error and changes nothing. */
  g_thread_join (g_thread_new ("release", release_rlock_thread, &t));
  g_assert_false (t.result);
  g_assert_error (t.error, FY_LOCK_ERROR, FY_LOCK_ERROR_NOT_HELD);
  g_clear_error (&t.error);
  g_assert_cmpuint (fy_rlock_get_depth (rlock), ==, 3);

  for (guint i = 3; i > 0; i--)
    {
      g_assert_true (fy_rlock_release (rlock, &error));
      g_assert_cmpuint (fy_rlock_get_depth (rlock), ==, i - 1);
      g_assert_cmpint (fy_rlock_get_holder (rlock), ==, i > 1 ? getpid () : 0);
    }
  g_assert_false (fy_rlock_release (rlock, &error));
  g_assert_error (error, FY_LOCK_ERROR, FY_LOCK_ERROR_NOT_HELD);
}

static void
test_semaphore (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FySemaphore) sem = fy_semaphore_new (NULL, 2, &error);
  gint64 start;
  double elapsed;

  g_assert_no_error (error);
  g_assert_false (fy_semaphore_is_bounded (sem));
  g_assert_cmpuint (fy_semaphore_get_value (sem), ==, 2);
  g_assert_true (fy_semaphore_acquire (sem, -1, &error));
  g_assert_cmpuint (fy_semaphore_get_value (sem), ==, 1);
  g_assert_true (fy_semaphore_acquire (sem, -1, &error));
  g_assert_cmpuint (fy_semaphore_get_value (sem), ==, 0);
  g_assert_false (fy_semaphore_acquire (sem, 0, &error));
  g_assert_error (error, FY_SEMAPHORE_ERROR, FY_SEMAPHORE_ERROR_TIMED_OUT);
  g_clear_error (&error);

  start = g_get_monotonic_time ();
  g_assert_false (fy_semaphore_acquire (sem, 0.1, &error));
  elapsed = fy_test_seconds_since (start);
  g_assert_error (error, FY_SEMAPHORE_ERROR, FY_SEMAPHORE_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2);

  /* A plain semaphore may go above its start value. */
  for (guint i = 0; i < 3; i++)
    g_assert_true (fy_semaphore_release (sem, &error));
  g_assert_cmpuint (fy_semaphore_get_value (sem), ==, 3);
}

static gpointer
release_later_thread (gpointer data)
{
  g_usleep (G_USEC_PER_SEC / 20);
  g_assert_true (fy_semaphore_release (data, NULL));
  return NULL;
}

static void
test_semaphore_wakes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FySemaphore) sem = fy_semaphore_new (NULL, 0, NULL);
  GThread *thread = g_thread_new ("release", release_later_thread, sem);

  /* Blocks until the other thread releases. */
  g_assert_true (fy_semaphore_acquire (sem, 30, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fy_semaphore_get_value (sem), ==, 0);
  g_thread_join (thread);
}

static void
test_bounded_semaphore (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FySemaphore) sem = fy_semaphore_new_bounded (NULL, 2, &error);

  g_assert_true (fy_semaphore_is_bounded (sem));
  g_assert_false (fy_semaphore_release (sem, &error));
  g_assert_error (error, FY_SEMAPHORE_ERROR, FY_SEMAPHORE_ERROR_OVER_RELEASED);
  g_clear_error (&error);
  g_assert_true (fy_semaphore_acquire (sem, 0, &error));
  g_assert_true (fy_semaphore_release (sem, &error));
  g_assert_false (fy_semaphore_release (sem, &error));
  g_assert_error (error, FY_SEMAPHORE_ERROR, FY_SEMAPHORE_ERROR_OVER_RELEASED);
  g_assert_cmpuint (fy_semaphore_get_value (sem), ==, 2);
}

/* The seed: 4 processes × 10 000 increments under a Lock = 40 000. */
static void
test_seed_locked_counter (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyLock) lock = fy_lock_new ("seed-lock", &error);
  g_autoptr(FyValue) counter = fy_value_new ("seed-counter", FY_VALUE_TYPE_INT32, FALSE, &error);
  FyProcess *processes[4];

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    processes[i] = fy_test_spawn ("ipc-increment", g_variant_new ("(ub)", 10000, TRUE),
                          fy_value_get_fd (counter), fy_lock_get_fd (lock), -1);
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      fy_test_join_ok (processes[i]);
      g_object_unref (processes[i]);
    }
  g_assert_cmpint (fy_value_get_int (counter), ==, 40000);
}

/* The seed: 10 processes each read, sleep 0.1 s and write + 1 under a
 * lock; without it most updates would be lost. */
static void
test_seed_read_sleep_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyLock) lock = fy_lock_new (NULL, &error);
  g_autoptr(FyValue) value = fy_value_new (NULL, FY_VALUE_TYPE_INT32, FALSE, &error);
  FyProcess *processes[10];

  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    processes[i] = fy_test_spawn ("ipc-read-sleep-write", g_variant_new_uint32 (100),
                          fy_value_get_fd (value), fy_lock_get_fd (lock), -1);
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      fy_test_join_ok (processes[i]);
      g_object_unref (processes[i]);
    }
  g_assert_cmpint (fy_value_get_int (value), ==, 10);
}

static void
wait_for_holder (FyLock *lock,
                 GPid    pid)
{
  gint64 start = g_get_monotonic_time ();

  while (fy_lock_get_holder (lock) != pid)
    {
      g_assert_cmpfloat (fy_test_seconds_since (start), <, 30);
      g_usleep (1000);
    }
}

/* A holder SIGKILLed with the lock held: the next acquirer recovers. */
static void
test_lock_dead_process (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyLock) lock = fy_lock_new (NULL, &error);
  g_autoptr(FyProcess) holder = fy_test_spawn ("ipc-lock-hold", NULL, fy_lock_get_fd (lock), -1);
  int code = 0;
  gint64 start;

  wait_for_holder (lock, fy_process_get_pid (holder));
  g_assert_false (fy_lock_acquire (lock, 0.05, &error));
  g_assert_error (error, FY_LOCK_ERROR, FY_LOCK_ERROR_TIMED_OUT);
  g_clear_error (&error);

  g_assert_true (fy_process_kill (holder, &error));
  g_assert_true (fy_process_join (holder, 30, &error));
  g_assert_true (fy_process_get_exitcode (holder, &code));
  g_assert_cmpint (code, ==, -9);

  start = g_get_monotonic_time ();
  g_assert_true (fy_lock_acquire (lock, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 1);
  g_assert_cmpint (fy_lock_get_holder (lock), ==, getpid ());
  g_assert_true (fy_lock_release (lock, &error));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/lock/basics", test_lock_basics);
  g_test_add_func ("/core/lock/timeout", test_lock_timeout);
  g_test_add_func ("/core/lock/dead-thread", test_lock_dead_thread);
  g_test_add_func ("/core/lock/dead-process", test_lock_dead_process);
  g_test_add_func ("/core/lock/seed-counter", test_seed_locked_counter);
  g_test_add_func ("/core/lock/seed-read-sleep-write", test_seed_read_sleep_write);
  g_test_add_func ("/core/rlock/reentrant", test_rlock);
  g_test_add_func ("/core/semaphore/count", test_semaphore);
  g_test_add_func ("/core/semaphore/wakes", test_semaphore_wakes);
  g_test_add_func ("/core/semaphore/bounded", test_bounded_semaphore);

  return g_test_run ();
}
