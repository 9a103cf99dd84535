/* fy-hash-file.h: reading and digesting one file, for the hash workloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/stat.h>

#include <glib.h>

/* For SHA256_CTX: a .c file that calls OpenSSL's deprecated SHA256_*
 * functions defines OPENSSL_SUPPRESS_DEPRECATED before any include. */
#include <openssl/sha.h>

#include "fy-sha256.h"

G_BEGIN_DECLS

/* Files from this size on are checked for holes. */
#define FY_HASH_SPARSE_MIN_SIZE (16 * 1024 * 1024)

/* What every file hashed in a thread reuses (a digest context, the
 * directory of the last file, a read buffer). */
typedef struct _FyHashScratch FyHashScratch;

/* A large file with far fewer blocks than its size: it has holes. */
gboolean       fy_hash_looks_sparse  (const struct stat  *st);
/* The calling thread's scratch, or NULL with @error. */
FyHashScratch *fy_hash_scratch_begin (GError            **error);
/* Opens @path for reading as fy_file_open_regular () does, relative to the
 * scratch's directory when it is the same as the last file's. */
int            fy_hash_open          (FyHashScratch      *scratch,
                                      const char         *path,
                                      struct stat        *out_stat,
                                      GError            **error);
/* The open regular file @fd (@st its fstat) through OpenSSL, to its end;
 * @fd stays open. */
gboolean       fy_hash_fd            (int                 fd,
                                      const struct stat  *st,
                                      guint8              out_digest[FY_SHA256_DIGEST_SIZE],
                                      GError            **error);
/* One file through OpenSSL: its digest, or FALSE with @error. */
gboolean       fy_hash_file_raw      (const char         *path,
                                      guint8              out_digest[FY_SHA256_DIGEST_SIZE],
                                      GError            **error);
/* The same as lowercase hex. */
gboolean       fy_hash_file_evp      (const char         *path,
                                      char                text[2 * FY_SHA256_DIGEST_SIZE + 1],
                                      GError            **error);
/* For the digests that take whole blocks: [*start, *end) of @buffer (@size
 * bytes) holds bytes of @fd read but not digested. Once less than a block
 * is left, moves it to the front and reads until the buffer is full or the
 * file ends; a short read that brings *total to @file_size (fstat's) is
 * the end without the read that returns 0. FALSE with @error on a read
 * error. */
gboolean       fy_hash_refill        (int                 fd,
                                      guint64             file_size,
                                      guint8             *buffer,
                                      gsize               size,
                                      gsize              *start,
                                      gsize              *end,
                                      guint64            *total,
                                      gboolean           *eof,
                                      GError            **error);

/* Digests the rest of a file alone through @ctx: the bytes in
 * [*start, *end) of @buffer, then the file, read into @buffer, to its
 * end; for a file of the lanes or the pairs that ends alone. FALSE with
 * @error when a read failed or the file was cut short while it was read. */
gboolean       fy_hash_finish_alone  (SHA256_CTX         *ctx,
                                      int                 fd,
                                      const struct stat  *st,
                                      guint8             *buffer,
                                      gsize               size,
                                      gsize              *start,
                                      gsize              *end,
                                      guint64            *total,
                                      gboolean           *eof,
                                      GError            **error);

/* @ctx set to go on, through OpenSSL's single stream, from a digest's
 * eight state words after @hashed bytes (whole blocks): for a file of the
 * lanes or the pairs that ends alone. */
void           fy_hash_resume        (SHA256_CTX         *ctx,
                                      const guint32       state[8],
                                      guint64             hashed);
/* What hash-files, hash-pairs and hash-lanes give back, filled file by
 * file: the task's paths, a digest and a time for each file, the reason
 * of each that failed, and the files handed back unread because they
 * were large (the caller found no size for them before; it hands them
 * out again, largest first). */
typedef struct
{
  guint64         defer_from; /* files of this size or more are handed back; 0: none */
  const char    **paths;
  guint           n_paths;
  guint8         *digests;    /* 32 bytes per file, zeros where one failed */
  guint32        *micros;
  GVariantBuilder failures;   /* a(us) */
  GVariantBuilder deferred;   /* a(ut): index and size */
} FyHashOutcomes;

/* The size to hand back from and the paths of @argument ("(taay)"), no
 * outcome yet. */
void           fy_hash_outcomes_init   (FyHashOutcomes     *self,
                                        GVariant           *argument);
/* Where file @index's digest goes. */
guint8        *fy_hash_outcomes_digest (FyHashOutcomes     *self,
                                        guint               index);
/* File @index ended: it took from @began (monotonic time) until now, and
 * failed with @error unless that is NULL. */
void           fy_hash_outcomes_done   (FyHashOutcomes     *self,
                                        guint               index,
                                        gint64              began,
                                        const GError       *error);
/* Opens file @index for reading, relative to @scratch's directory; -1
 * when it failed or was handed back, which is recorded. */
int            fy_hash_outcomes_open   (FyHashOutcomes     *self,
                                        FyHashScratch      *scratch,
                                        guint               index,
                                        gint64              began,
                                        struct stat        *out_stat);
/* The packed result, (ayaua(us)a(ut)); frees what init took. */
GVariant      *fy_hash_outcomes_end    (FyHashOutcomes     *self);

G_END_DECLS
