/* fy-cli-stress.c: forkyard-cli stress, a chaos soak that keeps the books
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For --duration D a mixed workload runs on a pool (fib, sleep, hash,
 * resize, tasks that run into the task timeout) beside queue and lock
 * scenarios in processes of their own, while a chaos thread picks moments
 * at random to SIGKILL or SIGSTOP / SIGCONT a worker, cancel a task, start
 * one that will time out or kill a scenario process; the pool is replaced
 * every POOL_GENERATION_S seconds (see there). The chaos thread only
 * chooses when: what it does is done in the main context, the pool's one
 * thread, through the workers' pidfds, so no signal can hit a recycled pid.
 *
 * Then the books are checked and printed: every task accounted for exactly
 * once (done with the right result, failed with a reason, cancelled), none
 * lost, no zombie and no orphan left, the parent's fd count back where it
 * was, its RSS grown by less than 5 % from the end of the first minute (or
 * of the first half of a shorter run) to the end, every queue and lock
 * consistent. With --json the last line on stdout is one JSON object of
 * the books. The exit status is 1 when any check failed.
 */

#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/fy-lock.h"
#include "core/fy-pool.h"
#include "core/fy-process.h"
#include "core/fy-queue.h"
#include "core/fy-spawn.h"
#include "core/fy-value.h"
#include "fy-cli.h"
#include "fy-cli-parse.h"

#define N_HASH_FILES      4
#define TASK_TIMEOUT_S    2.0
#define QUEUE_ITEMS       2000
#define LOCK_PROCESSES    2
#define LOCK_INCREMENTS   20000
#define RSS_GROWTH_LIMIT  5.0
/* AddressSanitizer keeps freed memory in quarantine and its shadow grows
 * with the heap: there the RSS says how ASan works, not whether the run
 * leaked (LeakSanitizer checks that at exit), so the growth is reported
 * but not checked. */
#if defined(__SANITIZE_ADDRESS__)
# define CHECKS_RSS FALSE
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define CHECKS_RSS FALSE
# endif
#endif
#ifndef CHECKS_RSS
# define CHECKS_RSS TRUE
#endif
/* A pool lists every task it ever ran (its task model only grows, for the
 * app's results and timeline), about 200 bytes each: a soak that kept one
 * pool would measure that history, not leaks. So the pool is replaced
 * every so often, the old one closed under the same chaos and dropped once
 * its last task finished. */
#define POOL_GENERATION_S 20

typedef enum
{
  KIND_FIB,
  KIND_SLEEP,
  KIND_HASH,
  KIND_RESIZE,
  KIND_TIMEOUT,
  N_KINDS
} Kind;

static const char *const kind_names[] = { "fib", "sleep", "hash", "resize", "timeout" };

typedef struct
{
  Kind    kind;
  gint64  expected;   /* fib's value, sleep's ms, hash's file index */
} Task;

typedef struct
{
  /* Options */
  char       *duration_text;
  int         workers;
  gint64      seed;
  gboolean    json;
  gboolean    progress;
  gboolean    no_progress;
  /* Run */
  double      duration;
  FyPool     *pool;
  GPtrArray  *retiring;        /* closed pools whose tasks still run */
  gint64      pool_started_at;
  guint       pools;
  GMainContext *context;
  GRand      *rand;
  char       *dir;
  char       *hash_paths[N_HASH_FILES];
  char       *hash_digests[N_HASH_FILES];
  char       *image_path;
  char       *out_dir;
  GHashTable *outstanding;     /* FyFuture → Task, until it finishes */
  /* Every worker and scenario process not yet seen to exit: pid → start
   * time (a guint64). With pids reused within minutes on a busy machine,
   * a pid alone could name a stranger; and the table stays as small as
   * the live processes, not as the thousands that came and went. */
  GHashTable *live;
  GPid        forkserver_pid;
  gboolean    submitting;
  gboolean    interrupted;
  gboolean    show_progress;
  gint64      started_at;
  /* Scenarios */
  FyQueue    *queue;
  FyProcess  *producer;
  gint64      queue_next;      /* next sequence number expected */
  gint64      queue_first;
  FyValue    *counter;
  FyLock     *lock;
  FyProcess  *incrementers[LOCK_PROCESSES];
  /* Chaos */
  GThread    *chaos_thread;
  gint        chaos_stop;
  FyPoolWorker *stopped;
  /* Books */
  guint       tasks, done, failed, cancelled, duplicates, wrong;
  guint       failed_killed, failed_timeout, failed_other;
  guint       per_kind[N_KINDS];
  guint       kills, stops, cancels, timeouts, scenario_kills;
  guint       queue_rounds, queue_items, lock_rounds;
  guint       zombies, orphans;
  guint       fd_start, fd_end;
  gint64      rss_ref_kb, rss_end_kb;           /* RssAnon */
  gint64      vm_rss_ref_kb, vm_rss_end_kb;     /* VmRSS */
  gboolean    rss_ref_taken;
  gboolean    rss_ref_pending; /* a pool was replaced for the sample */
  GPtrArray  *problems;        /* the checks that failed, as sentences */
} Stress;

