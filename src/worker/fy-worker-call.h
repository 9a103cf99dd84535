/* fy-worker-call.h: running workloads inside a worker, one call or many
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/fy-channel.h"
#include "core/fy-pool-wire.h"
#include "workloads/fy-workload.h"

G_BEGIN_DECLS

/* FALSE with the reason when the function @name cannot take a @type. */
gboolean  fy_worker_check_call   (const FyWorkloadInfo  *info,
                                  const char            *name,
                                  const GVariantType    *type,
                                  GError               **error);
/* The workload's result, or NULL with its error (one is made up when it
 * gave none). */
GVariant *fy_worker_call         (const FyWorkloadInfo  *info,
                                  const char            *name,
                                  GVariant              *argument,
                                  FyWorkloadContext     *context,
                                  GError               **error);
/* Checks, then calls, with a context of its own. */
GVariant *fy_worker_run_function (const FyWorkloadInfo  *info,
                                  const char            *name,
                                  GVariant              *argument,
                                  GError               **error);

/* What running a map chunk needs of the worker around it. */
typedef struct
{
  FyChannel    *channel;
  FyPoolShared *shared;   /* NULL without the shared block */
  gboolean      gone;     /* set when a message could not be sent */
} FyWorkerLink;

/* Item @index (the worker's item @seq) of chunk @chunk_id is a map chunk
 * over @arguments: its "(xvau)" report, or NULL with the first error. */
GVariant *fy_worker_run_mapped   (FyWorkerLink          *link,
                                  const FyWorkloadInfo  *info,
                                  const char            *name,
                                  guint64                chunk_id,
                                  guint32                index,
                                  guint64                seq,
                                  GVariant              *arguments,
                                  GError               **error);

G_END_DECLS
