/* fy-channel.c: atomic GVariant messages over a SOCK_SEQPACKET socket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Wire format of one datagram:
 *
 *   FyFrame header (16 bytes) | type string, NUL-padded to 8 | body or ref
 *
 * An inline frame carries the serialised GVariant as its body. A memfd frame
 * has no body: the serialised GVariant is the content of a sealed memfd, the
 * first fd of the datagram's SCM_RIGHTS. An arena frame carries an
 * FyArenaRef instead of a body, and the sender's arena memfd as its first
 * fd: the body lies in chunks of that arena. The caller's own fds follow.
 *
 * The arena is a memfd each sending end creates once and reuses for every
 * message that fits, so a large message costs two copies instead of fresh
 * pages each time. Its header holds one tag per chunk: the sender tags the
 * chunks it fills, sends the datagram, and only reuses chunks whose tag the
 * receiver has set back to zero after copying the body out. The receiver
 * validates the copy, never the shared memory, so a sender that scribbles on
 * its arena afterwards cannot change a message already received. Passing
 * the arena fd with every message keeps each datagram self-contained: an
 * end handed to another process, or two senders on one socket, just work.
 * A sender killed while filling its arena never sent the datagram, so the
 * message does not exist; a full arena (a receiver that does not read)
 * makes the sender wait briefly, then fall back to a sealed memfd, so
 * sending never depends on the receiver reading.
 *
 * The receiver trusts nothing: magic, kind, type string, sizes, fd count,
 * seals, arena geometry and chunk tags are all checked, and GVariant itself
 * copes with any body bytes.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fy-channel.h"
#include "fy-channel-private.h"
#include "fy-core.h"
#include "fy-futex.h"

#define FY_FRAME_MAGIC 0x68437946u /* "FyCh" in memory order on little endian */

enum
{
  FY_FRAME_INLINE = 1,
  FY_FRAME_MEMFD = 2,
  FY_FRAME_ARENA = 3,
};

/* Seals a memfd must carry before its content can be trusted not to change
 * under the reader. */
#define FY_REQUIRED_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)

/* An arena is written to all the time; it must only never change size, or
 * a mapping of it could fault. */
#define FY_ARENA_SEALS (F_SEAL_SHRINK | F_SEAL_GROW)

/* How long a send waits for a full arena before it takes the memfd path. */
#define FY_ARENA_WAIT_USEC (20 * 1000)

/* Peer arenas a receiving end keeps mapped (one per sender, usually). */
#define FY_ARENA_CACHE_SIZE 4

/* SCM_MAX_FD in the kernel: more fds than this never arrive in one message. */
#define FY_MAX_FDS 253

/* How long a receive keeps asking without blocking before it sleeps. In a
 * conversation the answer usually comes within microseconds, and not
 * sleeping spares the wake-up: two context switches, most of the cost of a
 * small round trip. Only done when another CPU can run the peer. */
#define FY_RECEIVE_SPIN_USEC 20
/* After this many spins in a row that ended in sleep anyway (a slow peer,
 * or no idle CPU for it), spinning is only tried again now and then. */
#define FY_RECEIVE_SPIN_MISSES 3
#define FY_RECEIVE_SPIN_RETRY_EVERY 64

typedef struct
{
  guint32 magic;
  guint8  kind;
  guint8  n_fds;      /* the caller's fds, not counting a memfd or arena */
  guint16 type_len;   /* bytes of the type string, without its NUL */
  guint64 body_size;  /* inline body, memfd content or arena body */
} FyFrame;

G_STATIC_ASSERT (sizeof (FyFrame) == 16);

/* Where an arena frame's body lies. */
typedef struct
{
  guint32 n_chunks;     /* the arena's size follows from it */
  guint32 first_chunk;
  guint32 tag;          /* the body's chunks carry it while in flight */
  guint32 reserved;     /* zero */
} FyArenaRef;

G_STATIC_ASSERT (sizeof (FyArenaRef) == 16);

/* The arena this end sends through. */
typedef struct
{
  int      fd;
  guint32 *words;     /* the whole mapping, header first */
  gsize    size;
  guint32  n_chunks;
  guint32  next_tag;
  gboolean stalled;   /* the last wait for room timed out */
} FySendArena;

/* A peer's arena this end has mapped, known by its inode. */
typedef struct
{
  dev_t    dev;
  ino_t    ino;
  guint32 *words;
  gsize    size;
  guint32  n_chunks;
  guint64  last_used;
} FyPeerArena;

