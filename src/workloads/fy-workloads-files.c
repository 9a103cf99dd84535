/* fy-workloads-files.c: hash, hash-batch and resize, the workloads that
 * read files
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

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "fy-sandbox.h"
#include "fy-sha256.h"
#include "fy-workload.h"
#include "fy-workload-error.h"

/* Large enough that the per-call overhead vanishes, small enough to stay in
 * the L2 cache while OpenSSL digests it. */
#define HASH_BLOCK_SIZE (256 * 1024)

/* Files from this size on are checked for holes. */
#define SPARSE_MIN_SIZE (16 * 1024 * 1024)

/* Per lane of a batch: eight of them still fit the L2 cache together. */
#define HASH_LANE_BUFFER_SIZE (128 * 1024)

/* Pixel bombs: a tiny file can claim a huge canvas; refuse before the
 * decoder allocates it. */
#define RESIZE_MAX_PIXELS       (50 * 1000 * 1000)
#define RESIZE_MAX_SIDE         65535
#define RESIZE_MAX_OUTPUT_SIDE  16384
#define RESIZE_MAX_FILE_SIZE    (512 * 1024 * 1024)
#define RESIZE_READ_BLOCK       (64 * 1024)
#define RESIZE_ADDRESS_SPACE    (G_GUINT64_CONSTANT (4) << 30)
#define RESIZE_CPU_SECONDS      60

static void
set_error_from_errno (GError     **error,
                      int          saved_errno,
                      const char  *what)
{
  g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
               "%s%s%s", what ? what : "", what ? ": " : "", g_strerror (saved_errno));
}

/* Opens @path for reading without ever blocking: O_NONBLOCK so a FIFO with
 * no writer cannot hang us, then refuses anything that is not a regular file
 * before reading a byte. */
static int
open_regular_file (const char   *path,
                   struct stat  *out_stat,
                   GError      **error)
{
  int fd;

  fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      /* Opening a socket fails with ENXIO, whose text says nothing useful. */
      if (saved_errno == ENXIO)
        g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                     "is a socket, not a regular file");
      else
        set_error_from_errno (error, saved_errno, NULL);
      return -1;
    }

  if (fstat (fd, out_stat) != 0)
    {
      int saved_errno = errno;

      close (fd);
      set_error_from_errno (error, saved_errno, NULL);
      return -1;
    }

  if (!S_ISREG (out_stat->st_mode))
    {
      const char *what = "is not a regular file";

      if (S_ISDIR (out_stat->st_mode))
        what = g_strerror (EISDIR);
      else if (S_ISFIFO (out_stat->st_mode))
        what = "is a FIFO, not a regular file (not read: it could block forever)";
      else if (S_ISCHR (out_stat->st_mode) || S_ISBLK (out_stat->st_mode))
        what = "is a device, not a regular file";
      else if (S_ISSOCK (out_stat->st_mode))
        what = "is a socket, not a regular file";

      close (fd);
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO, what);
      return -1;
    }

  return fd;
}

/* TRUE unless the file shrank while we were reading it (someone truncated
 * it): the digest would describe bytes that never existed together. */
static gboolean
check_not_truncated (int                 fd,
                     const struct stat  *before,
                     guint64             bytes_read,
                     GError            **error)
{
  struct stat after;

  if (fstat (fd, &after) != 0)
    {
      set_error_from_errno (error, errno, NULL);
      return FALSE;
    }

  /* A shrunk size is the proof. A short read alone is not: sysfs files
   * claim 4096 bytes and give fewer, and sha256sum hashes them happily. */
  if (after.st_size < before->st_size)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CHANGED,
                   "file was truncated while being read (%" G_GUINT64_FORMAT
                   " bytes read of %" G_GUINT64_FORMAT ")",
                   bytes_read, (guint64) before->st_size);
      return FALSE;
    }

  return TRUE;
}

