/* fy-hash-file.c: reading and digesting one file, for the hash workloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
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

#include "fy-file-read.h"
#include "fy-hash-file.h"
#include "fy-workload-error.h"

/* Large enough that the per-call overhead vanishes, small enough to stay in
 * the L2 cache while OpenSSL digests it. */
#define HASH_BLOCK_SIZE (256 * 1024)

/* The hole-aware path reads whole blocks into the buffer. */
G_STATIC_ASSERT (FY_HASH_SPARSE_MIN_SIZE >= HASH_BLOCK_SIZE);

/* A large file with far fewer blocks than its size has holes. Only such
 * files take the hole-aware path: procfs and sysfs report sizes and block
 * counts that mean nothing, and small files gain nothing from it. */
gboolean
fy_hash_looks_sparse (const struct stat *st)
{
  return st->st_size >= FY_HASH_SPARSE_MIN_SIZE && (guint64) st->st_blocks * 512 < (guint64) st->st_size / 2;
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
struct _FyHashScratch
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
};

static void
hash_scratch_free (gpointer data)
{
  FyHashScratch *scratch = data;

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
FyHashScratch *
fy_hash_scratch_begin (GError **error)
{
  FyHashScratch *scratch = g_private_get (&hash_scratch_key);

  if (scratch == NULL)
    {
      scratch = g_new0 (FyHashScratch, 1);
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
int
fy_hash_open (FyHashScratch  *scratch,
              const char     *path,
              struct stat    *out_stat,
              GError        **error)
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

gboolean
fy_hash_fd (int                fd,
            const struct stat *st,
            guint8             out_digest[FY_SHA256_DIGEST_SIZE],
            GError           **error)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  FyHashScratch *scratch;
  gboolean sparse;
  gsize buffer_size;
  guint64 total = 0;

  scratch = fy_hash_scratch_begin (error);
  if (scratch == NULL)
    return FALSE;

  /* A small file is read in one call asking for a byte more than its
   * size. Read-ahead hints only pay off for large files. */
  buffer_size = (gsize) CLAMP (st->st_size + 1, 4096, HASH_BLOCK_SIZE);
  if (st->st_size >= HASH_BLOCK_SIZE)
    posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  sparse = fy_hash_looks_sparse (st);
  if (sparse)
    {
      if (!hash_sparse_file (fd, st, scratch->md, scratch->buffer, &total, error))
        return FALSE;
    }
  else
    for (;;)
      {
        ssize_t n = fy_file_read_retrying (fd, scratch->buffer, buffer_size);

        if (n < 0)
          {
            fy_file_set_error_from_errno (error, errno, NULL);
            return FALSE;
          }
        if (n == 0)
          break;
        EVP_DigestUpdate (scratch->md, scratch->buffer, (size_t) n);
        total += (guint64) n;
        /* A regular file gives a short read only at its end: once that
         * end is where fstat put it, the read that would return 0 is
         * saved. A file that claims more than it gives (sysfs) or has
         * grown goes on to the zero read. */
        if ((gsize) n < buffer_size && total == (guint64) st->st_size)
          break;
      }

  /* A file read to the end that gave fewer bytes than it had may have
   * been cut short while it was read; one that gave them all was not, and
   * saves the second fstat. Holes are hashed up to the size fstat gave
   * without reading them, so the sparse path always checks. */
  if ((sparse || total < (guint64) st->st_size) &&
      !fy_file_check_not_truncated (fd, st, total, error))
    return FALSE;

  EVP_DigestFinal_ex (scratch->md, digest, &digest_len);
  g_assert (digest_len == FY_SHA256_DIGEST_SIZE);
  memcpy (out_digest, digest, FY_SHA256_DIGEST_SIZE);
  return TRUE;
}

/* One file through OpenSSL: the path for a single file, and for every
 * file on a CPU without the eight-lane code. */
gboolean
fy_hash_file_raw (const char  *path,
                  guint8       out_digest[FY_SHA256_DIGEST_SIZE],
                  GError     **error)
{
  FyHashScratch *scratch;
  struct stat st;
  gboolean ok;
  int fd;

  if (path[0] == '\0')
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "empty path");
      return FALSE;
    }

  scratch = fy_hash_scratch_begin (error);
  if (scratch == NULL)
    return FALSE;
  fd = fy_hash_open (scratch, path, &st, error);
  if (fd < 0)
    return FALSE;
  ok = fy_hash_fd (fd, &st, out_digest, error);
  close (fd);
  return ok;
}

gboolean
fy_hash_file_evp (const char  *path,
                  char         text[2 * FY_SHA256_DIGEST_SIZE + 1],
                  GError     **error)
{
  guint8 digest[FY_SHA256_DIGEST_SIZE];

  if (!fy_hash_file_raw (path, digest, error))
    return FALSE;
  fy_sha256_to_hex (digest, text);
  return TRUE;
}

