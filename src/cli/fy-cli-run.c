/* fy-cli-run.c: forkyard-cli fib, sumsq, sleep, load, hash and resize
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds one task per input, runs them on an FyPool in the chosen mode,
 * and reports each input's outcome as it arrives (fy-cli-run-output.c).
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "fy-cli.h"
#include "fy-cli-run-private.h"
#include "fy-cpu-list.h"
#include "fy-workload.h"

static void
run_clear (Run *run)
{
  g_free (run->size);
  g_free (run->out_dir);
  g_free (run->mode_text);
  g_free (run->on_crash);
  g_free (run->cpus);
  g_strfreev (run->paths);
  g_clear_pointer (&run->last_cpu, g_array_unref);
  g_clear_pointer (&run->inputs, g_ptr_array_unref);
  g_clear_pointer (&run->arguments, g_variant_unref);
  g_clear_pointer (&run->futures, g_ptr_array_unref);
  g_clear_pointer (&run->items, g_array_unref);
  g_clear_pointer (&run->texts, g_ptr_array_unref);
  g_clear_pointer (&run->oks, g_byte_array_unref);
  g_clear_pointer (&run->hex, g_free);
  g_clear_pointer (&run->reasons, g_ptr_array_unref);
  g_clear_pointer (&run->micros, g_array_unref);
  g_clear_pointer (&run->chunk_arguments, g_variant_unref);
  g_clear_pointer (&run->deferred, g_array_unref);
  g_clear_error (&run->late_error);
  g_clear_pointer (&run->chunk_starts, g_array_unref);
  g_clear_pointer (&run->slot_input, g_array_unref);
  g_clear_pointer (&run->input_slot, g_array_unref);
  g_clear_pointer (&run->walk, fy_cli_walk_free);
  g_clear_pointer (&run->stream, fy_cli_run_stream_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* ---- running -------------------------------------------------------------- */

