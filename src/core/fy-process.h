/* fy-process.h: one worker process running one registered function
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Python's multiprocessing.Process, without fork: the child is a spawned
 * forkyard-worker that runs the function named at construction with its
 * GVariant argument, then exits 0 (or 1 when the function set an error,
 * printed on the child's stderr). Shared objects travel as fds.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FY_PROCESS_ERROR (fy_process_error_quark ())

typedef enum
{
  FY_PROCESS_ERROR_NOT_STARTED,
  FY_PROCESS_ERROR_ALREADY_STARTED,
  FY_PROCESS_ERROR_STILL_RUNNING,   /* close () of a live process */
  FY_PROCESS_ERROR_CLOSED,
  FY_PROCESS_ERROR_TIMED_OUT,       /* join () with a timeout that expired */
  FY_PROCESS_ERROR_FAILED,
} FyProcessError;

GQuark fy_process_error_quark (void);

#define FY_TYPE_PROCESS (fy_process_get_type ())
G_DECLARE_FINAL_TYPE (FyProcess, fy_process, FY, PROCESS, GObject)

/* @argument may be NULL (unit); a floating reference is sunk. */
FyProcess  *fy_process_new           (const char *function,
                                      GVariant   *argument);
/* The fd is duplicated; the workload sees it at the returned index through
 * fy_workload_context_get_fd (). Only before start. */
guint       fy_process_add_fd        (FyProcess  *self,
                                      int         fd);
const char *fy_process_get_function  (FyProcess  *self);
const char *fy_process_get_name      (FyProcess  *self);
void        fy_process_set_name      (FyProcess  *self,
                                      const char *name);
/* Daemon children are killed when their FyProcess is disposed; non-daemon
 * ones are joined on dispose. Only before start. Every worker, daemon or
 * not, dies with the parent process (PR_SET_PDEATHSIG, channel EOF and a
 * parent pid check), so none outlives it. */
gboolean    fy_process_get_daemon    (FyProcess  *self);
void        fy_process_set_daemon    (FyProcess  *self,
                                      gboolean    daemon);

gboolean    fy_process_start         (FyProcess  *self,
                                      GError    **error);
/* Blocks up to @timeout_seconds (< 0: forever). TRUE once the child has
 * exited; FALSE with FY_PROCESS_ERROR_TIMED_OUT while it still runs. */
gboolean    fy_process_join          (FyProcess  *self,
                                      double      timeout_seconds,
                                      GError    **error);
gboolean    fy_process_is_alive      (FyProcess  *self);
GPid        fy_process_get_pid       (FyProcess  *self);   /* 0 before start */
int         fy_process_get_pidfd     (FyProcess  *self);   /* -1 before start / after close */
/* FALSE while not started or running; else 0, N for exit (N), -N for signal N. */
gboolean    fy_process_get_exitcode  (FyProcess  *self,
                                      int        *exitcode);
gboolean    fy_process_terminate     (FyProcess  *self,    /* SIGTERM */
                                      GError    **error);
gboolean    fy_process_kill          (FyProcess  *self,    /* SIGKILL */
                                      GError    **error);
gboolean    fy_process_stop          (FyProcess  *self,    /* SIGSTOP */
                                      GError    **error);
gboolean    fy_process_continue      (FyProcess  *self,    /* SIGCONT */
                                      GError    **error);
/* What the function returned, once the child has exited 0; an error with
 * the function's own message when it failed, or when the child died before
 * answering. */
GVariant   *fy_process_get_result    (FyProcess  *self,
                                      GError    **error);
/* Releases the pidfd and channel; an error while the child still runs. */
gboolean    fy_process_close         (FyProcess  *self,
                                      GError    **error);

/* How many idle workers each thread keeps spawned ahead, so that start ()
 * does not wait for a worker to load (default 0, or FORKYARD_SPARE_WORKERS;
 * worth it only when the fork server is off).
 * 0 turns them off and ends the calling thread's idle ones. */
void        fy_process_set_spare_workers (guint n_spares);

/* Signal "exited" (int exitcode): emitted once, from a pidfd source in the
 * thread-default GMainContext of the thread that started the process. */

G_END_DECLS
