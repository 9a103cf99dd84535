/* test-workloads-files.c: hash, resize and the sandbox, called directly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "fy-png-reduce.h"
#include "fy-resample.h"
#include "fy-sandbox.h"
#include "fy-sha256.h"
#include "fy-workload.h"
#include "fy-workload-error.h"

#include "fy-test-workloads.h"

static char *
hash_path (const char  *path,
           GError     **error)
{
  g_autoptr(GVariant) result = fy_test_run_workload ("hash", g_variant_new_bytestring (path), error);

  return result ? g_variant_dup_string (result, NULL) : NULL;
}

/* A new directory inside this test's own cache directory, which
 * G_TEST_OPTION_ISOLATE_DIRS removes with everything in it after the test. */
static char *
make_tmp_dir (void)
{
  char *dir = g_build_filename (g_get_user_cache_dir (), "files-XXXXXX", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_nonnull (g_mkdtemp (dir));
  return dir;
}

static void
test_hash_known_answers (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *abc = g_build_filename (dir, "abc", NULL);
  g_autofree char *million = g_build_filename (dir, "million-a", NULL);
  g_autofree char *lots = g_malloc (1000000);
  g_autoptr(GError) error = NULL;
  g_autofree char *d1 = NULL;
  g_autofree char *d2 = NULL;
  g_autofree char *d3 = NULL;

  memset (lots, 'a', 1000000);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (abc, "abc", 3, NULL));
  g_assert_true (g_file_set_contents (million, lots, 1000000, NULL));

  d1 = hash_path (empty, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d1, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  d2 = hash_path (abc, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d2, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  d3 = hash_path (million, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d3, ==, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void
assert_hash_fails (const char *path,
                   int         code,
                   const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = hash_path (path, &error);

  g_assert_null (digest);
  g_assert_error (error, FY_WORKLOAD_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

static void
test_hash_bad_inputs (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *sock_path = g_build_filename (dir, "sock", NULL);
  g_autofree char *secret = g_build_filename (dir, "secret", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int sock;

  assert_hash_fails (missing, FY_WORKLOAD_ERROR_IO, "No such file");
  assert_hash_fails (dir, FY_WORKLOAD_ERROR_IO, "Is a directory");
  assert_hash_fails ("/dev/null", FY_WORKLOAD_ERROR_IO, "device");

  /* A FIFO nobody writes to: a plain open () would block forever. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_hash_fails (fifo, FY_WORKLOAD_ERROR_IO, "FIFO");

  sock = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (sock, >=, 0);
  g_strlcpy (addr.sun_path, sock_path, sizeof addr.sun_path);
  g_assert_cmpint (bind (sock, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  assert_hash_fails (sock_path, FY_WORKLOAD_ERROR_IO, "socket");
  close (sock);

  /* root reads everything, so only an ordinary user can check this one. */
  g_assert_true (g_file_set_contents (secret, "secret", -1, NULL));
  g_assert_cmpint (g_chmod (secret, 0), ==, 0);
  if (geteuid () != 0)
    assert_hash_fails (secret, FY_WORKLOAD_ERROR_IO, "Permission denied");
}

typedef struct
{
  const char *path;
  gint        go;
} TruncateJob;

static gpointer
truncate_thread (gpointer data)
{
  TruncateJob *job = data;

  while (!g_atomic_int_get (&job->go))
    ;
  g_usleep (g_random_int_range (0, 20000));
  g_assert_cmpint (truncate (job->path, 4096), ==, 0);
  return NULL;
}

static void
test_hash_truncated (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "shrinking", NULL);
  gboolean seen_error = FALSE;

  /* The truncation races the hashing, so it may land before the open or
   * after the end; those attempts must give a correct digest of what was
   * there, and at least one of many lands in the middle. */
  for (guint attempt = 0; attempt < 50 && !seen_error; attempt++)
    {
      TruncateJob job = { path, 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *digest = NULL;
      GThread *thread;
      int fd;

      fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      g_assert_cmpint (fd, >=, 0);
      /* Sparse: cheap to create, and still hashed at the digest's speed. */
      g_assert_cmpint (ftruncate (fd, 64 << 20), ==, 0);
      close (fd);

      thread = g_thread_new ("truncate", truncate_thread, &job);
      g_atomic_int_set (&job.go, 1);
      digest = hash_path (path, &error);
      g_thread_join (thread);

      if (error != NULL)
        {
          g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CHANGED);
          g_assert_nonnull (strstr (error->message, "truncated"));
          seen_error = TRUE;
        }
      else
        {
          /* 4096 zero bytes, or 64 MiB of them. */
          g_assert_true (g_str_equal (digest, "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7") ||
                         g_str_equal (digest, "3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351"));
        }
    }

  g_assert_true (seen_error);
}

/* hash-outcome gives a failure as a value, and the directory it opened
 * the last file in never stands in for another one: files of the same
 * name in two directories, one after the other, and a file whose
 * directory went away since. */
static void
test_hash_outcome (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *a = g_build_filename (dir, "a", NULL);
  g_autofree char *b = g_build_filename (dir, "b", NULL);
  g_autofree char *a_file = g_build_filename (a, "same", NULL);
  g_autofree char *b_file = g_build_filename (b, "same", NULL);
  g_autofree char *missing = g_build_filename (a, "missing", NULL);
  g_autofree char *a_digest = NULL;
  const char *expected_b = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  struct { const char *path; gboolean ok; const char *text; } cases[] = {
    { NULL, TRUE, NULL },
    { NULL, TRUE, NULL },
    { NULL, FALSE, "No such file or directory" },
    { NULL, FALSE, "Is a directory" },
  };

  g_assert_cmpint (g_mkdir (a, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (b, 0700), ==, 0);
  g_assert_true (g_file_set_contents (a_file, "alpha\n", -1, NULL));
  g_assert_true (g_file_set_contents (b_file, "abc", -1, NULL));
  a_digest = hash_path (a_file, NULL);
  g_assert_nonnull (a_digest);
  cases[0].path = a_file;
  cases[0].text = a_digest;
  cases[1].path = b_file;
  cases[1].text = expected_b;
  cases[2].path = missing;
  cases[3].path = b;

  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GVariant) result = fy_test_run_workload ("hash-outcome",
                                                             g_variant_new_bytestring (cases[i].path), &error);
          gboolean ok;
          const char *text;

          g_assert_no_error (error);
          g_assert_true (g_variant_is_of_type (result, G_VARIANT_TYPE ("(bs)")));
          g_variant_get (result, "(b&s)", &ok, &text);
          g_assert_cmpint (ok, ==, cases[i].ok);
          if (ok)
            g_assert_cmpstr (text, ==, cases[i].text);
          else
            g_assert_nonnull (strstr (text, cases[i].text));
        }
      if (round > 0)
        break;
      /* Its directory removed: the file is gone, not read from elsewhere. */
      g_assert_cmpint (g_unlink (b_file), ==, 0);
      g_assert_cmpint (g_rmdir (b), ==, 0);
      cases[1].ok = FALSE;
      cases[1].text = "No such file or directory";
      cases[3].text = "No such file or directory";
    }
}

static gboolean
fixed_size_cb (int       width,
               int       height,
               int      *out_width,
               int      *out_height,
               gpointer  user_data)
{
  const int *size = user_data;

  *out_width = size[0];
  *out_height = size[1];
  return TRUE;
}

/* A picture of @channels with some structure and, for RGBA, alpha that
 * varies down to fully transparent. */
static GdkPixbuf *
make_test_picture (int width,
                   int height,
                   int channels)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, channels == 4, 8, width, height);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  GRand *rand = g_rand_new_with_seed (18);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;

        p[0] = (guint8) ((x * 7 + y * 3) & 0xff);
        p[1] = (guint8) g_rand_int_range (rand, 0, 256);
        p[2] = (guint8) (((x / 9) ^ (y / 5)) & 1 ? 230 : 20);
        if (channels == 4)
          p[3] = (guint8) (x % 50 < 5 ? 0 : (y * 255) / MAX (height - 1, 1));
      }
  g_rand_free (rand);
  return pixbuf;
}

/* The row-fed reduction gives what fy_resample_lanczos () makes of the
 * whole picture, byte for byte, at factors of one and more, with rows and
 * columns left over. */
static void
test_resample_box_reducer (void)
{
  const int cases[][4] = {
    /* source w, h, target w, h */
    { 1000, 700, 120, 90 },
    { 640, 480, 300, 300 },
    { 301, 977, 37, 100 },
    { 90, 60, 80, 50 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int channels = 3; channels <= 4; channels++)
      {
        g_autoptr(GdkPixbuf) source = make_test_picture (cases[i][0], cases[i][1], channels);
        g_autoptr(GdkPixbuf) whole = fy_resample_lanczos (source, cases[i][2], cases[i][3]);
        FyBoxReducer *reducer = fy_box_reducer_new (cases[i][0], cases[i][1], channels,
                                                    cases[i][2], cases[i][3]);
        g_autoptr(GdkPixbuf) reduced = NULL;
        g_autoptr(GdkPixbuf) streamed = NULL;
        const guint8 *pixels = gdk_pixbuf_read_pixels (source);
        int stride = gdk_pixbuf_get_rowstride (source);

        g_assert_nonnull (reducer);
        for (int y = 0; y < cases[i][1]; y++)
          fy_box_reducer_push_row (reducer, pixels + (gsize) y * stride);
        reduced = fy_box_reducer_finish (reducer);
        streamed = fy_resample_lanczos (reduced, cases[i][2], cases[i][3]);

        g_assert_nonnull (whole);
        g_assert_nonnull (streamed);
        g_assert_cmpint (gdk_pixbuf_get_width (streamed), ==, cases[i][2]);
        g_assert_cmpint (gdk_pixbuf_get_height (streamed), ==, cases[i][3]);
        for (int y = 0; y < cases[i][3]; y++)
          g_assert_cmpmem (gdk_pixbuf_read_pixels (whole) + (gsize) y * gdk_pixbuf_get_rowstride (whole),
                           cases[i][2] * channels,
                           gdk_pixbuf_read_pixels (streamed) + (gsize) y * gdk_pixbuf_get_rowstride (streamed),
                           cases[i][2] * channels);
      }
}

/* PNGs through FyPngReduce give, byte for byte, the thumbnail
 * gdk-pixbuf's decode gives: RGB and RGBA files saved by gdk-pixbuf, fed
 * in uneven blocks; a file cut short fails with an error. (Grey, grey +
 * alpha, palette and 16-bit files go through the whole resize workload in
 * tests/cli/test-cli-workloads.py.) */
static void
test_png_reduce_matches_gdk_pixbuf (void)
{
  g_autoptr(GdkPixbuf) rgb = make_test_picture (333, 211, 3);
  g_autoptr(GdkPixbuf) rgba = make_test_picture (333, 211, 4);
  GdkPixbuf *pictures[] = { rgb, rgba };

  for (guint i = 0; i < G_N_ELEMENTS (pictures); i++)
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
      g_autoptr(GdkPixbuf) expected = NULL;
      g_autoptr(GdkPixbuf) reduced = NULL;
      g_autoptr(GdkPixbuf) got = NULL;
      g_autoptr(FyPngReduce) png = NULL;
      g_autoptr(FyPngReduce) cut = NULL;
      g_autoptr(GError) error = NULL;
      int size[2] = { 100, 70 };

      g_assert_true (gdk_pixbuf_save_to_buffer (pictures[i], &data, &len, "png", NULL, NULL));
      g_assert_true (fy_png_reduce_can_decode ((const guint8 *) data, len));
      g_assert_true (gdk_pixbuf_loader_write (loader, (const guint8 *) data, len, NULL));
      g_assert_true (gdk_pixbuf_loader_close (loader, NULL));
      expected = fy_resample_lanczos (gdk_pixbuf_loader_get_pixbuf (loader), size[0], size[1]);

      png = fy_png_reduce_new (fixed_size_cb, size);
      /* In uneven blocks, as a file is read. */
      for (gsize at = 0; at < len; at += 1000)
        g_assert_true (fy_png_reduce_feed (png, (const guint8 *) data + at, MIN (1000, len - at), &error));
      g_assert_no_error (error);
      reduced = fy_png_reduce_finish (png, &error);
      g_assert_no_error (error);
      got = fy_resample_lanczos (reduced, size[0], size[1]);
      g_assert_cmpint (gdk_pixbuf_get_n_channels (got), ==, gdk_pixbuf_get_n_channels (expected));
      for (int y = 0; y < size[1]; y++)
        g_assert_cmpmem (gdk_pixbuf_read_pixels (expected) + (gsize) y * gdk_pixbuf_get_rowstride (expected),
                         size[0] * gdk_pixbuf_get_n_channels (expected),
                         gdk_pixbuf_read_pixels (got) + (gsize) y * gdk_pixbuf_get_rowstride (got),
                         size[0] * gdk_pixbuf_get_n_channels (got));

      cut = fy_png_reduce_new (fixed_size_cb, size);
      g_assert_true (fy_png_reduce_feed (cut, (const guint8 *) data, len / 2, &error));
      g_assert_null (fy_png_reduce_finish (cut, &error));
      g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_CORRUPT);
    }
}

