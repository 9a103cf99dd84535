/* fy-list.c: a list of GVariants in shared memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-futex.h"
#include "fy-list.h"
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

struct _FyList
{
  GObject   parent_instance;

  FyShm    *shm;
  ListData *data;
};

G_DEFINE_FINAL_TYPE (FyList, fy_list, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-list-error-quark, fy_list_error)

static BankHeader *
bank_header (ListData *data,
             guint     bank)
{
  return (BankHeader *) ((guint8 *) data + BANKS_OFFSET + bank * data->bank_size);
}

static guint32 *
bank_offsets (ListData *data,
              guint     bank)
{
  return (guint32 *) (bank_header (data, bank) + 1);
}

static guint8 *
bank_heap (ListData *data,
           guint     bank)
{
  return (guint8 *) (bank_offsets (data, bank) + data->max_items) +
         (data->max_items % 2 ? 4 : 0);
}

/* A record: its length, then the serialized "v", padded to 8. */
static gsize
record_size (gsize value_length)
{
  return 8 + fy_align8 (value_length);
}

static guint8 *
record_at (ListData *data,
           guint     bank,
           guint32   offset)
{
  return bank_heap (data, bank) + offset;
}

static guint32
record_length (const guint8 *record)
{
  return *(const guint32 *) record;
}

static void
compact (ListData *data)
{
  guint from = data->active, to = 1 - from;
  BankHeader *fh = bank_header (data, from), *th = bank_header (data, to);
  guint32 *from_offsets = bank_offsets (data, from), *to_offsets = bank_offsets (data, to);
  guint64 used = HEAP_START;

  for (guint32 i = 0; i < fh->length; i++)
    {
      guint8 *record = record_at (data, from, from_offsets[i]);
      gsize size = record_size (record_length (record));

      memcpy (record_at (data, to, used), record, size);
      to_offsets[i] = used;
      used += size;
    }
  th->heap_used = used;
  th->length = fh->length;
  __atomic_store_n (&data->active, to, __ATOMIC_RELEASE);
  data->compactions++;
}

static void
list_snapshot (FyShm        *shm,
               GVariantDict *dict)
{
  ListData *data = fy_shm_get_data (shm);
  BankHeader *bh = bank_header (data, __atomic_load_n (&data->active, __ATOMIC_ACQUIRE) & 1);

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
  fy_shm_set_funcs (shm, NULL, list_snapshot);
  fy_shm_attach_owner (shm, G_OBJECT (self), created);
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
  bank_header (data, 0)->heap_used = HEAP_START;
  bank_header (data, 1)->heap_used = HEAP_START;
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
  if (data->bank_size != bank_size_for (data->max_items, data->heap_size) ||
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
make_room (ListData *data,
           gsize     size)
{
  if (bank_header (data, data->active)->heap_used + size <= data->heap_size)
    return data->active;
  compact (data);
  if (bank_header (data, data->active)->heap_used + size <= data->heap_size)
    return data->active;
  return -1;
}

static guint32
write_record (ListData *data,
              guint     bank,
              GVariant *value)
{
  BankHeader *bh = bank_header (data, bank);
  guint32 offset = bh->heap_used;
  guint8 *record = record_at (data, bank, offset);
  gsize length = fy_variant_record_size (value);

  *(guint32 *) record = length;
  fy_variant_record_write (value, record + 8);
  bh->heap_used += record_size (length);
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
  guint32 offset;
  int bank;

  g_return_val_if_fail (FY_IS_LIST (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  owned = g_variant_ref_sink (value);
  data = self->data;

  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  bank = make_room (data, record_size (fy_variant_record_size (owned)));
  if (bank < 0 || bank_header (data, bank)->length >= data->max_items)
    {
      fy_shm_unlock (self->shm);
      return full_error (error);
    }
  bh = bank_header (data, bank);
  offset = write_record (data, bank, owned);
  bank_offsets (data, bank)[bh->length] = offset;
  /* The commit: the item exists once the length covers it. */
  __atomic_store_n (&bh->length, bh->length + 1, __ATOMIC_RELEASE);
  data->puts++;
  fy_shm_unlock (self->shm);
  return TRUE;
}

/* With the lock held: a private copy of the item's record. */
static GBytes *
copy_item (ListData *data,
           guint32   position)
{
  guint8 *record = record_at (data, data->active, bank_offsets (data, data->active)[position]);

  return g_bytes_new (record + 8, record_length (record));
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
  if (!resolve_index (index, bank_header (data, data->active)->length, &position))
    {
      fy_shm_unlock (self->shm);
      range_error (index, error);
      return NULL;
    }
  bytes = copy_item (data, position);
  data->gets++;
  fy_shm_unlock (self->shm);
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
  if (!resolve_index (index, bank_header (data, data->active)->length, &position))
    {
      fy_shm_unlock (self->shm);
      return range_error (index, error);
    }
  bank = make_room (data, record_size (fy_variant_record_size (owned)));
  if (bank < 0)
    {
      fy_shm_unlock (self->shm);
      return full_error (error);
    }
  offset = write_record (data, bank, owned);
  __atomic_store_n (&bank_offsets (data, bank)[position], offset, __ATOMIC_RELEASE);
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
  guint32 position;
  guint32 *offsets;
  GBytes *bytes;

  g_return_val_if_fail (FY_IS_LIST (self), NULL);

  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  bh = bank_header (data, data->active);
  if (!resolve_index (index, bh->length, &position))
    {
      fy_shm_unlock (self->shm);
      range_error (index, error);
      return NULL;
    }
  bytes = copy_item (data, position);
  offsets = bank_offsets (data, data->active);
  if (position + 1 == bh->length)
    __atomic_store_n (&bh->length, bh->length - 1, __ATOMIC_RELEASE);
  else
    {
      /* Not a single commit: a death midway repeats one item. Popping
       * from the end, the common case, is atomic. */
      memmove (&offsets[position], &offsets[position + 1],
               sizeof (guint32) * (bh->length - position - 1));
      __atomic_store_n (&bh->length, bh->length - 1, __ATOMIC_RELEASE);
    }
  data->gets++;
  fy_shm_unlock (self->shm);
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
  to = 1 - data->active;
  bank_header (data, to)->heap_used = HEAP_START;
  bank_header (data, to)->length = 0;
  __atomic_store_n (&data->active, to, __ATOMIC_RELEASE);
  fy_shm_unlock (self->shm);
}

guint
fy_list_get_length (FyList *self)
{
  ListData *data;

  g_return_val_if_fail (FY_IS_LIST (self), 0);

  data = self->data;
  return __atomic_load_n (&bank_header (data, __atomic_load_n (&data->active, __ATOMIC_ACQUIRE) & 1)->length,
                          __ATOMIC_ACQUIRE);
}

GVariant *
fy_list_to_variant (FyList *self)
{
  g_autoptr(GPtrArray) items = NULL;
  GVariantBuilder builder;
  ListData *data;
  guint32 length;

  g_return_val_if_fail (FY_IS_LIST (self), NULL);

  items = g_ptr_array_new ();
  data = self->data;
  fy_shm_lock (self->shm, FY_DEADLINE_NEVER);
  length = bank_header (data, data->active)->length;
  for (guint32 i = 0; i < length; i++)
    g_ptr_array_add (items, copy_item (data, i));
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
