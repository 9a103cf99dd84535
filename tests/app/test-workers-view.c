/* test-workers-view.c: the workers table over a real pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window holds an FyWorkersView inside a toast overlay, bound to a pool
 * that runs sleep tasks. Each test acts on a worker through the view's
 * actions, as the buttons, menu and keys do, and waits (with a generous
 * limit, never a timing assertion) for what the user would see: the state
 * letter, the replacement row, the toast, the run finishing in full.
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <signal.h>

#include "core/fy-pool.h"
#include "fy-resources.h"
#include "fy-sparkline.h"
#include "fy-worker-row.h"
#include "fy-worker-signal.h"
#include "fy-workers-view.h"

/* How long a condition may take before the test gives up: far above what
 * any of them needs, so a slow machine never fails a test. */
#define PATIENCE_S 30.0

typedef struct
{
  GtkWindow       *window;
  AdwToastOverlay *overlay;
  FyWorkersView   *view;
  FyPool          *pool;
  GPtrArray       *futures;
  GSettings       *settings;
} Fixture;

typedef gboolean (*Predicate) (Fixture *fixture, gconstpointer data);

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_until (Fixture   *fixture,
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

static GListModel *
rows_of (Fixture *fixture)
{
  GtkWidget *column_view = gtk_widget_get_first_child (GTK_WIDGET (fixture->view));

  /* The view's model is its selection; find the column view inside. */
  while (column_view != NULL && !GTK_IS_COLUMN_VIEW (column_view))
    {
      GtkWidget *next = gtk_widget_get_first_child (column_view);

      while (next == NULL && column_view != NULL)
        {
          next = gtk_widget_get_next_sibling (column_view);
          if (next == NULL)
            column_view = gtk_widget_get_parent (column_view);
        }
      column_view = next;
    }
  g_assert_nonnull (column_view);
  return G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view)));
}

static FyWorkerRow *
row_at (Fixture *fixture,
        guint    position)
{
  g_autoptr(FyWorkerRow) row = g_list_model_get_item (rows_of (fixture), position);

  return row; /* the model holds it */
}

static gboolean
collect_text (GtkWidget  *widget,
              const char *needle)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (collect_text (child, needle))
      return TRUE;
  return FALSE;
}

