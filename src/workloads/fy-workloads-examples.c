/* fy-workloads-examples.c: small functions for tests and the playground
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Arithmetic to check that arguments and results travel, every way a
 * process can end (exit codes, real crashes, a SIGTERM it ignores), the
 * seeds' Pipe sender / receiver, and the helpers the process tests and
 * benchmarks use: pipe echo and sink, a stream of checkable messages, a
 * sender of garbage and a process that starts a grandchild.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fy-pipe.h"
#include "core/fy-process.h"

#include "fy-workload.h"
#include "fy-workload-error.h"

static FyPipe *
context_pipe (FyWorkloadContext  *context,
              FyPipeFlags         flags,
              GError            **error)
{
  int fd;

  if (fy_workload_context_get_n_fds (context) < 1)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "needs a pipe end as its first fd");
      return NULL;
    }
  /* The context's fds belong to the worker: work on a copy. */
  fd = fcntl (fy_workload_context_get_fd (context, 0), F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                   "dup: %s", g_strerror (errno));
      return NULL;
    }
  return fy_pipe_new_from_fd (fd, flags, error);
}

static int
compare_int32 (const gint32 *a,
               const gint32 *b)
{
  return (*a > *b) - (*a < *b);
}

static void
sleep_ms (guint ms)
{
  g_usleep ((gulong) ms * 1000);
}

/* Wraps around on overflow, as the GVariant entry point always did. */
static gint64
square_int64 (gint64 x)
{
  return (gint64) ((guint64) x * (guint64) x);
}

static gboolean
example_square_number (FyWorkloadNumber   argument,
                       FyWorkloadNumber  *result,
                       GError           **error)
{
  result->x = square_int64 (argument.x);
  return TRUE;
}

static GVariant *
example_square (GVariant           *argument,
                FyWorkloadContext  *context,
                GError            **error)
{
  return g_variant_new_int64 (square_int64 (g_variant_get_int64 (argument)));
}

/* Python's math.sqrt: a negative number is a domain error. */
static gboolean
example_sqrt_number (FyWorkloadNumber   argument,
                     FyWorkloadNumber  *result,
                     GError           **error)
{
  if (argument.d < 0 || isnan (argument.d))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "sqrt: %g is outside the domain (0 or more)", argument.d);
      return FALSE;
    }
  result->d = sqrt (argument.d);
  return TRUE;
}

static GVariant *
example_sqrt (GVariant           *argument,
              FyWorkloadContext  *context,
              GError            **error)
{
  FyWorkloadNumber x = { .d = g_variant_get_double (argument) };
  FyWorkloadNumber result;

  if (!example_sqrt_number (x, &result, error))
    return NULL;
  return g_variant_new_double (result.d);
}

static GVariant *
example_add (GVariant           *argument,
             FyWorkloadContext  *context,
             GError            **error)
{
  gint64 a, b;

  g_variant_get (argument, "(xx)", &a, &b);
  return g_variant_new_int64 (a + b);
}

static GVariant *
example_sleep_ms (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  sleep_ms (g_variant_get_uint32 (argument));
  return g_variant_new ("()");
}

static GVariant *
example_exit (GVariant           *argument,
              FyWorkloadContext  *context,
              GError            **error)
{
  _exit (g_variant_get_int32 (argument));
}

/* The invalid write is the point: a sanitized build must not turn it into
 * a report and an exit status, so UBSan's null check is off here and any
 * SIGSEGV handler a runtime installed (AddressSanitizer's) is reset first. */
__attribute__((no_sanitize ("undefined")))
static GVariant *
example_segv (GVariant           *argument,
              FyWorkloadContext  *context,
              GError            **error)
{
  /* A real invalid write, not raise (): the kernel delivers the SIGSEGV. */
  volatile int *volatile nowhere = NULL;

  signal (SIGSEGV, SIG_DFL);
  *nowhere = 1;
  return g_variant_new ("()");
}

static GVariant *
example_abort (GVariant           *argument,
               FyWorkloadContext  *context,
               GError            **error)
{
  abort ();
}

static GVariant *
example_ignore_sigterm (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  signal (SIGTERM, SIG_IGN);
  sleep_ms (g_variant_get_uint32 (argument));
  return g_variant_new ("()");
}

static GVariant *
example_spin_ms (GVariant           *argument,
                 FyWorkloadContext  *context,
                 GError            **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) g_variant_get_uint32 (argument) * 1000;
  volatile guint64 spins = 0;

  while (g_get_monotonic_time () < end)
    spins++;
  return g_variant_new_uint64 (spins);
}

static GVariant *
example_hello (GVariant           *argument,
               FyWorkloadContext  *context,
               GError            **error)
{
  printf ("Worker %d, PID: %d\n", g_variant_get_int32 (argument), (int) getpid ());
  fflush (stdout);
  return g_variant_new_int32 (getpid ());
}