static ssize_t
read_retrying (int     fd,
               void   *buffer,
               gsize   size)
{
  ssize_t n;

  do
    n = read (fd, buffer, size);
  while (n < 0 && errno == EINTR);
  return n;
}

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
              set_error_from_errno (error, errno, NULL);
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

/* One file through OpenSSL: the path for a single file, and for every
 * file on a CPU without the eight-lane code. */
static gboolean
hash_file_evp (const char  *path,
               char         text[2 * FY_SHA256_DIGEST_SIZE + 1],
               GError     **error)
{
  g_autofree guchar *buffer = NULL;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_MD_CTX *md = NULL;
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

  fd = open_regular_file (path, &st, error);
  if (fd < 0)
    return FALSE;

  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  buffer = g_malloc (HASH_BLOCK_SIZE);
  md = EVP_MD_CTX_new ();
  if (md == NULL || !EVP_DigestInit_ex (md, EVP_sha256 (), NULL))
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                           "OpenSSL could not start a SHA-256 digest");
      goto out;
    }

  if (looks_sparse (&st))
    {
      if (!hash_sparse_file (fd, &st, md, buffer, &total, error))
        goto out;
    }
  else
    for (;;)
      {
        ssize_t n = read_retrying (fd, buffer, HASH_BLOCK_SIZE);

        if (n < 0)
          {
            set_error_from_errno (error, errno, NULL);
            goto out;
          }
        if (n == 0)
          break;
        EVP_DigestUpdate (md, buffer, (size_t) n);
        total += (guint64) n;
      }

  if (!check_not_truncated (fd, &st, total, error))
    goto out;

  EVP_DigestFinal_ex (md, digest, &digest_len);
  g_assert (digest_len == FY_SHA256_DIGEST_SIZE);
  fy_sha256_to_hex (digest, text);
  ok = TRUE;

out:
  EVP_MD_CTX_free (md);
  close (fd);
  return ok;
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
      ssize_t n = read_retrying (lane->fd, lane->buffer + lane->end, HASH_LANE_BUFFER_SIZE - lane->end);

      if (n < 0)
        {
          set_error_from_errno (error, errno, NULL);
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

  if (!check_not_truncated (lane->fd, &lane->st, lane->total, &lane->error))
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
      lane->fd = open_regular_file (lane->path, &lane->st, &lane->error);
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
              if (check_not_truncated (lane->fd, &lane->st, lane->total, &lane->error))
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

typedef struct
{
  /* In */
  int          in_fd;
  int          out_dir_fd;
  const char  *in_path;
  const char  *out_dir;
  const char  *out_name;
  int          width;
  int          height;
  gboolean     keep_aspect;
  gint64       in_size;
  /* Out */
  int          claimed_width;
  int          claimed_height;
  gboolean     too_large;
  gboolean     jpeg;
  int          out_width;
  int          out_height;
  GError      *error;
} ResizeJob;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  ResizeJob *job = user_data;
  int target_width = job->width;
  int target_height = job->height;

  job->claimed_width = width;
  job->claimed_height = height;

  if (width <= 0 || height <= 0 || width > RESIZE_MAX_SIDE || height > RESIZE_MAX_SIDE ||
      (gint64) width * height > RESIZE_MAX_PIXELS)
    {
      /* A zero size makes every gdk-pixbuf loader stop before it
       * allocates the canvas. */
      job->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }

  if (job->keep_aspect)
    {
      double scale = MIN ((double) job->width / width, (double) job->height / height);

      target_width = CLAMP ((int) (width * scale + 0.5), 1, job->width);
      target_height = CLAMP ((int) (height * scale + 0.5), 1, job->height);
    }

  job->out_width = target_width;
  job->out_height = target_height;

  if (job->jpeg)
    {
      int denominator = 8;

      /* Shrink-on-load: libjpeg can decode at 1/2, 1/4 or 1/8 scale for
       * much less work. Asking for exactly such a size makes gdk-pixbuf's
       * loader decode at it without scaling again; the one resampling to
       * the target happens afterwards. A DCT size up to 15 % short of the
       * target is still taken: a slight upscale costs less sharpness than
       * the work it saves. */
      while (denominator > 1 &&
             ((width + denominator - 1) / denominator < target_width * 0.85 ||
              (height + denominator - 1) / denominator < target_height * 0.85))
        denominator /= 2;
      gdk_pixbuf_loader_set_size (loader, (width + denominator - 1) / denominator,
                                  (height + denominator - 1) / denominator);
      return;
    }

  gdk_pixbuf_loader_set_size (loader, target_width, target_height);
}