struct _FyChannel
{
  gatomicrefcount ref_count;
  int             fd;
  guint8         *buffer;   /* receive buffer, allocated on first receive */

  GMutex          send_lock;      /* guards arena */
  FySendArena    *arena;          /* created on the first large send */
  gboolean        arena_failed;   /* could not create one: memfds only */

  GMutex          receive_lock;   /* guards peers, peer_clock */
  FyPeerArena     peers[FY_ARENA_CACHE_SIZE];
  guint64         peer_clock;

  guint           receives;
  guint           spin_misses;    /* receives in a row that spun in vain */
};

#define FY_RECEIVE_BUFFER_SIZE (sizeof (FyFrame) + FY_MAX_TYPE_LEN + 8 + FY_CHANNEL_INLINE_MAX)

G_DEFINE_QUARK (fy-channel-error-quark, fy_channel_error)

static gboolean
set_error_from_errno (GError     **error,
                      int          saved_errno,
                      const char  *what)
{
  if (saved_errno == EPIPE || saved_errno == ECONNRESET)
    g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF,
                 "%s: the peer closed its end", what);
  else
    g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                 "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
check_open (FyChannel  *self,
            GError    **error)
{
  if (self->fd >= 0)
    return TRUE;
  g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                       "The channel is closed");
  return FALSE;
}

static void
close_fds (const int *fds,
           guint      n_fds)
{
  for (guint i = 0; i < n_fds; i++)
    if (fds[i] >= 0)
      close (fds[i]);
}

static GVariant *
timed_out (GError **error)
{
  g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_TIMED_OUT,
                       "No message arrived in time");
  return NULL;
}

/* Until when this receive may ask without blocking; 0: not at all. */
static gint64
spin_deadline (FyChannel *self,
               gint64     deadline)
{
  gint64 until;

  self->receives++;
  if (!fy_core_can_spin () || (self->spin_misses >= FY_RECEIVE_SPIN_MISSES &&
                   self->receives % FY_RECEIVE_SPIN_RETRY_EVERY != 0))
    return 0;
  until = g_get_monotonic_time () + FY_RECEIVE_SPIN_USEC;
  return deadline >= 0 ? MIN (until, deadline) : until;
}

static gint64
deadline_from_timeout (double timeout_seconds)
{
  if (timeout_seconds < 0)
    return -1;
  return g_get_monotonic_time () + (gint64) (timeout_seconds * G_USEC_PER_SEC);
}

/* Waits for @fd to become readable (or hung up) before @deadline (-1: never
 * give up). Restarts after signals with the time that is left. */
static gboolean
wait_readable (int    fd,
               gint64 deadline)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int timeout_ms = -1;
      int r;

      if (deadline >= 0)
        {
          gint64 left = deadline - g_get_monotonic_time ();

          /* Round up so that a short wait is never a busy loop of zeros. */
          timeout_ms = left <= 0 ? 0 : (int) MIN ((left + 999) / 1000, G_MAXINT);
        }

      r = poll (&pfd, 1, timeout_ms);
      if (r > 0)
        return TRUE;
      if (r == 0)
        {
          if (deadline < 0 || g_get_monotonic_time () >= deadline)
            return FALSE;
          continue;
        }
      if (errno != EINTR)
        return TRUE; /* let recvmsg () report the real error */
    }
}

static int
create_sealed_memfd (GVariant  *message,
                     GError   **error)
{
  const guint8 *data = g_variant_get_data (message);
  gsize size = g_variant_get_size (message);
  gsize done = 0;
  int fd;

  fd = memfd_create ("forkyard-message", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    {
      set_error_from_errno (error, errno, "memfd_create");
      return -1;
    }

  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          set_error_from_errno (error, n < 0 ? errno : ENOSPC, "Writing a message memfd");
          close (fd);
          return -1;
        }
      done += n;
    }

  if (fcntl (fd, F_ADD_SEALS, FY_REQUIRED_SEALS) < 0)
    {
      set_error_from_errno (error, errno, "Sealing a message memfd");
      close (fd);
      return -1;
    }

  return fd;
}

static inline guint32 *
arena_tags (guint32 *words)
{
  return words + FY_CHANNEL_ARENA_HEADER_WORDS;
}

static inline guint8 *
arena_chunk (guint32 *words,
             guint32  n_chunks,
             guint32  chunk)
{
  return (guint8 *) words + FY_CHANNEL_ARENA_HEADER_SIZE (n_chunks)
         + (gsize) chunk * FY_CHANNEL_ARENA_CHUNK_SIZE;
}

