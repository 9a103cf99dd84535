/* fy-cli-walk.h: the files a hash or resize run works on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What is walked, chosen to match what a user of sha256sum and find
 * expects (forkyard-cli hash --help says the same):
 *
 * - A PATH named on the command line is followed if it is a symbolic link
 *   (as sha256sum does). A directory is walked, each directory's entries in
 *   byte order of their names. Anything else becomes an input as it is, and
 *   the workload says why it cannot be read (missing, a FIFO, a device …).
 * - Inside a walk, regular files are inputs, and so are symbolic links to
 *   regular files (under the link's name, as sha256sum prints a link named on its command line).
 *   Symbolic links to directories are not followed (as find does without
 *   -L), so a link cannot make a loop or count a tree twice. Dangling links,
 *   link loops, sockets, FIFOs and devices are skipped as `find -type f`
 *   skips them: they are listed as skipped, with the reason, and are not
 *   errors.
 * - A file that cannot be read (permission denied) is an input like any
 *   other, and fails. A directory that cannot be read, or a directory that
 *   contains itself (a bind mount), is a walk error.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The size of a regular file the walk did not stat (see
 * regular_files_unsized). */
#define FY_CLI_WALK_SIZE_UNKNOWN G_MAXUINT64

typedef struct
{
  const char *path;  /* held by the walk's string chunk */
  guint64     size;  /* 0 for a missing or special file; FY_CLI_WALK_SIZE_UNKNOWN */
} FyCliWalkFile;

typedef struct _FyCliWalk FyCliWalk;

/* Called on the walking thread as each file is added; @index is its
 * place in files. */
typedef void (*FyCliWalkFileAdded) (FyCliWalk *walk,
                                    guint      index,
                                    gpointer   user_data);

struct _FyCliWalk
{
  GArray       *files;   /* FyCliWalkFile, in walk order */
  GStringChunk *paths;   /* every file's path: one allocation per many */
  GPtrArray    *skipped; /* char *path, char *reason, alternating */
  GPtrArray    *errors;  /* char *path, char *reason, alternating */
  FyCliWalkFileAdded file_added; /* optional */
  gpointer      file_added_data;
  /* Entries the directory calls regular files are not stat'ed: their size
   * is FY_CLI_WALK_SIZE_UNKNOWN, for a caller that learns it as it opens
   * them. In a tree of small files the stat was a tenth of the work. */
  gboolean      regular_files_unsized;
};

FyCliWalk *fy_cli_walk_new  (void);
void       fy_cli_walk_free (FyCliWalk  *walk);
/* Adds @path as the rules above say. */
void       fy_cli_walk_add  (FyCliWalk  *walk,
                             const char *path);
/* Adds @path as one input, not walked (sample data). */
void       fy_cli_walk_add_file (FyCliWalk  *walk,
                                 const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyCliWalk, fy_cli_walk_free)

G_END_DECLS