/* The gdk-pixbuf loader named by the file's first bytes, or NULL. Knowing
 * the common formats ourselves means a worker without a MIME database (a
 * bare container, isolated test directories) still decodes them, and a
 * JPEG is never mistaken for something else because of its name. */
static const char *
sniff_image_type (const guchar *data,
                  gsize         len)
{
  static const struct { const char *type; gsize offset; gsize len; const char *magic; } signatures[] = {
    { "jpeg", 0, 3, "\xff\xd8\xff" },
    { "png",  0, 8, "\x89PNG\r\n\x1a\n" },
    { "gif",  0, 4, "GIF8" },
    { "bmp",  0, 2, "BM" },
    { "tiff", 0, 4, "II*\0" },
    { "tiff", 0, 4, "MM\0*" },
    { "webp", 8, 4, "WEBP" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (len >= signatures[i].offset + signatures[i].len &&
        memcmp (data + signatures[i].offset, signatures[i].magic, signatures[i].len) == 0)
      return signatures[i].type;

  return NULL;
}

/* libjpeg decodes a cut-short JPEG as a grey-filled picture and only warns,
 * so the end-of-image marker is looked for here. The marker segments
 * before the first scan are skipped by their lengths (an EXIF thumbnail has
 * its own end marker); after it, an unstuffed FF D9 only ever means the end. */
typedef enum
{
  JPEG_SCAN_MARKER_START,
  JPEG_SCAN_MARKER_CODE,
  JPEG_SCAN_LENGTH_HIGH,
  JPEG_SCAN_LENGTH_LOW,
  JPEG_SCAN_SKIP,
  JPEG_SCAN_ENTROPY,
} JpegScanState;

typedef struct
{
  JpegScanState state;
  guint8        marker;
  guint32       skip;
  gboolean      previous_ff;
  gboolean      seen_end;
} JpegEndScan;

static void
jpeg_end_scan_feed (JpegEndScan  *scan,
                    const guchar *data,
                    gsize         len)
{
  for (gsize i = 0; i < len && !scan->seen_end; i++)
    {
      guchar byte = data[i];

      switch (scan->state)
        {
        case JPEG_SCAN_MARKER_START:
          scan->state = byte == 0xff ? JPEG_SCAN_MARKER_CODE : JPEG_SCAN_ENTROPY;
          break;
        case JPEG_SCAN_MARKER_CODE:
          scan->marker = byte;
          if (byte == 0xd9)
            scan->seen_end = TRUE;
          else if (byte == 0xff)
            ; /* fill byte */
          else if (byte == 0xd8 || byte == 0x01 || (byte >= 0xd0 && byte <= 0xd7))
            scan->state = JPEG_SCAN_MARKER_START;
          else
            scan->state = JPEG_SCAN_LENGTH_HIGH;
          break;
        case JPEG_SCAN_LENGTH_HIGH:
          scan->skip = (guint32) byte << 8;
          scan->state = JPEG_SCAN_LENGTH_LOW;
          break;
        case JPEG_SCAN_LENGTH_LOW:
          scan->skip |= byte;
          scan->skip = scan->skip >= 2 ? scan->skip - 2 : 0;
          scan->state = JPEG_SCAN_SKIP;
          if (scan->skip == 0)
            scan->state = scan->marker == 0xda ? JPEG_SCAN_ENTROPY : JPEG_SCAN_MARKER_START;
          break;
        case JPEG_SCAN_SKIP:
          if (--scan->skip == 0)
            scan->state = scan->marker == 0xda ? JPEG_SCAN_ENTROPY : JPEG_SCAN_MARKER_START;
          break;
        case JPEG_SCAN_ENTROPY:
          if (scan->previous_ff && byte == 0xd9)
            scan->seen_end = TRUE;
          scan->previous_ff = byte == 0xff;
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* gdk-pixbuf's PNG loader, too, accepts a file cut short, so the IEND
 * chunk (its type and CRC, which never vary) must have gone by. The last
 * bytes of each block are carried over: the chunk may straddle two. */
typedef struct
{
  guchar   carry[7];
  gsize    n_carry;
  gboolean seen_end;
} PngEndScan;

static void
png_end_scan_feed (PngEndScan   *scan,
                   const guchar *data,
                   gsize         len)
{
  static const guchar iend[8] = { 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  guchar joint[14];
  gsize head = MIN (len, sizeof iend - 1);

  if (scan->seen_end)
    return;

  memcpy (joint, scan->carry, scan->n_carry);
  memcpy (joint + scan->n_carry, data, head);
  if (memmem (joint, scan->n_carry + head, iend, sizeof iend) != NULL ||
      memmem (data, len, iend, sizeof iend) != NULL)
    {
      scan->seen_end = TRUE;
      return;
    }

  if (len >= sizeof scan->carry)
    {
      memcpy (scan->carry, data + len - sizeof scan->carry, sizeof scan->carry);
      scan->n_carry = sizeof scan->carry;
    }
  else
    {
      gsize keep = MIN (scan->n_carry, sizeof scan->carry - len);

      memmove (scan->carry, scan->carry + scan->n_carry - keep, keep);
      memcpy (scan->carry + keep, data, len);
      scan->n_carry = keep + len;
    }
}

static gboolean
resize_decode_and_write (ResizeJob  *job,
                         GError    **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GdkPixbuf) scaled = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guchar *block = NULL;
  g_autofree char *encoded = NULL;
  GdkPixbufFormat *format;
  g_autofree char *format_name = NULL;
  GdkPixbuf *pixbuf;
  struct stat st = { 0 };
  const char *write_dirs[] = { job->out_dir, NULL };
  const char *read_paths[] = { job->in_path, NULL };
  gsize encoded_len = 0;
  guint64 total = 0;
  JpegEndScan jpeg_scan = { 0 };
  PngEndScan png_scan = { 0 };
  gboolean is_jpeg = FALSE;
  gboolean is_png = FALSE;
  gboolean loader_ok = TRUE;
  gboolean enforced = FALSE;
  gsize written = 0;
  int out_fd;

  /* From here on this thread can read only its input (and system files)
   * and write only into the output directory. */
  if (!fy_sandbox_restrict_thread (read_paths, write_dirs, &enforced, error))
    return FALSE;

  block = g_malloc (RESIZE_READ_BLOCK);

  for (;;)
    {
      ssize_t n = read_retrying (job->in_fd, block, RESIZE_READ_BLOCK);

      if (n < 0)
        {
          set_error_from_errno (error, errno, NULL);
          if (loader != NULL)
            gdk_pixbuf_loader_close (loader, NULL);
          return FALSE;
        }
      if (n == 0)
        break;
      if (loader == NULL)
        {
          const char *type = sniff_image_type (block, (gsize) n);

          is_jpeg = g_strcmp0 (type, "jpeg") == 0;
          job->jpeg = is_jpeg;
          is_png = g_strcmp0 (type, "png") == 0;
          loader = type ? gdk_pixbuf_loader_new_with_type (type, NULL) : NULL;
          if (loader == NULL)
            loader = gdk_pixbuf_loader_new ();
          g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), job);
        }
      total += (guint64) n;
      if (is_jpeg)
        jpeg_end_scan_feed (&jpeg_scan, block, (gsize) n);
      if (is_png)
        png_end_scan_feed (&png_scan, block, (gsize) n);
      if (!gdk_pixbuf_loader_write (loader, block, (gsize) n, &local_error))
        {
          loader_ok = FALSE;
          break;
        }
    }

  if (loader == NULL)
    {
      /* The file was emptied after the open. */
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CHANGED,
                           "file was truncated while being read");
      return FALSE;
    }
  if (loader_ok)
    loader_ok = gdk_pixbuf_loader_close (loader, &local_error);
  else
    gdk_pixbuf_loader_close (loader, NULL);

  if (job->too_large)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                   "image claims %d×%d pixels, above the limit of %d megapixels; not decoded",
                   job->claimed_width, job->claimed_height, RESIZE_MAX_PIXELS / 1000000);
      return FALSE;
    }

  st.st_size = job->in_size;
  if (!check_not_truncated (job->in_fd, &st, total, error))
    return FALSE;

  if (loader_ok && is_jpeg && !jpeg_scan.seen_end)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                           "truncated JPEG: the data stops before the end-of-image marker");
      return FALSE;
    }

  if (loader_ok && is_png && !png_scan.seen_end)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                           "truncated PNG: the data stops before the IEND chunk");
      return FALSE;
    }

  pixbuf = loader_ok ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;
  if (pixbuf == NULL)
    {
      if (local_error != NULL &&
          g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
        g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                             "not an image in a format this system can read");
      else
        g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                     "corrupt or truncated image: %s",
                     local_error ? local_error->message : "the decoder produced no picture");
      return FALSE;
    }

  format = gdk_pixbuf_loader_get_format (loader);
  format_name = format ? gdk_pixbuf_format_get_name (format) : NULL;
  if (format == NULL || !gdk_pixbuf_format_is_writable (format))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_UNSUPPORTED,
                   "cannot write images in the %s format", format_name ? format_name : "unknown");
      return FALSE;
    }

  /* A JPEG decoded at a DCT scale, or a loader that ignored the size, still
   * needs the final resampling. */
  if (job->out_width <= 0 || job->out_height <= 0)
    {
      job->out_width = job->width;
      job->out_height = job->height;
    }
  if (gdk_pixbuf_get_width (pixbuf) != job->out_width ||
      gdk_pixbuf_get_height (pixbuf) != job->out_height)
    {
      scaled = gdk_pixbuf_scale_simple (pixbuf, job->out_width, job->out_height,
                                        GDK_INTERP_BILINEAR);
      pixbuf = scaled;
    }

  /* zlib level 3 for PNG: for a thumbnail it is 3× faster than the default
   * 6 and the file only a few per cent larger. Other formats keep their
   * defaults (JPEG quality 75, as Pillow's). */
  if (!(g_str_equal (format_name, "png")
        ? gdk_pixbuf_save_to_buffer (pixbuf, &encoded, &encoded_len, format_name,
                                     &local_error, "compression", "3", NULL)
        : gdk_pixbuf_save_to_buffer (pixbuf, &encoded, &encoded_len, format_name,
                                     &local_error, NULL)))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                   "cannot encode the %s image: %s", format_name, local_error->message);
      return FALSE;
    }

  /* O_NOFOLLOW: a symbolic link planted in the output directory must not
   * redirect the write elsewhere. */
  out_fd = openat (job->out_dir_fd, job->out_name,
                   O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (out_fd < 0)
    {
      set_error_from_errno (error, errno, "cannot create the output file");
      return FALSE;
    }

  while (written < encoded_len)
    {
      ssize_t n = write (out_fd, encoded + written, encoded_len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_error_from_errno (error, errno, "cannot write the output file");
          close (out_fd);
          return FALSE;
        }
      written += (gsize) n;
    }

  if (close (out_fd) != 0)
    {
      set_error_from_errno (error, errno, "cannot write the output file");
      return FALSE;
    }

  return TRUE;
}

