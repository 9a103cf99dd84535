/* fy-seccomp.h: the only system calls a decoding thread may make
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fourth layer of the decoder's sandbox, beside no_new_privs, rlimits
 * and Landlock (fy-sandbox.h): a seccomp allow-list on the calling thread.
 * A decoder taken over by a crafted image may still allocate memory, read
 * its input, write one new file into the output directory and end; any
 * other call (a socket, another program, opening a file, tracing or
 * signalling another process, mapping a file or executable memory) fails
 * with EPERM, so it shows up as that one file's error, never as a dead
 * worker.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs the filter on the calling thread and the threads it creates,
 * for the rest of their lives; the process's other threads are left as
 * they are. Reads are allowed from @in_fd only; new files may be created,
 * renamed and removed only relative to @out_dir_fd; either may be -1 for
 * none. Since the filter lets nothing be opened or mapped executable
 * afterwards, the gdk-pixbuf modules of @formats (loader names such as
 * "jpeg" or "webp", NULL-terminated), or of every format when @formats is
 * NULL, are loaded first (each once per process): the thread can decode
 * and write those formats only. Requires no_new_privs
 * (fy_sandbox_limit_process () sets it). Sets @out_enforced to FALSE, and
 * returns TRUE, on a kernel or an architecture without seccomp filters. */
gboolean fy_seccomp_restrict_thread (int                 in_fd,
                                     int                 out_dir_fd,
                                     const char *const  *formats,
                                     gboolean           *out_enforced,
                                     GError            **error);

G_END_DECLS