/* hash-files, hash-pairs and hash-lanes: one packed result for many files, each its
 * own outcome: a digest where it could be read (the same as hash's), zeros
 * and a reason where not, in any order, and a time for every file. */
static void
test_hash_files_packed (gconstpointer workload)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *abc = g_build_filename (dir, "abc", NULL);
  g_autofree char *big = g_build_filename (dir, "big", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *lots = g_malloc (700000);
  const char *paths[] = { abc, missing, empty, dir, big, fifo, "", abc, NULL };
  const char *reasons[] = { NULL, "No such file or directory", NULL, "Is a directory", NULL, "FIFO",
                            "empty path", NULL };
  static const guint8 zeros[FY_SHA256_DIGEST_SIZE] = { 0 };
  g_autoptr(GVariant) digests_value = NULL;
  g_autoptr(GVariant) micros_value = NULL;
  g_autoptr(GVariant) failures = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *digests;
  gsize n_bytes, n_micros;
  guint n_failed = 0;

  for (gsize i = 0; i < 700000; i++)
    lots[i] = (char) (i * 7 + (i >> 11));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (abc, "abc", 3, NULL));
  g_assert_true (g_file_set_contents (big, lots, 700000, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  result = fy_test_run_workload (workload, g_variant_new_bytestring_array (paths, -1), &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (result, G_VARIANT_TYPE ("(ayaua(us))")));
  g_variant_get (result, "(@ay@au@a(us))", &digests_value, &micros_value, &failures);
  digests = g_variant_get_fixed_array (digests_value, &n_bytes, 1);
  g_variant_get_fixed_array (micros_value, &n_micros, sizeof (guint32));
  g_assert_cmpuint (n_bytes, ==, 8 * FY_SHA256_DIGEST_SIZE);
  g_assert_cmpuint (n_micros, ==, 8);

  for (guint i = 0; i < 8; i++)
    {
      const guint8 *digest = digests + i * FY_SHA256_DIGEST_SIZE;

      if (reasons[i] == NULL)
        {
          g_autofree char *expected = hash_path (paths[i], NULL);
          char text[2 * FY_SHA256_DIGEST_SIZE + 1];

          fy_sha256_to_hex (digest, text);
          g_assert_cmpstr (text, ==, expected);
        }
      else
        g_assert_cmpmem (digest, FY_SHA256_DIGEST_SIZE, zeros, FY_SHA256_DIGEST_SIZE);
    }
  for (gsize f = 0; f < g_variant_n_children (failures); f++)
    {
      const char *reason;
      guint32 index;

      g_variant_get_child (failures, f, "(u&s)", &index, &reason);
      g_assert_cmpuint (index, <, 8);
      g_assert_nonnull (reasons[index]);
      g_assert_nonnull (strstr (reason, reasons[index]));
      n_failed++;
    }
  g_assert_cmpuint (n_failed, ==, 4);
}

/* ---- hash-batch ----------------------------------------------------------- */

typedef struct
{
  gboolean  ok;
  char     *text;
} BatchOutcome;

static void
batch_outcome_clear (gpointer data)
{
  BatchOutcome *outcome = data;

  g_free (outcome->text);
}

/* Runs hash-batch on @paths; one outcome per path, in order. */
static GArray *
hash_batch (const char *const *paths,
            guint              n_paths)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;
  GArray *outcomes = g_array_new (FALSE, TRUE, sizeof (BatchOutcome));
  GVariantIter iter;
  BatchOutcome outcome;

  g_array_set_clear_func (outcomes, batch_outcome_clear);

  result = fy_test_run_workload ("hash-batch", g_variant_new_bytestring_array (paths, n_paths), &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (g_variant_n_children (result), ==, n_paths);

  g_variant_iter_init (&iter, result);
  while (g_variant_iter_next (&iter, "(bs)", &outcome.ok, &outcome.text))
    g_array_append_val (outcomes, outcome);
  return outcomes;
}

static char *
write_random_file (const char *dir,
                   guint       index,
                   gsize       len,
                   GRand      *rand,
                   char      **out_digest)
{
  g_autofree guint8 *data = g_malloc (len + 1);
  char *path = g_strdup_printf ("%s/f%03u", dir, index);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, NULL));
  /* GLib's own SHA-256: a reference that shares no code with either of ours. */
  *out_digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
  return path;
}

