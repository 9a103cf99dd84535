/* fy-workloads-hash-lanes.c: hash-lanes, the files of a task eight at a
 * time in the lanes of the vector unit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each lane of the eight-lane digest works through its own file; when a
 * file ends, its lane takes the next file of the task, so that lanes do
 * not wait for the longest file of a group. A file's padding is written
 * after its last bytes in its lane's buffer and digested in the lanes
 * too. Once no file is left to start and few lanes still run, each goes
 * on alone through OpenSSL, which is faster than a vector mostly idle.
 * Each file keeps its own digest, time and failure; sparse files go
 * through OpenSSL, which skips their holes.
 */

#include "config.h"

/* SHA256_CTX, deprecated in OpenSSL 3 but still there, is the one way to
 * hand a half-done digest to OpenSSL's single-stream code. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "fy-file-read.h"
#include "fy-hash-file.h"
#include "fy-sha256.h"
#include "fy-workload-error.h"
#include "fy-workloads-hash-lanes.h"

/* Per lane: eight of them stay in the L2 cache together, and a file of up
 * to this size is read in one call. */
#define LANE_BUFFER_SIZE (64 * 1024)
/* Room for a file's padding past a full buffer, to the next page: each
 * lane's buffer starts on a page, where the kernel copies fastest. */
#define LANE_STRIDE      (LANE_BUFFER_SIZE + 4096)

/* With no file left to start, this many lanes or fewer finish one by one
 * through OpenSSL, whose single stream is then the faster. Measured on
 * one machine: with SHA-NI, OpenSSL's 1.6-1.9 GB/s is worth about five
 * lanes of AVX-512 (2.7-3 GB/s for eight); without SHA-NI, its 0.5 GB/s
 * is worth between two and three lanes of AVX2 (1.7 GB/s for eight). */
static guint
lanes_alone_max (void)
{
  return fy_sha256_x2_supported () ? 4 : 2;
}

static GPrivate lane_buffers_key = G_PRIVATE_INIT (g_aligned_free);

/* One lane: the file it is on, and its bytes read but not yet digested in
 * [start, end), the padding included once @padded. */
typedef struct
{
  gboolean    active;
  guint       index;
  int         fd;
  struct stat st;
  guint64     total;    /* bytes of the file read so far */
  gboolean    eof;
  gboolean    padded;
  gsize       start;
  gsize       end;
  gint64      began;
  guint8     *buffer;
} Lane;

static void
lane_done (Lane           *lane,
           FyHashOutcomes *out,
           const GError   *error)
{
  fy_hash_outcomes_done (out, lane->index, lane->began, error);
  close (lane->fd);
  lane->active = FALSE;
}

/* Writes the SHA-256 padding of a message of lane->total bytes after the
 * lane's last bytes (fewer than a block): one or two blocks to digest. */
static void
lane_pad (Lane *lane)
{
  guint64 bits = lane->total * 8;
  gsize rest = lane->end - lane->start;
  gsize padded = rest < 56 ? 64 : 128;
  guint8 *tail = lane->buffer + lane->start;

  tail[rest] = 0x80;
  memset (tail + rest + 1, 0, padded - rest - 1 - 8);
  for (guint i = 0; i < 8; i++)
    tail[padded - 1 - i] = (guint8) (bits >> (8 * i));
  lane->end = lane->start + padded;
  lane->padded = TRUE;
}

/* The lane's column of @state as a digest. */
static void
lane_digest (const FySha256x8 *state,
             guint             column,
             guint8           *digest)
{
  for (guint w = 0; w < 8; w++)
    {
      guint32 word = state->state[w][column];

      digest[4 * w] = (guint8) (word >> 24);
      digest[4 * w + 1] = (guint8) (word >> 16);
      digest[4 * w + 2] = (guint8) (word >> 8);
      digest[4 * w + 3] = (guint8) word;
    }
}

/* Refills the lane, or pads it once its file has ended; FALSE when its
 * file failed (recorded) or its digest is done (stored). */
static gboolean
lane_advance (Lane             *lane,
              guint             column,
              const FySha256x8 *state,
              FyHashOutcomes   *out)
{
  g_autoptr(GError) error = NULL;

  if (lane->padded)
    {
      if (lane->start < lane->end)
        return TRUE;
      lane_digest (state, column, fy_hash_outcomes_digest (out, lane->index));
      lane_done (lane, out, NULL);
      return FALSE;
    }
  if (!fy_hash_refill (lane->fd, (guint64) lane->st.st_size, lane->buffer, LANE_BUFFER_SIZE,
                       &lane->start, &lane->end, &lane->total, &lane->eof, &error))
    {
      lane_done (lane, out, error);
      return FALSE;
    }
  if (lane->eof && lane->end - lane->start < FY_SHA256_BLOCK_SIZE)
    {
      /* A file that gave fewer bytes than fstat said may have been cut
       * short while it was read. */
      if (lane->total < (guint64) lane->st.st_size &&
          !fy_file_check_not_truncated (lane->fd, &lane->st, lane->total, &error))
        {
          lane_done (lane, out, error);
          return FALSE;
        }
      lane_pad (lane);
    }
  return TRUE;
}

