/* fuzz-channel.c: what the parent accepts from a worker, from the raw datagram up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is one datagram as a worker could send it, optionally with one
 * fd beside it: a memfd holding a message body, or an arena whose chunks
 * and tags are input bytes too. The datagram goes through a real socket to
 * fy_channel_receive (); a message that comes out is read as a pool
 * message, and its body the way the pool reads reports (errors, batches,
 * map chunk results), with the same type checks first.
 *
 * Input: byte 0 picks the fd (0 none, 1 sealed memfd, 2 unsealed memfd,
 * 3 arena); with an fd, bytes 1–2 are the datagram's length (little
 * endian) and the rest after the datagram fills the fd. An arena's file
 * has the size of 1 + (its first byte % FUZZ_CHANNEL_ARENA_CHUNKS_MAX)
 * chunks, bytes not given being zeros.
 *
 * The decoding is fuzz_channel_decode (), which also tells what it read:
 * the seeds' test (test-channel-seeds.c) holds every seed to its name.
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fy-channel.h"
#include "core/fy-channel-private.h"
#include "core/fy-pool-wire.h"

#include "fuzz-channel.h"
#include "fuzz-target.h"

static FyChannel *sender;
static FyChannel *receiver;

static int
memfd_with (const guint8 *data,
            gsize         size,
            gsize         file_size,
            int           seals)
{
  int fd = memfd_create ("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);

  if (fd < 0)
    return -1;
  if (ftruncate (fd, (off_t) file_size) != 0 ||
      (size > 0 && pwrite (fd, data, MIN (size, file_size), 0) < 0) ||
      (seals != 0 && fcntl (fd, F_ADD_SEALS, seals) != 0))
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
send_datagram (const guint8 *data,
               gsize         size,
               int           fd)
{
  struct iovec iov = { (void *) data, size };
  union {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int))];
  } control;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

  if (fd >= 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buffer;
      msg.msg_controllen = sizeof control.buffer;
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cmsg), &fd, sizeof fd);
    }
  sendmsg (fy_channel_get_fd (sender), &msg, MSG_NOSIGNAL);
}

static volatile gint64 times_sink;

/* Results of a map chunk item, "(xvau)", as fy-pool-chunk.c reads them.
 * Returns what they are ("map-int64", "map-double", "map-variant" or
 * "map-T" for another fixed-size T), NULL when the pool would refuse them. */
static const char *
read_mapped (GVariant *value)
{
  static const char *const fixed_names[][2] = {
    { "x", "map-int64" }, { "d", "map-double" }, { "y", "map-y" }, { "b", "map-b" },
    { "n", "map-n" }, { "q", "map-q" }, { "i", "map-i" }, { "u", "map-u" },
    { "t", "map-t" }, { "h", "map-h" },
  };
  g_auto(FyPoolMapped) mapped = { 0 };
  const char *type;
  const char *name = NULL;

  /* The pool's own check, then each item read as the pool reads it. */
  if (!fy_pool_mapped_parse (value, &mapped))
    return NULL;
  type = g_variant_get_type_string (mapped.results);
  for (gsize i = 0; i < mapped.n && i < 64; i++)
    {
      g_variant_unref (fy_pool_unboxed_child (mapped.results, i));
      times_sink ^= mapped.end_us[i];
    }
  if (g_str_equal (type, "av"))
    return "map-variant";
  for (gsize i = 0; i < G_N_ELEMENTS (fixed_names); i++)
    if (g_str_equal (type + 1, fixed_names[i][0]))
      name = fixed_names[i][1];
  return name;
}

/* A report's body: what it is, or NULL when the pool would refuse it. */
static const char *
read_report (char      kind,
             GVariant *value)
{
  switch (kind)
    {
    case FY_POOL_MSG_ERROR:
    case FY_POOL_MSG_INIT_FAILED:
      {
        g_autoptr(GError) error = NULL;

        if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(sis)")))
          error = fy_pool_error_from_variant (value);
        if (error == NULL)
          return NULL;
        return kind == FY_POOL_MSG_ERROR ? "error" : "init-failed";
      }
    case FY_POOL_MSG_RESULT:
      {
        const char *mapped = read_mapped (value);

        /* Any value is a task's result; a map chunk's is an "(xvau)". */
        return mapped != NULL ? mapped : "result";
      }
    case FY_POOL_MSG_PROGRESS:
      return read_mapped (value) != NULL ? "progress" : NULL;
    case FY_POOL_MSG_SKIPPED:
      return "skipped";
    case FY_POOL_MSG_STARTED:
      return "started";
    case FY_POOL_MSG_READY:
      return "ready";
    default:
      return NULL;
    }
}

