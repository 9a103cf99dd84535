/* test-pool-common.h: small functions the pool's test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fy-pool.h"
#include "core/fy-spawn.h"

/* Python's range (n) as an "ax". */
static inline GVariant *
range_variant (gint64 n)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("ax"));
  for (gint64 i = 0; i < n; i++)
    g_variant_builder_add (&builder, "x", i);
  return g_variant_builder_end (&builder);
}

/* The same "u" repeated n times. */
static inline GVariant *
repeat_u (guint32 value,
          guint   n)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("au"));
  for (guint i = 0; i < n; i++)
    g_variant_builder_add (&builder, "u", value);
  return g_variant_builder_end (&builder);
}

/* A hang guard in seconds: generous for a normal build, and multiplied
 * by FORKYARD_TEST_SLOWDOWN (set by build-aux/test-sanitizers) for a
 * sanitized one, which runs several times slower. */
static inline double
hang_guard (double seconds)
{
  const char *factor = g_getenv ("FORKYARD_TEST_SLOWDOWN");
  double f = factor != NULL ? g_ascii_strtod (factor, NULL) : 1;

  return seconds * (f > 1 ? f : 1);
}

static inline FyPool *
new_pool (int n_workers)
{
  g_autoptr(GError) error = NULL;
  FyPool *pool = fy_pool_new_started (n_workers, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pool);
  return pool;
}

/* Children of this process in state Z, or with any state when @any. */
static inline guint
count_children (gboolean any)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      const char *close_paren;
      char state;
      int ppid;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      /* The command name may hold spaces and parentheses: parse after the last ')'. */
      close_paren = strrchr (contents, ')');
      if (close_paren == NULL || sscanf (close_paren + 1, " %c %d", &state, &ppid) != 2)
        continue;
      /* The fork server is a child too, but no worker. */
      if (atoi (name) == fy_spawn_get_forkserver_pid ())
        continue;
      if (ppid == getpid () && (any || state == 'Z'))
        n++;
    }
  return n;
}

/* Waits (iterating the default context) until no child is a zombie: one
 * killed an instant ago is reaped as soon as the pool hears of it. */
static inline gboolean
wait_no_zombies (double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (count_children (FALSE) > 0)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return TRUE;
}

/* Waits (iterating the default context) until no child is left. */
static inline gboolean
wait_no_children (double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (count_children (TRUE) > 0)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return TRUE;
}

/* Result @i of a map, an int64. */
static inline gint64
result_x (GVariant *results,
          gsize     i)
{
  g_autoptr(GVariant) item = fy_pool_results_get (results, i);

  return g_variant_get_int64 (item);
}

static inline void
assert_results_x (GVariant     *results,
                  const gint64 *expected,
                  guint         n)
{
  g_assert_nonnull (results);
  g_assert_cmpuint (fy_pool_results_length (results), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (result_x (results, i), ==, expected[i]);
}
