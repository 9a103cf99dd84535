/* fy-pipe.c: one end of a message pipe between processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fy-pipe.h"

struct _FyPipe
{
  GObject      parent_instance;

  FyChannel   *channel;
  FyPipeFlags  flags;
};

G_DEFINE_FINAL_TYPE (FyPipe, fy_pipe, G_TYPE_OBJECT)

G_DEFINE_QUARK (fy-pipe-error-quark, fy_pipe_error)

static gboolean
check_usable (FyPipe       *self,
              FyPipeFlags   needed,
              GError      **error)
{
  if (self->channel == NULL)
    {
      g_set_error_literal (error, FY_PIPE_ERROR, FY_PIPE_ERROR_CLOSED,
                           "This end of the pipe is closed");
      return FALSE;
    }
  if ((self->flags & needed) == 0)
    {
      g_set_error_literal (error, FY_PIPE_ERROR, FY_PIPE_ERROR_WRONG_END,
                           (needed & FY_PIPE_READABLE)
                           ? "This end of the pipe is write-only"
                           : "This end of the pipe is read-only");
      return FALSE;
    }
  return TRUE;
}

static FyPipe *
pipe_new (FyChannel   *channel,
          FyPipeFlags  flags)
{
  FyPipe *self = g_object_new (FY_TYPE_PIPE, NULL);

  self->channel = channel;
  self->flags = flags;
  return self;
}

static void
fy_pipe_finalize (GObject *object)
{
  FyPipe *self = FY_PIPE (object);

  g_clear_pointer (&self->channel, fy_channel_unref);

  G_OBJECT_CLASS (fy_pipe_parent_class)->finalize (object);
}

static void
fy_pipe_class_init (FyPipeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fy_pipe_finalize;
}

static void
fy_pipe_init (FyPipe *self)
{
}

gboolean
fy_pipe_new_pair (gboolean   duplex,
                  FyPipe   **end_a,
                  FyPipe   **end_b,
                  GError   **error)
{
  FyChannel *a = NULL;
  FyChannel *b = NULL;

  g_return_val_if_fail (end_a != NULL && end_b != NULL, FALSE);

  if (!fy_channel_new_pair (&a, &b, error))
    return FALSE;

  if (!duplex)
    {
      /* The kernel then refuses to carry anything from a to b, whichever
       * process ends up holding either end. */
      shutdown (fy_channel_get_fd (a), SHUT_WR);
      *end_a = pipe_new (a, FY_PIPE_READABLE);
      *end_b = pipe_new (b, FY_PIPE_WRITABLE);
    }
  else
    {
      *end_a = pipe_new (a, FY_PIPE_DUPLEX);
      *end_b = pipe_new (b, FY_PIPE_DUPLEX);
    }
  return TRUE;
}

FyPipe *
fy_pipe_new_from_fd (int           fd,
                     FyPipeFlags   flags,
                     GError      **error)
{
  int type = 0;
  socklen_t len = sizeof type;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail ((flags & ~FY_PIPE_DUPLEX) == 0 && flags != 0, NULL);

  if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET)
    {
      g_set_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_FAILED,
                   "File descriptor %d is not a pipe end", fd);
      close (fd);
      return NULL;
    }

  return pipe_new (fy_channel_new_from_fd (fd), flags);
}

int
fy_pipe_get_fd (FyPipe *self)
{
  g_return_val_if_fail (FY_IS_PIPE (self), -1);
  return self->channel != NULL ? fy_channel_get_fd (self->channel) : -1;
}

FyPipeFlags
fy_pipe_get_flags (FyPipe *self)
{
  g_return_val_if_fail (FY_IS_PIPE (self), 0);
  return self->flags;
}

gboolean
fy_pipe_is_closed (FyPipe *self)
{
  g_return_val_if_fail (FY_IS_PIPE (self), TRUE);
  return self->channel == NULL;
}

gboolean
fy_pipe_send (FyPipe    *self,
              GVariant  *message,
              GError   **error)
{
  g_autoptr(GVariant) owned = NULL;

  g_return_val_if_fail (FY_IS_PIPE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  owned = g_variant_ref_sink (message);
  if (!check_usable (self, FY_PIPE_WRITABLE, error))
    return FALSE;
  return fy_channel_send (self->channel, owned, NULL, error);
}

GVariant *
fy_pipe_recv (FyPipe  *self,
              double   timeout_seconds,
              GError **error)
{
  g_return_val_if_fail (FY_IS_PIPE (self), NULL);

  if (!check_usable (self, FY_PIPE_READABLE, error))
    return NULL;
  return fy_channel_receive (self->channel, timeout_seconds, NULL, error);
}

gboolean
fy_pipe_send_bytes (FyPipe  *self,
                    GBytes  *bytes,
                    GError **error)
{
  g_return_val_if_fail (FY_IS_PIPE (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  return fy_pipe_send (self, g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE), error);
}

GBytes *
fy_pipe_recv_bytes (FyPipe  *self,
                    double   timeout_seconds,
                    GError **error)
{
  g_autoptr(GVariant) message = NULL;

  message = fy_pipe_recv (self, timeout_seconds, error);
  if (message == NULL)
    return NULL;

  if (!g_variant_is_of_type (message, G_VARIANT_TYPE_BYTESTRING))
    {
      g_set_error (error, FY_PIPE_ERROR, FY_PIPE_ERROR_NOT_BYTES,
                   "Expected raw bytes, received a message of type “%s”",
                   g_variant_get_type_string (message));
      return NULL;
    }
  return g_variant_get_data_as_bytes (message);
}

gboolean
fy_pipe_poll (FyPipe *self,
              double  timeout_seconds)
{
  g_return_val_if_fail (FY_IS_PIPE (self), FALSE);

  if (self->channel == NULL || !(self->flags & FY_PIPE_READABLE))
    return FALSE;
  return fy_channel_poll (self->channel, timeout_seconds);
}

void
fy_pipe_close (FyPipe *self)
{
  g_return_if_fail (FY_IS_PIPE (self));

  g_clear_pointer (&self->channel, fy_channel_unref);
}
