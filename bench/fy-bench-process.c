/* fy-bench-process.c: the C side of the process and pipe benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: fy-bench-process start_join|pipe_round_trip|raw_round_trip|pipe_throughput N
 *
 * Prints one JSON object: {"value": FIGURE, "unit": UNIT, "n": N}. The
 * Python side (bench/bench_process.py) does the same work with
 * multiprocessing in the same run.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fy-pipe.h"
#include "core/fy-process.h"

#define SMALL_MESSAGE "ping: a small message"

static double
now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
die (const char *what,
     GError     *error)
{
  fprintf (stderr, "fy-bench-process: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

static FyProcess *
start_with_pipe (const char *function,
                 FyPipe     *end)
{
  g_autoptr(GError) error = NULL;
  FyProcess *process = fy_process_new (function, NULL);

  fy_process_add_fd (process, fy_pipe_get_fd (end));
  fy_pipe_close (end);
  if (!fy_process_start (process, &error))
    die ("start", error);
  return process;
}

static void
join (FyProcess *process)
{
  g_autoptr(GError) error = NULL;
  int code = -1;

  if (!fy_process_join (process, -1, &error))
    die ("join", error);
  if (!fy_process_get_exitcode (process, &code) || code != 0)
    die ("child exit status", NULL);
}

/* Seconds per start + join of a process running a trivial function. */
static double
bench_start_join (guint n)
{
  double t0;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(FyProcess) warm = fy_process_new ("square", g_variant_new_int64 (i));

      fy_process_start (warm, NULL);
      join (warm);
    }

  t0 = now ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FyProcess) process = fy_process_new ("square", g_variant_new_int64 (i));
      g_autoptr(GError) error = NULL;

      if (!fy_process_start (process, &error))
        die ("start", error);
      join (process);
    }
  return (now () - t0) / n;
}

/* Seconds per small-message round trip with an echoing child. */
static double
bench_pipe_round_trip (guint n)
{
  g_autoptr(FyPipe) ours = NULL;
  g_autoptr(FyPipe) theirs = NULL;
  g_autoptr(FyProcess) echo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) message = g_variant_ref_sink (g_variant_new_string (SMALL_MESSAGE));
  double t0 = 0;

  if (!fy_pipe_new_pair (TRUE, &ours, &theirs, &error))
    die ("pipe", error);
  echo = start_with_pipe ("pipe-echo", theirs);

  for (guint i = 0; i < n + n / 10; i++)
    {
      g_autoptr(GVariant) reply = NULL;

      /* The first tenth warms up caches and the scheduler. */
      if (i == n / 10)
        t0 = now ();
      if (!fy_pipe_send (ours, message, &error))
        die ("send", error);
      reply = fy_pipe_recv (ours, -1, &error);
      if (reply == NULL)
        die ("recv", error);
    }
  t0 = (now () - t0) / n;

  fy_pipe_close (ours);
  join (echo);
  return t0;
}

/* The floor: the same round trip with bare send () / recv () on a
 * SOCK_SEQPACKET socketpair and a forked echo loop (this program has no
 * threads, so fork is safe here). */
static double
bench_raw_round_trip (guint n)
{
  char buf[256];
  int sv[2];
  pid_t pid;
  double t0 = 0;
  int status;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    die ("socketpair", NULL);

  pid = fork ();
  if (pid < 0)
    die ("fork", NULL);
  if (pid == 0)
    {
      ssize_t len;

      close (sv[0]);
      while ((len = recv (sv[1], buf, sizeof buf, 0)) > 0)
        if (send (sv[1], buf, len, MSG_NOSIGNAL) != len)
          _exit (1);
      _exit (0);
    }
  close (sv[1]);

  for (guint i = 0; i < n + n / 10; i++)
    {
      if (i == n / 10)
        t0 = now ();
      if (send (sv[0], SMALL_MESSAGE, sizeof SMALL_MESSAGE, MSG_NOSIGNAL) < 0 ||
          recv (sv[0], buf, sizeof buf, 0) <= 0)
        die ("raw round trip", NULL);
    }
  t0 = (now () - t0) / n;

  close (sv[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return t0;
}

/* Waits until the peer has taken everything sent on @fd: SIOCOUTQ counts
 * the bytes of datagrams not yet received. */
static void
wait_consumed (int fd)
{
  int pending = 0;

  for (;;)
    {
      if (ioctl (fd, SIOCOUTQ, &pending) < 0)
        die ("SIOCOUTQ", NULL);
      if (pending == 0)
        return;
      g_usleep (100);
    }
}

/* MB/s of 1 MiB messages one way, until the child has received them all.
 * The clock starts once the child has received a first message, as on the
 * Python side: start-up is process_start_join's business. */
static double
bench_pipe_throughput (guint n)
{
  const gsize size = 1024 * 1024;
  g_autoptr(FyPipe) reader = NULL;
  g_autoptr(FyPipe) writer = NULL;
  g_autoptr(FyProcess) sink = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GVariant) received = NULL;
  guint8 *data = g_malloc (size);
  double t0;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) i;
  payload = g_bytes_new_take (data, size);

  if (!fy_pipe_new_pair (FALSE, &reader, &writer, &error))
    die ("pipe", error);
  sink = start_with_pipe ("pipe-sink", reader);

  if (!fy_pipe_send_bytes (writer, payload, &error))
    die ("send", error);
  wait_consumed (fy_pipe_get_fd (writer));

  t0 = now ();
  for (guint i = 0; i < n; i++)
    if (!fy_pipe_send_bytes (writer, payload, &error))
      die ("send", error);
  fy_pipe_close (writer);
  join (sink);
  t0 = now () - t0;

  received = fy_process_get_result (sink, &error);
  if (received == NULL || g_variant_get_uint64 (received) != (guint64) (n + 1) * size)
    die ("the sink did not get every byte", error);

  return (double) n * size / 1e6 / t0;
}

int
main (int    argc,
      char **argv)
{
  const char *mode;
  guint64 n = 0;
  double value;
  const char *unit;

  if (argc != 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXUINT, &n, NULL))
    {
      fprintf (stderr, "usage: fy-bench-process start_join|pipe_round_trip|raw_round_trip|pipe_throughput N\n");
      return 2;
    }
  mode = argv[1];

  if (g_str_equal (mode, "start_join"))
    {
      value = bench_start_join (n) * 1e3;
      unit = "ms/op";
    }
  else if (g_str_equal (mode, "pipe_round_trip"))
    {
      value = bench_pipe_round_trip (n) * 1e6;
      unit = "us/op";
    }
  else if (g_str_equal (mode, "raw_round_trip"))
    {
      value = bench_raw_round_trip (n) * 1e6;
      unit = "us/op";
    }
  else if (g_str_equal (mode, "pipe_throughput"))
    {
      value = bench_pipe_throughput (n);
      unit = "MB/s";
    }
  else
    {
      fprintf (stderr, "fy-bench-process: unknown benchmark %s\n", mode);
      return 2;
    }

  printf ("{\"value\": %.6g, \"unit\": \"%s\", \"n\": %" G_GUINT64_FORMAT "}\n", value, unit, n);
  return 0;
}
