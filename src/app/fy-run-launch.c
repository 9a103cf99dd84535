/* fy-run-launch.c: a run's pool made to its options, and its inputs handed to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-run-launch.h"

/* A SIGTERMed worker that ignores it (or is stopped) is killed after this. */
#define KILL_GRACE_SECONDS 0.2

G_DEFINE_ENUM_TYPE (FyRunCallStyle, fy_run_call_style,
  G_DEFINE_ENUM_VALUE (FY_RUN_CALL_STYLE_MAP, "map"),
  G_DEFINE_ENUM_VALUE (FY_RUN_CALL_STYLE_IMAP, "imap"),
  G_DEFINE_ENUM_VALUE (FY_RUN_CALL_STYLE_IMAP_UNORDERED, "imap-unordered"),
  G_DEFINE_ENUM_VALUE (FY_RUN_CALL_STYLE_SUBMIT, "submit"))

FyPool *
fy_run_launch_pool_new (const FyRunOptions  *options,
                        GError             **error)
{
  g_autoptr(FyPool) pool = fy_pool_new ();

  if (options->n_workers > 0 && !fy_pool_set_n_workers (pool, options->n_workers, error))
    return NULL;
  if (options->max_tasks_per_child > 0 &&
      !fy_pool_set_max_tasks_per_child (pool, options->max_tasks_per_child, error))
    return NULL;
  fy_pool_set_crash_policy (pool, options->crash_policy, options->max_retries);
  fy_pool_set_task_timeout (pool, options->task_timeout);
  fy_pool_set_kill_grace (pool, KILL_GRACE_SECONDS);
  return g_steal_pointer (&pool);
}

/* One future per input, as executor.submit and as_completed; NULL, with
 * nothing kept, if the pool refuses one. */
static GPtrArray *
submit_each (FyPool      *pool,
             const char  *function,
             GVariant    *arguments,
             GError     **error)
{
  gsize n = g_variant_n_children (arguments);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_full (n, g_object_unref);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) argument = g_variant_get_child_value (arguments, i);
      FyFuture *future = fy_pool_submit (pool, function, argument, error);

      if (future == NULL)
        return NULL;
      g_ptr_array_add (tasks, future);
    }
  return g_steal_pointer (&tasks);
}

GPtrArray *
fy_run_launch_tasks (FyPool              *pool,
                     const char          *function,
                     GVariant            *arguments,
                     const FyRunOptions  *options,
                     gboolean            *out_ordered,
                     GError             **error)
{
  g_autoptr(FyFutureIter) iter = NULL;
  GListModel *model;
  GPtrArray *tasks;
  guint n;

  *out_ordered = FALSE;
  switch (options->call_style)
    {
    case FY_RUN_CALL_STYLE_SUBMIT:
      return submit_each (pool, function, arguments, error);
    case FY_RUN_CALL_STYLE_IMAP_UNORDERED:
      iter = fy_pool_imap_unordered (pool, function, arguments, options->chunksize, error);
      break;
    case FY_RUN_CALL_STYLE_MAP:
    case FY_RUN_CALL_STYLE_IMAP:
    default:
      /* Pool.map is imap gathered into a list: the same tasks in the same
       * order, and the page can show each result as it comes. */
      iter = fy_pool_imap (pool, function, arguments,
                           options->call_style == FY_RUN_CALL_STYLE_MAP
                             ? options->chunksize : MAX (options->chunksize, 1),
                           error);
      *out_ordered = TRUE;
      break;
    }
  if (iter == NULL)
    return NULL;

  /* The iterator is not read: the pool's task list holds this run's
   * tasks (a fresh pool's only ones) in input order, and each finished
   * task's items are read from it. */
  model = fy_pool_get_tasks (pool);
  n = g_list_model_get_n_items (model);
  tasks = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (tasks, g_list_model_get_item (model, i));
  return tasks;
}
