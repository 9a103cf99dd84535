/* fy-dict.c: a string-keyed dictionary in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-dict.h"
#include "fy-futex.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"

#define SLOT_EMPTY     0u
#define SLOT_TOMBSTONE 1u
#define HEAP_START     8u   /* record offsets start here, above the markers */

typedef struct
{
  guint32 hash;
  guint32 offset;      /* the commit word */
} Slot;

typedef struct
{
  guint32 key_length;
  guint32 value_length;
  /* key, NUL, padding to 8, serialized "v", padding to 8 */
} Record;

typedef struct
{
  guint64 heap_used;
} BankHeader;

typedef struct
{
  guint32 active;      /* bank in use, switched only after a compaction completes */
  guint32 n_slots;     /* power of two */
  guint64 heap_size;
  guint64 bank_size;
  guint32 count;       /* derived from the active bank's slots */
  guint32 used_slots;  /* live + tombstones */
  guint64 sets;
  guint64 gets;
  guint64 removes;
  guint64 compactions;
} DictData;

#define BANKS_OFFSET 128
G_STATIC_ASSERT (sizeof (DictData) <= BANKS_OFFSET);

/* Another process maps the same memory and may have scribbled on it: the
 * geometry is read once, checked against the mapping and kept here, and
 * every slot offset and record length read from the mapping later is
 * checked against it before it is followed. */
struct _FyDict
{
  GObject   parent_instance;

  FyShm    *shm;
  DictData *data;
  guint32   n_slots;
  guint64   heap_size;
  guint64   bank_size;
};

G_DEFINE_FINAL_TYPE (FyDict, fy_dict, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-dict-error-quark, fy_dict_error)

static BankHeader *
bank_header (FyDict *self,
             guint   bank)
{
  return (BankHeader *) ((guint8 *) self->data + BANKS_OFFSET + (bank & 1) * self->bank_size);
}

static Slot *
bank_slots (FyDict *self,
            guint   bank)
{
  return (Slot *) (bank_header (self, bank) + 1);
}

static guint8 *
bank_heap (FyDict *self,
           guint   bank)
{
  return (guint8 *) (bank_slots (self, bank) + self->n_slots);
}

/* The bank in use, whatever the word holds. */
static guint
active_bank (FyDict *self)
{
  return __atomic_load_n (&self->data->active, __ATOMIC_ACQUIRE) & 1;
}

/* A bank's bytes in use, never outside its heap nor unaligned. */
static guint64
bank_used (FyDict *self,
           guint   bank)
{
  guint64 used = bank_header (self, bank)->heap_used;

  /* Out of place it reads as full, which compaction then repairs. */
  return used < HEAP_START || used > self->heap_size || used % 8 != 0 ? self->heap_size : used;
}

static gsize
record_size (gsize key_length,
             gsize value_length)
{
  return sizeof (Record) + fy_align8 (key_length + 1) + fy_align8 (value_length);
}

static Record *
record_at (FyDict  *self,
           guint    bank,
           guint32  offset)
{
  return (Record *) (bank_heap (self, bank) + offset);
}

static const char *
record_key (Record *record)
{
  return (const char *) (record + 1);
}

static const guint8 *
record_value (Record *record)
{
  return (const guint8 *) (record + 1) + fy_align8 (record->key_length + 1);
}

/* The record a live slot's @offset names, or NULL when it, its key (with
 * its NUL) or its value would reach outside the heap. */
static Record *
checked_record (FyDict  *self,
                guint    bank,
                guint32  offset)
{
  Record *record;
  guint64 room;

  if (offset < HEAP_START || offset % 8 != 0 || offset > self->heap_size - sizeof (Record))
    return NULL;
  record = record_at (self, bank, offset);
  room = self->heap_size - offset - sizeof (Record);
  /* A value holds at least its type and a NUL. */
  if (record->key_length >= room || record->value_length < 2 || record->value_length > room ||
      fy_align8 ((guint64) record->key_length + 1) + fy_align8 (record->value_length) > room ||
      record_key (record)[record->key_length] != '\0')
    return NULL;
  return record;
}

