/* test-channel.c: the atomic message channel and its validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fy-channel.h"

/* Mirrors the frame header of fy-channel.c, to forge hostile datagrams. */
typedef struct
{
  guint32 magic;
  guint8  kind;
  guint8  n_fds;
  guint16 type_len;
  guint64 body_size;
} Frame;

#define MAGIC 0x68437946u

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

  return g_test_run ();
}
