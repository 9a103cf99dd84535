/* fy-channel.c: atomic GVariant messages over a SOCK_SEQPACKET socket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Wire format of one datagram:
 *
 *   FyFrame header (16 bytes) | type string, NUL-padded to 8 | body
 *
 * An inline frame carries the serialised GVariant as its body. A memfd frame
 * has no body: the serialised GVariant is the content of a sealed memfd, the
 * first fd of the datagram's SCM_RIGHTS. The caller's own fds follow it. The
 * receiver trusts nothing: magic, kind, type string, sizes, fd count and
 * seals are all checked, and GVariant itself copes with any body bytes.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fy-channel.h"
#include "fy-channel-private.h"

#define FY_FRAME_MAGIC 0x68437946u /* "FyCh" in memory order on little endian */

enum
{
  FY_FRAME_INLINE = 1,
  FY_FRAME_MEMFD = 2,
};

/* Seals a memfd must carry before its content can be trusted not to change
 * under the reader. */
#define FY_REQUIRED_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)

/* SCM_MAX_FD in the kernel: more fds than this never arrive in one message. */
#define FY_MAX_FDS 253

typedef struct
{
  guint32 magic;
  guint8  kind;
  guint8  n_fds;      /* the caller's fds, not counting the memfd */
  guint16 type_len;   /* bytes of the type string, without its NUL */
  guint64 body_size;  /* inline body or memfd content */
} FyFrame;

G_STATIC_ASSERT (sizeof (FyFrame) == 16);

struct _FyChannel
{
  gatomicrefcount ref_count;
  int             fd;
  guint8         *buffer;   /* receive buffer, allocated on first receive */
};

#define FY_RECEIVE_BUFFER_SIZE (sizeof (FyFrame) + FY_MAX_TYPE_LEN + 8 + FY_CHANNEL_INLINE_MAX)

G_DEFINE_QUARK (fy-channel-error-quark, fy_channel_error)

static gboolean
set_error_from_errno (GError     **error,
                      int          saved_errno,
                      const char  *what)
{
  if (saved_errno == EPIPE || saved_errno == ECONNRESET)
    g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF,
                 "%s: the peer closed its end", what);
  else
    g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                 "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
check_open (FyChannel  *self,
            GError    **error)
{
  if (self->fd >= 0)
    return TRUE;
  g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                       "The channel is closed");
  return FALSE;
}

static void
close_fds (const int *fds,
           guint      n_fds)
{
  for (guint i = 0; i < n_fds; i++)
    if (fds[i] >= 0)
      close (fds[i]);
}

static gint64
deadline_from_timeout (double timeout_seconds)
{
  if (timeout_seconds < 0)
    return -1;
  return g_get_monotonic_time () + (gint64) (timeout_seconds * G_USEC_PER_SEC);
}

/* Waits for @fd to become readable (or hung up) before @deadline (-1: never
 * give up). Restarts after signals with the time that is left. */
static gboolean
wait_readable (int    fd,
               gint64 deadline)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int timeout_ms = -1;
      int r;

      if (deadline >= 0)
        {
          gint64 left = deadline - g_get_monotonic_time ();

          /* Round up so that a short wait is never a busy loop of zeros. */
          timeout_ms = left <= 0 ? 0 : (int) MIN ((left + 999) / 1000, G_MAXINT);
        }

      r = poll (&pfd, 1, timeout_ms);
      if (r > 0)
        return TRUE;
      if (r == 0)
        {
          if (deadline < 0 || g_get_monotonic_time () >= deadline)
            return FALSE;
          continue;
        }
      if (errno != EINTR)
        return TRUE; /* let recvmsg () report the real error */
    }
}

static int
create_sealed_memfd (GVariant  *message,
                     GError   **error)
{
  const guint8 *data = g_variant_get_data (message);
  gsize size = g_variant_get_size (message);
  gsize done = 0;
  int fd;

  fd = memfd_create ("forkyard-message", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    {
      set_error_from_errno (error, errno, "memfd_create");
      return -1;
    }

  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          set_error_from_errno (error, n < 0 ? errno : ENOSPC, "Writing a message memfd");
          close (fd);
          return -1;
        }
      done += n;
    }

  if (fcntl (fd, F_ADD_SEALS, FY_REQUIRED_SEALS) < 0)
    {
      set_error_from_errno (error, errno, "Sealing a message memfd");
      close (fd);
      return -1;
    }

  return fd;
}

