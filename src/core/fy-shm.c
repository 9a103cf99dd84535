/* fy-shm.c: one anonymous shared mapping holding one shared object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "fy-futex.h"
#include "fy-shm-private.h"

struct _FyShm
{
  GObject            parent_instance;

  int                fd;
  guint8            *base;
  gsize              size;
  FyShmHeader       *header;
  FyShmRepairFunc    repair;
  FyShmSnapshotFunc  snapshot;
  char              *name;
};

G_DEFINE_FINAL_TYPE (FyShm, fy_shm, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-shm-error-quark, fy_shm_error)

enum {
  PROP_0,
  PROP_KIND,
  PROP_NAME,
  PROP_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const kind_names[FY_SHM_N_KINDS] = {
  [FY_SHM_KIND_NONE] = "none",
  [FY_SHM_KIND_LOCK] = "lock",
  [FY_SHM_KIND_RLOCK] = "rlock",
  [FY_SHM_KIND_SEMAPHORE] = "semaphore",
  [FY_SHM_KIND_EVENT] = "event",
  [FY_SHM_KIND_CONDITION] = "condition",
  [FY_SHM_KIND_BARRIER] = "barrier",
  [FY_SHM_KIND_QUEUE] = "queue",
  [FY_SHM_KIND_VALUE] = "value",
  [FY_SHM_KIND_ARRAY] = "array",
  [FY_SHM_KIND_DICT] = "dict",
  [FY_SHM_KIND_LIST] = "list",
  [FY_SHM_KIND_POOL_QUEUE] = "pool-queue",
};

static gint32 cached_pid;

static void
forget_pid (void)
{
  cached_pid = 0;
}

gint32
fy_shm_self_pid (void)
{
  static gsize registered;
  gint32 pid = __atomic_load_n (&cached_pid, __ATOMIC_RELAXED);

  if (G_LIKELY (pid != 0))
    return pid;
  if (g_once_init_enter (&registered))
    {
      /* A forked child must not report its parent's pid. */
      pthread_atfork (NULL, NULL, forget_pid);
      g_once_init_leave (&registered, 1);
    }
  pid = getpid ();
  __atomic_store_n (&cached_pid, pid, __ATOMIC_RELAXED);
  return pid;
}

GVariant *
fy_variant_record_parse (guint8 *buffer,
                         gsize   length)
{
  const guint8 *nul = length > 0 ? memchr (buffer, '\0', length) : NULL;
  gsize data_offset;

  /* An indefinite type ("*", "a?" …) names no value: GVariant would refuse
   * it with a critical and keep the buffer. */
  if (nul == NULL || nul == buffer ||
      !g_variant_type_string_is_valid ((const char *) buffer) ||
      !g_variant_type_is_definite ((const GVariantType *) buffer) ||
      (data_offset = fy_align8 (nul - buffer + 1)) > length)
    {
      g_free (buffer);
      return NULL;
    }
  /* Untrusted: GLib checks the data against the type as it reads it. The
   * type string was validated above, so a plain cast spares G_VARIANT_TYPE
   * from validating it a second time; the new value is ours alone, so
   * take_ref turns its floating reference into a full one without the
   * variant's lock that ref_sink takes. */
  return g_variant_take_ref (g_variant_new_from_data ((const GVariantType *) buffer,
                                                      buffer + data_offset, length - data_offset,
                                                      FALSE, g_free, buffer));
}

