/* fy-sha256.c: SHA-256 (FIPS 180-4), portable, eight lanes of AVX2 and
 * two streams of SHA-NI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The vector functions carry a target attribute, so only they use AVX2
 * (or AVX-512VL, or SHA-NI) and the rest of the build stays baseline
 * x86-64; they are called only after the CPU said it has those
 * instructions.
 */

#include "config.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define FY_SHA256_HAVE_X86 1
#endif

#include "fy-sha256.h"

static const guint32 K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const guint32 H0[8] = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* ---- portable ------------------------------------------------------------- */

#define ROTR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
compress_one (guint32       h[8],
              const guint8 *block)
{
  guint32 w[64];
  guint32 a = h[0], b = h[1], c = h[2], d = h[3];
  guint32 e = h[4], f = h[5], g = h[6], hh = h[7];

  for (guint t = 0; t < 16; t++)
    w[t] = (guint32) block[4 * t] << 24 | (guint32) block[4 * t + 1] << 16 |
           (guint32) block[4 * t + 2] << 8 | (guint32) block[4 * t + 3];
  for (guint t = 16; t < 64; t++)
    {
      guint32 s0 = ROTR32 (w[t - 15], 7) ^ ROTR32 (w[t - 15], 18) ^ (w[t - 15] >> 3);
      guint32 s1 = ROTR32 (w[t - 2], 17) ^ ROTR32 (w[t - 2], 19) ^ (w[t - 2] >> 10);

      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }

  for (guint t = 0; t < 64; t++)
    {
      guint32 t1 = hh + (ROTR32 (e, 6) ^ ROTR32 (e, 11) ^ ROTR32 (e, 25)) +
                   (g ^ (e & (f ^ g))) + K[t] + w[t];
      guint32 t2 = (ROTR32 (a, 2) ^ ROTR32 (a, 13) ^ ROTR32 (a, 22)) +
                   ((a & b) ^ (c & (a ^ b)));

      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }

  h[0] += a; h[1] += b; h[2] += c; h[3] += d;
  h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* The last partial block, the 0x80 marker, zeros and the length in bits:
 * one block, or two when fewer than 9 bytes are left for the marker and
 * the length. */
static void
finish_one (guint32       h[8],
            const guint8 *tail,
            gsize         tail_len,
            guint64       total_len,
            guint8        digest[FY_SHA256_DIGEST_SIZE])
{
  guint8 last[2 * FY_SHA256_BLOCK_SIZE] = { 0 };
  gsize n_last = tail_len + 9 <= FY_SHA256_BLOCK_SIZE ? FY_SHA256_BLOCK_SIZE : 2 * FY_SHA256_BLOCK_SIZE;
  guint64 bits = total_len * 8;

  g_assert (tail_len < FY_SHA256_BLOCK_SIZE);
  memcpy (last, tail, tail_len);
  last[tail_len] = 0x80;
  for (guint i = 0; i < 8; i++)
    last[n_last - 1 - i] = (guint8) (bits >> (8 * i));

  compress_one (h, last);
  if (n_last > FY_SHA256_BLOCK_SIZE)
    compress_one (h, last + FY_SHA256_BLOCK_SIZE);

  for (guint i = 0; i < 8; i++)
    {
      digest[4 * i] = (guint8) (h[i] >> 24);
      digest[4 * i + 1] = (guint8) (h[i] >> 16);
      digest[4 * i + 2] = (guint8) (h[i] >> 8);
      digest[4 * i + 3] = (guint8) h[i];
    }
}

void
fy_sha256_digest (const void *data,
                  gsize       len,
                  guint8      digest[FY_SHA256_DIGEST_SIZE])
{
  const guint8 *bytes = data;
  guint32 h[8];
  gsize done = 0;

  memcpy (h, H0, sizeof h);
  for (; len - done >= FY_SHA256_BLOCK_SIZE; done += FY_SHA256_BLOCK_SIZE)
    compress_one (h, bytes + done);
  finish_one (h, bytes + done, len - done, len, digest);
}

void
fy_sha256_to_hex (const guint8 digest[FY_SHA256_DIGEST_SIZE],
                  char         text[2 * FY_SHA256_DIGEST_SIZE + 1])
{
  static const char hex[] = "0123456789abcdef";

  for (guint i = 0; i < FY_SHA256_DIGEST_SIZE; i++)
    {
      text[2 * i] = hex[digest[i] >> 4];
      text[2 * i + 1] = hex[digest[i] & 0xf];
    }
  text[2 * FY_SHA256_DIGEST_SIZE] = '\0';
}

void
fy_sha256_init_state (guint32 state[8])
{
  memcpy (state, H0, sizeof H0);
}

/* ---- two streams of SHA-NI -------------------------------------------------- */

#ifdef FY_SHA256_HAVE_X86
/* CPUID leaf 7, EBX bit 29. Asked of the CPU itself: clang 14 does not
 * know "sha" as a __builtin_cpu_supports () feature. */
static gboolean
cpu_has_sha_ni (void)
{
  unsigned int eax, ebx, ecx, edx;

  if (!__get_cpuid_count (7, 0, &eax, &ebx, &ecx, &edx))
    return FALSE;
  return (ebx & (1u << 29)) != 0;
}
#endif

/* The CPU is asked once per process: in a virtual machine CPUID traps to
 * the hypervisor, and asked on every call it cost more than the digest of
 * a small file (half of a worker's time on a tree of 50 000 of them). The
 * environment, which tests change, is read each time. */
gboolean
fy_sha256_x2_supported (void)
{
#ifdef FY_SHA256_HAVE_X86
  static gsize cpu_has = 0;

  if (g_once_init_enter (&cpu_has))
    g_once_init_leave (&cpu_has, cpu_has_sha_ni () && __builtin_cpu_supports ("sse4.1") &&
                                 __builtin_cpu_supports ("ssse3") ? 2 : 1);
  return cpu_has == 2 && g_getenv ("FY_SHA256_PORTABLE") == NULL;
#else
  return FALSE;
#endif
}

#ifdef FY_SHA256_HAVE_X86

/* The round instructions keep the state as ABEF and CDGH. */
#define SHA_NI_TARGET __attribute__((target ("sha,sse4.1,ssse3")))

SHA_NI_TARGET static inline void
x2_load_state (const guint32  state[8],
               __m128i       *abef,
               __m128i       *cdgh)
{
  __m128i dcba = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) &state[0]), 0xB1);
  __m128i efgh = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) &state[4]), 0x1B);

  *abef = _mm_alignr_epi8 (dcba, efgh, 8);
  *cdgh = _mm_blend_epi16 (efgh, dcba, 0xF0);
}

