/* fy-cli-stress-json.c: the soak's books as one JSON object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "fy-cli-stress-private.h"

/* The books as one JSON object on one line: the last line of the run's
 * output, which tests and the soak's CI step read. */
void
fy_cli_stress_print_json (Stress *s,
                          guint   lost)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
#define INT_MEMBER(name, value) \
  json_builder_set_member_name (b, name); json_builder_add_int_value (b, value)
  INT_MEMBER ("tasks", s->tasks);
  INT_MEMBER ("done", s->done);
  INT_MEMBER ("failed", s->failed);
  INT_MEMBER ("cancelled", s->cancelled);
  INT_MEMBER ("lost", lost);
  INT_MEMBER ("duplicates", s->duplicates);
  INT_MEMBER ("wrong_results", s->wrong);
  INT_MEMBER ("failed_worker_died", s->failed_killed);
  INT_MEMBER ("failed_timed_out", s->failed_timeout);
  INT_MEMBER ("failed_other", s->failed_other);
  INT_MEMBER ("zombies", s->zombies);
  INT_MEMBER ("orphans", s->orphans);
  INT_MEMBER ("fd_start", s->fd_start);
  INT_MEMBER ("fd_end", s->fd_end);
  INT_MEMBER ("rss_ref_kb", s->rss_ref_kb);
  INT_MEMBER ("rss_end_kb", s->rss_end_kb);
  INT_MEMBER ("vm_rss_ref_kb", s->vm_rss_ref_kb);
  INT_MEMBER ("vm_rss_end_kb", s->vm_rss_end_kb);
  json_builder_set_member_name (b, "rss_growth_pct");
  json_builder_add_double_value (b, fy_cli_stress_rss_growth (s));
  json_builder_set_member_name (b, "rss_checked");
  json_builder_add_boolean_value (b, CHECKS_RSS);
  /* What GLib's slice allocator ran on: "always-malloc" unless the
   * caller set G_SLICE (fy_cli_stress_use_plain_malloc ()). */
  json_builder_set_member_name (b, "g_slice");
  json_builder_add_string_value (b, g_getenv ("G_SLICE"));
  INT_MEMBER ("kills", s->kills);
  INT_MEMBER ("stops", s->stops);
  INT_MEMBER ("cancels", s->cancels);
  INT_MEMBER ("timeouts", s->timeouts);
  INT_MEMBER ("scenario_kills", s->scenario_kills);
  INT_MEMBER ("queue_rounds", s->queue_rounds);
  INT_MEMBER ("queue_items", s->queue_items);
  INT_MEMBER ("lock_rounds", s->lock_rounds);
  INT_MEMBER ("workers", s->workers);
  INT_MEMBER ("pools", s->pools);
  INT_MEMBER ("seed", s->seed);
#undef INT_MEMBER
  json_builder_set_member_name (b, "duration");
  json_builder_add_double_value (b, (g_get_monotonic_time () - s->started_at) / (double) G_USEC_PER_SEC);
  json_builder_set_member_name (b, "interrupted");
  json_builder_add_boolean_value (b, s->interrupted);
  json_builder_set_member_name (b, "problems");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->problems->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (s->problems, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, s->problems->len == 0);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}
