/* fy-value.c: a typed scalar in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-lock-private.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"
#include "fy-value-private.h"

struct _FyValue
{
  GObject      parent_instance;

  FyShm       *shm;
  FyValueData *data;
  void        *element;
  FyLock      *lock;
};

G_DEFINE_FINAL_TYPE (FyValue, fy_value, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-value-error-quark, fy_value_error)

static const struct
{
  const char *codes;
  gsize       size;
} type_info[FY_VALUE_N_TYPES] = {
  [FY_VALUE_TYPE_INT8] = { "b", 1 },
  [FY_VALUE_TYPE_UINT8] = { "B", 1 },
  [FY_VALUE_TYPE_INT16] = { "h", 2 },
  [FY_VALUE_TYPE_UINT16] = { "H", 2 },
  [FY_VALUE_TYPE_INT32] = { "i", 4 },
  [FY_VALUE_TYPE_UINT32] = { "I", 4 },
  [FY_VALUE_TYPE_INT64] = { "lq", 8 },
  [FY_VALUE_TYPE_UINT64] = { "LQ", 8 },
  [FY_VALUE_TYPE_FLOAT] = { "f", 4 },
  [FY_VALUE_TYPE_DOUBLE] = { "d", 8 },
  [FY_VALUE_TYPE_CHAR] = { "c", 1 },
};

gboolean
fy_value_type_from_code (const char   *code,
                         FyValueType  *out_type,
                         GError      **error)
{
  g_return_val_if_fail (code != NULL, FALSE);

  if (code[0] != '\0' && code[1] == '\0')
    for (guint t = 0; t < FY_VALUE_N_TYPES; t++)
      if (strchr (type_info[t].codes, code[0]) != NULL)
        {
          if (out_type != NULL)
            *out_type = t;
          return TRUE;
        }

  g_set_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_INVALID_TYPE,
               "Unknown type code '%s'", code);
  return FALSE;
}

const char *
fy_value_type_to_code (FyValueType type)
{
  static const char *const codes[FY_VALUE_N_TYPES] = {
    "b", "B", "h", "H", "i", "I", "q", "Q", "f", "d", "c",
  };

  g_return_val_if_fail (type < FY_VALUE_N_TYPES, NULL);
  return codes[type];
}

gsize
fy_value_type_get_size (FyValueType type)
{
  g_return_val_if_fail (type < FY_VALUE_N_TYPES, 0);
  return type_info[type].size;
}

gboolean
fy_value_type_is_float (FyValueType type)
{
  return type == FY_VALUE_TYPE_FLOAT || type == FY_VALUE_TYPE_DOUBLE;
}

/* Single relaxed atomic accesses: a reader in another process never sees a
 * torn element, and the compiler never caches one. */
#define LOAD(ctype, p) __atomic_load_n ((ctype *) (p), __ATOMIC_RELAXED)
#define STORE(ctype, p, v) __atomic_store_n ((ctype *) (p), (ctype) (v), __ATOMIC_RELAXED)

gint64
fy_value_element_get_int (FyValueType  type,
                          const void  *element)
{
  switch (type)
    {
    case FY_VALUE_TYPE_INT8: return LOAD (gint8, element);
    case FY_VALUE_TYPE_UINT8: return LOAD (guint8, element);
    case FY_VALUE_TYPE_CHAR: return LOAD (guint8, element);
    case FY_VALUE_TYPE_INT16: return LOAD (gint16, element);
    case FY_VALUE_TYPE_UINT16: return LOAD (guint16, element);
    case FY_VALUE_TYPE_INT32: return LOAD (gint32, element);
    case FY_VALUE_TYPE_UINT32: return LOAD (guint32, element);
    case FY_VALUE_TYPE_INT64: return LOAD (gint64, element);
    case FY_VALUE_TYPE_UINT64: return (gint64) LOAD (guint64, element);
    case FY_VALUE_TYPE_FLOAT:
    case FY_VALUE_TYPE_DOUBLE:
      return (gint64) fy_value_element_get_double (type, element);
    case FY_VALUE_N_TYPES:
    default:
      g_assert_not_reached ();
    }
}

void
fy_value_element_set_int (FyValueType  type,
                          void        *element,
                          gint64       value)
{
  switch (type)
    {
    case FY_VALUE_TYPE_INT8: STORE (gint8, element, value); break;
    case FY_VALUE_TYPE_UINT8: STORE (guint8, element, value); break;
    case FY_VALUE_TYPE_CHAR: STORE (guint8, element, value); break;
    case FY_VALUE_TYPE_INT16: STORE (gint16, element, value); break;
    case FY_VALUE_TYPE_UINT16: STORE (guint16, element, value); break;
    case FY_VALUE_TYPE_INT32: STORE (gint32, element, value); break;
    case FY_VALUE_TYPE_UINT32: STORE (guint32, element, value); break;
    case FY_VALUE_TYPE_INT64: STORE (gint64, element, value); break;
    case FY_VALUE_TYPE_UINT64: STORE (guint64, element, value); break;
    case FY_VALUE_TYPE_FLOAT:
    case FY_VALUE_TYPE_DOUBLE:
      fy_value_element_set_double (type, element, (double) value);
      break;
    case FY_VALUE_N_TYPES:
    default:
      g_assert_not_reached ();
    }
}