SHA_NI_TARGET static inline void
x2_store_state (guint32  state[8],
                __m128i  abef,
                __m128i  cdgh)
{
  __m128i feba = _mm_shuffle_epi32 (abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32 (cdgh, 0xB1);

  _mm_storeu_si128 ((__m128i *) &state[0], _mm_blend_epi16 (feba, dchg, 0xF0));
  _mm_storeu_si128 ((__m128i *) &state[4], _mm_alignr_epi8 (dchg, feba, 8));
}

/* The next four message words from the last sixteen, in place. */
#define X2_SCHEDULE(w, i) \
  ((w)[(i) & 3] = _mm_sha256msg2_epu32 ( \
       _mm_add_epi32 (_mm_sha256msg1_epu32 ((w)[(i) & 3], (w)[((i) + 1) & 3]), \
                      _mm_alignr_epi8 ((w)[((i) + 3) & 3], (w)[((i) + 2) & 3], 4)), \
       (w)[((i) + 3) & 3]))

SHA_NI_TARGET static void
update_blocks_x2 (guint32              state[2][8],
                  const guint8 *const  data[2],
                  gsize                n_blocks)
{
  const __m128i swap = _mm_set_epi64x (0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  const guint8 *pa = data[0];
  const guint8 *pb = data[1];
  __m128i a0, a1, b0, b1;

  x2_load_state (state[0], &a0, &a1);
  x2_load_state (state[1], &b0, &b1);
  for (; n_blocks > 0; n_blocks--, pa += FY_SHA256_BLOCK_SIZE, pb += FY_SHA256_BLOCK_SIZE)
    {
      __m128i saved_a0 = a0, saved_a1 = a1, saved_b0 = b0, saved_b1 = b1;
      __m128i wa[4], wb[4];

      /* Each step is four rounds of each stream, interleaved. Unrolled,
       * the message words stay in registers; as a loop they went through
       * the stack by index, and the loads that wait for those stores
       * made the engine half as fast in some runs as in others. */
#pragma GCC unroll 16
      for (guint i = 0; i < 16; i++)
        {
          __m128i k = _mm_loadu_si128 ((const __m128i *) &K[4 * i]);
          __m128i ma, mb;

          if (i < 4)
            {
              wa[i] = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (pa + 16 * i)), swap);
              wb[i] = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (pb + 16 * i)), swap);
            }
          else
            {
              X2_SCHEDULE (wa, i);
              X2_SCHEDULE (wb, i);
            }
          ma = _mm_add_epi32 (wa[i & 3], k);
          mb = _mm_add_epi32 (wb[i & 3], k);
          a1 = _mm_sha256rnds2_epu32 (a1, a0, ma);
          b1 = _mm_sha256rnds2_epu32 (b1, b0, mb);
          a0 = _mm_sha256rnds2_epu32 (a0, a1, _mm_shuffle_epi32 (ma, 0x0E));
          b0 = _mm_sha256rnds2_epu32 (b0, b1, _mm_shuffle_epi32 (mb, 0x0E));
        }
      a0 = _mm_add_epi32 (a0, saved_a0);
      a1 = _mm_add_epi32 (a1, saved_a1);
      b0 = _mm_add_epi32 (b0, saved_b0);
      b1 = _mm_add_epi32 (b1, saved_b1);
    }
  x2_store_state (state[0], a0, a1);
  x2_store_state (state[1], b0, b1);
}

