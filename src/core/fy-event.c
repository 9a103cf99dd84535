/* fy-event.c: a process-shared event flag
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-event.h"
#include "fy-futex.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"

typedef struct
{
  guint32 flag;      /* 0 clear, 1 set */
  guint32 waiters;
  guint32 sets;      /* the futex word, bumped by every set: a waiter that
                      * slept through a set and a clear still returns TRUE */
} EventData;

struct _FyEvent
{
  GObject    parent_instance;

  FyShm     *shm;
  EventData *data;
};

G_DEFINE_FINAL_TYPE (FyEvent, fy_event, G_TYPE_OBJECT)

static void
event_snapshot (FyShm        *shm,
                GVariantDict *dict)
{
  EventData *data = fy_shm_get_data (shm);

  g_variant_dict_insert (dict, "set", "b", __atomic_load_n (&data->flag, __ATOMIC_RELAXED) != 0);
  g_variant_dict_insert (dict, "waiters", "u", __atomic_load_n (&data->waiters, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "u", __atomic_load_n (&data->sets, __ATOMIC_RELAXED));
}

static void
fy_event_finalize (GObject *object)
{
  FyEvent *self = FY_EVENT (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_event_parent_class)->finalize (object);
}

static void
fy_event_class_init (FyEventClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_event_finalize;
}

static void
fy_event_init (FyEvent *self)
{
}

static FyEvent *
event_wrap (FyShm    *shm,
            gboolean  created)
{
  FyEvent *self = g_object_new (FY_TYPE_EVENT, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  fy_shm_set_funcs (shm, NULL, event_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

FyEvent *
fy_event_new (const char  *name,
              GError     **error)
{
  g_autoptr(FyShm) shm = fy_shm_new (FY_SHM_KIND_EVENT, name, sizeof (EventData), error);

  return shm != NULL ? event_wrap (shm, TRUE) : NULL;
}

FyEvent *
fy_event_new_from_fd (int      fd,
                      GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_EVENT, error);

  return shm != NULL ? event_wrap (shm, FALSE) : NULL;
}

int
fy_event_get_fd (FyEvent *self)
{
  g_return_val_if_fail (FY_IS_EVENT (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_event_get_shm (FyEvent *self)
{
  g_return_val_if_fail (FY_IS_EVENT (self), NULL);
  return self->shm;
}

void
fy_event_set (FyEvent *self)
{
  g_return_if_fail (FY_IS_EVENT (self));

  __atomic_store_n (&self->data->flag, 1, __ATOMIC_SEQ_CST);
  __atomic_add_fetch (&self->data->sets, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n (&self->data->waiters, __ATOMIC_SEQ_CST) > 0)
    fy_futex_wake (&self->data->sets, G_MAXINT);
}

void
fy_event_clear (FyEvent *self)
{
  g_return_if_fail (FY_IS_EVENT (self));
  __atomic_store_n (&self->data->flag, 0, __ATOMIC_SEQ_CST);
}

gboolean
fy_event_is_set (FyEvent *self)
{
  g_return_val_if_fail (FY_IS_EVENT (self), FALSE);
  return __atomic_load_n (&self->data->flag, __ATOMIC_ACQUIRE) != 0;
}

gboolean
fy_event_wait (FyEvent *self,
               double   timeout_seconds)
{
  gint64 deadline;
  guint32 start;

  g_return_val_if_fail (FY_IS_EVENT (self), FALSE);

  deadline = fy_deadline_from_timeout (timeout_seconds);
  start = __atomic_load_n (&self->data->sets, __ATOMIC_ACQUIRE);
  for (;;)
    {
      guint32 seen = __atomic_load_n (&self->data->sets, __ATOMIC_ACQUIRE);
      int rc;

      if (__atomic_load_n (&self->data->flag, __ATOMIC_ACQUIRE) != 0 || seen != start)
        return TRUE;

      __atomic_add_fetch (&self->data->waiters, 1, __ATOMIC_SEQ_CST);
      rc = fy_futex_wait (&self->data->sets, seen, deadline);
      __atomic_sub_fetch (&self->data->waiters, 1, __ATOMIC_SEQ_CST);
      if (rc != 0)
        return __atomic_load_n (&self->data->flag, __ATOMIC_ACQUIRE) != 0 ||
               __atomic_load_n (&self->data->sets, __ATOMIC_ACQUIRE) != start;
    }
}
