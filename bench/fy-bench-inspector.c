/* fy-bench-inspector.c: what the IPC inspector costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: fy-bench-inspector snapshot N_OBJECTS REPETITIONS
 *        fy-bench-inspector queue N_ITEMS ROUNDS
 *
 * snapshot: N_OBJECTS live objects of every kind; the time of one registry
 * snapshot of them all, and of one refresh of the inspector's rows (the
 * same snapshots turned into the texts the rows show), best of REPETITIONS.
 *
 * queue: a worker puts N_ITEMS int64s into a queue and this process gets
 * them, once alone and once while an inspector thread refreshes the
 * queue's row and snapshots the registry every frame (60 per second, more
 * often than the inspector's five). Rounds alternate, and the best of each
 * kind is kept. Prints the times, the slowdown and the inspector thread's
 * CPU as a share of one core. One JSON object on stdout.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/fy-array.h"
#include "core/fy-barrier.h"
#include "core/fy-condition.h"
#include "core/fy-dict.h"
#include "core/fy-event.h"
#include "core/fy-list.h"
#include "core/fy-lock.h"
#include "core/fy-process.h"
#include "core/fy-queue.h"
#include "core/fy-registry.h"
#include "core/fy-semaphore.h"
#include "core/fy-value.h"

#include "fy-inspector-row.h"

#define FRAME_US (G_USEC_PER_SEC / 60)

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static GObject *
make_object (guint    i,
             GError **error)
{
  g_autofree char *name = g_strdup_printf ("object-%u", i);

  switch (i % 10)
    {
    case 0: return G_OBJECT (fy_queue_new (name, 16, error));
    case 1: return G_OBJECT (fy_value_new (name, FY_VALUE_TYPE_INT64, TRUE, error));
    case 2: return G_OBJECT (fy_array_new (name, FY_VALUE_TYPE_DOUBLE, 8, TRUE, error));
    case 3: return G_OBJECT (fy_lock_new (name, error));
    case 4: return G_OBJECT (fy_semaphore_new (name, 2, error));
    case 5: return G_OBJECT (fy_event_new (name, error));
    case 6: return G_OBJECT (fy_condition_new (name, error));
    case 7: return G_OBJECT (fy_barrier_new (name, 4, -1, error));
    case 8: return G_OBJECT (fy_dict_new (name, 64 * 1024, error));
    default: return G_OBJECT (fy_list_new (name, 64, 64 * 1024, error));
    }
}

static int
bench_snapshot (guint n_objects,
                guint repetitions)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  FyRegistry *registry = fy_registry_get_default ();
  g_autoptr(GError) error = NULL;
  double best_snapshot = G_MAXDOUBLE, best_rows = G_MAXDOUBLE;

  for (guint i = 0; i < n_objects; i++)
    {
      GObject *object = make_object (i, &error);

      if (object == NULL)
        {
          fprintf (stderr, "fy-bench-inspector: %s\n", error->message);
          return 1;
        }
      g_ptr_array_add (objects, object);
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (registry)); i++)
    {
      g_autoptr(FyShm) shm = g_list_model_get_item (G_LIST_MODEL (registry), i);

      g_ptr_array_add (rows, fy_inspector_row_new (shm));
    }

  for (guint r = 0; r < repetitions; r++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GVariant) all = fy_registry_snapshot_all (registry);
      double elapsed = seconds_since (start);

      best_snapshot = MIN (best_snapshot, elapsed);
      g_assert (g_variant_n_children (all) == n_objects);

      start = g_get_monotonic_time ();
      for (guint i = 0; i < rows->len; i++)
        fy_inspector_row_update (g_ptr_array_index (rows, i), start);
      best_rows = MIN (best_rows, seconds_since (start));
    }

  printf ("{\"objects\": %u, \"snapshot_us\": %.3f, \"rows_update_us\": %.3f}\n",
          n_objects, best_snapshot * 1e6, best_rows * 1e6);
  return 0;
}

typedef struct
{
  FyQueue        *queue;
  gint            stop;
  guint64         refreshes;
  double          cpu_seconds;
} Watcher;

/* The inspector's work for one object, a frame at a time. */
static gpointer
watcher_thread (gpointer data)
{
  Watcher *w = data;
  g_autoptr(FyInspectorRow) row = fy_inspector_row_new (fy_queue_get_shm (w->queue));
  double cpu_start = thread_cpu_seconds ();

  while (!g_atomic_int_get (&w->stop))
    {
      g_autoptr(GVariant) all = fy_registry_snapshot_all (fy_registry_get_default ());

      fy_inspector_row_update (row, g_get_monotonic_time ());
      w->refreshes++;
      g_usleep (FRAME_US);
    }
  w->cpu_seconds = thread_cpu_seconds () - cpu_start;
  return NULL;
}