/* A batch, FY_POOL_BATCH_TYPE, as fy-pool-reports.c reads it: "batch", or
 * NULL when the pool would refuse it or any of its items. */
static const char *
read_batch (GVariant *body)
{
  g_auto(FyPoolBatch) batch = { 0 };
  gboolean valid = TRUE;

  /* The pool's own check of the batch's shape; an empty batch names
   * nothing for the seeds' test. */
  if (!fy_pool_batch_parse (body, &batch) || batch.n == 0)
    return NULL;
  /* Read as the pool reads them (any value is a number), so that a read
   * out of bounds shows under AddressSanitizer. */
  for (gsize i = 0; i < 2 * batch.n; i++)
    times_sink ^= batch.times_of[i];
  for (gsize i = 0; i < batch.n && i < 256; i++)
    {
      g_autoptr(GVariant) value = fy_pool_unboxed_child (batch.values, i);
      char kind = (char) batch.kind_of[i];

      if ((kind != FY_POOL_MSG_RESULT && kind != FY_POOL_MSG_ERROR && kind != FY_POOL_MSG_SKIPPED) ||
          read_report (kind, value) == NULL)
        valid = FALSE;
    }
  return valid ? "batch" : NULL;
}

const char *
fuzz_channel_decode (const guint8 *data,
                     gsize         size)
{
  g_autoptr(GVariant) message = NULL;
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GError) error = NULL;
  FyPoolHeader header;
  gsize datagram;
  int mode, fd = -1;

  if (sender == NULL && !fy_channel_new_pair (&sender, &receiver, NULL))
    abort ();
  if (size < 1)
    return NULL;
  mode = data[0] % 4;
  data++;
  size--;
  datagram = size;
  if (mode != 0)
    {
      if (size < 2)
        return NULL;
      datagram = MIN (size - 2, (gsize) (data[0] | data[1] << 8));
      data += 2;
      size -= 2;
      if (mode == 1 || mode == 2)
        fd = memfd_with (data + datagram, size - datagram, size - datagram,
                         mode == 1 ? F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL : 0);
      else
        {
          /* An arena of 1 to FUZZ_CHANNEL_ARENA_CHUNKS_MAX chunks: its
           * words (tags) and chunks are the bytes after the datagram, the
           * first of them choosing its size. */
          guint32 n_chunks = size > datagram ? 1 + data[datagram] % FUZZ_CHANNEL_ARENA_CHUNKS_MAX : 1;

          fd = memfd_with (data + datagram, size - datagram,
                           FY_CHANNEL_ARENA_FILE_SIZE (n_chunks), F_SEAL_SHRINK | F_SEAL_GROW);
        }
    }
  send_datagram (data, datagram, fd);
  if (fd >= 0)
    close (fd);

  message = fy_channel_receive (receiver, 0, &fds, &error);
  if (message == NULL || !fy_pool_message_parse (message, &header, &body))
    return NULL;
  if (header.tag == FY_POOL_MSG_BATCH)
    return read_batch (body);
  /* A report of one item carries when it ran, as the pool checks. */
  if ((header.tag == FY_POOL_MSG_RESULT || header.tag == FY_POOL_MSG_ERROR) &&
      (header.started_at <= 0 || header.ended_at < header.started_at))
    {
      read_report (header.tag, body);
      return NULL;
    }
  return read_report (header.tag, body);
}

gboolean
fuzz_channel_seed_check (const char    *name,
                         const guint8  *data,
                         gsize          size,
                         GError       **error)
{
  static const char *const modes[] = {
    [FUZZ_CHANNEL_INLINE] = "inline", [FUZZ_CHANNEL_MEMFD] = "memfd", [2] = NULL,
    [FUZZ_CHANNEL_ARENA] = "arena",
  };
  const char *dash = strchr (name, '-');
  g_autofree char *mode = NULL;
  g_autofree char *kind = NULL;
  const char *decoded;

  if (dash == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: not named MODE-KIND", name);
      return FALSE;
    }
  mode = g_strndup (name, dash - name);
  kind = g_strndup (dash + 1, strcspn (dash + 1, "."));
  if (size == 0 || g_strcmp0 (modes[data[0] % 4], mode) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: byte 0 says %s, the name %s", name,
                   size == 0 ? "nothing" : modes[data[0] % 4] ?: "unsealed memfd", mode);
      return FALSE;
    }
  decoded = fuzz_channel_decode (data, size);
  if (g_strcmp0 (decoded, kind) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: decodes as %s, not as %s", name,
                   decoded != NULL ? decoded : "nothing the pool accepts", kind);
      return FALSE;
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  fuzz_channel_decode (data, size);
  return 0;
}
