/* fy-scenarios-sync.c: semaphore, event, condition and barrier at work
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The synchronization primitives the seeds list, one after the other in
 * one scenario, so the inspector shows each while it holds processes up.
 * When watched, the event waits for the user: set it from the inspector,
 * or the scenario sets it itself after a while.
 */

#include "config.h"

#include "core/fy-barrier.h"
#include "core/fy-condition.h"
#include "core/fy-event.h"
#include "core/fy-semaphore.h"
#include "core/fy-value.h"

#include "fy-scenario-private.h"

#define N_SEMAPHORE_WORKERS 6
#define N_EVENT_WAITERS     3
#define N_CONDITION_WAITERS 3
#define N_PARTIES           4

/* How long a watched run waits for the event to be set from outside. */
#define EVENT_POKE_SECONDS  30

static guint
snapshot_uint (FyShm      *shm,
               const char *key)
{
  g_autoptr(GVariant) snapshot = fy_shm_snapshot (shm);
  guint32 value = 0;

  g_variant_lookup (snapshot, key, "u", &value);
  return value;
}

/* Polls @key of @shm until it reaches @target, for up to @seconds. */
static gboolean
await_uint (FyScenarioRun *run,
            FyShm         *shm,
            const char    *key,
            guint          target,
            double         seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (snapshot_uint (shm, key) < target)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      fy_scenario_run_sleep (run, 5);
    }
  return TRUE;
}

static gboolean
semaphore_part (FyScenarioRun  *run,
                gint64         *out_peak,
                GError        **error)
{
  g_autoptr(FySemaphore) semaphore = fy_semaphore_new ("semaphore", 2, error);
  g_autoptr(FyValue) inside = NULL;
  g_autoptr(FyValue) peak = NULL;
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  int fds[3];

  if (semaphore == NULL ||
      (inside = fy_value_new ("inside", FY_VALUE_TYPE_INT32, TRUE, error)) == NULL ||
      (peak = fy_value_new ("peak", FY_VALUE_TYPE_INT32, FALSE, error)) == NULL)
    return FALSE;
  fds[0] = fy_semaphore_get_fd (semaphore);
  fds[1] = fy_value_get_fd (inside);
  fds[2] = fy_value_get_fd (peak);
  fy_scenario_run_print (run, "Semaphore(2) and %d workers:", N_SEMAPHORE_WORKERS);
  for (guint i = 0; i < N_SEMAPHORE_WORKERS; i++)
    if (!fy_scenario_start_into (run, processes, "scenario-semaphore-worker",
                                 g_variant_new ("(uu)", i, fy_scenario_run_ms (run, 50, 800)),
                                 fds, 3, error))
      return FALSE;
  if (!fy_scenario_join_all (processes, 60, error))
    return FALSE;
  *out_peak = fy_value_get_int (peak);
  fy_scenario_run_print (run, "At most %" G_GINT64_FORMAT " workers were inside at once", *out_peak);
  return TRUE;
}

static gboolean
event_part (FyScenarioRun  *run,
            guint          *out_released,
            gboolean       *out_poked,
            GError        **error)
{
  g_autoptr(FyEvent) event = fy_event_new ("event", error);
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  int fd;

  if (event == NULL)
    return FALSE;
  fd = fy_event_get_fd (event);
  fy_scenario_run_print (run, "Event with %d waiters:", N_EVENT_WAITERS);
  for (guint i = 0; i < N_EVENT_WAITERS; i++)
    if (!fy_scenario_start_into (run, processes, "scenario-event-waiter",
                                 g_variant_new ("(ud)", i, (double) EVENT_POKE_SECONDS + 30),
                                 &fd, 1, error))
      return FALSE;
  await_uint (run, fy_event_get_shm (event), "waiters", N_EVENT_WAITERS, 10);

  *out_poked = FALSE;
  if (fy_scenario_run_is_interactive (run))
    {
      gint64 deadline = g_get_monotonic_time () + EVENT_POKE_SECONDS * G_USEC_PER_SEC;

      fy_scenario_run_print (run, "Set the event from the inspector (or wait %d s)", EVENT_POKE_SECONDS);
      while (!fy_event_is_set (event) && g_get_monotonic_time () < deadline)
        fy_scenario_run_sleep (run, 20);
      *out_poked = fy_event_is_set (event);
    }
  else
    fy_scenario_run_sleep (run, 50);

  if (*out_poked)
    fy_scenario_run_print (run, "The event was set from outside the scenario");
  else
    {
      fy_scenario_run_print (run, "Main process sets the event");
      fy_event_set (event);
    }
  if (!fy_scenario_join_all (processes, 60, error))
    return FALSE;

  *out_released = 0;
  for (guint i = 0; i < processes->len; i++)
    {
      g_autoptr(GVariant) released = fy_process_get_result (g_ptr_array_index (processes, i), error);

      if (released == NULL)
        return FALSE;
      *out_released += g_variant_get_boolean (released);
    }
  return TRUE;
}

static gboolean
notify (FyCondition  *condition,
        gboolean      all,
        GError      **error)
{
  if (!fy_condition_acquire (condition, -1, error))
    return FALSE;
  if (!(all ? fy_condition_notify_all (condition, error) : fy_condition_notify (condition, 1, error)))
    {
      fy_condition_release (condition, NULL);
      return FALSE;
    }
  return fy_condition_release (condition, error);
}

