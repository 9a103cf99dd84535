/* fy-workloads-files.c: hash, hash-outcome, hash-files, hash-pairs,
 * hash-lanes and hash-batch, the workloads that digest files (hash-pairs
 * and hash-lanes in files of their own)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All take paths as bytestrings ("ay"): Linux file names are bytes, not
 * necessarily UTF-8, and a GVariant string must be UTF-8. Messages name the
 * reason only; the caller shows them beside the input they belong to.
 */

#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include "fy-hash-file.h"
#include "fy-sha256.h"
#include "fy-workload.h"
#include "fy-workloads-hash-lanes.h"
#include "fy-workloads-hash-pairs.h"

static GVariant *
fy_workload_hash (GVariant           *argument,
                  FyWorkloadContext  *context,
                  GError            **error)
{
  char text[2 * FY_SHA256_DIGEST_SIZE + 1];

  if (!fy_hash_file_evp (g_variant_get_bytestring (argument), text, error))
    return NULL;
  return g_variant_new_string (text);
}

/* The same digest, its failure given as a value: in a map chunk a
 * workload's error would end the chunk, and one unreadable file must not
 * fail the files after it. */
static GVariant *
fy_workload_hash_outcome (GVariant           *argument,
                          FyWorkloadContext  *context,
                          GError            **error)
{
  char text[2 * FY_SHA256_DIGEST_SIZE + 1];
  g_autoptr(GError) failure = NULL;

  if (!fy_hash_file_evp (g_variant_get_bytestring (argument), text, &failure))
    return g_variant_new ("(bs)", FALSE, failure->message);
  return g_variant_new ("(bs)", TRUE, text);
}

/* Many files in one message each way: paths in, and out one packed array
 * of digests (32 bytes per file, zeros for a file that failed), the
 * microseconds each file took, and the reason of each failure beside its
 * index. In a tree of small files one value made and read per file, on
 * both sides of the pipe, cost more than the digest of the file itself.
 * Each file still succeeds or fails on its own. */
static GVariant *
fy_workload_hash_files (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  FyHashScratch *scratch = fy_hash_scratch_begin (error);
  FyHashOutcomes out;

  if (scratch == NULL)
    return NULL;
  fy_hash_outcomes_init (&out, argument);
  for (guint i = 0; i < out.n_paths; i++)
    {
      g_autoptr(GError) failure = NULL;
      gint64 began = g_get_monotonic_time ();
      struct stat st;
      int fd = fy_hash_outcomes_open (&out, scratch, i, began, &st);

      if (fd < 0)
        continue;
      fy_hash_fd (fd, &st, fy_hash_outcomes_digest (&out, i), &failure);
      close (fd);
      fy_hash_outcomes_done (&out, i, began, failure);
    }
  return fy_hash_outcomes_end (&out);
}

/* hash-lanes where the CPU has the vector digest, hash-files's one stream
 * elsewhere. */
static GVariant *
lanes_or_files (GVariant           *argument,
                FyWorkloadContext  *context,
                GError            **error)
{
  if (!fy_sha256_x8_supported ())
    return fy_workload_hash_files (argument, context, error);
  return fy_workload_hash_lanes (argument, context, error);
}

/* hash-lanes's digests as one (ok, hex digest or reason) per file, for
 * tasks of a few files (--timeout, --chunksize) that are read one by
 * one. */
static GVariant *
fy_workload_hash_batch (GVariant           *argument,
                        FyWorkloadContext  *context,
                        GError            **error)
{
  g_autoptr(GVariant) files = g_variant_ref_sink (g_variant_new ("(t@aay)", (guint64) 0, argument));
  g_autoptr(GVariant) packed = lanes_or_files (files, context, error);
  g_autoptr(GVariantBuilder) builder = NULL;
  g_autoptr(GVariant) digests_value = NULL;
  g_autoptr(GVariant) failures = NULL;
  g_autofree const char **reasons = NULL;
  const guint8 *digests;
  gsize n_bytes;
  gsize n;

  if (packed == NULL)
    return NULL;
  g_variant_get_child (packed, 0, "@ay", &digests_value);
  g_variant_get_child (packed, 2, "@a(us)", &failures);
  digests = g_variant_get_fixed_array (digests_value, &n_bytes, 1);
  n = n_bytes / FY_SHA256_DIGEST_SIZE;
  reasons = g_new0 (const char *, MAX (n, 1));
  for (gsize f = 0; f < g_variant_n_children (failures); f++)
    {
      const char *reason;
      guint32 index;

      g_variant_get_child (failures, f, "(u&s)", &index, &reason);
      if (index < n)
        reasons[index] = reason;
    }

  builder = g_variant_builder_new (G_VARIANT_TYPE ("a(bs)"));
  for (gsize i = 0; i < n; i++)
    {
      char text[2 * FY_SHA256_DIGEST_SIZE + 1];

      if (reasons[i] != NULL)
        g_variant_builder_add (builder, "(bs)", FALSE, reasons[i]);
      else
        {
          fy_sha256_to_hex (digests + i * FY_SHA256_DIGEST_SIZE, text);
          g_variant_builder_add (builder, "(bs)", TRUE, text);
        }
    }
  return g_variant_builder_end (builder);
}

/* hash-pairs where the CPU has SHA-NI, hash-files's one stream
 * elsewhere: a chunk made for one machine's engine stays right on any. */
static GVariant *
hash_pairs_or_files (GVariant           *argument,
                     FyWorkloadContext  *context,
                     GError            **error)
{
  if (!fy_sha256_x2_supported ())
    return fy_workload_hash_files (argument, context, error);
  return fy_workload_hash_pairs (argument, context, error);
}

const FyWorkloadInfo fy_workloads_files[] = {
  { "hash", "ay", "s", fy_workload_hash,
    "SHA-256 of a file: path (ay) → lowercase hex digest (s)" },
  { "hash-outcome", "ay", "(bs)", fy_workload_hash_outcome,
    "SHA-256 of a file, for map chunks of many: path (ay) → (TRUE, hex digest) "
    "or (FALSE, reason) (bs)" },
  { "hash-files", "(taay)", "(ayaua(us)a(ut))", fy_workload_hash_files,
    "SHA-256 of many files one after another, packed: (size to hand back from, 0 "
    "for none (t); paths (aay)) → (digests, 32 bytes per file and zeros where one "
    "failed or was handed back (ay); microseconds per file (au); index and reason "
    "of each failure (a(us)); index and size of each file handed back unread "
    "(a(ut)))" },
  { "hash-pairs", "(taay)", "(ayaua(us)a(ut))", hash_pairs_or_files,
    "SHA-256 of many files, two at a time through interleaved SHA-NI, taken and "
    "packed as hash-files takes and packs them" },
  { "hash-lanes", "(taay)", "(ayaua(us)a(ut))", lanes_or_files,
    "SHA-256 of many files, eight at a time in the lanes of the vector unit, taken "
    "and packed as hash-files takes and packs them" },
  { "hash-batch", "aay", "a(bs)", fy_workload_hash_batch,
    "SHA-256 of several files through hash-lanes, one outcome each: "
    "paths (aay) → per file (TRUE, hex digest) or (FALSE, reason) (a(bs))" },
  { NULL },
};