double
fy_value_element_get_double (FyValueType  type,
                             const void  *element)
{
  if (type == FY_VALUE_TYPE_DOUBLE)
    {
      guint64 bits = LOAD (guint64, element);
      double d;

      memcpy (&d, &bits, sizeof d);
      return d;
    }
  if (type == FY_VALUE_TYPE_FLOAT)
    {
      guint32 bits = LOAD (guint32, element);
      float f;

      memcpy (&f, &bits, sizeof f);
      return f;
    }
  if (type == FY_VALUE_TYPE_UINT64)
    return (double) LOAD (guint64, element);
  return (double) fy_value_element_get_int (type, element);
}

void
fy_value_element_set_double (FyValueType  type,
                             void        *element,
                             double       value)
{
  if (type == FY_VALUE_TYPE_DOUBLE)
    {
      guint64 bits;

      memcpy (&bits, &value, sizeof bits);
      STORE (guint64, element, bits);
    }
  else if (type == FY_VALUE_TYPE_FLOAT)
    {
      float f = (float) value;
      guint32 bits;

      memcpy (&bits, &f, sizeof bits);
      STORE (guint32, element, bits);
    }
  else
    fy_value_element_set_int (type, element, (gint64) value);
}

GVariant *
fy_value_element_get_variant (FyValueType  type,
                              const void  *element)
{
  if (fy_value_type_is_float (type))
    return g_variant_new_double (fy_value_element_get_double (type, element));
  if (type == FY_VALUE_TYPE_CHAR)
    return g_variant_new_byte (LOAD (guint8, element));
  if (type == FY_VALUE_TYPE_UINT64)
    return g_variant_new_uint64 (LOAD (guint64, element));
  return g_variant_new_int64 (fy_value_element_get_int (type, element));
}

gboolean
fy_value_element_set_variant (FyValueType   type,
                              void         *element,
                              GVariant     *value,
                              GError      **error)
{
  const GVariantType *vt = g_variant_get_type (value);

  if (g_variant_type_equal (vt, G_VARIANT_TYPE_DOUBLE))
    fy_value_element_set_double (type, element, g_variant_get_double (value));
  else if (g_variant_type_equal (vt, G_VARIANT_TYPE_INT64))
    fy_value_element_set_int (type, element, g_variant_get_int64 (value));
  else if (g_variant_type_equal (vt, G_VARIANT_TYPE_UINT64))
    {
      if (type == FY_VALUE_TYPE_UINT64)
        STORE (guint64, element, g_variant_get_uint64 (value));
      else
        fy_value_element_set_int (type, element, (gint64) g_variant_get_uint64 (value));
    }
  else if (g_variant_type_equal (vt, G_VARIANT_TYPE_INT32))
    fy_value_element_set_int (type, element, g_variant_get_int32 (value));
  else if (g_variant_type_equal (vt, G_VARIANT_TYPE_UINT32))
    fy_value_element_set_int (type, element, g_variant_get_uint32 (value));
  else if (g_variant_type_equal (vt, G_VARIANT_TYPE_INT16))
    fy_value_element_set_int (type, element, g_variant_get_int16 (value));
  else if (g_variant_type_equal (vt, G_VARIANT_TYPE_UINT16))
    fy_value_element_set_int (type, element, g_variant_get_uint16 (value));
  else if (g_variant_type_equal (vt, G_VARIANT_TYPE_BYTE))
    fy_value_element_set_int (type, element, g_variant_get_byte (value));
  else if (g_variant_type_equal (vt, G_VARIANT_TYPE_BOOLEAN))
    fy_value_element_set_int (type, element, g_variant_get_boolean (value));
  else
    {
      g_set_error (error, FY_VALUE_ERROR, FY_VALUE_ERROR_INVALID_TYPE,
                   "Cannot store a '%s' in a shared '%s'",
                   g_variant_get_type_string (value), fy_value_type_to_code (type));
      return FALSE;
    }
  return TRUE;
}

/* One relaxed add after the store, for the inspector's writes per
 * second: it sits outside any read-modify-write a caller makes of the
 * value, so it neither closes nor widens a race the caller has. */
static inline void
count_write (FyValue *self)
{
  __atomic_add_fetch (&self->data->writes, 1, __ATOMIC_RELAXED);
}