static inline guint32
chunks_for (guint64 size)
{
  return (guint32) ((size + FY_CHANNEL_ARENA_CHUNK_SIZE - 1) / FY_CHANNEL_ARENA_CHUNK_SIZE);
}

/* Tells a sender sleeping on a full arena that chunks came free. The fence
 * pairs with the one in arena_reserve (): either the sender sees the
 * cleared tags, or we see its waiting flag. */
static void
arena_wake_sender (guint32 *words)
{
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
  __atomic_add_fetch (&words[0], 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n (&words[1], __ATOMIC_SEQ_CST) != 0)
    fy_futex_wake (&words[0], 1);
}

static void
send_arena_free (FySendArena *arena)
{
  munmap (arena->words, arena->size);
  close (arena->fd);
  g_free (arena);
}

/* NULL when the system refuses: large messages then use memfds. */
static FySendArena *
send_arena_new (void)
{
  gsize size = FY_CHANNEL_ARENA_FILE_SIZE (FY_CHANNEL_ARENA_CHUNKS);
  FySendArena *arena;
  void *map;
  int fd;

  fd = memfd_create ("forkyard-arena", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return NULL;
  /* F_SEAL_SEAL too: nobody can later seal it against writes, which
   * would break the receivers' writable mappings. */
  if (ftruncate (fd, size) < 0 ||
      fcntl (fd, F_ADD_SEALS, FY_ARENA_SEALS | F_SEAL_SEAL) < 0)
    {
      close (fd);
      return NULL;
    }
  /* Not populated: pages come as messages first reach them. */
  map = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    {
      close (fd);
      return NULL;
    }

  arena = g_new0 (FySendArena, 1);
  arena->fd = fd;
  arena->words = map;
  arena->size = size;
  arena->n_chunks = FY_CHANNEL_ARENA_CHUNKS;
  arena->next_tag = 1;
  return arena;
}

/* First fit: the lowest free chunks were most likely freed last, so their
 * pages are still in the caches of both processes. With a receiver that
 * keeps up, every message reuses the same few chunks. */
static gboolean
arena_find_run (FySendArena *arena,
                guint32      n,
                guint32     *out_first)
{
  const guint32 *tags = arena_tags (arena->words);
  guint32 run = 0;

  for (guint32 i = 0; i < arena->n_chunks; i++)
    {
      if (__atomic_load_n (&tags[i], __ATOMIC_ACQUIRE) != 0)
        {
          run = 0;
          continue;
        }
      if (++run == n)
        {
          *out_first = i + 1 - n;
          return TRUE;
        }
    }
  return FALSE;
}

/* Finds @n free chunks, waiting up to FY_ARENA_WAIT_USEC for the receiver
 * to free some. After one such wait times out the receiver is presumably
 * busy elsewhere, and later sends do not wait until room shows up again:
 * a stream of sends to a reader that is not reading costs one wait, not one
 * per message. */
static gboolean
arena_reserve (FySendArena *arena,
               guint32      n,
               gboolean     wait,
               guint32     *out_first)
{
  guint32 *seq = &arena->words[0];
  guint32 *waiting = &arena->words[1];
  gboolean announced = FALSE;
  gboolean found = FALSE;
  gint64 deadline = 0;

  for (;;)
    {
      guint32 seen = __atomic_load_n (seq, __ATOMIC_SEQ_CST);

      if (arena_find_run (arena, n, out_first))
        {
          found = TRUE;
          break;
        }
      if (arena->stalled || !wait)
        break;
      if (!announced)
        {
          /* Announce, then look again before sleeping: a release between
           * the look above and the announcement would not wake us. */
          __atomic_store_n (waiting, 1, __ATOMIC_SEQ_CST);
          __atomic_thread_fence (__ATOMIC_SEQ_CST);
          announced = TRUE;
          deadline = g_get_monotonic_time () + FY_ARENA_WAIT_USEC;
          continue;
        }
      if (fy_futex_wait (seq, seen, deadline) == ETIMEDOUT)
        {
          arena->stalled = TRUE;
          break;
        }
    }

  if (announced)
    __atomic_store_n (waiting, 0, __ATOMIC_SEQ_CST);
  if (found)
    arena->stalled = FALSE;
  return found;
}

/* Sends one datagram: the frame, the type string, then the inline body
 * (@kind INLINE) or @extra; @extra_fd (if >= 0) before the caller's fds.
 * Returns 0 or an errno. */
static int
send_datagram (FyChannel   *self,
               GVariant    *message,
               guint8       kind,
               int          extra_fd,
               const void  *extra,
               gsize        extra_len,
               const int   *user_fds,
               guint        n_user_fds,
               int          flags)
{
  const char *type = g_variant_get_type_string (message);
  gsize type_len = strlen (type);
  gsize type_padded = (type_len + 1 + 7) & ~(gsize) 7;
  char type_buf[FY_MAX_TYPE_LEN + 8] = { 0 };
  FyFrame frame = { 0 };
  struct iovec iov[3];
  struct msghdr msg = { 0 };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * FY_MAX_FDS)];
  } control;
  guint n_fds;

  memcpy (type_buf, type, type_len);

  frame.magic = FY_FRAME_MAGIC;
  frame.kind = kind;
  frame.n_fds = n_user_fds;
  frame.type_len = type_len;
  frame.body_size = g_variant_get_size (message);

  iov[0].iov_base = &frame;
  iov[0].iov_len = sizeof frame;
  iov[1].iov_base = type_buf;
  iov[1].iov_len = type_padded;
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;

  if (kind == FY_FRAME_INLINE && frame.body_size > 0)
    {
      iov[2].iov_base = (gpointer) g_variant_get_data (message);
      iov[2].iov_len = frame.body_size;
      msg.msg_iovlen = 3;
    }
  else if (extra_len > 0)
    {
      iov[2].iov_base = (gpointer) extra;
      iov[2].iov_len = extra_len;
      msg.msg_iovlen = 3;
    }

  n_fds = n_user_fds + (extra_fd >= 0 ? 1 : 0);
  if (n_fds > 0)
    {
      struct cmsghdr *cmsg;
      int *out;

      memset (&control, 0, sizeof control);
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
      out = (int *) CMSG_DATA (cmsg);
      if (extra_fd >= 0)
        *out++ = extra_fd;
      if (n_user_fds > 0)
        memcpy (out, user_fds, sizeof (int) * n_user_fds);
    }

  for (;;)
    {
      if (sendmsg (self->fd, &msg, MSG_NOSIGNAL | flags) >= 0)
        return 0;
      if (errno != EINTR)
        return errno;
    }
}

