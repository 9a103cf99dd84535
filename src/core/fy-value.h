/* fy-value.h: a typed scalar in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.Value. Reads and writes of the scalar are single atomic
 * accesses; read-modify-write sequences (v += 1) need the value's robust
 * lock, from fy_value_get_lock (), unless the value was made lock-free.
 */

#pragma once

#include "fy-lock.h"

G_BEGIN_DECLS

#define FY_VALUE_ERROR (fy_value_error_quark ())

typedef enum
{
  FY_VALUE_ERROR_INVALID_TYPE,   /* unknown type code, or a GVariant that does not fit */
  FY_VALUE_ERROR_OUT_OF_RANGE,   /* index or slice outside the array */
} FyValueError;

GQuark fy_value_error_quark (void);

typedef enum
{
  FY_VALUE_TYPE_INT8,      /* 'b' */
  FY_VALUE_TYPE_UINT8,     /* 'B' */
  FY_VALUE_TYPE_INT16,     /* 'h' */
  FY_VALUE_TYPE_UINT16,    /* 'H' */
  FY_VALUE_TYPE_INT32,     /* 'i' */
  FY_VALUE_TYPE_UINT32,    /* 'I' */
  FY_VALUE_TYPE_INT64,     /* 'l', 'q' */
  FY_VALUE_TYPE_UINT64,    /* 'L', 'Q' */
  FY_VALUE_TYPE_FLOAT,     /* 'f' */
  FY_VALUE_TYPE_DOUBLE,    /* 'd' */
  FY_VALUE_TYPE_CHAR,      /* 'c' */
  FY_VALUE_N_TYPES,
} FyValueType;

/* Python's array / ctypes type codes as aliases. */
gboolean     fy_value_type_from_code (const char   *code,
                                      FyValueType  *out_type,
                                      GError      **error);
const char  *fy_value_type_to_code   (FyValueType   type);
gsize        fy_value_type_get_size  (FyValueType   type);

#define FY_TYPE_VALUE (fy_value_get_type ())
G_DECLARE_FINAL_TYPE (FyValue, fy_value, FY, VALUE, GObject)

/* @with_lock FALSE is Value (…, lock=False): get_lock () returns NULL. */
FyValue     *fy_value_new            (const char   *name,
                                      FyValueType   type,
                                      gboolean      with_lock,
                                      GError      **error);
FyValue     *fy_value_new_from_fd    (int           fd,
                                      GError      **error);
int          fy_value_get_fd         (FyValue      *self);
FyShm       *fy_value_get_shm        (FyValue      *self);
FyValueType  fy_value_get_value_type (FyValue      *self);
/* The value's robust lock (transfer none), or NULL for a lock-free value. */
FyLock      *fy_value_get_lock       (FyValue      *self);

/* Converting accessors: integers and chars as gint64, floats as double. */
gint64       fy_value_get_int        (FyValue      *self);
void         fy_value_set_int        (FyValue      *self,
                                      gint64        value);
double       fy_value_get_double     (FyValue      *self);
void         fy_value_set_double     (FyValue      *self,
                                      double        value);
/* As a GVariant: "x" / "t" for integers, "d" for floats, "y" for char. */
GVariant    *fy_value_get            (FyValue      *self);
gboolean     fy_value_set            (FyValue      *self,
                                      GVariant     *value,
                                      GError      **error);

G_END_DECLS
