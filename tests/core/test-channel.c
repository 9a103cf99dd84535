/* test-channel.c: the atomic message channel and its validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fy-channel.h"
#include "core/fy-channel-private.h"

#include "fy-test-process.h"

/* Mirrors the frame header of fy-channel.c, to forge hostile datagrams. */
typedef struct
{
  guint32 magic;
  guint8  kind;
  guint8  n_fds;
  guint16 type_len;
  guint64 body_size;
} Frame;

/* Mirrors the reference an arena frame carries instead of a body. */
typedef struct
{
  guint32 n_chunks;
  guint32 first_chunk;
  guint32 tag;
  guint32 reserved;
} ArenaRef;

#define MAGIC 0x68437946u
#define KIND_ARENA 3
#define CHUNK FY_CHANNEL_ARENA_CHUNK_SIZE

static void
make_raw_pair (FyChannel **channel,
               int        *raw)
{
  int sv[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
  *channel = fy_channel_new_from_fd (sv[0]);
  *raw = sv[1];
}

static void
send_raw (int           fd,
          const void   *data,
          gsize         len,
          const int    *fds,
          guint         n_fds)
{
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  char control[CMSG_SPACE (sizeof (int) * 4)] = { 0 };

  if (n_fds > 0)
    {
      struct cmsghdr *cmsg;

      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
      memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);
    }
  g_assert_cmpint (sendmsg (fd, &msg, MSG_NOSIGNAL), ==, (gssize) len);
}

static void
assert_invalid (FyChannel *channel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) message = NULL;

  message = fy_channel_receive (channel, 1.0, &fds, &error);
  g_assert_null (message);
  g_assert_null (fds);
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_INVALID);
}

static void
test_round_trip (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) received = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GUnixFDList) out_fds = NULL;
  int pipefd[2];
  char byte = 0;
  const char *text = NULL;
  gint64 number = 0;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fcntl (fy_channel_get_fd (a), F_GETFD), ==, FD_CLOEXEC);

  g_assert_no_errno (pipe2 (pipefd, O_CLOEXEC));
  fds = g_unix_fd_list_new ();
  g_assert_cmpint (g_unix_fd_list_append (fds, pipefd[1], &error), ==, 0);
  close (pipefd[1]);

  g_assert_true (fy_channel_send (a, g_variant_new ("(sx)", "hello", (gint64) 42), fds, &error));
  g_assert_no_error (error);
  g_assert_true (fy_channel_poll (b, 1.0));

  received = fy_channel_receive (b, -1, &out_fds, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (received, G_VARIANT_TYPE ("(sx)")));
  g_variant_get (received, "(&sx)", &text, &number);
  g_assert_cmpstr (text, ==, "hello");
  g_assert_cmpint (number, ==, 42);

  /* The fd that arrived is a working copy of the pipe's write end. */
  g_assert_cmpint (g_unix_fd_list_get_length (out_fds), ==, 1);
  g_assert_cmpint (write (g_unix_fd_list_peek_fds (out_fds, NULL)[0], "x", 1), ==, 1);
  g_assert_cmpint (read (pipefd[0], &byte, 1), ==, 1);
  g_assert_cmpint (byte, ==, 'x');
  close (pipefd[0]);
}

static void
test_large (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) received = NULL;
  g_autofree guint8 *data = NULL;
  gsize size = 3 * 1024 * 1024 + 7;
  gconstpointer got;
  gsize got_size = 0;

  data = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + 7);

  g_assert_true (fy_channel_new_pair (&a, &b, &error));
  g_assert_true (fy_channel_send (a, g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, size, 1),
                                  NULL, &error));
  g_assert_no_error (error);

  received = fy_channel_receive (b, 5.0, NULL, &error);
  g_assert_no_error (error);
  got = g_variant_get_fixed_array (received, &got_size, 1);
  g_assert_cmpmem (got, got_size, data, size);
}

