/* fy-inspector-contents.c: a shared array's, dict's or list's contents as one line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "core/fy-dict.h"
#include "core/fy-list.h"

#include "fy-inspector-contents.h"

/* Contents longer than this are cut, so a row stays a row. */
#define CONTENTS_MAX 160

static char *
cut (GString *text)
{
  if (text->len > CONTENTS_MAX)
    {
      g_string_truncate (text, CONTENTS_MAX);
      /* Not inside a UTF-8 sequence. */
      while (text->len > 0 && (text->str[text->len - 1] & 0xC0) == 0x80)
        g_string_truncate (text, text->len - 1);
      if (text->len > 0)
        g_string_truncate (text, text->len - 1);
      g_string_append (text, "…");
    }
  return g_string_free (text, FALSE);
}

/* The elements of an array: numbers as a list, chars as the text up to the
 * first NUL, as Array('c').value reads. Plain loads, no lock. */
char *
fy_inspector_array_contents (FyArray *array)
{
  GString *text = g_string_new (NULL);
  gsize length = fy_array_get_length (array);
  FyValueType type = fy_array_get_value_type (array);

  if (type == FY_VALUE_TYPE_CHAR)
    {
      g_string_append (text, "b“");
      for (gsize i = 0; i < length && text->len < CONTENTS_MAX; i++)
        {
          gint64 c = fy_array_get_int (array, i);

          if (c == 0)
            break;
          g_string_append_c (text, g_ascii_isprint ((char) c) ? (char) c : '?');
        }
      g_string_append (text, "”");
      return cut (text);
    }

  g_string_append_c (text, '[');
  for (gsize i = 0; i < length && text->len < CONTENTS_MAX; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      if (type == FY_VALUE_TYPE_FLOAT || type == FY_VALUE_TYPE_DOUBLE)
        g_string_append_printf (text, "%g", fy_array_get_double (array, i));
      else
        g_string_append_printf (text, "%" G_GINT64_FORMAT, fy_array_get_int (array, i));
    }
  g_string_append_c (text, ']');
  return cut (text);
}

static void
append_variant (GString  *text,
                GVariant *value)
{
  g_autoptr(GVariant) inner = g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT)
                              ? g_variant_get_variant (value) : g_variant_ref (value);
  g_autofree char *printed = g_variant_print (inner, FALSE);

  g_string_append (text, printed);
}

char *
fy_inspector_collection_contents (GObject *collection)
{
  GString *text = g_string_new (NULL);
  g_autoptr(GVariant) all = NULL;
  GVariantIter iter;

  if (FY_IS_DICT (collection))
    {
      const char *key;
      GVariant *value;
      gboolean first = TRUE;

      all = fy_dict_to_variant (FY_DICT (collection));
      g_string_append_c (text, '{');
      g_variant_iter_init (&iter, all);
      while (g_variant_iter_loop (&iter, "{&sv}", &key, &value) && text->len < CONTENTS_MAX)
        {
          g_string_append_printf (text, "%s%s: ", first ? "" : ", ", key);
          append_variant (text, value);
          first = FALSE;
        }
      g_string_append_c (text, '}');
    }
  else
    {
      gsize n, first;

      all = fy_list_to_variant (FY_LIST (collection));
      n = g_variant_n_children (all);
      /* A long list shows its length and its newest items, which is
       * where a list that grows (an output, a log) changes. */
      first = n > 3 ? n - 3 : 0;
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u item", "%u items", (gulong) n), (guint) n);
      g_string_append (text, first > 0 ? ": [… " : ": [");
      for (gsize i = first; i < n; i++)
        {
          g_autoptr(GVariant) value = g_variant_get_child_value (all, i);

          if (i > first)
            g_string_append (text, ", ");
          append_variant (text, value);
        }
      g_string_append_c (text, ']');
    }
  return cut (text);
}
