/* fy-workloads-files.c: hash, hash-outcome, hash-files, hash-pairs,
 * hash-lanes and hash-batch, the workloads that digest files (hash-pairs
 * and hash-lanes in files of their own)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All take paths as bytestrings ("ay"): Linux file names are bytes, not
 * necessarily UTF-8, and a GVariant string must be UTF-8. Messages name the
 * reason only; the caller shows them beside the input they belong to.
 */

#include "config.h"

/* SHA256_CTX, deprecated in OpenSSL 3 but still there, is the one way to
 * hand a half-done digest to OpenSSL's single-stream code. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "fy-file-read.h"
#include "fy-hash-file.h"
#include "fy-sha256.h"
#include "fy-workload.h"
#include "fy-workload-error.h"
#include "fy-workloads-hash-lanes.h"
#include "fy-workloads-hash-pairs.h"

/* Per lane of a batch: eight of them still fit the L2 cache together. */
#define HASH_LANE_BUFFER_SIZE (128 * 1024)

static GVariant *
fy_workload_hash (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  char text[2 * FY_SHA256_DIGEST_SIZE + 1];

  if (!fy_hash_file_evp (g_variant_get_bytestring (argument), text, error))
    return NULL;
  return g_variant_new_string (text);
}

/* The same digest, its failure given as a value: in a map chunk a
 * workload's error would end the chunk, and one unreadable file must not
 * fail the files after it. */
static GVariant *
fy_workload_hash_outcome (GVariant           *argument,
                          FyWorkloadContext  *context,
                          GError            **error)
{
  char text[2 * FY_SHA256_DIGEST_SIZE + 1];
  g_autoptr(GError) failure = NULL;

  if (!fy_hash_file_evp (g_variant_get_bytestring (argument), text, &failure))
    return g_variant_new ("(bs)", FALSE, failure->message);
  return g_variant_new ("(bs)", TRUE, text);
}

/* Many files in one message each way: paths in, and out one packed array
 * of digests (32 bytes per file, zeros for a file that failed), the
 * microseconds each file took, and the reason of each failure beside its
 * index. In a tree of small files one value made and read per file, on
 * both sides of the pipe, cost more than the digest of the file itself.
 * Each file still succeeds or fails on its own. */
static GVariant *
fy_workload_hash_files (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  FyHashScratch *scratch = fy_hash_scratch_begin (error);
  FyHashOutcomes out;

  if (scratch == NULL)
    return NULL;
  fy_hash_outcomes_init (&out, argument);
  for (guint i = 0; i < out.n_paths; i++)
    {
      g_autoptr(GError) failure = NULL;
      gint64 began = g_get_monotonic_time ();
      struct stat st;
      int fd = fy_hash_outcomes_open (&out, scratch, i, began, &st);

      if (fd < 0)
        continue;
      fy_hash_fd (fd, &st, fy_hash_outcomes_digest (&out, i), &failure);
      close (fd);
      fy_hash_outcomes_done (&out, i, began, failure);
    }
  return fy_hash_outcomes_end (&out);
}

/* One file of a batch, in one lane of the eight-lane digest. The buffer
 * holds bytes read but not yet hashed in [start, end). */
typedef struct
{
  const char *path;
  int         fd;
  struct stat st;
  guint8     *buffer;
  gsize       start;
  gsize       end;
  guint64     total;
  gboolean    eof;
  gboolean    active;
  guint8      digest[FY_SHA256_DIGEST_SIZE];
  gint64      ended;    /* monotonic time of its digest or failure */
  GError     *error;
} HashLane;

static gboolean
hash_lane_refill (HashLane  *lane,
                  GError   **error)
{
  return fy_hash_refill (lane->fd, (guint64) lane->st.st_size, lane->buffer, HASH_LANE_BUFFER_SIZE,
                         &lane->start, &lane->end, &lane->total, &lane->eof, error);
}

/* A lane left running alone would pay for all eight, so OpenSSL's
 * single-stream code takes over from the lane's state for the rest of the
 * file: a big file beside small ones costs what it would alone. */
