/* test-pipe.c: FyPipe, alone and between processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "core/fy-pipe.h"
#include "core/fy-process.h"

#include "fy-test-process.h"

/* Starts @function with @end as its fd 0; our copy of @end is closed so
 * that the child's is the only one left. */
static FyProcess *
start_with_pipe (const char *function,
                 GVariant   *argument,
                 FyPipe     *end)
{
  g_autoptr(GError) error = NULL;
  FyProcess *process = fy_process_new (function, argument);

  g_assert_cmpuint (fy_process_add_fd (process, fy_pipe_get_fd (end)), ==, 0);
  fy_pipe_close (end);
  g_assert_true (fy_process_start (process, &error));
  g_assert_no_error (error);
  return process;
}

static void
test_poll_timeout (void)
{
  g_autoptr(FyPipe) a = NULL;
  g_autoptr(FyPipe) b = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  double elapsed;

  g_assert_true (fy_pipe_new_pair (TRUE, &a, &b, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_false (fy_pipe_poll (a, 0.1));
  elapsed = fy_test_seconds_since (start);
  g_assert_cmpfloat (elapsed, >=, 0.09);
  g_assert_cmpfloat (elapsed, <, 2.0);

  g_assert_false (fy_pipe_poll (a, 0));
  g_assert_true (fy_pipe_send (b, g_variant_new_string ("ping"), &error));
  g_assert_true (fy_pipe_poll (a, 0));
  g_assert_true (fy_pipe_poll (a, 1.0));
}

static GBytes *
make_pattern (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i ^ (i >> 11) ^ (i >> 19));
  return g_bytes_new_take (data, size);
}

static void
test_large_round_trip (void)
{
  g_autoptr(FyPipe) ours = NULL;
  g_autoptr(FyPipe) theirs = NULL;
  g_autoptr(FyProcess) echo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sent = make_pattern (16 * 1024 * 1024);
  g_autoptr(GBytes) received = NULL;
  g_autoptr(GVariant) count = NULL;

  g_assert_true (fy_pipe_new_pair (TRUE, &ours, &theirs, &error));
  echo = start_with_pipe ("pipe-echo", NULL, theirs);

  /* Through another process and back: 16 MiB out, 16 MiB in. */
  g_assert_true (fy_pipe_send_bytes (ours, sent, &error));
  g_assert_no_error (error);
  received = fy_pipe_recv_bytes (ours, 60.0, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (sent, received));

  fy_pipe_close (ours);
  fy_test_join_ok (echo);
  count = fy_process_get_result (echo, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint64 (count), ==, 1);
}

static void
test_eof (void)
{
  g_autoptr(FyPipe) a = NULL;
  g_autoptr(FyPipe) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) message = NULL;

  g_assert_true (fy_pipe_new_pair (TRUE, &a, &b, &error));
  g_assert_true (fy_pipe_send (b, g_variant_new_int32 (5), &error));
  fy_pipe_close (b);
  g_assert_true (fy_pipe_is_closed (b));

  message = fy_pipe_recv (a, 5.0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (message), ==, 5);

  /* poll () says "ready" for EOF too, so a reader never waits forever. */
  g_assert_true (fy_pipe_poll (a, 0));
  g_assert_null (fy_pipe_recv (a, 5.0, &error));
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
  g_clear_error (&error);

  /* This end is closed: its own operations fail cleanly. */
  g_assert_false (fy_pipe_send (b, g_variant_new_int32 (6), &error));
  g_assert_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_CLOSED);
}

static void
test_eof_from_child (void)
{
  g_autoptr(FyPipe) reader = NULL;
  g_autoptr(FyPipe) writer = NULL;
  g_autoptr(FyProcess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) message = NULL;

  /* The child exits without writing: once its copy is gone, EOF. */
  g_assert_true (fy_pipe_new_pair (FALSE, &reader, &writer, &error));
  child = start_with_pipe ("exit", g_variant_new_int32 (0), writer);
  message = fy_pipe_recv (reader, 30.0, &error);
  g_assert_null (message);
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
  fy_test_join_ok (child);
}