static void
test_eof (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) received = NULL;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));
  g_assert_true (fy_channel_send (a, g_variant_new_uint32 (7), NULL, &error));
  fy_channel_close (a);

  /* What was sent before the close still arrives, then EOF. */
  received = fy_channel_receive (b, 1.0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint32 (received), ==, 7);
  g_clear_pointer (&received, g_variant_unref);

  received = fy_channel_receive (b, 1.0, NULL, &error);
  g_assert_null (received);
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
  g_clear_error (&error);

  /* Sending to a closed peer is EOF too, and no SIGPIPE kills us. */
  g_assert_false (fy_channel_send (b, g_variant_new_uint32 (8), NULL, &error));
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
  g_clear_error (&error);

  /* Using a closed end is an error, not a crash. */
  g_assert_false (fy_channel_send (a, g_variant_new_uint32 (9), NULL, &error));
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED);
}

static void
test_timeout (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) received = NULL;
  gint64 start;
  double elapsed;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));

  start = g_get_monotonic_time ();
  received = fy_channel_receive (b, 0.1, NULL, &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_null (received);
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_TIMED_OUT);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2.0);

  g_assert_false (fy_channel_poll (b, 0));
}

static void
test_invalid (void)
{
  g_autoptr(FyChannel) channel = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) good = NULL;
  Frame frame = { 0 };
  guint8 buf[64] = { 0 };
  g_autofree guint8 *huge = NULL;
  int raw;
  int memfd;
  int pipefd[2];

  make_raw_pair (&channel, &raw);

  /* Garbage bytes. */
  send_raw (raw, "garbage!garbage!garbage!", 24, NULL, 0);
  assert_invalid (channel);

  /* Too short for a header. */
  send_raw (raw, "x", 1, NULL, 0);
  assert_invalid (channel);

  /* A good header with an unknown kind. */
  frame.magic = MAGIC;
  frame.kind = 9;
  frame.type_len = 1;
  frame.body_size = 4;
  memcpy (buf, &frame, sizeof frame);
  memcpy (buf + 16, "u\0\0\0\0\0\0\0", 8);
  send_raw (raw, buf, 28, NULL, 0);
  assert_invalid (channel);

  /* A bad type string. */
  frame.kind = 1;
  memcpy (buf, &frame, sizeof frame);
  memcpy (buf + 16, "(\0\0\0\0\0\0\0", 8);
  send_raw (raw, buf, 28, NULL, 0);
  assert_invalid (channel);

  /* A body shorter than announced. */
  memcpy (buf + 16, "u\0\0\0\0\0\0\0", 8);
  send_raw (raw, buf, 26, NULL, 0);
  assert_invalid (channel);

  /* Fds the header does not announce. */
  g_assert_no_errno (pipe2 (pipefd, O_CLOEXEC));
  send_raw (raw, buf, 28, pipefd, 2);
  close (pipefd[0]);
  close (pipefd[1]);
  assert_invalid (channel);

  /* A datagram larger than any message can be: truncated. */
  huge = g_malloc0 (200 * 1024);
  memcpy (huge, &frame, sizeof frame);
  send_raw (raw, huge, 200 * 1024, NULL, 0);
  assert_invalid (channel);

  /* A memfd frame whose memfd is not sealed: the writer could change it
   * under us. */
  memfd = memfd_create ("test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  g_assert_cmpint (write (memfd, "abcd", 4), ==, 4);
  frame.kind = 2;
  memcpy (buf, &frame, sizeof frame);
  send_raw (raw, buf, 24, &memfd, 1);
  assert_invalid (channel);

  /* Sealed but of the wrong size. */
  g_assert_no_errno (fcntl (memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL));
  frame.body_size = 5;
  memcpy (buf, &frame, sizeof frame);
  send_raw (raw, buf, 24, &memfd, 1);
  assert_invalid (channel);

  /* Sealed and of the right size: accepted. */
  frame.body_size = 4;
  memcpy (buf, &frame, sizeof frame);
  send_raw (raw, buf, 24, &memfd, 1);
  close (memfd);
  good = fy_channel_receive (channel, 1.0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (good, G_VARIANT_TYPE_UINT32));
  g_clear_pointer (&good, g_variant_unref);

  /* After all that, the channel still works. */
  close (raw);
  good = fy_channel_receive (channel, 1.0, NULL, &error);
  g_assert_null (good);
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
}

