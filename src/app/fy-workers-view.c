/* fy-workers-view.c: the table of a pool's worker processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows live in a GListStore of FyWorkerRow kept in step with the pool's
 * workers model: a row changes in place when its worker or its process
 * does, and a replaced worker's row is swapped for a new one at the same
 * position, which keeps its selection. Process figures come from one
 * FyProcessSampler on libgtop, read at the Preferences' sample interval
 * and only while the table is mapped.
 *
 * Signals go through the worker's pidfd and return at once; what became
 * of a killed worker's task is only known when the pool has handled its
 * death, so the toast for a kill or a terminate waits for the pool's
 * "worker-exited".
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>

#include "monitor/fy-gtop-source.h"
#include "monitor/fy-process-sampler.h"

#include "fy-sparkline.h"
#include "fy-value-cell.h"
#include "fy-worker-row.h"
#include "fy-worker-signal.h"
#include "fy-workers-view.h"

/* How soon after a signal the process is read again, so that its new
 * state shows without waiting for the next regular sample. */
#define QUICK_SAMPLE_MS 100

struct _FyWorkersView
{
  GtkWidget          parent_instance;

  FyPool            *pool;
  GListModel        *workers;        /* the pool's */
  GListStore        *rows;           /* FyWorkerRow, one per worker */
  GtkSingleSelection *selection;
  FyProcessSampler  *sampler;
  GSettings         *settings;
  /* pid → KillRecord of a worker we signalled to end. */
  GHashTable        *pending_deaths;

  guint              sample_id;
  guint              quick_sample_id;

  GtkWidget         *box;
  GtkStack          *stack;
  GtkColumnView     *column_view;
  GMenuModel        *context_menu;
  GtkWidget         *popover;
};

G_DEFINE_FINAL_TYPE (FyWorkersView, fy_workers_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_POOL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  int       signum;
  FyFuture *task;   /* what the worker ran when it was signalled, or NULL */
} KillRecord;

static void
kill_record_free (gpointer data)
{
  KillRecord *record = data;

  g_clear_object (&record->task);
  g_free (record);
}

/* ---- helpers -------------------------------------------------------------- */

static void
show_toast (FyWorkersView *self,
            const char    *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    {
      g_message ("%s", message);
      return;
    }
  toast = adw_toast_new (message);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static FyWorkerRow *
get_selected_row (FyWorkersView *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static FyPoolWorker *
get_selected_worker (FyWorkersView *self)
{
  FyWorkerRow *row = get_selected_row (self);

  return row != NULL ? fy_worker_row_get_worker (row) : NULL;
}

static gboolean
worker_is_live (FyPoolWorker *worker)
{
  FyPoolWorkerState state = fy_pool_worker_get_state (worker);

  return state != FY_POOL_WORKER_STATE_EXITED;
}

static void
update_actions (FyWorkersView *self)
{
  FyPoolWorker *worker = get_selected_worker (self);
  gboolean live = worker != NULL && worker_is_live (worker);
  gboolean stopped = live && fy_pool_worker_get_state (worker) == FY_POOL_WORKER_STATE_STOPPED;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workers.terminate", live);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workers.kill", live);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workers.stop", live && !stopped);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "workers.continue", stopped);
}

static void
sampler_updated_cb (FyWorkersView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyWorkerRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      fy_worker_row_update (row, fy_process_sampler_lookup (self->sampler, fy_worker_row_get_pid (row)), now);
    }
  update_actions (self);
}

static gboolean
sample_cb (gpointer data)
{
  FyWorkersView *self = data;

  fy_process_sampler_update (self->sampler);
  return G_SOURCE_CONTINUE;
}

static gboolean
quick_sample_cb (gpointer data)
{
  FyWorkersView *self = data;

  self->quick_sample_id = 0;
  fy_process_sampler_update (self->sampler);
  return G_SOURCE_REMOVE;
}

