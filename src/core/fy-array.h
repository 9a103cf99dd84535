/* fy-array.h: a typed array in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.Array: fixed length, one element type (FyValueType, or a
 * Python type code), element-wise atomic reads and writes, slices and bulk
 * copies. Bulk operations are not atomic as a whole: hold the array's lock
 * (fy_array_get_lock ()) around them when others write concurrently.
 */

#pragma once

#include "fy-value.h"

G_BEGIN_DECLS

#define FY_TYPE_ARRAY (fy_array_get_type ())
G_DECLARE_FINAL_TYPE (FyArray, fy_array, FY, ARRAY, GObject)

/* Errors are FY_VALUE_ERROR's. Elements start at zero. */
FyArray     *fy_array_new             (const char   *name,
                                       FyValueType   type,
                                       gsize         length,
                                       gboolean      with_lock,
                                       GError      **error);
FyArray     *fy_array_new_from_fd     (int           fd,
                                       GError      **error);
int          fy_array_get_fd          (FyArray      *self);
FyShm       *fy_array_get_shm         (FyArray      *self);
FyValueType  fy_array_get_value_type  (FyArray      *self);
gsize        fy_array_get_length      (FyArray      *self);
/* Transfer none; NULL for a lock-free array. */
FyLock      *fy_array_get_lock        (FyArray      *self);

/* Out-of-range indices are programming errors (g_return_if_fail). */
gint64       fy_array_get_int         (FyArray      *self,
                                       gsize         index);
void         fy_array_set_int         (FyArray      *self,
                                       gsize         index,
                                       gint64        value);
double       fy_array_get_double      (FyArray      *self,
                                       gsize         index);
void         fy_array_set_double      (FyArray      *self,
                                       gsize         index,
                                       double        value);

/* Bulk copies of @n elements from @start, converting. */
gboolean     fy_array_get_doubles     (FyArray      *self,
                                       gsize         start,
                                       gsize         n,
                                       double       *out,
                                       GError      **error);
gboolean     fy_array_set_doubles     (FyArray      *self,
                                       gsize         start,
                                       gsize         n,
                                       const double *values,
                                       GError      **error);
gboolean     fy_array_get_ints        (FyArray      *self,
                                       gsize         start,
                                       gsize         n,
                                       gint64       *out,
                                       GError      **error);
gboolean     fy_array_set_ints        (FyArray      *self,
                                       gsize         start,
                                       gsize         n,
                                       const gint64 *values,
                                       GError      **error);

/* arr[start:stop] as "ad" (floats), "ay" (chars) or "ax" (integers; "at"
 * for uint64). @stop is clamped to the length, like Python's slices. */
GVariant    *fy_array_get_slice       (FyArray      *self,
                                       gsize         start,
                                       gsize         stop,
                                       GError      **error);
/* arr[start:start + len (values)] = values, from any array of numbers. */
gboolean     fy_array_set_slice       (FyArray      *self,
                                       gsize         start,
                                       GVariant     *values,
                                       GError      **error);

G_END_DECLS
