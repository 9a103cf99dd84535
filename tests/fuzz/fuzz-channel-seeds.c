/* fuzz-channel-seeds.c: writes the channel fuzz target's seed corpus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: fuzz-channel-seeds DIR
 *
 * Builds worker messages with the pool's own encoders (fy-pool-wire.h),
 * sends each through a real channel and records the datagram and the
 * memfd or arena it came with, in the input layout of fuzz-channel.c.
 * Run it after a change of the wire format, in place of the old seeds:
 *
 *   rm -r tests/fuzz/corpus/channel && mkdir tests/fuzz/corpus/channel
 *   build/tests/fuzz/fuzz-channel-seeds tests/fuzz/corpus/channel
 *
 * Each seed is named MODE-KIND[.VARIANT], KIND being what
 * fuzz_channel_decode () reads from it; test-channel-seeds.c holds every
 * seed to its name. The output does not depend on the time or the run.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fy-channel.h"
#include "core/fy-channel-private.h"
#include "core/fy-pool-wire.h"

#include "fuzz-channel.h"

/* Worker times (g_get_monotonic_time ()) fixed, so that seeds do not
 * change from one run to the next. */
#define STARTED_AT G_GINT64_CONSTANT (86400000000)

/* Room for any datagram: inline bodies stop at FY_CHANNEL_INLINE_MAX. */
#define DATAGRAM_MAX (FY_CHANNEL_INLINE_MAX + 8192)

static const char *out_dir;

typedef struct
{
  guint8 *data;
  gsize   size;
  int     fd;       /* the memfd or arena that came with it, or -1 */
} Datagram;

/* Takes the next datagram off @channel's socket as it is, without the
 * channel's decoding. */
