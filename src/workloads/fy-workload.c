/* fy-workload.c: the registry of workloads and their context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-workload.h"

struct _FyWorkloadContext
{
  int   *fds;
  guint  n_fds;
};

static const FyWorkloadInfo *const groups[] = {
  fy_workloads_compute,
  fy_workloads_files,
  fy_workloads_images,
  fy_workloads_load,
  fy_workloads_examples,
  fy_workloads_pool,
  fy_workloads_ipc,
  fy_workloads_scenarios,
};

const FyWorkloadInfo *
fy_workload_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (const FyWorkloadInfo *info = groups[g]; info->name != NULL; info++)
      if (g_str_equal (info->name, name))
        return info;

  return NULL;
}

static gboolean
is_number_type (const char *type)
{
  return g_str_equal (type, "x") || g_str_equal (type, "d");
}

gboolean
fy_workload_takes_numbers (const FyWorkloadInfo *info,
                           const char           *element_type)
{
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (element_type != NULL, FALSE);

  return info->number_func != NULL && is_number_type (info->argument_type)
         && is_number_type (info->result_type) && g_str_equal (element_type, info->argument_type);
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  const FyWorkloadInfo *const *ia = a;
  const FyWorkloadInfo *const *ib = b;

  return g_strcmp0 ((*ia)->name, (*ib)->name);
}

GPtrArray *
fy_workload_list_all (void)
{
  GPtrArray *all = g_ptr_array_new ();

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (const FyWorkloadInfo *info = groups[g]; info->name != NULL; info++)
      g_ptr_array_add (all, (gpointer) info);

  g_ptr_array_sort (all, compare_by_name);
  return all;
}

FyWorkloadContext *
fy_workload_context_new (const int *fds,
                         guint      n_fds)
{
  FyWorkloadContext *context = g_new0 (FyWorkloadContext, 1);

  context->fds = n_fds > 0 ? g_memdup2 (fds, sizeof (int) * n_fds) : NULL;
  context->n_fds = n_fds;
  return context;
}

void
fy_workload_context_free (FyWorkloadContext *context)
{
  if (context == NULL)
    return;
  g_free (context->fds);
  g_free (context);
}

guint
fy_workload_context_get_n_fds (FyWorkloadContext *context)
{
  g_return_val_if_fail (context != NULL, 0);
  return context->n_fds;
}

int
fy_workload_context_get_fd (FyWorkloadContext *context,
                            guint              index)
{
  g_return_val_if_fail (context != NULL, -1);
  g_return_val_if_fail (index < context->n_fds, -1);
  return context->fds[index];
}
