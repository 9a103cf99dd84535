/* fy-test-process.c: child processes for the core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "fy-test-process.h"

FyProcess *
fy_test_spawn (const char *function,
               GVariant   *argument,
               ...)
{
  g_autoptr(GError) error = NULL;
  FyProcess *process = fy_process_new (function, argument);
  va_list args;
  int fd;

  va_start (args, argument);
  while ((fd = va_arg (args, int)) >= 0)
    fy_process_add_fd (process, fd);
  va_end (args);

  g_assert_true (fy_process_start (process, &error));
  g_assert_no_error (error);
  return process;
}

void
fy_test_join_ok (FyProcess *process)
{
  g_autoptr(GError) error = NULL;
  int code = -1000;

  /* A generous bound: a hang fails the test instead of stalling the suite. */
  g_assert_true (fy_process_join (process, 120, &error));
  g_assert_no_error (error);
  g_assert_true (fy_process_get_exitcode (process, &code));
  g_assert_cmpint (code, ==, 0);
}

double
fy_test_seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

char
fy_test_proc_state (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  paren = strrchr (contents, ')');
  if (paren == NULL || paren[1] == '\0' || paren[2] == '\0')
    return 0;
  return paren[2];
}

guint
fy_test_count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}