static Datagram
receive_raw (FyChannel *channel)
{
  Datagram d = { g_malloc (DATAGRAM_MAX), 0, -1 };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  struct iovec iov = { d.data, DATAGRAM_MAX };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  ssize_t n = recvmsg (fy_channel_get_fd (channel), &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  struct cmsghdr *cmsg;

  if (n <= 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
    g_error ("No whole datagram to record");
  d.size = n;
  cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg != NULL && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
    memcpy (&d.fd, CMSG_DATA (cmsg), sizeof d.fd);
  return d;
}

static void
datagram_clear (Datagram *d)
{
  g_free (d->data);
  if (d->fd >= 0)
    close (d->fd);
}

static void
write_seed (const char *name,
            int         mode,
            Datagram   *d,
            const void *extra,
            gsize       extra_size)
{
  g_autoptr(GByteArray) seed = g_byte_array_new ();
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  guint8 head[3] = { (guint8) mode, (guint8) (d->size & 0xff), (guint8) (d->size >> 8) };

  /* The inline layout has no length: the datagram is the rest. */
  g_byte_array_append (seed, head, mode == FUZZ_CHANNEL_INLINE ? 1 : 3);
  g_byte_array_append (seed, d->data, d->size);
  if (extra_size > 0)
    g_byte_array_append (seed, extra, extra_size);
  if (!g_file_set_contents (path, (const char *) seed->data, seed->len, &error))
    g_error ("%s", error->message);
  /* Whatever the channel did, the seed must read back as its name says. */
  if (!fuzz_channel_seed_check (name, seed->data, seed->len, &error))
    g_error ("%s", error->message);
  printf ("%s: %u bytes\n", name, seed->len);
}

static void
record_inline (const char *name,
               GVariant   *message)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  Datagram d;

  if (!fy_channel_new_pair (&a, &b, &error) || !fy_channel_send (a, message, NULL, &error))
    g_error ("%s", error->message);
  d = receive_raw (b);
  if (d.fd >= 0)
    g_error ("%s did not travel inline", name);
  write_seed (name, FUZZ_CHANNEL_INLINE, &d, NULL, 0);
  datagram_clear (&d);
}

/* @message must be larger than FY_CHANNEL_INLINE_MAX: the channel puts it
 * in its arena. The arena is rewritten to the few chunks an input holds,
 * the geometry in the datagram's FyArenaRef (its last 16 bytes: chunks,
 * first chunk, tag, zero) with it. */
static void
record_arena (const char *name,
              GVariant   *message)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  gsize body = g_variant_get_size (message);
  guint32 n_chunks = (guint32) ((body + FY_CHANNEL_ARENA_CHUNK_SIZE - 1) / FY_CHANNEL_ARENA_CHUNK_SIZE);
  gsize header = FY_CHANNEL_ARENA_HEADER_SIZE (n_chunks);
  g_autofree guint8 *arena = NULL;
  guint32 ref[4];
  struct stat st;
  guint8 *map;
  Datagram d;

  g_assert (body > FY_CHANNEL_INLINE_MAX && n_chunks <= FUZZ_CHANNEL_ARENA_CHUNKS_MAX);
  if (!fy_channel_new_pair (&a, &b, &error) || !fy_channel_send (a, message, NULL, &error))
    g_error ("%s", error->message);
  d = receive_raw (b);
  if (d.fd < 0 || fstat (d.fd, &st) != 0)
    g_error ("%s came without its arena", name);
  memcpy (ref, d.data + d.size - sizeof ref, sizeof ref);
  if ((gsize) st.st_size != FY_CHANNEL_ARENA_FILE_SIZE (ref[0]) || ref[1] != 0 || ref[3] != 0)
    g_error ("%s: the arena is not what this program expects", name);
  map = mmap (NULL, st.st_size, PROT_READ, MAP_SHARED, d.fd, 0);
  if (map == MAP_FAILED)
    g_error ("Mapping the arena: %s", g_strerror (errno));

  /* The first chunk's tag and the body, in an arena of n_chunks chunks
   * whose first byte says so (fuzz-channel.c). */
  arena = g_malloc0 (header + body);
  for (guint32 i = 0; i < n_chunks; i++)
    memcpy (arena + (FY_CHANNEL_ARENA_HEADER_WORDS + i) * 4,
            map + (FY_CHANNEL_ARENA_HEADER_WORDS + i) * 4, 4);
  arena[0] = (guint8) (n_chunks - 1);
  memcpy (arena + header, map + FY_CHANNEL_ARENA_HEADER_SIZE (ref[0]), body);
  munmap (map, st.st_size);
  ref[0] = n_chunks;
  memcpy (d.data + d.size - sizeof ref, ref, sizeof ref);

  write_seed (name, FUZZ_CHANNEL_ARENA, &d, arena, header + body);
  datagram_clear (&d);
}

/* @message must be larger than FY_CHANNEL_INLINE_MAX: with the channel's
 * arena full (a parent that does not read), fy_channel_try_send () puts
 * it in a sealed memfd of its own. */
static void
record_memfd (const char *name,
              GVariant   *message)
{
  g_autoptr(FyChannel) a = NULL;
  g_autoptr(FyChannel) b = NULL;
  g_autoptr(GError) error = NULL;
  gsize fill_size = FY_CHANNEL_ARENA_MAX_MESSAGE - 64;
  g_autofree guint8 *fill_data = g_malloc0 (fill_size);
  g_autoptr(GVariant) fill = g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, fill_data,
                                                                            fill_size, 1));
  guint n_fill = FY_CHANNEL_ARENA_CHUNKS * FY_CHANNEL_ARENA_CHUNK_SIZE / FY_CHANNEL_ARENA_MAX_MESSAGE;
  g_autofree guint8 *content = NULL;
  struct stat st;
  Datagram d;

  g_assert (g_variant_get_size (message) > FY_CHANNEL_INLINE_MAX);
  if (!fy_channel_new_pair (&a, &b, &error))
    g_error ("%s", error->message);
  for (guint i = 0; i < n_fill; i++)
    if (!fy_channel_send (a, fill, NULL, &error))
      g_error ("%s", error->message);
  if (!fy_channel_try_send (a, message, NULL, &error))
    g_error ("%s", error->message);
  for (guint i = 0; i < n_fill; i++)
    {
      d = receive_raw (b);
      datagram_clear (&d);
    }
  d = receive_raw (b);
  if (d.fd < 0 || fstat (d.fd, &st) != 0 || (gsize) st.st_size != g_variant_get_size (message))
    g_error ("%s did not travel in a memfd", name);
  content = g_malloc (st.st_size);
  if (pread (d.fd, content, st.st_size, 0) != st.st_size)
    g_error ("Reading the memfd: %s", g_strerror (errno));
  write_seed (name, FUZZ_CHANNEL_MEMFD, &d, content, st.st_size);
  datagram_clear (&d);
}

