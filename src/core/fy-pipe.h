/* fy-pipe.h: one end of a message pipe between processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Python's multiprocessing.Pipe: two connected ends over a SOCK_SEQPACKET
 * socketpair. Every send is one whole message (a GVariant, or raw bytes) and
 * every receive returns one whole message or an error, never a part of one.
 * Large messages (tested to 16 MiB and beyond) travel in sealed memfds.
 *
 * A one-way pipe has a read end and a write end; using the wrong one is
 * FY_PIPE_ERROR_WRONG_END, and the kernel enforces it too (shutdown ()), so
 * an end handed to another process keeps its direction. Transport errors
 * come from the channel: FY_CHANNEL_ERROR_EOF once the peer has closed,
 * _TIMED_OUT, _INVALID for a message that is not one.
 *
 * To hand an end to a child: fy_process_add_fd (process, fy_pipe_get_fd (end))
 * and, in the workload, fy_pipe_new_from_fd (fy_workload_context_get_fd
 * (context, i), flags, &error) with the same flags as fy_pipe_get_flags ().
 */

#pragma once

#include <gio/gio.h>

#include "fy-channel.h"

G_BEGIN_DECLS

#define FY_PIPE_ERROR (fy_pipe_error_quark ())

typedef enum
{
  FY_PIPE_ERROR_WRONG_END, /* receive on a write end or send on a read end */
  FY_PIPE_ERROR_CLOSED,    /* this end was closed */
  FY_PIPE_ERROR_NOT_BYTES, /* recv_bytes () of a message that is not raw bytes */
  FY_PIPE_ERROR_FAILED,
} FyPipeError;

GQuark fy_pipe_error_quark (void);

typedef enum
{
  FY_PIPE_READABLE = 1 << 0,
  FY_PIPE_WRITABLE = 1 << 1,
  FY_PIPE_DUPLEX   = FY_PIPE_READABLE | FY_PIPE_WRITABLE,
} FyPipeFlags;

#define FY_TYPE_PIPE (fy_pipe_get_type ())
G_DECLARE_FINAL_TYPE (FyPipe, fy_pipe, FY, PIPE, GObject)

/* Like Pipe (duplex): with @duplex FALSE, @end_a only receives and @end_b
 * only sends (Python's order: r, w = Pipe (False)). */
gboolean     fy_pipe_new_pair      (gboolean      duplex,
                                    FyPipe      **end_a,
                                    FyPipe      **end_b,
                                    GError      **error);
/* Takes ownership of @fd, which must be a SOCK_SEQPACKET socket (a pipe end
 * received by a worker). */
FyPipe      *fy_pipe_new_from_fd   (int           fd,
                                    FyPipeFlags   flags,
                                    GError      **error);

int          fy_pipe_get_fd        (FyPipe       *self);
FyPipeFlags  fy_pipe_get_flags     (FyPipe       *self);
gboolean     fy_pipe_is_closed     (FyPipe       *self);

gboolean     fy_pipe_send          (FyPipe       *self,
                                    GVariant     *message,
                                    GError      **error);
/* Waits up to @timeout_seconds (< 0: forever) for the next message. */
GVariant    *fy_pipe_recv          (FyPipe       *self,
                                    double        timeout_seconds,
                                    GError      **error);
/* Raw bytes: sent as one message of type "ay", received without a copy
 * when they came through a memfd. */
gboolean     fy_pipe_send_bytes    (FyPipe       *self,
                                    GBytes       *bytes,
                                    GError      **error);
GBytes      *fy_pipe_recv_bytes    (FyPipe       *self,
                                    double        timeout_seconds,
                                    GError      **error);
/* TRUE when a message (or EOF) can be received within @timeout_seconds. */
gboolean     fy_pipe_poll          (FyPipe       *self,
                                    double        timeout_seconds);
/* The peer sees EOF once every copy of this end (in any process) is closed. */
void         fy_pipe_close         (FyPipe       *self);

G_END_DECLS
