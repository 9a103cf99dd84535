/* fy-workloads-files.c: hash, hash-outcome, hash-files, hash-pairs and
 * hash-batch, the workloads that digest files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All take paths as bytestrings ("ay"): Linux file names are bytes, not
 * necessarily UTF-8, and a GVariant string must be UTF-8. Messages name the
 * reason only; the caller shows them beside the input they belong to.
 *
 * Files are only ever read with read (): a file truncated under an mmap
 * would raise SIGBUS, a truncated read () just comes up short, which we
 * detect and report.
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

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "fy-file-read.h"
#include "fy-sha256.h"
#include "fy-workload.h"
#include "fy-workload-error.h"

/* Large enough that the per-call overhead vanishes, small enough to stay in
 * the L2 cache while OpenSSL digests it. */
#define HASH_BLOCK_SIZE (256 * 1024)

/* Files from this size on are checked for holes. */
#define SPARSE_MIN_SIZE (16 * 1024 * 1024)
/* The hole-aware path reads whole blocks into the buffer. */
G_STATIC_ASSERT (SPARSE_MIN_SIZE >= HASH_BLOCK_SIZE);

/* Per lane of a batch: eight of them still fit the L2 cache together. */
#define HASH_LANE_BUFFER_SIZE (128 * 1024)

/* A large file with far fewer blocks than its size has holes. Only such
 * files take the hole-aware path: procfs and sysfs report sizes and block
 * counts that mean nothing, and small files gain nothing from it. */
static gboolean
looks_sparse (const struct stat *st)
{
  return st->st_size >= SPARSE_MIN_SIZE && (guint64) st->st_blocks * 512 < (guint64) st->st_size / 2;
}

static const guint8 zero_block[HASH_BLOCK_SIZE];

/* Hashes a file's holes from a block of zeros instead of reading them:
 * the kernel would only copy zero pages, which costs more than the digest.
 * Data extents are read as usual, up to the end of the file as read ()
 * finds it (it may have grown since the stat). */
static gboolean
hash_sparse_file (int                fd,
                  const struct stat *st,
                  EVP_MD_CTX        *md,
                  guint8            *buffer,
                  guint64           *out_total,
                  GError           **error)
{
  off_t pos = 0;

  for (;;)
    {
      off_t data_at = lseek (fd, pos, SEEK_DATA);
      off_t hole_at;

      if (data_at < 0 && errno == ENXIO)
        /* Only a hole left, up to the size the file had. */
        data_at = MAX (pos, st->st_size);
      else if (data_at < 0)
        data_at = pos;

      for (off_t zeros = data_at - pos; zeros > 0; zeros -= MIN (zeros, HASH_BLOCK_SIZE))
        EVP_DigestUpdate (md, zero_block, (size_t) MIN (zeros, HASH_BLOCK_SIZE));
      *out_total += (guint64) (data_at - pos);
      pos = data_at;

      hole_at = lseek (fd, pos, SEEK_HOLE);
      if (hole_at < 0 || hole_at <= pos)
        hole_at = G_MAXINT64;

      while (pos < hole_at)
        {
          ssize_t n;

          do
            n = pread (fd, buffer, (size_t) MIN ((off_t) HASH_BLOCK_SIZE, hole_at - pos), pos);
          while (n < 0 && errno == EINTR);
          if (n < 0)
            {
              fy_file_set_error_from_errno (error, errno, NULL);
              return FALSE;
            }
          if (n == 0)
            return TRUE;
          EVP_DigestUpdate (md, buffer, (size_t) n);
          *out_total += (guint64) n;
          pos += n;
        }
    }
}

/* What every file hashed in a worker reuses: a digest context on a
 * digest fetched once, and one read buffer. In a tree of small files the
 * allocations, the mmap of a large buffer and OpenSSL's lookup of the
 * algorithm cost more per file than the digest itself. One per thread. */
