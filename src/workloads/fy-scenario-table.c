/* fy-scenario-table.c: the scenarios, their words and their code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Titles, summaries, explanations and expected outcomes are translated
 * where they are shown; the code is code, and the printed output is what
 * the seeds' programs print, so neither is.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "fy-scenario-private.h"

static const FyScenarioInfo scenarios[] = {
  {
    "process-basics",
    N_("Process basics"),
    N_("Four processes report their pids, then the parent reports its own"),
    N_("Each process is a separate program with its own memory and its own pid. "
       "Starting four and joining them is the smallest parallel program: every "
       "child prints the pid the operating system gave it, and the parent, which "
       "waited for all of them, prints its own last."),
    "for i in range(4):\n"
    "    p = Process(target=worker, args=(i,))\n"
    "    p.start()\n"
    "for p in processes:\n"
    "    p.join()",
    "p = fy_process_new (\"scenario-hello\",\n"
    "                    g_variant_new_int32 (i));\n"
    "fy_process_start (p, &error);\n"
    "fy_process_join (p, -1, &error);",
    N_("Four distinct worker pids, none equal to the parent's"),
    fy_scenario_process_basics,
  },
  {
    "pool-map",
    N_("Pool map"),
    N_("A pool of four squares 0 to 9, results in input order"),
    N_("A pool keeps its worker processes and hands them tasks, so a process is "
       "started once rather than per task. map cuts the input into chunks, runs "
       "them on the workers and gives the results back in the order of the input, "
       "whichever worker finished first."),
    "with Pool(processes=4) as pool:\n"
    "    results = pool.map(square, range(10))\n"
    "print(results)",
    "pool = fy_pool_new_started (4, &error);\n"
    "results = fy_pool_map (pool, \"square\",\n"
    "                       range, 0, &error);",
    N_("[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"),
    fy_scenario_pool_map,
  },
  {
    "pool-methods",
    N_("Pool methods"),
    N_("map, starmap, apply_async and map_async on one pool"),
    N_("The pool offers several ways to hand out work. map applies a function to "
       "each item, starmap unpacks each item into several arguments, apply_async "
       "runs one call without waiting for it and map_async runs a whole map in the "
       "background; both give a result to collect later."),
    "pool.map(square, range(10))\n"
    "pool.starmap(add, [(1, 2), (3, 4), (5, 6)])\n"
    "pool.apply_async(square, (10,)).get()\n"
    "pool.map_async(square, range(5)).get()",
    "fy_pool_map (pool, \"square\", range, 0, &error);\n"
    "fy_pool_starmap (pool, \"add\", pairs, 0, &error);\n"
    "fy_pool_apply_async (pool, \"square\", ten, …);\n"
    "fy_pool_map_async (pool, \"square\", range5, …);",
    N_("map [0 … 81], starmap [3, 7, 11], apply_async 100, map_async [0, 1, 4, 9, 16]"),
    fy_scenario_pool_methods,
  },
  {
    "imap-order",
    N_("imap and imap_unordered"),
    N_("Sleeps of 100, 500 and 300 ms in input order, then in completion order"),
    N_("imap gives results one by one in the order of the input, so a slow task "
       "holds back the quick ones behind it. imap_unordered gives each result as "
       "soon as it is ready. The seed sleeps 1, 5 and 3 seconds; a tenth of that "
       "shows the same."),
    "for r in pool.imap(execute_task, [1, 5, 3]):\n"
    "    print(f\"Completed task after {r} seconds\")\n"
    "for r in pool.imap_unordered(execute_task, [1, 5, 3]):\n"
    "    print(f\"Task finished in {r} seconds\")",
    "iter = fy_pool_imap (pool, \"sleep\", ms, 1, &error);\n"
    "while (fy_future_iter_next_result (iter, -1,\n"
    "                                   &result, &error))\n"
    "  …",
    N_("imap: 100, 500, 300; imap_unordered: 100, 300, 500"),
    fy_scenario_imap_order,
  },
  {
    "queue-producer-consumer",
    N_("Queue: producer and consumer"),
    N_("0 to 4 through a queue with a sentinel; then a bounded queue that blocks its producer"),
    N_("A queue carries items from one process to another in order. The producer "
       "ends with a sentinel so the consumer knows when to stop. A bounded queue "
       "holds only a few items: when the consumer is slow, the producer's put "
       "blocks until there is room again. Watch the inspector: the queue is full "
       "and the producer's pid is listed as blocked."),
    "def producer(q, items):\n"
    "    for item in items:\n"
    "        q.put(item)\n"
    "    q.put(None)  # sentinel\n"
    "q = Queue(maxsize=2)",
    "queue = fy_queue_new (\"bounded-q\", 2, &error);\n"
    "fy_queue_put (queue, item, -1, &error);\n"
    "item = fy_queue_get (queue, -1, &error);",
    N_("Consumed 0 to 4 in order; bounded: 0 to 9 in order, the producer seen blocked"),
    fy_scenario_producer_consumer,
  },
  {
    "pipe",
    N_("Pipe"),
    N_("A greeting and a list sent one way, “Thanks!” the other"),
    N_("A pipe joins exactly two processes, and a duplex pipe carries messages "
       "both ways. The sender sends a greeting and a list and waits; the "
       "receiver reads both and answers."),
    "parent_conn, child_conn = Pipe()\n"
    "conn.send(\"Hello from sender\")\n"
    "conn.send([1, 2, 3])\n"
    "response = conn.recv()",
    "fy_pipe_new_pair (TRUE, &a, &b, &error);\n"
    "fy_pipe_send (conn, message, &error);\n"
    "reply = fy_pipe_recv (conn, -1, &error);",
    N_("Receiver got “Hello from sender” and [1, 2, 3]; sender got “Thanks!”"),
    fy_scenario_pipe,
  },
  {
    "shared-counter",
    N_("Shared counter with a lock"),
    N_("Four processes add 1 ten thousand times each, under a lock"),
    N_("A shared value lives in memory that every process maps. Adding 1 means "
       "reading, adding and writing back: with a lock around those three steps "
       "only one process does them at a time, and no increment is lost. The "
       "inspector shows which pid holds the lock and how many wait for it."),
    "def safe_increment(counter, lock):\n"
    "    for _ in range(10000):\n"
    "        with lock:\n"
    "            counter.value += 1",
    "fy_lock_acquire (lock, -1, &error);\n"
    "fy_value_set_int (counter,\n"
    "                  fy_value_get_int (counter) + 1);\n"
    "fy_lock_release (lock, &error);",
    N_("Counter: 40000"),
    fy_scenario_shared_counter,
  },
  {
    "race-condition",
    N_("Race condition"),
    N_("The same counter without the lock loses updates"),
    N_("Without the lock, two processes can read the same value, both add 1 and "
       "both write back: one increment is lost. The run counts every increment "
       "the processes made, so the lost updates are the difference to the final "
       "value; the locked run beside it reaches exactly 40 000."),
    "def increment(counter):\n"
    "    for _ in range(10000):\n"
    "        counter.value += 1   # no lock",
    "temp = fy_value_get_int (counter);\n"
    "fy_value_set_int (counter, temp + 1);",
    N_("Fewer than 40000 without the lock, final + lost = 40000; exactly 40000 with it"),
    fy_scenario_race_condition,
  },
  {
    "shared-array",
    N_("Shared array"),
    N_("[1.0, 2.0, 3.0, 4.0] doubled in a child; a name rewritten to Alice"),
    N_("An array of numbers or characters in shared memory: a child changes it "
       "in place and the parent sees the change without any message. The "
       "character array holds a name the child replaces, and a counter is "
       "incremented under its own lock."),
    "arr = Array('d', [1.0, 2.0, 3.0, 4.0])\n"
    "names = Array('c', b'John Doe')\n"
    "names.value = b'Alice'",
    "arr = fy_array_new (\"arr\", FY_VALUE_TYPE_DOUBLE,\n"
    "                    4, TRUE, &error);\n"
    "fy_array_set_double (arr, i, v * 2);",
    N_("Array: [2.0, 4.0, 6.0, 8.0]; Counter: 1; Name: Alice"),
    fy_scenario_shared_array,
  },
  {
    "manager-dict",
    N_("Manager dict and list"),
    N_("Four processes fill a dict and a list; a status goes from “in progress” to “completed”"),
    N_("Python's Manager keeps dicts and lists in a server process and reaches "
       "them through proxies. Forkyard keeps them in shared memory under a lock, "
       "with no server: each worker writes its entry, and the parent reads the "
       "result directly."),
    "shared_dict[worker_id] = worker_id * 10\n"
    "shared_list.append(worker_id)\n"
    "data_dict['status'] = 'completed'",
    "fy_dict_set (dict, key,\n"
    "             g_variant_new_int64 (id * 10), &error);\n"
    "fy_list_append (list, g_variant_new_int64 (id),\n"
    "                &error);",
    N_("Dict: {0: 0, 1: 10, 2: 20, 3: 30}; the list holds 0 to 3; status completed"),
    fy_scenario_manager_dict,
  },
  {
    "sync-primitives",
    N_("Synchronization primitives"),
    N_("Semaphore, Event, Condition and Barrier, one after the other"),
    N_("A semaphore of 2 lets six workers in two at a time. An event holds its "
       "waiters until it is set: set it yourself from the inspector. A condition "
       "wakes one waiter with notify and the rest with notify_all. A barrier of "
       "four lets nobody through until all four have arrived."),
    "sem = Semaphore(2)\n"
    "event.wait(); event.set()\n"
    "with cond: cond.notify(); cond.notify_all()\n"
    "barrier = Barrier(4); barrier.wait()",
    "fy_semaphore_acquire (sem, -1, &error);\n"
    "fy_event_wait (event, -1);\n"
    "fy_condition_notify (cond, 1, &error);\n"
    "fy_barrier_wait (barrier, -1, &error);",
    N_("At most 2 inside the semaphore; 3 waiters released; notify woke 1, notify_all the other 2; 4 parties passed"),
    fy_scenario_sync_primitives,
  },
  {
    "daemon",
    N_("Daemon processes"),
    N_("A daemon ends with its owner; a non-daemon process is joined"),
    N_("A daemon process is background help: it is stopped when the process that "
       "owns it ends, whatever it was doing. A non-daemon process is waited for, "
       "so its work is never cut short."),
    "p = Process(target=background_task, daemon=True)\n"
    "p.start()\n"
    "time.sleep(3)\n"
    "print(\"Main process exiting, daemon will be terminated\")",
    "fy_process_set_daemon (p, TRUE);\n"
    "fy_process_start (p, &error);\n"
    "g_object_unref (p);  /* the daemon ends */",
    N_("The daemon ended with its owner; the non-daemon process exited with code 0"),
    fy_scenario_daemon,
  },
  {
    "terminate",
    N_("Terminate and kill"),
    N_("A long task terminated (−15); one that ignores SIGTERM killed (−9)"),
    N_("terminate sends SIGTERM, which a process may catch or ignore; kill sends "
       "SIGKILL, which it cannot. The exit code of a process ended by signal N is "
       "−N, as in Python. The stubborn worker ignores SIGTERM, so after the grace "
       "period it is killed."),
    "p.terminate()\n"
    "p.join(timeout=2)\n"
    "if p.is_alive():\n"
    "    p.kill()\n"
    "print(f\"Exit code: {p.exitcode}\")",
    "fy_process_terminate (p, &error);\n"
    "if (!fy_process_join (p, 2, NULL))\n"
    "  fy_process_kill (p, &error);\n"
    "fy_process_get_exitcode (p, &code);",
    N_("Exit code: -15, then Exit code: -9"),
    fy_scenario_terminate,
  },
  {
    "executor",
    N_("ProcessPoolExecutor"),
    N_("Four sum-of-squares tasks taken as completed, then with map"),
    N_("The executor's submit returns a future for each task; as_completed gives "
       "them back as they finish, in any order. Its map gives the results in "
       "input order, like the pool's."),
    "futures = [executor.submit(compute, n) for n in numbers]\n"
    "for future in as_completed(futures):\n"
    "    print(f\"Result: {future.result()}\")\n"
    "results = list(executor.map(compute, numbers))",
    "f = fy_pool_submit (pool, \"sumsq\", n, &error);\n"
    "iter = fy_future_as_completed (futures);\n"
    "fy_pool_submit_map (pool, \"sumsq\", numbers, 1,\n"
    "                    &error);",
    N_("Every result is 333332833333500000"),
    fy_scenario_executor,
  },
  {
    "threads-vs-processes",
    N_("Threads against processes"),
    N_("One CPU-bound batch sequentially, on threads with and without a GIL, and on processes"),
    N_("In Python, threads take turns holding the global interpreter lock, so "
       "CPU-bound threads run no faster than one thread; processes each have "
       "their own interpreter and do run in parallel. C threads have no such "
       "lock: here they run once holding a simulated one, as Python's do, and "
       "once free, and then they scale as processes do."),
    "threads = [Thread(target=cpu_bound, args=(n,))\n"
    "           for _ in range(count)]\n"
    "with Pool(count) as pool:\n"
    "    pool.map(cpu_bound, [n] * count)",
    "g_mutex_lock (&gil);   /* simulated GIL */\n"
    "sum += sum_squares (start, end);\n"
    "g_mutex_unlock (&gil);\n"
    "fy_pool_map (pool, \"scenario-cpu\", batch, 1, &error);",
    N_("Every variant computes the same sums; only the GIL threads fail to gain speed"),
    fy_scenario_threads_vs_processes,
  },
  {
    "speedup",
    N_("Speedup curve"),
    N_("One batch on 1 to 2 × CPU count workers, against the ideal, with an Amdahl fit"),
    N_("More workers help only while there are free CPUs, and only for the part "
       "of the work that runs in parallel. Amdahl's law says that a serial "
       "fraction s limits the speedup to 1 / s; the fit estimates s from the "
       "measured times."),
    "for w in range(1, 2 * cpu_count() + 1):\n"
    "    with Pool(w) as pool:\n"
    "        pool.map(cpu_bound, batch)",
    "pool = fy_pool_new_started (w, &error);\n"
    "fy_pool_map (pool, \"scenario-cpu\", batch, 1, &error);",
    N_("Every sum right; speedup up to the CPU count, flat beyond; the serial fraction printed"),
    fy_scenario_speedup,
  },
};

const FyScenarioInfo *
fy_scenario_get_all (guint *n_scenarios)
{
  if (n_scenarios != NULL)
    *n_scenarios = G_N_ELEMENTS (scenarios);
  return scenarios;
}

const FyScenarioInfo *
fy_scenario_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (g_str_equal (scenarios[i].name, name))
      return &scenarios[i];
  return NULL;
}
