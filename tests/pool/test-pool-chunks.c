/* test-pool-chunks.c: map chunks, their items, and workers killed inside them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A chunk's items finished before its worker died are never run again: the
 * kill tests run "pool.sleep-pid", whose result is the pid of the worker
 * that ran the item, so an item run twice would show the replacement's pid.
 */

#include "config.h"

#include <gio/gio.h>

#include "core/fy-pool-private.h"
#include "workloads/fy-workload-error.h"
#include "test-pool-common.h"

typedef struct
{
  guint     calls;
  GVariant *results;
  GError   *error;
} MapOutcome;

static void
map_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MapOutcome *outcome = user_data;

  outcome->calls++;
  outcome->results = fy_pool_map_finish (FY_POOL (source), result, &outcome->error);
}

static gboolean
check_map_done (gpointer data)
{
  return ((MapOutcome *) data)->calls > 0;
}

static gboolean
check_two_settled (gpointer data)
{
  return fy_future_get_n_items_settled (data) >= 2;
}

typedef struct
{
  FyFuture *chunk;
  guint     k;
} KillAt;

/* The chunk's worker runs it and has logged exactly k finished items. */
static gboolean
check_k_done (gpointer data)
{
  KillAt *at = data;
  FyPoolWorker *worker = at->chunk->holder;

  if (worker == NULL || worker->shared == NULL
      || __atomic_load_n (&worker->shared->map_item, __ATOMIC_ACQUIRE) == 0)
    return FALSE;
  /* Items settled by progress messages count too (a small log). */
  return __atomic_load_n (&worker->shared->log_done, __ATOMIC_ACQUIRE) == at->k;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  FyCrashPolicy policy;
  guint         k;
  guint         n;
  guint         log_limit;
  gboolean      typed;      /* "pool.sleep-pid-x" over an "ax": the typed path */
} KillCase;

/* The pid a result of either kill workload names. */
static gint64
result_pid (GVariant *result)
{
  return g_variant_is_of_type (result, G_VARIANT_TYPE_INT64) ? g_variant_get_int64 (result)
                                                            : g_variant_get_int32 (result);
}

static void
test_kill_after_k (gconstpointer data)
{
  const KillCase *kc = data;
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) chunk = NULL;
  g_autofree guint32 *ms = g_new (guint32, kc->n);
  g_autofree gint64 *ms_x = g_new (gint64, kc->n);
  g_autofree char *named = NULL;
  MapOutcome outcome = { 0 };
  FyPoolWorker *worker;
  KillAt at;
  GPid killed;
  guint tick;

  g_assert_true (fy_pool_set_n_workers (pool, 1, &error));
  fy_pool_set_crash_policy (pool, kc->policy, 1);
  g_assert_true (fy_pool_start (pool, &error));
  fy_pool_set_log_limit (pool, kc->log_limit);

  /* Item k is long enough to be killed in; the others are short. */
  for (guint i = 0; i < kc->n; i++)
    ms_x[i] = ms[i] = i == kc->k ? 1000 : 2;
  if (kc->typed)
    fy_pool_map_async (pool, "pool.sleep-pid-x",
                       g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ms_x, kc->n, sizeof (gint64)),
                       kc->n, NULL, map_done_cb, &outcome);
  else
    fy_pool_map_async (pool, "pool.sleep-pid",
                       g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, ms, kc->n, sizeof (guint32)),
                       kc->n, NULL, map_done_cb, &outcome);
  g_assert_cmpuint (g_list_model_get_n_items (fy_pool_get_tasks (pool)), ==, 1);
  chunk = g_list_model_get_item (fy_pool_get_tasks (pool), 0);
  g_assert_cmpuint (fy_future_get_n_items (chunk), ==, kc->n);

  at.chunk = chunk;
  at.k = kc->k;
  /* The log is shared memory, not an event: look at it every millisecond. */
  tick = g_timeout_add (1, tick_cb, NULL);
  g_assert_true (fy_future_wait_context (NULL, 30, check_k_done, &at));
  g_source_remove (tick);
  worker = chunk->holder;
  killed = fy_pool_worker_get_pid (worker);
  g_assert_true (fy_pool_worker_kill (worker, &error));
  g_assert_no_error (error);
  g_assert_true (fy_future_wait_context (NULL, 30, check_map_done, &outcome));
  g_assert_cmpuint (outcome.calls, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (fy_pool_get_tasks (pool)), ==, 1);

  /* Every item has its result or its error, once. */
  named = g_strdup_printf ("Item %u of the input", kc->k);
  for (guint i = 0; i < kc->n; i++)
    {
      g_autoptr(GError) item_error = NULL;
      g_autoptr(GVariant) result = NULL;
      gint64 started_at, finished_at;
      gboolean ok = fy_future_get_item_result (chunk, i, &result, &item_error);

      g_assert_true (fy_future_get_item_times (chunk, i, &started_at, &finished_at));
      g_assert_cmpint (started_at, >, 0);
      g_assert_cmpint (finished_at, >=, started_at);
      if (i == kc->k && kc->policy == FY_CRASH_POLICY_FAIL)
        {
          g_assert_false (ok);
          g_assert_error (item_error, FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
          g_assert_nonnull (strstr (item_error->message, named));
          g_assert_nonnull (strstr (item_error->message, "SIGKILL"));
          continue;
        }
      g_assert_no_error (item_error);
      g_assert_true (ok);
      /* Before the kill: run once, by the killed worker, never again. */
      g_assert_cmpstr (g_variant_get_type_string (result), ==, kc->typed ? "x" : "i");
      if (i < kc->k)
        g_assert_cmpint (result_pid (result), ==, killed);
      else
        g_assert_cmpint (result_pid (result), !=, killed);
    }

  if (kc->policy == FY_CRASH_POLICY_FAIL)
    {
      g_assert_null (outcome.results);
      g_assert_error (outcome.error, FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED);
      g_assert_nonnull (strstr (outcome.error->message, named));
      g_assert_cmpint (fy_future_get_state (chunk), ==, FY_FUTURE_STATE_FAILED);
      g_assert_null (fy_future_get_result_value (chunk));
      g_clear_error (&outcome.error);
    }
  else
    {
      g_assert_no_error (outcome.error);
      g_assert_cmpuint (fy_pool_results_length (outcome.results), ==, kc->n);
      for (guint i = 0; i < kc->n; i++)
        {
          g_autoptr(GVariant) item = fy_pool_results_get (outcome.results, i);

          g_assert_cmpint (result_pid (item) == killed, ==, i < kc->k);
        }
      g_assert_cmpint (fy_future_get_state (chunk), ==, FY_FUTURE_STATE_DONE);
      g_variant_unref (outcome.results);
    }
}

