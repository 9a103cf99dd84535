/* test-results-view.c: the results table, its sorting, filter, previews and export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window holds an FyResultsView inside a toast overlay, over a list of
 * results made here: Fibonacci values with some failures, and thumbnails
 * written to the test's own folder so the previews have files to load.
 */

#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "core/fy-pool.h"
#include "fy-resources.h"
#include "fy-result-preview.h"
#include "fy-results-view.h"
#include "fy-run-result.h"

#define PATIENCE_S 30.0
#define N_RESULTS 30

typedef struct
{
  GtkWindow       *window;
  AdwToastOverlay *overlay;
  FyResultsView   *view;
  GListStore      *results;
  guint            n_failed;
} Fixture;

/* The system's data folders, read before the test isolates them: image
 * loading tells formats apart through the shared MIME database there. */
static char **system_mime_dirs;

typedef gboolean (*Predicate) (Fixture *fixture, gconstpointer data);

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_until (Fixture       *fixture,
            Predicate      predicate,
            gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (PATIENCE_S * G_USEC_PER_SEC);
  guint tick = g_timeout_add (20, tick_cb, NULL);
  gboolean ok;

  while (!(ok = predicate (fixture, data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_loaded_previews (GtkWidget *widget)
{
  guint n = FY_IS_RESULT_PREVIEW (widget) && fy_result_preview_get_loaded (FY_RESULT_PREVIEW (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_loaded_previews (child);
  return n;
}

static gboolean
has_text (GtkWidget  *widget,
          const char *needle)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_text (child, needle))
      return TRUE;
  return FALSE;
}

static gboolean
toast_says (Fixture       *fixture,
            gconstpointer  needle)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (fixture->overlay));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child != GTK_WIDGET (fixture->view) && has_text (child, needle))
      return TRUE;
  return FALSE;
}

static gboolean
view_says (Fixture       *fixture,
           gconstpointer  needle)
{
  return has_text (GTK_WIDGET (fixture->view), needle);
}

static gboolean
shown_settled (Fixture       *fixture,
               gconstpointer  n_expected)
{
  GListModel *shown = fy_results_view_get_shown (fixture->view);

  return gtk_sort_list_model_get_pending (GTK_SORT_LIST_MODEL (shown)) == 0
         && g_list_model_get_n_items (shown) == GPOINTER_TO_UINT (n_expected);
}

static gboolean
previews_loaded (Fixture       *fixture,
                 gconstpointer  data)
{
  return count_loaded_previews (GTK_WIDGET (fixture->view)) > 0;
}

static FyRunResult *
shown_at (Fixture *fixture,
          guint    position)
{
  g_autoptr(FyRunResult) result = g_list_model_get_item (fy_results_view_get_shown (fixture->view), position);

  return result; /* the models hold it */
}

static char *
write_thumbnail (guint index)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 60, 40);
  g_autofree char *name = g_strdup_printf ("thumb, %u.png", index);
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, 0x3584e4ff + (index << 16));
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
  return path;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_content_type_set_mime_dirs ((const char * const *) system_mime_dirs);
  fixture->results = g_list_store_new (FY_TYPE_RUN_RESULT);
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);

  /* Added out of order, with varied durations, a few failures and a few
   * thumbnails. */
  for (guint k = 0; k < N_RESULTS; k++)
    {
      guint i = (k * 7) % N_RESULTS;
      gint64 started = 1000000;
      gint64 finished = started + 1000 * ((i * 13) % 17 + 1);
      g_autoptr(FyRunResult) result = NULL;

      if (i % 5 == 3)
        {
          g_autoptr(GError) error = g_error_new (FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED,
                                                 "Task %u failed: worker 77 killed by signal 9 (SIGKILL)", i);

          result = fy_run_result_new (i, "fib", g_variant_new_int64 (20), NULL, error,
                                      FY_FUTURE_STATE_FAILED, 77, started, finished);
          fixture->n_failed++;
        }
      else if (i % 5 == 4)
        {
          g_autofree char *thumb = write_thumbnail (i);

          result = fy_run_result_new (i, "resize",
                                      g_variant_new ("(^ay^ayiib)", "/in/photo.jpg", "/out", 60, 40, TRUE),
                                      g_variant_new ("(^ayii)", thumb, 60, 40),
                                      NULL, FY_FUTURE_STATE_DONE, 70 + i % 2, started, finished);
        }
      else
        result = fy_run_result_new (i, "fib", g_variant_new_int64 (20), g_variant_new_int64 (6765),
                                    NULL, FY_FUTURE_STATE_DONE, 70 + i % 2, started, finished);
      g_list_store_append (fixture->results, result);
    }

  fixture->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fixture->window, 900, 500);
  fixture->overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  fixture->view = fy_results_view_new ();
  adw_toast_overlay_set_child (fixture->overlay, GTK_WIDGET (fixture->view));
  adw_window_set_content (ADW_WINDOW (fixture->window), GTK_WIDGET (fixture->overlay));
  gtk_window_present (fixture->window);

  g_object_set (fixture->view, "results", fixture->results, NULL);
  g_assert_true (fy_results_view_get_results (fixture->view) == G_LIST_MODEL (fixture->results));
  g_assert_true (wait_until (fixture, shown_settled, GUINT_TO_POINTER (N_RESULTS)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->results);
}