/* One extra reading soon: after a signal, or when new workers arrived. */
static void
queue_quick_sample (FyWorkersView *self)
{
  if (self->quick_sample_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->quick_sample_id = g_timeout_add (QUICK_SAMPLE_MS, quick_sample_cb, self);
}

static void
start_sampling (FyWorkersView *self)
{
  double interval = g_settings_get_double (self->settings, "sample-interval");

  g_clear_handle_id (&self->sample_id, g_source_remove);
  self->sample_id = g_timeout_add (MAX (1, (guint) (interval * 1000.0 + 0.5)), sample_cb, self);
  fy_process_sampler_update (self->sampler);
}

static void
stop_sampling (FyWorkersView *self)
{
  g_clear_handle_id (&self->sample_id, g_source_remove);
  g_clear_handle_id (&self->quick_sample_id, g_source_remove);
}

/* The sparklines keep as many readings as the Monitor page's graphs. */
static guint
history_length (FyWorkersView *self)
{
  return (guint) CLAMP (g_settings_get_int (self->settings, "history-length"), 1, FY_HISTORY_MAX_CAPACITY);
}

static void
history_length_changed_cb (FyWorkersView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyWorkerRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      fy_history_set_capacity (fy_worker_row_get_history (row), history_length (self));
    }
}

static void
sample_interval_changed_cb (FyWorkersView *self)
{
  if (self->sample_id != 0)
    start_sampling (self);
}

static void
worker_exited_cb (FyWorkersView *self,
                  FyPoolWorker  *worker,
                  int            exitcode)
{
  GPid pid = fy_pool_worker_get_pid (worker);
  KillRecord *record = g_hash_table_lookup (self->pending_deaths, GINT_TO_POINTER (pid));
  g_autofree char *message = NULL;

  if (record == NULL)
    return;
  message = fy_worker_signal_describe_end (self->pool, pid, exitcode, record->task);
  g_hash_table_remove (self->pending_deaths, GINT_TO_POINTER (pid));
  show_toast (self, message);
  queue_quick_sample (self);
}

static void
send_signal (FyWorkersView *self,
             FyPoolWorker  *worker,
             int            signum)
{
  g_autoptr(GError) error = NULL;
  GPid pid = fy_pool_worker_get_pid (worker);
  FyFuture *task = fy_pool_worker_get_current_task (worker);

  if (!worker_is_live (worker))
    {
      g_autofree char *message = g_strdup_printf (_("Worker %d has already exited"), pid);

      show_toast (self, message);
      return;
    }

  /* Recorded before the signal: the death is only handled later, in the
   * main loop, but the task must be the one the worker held now. */
  if (signum == SIGTERM || signum == SIGKILL)
    {
      KillRecord *record = g_new0 (KillRecord, 1);

      record->signum = signum;
      record->task = task != NULL ? g_object_ref (task) : NULL;
      g_hash_table_replace (self->pending_deaths, GINT_TO_POINTER (pid), record);
    }

  if (!fy_worker_signal_send (worker, signum, &error))
    {
      g_hash_table_remove (self->pending_deaths, GINT_TO_POINTER (pid));
      show_toast (self, error->message);
    }
  else
    {
      g_autofree char *message = fy_worker_signal_describe_sent (pid, signum);

      if (message != NULL)
        show_toast (self, message);
    }
  update_actions (self);
  queue_quick_sample (self);
}

static void
kill_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  FyWorkersView    *self)
{
  FyPoolWorker *worker = g_object_get_data (G_OBJECT (dialog), "fy-worker");

  if (g_strcmp0 (response, "kill") == 0 && worker != NULL)
    send_signal (self, worker, SIGKILL);
}

