/* fy-list.c: a list of GVariants in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-futex.h"
#include "fy-list.h"
#include "fy-registry-private.h"
#include "fy-shm-private.h"

#define HEAP_START 8u

typedef struct
{
  guint64 heap_used;
  guint32 length;       /* the commit word of append */
  guint32 padding;
  /* guint32 offsets[max_items], then the heap */
} BankHeader;

typedef struct
{
  guint32 active;
  guint32 max_items;
  guint64 heap_size;
  guint64 bank_size;
  guint64 puts;
  guint64 gets;
  guint64 compactions;
} ListData;

#define BANKS_OFFSET 128
G_STATIC_ASSERT (sizeof (ListData) <= BANKS_OFFSET);

/* Another process maps the same memory and may have scribbled on it: the
 * geometry is read once, checked against the mapping and kept here, and
 * every offset, length and record size read from the mapping later is
 * checked against it before it is followed. */
struct _FyList
{
  GObject   parent_instance;

  FyShm    *shm;
  ListData *data;
  guint32   max_items;
  guint64   heap_size;
  guint64   bank_size;
};

G_DEFINE_FINAL_TYPE (FyList, fy_list, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-list-error-quark, fy_list_error)

static BankHeader *
bank_header (FyList *self,
             guint   bank)
{
  return (BankHeader *) ((guint8 *) self->data + BANKS_OFFSET + (bank & 1) * self->bank_size);
}

static guint32 *
bank_offsets (FyList *self,
              guint   bank)
{
  return (guint32 *) (bank_header (self, bank) + 1);
}

static guint8 *
bank_heap (FyList *self,
           guint   bank)
{
  return (guint8 *) (bank_offsets (self, bank) + self->max_items) +
         (self->max_items % 2 ? 4 : 0);
}

/* The bank in use, whatever the word holds. */
static guint
active_bank (FyList *self)
{
  return __atomic_load_n (&self->data->active, __ATOMIC_ACQUIRE) & 1;
}

/* A bank's item count, never above what its index holds. */
static guint32
bank_length (FyList *self,
             guint   bank)
{
  return MIN (__atomic_load_n (&bank_header (self, bank)->length, __ATOMIC_ACQUIRE), self->max_items);
}

/* A bank's bytes in use, never outside its heap nor unaligned. */
static guint64
bank_used (FyList *self,
           guint   bank)
{
  guint64 used = bank_header (self, bank)->heap_used;

  /* Out of place it reads as full, which compaction then repairs. */
  return used < HEAP_START || used > self->heap_size || used % 8 != 0 ? self->heap_size : used;
}

/* A record: its length, then the serialized "v", padded to 8. */
static gsize
record_size (gsize value_length)
{
  return 8 + fy_align8 (value_length);
}

static guint8 *
record_at (FyList  *self,
           guint    bank,
           guint32  offset)
{
  return bank_heap (self, bank) + offset;
}

static guint32
record_length (const guint8 *record)
{
  return *(const guint32 *) record;
}

/* Item @position's record in @bank, with its value's length, or NULL when
 * its offset or length would lead outside the heap. */
static guint8 *
checked_record (FyList  *self,
                guint    bank,
                guint32  position,
                guint32 *out_length)
{
  guint32 offset = __atomic_load_n (&bank_offsets (self, bank)[position], __ATOMIC_ACQUIRE);
  guint8 *record;
  guint32 length;

  if (offset < HEAP_START || offset % 8 != 0 || offset > self->heap_size - 8)
    return NULL;
  record = record_at (self, bank, offset);
  length = record_length (record);
  if (length > self->heap_size - offset - 8)
    return NULL;
  *out_length = length;
  return record;
}

static gboolean
damaged_error (GError **error)
{
  g_set_error_literal (error, FY_LIST_ERROR, FY_LIST_ERROR_DAMAGED,
                       "The shared list is damaged: an item lies outside its memory");
  return FALSE;
}

/* Copies the live records into the other bank. FALSE, changing nothing
 * that is in use, when a record is damaged or they do not fit. */
