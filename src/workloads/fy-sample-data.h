/* fy-sample-data.h: the built-in inputs of hash and resize
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With no inputs of their own, hash and resize work on sample sets that are
 * generated deterministically on first use (the same bytes on every machine)
 * into the user cache directory: forkyard/samples/v1/{files,images}. A set
 * is built in a temporary directory and renamed into place, so concurrent
 * first uses never see half of one.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FY_SAMPLE_SET_FILES,  /* 8 files of 32 MiB of pseudo-random bytes */
  FY_SAMPLE_SET_IMAGES, /* 24 photo-like 1920×1080 JPEGs and 4 PNGs */
} FySampleSet;

/* The set's directory, generating it first when missing. */
char      *fy_sample_data_ensure (FySampleSet   set,
                                  GError      **error);
/* The set's files (absolute paths, sorted), generating it when missing. */
GPtrArray *fy_sample_data_list   (FySampleSet   set,
                                  GError      **error);

G_END_DECLS
