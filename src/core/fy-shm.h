/* fy-shm.h: one anonymous shared mapping holding one shared object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every shared object (queue, value, lock …) lives in its own memfd, sealed
 * at its size so no process can shrink it under another's feet. The mapping
 * starts with a header (magic, version, kind, name, the robust lock and
 * counters) that the parent reads directly to inspect a live object. A child
 * maps the same object from the fd it received; no /dev/shm name exists.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FY_SHM_ERROR (fy_shm_error_quark ())

typedef enum
{
  FY_SHM_ERROR_FAILED,    /* the system refused (memfd, mmap, seals) */
  FY_SHM_ERROR_INVALID,   /* the fd does not hold the expected object */
} FyShmError;

GQuark fy_shm_error_quark (void);

typedef enum
{
  FY_SHM_KIND_NONE = 0,   /* any kind, when mapping from an fd */
  FY_SHM_KIND_LOCK,
  FY_SHM_KIND_RLOCK,
  FY_SHM_KIND_SEMAPHORE,
  FY_SHM_KIND_EVENT,
  FY_SHM_KIND_CONDITION,
  FY_SHM_KIND_BARRIER,
  FY_SHM_KIND_QUEUE,
  FY_SHM_KIND_VALUE,
  FY_SHM_KIND_ARRAY,
  FY_SHM_KIND_DICT,
  FY_SHM_KIND_LIST,
  FY_SHM_KIND_POOL_QUEUE, /* a pool's task or result queue: its counters */
  FY_SHM_N_KINDS,
} FyShmKind;

#define FY_TYPE_SHM (fy_shm_get_type ())
G_DECLARE_FINAL_TYPE (FyShm, fy_shm, FY, SHM, GObject)

/* A new sealed mapping with room for @data_size bytes after the header.
 * @name may be NULL: "<kind>-<n>" is made up. */
FyShm       *fy_shm_new            (FyShmKind    kind,
                                    const char  *name,
                                    gsize        data_size,
                                    GError     **error);
/* Maps the object behind @fd (duplicated, the caller keeps @fd) after
 * checking magic, version, seals, size and, unless FY_SHM_KIND_NONE, kind. */
FyShm       *fy_shm_new_from_fd    (int          fd,
                                    FyShmKind    kind,
                                    GError     **error);

int          fy_shm_get_fd         (FyShm       *self);
FyShmKind    fy_shm_get_kind       (FyShm       *self);
const char  *fy_shm_get_kind_name  (FyShm       *self);
const char  *fy_shm_get_name       (FyShm       *self);
/* Whole mapping, header included. */
gsize        fy_shm_get_size       (FyShm       *self);
gpointer     fy_shm_get_data       (FyShm       *self);
gsize        fy_shm_get_data_size  (FyShm       *self);
GPid         fy_shm_get_creator_pid (FyShm      *self);
/* Pid of the process holding the object's lock, 0 when free. */
GPid         fy_shm_get_holder_pid (FyShm       *self);

/* A dictionary (a{sv}) read straight from shared memory: always "kind",
 * "name", "size", "holder-pid", "lock-waiters", "recoveries", then what the
 * kind knows: "capacity", "depth", "puts", "gets", "waiters", "arrivals" …
 * Returns a new (not floating) reference. */
GVariant    *fy_shm_snapshot       (FyShm       *self);

const char  *fy_shm_kind_to_string (FyShmKind    kind);

G_END_DECLS
