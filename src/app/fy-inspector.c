/* fy-inspector.c: the IPC inspector, every live shared object of the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows mirror the registry one to one (it appends and removes; the
 * rows follow with the same splices), so a row keeps its place and its
 * widgets while the objects around it come and go. While the inspector is
 * mapped and lists anything, a timer updates every row from its snapshot
 * a few times a second; a changed figure queues a frame, an unchanged one
 * costs nothing. Not a tick callback: that would keep the frame clock
 * running at the display's rate for as long as the inspector is shown,
 * idle or not. Nothing runs while nobody can see it or nothing is live.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "core/fy-registry.h"

#include "fy-inspector.h"
#include "fy-inspector-row.h"
#include "fy-sparkline.h"

/* The shortest time between two refreshes. */
#define REFRESH_INTERVAL_MS 200

struct _FyInspector
{
  GtkWidget      parent_instance;

  FyRegistry    *registry;
  GListStore    *rows;
  guint          refresh_id;
  guint64        n_refreshes;

  GtkLabel      *count_label;
  GtkEntry      *poke_entry;
  GtkLabel      *poke_error_label;
  GtkStack      *stack;
  GtkColumnView *view;
};

G_DEFINE_FINAL_TYPE (FyInspector, fy_inspector, GTK_TYPE_WIDGET)

static void
update_count (FyInspector *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u live object",
                                                        "%u live objects", n), n);

  gtk_label_set_label (self->count_label, text);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static void
refresh (FyInspector *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyInspectorRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      fy_inspector_row_update (row, now);
      self->n_refreshes++;
    }
}

static gboolean
refresh_cb (gpointer data)
{
  refresh (data);
  return G_SOURCE_CONTINUE;
}

/* No more often than the eye can follow: every changed label costs a
 * relayout and an accessibility event. */
static void
update_refreshing (FyInspector *self)
{
  gboolean need = gtk_widget_get_mapped (GTK_WIDGET (self))
                  && g_list_model_get_n_items (G_LIST_MODEL (self->rows)) > 0;

  if (need && self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
  else if (!need)
    g_clear_handle_id (&self->refresh_id, g_source_remove);
}

static void
registry_items_changed_cb (FyInspector *self,
                           guint        position,
                           guint        removed,
                           guint        added,
                           GListModel  *registry)
{
  g_autoptr(GPtrArray) new_rows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < added; i++)
    {
      g_autoptr(FyShm) shm = g_list_model_get_item (registry, position + i);
      FyInspectorRow *row = fy_inspector_row_new (shm);

      /* A new row shows its state at once, not a frame later. */
      fy_inspector_row_update (row, g_get_monotonic_time ());
      g_ptr_array_add (new_rows, row);
    }
  g_list_store_splice (self->rows, position, removed, new_rows->pdata, new_rows->len);
  update_count (self);
  update_refreshing (self);
}

static void
poke (FyInspector    *self,
      FyInspectorRow *row)
{
  g_autoptr(GError) error = NULL;

  if (fy_inspector_row_poke (row, gtk_editable_get_text (GTK_EDITABLE (self->poke_entry)), &error))
    {
      gtk_label_set_label (self->poke_error_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->poke_error_label), FALSE);
      fy_inspector_row_update (row, g_get_monotonic_time ());
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("%s “%s”: %s"), fy_inspector_row_get_kind (row),
                                               fy_inspector_row_get_name (row), error->message);

      gtk_label_set_label (self->poke_error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->poke_error_label), TRUE);
    }
}

/* Handlers and closures of the row templates. */
static void
poke_clicked_cb (GtkListItem *item,
                 GtkButton   *button)
{
  GtkWidget *inspector = gtk_widget_get_ancestor (GTK_WIDGET (button), FY_TYPE_INSPECTOR);
  gpointer row = gtk_list_item_get_item (item);

  if (inspector != NULL && FY_IS_INSPECTOR_ROW (row))
    poke (FY_INSPECTOR (inspector), row);
}

static gboolean
has_text (gpointer    unused,
          const char *text)
{
  return text != NULL && *text != '\0';
}

static gboolean
has_fraction (gpointer unused,
              double   fraction)
{
  return fraction >= 0;
}

static double
fraction_value (gpointer unused,
                double   fraction)
{
  return MAX (fraction, 0);
}

static void
fy_inspector_map (GtkWidget *widget)
{
  FyInspector *self = FY_INSPECTOR (widget);

  GTK_WIDGET_CLASS (fy_inspector_parent_class)->map (widget);

  refresh (self);
  update_refreshing (self);
}

static void
fy_inspector_unmap (GtkWidget *widget)
{
  FyInspector *self = FY_INSPECTOR (widget);

  GTK_WIDGET_CLASS (fy_inspector_parent_class)->unmap (widget);
  update_refreshing (self);
}

static void
fy_inspector_dispose (GObject *object)
{
  FyInspector *self = FY_INSPECTOR (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->registry != NULL)
    g_signal_handlers_disconnect_by_data (self->registry, self);
  g_clear_object (&self->registry);
  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_INSPECTOR);
  /* The template's root box is not bound to a field: unparent it too. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (fy_inspector_parent_class)->dispose (object);
}

static void
fy_inspector_class_init (FyInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_inspector_dispose;
  widget_class->map = fy_inspector_map;
  widget_class->unmap = fy_inspector_unmap;

  g_type_ensure (FY_TYPE_INSPECTOR_ROW);
  g_type_ensure (FY_TYPE_SPARKLINE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, FyInspector, count_label);
  gtk_widget_class_bind_template_child (widget_class, FyInspector, poke_entry);
  gtk_widget_class_bind_template_child (widget_class, FyInspector, poke_error_label);
  gtk_widget_class_bind_template_child (widget_class, FyInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, FyInspector, view);
  gtk_widget_class_bind_template_callback (widget_class, poke_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  gtk_widget_class_bind_template_callback (widget_class, has_fraction);
  gtk_widget_class_bind_template_callback (widget_class, fraction_value);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
fy_inspector_init (FyInspector *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("IPC Inspector"),
                                  -1);

  self->rows = g_list_store_new (FY_TYPE_INSPECTOR_ROW);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));

  self->registry = g_object_ref (fy_registry_get_default ());
  g_signal_connect_swapped (self->registry, "items-changed",
                            G_CALLBACK (registry_items_changed_cb), self);
  registry_items_changed_cb (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->registry)),
                             G_LIST_MODEL (self->registry));
}

GtkWidget *
fy_inspector_new (void)
{
  return g_object_new (FY_TYPE_INSPECTOR, NULL);
}

GListModel *
fy_inspector_get_rows (FyInspector *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR (self), NULL);
  return G_LIST_MODEL (self->rows);
}

guint64
fy_inspector_get_n_refreshes (FyInspector *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR (self), 0);
  return self->n_refreshes;
}