static gboolean
interrupt_cb (gpointer user_data)
{
  Run *run = user_data;

  run->interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static FyFutureIter *
start_tasks (Run     *run,
             FyPool  *pool,
             GError **error)
{
  g_autoptr(GPtrArray) futures = NULL;

  switch (run->mode)
    {
    case RUN_MODE_IMAP:
      return fy_pool_imap (pool, run->workload, run->arguments, run->chunksize, error);
    case RUN_MODE_UNORDERED:
      return fy_pool_imap_unordered (pool, run->workload, run->arguments, run->chunksize, error);
    case RUN_MODE_SUBMIT:
      futures = g_ptr_array_new_with_free_func (g_object_unref);
      for (gsize i = 0; i < g_variant_n_children (run->arguments); i++)
        {
          g_autoptr(GVariant) argument = g_variant_get_child_value (run->arguments, i);
          FyFuture *future = fy_pool_submit (pool, run->workload, argument, error);

          if (future == NULL)
            return NULL;
          g_ptr_array_add (futures, future);
        }
      return fy_future_as_completed (futures);
    case RUN_MODE_MAP:
    default:
      if (g_str_equal (run->command, "hash") && run->auto_chunks)
        return fy_cli_run_start_hash_tasks (run, pool, error);
      futures = fy_pool_submit_map (pool, run->workload, run->arguments, run->chunksize, error);
      return futures ? fy_future_as_completed (futures) : NULL;
    }
}

/* The pool's size and policies, fixed before it starts. */
static int
configure_pool (Run    *run,
                FyPool *pool)
{
  g_autoptr(GError) error = NULL;

  if (run->workers > 0 && !fy_pool_set_n_workers (pool, run->workers, &error))
    {
      fy_cli_error ("%s: %s", run->command, error->message);
      return FY_CLI_EXIT_USAGE;
    }
  fy_pool_set_crash_policy (pool, run->policy, run->retries);
  if (run->timeout > 0)
    fy_pool_set_task_timeout (pool, run->timeout);

  /* Workers read the list when they start and pin themselves before any
   * task; replacements read it too. */
  if (run->cpus != NULL)
    {
      g_autofree char *list = fy_cpu_list_format (&run->cpu_set);

      g_setenv (FY_WORKER_CPUS_ENV, list, TRUE);
    }
  return FY_CLI_EXIT_OK;
}

static int
run_on_pool (Run    *run,
             FyPool *pool)
{
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) index_of = g_hash_table_new (NULL, NULL);
  GPtrArray *ordered;
  guint sigint_id, sigterm_id;
  guint wake_id = 0;
  double wall_seconds;
  gint64 last_draw = 0;
  int n_workers;

  n_workers = fy_pool_get_n_workers (pool);
  if (run->cpus != NULL)
    {
      run->last_cpu = g_array_new (FALSE, TRUE, sizeof (int));
      g_array_set_size (run->last_cpu, run->inputs->len);
    }

  /* A directory that could not be read is reported first, as find
   * reports it where it meets it; the run goes on without it. */
  if (run->walk != NULL && !run->json)
    for (guint i = 0; i + 1 < run->walk->errors->len; i += 2)
      fy_cli_error ("%s: %s", (char *) g_ptr_array_index (run->walk->errors, i),
                    (char *) g_ptr_array_index (run->walk->errors, i + 1));

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, run);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, run);

  run->started_at = g_get_monotonic_time ();
  /* Slots stay NULL for tasks that never finished (an interrupted run). */
  run->futures = g_ptr_array_new_with_free_func (unref_if_set);
  g_ptr_array_set_size (run->futures, run->inputs->len);

  run->items = g_array_new (FALSE, TRUE, sizeof (guint));
  g_array_set_size (run->items, run->inputs->len);
  run->recording = TRUE;

  if (!fy_pool_start (pool, &error) ||
      (run->chunked_hash ? !fy_cli_run_start_hash_chunks (run, pool, &error)
       : (iter = start_tasks (run, pool, &error)) == NULL))
    {
      fy_cli_error ("%s: %s", run->command, error->message);
      g_source_remove (sigint_id);
      g_source_remove (sigterm_id);
      fy_pool_terminate (pool);
      fy_pool_join (pool, 10, NULL);
      return FY_CLI_EXIT_FAILED;
    }

  /* The chunks back during the walk, once the rest are on their way. */
  fy_cli_run_record_early_chunks (run);

  ordered = iter != NULL ? fy_future_iter_get_futures (iter) : NULL;
  for (guint i = 0; ordered != NULL && i < ordered->len; i++)
    g_hash_table_insert (index_of, g_ptr_array_index (ordered, i), GUINT_TO_POINTER (i));
  /* The chunks record themselves as they finish; the loop only has to
   * look at the clock now and then for the progress bar. */
  if (iter == NULL)
    wake_id = g_timeout_add (100, wake_cb, NULL);

  while (!run->interrupted)
    {
      g_autoptr(FyFuture) future = NULL;
      g_autoptr(GError) next_error = NULL;

      if (iter == NULL)
        {
          if (run->n_finished >= run->inputs->len)
            break;
          /* The large files' chunks could not go out. */
          if (run->late_error != NULL)
            {
              fy_cli_error ("%s: %s", run->command, run->late_error->message);
              break;
            }
          g_main_context_iteration (NULL, TRUE);
        }
      else if (fy_future_iter_next (iter, 0.1, &future, &next_error))
        fy_cli_run_record_finished (run, future,
                         GPOINTER_TO_UINT (g_hash_table_lookup (index_of, future)));
      else if (next_error == NULL)
        break;
      else if (!g_error_matches (next_error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT))
        {
          fy_cli_error ("%s: %s", run->command, next_error->message);
          break;
        }

      if (g_get_monotonic_time () - last_draw > G_USEC_PER_SEC / 10)
        {
          fy_cli_run_draw_progress (run);
          last_draw = g_get_monotonic_time ();
        }
    }

  if (run->interrupted)
    {
      /* Stop the workers now; what finished is still reported. */
      fy_pool_terminate (pool);
      fy_pool_join (pool, 10, NULL);
      for (guint i = 0; ordered != NULL && i < ordered->len; i++)
        {
          FyFuture *future = g_ptr_array_index (ordered, i);

          if (fy_future_is_finished (future) &&
              fy_future_get_state (future) != FY_FUTURE_STATE_CANCELLED)
            fy_cli_run_record_finished (run, future, i);
        }
    }
  else
    {
      fy_pool_close (pool);
      fy_pool_join (pool, -1, NULL);
    }

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (wake_id != 0)
    g_source_remove (wake_id);
  wall_seconds = (g_get_monotonic_time () - run->started_at) / (double) G_USEC_PER_SEC;
  fy_cli_run_clear_progress (run);

  if (run->json)
    fy_cli_run_print_json (run, n_workers, wall_seconds);
  fflush (stdout);

  if (run->interrupted)
    {
      fy_cli_error (_("%s: interrupted; %u of %u tasks finished"), run->command,
                    run->n_finished, run->inputs->len);
      return FY_CLI_EXIT_INTERRUPTED;
    }
  return run->n_failed > 0 || run->n_finished < run->inputs->len ||
         (run->walk != NULL && run->walk->errors->len > 0)
    ? FY_CLI_EXIT_FAILED : FY_CLI_EXIT_OK;
}