static GVariant *
example_fail (GVariant           *argument,
              FyWorkloadContext  *context,
              GError            **error)
{
  g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                       g_variant_get_string (argument, NULL));
  return NULL;
}

/* The fds open in the worker, to check that nothing leaked into it. */
static GVariant *
example_list_fds (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, error);
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (gint32));
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_strdup_printf ("/proc/self/fd/%s", name);
      g_autofree char *target = g_file_read_link (link, NULL);
      gint32 fd = atoi (name);

      /* The directory listing itself. */
      if (target != NULL && g_str_has_prefix (target, "/proc/") && g_str_has_suffix (target, "/fd"))
        continue;
      g_array_append_val (fds, fd);
    }
  g_array_sort (fds, (GCompareFunc) (GCallback) compare_int32);
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, fds->data, fds->len, sizeof (gint32));
}

/* The seed's sender: two messages, then wait for the reply, which is the
 * result (the seed prints it; the caller can). */
static GVariant *
example_pipe_sender (GVariant           *argument,
                     FyWorkloadContext  *context,
                     GError            **error)
{
  g_autoptr(FyPipe) conn = context_pipe (context, FY_PIPE_DUPLEX, error);
  const gint64 data[] = { 1, 2, 3 };
  g_autoptr(GVariant) response = NULL;

  if (conn == NULL)
    return NULL;
  if (!fy_pipe_send (conn, g_variant_new_string ("Hello from sender"), error) ||
      !fy_pipe_send (conn, g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, data, 3, sizeof (gint64)), error))
    return NULL;

  response = fy_pipe_recv (conn, -1, error);
  if (response == NULL)
    return NULL;
  fy_pipe_close (conn);
  return g_steal_pointer (&response);
}

/* The seed's receiver: two messages in, "Thanks!" out. */
static GVariant *
example_pipe_receiver (GVariant           *argument,
                       FyWorkloadContext  *context,
                       GError            **error)
{
  g_autoptr(FyPipe) conn = context_pipe (context, FY_PIPE_DUPLEX, error);
  g_autoptr(GVariant) msg = NULL;
  g_autoptr(GVariant) data = NULL;

  if (conn == NULL)
    return NULL;
  if ((msg = fy_pipe_recv (conn, -1, error)) == NULL)
    return NULL;
  if ((data = fy_pipe_recv (conn, -1, error)) == NULL)
    return NULL;
  if (!fy_pipe_send (conn, g_variant_new_string ("Thanks!"), error))
    return NULL;
  fy_pipe_close (conn);
  return g_variant_new ("(vv)", msg, data);
}

/* Sends back every message until the peer closes; answers the count. */
static GVariant *
example_pipe_echo (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  g_autoptr(FyPipe) conn = context_pipe (context, FY_PIPE_DUPLEX, error);
  guint64 count = 0;

  if (conn == NULL)
    return NULL;
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GVariant) message = fy_pipe_recv (conn, -1, &local_error);

      if (message == NULL)
        {
          if (g_error_matches (local_error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF))
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!fy_pipe_send (conn, message, error))
        return NULL;
      count++;
    }
  return g_variant_new_uint64 (count);
}

/* A message from a memfd is only mapped; read a byte of every page so the
 * receiver really has the data, as a copying receiver would. */
static void
touch_pages (GVariant *message)
{
  const guint8 *data = g_variant_get_data (message);
  gsize size = g_variant_get_size (message);
  volatile guint8 sink = 0;

  for (gsize offset = 0; offset < size; offset += 4096)
    sink += data[offset];
}

/* Receives until EOF; answers the number of payload bytes received. */
static GVariant *
example_pipe_sink (GVariant           *argument,
                   FyWorkloadContext  *context,
                   GError            **error)
{
  g_autoptr(FyPipe) conn = context_pipe (context, FY_PIPE_READABLE, error);
  guint64 total = 0;

  if (conn == NULL)
    return NULL;
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GVariant) message = fy_pipe_recv (conn, -1, &local_error);

      if (message == NULL)
        {
          if (g_error_matches (local_error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF))
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      total += g_variant_get_size (message);
      touch_pages (message);
    }
  return g_variant_new_uint64 (total);
}

/* Message number @seq of a stream: its size and every byte follow from
 * @seq, so the receiver can prove a message is whole. */
static gsize
stream_size (guint32 seq,
             guint32 max_size)
{
  return 1 + (gsize) (((guint64) seq * 2654435761u) % max_size);
}

static void
stream_fill (guint8  *data,
             gsize    size,
             guint32  seq)
{
  for (gsize j = 0; j < size; j++)
    data[j] = (guint8) (seq * 13 + j * 7 + (j >> 8));
}

