/* fy-pool-wire.h: the protocol between a pool and its workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every message on a pool worker's channel is a "(yttuuxxv)": a tag, a
 * chunk id, the id of the chunk the worker starts next (0: none), an item
 * index inside the chunk, a window size, when the item a report ('o', 'e')
 * of one item names started and ended in the worker (g_get_monotonic_time
 * (): CLOCK_MONOTONIC, one clock for every process; 0 in other messages),
 * and a body.
 *
 *   parent → worker
 *     'm'  0   0  0  0  ()       map the shared word block (the one fd sent
 *                                with it); always the first message
 *     'i'  0   0  0  0  (sv)     run the initializer (function, argument)
 *     'r'  0   0  0  0  a(tsbav)  chunks: id, one function, whether each
 *                                item is a map chunk (below), one argument
 *                                per item, in slices of FY_POOL_SLICE_MAX
 *                                (each packed or boxed, as values below)
 *     'c'  id  0  k  0  ()       skip item k of chunk id if it has not started
 *     'q'  0   0  0  0  ()       leave (the worker exits 0)
 *   worker → parent
 *     'R'  0   0  0  0  ()       the initializer succeeded
 *     'I'  0   0  0  0  (sis)    the initializer failed (then it exits 1)
 *     's'  id  0  0  w  ()       chunk id starts: items 0 … w-1 may run
 *                                before the next message (its window)
 *     'o'  id  n  k  w  v        item k's result
 *     'e'  id  n  k  w  (sis)    item k's error: domain, code, message
 *     'k'  id  n  k  w  ()       item k was skipped after a 'c'
 *     'p'  id  0  k  e  (xvau)   progress of item k, a map chunk: the
 *                                results of its elements e, e+1 … and when
 *                                each ended, as in its report (below)
 *     'b'  id  n  k  w  (ayaxv)  items k, k+1 …: a kind each ('o', 'e' or
 *                                'k'), when each started and ended (two
 *                                stamps an item, 0 for a skipped one),
 *                                then their values in one array:
 *                                "aT" when all are results of one
 *                                fixed-size basic type T, else "av" of
 *                                the result, an error (sis), or () when
 *                                skipped
 *   After a report, w is the next window of the same chunk, or, once the
 *   chunk is done, the window of chunk n that starts now (n = 0: none).
 *
 * An item that is a map chunk (Python's chunks of map, imap …) carries an
 * array of arguments: the worker runs the function on each (each an
 * element), in order, and reports them as the item's one result, a
 * "(xvau)": when the first element started (g_get_monotonic_time (), one
 * clock for every process), the array of their results ("aT" when every
 * result is of the same fixed-size basic type T, "av" otherwise), and when
 * each ended, in µs after that start. The first error ends the item and is
 * its report.
 *
 * Elements finished are never lost with their worker, so never run twice:
 * before it runs an element the worker logs the one before it in the
 * shared block (FyPoolShared below: its result and end, then the count of
 * elements done, with a release store), so the pool reads, after a death,
 * which elements finished and their results. When the log is full the
 * worker sends what it holds as a 'p' message first (a message sent before
 * a death is still read after it) and starts the log again. For the same
 * reason a map chunk's window is one item, and its report is sent before
 * the worker takes the next item: a finished map chunk is never waiting
 * for its report when its worker dies.
 *
 * Chunks start in the order they were sent and report in order. The window
 * says which items may have started; the pool shows them as running. A
 * window is one item unless items take well under a millisecond; then
 * reports are batched. The next chunk's acknowledgement rides on the last
 * report of the previous one.
 *
 * Which item runs is known exactly from shared memory, not from messages:
 * items are numbered in the order the pool sent them to the worker (from
 * 0, across chunks), and the worker stores n + 1 in FyPoolShared.running
 * when it takes item n: before any message shows the item as started, and
 * before it runs it. A dead worker therefore held exactly the item that
 * word names, unless it was reported already; every other unreported item
 * goes back to the queue (the ones before it ran, but their results died
 * with the worker; this only happens to tasks of one far shorter than a
 * millisecond, since map chunks report one by one). That store costs no system call, so a worker whose
 * items are short may skip the 's' of a chunk: its first report then
 * acknowledges it. It never does so while the pool asks for every start
 * (FyPoolShared.want_starts: a task timeout needs to know when a task
 * began). Without the shared block (it could not be made) the worker
 * declares every window and a death fails the unreported items of the
 * window, as the window is all the pool knows.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FY_POOL_MESSAGE_TYPE "(yttuuxxv)"

#define FY_POOL_MSG_SHARED      'm'
#define FY_POOL_MSG_INIT        'i'
#define FY_POOL_MSG_RUN         'r'
#define FY_POOL_MSG_CANCEL      'c'
#define FY_POOL_MSG_QUIT        'q'
#define FY_POOL_MSG_READY       'R'
#define FY_POOL_MSG_INIT_FAILED 'I'
#define FY_POOL_MSG_STARTED     's'
#define FY_POOL_MSG_RESULT      'o'
#define FY_POOL_MSG_ERROR       'e'
#define FY_POOL_MSG_SKIPPED     'k'
#define FY_POOL_MSG_BATCH       'b'
#define FY_POOL_MSG_PROGRESS    'p'

/* Kinds and values apart: the kinds are one fixed array read in place, and
 * each value costs the parent one GVariant when packed, two when boxed. */