static void
confirm_kill (FyWorkersView *self,
              FyPoolWorker  *worker)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = fy_worker_signal_kill_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                         : NULL,
                                                        fy_pool_worker_get_pid (worker));

  /* The worker asked about, even if the selection moves meanwhile. */
  g_object_set_data_full (G_OBJECT (dialog), "fy-worker", g_object_ref (worker), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (kill_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
worker_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  FyWorkersView *self = FY_WORKERS_VIEW (widget);
  FyPoolWorker *worker = get_selected_worker (self);

  if (worker == NULL)
    return;

  if (g_str_equal (action_name, "workers.terminate"))
    send_signal (self, worker, SIGTERM);
  else if (g_str_equal (action_name, "workers.kill"))
    {
      if (g_settings_get_boolean (self->settings, "confirm-kill"))
        confirm_kill (self, worker);
      else
        send_signal (self, worker, SIGKILL);
    }
  else if (g_str_equal (action_name, "workers.stop"))
    send_signal (self, worker, SIGSTOP);
  else if (g_str_equal (action_name, "workers.continue"))
    send_signal (self, worker, SIGCONT);
}

/* ---- rows ------------------------------------------------------------------ */

static void
row_worker_state_cb (FyWorkersView *self)
{
  update_actions (self);
}

static FyWorkerRow *
make_row (FyWorkersView *self,
          FyPoolWorker  *worker)
{
  FyWorkerRow *row = fy_worker_row_new (worker, fy_pool_get_tasks (self->pool));

  fy_history_set_capacity (fy_worker_row_get_history (row), history_length (self));

  g_signal_connect_object (worker, "notify::state", G_CALLBACK (row_worker_state_cb),
                           self, G_CONNECT_SWAPPED);
  fy_process_sampler_add (self->sampler, fy_pool_worker_get_pid (worker));
  return row;
}

static void
forget_row (FyWorkersView *self,
            FyWorkerRow   *row)
{
  g_signal_handlers_disconnect_by_func (fy_worker_row_get_worker (row), row_worker_state_cb, self);
  fy_process_sampler_remove (self->sampler, fy_worker_row_get_pid (row));
}

static void
workers_changed_cb (FyWorkersView *self,
                    guint          position,
                    guint          removed,
                    guint          added,
                    GListModel    *workers)
{
  g_autoptr(GPtrArray) new_rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint selected = gtk_single_selection_get_selected (self->selection);

  for (guint i = 0; i < removed; i++)
    {
      g_autoptr(FyWorkerRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), position + i);

      forget_row (self, row);
    }
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(FyPoolWorker) worker = g_list_model_get_item (workers, position + i);

      g_ptr_array_add (new_rows, make_row (self, worker));
    }
  g_list_store_splice (self->rows, position, removed, new_rows->pdata, new_rows->len);

  /* A replacement takes its predecessor's place, and its selection: the
   * user who killed the worker of a slot keeps looking at that slot. */
  if (selected != GTK_INVALID_LIST_POSITION && selected >= position && selected < position + removed
      && selected < position + added)
    gtk_single_selection_set_selected (self->selection, selected);

  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->rows)) > 0
                                    ? "table" : "empty");
  update_actions (self);
  queue_quick_sample (self);
}

static void
clear_rows (FyWorkersView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyWorkerRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      forget_row (self, row);
    }
  g_list_store_remove_all (self->rows);
  fy_process_sampler_remove_gone (self->sampler);
}

/* ---- context menu ---------------------------------------------------------- */

static void
popup_menu_at (FyWorkersView *self,
               double         x,
               double         y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  update_actions (self);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover), &rect);
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

static FyValueCell *
find_cell_of (GtkWidget *widget,
              GObject   *item)
{
  if (FY_IS_VALUE_CELL (widget) && fy_value_cell_get_item (FY_VALUE_CELL (widget)) == item)
    return FY_VALUE_CELL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      FyValueCell *cell = find_cell_of (child, item);

      if (cell != NULL)
        return cell;
    }
  return NULL;
}