static gboolean
toast_says (Fixture  *fixture,
            gconstpointer  needle)
{
  /* Toasts are children of the overlay beside its child: skip the view. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (fixture->overlay));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child != GTK_WIDGET (fixture->view) && collect_text (child, needle))
      return TRUE;
  return FALSE;
}

static gboolean
has_workers (Fixture  *fixture,
             gconstpointer  data)
{
  GListModel *rows = rows_of (fixture);
  guint n = g_list_model_get_n_items (rows);

  if (n != (guint) GPOINTER_TO_UINT (data))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (fy_worker_row_get_state (row_at (fixture, i)), "?") == 0)
      return FALSE;
  return TRUE;
}

static gboolean
first_row_state_is (Fixture  *fixture,
                    gconstpointer  letter)
{
  return g_strcmp0 (fy_worker_row_get_state (row_at (fixture, 0)), letter) == 0;
}

static gboolean
first_row_state_is_not (Fixture  *fixture,
                        gconstpointer  letter)
{
  return !first_row_state_is (fixture, letter);
}

static gboolean
first_row_pid_is_not (Fixture  *fixture,
                      gconstpointer  pid)
{
  FyWorkerRow *row = row_at (fixture, 0);

  return fy_worker_row_get_pid (row) != GPOINTER_TO_INT (pid)
         && g_strcmp0 (fy_worker_row_get_state (row), "?") != 0
         && g_strcmp0 (fy_worker_row_get_state (row), "X") != 0;
}

static gboolean
first_row_busy (Fixture  *fixture,
                gconstpointer  data)
{
  return fy_pool_worker_get_current_task (fy_worker_row_get_worker (row_at (fixture, 0))) != NULL;
}

static gboolean
all_finished (Fixture  *fixture,
              gconstpointer  data)
{
  for (guint i = 0; i < fixture->futures->len; i++)
    if (!fy_future_is_finished (g_ptr_array_index (fixture->futures, i)))
      return FALSE;
  return TRUE;
}

static gboolean
rows_sampled (Fixture       *fixture,
              gconstpointer  data)
{
  for (guint i = 0; i < 2; i++)
    if (fy_worker_row_get_n_samples (row_at (fixture, i)) < GPOINTER_TO_UINT (data))
      return FALSE;
  return TRUE;
}

static void
collect_sparklines (GtkWidget *widget,
                    GPtrArray *found)
{
  if (FY_IS_SPARKLINE (widget))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_sparklines (child, found);
}

static GtkWindow *
find_dialog (Fixture *fixture)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
dialog_shown (Fixture  *fixture,
              gconstpointer  data)
{
  return find_dialog (fixture) != NULL;
}

/* With FORKYARD_TEST_SCREENSHOTS set to a folder, the window is saved
 * there as NAME-light.png and NAME-dark.png, for a person to look at. */
static void
save_screenshots (Fixture    *fixture,
                  const char *name)
{
  const char *folder = g_getenv ("FORKYARD_TEST_SCREENSHOTS");
  AdwStyleManager *style = adw_style_manager_get_default ();
  static const char *const schemes[] = { "light", "dark" };

  if (folder == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (fixture->window));
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      g_autoptr(GdkTexture) texture = NULL;
      g_autofree char *path = g_strdup_printf ("%s/%s-%s.png", folder, name, schemes[i]);
      gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

      adw_style_manager_set_color_scheme (style, i == 0 ? ADW_COLOR_SCHEME_FORCE_LIGHT
                                                         : ADW_COLOR_SCHEME_FORCE_DARK);
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      gdk_paintable_snapshot (paintable, snapshot,
                              gtk_widget_get_width (GTK_WIDGET (fixture->window)),
                              gtk_widget_get_height (GTK_WIDGET (fixture->window)));
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fixture->window)),
                                             node, NULL);
      gdk_texture_save_to_png (texture, path);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariantBuilder) args = g_variant_builder_new (G_VARIANT_TYPE ("au"));

  fixture->settings = g_settings_new (APP_ID);
  /* Sampled often, so a test waits little for a state to show. */
  g_settings_set_double (fixture->settings, "sample-interval", 0.25);

  fixture->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fixture->window, 900, 400);
  fixture->overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  fixture->view = fy_workers_view_new ();
  adw_toast_overlay_set_child (fixture->overlay, GTK_WIDGET (fixture->view));
  adw_window_set_content (ADW_WINDOW (fixture->window), GTK_WIDGET (fixture->overlay));
  gtk_window_present (fixture->window);

  fixture->pool = fy_pool_new ();
  g_assert_true (fy_pool_set_n_workers (fixture->pool, 2, &error));
  g_assert_no_error (error);
  fy_pool_set_crash_policy (fixture->pool, FY_CRASH_POLICY_RETRY, 2);
  g_assert_true (fy_pool_start (fixture->pool, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 60; i++)
    g_variant_builder_add (args, "u", 100);
  fixture->futures = fy_pool_submit_map (fixture->pool, "sleep", g_variant_builder_end (args), 1, &error);
  g_assert_no_error (error);

  fy_workers_view_set_pool (fixture->view, fixture->pool);
  g_assert_true (fy_workers_view_get_pool (fixture->view) == fixture->pool);
  g_assert_true (wait_until (fixture, has_workers, GUINT_TO_POINTER (2)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWindow *dialog;

  while ((dialog = find_dialog (fixture)) != NULL)
    gtk_window_destroy (dialog);
  gtk_window_destroy (fixture->window);
  fy_pool_terminate (fixture->pool);
  fy_pool_join (fixture->pool, -1, NULL);
  g_clear_pointer (&fixture->futures, g_ptr_array_unref);
  g_clear_object (&fixture->pool);
  g_clear_object (&fixture->settings);
}

static void
assert_run_complete (Fixture *fixture)
{
  g_assert_true (wait_until (fixture, all_finished, NULL));
  for (guint i = 0; i < fixture->futures->len; i++)
    g_assert_cmpint (fy_future_get_state (g_ptr_array_index (fixture->futures, i)), ==,
                     FY_FUTURE_STATE_DONE);
}

static void
test_rows (Fixture       *fixture,
           gconstpointer  data)
{
  for (guint i = 0; i < 2; i++)
    {
      FyWorkerRow *row = row_at (fixture, i);
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (fy_pool_get_workers (fixture->pool), i);
      g_autofree char *pid_text = NULL;
      g_autofree char *description = NULL;

      g_assert_true (fy_worker_row_get_worker (row) == worker);
      g_object_get (row, "pid", &pid_text, "cpu-percent-description", &description, NULL);
      g_assert_cmpint (atoi (pid_text), ==, fy_pool_worker_get_pid (worker));
      g_assert_nonnull (strstr (description, pid_text));
    }

  /* Without a pool the table is empty, and the actions are off. */
  fy_workers_view_set_pool (fixture->view, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (rows_of (fixture)), ==, 0);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "workers.kill", NULL)
                  && g_list_model_get_n_items (rows_of (fixture)) > 0);
  fy_workers_view_set_pool (fixture->view, fixture->pool);
  g_assert_true (wait_until (fixture, has_workers, GUINT_TO_POINTER (2)));
  assert_run_complete (fixture);
}