#define FY_POOL_BATCH_TYPE      "(ayaxv)"
#define FY_POOL_RUN_TYPE        "a(tsbav)"
#define FY_POOL_MAPPED_TYPE     "(xvau)"
/* GLib 2.74 checks the offsets of an untrusted array up to the child it is
 * asked for, so walking one of n variable-size children costs n²: arrays on
 * the wire stay this short. */
#define FY_POOL_SLICE_MAX       256
/* Windows aim at this much work between two messages, and hold at most
 * this many items. */
#define FY_POOL_WINDOW_US       1000.0
#define FY_POOL_WINDOW_MAX      256

/* The block a pool shares with each worker, in a sealed memfd of
 * FY_POOL_SHARED_SIZE bytes: these words, then the log of the map chunk
 * item the worker runs, from FY_POOL_LOG_AT on. Words are read and written
 * with atomics; the log's records are written before the count that
 * publishes them. Pages of the log are only touched by map chunks. */
typedef struct
{
  guint64  running;       /* worker: 1 + number of the item it took last; 0: none */
  guint32  want_starts;   /* pool: 1 = declare every window by message */
  guint32  log_limit;     /* pool: bytes of the log to use, 0: all (for tests) */
  /* The map chunk item it runs, by the same numbering. */
  guint64  map_item;      /* 1 + its number; 0: none */
  gint64   map_started_at;
  guint32  log_first;     /* the element of the log's first record */
  guint32  log_done;      /* elements of the item finished, the log's and before */
  guint64  log_used;      /* bytes of records */
} FyPoolShared;

/* A record of the log: an element's end (µs after map_started_at), the
 * size of its result, then the result serialised as a "v" (value, zero
 * byte, type string); records start at multiples of 8. */
typedef struct
{
  guint32  end_us;
  guint32  size;
} FyPoolLogRecord;

#define FY_POOL_LOG_AT          4096
#define FY_POOL_LOG_SIZE        (4u << 20)
#define FY_POOL_SHARED_SIZE     (FY_POOL_LOG_AT + FY_POOL_LOG_SIZE)

typedef struct
{
  char     tag;
  guint64  chunk;
  guint64  next;
  guint32  index;
  guint32  window;
  gint64   started_at;   /* a report of one item: when it ran, in the worker */
  gint64   ended_at;
} FyPoolHeader;

