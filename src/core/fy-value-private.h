/* fy-value-private.h: typed element access shared by FyValue and FyArray
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-value.h"

G_BEGIN_DECLS

/* The head of a Value's or Array's data; elements start at ELEMENTS_OFFSET. */
typedef struct
{
  guint32 type;
  guint32 with_lock;
  guint64 length;
  guint64 writes;   /* bulk writes, for the inspector */
} FyValueData;

#define FY_VALUE_ELEMENTS_OFFSET 64

gint64     fy_value_element_get_int     (FyValueType   type,
                                         const void   *element);
void       fy_value_element_set_int     (FyValueType   type,
                                         void         *element,
                                         gint64        value);
double     fy_value_element_get_double  (FyValueType   type,
                                         const void   *element);
void       fy_value_element_set_double  (FyValueType   type,
                                         void         *element,
                                         double        value);
GVariant  *fy_value_element_get_variant (FyValueType   type,
                                         const void   *element);
gboolean   fy_value_element_set_variant (FyValueType   type,
                                         void         *element,
                                         GVariant     *value,
                                         GError      **error);
gboolean   fy_value_type_is_float       (FyValueType   type);

G_END_DECLS