/* Sends @message through this end's arena. FALSE when it did not try
 * (no arena, no room): the caller falls back to a memfd. Otherwise TRUE,
 * with *@out_errno the outcome of sending the datagram. */
static gboolean
send_through_arena (FyChannel  *self,
                    GVariant   *message,
                    const int  *user_fds,
                    guint       n_user_fds,
                    int         flags,
                    int        *out_errno)
{
  gsize size = g_variant_get_size (message);
  guint32 n = chunks_for (size);
  FySendArena *arena;
  FyArenaRef ref = { 0 };
  guint32 *tags;
  guint32 first = 0;
  guint32 tag;
  int err;

  if (self->arena == NULL && !self->arena_failed)
    {
      self->arena = send_arena_new ();
      self->arena_failed = self->arena == NULL;
    }
  arena = self->arena;
  if (arena == NULL || !arena_reserve (arena, n, (flags & MSG_DONTWAIT) == 0, &first))
    return FALSE;

  tag = arena->next_tag++;
  if (arena->next_tag == 0)
    arena->next_tag = 1;

  tags = arena_tags (arena->words);
  for (guint32 i = first; i < first + n; i++)
    __atomic_store_n (&tags[i], tag, __ATOMIC_RELAXED);
  /* Serialises straight into the arena when @message is not serialised yet. */
  g_variant_store (message, arena_chunk (arena->words, arena->n_chunks, first));

  ref.n_chunks = arena->n_chunks;
  ref.first_chunk = first;
  ref.tag = tag;
  err = send_datagram (self, message, FY_FRAME_ARENA, arena->fd, &ref, sizeof ref,
                       user_fds, n_user_fds, flags);
  if (err != 0)
    {
      /* Nobody will ever read these chunks. */
      for (guint32 i = first; i < first + n; i++)
        __atomic_store_n (&tags[i], 0, __ATOMIC_RELEASE);
    }

  *out_errno = err;
  return TRUE;
}

/* g_bytes_new_with_free_func () gives the free function only the user data,
 * so the mapping's address and length travel together. */
typedef struct
{
  gpointer data;
  gsize    size;
} FyMapping;

static void
mapping_free (gpointer user_data)
{
  FyMapping *mapping = user_data;

  munmap (mapping->data, mapping->size);
  g_free (mapping);
}