static guint32
hash_key (const char *key)
{
  /* FNV-1a: the same in every process, unlike a seeded hash. */
  guint32 h = 2166136261u;

  for (const guchar *p = (const guchar *) key; *p != '\0'; p++)
    h = (h ^ *p) * 16777619u;
  return h;
}

/* Returns the slot holding @key, or NULL; *@insert_at gets where a new key
 * would go (the first tombstone or the empty slot that ended the probe). */
static Slot *
find_slot (FyDict      *self,
           guint        bank,
           const char  *key,
           guint32      hash,
           Slot       **insert_at)
{
  Slot *slots = bank_slots (self, bank);
  guint32 mask = self->n_slots - 1;
  Slot *first_free = NULL;
  gsize key_length = strlen (key);

  for (guint32 i = 0, pos = hash & mask; i < self->n_slots; i++, pos = (pos + 1) & mask)
    {
      Slot *slot = &slots[pos];
      guint32 offset = __atomic_load_n (&slot->offset, __ATOMIC_ACQUIRE);

      if (offset == SLOT_EMPTY)
        {
          if (first_free == NULL)
            first_free = slot;
          break;
        }
      if (offset == SLOT_TOMBSTONE)
        {
          if (first_free == NULL)
            first_free = slot;
          continue;
        }
      if (slot->hash == hash)
        {
          Record *record = checked_record (self, bank, offset);

          /* A damaged record matches no key. */
          if (record != NULL && record->key_length == key_length &&
              memcmp (record_key (record), key, key_length) == 0)
            {
              if (insert_at != NULL)
                *insert_at = NULL;
              return slot;
            }
        }
    }

  if (insert_at != NULL)
    *insert_at = first_free;
  return NULL;
}

static void
recount (DictData *data,
         Slot     *slots,
         guint32   n_slots)
{
  guint32 count = 0, used = 0;

  for (guint32 i = 0; i < n_slots; i++)
    {
      guint32 offset = slots[i].offset;

      if (offset != SLOT_EMPTY)
        used++;
      if (offset != SLOT_EMPTY && offset != SLOT_TOMBSTONE)
        count++;
    }
  data->count = count;
  data->used_slots = used;
}

/* Whether the geometry in @data is one fy_dict_new () makes and fits a
 * mapping of @size bytes. */
static gboolean
geometry_fits (DictData *data,
               gsize     size)
{
  return data->n_slots != 0 && (data->n_slots & (data->n_slots - 1)) == 0 &&
         data->n_slots <= G_MAXUINT32 / 16 && data->heap_size >= HEAP_START + sizeof (Record) &&
         data->heap_size < G_MAXUINT32 / 2 &&
         data->bank_size == sizeof (BankHeader) + sizeof (Slot) * data->n_slots + data->heap_size &&
         BANKS_OFFSET + 2 * data->bank_size <= size;
}

/* Run by whoever recovers the lock from a dead holder, FyDict or not. */
static void
dict_repair (FyShm *shm)
{
  DictData *data = fy_shm_get_data (shm);
  guint active = __atomic_load_n (&data->active, __ATOMIC_ACQUIRE) & 1;

  if (geometry_fits (data, fy_shm_get_data_size (shm)))
    recount (data, (Slot *) ((BankHeader *) ((guint8 *) data + BANKS_OFFSET + active * data->bank_size) + 1),
             data->n_slots);
}

/* Copies the live records into the other bank, then switches to it. A
 * death before the switch leaves the active bank untouched. */
