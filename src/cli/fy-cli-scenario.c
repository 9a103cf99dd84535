/* fy-cli-scenario.c: forkyard-cli scenario, the Playground without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * --list names every scenario with its one-line description; NAME runs
 * one, prints its output as the seed's program would, then its outcome and
 * whether it matched the expected one (exit 0 only then). With --json, one
 * JSON object: name, title, output lines, outcome, expected, matched and
 * the figures the scenario measured.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "workloads/fy-scenario.h"

#include "fy-cli.h"

typedef struct
{
  FyScenarioRun *run;
  GMainLoop     *loop;
  gboolean       json;
  GPtrArray     *lines;   /* kept for --json */
  gboolean       ran;
  GError        *error;
} ScenarioCli;

static void
drain (ScenarioCli *self)
{
  g_auto(GStrv) lines = fy_scenario_run_take_lines (self->run);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (self->json)
        g_ptr_array_add (self->lines, g_strdup (lines[i]));
      else
        printf ("%s\n", lines[i]);
    }
  fflush (stdout);
}

static gboolean
drain_cb (gpointer data)
{
  drain (data);
  return G_SOURCE_CONTINUE;
}

static void
executed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ScenarioCli *self = user_data;

  self->ran = fy_scenario_run_execute_finish (self->run, result, &self->error);
  g_main_loop_quit (self->loop);
}

static void
print_list (void)
{
  const FyScenarioInfo *all;
  guint n;

  all = fy_scenario_get_all (&n);
  for (guint i = 0; i < n; i++)
    printf ("%-24s %s\n", all[i].name, _(all[i].summary));
}

static void
print_json (ScenarioCli *self)
{
  const FyScenarioInfo *info = fy_scenario_run_get_info (self->run);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GVariant) details = fy_scenario_run_get_details (self->run);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, info->name);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, _(info->title));
  json_builder_set_member_name (builder, "output");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->lines->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (self->lines, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "expected");
  json_builder_add_string_value (builder, _(info->expected));
  json_builder_set_member_name (builder, "outcome");
  if (self->ran)
    json_builder_add_string_value (builder, fy_scenario_run_get_outcome (self->run));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "error");
  if (self->error != NULL)
    json_builder_add_string_value (builder, self->error->message);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "matched");
  json_builder_add_boolean_value (builder, self->ran && fy_scenario_run_get_matched (self->run));
  json_builder_set_member_name (builder, "details");
  json_builder_add_value (builder, json_gvariant_serialize (details));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

int
fy_cli_scenario_main (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FyScenarioRun) run = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  const FyScenarioInfo *info;
  gboolean list = FALSE, json = FALSE;
  ScenarioCli self = { 0 };
  guint drain_id;
  int status;
  const GOptionEntry entries[] = {
    { "list", 'l', 0, G_OPTION_ARG_NONE, &list,
      N_("List the scenarios with a line about each"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the output, outcome and figures as one JSON object"), NULL },
    { NULL },
  };

  context = g_option_context_new (_("[NAME]"));
  g_option_context_set_summary (context,
                                _("Runs one of the classic multiprocessing examples on worker\n"
                                  "processes, prints its output as the example does, then its\n"
                                  "outcome and whether it matched the expected one."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fy_cli_error ("scenario: %s", error->message);
      return FY_CLI_EXIT_USAGE;
    }

  if (list)
    {
      if (argc > 1)
        {
          fy_cli_error (_("scenario: --list takes no name"));
          return FY_CLI_EXIT_USAGE;
        }
      print_list ();
      return FY_CLI_EXIT_OK;
    }
  if (argc != 2)
    {
      fy_cli_error (_("scenario: give one scenario name, or --list"));
      return FY_CLI_EXIT_USAGE;
    }
  info = fy_scenario_lookup (argv[1]);
  if (info == NULL)
    {
      fy_cli_error (_("scenario: no scenario “%s”; --list shows them"), argv[1]);
      return FY_CLI_EXIT_USAGE;
    }

  run = fy_scenario_run_new (info, FALSE, &error);
  if (run == NULL)
    {
      fy_cli_error ("scenario: %s", error->message);
      return FY_CLI_EXIT_FAILED;
    }

  /* The scenario runs on a thread of its own; this one prints its lines
   * as they come, so a daemon's chatter shows while it lives. */
  loop = g_main_loop_new (NULL, FALSE);
  self.run = run;
  self.loop = loop;
  self.json = json;
  self.lines = lines;
  drain_id = g_timeout_add (20, drain_cb, &self);
  fy_scenario_run_execute_async (run, NULL, executed_cb, &self);
  g_main_loop_run (loop);
  g_source_remove (drain_id);
  drain (&self);

  if (json)
    print_json (&self);
  else if (self.ran)
    {
      gboolean matched = fy_scenario_run_get_matched (run);

      printf ("%s %s\n", _("Outcome:"), fy_scenario_run_get_outcome (run));
      printf ("%s %s\n", _("Expected:"), _(info->expected));
      printf ("%s\n", matched ? _("Matched: yes") : _("Matched: no"));
    }
  if (self.error != NULL)
    fy_cli_error ("scenario %s: %s", info->name, self.error->message);

  status = self.ran && fy_scenario_run_get_matched (run) ? FY_CLI_EXIT_OK : FY_CLI_EXIT_FAILED;
  g_clear_error (&self.error);
  return status;
}
