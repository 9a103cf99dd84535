/* test-history.c: FyHistory keeps the newest values, oldest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "fy-history.h"

/* Reads every value through the zero-copy spans. */
static GArray *
collect (FyHistory *history)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));
  const double *first, *second;
  guint n_first, n_second;

  fy_history_peek (history, &first, &n_first, &second, &n_second);
  if (n_first > 0)
    g_array_append_vals (out, first, n_first);
  if (n_second > 0)
    g_array_append_vals (out, second, n_second);

  return out;
}

static void
test_push_and_wrap (void)
{
  g_autoptr(FyHistory) history = fy_history_new (4);
  g_autoptr(GArray) values = NULL;
  const double *first, *second;
  guint n_first, n_second;

  g_assert_cmpuint (fy_history_get_capacity (history), ==, 4);
  g_assert_cmpuint (fy_history_get_length (history), ==, 0);
  g_assert_true (isnan (fy_history_get_newest (history)));
  fy_history_peek (history, &first, &n_first, &second, &n_second);
  g_assert_cmpuint (n_first + n_second, ==, 0);

  for (guint i = 1; i <= 3; i++)
    fy_history_push (history, i);
  g_assert_cmpuint (fy_history_get_length (history), ==, 3);
  fy_history_peek (history, &first, &n_first, &second, &n_second);
  g_assert_cmpuint (n_first, ==, 3);
  g_assert_cmpuint (n_second, ==, 0);
  g_assert_null (second);

  /* 1..7 into 4 slots: 4, 5, 6, 7 remain, split across the end. */
  for (guint i = 4; i <= 7; i++)
    fy_history_push (history, i);
  g_assert_cmpuint (fy_history_get_length (history), ==, 4);
  fy_history_peek (history, &first, &n_first, &second, &n_second);
  g_assert_cmpuint (n_first, ==, 1);
  g_assert_cmpuint (n_second, ==, 3);

  values = collect (history);
  g_assert_cmpuint (values->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpfloat (g_array_index (values, double, i), ==, 4.0 + i);
      g_assert_cmpfloat (fy_history_get (history, i), ==, 4.0 + i);
    }
  g_assert_cmpfloat (fy_history_get_newest (history), ==, 7.0);

  /* The spans point into the buffer itself: no copy was made. */
  g_assert_true (second + 3 == first);
}

static void
test_capacity (void)
{
  g_autoptr(FyHistory) history = fy_history_new (FY_HISTORY_DEFAULT_CAPACITY);

  g_assert_cmpuint (fy_history_get_capacity (history), ==, 120);

  for (guint i = 0; i < 1000; i++)
    fy_history_push (history, i);
  g_assert_cmpuint (fy_history_get_length (history), ==, 120);
  g_assert_cmpfloat (fy_history_get (history, 0), ==, 880.0);

  /* Growing keeps everything; later pushes fill the new room. */
  fy_history_set_capacity (history, FY_HISTORY_MAX_CAPACITY);
  g_assert_cmpuint (fy_history_get_length (history), ==, 120);
  g_assert_cmpfloat (fy_history_get (history, 0), ==, 880.0);
  g_assert_cmpfloat (fy_history_get_newest (history), ==, 999.0);
  for (guint i = 1000; i < 1600; i++)
    fy_history_push (history, i);
  g_assert_cmpuint (fy_history_get_length (history), ==, 600);
  g_assert_cmpfloat (fy_history_get (history, 0), ==, 1000.0);

  /* Shrinking keeps the newest. */
  fy_history_set_capacity (history, 3);
  g_assert_cmpuint (fy_history_get_length (history), ==, 3);
  g_assert_cmpfloat (fy_history_get (history, 0), ==, 1597.0);
  g_assert_cmpfloat (fy_history_get (history, 2), ==, 1599.0);

  fy_history_push (history, NAN);
  g_assert_true (isnan (fy_history_get_newest (history)));
  g_assert_cmpfloat (fy_history_get (history, 0), ==, 1598.0);

  fy_history_clear (history);
  g_assert_cmpuint (fy_history_get_length (history), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/monitor/history/push-and-wrap", test_push_and_wrap);
  g_test_add_func ("/monitor/history/capacity", test_capacity);

  return g_test_run ();
}