static GBytes *
bytes_from_memfd (int      memfd,
                  guint64  size,
                  GError **error)
{
  struct stat st;
  int seals;
  FyMapping *mapping;

  seals = fcntl (memfd, F_GET_SEALS);
  if (seals < 0 || (seals & FY_REQUIRED_SEALS) != FY_REQUIRED_SEALS)
    {
      g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_INVALID,
                           "Message memfd is not sealed");
      return NULL;
    }
  if (fstat (memfd, &st) < 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size != size)
    {
      g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_INVALID,
                           "Message memfd has the wrong size");
      return NULL;
    }
  if (size == 0)
    return g_bytes_new (NULL, 0);

  mapping = g_new (FyMapping, 1);
  mapping->size = size;
  /* Populated up front: one call instead of a page fault per page, and the
   * receiver is about to read it all anyway. */
  mapping->data = mmap (NULL, size, PROT_READ, MAP_SHARED | MAP_POPULATE, memfd, 0);
  if (mapping->data == MAP_FAILED)
    {
      g_free (mapping);
      set_error_from_errno (error, errno, "Mapping a message memfd");
      return NULL;
    }

  /* The mapping outlives the fd; the seals guarantee it never changes. */
  return g_bytes_new_with_free_func (mapping->data, size, mapping_free, mapping);
}

static GVariant *
invalid (GError     **error,
         const char  *why)
{
  g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_INVALID,
               "Invalid message: %s", why);
  return NULL;
}

static void
peer_arena_clear (FyPeerArena *peer)
{
  if (peer->words != NULL)
    munmap (peer->words, peer->size);
  memset (peer, 0, sizeof *peer);
}

/* The mapping of the arena @fd (already fstat ()ed into @st), from the
 * cache or mapped now. Called with the receive lock held. */
static FyPeerArena *
peer_arena_get (FyChannel          *self,
                int                 fd,
                const struct stat  *st,
                guint32             n_chunks,
                GError            **error)
{
  FyPeerArena *victim = &self->peers[0];
  struct statfs sfs;
  void *map;
  int seals;

  for (guint i = 0; i < FY_ARENA_CACHE_SIZE; i++)
    {
      FyPeerArena *peer = &self->peers[i];

      if (peer->words != NULL && peer->dev == st->st_dev && peer->ino == st->st_ino)
        {
          /* Cannot happen for a sealed file whose size was just checked. */
          if (peer->n_chunks != n_chunks)
            {
              invalid (error, "arena geometry changed");
              return NULL;
            }
          peer->last_used = ++self->peer_clock;
          return peer;
        }
      if (victim->words != NULL && (peer->words == NULL || peer->last_used < victim->last_used))
        victim = peer;
    }

  /* Seals are checked once: they can be added, never removed. */
  seals = fcntl (fd, F_GET_SEALS);
  if (seals < 0 || (seals & FY_ARENA_SEALS) != FY_ARENA_SEALS)
    {
      invalid (error, "arena is not sealed against resizing");
      return NULL;
    }
  /* Plain shared memory only: a hugetlbfs memfd can fault on access when
   * huge pages run out. */
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != TMPFS_MAGIC)
    {
      invalid (error, "arena is not anonymous shared memory");
      return NULL;
    }
  map = mmap (NULL, st->st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    {
      /* Sealed against writes, or opened read-only: the peer's doing.
       * Anything else (no memory) is ours. */
      if (errno == EPERM || errno == EACCES)
        invalid (error, "arena cannot be mapped for writing");
      else
        set_error_from_errno (error, errno, "Mapping an arena");
      return NULL;
    }

  peer_arena_clear (victim);
  victim->dev = st->st_dev;
  victim->ino = st->st_ino;
  victim->words = map;
  victim->size = st->st_size;
  victim->n_chunks = n_chunks;
  victim->last_used = ++self->peer_clock;
  return victim;
}

/* Copies the body of an arena frame out of the peer's arena, then hands
 * its chunks back. */
