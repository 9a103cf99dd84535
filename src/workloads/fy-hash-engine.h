/* fy-hash-engine.h: which SHA-256 code hashes a set of files, by measurement
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two engines: OpenSSL's single stream (SHA-NI or the ARMv8 crypto
 * instructions where the CPU has them) hashing one file per task, and the
 * eight-lane vector digest (fy-sha256.h) hashing up to eight files of a
 * task side by side. Which is faster depends on the CPU, not on a flag it
 * advertises, so both are timed on a short buffer and the faster one is
 * used: on a CPU with SHA-NI, one stream beats eight lanes of AVX2.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FY_HASH_ENGINE_OPENSSL, /* one file per task, OpenSSL EVP */
  FY_HASH_ENGINE_LANES,   /* up to eight files per task, the vector digest */
} FyHashEngine;

typedef struct
{
  FyHashEngine engine;
  double       openssl_mib_per_s; /* one stream, one core */
  double       lanes_mib_per_s;   /* all eight lanes together, one core; 0 without AVX2 */
  gboolean     forced;            /* FY_HASH_ENGINE chose, not the timing */
} FyHashEngineChoice;

/* Times both engines (about 5 ms) and returns the faster. The environment
 * variable FY_HASH_ENGINE=openssl or =lanes overrides the choice, for tests
 * and measurements; the rates are still measured. */
void        fy_hash_engine_choose (FyHashEngineChoice *out_choice);
/* "openssl" or "lanes" (with the lanes' implementation: "lanes-avx2"). */
const char *fy_hash_engine_name   (FyHashEngine        engine);

G_END_DECLS