#endif /* FY_SHA256_HAVE_X86 */

void
fy_sha256_x2_update_blocks (guint32              state[2][8],
                            const guint8 *const  data[2],
                            gsize                n_blocks)
{
#ifdef FY_SHA256_HAVE_X86
  if (fy_sha256_x2_supported ())
    {
      update_blocks_x2 (state, data, n_blocks);
      return;
    }
#endif
  /* Not reached through the workloads, which check first. */
  for (guint s = 0; s < 2; s++)
    for (gsize block = 0; block < n_blocks; block++)
      compress_one (state[s], data[s] + block * FY_SHA256_BLOCK_SIZE);
}

/* ---- eight lanes ---------------------------------------------------------- */

typedef enum
{
  X8_NONE,
  X8_AVX2,
  X8_AVX512,
} X8Implementation;

/* The best eight-lane code this CPU runs. FY_SHA256_PORTABLE turns it off
 * and FY_SHA256_NO_AVX512 keeps it at AVX2, so that tests and benchmarks
 * reach every path on one machine. */
static X8Implementation
x8_implementation (void)
{
#ifdef FY_SHA256_HAVE_X86
  if (g_getenv ("FY_SHA256_PORTABLE") != NULL || !__builtin_cpu_supports ("avx2"))
    return X8_NONE;
  if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512vl") &&
      g_getenv ("FY_SHA256_NO_AVX512") == NULL)
    return X8_AVX512;
  return X8_AVX2;
#else
  return X8_NONE;
#endif
}

gboolean
fy_sha256_x8_supported (void)
{
  return x8_implementation () != X8_NONE;
}

const char *
fy_sha256_x8_implementation (void)
{
  static const char *const names[] = { NULL, "avx2", "avx512vl" };

  return names[x8_implementation ()];
}

void
fy_sha256_x8_init (FySha256x8 *self)
{
  for (guint i = 0; i < 8; i++)
    for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
      self->state[i][lane] = H0[i];
}

#ifdef FY_SHA256_HAVE_X86

#define V_ADD(x, y) _mm256_add_epi32 ((x), (y))