static GBytes *
bytes_from_arena (FyChannel         *self,
                  int                fd,
                  const FyArenaRef  *ref,
                  guint64            size,
                  GError           **error)
{
  struct stat st;
  FyPeerArena *peer;
  guint32 *tags;
  guint32 n;
  guint8 *copy;

  if (ref->n_chunks == 0 || ref->n_chunks > FY_CHANNEL_ARENA_MAX_CHUNKS || ref->reserved != 0)
    return (GBytes *) invalid (error, "bad arena geometry");
  if (size == 0 || size > (guint64) ref->n_chunks * FY_CHANNEL_ARENA_CHUNK_SIZE)
    return (GBytes *) invalid (error, "bad arena body size");
  n = chunks_for (size);
  if (ref->first_chunk >= ref->n_chunks || n > ref->n_chunks - ref->first_chunk)
    return (GBytes *) invalid (error, "arena body out of bounds");
  if (ref->tag == 0)
    return (GBytes *) invalid (error, "arena body without a tag");
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) ||
      (guint64) st.st_size != FY_CHANNEL_ARENA_FILE_SIZE (ref->n_chunks))
    return (GBytes *) invalid (error, "arena has the wrong size");

  g_mutex_lock (&self->receive_lock);

  peer = peer_arena_get (self, fd, &st, ref->n_chunks, error);
  if (peer == NULL)
    {
      g_mutex_unlock (&self->receive_lock);
      return NULL;
    }

  /* Each datagram names chunks the sender tagged for it: a replayed or
   * forged reference to chunks not in flight is refused. */
  tags = arena_tags (peer->words);
  for (guint32 i = ref->first_chunk; i < ref->first_chunk + n; i++)
    if (__atomic_load_n (&tags[i], __ATOMIC_ACQUIRE) != ref->tag)
      {
        g_mutex_unlock (&self->receive_lock);
        return (GBytes *) invalid (error, "arena chunks not in flight");
      }

  /* Copied out before anyone looks at it: the sender can write to its
   * arena at any time, but not to our copy. */
  copy = g_try_malloc (size);
  if (copy != NULL)
    memcpy (copy, arena_chunk (peer->words, peer->n_chunks, ref->first_chunk), size);

  for (guint32 i = ref->first_chunk; i < ref->first_chunk + n; i++)
    __atomic_store_n (&tags[i], 0, __ATOMIC_RELEASE);
  arena_wake_sender (peer->words);

  g_mutex_unlock (&self->receive_lock);

  if (copy == NULL)
    {
      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "No memory for a message of %" G_GUINT64_FORMAT " bytes", size);
      return NULL;
    }
  return g_bytes_new_take (copy, size);
}

static GVariant *
parse_frame (FyChannel     *self,
             const guint8  *buf,
             gsize          len,
             int           *fds,
             guint          n_fds,
             GUnixFDList  **out_fds,
             GError       **error)
{
  FyFrame frame;
  FyArenaRef ref;
  gsize type_padded;
  char type[FY_MAX_TYPE_LEN + 1];
  g_autoptr(GBytes) body = NULL;
  guint n_extra;
  GVariant *message;

  if (len < sizeof frame)
    return invalid (error, "datagram too short");
  memcpy (&frame, buf, sizeof frame);
  if (frame.magic != FY_FRAME_MAGIC)
    return invalid (error, "bad magic");
  if (frame.kind != FY_FRAME_INLINE && frame.kind != FY_FRAME_MEMFD && frame.kind != FY_FRAME_ARENA)
    return invalid (error, "unknown frame kind");
  if (frame.type_len == 0 || frame.type_len > FY_MAX_TYPE_LEN)
    return invalid (error, "bad type length");

  type_padded = (frame.type_len + 1 + 7) & ~(gsize) 7;
  if (len < sizeof frame + type_padded)
    return invalid (error, "truncated type");
  memcpy (type, buf + sizeof frame, frame.type_len);
  type[frame.type_len] = '\0';
  if (!g_variant_type_string_is_valid (type) ||
      !g_variant_type_is_definite ((const GVariantType *) type))
    return invalid (error, "bad type string");

  n_extra = frame.kind == FY_FRAME_INLINE ? 0 : 1;
  if (n_fds != frame.n_fds + n_extra)
    return invalid (error, "unexpected file descriptors");
  if (frame.n_fds > 0 && out_fds == NULL)
    return invalid (error, "file descriptors nobody expected");

  if (frame.kind == FY_FRAME_INLINE)
    {
      if (len != sizeof frame + type_padded + frame.body_size)
        return invalid (error, "body size mismatch");
      body = g_bytes_new (buf + sizeof frame + type_padded, frame.body_size);
    }
  else if (frame.kind == FY_FRAME_MEMFD)
    {
      if (len != sizeof frame + type_padded)
        return invalid (error, "memfd frame with a body");
      body = bytes_from_memfd (fds[0], frame.body_size, error);
      if (body == NULL)
        return NULL;
    }
  else
    {
      if (len != sizeof frame + type_padded + sizeof ref)
        return invalid (error, "arena frame of the wrong size");
      memcpy (&ref, buf + sizeof frame + type_padded, sizeof ref);
      body = bytes_from_arena (self, fds[0], &ref, frame.body_size, error);
      if (body == NULL)
        return NULL;
    }

  /* Not trusted: GVariant checks offsets on access and never reads outside
   * the body, whatever bytes the peer put there. */
  message = g_variant_new_from_bytes ((const GVariantType *) type, body, FALSE);
  g_variant_ref_sink (message);

  if (n_extra > 0)
    {
      close (fds[0]);
      fds[0] = -1;
    }
  if (out_fds != NULL)
    *out_fds = g_unix_fd_list_new_from_array (fds + n_extra, frame.n_fds);

  return message;
}