static void
compact (FyDict *self)
{
  DictData *data = self->data;
  guint from = active_bank (self), to = 1 - from;
  Slot *from_slots = bank_slots (self, from);
  Slot *to_slots = bank_slots (self, to);
  guint8 *to_heap = bank_heap (self, to);
  guint64 used = HEAP_START;
  guint32 mask = self->n_slots - 1;

  memset (to_slots, 0, sizeof (Slot) * self->n_slots);
  for (guint32 i = 0; i < self->n_slots; i++)
    {
      guint32 offset = from_slots[i].offset;
      Record *record;
      gsize size;
      guint32 pos, probes = 0;

      if (offset == SLOT_EMPTY || offset == SLOT_TOMBSTONE)
        continue;
      /* A damaged record is dropped: it could not be read anyway. */
      record = checked_record (self, from, offset);
      if (record == NULL)
        continue;
      size = record_size (record->key_length, record->value_length);
      if (size > self->heap_size - used)
        break;
      for (pos = from_slots[i].hash & mask; to_slots[pos].offset != SLOT_EMPTY && probes < self->n_slots;
           pos = (pos + 1) & mask, probes++)
        ;
      if (probes == self->n_slots)
        break;
      memcpy (to_heap + used, record, size);
      to_slots[pos].hash = from_slots[i].hash;
      to_slots[pos].offset = used;
      used += size;
    }
  bank_header (self, to)->heap_used = used;
  __atomic_store_n (&data->active, to, __ATOMIC_RELEASE);
  data->compactions++;
  recount (data, bank_slots (self, to), self->n_slots);
}