static void
check_batches_against_glib (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (256);
  /* Around the block and buffer sizes, then anything up to 3 MiB. */
  static const gsize fixed[] = { 0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300,
                                 128 * 1024 - 1, 128 * 1024, 128 * 1024 + 1, 256 * 1024 + 64 };
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);
  guint next = 0;

  for (guint i = 0; i < G_N_ELEMENTS (fixed) + 20; i++)
    {
      gsize len = i < G_N_ELEMENTS (fixed) ? fixed[i]
        : i % 2 ? (gsize) g_rand_int_range (rand, 0, 301) : (gsize) g_rand_int_range (rand, 0, 3 << 20);
      char *digest = NULL;

      g_ptr_array_add (paths, write_random_file (dir, i, len, rand, &digest));
      g_ptr_array_add (digests, digest);
    }

  /* Batches of every size from 1 to 11 (more than eight lanes), each
   * mixing lengths so that lanes run out at different blocks. */
  for (guint size = 1; size <= 11; size++)
    {
      const char *batch[11];
      g_autoptr(GArray) outcomes = NULL;

      for (guint i = 0; i < size; i++)
        batch[i] = g_ptr_array_index (paths, (next + i * 7) % paths->len);
      outcomes = hash_batch (batch, size);
      for (guint i = 0; i < size; i++)
        {
          BatchOutcome *o = &g_array_index (outcomes, BatchOutcome, i);

          g_assert_true (o->ok);
          g_assert_cmpstr (o->text, ==, g_ptr_array_index (digests, (next + i * 7) % paths->len));
        }
      next += size;
    }

  /* Two lanes, the longer going on alone after 2048 blocks side by side:
   * the hand-over from the lanes to a single stream mid-file. */
  {
    const char *pair[] = { g_ptr_array_index (paths, 13), g_ptr_array_index (paths, 14) };
    g_autoptr(GArray) outcomes = hash_batch (pair, 2);

    for (guint i = 0; i < 2; i++)
      {
        BatchOutcome *o = &g_array_index (outcomes, BatchOutcome, i);

        g_assert_true (o->ok);
        g_assert_cmpstr (o->text, ==, g_ptr_array_index (digests, 13 + i));
      }
  }
}