static void
stress_clear (Stress *s)
{
  g_free (s->duration_text);
  g_clear_object (&s->pool);
  g_clear_pointer (&s->retiring, g_ptr_array_unref);
  g_clear_pointer (&s->rand, g_rand_free);
  for (guint i = 0; i < N_HASH_FILES; i++)
    {
      g_free (s->hash_paths[i]);
      g_free (s->hash_digests[i]);
    }
  g_free (s->image_path);
  g_free (s->out_dir);
  g_free (s->dir);
  g_clear_pointer (&s->outstanding, g_hash_table_unref);
  g_clear_pointer (&s->live, g_hash_table_unref);
  g_clear_object (&s->queue);
  g_clear_object (&s->producer);
  g_clear_object (&s->counter);
  g_clear_object (&s->lock);
  for (guint i = 0; i < LOCK_PROCESSES; i++)
    g_clear_object (&s->incrementers[i]);
  g_clear_object (&s->stopped);
  g_clear_pointer (&s->problems, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Stress, stress_clear)

static void
problem (Stress     *s,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
problem (Stress     *s,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (s->problems, g_strdup_vprintf (format, args));
  va_end (args);
}

/* ---- measurements --------------------------------------------------------- */

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  /* The directory's own fd was counted. */
  return n - 1;
}

/* What the open fds point to, for the message of a leak. */
static char *
describe_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/fd/%s", name);
      g_autofree char *target = g_file_read_link (path, NULL);

      g_string_append_printf (text, "%s%s → %s", text->len > 0 ? ", " : "", name,
                              target != NULL ? target : "?");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A "Name:   N kB" line of /proc/self/status, in KiB. */
static gint64
status_kb (const char *status,
           const char *name)
{
  g_autofree char *key = g_strdup_printf ("\n%s:", name);
  const char *line = strstr (status, key);

  return line != NULL ? g_ascii_strtoll (line + strlen (key), NULL, 10) : 0;
}

/* The resident anonymous memory (heap, stacks: what a leak grows), after
 * glibc returned what it holds free, so the allocator's cache is not
 * counted; code pages faulted in later and the shared memory of queues and
 * pools are not the parent's leaks and are left out. @out_total gets the
 * whole VmRSS. Both samples are taken with no pool history alive beyond a
 * fraction of a second (see tick_cb and finish). */
static gint64
rss_kb (gint64 *out_total)
{
  g_autofree char *status = NULL;

  malloc_trim (0);
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  *out_total = status_kb (status, "VmRSS");
  return status_kb (status, "RssAnon");
}

/* State letter, parent and start time (clock ticks after boot) of a
 * process, FALSE when it is gone. */
static gboolean
proc_stat (GPid     pid,
           char    *out_state,
           int     *out_ppid,
           guint64 *out_started)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *paren;
  guint64 started = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  paren = strrchr (contents, ')');
  /* After the name: state, ppid, then 17 fields before the start time. */
  if (paren == NULL ||
      sscanf (paren + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %" G_GUINT64_FORMAT,
              out_state, out_ppid, &started) != 3)
    return FALSE;
  if (out_started != NULL)
    *out_started = started;
  return TRUE;
}

static void
remember_process (Stress *s,
                  GPid    pid)
{
  guint64 started;
  char state;
  int ppid;

  /* Already gone (killed at once): nothing to look for later. */
  if (proc_stat (pid, &state, &ppid, &started))
    g_hash_table_insert (s->live, GINT_TO_POINTER (pid), g_memdup2 (&started, sizeof started));
}

static void
forget_process (Stress *s,
                GPid    pid)
{
  g_hash_table_remove (s->live, GINT_TO_POINTER (pid));
}

/* Our children in state Z, the fork server aside. */
static guint
count_zombies (Stress *s)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      char state;
      int ppid;

      if (g_ascii_isdigit (name[0]) && proc_stat (atoi (name), &state, &ppid, NULL) &&
          ppid == getpid () && state == 'Z')
        n++;
    }
  return n;
}