/* Finishes the lane's file through OpenSSL, from the lane's state. */
static void
lane_alone (Lane             *lane,
            guint             column,
            const FySha256x8 *state,
            FyHashOutcomes   *out)
{
  guint8 *digest = fy_hash_outcomes_digest (out, lane->index);
  g_autoptr(GError) error = NULL;
  guint32 words[8];
  SHA256_CTX ctx;

  for (guint w = 0; w < 8; w++)
    words[w] = state->state[w][column];
  fy_hash_resume (&ctx, words, lane->total - (lane->end - lane->start));

  if (lane->padded)
    {
      /* Only the padded blocks are left: compressed as they are. */
      FySha256x8 last;

      for (; lane->start < lane->end; lane->start += FY_SHA256_BLOCK_SIZE)
        SHA256_Transform (&ctx, lane->buffer + lane->start);
      for (guint w = 0; w < 8; w++)
        last.state[w][column] = ctx.h[w];
      lane_digest (&last, column, digest);
      lane_done (lane, out, NULL);
      return;
    }

  if (!fy_hash_finish_alone (&ctx, lane->fd, &lane->st, lane->buffer, LANE_BUFFER_SIZE,
                             &lane->start, &lane->end, &lane->total, &lane->eof, &error))
    {
      lane_done (lane, out, error);
      return;
    }
  SHA256_Final (digest, &ctx);
  lane_done (lane, out, NULL);
}

/* Opens file @index into the idle lane @column. The lane stays idle when
 * the file failed, was handed back or was done at once (a sparse file),
 * its outcome recorded. */
static void
lane_open (Lane           *lane,
           guint           column,
           FySha256x8     *state,
           FyHashScratch  *scratch,
           guint           index,
           FyHashOutcomes *out)
{
  g_autoptr(GError) error = NULL;
  guint32 start_state[8];

  lane->index = index;
  lane->began = g_get_monotonic_time ();
  lane->fd = fy_hash_outcomes_open (out, scratch, index, lane->began, &lane->st);
  if (lane->fd < 0)
    return;
  /* Holes are hashed without reading them, one file at a time. */
  if (fy_hash_looks_sparse (&lane->st))
    {
      fy_hash_fd (lane->fd, &lane->st, fy_hash_outcomes_digest (out, index), &error);
      close (lane->fd);
      lane->fd = -1;
      fy_hash_outcomes_done (out, index, lane->began, error);
      return;
    }
  if (lane->st.st_size >= LANE_BUFFER_SIZE)
    posix_fadvise (lane->fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  fy_sha256_init_state (start_state);
  for (guint w = 0; w < 8; w++)
    state->state[w][column] = start_state[w];
  lane->active = TRUE;
  lane->total = 0;
  lane->eof = lane->padded = FALSE;
  lane->start = lane->end = 0;
}

GVariant *
fy_workload_hash_lanes (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  guint8 *buffers = g_private_get (&lane_buffers_key);
  FyHashOutcomes out;
  Lane lanes[FY_SHA256_LANES] = { { 0 } };
  FySha256x8 state;
  FyHashScratch *scratch;
  guint alone_max = lanes_alone_max ();
  guint next = 0;

  scratch = fy_hash_scratch_begin (error);
  if (scratch == NULL)
    return NULL;
  if (buffers == NULL)
    {
      buffers = g_aligned_alloc (FY_SHA256_LANES, LANE_STRIDE, 4096);
      g_private_set (&lane_buffers_key, buffers);
    }
  for (guint l = 0; l < FY_SHA256_LANES; l++)
    lanes[l].buffer = buffers + (gsize) l * LANE_STRIDE;
  fy_sha256_x8_init (&state);
  fy_hash_outcomes_init (&out, argument);

  for (;;)
    {
      const guint8 *data[FY_SHA256_LANES];
      const guint8 *live = NULL;
      gsize n_blocks = G_MAXSIZE;
      guint n_active = 0;

      /* An idle lane takes the next file that opens; then each lane is
       * refilled, or padded, or done. */
      for (guint l = 0; l < FY_SHA256_LANES; l++)
        {
          Lane *lane = &lanes[l];

          for (;;)
            {
              while (!lane->active && next < out.n_paths)
                lane_open (lane, l, &state, scratch, next++, &out);
              if (!lane->active || lane_advance (lane, l, &state, &out))
                break;
            }
          if (lane->active)
            n_active++;
        }

      if (n_active == 0)
        break;
      if (next >= out.n_paths && n_active <= alone_max)
        {
          for (guint l = 0; l < FY_SHA256_LANES; l++)
            if (lanes[l].active)
              lane_alone (&lanes[l], l, &state, &out);
          break;
        }

      for (guint l = 0; l < FY_SHA256_LANES; l++)
        if (lanes[l].active)
          {
            live = lanes[l].buffer + lanes[l].start;
            n_blocks = MIN (n_blocks, (lanes[l].end - lanes[l].start) / FY_SHA256_BLOCK_SIZE);
          }
      /* Idle lanes digest a live lane's bytes; their state is reset
       * before it is read again. */
      for (guint l = 0; l < FY_SHA256_LANES; l++)
        data[l] = lanes[l].active ? lanes[l].buffer + lanes[l].start : live;
      fy_sha256_x8_update_blocks (&state, data, n_blocks);
      for (guint l = 0; l < FY_SHA256_LANES; l++)
        if (lanes[l].active)
          lanes[l].start += n_blocks * FY_SHA256_BLOCK_SIZE;
    }

  return fy_hash_outcomes_end (&out);
}