typedef struct
{
  EVP_MD     *sha256;
  EVP_MD_CTX *md;
  /* The directory of the last file: the files of a chunk mostly share
   * one, and opening a name relative to it spares the kernel the lookup
   * of every directory on the path. */
  char       *dir;
  gsize       dir_len;
  int         dir_fd;
  guchar      buffer[HASH_BLOCK_SIZE];
} HashScratch;

static void
hash_scratch_free (gpointer data)
{
  HashScratch *scratch = data;

  if (scratch->dir_fd >= 0)
    close (scratch->dir_fd);
  g_free (scratch->dir);
  EVP_MD_CTX_free (scratch->md);
  EVP_MD_free (scratch->sha256);
  g_free (scratch);
}

static GPrivate hash_scratch_key = G_PRIVATE_INIT (hash_scratch_free);

/* The calling thread's scratch with its context started on a new digest,
 * or NULL if OpenSSL cannot make one. */
static HashScratch *
hash_scratch_begin (GError **error)
{
  HashScratch *scratch = g_private_get (&hash_scratch_key);

  if (scratch == NULL)
    {
      scratch = g_new0 (HashScratch, 1);
      scratch->dir_fd = -1;
      scratch->sha256 = EVP_MD_fetch (NULL, "SHA256", NULL);
      scratch->md = EVP_MD_CTX_new ();
      g_private_set (&hash_scratch_key, scratch);
    }
  if (scratch->sha256 == NULL || scratch->md == NULL ||
      !EVP_DigestInit_ex (scratch->md, scratch->sha256, NULL))
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                           "OpenSSL could not start a SHA-256 digest");
      return NULL;
    }
  return scratch;
}

/* Opens @path as fy_file_open_regular () does, by its last name relative
 * to the scratch's directory when it lies in the same one as the file
 * before. The directory is held as an O_PATH descriptor: opening a name in
 * it checks the same permissions, and follows the same links, as opening
 * the whole path. Where the directory cannot be held, the whole path is
 * opened, so that its error is the one reported. */
static int
hash_open (HashScratch  *scratch,
           const char   *path,
           struct stat  *out_stat,
           GError      **error)
{
  const char *slash = strrchr (path, '/');
  gsize dir_len;

  if (slash == NULL || slash == path || slash[1] == '\0')
    return fy_file_open_regular (path, out_stat, error);
  dir_len = (gsize) (slash - path);
  if (scratch->dir_fd < 0 || scratch->dir_len != dir_len || memcmp (scratch->dir, path, dir_len) != 0)
    {
      g_autofree char *dir = g_strndup (path, dir_len);
      int fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

      if (fd < 0)
        return fy_file_open_regular (path, out_stat, error);
      if (scratch->dir_fd >= 0)
        close (scratch->dir_fd);
      g_free (scratch->dir);
      scratch->dir = g_steal_pointer (&dir);
      scratch->dir_len = dir_len;
      scratch->dir_fd = fd;
    }
  return fy_file_open_regular_at (scratch->dir_fd, slash + 1, out_stat, error);
}

/* One file through OpenSSL: the path for a single file, and for every
 * file on a CPU without the eight-lane code. */