static gpointer
resize_thread (gpointer data)
{
  ResizeJob *job = data;

  resize_decode_and_write (job, &job->error);
  return NULL;
}

static GVariant *
fy_workload_resize (GVariant           *argument,
                    FyWorkloadContext  *context,
                    GError            **error)
{
  g_autofree char *in_path = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *out_name = NULL;
  g_autofree char *out_path = NULL;
  g_autoptr(GThread) thread = NULL;
  ResizeJob job = { .in_fd = -1, .out_dir_fd = -1 };
  struct stat in_st;
  struct stat out_st;
  int width;
  int height;
  gboolean keep_aspect;
  GVariant *result = NULL;

  g_variant_get (argument, "(^ay^ayiib)", &in_path, &out_dir, &width, &height, &keep_aspect);

  if (width <= 0 || height <= 0 || width > RESIZE_MAX_OUTPUT_SIDE || height > RESIZE_MAX_OUTPUT_SIDE)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "size %d×%d is outside 1×1 to %d×%d", width, height,
                   RESIZE_MAX_OUTPUT_SIDE, RESIZE_MAX_OUTPUT_SIDE);
      return NULL;
    }
  if (in_path[0] == '\0' || out_dir[0] == '\0')
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "empty input or output path");
      return NULL;
    }

  if (!fy_sandbox_limit_process (RESIZE_ADDRESS_SPACE, RESIZE_CPU_SECONDS, error))
    return NULL;

  job.in_fd = open_regular_file (in_path, &in_st, error);
  if (job.in_fd < 0)
    return NULL;

  if (in_st.st_size == 0)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT,
                           "empty file (zero bytes), not an image");
      goto out;
    }
  if (in_st.st_size > RESIZE_MAX_FILE_SIZE)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_TOO_LARGE,
                   "file of %" G_GINT64_FORMAT " bytes is above the limit of %d MiB",
                   (gint64) in_st.st_size, RESIZE_MAX_FILE_SIZE >> 20);
      goto out;
    }

  job.out_dir_fd = open (out_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (job.out_dir_fd < 0)
    {
      set_error_from_errno (error, errno, "cannot open the output directory");
      goto out;
    }

  out_name = g_path_get_basename (in_path);
  if (fstatat (job.out_dir_fd, out_name, &out_st, AT_SYMLINK_NOFOLLOW) == 0 &&
      out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "the output would overwrite the input; choose another output directory");
      goto out;
    }

  job.in_path = in_path;
  job.out_dir = out_dir;
  job.out_name = out_name;
  job.width = width;
  job.height = height;
  job.keep_aspect = keep_aspect;
  job.in_size = in_st.st_size;

  /* Landlock confines a thread for the rest of its life, so each image gets
   * a fresh thread and the worker itself stays free for the next task. */
  thread = g_thread_try_new ("fy-resize", resize_thread, &job, error);
  if (thread == NULL)
    goto out;
  g_thread_join (g_steal_pointer (&thread));

  if (job.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job.error));
      goto out;
    }

  out_path = g_build_filename (out_dir, out_name, NULL);
  result = g_variant_new ("(^ayii)", out_path, job.out_width, job.out_height);

out:
  if (job.out_dir_fd >= 0)
    close (job.out_dir_fd);
  close (job.in_fd);
  return result;
}

const FyWorkloadInfo fy_workloads_files[] = {
  { "hash", "ay", "s", fy_workload_hash,
    "SHA-256 of a file: path (ay) → lowercase hex digest (s)" },
  { "hash-batch", "aay", "a(bs)", fy_workload_hash_batch,
    "SHA-256 of several files, up to eight at once in the vector unit: "
    "paths (aay) → per file (TRUE, hex digest) or (FALSE, reason) (a(bs))" },
  { "resize", "(ayayiib)", "(ayii)", fy_workload_resize,
    "Resizes an image into a directory, same name and format: "
    "(input path, output dir, width, height, keep aspect) (ayayiib) → "
    "(output path, width, height) (ayii)" },
  { NULL },
};