/* The walk, on a thread of its own while the pool starts. */
typedef struct
{
  Run     *run;
  gboolean ok;
  GError  *error;
} BuildTasks;

static gpointer
build_tasks_thread (gpointer data)
{
  BuildTasks *build = data;

  build->ok = fy_cli_run_walk_inputs (build->run, &build->error);
  return NULL;
}

int
fy_cli_run_main (int    argc,
                 char **argv)
{
  g_auto(Run) run = { 0 };
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  gboolean walks;
  gboolean built;
  int status;

  run.command = argv[0];
  status = fy_cli_run_parse_options (&run, argc, argv);
  if (status != FY_CLI_EXIT_OK)
    return status;

  /* hash and resize walk their trees (and hash times its engines) before
   * most tasks. Starting the pool waits for the fork server to load,
   * milliseconds in which this thread would sit idle: the walk runs on
   * another thread meanwhile, and the workers are ready when it ends, or
   * before it for hash's small files (fy-cli-run-stream.c). (load learns
   * its number of workers from its tasks.) */
  walks = g_str_equal (run.command, "hash") || g_str_equal (run.command, "resize");
  if (walks)
    {
      BuildTasks build = { &run, FALSE, NULL };
      GThread *thread;
      gboolean started;

      status = configure_pool (&run, pool);
      if (status != FY_CLI_EXIT_OK)
        return status;
      /* hash in chunks: small files go to the workers as the walk finds
       * them. */
      if (g_str_equal (run.command, "hash") && run.chunksize == 0 &&
          run.mode == RUN_MODE_MAP && run.timeout == 0)
        fy_cli_run_stream_new (&run);
      thread = g_thread_new ("walk", build_tasks_thread, &build);
      started = fy_pool_start (pool, &error);
      if (started && run.stream != NULL)
        fy_cli_run_stream_while_walking (&run, pool);
      g_thread_join (thread);
      if (!started)
        {
          fy_cli_error ("%s: %s", run.command, error->message);
          g_clear_error (&build.error);
          fy_pool_terminate (pool);
          fy_pool_join (pool, 10, NULL);
          return FY_CLI_EXIT_FAILED;
        }
      built = build.ok && fy_cli_run_build_tasks (&run, &error);
      if (!build.ok)
        g_propagate_error (&error, build.error);
    }
  else
    built = fy_cli_run_build_tasks (&run, &error);

  if (!built)
    {
      fy_cli_error ("%s: %s", run.command, error->message);
      if (walks)
        {
          fy_pool_terminate (pool);
          fy_pool_join (pool, 10, NULL);
        }
      return FY_CLI_EXIT_FAILED;
    }

  if (!walks)
    {
      status = configure_pool (&run, pool);
      if (status != FY_CLI_EXIT_OK)
        return status;
    }
  return run_on_pool (&run, pool);
}

