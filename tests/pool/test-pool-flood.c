/* test-pool-flood.c: many small chunks both ways, from one thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pool sends chunks while its workers send results. Were the parent
 * to wait for room in a worker's full socket while that worker waits for
 * room in the parent's, neither would ever read again: these runs would
 * hang (meson's timeout is the guard). Tiny tasks make many messages; the
 * several-KiB results of "pool.blob" fill the socket buffers within a few
 * dozen tasks. Every result must arrive exactly once.
 */

#include "config.h"

#include "test-pool-common.h"

#define N_TINY   100000
#define N_BLOB   10000
#define BLOB_SIZE 6000

typedef enum
{
  CALL_MAP,
  CALL_IMAP_UNORDERED,
  CALL_APPLY_ASYNC,
} Call;

typedef struct
{
  gboolean blob;
  Call     call;
  int      chunksize;
} FloodCase;

/* Whose result @value is: the input it was computed from. */
static guint
input_of (const FloodCase *flood,
          GVariant        *value,
          guint            n)
{
  if (!flood->blob)
    {
      gint64 square;
      gint64 root = 0;
      gint64 high = n;

      g_assert_cmpstr (g_variant_get_type_string (value), ==, "x");
      square = g_variant_get_int64 (value);
      /* The largest root whose square is at most @square. */
      while (root < high)
        {
          gint64 mid = (root + high + 1) / 2;

          if (mid * mid <= square)
            root = mid;
          else
            high = mid - 1;
        }
      g_assert_cmpint (root * root, ==, square);
      g_assert_cmpint (root, <, n);
      return (guint) root;
    }
  else
    {
      gsize size = 0;
      const guint8 *bytes;
      guint32 index;

      g_assert_cmpstr (g_variant_get_type_string (value), ==, "ay");
      bytes = g_variant_get_fixed_array (value, &size, 1);
      g_assert_cmpuint (size, ==, BLOB_SIZE);
      index = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | ((guint32) bytes[3] << 24);
      g_assert_cmpuint (index, <, n);
      g_assert_cmpuint (bytes[4], ==, (index + 4) % 251);
      g_assert_cmpuint (bytes[size - 1], ==, (index + size - 1) % 251);
      return index;
    }
}

static GVariant *
inputs (const FloodCase *flood,
        guint            n)
{
  GVariantBuilder builder;

  if (!flood->blob)
    return range_variant (n);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(uu)"));
  for (guint i = 0; i < n; i++)
    g_variant_builder_add (&builder, "(uu)", i, (guint32) BLOB_SIZE);
  return g_variant_builder_end (&builder);
}

typedef struct
{
  const FloodCase *flood;
  guint            n;
  guint8          *seen;
  guint            n_seen;
} Tally;

static void
tally (Tally    *t,
       GVariant *value)
{
  guint input = input_of (t->flood, value, t->n);

  g_assert_cmpuint (t->seen[input], ==, 0);
  t->seen[input] = 1;
  t->n_seen++;
}

static void
result_cb (GVariant *result,
           gpointer  user_data)
{
  tally (user_data, result);
}

static void
error_cb (const GError *error,
          gpointer      user_data)
{
  g_assert_no_error (error);
}

static void
test_flood (gconstpointer data)
{
  const FloodCase *flood = data;
  guint n = flood->blob ? N_BLOB : N_TINY;
  const char *function = flood->blob ? "pool.blob" : "square";
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *seen = g_new0 (guint8, n);
  Tally t = { flood, n, seen, 0 };

  switch (flood->call)
    {
    case CALL_MAP:
      {
        g_autoptr(GVariant) results = fy_pool_map (pool, function, inputs (flood, n), flood->chunksize, &error);

        g_assert_no_error (error);
        g_assert_cmpuint (fy_pool_results_length (results), ==, n);
        for (guint i = 0; i < n; i++)
          {
            g_autoptr(GVariant) item = fy_pool_results_get (results, i);

            /* In input order. */
            g_assert_cmpuint (input_of (flood, item, n), ==, i);
            tally (&t, item);
          }
        break;
      }

    case CALL_IMAP_UNORDERED:
      {
        g_autoptr(FyFutureIter) iter = fy_pool_imap_unordered (pool, function, inputs (flood, n),
                                                               flood->chunksize, &error);
        GVariant *result = NULL;

        g_assert_no_error (error);
        while (fy_future_iter_next_result (iter, -1, &result, &error))
          {
            tally (&t, result);
            g_variant_unref (result);
          }
        g_assert_no_error (error);
        break;
      }

    case CALL_APPLY_ASYNC:
      {
        g_autoptr(GVariant) arguments = inputs (flood, n);
        g_autoptr(GPtrArray) futures = g_ptr_array_new_with_free_func (g_object_unref);

        g_variant_ref_sink (arguments);
        for (guint i = 0; i < n; i++)
          {
            /* A full reference: apply_async sinks floating ones only. */
            g_autoptr(GVariant) argument = g_variant_get_child_value (arguments, i);
            FyFuture *future = fy_pool_apply_async (pool, function, argument,
                                                    result_cb, error_cb, &t, NULL, &error);

            g_assert_no_error (error);
            g_ptr_array_add (futures, future);
          }
        for (guint i = 0; i < n; i++)
          {
            g_assert_true (fy_future_wait (g_ptr_array_index (futures, i), -1));
            g_assert_cmpint (fy_future_get_state (g_ptr_array_index (futures, i)), ==, FY_FUTURE_STATE_DONE);
          }
        break;
      }
    }

  g_assert_cmpuint (t.n_seen, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (seen[i], ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  static FloodCase cases[2 * 7];
  static const int chunksizes[] = { 1, 10, 100 };
  guint n_cases = 0;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint b = 0; b < 2; b++)
    {
      for (guint c = 0; c < G_N_ELEMENTS (chunksizes); c++)
        {
          cases[n_cases++] = (FloodCase) { b == 1, CALL_MAP, chunksizes[c] };
          cases[n_cases++] = (FloodCase) { b == 1, CALL_IMAP_UNORDERED, chunksizes[c] };
        }
      cases[n_cases++] = (FloodCase) { b == 1, CALL_APPLY_ASYNC, 0 };
    }
  for (guint i = 0; i < n_cases; i++)
    {
      g_autofree char *path = NULL;

      if (cases[i].call == CALL_APPLY_ASYNC)
        path = g_strdup_printf ("/pool/flood/%s/apply-async", cases[i].blob ? "blob" : "tiny");
      else
        path = g_strdup_printf ("/pool/flood/%s/%s/chunksize-%d", cases[i].blob ? "blob" : "tiny",
                                cases[i].call == CALL_MAP ? "map" : "imap-unordered", cases[i].chunksize);
      g_test_add_data_func (path, &cases[i], test_flood);
    }

  return g_test_run ();
}