static gboolean
hash_file_raw (const char  *path,
               guint8       out_digest[FY_SHA256_DIGEST_SIZE],
               GError     **error)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  HashScratch *scratch;
  gboolean sparse;
  gsize buffer_size;
  guint64 total = 0;
  struct stat st;
  gboolean ok = FALSE;
  int fd;

  if (path[0] == '\0')
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "empty path");
      return FALSE;
    }

  scratch = hash_scratch_begin (error);
  if (scratch == NULL)
    return FALSE;
  fd = hash_open (scratch, path, &st, error);
  if (fd < 0)
    return FALSE;

  /* A small file is read in one call asking for a byte more than its
   * size. Read-ahead hints only pay off for large files. */
  buffer_size = (gsize) CLAMP (st.st_size + 1, 4096, HASH_BLOCK_SIZE);
  if (st.st_size >= HASH_BLOCK_SIZE)
    posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  sparse = looks_sparse (&st);
  if (sparse)
    {
      if (!hash_sparse_file (fd, &st, scratch->md, scratch->buffer, &total, error))
        goto out;
    }
  else
    for (;;)
      {
        ssize_t n = fy_file_read_retrying (fd, scratch->buffer, buffer_size);

        if (n < 0)
          {
            fy_file_set_error_from_errno (error, errno, NULL);
            goto out;
          }
        if (n == 0)
          break;
        EVP_DigestUpdate (scratch->md, scratch->buffer, (size_t) n);
        total += (guint64) n;
        /* A regular file gives a short read only at its end: once that
         * end is where fstat put it, the read that would return 0 is
         * saved. A file that claims more than it gives (sysfs) or has
         * grown goes on to the zero read. */
        if ((gsize) n < buffer_size && total == (guint64) st.st_size)
          break;
      }

  /* A file read to the end that gave fewer bytes than it had may have
   * been cut short while it was read; one that gave them all was not, and
   * saves the second fstat. Holes are hashed up to the size fstat gave
   * without reading them, so the sparse path always checks. */
  if ((sparse || total < (guint64) st.st_size) &&
      !fy_file_check_not_truncated (fd, &st, total, error))
    goto out;

  EVP_DigestFinal_ex (scratch->md, digest, &digest_len);
  g_assert (digest_len == FY_SHA256_DIGEST_SIZE);
  memcpy (out_digest, digest, FY_SHA256_DIGEST_SIZE);
  ok = TRUE;

out:
  close (fd);
  return ok;
}

static gboolean
hash_file_evp (const char  *path,
               char         text[2 * FY_SHA256_DIGEST_SIZE + 1],
               GError     **error)
{
  guint8 digest[FY_SHA256_DIGEST_SIZE];

  if (!hash_file_raw (path, digest, error))
    return FALSE;
  fy_sha256_to_hex (digest, text);
  return TRUE;
}

static GVariant *
fy_workload_hash (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  char text[2 * FY_SHA256_DIGEST_SIZE + 1];

  if (!hash_file_evp (g_variant_get_bytestring (argument), text, error))
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

  if (!hash_file_evp (g_variant_get_bytestring (argument), text, &failure))
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
  g_autofree const char **paths = g_variant_get_bytestring_array (argument, NULL);
  guint n_paths = g_strv_length ((char **) paths);
  g_autofree guint8 *digests = g_malloc0 (MAX ((gsize) n_paths * FY_SHA256_DIGEST_SIZE, 1));
  g_autofree guint32 *micros = g_new0 (guint32, MAX (n_paths, 1));
  GVariantBuilder failures;
  gint64 before = g_get_monotonic_time ();

  g_variant_builder_init (&failures, G_VARIANT_TYPE ("a(us)"));
  for (guint i = 0; i < n_paths; i++)
    {
      g_autoptr(GError) failure = NULL;
      gint64 after;

      if (!hash_file_raw (paths[i], digests + (gsize) i * FY_SHA256_DIGEST_SIZE, &failure))
        g_variant_builder_add (&failures, "(us)", (guint32) i, failure->message);
      after = g_get_monotonic_time ();
      micros[i] = (guint32) MIN (after - before, G_MAXUINT32);
      before = after;
    }

  return g_variant_new ("(@ay@au@a(us))",
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, digests,
                                                   (gsize) n_paths * FY_SHA256_DIGEST_SIZE, 1),
                        g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, micros, n_paths, sizeof (guint32)),
                        g_variant_builder_end (&failures));
}

/* ---- two files at a time, two streams of SHA-NI ------------------------------ */

/* Per stream: two of them stay in the L2 cache while they are digested. */
#define HASH_PAIR_BUFFER_SIZE (128 * 1024)

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

/* Where a file's digest goes, and why it failed. */
typedef struct
{
  guint8          *digests;
  guint32         *micros;
  GVariantBuilder *failures;
} PairOutcomes;