static void
dict_snapshot (FyShm        *shm,
               GVariantDict *dict)
{
  DictData *data = fy_shm_get_data (shm);
  guint active = __atomic_load_n (&data->active, __ATOMIC_ACQUIRE) & 1;
  guint64 bank_size = __atomic_load_n (&data->bank_size, __ATOMIC_RELAXED);

  g_variant_dict_insert (dict, "depth", "u", __atomic_load_n (&data->count, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "capacity", "u", data->n_slots * 3 / 4);
  g_variant_dict_insert (dict, "capacity-bytes", "t", data->heap_size);
  /* Read by the inspector without an FyDict at hand: the bank is found
   * only where the mapping has room for it. */
  if (bank_size <= (fy_shm_get_data_size (shm) - BANKS_OFFSET) / 2)
    g_variant_dict_insert (dict, "bytes", "t",
                           __atomic_load_n (&((BankHeader *) ((guint8 *) data + BANKS_OFFSET +
                                                               active * bank_size))->heap_used,
                                            __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "t", __atomic_load_n (&data->sets, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "gets", "t", __atomic_load_n (&data->gets, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "compactions", "t", data->compactions);
}

static void
fy_dict_finalize (GObject *object)
{
  FyDict *self = FY_DICT (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_dict_parent_class)->finalize (object);
}

static void
fy_dict_class_init (FyDictClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_dict_finalize;
}

static void
fy_dict_init (FyDict *self)
{
}

static FyDict *
dict_wrap (FyShm    *shm,
           gboolean  created)
{
  FyDict *self = g_object_new (FY_TYPE_DICT, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  self->n_slots = self->data->n_slots;
  self->heap_size = self->data->heap_size;
  self->bank_size = self->data->bank_size;
  fy_shm_set_funcs (shm, dict_repair, dict_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

FyDict *
fy_dict_new (const char  *name,
             gsize        capacity_bytes,
             GError     **error)
{
  g_autoptr(FyShm) shm = NULL;
  DictData *data;
  guint32 n_slots = 16;
  gsize bank_size;

  if (capacity_bytes == 0)
    capacity_bytes = FY_DICT_DEFAULT_CAPACITY;
  capacity_bytes = fy_align8 (MAX (capacity_bytes, 256));
  g_return_val_if_fail (capacity_bytes < G_MAXUINT32 / 2, NULL);

  /* Room in the index for one entry per 64 bytes of records. */
  while (n_slots < capacity_bytes / 64)
    n_slots *= 2;
  bank_size = sizeof (BankHeader) + sizeof (Slot) * n_slots + HEAP_START + capacity_bytes;

  shm = fy_shm_new (FY_SHM_KIND_DICT, name, BANKS_OFFSET + 2 * bank_size, error);
  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  data->n_slots = n_slots;
  data->heap_size = HEAP_START + capacity_bytes;
  data->bank_size = bank_size;
  ((BankHeader *) ((guint8 *) data + BANKS_OFFSET))->heap_used = HEAP_START;
  ((BankHeader *) ((guint8 *) data + BANKS_OFFSET + bank_size))->heap_used = HEAP_START;
  return dict_wrap (shm, TRUE);
}

FyDict *
fy_dict_new_from_fd (int      fd,
                     GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_DICT, error);
  DictData *data;

  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  if (!geometry_fits (data, fy_shm_get_data_size (shm)))
    {
      g_set_error_literal (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                           "The shared dict does not fit its mapping");
      return NULL;
    }
  return dict_wrap (shm, FALSE);
}

int
fy_dict_get_fd (FyDict *self)
{
  g_return_val_if_fail (FY_IS_DICT (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_dict_get_shm (FyDict *self)
{
  g_return_val_if_fail (FY_IS_DICT (self), NULL);
  return self->shm;
}

static gboolean
full_error (GError **error)
{
  g_set_error_literal (error, FY_DICT_ERROR, FY_DICT_ERROR_FULL,
                       "The shared dict is full");
  return FALSE;
}

gboolean
fy_dict_set (FyDict      *self,
             const char  *key,
             GVariant    *value,
             GError     **error)
{
  g_autoptr(GVariant) owned = NULL;
  DictData *data;
  gsize key_length, value_length, size;
  guint32 hash;
  Slot *slot, *insert_at = NULL;
  BankHeader *bh;
  Record *record;
  guint bank;

  g_return_val_if_fail (FY_IS_DICT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  owned = g_variant_ref_sink (value);
  data = self->data;
  key_length = strlen (key);
  value_length = fy_variant_record_size (owned);
  size = record_size (key_length, value_length);
  hash = hash_key (key);
  if (size > self->heap_size - HEAP_START)
    return full_error (error);

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  bank = active_bank (self);
  slot = find_slot (self, bank, key, hash, &insert_at);
  bh = bank_header (self, bank);

  if (size > self->heap_size - bank_used (self, bank) ||
      (slot == NULL && (insert_at == NULL || data->used_slots + 1 > self->n_slots * 3 / 4)))
    {
      compact (self);
      bank = active_bank (self);
      bh = bank_header (self, bank);
      slot = find_slot (self, bank, key, hash, &insert_at);
      if (size > self->heap_size - bank_used (self, bank) ||
          (slot == NULL && (insert_at == NULL || data->count + 1 > self->n_slots * 3 / 4)))
        {
          fy_shm_unlock (self->shm);
          return full_error (error);
        }
    }

  record = record_at (self, bank, bank_used (self, bank));
  record->key_length = key_length;
  record->value_length = value_length;
  memcpy ((char *) record_key (record), key, key_length + 1);
  fy_variant_record_write (owned, (guint8 *) record_value (record));
  bh->heap_used = bank_used (self, bank) + size;

  /* The commit: one store makes the new record the key's value. */
  if (slot != NULL)
    __atomic_store_n (&slot->offset, (guint32) ((guint8 *) record - bank_heap (self, bank)), __ATOMIC_RELEASE);
  else
    {
      gboolean was_empty = insert_at->offset == SLOT_EMPTY;

      insert_at->hash = hash;
      __atomic_store_n (&insert_at->offset, (guint32) ((guint8 *) record - bank_heap (self, bank)),
                        __ATOMIC_RELEASE);
      data->count++;
      if (was_empty)
        data->used_slots++;
    }
  data->sets++;
  fy_shm_unlock (self->shm);
  return TRUE;
}

static gboolean
not_found (const char  *key,
           GError     **error)
{
  g_set_error (error, FY_DICT_ERROR, FY_DICT_ERROR_NOT_FOUND, "No key '%s'", key);
  return FALSE;
}

GVariant *
fy_dict_get (FyDict      *self,
             const char  *key,
             GError     **error)
{
  DictData *data;
  Slot *slot;
  Record *record;
  guint8 *copy;
  gsize length;
  GVariant *value;

  g_return_val_if_fail (FY_IS_DICT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  slot = find_slot (self, active_bank (self), key, hash_key (key), NULL);
  record = slot != NULL ? checked_record (self, active_bank (self), slot->offset) : NULL;
  if (record == NULL)
    {
      fy_shm_unlock (self->shm);
      not_found (key, error);
      return NULL;
    }
  length = record->value_length;
  copy = g_memdup2 (record_value (record), MAX (length, 1));
  data->gets++;
  fy_shm_unlock (self->shm);

  value = fy_variant_record_parse (copy, length);
  if (value == NULL)
    not_found (key, error);
  return value;
}

gboolean
fy_dict_contains (FyDict     *self,
                  const char *key)
{
  gboolean found;

  g_return_val_if_fail (FY_IS_DICT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  found = find_slot (self, active_bank (self), key, hash_key (key), NULL) != NULL;
  fy_shm_unlock (self->shm);
  return found;
}

gboolean
fy_dict_remove (FyDict      *self,
                const char  *key,
                GError     **error)
{
  Slot *slot;

  g_return_val_if_fail (FY_IS_DICT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  slot = find_slot (self, active_bank (self), key, hash_key (key), NULL);
  if (slot == NULL)
    {
      fy_shm_unlock (self->shm);
      return not_found (key, error);
    }
  __atomic_store_n (&slot->offset, SLOT_TOMBSTONE, __ATOMIC_RELEASE);
  self->data->count--;
  self->data->removes++;
  fy_shm_unlock (self->shm);
  return TRUE;
}

void
fy_dict_clear (FyDict *self)
{
  DictData *data;
  guint to;

  g_return_if_fail (FY_IS_DICT (self));

  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  /* An empty other bank, switched to in one store. */
  to = 1 - active_bank (self);
  memset (bank_slots (self, to), 0, sizeof (Slot) * self->n_slots);
  bank_header (self, to)->heap_used = HEAP_START;
  __atomic_store_n (&data->active, to, __ATOMIC_RELEASE);
  data->count = 0;
  data->used_slots = 0;
  fy_shm_unlock (self->shm);
}

guint
fy_dict_get_size (FyDict *self)
{
  g_return_val_if_fail (FY_IS_DICT (self), 0);
  return MIN (__atomic_load_n (&self->data->count, __ATOMIC_ACQUIRE), self->n_slots);
}

static int
compare_keys (const void *a,
              const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GStrv
fy_dict_get_keys (FyDict *self)
{
  GPtrArray *keys;
  Slot *slots;

  g_return_val_if_fail (FY_IS_DICT (self), NULL);

  keys = g_ptr_array_new ();
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  slots = bank_slots (self, active_bank (self));
  for (guint32 i = 0; i < self->n_slots; i++)
    if (slots[i].offset != SLOT_EMPTY && slots[i].offset != SLOT_TOMBSTONE)
      {
        Record *record = checked_record (self, active_bank (self), slots[i].offset);

        if (record != NULL)
          g_ptr_array_add (keys, g_strdup (record_key (record)));
      }
  fy_shm_unlock (self->shm);

  if (keys->len > 1)
    qsort (keys->pdata, keys->len, sizeof (char *), compare_keys);
  g_ptr_array_add (keys, NULL);
  return (GStrv) g_ptr_array_free (keys, FALSE);
}

GVariant *
fy_dict_to_variant (FyDict *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  GVariantBuilder builder;
  Slot *slots;

  g_return_val_if_fail (FY_IS_DICT (self), NULL);

  /* Copied out under one lock, so the result is one consistent state;
   * deserialized afterwards. */
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  slots = bank_slots (self, active_bank (self));
  for (guint32 i = 0; i < self->n_slots; i++)
    if (slots[i].offset != SLOT_EMPTY && slots[i].offset != SLOT_TOMBSTONE)
      {
        Record *record = checked_record (self, active_bank (self), slots[i].offset);

        if (record == NULL)
          continue;
        g_ptr_array_add (entries, g_bytes_new (record, record_size (record->key_length,
                                                                    record->value_length)));
      }
  fy_shm_unlock (self->shm);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < entries->len; i++)
    {
      Record *record = (Record *) g_bytes_get_data (entries->pdata[i], NULL);
      g_autoptr(GVariant) value = fy_variant_record_parse (g_memdup2 (record_value (record),
                                                                      MAX (record->value_length, 1)),
                                                           record->value_length);

      /* A key that is not UTF-8 (written over, or set from C) cannot be
       * a GVariant string: left out, as a value that does not parse. */
      if (value == NULL || !g_utf8_validate (record_key (record), record->key_length, NULL))
        continue;
      g_variant_builder_add (&builder, "{sv}", record_key (record), value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}