static gboolean
condition_part (FyScenarioRun  *run,
                gint64         *out_after_one,
                gint64         *out_after_all,
                GError        **error)
{
  g_autoptr(FyCondition) condition = fy_condition_new ("condition", error);
  g_autoptr(FyValue) woken = NULL;
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  int fds[2];

  if (condition == NULL ||
      (woken = fy_value_new ("woken", FY_VALUE_TYPE_INT32, FALSE, error)) == NULL)
    return FALSE;
  fds[0] = fy_condition_get_fd (condition);
  fds[1] = fy_value_get_fd (woken);
  fy_scenario_run_print (run, "Condition with %d waiters:", N_CONDITION_WAITERS);
  for (guint i = 0; i < N_CONDITION_WAITERS; i++)
    if (!fy_scenario_start_into (run, processes, "scenario-condition-waiter",
                                 g_variant_new ("(ud)", i, 60.0), fds, 2, error))
      return FALSE;
  if (!await_uint (run, fy_condition_get_shm (condition), "waiters", N_CONDITION_WAITERS, 30))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "the condition's waiters never all waited");
      return FALSE;
    }
  fy_scenario_run_sleep (run, fy_scenario_run_ms (run, 0, 1000));

  fy_scenario_run_print (run, "Main process: notify (1)");
  if (!notify (condition, FALSE, error))
    return FALSE;
  /* The woken waiter counts itself under the lock; wait for that, then a
   * little more, so a second waiter wrongly woken would show. */
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (fy_value_get_int (woken) < 1 && g_get_monotonic_time () < deadline)
      fy_scenario_run_sleep (run, 5);
  }
  fy_scenario_run_sleep (run, fy_scenario_run_ms (run, 50, 1000));
  *out_after_one = fy_value_get_int (woken);

  fy_scenario_run_print (run, "Main process: notify_all ()");
  if (!notify (condition, TRUE, error))
    return FALSE;
  if (!fy_scenario_join_all (processes, 60, error))
    return FALSE;
  *out_after_all = fy_value_get_int (woken);
  fy_scenario_run_print (run, "notify (1) woke %" G_GINT64_FORMAT ", notify_all () the other %" G_GINT64_FORMAT,
                         *out_after_one, *out_after_all - *out_after_one);
  return TRUE;
}

static gboolean
barrier_part (FyScenarioRun  *run,
              guint          *out_index_mask,
              GError        **error)
{
  g_autoptr(FyBarrier) barrier = fy_barrier_new ("barrier", N_PARTIES, 60, error);
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  guint step = fy_scenario_run_ms (run, 20, 1000);
  int fd;

  if (barrier == NULL)
    return FALSE;
  fd = fy_barrier_get_fd (barrier);
  fy_scenario_run_print (run, "Barrier(%d), parties arriving one by one:", N_PARTIES);
  for (guint i = 0; i < N_PARTIES; i++)
    if (!fy_scenario_start_into (run, processes, "scenario-barrier-party",
                                 g_variant_new ("(uu)", i, i * step), &fd, 1, error))
      return FALSE;
  if (!fy_scenario_join_all (processes, 120, error))
    return FALSE;

  *out_index_mask = 0;
  for (guint i = 0; i < processes->len; i++)
    {
      g_autoptr(GVariant) index = fy_process_get_result (g_ptr_array_index (processes, i), error);

      if (index == NULL)
        return FALSE;
      if (g_variant_get_int32 (index) >= 0)
        *out_index_mask |= 1u << g_variant_get_int32 (index);
    }
  fy_scenario_run_print (run, "All %d parties passed together", N_PARTIES);
  return TRUE;
}

gboolean
fy_scenario_sync_primitives (FyScenarioRun  *run,
                             GError        **error)
{
  gint64 peak, after_one, after_all;
  guint released, index_mask;
  gboolean poked;

  if (!semaphore_part (run, &peak, error) ||
      !event_part (run, &released, &poked, error) ||
      !condition_part (run, &after_one, &after_all, error) ||
      !barrier_part (run, &index_mask, error))
    return FALSE;

  fy_scenario_run_add_detail (run, "semaphore-peak", g_variant_new_int64 (peak));
  fy_scenario_run_add_detail (run, "event-released", g_variant_new_uint32 (released));
  fy_scenario_run_add_detail (run, "event-poked", g_variant_new_boolean (poked));
  fy_scenario_run_add_detail (run, "notify-one-woke", g_variant_new_int64 (after_one));
  fy_scenario_run_set_outcome (run,
                               peak == 2 && released == N_EVENT_WAITERS && after_one == 1 &&
                               after_all == N_CONDITION_WAITERS &&
                               index_mask == (1u << N_PARTIES) - 1,
                               "semaphore: %" G_GINT64_FORMAT " inside at most; event released %u of %d%s; "
                               "notify (1) woke %" G_GINT64_FORMAT ", notify_all () %" G_GINT64_FORMAT " in all; "
                               "barrier indices %s",
                               peak, released, N_EVENT_WAITERS, poked ? " (set from outside)" : "",
                               after_one, after_all,
                               index_mask == (1u << N_PARTIES) - 1 ? "0 to 3" : "incomplete");
  return TRUE;
}