/* Rounds 16..63 extend the schedule in place in a 16-word window. */
#define V_SCHEDULE(w, t) \
  ((w)[(t) & 15] = V_ADD (V_ADD ((w)[(t) & 15], V_SSIG0 ((w)[((t) + 1) & 15])), \
                          V_ADD ((w)[((t) + 9) & 15], V_SSIG1 ((w)[((t) + 14) & 15]))))

/* The working variables are renamed by the caller rather than shifted. */
#define V_ROUND(a, b, c, d, e, f, g, h, wt, t) \
  G_STMT_START { \
    __m256i t1_ = V_ADD (V_ADD ((h), V_BSIG1 (e)), \
                         V_ADD (V_CH ((e), (f), (g)), V_ADD (_mm256_set1_epi32 ((int) K[t]), (wt)))); \
    __m256i t2_ = V_ADD (V_BSIG0 (a), V_MAJ ((a), (b), (c))); \
    (d) = V_ADD ((d), t1_); \
    (h) = V_ADD (t1_, t2_); \
  } G_STMT_END

/* Turns eight lanes' runs of eight big-endian words into eight vectors,
 * one per word: an 8 × 8 transpose and a byte swap. */
__attribute__((target ("avx2")))
static inline void
load_words (__m256i             out[8],
            const guint8 *const data[FY_SHA256_LANES],
            gsize               offset)
{
  const __m256i swap = _mm256_set_epi8 (12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
                                        12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
  __m256i r[8], t[8], u[8];

  for (guint i = 0; i < 8; i++)
    r[i] = _mm256_loadu_si256 ((const __m256i *) (data[i] + offset));

  for (guint i = 0; i < 8; i += 2)
    {
      t[i] = _mm256_unpacklo_epi32 (r[i], r[i + 1]);
      t[i + 1] = _mm256_unpackhi_epi32 (r[i], r[i + 1]);
    }
  for (guint i = 0; i < 8; i += 4)
    {
      u[i] = _mm256_unpacklo_epi64 (t[i], t[i + 2]);
      u[i + 1] = _mm256_unpackhi_epi64 (t[i], t[i + 2]);
      u[i + 2] = _mm256_unpacklo_epi64 (t[i + 1], t[i + 3]);
      u[i + 3] = _mm256_unpackhi_epi64 (t[i + 1], t[i + 3]);
    }
  for (guint i = 0; i < 4; i++)
    {
      out[i] = _mm256_shuffle_epi8 (_mm256_permute2x128_si256 (u[i], u[i + 4], 0x20), swap);
      out[i + 4] = _mm256_shuffle_epi8 (_mm256_permute2x128_si256 (u[i], u[i + 4], 0x31), swap);
    }
}

/* The compression loop, written once and compiled for each instruction
 * set: the V_ operation macros in force where it is expanded decide which
 * instructions it uses. */
#define DEFINE_UPDATE_BLOCKS(name, isa) \
__attribute__((target (isa))) \
static void \
name (FySha256x8          *self, \
      const guint8 *const  data[FY_SHA256_LANES], \
      gsize                n_blocks) \
{ \
  __m256i s[8]; \
\
  for (guint i = 0; i < 8; i++) \
    s[i] = _mm256_loadu_si256 ((const __m256i *) self->state[i]); \
\
  for (gsize block = 0; block < n_blocks; block++) \
    { \
      gsize offset = block * FY_SHA256_BLOCK_SIZE; \
      __m256i w[16]; \
      __m256i a = s[0], b = s[1], c = s[2], d = s[3]; \
      __m256i e = s[4], f = s[5], g = s[6], h = s[7]; \
\
      load_words (w, data, offset); \
      load_words (w + 8, data, offset + 32); \
\
      for (guint t = 0; t < 16; t += 8) \
        { \
          V_ROUND (a, b, c, d, e, f, g, h, w[t], t); \
          V_ROUND (h, a, b, c, d, e, f, g, w[t + 1], t + 1); \
          V_ROUND (g, h, a, b, c, d, e, f, w[t + 2], t + 2); \
          V_ROUND (f, g, h, a, b, c, d, e, w[t + 3], t + 3); \
          V_ROUND (e, f, g, h, a, b, c, d, w[t + 4], t + 4); \
          V_ROUND (d, e, f, g, h, a, b, c, w[t + 5], t + 5); \
          V_ROUND (c, d, e, f, g, h, a, b, w[t + 6], t + 6); \
          V_ROUND (b, c, d, e, f, g, h, a, w[t + 7], t + 7); \
        } \
      for (guint t = 16; t < 64; t += 8) \
        { \
          V_ROUND (a, b, c, d, e, f, g, h, V_SCHEDULE (w, t), t); \
          V_ROUND (h, a, b, c, d, e, f, g, V_SCHEDULE (w, t + 1), t + 1); \
          V_ROUND (g, h, a, b, c, d, e, f, V_SCHEDULE (w, t + 2), t + 2); \
          V_ROUND (f, g, h, a, b, c, d, e, V_SCHEDULE (w, t + 3), t + 3); \
          V_ROUND (e, f, g, h, a, b, c, d, V_SCHEDULE (w, t + 4), t + 4); \
          V_ROUND (d, e, f, g, h, a, b, c, V_SCHEDULE (w, t + 5), t + 5); \
          V_ROUND (c, d, e, f, g, h, a, b, V_SCHEDULE (w, t + 6), t + 6); \
          V_ROUND (b, c, d, e, f, g, h, a, V_SCHEDULE (w, t + 7), t + 7); \
        } \
\
      s[0] = V_ADD (s[0], a); s[1] = V_ADD (s[1], b); \
      s[2] = V_ADD (s[2], c); s[3] = V_ADD (s[3], d); \
      s[4] = V_ADD (s[4], e); s[5] = V_ADD (s[5], f); \
      s[6] = V_ADD (s[6], g); s[7] = V_ADD (s[7], h); \
    } \
\
  for (guint i = 0; i < 8; i++) \
    _mm256_storeu_si256 ((__m256i *) self->state[i], s[i]); \
}

/* AVX2 has no rotate: two shifts and an or. */
#define V_ROTR(x, n) _mm256_or_si256 (_mm256_srli_epi32 ((x), (n)), _mm256_slli_epi32 ((x), 32 - (n)))
#define V_XOR3(x, y, z) _mm256_xor_si256 (_mm256_xor_si256 ((x), (y)), (z))
#define V_BSIG0(x) V_XOR3 (V_ROTR ((x), 2), V_ROTR ((x), 13), V_ROTR ((x), 22))
#define V_BSIG1(x) V_XOR3 (V_ROTR ((x), 6), V_ROTR ((x), 11), V_ROTR ((x), 25))
#define V_SSIG0(x) V_XOR3 (V_ROTR ((x), 7), V_ROTR ((x), 18), _mm256_srli_epi32 ((x), 3))
#define V_SSIG1(x) V_XOR3 (V_ROTR ((x), 17), V_ROTR ((x), 19), _mm256_srli_epi32 ((x), 10))
#define V_CH(e, f, g) _mm256_xor_si256 ((g), _mm256_and_si256 ((e), _mm256_xor_si256 ((f), (g))))
#define V_MAJ(a, b, c) _mm256_xor_si256 (_mm256_and_si256 ((a), (b)), \
                                         _mm256_and_si256 ((c), _mm256_xor_si256 ((a), (b))))

