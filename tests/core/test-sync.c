/* test-sync.c: Event and Condition, across threads and processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPython's checks: an Event set by another process wakes a waiter;
 * Condition.notify wakes exactly one waiter, notify_all wakes all six (three
 * processes, three threads), wait (0.1) returns false; and a killed waiter
 * neither blocks the others' wake-ups nor the teardown.
 */

#include "config.h"

#include "core/fy-condition.h"
#include "core/fy-event.h"
#include "core/fy-value.h"

#include "fy-test-process.h"

/* Polls @value until it reaches @expected (generous bound: a sanity
 * check, not a timing assertion). */
static void
wait_for_value (FyValue *value,
                gint64   expected)
{
  gint64 start = g_get_monotonic_time ();

  while (fy_value_get_int (value) != expected)
    {
      g_assert_cmpint (fy_value_get_int (value), <, expected);
      g_assert_cmpfloat (fy_test_seconds_since (start), <, 30);
      g_usleep (1000);
    }
}

static void
test_event_basics (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyEvent) event = fy_event_new (NULL, &error);
  gint64 start;
  double elapsed;

  g_assert_no_error (error);
  g_assert_false (fy_event_is_set (event));
  g_assert_false (fy_event_wait (event, 0));
  start = g_get_monotonic_time ();
  g_assert_false (fy_event_wait (event, 0.1));
  elapsed = fy_test_seconds_since (start);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2);

  fy_event_set (event);
  g_assert_true (fy_event_is_set (event));
  g_assert_true (fy_event_wait (event, 0));
  g_assert_true (fy_event_wait (event, -1));
  fy_event_clear (event);
  g_assert_false (fy_event_is_set (event));
  g_assert_false (fy_event_wait (event, 0));
}

typedef struct
{
  FyEvent  *event;
  gboolean  result;
} EventWait;

static gpointer
event_wait_thread (gpointer data)
{
  EventWait *w = data;

  w->result = fy_event_wait (w->event, 60);
  return NULL;
}

/* A set immediately followed by a clear still wakes a waiter with TRUE,
 * as Python's Event.wait () returns True for any set during the wait. */
static void
test_event_set_then_clear (void)
{
  g_autoptr(FyEvent) event = fy_event_new (NULL, NULL);
  EventWait w = { event, FALSE };
  GThread *thread = g_thread_new ("wait", event_wait_thread, &w);
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      g_autoptr(GVariant) snapshot = fy_shm_snapshot (fy_event_get_shm (event));
      guint32 waiters = 0;

      g_assert_true (g_variant_lookup (snapshot, "waiters", "u", &waiters));
      if (waiters == 1)
        break;
      g_assert_cmpfloat (fy_test_seconds_since (start), <, 30);
      g_usleep (1000);
    }
  fy_event_set (event);
  fy_event_clear (event);
  g_thread_join (thread);
  g_assert_true (w.result);
  g_assert_false (fy_event_is_set (event));
}

static void
test_event_across_processes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyEvent) event = fy_event_new (NULL, NULL);
  g_autoptr(FyValue) result = fy_value_new (NULL, FY_VALUE_TYPE_INT32, FALSE, NULL);
  g_autoptr(FyProcess) setter = NULL;
  g_autoptr(FyProcess) waiter = NULL;
  g_autoptr(FyProcess) late = NULL;

  /* Set by another process: wakes this one. */
  setter = fy_test_spawn ("ipc-event-set", g_variant_new_uint32 (50), fy_event_get_fd (event), -1);
  g_assert_true (fy_event_wait (event, 60));
  fy_test_join_ok (setter);

  /* Set here: wakes a waiter in another process. */
  fy_event_clear (event);
  waiter = fy_test_spawn ("ipc-event-wait", g_variant_new_double (60), fy_event_get_fd (event),
                  fy_value_get_fd (result), -1);
  g_usleep (G_USEC_PER_SEC / 20);
  fy_event_set (event);
  fy_test_join_ok (waiter);
  g_assert_cmpint (fy_value_get_int (result), ==, 1);

  /* Never set: the other process's wait times out. */
  fy_event_clear (event);
  late = fy_test_spawn ("ipc-event-wait", g_variant_new_double (0.1), fy_event_get_fd (event),
                fy_value_get_fd (result), -1);
  fy_test_join_ok (late);
  g_assert_cmpint (fy_value_get_int (result), ==, 2);
}