static gboolean
send_frame (FyChannel   *self,
            GVariant    *message,
            gboolean     use_memfd,
            const int   *user_fds,
            guint        n_user_fds,
            GError     **error)
{
  const char *type = g_variant_get_type_string (message);
  gsize type_len = strlen (type);
  gsize type_padded = (type_len + 1 + 7) & ~(gsize) 7;
  char type_buf[FY_MAX_TYPE_LEN + 8] = { 0 };
  FyFrame frame = { 0 };
  struct iovec iov[3];
  struct msghdr msg = { 0 };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * FY_MAX_FDS)];
  } control;
  int memfd = -1;
  guint n_fds = 0;
  gboolean ret = FALSE;

  if (type_len > FY_MAX_TYPE_LEN)
    {
      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "Message type is too long (%" G_GSIZE_FORMAT " characters)", type_len);
      return FALSE;
    }
  if (n_user_fds + 1 > FY_MAX_FDS)
    {
      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "Too many file descriptors in one message (%u)", n_user_fds);
      return FALSE;
    }

  memcpy (type_buf, type, type_len);

  frame.magic = FY_FRAME_MAGIC;
  frame.kind = use_memfd ? FY_FRAME_MEMFD : FY_FRAME_INLINE;
  frame.n_fds = n_user_fds;
  frame.type_len = type_len;
  frame.body_size = g_variant_get_size (message);

  iov[0].iov_base = &frame;
  iov[0].iov_len = sizeof frame;
  iov[1].iov_base = type_buf;
  iov[1].iov_len = type_padded;
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;

  if (use_memfd)
    {
      memfd = create_sealed_memfd (message, error);
      if (memfd < 0)
        return FALSE;
    }
  else if (frame.body_size > 0)
    {
      iov[2].iov_base = (gpointer) g_variant_get_data (message);
      iov[2].iov_len = frame.body_size;
      msg.msg_iovlen = 3;
    }

  n_fds = n_user_fds + (memfd >= 0 ? 1 : 0);
  if (n_fds > 0)
    {
      struct cmsghdr *cmsg;
      int *out;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
      out = (int *) CMSG_DATA (cmsg);
      if (memfd >= 0)
        *out++ = memfd;
      if (n_user_fds > 0)
        memcpy (out, user_fds, sizeof (int) * n_user_fds);
    }

  for (;;)
    {
      if (sendmsg (self->fd, &msg, MSG_NOSIGNAL) >= 0)
        {
          ret = TRUE;
          break;
        }
      if (errno == EINTR)
        continue;
      if (errno == EMSGSIZE && !use_memfd)
        {
          /* A socket with a small send buffer: the memfd path always fits. */
          ret = send_frame (self, message, TRUE, user_fds, n_user_fds, error);
          break;
        }
      set_error_from_errno (error, errno, "Sending a message");
      break;
    }

  if (memfd >= 0)
    close (memfd);
  return ret;
}

/* g_bytes_new_with_free_func () gives the free function only the user data,
 * so the mapping's address and length travel together. */
typedef struct
{
  gpointer data;
  gsize    size;
} FyMapping;

static void
mapping_free (gpointer user_data)
{
  FyMapping *mapping = user_data;

  munmap (mapping->data, mapping->size);
  g_free (mapping);
}

