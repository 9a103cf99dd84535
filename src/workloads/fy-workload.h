/* fy-workload.h: the functions that run inside workers, by name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * C has no pickle: a task names a registered function and carries a GVariant
 * argument; the function returns a GVariant result or sets a GError. The
 * registry is compiled into forkyard-worker; the parent only uses it to check
 * names and argument types before it sends anything.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FyWorkloadContext FyWorkloadContext;

/* Runs in the worker. @argument matches the workload's argument_type.
 * Returns a new (or floating) GVariant, or %NULL with @error set. */
typedef GVariant *(*FyWorkloadFunc) (GVariant           *argument,
                                     FyWorkloadContext  *context,
                                     GError            **error);

/* One element of a packed "ax" or "ad" array. */
typedef union
{
  gint64 x;
  double d;
} FyWorkloadNumber;

/* The typed entry point of a workload whose argument and result are each
 * one 8-byte number: argument_type and result_type are "x" or "d" and say
 * which member is meant. A map chunk over a packed array calls it once per
 * element, reading the caller's array and writing the packed result array
 * in place, so neither side makes a GVariant per element (making and
 * freeing one costs several times what a tiny workload does). It must
 * compute exactly what func does, errors included. Returns FALSE with
 * @error set on failure. */
typedef gboolean (*FyWorkloadNumberFunc) (FyWorkloadNumber   argument,
                                          FyWorkloadNumber  *result,
                                          GError           **error);

typedef struct
{
  const char     *name;          /* "fib", "hash", "test.segv" … */
  const char     *argument_type; /* GVariant type string, e.g. "x" or "(ss)" */
  const char     *result_type;   /* GVariant type string of the result */
  FyWorkloadFunc  func;
  const char     *summary;       /* one untranslated line, for --help and logs */
  FyWorkloadNumberFunc number_func; /* or NULL: see FyWorkloadNumberFunc */
} FyWorkloadInfo;

/* Each group of workloads lives in its own source file and exports a table
 * ending with an all-zero entry; the registry walks every group. */
extern const FyWorkloadInfo fy_workloads_compute[];  /* fib, sumsq, sleep */
extern const FyWorkloadInfo fy_workloads_files[];    /* hash, hash-outcome, hash-batch */
extern const FyWorkloadInfo fy_workloads_images[];   /* resize */
extern const FyWorkloadInfo fy_workloads_load[];     /* load */
extern const FyWorkloadInfo fy_workloads_examples[]; /* square, add, crash and exit behaviours */
extern const FyWorkloadInfo fy_workloads_pool[];     /* bodies the pool's own tests and benchmarks use */
extern const FyWorkloadInfo fy_workloads_ipc[];      /* bodies that use queues, values, locks … */
extern const FyWorkloadInfo fy_workloads_scenarios[]; /* the child side of the Playground's scenarios */

const FyWorkloadInfo *fy_workload_lookup   (const char *name);
/* Whether @info's number_func may run over an array of @element_type. */
gboolean              fy_workload_takes_numbers (const FyWorkloadInfo *info,
                                                 const char           *element_type);
/* Every registered workload, sorted by name; free the array, not the items. */
GPtrArray            *fy_workload_list_all (void);

/* What a running workload may ask of the worker around it. */
FyWorkloadContext *fy_workload_context_new      (const int         *fds,
                                                 guint              n_fds);
void               fy_workload_context_free     (FyWorkloadContext *context);
/* File descriptors sent with the task (shared objects' memfds, pipe ends),
 * in the order the parent attached them. Borrowed: the worker closes them. */
guint              fy_workload_context_get_n_fds (FyWorkloadContext *context);
int                fy_workload_context_get_fd    (FyWorkloadContext *context,
                                                  guint              index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyWorkloadContext, fy_workload_context_free)

G_END_DECLS