/* Each row keeps its worker's CPU % per reading, and the table's
 * sparkline column draws that history, bound through the row. */
static void
test_sparklines (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) sparklines = g_ptr_array_new ();

  g_assert_true (wait_until (fixture, rows_sampled, GUINT_TO_POINTER (3)));
  for (guint i = 0; i < 2; i++)
    {
      FyWorkerRow *row = row_at (fixture, i);
      FyHistory *history = fy_worker_row_get_history (row);
      guint64 n_samples = 0;

      g_object_get (row, "n-samples", &n_samples, NULL);
      g_assert_cmpuint (n_samples, ==, fy_worker_row_get_n_samples (row));
      g_assert_cmpuint (fy_history_get_length (history), >=, 3);
      /* Sleeping workers: their CPU % is a real figure, near nothing. */
      g_assert_false (isnan (fy_history_get_newest (history)));
      g_assert_cmpfloat (fy_history_get_newest (history), >=, 0);
      g_assert_cmpuint (fy_history_get_capacity (history), ==,
                        (guint) g_settings_get_int (fixture->settings, "history-length"));
    }

  collect_sparklines (GTK_WIDGET (fixture->view), sparklines);
  g_assert_cmpuint (sparklines->len, ==, 2);
  for (guint i = 0; i < sparklines->len; i++)
    {
      FySparkline *sparkline = g_ptr_array_index (sparklines, i);
      FyHistory *history = fy_sparkline_get_history (sparkline);

      g_assert_true (history == fy_worker_row_get_history (row_at (fixture, 0))
                     || history == fy_worker_row_get_history (row_at (fixture, 1)));
    }
  g_assert_true (fy_sparkline_get_history (g_ptr_array_index (sparklines, 0))
                 != fy_sparkline_get_history (g_ptr_array_index (sparklines, 1)));

  /* The capacity follows the preference. */
  g_settings_set_int (fixture->settings, "history-length", 30);
  g_assert_cmpuint (fy_history_get_capacity (fy_worker_row_get_history (row_at (fixture, 0))), ==, 30);
  g_settings_reset (fixture->settings, "history-length");
  assert_run_complete (fixture);
}

static void
test_stop_continue (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (rows_of (fixture));
  GPid pid = fy_worker_row_get_pid (row_at (fixture, 0));
  g_autofree char *stopped = g_strdup_printf ("Worker %d stopped by SIGSTOP", pid);
  g_autofree char *continued = g_strdup_printf ("Worker %d continued by SIGCONT", pid);

  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "workers.stop", NULL));
  g_assert_true (wait_until (fixture, first_row_state_is, "T"));
  g_assert_true (wait_until (fixture, toast_says, stopped));
  save_screenshots (fixture, "workers-view-stopped");
  /* The pool still runs on the other worker meanwhile. */

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "workers.continue", NULL));
  g_assert_true (wait_until (fixture, first_row_state_is_not, "T"));
  g_assert_true (wait_until (fixture, toast_says, continued));
  g_assert_cmpint (fy_worker_row_get_pid (row_at (fixture, 0)), ==, pid);
  assert_run_complete (fixture);
}

