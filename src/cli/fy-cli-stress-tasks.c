/* fy-cli-stress-tasks.c: the soak's tasks, their inputs and their pools
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files the hash and resize tasks read, a random mix of tasks kept
 * waiting on the pool, each one's result checked against what it must be
 * and counted in the books as it finishes, and the pools that run them
 * (the run replaces its pool every so often, fy-cli-stress.c).
 */

#include "config.h"

#include <errno.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "fy-cli-stress-private.h"

#define TASK_TIMEOUT_S    2.0

typedef struct
{
  Kind    kind;
  gint64  expected;   /* fib's value, sleep's ms, hash's file index */
} Task;

static const char *const kind_names[] = { "fib", "sleep", "hash", "resize", "timeout" };

gboolean
fy_cli_stress_make_inputs (Stress  *s,
                           GError **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  s->dir = g_dir_make_tmp ("forkyard-stress-XXXXXX", error);
  if (s->dir == NULL)
    return FALSE;
  for (guint i = 0; i < N_HASH_FILES; i++)
    {
      gsize size = (64 << 10) << i;
      g_autofree guint8 *bytes = g_malloc (size);

      for (gsize j = 0; j < size; j++)
        bytes[j] = (guint8) g_rand_int (s->rand);
      s->hash_paths[i] = g_strdup_printf ("%s/file-%u.bin", s->dir, i);
      s->hash_digests[i] = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, size);
      if (!g_file_set_contents (s->hash_paths[i], (const char *) bytes, size, error))
        return FALSE;
    }

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 320, 240);
  gdk_pixbuf_fill (pixbuf, 0x3465a4ff);
  s->image_path = g_strdup_printf ("%s/image.png", s->dir);
  if (!gdk_pixbuf_save (pixbuf, s->image_path, "png", error, NULL))
    return FALSE;
  s->out_dir = g_strdup_printf ("%s/resized", s->dir);
  if (g_mkdir (s->out_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", s->out_dir, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

void
fy_cli_stress_remove_inputs (Stress *s)
{
  g_autofree char *resized = NULL;

  if (s->dir == NULL)
    return;
  for (guint i = 0; i < N_HASH_FILES; i++)
    if (s->hash_paths[i] != NULL)
      g_unlink (s->hash_paths[i]);
  if (s->image_path != NULL)
    g_unlink (s->image_path);
  resized = g_strdup_printf ("%s/image.png", s->out_dir);
  g_unlink (resized);
  g_rmdir (s->out_dir);
  g_rmdir (s->dir);
}

static gint64
fib_exact (gint64 n)
{
  gint64 a = 0, b = 1;

  for (gint64 i = 0; i < n; i++)
    {
      gint64 next = a + b;

      a = b;
      b = next;
    }
  return a;
}

void
fy_cli_stress_submit (Stress *s,
                      Kind    kind)
{
  g_autoptr(GError) error = NULL;
  Task *task = g_new0 (Task, 1);
  GVariant *argument;
  const char *function = kind_names[kind];
  FyFuture *future;

  task->kind = kind;
  switch (kind)
    {
    case KIND_FIB:
      task->expected = g_rand_int_range (s->rand, 10, 23);
      argument = g_variant_new_int64 (task->expected);
      break;
    case KIND_SLEEP:
      task->expected = g_rand_int_range (s->rand, 1, 21);
      argument = g_variant_new_uint32 ((guint32) task->expected);
      break;
    case KIND_HASH:
      task->expected = g_rand_int_range (s->rand, 0, N_HASH_FILES);
      argument = g_variant_new_bytestring (s->hash_paths[task->expected]);
      break;
    case KIND_RESIZE:
      argument = g_variant_new ("(^ay^ayiib)", s->image_path, s->out_dir, 64, 48, FALSE);
      break;
    case KIND_TIMEOUT:
    default:
      /* Far beyond the task timeout: it fails with "timed out". A sleep,
       * not a spin: the soak shares its machine with other work. */
      function = "sleep";
      argument = g_variant_new_uint32 (60000);
      break;
    }

  future = fy_pool_submit (s->pool, function, argument, &error);
  if (future == NULL)
    {
      fy_cli_stress_problem (s, "a %s task was refused: %s", kind_names[kind], error->message);
      g_free (task);
      return;
    }
  g_hash_table_insert (s->outstanding, future, task);
  s->tasks++;
  s->per_kind[kind]++;
}

static gboolean
check_result (Stress   *s,
              Task     *task,
              GVariant *result)
{
  switch (task->kind)
    {
    case KIND_FIB:
      return g_variant_get_int64 (result) == fib_exact (task->expected);
    case KIND_SLEEP:
      return g_variant_get_uint32 (result) == (guint32) task->expected;
    case KIND_HASH:
      return g_str_equal (g_variant_get_string (result, NULL), s->hash_digests[task->expected]);
    case KIND_RESIZE:
      {
        int width, height;

        g_variant_get (result, "(^&ayii)", NULL, &width, &height);
        return width == 64 && height == 48;
      }
    case KIND_TIMEOUT:
    default:
      return FALSE;
    }
}

static void
task_finished_cb (FyPool   *pool,
                  FyFuture *future,
                  gpointer  data)
{
  Stress *s = data;
  Task *task = g_hash_table_lookup (s->outstanding, future);
  guint64 id = fy_future_get_id (future);

  /* Every task of the pool is ours and stays listed until it first
   * finishes: one that is not listed has finished before. */
  if (task == NULL)
    {
      s->duplicates++;
      fy_cli_stress_problem (s, "task %" G_GUINT64_FORMAT " finished twice", id);
      return;
    }

  switch (fy_future_get_state (future))
    {
    case FY_FUTURE_STATE_DONE:
      s->done++;
      {
        g_autoptr(GVariant) result = fy_future_result (future, 0, NULL);

        if (result == NULL || !check_result (s, task, result))
          {
            s->wrong++;
            fy_cli_stress_problem (s, "task %" G_GUINT64_FORMAT " (%s) gave a wrong result", id, kind_names[task->kind]);
          }
      }
      break;
    case FY_FUTURE_STATE_FAILED:
      {
        const GError *error = fy_future_get_error (future);

        s->failed++;
        if (error == NULL || error->message == NULL || error->message[0] == '\0')
          fy_cli_stress_problem (s, "task %" G_GUINT64_FORMAT " failed without a reason", id);
        else if (g_error_matches (error, FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED))
          s->failed_killed++;
        else if (g_error_matches (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT))
          s->failed_timeout++;
        else
          {
            s->failed_other++;
            fy_cli_stress_problem (s, "task %" G_GUINT64_FORMAT " (%s) failed: %s", id, kind_names[task->kind], error->message);
          }
      }
      break;
    case FY_FUTURE_STATE_CANCELLED:
      s->cancelled++;
      break;
    default:
      fy_cli_stress_problem (s, "task %" G_GUINT64_FORMAT " reported finished while unfinished", id);
      return;
    }
  g_hash_table_remove (s->outstanding, future);
}

static void
worker_spawned_cb (FyPool       *pool,
                   FyPoolWorker *worker,
                   gpointer      data)
{
  Stress *s = data;

  fy_cli_stress_remember_process (s, fy_pool_worker_get_pid (worker));
}

/* Reaped by the pool: gone for good. */
static void
worker_exited_cb (FyPool       *pool,
                  FyPoolWorker *worker,
                  int           exitcode,
                  gpointer      data)
{
  fy_cli_stress_forget_process (data, fy_pool_worker_get_pid (worker));
}

/* Keeps about four tasks per worker waiting, in a random mix. */
gboolean
fy_cli_stress_feed_cb (gpointer data)
{
  Stress *s = data;
  guint backlog = (guint) s->workers * 4;

  if (!s->submitting)
    return G_SOURCE_CONTINUE;
  while (g_hash_table_size (s->outstanding) < backlog)
    {
      guint roll = g_rand_int_range (s->rand, 0, 100);

      fy_cli_stress_submit (s, roll < 30 ? KIND_FIB : roll < 55 ? KIND_SLEEP : roll < 80 ? KIND_HASH : KIND_RESIZE);
    }
  return G_SOURCE_CONTINUE;
}

gboolean
fy_cli_stress_new_pool (Stress  *s,
                        GError **error)
{
  g_autoptr(FyPool) pool = fy_pool_new ();

  if (!fy_pool_set_n_workers (pool, s->workers, error))
    return FALSE;
  /* One retry: a task killed once runs again, one killed twice fails. */
  fy_pool_set_crash_policy (pool, FY_CRASH_POLICY_RETRY, 1);
  fy_pool_set_task_timeout (pool, TASK_TIMEOUT_S);
  fy_pool_set_kill_grace (pool, 0.2);
  g_signal_connect (pool, "task-finished", G_CALLBACK (task_finished_cb), s);
  g_signal_connect (pool, "worker-spawned", G_CALLBACK (worker_spawned_cb), s);
  g_signal_connect (pool, "worker-exited", G_CALLBACK (worker_exited_cb), s);
  if (!fy_pool_start (pool, error))
    return FALSE;
  if (s->pool != NULL)
    {
      fy_pool_close (s->pool);
      g_ptr_array_add (s->retiring, g_steal_pointer (&s->pool));
    }
  s->pool = g_steal_pointer (&pool);
  s->pool_started_at = g_get_monotonic_time ();
  s->pools++;
  return TRUE;
}

/* Drops the closed pools whose tasks have all finished. */
void
fy_cli_stress_reap_retiring (Stress *s)
{
  for (guint i = 0; i < s->retiring->len; )
    {
      FyPool *pool = g_ptr_array_index (s->retiring, i);
      g_autoptr(GError) error = NULL;

      if (fy_pool_get_n_pending (pool) + fy_pool_get_n_in_flight (pool) > 0)
        {
          i++;
          continue;
        }
      if (!fy_pool_join (pool, 30, &error))
        fy_cli_stress_problem (s, "a closed pool did not shut down: %s", error->message);
      g_ptr_array_remove_index_fast (s->retiring, i);
    }
}
