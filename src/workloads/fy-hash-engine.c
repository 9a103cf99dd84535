/* fy-hash-engine.c: which SHA-256 code hashes a set of files, by measurement
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The buffers are small enough to stay in the L2 cache, as the workloads'
 * read buffers do, so the timing measures the digest, not the memory.
 * The time is the measuring thread's own CPU time: on a busy machine a
 * wall clock also counts the time the thread waited for a core, and a
 * few such waits made one engine look ten or a hundred times slower.
 */

#include "config.h"

#include <openssl/evp.h>
#include <time.h>

#include "fy-hash-engine.h"
#include "fy-sha256.h"

#define MEASURE_BYTES  (256 * 1024)
#define MEASURE_ROUNDS 3
#define LANES_MARGIN   1.25
/* A pair's tail, where the longer file goes on alone, runs at one
 * stream's rate. */
#define PAIRS_MARGIN   1.1

/* The calling thread's CPU time, in nanoseconds. */
static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return g_get_monotonic_time () * 1000;
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static double
rate_mib_per_s (gint64 elapsed_ns)
{
  return (double) MEASURE_BYTES / (1 << 20) / (MAX (elapsed_ns, 1) / 1e9);
}

static double
time_openssl (const guint8 *buffer)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  gint64 start;
  gint64 elapsed;

  if (md == NULL)
    return 0;
  start = thread_cpu_ns ();
  EVP_DigestInit_ex (md, EVP_sha256 (), NULL);
  EVP_DigestUpdate (md, buffer, MEASURE_BYTES);
  EVP_DigestFinal_ex (md, digest, NULL);
  elapsed = thread_cpu_ns () - start;
  EVP_MD_CTX_free (md);
  return rate_mib_per_s (elapsed);
}

static double
time_lanes (const guint8 *buffer)
{
  const guint8 *data[FY_SHA256_LANES];
  gsize lane_bytes = MEASURE_BYTES / FY_SHA256_LANES;
  FySha256x8 state;
  gint64 start;
  gint64 elapsed;

  for (guint i = 0; i < FY_SHA256_LANES; i++)
    data[i] = buffer + i * lane_bytes;
  start = thread_cpu_ns ();
  fy_sha256_x8_init (&state);
  fy_sha256_x8_update_blocks (&state, data, lane_bytes / FY_SHA256_BLOCK_SIZE);
  elapsed = thread_cpu_ns () - start;
  /* Keep the compiler from dropping the work. */
  g_assert (state.state[0][0] != 0 || state.state[1][0] != 1);
  return rate_mib_per_s (elapsed);
}

static double
time_pairs (const guint8 *buffer)
{
  const guint8 *data[2] = { buffer, buffer + MEASURE_BYTES / 2 };
  guint32 state[2][8];
  gint64 start;
  gint64 elapsed;

  fy_sha256_init_state (state[0]);
  fy_sha256_init_state (state[1]);
  start = thread_cpu_ns ();
  fy_sha256_x2_update_blocks (state, data, MEASURE_BYTES / 2 / FY_SHA256_BLOCK_SIZE);
  elapsed = thread_cpu_ns () - start;
  g_assert (state[0][0] != 0 || state[1][0] != 1);
  return rate_mib_per_s (elapsed);
}

void
fy_hash_engine_choose (FyHashEngineChoice *out_choice)
{
  g_autofree guint8 *buffer = g_malloc (MEASURE_BYTES);
  const char *forced = g_getenv ("FY_HASH_ENGINE");

  for (gsize i = 0; i < MEASURE_BYTES; i++)
    buffer[i] = (guint8) (i * 131 + (i >> 9));

  out_choice->openssl_mib_per_s = 0;
  out_choice->lanes_mib_per_s = 0;
  out_choice->pairs_mib_per_s = 0;
  /* In turns, best of each: a burst of other work on the machine should
   * not decide for one engine. */
  for (guint round = 0; round < MEASURE_ROUNDS; round++)
    {
      out_choice->openssl_mib_per_s = MAX (out_choice->openssl_mib_per_s, time_openssl (buffer));
      if (fy_sha256_x8_supported ())
        out_choice->lanes_mib_per_s = MAX (out_choice->lanes_mib_per_s, time_lanes (buffer));
      if (fy_sha256_x2_supported ())
        out_choice->pairs_mib_per_s = MAX (out_choice->pairs_mib_per_s, time_pairs (buffer));
    }

  /* The lanes' and the pairs' figures are their best cases, equal
   * files in cache; on real files refills, padding and the tails of
   * tasks cost more than the one stream's, so they must win clearly. */
  out_choice->stream_engine = FY_HASH_ENGINE_OPENSSL;
  if (out_choice->pairs_mib_per_s / PAIRS_MARGIN > out_choice->openssl_mib_per_s)
    out_choice->stream_engine = FY_HASH_ENGINE_PAIRS;

  out_choice->forced = FALSE;
  if (g_strcmp0 (forced, "openssl") == 0)
    {
      out_choice->engine = FY_HASH_ENGINE_OPENSSL;
      out_choice->forced = TRUE;
    }
  else if (g_strcmp0 (forced, "lanes") == 0 && fy_sha256_x8_supported ())
    {
      out_choice->engine = FY_HASH_ENGINE_LANES;
      out_choice->forced = TRUE;
    }
  else if (g_strcmp0 (forced, "pairs") == 0 && fy_sha256_x2_supported ())
    {
      out_choice->engine = FY_HASH_ENGINE_PAIRS;
      out_choice->forced = TRUE;
    }
  else
    {
      double lanes = out_choice->lanes_mib_per_s / LANES_MARGIN;
      double stream = out_choice->stream_engine == FY_HASH_ENGINE_PAIRS
                      ? out_choice->pairs_mib_per_s / PAIRS_MARGIN
                      : out_choice->openssl_mib_per_s;

      out_choice->engine = out_choice->stream_engine;
      if (lanes > stream)
        out_choice->engine = FY_HASH_ENGINE_LANES;
    }
  /* A forced engine does all. */
  if (out_choice->forced)
    out_choice->stream_engine = out_choice->engine;
}

const char *
fy_hash_engine_name (FyHashEngine engine)
{
  if (engine == FY_HASH_ENGINE_OPENSSL)
    return "openssl";
  if (engine == FY_HASH_ENGINE_PAIRS)
    return "pairs-sha-ni";
  if (g_strcmp0 (fy_sha256_x8_implementation (), "avx512vl") == 0)
    return "lanes-avx512vl";
  return "lanes-avx2";
}