/* With FORKYARD_TEST_SCREENSHOTS set to a folder, the window is saved
 * there in the light and the dark style, for a person to look at. */
static void
save_screenshots (Fixture    *fixture,
                  const char *name)
{
  const char *folder = g_getenv ("FORKYARD_TEST_SCREENSHOTS");
  AdwStyleManager *style = adw_style_manager_get_default ();

  if (folder == NULL)
    return;
  for (guint dark = 0; dark < 2; dark++)
    {
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (fixture->window));
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      g_autoptr(GdkTexture) texture = NULL;
      g_autofree char *path = g_strdup_printf ("%s/%s-%s.png", folder, name, dark ? "dark" : "light");
      gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      gdk_paintable_snapshot (paintable, snapshot,
                              gtk_widget_get_width (GTK_WIDGET (fixture->window)),
                              gtk_widget_get_height (GTK_WIDGET (fixture->window)));
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fixture->window)), node, NULL);
      gdk_texture_save_to_png (texture, path);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_sorting (Fixture       *fixture,
              gconstpointer  data)
{
  GtkColumnView *column_view = GTK_COLUMN_VIEW (find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_COLUMN_VIEW));
  g_autoptr(GtkColumnViewColumn) duration_column = g_list_model_get_item (gtk_column_view_get_columns (column_view), 3);
  g_autoptr(GtkColumnViewColumn) result_column = g_list_model_get_item (gtk_column_view_get_columns (column_view), 4);
  g_autofree char *count = g_strdup_printf ("%u results, %u failed", N_RESULTS, fixture->n_failed);

  /* Input order at first, whatever order they came in. */
  for (guint i = 0; i < N_RESULTS; i++)
    g_assert_cmpuint (fy_run_result_get_index (shown_at (fixture, i)), ==, i);
  g_assert_true (wait_until (fixture, view_says, count));

  gtk_column_view_sort_by_column (column_view, duration_column, GTK_SORT_DESCENDING);
  g_assert_true (wait_until (fixture, shown_settled, GUINT_TO_POINTER (N_RESULTS)));
  for (guint i = 1; i < N_RESULTS; i++)
    g_assert_cmpfloat (fy_run_result_get_duration (shown_at (fixture, i - 1)), >=,
                       fy_run_result_get_duration (shown_at (fixture, i)));

  /* Results and errors sort as one text: the errors ("Task …") after the
   * numbers and paths. */
  gtk_column_view_sort_by_column (column_view, result_column, GTK_SORT_ASCENDING);
  g_assert_true (wait_until (fixture, shown_settled, GUINT_TO_POINTER (N_RESULTS)));
  g_assert_false (fy_run_result_get_failed (shown_at (fixture, 0)));
  g_assert_true (fy_run_result_get_failed (shown_at (fixture, N_RESULTS - 1)));
}

