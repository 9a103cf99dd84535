/* test-results-export.c: the results list as CSV and JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Round trips: the CSV is parsed back by an RFC 4180 reader written here
 * and must give every field as it went in, whatever commas, quotes and
 * line breaks the paths hold; the JSON is parsed by json-glib and must
 * have the shape of forkyard-cli --json, checked against the real CLI's
 * output for the same work.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core/fy-pool.h"
#include "fy-results-export.h"
#include "fy-run-result.h"

/* Paths that break naive CSV writers. */
static const char *const awkward_paths[] = {
  "/data/plain.jpg",
  "/data/with,comma.jpg",
  "/data/with \"quotes\".jpg",
  "/data/two\nlines.jpg",
  "/data/crlf\r\n.jpg",
  " /data/leading and trailing space ",
};

static FyRunResult *
fib_result (guint  index,
            gint64 n,
            gint64 value,
            GPid   pid)
{
  return fy_run_result_new (index, "fib", g_variant_new_int64 (n), g_variant_new_int64 (value),
                            NULL, FY_FUTURE_STATE_DONE, pid, 1000000, 1250000);
}

static FyRunResult *
hash_result (guint       index,
             const char *path,
             gboolean    ok)
{
  g_autoptr(GError) error = NULL;

  if (ok)
    return fy_run_result_new (index, "hash", g_variant_new_bytestring (path),
                              g_variant_new_string ("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"),
                              NULL, FY_FUTURE_STATE_DONE, 4242, 1000000, 1500000);
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "Permission denied");
  return fy_run_result_new (index, "hash", g_variant_new_bytestring (path), NULL, error,
                            FY_FUTURE_STATE_FAILED, 4243, 1000000, 1100000);
}

/* RFC 4180: rows end in CRLF, a quoted field may hold anything, "" is a
 * quote. Returns rows of fields. */
static GPtrArray *
parse_csv (const char *text,
           gsize       length)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gsize i = 0;

  while (i < length)
    {
      char c = text[i];

      if (c == '"' && field->len == 0)
        {
          /* A quoted field, up to its closing quote. */
          for (i++; i < length; i++)
            {
              if (text[i] == '"' && i + 1 < length && text[i + 1] == '"')
                g_string_append_c (field, text[i++]);
              else if (text[i] == '"')
                break;
              else
                g_string_append_c (field, text[i]);
            }
          g_assert_cmpuint (i, <, length);
          i++;
          continue;
        }
      if (c == ',')
        {
          g_ptr_array_add (row, g_string_free (g_steal_pointer (&field), FALSE));
          field = g_string_new (NULL);
          i++;
          continue;
        }
      if (c == '\r' && i + 1 < length && text[i + 1] == '\n')
        {
          g_ptr_array_add (row, g_string_free (g_steal_pointer (&field), FALSE));
          field = g_string_new (NULL);
          g_ptr_array_add (rows, g_steal_pointer (&row));
          row = g_ptr_array_new_with_free_func (g_free);
          i += 2;
          continue;
        }
      /* A bare line break or quote outside quotes is malformed output. */
      g_assert_cmpint (c, !=, '\n');
      g_assert_cmpint (c, !=, '"');
      g_string_append_c (field, c);
      i++;
    }
  /* Every row, the last included, ends in CRLF. */
  g_assert_cmpuint (field->len, ==, 0);
  g_assert_cmpuint (row->len, ==, 0);
  g_string_free (field, TRUE);
  g_ptr_array_unref (row);
  return rows;
}

static JsonNode *
parse_json (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_csv_round_trip (void)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gsize length;
  const char *text;

  /* Given out of order, as a sorted table would hold them. */
  for (guint i = G_N_ELEMENTS (awkward_paths); i > 0; i--)
    g_ptr_array_add (results, hash_result (i - 1, awkward_paths[i - 1], (i - 1) % 2 == 0));

  csv = fy_results_export_csv (results);
  text = g_bytes_get_data (csv, &length);
  rows = parse_csv (text, length);

  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (awkward_paths) + 1);
  {
    GPtrArray *header = g_ptr_array_index (rows, 0);
    const char *expected[] = { "index", "input", "worker_pid", "duration_seconds", "state", "result", "error" };

    g_assert_cmpuint (header->len, ==, G_N_ELEMENTS (expected));
    for (guint c = 0; c < G_N_ELEMENTS (expected); c++)
      g_assert_cmpstr (g_ptr_array_index (header, c), ==, expected[c]);
  }
  for (guint i = 0; i < G_N_ELEMENTS (awkward_paths); i++)
    {
      GPtrArray *row = g_ptr_array_index (rows, i + 1);
      FyRunResult *result = NULL;

      for (guint j = 0; j < results->len; j++)
        if (fy_run_result_get_index (g_ptr_array_index (results, j)) == i)
          result = g_ptr_array_index (results, j);
      g_assert_nonnull (result);

      g_assert_cmpuint (row->len, ==, 7);
      g_assert_cmpuint (atoi (g_ptr_array_index (row, 0)), ==, i);
      g_assert_cmpstr (g_ptr_array_index (row, 1), ==, awkward_paths[i]);
      g_assert_cmpint (atoi (g_ptr_array_index (row, 2)), ==, fy_run_result_get_worker_pid (result));
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (g_ptr_array_index (row, 3), NULL),
                                      fy_run_result_get_duration (result), 1e-6);
      g_assert_cmpstr (g_ptr_array_index (row, 4), ==, i % 2 == 0 ? "done" : "failed");
      g_assert_cmpstr (g_ptr_array_index (row, 5), ==,
                       i % 2 == 0 ? fy_run_result_get_result_text (result) : "");
      g_assert_cmpstr (g_ptr_array_index (row, 6), ==,
                       i % 2 == 0 ? "" : fy_run_result_get_error_text (result));
    }
}

