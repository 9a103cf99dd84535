/* fy-cli-stress-measure.c: what the soak reads from /proc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parent's open fds and resident memory, its children's states, and
 * which of the run's processes are still alive: each known by pid and
 * start time, so a recycled pid is never taken for one of them.
 */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "fy-cli-stress-private.h"

guint
fy_cli_stress_count_open_fds (void)
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
char *
fy_cli_stress_describe_fds (void)
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
 * fraction of a second (see tick_cb and fy_cli_stress_finish). */
gint64
fy_cli_stress_rss_kb (gint64 *out_total)
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

void
fy_cli_stress_remember_process (Stress *s,
                                GPid    pid)
{
  guint64 started;
  char state;
  int ppid;

  /* Already gone (killed at once): nothing to look for later. */
  if (proc_stat (pid, &state, &ppid, &started))
    g_hash_table_insert (s->live, GINT_TO_POINTER (pid), g_memdup2 (&started, sizeof started));
}

void
fy_cli_stress_forget_process (Stress *s,
                              GPid    pid)
{
  g_hash_table_remove (s->live, GINT_TO_POINTER (pid));
}

/* Our children in state Z, the fork server aside. */
guint
fy_cli_stress_count_zombies (Stress *s)
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
guint
fy_cli_stress_count_orphans (Stress *s)
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