static void
test_hash_batch_matches (void)
{
  check_batches_against_glib ();
}

static void
test_hash_batch_matches_avx2 (void)
{
  /* Where the CPU has AVX-512VL, the AVX2 rounds still need a run. */
  g_setenv ("FY_SHA256_NO_AVX512", "1", TRUE);
  check_batches_against_glib ();
  g_unsetenv ("FY_SHA256_NO_AVX512");
}

static void
test_hash_batch_matches_portable (void)
{
  /* The same batches through OpenSSL, one file at a time. */
  g_setenv ("FY_SHA256_PORTABLE", "1", TRUE);
  check_batches_against_glib ();
  g_unsetenv ("FY_SHA256_PORTABLE");
}

static void
test_hash_batch_bad_inputs (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *sock_path = g_build_filename (dir, "sock", NULL);
  g_autofree char *good = g_build_filename (dir, "good", NULL);
  g_autofree char *big = g_build_filename (dir, "big", NULL);
  g_autofree char *big_digest = NULL;
  g_autofree guint8 *big_data = g_malloc (1 << 20);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  const char *batch[] = { missing, good, dir, "/dev/null", "", fifo, sock_path, big, good };
  static const char *const expect[] = { "No such file", NULL, "Is a directory", "device",
                                        "empty path", "FIFO", "socket", NULL, NULL };
  g_autoptr(GArray) outcomes = NULL;
  int sock;

  for (gsize i = 0; i < (1 << 20); i++)
    big_data[i] = (guint8) (i * 31 + (i >> 12));
  g_assert_true (g_file_set_contents (big, (const char *) big_data, 1 << 20, NULL));
  big_digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, big_data, 1 << 20);
  g_assert_true (g_file_set_contents (good, "abc", 3, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  sock = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (sock, >=, 0);
  g_strlcpy (addr.sun_path, sock_path, sizeof addr.sun_path);
  g_assert_cmpint (bind (sock, (struct sockaddr *) &addr, sizeof addr), ==, 0);

  /* Nine paths: a first lane group of eight and a lone ninth. */
  outcomes = hash_batch (batch, G_N_ELEMENTS (batch));
  for (guint i = 0; i < G_N_ELEMENTS (batch); i++)
    {
      BatchOutcome *o = &g_array_index (outcomes, BatchOutcome, i);

      if (expect[i] == NULL)
        {
          g_assert_true (o->ok);
          g_assert_cmpstr (o->text, ==, batch[i] == big ? big_digest
                           : "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        }
      else
        {
          g_assert_false (o->ok);
          if (strstr (o->text, expect[i]) == NULL)
            g_error ("“%s” does not mention “%s”", o->text, expect[i]);
        }
    }
  close (sock);
}

static void
test_hash_batch_truncated (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "shrinking", NULL);
  g_autofree char *steady = g_build_filename (dir, "steady", NULL);
  const char *batch[] = { steady, path, steady };
  gboolean seen_error = FALSE;
  int fd;

  /* 8 MiB of zeros beside the shrinking file, in the lanes either side. */
  fd = open (steady, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 8 << 20), ==, 0);
  close (fd);

  for (guint attempt = 0; attempt < 50 && !seen_error; attempt++)
    {
      TruncateJob job = { path, 0 };
      g_autoptr(GArray) outcomes = NULL;
      BatchOutcome *o;
      GThread *thread;

      fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (ftruncate (fd, 64 << 20), ==, 0);
      close (fd);

      thread = g_thread_new ("truncate", truncate_thread, &job);
      g_atomic_int_set (&job.go, 1);
      outcomes = hash_batch (batch, G_N_ELEMENTS (batch));
      g_thread_join (thread);

      for (guint i = 0; i < G_N_ELEMENTS (batch); i += 2)
        {
          o = &g_array_index (outcomes, BatchOutcome, i);
          g_assert_true (o->ok);
          g_assert_cmpstr (o->text, ==, "2daeb1f36095b44b318410b3f4e8b5d989dcc7bb023d1426c492dab0a3053e74");
        }

      o = &g_array_index (outcomes, BatchOutcome, 1);
      if (!o->ok)
        {
          g_assert_nonnull (strstr (o->text, "truncated"));
          seen_error = TRUE;
        }
      else
        g_assert_true (g_str_equal (o->text, "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7") ||
                       g_str_equal (o->text, "3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351"));
    }

  g_assert_true (seen_error);
}

/* ---- resize ------------------------------------------------------------- */

static GdkPixbuf *
make_picture (int      width,
              int      height,
              gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int n = gdk_pixbuf_get_n_channels (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);

  /* Smooth shapes and a hard edge: recognisable after a downscale. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + y * stride + x * n;
        double dx = x - width * 0.4;
        double dy = y - height * 0.5;
        gboolean inside = dx * dx + dy * dy < (height * 0.3) * (height * 0.3);

        p[0] = inside ? 220 : (guchar) (255 * x / width);
        p[1] = inside ? 40 : (guchar) (255 * y / height);
        p[2] = (guchar) (128 + 100 * sin (x * 0.01));
        if (n == 4)
          p[3] = 255;
      }
  return pixbuf;
}

/* The reference: a plain box filter over the source, written here so it
 * shares nothing with gdk-pixbuf's scaler. */
static double
psnr_against_box_filter (GdkPixbuf *source,
                         GdkPixbuf *result)
{
  int sw = gdk_pixbuf_get_width (source);
  int sh = gdk_pixbuf_get_height (source);
  int rw = gdk_pixbuf_get_width (result);
  int rh = gdk_pixbuf_get_height (result);
  int sn = gdk_pixbuf_get_n_channels (source);
  int rn = gdk_pixbuf_get_n_channels (result);
  const guchar *sp = gdk_pixbuf_read_pixels (source);
  const guchar *rp = gdk_pixbuf_read_pixels (result);
  int ss = gdk_pixbuf_get_rowstride (source);
  int rs = gdk_pixbuf_get_rowstride (result);
  double mse = 0;

  for (int y = 0; y < rh; y++)
    for (int x = 0; x < rw; x++)
      {
        int x0 = x * sw / rw, x1 = MAX (x0 + 1, (x + 1) * sw / rw);
        int y0 = y * sh / rh, y1 = MAX (y0 + 1, (y + 1) * sh / rh);

        for (int c = 0; c < 3; c++)
          {
            double sum = 0;
            double diff;

            for (int yy = y0; yy < y1; yy++)
              for (int xx = x0; xx < x1; xx++)
                sum += sp[yy * ss + xx * sn + c];
            diff = sum / ((x1 - x0) * (y1 - y0)) - rp[y * rs + x * rn + c];
            mse += diff * diff;
          }
      }

  mse /= (double) rw * rh * 3;
  return mse == 0 ? 99.0 : 10 * log10 (255.0 * 255.0 / mse);
}

static GVariant *
resize (const char  *input,
        const char  *out_dir,
        int          width,
        int          height,
        gboolean     keep_aspect,
        GError     **error)
{
  return fy_test_run_workload ("resize", g_variant_new ("(^ay^ayiib)", input, out_dir, width, height, keep_aspect),
              error);
}

static void
check_resized (const char *input,
               const char *out_dir,
               int         width,
               int         height,
               gboolean    keep_aspect,
               int         expect_width,
               int         expect_height,
               const char *expect_format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = resize (input, out_dir, width, height, keep_aspect, &error);
  g_autoptr(GdkPixbuf) source = NULL;
  g_autoptr(GdkPixbuf) output = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *expected_path = NULL;
  g_autofree char *base = g_path_get_basename (input);
  g_autofree char *format_name = NULL;
  int got_w, got_h;
  double psnr;

  g_assert_no_error (error);
  g_variant_get (result, "(^ayii)", &out_path, &got_w, &got_h);
  expected_path = g_build_filename (out_dir, base, NULL);
  g_assert_cmpstr (out_path, ==, expected_path);
  g_assert_cmpint (got_w, ==, expect_width);
  g_assert_cmpint (got_h, ==, expect_height);

  output = fy_test_load_image (out_path, &format_name);
  g_assert_cmpstr (format_name, ==, expect_format);
  g_assert_cmpint (gdk_pixbuf_get_width (output), ==, expect_width);
  g_assert_cmpint (gdk_pixbuf_get_height (output), ==, expect_height);

  source = fy_test_load_image (input, NULL);
  psnr = psnr_against_box_filter (source, output);
  g_test_message ("%s → %d×%d: PSNR %.1f dB", base, expect_width, expect_height, psnr);
  g_assert_cmpfloat (psnr, >=, 25.0);
}

static void
test_resize_good (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *aspect_out = g_build_filename (dir, "aspect", NULL);
  g_autofree char *jpeg = g_build_filename (dir, "photo.jpg", NULL);
  g_autofree char *png = g_build_filename (dir, "picture.png", NULL);
  g_autoptr(GdkPixbuf) photo = make_picture (1600, 1200, FALSE);
  g_autoptr(GdkPixbuf) picture = make_picture (640, 480, TRUE);
  g_autofree char *wide = g_build_filename (dir, "wide.jpg", NULL);
  g_autoptr(GdkPixbuf) wide_photo = make_picture (1920, 1080, FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (aspect_out, 0755), ==, 0);
  g_assert_true (gdk_pixbuf_save (photo, jpeg, "jpeg", &error, "quality", "92", NULL));
  g_assert_true (gdk_pixbuf_save (picture, png, "png", &error, NULL));

  check_resized (jpeg, out, 300, 300, FALSE, 300, 300, "jpeg");
  /* 1080 / 4 = 270 rows: decoded a little short of 300, then scaled up. */
  g_assert_true (gdk_pixbuf_save (wide_photo, wide, "jpeg", &error, NULL));
  check_resized (wide, out, 300, 300, FALSE, 300, 300, "jpeg");
  check_resized (png, out, 300, 300, FALSE, 300, 300, "png");
  check_resized (jpeg, aspect_out, 300, 300, TRUE, 300, 225, "jpeg");
  check_resized (png, aspect_out, 200, 400, TRUE, 200, 150, "png");
}

static guint32
crc32_of (const guchar *data,
          gsize         len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
    }
  return ~crc;
}

static void
append_chunk (GByteArray   *png,
              const char   *type,
              const guchar *data,
              guint32       len)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  guint32 be_len = GUINT32_TO_BE (len);
  guint32 crc;

  g_byte_array_append (body, (const guchar *) type, 4);
  if (len > 0)
    g_byte_array_append (body, data, len);
  crc = GUINT32_TO_BE (crc32_of (body->data, body->len));
  g_byte_array_append (png, (const guchar *) &be_len, 4);
  g_byte_array_append (png, body->data, body->len);
  g_byte_array_append (png, (const guchar *) &crc, 4);
}

