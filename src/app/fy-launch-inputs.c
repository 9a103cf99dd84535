/* fy-launch-inputs.c: a run's task arguments, built from the launch form's values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Files are listed as forkyard-cli lists them (every regular file under a
 * folder, sorted), so the app and the CLI run the same tasks in the same
 * order for the same input.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "fy-launch-inputs.h"
#include "workloads/fy-sample-data.h"

/* A load task's period, as forkyard-cli load and stress-ng --cpu-load use. */
#define LOAD_PERIOD_MS 100

static const char *const workload_functions[] = { "fib", "sumsq", "sleep", "hash", "resize", "load" };

const char *
fy_workload_kind_function (FyWorkloadKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (workload_functions), NULL);
  return workload_functions[kind];
}

void
fy_launch_inputs_free (FyLaunchInputs *inputs)
{
  g_strfreev (inputs->hash_files);
  g_free (inputs->resize_folder);
  g_free (inputs->output_folder);
  g_clear_pointer (&inputs->arguments, g_variant_unref);
  g_free (inputs);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* Every regular file under @path, sorted, as forkyard-cli lists a folder. */
static void
collect_files (GPtrArray  *out,
               const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (out, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    collect_files (out, g_ptr_array_index (names, i));
}

void
fy_launch_inputs_build_in_thread (GTask        *task,
                                  gpointer      source_object,
                                  gpointer      task_data,
                                  GCancellable *cancellable)
{
  FyLaunchInputs *inputs = task_data;
  g_autoptr(GVariantBuilder) builder = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  switch (inputs->kind)
    {
    case FY_WORKLOAD_FIB:
    case FY_WORKLOAD_SUMSQ:
      builder = g_variant_builder_new (G_VARIANT_TYPE ("ax"));
      for (guint i = 0; i < inputs->tasks; i++)
        g_variant_builder_add (builder, "x", inputs->n);
      break;
    case FY_WORKLOAD_SLEEP:
      builder = g_variant_builder_new (G_VARIANT_TYPE ("au"));
      for (guint i = 0; i < inputs->tasks; i++)
        g_variant_builder_add (builder, "u", inputs->ms);
      break;
    case FY_WORKLOAD_LOAD:
      {
        /* One task per worker, all ending at one CLOCK_MONOTONIC moment, so
         * a task retried on a replacement keeps the load up to the same
         * end (fy-workloads-load.c). */
        gint64 deadline = g_get_monotonic_time () + (gint64) inputs->load_seconds * G_USEC_PER_SEC;

        builder = g_variant_builder_new (G_VARIANT_TYPE ("a(dux)"));
        for (guint i = 0; i < inputs->tasks; i++)
          g_variant_builder_add (builder, "(dux)", (double) inputs->load_percent,
                                 (guint32) LOAD_PERIOD_MS, deadline);
      }
      break;
    case FY_WORKLOAD_HASH:
    case FY_WORKLOAD_RESIZE:
      if (inputs->kind == FY_WORKLOAD_HASH && inputs->hash_files[0] != NULL)
        for (guint i = 0; inputs->hash_files[i] != NULL; i++)
          collect_files (files, inputs->hash_files[i]);
      else if (inputs->kind == FY_WORKLOAD_RESIZE && *inputs->resize_folder != '\0')
        collect_files (files, inputs->resize_folder);
      else
        {
          g_autoptr(GPtrArray) samples =
            fy_sample_data_list (inputs->kind == FY_WORKLOAD_HASH ? FY_SAMPLE_SET_FILES : FY_SAMPLE_SET_IMAGES,
                                 &error);

          if (samples == NULL)
            {
              g_task_return_error (task, error);
              return;
            }
          for (guint i = 0; i < samples->len; i++)
            g_ptr_array_add (files, g_strdup (g_ptr_array_index (samples, i)));
        }
      if (inputs->kind == FY_WORKLOAD_RESIZE &&
          g_mkdir_with_parents (inputs->output_folder, 0755) != 0)
        {
          int saved_errno = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   "%s: %s", inputs->output_folder, g_strerror (saved_errno));
          return;
        }
      builder = g_variant_builder_new (inputs->kind == FY_WORKLOAD_HASH ? G_VARIANT_TYPE ("aay")
                                                                     : G_VARIANT_TYPE ("a(ayayiib)"));
      for (guint i = 0; i < files->len; i++)
        {
          const char *path = g_ptr_array_index (files, i);

          if (inputs->kind == FY_WORKLOAD_HASH)
            g_variant_builder_add (builder, "^ay", path);
          else
            g_variant_builder_add (builder, "(^ay^ayiib)", path, inputs->output_folder,
                                   inputs->width, inputs->height, inputs->keep_aspect);
        }
      break;
    default:
      g_assert_not_reached ();
    }

  inputs->arguments = g_variant_ref_sink (g_variant_builder_end (builder));
  g_task_return_boolean (task, TRUE);
}
