/* fy-scenarios-shared.c: queues, pipes, shared values, arrays and dicts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seeds' data-sharing examples: producer and consumer on a queue (and
 * a bounded one whose producer blocks), the two ends of a Pipe, a shared
 * counter with and without its lock, shared arrays, Manager dicts.
 */

#include "config.h"

#include <string.h>

#include "core/fy-array.h"
#include "core/fy-barrier.h"
#include "core/fy-dict.h"
#include "core/fy-list.h"
#include "core/fy-lock.h"
#include "core/fy-pipe.h"
#include "core/fy-queue.h"
#include "core/fy-value.h"

#include "fy-scenario-private.h"

#define INCREMENTS_PER_PROCESS 10000
#define N_INCREMENTERS         4

/* A started daemon process whose fds are exactly @fds (the bodies from
 * fy-workloads-ipc.c and the pipe examples take no output list); the
 * caller's reference, NULL with @error. */
static FyProcess *
start_plain (const char  *function,
             GVariant    *argument,
             const int   *fds,
             guint        n_fds,
             GError     **error)
{
  g_autoptr(FyProcess) process = fy_process_new (function, argument);

  fy_process_set_daemon (process, TRUE);
  for (guint i = 0; i < n_fds; i++)
    fy_process_add_fd (process, fds[i]);
  if (!fy_process_start (process, error))
    return NULL;
  return g_steal_pointer (&process);
}

/* start_plain () appending to @processes, which keeps the only reference. */
static gboolean
start_plain_into (GPtrArray   *processes,
                  const char  *function,
                  GVariant    *argument,
                  const int   *fds,
                  guint        n_fds,
                  GError     **error)
{
  FyProcess *process = start_plain (function, argument, fds, n_fds, error);

  if (process == NULL)
    return FALSE;
  g_ptr_array_add (processes, process);
  return TRUE;
}

static char *
result_ints (FyProcess  *process,
             GError    **error)
{
  g_autoptr(GVariant) result = fy_process_get_result (process, error);
  const gint64 *values;
  gsize n;

  if (result == NULL)
    return NULL;
  values = g_variant_get_fixed_array (result, &n, sizeof (gint64));
  return fy_scenario_format_ints (values, n);
}

/* One producer and one consumer on @queue; returns what the consumer got,
 * in order. @watch: sample the queue while they run and report whether the
 * producer was seen blocked on a full queue, and its pid. */
static char *
produce_consume (FyScenarioRun  *run,
                 FyQueue        *queue,
                 gint64          n_items,
                 guint           consumer_delay,
                 gboolean        watch,
                 GPid           *out_blocked_pid,
                 GError        **error)
{
  g_autoptr(FyProcess) producer = NULL;
  g_autoptr(FyProcess) consumer = NULL;
  int fd = fy_queue_get_fd (queue);

  producer = fy_scenario_start (run, "scenario-producer",
                                g_variant_new ("(xx)", (gint64) 0, n_items), &fd, 1, error);
  if (producer == NULL)
    return NULL;
  consumer = fy_scenario_start (run, "scenario-consumer",
                                g_variant_new_uint32 (consumer_delay), &fd, 1, error);
  if (consumer == NULL)
    return NULL;

  /* What the inspector does: read the queue's header, send nothing. */
  while (watch && fy_process_is_alive (consumer))
    {
      g_autoptr(GVariant) snapshot = fy_shm_snapshot (fy_queue_get_shm (queue));
      guint32 depth = 0, capacity = 0, put_waiters = 0;
      gint32 holder = 0;

      g_variant_lookup (snapshot, "depth", "u", &depth);
      g_variant_lookup (snapshot, "capacity", "u", &capacity);
      g_variant_lookup (snapshot, "put-waiters", "u", &put_waiters);
      g_variant_lookup (snapshot, "holder-pid", "i", &holder);
      /* A blocked put sleeps holding the producers' lock: its holder is
       * the blocked producer. */
      if (capacity > 0 && depth >= capacity && put_waiters > 0 &&
          holder == fy_process_get_pid (producer))
        *out_blocked_pid = holder;
      fy_scenario_run_sleep (run, 5);
    }
  if (!fy_process_join (producer, 60, error) || !fy_process_join (consumer, 60, error))
    return NULL;
  return result_ints (consumer, error);
}

