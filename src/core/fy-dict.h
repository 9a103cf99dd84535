/* fy-dict.h: a string-keyed dictionary in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Manager ().dict () without a server process: an open-addressing index and
 * a log of records (key, serialized GVariant) in one mapping, under a robust
 * lock. Every change writes its record first and publishes it with a single
 * store, so a writer killed midway leaves the old value in place. When the
 * log fills up it is compacted into a second bank, switched to atomically.
 * The size is fixed at creation: FY_DICT_ERROR_FULL says it ran out.
 */

#pragma once

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_DICT_ERROR (fy_dict_error_quark ())

typedef enum
{
  FY_DICT_ERROR_NOT_FOUND,   /* Python's KeyError */
  FY_DICT_ERROR_FULL,        /* no room left even after compaction */
} FyDictError;

GQuark fy_dict_error_quark (void);

#define FY_TYPE_DICT (fy_dict_get_type ())
G_DECLARE_FINAL_TYPE (FyDict, fy_dict, FY, DICT, GObject)

#define FY_DICT_DEFAULT_CAPACITY (1024 * 1024)

/* @capacity_bytes: room for keys and serialized values (0: the default). */
FyDict     *fy_dict_new         (const char  *name,
                                 gsize        capacity_bytes,
                                 GError     **error);
FyDict     *fy_dict_new_from_fd (int          fd,
                                 GError     **error);
int         fy_dict_get_fd      (FyDict      *self);
FyShm      *fy_dict_get_shm     (FyDict      *self);

/* @value: a floating reference is sunk. */
gboolean    fy_dict_set         (FyDict      *self,
                                 const char  *key,
                                 GVariant    *value,
                                 GError     **error);
/* A new reference, or NULL with FY_DICT_ERROR_NOT_FOUND. */
GVariant   *fy_dict_get         (FyDict      *self,
                                 const char  *key,
                                 GError     **error);
gboolean    fy_dict_contains    (FyDict      *self,
                                 const char  *key);
gboolean    fy_dict_remove      (FyDict      *self,
                                 const char  *key,
                                 GError     **error);
void        fy_dict_clear       (FyDict      *self);
guint       fy_dict_get_size    (FyDict      *self);
/* Sorted keys. */
GStrv       fy_dict_get_keys    (FyDict      *self);
/* Everything as one a{sv}, read under the lock. */
GVariant   *fy_dict_to_variant  (FyDict      *self);

G_END_DECLS