/* Message @seq of a checkable stream: every byte follows from @seq. */
static void
pattern_fill (guint8  *data,
              gsize    size,
              guint32  seq)
{
  for (gsize j = 0; j < size; j++)
    data[j] = (guint8) (seq * 29 + j * 7 + (j >> 9));
}

static gboolean
pattern_check (const guint8 *data,
               gsize         size,
               guint32       seq)
{
  for (gsize j = 0; j < size; j++)
    if (data[j] != (guint8) (seq * 29 + j * 7 + (j >> 9)))
      return FALSE;
  return TRUE;
}

static GVariant *
pattern_message (gsize   size,
                 guint32 seq)
{
  guint8 *data = g_malloc (size);

  pattern_fill (data, size, seq);
  return g_variant_new ("(u@ay)", seq,
                        g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, data, size,
                                                 TRUE, g_free, data));
}

/* Asserts @message is pattern message @seq of @size bytes. */
static void
assert_pattern (GVariant *message,
                gsize     size,
                guint32   seq)
{
  g_autoptr(GVariant) bytes = NULL;
  const guint8 *data;
  gsize got_size = 0;
  guint32 got_seq = 0;

  g_assert_nonnull (message);
  g_assert_true (g_variant_is_of_type (message, G_VARIANT_TYPE ("(uay)")));
  g_variant_get (message, "(u@ay)", &got_seq, &bytes);
  data = g_variant_get_fixed_array (bytes, &got_size, 1);
  g_assert_cmpuint (got_seq, ==, seq);
  g_assert_cmpuint (got_size, ==, size);
  g_assert_true (pattern_check (data, got_size, seq));
}

/* Receives one datagram as it is on the wire. Returns its length. */
static gssize
recv_raw (int     fd,
          guint8 *buf,
          gsize   len,
          int    *fds,
          guint  *n_fds)
{
  struct iovec iov = { .iov_base = buf, .iov_len = len };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * 8)];
  } control;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  gssize n = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC);

  *n_fds = 0;
  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
      {
        guint count = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);

        memcpy (fds + *n_fds, CMSG_DATA (cmsg), sizeof (int) * count);
        *n_fds += count;
      }
  g_assert_cmpint (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC), ==, 0);
  return n;
}

/* An arena forged by hand, as a hostile or buggy sender would make it. */
typedef struct
{
  int      fd;
  guint8  *map;
  gsize    size;
  guint32  n_chunks;
} TestArena;

