/* fuzz-shared-dict.c: a dict and a list read from memory another process scribbled on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small FyDict and FyList are filled normally, then their shared data is
 * patched with input bytes, as a buggy or hostile process mapping the same
 * memfd could; then every reading and writing call runs on them. Whatever
 * the bytes, they must answer (values, errors, or less than was put), never
 * read outside the mapping, crash or loop forever.
 *
 * Input: byte 0 picks the object (even: dict, odd: list); then patches of
 * (2-byte offset in 8-byte units, 1-byte length, bytes) until it runs out.
 */

#include "config.h"

#include <string.h>

#include "core/fy-dict.h"
#include "core/fy-list.h"
#include "core/fy-shm.h"

#include "fuzz-target.h"

#define CAPACITY 16384

/* The answers do not matter, only that they come. */
static void
discard (GVariant *value)
{
  if (value != NULL)
    g_variant_unref (value);
}

static void
scribble (FyShm        *shm,
          const guint8 *data,
          gsize         size)
{
  guint8 *base = fy_shm_get_data (shm);
  gsize length = fy_shm_get_data_size (shm);

  while (size >= 3)
    {
      gsize offset = (gsize) (data[0] | data[1] << 8) * 8;
      gsize n = MIN ((gsize) data[2], size - 3);

      data += 3;
      size -= 3;
      if (offset < length)
        memcpy (base + offset, data, MIN (n, length - offset));
      data += n;
      size -= n;
    }
}

static void
exercise_dict (const guint8 *data,
               gsize         size)
{
  g_autoptr(FyDict) dict = fy_dict_new (NULL, CAPACITY, NULL);
  g_auto(GStrv) keys = NULL;
  const char *names[] = { "alpha", "beta", "gamma", "delta", "epsilon" };

  if (dict == NULL)
    abort ();
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    fy_dict_set (dict, names[i], i % 2 ? g_variant_new_string (names[i]) : g_variant_new_int64 (i), NULL);
  fy_dict_remove (dict, "beta", NULL);
  scribble (fy_dict_get_shm (dict), data, size);

  fy_dict_get_size (dict);
  keys = fy_dict_get_keys (dict);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    discard (fy_dict_get (dict, keys[i], NULL));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      discard (fy_dict_get (dict, names[i], NULL));
      fy_dict_contains (dict, names[i]);
    }
  discard (fy_dict_to_variant (dict));
  fy_dict_set (dict, "zeta", g_variant_new_string ("after"), NULL);
  fy_dict_set (dict, "alpha", g_variant_new_int64 (-1), NULL);
  fy_dict_remove (dict, "gamma", NULL);
  fy_dict_get_size (dict);
  fy_dict_clear (dict);
}

static void
exercise_list (const guint8 *data,
               gsize         size)
{
  g_autoptr(FyList) list = fy_list_new (NULL, 64, CAPACITY, NULL);
  guint n;

  if (list == NULL)
    abort ();
  for (gint64 i = 0; i < 6; i++)
    fy_list_append (list, i % 2 ? g_variant_new_string ("item") : g_variant_new_int64 (i), NULL);
  scribble (fy_list_get_shm (list), data, size);

  n = fy_list_get_length (list);
  for (guint i = 0; i < n && i < 128; i++)
    discard (fy_list_get (list, i, NULL));
  discard (fy_list_get (list, -1, NULL));
  discard (fy_list_to_variant (list));
  fy_list_set (list, 0, g_variant_new_int64 (7), NULL);
  fy_list_append (list, g_variant_new_string ("after"), NULL);
  discard (fy_list_pop (list, -1, NULL));
  fy_list_clear (list);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  if (size < 1)
    return 0;
  if (data[0] % 2 == 0)
    exercise_dict (data + 1, size - 1);
  else
    exercise_list (data + 1, size - 1);
  return 0;
}