/* Messages are built and read on every task, so both ends skip GVariant's
 * format strings: the fixed part is laid out by hand (GVariant's own
 * serialisation of FY_POOL_MESSAGE_TYPE), the body is checked by GVariant
 * as usual. A body of 64 KiB or more is not copied: the message is then a
 * tree of variants over it, serialised once, where the channel puts it.
 * @body may be NULL (unit); a floating reference is sunk. */
GVariant *fy_pool_message_new        (char          tag,
                                      guint64       chunk,
                                      guint64       next,
                                      guint32       index,
                                      guint32       window,
                                      GVariant     *body);
/* The same with the times of the one item a report names. */
GVariant *fy_pool_report_new         (char          tag,
                                      guint64       chunk,
                                      guint64       next,
                                      guint32       index,
                                      guint32       window,
                                      gint64        started_at,
                                      gint64        ended_at,
                                      GVariant     *body);
/* FALSE when @message is not a pool message. @out_body: a new reference. */
gboolean  fy_pool_message_parse      (GVariant     *message,
                                      FyPoolHeader *out_header,
                                      GVariant    **out_body);

/* The "av" holding @values (not consumed), serialised by hand: what
 * g_variant_new_array () of g_variant_new_variant () makes, byte for byte,
 * at a fraction of the cost; a few large values (map chunks) are left as
 * that tree instead, which a message serialises without a copy of its
 * own. Returns a floating reference. */
GVariant *fy_pool_variants_to_av     (GVariant * const *values,
                                      guint             n);

/* The size of a fixed-size basic type ("x", "u", "d" …), 0 for any other:
 * arrays of those are sliced and packed without a variant per item. */
gsize     fy_pool_fixed_size         (const char   *type_string);
/* @values (not consumed) as one array: packed as "aT" when they all are
 * of the same fixed-size basic type T (read back without a variant box to
 * open, nor offsets to check), as fy_pool_variants_to_av () otherwise.
 * Returns a floating reference. */
GVariant *fy_pool_pack_values        (GVariant * const *values,
                                      guint             n);

/* Child @i of @container, taken out of its "v" when it is boxed: how map
 * arguments and a map chunk's results travel. A new reference. */
GVariant *fy_pool_unboxed_child      (GVariant     *container,
                                      gsize         i);

/* An error as it crosses the channel, and back. */
/* A batch report's body, FY_POOL_BATCH_TYPE, once checked: as many kinds
 * as values, and a start and an end time for each. The pointers are into
 * the variants held here. */
typedef struct
{
  GVariant      *kinds;     /* "ay": FY_POOL_MSG_RESULT, _ERROR or _SKIPPED each */
  GVariant      *times;     /* "ax": started at, ended at, per item */
  GVariant      *values;    /* "av", or packed "aT" of a fixed-size T */
  const guint8  *kind_of;
  const gint64  *times_of;
  gsize          n;
} FyPoolBatch;

/* A map chunk run's report, FY_POOL_MAPPED_TYPE, once checked: as many
 * end times as results. */
typedef struct
{
  gint64         started_at;
  GVariant      *results;   /* "av", or packed "aT" of a fixed-size T */
  GVariant      *ends;      /* "au": µs after @started_at */
  const guint32 *end_us;
  gsize          n;
} FyPoolMapped;

/* The one check of a batch's and of a map report's shape, for the pool
 * and for whatever tests what the pool accepts: FALSE (and @out cleared)
 * when the body is malformed. The items' kinds and values are not looked
 * at one by one here; the reader does that as it takes each. */
gboolean  fy_pool_batch_parse        (GVariant     *body,
                                      FyPoolBatch  *out);
void      fy_pool_batch_clear        (FyPoolBatch  *batch);
gboolean  fy_pool_mapped_parse       (GVariant     *body,
                                      FyPoolMapped *out);
void      fy_pool_mapped_clear       (FyPoolMapped *mapped);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FyPoolBatch, fy_pool_batch_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FyPoolMapped, fy_pool_mapped_clear)

GVariant *fy_pool_error_to_variant   (const GError *error);
GError   *fy_pool_error_from_variant (GVariant     *value);


G_END_DECLS
