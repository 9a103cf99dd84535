/* fy-cli-stress-scenarios.c: the queue and lock rounds beside the pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Processes of their own put a numbered sequence through a queue, or add
 * to one value under one lock; each round checks what a kill may and may
 * not have done to them.
 */

#include "config.h"

#include <signal.h>

#include "fy-cli-stress-private.h"

#define QUEUE_ITEMS       2000
#define LOCK_INCREMENTS   20000

static FyProcess *
start_scenario (Stress     *s,
                const char *function,
                GVariant   *argument,
                int         fd0,
                int         fd1)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyProcess) process = fy_process_new (function, argument);

  fy_process_add_fd (process, fd0);
  if (fd1 >= 0)
    fy_process_add_fd (process, fd1);
  if (!fy_process_start (process, &error))
    {
      fy_cli_stress_problem (s, "%s could not start: %s", function, error->message);
      return NULL;
    }
  fy_cli_stress_remember_process (s, fy_process_get_pid (process));
  s->tasks++;
  return g_steal_pointer (&process);
}

/* A scenario process ended: done when it exited 0, failed when chaos
 * killed it; anything else is a failure of its own. */
static void
account_process (Stress     *s,
                 FyProcess  *process,
                 gboolean   *out_completed)
{
  int code = -1;

  fy_cli_stress_forget_process (s, fy_process_get_pid (process));
  fy_process_get_exitcode (process, &code);
  *out_completed = code == 0;
  if (code == 0)
    s->done++;
  else
    {
      s->failed++;
      if (code == -SIGKILL)
        s->failed_killed++;
      else
        {
          s->failed_other++;
          fy_cli_stress_problem (s, "%s exited with %d", fy_process_get_function (process), code);
        }
    }
}

/* Takes whatever the producer has put so far; each item must be the next
 * in sequence, so a lost, doubled or reordered item shows at once. */
static void
drain_queue (Stress *s)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) item = fy_queue_get (s->queue, 0, &error);

      if (item == NULL)
        {
          if (!g_error_matches (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY))
            fy_cli_stress_problem (s, "queue get failed: %s", error->message);
          return;
        }
      if (!g_variant_is_of_type (item, G_VARIANT_TYPE_INT64) ||
          g_variant_get_int64 (item) != s->queue_next)
        {
          fy_cli_stress_problem (s, "queue item out of sequence (expected %" G_GINT64_FORMAT ")", s->queue_next);
          return;
        }
      s->queue_next++;
      s->queue_items++;
    }
}

static void
queue_round (Stress *s)
{
  gboolean completed;

  if (s->producer != NULL)
    {
      drain_queue (s);
      if (fy_process_is_alive (s->producer))
        return;
      drain_queue (s);
      account_process (s, s->producer, &completed);
      if (completed && s->queue_next != s->queue_first + QUEUE_ITEMS)
        fy_cli_stress_problem (s, "a queue round ended with %" G_GINT64_FORMAT " of %d items",
                 s->queue_next - s->queue_first, QUEUE_ITEMS);
      if (!completed && s->queue_next > s->queue_first + QUEUE_ITEMS)
        fy_cli_stress_problem (s, "a killed producer's queue held more items than it put");
      if (fy_queue_get_qsize (s->queue) != 0)
        fy_cli_stress_problem (s, "the queue is not empty after its round");
      s->queue_rounds++;
      g_clear_object (&s->producer);
    }
  if (!s->submitting)
    return;
  s->queue_first = s->queue_next;
  s->producer = start_scenario (s, "ipc-queue-put",
                                g_variant_new ("(xxub)", s->queue_first, (gint64) QUEUE_ITEMS, 0, FALSE),
                                fy_queue_get_fd (s->queue), -1);
}

/* Two processes add to one value under one lock. Unharmed, the sum is
 * exact; after a kill it is at most that, and the lock, recovered from
 * its dead holder, can still be taken. */
static void
lock_round (Stress *s)
{
  g_autoptr(GError) error = NULL;
  gboolean all_completed = TRUE;
  gboolean running = FALSE;
  gint64 value;

  for (guint i = 0; i < LOCK_PROCESSES; i++)
    {
      if (s->incrementers[i] != NULL && fy_process_is_alive (s->incrementers[i]))
        return;
      running = running || s->incrementers[i] != NULL;
    }
  if (running)
    {
      for (guint i = 0; i < LOCK_PROCESSES; i++)
        {
          gboolean completed = FALSE;

          if (s->incrementers[i] != NULL)
            account_process (s, s->incrementers[i], &completed);
          all_completed = all_completed && completed;
          g_clear_object (&s->incrementers[i]);
        }
      value = fy_value_get_int (s->counter);
      if (all_completed ? value != LOCK_PROCESSES * LOCK_INCREMENTS : value > LOCK_PROCESSES * LOCK_INCREMENTS)
        fy_cli_stress_problem (s, "the locked counter reads %" G_GINT64_FORMAT " after a round", value);
      if (!fy_lock_acquire (s->lock, 5, &error) || !fy_lock_release (s->lock, &error))
        fy_cli_stress_problem (s, "the lock cannot be taken after a round: %s", error->message);
      s->lock_rounds++;
    }
  if (!s->submitting)
    return;
  fy_value_set_int (s->counter, 0);
  for (guint i = 0; i < LOCK_PROCESSES; i++)
    s->incrementers[i] = start_scenario (s, "ipc-increment",
                                         g_variant_new ("(ub)", LOCK_INCREMENTS, TRUE),
                                         fy_value_get_fd (s->counter), fy_lock_get_fd (s->lock));
}

gboolean
fy_cli_stress_scenarios_cb (gpointer data)
{
  Stress *s = data;

  queue_round (s);
  lock_round (s);
  return G_SOURCE_CONTINUE;
}