static void
hash_lane_solo (HashLane         *lane,
                const FySha256x8 *state,
                guint             index)
{
  guint32 words[8];
  SHA256_CTX ctx;

  for (guint i = 0; i < 8; i++)
    words[i] = state->state[i][index];
  fy_hash_resume (&ctx, words, lane->total - (lane->end - lane->start));

  for (;;)
    {
      SHA256_Update (&ctx, lane->buffer + lane->start, lane->end - lane->start);
      lane->start = lane->end;
      if (lane->eof)
        break;
      if (!hash_lane_refill (lane, &lane->error))
        return;
    }

  if (!fy_file_check_not_truncated (lane->fd, &lane->st, lane->total, &lane->error))
    return;
  SHA256_Final (lane->digest, &ctx);
}

/* Up to eight files at once, one per lane, each lane reading through its
 * HASH_LANE_BUFFER_SIZE bytes of @buffers. Each file fails or succeeds on
 * its own: a lane that fails simply stops taking part. */
static void
hash_lanes_x8 (HashLane *lanes,
               guint     n_lanes,
               guint8   *buffers)
{
  FySha256x8 state;
  guint n_active = 0;

  g_assert (n_lanes <= FY_SHA256_LANES);

  for (guint i = 0; i < n_lanes; i++)
    {
      HashLane *lane = &lanes[i];

      lane->fd = -1;
      lane->buffer = buffers + (gsize) i * HASH_LANE_BUFFER_SIZE;
      if (lane->path[0] == '\0')
        {
          g_set_error_literal (&lane->error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                               "empty path");
          continue;
        }
      lane->fd = fy_file_open_regular (lane->path, &lane->st, &lane->error);
      if (lane->fd < 0)
        continue;
      posix_fadvise (lane->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      lane->active = TRUE;
      n_active++;
    }

  fy_sha256_x8_init (&state);
  while (n_active > 0)
    {
      const guint8 *data[FY_SHA256_LANES] = { NULL };
      const guint8 *live = NULL;
      gsize n_blocks = G_MAXSIZE;

      for (guint i = 0; i < n_lanes; i++)
        {
          HashLane *lane = &lanes[i];
          gboolean done = FALSE;

          if (!lane->active)
            continue;

          if (!hash_lane_refill (lane, &lane->error))
            done = TRUE;
          else if (lane->eof && lane->end - lane->start < FY_SHA256_BLOCK_SIZE)
            {
              if (fy_file_check_not_truncated (lane->fd, &lane->st, lane->total, &lane->error))
                fy_sha256_x8_finish_lane (&state, i, lane->buffer + lane->start,
                                          lane->end - lane->start, lane->total, lane->digest);
              done = TRUE;
            }

          if (done)
            {
              lane->ended = g_get_monotonic_time ();
              lane->active = FALSE;
              n_active--;
              continue;
            }

          data[i] = lane->buffer + lane->start;
          live = data[i];
          n_blocks = MIN (n_blocks, (lane->end - lane->start) / FY_SHA256_BLOCK_SIZE);
        }

      if (n_active == 0)
        break;
      if (n_active == 1)
        {
          for (guint i = 0; i < n_lanes; i++)
            if (lanes[i].active)
              {
                hash_lane_solo (&lanes[i], &state, i);
                lanes[i].ended = g_get_monotonic_time ();
                lanes[i].active = FALSE;
              }
          break;
        }

      /* Lanes without a file hash a live lane's bytes; their state is
       * never read. */
      for (guint i = 0; i < FY_SHA256_LANES; i++)
        if (data[i] == NULL)
          data[i] = live;

      fy_sha256_x8_update_blocks (&state, data, n_blocks);
      for (guint i = 0; i < n_lanes; i++)
        if (lanes[i].active)
          lanes[i].start += n_blocks * FY_SHA256_BLOCK_SIZE;
    }

  for (guint i = 0; i < n_lanes; i++)
    {
      if (lanes[i].ended == 0)
        lanes[i].ended = g_get_monotonic_time ();
      if (lanes[i].fd >= 0)
        close (lanes[i].fd);
    }
}

/* The buffers of the eight lanes, kept by each thread from one task to
 * the next, page-aligned: one malloc () of 128 KiB per file is an mmap ()
 * and its page faults. */
static GPrivate lane_buffers_key = G_PRIVATE_INIT (g_aligned_free);

static guint8 *
lane_buffers (void)
{
  guint8 *buffers = g_private_get (&lane_buffers_key);

  if (buffers == NULL)
    {
      buffers = g_aligned_alloc (FY_SHA256_LANES, HASH_LANE_BUFFER_SIZE, 4096);
      g_private_set (&lane_buffers_key, buffers);
    }
  return buffers;
}

static GVariant *
fy_workload_hash_batch (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a(bs)"));
  g_autofree const char **paths = g_variant_get_bytestring_array (argument, NULL);
  guint n_paths = g_strv_length ((char **) paths);
  gboolean multi = n_paths > 1 && fy_sha256_x8_supported ();

  for (guint first = 0; first < n_paths; first += FY_SHA256_LANES)
    {
      HashLane lanes[FY_SHA256_LANES] = { { 0 } };
      guint n_lanes = MIN (n_paths - first, FY_SHA256_LANES);

      for (guint i = 0; i < n_lanes; i++)
        lanes[i].path = paths[first + i];

      if (multi)
        hash_lanes_x8 (lanes, n_lanes, lane_buffers ());
      else
        for (guint i = 0; i < n_lanes; i++)
          fy_hash_file_raw (lanes[i].path, lanes[i].digest, &lanes[i].error);

      for (guint i = 0; i < n_lanes; i++)
        {
          char text[2 * FY_SHA256_DIGEST_SIZE + 1];

          if (lanes[i].error != NULL)
            g_variant_builder_add (builder, "(bs)", FALSE, lanes[i].error->message);
          else
            {
              fy_sha256_to_hex (lanes[i].digest, text);
              g_variant_builder_add (builder, "(bs)", TRUE, text);
            }
          g_clear_error (&lanes[i].error);
        }
    }

  return g_variant_builder_end (builder);
}

/* hash-lanes where the CPU has the vector digest, hash-files's one stream
 * elsewhere. */
static GVariant *
lanes_or_files (GVariant           *argument,
                FyWorkloadContext  *context,
                GError            **error)
{
  if (!fy_sha256_x8_supported ())
    return fy_workload_hash_files (argument, context, error);
  return fy_workload_hash_lanes (argument, context, error);
}

/* hash-pairs where the CPU has SHA-NI, hash-files's one stream
 * elsewhere: a chunk made for one machine's engine stays right on any. */
static GVariant *
hash_pairs_or_files (GVariant           *argument,
                     FyWorkloadContext  *context,
                     GError            **error)
{
  if (!fy_sha256_x2_supported ())
    return fy_workload_hash_files (argument, context, error);
  return fy_workload_hash_pairs (argument, context, error);
}

const FyWorkloadInfo fy_workloads_files[] = {
  { "hash", "ay", "s", fy_workload_hash,
    "SHA-256 of a file: path (ay) → lowercase hex digest (s)" },
  { "hash-outcome", "ay", "(bs)", fy_workload_hash_outcome,
    "SHA-256 of a file, for map chunks of many: path (ay) → (TRUE, hex digest) "
    "or (FALSE, reason) (bs)" },
  { "hash-files", "(taay)", "(ayaua(us)a(ut))", fy_workload_hash_files,
    "SHA-256 of many files one after another, packed: (size to hand back from, 0 "
    "for none (t); paths (aay)) → (digests, 32 bytes per file and zeros where one "
    "failed or was handed back (ay); microseconds per file (au); index and reason "
    "of each failure (a(us)); index and size of each file handed back unread "
    "(a(ut)))" },
  { "hash-pairs", "(taay)", "(ayaua(us)a(ut))", hash_pairs_or_files,
    "SHA-256 of many files, two at a time through interleaved SHA-NI, taken and "
    "packed as hash-files takes and packs them" },
  { "hash-lanes", "(taay)", "(ayaua(us)a(ut))", lanes_or_files,
    "SHA-256 of many files, eight at a time in the lanes of the vector unit, taken "
    "and packed as hash-files takes and packs them" },
  { "hash-batch", "aay", "a(bs)", fy_workload_hash_batch,
    "SHA-256 of several files, up to eight at once in the vector unit: "
    "paths (aay) → per file (TRUE, hex digest) or (FALSE, reason) (a(bs))" },
  { NULL },
};
