/* fy-file-read.h: opening and reading the files workloads are given
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by hash and resize. Files are only ever read with read (): a file
 * truncated under an mmap would raise SIGBUS, a truncated read () just
 * comes up short, which is detected and reported.
 */

#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* FY_WORKLOAD_ERROR_IO with "WHAT: strerror" (or the bare strerror). */
void     fy_file_set_error_from_errno (GError            **error,
                                       int                 saved_errno,
                                       const char         *what);
/* Opens @path for reading without ever blocking, and refuses anything but
 * a regular file with a precise reason. -1 on error. */
int      fy_file_open_regular         (const char         *path,
                                       struct stat        *out_stat,
                                       GError            **error);
/* The same, @path relative to the directory @dir_fd (or AT_FDCWD). */
int      fy_file_open_regular_at      (int                 dir_fd,
                                       const char         *path,
                                       struct stat        *out_stat,
                                       GError            **error);
/* FALSE (FY_WORKLOAD_ERROR_CHANGED) when the file shrank below its size in
 * @before while it was read. */
gboolean fy_file_check_not_truncated  (int                 fd,
                                       const struct stat  *before,
                                       guint64             bytes_read,
                                       GError            **error);
/* read () again after EINTR. */
ssize_t  fy_file_read_retrying        (int                 fd,
                                       void               *buffer,
                                       gsize               size);

G_END_DECLS