/* A chunk of long items reports them as they finish: while it runs, the
 * settled ones give their results and the others say they have not
 * finished; at the end every item is there once, in order. */
static void
test_settled_while_running (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(FyFuture) chunk = NULL;
  g_autoptr(GVariant) first = NULL;
  g_autoptr(GVariant) unsettled = NULL;
  MapOutcome outcome = { 0 };
  guint settled;

  fy_pool_map_async (pool, "sleep", repeat_u (150, 20), 20, NULL, map_done_cb, &outcome);
  chunk = g_list_model_get_item (fy_pool_get_tasks (pool), 0);
  g_assert_cmpuint (fy_future_get_n_items (chunk), ==, 20);
  g_assert_cmpuint (fy_future_get_n_items_settled (chunk), ==, 0);
  g_assert_true (fy_future_wait_context (NULL, hang_guard (30), check_two_settled, chunk));
  settled = fy_future_get_n_items_settled (chunk);
  g_assert_false (fy_future_is_finished (chunk));
  g_assert_cmpuint (settled, <, 20);
  g_assert_true (fy_future_get_item_result (chunk, 0, &first, &error));
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_false (fy_future_get_item_result (chunk, settled, &unsettled, &error));
  g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (fy_future_wait_context (NULL, hang_guard (30), check_map_done, &outcome));
  g_assert_no_error (outcome.error);
  g_assert_cmpuint (fy_pool_results_length (outcome.results), ==, 20);
  g_assert_cmpuint (fy_future_get_n_items_settled (chunk), ==, 20);
  g_variant_unref (outcome.results);
}

/* With a log of a few records, finished items reach the pool by progress
 * messages, and a chunk that is not killed still gives every result in
 * order, with the times of each. */
static void
test_small_log (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  g_autoptr(FyFuture) chunk = NULL;
  gint64 previous_end = 0;

  fy_pool_set_log_limit (pool, 64);
  results = fy_pool_map (pool, "square", range_variant (100), 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fy_pool_results_length (results), ==, 100);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (result_x (results, i), ==, (gint64) i * i);

  chunk = g_list_model_get_item (fy_pool_get_tasks (pool), 0);
  g_assert_cmpuint (fy_future_get_n_items (chunk), ==, 100);
  for (guint i = 0; i < 100; i++)
    {
      gint64 started_at, finished_at;

      g_assert_true (fy_future_get_item_times (chunk, i, &started_at, &finished_at));
      g_assert_cmpint (started_at, >=, fy_future_get_started_at (chunk) - 1000000);
      g_assert_cmpint (finished_at, >=, started_at);
      g_assert_cmpint (started_at, ==, i > 0 ? previous_end : started_at);
      previous_end = finished_at;
    }
}

