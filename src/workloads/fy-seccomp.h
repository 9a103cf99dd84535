/* fy-seccomp.h: the system calls a decoding thread may not make
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fourth layer of the decoder's sandbox, beside no_new_privs, rlimits
 * and Landlock (fy-sandbox.h): a seccomp filter on the calling thread that
 * refuses, with EPERM, every call that would let a decoder compromised by
 * a crafted image reach beyond its task: creating sockets, running another
 * program, tracing or writing into other processes, and signalling any
 * process but its own.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs the filter on the calling thread and the threads it creates,
 * for the rest of their lives; the process's other threads are left as
 * they are. Requires no_new_privs (fy_sandbox_limit_process () sets it).
 * Sets @out_enforced to FALSE, and returns TRUE, on a kernel or an
 * architecture without seccomp filters. */
gboolean fy_seccomp_restrict_thread (gboolean  *out_enforced,
                                     GError   **error);

G_END_DECLS