DEFINE_UPDATE_BLOCKS (update_blocks_avx2, "avx2")

#undef V_ROTR
#undef V_XOR3
#undef V_CH
#undef V_MAJ

/* AVX-512VL on the same 256-bit registers (no 512-bit frequency penalty)
 * adds a one-instruction rotate and three-input logic: the truth tables
 * are 0x96 for x ^ y ^ z, 0xca for choose and 0xe8 for majority. About
 * half the instructions of the AVX2 rounds. */
#define V_ROTR(x, n) _mm256_ror_epi32 ((x), (n))
#define V_XOR3(x, y, z) _mm256_ternarylogic_epi32 ((x), (y), (z), 0x96)
#define V_CH(e, f, g) _mm256_ternarylogic_epi32 ((e), (f), (g), 0xca)
#define V_MAJ(a, b, c) _mm256_ternarylogic_epi32 ((a), (b), (c), 0xe8)

DEFINE_UPDATE_BLOCKS (update_blocks_avx512, "avx2,avx512f,avx512vl")

#endif /* FY_SHA256_HAVE_X86 */

void
fy_sha256_x8_update_blocks (FySha256x8          *self,
                            const guint8 *const  data[FY_SHA256_LANES],
                            gsize                n_blocks)
{
  switch (x8_implementation ())
    {
#ifdef FY_SHA256_HAVE_X86
    case X8_AVX512:
      update_blocks_avx512 (self, data, n_blocks);
      return;
    case X8_AVX2:
      update_blocks_avx2 (self, data, n_blocks);
      return;
#endif
    case X8_NONE:
    default:
      break;
    }

  /* Not reached through the workloads, which check first; kept correct
   * so that a caller who forgot is slow, never wrong. */
  for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
    {
      guint32 h[8];

      for (guint i = 0; i < 8; i++)
        h[i] = self->state[i][lane];
      for (gsize block = 0; block < n_blocks; block++)
        compress_one (h, data[lane] + block * FY_SHA256_BLOCK_SIZE);
      for (guint i = 0; i < 8; i++)
        self->state[i][lane] = h[i];
    }
}