static void
test_arena_init (TestArena *arena,
                 guint32    n_chunks,
                 int        seals)
{
  arena->n_chunks = n_chunks;
  arena->size = FY_CHANNEL_ARENA_FILE_SIZE (n_chunks);
  arena->fd = memfd_create ("test-arena", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  g_assert_cmpint (arena->fd, >=, 0);
  g_assert_no_errno (ftruncate (arena->fd, arena->size));
  if (seals != 0)
    g_assert_no_errno (fcntl (arena->fd, F_ADD_SEALS, seals));
  arena->map = mmap (NULL, arena->size, PROT_READ | PROT_WRITE, MAP_SHARED, arena->fd, 0);
  g_assert_true (arena->map != MAP_FAILED);
}

static void
test_arena_clear (TestArena *arena)
{
  munmap (arena->map, arena->size);
  close (arena->fd);
}

static guint32 *
test_arena_tags (TestArena *arena)
{
  return (guint32 *) arena->map + FY_CHANNEL_ARENA_HEADER_WORDS;
}

static guint8 *
test_arena_chunk (TestArena *arena,
                  guint32    chunk)
{
  return arena->map + FY_CHANNEL_ARENA_HEADER_SIZE (arena->n_chunks) + (gsize) chunk * CHUNK;
}

/* Writes an "ay" body of @size bytes at @first and tags its chunks. */
static void
test_arena_put (TestArena *arena,
                guint32    first,
                gsize      size,
                guint32    tag,
                guint32    seq)
{
  guint32 n = (size + CHUNK - 1) / CHUNK;

  pattern_fill (test_arena_chunk (arena, first), size, seq);
  for (guint32 i = first; i < first + n; i++)
    test_arena_tags (arena)[i] = tag;
}

/* Sends an arena frame of type "ay" naming @ref, with @fds (the arena
 * first, normally). @ref_len < sizeof ArenaRef truncates the frame. */
static void
send_arena_frame (int             raw,
                  guint64         body_size,
                  const ArenaRef *ref,
                  gsize           ref_len,
                  const int      *fds,
                  guint           n_fds,
                  guint8          n_user_fds)
{
  guint8 buf[64] = { 0 };
  Frame frame = { 0 };

  frame.magic = MAGIC;
  frame.kind = KIND_ARENA;
  frame.n_fds = n_user_fds;
  frame.type_len = 2;
  frame.body_size = body_size;
  memcpy (buf, &frame, sizeof frame);
  memcpy (buf + 16, "ay\0\0\0\0\0\0", 8);
  memcpy (buf + 24, ref, ref_len);
  send_raw (raw, buf, 24 + ref_len, fds, n_fds);
}

static void
assert_bytes (FyChannel *channel,
              gsize      size,
              guint32    seq)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) message = NULL;
  const guint8 *data;
  gsize got_size = 0;

  message = fy_channel_receive (channel, 5.0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (message, G_VARIANT_TYPE_BYTESTRING));
  data = g_variant_get_fixed_array (message, &got_size, 1);
  g_assert_cmpuint (got_size, ==, size);
  g_assert_true (pattern_check (data, size, seq));
}

/* A large message goes out as an arena frame whose datagram is complete in
 * itself: forwarded as it is to another receiver, it arrives whole; the
 * receiver gives the chunks back; a replay of the same datagram is
 * refused, since its chunks are no longer in flight. */
static void
test_arena_wire (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(FyChannel) target = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) received = NULL;
  gsize size = 1024 * 1024 + 5;
  g_autofree guint8 *buf = g_malloc (4096);
  Frame frame;
  ArenaRef ref;
  guint8 *map;
  const guint32 *tags;
  int fds[8];
  guint n_fds = 0;
  gssize len;
  int raw;
  int seals;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));
  g_assert_true (fy_channel_send (a, pattern_message (size, 7), NULL, &error));
  g_assert_no_error (error);

  len = recv_raw (fy_channel_get_fd (b), buf, 4096, fds, &n_fds);
  g_assert_cmpint (len, ==, 16 + 8 + sizeof ref);
  g_assert_cmpuint (n_fds, ==, 1);
  memcpy (&frame, buf, sizeof frame);
  memcpy (&ref, buf + 24, sizeof ref);
  g_assert_cmpuint (frame.kind, ==, KIND_ARENA);
  g_assert_cmpuint (frame.n_fds, ==, 0);
  g_assert_cmpuint (frame.body_size, >, size);
  g_assert_cmpuint (ref.n_chunks, ==, FY_CHANNEL_ARENA_CHUNKS);
  g_assert_cmpuint (ref.tag, !=, 0);

  /* Sealed against resizing, of exactly the announced size. */
  seals = fcntl (fds[0], F_GET_SEALS);
  g_assert_cmpint (seals & (F_SEAL_SHRINK | F_SEAL_GROW), ==, F_SEAL_SHRINK | F_SEAL_GROW);
  g_assert_cmpint (lseek (fds[0], 0, SEEK_END), ==, (off_t) FY_CHANNEL_ARENA_FILE_SIZE (ref.n_chunks));

  make_raw_pair (&target, &raw);
  send_raw (raw, buf, len, fds, 1);
  received = fy_channel_receive (target, 5.0, NULL, &error);
  g_assert_no_error (error);
  assert_pattern (received, size, 7);

  /* The chunks were handed back. */
  map = mmap (NULL, FY_CHANNEL_ARENA_FILE_SIZE (ref.n_chunks), PROT_READ, MAP_SHARED, fds[0], 0);
  g_assert_true (map != MAP_FAILED);
  tags = (const guint32 *) map + FY_CHANNEL_ARENA_HEADER_WORDS;
  for (guint32 i = ref.first_chunk; i < ref.first_chunk + (frame.body_size + CHUNK - 1) / CHUNK; i++)
    g_assert_cmpuint (tags[i], ==, 0);
  munmap (map, FY_CHANNEL_ARENA_FILE_SIZE (ref.n_chunks));

  send_raw (raw, buf, len, fds, 1);
  close (fds[0]);
  assert_invalid (target);
  close (raw);
}

