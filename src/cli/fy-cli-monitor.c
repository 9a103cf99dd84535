/* fy-cli-monitor.c: forkyard-cli monitor, per-core CPU like mpstat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, every interval, each core's busy, user and system percentages,
 * the total and the load average; with --json, one JSON object per line.
 * Busy follows the monitor's convention (user + nice + system; iowait is
 * idle), see fy-cpu-sampler.h.
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>

#include "fy-cli.h"
#include "fy-monitor.h"

typedef struct
{
  FyCpuSampler *sampler;
  GMainLoop    *loop;
  gboolean      json;
  int           count;       /* 0: until interrupted */
  int           printed;
  gboolean      interrupted;
} Monitor;

static void
add_fraction (JsonBuilder *builder,
              const char  *name,
              double       fraction)
{
  json_builder_set_member_name (builder, name);
  /* JSON has no NaN: a missing figure is null. */
  if (isnan (fraction))
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, round (fraction * 1000.0) / 10.0);
}

static void
add_load (JsonBuilder     *builder,
          const FyCpuLoad *load)
{
  add_fraction (builder, "busy", load->busy);
  add_fraction (builder, "user", load->user);
  add_fraction (builder, "system", load->system);
}

static void
print_json (Monitor *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  guint n_cpus = fy_cpu_sampler_get_n_cpus (self->sampler);
  double load[3];

  fy_cpu_sampler_get_load_average (self->sampler, load);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_double_value (builder, g_get_real_time () / (double) G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "interval_ms");
  json_builder_add_int_value (builder, fy_cpu_sampler_get_interval (self->sampler));

  json_builder_set_member_name (builder, "cpus");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_cpus; i++)
    {
      const FyCpuLoad *core = fy_cpu_sampler_get_core (self->sampler, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cpu");
      json_builder_add_int_value (builder, i);
      json_builder_set_member_name (builder, "online");
      json_builder_add_boolean_value (builder, core->online);
      add_load (builder, core);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "total");
  json_builder_begin_object (builder);
  add_load (builder, fy_cpu_sampler_get_total (self->sampler));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "load");
  json_builder_begin_array (builder);
  for (guint i = 0; i < 3; i++)
    json_builder_add_double_value (builder, load[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  printf ("%s\n", text);
}

static void
print_row (const char      *stamp,
           const char      *label,
           const FyCpuLoad *load)
{
  if (isnan (load->busy))
    printf ("%s  %4s  %7s  %7s  %7s\n", stamp, label, "-", "-", "-");
  else
    printf ("%s  %4s  %7.1f  %7.1f  %7.1f\n", stamp, label,
            100 * load->busy, 100 * load->user, 100 * load->system);
}

static void
print_text (Monitor *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
  guint n_cpus = fy_cpu_sampler_get_n_cpus (self->sampler);
  double load[3];

  fy_cpu_sampler_get_load_average (self->sampler, load);

  if (self->printed > 0)
    printf ("\n");
  printf ("%s  %4s  %7s  %7s  %7s\n", stamp, _("CPU"), _("%busy"), _("%user"), _("%sys"));
  print_row (stamp, _("all"), fy_cpu_sampler_get_total (self->sampler));
  for (guint i = 0; i < n_cpus; i++)
    {
      char label[16];

      g_snprintf (label, sizeof label, "%u", i);
      print_row (stamp, label, fy_cpu_sampler_get_core (self->sampler, i));
    }
  printf ("%s  %s %.2f %.2f %.2f\n", stamp, _("load average:"), load[0], load[1], load[2]);
}

static void
sampled_cb (FyCpuSampler *sampler,
            Monitor      *self)
{
  if (self->json)
    print_json (self);
  else
    print_text (self);
  fflush (stdout);

  self->printed++;
  if (self->count > 0 && self->printed >= self->count)
    g_main_loop_quit (self->loop);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  Monitor *self = user_data;

  self->interrupted = TRUE;
  g_main_loop_quit (self->loop);

  return G_SOURCE_CONTINUE;
}

int
fy_cli_monitor_main (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FyCpuSampler) sampler = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Monitor monitor = { 0, };
  int interval = FY_CPU_SAMPLER_DEFAULT_INTERVAL;
  int count = 0;
  gboolean json = FALSE;
  guint sigint_id, sigterm_id;
  const GOptionEntry entries[] = {
    { "interval", 'i', 0, G_OPTION_ARG_INT, &interval,
      N_("Milliseconds between reports, 250 to 10000 (default 1000)"), N_("MS") },
    { "count", 'c', 0, G_OPTION_ARG_INT, &count,
      N_("Stop after N reports (default: until interrupted)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("One JSON object per report and line"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Per-core CPU busy, user and system percentages, and the load\n"
                                  "average, every interval. Busy counts user + nice + system time;\n"
                                  "iowait counts as idle."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fy_cli_error ("monitor: %s", error->message);
      return FY_CLI_EXIT_USAGE;
    }
  if (argc > 1)
    {
      fy_cli_error (_("monitor: unexpected argument “%s”"), argv[1]);
      return FY_CLI_EXIT_USAGE;
    }
  if (interval < FY_CPU_SAMPLER_MIN_INTERVAL || interval > FY_CPU_SAMPLER_MAX_INTERVAL)
    {
      fy_cli_error (_("monitor: --interval %d is out of range %d–%d (milliseconds)"),
                    interval, FY_CPU_SAMPLER_MIN_INTERVAL, FY_CPU_SAMPLER_MAX_INTERVAL);
      return FY_CLI_EXIT_USAGE;
    }
  if (count < 0)
    {
      fy_cli_error (_("monitor: --count %d must not be negative (0 runs until interrupted)"), count);
      return FY_CLI_EXIT_USAGE;
    }

  sampler = g_object_new (FY_TYPE_CPU_SAMPLER,
                          "interval", interval,
                          "history-length", 1,
                          NULL);
  loop = g_main_loop_new (NULL, FALSE);

  monitor.sampler = sampler;
  monitor.loop = loop;
  monitor.json = json;
  monitor.count = count;
  g_signal_connect (sampler, "sampled", G_CALLBACK (sampled_cb), &monitor);

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, &monitor);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, &monitor);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  fy_cpu_sampler_set_paused (sampler, TRUE);

  return monitor.interrupted ? FY_CLI_EXIT_INTERRUPTED : FY_CLI_EXIT_OK;
}