static gboolean
popup_menu_shortcut_cb (GtkWidget *widget,
                        GVariant  *args,
                        gpointer   user_data)
{
  FyWorkersView *self = FY_WORKERS_VIEW (widget);
  FyWorkerRow *row = get_selected_row (self);
  FyValueCell *cell = row != NULL ? find_cell_of (GTK_WIDGET (self->column_view), G_OBJECT (row)) : NULL;
  graphene_rect_t bounds;

  if (row == NULL)
    return FALSE;
  if (cell != NULL && gtk_widget_compute_bounds (GTK_WIDGET (cell), widget, &bounds))
    popup_menu_at (self, bounds.origin.x + 8, bounds.origin.y + bounds.size.height);
  else
    popup_menu_at (self, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
  return TRUE;
}

static void
secondary_click_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    FyWorkersView   *self)
{
  GtkWidget *column_view = GTK_WIDGET (self->column_view);
  GtkWidget *picked = gtk_widget_pick (column_view, x, y, GTK_PICK_DEFAULT);
  guint position;
  double vx, vy;

  /* The row under the pointer is the one whose cell was hit. */
  while (picked != NULL && picked != column_view && !FY_IS_VALUE_CELL (picked))
    picked = gtk_widget_get_parent (picked);
  if (picked == NULL || !FY_IS_VALUE_CELL (picked) || fy_value_cell_get_item (FY_VALUE_CELL (picked)) == NULL)
    return;
  if (!g_list_store_find (self->rows, fy_value_cell_get_item (FY_VALUE_CELL (picked)), &position))
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_translate_coordinates (column_view, GTK_WIDGET (self), x, y, &vx, &vy);
  popup_menu_at (self, vx, vy);
}

/* ---- GtkWidget ------------------------------------------------------------- */

static void
fy_workers_view_map (GtkWidget *widget)
{
  FyWorkersView *self = FY_WORKERS_VIEW (widget);

  GTK_WIDGET_CLASS (fy_workers_view_parent_class)->map (widget);
  start_sampling (self);
}

static void
fy_workers_view_unmap (GtkWidget *widget)
{
  FyWorkersView *self = FY_WORKERS_VIEW (widget);

  stop_sampling (self);
  GTK_WIDGET_CLASS (fy_workers_view_parent_class)->unmap (widget);
}

static void
fy_workers_view_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  FyWorkersView *self = FY_WORKERS_VIEW (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
fy_workers_view_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  FyWorkersView *self = FY_WORKERS_VIEW (widget);

  gtk_widget_allocate (self->box, width, height, baseline, NULL);
  /* A popover is a surface of its own and is placed, not allocated. */
  gtk_popover_present (GTK_POPOVER (self->popover));
}

static gboolean
fy_workers_view_focus (GtkWidget        *widget,
                       GtkDirectionType  direction)
{
  FyWorkersView *self = FY_WORKERS_VIEW (widget);

  /* The popover is a child too, but not one to Tab into. */
  return gtk_widget_child_focus (self->box, direction);
}

static gboolean
fy_workers_view_grab_focus (GtkWidget *widget)
{
  /* Focusing the view means focusing its table. */
  return gtk_widget_grab_focus (GTK_WIDGET (FY_WORKERS_VIEW (widget)->column_view));
}

/* ---- GObject --------------------------------------------------------------- */

static void
fy_workers_view_dispose (GObject *object)
{
  FyWorkersView *self = FY_WORKERS_VIEW (object);

  stop_sampling (self);
  if (self->rows != NULL)
    fy_workers_view_set_pool (self, NULL);
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_WORKERS_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
  g_clear_object (&self->sampler);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->pending_deaths, g_hash_table_unref);

  G_OBJECT_CLASS (fy_workers_view_parent_class)->dispose (object);
}

