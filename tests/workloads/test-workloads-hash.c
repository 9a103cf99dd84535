/* test-workloads-hash.c: the hash workloads, called directly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

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
static void
test_hash_known_answers (void)
{
  g_autofree char *dir = fy_test_make_tmp_dir ();
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
  g_autofree char *dir = fy_test_make_tmp_dir ();
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
  g_autofree char *dir = fy_test_make_tmp_dir ();
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
  g_autofree char *dir = fy_test_make_tmp_dir ();
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
/* hash-files, hash-pairs and hash-lanes: one packed result for many
 * files, each its own outcome: a digest where it could be read (the same
 * as hash's), zeros and a reason where not, in any order, a time for
 * every file, and the large files handed back unread when asked. */
static void
test_hash_files_packed (gconstpointer workload)
{
  g_autofree char *dir = fy_test_make_tmp_dir ();
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

  for (gsize i = 0; i < 700000; i++)
    lots[i] = (char) (i * 7 + (i >> 11));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (abc, "abc", 3, NULL));
  g_assert_true (g_file_set_contents (big, lots, 700000, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  /* Everything hashed; then files of 500 000 bytes or more handed back
   * unread with their size: the 700 000-byte one. */
  for (guint pass = 0; pass < 2; pass++)
    {
      guint64 defer_from = pass == 0 ? 0 : 500000;
      g_autoptr(GVariant) digests_value = NULL;
      g_autoptr(GVariant) micros_value = NULL;
      g_autoptr(GVariant) failures = NULL;
      g_autoptr(GVariant) deferred = NULL;
      g_autoptr(GVariant) result = NULL;
      g_autoptr(GError) error = NULL;
      const guint8 *digests;
      gsize n_bytes, n_micros;
      guint n_failed = 0;

      result = fy_test_run_workload (workload, g_variant_new ("(t^aay)", defer_from, paths), &error);
      g_assert_no_error (error);
      g_assert_true (g_variant_is_of_type (result, G_VARIANT_TYPE ("(ayaua(us)a(ut))")));
      g_variant_get (result, "(@ay@au@a(us)@a(ut))", &digests_value, &micros_value, &failures, &deferred);
      digests = g_variant_get_fixed_array (digests_value, &n_bytes, 1);
      g_variant_get_fixed_array (micros_value, &n_micros, sizeof (guint32));
      g_assert_cmpuint (n_bytes, ==, 8 * FY_SHA256_DIGEST_SIZE);
      g_assert_cmpuint (n_micros, ==, 8);

      for (guint i = 0; i < 8; i++)
        {
          const guint8 *digest = digests + i * FY_SHA256_DIGEST_SIZE;

          if (reasons[i] == NULL && !(pass == 1 && paths[i] == big))
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

      if (pass == 0)
        g_assert_cmpuint (g_variant_n_children (deferred), ==, 0);
      else
        {
          guint32 index;
          guint64 size;

          g_assert_cmpuint (g_variant_n_children (deferred), ==, 1);
          g_variant_get_child (deferred, 0, "(ut)", &index, &size);
          g_assert_cmpuint (index, ==, 4);
          g_assert_cmpuint (size, ==, 700000);
        }
    }
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

/* The workload the batch tests run: hash-batch, whose outcomes are
 * (ok, text) pairs, or hash-lanes, whose packed result is read into the
 * same form. */
static const char *batch_workload = "hash-batch";

/* Runs the batch workload on @paths; one outcome per path, in order. */
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

  if (g_str_equal (batch_workload, "hash-batch"))
    result = fy_test_run_workload (batch_workload, g_variant_new_bytestring_array (paths, n_paths), &error);
  else
    result = fy_test_run_workload (batch_workload,
                                   g_variant_new ("(t@aay)", (guint64) 0,
                                                  g_variant_new_bytestring_array (paths, n_paths)),
                                   &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  if (g_variant_is_of_type (result, G_VARIANT_TYPE ("(ayaua(us)a(ut))")))
    {
      g_autoptr(GVariant) digests_value = NULL;
      g_autoptr(GVariant) micros_value = NULL;
      g_autoptr(GVariant) failures = NULL;
      g_autoptr(GVariant) deferred = NULL;
      const guint8 *digests;
      gsize n_bytes, n_micros;

      g_variant_get (result, "(@ay@au@a(us)@a(ut))", &digests_value, &micros_value, &failures, &deferred);
      g_assert_cmpuint (g_variant_n_children (deferred), ==, 0);
      digests = g_variant_get_fixed_array (digests_value, &n_bytes, 1);
      g_variant_get_fixed_array (micros_value, &n_micros, sizeof (guint32));
      g_assert_cmpuint (n_bytes, ==, (gsize) n_paths * FY_SHA256_DIGEST_SIZE);
      g_assert_cmpuint (n_micros, ==, n_paths);
      for (guint i = 0; i < n_paths; i++)
        {
          outcome.ok = TRUE;
          outcome.text = g_malloc (2 * FY_SHA256_DIGEST_SIZE + 1);
          fy_sha256_to_hex (digests + (gsize) i * FY_SHA256_DIGEST_SIZE, outcome.text);
          g_array_append_val (outcomes, outcome);
        }
      for (gsize f = 0; f < g_variant_n_children (failures); f++)
        {
          BatchOutcome *o;
          const char *reason;
          guint32 index;

          g_variant_get_child (failures, f, "(u&s)", &index, &reason);
          g_assert_cmpuint (index, <, n_paths);
          o = &g_array_index (outcomes, BatchOutcome, index);
          g_assert_true (o->ok);
          o->ok = FALSE;
          g_free (o->text);
          o->text = g_strdup (reason);
        }
      return outcomes;
    }

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
  g_autofree char *dir = fy_test_make_tmp_dir ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (256);
  /* Around the block and buffer sizes (the padding's one block or two,
   * hash-lanes's 64 KiB, hash-batch's 128 KiB), then anything up to 3 MiB. */
  static const gsize fixed[] = { 0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300,
                                 128 * 1024 - 1, 128 * 1024, 128 * 1024 + 1, 256 * 1024 + 64,
                                 64 * 1024 - 56, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1,
                                 64 * 1024 + 55, 64 * 1024 + 56 };
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

  /* Every file in one task: with hash-lanes, each lane takes the next
   * file when its own ends. */
  {
    g_autoptr(GArray) outcomes = hash_batch ((const char *const *) paths->pdata, paths->len);

    for (guint i = 0; i < paths->len; i++)
      {
        BatchOutcome *o = &g_array_index (outcomes, BatchOutcome, i);

        g_assert_true (o->ok);
        g_assert_cmpstr (o->text, ==, g_ptr_array_index (digests, i));
      }
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
test_hash_batch_matches (gconstpointer workload)
{
  batch_workload = workload;
  check_batches_against_glib ();
}

static void
test_hash_batch_matches_avx2 (gconstpointer workload)
{
  /* Where the CPU has AVX-512VL, the AVX2 rounds still need a run. */
  batch_workload = workload;
  g_setenv ("FY_SHA256_NO_AVX512", "1", TRUE);
  check_batches_against_glib ();
  g_unsetenv ("FY_SHA256_NO_AVX512");
}

static void
test_hash_batch_matches_portable (gconstpointer workload)
{
  /* The same batches through OpenSSL, one file at a time. */
  batch_workload = workload;
  g_setenv ("FY_SHA256_PORTABLE", "1", TRUE);
  check_batches_against_glib ();
  g_unsetenv ("FY_SHA256_PORTABLE");
}

static void
test_hash_batch_bad_inputs (gconstpointer workload)
{
  g_autofree char *dir = fy_test_make_tmp_dir ();
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
  batch_workload = workload;
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
test_hash_batch_truncated (gconstpointer workload)
{
  g_autofree char *dir = fy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "shrinking", NULL);
  g_autofree char *steady = g_build_filename (dir, "steady", NULL);
  /* hash-batch: the shrinking file between two steady ones, in its lanes
   * or, 64 MiB of holes, through the hole-aware stream. hash-lanes: among
   * seven steady files, with eight lanes busy while it shrinks, and
   * 12 MiB, under the size that takes the hole-aware path. hash-pairs:
   * 12 MiB between two steady ones; a stream that ends early, cut or
   * not, goes on alone, where the cut must be found. */
  gboolean lanes = g_str_equal (workload, "hash-lanes");
  gboolean read_through = !g_str_equal (workload, "hash-batch");
  const char *three[] = { steady, path, steady };
  const char *eight[] = { steady, steady, steady, path, steady, steady, steady, steady };
  const char *const *batch = lanes ? eight : three;
  guint n_batch = lanes ? G_N_ELEMENTS (eight) : G_N_ELEMENTS (three);
  guint shrinking = lanes ? 3 : 1;
  off_t size = read_through ? 12 << 20 : 64 << 20;
  const char *whole = read_through ? "cfadd44a103cbd6d5726fa07b27d7aad2f67ed3930ff96901c486a5beaf7e723"
                                   : "3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351";
  gboolean seen_error = FALSE;
  int fd;

  batch_workload = workload;
  /* 8 MiB of zeros beside the shrinking file. */
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
      g_assert_cmpint (ftruncate (fd, size), ==, 0);
      close (fd);

      thread = g_thread_new ("truncate", truncate_thread, &job);
      g_atomic_int_set (&job.go, 1);
      outcomes = hash_batch (batch, n_batch);
      g_thread_join (thread);

      for (guint i = 0; i < n_batch; i++)
        {
          if (i == shrinking)
            continue;
          o = &g_array_index (outcomes, BatchOutcome, i);
          g_assert_true (o->ok);
          g_assert_cmpstr (o->text, ==, "2daeb1f36095b44b318410b3f4e8b5d989dcc7bb023d1426c492dab0a3053e74");
        }

      /* Cut short while read, or a correct digest of 4 KiB of zeros or
       * of the whole file, where the cut came before or after. */
      o = &g_array_index (outcomes, BatchOutcome, shrinking);
      if (!o->ok)
        {
          g_assert_nonnull (strstr (o->text, "truncated"));
          seen_error = TRUE;
        }
      else
        g_assert_true (g_str_equal (o->text, "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7") ||
                       g_str_equal (o->text, whole));
    }

  g_assert_true (seen_error);
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
  g_test_add_data_func ("/workloads/hash/pairs-truncated", "hash-pairs", test_hash_batch_truncated);
  /* The batch tests through the lockstep lanes of hash-batch and the
   * streaming lanes of hash-lanes. */
  for (guint i = 0; i < 2; i++)
    {
      const char *workload = i == 0 ? "hash-batch" : "hash-lanes";
      const char *name = i == 0 ? "batch" : "lanes";
      g_autofree char *matches = g_strdup_printf ("/workloads/hash/%s-matches", name);
      g_autofree char *avx2 = g_strdup_printf ("/workloads/hash/%s-matches-avx2", name);
      g_autofree char *portable = g_strdup_printf ("/workloads/hash/%s-matches-portable", name);
      g_autofree char *bad = g_strdup_printf ("/workloads/hash/%s-bad-inputs", name);
      g_autofree char *truncated = g_strdup_printf ("/workloads/hash/%s-truncated", name);

      g_test_add_data_func (matches, workload, test_hash_batch_matches);
      g_test_add_data_func (avx2, workload, test_hash_batch_matches_avx2);
      g_test_add_data_func (portable, workload, test_hash_batch_matches_portable);
      g_test_add_data_func (bad, workload, test_hash_batch_bad_inputs);
      g_test_add_data_func (truncated, workload, test_hash_batch_truncated);
    }

  return g_test_run ();
}
