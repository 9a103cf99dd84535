/* fy-channel.h: atomic GVariant messages over a SOCK_SEQPACKET socket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One message is one datagram, so a reader never sees half of one: either
 * the whole message arrives or nothing does. Messages larger than a socket
 * datagram travel in shared memory named by the datagram: up to 2 MiB
 * through the sending end's reusable arena, out of which the receiver
 * copies them; larger ones (or all, while the arena is full) in a sealed
 * memfd of their own. File descriptors ride along with a message in a
 * GUnixFDList.
 *
 * Any number of threads may send on one end; receive from one thread at a
 * time per end (several processes may share a receiving end).
 */

#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

G_BEGIN_DECLS

#define FY_CHANNEL_ERROR (fy_channel_error_quark ())

typedef enum
{
  FY_CHANNEL_ERROR_EOF,       /* the peer closed its end */
  FY_CHANNEL_ERROR_TIMED_OUT, /* nothing arrived in time */
  FY_CHANNEL_ERROR_INVALID,   /* the peer sent something that is not a message */
  FY_CHANNEL_ERROR_FAILED,    /* the system said no; the message says why */
  FY_CHANNEL_ERROR_WOULD_BLOCK, /* fy_channel_try_send (): the socket is full */
} FyChannelError;

GQuark fy_channel_error_quark (void);

typedef struct _FyChannel FyChannel;

/* Two connected ends (socketpair, close-on-exec). */
gboolean   fy_channel_new_pair      (FyChannel  **end_a,
                                     FyChannel  **end_b,
                                     GError     **error);
/* Wraps an existing SOCK_SEQPACKET fd; takes ownership of it. */
FyChannel *fy_channel_new_from_fd   (int          fd);
FyChannel *fy_channel_ref           (FyChannel   *self);
void       fy_channel_unref         (FyChannel   *self);
int        fy_channel_get_fd        (FyChannel   *self);
/* Closes the fd now (the peer sees EOF); later calls fail. */
void       fy_channel_close         (FyChannel   *self);

/* Sends one message, blocking until the kernel takes it. @fds may be NULL. */
gboolean   fy_channel_send          (FyChannel   *self,
                                     GVariant    *message,
                                     GUnixFDList *fds,
                                     GError     **error);
/* Sends one message if the kernel takes it now, without waiting for the
 * peer: FALSE with FY_CHANNEL_ERROR_WOULD_BLOCK when the socket is full
 * (send again once its fd polls writable; nothing was sent). A full arena
 * is not waited for either: the message then travels in a memfd. */
gboolean   fy_channel_try_send      (FyChannel   *self,
                                     GVariant    *message,
                                     GUnixFDList *fds,
                                     GError     **error);
/* Waits up to @timeout_seconds (< 0: forever, 0: poll) for one message.
 * Returns a new reference, or NULL with FY_CHANNEL_ERROR_EOF, _TIMED_OUT …
 * Anything malformed (bad frame or type, truncated datagram, fds the frame
 * does not announce, an unsealed memfd, an arena reference out of bounds or
 * to chunks not in flight) is FY_CHANNEL_ERROR_INVALID, and the channel
 * stays usable. On success *@out_fds is set to a list, empty
 * when the message carried no fds. A NULL @out_fds says no fds are
 * expected: a message that carries some is INVALID (its fds are closed). */
GVariant  *fy_channel_receive       (FyChannel    *self,
                                     double        timeout_seconds,
                                     GUnixFDList **out_fds,
                                     GError      **error);
/* TRUE when a message (or EOF) is ready within @timeout_seconds. */
gboolean   fy_channel_poll          (FyChannel   *self,
                                     double       timeout_seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyChannel, fy_channel_unref)

G_END_DECLS
