/* test-app-sampler.c: the application's shared CPU sampler and its settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pages share one sampler: it follows the preferences' interval and
 * history length as they change, and samples only while a page holds it.
 */

#include "config.h"

#include "fy-application.h"

static void
test_settings_apply_live (void)
{
  g_autoptr(FyApplication) app = fy_application_new ();
  GSettings *settings = fy_application_get_settings (app);
  FyCpuSampler *sampler = fy_application_get_cpu_sampler (app);

  g_assert_true (sampler == fy_application_get_cpu_sampler (app));
  g_assert_cmpuint (fy_cpu_sampler_get_interval (sampler), ==, 1000);
  g_assert_cmpuint (fy_cpu_sampler_get_history_length (sampler), ==, 120);

  g_settings_set_double (settings, "sample-interval", 2.5);
  g_assert_cmpuint (fy_cpu_sampler_get_interval (sampler), ==, 2500);
  g_settings_set_double (settings, "sample-interval", 0.25);
  g_assert_cmpuint (fy_cpu_sampler_get_interval (sampler), ==, 250);
  g_settings_set_int (settings, "history-length", 600);
  g_assert_cmpuint (fy_cpu_sampler_get_history_length (sampler), ==, 600);
  g_assert_cmpuint (fy_history_get_capacity (fy_cpu_sampler_get_total_history (sampler)), ==, 600);
}

static void
test_holds (void)
{
  g_autoptr(FyApplication) app = fy_application_new ();
  FyCpuSampler *sampler = fy_application_get_cpu_sampler (app);

  /* Nothing shown holds it: it does not sample. */
  g_assert_true (fy_cpu_sampler_get_paused (sampler));
  fy_application_hold_sampler (app);
  g_assert_false (fy_cpu_sampler_get_paused (sampler));
  fy_application_hold_sampler (app);
  fy_application_release_sampler (app);
  g_assert_false (fy_cpu_sampler_get_paused (sampler));
  fy_application_release_sampler (app);
  g_assert_true (fy_cpu_sampler_get_paused (sampler));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/sampler/settings-apply-live", test_settings_apply_live);
  g_test_add_func ("/app/sampler/holds", test_holds);

  return g_test_run ();
}
