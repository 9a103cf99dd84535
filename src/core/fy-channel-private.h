/* fy-channel-private.h: limits of the channel's wire format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-channel.h"

G_BEGIN_DECLS

/* Bodies up to this size travel inside the datagram; larger ones in a
 * sealed memfd. Well below the default socket send buffer (208 KiB). */
#define FY_CHANNEL_INLINE_MAX (64 * 1024)

/* Longest GVariant type string a message may have. */
#define FY_MAX_TYPE_LEN 1024

/* Hands the fd over to the caller; the channel is closed afterwards. */
int fy_channel_steal_fd (FyChannel *self);

G_END_DECLS