/* Hostile arena frames: every offset, length, geometry and fd is checked,
 * each bad frame is INVALID, no fd that came with one stays open, and the
 * channel keeps working. */
static void
test_arena_invalid (void)
{
  g_autoptr(FyChannel) channel = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) good = NULL;
  TestArena arena;
  TestArena unsealed;
  ArenaRef ref = { 0 };
  const guint32 n_chunks = 8;
  const gsize size = 2 * CHUNK + 100;   /* three chunks */
  const guint8 *data;
  guint8 saved;
  gsize got_size = 0;
  int write_sealed;
  int pipefd[2];
  int fds[2];
  int raw;
  guint n_open;

  make_raw_pair (&channel, &raw);
  test_arena_init (&arena, n_chunks, F_SEAL_SHRINK | F_SEAL_GROW);
  n_open = fy_test_count_open_fds ();
  test_arena_put (&arena, 2, size, 42, 1);
  ref.n_chunks = n_chunks;
  ref.first_chunk = 2;
  ref.tag = 42;

  /* Starts past the end. */
  ref.first_chunk = n_chunks;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);

  /* Starts inside but runs past the end. */
  ref.first_chunk = n_chunks - 2;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  ref.first_chunk = G_MAXUINT32;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  ref.first_chunk = 2;

  /* Empty, larger than the arena, or of a size whose last chunk is not
   * the one tagged. */
  send_arena_frame (raw, 0, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  send_arena_frame (raw, (guint64) n_chunks * CHUNK + 1, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  send_arena_frame (raw, G_MAXUINT64, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  send_arena_frame (raw, 4 * CHUNK, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);

  /* Geometry that does not match the file, or impossible geometry. */
  ref.n_chunks = n_chunks + 1;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  ref.n_chunks = 0;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  ref.n_chunks = G_MAXUINT32;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  ref.n_chunks = n_chunks;

  /* Chunks not tagged for this message: a wrong tag, tag zero, a reserved
   * field in use. */
  ref.tag = 43;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  ref.tag = 0;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  ref.tag = 42;
  ref.reserved = 1;
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);
  ref.reserved = 0;

  /* A truncated reference, no arena fd, a pipe for an arena. */
  send_arena_frame (raw, size, &ref, sizeof ref - 4, &arena.fd, 1, 0);
  assert_invalid (channel);
  send_arena_frame (raw, size, &ref, sizeof ref, NULL, 0, 0);
  assert_invalid (channel);
  g_assert_no_errno (pipe2 (pipefd, O_CLOEXEC));
  send_arena_frame (raw, size, &ref, sizeof ref, pipefd, 1, 0);
  assert_invalid (channel);

  /* More fds than the frame announces, and fewer. */
  fds[0] = arena.fd;
  fds[1] = pipefd[1];
  send_arena_frame (raw, size, &ref, sizeof ref, fds, 2, 0);
  assert_invalid (channel);
  send_arena_frame (raw, size, &ref, sizeof ref, fds, 1, 1);
  assert_invalid (channel);
  close (pipefd[0]);
  close (pipefd[1]);

  /* An arena that could shrink under the receiver's mapping. */
  test_arena_init (&unsealed, n_chunks, 0);
  test_arena_put (&unsealed, 2, size, 42, 1);
  send_arena_frame (raw, size, &ref, sizeof ref, &unsealed.fd, 1, 0);
  assert_invalid (channel);
  test_arena_clear (&unsealed);

  /* One sealed against writes: the receiver cannot hand chunks back. */
  write_sealed = memfd_create ("test-arena", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  g_assert_no_errno (ftruncate (write_sealed, FY_CHANNEL_ARENA_FILE_SIZE (n_chunks)));
  g_assert_no_errno (fcntl (write_sealed, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE));
  send_arena_frame (raw, size, &ref, sizeof ref, &write_sealed, 1, 0);
  assert_invalid (channel);
  close (write_sealed);

  /* After all that, a good frame is accepted and its chunks handed back. */
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  good = fy_channel_receive (channel, 5.0, NULL, &error);
  g_assert_no_error (error);
  data = g_variant_get_fixed_array (good, &got_size, 1);
  g_assert_cmpuint (got_size, ==, size);
  g_assert_true (pattern_check (data, size, 1));
  for (guint32 i = 0; i < n_chunks; i++)
    g_assert_cmpuint (test_arena_tags (&arena)[i], ==, 0);

  /* The sender scribbling on its arena afterwards changes nothing. */
  saved = data[0];
  memset (test_arena_chunk (&arena, 2), 0xee, size);
  g_assert_cmpuint (data[0], ==, saved);
  g_assert_true (pattern_check (data, size, 1));

  /* A replay of the same frame: its chunks are no longer in flight. */
  send_arena_frame (raw, size, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_invalid (channel);

  /* A second message in other chunks of the same (now mapped) arena. */
  test_arena_put (&arena, 5, CHUNK, 44, 2);
  ref.first_chunk = 5;
  ref.tag = 44;
  send_arena_frame (raw, CHUNK, &ref, sizeof ref, &arena.fd, 1, 0);
  assert_bytes (channel, CHUNK, 2);
  g_assert_cmpuint (fy_test_count_open_fds (), ==, n_open);

  test_arena_clear (&arena);
  close (raw);
  g_clear_pointer (&good, g_variant_unref);
  good = fy_channel_receive (channel, 1.0, NULL, &error);
  g_assert_null (good);
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
}

/* Sizes of the stream: inline, arena (most) and memfd messages. */
static gsize
stream_size (guint32 seq)
{
  static const gsize sizes[] = { 100, 64 * 1024 + 1, 200 * 1024, 1024 * 1024,
                                 FY_CHANNEL_ARENA_MAX_MESSAGE - 64,
                                 FY_CHANNEL_ARENA_MAX_MESSAGE + 1000, 700 * 1024 };

  return sizes[seq % G_N_ELEMENTS (sizes)] + seq % 13;
}

typedef struct
{
  FyChannel *channel;
  guint      n_messages;
} StreamJob;

static gpointer
stream_thread (gpointer user_data)
{
  StreamJob *job = user_data;

  for (guint32 seq = 0; seq < job->n_messages; seq++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (fy_channel_send (job->channel, pattern_message (stream_size (seq), seq),
                                      NULL, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

/* Many large messages in a row, while the receiver keeps up: every one
 * arrives whole and in order, whichever path it took. */
static void
test_arena_many (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  StreamJob job;
  GThread *thread;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));
  job.channel = a;
  job.n_messages = 300;
  thread = g_thread_new ("sender", stream_thread, &job);

  for (guint32 seq = 0; seq < job.n_messages; seq++)
    {
      g_autoptr(GVariant) message = fy_channel_receive (b, 30.0, NULL, &error);

      g_assert_no_error (error);
      assert_pattern (message, stream_size (seq), seq);
    }
  g_thread_join (thread);
}

/* Two senders on one socket, each with its own arena, interleaved. */
static void
test_arena_two_senders (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) a2 = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));
  a2 = fy_channel_new_from_fd (fcntl (fy_channel_get_fd (a), F_DUPFD_CLOEXEC, 0));

  for (guint32 seq = 0; seq < 40; seq++)
    {
      g_autoptr(GVariant) message = NULL;

      g_assert_true (fy_channel_send (seq % 2 ? a2 : a, pattern_message (300 * 1024, seq),
                                      NULL, &error));
      g_assert_no_error (error);
      message = fy_channel_receive (b, 5.0, NULL, &error);
      g_assert_no_error (error);
      assert_pattern (message, 300 * 1024, seq);
    }
}

/* Large messages carry fds like small ones. */
static void
test_arena_fds (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));

  for (guint32 seq = 0; seq < 20; seq++)
    {
      g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
      g_autoptr(GUnixFDList) out_fds = NULL;
      g_autoptr(GVariant) message = NULL;
      const int *got;
      int pipefd[2];
      char byte = 0;

      g_assert_no_errno (pipe2 (pipefd, O_CLOEXEC));
      g_assert_cmpint (g_unix_fd_list_append (fds, pipefd[1], &error), ==, 0);
      g_assert_cmpint (g_unix_fd_list_append (fds, pipefd[0], &error), ==, 1);
      close (pipefd[0]);
      close (pipefd[1]);

      g_assert_true (fy_channel_send (a, pattern_message (512 * 1024 + seq, seq), fds, &error));
      g_assert_no_error (error);
      message = fy_channel_receive (b, 5.0, &out_fds, &error);
      g_assert_no_error (error);
      assert_pattern (message, 512 * 1024 + seq, seq);

      /* Both ends of the pipe arrived, in order, and work. */
      g_assert_cmpint (g_unix_fd_list_get_length (out_fds), ==, 2);
      got = g_unix_fd_list_peek_fds (out_fds, NULL);
      g_assert_cmpint (write (got[0], "y", 1), ==, 1);
      g_assert_cmpint (read (got[1], &byte, 1), ==, 1);
      g_assert_cmpint (byte, ==, 'y');
    }
}