static void
test_wrong_end (void)
{
  g_autoptr(FyPipe) reader = NULL;
  g_autoptr(FyPipe) writer = NULL;
  g_autoptr(FyPipe) reopened = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) message = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("abc", 3);

  g_assert_true (fy_pipe_new_pair (FALSE, &reader, &writer, &error));
  g_assert_cmpint (fy_pipe_get_flags (reader), ==, FY_PIPE_READABLE);
  g_assert_cmpint (fy_pipe_get_flags (writer), ==, FY_PIPE_WRITABLE);

  g_assert_false (fy_pipe_send (reader, g_variant_new_int32 (1), &error));
  g_assert_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_WRONG_END);
  g_clear_error (&error);
  g_assert_false (fy_pipe_send_bytes (reader, bytes, &error));
  g_assert_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_WRONG_END);
  g_clear_error (&error);
  g_assert_null (fy_pipe_recv (writer, 0, &error));
  g_assert_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_WRONG_END);
  g_clear_error (&error);
  g_assert_null (fy_pipe_recv_bytes (writer, 0, &error));
  g_assert_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_WRONG_END);
  g_clear_error (&error);

  /* The right ends work. */
  g_assert_true (fy_pipe_send (writer, g_variant_new_int32 (2), &error));
  message = fy_pipe_recv (reader, 5.0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int32 (message), ==, 2);

  /* The kernel keeps the direction even if the read end is re-opened as
   * if it were duplex: nothing it sends can get through. */
  reopened = fy_pipe_new_from_fd (dup (fy_pipe_get_fd (reader)), FY_PIPE_DUPLEX, &error);
  g_assert_no_error (error);
  g_assert_false (fy_pipe_send (reopened, g_variant_new_int32 (3), &error));
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
  g_clear_error (&error);

  /* Only sockets can be pipe ends. */
  g_assert_null (fy_pipe_new_from_fd (dup (STDERR_FILENO), FY_PIPE_DUPLEX, &error));
  g_assert_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_FAILED);
}

static void
test_bytes (void)
{
  g_autoptr(FyPipe) a = NULL;
  g_autoptr(FyPipe) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) small = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) big = make_pattern (300 * 1024);
  g_autoptr(GBytes) got = NULL;

  g_assert_true (fy_pipe_new_pair (TRUE, &a, &b, &error));
  g_assert_true (fy_pipe_send_bytes (a, small, &error));
  g_assert_true (fy_pipe_send_bytes (a, big, &error));
  g_assert_true (fy_pipe_send (a, g_variant_new_string ("not bytes"), &error));
  g_assert_no_error (error);

  got = fy_pipe_recv_bytes (b, 5.0, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, small));
  g_clear_pointer (&got, g_bytes_unref);

  got = fy_pipe_recv_bytes (b, 5.0, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, big));
  g_clear_pointer (&got, g_bytes_unref);

  g_assert_null (fy_pipe_recv_bytes (b, 5.0, &error));
  g_assert_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_NOT_BYTES);
}

/* The seed: a sender and a receiver process on the two ends of one Pipe;
 * the receiver gets both messages and replies "Thanks!". */
static void
test_seed_sender_receiver (void)
{
  g_autoptr(FyPipe) parent_conn = NULL;
  g_autoptr(FyPipe) child_conn = NULL;
  g_autoptr(FyProcess) sender = NULL;
  g_autoptr(FyProcess) receiver = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) response = NULL;
  g_autoptr(GVariant) got = NULL;
  g_autoptr(GVariant) msg = NULL;
  g_autoptr(GVariant) data = NULL;
  const gint64 *numbers;
  gsize n_numbers = 0;

  g_assert_true (fy_pipe_new_pair (TRUE, &parent_conn, &child_conn, &error));
  sender = start_with_pipe ("pipe-sender", NULL, parent_conn);
  receiver = start_with_pipe ("pipe-receiver", NULL, child_conn);
  fy_test_join_ok (sender);
  fy_test_join_ok (receiver);

  response = fy_process_get_result (sender, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (response, G_VARIANT_TYPE_STRING));
  g_assert_cmpstr (g_variant_get_string (response, NULL), ==, "Thanks!");

  got = fy_process_get_result (receiver, &error);
  g_assert_no_error (error);
  g_variant_get (got, "(vv)", &msg, &data);
  g_assert_cmpstr (g_variant_get_string (msg, NULL), ==, "Hello from sender");
  numbers = g_variant_get_fixed_array (data, &n_numbers, sizeof (gint64));
  g_assert_cmpuint (n_numbers, ==, 3);
  g_assert_cmpint (numbers[0], ==, 1);
  g_assert_cmpint (numbers[1], ==, 2);
  g_assert_cmpint (numbers[2], ==, 3);
}

