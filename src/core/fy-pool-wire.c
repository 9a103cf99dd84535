/* fy-pool-wire.c: the pool protocol's messages and packed values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both ends of a pool worker's channel build and read messages with these;
 * fy-pool-wire.h describes the protocol.
 */

#include "config.h"

#include <string.h>

#include "fy-pool-error.h"
#include "fy-pool-wire.h"

G_DEFINE_QUARK (fy-pool-error-quark, fy_pool_error)

GVariant *
fy_pool_error_to_variant (const GError *error)
{
  if (error == NULL)
    return g_variant_new ("(sis)", "", 0, "Unknown error");
  return g_variant_new ("(sis)", g_quark_to_string (error->domain), error->code, error->message);
}

GError *
fy_pool_error_from_variant (GVariant *value)
{
  const char *domain;
  const char *message;
  gint32 code;

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE ("(sis)")))
    return g_error_new_literal (FY_POOL_ERROR, FY_POOL_ERROR_PROTOCOL, "A worker sent a malformed error");
  g_variant_get (value, "(&si&s)", &domain, &code, &message);
  if (*domain == '\0')
    return g_error_new_literal (FY_POOL_ERROR, FY_POOL_ERROR_FAILED, message);
  return g_error_new_literal (g_quark_from_string (domain), code, message);
}

gsize
fy_pool_fixed_size (const char *type_string)
{
  if (type_string[0] == '\0' || type_string[1] != '\0')
    return 0;
  switch (type_string[0])
    {
    case 'y':
    case 'b':
      return 1;
    case 'n':
    case 'q':
      return 2;
    case 'i':
    case 'u':
      return 4;
    case 'x':
    case 't':
    case 'd':
      return 8;
    default:
      return 0;
    }
}

/* Offsets in the serialised "(yttuuxxv)": y, then t aligned to 8, t, u,
 * u, x, x, and the variant aligned to 8. Only the last member is of
 * variable size, so the tuple has no framing offsets. */
#define MSG_CHUNK_AT   8
#define MSG_NEXT_AT    16
#define MSG_INDEX_AT   24
#define MSG_WINDOW_AT  28
#define MSG_STARTED_AT 32
#define MSG_ENDED_AT   40
#define MSG_BODY_AT    48

/* Bodies this large are not copied into a message of their own: the
 * message stays a tree over them, which the channel serialises straight
 * into its arena (the datagram's own limit is 64 KiB, so such a message
 * never travels inline). A map chunk's numbers are then copied once on
 * their way to the other side instead of three times. */
#define MESSAGE_TREE_MIN (64 * 1024)
/* Arrays of variants holding no more values than this, each of them
 * large, are left as trees for the same reason. */
#define AV_TREE_MAX_VALUES 16

GVariant *
fy_pool_message_new (char      tag,
                     guint64   chunk,
                     guint64   next,
                     guint32   index,
                     guint32   window,
                     GVariant *body)
{
  return fy_pool_report_new (tag, chunk, next, index, window, 0, 0, body);
}

GVariant *
fy_pool_report_new (char      tag,
                    guint64   chunk,
                    guint64   next,
                    guint32   index,
                    guint32   window,
                    gint64    started_at,
                    gint64    ended_at,
                    GVariant *body)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (body != NULL ? body : g_variant_new ("()"));
  const char *type = g_variant_get_type_string (owned);
  gsize type_len = strlen (type);
  gsize body_size = g_variant_get_size (owned);
  gsize size = MSG_BODY_AT + body_size + 1 + type_len;
  guint8 *data;

  if (body_size >= MESSAGE_TREE_MIN)
    {
      GVariant *fields[8];

      fields[0] = g_variant_new_byte ((guint8) tag);
      fields[1] = g_variant_new_uint64 (chunk);
      fields[2] = g_variant_new_uint64 (next);
      fields[3] = g_variant_new_uint32 (index);
      fields[4] = g_variant_new_uint32 (window);
      fields[5] = g_variant_new_int64 (started_at);
      fields[6] = g_variant_new_int64 (ended_at);
      fields[7] = g_variant_new_variant (owned);
      return g_variant_ref_sink (g_variant_new_tuple (fields, G_N_ELEMENTS (fields)));
    }
  data = g_malloc0 (size);
  data[0] = (guint8) tag;
  memcpy (data + MSG_CHUNK_AT, &chunk, sizeof chunk);
  memcpy (data + MSG_NEXT_AT, &next, sizeof next);
  memcpy (data + MSG_INDEX_AT, &index, sizeof index);
  memcpy (data + MSG_WINDOW_AT, &window, sizeof window);
  memcpy (data + MSG_STARTED_AT, &started_at, sizeof started_at);
  memcpy (data + MSG_ENDED_AT, &ended_at, sizeof ended_at);
  /* A serialised variant: the value, a zero byte, its type string. */
  g_variant_store (owned, data + MSG_BODY_AT);
  memcpy (data + MSG_BODY_AT + body_size + 1, type, type_len);
  return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (FY_POOL_MESSAGE_TYPE),
                                                      data, size, FALSE, g_free, data));
}