static void
test_csv_quoting (void)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GBytes) csv = NULL;
  g_autofree char *text = NULL;

  g_ptr_array_add (results, hash_result (0, "/a,b \"c\"", TRUE));
  g_ptr_array_add (results, hash_result (1, "/plain", TRUE));
  csv = fy_results_export_csv (results);
  text = g_strndup (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));

  /* Quoted only where needed, quotes doubled. */
  g_assert_nonnull (strstr (text, "\r\n0,\"/a,b \"\"c\"\"\",4242,0.500000,done,"));
  g_assert_nonnull (strstr (text, "\r\n1,/plain,4242,0.500000,done,"));
}

static void
test_json_shape (void)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED, "worker 7 killed by signal 9 (SIGKILL)");
  g_autoptr(FyResultsSummary) summary = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *document;
  JsonArray *array;
  JsonObject *failure;

  g_ptr_array_add (results, fib_result (2, 20, 6765, 11));
  g_ptr_array_add (results, fib_result (0, 20, 6765, 12));
  g_ptr_array_add (results, fy_run_result_new (1, "fib", g_variant_new_int64 (20), NULL, error,
                                               FY_FUTURE_STATE_FAILED, 7, 1000000, 1100000));
  fy_run_result_set_worker_exitcode (g_ptr_array_index (results, 2), -9);
  summary = fy_results_summary_new_from_results (results);
  g_assert_cmpstr (summary->workload, ==, "fib");
  g_assert_cmpint (summary->workers, ==, 3);
  g_assert_cmpuint (summary->tasks, ==, 3);
  g_assert_cmpuint (summary->completed, ==, 2);
  summary->tasks = 4; /* one task's result is no longer in the list */

  json = fy_results_export_json (results, summary);
  root = parse_json (json);
  document = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (document, "workload"), ==, "fib");
  g_assert_cmpint (json_object_get_int_member (document, "tasks"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (document, "completed"), ==, 2);
  g_assert_false (json_object_get_boolean_member (document, "interrupted"));

  array = json_object_get_array_member (document, "results");
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 6765);
  g_assert_true (json_array_get_null_element (array, 1));
  g_assert_cmpint (json_array_get_int_element (array, 2), ==, 6765);
  g_assert_true (json_array_get_null_element (array, 3));

  array = json_object_get_array_member (document, "failed");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  failure = json_array_get_object_element (array, 0);
  g_assert_cmpint (json_object_get_int_member (failure, "index"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (failure, "input"), ==, "20");
  g_assert_nonnull (strstr (json_object_get_string_member (failure, "error"), "SIGKILL"));
  g_assert_cmpint (json_object_get_int_member (failure, "worker_pid"), ==, 7);
  /* How the worker ended, as forkyard-cli --json says it. */
  g_assert_cmpint (json_object_get_int_member (failure, "signal"), ==, 9);
  g_assert_false (json_object_has_member (failure, "exit_code"));
}

