/* fy-cli-walk.c: the files a hash or resize run works on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A directory's names are read whole and sorted before any is looked at;
 * one descriptor per level of depth stays open while a subdirectory is
 * walked (a tree deeper than the descriptor limit fails there). Entries
 * are stat'ed relative to their directory's descriptor: the sizes let the
 * caller balance work by bytes.
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fy-cli-walk.h"

typedef struct
{
  char         *name;
  unsigned char type;
} DirEntry;

/* The directories on the path from the walk's root: a directory met again
 * below itself (a bind mount of an ancestor) would never end. */
typedef struct
{
  dev_t dev;
  ino_t ino;
} DirId;

static void
walk_file_free (gpointer data)
{
  FyCliWalkFile *file = data;

  g_free (file->path);
  g_free (file);
}

static void
add_file (FyCliWalk  *walk,
          char       *path,
          guint64     size)
{
  FyCliWalkFile *file = g_new (FyCliWalkFile, 1);

  file->path = path;
  file->size = size;
  g_ptr_array_add (walk->files, file);
}

static void
add_pair (GPtrArray  *array,
          const char *path,
          const char *reason)
{
  g_ptr_array_add (array, g_strdup (path));
  g_ptr_array_add (array, g_strdup (reason));
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const DirEntry *x = a;
  const DirEntry *y = b;

  return strcmp (x->name, y->name);
}

static char *
child_path (const char *dir,
            const char *name)
{
  return g_str_has_suffix (dir, "/")
    ? g_strconcat (dir, name, NULL)
    : g_strconcat (dir, "/", name, NULL);
}

static const char *
special_reason (mode_t mode)
{
  if (S_ISFIFO (mode))
    return "a FIFO, not a regular file";
  if (S_ISSOCK (mode))
    return "a socket, not a regular file";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "a device, not a regular file";
  return "not a regular file";
}

static void walk_directory (FyCliWalk  *walk,
                            const char *path,
                            GArray     *ancestors);

/* One entry met inside a walk; @dir_fd is its directory. */
static void
walk_entry (FyCliWalk  *walk,
            int         dir_fd,
            const char *dir_path,
            DirEntry   *entry,
            GPtrArray  *subdirs)
{
  g_autofree char *path = child_path (dir_path, entry->name);
  struct stat st;

  if (fstatat (dir_fd, entry->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      /* Removed since the directory was read: nothing to hash. */
      if (errno != ENOENT)
        add_pair (walk->errors, path, g_strerror (errno));
      return;
    }

  if (S_ISDIR (st.st_mode))
    {
      g_ptr_array_add (subdirs, g_steal_pointer (&path));
      return;
    }
  if (S_ISREG (st.st_mode))
    {
      add_file (walk, g_steal_pointer (&path), (guint64) st.st_size);
      return;
    }
  if (!S_ISLNK (st.st_mode))
    {
      add_pair (walk->skipped, path, special_reason (st.st_mode));
      return;
    }

  /* A symbolic link: what it names decides. */
  if (fstatat (dir_fd, entry->name, &st, 0) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ELOOP)
        add_pair (walk->skipped, path, "a symbolic link loop");
      else if (saved_errno == ENOENT)
        add_pair (walk->skipped, path, "a dangling symbolic link");
      else
        /* EACCES on the way to the target: reading it would fail too. */
        add_file (walk, g_steal_pointer (&path), 0);
      return;
    }
  if (S_ISREG (st.st_mode))
    add_file (walk, g_steal_pointer (&path), (guint64) st.st_size);
  else if (S_ISDIR (st.st_mode))
    add_pair (walk->skipped, path, "a symbolic link to a directory (not followed)");
  else
    add_pair (walk->skipped, path, special_reason (st.st_mode));
}

static void
walk_directory (FyCliWalk  *walk,
                const char *path,
                GArray     *ancestors)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (DirEntry));
  g_autoptr(GPtrArray) subdirs = g_ptr_array_new_with_free_func (g_free);
  struct dirent *dirent;
  struct stat st;
  DirId id;
  DIR *dir;
  int fd;

  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      add_pair (walk->errors, path, g_strerror (errno));
      return;
    }
  if (fstat (fd, &st) != 0)
    {
      add_pair (walk->errors, path, g_strerror (errno));
      close (fd);
      return;
    }
  for (guint i = 0; i < ancestors->len; i++)
    {
      DirId *other = &g_array_index (ancestors, DirId, i);

      if (other->dev == st.st_dev && other->ino == st.st_ino)
        {
          add_pair (walk->errors, path, "file system loop: this directory contains itself");
          close (fd);
          return;
        }
    }

  dir = fdopendir (fd);
  if (dir == NULL)
    {
      add_pair (walk->errors, path, g_strerror (errno));
      close (fd);
      return;
    }

  for (;;)
    {
      DirEntry entry;

      errno = 0;
      dirent = readdir (dir);
      if (dirent == NULL)
        {
          if (errno != 0)
            add_pair (walk->errors, path, g_strerror (errno));
          break;
        }
      if (g_str_equal (dirent->d_name, ".") || g_str_equal (dirent->d_name, ".."))
        continue;
      entry.name = g_strdup (dirent->d_name);
      entry.type = dirent->d_type;
      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, compare_entries);

  /* Files and subdirectories in one sorted order, as `find | sort` lists
   * them within one directory; a subdirectory's contents follow its name. */
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  g_array_append_val (ancestors, id);
  for (guint i = 0; i < entries->len; i++)
    {
      DirEntry *entry = &g_array_index (entries, DirEntry, i);

      walk_entry (walk, dirfd (dir), path, entry, subdirs);
      /* By name order, a subdirectory is walked right where its name
       * sorts; this directory's descriptor is the one held per level. */
      if (subdirs->len > 0)
        {
          g_autofree char *sub = g_ptr_array_steal_index (subdirs, 0);

          walk_directory (walk, sub, ancestors);
        }
      g_free (entry->name);
    }
  g_array_set_size (ancestors, ancestors->len - 1);
  closedir (dir);
}

FyCliWalk *
fy_cli_walk_new (void)
{
  FyCliWalk *walk = g_new0 (FyCliWalk, 1);

  walk->files = g_ptr_array_new_with_free_func (walk_file_free);
  walk->skipped = g_ptr_array_new_with_free_func (g_free);
  walk->errors = g_ptr_array_new_with_free_func (g_free);
  return walk;
}

void
fy_cli_walk_free (FyCliWalk *walk)
{
  g_ptr_array_unref (walk->files);
  g_ptr_array_unref (walk->skipped);
  g_ptr_array_unref (walk->errors);
  g_free (walk);
}

void
fy_cli_walk_add_file (FyCliWalk  *walk,
                      const char *path)
{
  struct stat st;

  add_file (walk, g_strdup (path), stat (path, &st) == 0 ? (guint64) st.st_size : 0);
}

void
fy_cli_walk_add (FyCliWalk  *walk,
                 const char *path)
{
  g_autoptr(GArray) ancestors = NULL;
  struct stat st;

  /* Named on the command line: followed, as sha256sum follows it. */
  if (stat (path, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      fy_cli_walk_add_file (walk, path);
      return;
    }

  ancestors = g_array_new (FALSE, FALSE, sizeof (DirId));
  walk_directory (walk, path, ancestors);
}