static void
kill_first_worker (Fixture  *fixture,
                   gboolean  confirm)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (rows_of (fixture));
  GPid pid;
  g_autofree char *killed = NULL;

  g_settings_set_boolean (fixture->settings, "confirm-kill", confirm);
  g_assert_true (wait_until (fixture, first_row_busy, NULL));
  pid = fy_worker_row_get_pid (row_at (fixture, 0));
  killed = g_strdup_printf ("Worker %d killed by SIGKILL", pid);

  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "workers.kill", NULL));
  if (confirm)
    {
      g_assert_true (wait_until (fixture, dialog_shown, NULL));
      /* Nothing happens before the answer. */
      g_assert_cmpint (fy_worker_row_get_pid (row_at (fixture, 0)), ==, pid);
      adw_message_dialog_response (ADW_MESSAGE_DIALOG (find_dialog (fixture)), "kill");
    }

  g_assert_true (wait_until (fixture, first_row_pid_is_not, GINT_TO_POINTER (pid)));
  g_assert_true (wait_until (fixture, toast_says, killed));
  /* The task it ran is retried (or had just finished), never failed:
   * under the retry policy nothing is lost. */
  g_assert_false (toast_says (fixture, "failed"));
  /* The replacement keeps the selection of its slot. */
  g_assert_true (gtk_selection_model_is_selected (selection, 0));
  assert_run_complete (fixture);
}

static void
test_kill (Fixture       *fixture,
           gconstpointer  data)
{
  kill_first_worker (fixture, FALSE);
}

static void
test_kill_confirmed (Fixture       *fixture,
                     gconstpointer  data)
{
  kill_first_worker (fixture, TRUE);
}

static void
test_kill_declined (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (rows_of (fixture));
  GPid pid = fy_worker_row_get_pid (row_at (fixture, 0));

  g_settings_set_boolean (fixture->settings, "confirm-kill", TRUE);
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "workers.kill", NULL));
  g_assert_true (wait_until (fixture, dialog_shown, NULL));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (find_dialog (fixture)), "cancel");
  assert_run_complete (fixture);
  g_assert_cmpint (fy_worker_row_get_pid (row_at (fixture, 0)), ==, pid);
}

static void
test_terminate_stopped (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (rows_of (fixture));
  GPid pid = fy_worker_row_get_pid (row_at (fixture, 0));
  g_autofree char *terminated = g_strdup_printf ("Worker %d terminated by SIGTERM", pid);

  /* A stopped worker still ends on SIGTERM: the pool continues it. */
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "workers.stop", NULL));
  g_assert_true (wait_until (fixture, first_row_state_is, "T"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "workers.terminate", NULL));
  g_assert_true (wait_until (fixture, first_row_pid_is_not, GINT_TO_POINTER (pid)));
  g_assert_true (wait_until (fixture, toast_says, terminated));
  assert_run_complete (fixture);
}

static gboolean
map_item_running (Fixture       *fixture,
                  gconstpointer  data)
{
  FyFuture *chunk = (FyFuture *) data;

  return fy_future_get_n_items_settled (chunk) >= 2 && !fy_future_is_finished (chunk);
}

static gboolean
map_item_crashed (Fixture       *fixture,
                  gconstpointer  data)
{
  return fy_future_get_crashed_item ((FyFuture *) data, NULL, NULL);
}

/* A worker killed in the middle of a map chunk: the toast names the item
 * it ran by its number in the input, as the results list does, not the
 * chunk's place among the tasks. */
