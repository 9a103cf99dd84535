/* fy-gtop-source.c: the running system's figures, through libgtop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libgtop is not thread-safe and keeps one global server: it is initialised
 * once, and a source must only be used from one thread at a time.
 *
 * Per process, libgtop gives the name, state and memory; the rest comes
 * from one read of /proc/PID/stat (see read_stat_line ()).
 *
 * libgtop fills xcpu_* by position in /proc/stat and stops at the first gap,
 * so a core after an offline one reads as all zeroes: such a core is
 * reported offline rather than with made-up counters.
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* libgtop's headers test configure macros they do not define. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <glibtop.h>
#include <glibtop/cpu.h>
#include <glibtop/loadavg.h>
#include <glibtop/procmem.h>
#include <glibtop/procstate.h>
#pragma GCC diagnostic pop

#include "fy-gtop-source.h"

struct _FyGtopSource
{
  GObject      parent_instance;

  guint        n_cpus;
  /* About 74 KiB: allocated once rather than on the stack of every read,
   * and too large for a GObject instance. */
  glibtop_cpu *cpu;
  guint64      clock_ticks;   /* per second, for /proc/PID/stat's times */
  gint64       boot_time;     /* seconds since the epoch */
};

static void fy_gtop_source_iface_init (FySampleSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FyGtopSource, fy_gtop_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FY_TYPE_SAMPLE_SOURCE,
                                                      fy_gtop_source_iface_init))

static glibtop *
ensure_glibtop (void)
{
  static glibtop *server;

  if (g_once_init_enter (&server))
    g_once_init_leave (&server, glibtop_init ());

  return server;
}

static guint
fy_gtop_source_get_n_cpus (FySampleSource *source)
{
  return FY_GTOP_SOURCE (source)->n_cpus;
}

static gboolean
fy_gtop_source_read_cpus (FySampleSource *source,
                          FyCpuTicks     *ticks,
                          guint           n_ticks,
                          double          load[3],
                          GError        **error)
{
  FyGtopSource *self = FY_GTOP_SOURCE (source);
  glibtop_cpu *cpu = self->cpu;
  glibtop_loadavg loadavg;
  gboolean per_core;

  glibtop_get_cpu (cpu);
  if (cpu->flags == 0)
    {
      g_set_error_literal (error, FY_MONITOR_ERROR, FY_MONITOR_ERROR_FAILED,
                           "libgtop could not read the CPU counters");
      return FALSE;
    }

  /* A machine with one core has no per-core lines worth the name: the
   * global counters stand for core 0. */
  per_core = (cpu->flags & (1 << GLIBTOP_XCPU_TOTAL)) != 0;

  for (guint i = 0; i < n_ticks; i++)
    {
      FyCpuTicks *t = &ticks[i];

      if (per_core)
        {
          t->user = cpu->xcpu_user[i];
          t->nice = cpu->xcpu_nice[i];
          t->sys = cpu->xcpu_sys[i];
          t->idle = cpu->xcpu_idle[i];
          t->iowait = cpu->xcpu_iowait[i];
          t->irq = cpu->xcpu_irq[i];
          t->softirq = cpu->xcpu_softirq[i];
          t->online = cpu->xcpu_total[i] != 0;
        }
      else
        {
          t->user = cpu->user;
          t->nice = cpu->nice;
          t->sys = cpu->sys;
          t->idle = cpu->idle;
          t->iowait = cpu->iowait;
          t->irq = cpu->irq;
          t->softirq = cpu->softirq;
          t->online = TRUE;
        }
    }

  glibtop_get_loadavg (&loadavg);
  if (loadavg.flags & (1 << GLIBTOP_LOADAVG_LOADAVG))
    memcpy (load, loadavg.loadavg, sizeof loadavg.loadavg);
  else
    load[0] = load[1] = load[2] = 0.0;

  return TRUE;
}

static char
state_letter (const glibtop_proc_state *state)
{
  if (!(state->flags & (1 << GLIBTOP_PROC_STATE_STATE)))
    return '?';

  /* libgtop turns the letter into a bit; turn it back. */
  switch (state->state)
    {
    case GLIBTOP_PROCESS_RUNNING:         return 'R';
    case GLIBTOP_PROCESS_INTERRUPTIBLE:   return 'S';
    case GLIBTOP_PROCESS_UNINTERRUPTIBLE: return 'D';
    case GLIBTOP_PROCESS_ZOMBIE:          return 'Z';
    case GLIBTOP_PROCESS_STOPPED:         return 'T';
    case GLIBTOP_PROCESS_SWAPPING:        return 'W';
    case GLIBTOP_PROCESS_DEAD:            return 'X';
    default:                              return '?';
    }
}

/* The fields of /proc/PID/stat the sampler needs beyond libgtop's state and
 * memory: libgtop 2.40 has no thread count and leaves the processor unset
 * on Linux, and its proc_time and proc_uid re-read /proc/stat (for the boot
 * time) and /proc/PID/status on every call, which made them most of the
 * monitor's own cost. One read of this line gives all of it. */