static void
test_failures_only (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkToggleButton *toggle = GTK_TOGGLE_BUTTON (find_widget (GTK_WIDGET (fixture->view), GTK_TYPE_TOGGLE_BUTTON));

  /* The toggle the user presses drives the property, and back. */
  gtk_toggle_button_set_active (toggle, TRUE);
  g_assert_true (fy_results_view_get_failures_only (fixture->view));
  g_assert_true (wait_until (fixture, shown_settled, GUINT_TO_POINTER (fixture->n_failed)));
  for (guint i = 0; i < fixture->n_failed; i++)
    g_assert_true (fy_run_result_get_failed (shown_at (fixture, i)));

  fy_results_view_set_failures_only (fixture->view, FALSE);
  g_assert_false (gtk_toggle_button_get_active (toggle));
  g_assert_true (wait_until (fixture, shown_settled, GUINT_TO_POINTER (N_RESULTS)));

  /* New results show at once, and count. */
  {
    g_autoptr(FyRunResult) late = fy_run_result_new (N_RESULTS, "fib", g_variant_new_int64 (21),
                                                     g_variant_new_int64 (10946), NULL,
                                                     FY_FUTURE_STATE_DONE, 70, 0, 1000);

    g_list_store_append (fixture->results, late);
    g_assert_true (wait_until (fixture, shown_settled, GUINT_TO_POINTER (N_RESULTS + 1)));
    g_assert_true (wait_until (fixture, view_says, "10946"));
  }
}

static void
test_previews (Fixture       *fixture,
               gconstpointer  data)
{
  g_assert_true (wait_until (fixture, previews_loaded, NULL));
  save_screenshots (fixture, "results-view");
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

  outcome->ok = fy_results_view_export_finish (FY_RESULTS_VIEW (source), result, &outcome->error);
  outcome->done = TRUE;
}

static void
test_export (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "exported.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *toast = NULL;
  Outcome outcome = { 0 };
  JsonObject *document;

  /* The filter hides most rows; the export still holds them all. */
  fy_results_view_set_failures_only (fixture->view, TRUE);
  fy_results_view_export_async (fixture->view, file, FY_RESULTS_FORMAT_JSON, NULL, export_done_cb, &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);

  toast = g_strdup_printf ("Results exported to %s", path);
  g_assert_true (wait_until (fixture, toast_says, toast));

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  document = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (document, "results")), ==, N_RESULTS);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (document, "failed")), ==, fixture->n_failed);
  g_assert_cmpint (json_object_get_int_member (document, "completed"), ==, N_RESULTS - fixture->n_failed);
}

static void
test_export_action (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GtkApplication) app = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  GtkWidget *window;
  g_autoptr(FyResultsView) view = g_object_ref_sink (fy_results_view_new ());
  GAction *action;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = gtk_application_window_new (app);

  /* In a window, the view gives it win.export: off while there is
   * nothing to export. */
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  action = g_action_map_lookup_action (G_ACTION_MAP (window), "export");
  g_assert_nonnull (action);
  g_assert_false (g_action_get_enabled (action));
  fy_results_view_set_results (view, G_LIST_MODEL (fixture->results));
  g_assert_true (g_action_get_enabled (action));

  /* Activated, it asks where to save. */
  g_action_activate (action, NULL);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */
    gboolean asked = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

        asked |= GTK_IS_FILE_CHOOSER (toplevel) && g_strcmp0 (gtk_window_get_title (toplevel), "Export Results") == 0;
      }
    g_assert_true (asked);
  }

  /* Taken out of the window, it takes the action with it. */
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  g_assert_null (g_action_map_lookup_action (G_ACTION_MAP (window), "export"));
  g_clear_object (&view);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  {
    const char * const *dirs = g_get_system_data_dirs ();
    GStrvBuilder *builder = g_strv_builder_new ();

    for (guint i = 0; dirs[i] != NULL; i++)
      {
        g_autofree char *dir = g_build_filename (dirs[i], "mime", NULL);

        g_strv_builder_add (builder, dir);
      }
    system_mime_dirs = g_strv_builder_end (builder);
    g_strv_builder_unref (builder);
  }
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  fy_register_resource ();

  g_test_add ("/app/results-view/sorting", Fixture, NULL, fixture_set_up, test_sorting, fixture_tear_down);
  g_test_add ("/app/results-view/failures-only", Fixture, NULL, fixture_set_up, test_failures_only, fixture_tear_down);
  g_test_add ("/app/results-view/previews", Fixture, NULL, fixture_set_up, test_previews, fixture_tear_down);
  g_test_add ("/app/results-view/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/app/results-view/export-action", Fixture, NULL, fixture_set_up, test_export_action, fixture_tear_down);

  return g_test_run ();
}