gboolean
fy_pool_message_parse (GVariant      *message,
                       FyPoolHeader  *out_header,
                       GVariant     **out_body)
{
  g_autoptr(GVariant) boxed = NULL;
  const guint8 *data;

  if (!g_variant_is_of_type (message, G_VARIANT_TYPE (FY_POOL_MESSAGE_TYPE))
      || g_variant_get_size (message) < MSG_BODY_AT + 2)
    return FALSE;

  data = g_variant_get_data (message);
  out_header->tag = (char) data[0];
  memcpy (&out_header->chunk, data + MSG_CHUNK_AT, sizeof out_header->chunk);
  memcpy (&out_header->next, data + MSG_NEXT_AT, sizeof out_header->next);
  memcpy (&out_header->index, data + MSG_INDEX_AT, sizeof out_header->index);
  memcpy (&out_header->window, data + MSG_WINDOW_AT, sizeof out_header->window);
  memcpy (&out_header->started_at, data + MSG_STARTED_AT, sizeof out_header->started_at);
  memcpy (&out_header->ended_at, data + MSG_ENDED_AT, sizeof out_header->ended_at);
  boxed = g_variant_get_child_value (message, 7);
  *out_body = g_variant_get_variant (boxed);
  return TRUE;
}

GVariant *
fy_pool_unboxed_child (GVariant *container,
                       gsize     i)
{
  GVariant *child = g_variant_get_child_value (container, i);
  GVariant *inner;

  if (!g_variant_is_of_type (child, G_VARIANT_TYPE_VARIANT))
    return child;
  inner = g_variant_get_variant (child);
  g_variant_unref (child);
  return inner;
}


GVariant *
fy_pool_variants_to_av (GVariant * const *values,
                        guint             n)
{
  gsize body = 0;
  gsize offset_size;
  gsize size;
  guint8 *data;
  gsize at = 0;

  /* Each child: aligned to 8, its value, a zero byte, its type string. */
  for (guint i = 0; i < n; i++)
    body = ((body + 7) & ~(gsize) 7) + g_variant_get_size (values[i]) + 1
           + strlen (g_variant_get_type_string (values[i]));
  /* Then the end of each child, in the smallest offset size that can
   * address the whole array. */
  for (offset_size = 1; offset_size < 8; offset_size *= 2)
    if (body + n * offset_size <= (G_GUINT64_CONSTANT (1) << (8 * offset_size)) - 1)
      break;
  size = body + n * offset_size;
  if (body >= MESSAGE_TREE_MIN && n <= AV_TREE_MAX_VALUES)
    {
      GVariant *boxes[AV_TREE_MAX_VALUES];

      for (guint i = 0; i < n; i++)
        boxes[i] = g_variant_new_variant (values[i]);
      return g_variant_new_array (G_VARIANT_TYPE_VARIANT, boxes, n);
    }
  data = g_malloc0 (MAX (size, 1));
  for (guint i = 0; i < n; i++)
    {
      const char *type = g_variant_get_type_string (values[i]);
      gsize type_len = strlen (type);
      guint64 end;

      at = (at + 7) & ~(gsize) 7;
      g_variant_store (values[i], data + at);
      at += g_variant_get_size (values[i]);
      data[at++] = 0;
      memcpy (data + at, type, type_len);
      at += type_len;
      end = GUINT64_TO_LE (at);
      memcpy (data + body + i * offset_size, &end, offset_size);
    }
  g_assert (at == body);
  return g_variant_new_from_data (G_VARIANT_TYPE ("av"), data, size, FALSE, g_free, data);
}

