/* fy-registry.c: the live shared objects of this process, as a list model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-registry-private.h"

struct _FyRegistry
{
  GObject       parent_instance;

  GPtrArray    *items;     /* FyShm, strong; touched only in the context's thread */
  GMainContext *context;
  GThread      *thread;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FyRegistry, fy_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      list_model_iface_init))

typedef struct
{
  FyRegistry *registry;
  FyShm      *shm;
  gboolean    add;
} Change;

static GType
fy_registry_get_item_type (GListModel *model)
{
  return FY_TYPE_SHM;
}

static guint
fy_registry_get_n_items (GListModel *model)
{
  return FY_REGISTRY (model)->items->len;
}

static gpointer
fy_registry_get_item (GListModel *model,
                      guint       position)
{
  FyRegistry *self = FY_REGISTRY (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = fy_registry_get_item_type;
  iface->get_n_items = fy_registry_get_n_items;
  iface->get_item = fy_registry_get_item;
}

static void
apply_change (FyRegistry *self,
              FyShm      *shm,
              gboolean    add)
{
  guint position;

  if (add)
    {
      g_ptr_array_add (self->items, g_object_ref (shm));
      g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
    }
  else if (g_ptr_array_find (self->items, shm, &position))
    {
      g_ptr_array_remove_index (self->items, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
}

static gboolean
apply_change_cb (gpointer data)
{
  Change *change = data;

  apply_change (change->registry, change->shm, change->add);
  g_object_unref (change->shm);
  g_free (change);
  return G_SOURCE_REMOVE;
}

static void
queue_change (FyShm    *shm,
              gboolean  add)
{
  FyRegistry *self = fy_registry_get_default ();
  Change *change;

  /* GListModel consumers expect changes in their own thread, so changes
   * made elsewhere are handed over to the registry's context. */
  if (g_thread_self () == self->thread)
    {
      apply_change (self, shm, add);
      return;
    }

  change = g_new0 (Change, 1);
  change->registry = self;
  change->shm = g_object_ref (shm);
  change->add = add;
  g_main_context_invoke (self->context, apply_change_cb, change);
}

static void
fy_registry_finalize (GObject *object)
{
  FyRegistry *self = FY_REGISTRY (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (fy_registry_parent_class)->finalize (object);
}

static void
fy_registry_class_init (FyRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_registry_finalize;
}

static void
fy_registry_init (FyRegistry *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();
  self->thread = g_thread_self ();
}

FyRegistry *
fy_registry_get_default (void)
{
  static FyRegistry *instance;

  if (g_once_init_enter (&instance))
    g_once_init_leave (&instance, g_object_new (FY_TYPE_REGISTRY, NULL));
  return instance;
}

static void
owner_finalized_cb (gpointer  data,
                    GObject  *where_the_object_was)
{
  FyShm *shm = data;

  queue_change (shm, FALSE);
  g_object_unref (shm);
}

void
fy_registry_attach_owner (FyShm    *shm,
                          GObject  *owner,
                          gboolean  created)
{
  g_return_if_fail (FY_IS_SHM (shm));

  if (!created)
    return;
  /* The registry lists the mapping while its creator lives; the weak
   * reference takes it off when the owner goes. */
  g_object_weak_ref (owner, owner_finalized_cb, g_object_ref (shm));
  queue_change (shm, TRUE);
}

guint
fy_registry_get_n_objects (FyRegistry *self)
{
  g_return_val_if_fail (FY_IS_REGISTRY (self), 0);
  return self->items->len;
}

GVariant *
fy_registry_snapshot_all (FyRegistry *self)
{
  GVariantBuilder builder;

  g_return_val_if_fail (FY_IS_REGISTRY (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->items->len; i++)
    {
      g_autoptr(GVariant) snapshot = fy_shm_snapshot (g_ptr_array_index (self->items, i));

      g_variant_builder_add_value (&builder, snapshot);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}
