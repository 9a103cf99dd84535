/* test-dict.c: the Manager dict and list, in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Python's dict and list semantics for the operations offered, the fixed
 * capacity (compaction first, then a clear FULL error), a child's sets and
 * gets, a writer killed inside its sets, and the seed's Manager example
 * across processes.
 */

#include "config.h"

#include <string.h>

#include "core/fy-dict.h"
#include "core/fy-list.h"
#include "core/fy-value.h"

#include "fy-test-process.h"

static gint64
get_int (FyDict     *dict,
         const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = fy_dict_get (dict, key, &error);

  g_assert_no_error (error);
  return g_variant_get_int64 (value);
}

static void
test_dict_basics (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyDict) dict = fy_dict_new (NULL, 0, &error);
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) all = NULL;
  g_auto(GStrv) keys = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 0);
  g_assert_null (fy_dict_get (dict, "missing", &error));
  g_assert_error (error, FY_DICT_ERROR, FY_DICT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (fy_dict_set (dict, "status", g_variant_new_string ("in progress"), &error));
  g_assert_true (fy_dict_set (dict, "n", g_variant_new_int64 (1), &error));
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 2);
  g_assert_true (fy_dict_contains (dict, "n"));
  g_assert_false (fy_dict_contains (dict, "m"));

  /* Overwriting keeps the size. */
  g_assert_true (fy_dict_set (dict, "status", g_variant_new_string ("completed"), &error));
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 2);
  value = fy_dict_get (dict, "status", &error);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "completed");

  g_assert_true (fy_dict_remove (dict, "n", &error));
  g_assert_false (fy_dict_remove (dict, "n", &error));
  g_assert_error (error, FY_DICT_ERROR, FY_DICT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 1);

  g_assert_true (fy_dict_set (dict, "", g_variant_new_parsed ("{'nested': <[1, 2]>}"), &error));
  keys = fy_dict_get_keys (dict);
  g_assert_cmpuint (g_strv_length (keys), ==, 2);
  g_assert_cmpstr (keys[0], ==, "");
  g_assert_cmpstr (keys[1], ==, "status");
  all = fy_dict_to_variant (dict);
  g_assert_cmpuint (g_variant_n_children (all), ==, 2);

  fy_dict_clear (dict);
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 0);
  g_assert_false (fy_dict_contains (dict, "status"));
}

static void
test_dict_many_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyDict) dict = fy_dict_new (NULL, 256 * 1024, &error);

  for (gint64 i = 0; i < 2000; i++)
    {
      g_autofree char *key = g_strdup_printf ("key-%" G_GINT64_FORMAT, i);

      g_assert_true (fy_dict_set (dict, key, g_variant_new_int64 (i), &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 2000);
  for (gint64 i = 0; i < 2000; i += 2)
    {
      g_autofree char *key = g_strdup_printf ("key-%" G_GINT64_FORMAT, i);

      g_assert_true (fy_dict_remove (dict, key, &error));
    }
  for (gint64 i = 1; i < 2000; i += 2)
    {
      g_autofree char *key = g_strdup_printf ("key-%" G_GINT64_FORMAT, i);

      g_assert_cmpint (get_int (dict, key), ==, i);
    }
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 1000);
}

/* Rewriting the same keys fills the log; compaction makes room until the
 * live data itself does not fit, which is a FULL error, not corruption. */
static void
test_dict_capacity (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyDict) dict = fy_dict_new (NULL, 4096, &error);
  g_autoptr(GVariant) snapshot = NULL;
  guint64 compactions = 0;
  guint i;

  for (i = 0; i < 10000; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i % 10);

      g_assert_true (fy_dict_set (dict, key, g_variant_new_int64 (i), &error));
    }
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 10);
  for (i = 0; i < 10; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);

      g_assert_cmpint (get_int (dict, key), ==, 9990 + i);
    }
  snapshot = fy_shm_snapshot (fy_dict_get_shm (dict));
  g_assert_true (g_variant_lookup (snapshot, "compactions", "t", &compactions));
  g_assert_cmpuint (compactions, >, 0);

  for (i = 0;; i++)
    {
      g_autofree char *key = g_strdup_printf ("fill-%u", i);

      if (!fy_dict_set (dict, key, g_variant_new_int64 (i), &error))
        break;
      g_assert_cmpuint (i, <, 4096);
    }
  g_assert_error (error, FY_DICT_ERROR, FY_DICT_ERROR_FULL);
  g_clear_error (&error);
  /* Everything stored before is intact. */
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 10 + i);
  g_assert_cmpint (get_int (dict, "k3"), ==, 9993);
  g_assert_cmpint (get_int (dict, "fill-0"), ==, 0);
  /* Removing makes room again. */
  g_assert_true (fy_dict_remove (dict, "fill-0", &error));
  g_assert_true (fy_dict_set (dict, "again", g_variant_new_int64 (1), &error));
  g_assert_no_error (error);
}