/* Chunks of 10: the tasks list has a row per chunk, and each item's
 * result is read from its chunk, in input order. */
static void
test_items_of_chunks (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  GListModel *tasks = fy_pool_get_tasks (pool);

  results = fy_pool_map (pool, "square", range_variant (95), 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (tasks), ==, 10);
  for (guint t = 0; t < 10; t++)
    {
      g_autoptr(FyFuture) chunk = g_list_model_get_item (tasks, t);

      guint n_items = 0;

      g_assert_cmpuint (fy_future_get_first_item (chunk), ==, t * 10);
      g_object_get (chunk, "n-items", &n_items, NULL);
      g_assert_cmpuint (n_items, ==, fy_future_get_n_items (chunk));
      g_assert_cmpuint (fy_future_get_n_items (chunk), ==, t < 9 ? 10 : 5);
      for (guint i = 0; i < fy_future_get_n_items (chunk); i++)
        {
          g_autoptr(GVariant) result = NULL;
          gint64 x = t * 10 + i;

          g_assert_true (fy_future_get_item_result (chunk, i, &result, &error));
          g_assert_no_error (error);
          g_assert_cmpint (g_variant_get_int64 (result), ==, x * x);
        }
    }
}

/* A million tiny items with the default chunksize: every result, in order. */
static void
test_map_million (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  g_autofree gint64 *values = g_new (gint64, 1000000);
  const gint64 *squares;
  gsize n = 0;

  for (gint64 i = 0; i < 1000000; i++)
    values[i] = i;
  results = fy_pool_map (pool, "square",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, values, 1000000, sizeof (gint64)),
                         0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (results), ==, "ax");
  squares = g_variant_get_fixed_array (results, &n, sizeof (gint64));
  g_assert_cmpuint (n, ==, 1000000);
  for (gsize i = 0; i < n; i++)
    if (squares[i] != (gint64) (i * i))
      g_assert_cmpint (squares[i], ==, (gint64) (i * i));
  /* Every item, one by one too. */
  g_assert_cmpint (result_x (results, 999999), ==, (gint64) 999999 * 999999);
  /* One row per chunk, not per item. */
  g_assert_cmpuint (g_list_model_get_n_items (fy_pool_get_tasks (pool)), <=, 8);
}

/* The automatic chunksize is Python's (four chunks per worker), but no
 * chunk outgrows the worker's log of 8-byte numbers: 600 000 items on one
 * worker make four chunks of 131 072 and one of the rest, not four of
 * 150 000. */