static void
test_json_files (void)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(FyResultsSummary) summary = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  for (guint i = 0; i < G_N_ELEMENTS (awkward_paths); i++)
    g_ptr_array_add (results, hash_result (i, awkward_paths[i], TRUE));
  g_ptr_array_add (results,
                   fy_run_result_new (G_N_ELEMENTS (awkward_paths), "resize",
                                      g_variant_new ("(^ay^ayiib)", "/in/a,b.jpg", "/out", 300, 300, TRUE),
                                      g_variant_new ("(^ayii)", "/out/a,b.jpg", 300, 200),
                                      NULL, FY_FUTURE_STATE_DONE, 99, 0, 2000000));
  summary = fy_results_summary_new_from_results (results);
  json = fy_results_export_json (results, summary);
  root = parse_json (json);
  array = json_object_get_array_member (json_node_get_object (root), "results");

  for (guint i = 0; i < G_N_ELEMENTS (awkward_paths); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);

      g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==, awkward_paths[i]);
      g_assert_cmpuint (strlen (json_object_get_string_member (entry, "sha256")), ==, 64);
      g_assert_cmpint (json_object_get_int_member (entry, "worker_pid"), ==, 4242);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (entry, "seconds"), 0.5, 1e-9);
    }
  {
    JsonObject *entry = json_array_get_object_element (array, G_N_ELEMENTS (awkward_paths));

    g_assert_cmpstr (json_object_get_string_member (entry, "input"), ==, "/in/a,b.jpg");
    g_assert_cmpstr (json_object_get_string_member (entry, "output"), ==, "/out/a,b.jpg");
    g_assert_cmpint (json_object_get_int_member (entry, "width"), ==, 300);
    g_assert_cmpint (json_object_get_int_member (entry, "height"), ==, 200);
  }
}

static GList *
sorted_members (JsonObject *object)
{
  return g_list_sort (json_object_get_members (object), (GCompareFunc) g_strcmp0);
}

static void
test_json_matches_cli (void)
{
  const char *cli = g_getenv ("FORKYARD_CLI");
  const char *argv[] = { cli, "fib", "--json", "--workers", "2", "--n", "20", "--tasks", "3", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(FyResultsSummary) summary = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(JsonNode) ours = NULL;
  JsonObject *cli_document, *our_document;
  JsonArray *cli_results, *our_results;
  GList *cli_members, *our_members;
  int status;

  g_assert_nonnull (cli);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  cli_document = json_node_get_object (json_parser_get_root (parser));

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (results, fib_result (i, 20, 6765, 100 + i));
  summary = fy_results_summary_new_from_results (results);
  json = fy_results_export_json (results, summary);
  ours = parse_json (json);
  our_document = json_node_get_object (ours);

  /* The same members at the top, the same entries in "results". */
  cli_members = sorted_members (cli_document);
  our_members = sorted_members (our_document);
  g_assert_cmpuint (g_list_length (cli_members), ==, g_list_length (our_members));
  for (GList *c = cli_members, *o = our_members; c != NULL; c = c->next, o = o->next)
    g_assert_cmpstr (c->data, ==, o->data);
  g_list_free (cli_members);
  g_list_free (our_members);

  cli_results = json_object_get_array_member (cli_document, "results");
  our_results = json_object_get_array_member (our_document, "results");
  g_assert_cmpuint (json_array_get_length (cli_results), ==, json_array_get_length (our_results));
  for (guint i = 0; i < json_array_get_length (cli_results); i++)
    g_assert_true (json_node_equal (json_array_get_element (cli_results, i),
                                    json_array_get_element (our_results, i)));
  g_assert_cmpstr (json_object_get_string_member (cli_document, "workload"), ==,
                   json_object_get_string_member (our_document, "workload"));
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Outcome;

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = fy_results_export_finish (result, &outcome->error);
  outcome->done = TRUE;
}

static void
export_and_wait (GPtrArray       *results,
                 FyResultsFormat  format,
                 GFile           *file,
                 Outcome         *outcome)
{
  fy_results_export_async (g_ptr_array_ref (results), fy_results_summary_new_from_results (results),
                           format, file, NULL, export_done_cb, outcome);
  while (!outcome->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_write_async (void)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "results.json", NULL);
  g_autofree char *bad_path = g_build_filename (g_get_user_cache_dir (), "no-such-folder", "results.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad_path);
  Outcome written = { 0 }, refused = { 0 };
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_ptr_array_add (results, fib_result (0, 20, 6765, 5));

  export_and_wait (results, FY_RESULTS_FORMAT_JSON, file, &written);
  g_assert_no_error (written.error);
  g_assert_true (written.ok);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  json_parser_load_from_data (parser, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (
                     json_node_get_object (json_parser_get_root (parser)), "results"), 0), ==, 6765);

  /* A folder that does not exist: a precise error, nothing written. */
  export_and_wait (results, FY_RESULTS_FORMAT_CSV, bad_file, &refused);
  g_assert_false (refused.ok);
  g_assert_error (refused.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&refused.error);
  g_assert_false (g_file_query_exists (bad_file, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/results-export/csv-round-trip", test_csv_round_trip);
  g_test_add_func ("/app/results-export/csv-quoting", test_csv_quoting);
  g_test_add_func ("/app/results-export/json-shape", test_json_shape);
  g_test_add_func ("/app/results-export/json-files", test_json_files);
  g_test_add_func ("/app/results-export/json-matches-cli", test_json_matches_cli);
  g_test_add_func ("/app/results-export/write-async", test_write_async);

  return g_test_run ();
}