void
fy_sha256_x8_finish_lane (FySha256x8   *self,
                          guint         lane,
                          const guint8 *tail,
                          gsize         tail_len,
                          guint64       total_len,
                          guint8        digest[FY_SHA256_DIGEST_SIZE])
{
  guint32 h[8];

  g_return_if_fail (lane < FY_SHA256_LANES);
  g_return_if_fail (tail_len < FY_SHA256_BLOCK_SIZE);

  for (guint i = 0; i < 8; i++)
    h[i] = self->state[i][lane];
  finish_one (h, tail, tail_len, total_len, digest);
}

void
fy_sha256_digest_many (const guint8 *const *messages,
                       const gsize         *lengths,
                       guint                n_messages,
                       guint8             (*digests)[FY_SHA256_DIGEST_SIZE])
{
  FySha256x8 state;
  gsize done[FY_SHA256_LANES] = { 0 };
  gboolean finished[FY_SHA256_LANES] = { FALSE };
  guint n_left = n_messages;

  g_return_if_fail (n_messages <= FY_SHA256_LANES);

  if (!fy_sha256_x8_supported ())
    {
      for (guint i = 0; i < n_messages; i++)
        fy_sha256_digest (messages[i], lengths[i], digests[i]);
      return;
    }

  fy_sha256_x8_init (&state);
  while (n_left > 0)
    {
      const guint8 *data[FY_SHA256_LANES];
      const guint8 *live = NULL;
      gsize n_blocks = G_MAXSIZE;

      /* Lanes with less than a block left end now; the others advance
       * together by as many blocks as the shortest of them has. */
      for (guint lane = 0; lane < n_messages; lane++)
        {
          gsize left = lengths[lane] - done[lane];

          if (finished[lane])
            continue;
          if (left < FY_SHA256_BLOCK_SIZE)
            {
              fy_sha256_x8_finish_lane (&state, lane, messages[lane] + done[lane], left,
                                        lengths[lane], digests[lane]);
              finished[lane] = TRUE;
              n_left--;
              continue;
            }
          n_blocks = MIN (n_blocks, left / FY_SHA256_BLOCK_SIZE);
        }
      if (n_left == 0)
        break;

      for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
        data[lane] = lane < n_messages && !finished[lane] ? messages[lane] + done[lane] : NULL;
      /* Idle lanes hash a copy of a live lane's bytes, which is always
       * long enough; their results are never read. */
      for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
        if (data[lane] != NULL)
          {
            live = data[lane];
            break;
          }
      for (guint lane = 0; lane < FY_SHA256_LANES; lane++)
        if (data[lane] == NULL)
          data[lane] = live;

      fy_sha256_x8_update_blocks (&state, data, n_blocks);
      for (guint lane = 0; lane < n_messages; lane++)
        if (!finished[lane])
          done[lane] += n_blocks * FY_SHA256_BLOCK_SIZE;
    }
}