static void
test_auto_chunk_cap (void)
{
  g_autoptr(FyPool) pool = new_pool (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  GListModel *tasks = fy_pool_get_tasks (pool);
  guint before = g_list_model_get_n_items (tasks);
  const gint64 *squares;
  gsize n = 0;

  results = fy_pool_map (pool, "square", range_variant (600000), 0, &error);
  g_assert_no_error (error);
  squares = g_variant_get_fixed_array (results, &n, sizeof (gint64));
  g_assert_cmpuint (n, ==, 600000);
  for (gsize i = 0; i < n; i++)
    if (squares[i] != (gint64) (i * i))
      g_assert_cmpint (squares[i], ==, (gint64) (i * i));
  g_assert_cmpuint (g_list_model_get_n_items (tasks) - before, ==, 5);
  for (guint t = 0; t < 5; t++)
    {
      g_autoptr(FyFuture) chunk = g_list_model_get_item (tasks, before + t);

      g_assert_cmpuint (fy_future_get_n_items (chunk), ==, t < 4 ? 131072 : 600000 - 4 * 131072);
    }
}

/* fy_pool_map (): one packed array of numbers, whatever the chunks; an
 * array of variants when the results are not numbers; the first error in
 * input order. */
static void
test_map_types (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;
  static const int chunksizes[] = { 0, 1, 7 };

  for (guint c = 0; c < G_N_ELEMENTS (chunksizes); c++)
    {
      g_autoptr(GVariant) results = fy_pool_map (pool, "square", range_variant (1000), chunksizes[c], &error);
      const gint64 *squares;
      gsize n = 0;

      g_assert_no_error (error);
      g_assert_cmpstr (g_variant_get_type_string (results), ==, "ax");
      squares = g_variant_get_fixed_array (results, &n, sizeof (gint64));
      g_assert_cmpuint (n, ==, 1000);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpint (squares[i], ==, (gint64) (i * i));
    }

  {
    g_autoptr(GVariant) results = fy_pool_map (pool, "sumsq", range_variant (100), 0, &error);
    g_autoptr(GVariant) last = NULL;
    g_autoptr(GVariant) value = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (g_variant_get_type_string (results), ==, "av");
    g_assert_cmpuint (g_variant_n_children (results), ==, 100);
    last = g_variant_get_child_value (results, 99);
    value = g_variant_get_variant (last);
    /* sum (i * i for i in range (99)) */
    g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "318549");
  }

  {
    g_autoptr(GVariant) results = NULL;
    GVariantBuilder builder;

    g_variant_builder_init (&builder, G_VARIANT_TYPE ("ax"));
    g_variant_builder_add (&builder, "x", (gint64) 3);
    g_variant_builder_add (&builder, "x", (gint64) 100);
    results = fy_pool_map (pool, "fib", g_variant_builder_end (&builder), 0, &error);
    g_assert_null (results);
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  {
    /* Doubles through the typed path, and its errors as the workload
     * words them: the first in input order. */
    g_autofree double *values = g_new (double, 1000);
    g_autoptr(GVariant) results = NULL;
    const double *roots;
    gsize n = 0;

    for (guint i = 0; i < 1000; i++)
      values[i] = (double) i * i;
    results = fy_pool_map (pool, "sqrt", g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values, 1000,
                                                                          sizeof (double)), 0, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (g_variant_get_type_string (results), ==, "ad");
    roots = g_variant_get_fixed_array (results, &n, sizeof (double));
    g_assert_cmpuint (n, ==, 1000);
    for (gsize i = 0; i < n; i++)
      g_assert_cmpfloat (roots[i], ==, (double) i);

    values[700] = -2.0;
    values[900] = -3.0;
    g_clear_pointer (&results, g_variant_unref);
    results = fy_pool_map (pool, "sqrt", g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values, 1000,
                                                                          sizeof (double)), 100, &error);
    g_assert_null (results);
    /* The workloads' domain, by name: this suite does not link them. */
    g_assert_error (error, g_quark_from_static_string ("fy-workload-error-quark"), FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
    g_assert_cmpstr (error->message, ==, "sqrt: -2 is outside the domain (0 or more)");
    g_clear_error (&error);
  }
}

/* An "av" of @n items, item i being "x" i; item @odd_at (if below @n) a
 * double instead. */
static GVariant *
boxed_range (gint64 n,
             gint64 odd_at)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
  for (gint64 i = 0; i < n; i++)
    g_variant_builder_add (&builder, "v", i == odd_at ? g_variant_new_double (i) : g_variant_new_int64 (i));
  return g_variant_builder_end (&builder);
}

/* Numbers handed in as an "av" travel packed, as "ax", when every one is
 * an int64: the chunks' arguments and their results are typed arrays.
 * Mixed items stay an "av", each keeping its own type. */
