/* fy-list.h: a list of GVariants in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Manager ().list () without a server process: an index of record offsets
 * and a log of serialized values in one mapping, under a robust lock.
 * append and set publish with a single store (a writer killed midway leaves
 * the list as it was); the log is compacted into a second bank when full.
 * Item and byte capacities are fixed at creation: FY_LIST_ERROR_FULL.
 */

#pragma once

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_LIST_ERROR (fy_list_error_quark ())

typedef enum
{
  FY_LIST_ERROR_OUT_OF_RANGE,   /* Python's IndexError */
  FY_LIST_ERROR_FULL,
  FY_LIST_ERROR_DAMAGED,        /* another process wrote over the list's memory */
} FyListError;

GQuark fy_list_error_quark (void);

#define FY_TYPE_LIST (fy_list_get_type ())
G_DECLARE_FINAL_TYPE (FyList, fy_list, FY, LIST, GObject)

#define FY_LIST_DEFAULT_CAPACITY (1024 * 1024)

/* @max_items 0: one per 64 bytes of @capacity_bytes (0: the default). */
FyList     *fy_list_new         (const char  *name,
                                 guint        max_items,
                                 gsize        capacity_bytes,
                                 GError     **error);
FyList     *fy_list_new_from_fd (int          fd,
                                 GError     **error);
int         fy_list_get_fd      (FyList      *self);
FyShm      *fy_list_get_shm     (FyList      *self);

/* @value: a floating reference is sunk. */
gboolean    fy_list_append      (FyList      *self,
                                 GVariant    *value,
                                 GError     **error);
/* Negative indices count from the end, as in Python. */
GVariant   *fy_list_get         (FyList      *self,
                                 gssize       index,
                                 GError     **error);
gboolean    fy_list_set         (FyList      *self,
                                 gssize       index,
                                 GVariant    *value,
                                 GError     **error);
/* Removes and returns the item (-1: the last one). */
GVariant   *fy_list_pop         (FyList      *self,
                                 gssize       index,
                                 GError     **error);
void        fy_list_clear       (FyList      *self);
guint       fy_list_get_length  (FyList      *self);
/* Everything as one "av", read under the lock. */
GVariant   *fy_list_to_variant  (FyList      *self);

G_END_DECLS