/* Writes checkable messages (u seq, ay data) of mixed sizes, some inline
 * and some through memfds, @count of them (0: until killed). */
static GVariant *
example_pipe_stream (GVariant           *argument,
                     FyWorkloadContext  *context,
                     GError            **error)
{
  g_autoptr(FyPipe) conn = context_pipe (context, FY_PIPE_WRITABLE, error);
  g_autofree guint8 *data = NULL;
  guint32 max_size, count;

  g_variant_get (argument, "(uu)", &max_size, &count);
  if (conn == NULL)
    return NULL;
  if (max_size == 0)
    max_size = 1;

  data = g_malloc (max_size);
  for (guint32 seq = 0; count == 0 || seq < count; seq++)
    {
      gsize size = stream_size (seq, max_size);
      GVariant *message;

      stream_fill (data, size, seq);
      message = g_variant_new ("(u@ay)", seq,
                               g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, size, 1));
      if (!fy_pipe_send (conn, message, error))
        return NULL;
    }
  return g_variant_new_uint32 (count);
}

/* Datagrams that are not messages, straight onto the socket. */
static GVariant *
example_pipe_garbage (GVariant           *argument,
                      FyWorkloadContext  *context,
                      GError            **error)
{
  int fd;
  static const char junk[] = "\x46\x79\x43\x68\x01\x00\xff\x00 not a message at all";

  if (fy_workload_context_get_n_fds (context) < 1)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "needs a pipe end as its first fd");
      return NULL;
    }
  fd = fy_workload_context_get_fd (context, 0);
  if (send (fd, junk, sizeof junk, MSG_NOSIGNAL) < 0 ||
      send (fd, "?", 1, MSG_NOSIGNAL) < 0)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                   "send: %s", g_strerror (errno));
      return NULL;
    }
  return g_variant_new ("()");
}

/* Starts a grandchild that sleeps @argument ms, sends its pid through the
 * pipe, then sleeps as long itself: the parent-death test kills us. */
static GVariant *
example_spawn_grandchild (GVariant           *argument,
                          FyWorkloadContext  *context,
                          GError            **error)
{
  g_autoptr(FyPipe) conn = context_pipe (context, FY_PIPE_WRITABLE, error);
  g_autoptr(FyProcess) child = NULL;
  guint32 ms = g_variant_get_uint32 (argument);

  if (conn == NULL)
    return NULL;

  child = fy_process_new ("sleep-ms", g_variant_new_uint32 (ms));
  if (!fy_process_start (child, error))
    return NULL;
  if (!fy_pipe_send (conn, g_variant_new_int32 (fy_process_get_pid (child)), error))
    return NULL;

  sleep_ms (ms);
  if (!fy_process_join (child, -1, error))
    return NULL;
  return g_variant_new_int32 (fy_process_get_pid (child));
}

const FyWorkloadInfo fy_workloads_examples[] = {
  { "square", "x", "x", example_square, "x → x·x", example_square_number },
  { "sqrt", "d", "d", example_sqrt, "x → √x (d → d), an error below 0", example_sqrt_number },
  { "add", "(xx)", "x", example_add, "(a, b) → a + b" },
  { "sleep-ms", "u", "()", example_sleep_ms, "sleeps for the given milliseconds" },
  { "exit", "i", "()", example_exit, "exits at once with the given status" },
  { "segv", "()", "()", example_segv, "writes through a NULL pointer" },
  { "abort", "()", "()", example_abort, "calls abort ()" },
  { "ignore-sigterm", "u", "()", example_ignore_sigterm, "ignores SIGTERM, then sleeps the given milliseconds" },
  { "spin-ms", "u", "t", example_spin_ms, "keeps a core busy for the given milliseconds" },
  { "hello", "i", "i", example_hello, "prints “Worker N, PID: P” like the seed" },
  { "fail", "s", "()", example_fail, "fails with the given message" },
  { "list-fds", "()", "ai", example_list_fds, "the file descriptors open in the worker" },
  { "pipe-sender", "()", "v", example_pipe_sender, "the seed's Pipe sender (fd 0: a duplex pipe end)" },
  { "pipe-receiver", "()", "(vv)", example_pipe_receiver, "the seed's Pipe receiver, replies “Thanks!”" },
  { "pipe-echo", "()", "t", example_pipe_echo, "sends back every message until EOF" },
  { "pipe-sink", "()", "t", example_pipe_sink, "receives until EOF, answers the bytes received" },
  { "pipe-stream", "(uu)", "u", example_pipe_stream, "writes (max size, count) checkable messages" },
  { "pipe-garbage", "()", "()", example_pipe_garbage, "writes datagrams that are not messages" },
  { "spawn-grandchild", "u", "i", example_spawn_grandchild, "starts a sleeping child, sends its pid" },
  { NULL },
};