static gboolean
compact (FyList *self)
{
  ListData *data = self->data;
  guint from = active_bank (self), to = 1 - from;
  BankHeader *th = bank_header (self, to);
  guint32 length = bank_length (self, from);
  guint32 *to_offsets = bank_offsets (self, to);
  guint64 used = HEAP_START;

  for (guint32 i = 0; i < length; i++)
    {
      guint32 value_length;
      guint8 *record = checked_record (self, from, i, &value_length);
      gsize size;

      if (record == NULL)
        return FALSE;
      size = record_size (value_length);
      if (size > self->heap_size - used)
        return FALSE;
      memcpy (record_at (self, to, used), record, size);
      to_offsets[i] = used;
      used += size;
    }
  th->heap_used = used;
  th->length = length;
  __atomic_store_n (&data->active, to, __ATOMIC_RELEASE);
  data->compactions++;
  return TRUE;
}

static void
list_snapshot (FyShm        *shm,
               GVariantDict *dict)
{
  ListData *data = fy_shm_get_data (shm);
  guint64 bank_size = __atomic_load_n (&data->bank_size, __ATOMIC_RELAXED);
  guint active = __atomic_load_n (&data->active, __ATOMIC_ACQUIRE) & 1;
  BankHeader *bh;

  /* Read by the inspector without an FyList at hand: the bank is found
   * only where the mapping has room for it. */
  if (bank_size > (fy_shm_get_data_size (shm) - BANKS_OFFSET) / 2)
    return;
  bh = (BankHeader *) ((guint8 *) data + BANKS_OFFSET + active * bank_size);

  g_variant_dict_insert (dict, "depth", "u", __atomic_load_n (&bh->length, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "capacity", "u", data->max_items);
  g_variant_dict_insert (dict, "capacity-bytes", "t", data->heap_size);
  g_variant_dict_insert (dict, "bytes", "t", __atomic_load_n (&bh->heap_used, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "puts", "t", __atomic_load_n (&data->puts, __ATOMIC_RELAXED));
  g_variant_dict_insert (dict, "gets", "t", __atomic_load_n (&data->gets, __ATOMIC_RELAXED));
}

static void
fy_list_finalize (GObject *object)
{
  FyList *self = FY_LIST (object);

  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_list_parent_class)->finalize (object);
}

static void
fy_list_class_init (FyListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fy_list_finalize;
}

static void
fy_list_init (FyList *self)
{
}

static FyList *
list_wrap (FyShm    *shm,
           gboolean  created)
{
  FyList *self = g_object_new (FY_TYPE_LIST, NULL);

  self->shm = g_object_ref (shm);
  self->data = fy_shm_get_data (shm);
  self->max_items = self->data->max_items;
  self->heap_size = self->data->heap_size;
  self->bank_size = self->data->bank_size;
  fy_shm_set_funcs (shm, NULL, list_snapshot);
  fy_registry_attach_owner (shm, G_OBJECT (self), created);
  return self;
}

static gsize
bank_size_for (guint32 max_items,
               guint64 heap_size)
{
  return sizeof (BankHeader) + sizeof (guint32) * max_items + (max_items % 2 ? 4 : 0) + heap_size;
}

FyList *
fy_list_new (const char  *name,
             guint        max_items,
             gsize        capacity_bytes,
             GError     **error)
{
  g_autoptr(FyShm) shm = NULL;
  ListData *data;
  gsize bank_size;

  if (capacity_bytes == 0)
    capacity_bytes = FY_LIST_DEFAULT_CAPACITY;
  capacity_bytes = fy_align8 (MAX (capacity_bytes, 64));
  g_return_val_if_fail (capacity_bytes < G_MAXUINT32 / 2, NULL);
  if (max_items == 0)
    max_items = MAX (capacity_bytes / 64, 16);

  bank_size = bank_size_for (max_items, HEAP_START + capacity_bytes);
  shm = fy_shm_new (FY_SHM_KIND_LIST, name, BANKS_OFFSET + 2 * bank_size, error);
  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  data->max_items = max_items;
  data->heap_size = HEAP_START + capacity_bytes;
  data->bank_size = bank_size;
  ((BankHeader *) ((guint8 *) data + BANKS_OFFSET))->heap_used = HEAP_START;
  ((BankHeader *) ((guint8 *) data + BANKS_OFFSET + bank_size))->heap_used = HEAP_START;
  return list_wrap (shm, TRUE);
}

FyList *
fy_list_new_from_fd (int      fd,
                     GError **error)
{
  g_autoptr(FyShm) shm = fy_shm_new_from_fd (fd, FY_SHM_KIND_LIST, error);
  ListData *data;

  if (shm == NULL)
    return NULL;
  data = fy_shm_get_data (shm);
  if (data->max_items == 0 || data->max_items > G_MAXUINT32 / 8 ||
      data->heap_size < HEAP_START + 8 || data->heap_size >= G_MAXUINT32 / 2 ||
      data->bank_size != bank_size_for (data->max_items, data->heap_size) ||
      BANKS_OFFSET + 2 * data->bank_size > fy_shm_get_data_size (shm))
    {
      g_set_error_literal (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID,
                           "The shared list does not fit its mapping");
      return NULL;
    }
  return list_wrap (shm, FALSE);
}

int
fy_list_get_fd (FyList *self)
{
  g_return_val_if_fail (FY_IS_LIST (self), -1);
  return fy_shm_get_fd (self->shm);
}

FyShm *
fy_list_get_shm (FyList *self)
{
  g_return_val_if_fail (FY_IS_LIST (self), NULL);
  return self->shm;
}

static gboolean
full_error (GError **error)
{
  g_set_error_literal (error, FY_LIST_ERROR, FY_LIST_ERROR_FULL, "The shared list is full");
  return FALSE;
}

static gboolean
range_error (gssize   index,
             GError **error)
{
  g_set_error (error, FY_LIST_ERROR, FY_LIST_ERROR_OUT_OF_RANGE,
               "List index %" G_GSSIZE_FORMAT " out of range", index);
  return FALSE;
}

/* With the lock held: room for @size more bytes in the active bank,
 * compacting once if needed. Returns the bank or -1. */
static int
make_room (FyList *self,
           gsize   size)
{
  if (size <= self->heap_size - bank_used (self, active_bank (self)))
    return active_bank (self);
  if (!compact (self))
    return -1;
  if (size <= self->heap_size - bank_used (self, active_bank (self)))
    return active_bank (self);
  return -1;
}

/* After make_room (): the record fits. */
static guint32
write_record (FyList   *self,
              guint     bank,
              GVariant *value)
{
  BankHeader *bh = bank_header (self, bank);
  guint32 offset = bank_used (self, bank);
  guint8 *record = record_at (self, bank, offset);
  gsize length = fy_variant_record_size (value);

  *(guint32 *) record = length;
  fy_variant_record_write (value, record + 8);
  bh->heap_used = offset + record_size (length);
  return offset;
}

/* Python's index rules; FALSE when out of range. */
static gboolean
resolve_index (gssize   index,
               guint32  length,
               guint32 *out)
{
  if (index < 0)
    index += length;
  if (index < 0 || (gsize) index >= length)
    return FALSE;
  *out = index;
  return TRUE;
}

gboolean
fy_list_append (FyList    *self,
                GVariant  *value,
                GError   **error)
{
  g_autoptr(GVariant) owned = NULL;
  ListData *data;
  BankHeader *bh;
  guint32 offset, length;
  int bank;

  g_return_val_if_fail (FY_IS_LIST (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  owned = g_variant_ref_sink (value);
  data = self->data;

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  bank = make_room (self, record_size (fy_variant_record_size (owned)));
  if (bank < 0 || bank_length (self, bank) >= self->max_items)
    {
      fy_shm_unlock (self->shm);
      return full_error (error);
    }
  bh = bank_header (self, bank);
  length = bank_length (self, bank);
  offset = write_record (self, bank, owned);
  bank_offsets (self, bank)[length] = offset;
  /* The commit: the item exists once the length covers it. */
  __atomic_store_n (&bh->length, length + 1, __ATOMIC_RELEASE);
  data->puts++;
  fy_shm_unlock (self->shm);
  return TRUE;
}

/* With the lock held: a private copy of the item's value, or NULL when
 * its record is damaged. */
static GBytes *
copy_item (FyList  *self,
           guint32  position)
{
  guint32 length;
  guint8 *record = checked_record (self, active_bank (self), position, &length);

  return record != NULL ? g_bytes_new (record + 8, length) : NULL;
}

static GVariant *
unbox (GBytes *bytes)
{
  gsize length;
  guint8 *copy = g_bytes_unref_to_data (bytes, &length);

  return fy_variant_record_parse (copy, length);
}

GVariant *
fy_list_get (FyList  *self,
             gssize   index,
             GError **error)
{
  ListData *data;
  guint32 position;
  GBytes *bytes;

  g_return_val_if_fail (FY_IS_LIST (self), NULL);

  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  if (!resolve_index (index, bank_length (self, active_bank (self)), &position))
    {
      fy_shm_unlock (self->shm);
      range_error (index, error);
      return NULL;
    }
  bytes = copy_item (self, position);
  data->gets++;
  fy_shm_unlock (self->shm);
  if (bytes == NULL)
    {
      damaged_error (error);
      return NULL;
    }
  return unbox (bytes);
}

gboolean
fy_list_set (FyList    *self,
             gssize     index,
             GVariant  *value,
             GError   **error)
{
  g_autoptr(GVariant) owned = NULL;
  ListData *data;
  guint32 position, offset;
  int bank;

  g_return_val_if_fail (FY_IS_LIST (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  owned = g_variant_ref_sink (value);
  data = self->data;

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  if (!resolve_index (index, bank_length (self, active_bank (self)), &position))
    {
      fy_shm_unlock (self->shm);
      return range_error (index, error);
    }
  bank = make_room (self, record_size (fy_variant_record_size (owned)));
  if (bank < 0)
    {
      fy_shm_unlock (self->shm);
      return full_error (error);
    }
  offset = write_record (self, bank, owned);
  __atomic_store_n (&bank_offsets (self, bank)[position], offset, __ATOMIC_RELEASE);
  data->puts++;
  fy_shm_unlock (self->shm);
  return TRUE;
}

GVariant *
fy_list_pop (FyList  *self,
             gssize   index,
             GError **error)
{
  ListData *data;
  BankHeader *bh;
  guint32 position, length;
  guint32 *offsets;
  GBytes *bytes;

  g_return_val_if_fail (FY_IS_LIST (self), NULL);

  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  bh = bank_header (self, active_bank (self));
  length = bank_length (self, active_bank (self));
  if (!resolve_index (index, length, &position))
    {
      fy_shm_unlock (self->shm);
      range_error (index, error);
      return NULL;
    }
  bytes = copy_item (self, position);
  offsets = bank_offsets (self, active_bank (self));
  if (position + 1 == length)
    __atomic_store_n (&bh->length, length - 1, __ATOMIC_RELEASE);
  else
    {
      /* Not a single commit: a death midway repeats one item. Popping
       * from the end, the common case, is atomic. */
      memmove (&offsets[position], &offsets[position + 1],
               sizeof (guint32) * (length - position - 1));
      __atomic_store_n (&bh->length, length - 1, __ATOMIC_RELEASE);
    }
  data->gets++;
  fy_shm_unlock (self->shm);
  if (bytes == NULL)
    {
      damaged_error (error);
      return NULL;
    }
  return unbox (bytes);
}

void
fy_list_clear (FyList *self)
{
  ListData *data;
  guint to;

  g_return_if_fail (FY_IS_LIST (self));

  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  to = 1 - active_bank (self);
  bank_header (self, to)->heap_used = HEAP_START;
  bank_header (self, to)->length = 0;
  __atomic_store_n (&data->active, to, __ATOMIC_RELEASE);
  fy_shm_unlock (self->shm);
}

guint
fy_list_get_length (FyList *self)
{
  g_return_val_if_fail (FY_IS_LIST (self), 0);

  return bank_length (self, active_bank (self));
}

GVariant *
fy_list_to_variant (FyList *self)
{
  g_autoptr(GPtrArray) items = NULL;
  GVariantBuilder builder;
  guint32 length;

  g_return_val_if_fail (FY_IS_LIST (self), NULL);

  items = g_ptr_array_new ();
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  length = bank_length (self, active_bank (self));
  for (guint32 i = 0; i < length; i++)
    {
      GBytes *bytes = copy_item (self, i);

      /* A damaged item is left out, as one that does not parse is. */
      if (bytes != NULL)
        g_ptr_array_add (items, bytes);
    }
  fy_shm_unlock (self->shm);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(GVariant) item = unbox (items->pdata[i]);

      if (item == NULL)
        continue;
      g_variant_builder_add_value (&builder, g_variant_new_variant (item));
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}