static gboolean
set_error_from_errno (GError    **error,
                      int         saved_errno,
                      const char *what)
{
  g_set_error (error, FY_SHM_ERROR, FY_SHM_ERROR_FAILED,
               "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

static void
fy_shm_finalize (GObject *object)
{
  FyShm *self = FY_SHM (object);

  if (self->base != NULL)
    munmap (self->base, self->size);
  if (self->fd >= 0)
    close (self->fd);
  g_free (self->name);

  G_OBJECT_CLASS (fy_shm_parent_class)->finalize (object);
}

static void
fy_shm_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  FyShm *self = FY_SHM (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_string (value, fy_shm_get_kind_name (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, fy_shm_get_name (self));
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_shm_class_init (FyShmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fy_shm_finalize;
  object_class->get_property = fy_shm_get_property;

  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_shm_init (FyShm *self)
{
  self->fd = -1;
}

static FyShm *
shm_create (FyShmKind    kind,
            const char  *name,
            gsize        data_size,
            gboolean     recursive,
            GError     **error)
{
  static guint counter;
  g_autoptr(FyShm) self = NULL;
  g_autofree char *made_up = NULL;
  pthread_mutexattr_t attr;
  gsize total;
  int rc;

  g_return_val_if_fail (kind > FY_SHM_KIND_NONE && kind < FY_SHM_N_KINDS, NULL);

  if (data_size > G_MAXSIZE / 2)
    {
      g_set_error (error, FY_SHM_ERROR, FY_SHM_ERROR_FAILED,
                   "Shared object too large");
      return NULL;
    }

  if (name == NULL)
    name = made_up = g_strdup_printf ("%s-%u", kind_names[kind],
                                      g_atomic_int_add (&counter, 1) + 1);

  self = g_object_new (FY_TYPE_SHM, NULL);
  total = FY_SHM_HEADER_SIZE + fy_align8 (MAX (data_size, 8));

  self->fd = memfd_create (kind_names[kind], MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (self->fd < 0)
    return set_error_from_errno (error, errno, "memfd_create"), NULL;
  if (ftruncate (self->fd, total) < 0)
    return set_error_from_errno (error, errno, "Sizing shared memory"), NULL;
  /* Sealed at its size: a peer can neither shrink the file (which would
   * turn our accesses into SIGBUS) nor change the seals back. */
  if (fcntl (self->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
    return set_error_from_errno (error, errno, "Sealing shared memory"), NULL;

  self->base = mmap (NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
  if (self->base == MAP_FAILED)
    {
      self->base = NULL;
      return set_error_from_errno (error, errno, "Mapping shared memory"), NULL;
    }
  self->size = total;
  self->header = (FyShmHeader *) self->base;

  pthread_mutexattr_init (&attr);
  pthread_mutexattr_setpshared (&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust (&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_settype (&attr, recursive ? PTHREAD_MUTEX_RECURSIVE
                                              : PTHREAD_MUTEX_ERRORCHECK);
  rc = pthread_mutex_init (&self->header->lock, &attr);
  pthread_mutexattr_destroy (&attr);
  if (rc != 0)
    return set_error_from_errno (error, rc, "Initialising a shared lock"), NULL;

  self->header->kind = kind;
  self->header->total_size = total;
  self->header->data_size = total - FY_SHM_HEADER_SIZE;
  self->header->creator_pid = fy_shm_self_pid ();
  g_strlcpy (self->header->name, name, sizeof self->header->name);
  self->header->version = FY_SHM_VERSION;
  /* The magic goes last: a half-built object never validates. */
  __atomic_store_n (&self->header->magic, FY_SHM_MAGIC, __ATOMIC_RELEASE);
  self->name = g_strdup (self->header->name);

  return g_steal_pointer (&self);
}

FyShm *
fy_shm_new (FyShmKind    kind,
            const char  *name,
            gsize        data_size,
            GError     **error)
{
  return shm_create (kind, name, data_size, FALSE, error);
}

FyShm *
fy_shm_new_recursive (FyShmKind    kind,
                      const char  *name,
                      gsize        data_size,
                      GError     **error)
{
  return shm_create (kind, name, data_size, TRUE, error);
}

FyShm *
fy_shm_new_from_fd (int         fd,
                    FyShmKind   kind,
                    GError    **error)
{
  g_autoptr(FyShm) self = NULL;
  struct stat st;
  int seals;
  FyShmHeader *h;

  g_return_val_if_fail (fd >= 0, NULL);

  self = g_object_new (FY_TYPE_SHM, NULL);
  self->fd = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  if (self->fd < 0)
    return set_error_from_errno (error, errno, "Duplicating a shared object's fd"), NULL;

  seals = fcntl (self->fd, F_GET_SEALS);
  if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW))
    {
      g_set_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                   "The fd is not a sealed shared object");
      return NULL;
    }
  if (fstat (self->fd, &st) < 0)
    return set_error_from_errno (error, errno, "fstat"), NULL;
  if (st.st_size < FY_SHM_HEADER_SIZE + 8 || (guint64) st.st_size > G_MAXSIZE / 2)
    {
      g_set_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                   "The fd is too small to be a shared object");
      return NULL;
    }

  self->base = mmap (NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
  if (self->base == MAP_FAILED)
    {
      self->base = NULL;
      return set_error_from_errno (error, errno, "Mapping shared memory"), NULL;
    }
  self->size = st.st_size;
  h = self->header = (FyShmHeader *) self->base;

  if (__atomic_load_n (&h->magic, __ATOMIC_ACQUIRE) != FY_SHM_MAGIC ||
      h->version != FY_SHM_VERSION ||
      h->total_size != (guint64) st.st_size ||
      h->data_size != h->total_size - FY_SHM_HEADER_SIZE ||
      h->kind == FY_SHM_KIND_NONE || h->kind >= FY_SHM_N_KINDS)
    {
      g_set_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                   "The fd does not hold a Forkyard shared object");
      return NULL;
    }
  if (kind != FY_SHM_KIND_NONE && h->kind != (guint32) kind)
    {
      g_set_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                   "Expected a shared %s, got a %s",
                   kind_names[kind], kind_names[h->kind]);
      return NULL;
    }

  self->name = g_strndup (h->name, sizeof h->name);
  return g_steal_pointer (&self);
}

FyShmHeader *
fy_shm_get_header (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), NULL);
  return self->header;
}

void
fy_shm_set_funcs (FyShm             *self,
                  FyShmRepairFunc    repair,
                  FyShmSnapshotFunc  snapshot)
{
  g_return_if_fail (FY_IS_SHM (self));
  self->repair = repair;
  self->snapshot = snapshot;
}

int
fy_shm_lock (FyShm  *self,
             gint64  deadline)
{
  FyShmHeader *h = self->header;
  int rc;

  rc = pthread_mutex_trylock (&h->lock);
  if (rc == EBUSY)
    rc = fy_mutex_spin_trylock (&h->lock);
  if (rc == EBUSY && deadline != FY_DEADLINE_NEVER && fy_deadline_expired (deadline))
    return ETIMEDOUT;
  if (rc == EBUSY)
    {
      __atomic_add_fetch (&h->lock_waiters, 1, __ATOMIC_RELAXED);
      if (deadline == FY_DEADLINE_NEVER)
        rc = pthread_mutex_lock (&h->lock);
      else
        {
          struct timespec ts = {
            .tv_sec = deadline / G_USEC_PER_SEC,
            .tv_nsec = (deadline % G_USEC_PER_SEC) * 1000,
          };
          rc = pthread_mutex_clocklock (&h->lock, CLOCK_MONOTONIC, &ts);
        }
      __atomic_sub_fetch (&h->lock_waiters, 1, __ATOMIC_RELAXED);
    }

  if (rc == EOWNERDEAD)
    {
      /* The holder died inside its critical section. Writes commit last, so
       * the structure is at worst missing that one operation; the repair
       * function recomputes whatever derived counters it left stale. */
      pthread_mutex_consistent (&h->lock);
      __atomic_store_n (&h->recoveries, h->recoveries + 1, __ATOMIC_RELAXED);
      __atomic_store_n (&h->holder_pid, fy_shm_self_pid (), __ATOMIC_RELAXED);
      if (self->repair != NULL)
        self->repair (self);
      g_debug ("Recovered the lock of %s '%s' from a dead holder",
               kind_names[h->kind], self->name);
      return 0;
    }
  /* holder_pid is read without the lock (inspection, and the unlock
   * below), so it is stored atomically. */
  if (rc == 0)
    __atomic_store_n (&h->holder_pid, fy_shm_self_pid (), __ATOMIC_RELAXED);
  return rc;
}

int
fy_shm_unlock (FyShm *self)
{
  FyShmHeader *h = self->header;
  gint32 holder = __atomic_load_n (&h->holder_pid, __ATOMIC_RELAXED);
  int rc;

  /* Held by no one, or by another process: refused without asking glibc,
   * whose answer would be the same EPERM, but which ThreadSanitizer counts
   * as a misuse of the mutex. */
  if (holder != fy_shm_self_pid ())
    return EPERM;
  /* Cleared before the unlock; put back when the unlock is refused (another
   * thread of this process holds it, or a recursive lock is still held). */
  __atomic_store_n (&h->holder_pid, 0, __ATOMIC_RELAXED);
  rc = pthread_mutex_unlock (&h->lock);
  if (rc != 0)
    __atomic_store_n (&h->holder_pid, holder, __ATOMIC_RELAXED);
  return rc;
}

int
fy_shm_get_fd (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), -1);
  return self->fd;
}

FyShmKind
fy_shm_get_kind (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), FY_SHM_KIND_NONE);
  return self->header->kind;
}