gboolean
fy_channel_new_pair (FyChannel  **end_a,
                     FyChannel  **end_b,
                     GError     **error)
{
  int sv[2];

  g_return_val_if_fail (end_a != NULL && end_b != NULL, FALSE);

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return set_error_from_errno (error, errno, "socketpair");

  *end_a = fy_channel_new_from_fd (sv[0]);
  *end_b = fy_channel_new_from_fd (sv[1]);
  return TRUE;
}

FyChannel *
fy_channel_new_from_fd (int fd)
{
  FyChannel *self;

  g_return_val_if_fail (fd >= 0, NULL);

  self = g_new0 (FyChannel, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->fd = fd;
  g_mutex_init (&self->send_lock);
  g_mutex_init (&self->receive_lock);
  return self;
}

FyChannel *
fy_channel_ref (FyChannel *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
drop_arenas (FyChannel *self)
{
  g_mutex_lock (&self->send_lock);
  g_clear_pointer (&self->arena, send_arena_free);
  g_mutex_unlock (&self->send_lock);

  g_mutex_lock (&self->receive_lock);
  for (guint i = 0; i < FY_ARENA_CACHE_SIZE; i++)
    peer_arena_clear (&self->peers[i]);
  g_mutex_unlock (&self->receive_lock);
}

void
fy_channel_unref (FyChannel *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  fy_channel_close (self);
  drop_arenas (self);
  g_mutex_clear (&self->send_lock);
  g_mutex_clear (&self->receive_lock);
  g_free (self->buffer);
  g_free (self);
}

int
fy_channel_get_fd (FyChannel *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->fd;
}

int
fy_channel_steal_fd (FyChannel *self)
{
  int fd;

  g_return_val_if_fail (self != NULL, -1);
  fd = self->fd;
  self->fd = -1;
  return fd;
}

void
fy_channel_close (FyChannel *self)
{
  g_return_if_fail (self != NULL);

  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
      /* Messages already sent keep their arena alive through their fds. */
      drop_arenas (self);
    }
}

static gboolean
send_outcome (int      err,
              GError **error)
{
  if (err == 0)
    return TRUE;
  if (err == EAGAIN || err == EWOULDBLOCK)
    {
      g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_WOULD_BLOCK,
                           "The peer's socket is full");
      return FALSE;
    }
  return set_error_from_errno (error, err, "Sending a message");
}

/* Sends @message; with MSG_DONTWAIT in @flags, a full socket is
 * FY_CHANNEL_ERROR_WOULD_BLOCK and a full arena is not waited for. */
static gboolean
send_message (FyChannel    *self,
              GVariant     *message,
              GUnixFDList  *fds,
              int           flags,
              GError      **error)
{
  g_autoptr(GVariant) owned = NULL;
  const int *user_fds = NULL;
  int n_user_fds = 0;
  gsize size;
  int memfd;
  int err;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (fds == NULL || G_IS_UNIX_FD_LIST (fds), FALSE);

  owned = g_variant_ref_sink (message);
  if (!check_open (self, error))
    return FALSE;

  if (fds != NULL)
    user_fds = g_unix_fd_list_peek_fds (fds, &n_user_fds);

  if (strlen (g_variant_get_type_string (owned)) > FY_MAX_TYPE_LEN)
    {
      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "Message type is too long (%" G_GSIZE_FORMAT " characters)",
                   strlen (g_variant_get_type_string (owned)));
      return FALSE;
    }
  if (n_user_fds + 1 > FY_MAX_FDS)
    {
      g_set_error (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_FAILED,
                   "Too many file descriptors in one message (%d)", n_user_fds);
      return FALSE;
    }

  size = g_variant_get_size (owned);
  if (size <= FY_CHANNEL_INLINE_MAX)
    {
      err = send_datagram (self, owned, FY_FRAME_INLINE, -1, NULL, 0, user_fds, n_user_fds, flags);
      /* EMSGSIZE: a socket with a small send buffer; the other paths fit. */
      if (err != EMSGSIZE)
        return send_outcome (err, error);
    }

  if (size > 0 && size <= FY_CHANNEL_ARENA_MAX_MESSAGE)
    {
      gboolean tried;

      g_mutex_lock (&self->send_lock);
      tried = send_through_arena (self, owned, user_fds, n_user_fds, flags, &err);
      g_mutex_unlock (&self->send_lock);
      if (tried)
        return send_outcome (err, error);
    }

  memfd = create_sealed_memfd (owned, error);
  if (memfd < 0)
    return FALSE;
  err = send_datagram (self, owned, FY_FRAME_MEMFD, memfd, NULL, 0, user_fds, n_user_fds, flags);
  close (memfd);
  return send_outcome (err, error);
}