/* A valid PNG header claiming 100000×100000 RGB pixels (30 GB decoded),
 * followed by a few bytes of data: the classic decompression bomb. */
static void
write_pixel_bomb (const char *path)
{
  static const guchar signature[8] = { 137, 'P', 'N', 'G', '\r', '\n', 26, '\n' };
  static const guchar idat[] = { 0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 };
  g_autoptr(GByteArray) png = g_byte_array_new ();
  guchar ihdr[13] = { 0 };
  guint32 side = GUINT32_TO_BE (100000);

  memcpy (ihdr, &side, 4);
  memcpy (ihdr + 4, &side, 4);
  ihdr[8] = 8;  /* bit depth */
  ihdr[9] = 2;  /* RGB */
  g_byte_array_append (png, signature, sizeof signature);
  append_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_chunk (png, "IDAT", idat, sizeof idat);
  append_chunk (png, "IEND", NULL, 0);
  g_assert_true (g_file_set_contents (path, (const char *) png->data, png->len, NULL));
}

static void
assert_resize_fails (const char *input,
                     const char *out_dir,
                     int         code,
                     const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = resize (input, out_dir, 300, 300, FALSE, &error);
  g_autofree char *base = g_path_get_basename (input);
  g_autofree char *out_path = g_build_filename (out_dir, base, NULL);

  if (result != NULL)
    g_error ("%s was resized, but it should have failed", base);
  if (code != FY_WORKLOAD_ERROR_INVALID_ARGUMENT)
    g_assert_false (g_file_test (out_path, G_FILE_TEST_EXISTS));
  g_assert_error (error, FY_WORKLOAD_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
  g_test_message ("%s: %s", base, error->message);
}

static void
test_resize_bad_inputs (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *good = g_build_filename (dir, "good.jpg", NULL);
  g_autofree char *truncated = g_build_filename (dir, "truncated.jpg", NULL);
  g_autofree char *good_png = g_build_filename (dir, "good.png", NULL);
  g_autofree char *truncated_png = g_build_filename (dir, "truncated.png", NULL);
  g_autofree char *corrupt = g_build_filename (dir, "corrupt.jpg", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.png", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *bomb = g_build_filename (dir, "bomb.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.jpg", NULL);
  g_autofree char *flat_gif = g_build_filename (dir, "flat.gif", NULL);
  g_autofree char *empty_frame_gif = g_build_filename (dir, "empty-frame.gif", NULL);
  /* A 2 × 0 screen; and a 2 × 2 one whose second frame is 5 × 0, which
   * gdk-pixbuf's GIF loader met with a critical before failing. */
  static const guchar flat_gif_bytes[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255,
    0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 2, 0x44, 0x01, 0, ';',
  };
  static const guchar empty_frame_gif_bytes[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255,
    0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 2, 0x44, 0x01, 0,
    0x2c, 0, 0, 0, 0, 5, 0, 0, 0, 0, 2, 2, 0x44, 0x01, 0, ';',
  };
  g_autoptr(GdkPixbuf) photo = make_picture (800, 600, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *noise = g_malloc (20000);
  gsize len = 0;

  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  g_assert_true (gdk_pixbuf_save (photo, good, "jpeg", &error, NULL));
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, len / 3, NULL));
  g_clear_pointer (&contents, g_free);
  g_assert_true (gdk_pixbuf_save (photo, good_png, "png", &error, NULL));
  g_assert_true (g_file_get_contents (good_png, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (truncated_png, contents, len / 2, NULL));
  for (guint i = 0; i < 20000; i++)
    noise[i] = (char) g_test_rand_int_range (0, 256);
  /* A JPEG signature in front of noise: the decoder gets past sniffing. */
  memcpy (noise, "\xff\xd8\xff\xe0", 4);
  g_assert_true (g_file_set_contents (corrupt, noise, 20000, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (text, "just some words\n", -1, NULL));
  write_pixel_bomb (bomb);
  g_assert_true (g_file_set_contents (flat_gif, (const char *) flat_gif_bytes,
                                      sizeof flat_gif_bytes, NULL));
  g_assert_true (g_file_set_contents (empty_frame_gif, (const char *) empty_frame_gif_bytes,
                                      sizeof empty_frame_gif_bytes, NULL));

  assert_resize_fails (truncated, out, FY_WORKLOAD_ERROR_CORRUPT, NULL);
  assert_resize_fails (truncated_png, out, FY_WORKLOAD_ERROR_CORRUPT, NULL);
  assert_resize_fails (corrupt, out, FY_WORKLOAD_ERROR_CORRUPT, NULL);
  assert_resize_fails (empty, out, FY_WORKLOAD_ERROR_CORRUPT, "empty");
  assert_resize_fails (text, out, FY_WORKLOAD_ERROR_CORRUPT, "not an image");
  assert_resize_fails (bomb, out, FY_WORKLOAD_ERROR_TOO_LARGE, "100000×100000");
  assert_resize_fails (missing, out, FY_WORKLOAD_ERROR_IO, "No such file");
  assert_resize_fails (flat_gif, out, FY_WORKLOAD_ERROR_CORRUPT, "claims 2×0 pixels");
  assert_resize_fails (empty_frame_gif, out, FY_WORKLOAD_ERROR_CORRUPT, "frame 2 is 5×0 pixels");
  /* Writing over the input is refused, whatever the directory. */
  assert_resize_fails (good, dir, FY_WORKLOAD_ERROR_INVALID_ARGUMENT, "overwrite");
  /* The bomb fails as too large from its header alone: decoding its 30 GB
   * canvas would hit the worker's memory limit instead, or the test's
   * time limit. */

  /* And the good one still resizes after all that. */
  check_resized (good, out, 300, 300, FALSE, 300, 300, "jpeg");
}

static void
test_resize_bad_size (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = resize ("/nonexistent.png", "/tmp", 0, 10, FALSE, &error);

  g_assert_null (result);
  g_assert_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT);
}

/* ---- sandbox ------------------------------------------------------------ */

typedef struct
{
  const char *readable;
  const char *writable;
  const char *forbidden;
  gboolean    enforced;
  int         read_ok;
  int         write_ok;
  int         forbidden_read_errno;
  int         forbidden_write_errno;
} SandboxProbe;

static int
try_open (const char *dir,
          const char *name,
          int         flags)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd = open (path, flags | O_CLOEXEC, 0644);
  int saved_errno = errno;

  if (fd >= 0)
    {
      close (fd);
      return 0;
    }
  return saved_errno;
}

static gpointer
sandbox_thread (gpointer data)
{
  SandboxProbe *probe = data;
  const char *read_paths[] = { probe->readable, NULL };
  const char *write_dirs[] = { probe->writable, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (fy_sandbox_restrict_thread (read_paths, write_dirs, &probe->enforced, &error));
  g_assert_no_error (error);

  probe->read_ok = try_open (probe->readable, "file", O_RDONLY);
  probe->write_ok = try_open (probe->writable, "new", O_WRONLY | O_CREAT | O_TRUNC);
  probe->forbidden_read_errno = try_open (probe->forbidden, "file", O_RDONLY);
  probe->forbidden_write_errno = try_open (probe->readable, "new", O_WRONLY | O_CREAT);
  return NULL;
}

static void
test_sandbox_landlock (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *readable = g_build_filename (dir, "in", NULL);
  g_autofree char *writable = g_build_filename (dir, "out", NULL);
  g_autofree char *forbidden = g_build_filename (dir, "private", NULL);
  g_autofree char *in_file = g_build_filename (readable, "file", NULL);
  g_autofree char *private_file = g_build_filename (forbidden, "file", NULL);
  g_autoptr(GError) error = NULL;
  SandboxProbe probe = { readable, writable, forbidden };
  GThread *thread;

  if (fy_sandbox_get_landlock_abi () == 0)
    {
      g_test_skip ("the kernel has no Landlock");
      return;
    }

  g_assert_cmpint (g_mkdir (readable, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (writable, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (forbidden, 0755), ==, 0);
  g_assert_true (g_file_set_contents (in_file, "x", 1, NULL));
  g_assert_true (g_file_set_contents (private_file, "y", 1, NULL));

  /* Landlock needs no_new_privs; the rlimits here are generous. */
  g_assert_true (fy_sandbox_limit_process (0, 0, &error));
  g_assert_no_error (error);

  thread = g_thread_new ("sandboxed", sandbox_thread, &probe);
  g_thread_join (thread);

  g_assert_true (probe.enforced);
  g_assert_cmpint (probe.read_ok, ==, 0);
  g_assert_cmpint (probe.write_ok, ==, 0);
  g_assert_cmpint (probe.forbidden_read_errno, ==, EACCES);
  g_assert_cmpint (probe.forbidden_write_errno, ==, EACCES);

  /* Only that thread was confined: this one still reads everything. */
  g_assert_cmpint (try_open (forbidden, "file", O_RDONLY), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/workloads/hash/known-answers", test_hash_known_answers);
  g_test_add_func ("/workloads/hash/bad-inputs", test_hash_bad_inputs);
  g_test_add_func ("/workloads/hash/truncated", test_hash_truncated);
  g_test_add_func ("/workloads/hash/outcome", test_hash_outcome);
  g_test_add_data_func ("/workloads/hash/files-packed", "hash-files", test_hash_files_packed);
  g_test_add_data_func ("/workloads/hash/pairs-packed", "hash-pairs", test_hash_files_packed);
  g_test_add_data_func ("/workloads/hash/lanes-packed", "hash-lanes", test_hash_files_packed);
  g_test_add_func ("/workloads/hash/batch-matches", test_hash_batch_matches);
  g_test_add_func ("/workloads/hash/batch-matches-avx2", test_hash_batch_matches_avx2);
  g_test_add_func ("/workloads/hash/batch-matches-portable", test_hash_batch_matches_portable);
  g_test_add_func ("/workloads/hash/batch-bad-inputs", test_hash_batch_bad_inputs);
  g_test_add_func ("/workloads/hash/batch-truncated", test_hash_batch_truncated);
  g_test_add_func ("/workloads/resize/box-reducer", test_resample_box_reducer);
  g_test_add_func ("/workloads/resize/png-reduce", test_png_reduce_matches_gdk_pixbuf);
  g_test_add_func ("/workloads/resize/good", test_resize_good);
  g_test_add_func ("/workloads/resize/bad-inputs", test_resize_bad_inputs);
  g_test_add_func ("/workloads/resize/bad-size", test_resize_bad_size);
  g_test_add_func ("/workloads/sandbox/landlock", test_sandbox_landlock);

  return g_test_run ();
}
