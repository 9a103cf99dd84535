/* test-value.c: Value and Array in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Types and Python's type codes, element and bulk access, slices, the
 * optional lock, writes by a child seen by the parent, and the seeds'
 * examples: Array ('d', [1, 2, 3, 4]) doubled in a child, and 2 + 2
 * processes updating a Value and an Array.
 */

#include "config.h"

#include <unistd.h>

#include "core/fy-array.h"
#include "core/fy-value.h"

#include "fy-test-process.h"

static void
test_type_codes (void)
{
  static const struct { const char *code; FyValueType type; gsize size; } cases[] = {
    { "b", FY_VALUE_TYPE_INT8, 1 }, { "B", FY_VALUE_TYPE_UINT8, 1 },
    { "h", FY_VALUE_TYPE_INT16, 2 }, { "H", FY_VALUE_TYPE_UINT16, 2 },
    { "i", FY_VALUE_TYPE_INT32, 4 }, { "I", FY_VALUE_TYPE_UINT32, 4 },
    { "l", FY_VALUE_TYPE_INT64, 8 }, { "L", FY_VALUE_TYPE_UINT64, 8 },
    { "q", FY_VALUE_TYPE_INT64, 8 }, { "Q", FY_VALUE_TYPE_UINT64, 8 },
    { "f", FY_VALUE_TYPE_FLOAT, 4 }, { "d", FY_VALUE_TYPE_DOUBLE, 8 },
    { "c", FY_VALUE_TYPE_CHAR, 1 },
  };
  g_autoptr(GError) error = NULL;
  FyValueType type;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (fy_value_type_from_code (cases[i].code, &type, &error));
      g_assert_no_error (error);
      g_assert_cmpint (type, ==, cases[i].type);
      g_assert_cmpuint (fy_value_type_get_size (type), ==, cases[i].size);
    }
  g_assert_false (fy_value_type_from_code ("z", &type, &error));
  g_assert_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_INVALID_TYPE);
  g_clear_error (&error);
  g_assert_false (fy_value_type_from_code ("ii", &type, &error));
  g_assert_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_INVALID_TYPE);
}

static void
test_value_types (void)
{
  g_autoptr(GError) error = NULL;

  for (FyValueType t = 0; t < FY_VALUE_N_TYPES; t++)
    {
      g_autoptr(FyValue) value = fy_value_new (NULL, t, TRUE, &error);
      g_autoptr(GVariant) v = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (fy_value_get_value_type (value), ==, t);
      g_assert_cmpint (fy_value_get_int (value), ==, 0);
      fy_value_set_int (value, 100);
      g_assert_cmpint (fy_value_get_int (value), ==, 100);
      g_assert_cmpfloat (fy_value_get_double (value), ==, 100.0);
      v = fy_value_get (value);
      g_assert_nonnull (v);
      g_assert_true (fy_value_set (value, g_variant_new_int32 (7), &error));
      g_assert_cmpint (fy_value_get_int (value), ==, 7);
    }

  /* Truncation follows the C type, as ctypes does. */
  {
    g_autoptr(FyValue) byte = fy_value_new (NULL, FY_VALUE_TYPE_INT8, FALSE, NULL);
    g_autoptr(FyValue) d = fy_value_new (NULL, FY_VALUE_TYPE_DOUBLE, FALSE, NULL);
    g_autoptr(FyValue) f = fy_value_new (NULL, FY_VALUE_TYPE_FLOAT, FALSE, NULL);

    fy_value_set_int (byte, 200);
    g_assert_cmpint (fy_value_get_int (byte), ==, -56);
    fy_value_set_double (d, 2.5);
    g_assert_cmpfloat (fy_value_get_double (d), ==, 2.5);
    fy_value_set_double (f, 0.1);
    g_assert_cmpfloat_with_epsilon (fy_value_get_double (f), 0.1, 1e-6);
    g_assert_false (fy_value_set (d, g_variant_new_string ("x"), &error));
    g_assert_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_INVALID_TYPE);
  }
}

static void
test_value_lock (void)
{
  g_autoptr(FyValue) locked = fy_value_new (NULL, FY_VALUE_TYPE_INT32, TRUE, NULL);
  g_autoptr(FyValue) raw = fy_value_new (NULL, FY_VALUE_TYPE_INT32, FALSE, NULL);
  FyLock *lock = fy_value_get_lock (locked);

  g_assert_nonnull (lock);
  g_assert_null (fy_value_get_lock (raw));
  g_assert_true (fy_lock_acquire (lock, 0, NULL));
  g_assert_cmpint (fy_lock_get_holder (lock), ==, getpid ());
  g_assert_true (fy_lock_release (lock, NULL));
}

static void
test_value_from_child (void)
{
  g_autoptr(FyValue) value = fy_value_new (NULL, FY_VALUE_TYPE_INT64, TRUE, NULL);
  g_autoptr(FyProcess) child = NULL;

  fy_value_set_int (value, 41);
  child = fy_test_spawn ("ipc-increment", g_variant_new ("(ub)", 1, TRUE), fy_value_get_fd (value), -1);
  fy_test_join_ok (child);
  g_assert_cmpint (fy_value_get_int (value), ==, 42);
}

