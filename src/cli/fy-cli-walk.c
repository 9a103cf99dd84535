/* fy-cli-walk.c: the files a hash or resize run works on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A directory's names are read whole and sorted before any is looked at;
 * one descriptor per level of depth stays open while a subdirectory is
 * walked (a tree deeper than the descriptor limit fails there). Entries
 * are stat'ed, and subdirectories opened, relative to their directory's
 * descriptor: the kernel looks up one name each, not the whole path. The
 * sizes let the caller balance work by bytes. Paths live in one string
 * chunk and the files in one array: a tree of 50 000 small files is not
 * 150 000 allocations.
 *
 * The stats are most of a walk's time. A caller that learns sizes
 * otherwise (hash's workers, as they open each file) has the entries the
 * directory calls regular files left unstat'ed. Otherwise a directory of
 * many entries has them stat'ed by a few threads at once, each a slice of
 * the sorted names, before its entries are taken in order as before.
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fy-cli-walk.h"

/* A directory's entries: their names one after another in one buffer,
 * so that a directory of thousands of files costs a few allocations. */
typedef struct
{
  gsize         name_at; /* offset of the name in the directory's buffer */
  unsigned char type;    /* d_type: DT_UNKNOWN when the file system does not say */
} DirEntry;

/* What the stats of one entry found: the entry itself, and for a symbolic
 * link what it names. An errno of 0 means the stat succeeded. */
typedef struct
{
  int     link_errno;
  int     target_errno;
  mode_t  link_mode;
  mode_t  target_mode;
  guint64 link_size;
  guint64 target_size;
} EntryStat;

/* A directory with at least this many entries to stat has them stat'ed by
 * STAT_THREADS threads at once (the walking one among them). */
#define PARALLEL_STAT_MIN 128
#define STAT_THREADS_MAX 4

/* The directories on the path from the walk's root: a directory met again
 * below itself (a bind mount of an ancestor) would never end. */
typedef struct
{
  dev_t dev;
  ino_t ino;
} DirId;

static void
add_file (FyCliWalk  *walk,
          const char *path,
          guint64     size)
{
  FyCliWalkFile file = { g_string_chunk_insert (walk->paths, path), size };

  g_array_append_val (walk->files, file);
  if (walk->file_added != NULL)
    walk->file_added (walk, walk->files->len - 1, walk->file_added_data);
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
                 gconstpointer b,
                 gpointer      names)
{
  const DirEntry *x = a;
  const DirEntry *y = b;

  return strcmp ((const char *) names + x->name_at, (const char *) names + y->name_at);
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
                            int         parent_fd,
                            const char *name,
                            GString    *path,
                            GArray     *ancestors);

/* Stats one entry that is not known to be a directory; for a symbolic
 * link, what it names as well. Safe on any thread. */
static void
stat_entry (int          dir_fd,
            const char  *name,
            EntryStat   *out)
{
  struct stat st;

  out->link_errno = fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
  out->target_errno = ENOENT;
  if (out->link_errno != 0)
    return;
  out->link_mode = st.st_mode;
  out->link_size = (guint64) st.st_size;
  if (!S_ISLNK (st.st_mode))
    return;
  out->target_errno = fstatat (dir_fd, name, &st, 0) == 0 ? 0 : errno;
  out->target_mode = st.st_mode;
  out->target_size = (guint64) st.st_size;
}

/* A slice of a directory's entries to stat, on a thread of the pool. */
typedef struct
{
  gboolean        regular_files_unsized;
  int             dir_fd;
  const char     *names;
  const DirEntry *entries;
  EntryStat      *stats;
  guint           first;
  guint           last;
  /* Shared by the slices of one directory. */
  GMutex         *mutex;
  GCond          *cond;
  guint          *n_pending;
} StatSlice;

static void
stat_slice (StatSlice *slice)
{
  for (guint i = slice->first; i < slice->last; i++)
    {
      if (slice->entries[i].type == DT_DIR)
        continue;
      if (slice->entries[i].type == DT_REG && slice->regular_files_unsized)
        slice->stats[i] = (EntryStat) { .link_mode = S_IFREG, .link_size = FY_CLI_WALK_SIZE_UNKNOWN,
                                        .target_errno = ENOENT };
      else
        stat_entry (slice->dir_fd, slice->names + slice->entries[i].name_at, &slice->stats[i]);
    }
}

static void
stat_slice_thread (gpointer data,
                   gpointer user_data)
{
  StatSlice *slice = data;

  stat_slice (slice);
  g_mutex_lock (slice->mutex);
  if (--*slice->n_pending == 0)
    g_cond_signal (slice->cond);
  g_mutex_unlock (slice->mutex);
}