static GVariant *
report (char      tag,
        guint32   index,
        gint64    run_us,
        GVariant *body)
{
  return fy_pool_report_new (tag, 1, 0, index, 1, STARTED_AT + index * 1000,
                             STARTED_AT + index * 1000 + run_us, body);
}

static GVariant *
error_body (const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);

  return fy_pool_error_to_variant (error);
}

/* A map chunk item's report, "(xvau)": @n results, as the worker packs
 * them, ending 10 µs apart. */
static GVariant *
mapped_body (GVariant **results,
             guint      n)
{
  g_autofree guint32 *ends = g_new (guint32, n);
  GVariant *fields[3];

  for (guint i = 0; i < n; i++)
    ends[i] = 10 * (i + 1);
  fields[0] = g_variant_new_int64 (STARTED_AT);
  fields[1] = g_variant_new_variant (fy_pool_pack_values (results, n));
  fields[2] = g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, ends, n, sizeof (guint32));
  return g_variant_new_tuple (fields, 3);
}

static GPtrArray *
values_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

static void
add (GPtrArray *values,
     GVariant  *value)
{
  g_ptr_array_add (values, g_variant_ref_sink (value));
}

static GPtrArray *
int64s (guint n)
{
  GPtrArray *values = values_new ();

  for (guint i = 0; i < n; i++)
    add (values, g_variant_new_int64 ((gint64) i * i));
  return values;
}

static GPtrArray *
doubles (guint n)
{
  GPtrArray *values = values_new ();

  for (guint i = 0; i < n; i++)
    add (values, g_variant_new_double (i / 8.0));
  return values;
}

/* What Python-like functions return besides numbers: strings, tuples,
 * lists, nothing. */
static GPtrArray *
mixed (guint n)
{
  GPtrArray *values = values_new ();

  for (guint i = 0; i < n; i++)
    switch (i % 4)
      {
      case 0:
        add (values, g_variant_new_printf ("item %u", i));
        break;
      case 1:
        add (values, g_variant_new ("(sx)", "square", (gint64) i * i));
        break;
      case 2:
        add (values, g_variant_new ("ad", NULL));
        break;
      default:
        add (values, g_variant_new ("()"));
        break;
      }
  return values;
}

