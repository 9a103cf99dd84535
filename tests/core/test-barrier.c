/* test-barrier.c: Barrier, across threads and processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPython's checks: distinct indices with exactly one 0, the action once
 * per cycle, abort and timeouts break it, reset makes it reusable, five
 * processes stay in lock-step for 1000 passes; and a party killed while
 * waiting breaks it for the others within their timeout.
 */

#include "config.h"

#include "core/fy-array.h"
#include "core/fy-barrier.h"
#include "core/fy-value.h"

#include "fy-test-process.h"

static void
wait_for_n_waiting (FyBarrier *barrier,
                    guint      n)
{
  gint64 start = g_get_monotonic_time ();

  while (fy_barrier_get_n_waiting (barrier) != n)
    {
      g_assert_cmpfloat (fy_test_seconds_since (start), <, 30);
      g_usleep (1000);
    }
}

typedef struct
{
  FyBarrier *barrier;
  double     timeout;
  int        index;
  GError    *error;
} Party;

static gpointer
party_thread (gpointer data)
{
  Party *p = data;

  p->index = fy_barrier_wait (p->barrier, p->timeout, &p->error);
  return NULL;
}

static void
count_cb (gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* Five parties (three processes, two threads) over three cycles. */
static void
test_indices_and_action (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyBarrier) barrier = fy_barrier_new (NULL, 5, -1, &error);
  g_autoptr(FyArray) indices = fy_array_new (NULL, FY_VALUE_TYPE_INT64, 3, FALSE, NULL);
  g_autoptr(FyValue) actions = fy_value_new (NULL, FY_VALUE_TYPE_INT64, FALSE, NULL);
  guint local_actions = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (fy_barrier_get_parties (barrier), ==, 5);
  fy_barrier_set_action (barrier, count_cb, &local_actions);

  for (guint cycle = 1; cycle <= 3; cycle++)
    {
      FyProcess *processes[3];
      Party parties[2] = { { barrier, 60 }, { barrier, 60 } };
      GThread *threads[2];
      gboolean seen[5] = { FALSE };

      for (guint i = 0; i < 3; i++)
        processes[i] = fy_test_spawn ("ipc-barrier-wait", g_variant_new ("(ud)", i, 60.0),
                              fy_barrier_get_fd (barrier), fy_array_get_fd (indices),
                              fy_value_get_fd (actions), -1);
      for (guint i = 0; i < 2; i++)
        threads[i] = g_thread_new ("party", party_thread, &parties[i]);
      for (guint i = 0; i < 2; i++)
        {
          g_thread_join (threads[i]);
          g_assert_no_error (parties[i].error);
          g_assert_cmpint (parties[i].index, >=, 0);
          g_assert_cmpint (parties[i].index, <, 5);
          g_assert_false (seen[parties[i].index]);
          seen[parties[i].index] = TRUE;
        }
      for (guint i = 0; i < 3; i++)
        {
          gint64 index;

          fy_test_join_ok (processes[i]);
          g_object_unref (processes[i]);
          index = fy_array_get_int (indices, i);
          g_assert_cmpint (index, >=, 0);
          g_assert_cmpint (index, <, 5);
          g_assert_false (seen[index]);
          seen[index] = TRUE;
        }
      /* Five distinct indices out of five: exactly one 0. Exactly one
       * party ran the action, in whichever process came last. */
      g_assert_cmpuint (local_actions + fy_value_get_int (actions), ==, cycle);
      g_assert_cmpuint (fy_barrier_get_n_waiting (barrier), ==, 0);
    }
}

static void
test_timeout_breaks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyBarrier) barrier = fy_barrier_new (NULL, 2, -1, NULL);
  Party other = { barrier, 60 };
  GThread *thread;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  g_assert_cmpint (fy_barrier_wait (barrier, 0.1, &error), ==, -1);
  elapsed = fy_test_seconds_since (start);
  g_assert_error (error, FY_BARRIER_ERROR, FY_BARRIER_ERROR_BROKEN);
  g_clear_error (&error);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2);
  g_assert_true (fy_barrier_is_broken (barrier));

  /* Broken: later waits fail at once. */
  g_assert_cmpint (fy_barrier_wait (barrier, 60, &error), ==, -1);
  g_assert_error (error, FY_BARRIER_ERROR, FY_BARRIER_ERROR_BROKEN);
  g_clear_error (&error);

  /* Reset makes it usable again. */
  fy_barrier_reset (barrier);
  g_assert_false (fy_barrier_is_broken (barrier));
  thread = g_thread_new ("party", party_thread, &other);
  g_assert_cmpint (fy_barrier_wait (barrier, 60, &error), >=, 0);
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_no_error (other.error);
}

static void
test_default_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyBarrier) barrier = fy_barrier_new (NULL, 2, 0.1, NULL);
  gint64 start = g_get_monotonic_time ();

  g_assert_cmpint (fy_barrier_wait (barrier, -1, &error), ==, -1);
  g_assert_error (error, FY_BARRIER_ERROR, FY_BARRIER_ERROR_BROKEN);
  g_assert_cmpfloat (fy_test_seconds_since (start), >=, 0.09);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 2);
}