/* Workers and scenario processes of this run that still exist once
 * everything was shut down (the fork server, shared by the process, is
 * no worker). */
static guint
count_orphans (Stress *s)
{
  GHashTableIter iter;
  gpointer key, value;
  guint n = 0;

  g_hash_table_iter_init (&iter, s->live);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPid pid = GPOINTER_TO_INT (key);
      guint64 started;
      char state;
      int ppid;

      if (pid != s->forkserver_pid && proc_stat (pid, &state, &ppid, &started) &&
          started == *(guint64 *) value && state != 'Z')
        n++;
    }
  return n;
}

/* ---- inputs --------------------------------------------------------------- */

static gboolean
make_inputs (Stress  *s,
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

static void
remove_inputs (Stress *s)
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

/* ---- tasks ---------------------------------------------------------------- */

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

static void
submit_one (Stress *s,
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
      problem (s, "a %s task was refused: %s", kind_names[kind], error->message);
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
      problem (s, "task %" G_GUINT64_FORMAT " finished twice", id);
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
            problem (s, "task %" G_GUINT64_FORMAT " (%s) gave a wrong result", id, kind_names[task->kind]);
          }
      }
      break;
    case FY_FUTURE_STATE_FAILED:
      {
        const GError *error = fy_future_get_error (future);

        s->failed++;
        if (error == NULL || error->message == NULL || error->message[0] == '\0')
          problem (s, "task %" G_GUINT64_FORMAT " failed without a reason", id);
        else if (g_error_matches (error, FY_POOL_ERROR, FY_POOL_ERROR_WORKER_DIED))
          s->failed_killed++;
        else if (g_error_matches (error, FY_POOL_ERROR, FY_POOL_ERROR_TIMED_OUT))
          s->failed_timeout++;
        else
          {
            s->failed_other++;
            problem (s, "task %" G_GUINT64_FORMAT " (%s) failed: %s", id, kind_names[task->kind], error->message);
          }
      }
      break;
    case FY_FUTURE_STATE_CANCELLED:
      s->cancelled++;
      break;
    default:
      problem (s, "task %" G_GUINT64_FORMAT " reported finished while unfinished", id);
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

  remember_process (s, fy_pool_worker_get_pid (worker));
}

/* Reaped by the pool: gone for good. */
static void
worker_exited_cb (FyPool       *pool,
                  FyPoolWorker *worker,
                  int           exitcode,
                  gpointer      data)
{
  forget_process (data, fy_pool_worker_get_pid (worker));
}

/* Keeps about four tasks per worker waiting, in a random mix. */
static gboolean
feed_cb (gpointer data)
{
  Stress *s = data;
  guint backlog = (guint) s->workers * 4;

  if (!s->submitting)
    return G_SOURCE_CONTINUE;
  while (g_hash_table_size (s->outstanding) < backlog)
    {
      guint roll = g_rand_int_range (s->rand, 0, 100);

      submit_one (s, roll < 30 ? KIND_FIB : roll < 55 ? KIND_SLEEP : roll < 80 ? KIND_HASH : KIND_RESIZE);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
new_pool (Stress  *s,
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
static void
reap_retiring (Stress *s)
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
        problem (s, "a closed pool did not shut down: %s", error->message);
      g_ptr_array_remove_index_fast (s->retiring, i);
    }
}

/* ---- scenarios ------------------------------------------------------------ */

static FyProcess *
start_scenario (Stress     *s,
                const char *function,
                GVariant   *argument,
                int         fd0,
                int         fd1)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyProcess) process = fy_process_new (function, argument);

  fy_process_add_fd (process, fd0);
  if (fd1 >= 0)
    fy_process_add_fd (process, fd1);
  if (!fy_process_start (process, &error))
    {
      problem (s, "%s could not start: %s", function, error->message);
      return NULL;
    }
  remember_process (s, fy_process_get_pid (process));
  s->tasks++;
  return g_steal_pointer (&process);
}

/* A scenario process ended: done when it exited 0, failed when chaos
 * killed it; anything else is a failure of its own. */
static void
account_process (Stress     *s,
                 FyProcess  *process,
                 gboolean   *out_completed)
{
  int code = -1;

  forget_process (s, fy_process_get_pid (process));
  fy_process_get_exitcode (process, &code);
  *out_completed = code == 0;
  if (code == 0)
    s->done++;
  else
    {
      s->failed++;
      if (code == -SIGKILL)
        s->failed_killed++;
      else
        {
          s->failed_other++;
          problem (s, "%s exited with %d", fy_process_get_function (process), code);
        }
    }
}