static void
pair_fail (PairOutcomes *out,
           guint         index,
           gint64        began,
           const GError *error)
{
  out->micros[index] = (guint32) MIN (g_get_monotonic_time () - began, G_MAXUINT32);
  g_variant_builder_add (out->failures, "(us)", (guint32) index, error->message);
}

/* Tops the stream's buffer up once less than a block is left, reading
 * until it is full or the file ends. A file that gave all the bytes fstat
 * promised in a short read is at its end without the read that returns
 * 0, as in hash_file_raw (). */
static gboolean
pair_refill (PairStream  *stream,
             GError     **error)
{
  gsize left = stream->end - stream->start;

  if (left >= FY_SHA256_BLOCK_SIZE || stream->eof)
    return TRUE;
  memmove (stream->buffer, stream->buffer + stream->start, left);
  stream->start = 0;
  stream->end = left;
  while (stream->end < HASH_PAIR_BUFFER_SIZE)
    {
      gsize want = HASH_PAIR_BUFFER_SIZE - stream->end;
      ssize_t n = fy_file_read_retrying (stream->fd, stream->buffer + stream->end, want);

      if (n < 0)
        {
          fy_file_set_error_from_errno (error, errno, NULL);
          return FALSE;
        }
      stream->end += (gsize) n;
      stream->total += (guint64) n;
      if (n == 0 || ((gsize) n < want && stream->total == (guint64) stream->st.st_size))
        {
          stream->eof = TRUE;
          break;
        }
    }
  return TRUE;
}

/* Hands the stream's state to OpenSSL's single stream: for its last
 * partial block and the padding, and for the rest of a file left alone. */
static void
pair_to_openssl (const PairStream *stream,
                 SHA256_CTX       *ctx)
{
  guint64 bits = stream->hashed * 8;

  SHA256_Init (ctx);
  for (guint i = 0; i < 8; i++)
    ctx->h[i] = stream->state[i];
  ctx->Nl = (SHA_LONG) bits;
  ctx->Nh = (SHA_LONG) (bits >> 32);
}

/* Digests what is left of the stream's file on its own, to its end, and
 * stores its outcome. */
static void
pair_finish (PairStream   *stream,
             PairOutcomes *out)
{
  g_autoptr(GError) error = NULL;
  SHA256_CTX ctx;

  pair_to_openssl (stream, &ctx);
  for (;;)
    {
      SHA256_Update (&ctx, stream->buffer + stream->start, stream->end - stream->start);
      stream->start = stream->end;
      if (stream->eof)
        break;
      /* Reads whole buffers from here: the start is past the end. */
      if (!pair_refill (stream, &error))
        break;
    }
  if (error == NULL && stream->total < (guint64) stream->st.st_size)
    fy_file_check_not_truncated (stream->fd, &stream->st, stream->total, &error);
  if (error == NULL)
    {
      SHA256_Final (out->digests + (gsize) stream->index * FY_SHA256_DIGEST_SIZE, &ctx);
      out->micros[stream->index] = (guint32) MIN (g_get_monotonic_time () - stream->began, G_MAXUINT32);
    }
  else
    pair_fail (out, stream->index, stream->began, error);
  close (stream->fd);
  stream->active = FALSE;
}

/* The same packed outcome as hash-files, its files digested two at a time
 * by the interleaved SHA-NI code: when one file ends, the next of the
 * task takes its stream, and the last one alone goes on through OpenSSL.
 * Each file's time runs from its opening to its digest. */