static void
fy_workers_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  FyWorkersView *self = FY_WORKERS_VIEW (object);

  switch (prop_id)
    {
    case PROP_POOL:
      g_value_set_object (value, self->pool);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_workers_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  FyWorkersView *self = FY_WORKERS_VIEW (object);

  switch (prop_id)
    {
    case PROP_POOL:
      fy_workers_view_set_pool (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_workers_view_class_init (FyWorkersViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_workers_view_dispose;
  object_class->get_property = fy_workers_view_get_property;
  object_class->set_property = fy_workers_view_set_property;

  widget_class->map = fy_workers_view_map;
  widget_class->unmap = fy_workers_view_unmap;
  widget_class->measure = fy_workers_view_measure;
  widget_class->size_allocate = fy_workers_view_size_allocate;
  widget_class->focus = fy_workers_view_focus;
  widget_class->grab_focus = fy_workers_view_grab_focus;

  properties[PROP_POOL] =
    g_param_spec_object ("pool", NULL, NULL,
                         FY_TYPE_POOL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FY_TYPE_SPARKLINE);
  g_type_ensure (FY_TYPE_VALUE_CELL);
  g_type_ensure (FY_TYPE_WORKER_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-workers-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FyWorkersView, box);
  gtk_widget_class_bind_template_child (widget_class, FyWorkersView, stack);
  gtk_widget_class_bind_template_child (widget_class, FyWorkersView, column_view);
  gtk_widget_class_bind_template_child (widget_class, FyWorkersView, context_menu);

  gtk_widget_class_install_action (widget_class, "workers.terminate", NULL, worker_action);
  gtk_widget_class_install_action (widget_class, "workers.kill", NULL, worker_action);
  gtk_widget_class_install_action (widget_class, "workers.stop", NULL, worker_action);
  gtk_widget_class_install_action (widget_class, "workers.continue", NULL, worker_action);

  /* GNOME System Monitor's keys for End, Kill and Stop; Continue (Resume) is
   * Ctrl+R, since Ctrl+C is Copy in every GNOME application. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "workers.terminate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "workers.kill", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "workers.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "workers.continue", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, popup_menu_shortcut_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, popup_menu_shortcut_cb, NULL);

  gtk_widget_class_set_css_name (widget_class, "fy-workers-view");
}

static void
fy_workers_view_init (FyWorkersView *self)
{
  g_autoptr(FyGtopSource) source = NULL;
  GtkGesture *gesture;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::sample-interval",
                           G_CALLBACK (sample_interval_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::history-length",
                           G_CALLBACK (history_length_changed_cb), self, G_CONNECT_SWAPPED);

  source = fy_gtop_source_new ();
  self->sampler = fy_process_sampler_new (FY_SAMPLE_SOURCE (source));
  g_signal_connect_object (self->sampler, "updated", G_CALLBACK (sampler_updated_cb),
                           self, G_CONNECT_SWAPPED);

  self->pending_deaths = g_hash_table_new_full (NULL, NULL, NULL, kill_record_free);

  self->rows = g_list_store_new (FY_TYPE_WORKER_ROW);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected", G_CALLBACK (update_actions),
                           self, G_CONNECT_SWAPPED);

  self->popover = gtk_popover_menu_new_from_model (self->context_menu);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (secondary_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (gesture));

  update_actions (self);
}

/* ---- public API ------------------------------------------------------------- */

FyWorkersView *
fy_workers_view_new (void)
{
  return g_object_new (FY_TYPE_WORKERS_VIEW, NULL);
}

FyPool *
fy_workers_view_get_pool (FyWorkersView *self)
{
  g_return_val_if_fail (FY_IS_WORKERS_VIEW (self), NULL);

  return self->pool;
}

void
fy_workers_view_set_pool (FyWorkersView *self,
                          FyPool        *pool)
{
  g_return_if_fail (FY_IS_WORKERS_VIEW (self));
  g_return_if_fail (pool == NULL || FY_IS_POOL (pool));

  if (self->pool == pool)
    return;

  if (self->pool != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->pool, self);
      g_signal_handlers_disconnect_by_data (self->workers, self);
      clear_rows (self);
      g_hash_table_remove_all (self->pending_deaths);
      g_clear_object (&self->workers);
      g_clear_object (&self->pool);
    }

  if (pool != NULL)
    {
      self->pool = g_object_ref (pool);
      self->workers = g_object_ref (fy_pool_get_workers (pool));
      g_signal_connect_object (self->pool, "worker-exited", G_CALLBACK (worker_exited_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->workers, "items-changed", G_CALLBACK (workers_changed_cb),
                               self, G_CONNECT_SWAPPED);
      workers_changed_cb (self, 0, 0, g_list_model_get_n_items (self->workers), self->workers);
    }
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      update_actions (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POOL]);
}
