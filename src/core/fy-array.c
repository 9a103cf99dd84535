/* fy-array.c: a typed array in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-array.h"
#include "fy-lock-private.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"
#include "fy-value-private.h"

struct _FyArray
{
  GObject      parent_instance;

  FyShm       *shm;
  FyValueData *data;
  guint8      *elements;
  gsize        element_size;
  FyLock      *lock;
};

G_DEFINE_FINAL_TYPE (FyArray, fy_array, G_TYPE_OBJECT)

static void
array_snapshot (FyShm        *shm,
                GVariantDict *dict)
{
  FyValueData *data = fy_shm_get_data (shm);

  if (data->type >= FY_VALUE_N_TYPES)
    return;
  g_variant_dict_insert (dict, "type", "s", fy_value_type_to_code (data->type));
  g_variant_dict_insert (dict, "locked", "b", data->with_lock != 0);
  g_variant_dict_insert (dict, "capacity", "t", data->length);
  g_variant_dict_insert (dict, "puts", "t", __atomic_load_n (&data->writes, __ATOMIC_RELAXED));
}

static void
fy_array_dispose (GObject *object)
{
  FyArray *self = FY_ARRAY (object);

  g_clear_object (&self->lock);

  G_OBJECT_CLASS (fy_array_parent_class)->dispose (object);
}

static void
fy_array_finalize (GObject *object)
{
  FyArray *self = FY_ARRAY (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_array_parent_class)->finalize (object);
}

static void
fy_array_class_init (FyArrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fy_array_dispose;
  object_class->finalize = fy_array_finalize;
}

static void
fy_array_init (FyArray *self)
{
}

static FyArray *
array_wrap (FyShm    *shm,
            gboolean  created)
{
  FyArray *self = g_object_new (FY_TYPE_ARRAY, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  self->elements = (guint8 *) self->data + FY_VALUE_ELEMENTS_OFFSET;
  self->element_size = fy_value_type_get_size (self->data->type);
  if (self->data->with_lock)
    self->lock = fy_lock_new_for_shm (shm);
  fy_shm_set_funcs (shm, NULL, array_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

FyArray *
fy_array_new (const char   *name,
              FyValueType   type,
              gsize         length,
              gboolean      with_lock,
              GError      **error)
{
  g_autoptr(FyShm) shm = NULL;
  FyValueData *data;

  g_return_val_if_fail (type < FY_VALUE_N_TYPES, NULL);
  g_return_val_if_fail (length < G_MAXSIZE / 16, NULL);

  shm = fy_shm_new (FY_SHM_KIND_ARRAY, name,
                    FY_VALUE_ELEMENTS_OFFSET + length * fy_value_type_get_size (type), error);
  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  data->type = type;
  data->with_lock = with_lock;
  data->length = length;
  return array_wrap (shm, TRUE);
}

FyArray *
fy_array_new_from_fd (int      fd,
                      GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_ARRAY, error);
  FyValueData *data;

  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  if (data->type >= FY_VALUE_N_TYPES ||
      data->length > (fy_shm_get_data_size (shm) - FY_VALUE_ELEMENTS_OFFSET) /
                     fy_value_type_get_size (data->type))
    {
      g_set_error_literal (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                           "The shared array does not fit its mapping");
      return NULL;
    }
  return array_wrap (shm, FALSE);
}

int
fy_array_get_fd (FyArray *self)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_array_get_shm (FyArray *self)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), NULL);
  return self->shm;
}

FyValueType
fy_array_get_value_type (FyArray *self)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), FY_VALUE_TYPE_INT64);
  return self->data->type;
}

gsize
fy_array_get_length (FyArray *self)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), 0);
  return self->data->length;
}

FyLock *
fy_array_get_lock (FyArray *self)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), NULL);
  return self->lock;
}

static inline void *
element (FyArray *self,
         gsize    index)
{
  return self->elements + index * self->element_size;
}

gint64
fy_array_get_int (FyArray *self,
                  gsize    index)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), 0);
  g_return_val_if_fail (index < self->data->length, 0);
  return fy_value_element_get_int (self->data->type, element (self, index));
}

void
fy_array_set_int (FyArray *self,
                  gsize    index,
                  gint64   value)
{
  g_return_if_fail (FY_IS_ARRAY (self));
  g_return_if_fail (index < self->data->length);
  fy_value_element_set_int (self->data->type, element (self, index), value);
}

double
fy_array_get_double (FyArray *self,
                     gsize    index)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), 0);
  g_return_val_if_fail (index < self->data->length, 0);
  return fy_value_element_get_double (self->data->type, element (self, index));
}

void
fy_array_set_double (FyArray *self,
                     gsize    index,
                     double   value)
{
  g_return_if_fail (FY_IS_ARRAY (self));
  g_return_if_fail (index < self->data->length);
  fy_value_element_set_double (self->data->type, element (self, index), value);
}

static gboolean
check_range (FyArray  *self,
             gsize     start,
             gsize     n,
             GError  **error)
{
  if (start <= self->data->length && n <= self->data->length - start)
    return TRUE;
  g_set_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_OUT_OF_RANGE,
               "Elements %" G_GSIZE_FORMAT "…%" G_GSIZE_FORMAT " are outside an array of %"
               G_GUINT64_FORMAT, start, start + n, self->data->length);
  return FALSE;
}

gboolean
fy_array_get_doubles (FyArray  *self,
                      gsize     start,
                      gsize     n,
                      double   *out,
                      GError  **error)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), FALSE);
  g_return_val_if_fail (n == 0 || out != NULL, FALSE);

  if (!check_range (self, start, n, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    out[i] = fy_value_element_get_double (self->data->type, element (self, start + i));
  return TRUE;
}

gboolean
fy_array_set_doubles (FyArray       *self,
                      gsize          start,
                      gsize          n,
                      const double  *values,
                      GError       **error)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), FALSE);
  g_return_val_if_fail (n == 0 || values != NULL, FALSE);

  if (!check_range (self, start, n, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    fy_value_element_set_double (self->data->type, element (self, start + i), values[i]);
  __atomic_add_fetch (&self->data->writes, 1, __ATOMIC_RELAXED);
  return TRUE;
}

gboolean
fy_array_get_ints (FyArray  *self,
                   gsize     start,
                   gsize     n,
                   gint64   *out,
                   GError  **error)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), FALSE);
  g_return_val_if_fail (n == 0 || out != NULL, FALSE);

  if (!check_range (self, start, n, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    out[i] = fy_value_element_get_int (self->data->type, element (self, start + i));
  return TRUE;
}

gboolean
fy_array_set_ints (FyArray       *self,
                   gsize          start,
                   gsize          n,
                   const gint64  *values,
                   GError       **error)
{
  g_return_val_if_fail (FY_IS_ARRAY (self), FALSE);
  g_return_val_if_fail (n == 0 || values != NULL, FALSE);

  if (!check_range (self, start, n, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    fy_value_element_set_int (self->data->type, element (self, start + i), values[i]);
  __atomic_add_fetch (&self->data->writes, 1, __ATOMIC_RELAXED);
  return TRUE;
}

GVariant *
fy_array_get_slice (FyArray  *self,
                    gsize     start,
                    gsize     stop,
                    GError  **error)
{
  FyValueType type;
  GVariantBuilder builder;
  const char *array_type;

  g_return_val_if_fail (FY_IS_ARRAY (self), NULL);

  stop = MIN (stop, self->data->length);
  if (start > stop)
    start = stop;

  type = self->data->type;
  if (fy_value_type_is_float (type))
    array_type = "ad";
  else if (type == FY_VALUE_TYPE_CHAR)
    array_type = "ay";
  else if (type == FY_VALUE_TYPE_UINT64)
    array_type = "at";
  else
    array_type = "ax";

  g_variant_builder_init (&builder, G_VARIANT_TYPE (array_type));
  for (gsize i = start; i < stop; i++)
    g_variant_builder_add_value (&builder, fy_value_element_get_variant (type, element (self, i)));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

gboolean
fy_array_set_slice (FyArray   *self,
                    gsize      start,
                    GVariant  *values,
                    GError   **error)
{
  g_autoptr(GVariant) owned = NULL;
  gsize n;

  g_return_val_if_fail (FY_IS_ARRAY (self), FALSE);
  g_return_val_if_fail (values != NULL, FALSE);

  owned = g_variant_ref_sink (values);
  if (!g_variant_is_of_type (owned, G_VARIANT_TYPE_ARRAY))
    {
      g_set_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_INVALID_TYPE,
                   "Expected an array, got '%s'", g_variant_get_type_string (owned));
      return FALSE;
    }
  n = g_variant_n_children (owned);
  if (!check_range (self, start, n, error))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (owned, i);

      if (!fy_value_element_set_variant (self->data->type, element (self, start + i), child, error))
        return FALSE;
    }
  __atomic_add_fetch (&self->data->writes, 1, __ATOMIC_RELAXED);
  return TRUE;
}
