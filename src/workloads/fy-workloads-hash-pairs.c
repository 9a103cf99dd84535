/* fy-workloads-hash-pairs.c: hash-pairs, two files at a time through two
 * interleaved streams of SHA-NI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SHA-NI stream waits on the latency of each round instruction; a
 * second file's rounds fill those waits. Each file still has its own
 * digest, time and failure; the last file left alone, each file's final
 * block and sparse files go through OpenSSL.
 */

#include "config.h"

/* SHA256_CTX, deprecated in OpenSSL 3 but still there, is the one way to
 * hand a half-done digest to OpenSSL's single-stream code. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "fy-file-read.h"
#include "fy-hash-file.h"
#include "fy-workload-error.h"
#include "fy-workloads-hash-pairs.h"

/* Per stream: two of them stay in the L2 cache while they are digested. */
#define HASH_PAIR_BUFFER_SIZE (128 * 1024)

/* The two streams' buffers, kept by each thread from one task to the
 * next, page-aligned. As malloc () placed them (16 bytes past a page) the
 * kernel's copy from the page cache took twice as long: the 256 MiB
 * sample set cost 255 ms of CPU fresh per task, 290 ms reused, 185 ms
 * aligned. */
static GPrivate pair_buffers_key = G_PRIVATE_INIT (g_aligned_free);

/* One stream of hash-pairs: the file it is on, and the bytes read but not
 * yet digested in [start, end). */
typedef struct
{
  gboolean    active;
  guint       index;
  int         fd;
  struct stat st;
  guint32     state[8];
  guint64     hashed;   /* bytes digested so far, whole blocks */
  guint64     total;    /* bytes read so far */
  gboolean    eof;
  gsize       start;
  gsize       end;
  gint64      began;
  guint8     *buffer;
} PairStream;

static gboolean
pair_refill (PairStream  *stream,
             GError     **error)
{
  return fy_hash_refill (stream->fd, (guint64) stream->st.st_size, stream->buffer, HASH_PAIR_BUFFER_SIZE,
                         &stream->start, &stream->end, &stream->total, &stream->eof, error);
}

/* Digests what is left of the stream's file on its own, to its end, and
 * stores its outcome. */
static void
pair_finish (PairStream     *stream,
             FyHashOutcomes *out)
{
  g_autoptr(GError) error = NULL;
  SHA256_CTX ctx;

  fy_hash_resume (&ctx, stream->state, stream->hashed);
  if (fy_hash_finish_alone (&ctx, stream->fd, &stream->st, stream->buffer, HASH_PAIR_BUFFER_SIZE,
                            &stream->start, &stream->end, &stream->total, &stream->eof, &error))
    SHA256_Final (fy_hash_outcomes_digest (out, stream->index), &ctx);
  fy_hash_outcomes_done (out, stream->index, stream->began, error);
  close (stream->fd);
  stream->active = FALSE;
}

/* The same packed outcome as hash-files, its files digested two at a time
 * by the interleaved SHA-NI code: when one file ends, the next of the
 * task takes its stream, and the last one alone goes on through OpenSSL.
 * Each file's time runs from its opening to its digest. */
GVariant *
fy_workload_hash_pairs (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  guint8 *buffers = g_private_get (&pair_buffers_key);
  FyHashOutcomes out;
  PairStream streams[2] = { { 0 } };
  FyHashScratch *scratch;
  guint next = 0;

  scratch = fy_hash_scratch_begin (error);
  if (scratch == NULL)
    return NULL;
  if (buffers == NULL)
    {
      buffers = g_aligned_alloc (2, HASH_PAIR_BUFFER_SIZE, 4096);
      g_private_set (&pair_buffers_key, buffers);
    }
  streams[0].buffer = buffers;
  streams[1].buffer = buffers + HASH_PAIR_BUFFER_SIZE;
  fy_hash_outcomes_init (&out, argument);

  for (;;)
    {
      const guint8 *data[2];
      guint32 state[2][8];
      gsize n_blocks;
      guint n_active = 0;

      /* An idle stream takes the next file that opens. */
      for (guint s = 0; s < 2; s++)
        while (!streams[s].active && next < out.n_paths)
          {
            PairStream *stream = &streams[s];
            g_autoptr(GError) failure = NULL;
            guint index = next++;

            stream->began = g_get_monotonic_time ();
            stream->fd = fy_hash_outcomes_open (&out, scratch, index, stream->began, &stream->st);
            if (stream->fd < 0)
              continue;
            /* Holes are hashed without reading them, one file at a time. */
            if (fy_hash_looks_sparse (&stream->st))
              {
                fy_hash_fd (stream->fd, &stream->st, fy_hash_outcomes_digest (&out, index), &failure);
                close (stream->fd);
                fy_hash_outcomes_done (&out, index, stream->began, failure);
                continue;
              }
            if (stream->st.st_size >= HASH_PAIR_BUFFER_SIZE)
              posix_fadvise (stream->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
            stream->active = TRUE;
            stream->index = index;
            fy_sha256_init_state (stream->state);
            stream->hashed = stream->total = 0;
            stream->start = stream->end = 0;
            stream->eof = FALSE;
          }

      /* Refill; a file with less than a block left ends here. */
      for (guint s = 0; s < 2; s++)
        {
          PairStream *stream = &streams[s];
          g_autoptr(GError) failure = NULL;

          if (!stream->active)
            continue;
          if (!pair_refill (stream, &failure))
            {
              fy_hash_outcomes_done (&out, stream->index, stream->began, failure);
              close (stream->fd);
              stream->active = FALSE;
            }
          else if (stream->eof && stream->end - stream->start < FY_SHA256_BLOCK_SIZE)
            pair_finish (stream, &out);
          else
            n_active++;
        }

      if (n_active == 0 && next >= out.n_paths)
        break;
      if (n_active < 2)
        {
          /* Alone with no file left to pair it with: one stream is
           * faster through OpenSSL. Otherwise, open the next file. */
          if (next >= out.n_paths)
            for (guint s = 0; s < 2; s++)
              if (streams[s].active)
                pair_finish (&streams[s], &out);
          continue;
        }

      n_blocks = MIN (streams[0].end - streams[0].start, streams[1].end - streams[1].start)
                 / FY_SHA256_BLOCK_SIZE;
      for (guint s = 0; s < 2; s++)
        {
          data[s] = streams[s].buffer + streams[s].start;
          memcpy (state[s], streams[s].state, sizeof state[s]);
        }
      fy_sha256_x2_update_blocks (state, data, n_blocks);
      for (guint s = 0; s < 2; s++)
        {
          memcpy (streams[s].state, state[s], sizeof state[s]);
          streams[s].start += n_blocks * FY_SHA256_BLOCK_SIZE;
          streams[s].hashed += n_blocks * FY_SHA256_BLOCK_SIZE;
        }
    }

  return fy_hash_outcomes_end (&out);
}