static GVariant *
fy_workload_hash_pairs (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  g_autofree const char **paths = g_variant_get_bytestring_array (argument, NULL);
  guint n_paths = g_strv_length ((char **) paths);
  g_autofree guint8 *digests = g_malloc0 (MAX ((gsize) n_paths * FY_SHA256_DIGEST_SIZE, 1));
  g_autofree guint32 *micros = g_new0 (guint32, MAX (n_paths, 1));
  g_autofree guint8 *buffers = NULL;
  GVariantBuilder failures;
  PairOutcomes out = { digests, micros, &failures };
  PairStream streams[2] = { { 0 } };
  HashScratch *scratch;
  guint next = 0;

  if (!fy_sha256_x2_supported ())
    return fy_workload_hash_files (argument, context, error);

  scratch = hash_scratch_begin (error);
  if (scratch == NULL)
    return NULL;
  buffers = g_malloc (2 * HASH_PAIR_BUFFER_SIZE);
  streams[0].buffer = buffers;
  streams[1].buffer = buffers + HASH_PAIR_BUFFER_SIZE;
  g_variant_builder_init (&failures, G_VARIANT_TYPE ("a(us)"));

  for (;;)
    {
      const guint8 *data[2];
      guint32 state[2][8];
      gsize n_blocks;
      guint n_active = 0;

      /* An idle stream takes the next file that opens. */
      for (guint s = 0; s < 2; s++)
        while (!streams[s].active && next < n_paths)
          {
            PairStream *stream = &streams[s];
            g_autoptr(GError) failure = NULL;
            guint index = next++;

            stream->began = g_get_monotonic_time ();
            if (paths[index][0] == '\0')
              {
                g_set_error_literal (&failure, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                                     "empty path");
                pair_fail (&out, index, stream->began, failure);
                continue;
              }
            stream->fd = hash_open (scratch, paths[index], &stream->st, &failure);
            if (stream->fd < 0)
              {
                pair_fail (&out, index, stream->began, failure);
                continue;
              }
            /* Holes are hashed without reading them, one file at a time. */
            if (looks_sparse (&stream->st))
              {
                close (stream->fd);
                if (!hash_file_raw (paths[index], digests + (gsize) index * FY_SHA256_DIGEST_SIZE, &failure))
                  pair_fail (&out, index, stream->began, failure);
                else
                  micros[index] = (guint32) MIN (g_get_monotonic_time () - stream->began, G_MAXUINT32);
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
              pair_fail (&out, stream->index, stream->began, failure);
              close (stream->fd);
              stream->active = FALSE;
            }
          else if (stream->eof && stream->end - stream->start < FY_SHA256_BLOCK_SIZE)
            pair_finish (stream, &out);
          else
            n_active++;
        }

      if (n_active == 0 && next >= n_paths)
        break;
      if (n_active < 2)
        {
          /* Alone with no file left to pair it with: one stream is
           * faster through OpenSSL. Otherwise, open the next file. */
          if (next >= n_paths)
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

  return g_variant_new ("(@ay@au@a(us))",
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, digests,
                                                   (gsize) n_paths * FY_SHA256_DIGEST_SIZE, 1),
                        g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, micros, n_paths, sizeof (guint32)),
                        g_variant_builder_end (&failures));
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
  char        text[2 * FY_SHA256_DIGEST_SIZE + 1];
  GError     *error;
} HashLane;

/* Tops the lane's buffer up once fewer than a block of bytes is left,
 * reading until it is full or the file ends. FALSE on a read error. */
static gboolean
hash_lane_refill (HashLane  *lane,
                  GError   **error)
{
  gsize left = lane->end - lane->start;

  if (left >= FY_SHA256_BLOCK_SIZE || lane->eof)
    return TRUE;

  memmove (lane->buffer, lane->buffer + lane->start, left);
  lane->start = 0;
  lane->end = left;
  while (lane->end < HASH_LANE_BUFFER_SIZE)
    {
      ssize_t n = fy_file_read_retrying (lane->fd, lane->buffer + lane->end, HASH_LANE_BUFFER_SIZE - lane->end);

      if (n < 0)
        {
          fy_file_set_error_from_errno (error, errno, NULL);
          return FALSE;
        }
      if (n == 0)
        {
          lane->eof = TRUE;
          break;
        }
      lane->end += (gsize) n;
      lane->total += (guint64) n;
    }
  return TRUE;
}

/* A lane left running alone would pay for all eight, so OpenSSL's
 * single-stream code takes over from the lane's state for the rest of the
 * file: a big file beside small ones costs what it would alone. */
