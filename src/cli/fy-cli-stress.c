/* fy-cli-stress.c: forkyard-cli stress, a chaos soak that keeps the books
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For --duration D a mixed workload runs on a pool (fib, sleep, hash,
 * resize, tasks that run into the task timeout) beside queue and lock
 * scenarios in processes of their own, while a chaos thread picks moments
 * at random to SIGKILL or SIGSTOP / SIGCONT a worker, cancel a task, start
 * one that will time out or kill a scenario process; the pool is replaced
 * every POOL_GENERATION_S seconds (see there). The chaos thread only
 * chooses when: what it does is done in the main context, the pool's one
 * thread, through the workers' pidfds, so no signal can hit a recycled pid.
 *
 * Then the books are checked and printed: every task accounted for exactly
 * once (done with the right result, failed with a reason, cancelled), none
 * lost, no zombie and no orphan left, the parent's fd count back where it
 * was, its RSS grown by less than 5 % from the end of the first minute (or
 * of the first half of a shorter run) to the end, every queue and lock
 * consistent. With --json the last line on stdout is one JSON object of
 * the books. The exit status is 1 when any check failed.
 */

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "core/fy-spawn.h"
#include "fy-cli.h"

#include "fy-cli-stress-private.h"

/* A pool lists every task it ever ran (its task model only grows, for the
 * app's results and timeline), about 200 bytes each: a soak that kept one
 * pool would measure that history, not leaks. So the pool is replaced
 * every so often, the old one closed under the same chaos and dropped once
 * its last task finished. */
#define POOL_GENERATION_S 20

