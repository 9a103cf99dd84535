/* fy-task-list.c: the list model of a pool's tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It only ever grows at its end, so an array serves it: a GListStore would
 * keep every future in a balanced tree, a node allocated and a search made
 * per task.
 */

#include "config.h"

#include "fy-task-list.h"

struct _FyTaskList
{
  GObject    parent_instance;
  GPtrArray *futures;
};

static void fy_task_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FyTaskList, fy_task_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, fy_task_list_model_init))

static GType
fy_task_list_get_item_type (GListModel *model)
{
  return FY_TYPE_FUTURE;
}

static guint
fy_task_list_get_n_items (GListModel *model)
{
  return FY_TASK_LIST (model)->futures->len;
}

static gpointer
fy_task_list_get_item (GListModel *model,
                       guint       position)
{
  GPtrArray *futures = FY_TASK_LIST (model)->futures;

  return position < futures->len ? g_object_ref (g_ptr_array_index (futures, position)) : NULL;
}

static void
fy_task_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = fy_task_list_get_item_type;
  iface->get_n_items = fy_task_list_get_n_items;
  iface->get_item = fy_task_list_get_item;
}

static void
fy_task_list_finalize (GObject *object)
{
  g_ptr_array_unref (FY_TASK_LIST (object)->futures);
  G_OBJECT_CLASS (fy_task_list_parent_class)->finalize (object);
}

static void
fy_task_list_class_init (FyTaskListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_task_list_finalize;
}

static void
fy_task_list_init (FyTaskList *self)
{
  self->futures = g_ptr_array_new_with_free_func (g_object_unref);
}

void
fy_task_list_append (FyTaskList *self,
                     FyFuture  **futures,
                     guint       n)
{
  guint position = self->futures->len;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->futures, g_object_ref (futures[i]));
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, n);
}

FyTaskList *
fy_task_list_new (void)
{
  return g_object_new (FY_TYPE_TASK_LIST, NULL);
}

FyFuture * const *
fy_task_list_peek (FyTaskList *self,
                   guint      *out_n)
{
  *out_n = self->futures->len;
  return (FyFuture * const *) self->futures->pdata;
}