/* Takes whatever the producer has put so far; each item must be the next
 * in sequence, so a lost, doubled or reordered item shows at once. */
static void
drain_queue (Stress *s)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) item = fy_queue_get (s->queue, 0, &error);

      if (item == NULL)
        {
          if (!g_error_matches (error, FY_QUEUE_ERROR, FY_QUEUE_ERROR_EMPTY))
            problem (s, "queue get failed: %s", error->message);
          return;
        }
      if (!g_variant_is_of_type (item, G_VARIANT_TYPE_INT64) ||
          g_variant_get_int64 (item) != s->queue_next)
        {
          problem (s, "queue item out of sequence (expected %" G_GINT64_FORMAT ")", s->queue_next);
          return;
        }
      s->queue_next++;
      s->queue_items++;
    }
}

static void
queue_round (Stress *s)
{
  gboolean completed;

  if (s->producer != NULL)
    {
      drain_queue (s);
      if (fy_process_is_alive (s->producer))
        return;
      drain_queue (s);
      account_process (s, s->producer, &completed);
      if (completed && s->queue_next != s->queue_first + QUEUE_ITEMS)
        problem (s, "a queue round ended with %" G_GINT64_FORMAT " of %d items",
                 s->queue_next - s->queue_first, QUEUE_ITEMS);
      if (!completed && s->queue_next > s->queue_first + QUEUE_ITEMS)
        problem (s, "a killed producer's queue held more items than it put");
      if (fy_queue_get_qsize (s->queue) != 0)
        problem (s, "the queue is not empty after its round");
      s->queue_rounds++;
      g_clear_object (&s->producer);
    }
  if (!s->submitting)
    return;
  s->queue_first = s->queue_next;
  s->producer = start_scenario (s, "ipc-queue-put",
                                g_variant_new ("(xxub)", s->queue_first, (gint64) QUEUE_ITEMS, 0, FALSE),
                                fy_queue_get_fd (s->queue), -1);
}

/* Two processes add to one value under one lock. Unharmed, the sum is
 * exact; after a kill it is at most that, and the lock, recovered from
 * its dead holder, can still be taken. */
static void
lock_round (Stress *s)
{
  g_autoptr(GError) error = NULL;
  gboolean all_completed = TRUE;
  gboolean running = FALSE;
  gint64 value;

  for (guint i = 0; i < LOCK_PROCESSES; i++)
    {
      if (s->incrementers[i] != NULL && fy_process_is_alive (s->incrementers[i]))
        return;
      running = running || s->incrementers[i] != NULL;
    }
  if (running)
    {
      for (guint i = 0; i < LOCK_PROCESSES; i++)
        {
          gboolean completed = FALSE;

          if (s->incrementers[i] != NULL)
            account_process (s, s->incrementers[i], &completed);
          all_completed = all_completed && completed;
          g_clear_object (&s->incrementers[i]);
        }
      value = fy_value_get_int (s->counter);
      if (all_completed ? value != LOCK_PROCESSES * LOCK_INCREMENTS : value > LOCK_PROCESSES * LOCK_INCREMENTS)
        problem (s, "the locked counter reads %" G_GINT64_FORMAT " after a round", value);
      if (!fy_lock_acquire (s->lock, 5, &error) || !fy_lock_release (s->lock, &error))
        problem (s, "the lock cannot be taken after a round: %s", error->message);
      s->lock_rounds++;
    }
  if (!s->submitting)
    return;
  fy_value_set_int (s->counter, 0);
  for (guint i = 0; i < LOCK_PROCESSES; i++)
    s->incrementers[i] = start_scenario (s, "ipc-increment",
                                         g_variant_new ("(ub)", LOCK_INCREMENTS, TRUE),
                                         fy_value_get_fd (s->counter), fy_lock_get_fd (s->lock));
}

static gboolean
scenarios_cb (gpointer data)
{
  Stress *s = data;

  queue_round (s);
  lock_round (s);
  return G_SOURCE_CONTINUE;
}

/* ---- chaos ---------------------------------------------------------------- */

static FyPoolWorker *
random_live_worker (Stress *s)
{
  GListModel *workers = fy_pool_get_workers (s->pool);
  guint n = g_list_model_get_n_items (workers);
  g_autoptr(FyPoolWorker) worker = NULL;

  if (n == 0)
    return NULL;
  worker = g_list_model_get_item (workers, g_rand_int_range (s->rand, 0, n));
  if (fy_pool_worker_get_state (worker) == FY_POOL_WORKER_STATE_EXITED)
    return NULL;
  return g_steal_pointer (&worker);
}

