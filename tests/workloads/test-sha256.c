/* test-sha256.c: the portable, eight-lane and two-stream SHA-256 against
 * known answers and against OpenSSL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <openssl/evp.h>

#include "fy-sha256.h"

typedef struct
{
  const char *message;
  gsize       repeat;
  const char *digest;
} KnownAnswer;

/* FIPS 180-4 examples (NIST's SHA-256 example values) and the million 'a'. */
static const KnownAnswer known_answers[] = {
  { "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
  { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
  { "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static guint8 *
expand (const KnownAnswer *answer,
        gsize             *out_len)
{
  gsize len = strlen (answer->message);
  guint8 *data = g_malloc (len * answer->repeat + 1);

  for (gsize i = 0; i < answer->repeat; i++)
    memcpy (data + i * len, answer->message, len);
  *out_len = len * answer->repeat;
  return data;
}

static void
evp_digest (const guint8 *data,
            gsize         len,
            guint8        digest[FY_SHA256_DIGEST_SIZE])
{
  unsigned int n = 0;

  g_assert_true (EVP_Digest (data, len, digest, &n, EVP_sha256 (), NULL));
  g_assert_cmpuint (n, ==, FY_SHA256_DIGEST_SIZE);
}

static void
assert_digest_hex (const guint8  digest[FY_SHA256_DIGEST_SIZE],
                   const char   *expected)
{
  char text[2 * FY_SHA256_DIGEST_SIZE + 1];

  fy_sha256_to_hex (digest, text);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_portable_known_answers (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_answers); i++)
    {
      gsize len;
      g_autofree guint8 *data = expand (&known_answers[i], &len);
      guint8 digest[FY_SHA256_DIGEST_SIZE];

      fy_sha256_digest (data, len, digest);
      assert_digest_hex (digest, known_answers[i].digest);
    }
}

/* Points fy-sha256 at the implementation the test is named after; FALSE
 * (and the test skipped) when this CPU does not have it. */
static gboolean
use_implementation (const char *name)
{
  g_unsetenv ("FY_SHA256_PORTABLE");
  g_unsetenv ("FY_SHA256_NO_AVX512");
  if (g_str_equal (name, "portable"))
    {
      g_setenv ("FY_SHA256_PORTABLE", "1", TRUE);
      g_assert_false (fy_sha256_x8_supported ());
      return TRUE;
    }
  if (g_str_equal (name, "avx2"))
    g_setenv ("FY_SHA256_NO_AVX512", "1", TRUE);
  if (g_strcmp0 (fy_sha256_x8_implementation (), name) != 0)
    {
      g_test_skip_printf ("this CPU has no %s", name);
      return FALSE;
    }
  return TRUE;
}

static void
test_x8_known_answers (gconstpointer implementation)
{
  const guint8 *messages[FY_SHA256_LANES];
  gsize lengths[FY_SHA256_LANES];
  guint8 digests[FY_SHA256_LANES][FY_SHA256_DIGEST_SIZE];
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);

  if (!use_implementation (implementation))
    return;

  /* All four answers in one batch, twice over: every lane carries one, and
   * the short ones finish long before the million 'a'. */
  for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
    {
      guint8 *data = expand (&known_answers[lane % G_N_ELEMENTS (known_answers)], &lengths[lane]);

      g_ptr_array_add (owned, data);
      messages[lane] = data;
    }
  fy_sha256_digest_many (messages, lengths, FY_SHA256_LANES, digests);
  for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
    assert_digest_hex (digests[lane], known_answers[lane % G_N_ELEMENTS (known_answers)].digest);

  /* Alone in a batch: the other lanes idle. */
  for (guint i = 0; i < G_N_ELEMENTS (known_answers); i++)
    {
      fy_sha256_digest_many (messages + i, lengths + i, 1, digests);
      assert_digest_hex (digests[0], known_answers[i].digest);
    }
}

static void
check_batch (GRand  *rand,
             guint   n_messages,
             gsize   max_len)
{
  const guint8 *messages[FY_SHA256_LANES];
  gsize lengths[FY_SHA256_LANES];
  guint8 digests[FY_SHA256_LANES][FY_SHA256_DIGEST_SIZE];
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);

  for (guint lane = 0; lane < n_messages; lane++)
    {
      gsize len = g_rand_int_range (rand, 0, (gint32) max_len + 1);
      guint8 *data = g_malloc (len + 1);

      for (gsize i = 0; i < len; i++)
        data[i] = (guint8) g_rand_int (rand);
      g_ptr_array_add (owned, data);
      messages[lane] = data;
      lengths[lane] = len;
    }

  fy_sha256_digest_many (messages, lengths, n_messages, digests);
  for (guint lane = 0; lane < n_messages; lane++)
    {
      guint8 expected[FY_SHA256_DIGEST_SIZE];
      guint8 portable[FY_SHA256_DIGEST_SIZE];

      evp_digest (messages[lane], lengths[lane], expected);
      fy_sha256_digest (messages[lane], lengths[lane], portable);
      if (memcmp (digests[lane], expected, sizeof expected) != 0 ||
          memcmp (portable, expected, sizeof expected) != 0)
        g_error ("lane %u of %u, %" G_GSIZE_FORMAT " bytes: digest differs from OpenSSL's",
                 lane, n_messages, lengths[lane]);
    }
}

static void
test_against_openssl_short (gconstpointer implementation)
{
  g_autoptr(GRand) rand = NULL;
  guint8 *data;

  if (!use_implementation (implementation))
    return;
  rand = g_rand_new_with_seed (180);
  data = g_malloc (301);

  /* Every length from 0 to 300 crosses each padding case: tails of 0 to
   * 63 bytes, with and without room for the length in the same block. */
  for (gsize len = 0; len <= 300; len++)
    {
      const guint8 *messages[FY_SHA256_LANES];
      gsize lengths[FY_SHA256_LANES];
      guint8 digests[FY_SHA256_LANES][FY_SHA256_DIGEST_SIZE];
      guint8 expected[FY_SHA256_DIGEST_SIZE];

      for (gsize i = 0; i < len; i++)
        data[i] = (guint8) g_rand_int (rand);
      evp_digest (data, len, expected);

      fy_sha256_digest (data, len, digests[0]);
      g_assert_cmpmem (digests[0], FY_SHA256_DIGEST_SIZE, expected, FY_SHA256_DIGEST_SIZE);

      /* The same message in lane (len % 8) beside other lengths. */
      for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
        {
          messages[lane] = data;
          lengths[lane] = lane == len % FY_SHA256_LANES ? len : (len * (lane + 3)) % (len + 1);
        }
      fy_sha256_digest_many (messages, lengths, FY_SHA256_LANES, digests);
      g_assert_cmpmem (digests[len % FY_SHA256_LANES], FY_SHA256_DIGEST_SIZE,
                       expected, FY_SHA256_DIGEST_SIZE);
    }

  for (guint round = 0; round < 200; round++)
    check_batch (rand, g_rand_int_range (rand, 1, FY_SHA256_LANES + 1), 300);
  g_free (data);
}

static void
test_against_openssl_long (gconstpointer implementation)
{
  g_autoptr(GRand) rand = NULL;

  if (!use_implementation (implementation))
    return;
  rand = g_rand_new_with_seed (4180);

  /* One to eight lanes of random lengths up to 1 MiB: lanes finish at
   * different blocks, and a batch smaller than eight leaves lanes idle. */
  for (guint n = 1; n <= FY_SHA256_LANES; n++)
    check_batch (rand, n, 1 << 20);
  for (guint round = 0; round < 8; round++)
    check_batch (rand, FY_SHA256_LANES, 200000);
}

/* The lane API by hand: eight messages of 3 to 10 whole blocks, advanced
 * two blocks at a time; lanes whose message is done keep hashing their
 * first blocks again, which must not touch the digests already taken. */
static void
test_lane_api (gconstpointer implementation)
{
  g_autoptr(GRand) rand = NULL;
  guint8 data[FY_SHA256_LANES][10 * FY_SHA256_BLOCK_SIZE + 40];
  gsize n_blocks[FY_SHA256_LANES];
  gsize done = 0;
  guint8 digests[FY_SHA256_LANES][FY_SHA256_DIGEST_SIZE];
  FySha256x8 state;

  if (!use_implementation (implementation))
    return;
  rand = g_rand_new_with_seed (8);
  for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
    {
      n_blocks[lane] = 3 + lane;
      for (gsize i = 0; i < sizeof data[lane]; i++)
        data[lane][i] = (guint8) g_rand_int (rand);
    }

  fy_sha256_x8_init (&state);
  while (done < 10)
    {
      const guint8 *pointers[FY_SHA256_LANES];
      gsize step = MIN (2, 10 - done);

      for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
        pointers[lane] = done < n_blocks[lane] ? data[lane] + done * FY_SHA256_BLOCK_SIZE : data[lane];
      /* Lanes end at odd block counts, so take one block when one is due. */
      for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
        if (done < n_blocks[lane] && done + step > n_blocks[lane])
          step = n_blocks[lane] - done;
      fy_sha256_x8_update_blocks (&state, pointers, step);
      done += step;
      for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
        if (done == n_blocks[lane])
          fy_sha256_x8_finish_lane (&state, lane, data[lane] + done * FY_SHA256_BLOCK_SIZE, 40,
                                    done * FY_SHA256_BLOCK_SIZE + 40, digests[lane]);
    }

  for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
    {
      guint8 expected[FY_SHA256_DIGEST_SIZE];

      evp_digest (data[lane], n_blocks[lane] * FY_SHA256_BLOCK_SIZE + 40, expected);
      g_assert_cmpmem (digests[lane], FY_SHA256_DIGEST_SIZE, expected, FY_SHA256_DIGEST_SIZE);
    }
}

/* Two streams of SHA-NI, each ended by the portable code, against
 * OpenSSL: messages of different lengths, advanced together as far as the
 * shorter goes and then one at a time, as hash-pairs drives them. */
static void
test_x2_against_openssl (void)
{
  static const gsize lengths[][2] = {
    { 0, 0 }, { 64, 64 }, { 55, 56 }, { 63, 65 }, { 128, 4096 }, { 100000, 64 }, { 262144, 262145 },
  };
  g_autofree guint8 *bytes = g_malloc (2 * 262145);

  if (!fy_sha256_x2_supported ())
    {
      g_test_skip ("this CPU has no SHA-NI");
      return;
    }
  for (gsize i = 0; i < 2 * 262145; i++)
    bytes[i] = (guint8) (i * 131 + (i >> 9));

  for (guint c = 0; c < G_N_ELEMENTS (lengths); c++)
    {
      const guint8 *data[2] = { bytes, bytes + 262145 };
      guint32 state[2][8];
      gsize both = MIN (lengths[c][0], lengths[c][1]) / FY_SHA256_BLOCK_SIZE;

      fy_sha256_init_state (state[0]);
      fy_sha256_init_state (state[1]);
      fy_sha256_x2_update_blocks (state, data, both);
      for (guint s = 0; s < 2; s++)
        {
          guint8 digest[FY_SHA256_DIGEST_SIZE];
          guint8 expected[FY_SHA256_DIGEST_SIZE];
          gsize done = both * FY_SHA256_BLOCK_SIZE;
          FySha256x8 lanes;

          /* The rest through the lane API's portable ending: whole blocks
           * one by one, then the tail. */
          fy_sha256_x8_init (&lanes);
          for (guint w = 0; w < 8; w++)
            lanes.state[w][0] = state[s][w];
          for (; lengths[c][s] - done >= FY_SHA256_BLOCK_SIZE; done += FY_SHA256_BLOCK_SIZE)
            {
              guint32 one[2][8];
              const guint8 *block[2] = { data[s] + done, data[s] + done };

              for (guint w = 0; w < 8; w++)
                one[0][w] = one[1][w] = lanes.state[w][0];
              fy_sha256_x2_update_blocks (one, block, 1);
              for (guint w = 0; w < 8; w++)
                lanes.state[w][0] = one[0][w];
            }
          fy_sha256_x8_finish_lane (&lanes, 0, data[s] + done, lengths[c][s] - done, lengths[c][s], digest);
          EVP_Digest (data[s], lengths[c][s], expected, NULL, EVP_sha256 (), NULL);
          g_assert_cmpmem (digest, sizeof digest, expected, sizeof expected);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  static const char *const implementations[] = { "avx512vl", "avx2", "portable" };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/workloads/sha256/known-answers", test_portable_known_answers);
  g_test_add_func ("/workloads/sha256/sha-ni-x2/openssl", test_x2_against_openssl);
  /* The eight-lane code once per instruction set, then the fallback that
   * a CPU without AVX2 takes. */
  for (guint i = 0; i < G_N_ELEMENTS (implementations); i++)
    {
      g_autofree char *known = g_strdup_printf ("/workloads/sha256/%s/known-answers", implementations[i]);
      g_autofree char *shorter = g_strdup_printf ("/workloads/sha256/%s/openssl-short", implementations[i]);
      g_autofree char *longer = g_strdup_printf ("/workloads/sha256/%s/openssl-long", implementations[i]);
      g_autofree char *lanes = g_strdup_printf ("/workloads/sha256/%s/lane-api", implementations[i]);

      g_test_add_data_func (known, implementations[i], test_x8_known_answers);
      g_test_add_data_func (shorter, implementations[i], test_against_openssl_short);
      g_test_add_data_func (longer, implementations[i], test_against_openssl_long);
      g_test_add_data_func (lanes, implementations[i], test_lane_api);
    }

  return g_test_run ();
}