/* The threads that help stat, made on first use and shared by every
 * walk of the process; NULL on one CPU. */
static GThreadPool *stat_helpers;
static guint stat_threads = 1;

static GThreadPool *
stat_pool (guint *out_n_threads)
{
  static gsize made = 0;

  if (g_once_init_enter (&made))
    {
      guint n = MIN (g_get_num_processors (), STAT_THREADS_MAX);

      if (n > 1)
        stat_helpers = g_thread_pool_new (stat_slice_thread, NULL, (int) n - 1, FALSE, NULL);
      if (stat_helpers != NULL)
        stat_threads = n;
      g_once_init_leave (&made, 1);
    }
  *out_n_threads = stat_threads;
  return stat_helpers;
}

/* Stats every entry of @entries that is not known to be a directory,
 * into @stats, on several threads when there are many. */
static void
stat_entries (FyCliWalk      *walk,
              int             dir_fd,
              const char     *names,
              const DirEntry *entries,
              guint           n_entries,
              EntryStat      *stats)
{
  StatSlice slices[STAT_THREADS_MAX];
  GMutex mutex;
  GCond cond;
  guint n_pending;
  guint n_threads;
  /* Unsized regular files need no stat: the rest are few. */
  GThreadPool *pool = n_entries >= PARALLEL_STAT_MIN && !walk->regular_files_unsized
                      ? stat_pool (&n_threads) : NULL;

  if (pool == NULL)
    n_threads = 1;
  g_mutex_init (&mutex);
  g_cond_init (&cond);
  n_pending = n_threads - 1;
  for (guint t = 0; t < n_threads; t++)
    {
      slices[t] = (StatSlice) {
        .regular_files_unsized = walk->regular_files_unsized,
        .dir_fd = dir_fd, .names = names, .entries = entries, .stats = stats,
        .first = (guint) ((guint64) n_entries * t / n_threads),
        .last = (guint) ((guint64) n_entries * (t + 1) / n_threads),
        .mutex = &mutex, .cond = &cond, .n_pending = &n_pending,
      };
      /* The walking thread takes the first slice itself. */
      if (t > 0)
        g_thread_pool_push (pool, &slices[t], NULL);
    }
  stat_slice (&slices[0]);
  g_mutex_lock (&mutex);
  while (n_pending > 0)
    g_cond_wait (&cond, &mutex);
  g_mutex_unlock (&mutex);
  g_mutex_clear (&mutex);
  g_cond_clear (&cond);
}

/* One entry met inside a walk: @dir_fd is its directory, @path its path,
 * @es what its stats found (unless the file system named it a
 * directory). Directories are opened without a stat: the walk needs their
 * descriptor anyway. */
static void
walk_entry (FyCliWalk       *walk,
            int              dir_fd,
            const char      *name,
            guchar           type,
            const EntryStat *es,
            GString         *path,
            GArray          *ancestors)
{
  if (type == DT_DIR)
    {
      walk_directory (walk, dir_fd, name, path, ancestors);
      return;
    }

  if (es->link_errno != 0)
    {
      /* Removed since the directory was read: nothing to hash. */
      if (es->link_errno != ENOENT)
        add_pair (walk->errors, path->str, g_strerror (es->link_errno));
      return;
    }

  if (S_ISDIR (es->link_mode))
    {
      walk_directory (walk, dir_fd, name, path, ancestors);
      return;
    }
  if (S_ISREG (es->link_mode))
    {
      add_file (walk, path->str, es->link_size);
      return;
    }
  if (!S_ISLNK (es->link_mode))
    {
      add_pair (walk->skipped, path->str, special_reason (es->link_mode));
      return;
    }

  /* A symbolic link: what it names decides. */
  if (es->target_errno != 0)
    {
      if (es->target_errno == ELOOP)
        add_pair (walk->skipped, path->str, "a symbolic link loop");
      else if (es->target_errno == ENOENT)
        add_pair (walk->skipped, path->str, "a dangling symbolic link");
      else
        /* EACCES on the way to the target: reading it would fail too. */
        add_file (walk, path->str, 0);
      return;
    }
  if (S_ISREG (es->target_mode))
    add_file (walk, path->str, es->target_size);
  else if (S_ISDIR (es->target_mode))
    add_pair (walk->skipped, path->str, "a symbolic link to a directory (not followed)");
  else
    add_pair (walk->skipped, path->str, special_reason (es->target_mode));
}

/* Walks the directory @name of @parent_fd, whose path is in @path.
 * Inside a walk it is opened relative to its parent and never through a
 * symbolic link (one put in its place since the parent was read fails
 * with ELOOP or ENOTDIR), so the kernel looks up one name, not the whole
 * path. */
