/* test-inspector-row.c: what the inspector says of a shared value's writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A value counts its writes in shared memory (one relaxed add per store),
 * its registry snapshot carries the count, and the inspector's row turns
 * two readings a known time apart into writes per second. The row is fed
 * explicit times, so no figure depends on the machine's speed.
 */

#include "config.h"

#include <string.h>

#include "core/fy-value.h"
#include "fy-inspector-row.h"

static guint64
snapshot_writes (FyValue *value)
{
  g_autoptr(GVariant) snapshot = fy_shm_snapshot (fy_value_get_shm (value));
  guint64 writes = G_MAXUINT64;

  g_assert_true (g_variant_lookup (snapshot, "puts", "t", &writes));
  return writes;
}

static void
test_value_writes_counted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyValue) value = fy_value_new ("counted", FY_VALUE_TYPE_INT64, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (snapshot_writes (value), ==, 0);
  for (int i = 0; i < 10; i++)
    fy_value_set_int (value, i);
  fy_value_set_double (value, 2.5);
  g_assert_true (fy_value_set (value, g_variant_new_int64 (7), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (snapshot_writes (value), ==, 12);

  /* A refused store is no write. */
  g_assert_false (fy_value_set (value, g_variant_new_string ("seven"), &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (snapshot_writes (value), ==, 12);
  g_assert_cmpint (fy_value_get_int (value), ==, 7);
}

static void
test_row_writes_per_second (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyValue) value = fy_value_new ("rated", FY_VALUE_TYPE_INT64, TRUE, &error);
  g_autoptr(FyInspectorRow) row = NULL;
  gint64 t0 = 1000 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  row = fy_inspector_row_new (fy_value_get_shm (value));
  fy_inspector_row_update (row, t0);
  g_assert_cmpstr (fy_inspector_row_get_rates (row), ==, "");

  /* 500 writes in half a second: 1 000 writes/s. */
  for (int i = 0; i < 500; i++)
    fy_value_set_int (value, i);
  fy_inspector_row_update (row, t0 + G_USEC_PER_SEC / 2);
  g_assert_cmpstr (fy_inspector_row_get_rates (row), ==, "1000 writes/s");
  g_assert_nonnull (strstr (fy_inspector_row_get_state (row), "499"));
  g_assert_cmpfloat (fy_history_get_newest (fy_inspector_row_get_history (row)), ==, 1000);

  /* Then none: the rate goes back to nothing. */
  fy_inspector_row_update (row, t0 + G_USEC_PER_SEC);
  g_assert_cmpstr (fy_inspector_row_get_rates (row), ==, "");
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/inspector-row/value-writes-counted", test_value_writes_counted);
  g_test_add_func ("/app/inspector-row/writes-per-second", test_row_writes_per_second);
  return g_test_run ();
}