/* A receiver that does not read never blocks the sender for long: once the
 * arena is full the messages take the memfd path, and all still arrive in
 * order. A receiver that is gone is EOF, not a hang. */
static void
test_arena_full (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = 40;
  gint64 start;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));

  start = g_get_monotonic_time ();
  for (guint32 seq = 0; seq < n; seq++)
    {
      g_assert_true (fy_channel_send (a, pattern_message (1024 * 1024, seq), NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, <, 20.0);

  for (guint32 seq = 0; seq < n; seq++)
    {
      g_autoptr(GVariant) message = fy_channel_receive (b, 5.0, NULL, &error);

      g_assert_no_error (error);
      assert_pattern (message, 1024 * 1024, seq);
    }

  /* Fill the arena again, then the receiver goes away. */
  for (guint32 seq = 0; seq < 10; seq++)
    g_assert_true (fy_channel_send (a, pattern_message (1024 * 1024, seq), NULL, &error));
  fy_channel_close (b);
  start = g_get_monotonic_time ();
  g_assert_false (fy_channel_send (a, pattern_message (1024 * 1024, 99), NULL, &error));
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
  g_assert_cmpfloat ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, <, 5.0);
}

/* A writer SIGKILLed at a random point while it streams large messages:
 * what arrives is whole and in order, then EOF; never part of a message.
 * (This test program has no other threads while it forks.) */
