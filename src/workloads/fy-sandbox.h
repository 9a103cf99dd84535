/* fy-sandbox.h: confine the code that decodes untrusted files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three layers, each skipped gracefully where the system lacks it:
 * no_new_privs, resource limits on address space and CPU time for the whole
 * worker, and a Landlock domain for the calling thread (read-only on the
 * given inputs, write on the given output directories, no TCP at all where
 * the kernel's Landlock is recent enough). Landlock domains only ever
 * shrink, so a long-lived worker confines a short-lived thread per task
 * instead of itself: the next task may need other paths.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Landlock ABI version the kernel offers, 0 when it has none (too old,
 * disabled at boot, or blocked by a seccomp filter). */
int      fy_sandbox_get_landlock_abi   (void);

/* Sets no_new_privs for the calling thread and those it creates, lowers
 * RLIMIT_AS's soft limit to @address_space bytes (never raises it) and sets
 * RLIMIT_CPU's soft limit @cpu_seconds beyond the CPU time the process has
 * used so far, so each task gets its own budget; 0 leaves a limit alone. */
gboolean fy_sandbox_limit_process      (guint64             address_space,
                                        guint               cpu_seconds,
                                        GError            **error);

/* Restricts the calling thread, for the rest of its life, to reading
 * @read_paths (files or directory trees) and to creating, writing and
 * truncating files under @write_dirs. Either list may be NULL. Sets
 * @out_enforced to FALSE, and returns TRUE, when the kernel has no
 * Landlock. Requires no_new_privs (fy_sandbox_limit_process () sets it). */
gboolean fy_sandbox_restrict_thread    (const char *const  *read_paths,
                                        const char *const  *write_dirs,
                                        gboolean           *out_enforced,
                                        GError            **error);

G_END_DECLS
