/* test-workloads-compute.c: fib, sumsq and sleep, called directly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-workload.h"
#include "fy-workload-error.h"

#include "fy-test-workloads.h"

/* OEIS A000045, F(0) to F(92), written out rather than computed, so the
 * table checks the code instead of repeating it. */
static const gint64 fib_known[93] = {
  0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597,
  2584, 4181, 6765, 10946, 17711, 28657, 46368, 75025, 121393, 196418,
  317811, 514229, 832040, 1346269, 2178309, 3524578, 5702887, 9227465,
  14930352, 24157817, 39088169, 63245986, 102334155, 165580141, 267914296,
  433494437, 701408733, 1134903170, 1836311903, 2971215073, 4807526976,
  7778742049, 12586269025, 20365011074, 32951280099, 53316291173,
  86267571272, 139583862445, 225851433717, 365435296162, 591286729879,
  956722026041, 1548008755920, 2504730781961, 4052739537881, 6557470319842,
  10610209857723, 17167680177565, 27777890035288, 44945570212853,
  72723460248141, 117669030460994, 190392490709135, 308061521170129,
  498454011879264, 806515533049393, 1304969544928657, 2111485077978050,
  3416454622906707, 5527939700884757, 8944394323791464, 14472334024676221,
  23416728348467685, 37889062373143906, 61305790721611591, 99194853094755497,
  160500643816367088, 259695496911122585, 420196140727489673,
  679891637638612258, 1100087778366101931, 1779979416004714189,
  2880067194370816120, 4660046610375530309, 7540113804746346429,
};

/* The naive recursion is exponential: this is as far as it finishes in
 * well under a second, even on a loaded machine. */
#define FIB_NAIVE_CHECK_MAX 30

static void
test_registry (void)
{
  static const char *const names[] = { "fib", "sumsq", "sleep", "hash", "resize" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const FyWorkloadInfo *info = fy_workload_lookup (names[i]);

      g_assert_nonnull (info);
      g_assert_cmpstr (info->name, ==, names[i]);
      g_assert_true (g_variant_type_string_is_valid (info->argument_type));
      g_assert_true (g_variant_type_string_is_valid (info->result_type));
      g_assert_nonnull (info->summary);
    }
}

static void
test_fib_known (void)
{
  /* The table itself: each entry the sum of the two before, and F(93)
   * no longer fits 64 bits, which is why 92 is the limit. */
  for (guint i = 2; i < G_N_ELEMENTS (fib_known); i++)
    g_assert_cmpint (fib_known[i], ==, fib_known[i - 1] + fib_known[i - 2]);
  g_assert_true ((__int128) fib_known[91] + fib_known[92] > G_MAXINT64);

  for (gint64 n = 0; n <= FIB_NAIVE_CHECK_MAX; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) result = fy_test_run_workload ("fib", g_variant_new_int64 (n), &error);

      g_assert_no_error (error);
      g_assert_cmpint (g_variant_get_int64 (result), ==, fib_known[n]);
    }
}

static void
test_fib_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;

  result = fy_test_run_workload ("fib", g_variant_new_int64 (93), &error);
  g_assert_null (result);
  g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_OVERFLOW);
  g_assert_nonnull (strstr (error->message, "92"));
  g_clear_error (&error);

  result = fy_test_run_workload ("fib", g_variant_new_int64 (G_MAXINT64), &error);
  g_assert_null (result);
  g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_OVERFLOW);
  g_clear_error (&error);

  result = fy_test_run_workload ("fib", g_variant_new_int64 (-1), &error);
  g_assert_null (result);
  g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
}

static char *
u128_decimal (unsigned __int128 v)
{
  char buffer[64];
  int pos = sizeof buffer - 1;

  buffer[pos] = '\0';
  do
    {
      buffer[--pos] = '0' + (int) (v % 10);
      v /= 10;
    }
  while (v > 0);
  return g_strdup (buffer + pos);
}

static void
test_sumsq_exact (void)
{
  static const gint64 ns[] = { 0, 1, 2, 3, 10, 1000, 65536, 1000000, 12345678,
                               100000000 };

  for (guint i = 0; i < G_N_ELEMENTS (ns); i++)
    {
      unsigned __int128 n = (unsigned __int128) ns[i];
      /* The closed form; n (n - 1) (2n - 1) is always divisible by 6. */
      unsigned __int128 expected = n == 0 ? 0 : n * (n - 1) * (2 * n - 1) / 6;
      g_autofree char *expected_text = u128_decimal (expected);
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) result = fy_test_run_workload ("sumsq", g_variant_new_int64 (ns[i]), &error);

      g_assert_no_error (error);
      g_assert_cmpstr (g_variant_get_string (result, NULL), ==, expected_text);
    }
}

