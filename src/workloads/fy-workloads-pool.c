/* fy-workloads-pool.c: bodies the pool's own tests and benchmarks use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include "fy-workload.h"
#include "fy-workload-error.h"

/* Set by pool.init-set in the worker's initializer, read by pool.init-get:
 * proves the initializer ran in the same process before the task. */
static gint64 init_value = -1;

/* Fails with exactly the (domain, code, message) it is given, so a test can
 * check that all three survive the trip to the parent. */
static GVariant *
pool_fail (GVariant           *argument,
           FyWorkloadContext  *context,
           GError            **error)
{
  const char *domain;
  const char *message;
  gint32 code;

  g_variant_get (argument, "(&si&s)", &domain, &code, &message);
  g_set_error_literal (error, g_quark_from_string (domain), code, message);
  return NULL;
}

static GVariant *
pool_pid (GVariant           *argument,
          FyWorkloadContext  *context,
          GError            **error)
{
  return g_variant_new_int32 (getpid ());
}

static GVariant *
pool_init_set (GVariant           *argument,
               FyWorkloadContext  *context,
               GError            **error)
{
  init_value = g_variant_get_int64 (argument);
  return g_variant_new ("()");
}

static GVariant *
pool_init_get (GVariant           *argument,
               FyWorkloadContext  *context,
               GError            **error)
{
  return g_variant_new_int64 (init_value);
}

/* Sleeps, then answers its own pid: shows which worker ran a slow task. */
static GVariant *
pool_sleep_pid (GVariant           *argument,
                FyWorkloadContext  *context,
                GError            **error)
{
  g_usleep ((gulong) g_variant_get_uint32 (argument) * 1000);
  return g_variant_new_int32 (getpid ());
}

/* The same through the typed entry point (fy-workload.h): milliseconds
 * (x) → pid (x), so the pool's tests kill workers inside map chunks that
 * run without a GVariant per item. */
static gboolean
pool_sleep_pid_number (FyWorkloadNumber   argument,
                       FyWorkloadNumber  *result,
                       GError           **error)
{
  if (argument.x < 0 || argument.x > G_MAXUINT32)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "pool.sleep-pid-x: %" G_GINT64_FORMAT " ms is out of range", argument.x);
      return FALSE;
    }
  g_usleep ((gulong) argument.x * 1000);
  result->x = getpid ();
  return TRUE;
}

static GVariant *
pool_sleep_pid_x (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  FyWorkloadNumber ms = { .x = g_variant_get_int64 (argument) };
  FyWorkloadNumber pid;

  if (!pool_sleep_pid_number (ms, &pid, error))
    return NULL;
  return g_variant_new_int64 (pid.x);
}

/* An initializer for workers that must be killed the hard way: the pool's
 * SIGTERM → SIGKILL grace is tested with it, with no race against the task
 * installing its own handler. */
static GVariant *
pool_ignore_sigterm (GVariant           *argument,
                     FyWorkloadContext  *context,
                     GError            **error)
{
  signal (SIGTERM, SIG_IGN);
  return g_variant_new ("()");
}

/* (index, size) → size bytes (at least 4) that name the index: the first
 * four hold it (little endian), byte i after them is (index + i) mod 251.
 * Results this large fill a socket's buffer within a few dozen tasks. */
static GVariant *
pool_blob (GVariant           *argument,
           FyWorkloadContext  *context,
           GError            **error)
{
  guint32 index;
  guint32 size;
  guint8 *bytes;

  g_variant_get (argument, "(uu)", &index, &size);
  if (size < 4 || size > 16 * 1024 * 1024)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "pool.blob makes 4 bytes to 16 MiB, not %u", size);
      return NULL;
    }
  bytes = g_malloc (size);
  bytes[0] = index & 0xff;
  bytes[1] = (index >> 8) & 0xff;
  bytes[2] = (index >> 16) & 0xff;
  bytes[3] = (index >> 24) & 0xff;
  for (guint32 i = 4; i < size; i++)
    bytes[i] = (guint8) ((index + i) % 251);
  return g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, bytes, size, TRUE, g_free, bytes);
}

const FyWorkloadInfo fy_workloads_pool[] = {
  { "pool.fail", "(sis)", "()", pool_fail, "fails with the given (domain, code, message)" },
  { "pool.pid", "()", "i", pool_pid, "answers the worker's pid" },
  { "pool.sleep-pid", "u", "i", pool_sleep_pid, "sleeps the given milliseconds, answers the worker's pid" },
  { "pool.sleep-pid-x", "x", "x", pool_sleep_pid_x, "sleeps the given milliseconds, answers the worker's pid (typed)",
    pool_sleep_pid_number },
  { "pool.init-set", "x", "()", pool_init_set, "an initializer that remembers a number" },
  { "pool.init-get", "()", "x", pool_init_get, "answers the number the initializer remembered, or -1" },
  { "pool.ignore-sigterm", "()", "()", pool_ignore_sigterm, "ignores SIGTERM from now on (an initializer)" },
  { "pool.blob", "(uu)", "ay", pool_blob, "(index, size) → size bytes that name the index" },
  { NULL },
};
