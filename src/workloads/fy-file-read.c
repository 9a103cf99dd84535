/* fy-file-read.c: opening and reading the files workloads are given
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fy-file-read.h"
#include "fy-workload-error.h"

void
fy_file_set_error_from_errno (GError     **error,
                      int          saved_errno,
                      const char  *what)
{
  g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
               "%s%s%s", what ? what : "", what ? ": " : "", g_strerror (saved_errno));
}

/* Opens @path for reading without ever blocking: O_NONBLOCK so a FIFO with
 * no writer cannot hang us, then refuses anything that is not a regular file
 * before reading a byte. */
int
fy_file_open_regular (const char   *path,
                   struct stat  *out_stat,
                   GError      **error)
{
  return fy_file_open_regular_at (AT_FDCWD, path, out_stat, error);
}

int
fy_file_open_regular_at (int           dir_fd,
                         const char   *path,
                         struct stat  *out_stat,
                         GError      **error)
{
  int fd;

  fd = openat (dir_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      /* Opening a socket fails with ENXIO, whose text says nothing useful. */
      if (saved_errno == ENXIO)
        g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO,
                     "is a socket, not a regular file");
      else
        fy_file_set_error_from_errno (error, saved_errno, NULL);
      return -1;
    }

  if (fstat (fd, out_stat) != 0)
    {
      int saved_errno = errno;

      close (fd);
      fy_file_set_error_from_errno (error, saved_errno, NULL);
      return -1;
    }

  if (!S_ISREG (out_stat->st_mode))
    {
      const char *what = "is not a regular file";

      if (S_ISDIR (out_stat->st_mode))
        what = g_strerror (EISDIR);
      else if (S_ISFIFO (out_stat->st_mode))
        what = "is a FIFO, not a regular file (not read: it could block forever)";
      else if (S_ISCHR (out_stat->st_mode) || S_ISBLK (out_stat->st_mode))
        what = "is a device, not a regular file";
      else if (S_ISSOCK (out_stat->st_mode))
        what = "is a socket, not a regular file";

      close (fd);
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_IO, what);
      return -1;
    }

  return fd;
}

/* TRUE unless the file shrank while we were reading it (someone truncated
 * it): the digest would describe bytes that never existed together. */
gboolean
fy_file_check_not_truncated (int                 fd,
                     const struct stat  *before,
                     guint64             bytes_read,
                     GError            **error)
{
  struct stat after;

  if (fstat (fd, &after) != 0)
    {
      fy_file_set_error_from_errno (error, errno, NULL);
      return FALSE;
    }

  /* A shrunk size is the proof. A short read alone is not: sysfs files
   * claim 4096 bytes and give fewer, and sha256sum hashes them happily. */
  if (after.st_size < before->st_size)
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CHANGED,
                   "file was truncated while being read (%" G_GUINT64_FORMAT
                   " bytes read of %" G_GUINT64_FORMAT ")",
                   bytes_read, (guint64) before->st_size);
      return FALSE;
    }

  return TRUE;
}

ssize_t
fy_file_read_retrying (int     fd,
               void   *buffer,
               gsize   size)
{
  ssize_t n;

  do
    n = read (fd, buffer, size);
  while (n < 0 && errno == EINTR);
  return n;
}
