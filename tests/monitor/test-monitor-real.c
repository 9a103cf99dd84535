/* test-monitor-real.c: the libgtop source against the running system
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These tests run on a shared, busy machine: they only check what holds
 * whatever else runs (a core pinned to a busy loop is busy whoever shares
 * it; /proc/stat read around the same interval agrees with libgtop).
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fy-monitor.h"

#define PINNED_CPU 1

typedef struct
{
  guint64 busy;
  guint64 total;
} ProcStatCore;

/* Per-core busy and total ticks from /proc/stat with the sampler's
 * convention; cores missing from the file stay zero. */
static ProcStatCore *
read_proc_stat (guint n_cpus)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  ProcStatCore *cores = g_new0 (ProcStatCore, n_cpus);
  g_autoptr(GError) error = NULL;

  g_file_get_contents ("/proc/stat", &contents, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (guint l = 0; lines[l] != NULL; l++)
    {
      guint cpu;
      guint64 user, nice, sys, idle, iowait, irq, softirq;

      if (sscanf (lines[l], "cpu%u %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                  &cpu, &user, &nice, &sys, &idle, &iowait, &irq, &softirq) != 8)
        continue;
      if (cpu >= n_cpus)
        continue;
      cores[cpu].busy = user + nice + sys;
      cores[cpu].total = user + nice + sys + idle + iowait + irq + softirq;
    }

  return cores;
}

static gboolean
can_run_on (int cpu)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  if (sched_getaffinity (0, sizeof set, &set) != 0)
    return FALSE;

  return cpu < CPU_SETSIZE && CPU_ISSET (cpu, &set);
}

/* A child spinning on @cpu until killed. It reports once it is pinned. */
static pid_t
spawn_pinned_spinner (int cpu)
{
  int fds[2];
  pid_t pid;
  char byte = 0;

  g_assert_no_errno (pipe (fds));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      cpu_set_t set;
      volatile guint64 spin = 0;

      /* Never outlive a test that failed half way. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      close (fds[0]);
      CPU_ZERO (&set);
      CPU_SET (cpu, &set);
      byte = sched_setaffinity (0, sizeof set, &set) == 0 ? 'y' : 'n';
      if (write (fds[1], &byte, 1) != 1)
        _exit (1);
      close (fds[1]);
      for (;;)
        spin++;
    }

  close (fds[1]);
  g_assert_cmpint (read (fds[0], &byte, 1), ==, 1);
  close (fds[0]);
  g_assert_cmpint (byte, ==, 'y');

  return pid;
}

static void
kill_and_reap (pid_t pid)
{
  int status;

  g_assert_no_errno (kill (pid, SIGKILL));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
}

static void
test_pinned_busy (void)
{
  g_autoptr(FyCpuSampler) sampler = NULL;
  g_autofree ProcStatCore *before = NULL;
  g_autofree ProcStatCore *after = NULL;
  g_autoptr(GError) error = NULL;
  const FyProcessInfo *info;
  guint64 sum_busy = 0, sum_total = 0;
  double load[3];
  guint n_cpus;
  pid_t child;

  if (!can_run_on (PINNED_CPU))
    {
      g_test_skip ("This machine has no CPU 1 this test may run on");
      return;
    }

  sampler = g_object_new (FY_TYPE_CPU_SAMPLER,
                          "source", fy_gtop_source_new (),
                          "paused", TRUE,
                          NULL);
  /* The sampler keeps its own reference to the source. */
  g_object_unref (fy_cpu_sampler_get_source (sampler));
  n_cpus = fy_cpu_sampler_get_n_cpus (sampler);
  g_assert_cmpuint (n_cpus, >, PINNED_CPU);

  child = spawn_pinned_spinner (PINNED_CPU);
  fy_process_sampler_add (fy_cpu_sampler_get_processes (sampler), child);

  /* The pinned loop runs for the whole interval: /proc/stat is read just
   * outside the sampler's two readings. */
  before = read_proc_stat (n_cpus);
  g_assert_false (fy_cpu_sampler_sample (sampler, &error));
  g_assert_no_error (error);
  g_usleep (2 * G_USEC_PER_SEC);
  g_assert_true (fy_cpu_sampler_sample (sampler, &error));
  g_assert_no_error (error);
  after = read_proc_stat (n_cpus);

  info = fy_process_sampler_lookup (fy_cpu_sampler_get_processes (sampler), child);
  g_assert_true (info->valid);
  g_assert_false (info->gone);
  g_assert_cmpint (info->state, ==, 'R');
  g_assert_cmpint (info->last_cpu, ==, PINNED_CPU);
  /* It got some of CPU 1, however many others compete for it. */
  g_assert_cmpfloat (info->cpu_percent, >, 5.0);
  g_assert_cmpfloat (info->cpu_percent, <=, 110.0);

  kill_and_reap (child);

  g_test_message ("CPU %d busy %.1f %%", PINNED_CPU,
                  100 * fy_cpu_sampler_get_core (sampler, PINNED_CPU)->busy);
  g_assert_cmpfloat (fy_cpu_sampler_get_core (sampler, PINNED_CPU)->busy, >=, 0.80);

  for (guint i = 0; i < n_cpus; i++)
    {
      const FyCpuLoad *core = fy_cpu_sampler_get_core (sampler, i);
      guint64 busy = after[i].busy - before[i].busy;
      guint64 total = after[i].total - before[i].total;
      double expected;

      g_assert_true (core->online);
      g_assert_cmpuint (total, >, 0);
      expected = (double) busy / (double) total;
      g_test_message ("CPU %u: sampler %.1f %%, /proc/stat %.1f %%", i,
                      100 * core->busy, 100 * expected);
      g_assert_cmpfloat (fabs (core->busy - expected), <=, 0.05);
      g_assert_cmpfloat_with_epsilon (core->busy, core->user + core->system, 1e-9);
      sum_busy += busy;
      sum_total += total;
    }
  g_assert_cmpfloat (fabs (fy_cpu_sampler_get_total (sampler)->busy
                           - (double) sum_busy / (double) sum_total), <=, 0.05);

  fy_cpu_sampler_get_load_average (sampler, load);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpfloat (load[i], >=, 0.0);
      g_assert_cmpfloat (load[i], <, 10000.0);
    }
}