static void
test_array_access (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyArray) array = fy_array_new (NULL, FY_VALUE_TYPE_INT32, 10, TRUE, &error);
  g_autoptr(GVariant) slice = NULL;
  gint64 ints[10];
  double doubles[3] = { 1.9, -2.9, 3 };

  g_assert_no_error (error);
  g_assert_cmpuint (fy_array_get_length (array), ==, 10);
  g_assert_nonnull (fy_array_get_lock (array));
  for (gsize i = 0; i < 10; i++)
    fy_array_set_int (array, i, i * i);
  g_assert_true (fy_array_get_ints (array, 0, 10, ints, &error));
  for (gsize i = 0; i < 10; i++)
    g_assert_cmpint (ints[i], ==, i * i);

  /* arr[2:5] and arr[8:100] (clamped, as in Python). */
  slice = fy_array_get_slice (array, 2, 5, &error);
  g_assert_cmpstr (g_variant_get_type_string (slice), ==, "ax");
  g_assert_cmpuint (g_variant_n_children (slice), ==, 3);
  g_clear_pointer (&slice, g_variant_unref);
  slice = fy_array_get_slice (array, 8, 100, &error);
  g_assert_cmpuint (g_variant_n_children (slice), ==, 2);
  g_clear_pointer (&slice, g_variant_unref);

  g_assert_true (fy_array_set_slice (array, 7, g_variant_new_parsed ("[int32 -1, -2, -3]"), &error));
  g_assert_cmpint (fy_array_get_int (array, 9), ==, -3);
  g_assert_false (fy_array_set_slice (array, 8, g_variant_new_parsed ("[int32 1, 2, 3]"), &error));
  g_assert_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (fy_array_get_ints (array, 5, 6, ints, &error));
  g_assert_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  /* Doubles into an int array truncate, like ctypes. */
  g_assert_true (fy_array_set_doubles (array, 0, 3, doubles, &error));
  g_assert_cmpint (fy_array_get_int (array, 0), ==, 1);
  g_assert_cmpint (fy_array_get_int (array, 1), ==, -2);
  g_assert_cmpint (fy_array_get_int (array, 2), ==, 3);
}

static void
test_array_chars (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyArray) name = fy_array_new (NULL, FY_VALUE_TYPE_CHAR, 8, FALSE, NULL);
  g_autoptr(GVariant) slice = NULL;
  const char *text = "John Doe";
  gsize length;

  for (gsize i = 0; i < 8; i++)
    fy_array_set_int (name, i, text[i]);
  slice = fy_array_get_slice (name, 0, 8, &error);
  g_assert_cmpstr (g_variant_get_type_string (slice), ==, "ay");
  g_assert_cmpmem (g_variant_get_fixed_array (slice, &length, 1), 8, text, 8);
  g_assert_null (fy_array_get_lock (name));
}

/* The seed: Array ('d', [1, 2, 3, 4]) doubled by a child. */
static void
test_seed_array_doubled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyArray) array = fy_array_new ("seed-array", FY_VALUE_TYPE_DOUBLE, 4, TRUE, NULL);
  g_autoptr(FyProcess) child = NULL;
  const double start[4] = { 1, 2, 3, 4 };
  double end[4];

  g_assert_true (fy_array_set_doubles (array, 0, 4, start, &error));
  child = fy_test_spawn ("ipc-array-update", g_variant_new ("(sd)", "scale", 2.0), fy_array_get_fd (array), -1);
  fy_test_join_ok (child);
  g_assert_true (fy_array_get_doubles (array, 0, 4, end, &error));
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat (end[i], ==, 2 * start[i]);
}

/* The seed: two processes add 1 to a Value 1000 times, two add 1 to every
 * element of Array ('i', [0, 1, 2, 3, 4]) → 2000 and [2, 3, 4, 5, 6]. */
static void
test_seed_value_and_array (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyValue) value = fy_value_new (NULL, FY_VALUE_TYPE_INT32, TRUE, NULL);
  g_autoptr(FyArray) array = fy_array_new (NULL, FY_VALUE_TYPE_INT32, 5, TRUE, NULL);
  const gint64 start[5] = { 0, 1, 2, 3, 4 };
  gint64 end[5];
  FyProcess *processes[4];

  g_assert_true (fy_array_set_ints (array, 0, 5, start, &error));
  for (guint i = 0; i < 2; i++)
    {
      processes[i] = fy_test_spawn ("ipc-increment", g_variant_new ("(ub)", 1000, TRUE),
                            fy_value_get_fd (value), -1);
      processes[2 + i] = fy_test_spawn ("ipc-array-update", g_variant_new ("(sd)", "add", 1.0),
                                fy_array_get_fd (array), -1);
    }
  for (guint i = 0; i < 4; i++)
    {
      fy_test_join_ok (processes[i]);
      g_object_unref (processes[i]);
    }
  g_assert_cmpint (fy_value_get_int (value), ==, 2000);
  g_assert_true (fy_array_get_ints (array, 0, 5, end, &error));
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (end[i], ==, start[i] + 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/value/type-codes", test_type_codes);
  g_test_add_func ("/core/value/types", test_value_types);
  g_test_add_func ("/core/value/lock", test_value_lock);
  g_test_add_func ("/core/value/from-child", test_value_from_child);
  g_test_add_func ("/core/array/access", test_array_access);
  g_test_add_func ("/core/array/chars", test_array_chars);
  g_test_add_func ("/core/array/seed-doubled", test_seed_array_doubled);
  g_test_add_func ("/core/array/seed-value-and-array", test_seed_value_and_array);

  return g_test_run ();
}
