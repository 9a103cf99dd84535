/* test-channel-seeds.c: the channel fuzz target's seeds are messages the pool accepts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: test-channel-seeds DIR   (prints TAP, one test per seed)
 *
 * A seed the target's decoding rejects only exercises the first checks of
 * the channel, so the fuzzer starts far from the code it should reach.
 * Every seed in DIR must decode, through fuzz_channel_decode () (the
 * target's own code), to the kind of worker message its name says; and
 * each way a body travels (inline, memfd, arena) must have a seed. After a
 * change of the wire format, fuzz-channel-seeds writes them anew.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz-channel.h"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

int
main (int    argc,
      char **argv)
{
  static const char *const modes[] = { "inline-", "memfd-", "arena-" };
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint test = 0;
  int status = 0;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s DIR\n", argv[0]);
      return 2;
    }
  dir = g_dir_open (argv[1], 0, &error);
  if (dir == NULL)
    {
      printf ("1..1\nnot ok 1 # %s\n", error->message);
      return 1;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  printf ("1..%u\n", names->len + (guint) G_N_ELEMENTS (modes));
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (argv[1], names->pdata[i], NULL);
      g_autofree char *contents = NULL;
      gsize length;

      g_clear_error (&error);
      if (!g_file_get_contents (path, &contents, &length, &error) ||
          !fuzz_channel_seed_check (names->pdata[i], (const guint8 *) contents, length, &error))
        {
          printf ("not ok %u %s # %s\n", ++test, (char *) names->pdata[i], error->message);
          status = 1;
        }
      else
        printf ("ok %u %s\n", ++test, (char *) names->pdata[i]);
    }
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < names->len; i++)
        found |= g_str_has_prefix (names->pdata[i], modes[m]);
      if (found)
        printf ("ok %u a seed travels %.*s\n", ++test, (int) strlen (modes[m]) - 1, modes[m]);
      else
        {
          printf ("not ok %u no seed travels %.*s\n", ++test, (int) strlen (modes[m]) - 1, modes[m]);
          status = 1;
        }
    }
  return status;
}