/* Must match the stream written by the "pipe-stream" workload. */
static gsize
stream_size (guint32 seq,
             guint32 max_size)
{
  return 1 + (gsize) (((guint64) seq * 2654435761u) % max_size);
}

static gboolean
stream_check (const guint8 *data,
              gsize         size,
              guint32       seq)
{
  for (gsize j = 0; j < size; j++)
    if (data[j] != (guint8) (seq * 13 + j * 7 + (j >> 8)))
      return FALSE;
  return TRUE;
}

/* A writer SIGKILLed at random points while it streams messages of every
 * size (inline and memfd): each message that arrives is whole and in
 * order, and the stream then ends in EOF, never in garbage. */
static void
test_killed_writer (void)
{
  const guint32 max_size = 256 * 1024;
  guint total = 0;

  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(FyPipe) reader = NULL;
      g_autoptr(FyPipe) writer = NULL;
      g_autoptr(FyProcess) child = NULL;
      g_autoptr(GError) error = NULL;
      gint64 kill_at;
      gboolean killed = FALSE;
      guint32 expected = 0;
      int code = 0;

      g_assert_true (fy_pipe_new_pair (FALSE, &reader, &writer, &error));
      child = start_with_pipe ("pipe-stream", g_variant_new ("(uu)", max_size, 0), writer);
      kill_at = g_get_monotonic_time () + g_test_rand_int_range (0, 30000);

      for (;;)
        {
          g_autoptr(GVariant) message = NULL;
          g_autoptr(GVariant) bytes = NULL;
          const guint8 *data;
          gsize size = 0;
          guint32 seq = 0;

          if (!killed && g_get_monotonic_time () >= kill_at)
            {
              g_assert_true (fy_process_kill (child, &error));
              killed = TRUE;
            }

          message = fy_pipe_recv (reader, killed ? 30.0 : 0.002, &error);
          if (message == NULL)
            {
              if (g_error_matches (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_TIMED_OUT) && !killed)
                {
                  g_clear_error (&error);
                  continue;
                }
              g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
              break;
            }

          g_assert_true (g_variant_is_of_type (message, G_VARIANT_TYPE ("(uay)")));
          g_variant_get (message, "(u@ay)", &seq, &bytes);
          data = g_variant_get_fixed_array (bytes, &size, 1);
          g_assert_cmpuint (seq, ==, expected);
          g_assert_cmpuint (size, ==, stream_size (seq, max_size));
          g_assert_true (stream_check (data, size, seq));
          expected++;
        }

      g_assert_true (killed);
      g_assert_true (fy_process_join (child, 30.0, &error));
      g_assert_true (fy_process_get_exitcode (child, &code));
      g_assert_cmpint (code, ==, -SIGKILL);
      total += expected;
    }

  g_test_message ("%u whole messages received across 50 killed writers", total);
  g_assert_cmpuint (total, >, 0);
}

static void
test_garbage_from_worker (void)
{
  g_autoptr(FyPipe) reader = NULL;
  g_autoptr(FyPipe) writer = NULL;
  g_autoptr(FyProcess) child = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_pipe_new_pair (FALSE, &reader, &writer, &error));
  child = start_with_pipe ("pipe-garbage", NULL, writer);

  for (guint i = 0; i < 2; i++)
    {
      g_assert_null (fy_pipe_recv (reader, 30.0, &error));
      g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_null (fy_pipe_recv (reader, 30.0, &error));
  g_assert_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF);
  fy_test_join_ok (child);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/pipe/poll-timeout", test_poll_timeout);
  g_test_add_func ("/core/pipe/large-round-trip", test_large_round_trip);
  g_test_add_func ("/core/pipe/eof", test_eof);
  g_test_add_func ("/core/pipe/eof-from-child", test_eof_from_child);
  g_test_add_func ("/core/pipe/wrong-end", test_wrong_end);
  g_test_add_func ("/core/pipe/bytes", test_bytes);
  g_test_add_func ("/core/pipe/seed-sender-receiver", test_seed_sender_receiver);
  g_test_add_func ("/core/pipe/killed-writer", test_killed_writer);
  g_test_add_func ("/core/pipe/garbage-from-worker", test_garbage_from_worker);

  return g_test_run ();
}