static GBytes *
bytes_from_memfd (int      memfd,
                  guint64  size,
                  GError **error)
{
  struct stat st;
  int seals;
  FyMapping *mapping;

  seals = fcntl (memfd, F_GET_SEALS);
  if (seals < 0 || (seals & FY_REQUIRED_SEALS) != FY_REQUIRED_SEALS)
    {
      g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_INVALID,
                           "Message memfd is not sealed");
      return NULL;
    }
  if (fstat (memfd, &st) < 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size != size)
    {
      g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_INVALID,
                           "Message memfd has the wrong size");
      return NULL;
    }
  if (size == 0)
    return g_bytes_new (NULL, 0);

  mapping = g_new (FyMapping, 1);
  mapping->size = size;
  /* Populated up front: one call instead of a page fault per page, and the
   * receiver is about to read it all anyway. */
  mapping->data = mmap (NULL, size, PROT_READ, MAP_SHARED | MAP_POPULATE, memfd, 0);
  if (mapping->data == MAP_FAILED)
    {
      g_free (mapping);
      set_error_from_errno (error, errno, "Mapping a message memfd");
      return NULL;
    }

  /* The mapping outlives the fd; the seals guarantee it never changes. */
  return g_bytes_new_with_free_func (mapping->data, size, mapping_free, mapping);
}

static GVariant *
invalid (GError     **error,
         const char  *why)
{
  g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_INVALID,
               "Invalid message: %s", why);
  return NULL;
}

static GVariant *
parse_frame (const guint8  *buf,
             gsize          len,
             int           *fds,
             guint          n_fds,
             GUnixFDList  **out_fds,
             GError       **error)
{
  FyFrame frame;
  gsize type_padded;
  char type[FY_MAX_TYPE_LEN + 1];
  g_autoptr(GBytes) body = NULL;
  guint n_extra;
  GVariant *message;

  if (len < sizeof frame)
    return invalid (error, "datagram too short");
  memcpy (&frame, buf, sizeof frame);
  if (frame.magic != FY_FRAME_MAGIC)
    return invalid (error, "bad magic");
  if (frame.kind != FY_FRAME_INLINE && frame.kind != FY_FRAME_MEMFD)
    return invalid (error, "unknown frame kind");
  if (frame.type_len == 0 || frame.type_len > FY_MAX_TYPE_LEN)
    return invalid (error, "bad type length");

  type_padded = (frame.type_len + 1 + 7) & ~(gsize) 7;
  if (len < sizeof frame + type_padded)
    return invalid (error, "truncated type");
  memcpy (type, buf + sizeof frame, frame.type_len);
  type[frame.type_len] = '\0';
  if (!g_variant_type_string_is_valid (type) ||
      !g_variant_type_is_definite ((const GVariantType *) type))
    return invalid (error, "bad type string");

  n_extra = frame.kind == FY_FRAME_MEMFD ? 1 : 0;
  if (n_fds != frame.n_fds + n_extra)
    return invalid (error, "unexpected file descriptors");
  if (frame.n_fds > 0 && out_fds == NULL)
    return invalid (error, "file descriptors nobody expected");

  if (frame.kind == FY_FRAME_INLINE)
    {
      if (len != sizeof frame + type_padded + frame.body_size)
        return invalid (error, "body size mismatch");
      body = g_bytes_new (buf + sizeof frame + type_padded, frame.body_size);
    }
  else
    {
      if (len != sizeof frame + type_padded)
        return invalid (error, "memfd frame with a body");
      body = bytes_from_memfd (fds[0], frame.body_size, error);
      if (body == NULL)
        return NULL;
    }

  /* Not trusted: GVariant checks offsets on access and never reads outside
   * the body, whatever bytes the peer put there. */
  message = g_variant_new_from_bytes ((const GVariantType *) type, body, FALSE);
  g_variant_ref_sink (message);

  if (n_extra > 0)
    {
      close (fds[0]);
      fds[0] = -1;
    }
  if (out_fds != NULL)
    *out_fds = g_unix_fd_list_new_from_array (fds + n_extra, frame.n_fds);

  return message;
}

gboolean
fy_channel_new_pair (FyChannel  **end_a,
                     FyChannel  **end_b,
                     GError     **error)
{
  int sv[2];

  g_return_val_if_fail (end_a != NULL && end_b != NULL, FALSE);

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return set_error_from_errno (error, errno, "socketpair");

  *end_a = fy_channel_new_from_fd (sv[0]);
  *end_b = fy_channel_new_from_fd (sv[1]);
  return TRUE;
}