/* Seconds to move @n_items through a fresh queue, with or without a
 * watcher; FALSE on error. */
static gboolean
move_items (guint     n_items,
            gboolean  watched,
            double   *out_seconds,
            double   *out_watcher_cpu,
            GError  **error)
{
  g_autoptr(FyQueue) queue = fy_queue_new ("bench-queue", 0, error);
  g_autoptr(FyProcess) producer = NULL;
  GThread *thread = NULL;
  Watcher watcher = { 0 };
  gint64 start, value;

  if (queue == NULL)
    return FALSE;
  producer = fy_process_new ("ipc-queue-put-int64", g_variant_new ("(xx)", (gint64) 0, (gint64) n_items));
  fy_process_add_fd (producer, fy_queue_get_fd (queue));
  watcher.queue = queue;
  if (watched)
    thread = g_thread_new ("fy-bench-watcher", watcher_thread, &watcher);

  start = g_get_monotonic_time ();
  if (!fy_process_start (producer, error))
    return FALSE;
  for (guint i = 0; i < n_items; i++)
    if (!fy_queue_get_int64 (queue, &value, 60, error))
      return FALSE;
  *out_seconds = seconds_since (start);

  if (thread != NULL)
    {
      g_atomic_int_set (&watcher.stop, 1);
      g_thread_join (thread);
      *out_watcher_cpu = watcher.cpu_seconds;
    }
  return fy_process_join (producer, 60, error);
}

static int
bench_queue (guint n_items,
             guint rounds)
{
  g_autoptr(GError) error = NULL;
  double best_plain = G_MAXDOUBLE, best_watched = G_MAXDOUBLE, watcher_cpu = 0;

  for (guint r = 0; r < rounds; r++)
    {
      double plain, watched, cpu = 0;

      if (!move_items (n_items, FALSE, &plain, NULL, &error) ||
          !move_items (n_items, TRUE, &watched, &cpu, &error))
        {
          fprintf (stderr, "fy-bench-inspector: %s\n", error->message);
          return 1;
        }
      best_plain = MIN (best_plain, plain);
      if (watched < best_watched)
        {
          best_watched = watched;
          watcher_cpu = cpu / watched;
        }
    }

  printf ("{\"items\": %u, \"plain_s\": %.6f, \"watched_s\": %.6f, "
          "\"slowdown_pct\": %.2f, \"inspector_cpu_pct\": %.3f}\n",
          n_items, best_plain, best_watched,
          (best_watched / best_plain - 1) * 100, watcher_cpu * 100);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "snapshot"))
    return bench_snapshot ((guint) atoi (argv[2]), (guint) atoi (argv[3]));
  if (argc == 4 && g_str_equal (argv[1], "queue"))
    return bench_queue ((guint) atoi (argv[2]), (guint) atoi (argv[3]));
  fprintf (stderr, "usage: fy-bench-inspector snapshot N_OBJECTS REPETITIONS\n"
                   "       fy-bench-inspector queue N_ITEMS ROUNDS\n");
  return 2;
}