static void
walk_directory (FyCliWalk  *walk,
                int         parent_fd,
                const char *name,
                GString    *path,
                GArray     *ancestors)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (DirEntry));
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree EntryStat *stats = NULL;
  gsize path_len = path->len;
  struct dirent *dirent;
  struct stat st;
  DirId id;
  DIR *dir;
  int fd;

  fd = openat (parent_fd, name,
               O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | (parent_fd == AT_FDCWD ? 0 : O_NOFOLLOW));
  if (fd < 0)
    {
      /* Removed since its parent was read: nothing to hash. */
      if (errno != ENOENT || parent_fd == AT_FDCWD)
        add_pair (walk->errors, path->str, g_strerror (errno));
      return;
    }
  if (fstat (fd, &st) != 0)
    {
      add_pair (walk->errors, path->str, g_strerror (errno));
      close (fd);
      return;
    }
  for (guint i = 0; i < ancestors->len; i++)
    {
      DirId *other = &g_array_index (ancestors, DirId, i);

      if (other->dev == st.st_dev && other->ino == st.st_ino)
        {
          add_pair (walk->errors, path->str, "file system loop: this directory contains itself");
          close (fd);
          return;
        }
    }

  dir = fdopendir (fd);
  if (dir == NULL)
    {
      add_pair (walk->errors, path->str, g_strerror (errno));
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
            add_pair (walk->errors, path->str, g_strerror (errno));
          break;
        }
      if (g_str_equal (dirent->d_name, ".") || g_str_equal (dirent->d_name, ".."))
        continue;
      entry.name_at = names->len;
      entry.type = dirent->d_type;
      g_string_append_len (names, dirent->d_name, (gssize) strlen (dirent->d_name) + 1);
      g_array_append_val (entries, entry);
    }
  g_array_sort_with_data (entries, compare_entries, names->str);

  /* Files and subdirectories in one sorted order, as `find | sort` lists
   * them within one directory; a subdirectory's contents follow its name.
   * This directory's descriptor is the one held per level. */
  stats = g_new (EntryStat, MAX (entries->len, 1));
  stat_entries (walk, dirfd (dir), names->str, (const DirEntry *) entries->data, entries->len, stats);

  id.dev = st.st_dev;
  id.ino = st.st_ino;
  g_array_append_val (ancestors, id);
  if (path->len == 0 || path->str[path->len - 1] != '/')
    g_string_append_c (path, '/');
  for (guint i = 0; i < entries->len; i++)
    {
      DirEntry *entry = &g_array_index (entries, DirEntry, i);
      const char *entry_name = names->str + entry->name_at;
      gsize dir_len = path->len;

      g_string_append (path, entry_name);
      walk_entry (walk, dirfd (dir), entry_name, entry->type, &stats[i], path, ancestors);
      g_string_truncate (path, dir_len);
    }
  g_string_truncate (path, path_len);
  g_array_set_size (ancestors, ancestors->len - 1);
  closedir (dir);
}

FyCliWalk *
fy_cli_walk_new (void)
{
  FyCliWalk *walk = g_new0 (FyCliWalk, 1);

  walk->files = g_array_new (FALSE, FALSE, sizeof (FyCliWalkFile));
  walk->paths = g_string_chunk_new (64 * 1024);
  walk->skipped = g_ptr_array_new_with_free_func (g_free);
  walk->errors = g_ptr_array_new_with_free_func (g_free);
  return walk;
}

void
fy_cli_walk_free (FyCliWalk *walk)
{
  g_array_unref (walk->files);
  g_string_chunk_free (walk->paths);
  g_ptr_array_unref (walk->skipped);
  g_ptr_array_unref (walk->errors);
  g_free (walk);
}

void
fy_cli_walk_add_file (FyCliWalk  *walk,
                      const char *path)
{
  struct stat st;

  add_file (walk, path, stat (path, &st) == 0 ? (guint64) st.st_size : 0);
}

void
fy_cli_walk_add (FyCliWalk  *walk,
                 const char *path)
{
  g_autoptr(GArray) ancestors = NULL;
  g_autoptr(GString) walked = NULL;
  struct stat st;

  /* Named on the command line: followed, as sha256sum follows it. */
  if (stat (path, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      fy_cli_walk_add_file (walk, path);
      return;
    }

  ancestors = g_array_new (FALSE, FALSE, sizeof (DirId));
  walked = g_string_new (path);
  walk_directory (walk, AT_FDCWD, path, walked, ancestors);
}
