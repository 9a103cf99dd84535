/* fy-launch-inputs.h: a run's task arguments, built from the launch form's values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The form copies its values into an FyLaunchInputs on the main thread;
 * a thread then lists the input files (generating the sample data on first
 * use, which takes a while) and builds the GVariant array of arguments.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The workload combo row lists its choices in this order. */
typedef enum
{
  FY_WORKLOAD_FIB,
  FY_WORKLOAD_SUMSQ,
  FY_WORKLOAD_SLEEP,
  FY_WORKLOAD_HASH,
  FY_WORKLOAD_RESIZE,
  FY_WORKLOAD_LOAD,
} FyWorkloadKind;

typedef struct
{
  FyWorkloadKind  kind;
  gint64          n;
  guint           ms;
  guint           load_percent;
  guint           load_seconds;
  guint           tasks;
  char          **hash_files;     /* empty: the sample files */
  char           *resize_folder;  /* empty: the sample images */
  char           *output_folder;
  int             width;
  int             height;
  gboolean        keep_aspect;
  GVariant       *arguments;      /* set by the thread */
} FyLaunchInputs;

/* The registered task function of @kind: "fib", "sumsq", … */
const char *fy_workload_kind_function (FyWorkloadKind kind);

void        fy_launch_inputs_free     (FyLaunchInputs *inputs);

/* A GTaskThreadFunc: builds the task data's arguments, or returns the
 * error that stopped it (no sample data, an output folder not made). */
void        fy_launch_inputs_build_in_thread (GTask        *task,
                                              gpointer      source_object,
                                              gpointer      task_data,
                                              GCancellable *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FyLaunchInputs, fy_launch_inputs_free)

G_END_DECLS