GVariant *
fy_pool_pack_values (GVariant * const *values,
                     guint             n)
{
  const char *type = n > 0 ? g_variant_get_type_string (values[0]) : "v";
  gsize size = fy_pool_fixed_size (type);
  g_autofree char *array_type = NULL;
  guint8 *data;

  for (guint i = 1; i < n && size > 0; i++)
    if (!g_str_equal (g_variant_get_type_string (values[i]), type))
      size = 0;
  if (size == 0)
    return fy_pool_variants_to_av (values, n);

  data = g_malloc (n * size);
  for (guint i = 0; i < n; i++)
    g_variant_store (values[i], data + i * size);
  array_type = g_strconcat ("a", type, NULL);
  return g_variant_new_from_data (G_VARIANT_TYPE (array_type), data, n * size, TRUE, g_free, data);
}

/* "av", or an array of a fixed-size basic type: the values a report may
 * carry. Boxed ones found in normal form (one pass) are marked trusted,
 * and reading each then skips GLib's checks of every offset before it;
 * boxed ones that are not (a result made from odd data) are simply read
 * the slower way. Packed ones have no offsets to check. */
static gboolean
values_ok (GVariant *values)
{
  const char *type = g_variant_get_type_string (values);

  if (g_str_equal (type, "av"))
    {
      g_variant_is_normal_form (values);
      return TRUE;
    }
  return type[0] == 'a' && fy_pool_fixed_size (type + 1) > 0;
}

void
fy_pool_batch_clear (FyPoolBatch *batch)
{
  g_clear_pointer (&batch->kinds, g_variant_unref);
  g_clear_pointer (&batch->times, g_variant_unref);
  g_clear_pointer (&batch->values, g_variant_unref);
  batch->kind_of = NULL;
  batch->times_of = NULL;
  batch->n = 0;
}

gboolean
fy_pool_batch_parse (GVariant    *body,
                     FyPoolBatch *out)
{
  g_autoptr(GVariant) boxed = NULL;
  gsize n_kinds = 0;
  gsize n_times = 0;

  memset (out, 0, sizeof *out);
  if (!g_variant_is_of_type (body, G_VARIANT_TYPE (FY_POOL_BATCH_TYPE)))
    return FALSE;
  out->kinds = g_variant_get_child_value (body, 0);
  out->times = g_variant_get_child_value (body, 1);
  boxed = g_variant_get_child_value (body, 2);
  out->values = g_variant_get_variant (boxed);
  out->kind_of = g_variant_get_fixed_array (out->kinds, &n_kinds, 1);
  out->times_of = g_variant_get_fixed_array (out->times, &n_times, sizeof (gint64));
  /* The values' shape first: a worker may box any value, and counting
   * the children of one that is no array is a GLib assertion. */
  if (!values_ok (out->values))
    {
      fy_pool_batch_clear (out);
      return FALSE;
    }
  out->n = g_variant_n_children (out->values);
  if (out->n != n_kinds || n_times != 2 * out->n)
    {
      fy_pool_batch_clear (out);
      return FALSE;
    }
  return TRUE;
}

void
fy_pool_mapped_clear (FyPoolMapped *mapped)
{
  g_clear_pointer (&mapped->results, g_variant_unref);
  g_clear_pointer (&mapped->ends, g_variant_unref);
  mapped->end_us = NULL;
  mapped->started_at = 0;
  mapped->n = 0;
}

gboolean
fy_pool_mapped_parse (GVariant     *body,
                      FyPoolMapped *out)
{
  g_autoptr(GVariant) started = NULL;
  g_autoptr(GVariant) boxed = NULL;

  memset (out, 0, sizeof *out);
  if (!g_variant_is_of_type (body, G_VARIANT_TYPE (FY_POOL_MAPPED_TYPE)))
    return FALSE;
  started = g_variant_get_child_value (body, 0);
  out->started_at = g_variant_get_int64 (started);
  boxed = g_variant_get_child_value (body, 1);
  out->results = g_variant_get_variant (boxed);
  out->ends = g_variant_get_child_value (body, 2);
  out->end_us = g_variant_get_fixed_array (out->ends, &out->n, sizeof (guint32));
  if (!values_ok (out->results) || g_variant_n_children (out->results) != out->n)
    {
      fy_pool_mapped_clear (out);
      return FALSE;
    }
  return TRUE;
}