static void
test_sumsq_python_values (void)
{
  /* What Python's sum(i*i for i in range(n)) prints. */
  static const struct { gint64 n; const char *sum; } known[] = {
    { 5, "30" },
    { 1000000, "333332833333500000" },
    { 1000000000, "333333332833333333500000000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) result = fy_test_run_workload ("sumsq", g_variant_new_int64 (known[i].n), &error);

      g_assert_no_error (error);
      g_assert_cmpstr (g_variant_get_string (result, NULL), ==, known[i].sum);
    }
}

static void
test_sumsq_invalid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = fy_test_run_workload ("sumsq", g_variant_new_int64 (-5), &error);

  g_assert_null (result);
  g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
}

static void
test_sleep_duration (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  result = fy_test_run_workload ("sleep", g_variant_new_uint32 (100), &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint32 (result), ==, 100);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2.0);
}

/* Every typed entry point computes what its GVariant one does, errors
 * included: a map over packed numbers must not change the answer. */
static void
test_number_entry_points (void)
{
  static const gint64 ints[] = { G_MININT64, -93, -1, 0, 1, 2, 10, 30, 92, 93, 3037000499, 3037000500, G_MAXINT64 };
  static const double doubles[] = { -1.0, -0.0, 0.0, 0.25, 2.0, 1e300, G_MAXDOUBLE };
  g_autoptr(GPtrArray) all = fy_workload_list_all ();
  guint n_typed = 0;

  for (guint w = 0; w < all->len; w++)
    {
      const FyWorkloadInfo *info = g_ptr_array_index (all, w);
      gboolean is_double = info->argument_type != NULL && g_str_equal (info->argument_type, "d");

      if (info->number_func == NULL)
        {
          g_assert_false (fy_workload_takes_numbers (info, "x"));
          continue;
        }
      n_typed++;
      g_assert_true (g_str_equal (info->argument_type, "x") || is_double);
      g_assert_true (g_str_equal (info->result_type, "x") || g_str_equal (info->result_type, "d"));
      g_assert_true (fy_workload_takes_numbers (info, info->argument_type));
      g_assert_false (fy_workload_takes_numbers (info, is_double ? "x" : "d"));
      /* Workloads that sleep take milliseconds: small ones only. */
      if (g_str_has_prefix (info->name, "pool.sleep"))
        continue;

      for (guint i = 0; i < (is_double ? G_N_ELEMENTS (doubles) : G_N_ELEMENTS (ints)); i++)
        {
          FyWorkloadNumber argument;
          FyWorkloadNumber typed = { 0 };
          g_autoptr(GError) typed_error = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(GVariant) result = NULL;
          gboolean ok;

          /* fib's naive recursion: only the cheap ones and the limits. */
          if (g_str_equal (info->name, "fib") && ints[i] > 30 && ints[i] <= 92)
            continue;
          if (is_double)
            argument.d = doubles[i];
          else
            argument.x = ints[i];
          ok = info->number_func (argument, &typed, &typed_error);
          result = fy_test_run_workload (info->name, is_double ? g_variant_new_double (argument.d)
                                                               : g_variant_new_int64 (argument.x), &error);
          g_assert_cmpint (ok, ==, result != NULL);
          if (!ok)
            {
              g_assert_nonnull (typed_error);
              g_assert_error (error, typed_error->domain, typed_error->code);
              g_assert_cmpstr (error->message, ==, typed_error->message);
              continue;
            }
          g_assert_no_error (typed_error);
          if (g_str_equal (info->result_type, "x"))
            g_assert_cmpint (typed.x, ==, g_variant_get_int64 (result));
          else
            g_assert_cmpmem (&typed.d, sizeof typed.d, &(double) { g_variant_get_double (result) }, sizeof (double));
        }
    }
  /* square, fib, sqrt and the pool's typed sleep at least. */
  g_assert_cmpuint (n_typed, >=, 4);
  g_assert_nonnull (fy_workload_lookup ("square")->number_func);
  g_assert_nonnull (fy_workload_lookup ("fib")->number_func);
  g_assert_nonnull (fy_workload_lookup ("sqrt")->number_func);
}

/* sqrt, typed: Python's math.sqrt, a domain error below 0. */
static void
test_sqrt (void)
{
  const FyWorkloadInfo *info = fy_workload_lookup ("sqrt");
  FyWorkloadNumber result = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (info->number_func ((FyWorkloadNumber) { .d = 2.25 }, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (result.d, ==, 1.5);
  g_assert_false (info->number_func ((FyWorkloadNumber) { .d = -4.0 }, &result, &error));
  g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "domain"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/workloads/registry", test_registry);
  g_test_add_func ("/workloads/fib/known", test_fib_known);
  g_test_add_func ("/workloads/fib/limits", test_fib_limits);
  g_test_add_func ("/workloads/sumsq/exact", test_sumsq_exact);
  g_test_add_func ("/workloads/sumsq/python-values", test_sumsq_python_values);
  g_test_add_func ("/workloads/sumsq/invalid", test_sumsq_invalid);
  g_test_add_func ("/workloads/sleep/duration", test_sleep_duration);
  g_test_add_func ("/workloads/number/entry-points", test_number_entry_points);
  g_test_add_func ("/workloads/number/sqrt", test_sqrt);

  return g_test_run ();
}
