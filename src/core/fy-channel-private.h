/* fy-channel-private.h: limits of the channel's wire format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-channel.h"

G_BEGIN_DECLS

/* Bodies up to this size travel inside the datagram; larger ones in the
 * sender's arena or, when that is full or too small, a sealed memfd. Well
 * below the default socket send buffer (208 KiB). */
#define FY_CHANNEL_INLINE_MAX (64 * 1024)

/* Longest GVariant type string a message may have. */
#define FY_MAX_TYPE_LEN 1024

/* The arena: a memfd of one header page (or more) followed by chunks.
 * Header words: [0] wake sequence (futex), [1] sender waiting flag, then one
 * tag per chunk, non-zero while the chunk holds a message in flight. */
#define FY_CHANNEL_ARENA_CHUNK_SIZE (16 * 1024)
/* Chunks of the arena a sending end creates: 8 MiB. */
#define FY_CHANNEL_ARENA_CHUNKS 512
/* Most chunks a receiver accepts in an arena (1 GiB). */
#define FY_CHANNEL_ARENA_MAX_CHUNKS 65536
/* Largest body that goes through the arena: a quarter of it, so that a
 * few messages can be in flight at once. */
#define FY_CHANNEL_ARENA_MAX_MESSAGE (FY_CHANNEL_ARENA_CHUNKS * FY_CHANNEL_ARENA_CHUNK_SIZE / 4)
#define FY_CHANNEL_ARENA_HEADER_WORDS 2
#define FY_CHANNEL_ARENA_HEADER_SIZE(n_chunks) \
  ((((gsize) (n_chunks) + FY_CHANNEL_ARENA_HEADER_WORDS) * 4 + 4095) & ~(gsize) 4095)
#define FY_CHANNEL_ARENA_FILE_SIZE(n_chunks) \
  (FY_CHANNEL_ARENA_HEADER_SIZE (n_chunks) + (gsize) (n_chunks) * FY_CHANNEL_ARENA_CHUNK_SIZE)

/* Hands the fd over to the caller; the channel is closed afterwards. */
int fy_channel_steal_fd (FyChannel *self);

G_END_DECLS
