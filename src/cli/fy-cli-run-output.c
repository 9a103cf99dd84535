/* fy-cli-run-output.c: what forkyard-cli's pool runs print
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each input's outcome as it arrives, in input order: results on stdout
 * (hash exactly as sha256sum prints it), one "forkyard-cli: INPUT: reason"
 * line per failure on stderr, or a single JSON document with --json; and
 * the progress bar on stderr.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "fy-cli.h"
#include "fy-cli-run-private.h"
#include "fy-cpu-list.h"
#include "fy-result-json.h"

/* sha256sum's line: names holding a backslash or a newline get a leading
 * backslash and those two characters escaped. Plain names, nearly all of
 * them, go out in one piece: a locked putchar per byte cost more than
 * hashing a small file. */
static void
print_hash_line (const char *digest,
                 const char *path)
{
  gsize length = strlen (path);
  gboolean escape = memchr (path, '\\', length) != NULL || memchr (path, '\n', length) != NULL;

  if (!escape)
    {
      fputs (digest, stdout);
      fputs ("  ", stdout);
      fwrite (path, 1, length, stdout);
      putchar ('\n');
      return;
    }

  putchar ('\\');
  fputs (digest, stdout);
  fputs ("  ", stdout);
  for (const char *p = path; *p != '\0'; p++)
    {
      if (*p == '\\')
        fputs ("\\\\", stdout);
      else if (*p == '\n')
        fputs ("\\n", stdout);
      else
        putchar (*p);
    }
  putchar ('\n');
}

/* Input @index's own result, or NULL and why not. It is item @item of
 * its task @future (0 for a task of one). A batch task succeeds as a
 * whole yet carries one outcome per file; so does a chunk of hash-files,
 * whose outcomes were read into texts as it came back. */
static GVariant *
input_result (Run          *run,
              guint         index,
              FyFuture     *future,
              guint         item,
              char        **out_reason)
{
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) outcome = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  const char *text;

  if (run->texts != NULL && (text = g_ptr_array_index (run->texts, index)) != NULL)
    {
      if (run->oks->data[index])
        return g_variant_new_string (text);
      *out_reason = g_strdup (text);
      return NULL;
    }
  if (!fy_future_get_item_result (future, item, &result, &error))
    {
      *out_reason = g_strdup (error ? error->message : _("no result"));
      return NULL;
    }
  if (g_str_equal (run->workload, "hash-batch"))
    outcome = g_variant_get_child_value (result,
                                         g_array_index (run->input_slot, guint, index) % run->batch_size);
  else
    return g_steal_pointer (&result);

  g_variant_get (outcome, "(b&s)", &ok, &text);
  if (!ok)
    {
      *out_reason = g_strdup (text);
      return NULL;
    }
  return g_variant_new_string (text);
}

static void
print_plain (Run      *run,
             guint     index,
             FyFuture *future)
{
  const char *input = g_ptr_array_index (run->inputs, index);
  g_autofree char *reason = NULL;
  g_autoptr(GVariant) result = NULL;

  if (run->texts != NULL && g_ptr_array_index (run->texts, index) != NULL)
    {
      const char *text = g_ptr_array_index (run->texts, index);

      if (run->oks->data[index])
        print_hash_line (text, input);
      else
        {
          fflush (stdout);
          fy_cli_error ("%s: %s", input, text);
        }
      return;
    }

  result = input_result (run, index, future, g_array_index (run->items, guint, index), &reason);

  if (result == NULL)
    {
      fflush (stdout);
      fy_cli_error ("%s: %s", input, reason);
      return;
    }

  if (g_str_equal (run->command, "hash"))
    print_hash_line (g_variant_get_string (result, NULL), input);
  else if (g_str_equal (run->command, "resize"))
    {
      g_autofree char *out_path = NULL;
      int w, h;

      g_variant_get (result, "(^ayii)", &out_path, &w, &h);
      printf ("%s\n", out_path);
    }
  else if (g_str_equal (run->command, "load"))
    {
      double fraction, wall, cpu;
      int last_cpu;

      g_variant_get (result, "(dddi)", &fraction, &wall, &cpu, &last_cpu);
      /* TRANSLATORS: one worker of a load run: its pid, the busy share it
       * achieved in per cent, and the CPU it last ran on. */
      printf (_("worker %d: busy %.1f %% on CPU %d\n"), (int) fy_future_get_worker_pid (future),
              fraction * 100, last_cpu);
    }
  else if (g_str_equal (run->command, "sumsq"))
    printf ("%s\n", g_variant_get_string (result, NULL));
  else if (g_str_equal (run->command, "fib"))
    printf ("%" G_GINT64_FORMAT "\n", g_variant_get_int64 (result));
  else
    printf ("%u\n", g_variant_get_uint32 (result));
}

void
fy_cli_run_clear_progress (Run *run)
{
  if (run->show_progress)
    fputs ("\r\033[K", stderr);
}