static void
test_abort_and_reset (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyBarrier) barrier = fy_barrier_new (NULL, 3, -1, NULL);
  Party parties[3] = { { barrier, 60 }, { barrier, 60 }, { barrier, 60 } };
  GThread *threads[3];

  /* Abort breaks the waiting parties. */
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("party", party_thread, &parties[i]);
  wait_for_n_waiting (barrier, 2);
  fy_barrier_abort (barrier);
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpint (parties[i].index, ==, -1);
      g_assert_error (parties[i].error, FY_BARRIER_ERROR, FY_BARRIER_ERROR_BROKEN);
      g_clear_error (&parties[i].error);
    }
  g_assert_true (fy_barrier_is_broken (barrier));

  /* Reset while parties wait breaks them too, then the barrier works. */
  fy_barrier_reset (barrier);
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("party", party_thread, &parties[i]);
  wait_for_n_waiting (barrier, 2);
  fy_barrier_reset (barrier);
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      g_assert_error (parties[i].error, FY_BARRIER_ERROR, FY_BARRIER_ERROR_BROKEN);
      g_clear_error (&parties[i].error);
    }
  g_assert_false (fy_barrier_is_broken (barrier));
  g_assert_cmpuint (fy_barrier_get_n_waiting (barrier), ==, 0);

  for (guint i = 0; i < 3; i++)
    threads[i] = g_thread_new ("party", party_thread, &parties[i]);
  for (guint i = 0; i < 3; i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (parties[i].error);
      g_assert_cmpint (parties[i].index, >=, 0);
    }
}

/* Five processes × 1000 passes: each checks after every pass that nobody
 * is a pass behind or two ahead. */
static void
test_lockstep (void)
{
  g_autoptr(FyBarrier) barrier = fy_barrier_new (NULL, 5, -1, NULL);
  g_autoptr(FyArray) steps = fy_array_new (NULL, FY_VALUE_TYPE_INT64, 5, FALSE, NULL);
  FyProcess *processes[5];

  for (guint i = 0; i < 5; i++)
    processes[i] = fy_test_spawn ("ipc-barrier-steps", g_variant_new ("(uu)", i, 1000),
                          fy_barrier_get_fd (barrier), fy_array_get_fd (steps), -1);
  for (guint i = 0; i < 5; i++)
    {
      fy_test_join_ok (processes[i]);
      g_object_unref (processes[i]);
      g_assert_cmpint (fy_array_get_int (steps, i), ==, 1000);
    }
  g_assert_false (fy_barrier_is_broken (barrier));
}

/* A party SIGKILLed while it waits: the others see the barrier broken
 * within their own timeout, and reset makes it usable again. */
static void
test_party_killed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyBarrier) barrier = fy_barrier_new (NULL, 3, -1, NULL);
  g_autoptr(FyArray) indices = fy_array_new (NULL, FY_VALUE_TYPE_INT64, 2, FALSE, NULL);
  g_autoptr(FyProcess) victim = NULL;
  g_autoptr(FyProcess) survivor = NULL;
  Party parties[3] = { { barrier, 60 }, { barrier, 60 }, { barrier, 60 } };
  GThread *threads[3];
  gint64 start;
  int code = 0;

  fy_array_set_int (indices, 1, 12345);
  victim = fy_test_spawn ("ipc-barrier-wait", g_variant_new ("(ud)", 0, 60.0),
                  fy_barrier_get_fd (barrier), fy_array_get_fd (indices), -1);
  wait_for_n_waiting (barrier, 1);
  survivor = fy_test_spawn ("ipc-barrier-wait", g_variant_new ("(ud)", 1, 0.5),
                    fy_barrier_get_fd (barrier), fy_array_get_fd (indices), -1);
  wait_for_n_waiting (barrier, 2);
  g_assert_true (fy_process_kill (victim, &error));
  g_assert_true (fy_process_join (victim, 30, &error));
  g_assert_true (fy_process_get_exitcode (victim, &code));
  g_assert_cmpint (code, ==, -9);

  start = g_get_monotonic_time ();
  fy_test_join_ok (survivor);
  g_assert_cmpfloat (fy_test_seconds_since (start), <, 10);
  g_assert_cmpint (fy_array_get_int (indices, 1), ==, -1);
  g_assert_true (fy_barrier_is_broken (barrier));

  fy_barrier_reset (barrier);
  g_assert_false (fy_barrier_is_broken (barrier));
  g_assert_cmpuint (fy_barrier_get_n_waiting (barrier), ==, 0);
  for (guint i = 0; i < 3; i++)
    threads[i] = g_thread_new ("party", party_thread, &parties[i]);
  for (guint i = 0; i < 3; i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (parties[i].error);
      g_assert_cmpint (parties[i].index, >=, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/barrier/indices-and-action", test_indices_and_action);
  g_test_add_func ("/core/barrier/timeout-breaks", test_timeout_breaks);
  g_test_add_func ("/core/barrier/default-timeout", test_default_timeout);
  g_test_add_func ("/core/barrier/abort-and-reset", test_abort_and_reset);
  g_test_add_func ("/core/barrier/lockstep", test_lockstep);
  g_test_add_func ("/core/barrier/party-killed", test_party_killed);

  return g_test_run ();
}