typedef struct
{
  int     ppid;
  guint64 utime;
  guint64 stime;
  int     nice;
  guint   n_threads;
  guint64 start_ticks;
  int     processor;
} StatLine;

static gboolean
read_stat_line (GPid      pid,
                StatLine *line)
{
  char path[64];
  char buffer[1024];
  char *p;
  ssize_t len;
  int fd;
  guint field;

  g_snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  len = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (len <= 0)
    return FALSE;
  buffer[len] = '\0';

  /* The name may hold spaces and parentheses: fields are counted from the
   * last ')', which ends field 2. */
  p = strrchr (buffer, ')');
  if (p == NULL)
    return FALSE;
  memset (line, 0, sizeof *line);
  line->processor = -1;
  for (field = 3, p++; *p == ' ' && field <= 39; field++)
    {
      char *end;
      gint64 value;

      p++;
      value = g_ascii_strtoll (p, &end, 10);
      switch (field)
        {
        case 4:  line->ppid = (int) value; break;
        case 14: line->utime = (guint64) value; break;
        case 15: line->stime = (guint64) value; break;
        case 19: line->nice = (int) value; break;
        case 20: line->n_threads = (guint) value; break;
        case 22: line->start_ticks = (guint64) value; break;
        case 39: line->processor = (int) value; break;
        default: break;
        }
      /* Field 3, the state, is a letter: skip whatever the token is. */
      p = end;
      while (*p != ' ' && *p != '\0' && *p != '\n')
        p++;
    }

  return field > 22;
}

static gboolean
fy_gtop_source_read_process (FySampleSource *source,
                             GPid            pid,
                             FyProcStat     *stat,
                             GError        **error)
{
  FyGtopSource *self = FY_GTOP_SOURCE (source);
  glibtop_proc_state state;
  glibtop_proc_mem mem;
  StatLine line;
  gboolean have_line;

  glibtop_get_proc_state (&state, pid);
  glibtop_get_proc_mem (&mem, pid);
  have_line = read_stat_line (pid, &line);

  /* libgtop reports a missing process by leaving the flags empty. Any
   * empty reading means the process vanished part way through. */
  if (!(state.flags & (1 << GLIBTOP_PROC_STATE_CMD)) ||
      !(mem.flags & (1 << GLIBTOP_PROC_MEM_RESIDENT)) ||
      !have_line)
    {
      g_set_error (error, FY_MONITOR_ERROR, FY_MONITOR_ERROR_GONE,
                   "Process %d does not exist", (int) pid);
      return FALSE;
    }

  g_strlcpy (stat->name, state.cmd, sizeof stat->name);
  stat->state = state_letter (&state);
  stat->last_cpu = line.processor;
  stat->ppid = line.ppid;
  stat->nice = line.nice;
  stat->n_threads = line.n_threads;
  stat->cpu_time_us = (line.utime + line.stime) * G_USEC_PER_SEC / self->clock_ticks;
  stat->start_time = self->boot_time + (gint64) (line.start_ticks / self->clock_ticks);
  stat->start_ticks = line.start_ticks;
  /* Bytes, despite the header's comment; "rss" has no flag on Linux. */
  stat->rss = mem.resident;

  return TRUE;
}

static void
fy_gtop_source_iface_init (FySampleSourceInterface *iface)
{
  iface->get_n_cpus = fy_gtop_source_get_n_cpus;
  iface->read_cpus = fy_gtop_source_read_cpus;
  iface->read_process = fy_gtop_source_read_process;
}

/* The "btime" line of /proc/stat; it does not change while the system
 * runs. */
static gint64
read_boot_time (void)
{
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL))
    return 0;
  line = strstr (contents, "\nbtime ");
  if (line == NULL)
    return 0;

  return g_ascii_strtoll (line + strlen ("\nbtime "), NULL, 10);
}

static void
fy_gtop_source_finalize (GObject *object)
{
  FyGtopSource *self = (FyGtopSource *) object;

  g_clear_pointer (&self->cpu, g_free);

  G_OBJECT_CLASS (fy_gtop_source_parent_class)->finalize (object);
}

static void
fy_gtop_source_class_init (FyGtopSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fy_gtop_source_finalize;
}

static void
fy_gtop_source_init (FyGtopSource *self)
{
  glibtop *server = ensure_glibtop ();

  self->cpu = g_new0 (glibtop_cpu, 1);
  self->clock_ticks = (guint64) MAX (sysconf (_SC_CLK_TCK), 1);
  self->boot_time = read_boot_time ();
  /* libgtop's ncpu is the highest core index, 0 on a single core. */
  self->n_cpus = MIN ((guint) server->ncpu + 1, GLIBTOP_NCPU);
}

FyGtopSource *
fy_gtop_source_new (void)
{
  return g_object_new (FY_TYPE_GTOP_SOURCE, NULL);
}