static void
test_condition_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyCondition) cond = fy_condition_new (NULL, &error);
  gint64 start;
  double elapsed;

  g_assert_no_error (error);
  g_assert_true (fy_condition_acquire (cond, -1, &error));
  start = g_get_monotonic_time ();
  g_assert_false (fy_condition_wait (cond, 0.1, &error));
  g_assert_no_error (error);
  elapsed = fy_test_seconds_since (start);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2);
  /* The lock is held again after the wait. */
  g_assert_cmpint (fy_lock_get_holder (fy_condition_get_lock (cond)), ==, getpid ());
  g_assert_cmpuint (fy_condition_get_n_waiting (cond), ==, 0);
  /* Nobody waits: notify is a no-op. */
  g_assert_true (fy_condition_notify (cond, 1, &error));
  g_assert_true (fy_condition_release (cond, &error));
}

static void
test_condition_not_held (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyCondition) cond = fy_condition_new (NULL, NULL);

  g_assert_false (fy_condition_wait (cond, 0.1, &error));
  g_assert_error (error, FY_CONDITION_ERROR, FY_CONDITION_ERROR_NOT_HELD);
  g_clear_error (&error);
  g_assert_false (fy_condition_notify (cond, 1, &error));
  g_assert_error (error, FY_CONDITION_ERROR, FY_CONDITION_ERROR_NOT_HELD);
  g_clear_error (&error);
  g_assert_cmpuint (fy_condition_get_n_waiting (cond), ==, 0);
}

typedef struct
{
  FyCondition *cond;
  FyValue     *sleeping;
  FyValue     *woken;
} Waiters;

static gpointer
waiter_thread (gpointer data)
{
  Waiters *w = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_condition_acquire (w->cond, -1, &error));
  fy_value_set_int (w->sleeping, fy_value_get_int (w->sleeping) + 1);
  if (fy_condition_wait (w->cond, 60, &error))
    fy_value_set_int (w->woken, fy_value_get_int (w->woken) + 1);
  g_assert_no_error (error);
  g_assert_true (fy_condition_release (w->cond, &error));
  return NULL;
}

static void
notify (FyCondition *cond,
        guint        n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_condition_acquire (cond, -1, &error));
  if (n == G_MAXUINT)
    g_assert_true (fy_condition_notify_all (cond, &error));
  else
    g_assert_true (fy_condition_notify (cond, n, &error));
  g_assert_true (fy_condition_release (cond, &error));
}

static void
wait_for_waiting (FyCondition *cond,
                  guint        n)
{
  gint64 start = g_get_monotonic_time ();

  while (fy_condition_get_n_waiting (cond) != n)
    {
      g_assert_cmpfloat (fy_test_seconds_since (start), <, 30);
      g_usleep (1000);
    }
}

static void
test_condition_notify (void)
{
  g_autoptr(FyCondition) cond = fy_condition_new (NULL, NULL);
  g_autoptr(FyValue) sleeping = fy_value_new (NULL, FY_VALUE_TYPE_INT32, FALSE, NULL);
  g_autoptr(FyValue) woken = fy_value_new (NULL, FY_VALUE_TYPE_INT32, FALSE, NULL);
  Waiters w = { cond, sleeping, woken };
  FyProcess *processes[3];
  GThread *threads[3];

  for (guint i = 0; i < 3; i++)
    {
      processes[i] = fy_test_spawn ("ipc-condition-wait", g_variant_new_double (60),
                            fy_condition_get_fd (cond), fy_value_get_fd (sleeping),
                            fy_value_get_fd (woken), -1);
      threads[i] = g_thread_new ("waiter", waiter_thread, &w);
    }
  wait_for_waiting (cond, 6);
  g_assert_cmpint (fy_value_get_int (sleeping), ==, 6);
  g_assert_cmpint (fy_value_get_int (woken), ==, 0);

  /* notify () wakes exactly one: it stays one a while later. */
  notify (cond, 1);
  wait_for_value (woken, 1);
  g_usleep (G_USEC_PER_SEC / 5);
  g_assert_cmpint (fy_value_get_int (woken), ==, 1);
  g_assert_cmpuint (fy_condition_get_n_waiting (cond), ==, 5);

  notify (cond, 2);
  wait_for_value (woken, 3);
  g_usleep (G_USEC_PER_SEC / 5);
  g_assert_cmpint (fy_value_get_int (woken), ==, 3);

  /* notify_all () wakes the three left. */
  notify (cond, G_MAXUINT);
  wait_for_value (woken, 6);
  for (guint i = 0; i < 3; i++)
    {
      g_thread_join (threads[i]);
      fy_test_join_ok (processes[i]);
      g_object_unref (processes[i]);
    }
  g_assert_cmpuint (fy_condition_get_n_waiting (cond), ==, 0);

  /* Again with all six asleep: one notify_all () wakes every one. */
  fy_value_set_int (sleeping, 0);
  fy_value_set_int (woken, 0);
  for (guint i = 0; i < 3; i++)
    {
      processes[i] = fy_test_spawn ("ipc-condition-wait", g_variant_new_double (60),
                            fy_condition_get_fd (cond), fy_value_get_fd (sleeping),
                            fy_value_get_fd (woken), -1);
      threads[i] = g_thread_new ("waiter", waiter_thread, &w);
    }
  wait_for_waiting (cond, 6);
  notify (cond, G_MAXUINT);
  wait_for_value (woken, 6);
  for (guint i = 0; i < 3; i++)
    {
      g_thread_join (threads[i]);
      fy_test_join_ok (processes[i]);
      g_object_unref (processes[i]);
    }
  g_assert_cmpint (fy_value_get_int (sleeping), ==, 6);
}

