/* fy-result-json.c: one workload result as JSON, for every exporter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-result-json.h"

void
fy_result_json_add_path (JsonBuilder *builder,
                         const char  *path)
{
  g_autofree char *valid = g_utf8_make_valid (path, -1);

  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_add_string_value (builder, valid);
}

JsonNode *
fy_result_json_new_value (const char *workload,
                          const char *input,
                          GVariant   *result,
                          GPid        worker_pid,
                          double      seconds)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  JsonNode *node;

  g_return_val_if_fail (workload != NULL, NULL);
  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (result != NULL, NULL);

  if (g_str_equal (workload, "fib") || g_str_equal (workload, "sleep"))
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, g_str_equal (workload, "fib") ? g_variant_get_int64 (result)
                                                               : g_variant_get_uint32 (result));
      return node;
    }
  if (g_str_equal (workload, "sumsq"))
    {
      /* A string: the value is exact up to 128 bits, a JSON number is not. */
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, g_variant_get_string (result, NULL));
      return node;
    }

  json_builder_begin_object (builder);
  if (g_str_equal (workload, "load"))
    {
      double fraction, wall, cpu;
      int last_cpu;

      g_variant_get (result, "(dddi)", &fraction, &wall, &cpu, &last_cpu);
      json_builder_set_member_name (builder, "busy_fraction");
      json_builder_add_double_value (builder, fraction);
      json_builder_set_member_name (builder, "cpu_seconds");
      json_builder_add_double_value (builder, cpu);
      json_builder_set_member_name (builder, "wall_seconds");
      json_builder_add_double_value (builder, wall);
      json_builder_set_member_name (builder, "cpu");
      json_builder_add_int_value (builder, last_cpu);
    }
  else if (g_str_equal (workload, "hash"))
    {
      json_builder_set_member_name (builder, "path");
      fy_result_json_add_path (builder, input);
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, g_variant_get_string (result, NULL));
    }
  else
    {
      g_autofree char *out_path = NULL;
      int width, height;

      g_variant_get (result, "(^ayii)", &out_path, &width, &height);
      json_builder_set_member_name (builder, "input");
      fy_result_json_add_path (builder, input);
      json_builder_set_member_name (builder, "output");
      fy_result_json_add_path (builder, out_path);
      json_builder_set_member_name (builder, "width");
      json_builder_add_int_value (builder, width);
      json_builder_set_member_name (builder, "height");
      json_builder_add_int_value (builder, height);
    }
  json_builder_set_member_name (builder, "worker_pid");
  json_builder_add_int_value (builder, worker_pid);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, seconds);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
fy_result_json_new_failure (guint       index,
                            const char *input,
                            const char *error,
                            GPid        worker_pid,
                            int         worker_exitcode)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (error != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, index);
  json_builder_set_member_name (builder, "input");
  fy_result_json_add_path (builder, input);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, error);
  json_builder_set_member_name (builder, "worker_pid");
  json_builder_add_int_value (builder, worker_pid);
  if (worker_exitcode < 0)
    {
      json_builder_set_member_name (builder, "signal");
      json_builder_add_int_value (builder, -worker_exitcode);
    }
  else if (worker_exitcode > 0)
    {
      json_builder_set_member_name (builder, "exit_code");
      json_builder_add_int_value (builder, worker_exitcode);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