gboolean
fy_scenario_producer_consumer (FyScenarioRun  *run,
                               GError        **error)
{
  g_autoptr(FyQueue) queue = fy_queue_new ("q", 0, error);
  g_autoptr(FyQueue) bounded = NULL;
  g_autofree char *got = NULL;
  g_autofree char *got_bounded = NULL;
  GPid blocked = 0;
  gboolean matched;

  if (queue == NULL)
    return FALSE;
  if ((got = produce_consume (run, queue, 5, 0, FALSE, NULL, error)) == NULL)
    return FALSE;

  fy_scenario_run_print (run, "Bounded queue (maxsize 2) with a slow consumer:");
  if ((bounded = fy_queue_new ("bounded-q", 2, error)) == NULL)
    return FALSE;
  got_bounded = produce_consume (run, bounded, 10, fy_scenario_run_ms (run, 60, 1500),
                                 TRUE, &blocked, error);
  if (got_bounded == NULL)
    return FALSE;
  if (blocked != 0)
    fy_scenario_run_print (run, "Producer PID %d was seen blocked on the full queue (2 of 2)", (int) blocked);
  else
    fy_scenario_run_print (run, "The producer was never seen blocked");

  fy_scenario_run_add_detail (run, "blocked-producer-pid", g_variant_new_int32 (blocked));
  matched = g_str_equal (got, "[0, 1, 2, 3, 4]") &&
            g_str_equal (got_bounded, "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]") && blocked != 0;
  fy_scenario_run_set_outcome (run, matched,
                               "consumed %s in order; bounded: %s, producer %s",
                               got, got_bounded, blocked != 0 ? "blocked while full" : "never blocked");
  return TRUE;
}

gboolean
fy_scenario_pipe (FyScenarioRun  *run,
                  GError        **error)
{
  g_autoptr(FyPipe) parent_conn = NULL;
  g_autoptr(FyPipe) child_conn = NULL;
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GVariant) sent_back = NULL;
  g_autoptr(GVariant) received = NULL;
  g_autoptr(GVariant) message = NULL;
  g_autoptr(GVariant) data = NULL;
  g_autofree char *data_text = NULL;
  const char *response;
  int fd;

  if (!fy_pipe_new_pair (TRUE, &parent_conn, &child_conn, error))
    return FALSE;
  fd = fy_pipe_get_fd (parent_conn);
  if (!start_plain_into (processes, "pipe-sender", NULL, &fd, 1, error))
    return FALSE;
  fd = fy_pipe_get_fd (child_conn);
  if (!start_plain_into (processes, "pipe-receiver", NULL, &fd, 1, error))
    return FALSE;
  /* The children hold their own copies of the ends. */
  g_clear_object (&parent_conn);
  g_clear_object (&child_conn);
  if (!fy_scenario_join_all (processes, 30, error))
    return FALSE;

  if ((received = fy_process_get_result (g_ptr_array_index (processes, 1), error)) == NULL ||
      (sent_back = fy_process_get_result (g_ptr_array_index (processes, 0), error)) == NULL)
    return FALSE;
  g_variant_get (received, "(vv)", &message, &data);
  if (g_variant_is_of_type (data, G_VARIANT_TYPE ("ax")))
    {
      gsize n;
      const gint64 *values = g_variant_get_fixed_array (data, &n, sizeof (gint64));

      data_text = fy_scenario_format_ints (values, n);
    }
  else
    data_text = g_variant_print (data, FALSE);
  response = g_variant_is_of_type (sent_back, G_VARIANT_TYPE_STRING)
             ? g_variant_get_string (sent_back, NULL) : "";

  fy_scenario_run_print (run, "Receiver got: %s",
                         g_variant_is_of_type (message, G_VARIANT_TYPE_STRING)
                         ? g_variant_get_string (message, NULL) : "?");
  fy_scenario_run_print (run, "Receiver got: %s", data_text);
  fy_scenario_run_print (run, "Sender received: %s", response);
  fy_scenario_run_set_outcome (run,
                               g_variant_is_of_type (message, G_VARIANT_TYPE_STRING) &&
                               g_str_equal (g_variant_get_string (message, NULL), "Hello from sender") &&
                               g_str_equal (data_text, "[1, 2, 3]") &&
                               g_str_equal (response, "Thanks!"),
                               "receiver got “%s” and %s, sender got “%s”",
                               g_variant_is_of_type (message, G_VARIANT_TYPE_STRING)
                               ? g_variant_get_string (message, NULL) : "?",
                               data_text, response);
  return TRUE;
}

