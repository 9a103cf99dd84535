/* fy-sha256.h: SHA-256 (FIPS 180-4), several messages at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Without SHA-NI, one SHA-256 stream is a long chain of dependent 32-bit
 * operations that leaves most of a vector unit idle. Eight independent
 * messages, one per 32-bit lane of an AVX2 register, keep it busy: the same
 * instructions then advance all eight digests. Where AVX-512VL exists, its
 * rotate and three-input logic on the same registers halve the work. The state is kept word-major
 * (state[word][lane]) so a lane is a column.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FY_SHA256_DIGEST_SIZE 32
#define FY_SHA256_BLOCK_SIZE  64
#define FY_SHA256_LANES       8

/* Eight digests in progress, word-major: state[word][lane]. */
typedef struct
{
  guint32 state[8][FY_SHA256_LANES];
} FySha256x8;

/* TRUE when this CPU runs the eight-lane code (AVX2). Otherwise callers
 * hash one message at a time (OpenSSL, or fy_sha256_digest ()). */
gboolean    fy_sha256_x8_supported      (void);
/* "avx512vl", "avx2", or NULL when unsupported: for logs and benchmarks.
 * FY_SHA256_NO_AVX512 and FY_SHA256_PORTABLE in the environment step it
 * down, for tests and measurements. */
const char *fy_sha256_x8_implementation (void);

void        fy_sha256_x8_init           (FySha256x8          *self);
/* Compresses @n_blocks 64-byte blocks from each lane's @data. Every
 * pointer must reach @n_blocks * 64 readable bytes; a lane whose result is
 * not wanted may point at any such buffer. */
void        fy_sha256_x8_update_blocks  (FySha256x8          *self,
                                         const guint8 *const  data[FY_SHA256_LANES],
                                         gsize                n_blocks);
/* Ends @lane: hashes its last @tail_len (< 64) bytes and the padding for a
 * message of @total_len bytes, and writes the digest. Portable code: this
 * is at most two blocks. */
void        fy_sha256_x8_finish_lane    (FySha256x8          *self,
                                         guint                lane,
                                         const guint8        *tail,
                                         gsize                tail_len,
                                         guint64              total_len,
                                         guint8               digest[FY_SHA256_DIGEST_SIZE]);

/* Two messages at once through the SHA-NI instructions. One stream waits
 * on the latency of each round instruction; a second stream's rounds fill
 * those waits, so the pair costs far less than two streams one after the
 * other. The state is each message's eight words in order, as a
 * single-stream digest keeps them. */
gboolean    fy_sha256_x2_supported      (void);
/* Compresses @n_blocks 64-byte blocks from each of @data into @state. */
void        fy_sha256_x2_update_blocks  (guint32              state[2][8],
                                         const guint8 *const  data[2],
                                         gsize                n_blocks);
/* The state a message starts from. */
void        fy_sha256_init_state        (guint32              state[8]);

/* One message, portable C: the fallback, and the code that finishes lanes. */
void        fy_sha256_digest            (const void          *data,
                                         gsize                len,
                                         guint8               digest[FY_SHA256_DIGEST_SIZE]);
/* Up to eight messages in memory at once, through the eight-lane code when
 * the CPU has it and the portable code otherwise. */
void        fy_sha256_digest_many       (const guint8 *const *messages,
                                         const gsize         *lengths,
                                         guint                n_messages,
                                         guint8             (*digests)[FY_SHA256_DIGEST_SIZE]);

/* Lowercase hex, as sha256sum prints it; @text holds 65 bytes. */
void        fy_sha256_to_hex            (const guint8         digest[FY_SHA256_DIGEST_SIZE],
                                         char                 text[2 * FY_SHA256_DIGEST_SIZE + 1]);

G_END_DECLS