static void
stress_clear (Stress *s)
{
  g_free (s->duration_text);
  g_clear_object (&s->pool);
  g_clear_pointer (&s->retiring, g_ptr_array_unref);
  g_clear_pointer (&s->rand, g_rand_free);
  for (guint i = 0; i < N_HASH_FILES; i++)
    {
      g_free (s->hash_paths[i]);
      g_free (s->hash_digests[i]);
    }
  g_free (s->image_path);
  g_free (s->out_dir);
  g_free (s->dir);
  g_clear_pointer (&s->outstanding, g_hash_table_unref);
  g_clear_pointer (&s->live, g_hash_table_unref);
  g_clear_object (&s->queue);
  g_clear_object (&s->producer);
  g_clear_object (&s->counter);
  g_clear_object (&s->lock);
  for (guint i = 0; i < LOCK_PROCESSES; i++)
    g_clear_object (&s->incrementers[i]);
  g_clear_object (&s->stopped);
  g_clear_pointer (&s->problems, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Stress, stress_clear)

/* Records a failed check, as a sentence for the books. */
void
fy_cli_stress_problem (Stress     *s,
                       const char *format,
                       ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (s->problems, g_strdup_vprintf (format, args));
  va_end (args);
}

static gboolean
tick_cb (gpointer data)
{
  Stress *s = data;
  double elapsed = (g_get_monotonic_time () - s->started_at) / (double) G_USEC_PER_SEC;

  fy_cli_stress_reap_retiring (s);
  if (s->submitting && g_get_monotonic_time () - s->pool_started_at > POOL_GENERATION_S * G_USEC_PER_SEC)
    {
      g_autoptr(GError) error = NULL;

      if (!fy_cli_stress_new_pool (s, &error))
        {
          fy_cli_stress_problem (s, "no new pool: %s", error->message);
          s->submitting = FALSE;
        }
    }
  /* The first sample: at the end of the first minute (or half of a
   * shorter run) the pool is replaced, and once the old one is gone the
   * RSS is read, as it is at the end with every pool gone. */
  if (s->rss_ref_pending && s->retiring->len == 0)
    {
      s->rss_ref_kb = fy_cli_stress_rss_kb (&s->vm_rss_ref_kb);
      s->rss_ref_taken = TRUE;
      s->rss_ref_pending = FALSE;
    }
  if (s->submitting && !s->rss_ref_taken && !s->rss_ref_pending &&
      elapsed >= MIN (60.0, s->duration / 2))
    {
      g_autoptr(GError) error = NULL;

      if (fy_cli_stress_new_pool (s, &error))
        s->rss_ref_pending = TRUE;
      else
        fy_cli_stress_problem (s, "no new pool: %s", error->message);
    }
  if (s->show_progress)
    fy_cli_stress_draw_progress (s, elapsed);
  if (elapsed >= s->duration)
    s->submitting = FALSE;
  return G_SOURCE_CONTINUE;
}

static gboolean
interrupt_cb (gpointer data)
{
  Stress *s = data;

  s->interrupted = TRUE;
  s->submitting = FALSE;
  return G_SOURCE_CONTINUE;
}

static gboolean
start (Stress  *s,
       GError **error)
{
  g_autoptr(FyProcess) warm = fy_process_new ("sleep", g_variant_new_uint32 (0));

  s->rand = g_rand_new_with_seed ((guint32) s->seed);
  s->outstanding = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  s->live = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  s->problems = g_ptr_array_new_with_free_func (g_free);
  s->retiring = g_ptr_array_new_with_free_func (g_object_unref);
  s->context = g_main_context_default ();
  if (!fy_cli_stress_make_inputs (s, error))
    return FALSE;

  /* The fork server lives as long as this process: start it before the
   * first fd count, so that count is what everything returns to. */
  if (!fy_process_start (warm, error) || !fy_process_join (warm, 30, error) ||
      !fy_process_close (warm, error))
    return FALSE;
  s->forkserver_pid = fy_spawn_get_forkserver_pid ();
  s->fd_start = fy_cli_stress_count_open_fds ();

  s->queue = fy_queue_new ("stress", 0, error);
  s->counter = fy_value_new ("stress-counter", FY_VALUE_TYPE_INT64, FALSE, error);
  s->lock = fy_lock_new ("stress-lock", error);
  if (s->queue == NULL || s->counter == NULL || s->lock == NULL)
    return FALSE;

  return fy_cli_stress_new_pool (s, error);
}

void
fy_cli_stress_use_plain_malloc (char **argv)
{
  /* GLib 2.74's slice allocator, behind every GObject and GVariant, keeps
   * freed blocks in per-thread magazines that it enlarges while threads
   * contend for them (here the main thread and the chaos thread) and
   * returns to malloc only in part: in a 3-minute soak it held 1.7 MiB
   * more at the end than after the first minute, growth that no leak
   * check finds (LeakSanitizer and heaptrack see none) and that vanishes
   * on plain malloc. A soak that measures the program's memory runs on
   * plain malloc, as GLib itself does under valgrind. G_SLICE is read
   * once, before main, so that takes a fresh start of the program. */
  if (g_getenv ("G_SLICE") != NULL)
    return;
  if (!g_setenv ("G_SLICE", "always-malloc", TRUE))
    return;
  execv ("/proc/self/exe", argv);
  /* No fresh start: the soak runs as it is, slice caches and all. */
}

int
fy_cli_stress_main (int    argc,
                    char **argv)
{
  g_auto(Stress) s = { 0 };
  g_autoptr(GError) error = NULL;
  guint sources[4];
  guint sigint_id, sigterm_id;

  if (!fy_cli_stress_parse_options (&s, argc, argv))
    return FY_CLI_EXIT_USAGE;
  /* Before the first fd count: GLib opens its signal wake-up fd once. */
  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, &s);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, &s);
  if (!start (&s, &error))
    {
      fy_cli_error ("%s", error->message);
      fy_cli_stress_remove_inputs (&s);
      return FY_CLI_EXIT_FAILED;
    }

  s.started_at = g_get_monotonic_time ();
  s.submitting = TRUE;
  sources[0] = g_timeout_add (5, fy_cli_stress_feed_cb, &s);
  sources[1] = g_timeout_add (20, fy_cli_stress_scenarios_cb, &s);
  sources[2] = g_timeout_add (250, tick_cb, &s);
  sources[3] = 0;
  s.chaos_thread = g_thread_new ("fy-chaos", fy_cli_stress_chaos_thread, &s);

  while (s.submitting)
    g_main_context_iteration (NULL, TRUE);

  g_atomic_int_set (&s.chaos_stop, 1);
  /* Acts it queued before it stopped see submitting FALSE and do nothing. */
  g_thread_join (s.chaos_thread);
  for (guint i = 0; sources[i] != 0; i++)
    g_source_remove (sources[i]);
  fy_cli_stress_finish (&s);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (s.show_progress)
    fprintf (stderr, "\n");
  fy_cli_stress_remove_inputs (&s);
  fy_cli_stress_print_books (&s);

  if (s.problems->len > 0)
    return FY_CLI_EXIT_FAILED;
  return s.interrupted ? FY_CLI_EXIT_INTERRUPTED : FY_CLI_EXIT_OK;
}