static void
test_list_basics (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyList) list = fy_list_new (NULL, 0, 0, &error);
  g_autoptr(GVariant) item = NULL;
  g_autoptr(GVariant) all = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (fy_list_get_length (list), ==, 0);
  g_assert_null (fy_list_get (list, 0, &error));
  g_assert_error (error, FY_LIST_ERROR, FY_LIST_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  for (gint64 i = 0; i < 5; i++)
    g_assert_true (fy_list_append (list, g_variant_new_int64 (i), &error));
  g_assert_cmpuint (fy_list_get_length (list), ==, 5);
  item = fy_list_get (list, -1, &error);
  g_assert_cmpint (g_variant_get_int64 (item), ==, 4);
  g_clear_pointer (&item, g_variant_unref);

  g_assert_true (fy_list_set (list, 1, g_variant_new_string ("one"), &error));
  item = fy_list_get (list, 1, &error);
  g_assert_cmpstr (g_variant_get_string (item, NULL), ==, "one");
  g_clear_pointer (&item, g_variant_unref);
  g_assert_false (fy_list_set (list, 5, g_variant_new_int64 (0), &error));
  g_assert_error (error, FY_LIST_ERROR, FY_LIST_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  /* pop () from the end and from the middle. */
  item = fy_list_pop (list, -1, &error);
  g_assert_cmpint (g_variant_get_int64 (item), ==, 4);
  g_clear_pointer (&item, g_variant_unref);
  item = fy_list_pop (list, 0, &error);
  g_assert_cmpint (g_variant_get_int64 (item), ==, 0);
  g_clear_pointer (&item, g_variant_unref);
  g_assert_cmpuint (fy_list_get_length (list), ==, 3);
  all = fy_list_to_variant (list);
  g_assert_cmpstr (g_variant_get_type_string (all), ==, "av");
  {
    g_autofree char *text = g_variant_print (all, FALSE);

    g_assert_cmpstr (text, ==, "[<'one'>, <int64 2>, <int64 3>]");
  }

  fy_list_clear (list);
  g_assert_cmpuint (fy_list_get_length (list), ==, 0);
}

static void
test_list_capacity (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyList) list = fy_list_new (NULL, 8, 4096, &error);
  g_autoptr(GVariant) item = NULL;

  for (gint64 i = 0; i < 8; i++)
    g_assert_true (fy_list_append (list, g_variant_new_int64 (i), &error));
  g_assert_false (fy_list_append (list, g_variant_new_int64 (8), &error));
  g_assert_error (error, FY_LIST_ERROR, FY_LIST_ERROR_FULL);
  g_clear_error (&error);

  /* Rewriting items fills the log, compaction makes room. */
  for (gint64 i = 0; i < 5000; i++)
    g_assert_true (fy_list_set (list, i % 8, g_variant_new_int64 (i), &error));
  item = fy_list_get (list, 7, &error);
  g_assert_cmpint (g_variant_get_int64 (item), ==, 4999);
}

/* The seed: four processes each set dict[id] = id · 10 and append id. */
static void
test_seed_manager (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyDict) dict = fy_dict_new ("seed-dict", 0, &error);
  g_autoptr(FyList) list = fy_list_new ("seed-list", 0, 0, &error);
  g_autoptr(GVariant) items = NULL;
  FyProcess *processes[4];
  gboolean seen[4] = { FALSE };

  for (gint64 i = 0; i < 4; i++)
    processes[i] = fy_test_spawn ("ipc-manager-worker", g_variant_new_int64 (i),
                          fy_dict_get_fd (dict), fy_list_get_fd (list), -1);
  for (guint i = 0; i < 4; i++)
    {
      fy_test_join_ok (processes[i]);
      g_object_unref (processes[i]);
    }

  g_assert_cmpuint (fy_dict_get_size (dict), ==, 4);
  g_assert_cmpint (get_int (dict, "0"), ==, 0);
  g_assert_cmpint (get_int (dict, "1"), ==, 10);
  g_assert_cmpint (get_int (dict, "2"), ==, 20);
  g_assert_cmpint (get_int (dict, "3"), ==, 30);

  /* The list holds 0..3, in whatever order the processes ran. */
  g_assert_cmpuint (fy_list_get_length (list), ==, 4);
  items = fy_list_to_variant (list);
  for (gsize i = 0; i < 4; i++)
    {
      g_autoptr(GVariant) boxed = g_variant_get_child_value (items, i);
      g_autoptr(GVariant) v = g_variant_get_variant (boxed);
      gint64 n = g_variant_get_int64 (v);

      g_assert_cmpint (n, >=, 0);
      g_assert_cmpint (n, <, 4);
      g_assert_false (seen[n]);
      seen[n] = TRUE;
    }
}