gboolean
fy_channel_send (FyChannel    *self,
                 GVariant     *message,
                 GUnixFDList  *fds,
                 GError      **error)
{
  return send_message (self, message, fds, 0, error);
}

gboolean
fy_channel_try_send (FyChannel    *self,
                     GVariant     *message,
                     GUnixFDList  *fds,
                     GError      **error)
{
  return send_message (self, message, fds, MSG_DONTWAIT, error);
}



GVariant *
fy_channel_receive (FyChannel     *self,
                    double         timeout_seconds,
                    GUnixFDList  **out_fds,
                    GError       **error)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * FY_MAX_FDS)];
  } control;
  int fds[FY_MAX_FDS];
  guint n_fds = 0;
  struct iovec iov;
  struct msghdr msg;
  ssize_t n;
  int flags = MSG_CMSG_CLOEXEC;
  gint64 deadline = deadline_from_timeout (timeout_seconds);
  gint64 spin_until = 0;
  gboolean must_poll = FALSE;
  GVariant *message;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (out_fds == NULL || *out_fds == NULL, NULL);

  if (!check_open (self, error))
    return NULL;

  if (self->buffer == NULL)
    self->buffer = g_malloc (FY_RECEIVE_BUFFER_SIZE);

  /* A timed receive never blocks in recvmsg (), so a second reader that
   * wins the race cannot stall us past the deadline. It asks first and
   * polls only when nothing was there: a reader told by its main loop that
   * a message waits then spends one system call on it, not two. */
  if (deadline >= 0)
    flags |= MSG_DONTWAIT;
  spin_until = spin_deadline (self, deadline);

  for (;;)
    {
      gboolean spinning = spin_until > 0 && g_get_monotonic_time () < spin_until;

      if (!spinning && must_poll && !wait_readable (self->fd, deadline))
        return timed_out (error);

      iov.iov_base = self->buffer;
      iov.iov_len = FY_RECEIVE_BUFFER_SIZE;
      memset (&msg, 0, sizeof msg);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;

      n = recvmsg (self->fd, &msg, spinning ? flags | MSG_DONTWAIT : flags);
      if (n >= 0)
        {
          if (spin_until > 0)
            self->spin_misses = spinning ? 0 : self->spin_misses + 1;
          break;
        }
      if (errno == EINTR)
        continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && (spinning || deadline >= 0))
        {
          must_poll = deadline >= 0;
          if (!spinning && deadline >= 0 && g_get_monotonic_time () >= deadline)
            return timed_out (error);
          continue;
        }
      if (errno == ECONNRESET)
        {
          g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF,
                               "The peer closed its end");
          return NULL;
        }
      set_error_from_errno (error, errno, "Receiving a message");
      return NULL;
    }

  for (struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
    {
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        {
          guint count = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);

          count = MIN (count, FY_MAX_FDS - n_fds);
          memcpy (fds + n_fds, CMSG_DATA (cmsg), sizeof (int) * count);
          n_fds += count;
        }
    }

  /* Nothing arrived but the end of the stream: we never send empty
   * datagrams, so a zero-length read is the peer's close. */
  if (n == 0 && n_fds == 0 && !(msg.msg_flags & MSG_TRUNC))
    {
      g_set_error_literal (error, FY_CHANNEL_ERROR, FY_CHANNEL_ERROR_EOF,
                           "The peer closed its end");
      return NULL;
    }

  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
    {
      close_fds (fds, n_fds);
      return invalid (error, (msg.msg_flags & MSG_TRUNC) ? "datagram too large" : "too many file descriptors");
    }

  message = parse_frame (self, self->buffer, n, fds, n_fds, out_fds, error);
  if (message == NULL)
    close_fds (fds, n_fds);
  return message;
}

gboolean
fy_channel_poll (FyChannel *self,
                 double     timeout_seconds)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->fd < 0)
    return FALSE;
  return wait_readable (self->fd, deadline_from_timeout (timeout_seconds));
}