static const FyProcessInfo *
update_and_lookup (FyProcessSampler *sampler,
                   pid_t             pid)
{
  fy_process_sampler_update (sampler);
  return fy_process_sampler_lookup (sampler, pid);
}

static void
test_process_lifecycle (void)
{
  g_autoptr(FyGtopSource) source = fy_gtop_source_new ();
  g_autoptr(FyProcessSampler) sampler = fy_process_sampler_new (FY_SAMPLE_SOURCE (source));
  const FyProcessInfo *info;
  guint n_cpus = fy_sample_source_get_n_cpus (FY_SAMPLE_SOURCE (source));
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  siginfo_t siginfo;
  int status;
  pid_t child;

  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      for (;;)
        pause ();
    }

  fy_process_sampler_add (sampler, child);
  fy_process_sampler_add (sampler, getpid ());

  /* Running or already asleep in pause (). */
  info = update_and_lookup (sampler, child);
  g_assert_true (info->valid);
  g_assert_false (info->gone);
  g_assert_true (info->state == 'R' || info->state == 'S');
  g_assert_cmpint (info->ppid, ==, getpid ());
  g_assert_cmpuint (info->n_threads, ==, 1);
  g_assert_cmpuint (info->rss, >, 0);
  g_assert_cmpint (info->last_cpu, >=, 0);
  g_assert_cmpint (info->last_cpu, <, (int) n_cpus);
  /* libgtop derives it from the boot time and jiffies: allow some slack. */
  g_assert_cmpint (ABS (info->start_time - now), <, 60);

  g_assert_no_errno (kill (child, SIGSTOP));
  g_assert_cmpint (waitpid (child, &status, WUNTRACED), ==, child);
  g_assert_true (WIFSTOPPED (status));
  info = update_and_lookup (sampler, child);
  g_assert_cmpint (info->state, ==, 'T');
  g_assert_cmpfloat (info->cpu_percent, >=, 0.0);

  g_assert_no_errno (kill (child, SIGCONT));
  g_assert_cmpint (waitpid (child, &status, WCONTINUED), ==, child);
  g_assert_true (WIFCONTINUED (status));
  info = update_and_lookup (sampler, child);
  g_assert_true (info->state == 'R' || info->state == 'S');

  /* Dead but not reaped: a zombie, still there. */
  g_assert_no_errno (kill (child, SIGKILL));
  g_assert_no_errno (waitid (P_PID, child, &siginfo, WEXITED | WNOWAIT));
  info = update_and_lookup (sampler, child);
  g_assert_false (info->gone);
  g_assert_cmpint (info->state, ==, 'Z');

  /* Reaped: gone, with nothing left over from before. */
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  info = update_and_lookup (sampler, child);
  g_assert_true (info->gone);
  g_assert_false (info->valid);
  g_assert_cmpint (info->pid, ==, child);
  g_assert_cmpint (info->state, ==, '\0');
  g_assert_true (isnan (info->cpu_percent));
  g_assert_cmpuint (info->rss, ==, 0);
  g_assert_cmpuint (info->n_threads, ==, 0);

  /* The test process itself is still reported. */
  info = fy_process_sampler_lookup (sampler, getpid ());
  g_assert_false (info->gone);
  g_assert_cmpint (info->state, ==, 'R');
  g_assert_cmpfloat (info->cpu_percent, >=, 0.0);
}

static void
test_missing_pid (void)
{
  g_autoptr(FyGtopSource) source = fy_gtop_source_new ();
  g_autoptr(GError) error = NULL;
  FyProcStat stat;
  pid_t child;
  int status;

  /* A pid that surely exists no more: a child already reaped. */
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    _exit (0);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);

  memset (&stat, 0x55, sizeof stat);
  g_assert_false (fy_sample_source_read_process (FY_SAMPLE_SOURCE (source), child, &stat, &error));
  g_assert_error (error, FY_MONITOR_ERROR, FY_MONITOR_ERROR_GONE);
  g_assert_cmpint (stat.state, ==, 0);
  g_assert_cmpuint (stat.rss, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/monitor/cpu/real/pinned-busy", test_pinned_busy);
  g_test_add_func ("/monitor/process/real/lifecycle", test_process_lifecycle);
  g_test_add_func ("/monitor/process/real/missing-pid", test_missing_pid);

  return g_test_run ();
}
