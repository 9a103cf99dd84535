/* fy-shm-private.h: the shared header and the robust lock, for the objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_SHM_MAGIC        0x4d485346u   /* "FSHM" little-endian */
#define FY_SHM_VERSION      1u
#define FY_SHM_NAME_MAX     64
#define FY_SHM_HEADER_SIZE  256

typedef struct
{
  guint32         magic;
  guint32         version;
  guint32         kind;
  guint32         flags;          /* per kind */
  guint64         total_size;
  guint64         data_size;
  gint32          creator_pid;
  gint32          holder_pid;     /* written by the lock holder, 0 when free */
  guint32         lock_waiters;   /* processes blocked on the lock, approximate */
  guint32         recoveries;     /* times a dead holder's lock was recovered */
  char            name[FY_SHM_NAME_MAX];
  pthread_mutex_t lock;           /* process-shared, robust */
} FyShmHeader;

G_STATIC_ASSERT (sizeof (FyShmHeader) <= FY_SHM_HEADER_SIZE);

/* Called with the lock held right after a dead holder's lock was taken over,
 * so the structure can be made consistent again. */
typedef void (*FyShmRepairFunc)   (FyShm        *shm);
/* Adds kind-specific entries to an inspection snapshot. */
typedef void (*FyShmSnapshotFunc) (FyShm        *shm,
                                   GVariantDict *dict);

FyShmHeader *fy_shm_get_header        (FyShm             *self);
void         fy_shm_set_funcs         (FyShm             *self,
                                       FyShmRepairFunc    repair,
                                       FyShmSnapshotFunc  snapshot);
/* Recursive variant of the header lock, for RLock; only at creation. */
FyShm       *fy_shm_new_recursive     (FyShmKind          kind,
                                       const char        *name,
                                       gsize              data_size,
                                       GError           **error);

/* Takes the header lock. Returns 0, or ETIMEDOUT (deadline passed, also for
 * a try-lock with a past deadline), EDEADLK (this thread holds it, non-recursive)
 * or ENOTRECOVERABLE. A dead holder is recovered transparently: the lock is
 * made consistent and the repair function runs before this returns 0. */
int          fy_shm_lock              (FyShm             *self,
                                       gint64             deadline);
/* Returns 0 or EPERM when the calling thread does not hold the lock. */
int          fy_shm_unlock            (FyShm             *self);

/* getpid () without a system call each time: the lock paths need it on
 * every acquisition, and system calls are slow on some virtual machines. */
gint32       fy_shm_self_pid          (void);

/* A polite busy-wait step for short, bounded spins before sleeping. */
static inline void
fy_cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#else
  __asm__ __volatile__ ("" ::: "memory");
#endif
}

/* Pauses a waiter spends at most on a robust mutex another process holds
 * before it sleeps: the holder usually runs on another core and lets go
 * within a few hundred nanoseconds, far less than a futex sleep and wake. */
#define FY_LOCK_SPIN_PAUSES 400

/* After a failed trylock: watches the owner word (glibc keeps the owner's
 * tid in __lock, 0 when free) and tries again once it is free, EBUSY when
 * the spin ran out. The pauses between two looks double up to 32, so a
 * holder that takes the lock again and again keeps its cache line for a
 * while instead of losing it to every look, which under contention cost
 * a third to nearly half of the throughput. */
static inline int
fy_mutex_spin_trylock (pthread_mutex_t *mutex)
{
  int rc = EBUSY;

  for (guint spent = 0, pauses = 1; rc == EBUSY && spent < FY_LOCK_SPIN_PAUSES;
       spent += pauses, pauses = MIN (pauses * 2, 32))
    {
      for (guint i = 0; i < pauses; i++)
        fy_cpu_relax ();
      if (__atomic_load_n (&mutex->__data.__lock, __ATOMIC_RELAXED) == 0)
        rc = pthread_mutex_trylock (mutex);
    }
  return rc;
}

static inline gsize
fy_align8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

/* A GVariant as the objects store it: its type string, NUL, padding to 8,
 * then its serialized data. Cheaper than boxing it in a "v": serialized
 * values are copied as they are. */
static inline gsize
fy_variant_record_size (GVariant *value)
{
  return fy_align8 (strlen (g_variant_get_type_string (value)) + 1) + g_variant_get_size (value);
}

static inline void
fy_variant_record_write (GVariant *value,
                         guint8   *dest)
{
  const char *type = g_variant_get_type_string (value);
  gsize type_length = strlen (type);

  memcpy (dest, type, type_length);
  memset (dest + type_length, 0, fy_align8 (type_length + 1) - type_length);
  g_variant_store (value, dest + fy_align8 (type_length + 1));
}

/* Takes @buffer (g_malloc'ed, @length bytes). NULL when it does not hold
 * a valid record: the bytes come from other processes. */
GVariant    *fy_variant_record_parse  (guint8            *buffer,
                                       gsize              length);

G_END_DECLS