const char *
fy_shm_get_kind_name (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), NULL);
  return kind_names[self->header->kind];
}

const char *
fy_shm_kind_to_string (FyShmKind kind)
{
  g_return_val_if_fail (kind < FY_SHM_N_KINDS, NULL);
  return kind_names[kind];
}

const char *
fy_shm_get_name (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), NULL);
  return self->name;
}

gsize
fy_shm_get_size (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), 0);
  return self->size;
}

gpointer
fy_shm_get_data (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), NULL);
  return self->base + FY_SHM_HEADER_SIZE;
}

gsize
fy_shm_get_data_size (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), 0);
  return self->size - FY_SHM_HEADER_SIZE;
}

GPid
fy_shm_get_creator_pid (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), 0);
  return self->header->creator_pid;
}

GPid
fy_shm_get_holder_pid (FyShm *self)
{
  g_return_val_if_fail (FY_IS_SHM (self), 0);
  return __atomic_load_n (&self->header->holder_pid, __ATOMIC_RELAXED);
}

GVariant *
fy_shm_snapshot (FyShm *self)
{
  GVariantDict dict;
  FyShmHeader *h;

  g_return_val_if_fail (FY_IS_SHM (self), NULL);

  h = self->header;
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "kind", "s", kind_names[h->kind]);
  g_variant_dict_insert (&dict, "name", "s", self->name);
  g_variant_dict_insert (&dict, "size", "t", (guint64) self->size);
  g_variant_dict_insert (&dict, "creator-pid", "i", h->creator_pid);
  g_variant_dict_insert (&dict, "holder-pid", "i",
                         __atomic_load_n (&h->holder_pid, __ATOMIC_RELAXED));
  g_variant_dict_insert (&dict, "lock-waiters", "u",
                         __atomic_load_n (&h->lock_waiters, __ATOMIC_RELAXED));
  g_variant_dict_insert (&dict, "recoveries", "u", __atomic_load_n (&h->recoveries, __ATOMIC_RELAXED));
  if (self->snapshot != NULL)
    self->snapshot (self, &dict);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}