static void
test_boxed_numbers_packed (void)
{
  g_autoptr(FyPool) pool = new_pool (2);
  g_autoptr(GError) error = NULL;

  {
    /* The chunks themselves, as the map calls make them. */
    g_autoptr(GPtrArray) chunks = fy_pool_submit_many (pool, "square", boxed_range (1000, -1), 100,
                                                       FALSE, FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (chunks->len, ==, 10);
    for (guint c = 0; c < chunks->len; c++)
      {
        FyFuture *chunk = g_ptr_array_index (chunks, c);
        g_autoptr(GVariant) result = fy_future_result (chunk, hang_guard (30), &error);
        const gint64 *squares;
        gsize n = 0;

        g_assert_no_error (error);
        g_assert_cmpstr (g_variant_get_type_string (fy_future_get_argument (chunk)), ==, "ax");
        g_assert_cmpstr (g_variant_get_type_string (result), ==, "ax");
        squares = g_variant_get_fixed_array (result, &n, sizeof (gint64));
        g_assert_cmpuint (n, ==, 100);
        for (gsize k = 0; k < n; k++)
          g_assert_cmpint (squares[k], ==, (gint64) (c * 100 + k) * (gint64) (c * 100 + k));
      }
  }

  {
    g_autoptr(GVariant) results = fy_pool_map (pool, "square", boxed_range (1000, -1), 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (fy_pool_results_length (results), ==, 1000);
    for (guint i = 0; i < fy_pool_results_length (results); i++)
      g_assert_cmpint (result_x (results, i), ==, (gint64) i * i);
  }

  {
    /* One double among the ints: nothing is packed, each item keeps its
     * type, and the double's chunk fails ("square" takes an int64). */
    g_autoptr(GPtrArray) chunks = fy_pool_submit_many (pool, "square", boxed_range (1000, 500), 100,
                                                       FALSE, FALSE, &error);
    g_autoptr(FyFutureIter) iter = NULL;
    GVariant *result;
    gint64 i = 0;

    g_assert_no_error (error);
    g_assert_cmpstr (g_variant_get_type_string (fy_future_get_argument (g_ptr_array_index (chunks, 0))), ==, "av");
    iter = fy_pool_imap (pool, "square", boxed_range (1000, 500), 100, &error);
    g_assert_no_error (error);
    for (;;)
      {
        gboolean ok = fy_future_iter_next_result (iter, hang_guard (30), &result, &error);

        if (!ok && error == NULL)
          break;
        if (i >= 500 && i < 600)
          {
            /* The worker checks a chunk's arguments before it runs any:
             * the chunk fails whole, as a Python chunk does. */
            g_assert_false (ok);
            g_assert_error (error, FY_POOL_ERROR, FY_POOL_ERROR_INVALID_ARGUMENT);
            g_clear_error (&error);
          }
        else
          {
            g_assert_no_error (error);
            g_assert_cmpint (g_variant_get_int64 (result), ==, i * i);
            g_variant_unref (result);
          }
        i++;
      }
    g_assert_cmpint (i, ==, 1000);
  }
}

int
main (int   argc,
      char *argv[])
{
  static const KillCase cases[] = {
    { FY_CRASH_POLICY_FAIL, 0, 4, 0 },
    { FY_CRASH_POLICY_FAIL, 1, 4, 0 },
    { FY_CRASH_POLICY_FAIL, 3, 4, 0 },
    { FY_CRASH_POLICY_RETRY, 0, 4, 0 },
    { FY_CRASH_POLICY_RETRY, 1, 4, 0 },
    { FY_CRASH_POLICY_RETRY, 3, 4, 0 },
    /* 16-byte records: four to a log, so most items travel by progress
     * messages before the kill. */
    { FY_CRASH_POLICY_FAIL, 9, 12, 64 },
    { FY_CRASH_POLICY_RETRY, 11, 12, 64 },
    /* The same over packed int64s, through the typed entry point: 24-byte
     * records, two to the small log. */
    { FY_CRASH_POLICY_FAIL, 0, 4, 0, TRUE },
    { FY_CRASH_POLICY_FAIL, 1, 4, 0, TRUE },
    { FY_CRASH_POLICY_FAIL, 3, 4, 0, TRUE },
    { FY_CRASH_POLICY_RETRY, 0, 4, 0, TRUE },
    { FY_CRASH_POLICY_RETRY, 1, 4, 0, TRUE },
    { FY_CRASH_POLICY_RETRY, 3, 4, 0, TRUE },
    { FY_CRASH_POLICY_FAIL, 9, 12, 64, TRUE },
    { FY_CRASH_POLICY_RETRY, 11, 12, 64, TRUE },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pool/chunk/kill-after-k/%s%s/%u-of-%u%s",
                                               cases[i].typed ? "typed/" : "",
                                               cases[i].policy == FY_CRASH_POLICY_FAIL ? "fail" : "retry",
                                               cases[i].k, cases[i].n,
                                               cases[i].log_limit > 0 ? "-small-log" : "");

      g_test_add_data_func (path, &cases[i], test_kill_after_k);
    }
  g_test_add_func ("/pool/chunk/small-log", test_small_log);
  g_test_add_func ("/pool/chunk/items-of-chunks", test_items_of_chunks);
  g_test_add_func ("/pool/chunk/map-million", test_map_million);
  g_test_add_func ("/pool/chunk/map-types", test_map_types);
  g_test_add_func ("/pool/chunk/settled-while-running", test_settled_while_running);
  g_test_add_func ("/pool/chunk/auto-chunk-cap", test_auto_chunk_cap);
  g_test_add_func ("/pool/chunk/boxed-numbers-packed", test_boxed_numbers_packed);

  return g_test_run ();
}