typedef struct
{
  FyCondition *cond;
  FyValue     *value;
} Predicate;

static gboolean
value_reached_3 (gpointer data)
{
  Predicate *p = data;

  return fy_value_get_int (p->value) >= 3;
}

static gpointer
bump_thread (gpointer data)
{
  Predicate *p = data;

  for (guint i = 0; i < 3; i++)
    {
      g_usleep (G_USEC_PER_SEC / 100);
      g_assert_true (fy_condition_acquire (p->cond, -1, NULL));
      fy_value_set_int (p->value, fy_value_get_int (p->value) + 1);
      g_assert_true (fy_condition_notify_all (p->cond, NULL));
      g_assert_true (fy_condition_release (p->cond, NULL));
    }
  return NULL;
}

static void
test_condition_wait_for (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyCondition) cond = fy_condition_new (NULL, NULL);
  g_autoptr(FyValue) value = fy_value_new (NULL, FY_VALUE_TYPE_INT32, FALSE, NULL);
  Predicate p = { cond, value };
  GThread *thread;
  gint64 start;

  g_assert_true (fy_condition_acquire (cond, -1, &error));
  /* Never true: FALSE after the timeout. */
  start = g_get_monotonic_time ();
  g_assert_false (fy_condition_wait_for (cond, value_reached_3, &p, 0.1, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fy_test_seconds_since (start), >=, 0.09);

  thread = g_thread_new ("bump", bump_thread, &p);
  g_assert_true (fy_condition_wait_for (cond, value_reached_3, &p, 60, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fy_value_get_int (value), ==, 3);
  g_assert_true (fy_condition_release (cond, &error));
  g_thread_join (thread);
}

/* A waiter SIGKILLed while it waits: notify_all still wakes the others,
 * and dropping the condition afterwards does not hang. */
static void
test_condition_waiter_killed (void)
{
  g_autoptr(GError) error = NULL;
  FyCondition *cond = fy_condition_new (NULL, NULL);
  g_autoptr(FyValue) sleeping = fy_value_new (NULL, FY_VALUE_TYPE_INT32, FALSE, NULL);
  g_autoptr(FyValue) woken = fy_value_new (NULL, FY_VALUE_TYPE_INT32, FALSE, NULL);
  FyProcess *processes[3];
  int code = 0;

  for (guint i = 0; i < 3; i++)
    processes[i] = fy_test_spawn ("ipc-condition-wait", g_variant_new_double (60),
                          fy_condition_get_fd (cond), fy_value_get_fd (sleeping),
                          fy_value_get_fd (woken), -1);
  wait_for_waiting (cond, 3);

  g_assert_true (fy_process_kill (processes[0], &error));
  g_assert_true (fy_process_join (processes[0], 30, &error));
  g_assert_true (fy_process_get_exitcode (processes[0], &code));
  g_assert_cmpint (code, ==, -9);

  notify (cond, G_MAXUINT);
  wait_for_value (woken, 2);
  for (guint i = 1; i < 3; i++)
    fy_test_join_ok (processes[i]);
  for (guint i = 0; i < 3; i++)
    g_object_unref (processes[i]);

  /* Still usable, and torn down without waiting on anyone. */
  g_assert_true (fy_condition_acquire (cond, 1, &error));
  g_assert_false (fy_condition_wait (cond, 0.05, &error));
  g_assert_true (fy_condition_release (cond, &error));
  g_object_unref (cond);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/event/basics", test_event_basics);
  g_test_add_func ("/core/event/set-then-clear", test_event_set_then_clear);
  g_test_add_func ("/core/event/across-processes", test_event_across_processes);
  g_test_add_func ("/core/condition/timeout", test_condition_timeout);
  g_test_add_func ("/core/condition/not-held", test_condition_not_held);
  g_test_add_func ("/core/condition/notify", test_condition_notify);
  g_test_add_func ("/core/condition/wait-for", test_condition_wait_for);
  g_test_add_func ("/core/condition/waiter-killed", test_condition_waiter_killed);

  return g_test_run ();
}