static void
test_arena_killed_writer (void)
{
  guint total = 0;

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(FyChannel) a = NULL;
      g_autoptr(FyChannel) b = NULL;
      g_autoptr(GError) error = NULL;
      guint32 expected = 0;
      int status = 0;
      pid_t pid;

      g_assert_true (fy_channel_new_pair (&a, &b, &error));
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          fy_channel_close (b);
          for (guint32 seq = 0;; seq++)
            if (!fy_channel_send (a, pattern_message (stream_size (seq), seq), NULL, NULL))
              _exit (1);
        }
      fy_channel_close (a);

      g_usleep (g_test_rand_int_range (0, 30000));
      g_assert_no_errno (kill (pid, SIGKILL));

      for (;;)
        {
          g_autoptr(GVariant) message = fy_channel_receive (b, 30.0, NULL, &error);

          if (message == NULL)
            {
              g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
              break;
            }
          assert_pattern (message, stream_size (expected), expected);
          expected++;
        }

      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      total += expected;
    }

  g_test_message ("%u whole messages received across 20 killed writers", total);
}

/* fy_channel_try_send () on a full socket: WOULD_BLOCK at once, nothing
 * sent, not even a large message's arena chunks held; once the reader
 * reads, sending goes on, and everything arrives whole and in order. */