static void
value_snapshot (FyShm        *shm,
                GVariantDict *dict)
{
  FyValueData *data = fy_shm_get_data (shm);

  if (data->type >= FY_VALUE_N_TYPES)
    return;
  g_variant_dict_insert (dict, "type", "s", fy_value_type_to_code (data->type));
  g_variant_dict_insert (dict, "locked", "b", data->with_lock != 0);
  g_variant_dict_insert (dict, "puts", "t", __atomic_load_n (&data->writes, __ATOMIC_RELAXED));
  g_variant_dict_insert_value (dict, "value",
                               fy_value_element_get_variant (data->type,
                                                             (guint8 *) data + FY_VALUE_ELEMENTS_OFFSET));
}

static void
fy_value_dispose (GObject *object)
{
  FyValue *self = FY_VALUE (object);

  g_clear_object (&self->lock);

  G_OBJECT_CLASS (fy_value_parent_class)->dispose (object);
}

static void
fy_value_finalize (GObject *object)
{
  FyValue *self = FY_VALUE (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_value_parent_class)->finalize (object);
}

static void
fy_value_class_init (FyValueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fy_value_dispose;
  object_class->finalize = fy_value_finalize;
}

static void
fy_value_init (FyValue *self)
{
}

static FyValue *
value_wrap (FyShm    *shm,
            gboolean  created)
{
  FyValue *self = g_object_new (FY_TYPE_VALUE, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  self->element = (guint8 *) self->data + FY_VALUE_ELEMENTS_OFFSET;
  if (self->data->with_lock)
    self->lock = fy_lock_new_for_shm (shm);
  fy_shm_set_funcs (shm, NULL, value_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

FyValue *
fy_value_new (const char   *name,
              FyValueType   type,
              gboolean      with_lock,
              GError      **error)
{
  g_autoptr(FyShm) shm = NULL;
  FyValueData *data;

  g_return_val_if_fail (type < FY_VALUE_N_TYPES, NULL);

  shm = fy_shm_new (FY_SHM_KIND_VALUE, name, FY_VALUE_ELEMENTS_OFFSET + 8, error);
  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  data->type = type;
  data->with_lock = with_lock;
  data->length = 1;
  return value_wrap (shm, TRUE);
}

FyValue *
fy_value_new_from_fd (int      fd,
                      GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_VALUE, error);
  FyValueData *data;

  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  if (data->type >= FY_VALUE_N_TYPES || data->length != 1)
    {
      g_set_error_literal (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                           "The shared value has an unknown type");
      return NULL;
    }
  return value_wrap (shm, FALSE);
}

int
fy_value_get_fd (FyValue *self)
{
  g_return_val_if_fail (FY_IS_VALUE (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_value_get_shm (FyValue *self)
{
  g_return_val_if_fail (FY_IS_VALUE (self), NULL);
  return self->shm;
}

FyValueType
fy_value_get_value_type (FyValue *self)
{
  g_return_val_if_fail (FY_IS_VALUE (self), FY_VALUE_TYPE_INT64);
  return self->data->type;
}

FyLock *
fy_value_get_lock (FyValue *self)
{
  g_return_val_if_fail (FY_IS_VALUE (self), NULL);
  return self->lock;
}

gint64
fy_value_get_int (FyValue *self)
{
  g_return_val_if_fail (FY_IS_VALUE (self), 0);
  return fy_value_element_get_int (self->data->type, self->element);
}

void
fy_value_set_int (FyValue *self,
                  gint64   value)
{
  g_return_if_fail (FY_IS_VALUE (self));
  fy_value_element_set_int (self->data->type, self->element, value);
  count_write (self);
}

double
fy_value_get_double (FyValue *self)
{
  g_return_val_if_fail (FY_IS_VALUE (self), 0);
  return fy_value_element_get_double (self->data->type, self->element);
}

void
fy_value_set_double (FyValue *self,
                     double   value)
{
  g_return_if_fail (FY_IS_VALUE (self));
  fy_value_element_set_double (self->data->type, self->element, value);
  count_write (self);
}

GVariant *
fy_value_get (FyValue *self)
{
  g_return_val_if_fail (FY_IS_VALUE (self), NULL);
  return g_variant_ref_sink (fy_value_element_get_variant (self->data->type, self->element));
}

gboolean
fy_value_set (FyValue   *self,
              GVariant  *value,
              GError   **error)
{
  g_autoptr(GVariant) owned = NULL;

  g_return_val_if_fail (FY_IS_VALUE (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  owned = g_variant_ref_sink (value);
  if (!fy_value_element_set_variant (self->data->type, self->element, owned, error))
    return FALSE;
  count_write (self);
  return TRUE;
}