/* N_INCREMENTERS processes add 1 to a shared counter, each
 * INCREMENTS_PER_PROCESS times, all let go at once; with @locked under a
 * shared lock. @out_attempts: the increments the processes report done. */
static gboolean
count_up (FyScenarioRun  *run,
          gboolean        locked,
          gint64         *out_final,
          guint64        *out_attempts,
          GError        **error)
{
  g_autoptr(FyValue) counter = NULL;
  /* A barrier, not an event: an event set while the later processes are
   * still starting lets the first ones finish alone, and then no update
   * is lost. The barrier lets them go only once all of them are running. */
  g_autoptr(FyBarrier) start = fy_barrier_new ("start", N_INCREMENTERS, 60, error);
  g_autoptr(FyLock) lock = NULL;
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  /* The read-to-write window: Python's counter.value += 1 takes about a
   * microsecond; watched runs take longer so the lock's holder shows. */
  guint window = fy_scenario_run_ms (run, 1000, 100000);
  int fds[3];

  if (start == NULL ||
      (counter = fy_value_new ("counter", FY_VALUE_TYPE_INT32, FALSE, error)) == NULL ||
      (locked && (lock = fy_lock_new ("lock", error)) == NULL))
    return FALSE;
  fds[0] = fy_value_get_fd (counter);
  fds[1] = fy_barrier_get_fd (start);
  if (lock != NULL)
    fds[2] = fy_lock_get_fd (lock);

  for (int i = 0; i < N_INCREMENTERS; i++)
    if (!fy_scenario_start_into (run, processes, "scenario-increment",
                                 g_variant_new ("(uu)", (guint32) INCREMENTS_PER_PROCESS, window),
                                 fds, locked ? 3 : 2, error))
      return FALSE;
  if (!fy_scenario_join_all (processes, 120, error))
    return FALSE;

  *out_attempts = 0;
  for (guint i = 0; i < processes->len; i++)
    {
      g_autoptr(GVariant) done = fy_process_get_result (g_ptr_array_index (processes, i), error);

      if (done == NULL)
        return FALSE;
      *out_attempts += g_variant_get_uint32 (done);
    }
  *out_final = fy_value_get_int (counter);
  return TRUE;
}

gboolean
fy_scenario_shared_counter (FyScenarioRun  *run,
                            GError        **error)
{
  gint64 final;
  guint64 attempts;

  if (!count_up (run, TRUE, &final, &attempts, error))
    return FALSE;
  fy_scenario_run_print (run, "Counter: %" G_GINT64_FORMAT, final);
  fy_scenario_run_add_detail (run, "final", g_variant_new_int64 (final));
  fy_scenario_run_set_outcome (run, final == N_INCREMENTERS * INCREMENTS_PER_PROCESS,
                               "Counter %" G_GINT64_FORMAT " of %d", final,
                               N_INCREMENTERS * INCREMENTS_PER_PROCESS);
  return TRUE;
}