void
fy_cli_run_draw_progress (Run *run)
{
  guint total = run->inputs->len;
  double elapsed = (g_get_monotonic_time () - run->started_at) / (double) G_USEC_PER_SEC;
  double rate = elapsed > 0 ? run->n_finished / elapsed : 0;
  char bar[31];
  guint filled = total > 0 ? run->n_finished * (sizeof bar - 1) / total : 0;

  if (!run->show_progress)
    return;

  /* A load run's progress is its time, not its tasks. */
  if (g_str_equal (run->command, "load"))
    filled = (guint) MIN (elapsed / run->duration * (sizeof bar - 1), sizeof bar - 1);

  for (guint i = 0; i < sizeof bar - 1; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[sizeof bar - 1] = '\0';

  if (g_str_equal (run->command, "load"))
    fprintf (stderr, "\r\033[K[%s] %.0f/%.0f s  %g %%", bar, MIN (elapsed, run->duration),
             run->duration, run->percent);
  else if (rate > 0 && run->n_finished < total)
    fprintf (stderr, "\r\033[K[%s] %u/%u  %.1f/s  ETA %.0f s", bar, run->n_finished, total,
             rate, (total - run->n_finished) / rate);
  else
    fprintf (stderr, "\r\033[K[%s] %u/%u  %.1f/s", bar, run->n_finished, total, rate);
  fflush (stderr);
}

/* The CPU @pid last ran on (field 39 of /proc/PID/stat), -1 if unknown.
 * Read as its result comes in, while the worker waits for its next task:
 * so it is where the task ran last. */
int
fy_cli_run_worker_last_cpu (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;
  gint64 cpu;

  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL) ||
      (after_name = strrchr (text, ')')) == NULL)
    return -1;
  /* After "pid (comm) ", the state is field 3; the CPU is field 39. */
  fields = g_strsplit (after_name + 2, " ", 40);
  if (g_strv_length (fields) < 37 || !g_ascii_string_to_signed (fields[36], 10, 0, G_MAXINT, &cpu, NULL))
    return -1;
  return (int) cpu;
}

/* Input @index finished as item @item of @future; @cpu is where its
 * worker last ran (--cpus). */
void
fy_cli_run_record_input (Run      *run,
                         FyFuture *future,
                         guint     item,
                         guint     index,
                         int       cpu)
{
  g_autofree char *reason = NULL;
  g_autoptr(GVariant) result = NULL;

  if (g_ptr_array_index (run->futures, index) != NULL)
    return;
  g_ptr_array_index (run->futures, index) = g_object_ref (future);
  g_array_index (run->items, guint, index) = item;
  run->n_finished++;
  if (run->last_cpu != NULL)
    g_array_index (run->last_cpu, int, index) = cpu;
  if (run->texts != NULL && g_ptr_array_index (run->texts, index) != NULL)
    run->n_failed += !run->oks->data[index];
  else
    {
      result = input_result (run, index, future, item, &reason);
      if (result == NULL)
        run->n_failed++;
    }

  if (run->json)
    return;

  fy_cli_run_clear_progress (run);
  if (run->mode == RUN_MODE_UNORDERED)
    print_plain (run, index, future);
  else
    /* Input order: print every finished one up to the first gap. */
    while (run->next_to_print < run->inputs->len &&
           g_ptr_array_index (run->futures, run->next_to_print) != NULL)
      {
        print_plain (run, run->next_to_print, g_ptr_array_index (run->futures, run->next_to_print));
        run->next_to_print++;
      }
  /* Someone watching sees each line as it comes; a pipe or a file gets
   * full buffers: a write per line cost more than hashing a small file. */
  if (run->stdout_is_tty)
    fflush (stdout);
}

/* Task @task_index holds batch_size slots of inputs. */
void
fy_cli_run_record_finished (Run      *run,
                            FyFuture *future,
                            guint     task_index)
{
  guint first = task_index * run->batch_size;
  int cpu = run->last_cpu != NULL ? fy_cli_run_worker_last_cpu (fy_future_get_worker_pid (future)) : -1;

  if (run->slot_input == NULL)
    {
      fy_cli_run_record_input (run, future, 0, task_index, cpu);
      return;
    }
  for (guint slot = first; slot < run->inputs->len && slot < first + run->batch_size; slot++)
    fy_cli_run_record_input (run, future, 0, g_array_index (run->slot_input, guint, slot), cpu);
}

/* [{"path": …, "reason": …}, …] from alternating path, reason. */
static void
add_pairs_json (JsonBuilder *builder,
                const char  *name,
                GPtrArray   *pairs)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      fy_result_json_add_path (builder, g_ptr_array_index (pairs, i));
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, g_ptr_array_index (pairs, i + 1));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static double
cpu_seconds_used (void)
{
  struct rusage self, children;

  getrusage (RUSAGE_SELF, &self);
  getrusage (RUSAGE_CHILDREN, &children);
  return self.ru_utime.tv_sec + self.ru_stime.tv_sec +
         children.ru_utime.tv_sec + children.ru_stime.tv_sec +
         (self.ru_utime.tv_usec + self.ru_stime.tv_usec +
          children.ru_utime.tv_usec + children.ru_stime.tv_usec) / 1e6;
}