static void
record_batch (const char *name,
              const char *kinds)
{
  g_autoptr(GPtrArray) values = values_new ();
  g_autoptr(GVariant) message = NULL;
  guint n = strlen (kinds);
  g_autofree gint64 *times = g_new0 (gint64, 2 * n);
  GVariant *fields[3];

  for (guint i = 0; i < n; i++)
    {
      if (kinds[i] == FY_POOL_MSG_RESULT)
        add (values, g_variant_new_int64 (i + 1));
      else if (kinds[i] == FY_POOL_MSG_ERROR)
        add (values, error_body ("ValueError: item out of range"));
      else
        add (values, g_variant_new ("()"));
      /* A skipped item never ran: no times. */
      if (kinds[i] != FY_POOL_MSG_SKIPPED)
        {
          times[2 * i] = STARTED_AT + i * 100;
          times[2 * i + 1] = STARTED_AT + i * 100 + 40;
        }
    }
  fields[0] = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, kinds, n, 1);
  fields[1] = g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, times, 2 * n, sizeof (gint64));
  fields[2] = g_variant_new_variant (fy_pool_pack_values ((GVariant **) values->pdata, n));
  message = fy_pool_message_new (FY_POOL_MSG_BATCH, 1, 2, 0, 8, g_variant_new_tuple (fields, 3));
  record_inline (name, message);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) small_int64s = int64s (16);
  g_autoptr(GPtrArray) small_doubles = doubles (16);
  g_autoptr(GPtrArray) small_mixed = mixed (16);
  g_autoptr(GPtrArray) large_int64s = int64s (6000);
  g_autoptr(GPtrArray) large_mixed = mixed (3500);
  g_autoptr(GVariant) message = NULL;

  if (argc != 2 || !g_file_test (argv[1], G_FILE_TEST_IS_DIR))
    {
      fprintf (stderr, "usage: %s DIR\n", argv[0]);
      return 2;
    }
  out_dir = argv[1];

#define RECORD(how, name, msg) \
  G_STMT_START { message = (msg); how (name, message); g_clear_pointer (&message, g_variant_unref); } G_STMT_END

  RECORD (record_inline, "inline-ready", fy_pool_message_new (FY_POOL_MSG_READY, 0, 0, 0, 0, NULL));
  RECORD (record_inline, "inline-init-failed",
          fy_pool_message_new (FY_POOL_MSG_INIT_FAILED, 0, 0, 0, 0,
                               error_body ("ImportError: no initializer named setup")));
  RECORD (record_inline, "inline-started", fy_pool_message_new (FY_POOL_MSG_STARTED, 1, 0, 0, 4, NULL));
  RECORD (record_inline, "inline-result", report (FY_POOL_MSG_RESULT, 0, 1500, g_variant_new_int64 (832040)));
  RECORD (record_inline, "inline-result.string",
          report (FY_POOL_MSG_RESULT, 1, 20, g_variant_new_string ("3f786850e387550fdab836ed7e6dc881de23001b")));
  RECORD (record_inline, "inline-error",
          report (FY_POOL_MSG_ERROR, 2, 30, error_body ("ZeroDivisionError: division by zero")));
  RECORD (record_inline, "inline-skipped", fy_pool_report_new (FY_POOL_MSG_SKIPPED, 1, 0, 3, 1, 0, 0, NULL));
  record_batch ("inline-batch", "ooeko");
  record_batch ("inline-batch.int64", "oooooooo");
  RECORD (record_inline, "inline-map-int64",
          report (FY_POOL_MSG_RESULT, 0, 160,
                  mapped_body ((GVariant **) small_int64s->pdata, small_int64s->len)));
  RECORD (record_inline, "inline-map-double",
          report (FY_POOL_MSG_RESULT, 0, 160,
                  mapped_body ((GVariant **) small_doubles->pdata, small_doubles->len)));
  RECORD (record_inline, "inline-map-variant",
          report (FY_POOL_MSG_RESULT, 0, 160,
                  mapped_body ((GVariant **) small_mixed->pdata, small_mixed->len)));
  RECORD (record_inline, "inline-progress",
          fy_pool_message_new (FY_POOL_MSG_PROGRESS, 1, 0, 0, 0,
                               mapped_body ((GVariant **) small_int64s->pdata, 8)));
  /* Map chunk reports of 64 KiB or more: a tree serialised by the channel
   * into its arena, or into a memfd when the arena is full. */
  RECORD (record_arena, "arena-map-int64",
          report (FY_POOL_MSG_RESULT, 0, 90000,
                  mapped_body ((GVariant **) large_int64s->pdata, large_int64s->len)));
  RECORD (record_memfd, "memfd-map-variant",
          report (FY_POOL_MSG_RESULT, 0, 40000,
                  mapped_body ((GVariant **) large_mixed->pdata, large_mixed->len)));
#undef RECORD
  return 0;
}