gboolean
fy_scenario_race_condition (FyScenarioRun  *run,
                            GError        **error)
{
  const gint64 expected = N_INCREMENTERS * INCREMENTS_PER_PROCESS;
  gint64 final, locked_final;
  guint64 attempts, locked_attempts;
  gint64 lost;

  if (!count_up (run, FALSE, &final, &attempts, error))
    return FALSE;
  lost = (gint64) attempts - final;
  fy_scenario_run_print (run, "Without a lock: Counter: %" G_GINT64_FORMAT " (lost updates: %" G_GINT64_FORMAT ")",
                         final, lost);
  if (!count_up (run, TRUE, &locked_final, &locked_attempts, error))
    return FALSE;
  fy_scenario_run_print (run, "With a lock:    Counter: %" G_GINT64_FORMAT " (lost updates: %" G_GINT64_FORMAT ")",
                         locked_final, (gint64) locked_attempts - locked_final);

  fy_scenario_run_add_detail (run, "final", g_variant_new_int64 (final));
  fy_scenario_run_add_detail (run, "lost", g_variant_new_int64 (lost));
  fy_scenario_run_add_detail (run, "attempts", g_variant_new_uint64 (attempts));
  fy_scenario_run_add_detail (run, "locked-final", g_variant_new_int64 (locked_final));
  fy_scenario_run_set_outcome (run,
                               final < expected && final + lost == expected &&
                               (gint64) attempts == expected && locked_final == expected,
                               "without the lock %" G_GINT64_FORMAT " + %" G_GINT64_FORMAT
                               " lost = %" G_GUINT64_FORMAT "; with it %" G_GINT64_FORMAT,
                               final, lost, attempts, locked_final);
  return TRUE;
}

gboolean
fy_scenario_shared_array (FyScenarioRun  *run,
                          GError        **error)
{
  static const double initial[] = { 1.0, 2.0, 3.0, 4.0 };
  static const char john[] = "John Doe";
  g_autoptr(FyArray) arr = fy_array_new ("arr", FY_VALUE_TYPE_DOUBLE, 4, TRUE, error);
  g_autoptr(FyValue) counter = NULL;
  g_autoptr(FyArray) names = NULL;
  g_autoptr(FyProcess) p = NULL;
  g_autoptr(GString) arr_text = g_string_new ("[");
  g_autoptr(GString) name = g_string_new (NULL);
  double doubled[4];
  gint64 count;
  int fds[2];

  if (arr == NULL || !fy_array_set_doubles (arr, 0, 4, initial, error))
    return FALSE;
  fds[0] = fy_array_get_fd (arr);
  if ((p = start_plain ("ipc-array-update", g_variant_new ("(sd)", "scale", 2.0),
                        fds, 1, error)) == NULL ||
      !fy_process_join (p, 30, error))
    return FALSE;
  if (!fy_array_get_doubles (arr, 0, 4, doubled, error))
    return FALSE;
  for (int i = 0; i < 4; i++)
    g_string_append_printf (arr_text, "%s%.1f", i > 0 ? ", " : "", doubled[i]);
  g_string_append_c (arr_text, ']');
  fy_scenario_run_print (run, "Array: %s", arr_text->str);

  if ((counter = fy_value_new ("counter", FY_VALUE_TYPE_INT32, TRUE, error)) == NULL ||
      (names = fy_array_new ("names", FY_VALUE_TYPE_CHAR, strlen (john), TRUE, error)) == NULL)
    return FALSE;
  for (gsize i = 0; i < strlen (john); i++)
    fy_array_set_int (names, i, (guchar) john[i]);
  fds[0] = fy_value_get_fd (counter);
  fds[1] = fy_array_get_fd (names);
  g_clear_object (&p);
  if ((p = fy_scenario_start (run, "scenario-rename", g_variant_new_string ("Alice"),
                              fds, 2, error)) == NULL ||
      !fy_process_join (p, 30, error))
    return FALSE;
  /* Array('c').value: the bytes up to the first NUL. */
  for (gsize i = 0; i < fy_array_get_length (names); i++)
    {
      gint64 c = fy_array_get_int (names, i);

      if (c == 0)
        break;
      g_string_append_c (name, (char) c);
    }
  count = fy_value_get_int (counter);
  fy_scenario_run_print (run, "Counter: %" G_GINT64_FORMAT, count);
  fy_scenario_run_print (run, "Name: %s", name->str);

  fy_scenario_run_set_outcome (run,
                               g_str_equal (arr_text->str, "[2.0, 4.0, 6.0, 8.0]") &&
                               count == 1 && g_str_equal (name->str, "Alice"),
                               "Array %s, Counter %" G_GINT64_FORMAT ", Name %s",
                               arr_text->str, count, name->str);
  return TRUE;
}