static void
continue_stopped (Stress *s)
{
  if (s->stopped != NULL && fy_pool_worker_get_state (s->stopped) != FY_POOL_WORKER_STATE_EXITED)
    fy_pool_worker_continue (s->stopped, NULL);
  g_clear_object (&s->stopped);
}

static gboolean
continue_cb (gpointer data)
{
  continue_stopped (data);
  return G_SOURCE_REMOVE;
}

static void
cancel_random_task (Stress *s)
{
  GHashTableIter iter;
  gpointer key;
  guint skip;

  if (g_hash_table_size (s->outstanding) == 0)
    return;
  skip = g_rand_int_range (s->rand, 0, g_hash_table_size (s->outstanding));
  g_hash_table_iter_init (&iter, s->outstanding);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (skip-- == 0)
      {
        if (fy_future_cancel (key))
          s->cancels++;
        return;
      }
}

/* One act of chaos, in the main context. */
static gboolean
chaos_act_cb (gpointer data)
{
  Stress *s = data;
  guint roll = g_rand_int_range (s->rand, 0, 100);
  g_autoptr(FyPoolWorker) worker = NULL;

  if (!s->submitting)
    return G_SOURCE_REMOVE;
  if (roll < 35)
    {
      worker = random_live_worker (s);
      if (worker != NULL && fy_pool_worker_kill (worker, NULL))
        s->kills++;
    }
  else if (roll < 60)
    {
      if (s->stopped != NULL)
        return G_SOURCE_REMOVE;
      worker = random_live_worker (s);
      if (worker != NULL && fy_pool_worker_stop (worker, NULL))
        {
          s->stops++;
          s->stopped = g_steal_pointer (&worker);
          g_timeout_add (g_rand_int_range (s->rand, 20, 101), continue_cb, s);
        }
    }
  else if (roll < 80)
    cancel_random_task (s);
  else if (roll < 88)
    {
      submit_one (s, KIND_TIMEOUT);
      s->timeouts++;
    }
  else
    {
      FyProcess *victim = g_rand_boolean (s->rand) ? s->producer : s->incrementers[0];

      if (victim != NULL && fy_process_is_alive (victim) && fy_process_kill (victim, NULL))
        s->scenario_kills++;
    }
  return G_SOURCE_REMOVE;
}

/* Chooses the moments: every 5 to 40 ms, one act. */
static gpointer
chaos_thread_func (gpointer data)
{
  Stress *s = data;
  GRand *rand = g_rand_new_with_seed ((guint32) s->seed ^ 0x5eed);

  while (!g_atomic_int_get (&s->chaos_stop))
    {
      g_usleep (g_rand_int_range (rand, 5, 41) * 1000);
      g_main_context_invoke (s->context, chaos_act_cb, s);
    }
  g_rand_free (rand);
  return NULL;
}

/* ---- progress and books --------------------------------------------------- */

static void
draw_progress (Stress *s,
               double  elapsed)
{
  fprintf (stderr, "\r");
  /* TRANSLATORS: the progress line of forkyard-cli stress. */
  fprintf (stderr, _("%3.0f %%  %u tasks: %u done, %u failed, %u cancelled · %u kills, %u stops "),
           MIN (100.0, 100.0 * elapsed / s->duration), s->tasks, s->done, s->failed, s->cancelled,
           s->kills + s->scenario_kills, s->stops);
  fflush (stderr);
}

static gboolean
tick_cb (gpointer data)
{
  Stress *s = data;
  double elapsed = (g_get_monotonic_time () - s->started_at) / (double) G_USEC_PER_SEC;

  reap_retiring (s);
  if (s->submitting && g_get_monotonic_time () - s->pool_started_at > POOL_GENERATION_S * G_USEC_PER_SEC)
    {
      g_autoptr(GError) error = NULL;

      if (!new_pool (s, &error))
        {
          problem (s, "no new pool: %s", error->message);
          s->submitting = FALSE;
        }
    }
  /* The first sample: at the end of the first minute (or half of a
   * shorter run) the pool is replaced, and once the old one is gone the
   * RSS is read, as it is at the end with every pool gone. */
  if (s->rss_ref_pending && s->retiring->len == 0)
    {
      s->rss_ref_kb = rss_kb (&s->vm_rss_ref_kb);
      s->rss_ref_taken = TRUE;
      s->rss_ref_pending = FALSE;
    }
  if (s->submitting && !s->rss_ref_taken && !s->rss_ref_pending &&
      elapsed >= MIN (60.0, s->duration / 2))
    {
      g_autoptr(GError) error = NULL;

      if (new_pool (s, &error))
        s->rss_ref_pending = TRUE;
      else
        problem (s, "no new pool: %s", error->message);
    }
  if (s->show_progress)
    draw_progress (s, elapsed);
  if (elapsed >= s->duration)
    s->submitting = FALSE;
  return G_SOURCE_CONTINUE;
}