/* A child's sets and gets, checked by the child and the parent. */
static void
test_dict_from_child (void)
{
  g_autoptr(FyDict) dict = fy_dict_new (NULL, 0, NULL);
  g_autoptr(FyValue) elapsed = fy_value_new (NULL, FY_VALUE_TYPE_DOUBLE, FALSE, NULL);
  g_autoptr(FyProcess) child = NULL;

  child = fy_test_spawn ("ipc-dict-ops", g_variant_new_uint32 (5000),
                 fy_dict_get_fd (dict), fy_value_get_fd (elapsed), -1);
  fy_test_join_ok (child);
  g_assert_cmpuint (fy_dict_get_size (dict), ==, 1000);
  g_assert_cmpint (get_int (dict, "key-999"), ==, 4999);
  g_assert_cmpfloat (fy_value_get_double (elapsed), >, 0);
}

/* Every key holds a whole value: (seq, payload bytes all equal to seq). */
static void
check_dict (FyDict *dict,
            guint   payload)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = fy_dict_get_keys (dict);

  g_assert_cmpuint (g_strv_length (keys), ==, fy_dict_get_size (dict));
  g_assert_cmpuint (g_strv_length (keys), <=, 32);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = fy_dict_get (dict, keys[i], &error);
      g_autoptr(GVariant) bytes = NULL;
      const guint8 *data;
      gsize length;
      gint64 seq;

      g_assert_no_error (error);
      g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE ("(xay)")));
      g_variant_get (value, "(x@ay)", &seq, &bytes);
      g_assert_cmpint (seq % 32, ==, g_ascii_strtoll (keys[i] + 1, NULL, 10));
      data = g_variant_get_fixed_array (bytes, &length, 1);
      g_assert_cmpuint (length, ==, payload);
      for (gsize j = 0; j < length; j++)
        if (data[j] != (guint8) (seq & 0xff))
          g_assert_cmpuint (data[j], ==, (guint8) (seq & 0xff));
    }
}

/* A writer SIGKILLed 20 times inside a set (stopped at random moments
 * until caught holding the lock), while its sets keep filling and
 * compacting the log: the dict stays whole and usable. */
static void
test_dict_killed_mid_set (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyDict) dict = fy_dict_new (NULL, 256 * 1024, &error);
  const guint payload = 2000;

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(FyProcess) writer = NULL;
      g_autoptr(GVariant) snapshot = NULL;
      guint32 recoveries = 0;
      gint64 start;
      GPid pid;
      int code = 0;

      writer = fy_test_spawn ("ipc-dict-flood", g_variant_new_uint32 (payload), fy_dict_get_fd (dict), -1);
      pid = fy_process_get_pid (writer);
      start = g_get_monotonic_time ();
      for (;;)
        {
          g_assert_cmpfloat (fy_test_seconds_since (start), <, 120);
          g_usleep (g_test_rand_int_range (20, 400));
          g_assert_true (fy_process_stop (writer, &error));
          while (fy_test_proc_state (pid) != 'T')
            {
              g_assert_cmpfloat (fy_test_seconds_since (start), <, 120);
              g_usleep (50);
            }
          if (fy_shm_get_holder_pid (fy_dict_get_shm (dict)) == pid)
            break;
          g_assert_true (fy_process_continue (writer, &error));
        }
      g_assert_true (fy_process_kill (writer, &error));
      g_assert_true (fy_process_join (writer, 30, &error));
      g_assert_true (fy_process_get_exitcode (writer, &code));
      g_assert_cmpint (code, ==, -9);

      check_dict (dict, payload);
      snapshot = fy_shm_snapshot (fy_dict_get_shm (dict));
      g_assert_true (g_variant_lookup (snapshot, "recoveries", "u", &recoveries));
      g_assert_cmpuint (recoveries, ==, round + 1);
    }
  g_assert_true (fy_dict_set (dict, "after", g_variant_new_int64 (1), &error));
  g_assert_no_error (error);
  g_assert_cmpint (get_int (dict, "after"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/dict/basics", test_dict_basics);
  g_test_add_func ("/core/dict/many-keys", test_dict_many_keys);
  g_test_add_func ("/core/dict/capacity", test_dict_capacity);
  g_test_add_func ("/core/dict/from-child", test_dict_from_child);
  g_test_add_func ("/core/dict/seed-manager", test_seed_manager);
  g_test_add_func ("/core/dict/killed-mid-set", test_dict_killed_mid_set);
  g_test_add_func ("/core/list/basics", test_list_basics);
  g_test_add_func ("/core/list/capacity", test_list_capacity);

  return g_test_run ();
}