static void
hash_lane_solo (HashLane         *lane,
                const FySha256x8 *state,
                guint             index)
{
  guint64 bits = (lane->total - (lane->end - lane->start)) * 8;
  guint8 digest[FY_SHA256_DIGEST_SIZE];
  SHA256_CTX ctx;

  SHA256_Init (&ctx);
  for (guint i = 0; i < 8; i++)
    ctx.h[i] = state->state[i][index];
  ctx.Nl = (SHA_LONG) bits;
  ctx.Nh = (SHA_LONG) (bits >> 32);

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
  SHA256_Final (digest, &ctx);
  fy_sha256_to_hex (digest, lane->text);
}

/* Up to eight files at once, one per lane. Each file fails or succeeds on
 * its own: a lane that fails simply stops taking part. */
static void
hash_lanes_x8 (HashLane *lanes,
               guint     n_lanes)
{
  FySha256x8 state;
  guint n_active = 0;

  g_assert (n_lanes <= FY_SHA256_LANES);

  for (guint i = 0; i < n_lanes; i++)
    {
      HashLane *lane = &lanes[i];

      lane->fd = -1;
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
      lane->buffer = g_malloc (HASH_LANE_BUFFER_SIZE);
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
          guint8 digest[FY_SHA256_DIGEST_SIZE];

          if (!lane->active)
            continue;

          if (!hash_lane_refill (lane, &lane->error))
            done = TRUE;
          else if (lane->eof && lane->end - lane->start < FY_SHA256_BLOCK_SIZE)
            {
              if (fy_file_check_not_truncated (lane->fd, &lane->st, lane->total, &lane->error))
                {
                  fy_sha256_x8_finish_lane (&state, i, lane->buffer + lane->start,
                                            lane->end - lane->start, lane->total, digest);
                  fy_sha256_to_hex (digest, lane->text);
                }
              done = TRUE;
            }

          if (done)
            {
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
      if (lanes[i].fd >= 0)
        close (lanes[i].fd);
      g_clear_pointer (&lanes[i].buffer, g_free);
    }
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
        hash_lanes_x8 (lanes, n_lanes);
      else
        for (guint i = 0; i < n_lanes; i++)
          hash_file_evp (lanes[i].path, lanes[i].text, &lanes[i].error);

      for (guint i = 0; i < n_lanes; i++)
        {
          if (lanes[i].error != NULL)
            g_variant_builder_add (builder, "(bs)", FALSE, lanes[i].error->message);
          else
            g_variant_builder_add (builder, "(bs)", TRUE, lanes[i].text);
          g_clear_error (&lanes[i].error);
        }
    }

  return g_variant_builder_end (builder);
}

const FyWorkloadInfo fy_workloads_files[] = {
  { "hash", "ay", "s", fy_workload_hash,
    "SHA-256 of a file: path (ay) → lowercase hex digest (s)" },
  { "hash-outcome", "ay", "(bs)", fy_workload_hash_outcome,
    "SHA-256 of a file, for map chunks of many: path (ay) → (TRUE, hex digest) "
    "or (FALSE, reason) (bs)" },
  { "hash-files", "aay", "(ayaua(us))", fy_workload_hash_files,
    "SHA-256 of many files one after another, packed: paths (aay) → (digests, 32 "
    "bytes per file and zeros where one failed (ay); microseconds per file (au); "
    "index and reason of each failure (a(us)))" },
  { "hash-pairs", "aay", "(ayaua(us))", fy_workload_hash_pairs,
    "SHA-256 of many files, two at a time through interleaved SHA-NI, packed as "
    "hash-files packs them: paths (aay) → (digests (ay); microseconds per file (au); "
    "index and reason of each failure (a(us)))" },
  { "hash-batch", "aay", "a(bs)", fy_workload_hash_batch,
    "SHA-256 of several files, up to eight at once in the vector unit: "
    "paths (aay) → per file (TRUE, hex digest) or (FALSE, reason) (a(bs))" },
  { NULL },
};