static gboolean
interrupt_cb (gpointer data)
{
  Stress *s = data;

  s->interrupted = TRUE;
  s->submitting = FALSE;
  return G_SOURCE_CONTINUE;
}

/* The resident anonymous memory that appeared between the two samples,
 * as a share of the whole RSS at the first: what a leak would add. Pages
 * of code and data files faulted in later (an error path run for the
 * first time) are not the process's memory growing, and on a 10 MB
 * process they alone swing VmRSS by several percent. */
static double
rss_growth (Stress *s)
{
  if (s->vm_rss_ref_kb <= 0)
    return 0;
  return 100.0 * (double) (s->rss_end_kb - s->rss_ref_kb) / (double) s->vm_rss_ref_kb;
}

static void
print_books (Stress *s)
{
  guint lost = g_hash_table_size (s->outstanding);

  if (s->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
#define INT_MEMBER(name, value) \
      json_builder_set_member_name (b, name); json_builder_add_int_value (b, value)
      INT_MEMBER ("tasks", s->tasks);
      INT_MEMBER ("done", s->done);
      INT_MEMBER ("failed", s->failed);
      INT_MEMBER ("cancelled", s->cancelled);
      INT_MEMBER ("lost", lost);
      INT_MEMBER ("duplicates", s->duplicates);
      INT_MEMBER ("wrong_results", s->wrong);
      INT_MEMBER ("failed_worker_died", s->failed_killed);
      INT_MEMBER ("failed_timed_out", s->failed_timeout);
      INT_MEMBER ("failed_other", s->failed_other);
      INT_MEMBER ("zombies", s->zombies);
      INT_MEMBER ("orphans", s->orphans);
      INT_MEMBER ("fd_start", s->fd_start);
      INT_MEMBER ("fd_end", s->fd_end);
      INT_MEMBER ("rss_ref_kb", s->rss_ref_kb);
      INT_MEMBER ("rss_end_kb", s->rss_end_kb);
      INT_MEMBER ("vm_rss_ref_kb", s->vm_rss_ref_kb);
      INT_MEMBER ("vm_rss_end_kb", s->vm_rss_end_kb);
      json_builder_set_member_name (b, "rss_growth_pct");
      json_builder_add_double_value (b, rss_growth (s));
      json_builder_set_member_name (b, "rss_checked");
      json_builder_add_boolean_value (b, CHECKS_RSS);
      /* What GLib's slice allocator ran on: "always-malloc" unless the
       * caller set G_SLICE (fy_cli_stress_use_plain_malloc ()). */
      json_builder_set_member_name (b, "g_slice");
      json_builder_add_string_value (b, g_getenv ("G_SLICE"));
      INT_MEMBER ("kills", s->kills);
      INT_MEMBER ("stops", s->stops);
      INT_MEMBER ("cancels", s->cancels);
      INT_MEMBER ("timeouts", s->timeouts);
      INT_MEMBER ("scenario_kills", s->scenario_kills);
      INT_MEMBER ("queue_rounds", s->queue_rounds);
      INT_MEMBER ("queue_items", s->queue_items);
      INT_MEMBER ("lock_rounds", s->lock_rounds);
      INT_MEMBER ("workers", s->workers);
      INT_MEMBER ("pools", s->pools);
      INT_MEMBER ("seed", s->seed);
#undef INT_MEMBER
      json_builder_set_member_name (b, "duration");
      json_builder_add_double_value (b, (g_get_monotonic_time () - s->started_at) / (double) G_USEC_PER_SEC);
      json_builder_set_member_name (b, "interrupted");
      json_builder_add_boolean_value (b, s->interrupted);
      json_builder_set_member_name (b, "problems");
      json_builder_begin_array (b);
      for (guint i = 0; i < s->problems->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (s->problems, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, s->problems->len == 0);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
      return;
    }

  printf (_("tasks %u: %u done, %u failed (%u worker died, %u timed out, %u other), %u cancelled, %u lost"),
          s->tasks, s->done, s->failed, s->failed_killed, s->failed_timeout, s->failed_other,
          s->cancelled, lost);
  printf ("\n");
  printf (_("chaos: %u kills, %u stops, %u cancels, %u timeouts, %u scenario kills"),
          s->kills, s->stops, s->cancels, s->timeouts, s->scenario_kills);
  printf ("\n");
  printf (_("scenarios: %u queue rounds (%u items), %u lock rounds"),
          s->queue_rounds, s->queue_items, s->lock_rounds);
  printf ("\n");
  /* TRANSLATORS: the RSS figures are in KiB, the growth in percent. */
  printf (_("processes: %u zombies, %u orphans; fds %u → %u; RSS %u → %u KiB (%+.1f %%)"),
          s->zombies, s->orphans, s->fd_start, s->fd_end, (guint) s->vm_rss_ref_kb, (guint) s->vm_rss_end_kb,
          rss_growth (s));
  printf ("\n");
  for (guint i = 0; i < s->problems->len; i++)
    {
      printf (_("FAILED: %s"), (const char *) g_ptr_array_index (s->problems, i));
      printf ("\n");
    }
  printf ("%s\n", s->problems->len == 0 ? _("All checks passed.") : _("Some checks failed."));
}

/* ---- the run -------------------------------------------------------------- */

static gboolean
parse_options (Stress  *s,
               int      argc,
               char   **argv)
{
  GOptionEntry entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &s->duration_text, N_("How long to run: seconds, or with s, m or h (default 60s)"), "D" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &s->workers, N_("Worker processes (default 4)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &s->seed, N_("Seed of the random choices (default: from the clock)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &s->json, N_("Print the books as one JSON object on the last line"), NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &s->progress, N_("Show progress on stderr"), NULL },
    { "no-progress", 0, 0, G_OPTION_ARG_NONE, &s->no_progress, N_("Never show progress"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  s->workers = 4;
  s->seed = -1;
  g_option_context_set_summary (context, _("Runs a mixed workload under chaos, then checks the books"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_set_prgname ("forkyard-cli stress");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fy_cli_error ("%s", error->message);
      return FALSE;
    }
  if (argc > 1)
    {
      fy_cli_error (_("unexpected argument “%s”"), argv[1]);
      return FALSE;
    }
  if (!fy_cli_parse_duration (s->duration_text != NULL ? s->duration_text : "60s", &s->duration, &error))
    {
      fy_cli_error ("--duration: %s", error->message);
      return FALSE;
    }
  if (s->workers < 1 || s->workers > 256)
    {
      fy_cli_error (_("--workers must be between 1 and 256, not %d"), s->workers);
      return FALSE;
    }
  if (s->seed < 0)
    s->seed = g_get_real_time () & G_MAXINT32;
  s->show_progress = s->progress || (!s->no_progress && !s->json && isatty (STDERR_FILENO));
  return TRUE;
}

static gboolean
start (Stress  *s,
       GError **error)
{
  g_autoptr(FyProcess) warm = fy_process_new ("sleep", g_variant_new_uint32 (0));

  s->rand = g_rand_new_with_seed ((guint32) s->seed);
  s->outstanding = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  s->live = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  s->problems = g_ptr_array_new_with_free_func (g_free);
  s->retiring = g_ptr_array_new_with_free_func (g_object_unref);
  s->context = g_main_context_default ();
  if (!make_inputs (s, error))
    return FALSE;

  /* The fork server lives as long as this process: start it before the
   * first fd count, so that count is what everything returns to. */
  if (!fy_process_start (warm, error) || !fy_process_join (warm, 30, error) ||
      !fy_process_close (warm, error))
    return FALSE;
  s->forkserver_pid = fy_spawn_get_forkserver_pid ();
  s->fd_start = count_open_fds ();

  s->queue = fy_queue_new ("stress", 0, error);
  s->counter = fy_value_new ("stress-counter", FY_VALUE_TYPE_INT64, FALSE, error);
  s->lock = fy_lock_new ("stress-lock", error);
  if (s->queue == NULL || s->counter == NULL || s->lock == NULL)
    return FALSE;

  return new_pool (s, error);
}

/* Waits for the last tasks and scenario rounds, then shuts everything
 * down and takes the final measurements. */
static void
finish (Stress *s)
{
  g_autoptr(GError) error = NULL;
  gint64 guard = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  continue_stopped (s);
  while ((g_hash_table_size (s->outstanding) > 0 || s->retiring->len > 0 || s->producer != NULL ||
          s->incrementers[0] != NULL || s->incrementers[1] != NULL) &&
         g_get_monotonic_time () < guard)
    {
      g_main_context_iteration (NULL, FALSE);
      scenarios_cb (s);
      reap_retiring (s);
      g_usleep (2000);
    }
  if (g_hash_table_size (s->outstanding) > 0)
    problem (s, "%u tasks never finished", g_hash_table_size (s->outstanding));
  if (s->producer != NULL || s->incrementers[0] != NULL || s->incrementers[1] != NULL)
    problem (s, "a scenario process never ended");

  fy_pool_close (s->pool);
  if (!fy_pool_join (s->pool, 30, &error))
    problem (s, "the pool did not shut down: %s", error->message);
  g_clear_object (&s->pool);
  s->rss_end_kb = rss_kb (&s->vm_rss_end_kb);
  if (!s->rss_ref_taken)
    {
      s->rss_ref_kb = s->rss_end_kb;
      s->vm_rss_ref_kb = s->vm_rss_end_kb;
    }
  g_clear_object (&s->queue);
  g_clear_object (&s->counter);
  g_clear_object (&s->lock);
  /* Let the last exits be reaped. */
  for (int i = 0; i < 50 && count_zombies (s) > 0; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  s->zombies = count_zombies (s);
  s->orphans = count_orphans (s);
  s->fd_end = count_open_fds ();

  if (s->zombies > 0)
    problem (s, "%u zombie processes", s->zombies);
  if (s->orphans > 0)
    problem (s, "%u processes outlived the run", s->orphans);
  if (s->fd_end > s->fd_start)
    {
      g_autofree char *fds = describe_fds ();

      problem (s, "%u file descriptors leaked (%s)", s->fd_end - s->fd_start, fds);
    }
  if (CHECKS_RSS && rss_growth (s) >= RSS_GROWTH_LIMIT)
    problem (s, "RSS grew by %.1f %%", rss_growth (s));
}

void
fy_cli_stress_use_plain_malloc (char **argv)
{
  /* GLib 2.74's slice allocator, behind every GObject and GVariant, keeps
   * freed blocks in per-thread magazines that it enlarges while threads
   * contend for them (here the main thread and the chaos thread) and
   * returns to malloc only in part: in a 3-minute soak it held 1.7 MiB
   * more at the end than after the first minute, growth that no leak
   * check finds (LeakSanitizer and heaptrack see none) and that vanishes
   * on plain malloc. A soak that measures the program's memory runs on
   * plain malloc, as GLib itself does under valgrind. G_SLICE is read
   * once, before main, so that takes a fresh start of the program. */
  if (g_getenv ("G_SLICE") != NULL)
    return;
  if (!g_setenv ("G_SLICE", "always-malloc", TRUE))
    return;
  execv ("/proc/self/exe", argv);
  /* No fresh start: the soak runs as it is, slice caches and all. */
}

int
fy_cli_stress_main (int    argc,
                    char **argv)
{
  g_auto(Stress) s = { 0 };
  g_autoptr(GError) error = NULL;
  guint sources[4];
  guint sigint_id, sigterm_id;

  if (!parse_options (&s, argc, argv))
    return FY_CLI_EXIT_USAGE;
  /* Before the first fd count: GLib opens its signal wake-up fd once. */
  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, &s);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, &s);
  if (!start (&s, &error))
    {
      fy_cli_error ("%s", error->message);
      remove_inputs (&s);
      return FY_CLI_EXIT_FAILED;
    }

  s.started_at = g_get_monotonic_time ();
  s.submitting = TRUE;
  sources[0] = g_timeout_add (5, feed_cb, &s);
  sources[1] = g_timeout_add (20, scenarios_cb, &s);
  sources[2] = g_timeout_add (250, tick_cb, &s);
  sources[3] = 0;
  s.chaos_thread = g_thread_new ("fy-chaos", chaos_thread_func, &s);

  while (s.submitting)
    g_main_context_iteration (NULL, TRUE);

  g_atomic_int_set (&s.chaos_stop, 1);
  /* Acts it queued before it stopped see submitting FALSE and do nothing. */
  g_thread_join (s.chaos_thread);
  for (guint i = 0; sources[i] != 0; i++)
    g_source_remove (sources[i]);
  finish (&s);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (s.show_progress)
    fprintf (stderr, "\n");
  remove_inputs (&s);
  print_books (&s);

  if (s.problems->len > 0)
    return FY_CLI_EXIT_FAILED;
  return s.interrupted ? FY_CLI_EXIT_INTERRUPTED : FY_CLI_EXIT_OK;
}
