/* test-run-result.c: the texts a finished task shows in the results list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * They must read as forkyard-cli prints the same results, so an export of
 * the list compares with the CLI's output.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "fy-run-result.h"

static void
test_fib (void)
{
  g_autoptr(FyRunResult) result =
    fy_run_result_new (3, "fib", g_variant_new_int64 (27), g_variant_new_int64 (196418),
                       NULL, FY_FUTURE_STATE_DONE, 4242, 1000000, 3500000);
  g_autofree char *text = NULL;

  g_assert_cmpuint (fy_run_result_get_index (result), ==, 3);
  g_assert_cmpstr (fy_run_result_get_function (result), ==, "fib");
  g_assert_cmpstr (fy_run_result_get_input_text (result), ==, "27");
  g_assert_cmpstr (fy_run_result_get_result_text (result), ==, "196418");
  g_assert_null (fy_run_result_get_error_text (result));
  g_assert_null (fy_run_result_get_output_path (result));
  g_assert_false (fy_run_result_get_failed (result));
  g_assert_cmpint (fy_run_result_get_worker_pid (result), ==, 4242);
  g_assert_cmpfloat_with_epsilon (fy_run_result_get_duration (result), 2.5, 1e-9);

  /* The same through the properties a list item binds. */
  g_object_get (result, "result-text", &text, NULL);
  g_assert_cmpstr (text, ==, "196418");
}

static void
test_sleep_and_sumsq (void)
{
  g_autoptr(FyRunResult) slept =
    fy_run_result_new (0, "sleep", g_variant_new_uint32 (100), g_variant_new_uint32 (100),
                       NULL, FY_FUTURE_STATE_DONE, 1, 0, 0);
  g_autoptr(FyRunResult) sum =
    fy_run_result_new (0, "sumsq", g_variant_new_int64 (10), g_variant_new_string ("285"),
                       NULL, FY_FUTURE_STATE_DONE, 1, 0, 0);

  g_assert_cmpstr (fy_run_result_get_input_text (slept), ==, "100");
  g_assert_cmpstr (fy_run_result_get_result_text (slept), ==, "100");
  g_assert_cmpfloat (fy_run_result_get_duration (slept), ==, 0);
  g_assert_cmpstr (fy_run_result_get_result_text (sum), ==, "285");
}

static void
test_hash_line (void)
{
  const char *digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  g_autoptr(FyRunResult) plain =
    fy_run_result_new (0, "hash", g_variant_new_bytestring ("/data/a b.txt"),
                       g_variant_new_string (digest), NULL, FY_FUTURE_STATE_DONE, 1, 0, 0);
  g_autoptr(FyRunResult) escaped =
    fy_run_result_new (1, "hash", g_variant_new_bytestring ("/data/back\\slash"),
                       g_variant_new_string (digest), NULL, FY_FUTURE_STATE_DONE, 1, 0, 0);
  g_autofree char *expected_plain = g_strconcat (digest, "  /data/a b.txt", NULL);
  g_autofree char *expected_escaped = g_strconcat ("\\", digest, "  /data/back\\\\slash", NULL);

  g_assert_cmpstr (fy_run_result_get_input_text (plain), ==, "/data/a b.txt");
  g_assert_cmpstr (fy_run_result_get_result_text (plain), ==, expected_plain);
  g_assert_cmpstr (fy_run_result_get_result_text (escaped), ==, expected_escaped);
}

static void
test_resize (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fy-run-result-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "photo.jpg", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(FyRunResult) result = NULL;
  char bytes[1500] = { 0 };

  g_assert_true (g_file_set_contents (out, bytes, sizeof bytes, NULL));
  result = fy_run_result_new (0, "resize",
                              g_variant_new ("(^ay^ayiib)", "/in/photo.jpg", dir, 300, 300, TRUE),
                              g_variant_new ("(^ayii)", out, 300, 200),
                              NULL, FY_FUTURE_STATE_DONE, 1, 0, 0);
  /* g_format_size () puts a no-break space before the unit. */
  expected = g_strdup_printf ("%s, 300×200, 1.5\u00a0kB", out);

  g_assert_cmpstr (fy_run_result_get_input_text (result), ==, "/in/photo.jpg");
  g_assert_cmpstr (fy_run_result_get_output_path (result), ==, out);
  g_assert_cmpstr (fy_run_result_get_result_text (result), ==, expected);

  g_unlink (out);
  g_rmdir (dir);
}

static void
test_failed_names_file (void)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                 "Premature end of JPEG file");
  g_autoptr(GError) named = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                 "/in/bad.jpg: truncated");
  g_autoptr(FyRunResult) result =
    fy_run_result_new (6, "resize",
                       g_variant_new ("(^ay^ayiib)", "/in/bad.jpg", "/out", 300, 300, TRUE),
                       NULL, error, FY_FUTURE_STATE_FAILED, 7, 0, 0);
  g_autoptr(FyRunResult) already =
    fy_run_result_new (6, "resize",
                       g_variant_new ("(^ay^ayiib)", "/in/bad.jpg", "/out", 300, 300, TRUE),
                       NULL, named, FY_FUTURE_STATE_FAILED, 7, 0, 0);

  g_assert_true (fy_run_result_get_failed (result));
  g_assert_null (fy_run_result_get_result (result));
  g_assert_null (fy_run_result_get_result_text (result));
  g_assert_cmpstr (fy_run_result_get_error_text (result), ==,
                   "/in/bad.jpg: Premature end of JPEG file");
  /* Not named twice. */
  g_assert_cmpstr (fy_run_result_get_error_text (already), ==, "/in/bad.jpg: truncated");
}

static void
test_cancelled (void)
{
  g_autoptr(FyRunResult) result =
    fy_run_result_new (0, "sleep", g_variant_new_uint32 (5000), NULL, NULL,
                       FY_FUTURE_STATE_CANCELLED, 0, 0, 0);
  FyFutureState state;
  gboolean failed;

  g_object_get (result, "state", &state, "failed", &failed, NULL);
  g_assert_cmpint (state, ==, FY_FUTURE_STATE_CANCELLED);
  g_assert_true (failed);
  g_assert_nonnull (fy_run_result_get_error_text (result));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/run-result/fib", test_fib);
  g_test_add_func ("/app/run-result/sleep-and-sumsq", test_sleep_and_sumsq);
  g_test_add_func ("/app/run-result/hash-line", test_hash_line);
  g_test_add_func ("/app/run-result/resize", test_resize);
  g_test_add_func ("/app/run-result/failed-names-file", test_failed_names_file);
  g_test_add_func ("/app/run-result/cancelled", test_cancelled);

  return g_test_run ();
}