gboolean
fy_hash_refill (int        fd,
                guint64    file_size,
                guint8    *buffer,
                gsize      size,
                gsize     *start,
                gsize     *end,
                guint64   *total,
                gboolean  *eof,
                GError   **error)
{
  gsize left = *end - *start;

  if (left >= FY_SHA256_BLOCK_SIZE || *eof)
    return TRUE;
  memmove (buffer, buffer + *start, left);
  *start = 0;
  *end = left;
  while (*end < size)
    {
      gsize want = size - *end;
      ssize_t n = fy_file_read_retrying (fd, buffer + *end, want);

      if (n < 0)
        {
          fy_file_set_error_from_errno (error, errno, NULL);
          return FALSE;
        }
      *end += (gsize) n;
      *total += (guint64) n;
      if (n == 0 || ((gsize) n < want && *total == file_size))
        {
          *eof = TRUE;
          break;
        }
    }
  return TRUE;
}

gboolean
fy_hash_finish_alone (SHA256_CTX         *ctx,
                      int                 fd,
                      const struct stat  *st,
                      guint8             *buffer,
                      gsize               size,
                      gsize              *start,
                      gsize              *end,
                      guint64            *total,
                      gboolean           *eof,
                      GError            **error)
{
  for (;;)
    {
      SHA256_Update (ctx, buffer + *start, *end - *start);
      *start = *end;
      if (*eof)
        break;
      /* Reads whole buffers from here: the start is past the end. */
      if (!fy_hash_refill (fd, (guint64) st->st_size, buffer, size, start, end, total, eof, error))
        return FALSE;
    }
  /* A file that gave fewer bytes than fstat said may have been cut short
   * while it was read. */
  return *total >= (guint64) st->st_size ||
         fy_file_check_not_truncated (fd, st, *total, error);
}

void
fy_hash_resume (SHA256_CTX    *ctx,
                const guint32  state[8],
                guint64        hashed)
{
  guint64 bits = hashed * 8;

  SHA256_Init (ctx);
  for (guint i = 0; i < 8; i++)
    ctx->h[i] = state[i];
  ctx->Nl = (SHA_LONG) bits;
  ctx->Nh = (SHA_LONG) (bits >> 32);
}

void
fy_hash_outcomes_init (FyHashOutcomes *self,
                       GVariant       *argument)
{
  g_autoptr(GVariant) paths = g_variant_get_child_value (argument, 1);

  g_variant_get_child (argument, 0, "t", &self->defer_from);
  self->paths = g_variant_get_bytestring_array (paths, NULL);
  self->n_paths = g_strv_length ((char **) self->paths);
  self->digests = g_malloc0 (MAX ((gsize) self->n_paths * FY_SHA256_DIGEST_SIZE, 1));
  self->micros = g_new0 (guint32, MAX (self->n_paths, 1));
  g_variant_builder_init (&self->failures, G_VARIANT_TYPE ("a(us)"));
  g_variant_builder_init (&self->deferred, G_VARIANT_TYPE ("a(ut)"));
}

guint8 *
fy_hash_outcomes_digest (FyHashOutcomes *self,
                         guint           index)
{
  return self->digests + (gsize) index * FY_SHA256_DIGEST_SIZE;
}

void
fy_hash_outcomes_done (FyHashOutcomes *self,
                       guint           index,
                       gint64          began,
                       const GError   *error)
{
  self->micros[index] = (guint32) CLAMP (g_get_monotonic_time () - began, 0, G_MAXUINT32);
  if (error != NULL)
    {
      memset (fy_hash_outcomes_digest (self, index), 0, FY_SHA256_DIGEST_SIZE);
      g_variant_builder_add (&self->failures, "(us)", (guint32) index, error->message);
    }
}

int
fy_hash_outcomes_open (FyHashOutcomes *self,
                       FyHashScratch  *scratch,
                       guint           index,
                       gint64          began,
                       struct stat    *out_stat)
{
  g_autoptr(GError) error = NULL;
  const char *path = self->paths[index];
  int fd;

  if (path[0] == '\0')
    {
      g_set_error_literal (&error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT, "empty path");
      fy_hash_outcomes_done (self, index, began, error);
      return -1;
    }
  fd = fy_hash_open (scratch, path, out_stat, &error);
  if (fd < 0)
    {
      fy_hash_outcomes_done (self, index, began, error);
      return -1;
    }
  if (self->defer_from > 0 && (guint64) out_stat->st_size >= self->defer_from)
    {
      /* Its time is its own task's, later. */
      g_variant_builder_add (&self->deferred, "(ut)", (guint32) index, (guint64) out_stat->st_size);
      close (fd);
      return -1;
    }
  return fd;
}

GVariant *
fy_hash_outcomes_end (FyHashOutcomes *self)
{
  GVariant *result;

  result = g_variant_new ("(@ay@au@a(us)@a(ut))",
                          g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, self->digests,
                                                     (gsize) self->n_paths * FY_SHA256_DIGEST_SIZE, 1),
                          g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, self->micros, self->n_paths,
                                                     sizeof (guint32)),
                          g_variant_builder_end (&self->failures),
                          g_variant_builder_end (&self->deferred));
  g_clear_pointer (&self->paths, g_free);
  g_clear_pointer (&self->digests, g_free);
  g_clear_pointer (&self->micros, g_free);
  return result;
}
