/* fy-cli-stress-chaos.c: the chaos thread and its acts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The thread only chooses when; each act (kill, stop and continue a
 * worker, cancel a task, start one that times out, kill a scenario
 * process) is done in the main context through the workers' pidfds.
 */

#include "config.h"

#include "fy-cli-stress-private.h"

static FyPoolWorker *
random_live_worker (Stress *s)
{
  GListModel *workers = fy_pool_get_workers (s->pool);
  guint n = g_list_model_get_n_items (workers);
  g_autoptr(FyPoolWorker) worker = NULL;

  if (n == 0)
    return NULL;
  worker = g_list_model_get_item (workers, g_rand_int_range (s->rand, 0, n));
  if (fy_pool_worker_get_state (worker) == FY_POOL_WORKER_STATE_EXITED)
    return NULL;
  return g_steal_pointer (&worker);
}

void
fy_cli_stress_continue_stopped (Stress *s)
{
  if (s->stopped != NULL && fy_pool_worker_get_state (s->stopped) != FY_POOL_WORKER_STATE_EXITED)
    fy_pool_worker_continue (s->stopped, NULL);
  g_clear_object (&s->stopped);
}

static gboolean
continue_cb (gpointer data)
{
  fy_cli_stress_continue_stopped (data);
  return G_SOURCE_REMOVE;
}

static void
cancel_random_task (Stress *s)
{
  GHashTableIter iter;
  gpointer key;
  guint skip;

  if (g_hash_table_size (s->outstanding) == 0)
    return;
  skip = g_rand_int_range (s->rand, 0, g_hash_table_size (s->outstanding));
  g_hash_table_iter_init (&iter, s->outstanding);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (skip-- == 0)
      {
        if (fy_future_cancel (key))
          s->cancels++;
        return;
      }
}

/* One act of chaos, in the main context. */
static gboolean
chaos_act_cb (gpointer data)
{
  Stress *s = data;
  guint roll = g_rand_int_range (s->rand, 0, 100);
  g_autoptr(FyPoolWorker) worker = NULL;

  if (!s->submitting)
    return G_SOURCE_REMOVE;
  if (roll < 35)
    {
      worker = random_live_worker (s);
      if (worker != NULL && fy_pool_worker_kill (worker, NULL))
        s->kills++;
    }
  else if (roll < 60)
    {
      if (s->stopped != NULL)
        return G_SOURCE_REMOVE;
      worker = random_live_worker (s);
      if (worker != NULL && fy_pool_worker_stop (worker, NULL))
        {
          s->stops++;
          s->stopped = g_steal_pointer (&worker);
          g_timeout_add (g_rand_int_range (s->rand, 20, 101), continue_cb, s);
        }
    }
  else if (roll < 80)
    cancel_random_task (s);
  else if (roll < 88)
    {
      fy_cli_stress_submit (s, KIND_TIMEOUT);
      s->timeouts++;
    }
  else
    {
      FyProcess *victim = g_rand_boolean (s->rand) ? s->producer : s->incrementers[0];

      if (victim != NULL && fy_process_is_alive (victim) && fy_process_kill (victim, NULL))
        s->scenario_kills++;
    }
  return G_SOURCE_REMOVE;
}

/* Chooses the moments: every 5 to 40 ms, one act. */
gpointer
fy_cli_stress_chaos_thread (gpointer data)
{
  Stress *s = data;
  GRand *rand = g_rand_new_with_seed ((guint32) s->seed ^ 0x5eed);

  while (!g_atomic_int_get (&s->chaos_stop))
    {
      g_usleep (g_rand_int_range (rand, 5, 41) * 1000);
      g_main_context_invoke (s->context, chaos_act_cb, s);
    }
  g_rand_free (rand);
  return NULL;
}
