/* fy-cli-stress-books.c: the soak's progress line, verdict and books
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Once the run ends: the last tasks and rounds awaited, everything shut
 * down, zombies, orphans, fds and RSS measured and checked, and the books
 * printed for a reader (or as JSON, fy-cli-stress-json.c).
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "fy-cli-stress-private.h"

void
fy_cli_stress_draw_progress (Stress *s,
                             double  elapsed)
{
  fprintf (stderr, "\r");
  /* TRANSLATORS: the progress line of forkyard-cli stress. */
  fprintf (stderr, _("%3.0f %%  %u tasks: %u done, %u failed, %u cancelled · %u kills, %u stops "),
           MIN (100.0, 100.0 * elapsed / s->duration), s->tasks, s->done, s->failed, s->cancelled,
           s->kills + s->scenario_kills, s->stops);
  fflush (stderr);
}

/* The resident anonymous memory that appeared between the two samples,
 * as a share of the whole RSS at the first: what a leak would add. Pages
 * of code and data files faulted in later (an error path run for the
 * first time) are not the process's memory growing, and on a 10 MB
 * process they alone swing VmRSS by several percent. */
double
fy_cli_stress_rss_growth (Stress *s)
{
  if (s->vm_rss_ref_kb <= 0)
    return 0;
  return 100.0 * (double) (s->rss_end_kb - s->rss_ref_kb) / (double) s->vm_rss_ref_kb;
}

/* Waits for the last tasks and scenario rounds, then shuts everything
 * down and takes the final measurements. */
void
fy_cli_stress_finish (Stress *s)
{
  g_autoptr(GError) error = NULL;
  gint64 guard = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  fy_cli_stress_continue_stopped (s);
  while ((g_hash_table_size (s->outstanding) > 0 || s->retiring->len > 0 || s->producer != NULL ||
          s->incrementers[0] != NULL || s->incrementers[1] != NULL) &&
         g_get_monotonic_time () < guard)
    {
      g_main_context_iteration (NULL, FALSE);
      fy_cli_stress_scenarios_cb (s);
      fy_cli_stress_reap_retiring (s);
      g_usleep (2000);
    }
  if (g_hash_table_size (s->outstanding) > 0)
    fy_cli_stress_problem (s, "%u tasks never finished", g_hash_table_size (s->outstanding));
  if (s->producer != NULL || s->incrementers[0] != NULL || s->incrementers[1] != NULL)
    fy_cli_stress_problem (s, "a scenario process never ended");

  fy_pool_close (s->pool);
  if (!fy_pool_join (s->pool, 30, &error))
    fy_cli_stress_problem (s, "the pool did not shut down: %s", error->message);
  g_clear_object (&s->pool);
  s->rss_end_kb = fy_cli_stress_rss_kb (&s->vm_rss_end_kb);
  if (!s->rss_ref_taken)
    {
      s->rss_ref_kb = s->rss_end_kb;
      s->vm_rss_ref_kb = s->vm_rss_end_kb;
    }
  g_clear_object (&s->queue);
  g_clear_object (&s->counter);
  g_clear_object (&s->lock);
  /* Let the last exits be reaped. */
  for (int i = 0; i < 50 && fy_cli_stress_count_zombies (s) > 0; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  s->zombies = fy_cli_stress_count_zombies (s);
  s->orphans = fy_cli_stress_count_orphans (s);
  s->fd_end = fy_cli_stress_count_open_fds ();

  if (s->zombies > 0)
    fy_cli_stress_problem (s, "%u zombie processes", s->zombies);
  if (s->orphans > 0)
    fy_cli_stress_problem (s, "%u processes outlived the run", s->orphans);
  if (s->fd_end > s->fd_start)
    {
      g_autofree char *fds = fy_cli_stress_describe_fds ();

      fy_cli_stress_problem (s, "%u file descriptors leaked (%s)", s->fd_end - s->fd_start, fds);
    }
  if (CHECKS_RSS && fy_cli_stress_rss_growth (s) >= RSS_GROWTH_LIMIT)
    fy_cli_stress_problem (s, "RSS grew by %.1f %%", fy_cli_stress_rss_growth (s));
}

void
fy_cli_stress_print_books (Stress *s)
{
  guint lost = g_hash_table_size (s->outstanding);

  if (s->json)
    {
      fy_cli_stress_print_json (s, lost);
      return;
    }

  printf (_("tasks %u: %u done, %u failed (%u worker died, %u timed out, %u other), %u cancelled, %u lost"),
          s->tasks, s->done, s->failed, s->failed_killed, s->failed_timeout, s->failed_other,
          s->cancelled, lost);
  printf ("\n");
  printf (_("chaos: %u kills, %u stops, %u cancels, %u timeouts, %u scenario kills"),
          s->kills, s->stops, s->cancels, s->timeouts, s->scenario_kills);
  printf ("\n");
  printf (_("scenarios: %u queue rounds (%u items), %u lock rounds"),
          s->queue_rounds, s->queue_items, s->lock_rounds);
  printf ("\n");
  /* TRANSLATORS: the RSS figures are in KiB, the growth in percent. */
  printf (_("processes: %u zombies, %u orphans; fds %u → %u; RSS %u → %u KiB (%+.1f %%)"),
          s->zombies, s->orphans, s->fd_start, s->fd_end, (guint) s->vm_rss_ref_kb, (guint) s->vm_rss_end_kb,
          fy_cli_stress_rss_growth (s));
  printf ("\n");
  for (guint i = 0; i < s->problems->len; i++)
    {
      printf (_("FAILED: %s"), (const char *) g_ptr_array_index (s->problems, i));
      printf ("\n");
    }
  printf ("%s\n", s->problems->len == 0 ? _("All checks passed.") : _("Some checks failed."));
}
