/* test-pool-wire.c: the pool's hand-made wire layouts against GVariant's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "core/fy-pool-private.h"
#include "test-pool-common.h"

/* The hand-made message layout must be exactly GVariant's own. */
static void
test_message_layout (void)
{
  g_autoptr(GVariant) body = g_variant_ref_sink (g_variant_new_parsed ("('fy-pool-error-quark', 3, 'some text')"));
  g_autoptr(GVariant) ours = fy_pool_report_new ('e', 77, G_MAXUINT64 - 5, 12, 64, 1234567, G_MAXINT64 - 3, body);
  g_autoptr(GVariant) theirs = NULL;
  g_autoptr(GVariant) parsed_body = NULL;
  g_autoptr(GVariant) garbage = NULL;
  g_autoptr(GVariant) unit = fy_pool_message_new ('q', 0, 0, 0, 0, NULL);
  FyPoolHeader header;

  theirs = g_variant_ref_sink (g_variant_new ("(yttuuxxv)", 'e', (guint64) 77, G_MAXUINT64 - 5,
                                              (guint32) 12, (guint32) 64, (gint64) 1234567,
                                              G_MAXINT64 - 3, body));
  g_assert_cmpuint (g_variant_get_size (ours), ==, g_variant_get_size (theirs));
  g_assert_cmpmem (g_variant_get_data (ours), g_variant_get_size (ours),
                   g_variant_get_data (theirs), g_variant_get_size (theirs));
  g_assert_true (g_variant_is_normal_form (ours));

  g_assert_true (fy_pool_message_parse (theirs, &header, &parsed_body));
  g_assert_cmpint (header.tag, ==, 'e');
  g_assert_cmpuint (header.chunk, ==, 77);
  g_assert_cmpuint (header.next, ==, G_MAXUINT64 - 5);
  g_assert_cmpuint (header.index, ==, 12);
  g_assert_cmpuint (header.window, ==, 64);
  g_assert_cmpint (header.started_at, ==, 1234567);
  g_assert_cmpint (header.ended_at, ==, G_MAXINT64 - 3);
  g_assert_true (g_variant_equal (parsed_body, body));
  g_clear_pointer (&parsed_body, g_variant_unref);

  g_assert_true (fy_pool_message_parse (unit, &header, &parsed_body));
  g_assert_true (g_variant_is_of_type (parsed_body, G_VARIANT_TYPE_UNIT));
  g_assert_cmpint (header.started_at, ==, 0);
  g_assert_cmpint (header.ended_at, ==, 0);
  g_clear_pointer (&parsed_body, g_variant_unref);

  /* A large body makes a tree instead: the same bytes once serialised. */
  {
    g_autofree guint8 *bytes = g_malloc0 (70000);
    g_autoptr(GVariant) large = g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, bytes, 70000, 1));
    g_autoptr(GVariant) tree = fy_pool_report_new ('o', 5, 6, 7, 8, 9, 10, large);
    g_autoptr(GVariant) flat = g_variant_ref_sink (g_variant_new ("(yttuuxxv)", 'o', (guint64) 5, (guint64) 6,
                                                                  (guint32) 7, (guint32) 8, (gint64) 9,
                                                                  (gint64) 10, large));

    g_assert_cmpuint (g_variant_get_size (tree), ==, g_variant_get_size (flat));
    g_assert_cmpmem (g_variant_get_data (tree), g_variant_get_size (tree),
                     g_variant_get_data (flat), g_variant_get_size (flat));
    g_assert_true (fy_pool_message_parse (tree, &header, &parsed_body));
    g_assert_cmpint (header.started_at, ==, 9);
    g_assert_cmpint (header.ended_at, ==, 10);
    g_assert_true (g_variant_equal (parsed_body, large));
    g_clear_pointer (&parsed_body, g_variant_unref);
  }

  garbage = g_variant_ref_sink (g_variant_new ("(yttuuxxs)", 'e', (guint64) 1, (guint64) 2, 3, 4,
                                               (gint64) 5, (gint64) 6, "x"));
  g_assert_false (fy_pool_message_parse (garbage, &header, &parsed_body));
}

/* The hand-made "av" of task arguments must be exactly GVariant's own,
 * whatever the types and whatever offset size the array needs. */
static void
test_arguments_layout (void)
{
  const char *texts[] = {
    "int64 7", "'a string'", "(int32 1, 'two', [3.0, 4.0])", "()", "@as []",
    "{'key': <uint16 5>}", "byte 0xff", "[(int64 1, true), (int64 2, false)]",
  };
  guint sizes[] = { 1, 2, 3, 8, 40, 300, 3000 };

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      g_autoptr(GPtrArray) boxed = g_ptr_array_new ();
      g_autoptr(GVariant) ours = NULL;
      g_autoptr(GVariant) theirs = NULL;

      for (guint i = 0; i < sizes[k]; i++)
        {
          GVariant *value = g_variant_ref_sink (g_variant_new_parsed (texts[i % G_N_ELEMENTS (texts)]));

          /* Big strings push the array past one- and two-byte offsets. */
          if (i % 97 == 5)
            {
              g_autofree char *big = g_strnfill (i * 7, 'x');

              g_variant_unref (value);
              value = g_variant_ref_sink (g_variant_new_string (big));
            }
          g_ptr_array_add (values, value);
          g_ptr_array_add (boxed, g_variant_new_variant (value));
        }
      ours = g_variant_ref_sink (fy_pool_variants_to_av ((GVariant **) values->pdata, values->len));
      theirs = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE_VARIANT, (GVariant **) boxed->pdata, boxed->len));
      g_assert_cmpmem (g_variant_get_data (ours), g_variant_get_size (ours),
                       g_variant_get_data (theirs), g_variant_get_size (theirs));
      g_assert_true (g_variant_is_normal_form (ours));
      g_assert_true (g_variant_equal (ours, theirs));
    }
}

/* Values of one fixed-size basic type travel packed, in GVariant's own
 * layout of that array; any mix travels boxed. */
static void
test_pack_values (void)
{
  GVariant *ints[3];
  GVariant *mixed[2];
  g_autoptr(GVariant) packed = NULL;
  g_autoptr(GVariant) expected = NULL;
  g_autoptr(GVariant) boxed = NULL;
  g_autoptr(GVariant) boxed_expected = NULL;

  for (guint i = 0; i < 3; i++)
    ints[i] = g_variant_ref_sink (g_variant_new_int64 (-7 * (gint64) i));
  packed = g_variant_ref_sink (fy_pool_pack_values (ints, 3));
  expected = g_variant_ref_sink (g_variant_new_parsed ("[@x 0, -7, -14]"));
  g_assert_true (g_variant_equal (packed, expected));
  g_assert_cmpmem (g_variant_get_data (packed), g_variant_get_size (packed),
                   g_variant_get_data (expected), g_variant_get_size (expected));

  mixed[0] = ints[1];
  mixed[1] = g_variant_ref_sink (g_variant_new_int32 (5));
  boxed = g_variant_ref_sink (fy_pool_pack_values (mixed, 2));
  boxed_expected = g_variant_ref_sink (g_variant_new_parsed ("[<@x -7>, <5>]"));
  g_assert_true (g_variant_equal (boxed, boxed_expected));

  g_variant_unref (mixed[1]);
  for (guint i = 0; i < 3; i++)
    g_variant_unref (ints[i]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pool/api/message-layout", test_message_layout);
  g_test_add_func ("/pool/api/arguments-layout", test_arguments_layout);
  g_test_add_func ("/pool/api/pack-values", test_pack_values);

  return g_test_run ();
}
