/* fy-hash-engine.h: which SHA-256 code hashes a set of files, by measurement
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three engines: OpenSSL's single stream (SHA-NI or the ARMv8 crypto
 * instructions where the CPU has them) hashing one file at a time; the
 * eight-lane vector digest (fy-sha256.h) hashing up to eight files of a
 * task side by side; and two streams of SHA-NI interleaved, two files of
 * a task at a time. Which is faster depends on the CPU, not on a flag it
 * advertises, so each is timed on a short buffer and the fastest used:
 * on a CPU with SHA-NI, one stream beats eight lanes of AVX2, and where
 * the round instruction's latency leaves room, two streams beat one;
 * eight lanes of AVX-512 may beat both. The lanes need eight files to
 * stay busy, so the faster of the two streams is kept for tasks of fewer.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FY_HASH_ENGINE_OPENSSL, /* one file per task, OpenSSL EVP */
  FY_HASH_ENGINE_LANES,   /* up to eight files per task, the vector digest */
  FY_HASH_ENGINE_PAIRS,   /* two files at a time, two streams of SHA-NI */
} FyHashEngine;

typedef struct
{
  /* The fastest: the one for chunks of many files. */
  FyHashEngine engine;
  /* The faster of the two that hash one file after another (OpenSSL or
   * the pairs): for tasks of too few files to keep eight lanes busy. */
  FyHashEngine stream_engine;
  double       openssl_mib_per_s; /* one stream, one core */
  double       lanes_mib_per_s;   /* all eight lanes together, one core; 0 without AVX2 */
  double       pairs_mib_per_s;   /* both streams together, one core; 0 without SHA-NI */
  gboolean     forced;            /* FY_HASH_ENGINE chose, not the timing */
} FyHashEngineChoice;

/* Times the engines (a few milliseconds) and returns the fastest. The
 * environment variable FY_HASH_ENGINE=openssl, =lanes or =pairs overrides
 * the choice, for tests and measurements; the rates are still measured. */
void        fy_hash_engine_choose (FyHashEngineChoice *out_choice);
/* "openssl", "lanes" with the lanes' implementation ("lanes-avx2"), or
 * "pairs-sha-ni". */
const char *fy_hash_engine_name   (FyHashEngine        engine);

G_END_DECLS