static void
test_try_send_full (void)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  guint32 n = 0;

  g_assert_true (fy_channel_new_pair (&a, &b, &error));
  for (;;)
    {
      g_assert_cmpuint (n, <, 100000);
      if (!fy_channel_try_send (a, pattern_message (4096, n), NULL, &error))
        break;
      n++;
    }
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_WOULD_BLOCK);
  g_clear_error (&error);
  g_assert_cmpuint (n, >, 0);

  /* Through the arena, or a memfd: still refused, and nothing waited for. */
  g_assert_false (fy_channel_try_send (a, pattern_message (1024 * 1024, 1000000), NULL, &error));
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  for (guint32 seq = 0; seq < n; seq++)
    {
      g_autoptr(GVariant) message = fy_channel_receive (b, 5.0, NULL, &error);

      g_assert_no_error (error);
      assert_pattern (message, 4096, seq);
      /* Room again: the large one goes now, after what came before it. */
      if (seq == n / 2)
        {
          g_assert_true (fy_channel_try_send (a, pattern_message (1024 * 1024, 1000000), NULL, &error));
          g_assert_no_error (error);
        }
    }
  {
    g_autoptr(GVariant) message = fy_channel_receive (b, 5.0, NULL, &error);

    g_assert_no_error (error);
    assert_pattern (message, 1024 * 1024, 1000000);
  }
  g_assert_false (fy_channel_poll (b, 0));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/channel/round-trip", test_round_trip);
  g_test_add_func ("/core/channel/large", test_large);
  g_test_add_func ("/core/channel/eof", test_eof);
  g_test_add_func ("/core/channel/timeout", test_timeout);
  g_test_add_func ("/core/channel/invalid", test_invalid);
  g_test_add_func ("/core/channel/arena/wire", test_arena_wire);
  g_test_add_func ("/core/channel/arena/invalid", test_arena_invalid);
  g_test_add_func ("/core/channel/arena/many", test_arena_many);
  g_test_add_func ("/core/channel/arena/two-senders", test_arena_two_senders);
  g_test_add_func ("/core/channel/arena/fds", test_arena_fds);
  g_test_add_func ("/core/channel/arena/full", test_arena_full);
  g_test_add_func ("/core/channel/arena/killed-writer", test_arena_killed_writer);
  g_test_add_func ("/core/channel/try-send-full", test_try_send_full);

  return g_test_run ();
}