FyChannel *
fy_channel_new_from_fd (int fd)
{
  FyChannel *self;

  g_return_val_if_fail (fd >= 0, NULL);

  self = g_new0 (FyChannel, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->fd = fd;
  return self;
}

FyChannel *
fy_channel_ref (FyChannel *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
fy_channel_unref (FyChannel *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  fy_channel_close (self);
  g_free (self->buffer);
  g_free (self);
}

int
fy_channel_get_fd (FyChannel *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->fd;
}

int
fy_channel_steal_fd (FyChannel *self)
{
  int fd;

  g_return_val_if_fail (self != NULL, -1);
  fd = self->fd;
  self->fd = -1;
  return fd;
}

void
fy_channel_close (FyChannel *self)
{
  g_return_if_fail (self != NULL);

  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
}

gboolean
fy_channel_send (FyChannel    *self,
                 GVariant     *message,
                 GUnixFDList  *fds,
                 GError      **error)
{
  g_autoptr(GVariant) owned = NULL;
  const int *user_fds = NULL;
  int n_user_fds = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (fds == NULL || G_IS_UNIX_FD_LIST (fds), FALSE);

  owned = g_variant_ref_sink (message);
  if (!check_open (self, error))
    return FALSE;

  if (fds != NULL)
    user_fds = g_unix_fd_list_peek_fds (fds, &n_user_fds);

  return send_frame (self, owned, g_variant_get_size (owned) > FY_CHANNEL_INLINE_MAX,
                     user_fds, n_user_fds, error);
}

GVariant *
fy_channel_receive (FyChannel     *self,
                    double         timeout_seconds,
                    GUnixFDList  **out_fds,
                    GError       **error)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * FY_MAX_FDS)];
  } control;
  int fds[FY_MAX_FDS];
  guint n_fds = 0;
  struct iovec iov;
  struct msghdr msg;
  ssize_t n;
  int flags = MSG_CMSG_CLOEXEC;
  gint64 deadline = deadline_from_timeout (timeout_seconds);
  GVariant *message;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (out_fds == NULL || *out_fds == NULL, NULL);

  if (!check_open (self, error))
    return NULL;

  if (self->buffer == NULL)
    self->buffer = g_malloc (FY_RECEIVE_BUFFER_SIZE);

  /* A timed receive polls first and then never blocks in recvmsg (), so a
   * second reader that wins the race cannot stall us past the deadline. */
  if (deadline >= 0)
    flags |= MSG_DONTWAIT;

  for (;;)
    {
      if (deadline >= 0 && !wait_readable (self->fd, deadline))
        {
          g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_TIMED_OUT,
                               "No message arrived in time");
          return NULL;
        }

      iov.iov_base = self->buffer;
      iov.iov_len = FY_RECEIVE_BUFFER_SIZE;
      memset (&msg, 0, sizeof msg);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;

      n = recvmsg (self->fd, &msg, flags);
      if (n >= 0)
        break;
      if (errno == EINTR)
        continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && deadline >= 0)
        continue;
      if (errno == ECONNRESET)
        {
          g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF,
                               "The peer closed its end");
          return NULL;
        }
      set_error_from_errno (error, errno, "Receiving a message");
      return NULL;
    }

  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
    {
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        {
          guint count = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);

          count = MIN (count, FY_MAX_FDS - n_fds);
          memcpy (fds + n_fds, CMSG_DATA (cmsg), sizeof (int) * count);
          n_fds += count;
        }
    }

  /* Nothing arrived but the end of the stream: we never send empty
   * datagrams, so a zero-length read is the peer's close. */
  if (n == 0 && n_fds == 0 && !(msg.msg_flags & MSG_TRUNC))
    {
      g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF,
                           "The peer closed its end");
      return NULL;
    }

  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
    {
      close_fds (fds, n_fds);
      return invalid (error, (msg.msg_flags & MSG_TRUNC) ? "datagram too large" : "too many file descriptors");
    }

  message = parse_frame (self->buffer, n, fds, n_fds, out_fds, error);
  if (message == NULL)
    close_fds (fds, n_fds);
  return message;
}

gboolean
fy_channel_poll (FyChannel *self,
                 double     timeout_seconds)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->fd < 0)
    return FALSE;
  return wait_readable (self->fd, deadline_from_timeout (timeout_seconds));
}
