/* fuzz-channel.h: the channel fuzz target's decoding, for its seeds' tools
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fuzz-channel.c reads one input (its layout is described there) the way
 * the parent reads a worker's message. The seed generator writes inputs in
 * that layout and the seeds' test checks them with the same decoding, so
 * a change of the wire format that leaves the corpus behind fails a test.
 */

#pragma once

#include <glib.h>

/* Byte 0 of an input % 4: where the message body travels. */
#define FUZZ_CHANNEL_INLINE 0
#define FUZZ_CHANNEL_MEMFD  1  /* sealed */
#define FUZZ_CHANNEL_ARENA  3

/* Largest arena an input describes, in chunks: room for a message above
 * FY_CHANNEL_INLINE_MAX, which a real sender puts in its arena. */
#define FUZZ_CHANNEL_ARENA_CHUNKS_MAX 8

/* What the pool read from @data: "result", "error", "batch", "map-int64",
 * "map-double", "map-variant", "progress", "started", "skipped", "ready",
 * "init-failed" (one name per kind of worker message), or NULL when the
 * channel or the pool would refuse it. */
const char *fuzz_channel_decode (const guint8 *data,
                                 gsize         size);

/* Checks a seed named MODE-KIND[.VARIANT] (MODE "inline", "memfd" or
 * "arena"): byte 0 of @data picks MODE, and fuzz_channel_decode () reads
 * a KIND from it. FALSE with an error that says what differs otherwise. */
gboolean fuzz_channel_seed_check (const char    *name,
                                  const guint8  *data,
                                  gsize          size,
                                  GError       **error);