gboolean
fy_scenario_manager_dict (FyScenarioRun  *run,
                          GError        **error)
{
  g_autoptr(FyDict) shared_dict = fy_dict_new ("shared_dict", 64 * 1024, error);
  g_autoptr(FyList) shared_list = NULL;
  g_autoptr(FyDict) shared_data = NULL;
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(FyProcess) updater = NULL;
  g_autoptr(GString) dict_text = g_string_new ("{");
  g_autoptr(GString) list_text = g_string_new ("[");
  g_autoptr(GVariant) items = NULL;
  g_autoptr(GVariant) status = NULL;
  g_auto(GStrv) keys = NULL;
  gint64 list_sum = 0;
  int fds[2];

  if (shared_dict == NULL ||
      (shared_list = fy_list_new ("shared_list", 64, 64 * 1024, error)) == NULL)
    return FALSE;
  fds[0] = fy_dict_get_fd (shared_dict);
  fds[1] = fy_list_get_fd (shared_list);
  for (gint64 i = 0; i < 4; i++)
    if (!start_plain_into (processes, "ipc-manager-worker", g_variant_new_int64 (i), fds, 2, error))
      return FALSE;
  if (!fy_scenario_join_all (processes, 30, error))
    return FALSE;

  keys = fy_dict_get_keys (shared_dict);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = fy_dict_get (shared_dict, keys[i], error);

      if (value == NULL)
        return FALSE;
      g_string_append_printf (dict_text, "%s%s: %" G_GINT64_FORMAT, i > 0 ? ", " : "",
                              keys[i], g_variant_get_int64 (value));
    }
  g_string_append_c (dict_text, '}');
  items = fy_list_to_variant (shared_list);
  for (gsize i = 0; i < g_variant_n_children (items); i++)
    {
      g_autoptr(GVariant) boxed = g_variant_get_child_value (items, i);
      g_autoptr(GVariant) item = g_variant_get_variant (boxed);

      list_sum += 1 << g_variant_get_int64 (item);
      g_string_append_printf (list_text, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "",
                              g_variant_get_int64 (item));
    }
  g_string_append_c (list_text, ']');
  fy_scenario_run_print (run, "Dict: %s", dict_text->str);
  fy_scenario_run_print (run, "List: %s", list_text->str);

  if ((shared_data = fy_dict_new ("shared_data", 4096, error)) == NULL ||
      !fy_dict_set (shared_data, "status", g_variant_new_string ("in progress"), error))
    return FALSE;
  fds[0] = fy_dict_get_fd (shared_data);
  if ((updater = fy_scenario_start (run, "scenario-update-status",
                                    g_variant_new_uint32 (fy_scenario_run_ms (run, 100, 2000)),
                                    fds, 1, error)) == NULL ||
      !fy_process_join (updater, 60, error))
    return FALSE;
  if ((status = fy_dict_get (shared_data, "status", error)) == NULL)
    return FALSE;
  fy_scenario_run_print (run, "Final status: %s", g_variant_get_string (status, NULL));

  /* The list's order is whichever process came first; each exactly once. */
  fy_scenario_run_set_outcome (run,
                               g_str_equal (dict_text->str, "{0: 0, 1: 10, 2: 20, 3: 30}") &&
                               g_variant_n_children (items) == 4 && list_sum == 0xF &&
                               g_str_equal (g_variant_get_string (status, NULL), "completed"),
                               "Dict %s, List %s, status %s", dict_text->str, list_text->str,
                               g_variant_get_string (status, NULL));
  return TRUE;
}
