/* test-run-idle.c: a finished run leaves the main loop asleep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FyRun runs its pool's own main context from a source in the default
 * one, which mirrors the inner context's fds. Re-adding them at every
 * prepare woke the main loop at once each time, so it spun (about a
 * quarter of a core) for as long as the run's pool lived. Here the loop
 * is counted, not timed: while one 300 ms timer is pending, an idle loop
 * goes round a handful of times at most; a spinning one, thousands.
 */

#include "config.h"

#include "fy-run.h"

#define PATIENCE_S 60

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static guint
iterations_until_timeout (guint ms)
{
  gboolean fired = FALSE;
  guint n = 0;

  g_timeout_add (ms, set_flag, &fired);
  while (!fired)
    {
      g_main_context_iteration (NULL, TRUE);
      n++;
    }
  return n;
}

static void
test_idle_after_run (void)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("ax"));
  g_autoptr(FyRun) run = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + PATIENCE_S * G_USEC_PER_SEC;
  guint n;

  for (guint i = 0; i < 8; i++)
    g_variant_builder_add (builder, "x", (gint64) 20);
  run = fy_run_new ("fib", g_variant_builder_end (builder));
  fy_run_set_n_workers (run, 2);
  g_assert_true (fy_run_start (run, &error));
  g_assert_no_error (error);
  while (fy_run_get_state (run) != FY_RUN_STATE_FINISHED && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (fy_run_get_state (run), ==, FY_RUN_STATE_FINISHED);
  g_assert_nonnull (fy_run_get_pool (run));

  /* Whatever the end of the run still had to say, said. */
  iterations_until_timeout (300);
  n = iterations_until_timeout (300);
  g_test_message ("%u main loop iterations in one 300 ms wait", n);
  g_assert_cmpuint (n, <, 50);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/run-idle/after-run", test_idle_after_run);
  return g_test_run ();
}