static void
test_toast_names_chunk_item (void)
{
  g_autoptr(FyPool) pool = fy_pool_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariantBuilder) args = g_variant_builder_new (G_VARIANT_TYPE ("au"));
  g_autoptr(FyFutureIter) iter = NULL;
  g_autoptr(FyFuture) chunk = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  FyPoolWorker *worker;
  GPid pid;
  guint item = 0;
  guint retries = 0;

  g_assert_true (fy_pool_set_n_workers (pool, 1, &error));
  fy_pool_set_crash_policy (pool, FY_CRASH_POLICY_RETRY, 2);
  g_assert_true (fy_pool_start (pool, &error));
  for (guint i = 0; i < 20; i++)
    g_variant_builder_add (args, "u", i < 10 ? 1 : 300);
  iter = fy_pool_imap (pool, "sleep", g_variant_builder_end (args), 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (fy_pool_get_tasks (pool)), ==, 2);
  chunk = g_list_model_get_item (fy_pool_get_tasks (pool), 1);
  g_assert_cmpuint (fy_future_get_first_item (chunk), ==, 10);
  g_assert_true (wait_until (NULL, map_item_running, chunk));

  worker = fy_pool_find_worker (pool, fy_future_get_worker_pid (chunk));
  g_assert_nonnull (worker);
  pid = fy_pool_worker_get_pid (worker);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_true (wait_until (NULL, map_item_crashed, chunk));
  g_assert_true (fy_future_get_crashed_item (chunk, &item, &retries));
  g_assert_cmpuint (item, >=, 2);
  g_assert_cmpuint (retries, ==, 1);

  text = fy_worker_signal_describe_end (pool, pid, -SIGKILL, chunk);
  expected = g_strdup_printf ("Worker %d killed by SIGKILL — task %u retried (1 of 2)", pid, 10 + item);
  g_assert_cmpstr (text, ==, expected);
  g_assert_true (fy_future_wait (chunk, PATIENCE_S));
  g_assert_cmpint (fy_future_get_state (chunk), ==, FY_FUTURE_STATE_DONE);
}

/* The trigger of the view's own shortcut for @action, or NULL. */
static char *
shortcut_trigger (GtkWidget  *widget,
                  const char *action)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
          GtkShortcutAction *named = gtk_shortcut_get_action (shortcut);

          if (GTK_IS_NAMED_ACTION (named) &&
              g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (named)), action) == 0)
            return gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
        }
    }
  return NULL;
}

/* Ctrl+C stays Copy: Continue is on Ctrl+R, the others on System
 * Monitor's keys, as the shortcuts window lists them. */
static void
test_accelerators (void)
{
  GtkWidget *view = g_object_ref_sink (GTK_WIDGET (fy_workers_view_new ()));
  const char *const expected[][2] = {
    { "workers.terminate", "<Control>e" },
    { "workers.kill", "<Control>k" },
    { "workers.stop", "<Control>s" },
    { "workers.continue", "<Control>r" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *trigger = shortcut_trigger (view, expected[i][0]);

      g_assert_cmpstr (trigger, ==, expected[i][1]);
    }
  g_object_unref (view);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  fy_register_resource ();

  g_test_add_func ("/app/workers-view/accelerators", test_accelerators);
  g_test_add_func ("/app/workers-view/toast-names-chunk-item", test_toast_names_chunk_item);
  g_test_add ("/app/workers-view/rows", Fixture, NULL, fixture_set_up, test_rows, fixture_tear_down);
  g_test_add ("/app/workers-view/sparklines", Fixture, NULL, fixture_set_up, test_sparklines, fixture_tear_down);
  g_test_add ("/app/workers-view/stop-continue", Fixture, NULL, fixture_set_up, test_stop_continue, fixture_tear_down);
  g_test_add ("/app/workers-view/kill", Fixture, NULL, fixture_set_up, test_kill, fixture_tear_down);
  g_test_add ("/app/workers-view/kill-confirmed", Fixture, NULL, fixture_set_up, test_kill_confirmed, fixture_tear_down);
  g_test_add ("/app/workers-view/kill-declined", Fixture, NULL, fixture_set_up, test_kill_declined, fixture_tear_down);
  g_test_add ("/app/workers-view/terminate-stopped", Fixture, NULL, fixture_set_up, test_terminate_stopped, fixture_tear_down);

  return g_test_run ();
}