void
fy_cli_run_print_json (Run    *run,
                       int     n_workers,
                       double  wall_seconds)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "workload");
  json_builder_add_string_value (builder, run->command);
  json_builder_set_member_name (builder, "workers");
  json_builder_add_int_value (builder, n_workers);
  json_builder_set_member_name (builder, "tasks");
  json_builder_add_int_value (builder, run->inputs->len);
  json_builder_set_member_name (builder, "completed");
  json_builder_add_int_value (builder, run->n_finished - run->n_failed);
  json_builder_set_member_name (builder, "interrupted");
  json_builder_add_boolean_value (builder, run->interrupted);

  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < run->inputs->len; i++)
    {
      FyFuture *future = g_ptr_array_index (run->futures, i);
      guint item = g_array_index (run->items, guint, i);
      g_autofree char *reason = NULL;
      g_autoptr(GVariant) result = future ? input_result (run, i, future, item, &reason) : NULL;

      if (result != NULL)
        {
          gint64 started_at, finished_at;
          JsonNode *node;

          /* A file of a chunk: its own time, as its worker took it. */
          if (run->micros != NULL)
            {
              started_at = 0;
              finished_at = g_array_index (run->micros, guint32, i);
            }
          else if (!fy_future_get_item_times (future, item, &started_at, &finished_at))
            {
              started_at = fy_future_get_started_at (future);
              finished_at = fy_future_get_finished_at (future);
            }
          node = fy_result_json_new_value (run->command, g_ptr_array_index (run->inputs, i), result,
                                           fy_future_get_worker_pid (future),
                                           (finished_at - started_at) / (double) G_USEC_PER_SEC);

          /* Pinned: which of the CPUs each task ended on (load says it
           * itself, from inside the worker). */
          if (run->last_cpu != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
              !json_object_has_member (json_node_get_object (node), "cpu"))
            json_object_set_int_member (json_node_get_object (node), "cpu",
                                        g_array_index (run->last_cpu, int, i));
          json_builder_add_value (builder, node);
        }
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_array (builder);

  if (run->last_cpu != NULL)
    {
      g_autofree char *list = fy_cpu_list_format (&run->cpu_set);

      json_builder_set_member_name (builder, "cpus");
      json_builder_add_string_value (builder, list);
      /* For every input, also those whose result is a bare number. */
      json_builder_set_member_name (builder, "last_cpus");
      json_builder_begin_array (builder);
      for (guint i = 0; i < run->inputs->len; i++)
        json_builder_add_int_value (builder, g_array_index (run->last_cpu, int, i));
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "failed");
  json_builder_begin_array (builder);
  for (guint i = 0; i < run->inputs->len; i++)
    {
      FyFuture *future = g_ptr_array_index (run->futures, i);
      g_autofree char *reason = NULL;
      g_autoptr(GVariant) result = NULL;
      const GError *error;
      int exitcode;

      if (future == NULL)
        continue;
      /* A file of a batch can fail while its task succeeded. */
      result = input_result (run, i, future, g_array_index (run->items, guint, i), &reason);
      if (result != NULL)
        continue;
      error = fy_future_get_error (future);
      exitcode = fy_future_get_worker_exitcode (future);

      json_builder_add_value (builder,
                              fy_result_json_new_failure (i, g_ptr_array_index (run->inputs, i),
                                                          error ? error->message
                                                          : fy_future_get_state (future) == FY_FUTURE_STATE_DONE ? reason
                                                          : "cancelled",
                                                          fy_future_get_worker_pid (future), exitcode));
    }
  json_builder_end_array (builder);

  if (run->walk != NULL)
    {
      add_pairs_json (builder, "skipped", run->walk->skipped);
      add_pairs_json (builder, "walk_errors", run->walk->errors);
    }
  if (g_str_equal (run->command, "hash"))
    {
      /* Which digests ran (the large files', the small files'), and the
       * rates that chose them. */
      json_builder_set_member_name (builder, "engine");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, fy_hash_engine_name (run->large_engine));
      json_builder_set_member_name (builder, "small_files");
      json_builder_add_string_value (builder, fy_hash_engine_name (run->small_engine));
      json_builder_set_member_name (builder, "openssl_mib_per_s");
      json_builder_add_double_value (builder, run->engine.openssl_mib_per_s);
      json_builder_set_member_name (builder, "lanes_mib_per_s");
      json_builder_add_double_value (builder, run->engine.lanes_mib_per_s);
      json_builder_set_member_name (builder, "pairs_mib_per_s");
      json_builder_add_double_value (builder, run->engine.pairs_mib_per_s);
      json_builder_set_member_name (builder, "forced");
      json_builder_add_boolean_value (builder, run->engine.forced);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "wall_seconds");
  json_builder_add_double_value (builder, wall_seconds);
  json_builder_set_member_name (builder, "cpu_seconds");
  json_builder_add_double_value (builder, cpu_seconds_used ());
  json_builder_set_member_name (builder, "tasks_per_second");
  json_builder_add_double_value (builder, wall_seconds > 0 ? run->n_finished / wall_seconds : 0);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

