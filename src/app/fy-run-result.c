/* fy-run-result.c: one finished task of a run, as the results list shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The texts are made once, at construction: a results list of thousands of
 * rows binds them over and over, and a result never changes.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fy-run-result.h"

struct _FyRunResult
{
  GObject        parent_instance;

  guint          index;
  char          *function;
  GVariant      *argument;
  GVariant      *result;
  FyFutureState  state;
  GPid           worker_pid;
  int            worker_exitcode;
  double         duration;

  char          *input_text;
  char          *result_text;
  char          *error_text;
  char          *output_path;
};

G_DEFINE_FINAL_TYPE (FyRunResult, fy_run_result, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_FUNCTION,
  PROP_ARGUMENT,
  PROP_INPUT_TEXT,
  PROP_STATE,
  PROP_FAILED,
  PROP_RESULT,
  PROP_RESULT_TEXT,
  PROP_ERROR_TEXT,
  PROP_OUTPUT_PATH,
  PROP_WORKER_PID,
  PROP_DURATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The file a hash or resize input names, or NULL for the numeric ones. */
static const char *
argument_path (GVariant *argument)
{
  if (argument == NULL)
    return NULL;
  if (g_variant_is_of_type (argument, G_VARIANT_TYPE_BYTESTRING))
    return g_variant_get_bytestring (argument);
  if (g_variant_is_of_type (argument, G_VARIANT_TYPE ("(ayayiib)")))
    {
      g_autoptr(GVariant) path = g_variant_get_child_value (argument, 0);

      /* The child shares the parent's data, which outlives this call. */
      return g_variant_get_bytestring (path);
    }
  return NULL;
}

static char *
format_input (GVariant *argument)
{
  const char *path = argument_path (argument);

  if (path != NULL)
    return g_strdup (path);
  if (argument == NULL)
    return g_strdup ("");
  if (g_variant_is_of_type (argument, G_VARIANT_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (argument));
  if (g_variant_is_of_type (argument, G_VARIANT_TYPE_UINT32))
    return g_strdup_printf ("%u", g_variant_get_uint32 (argument));
  if (g_variant_is_of_type (argument, G_VARIANT_TYPE ("(dux)")))
    {
      double percent;
      guint32 period_ms;
      gint64 deadline;

      g_variant_get (argument, "(dux)", &percent, &period_ms, &deadline);
      /* TRANSLATORS: the input of a CPU load task: its busy share */
      return g_strdup_printf (_("%.0f %% load"), percent);
    }
  return g_variant_print (argument, FALSE);
}

/* sha256sum's line, as forkyard-cli hash prints it: a name holding a
 * backslash or a newline gets a leading backslash and both escaped. */
static char *
format_hash_line (const char *digest,
                  const char *path)
{
  gboolean escape = strchr (path, '\\') != NULL || strchr (path, '\n') != NULL;
  GString *line = g_string_new (NULL);

  if (escape)
    g_string_append_c (line, '\\');
  g_string_append (line, digest);
  g_string_append (line, "  ");
  for (const char *p = path; *p != '\0'; p++)
    {
      if (escape && *p == '\\')
        g_string_append (line, "\\\\");
      else if (escape && *p == '\n')
        g_string_append (line, "\\n");
      else
        g_string_append_c (line, *p);
    }
  return g_string_free (line, FALSE);
}

static void
format_result (FyRunResult *self)
{
  GVariant *result = self->result;

  if (g_variant_is_of_type (result, G_VARIANT_TYPE ("(ayii)")))
    {
      g_autofree char *out_path = NULL;
      g_autofree char *size = NULL;
      GStatBuf st;
      int width, height;

      g_variant_get (result, "(^ayii)", &out_path, &width, &height);
      if (g_stat (out_path, &st) == 0)
        size = g_format_size (st.st_size);
      /* TRANSLATORS: a thumbnail written by resize: its path, width × height
       * in pixels and file size, e.g. "out/x.jpg, 300×200, 12.3 kB" */
      self->result_text = size != NULL
        ? g_strdup_printf (_("%s, %d×%d, %s"), out_path, width, height, size)
        : g_strdup_printf (_("%s, %d×%d"), out_path, width, height);
      self->output_path = g_steal_pointer (&out_path);
    }
  else if (g_variant_is_of_type (result, G_VARIANT_TYPE ("(dddi)")))
    {
      double busy, wall_seconds, cpu_seconds;
      int cpu;

      g_variant_get (result, "(dddi)", &busy, &wall_seconds, &cpu_seconds, &cpu);
      /* TRANSLATORS: a CPU load task's result: the share of its time it
       * really was on a CPU, over how long, and the CPU it last ran on,
       * e.g. "49.8 % busy for 10.0 s, last on CPU 1" */
      self->result_text = g_strdup_printf (_("%.1f %% busy for %.1f s, last on CPU %d"),
                                           busy * 100.0, wall_seconds, cpu);
    }
  else if (g_variant_is_of_type (result, G_VARIANT_TYPE_STRING) &&
           g_strcmp0 (self->function, "hash") == 0 &&
           argument_path (self->argument) != NULL)
    self->result_text = format_hash_line (g_variant_get_string (result, NULL),
                                          argument_path (self->argument));
  else if (g_variant_is_of_type (result, G_VARIANT_TYPE_STRING))
    self->result_text = g_variant_dup_string (result, NULL);
  else if (g_variant_is_of_type (result, G_VARIANT_TYPE_INT64))
    self->result_text = g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (result));
  else if (g_variant_is_of_type (result, G_VARIANT_TYPE_UINT32))
    self->result_text = g_strdup_printf ("%u", g_variant_get_uint32 (result));
  else
    self->result_text = g_variant_print (result, FALSE);
}

static void
format_error (FyRunResult  *self,
              const GError *error)
{
  const char *path = argument_path (self->argument);
  const char *message = error != NULL ? error->message : NULL;

  if (message == NULL)
    message = self->state == FY_FUTURE_STATE_CANCELLED ? _("Cancelled") : _("No result");

  /* As forkyard-cli's "INPUT: reason": a failure says which file it was
   * about, unless the workload's message does already. */
  if (path != NULL && strstr (message, path) == NULL)
    self->error_text = g_strdup_printf ("%s: %s", path, message);
  else
    self->error_text = g_strdup (message);
}

static void
fy_run_result_finalize (GObject *object)
{
  FyRunResult *self = FY_RUN_RESULT (object);

  g_free (self->function);
  g_clear_pointer (&self->argument, g_variant_unref);
  g_clear_pointer (&self->result, g_variant_unref);
  g_free (self->input_text);
  g_free (self->result_text);
  g_free (self->error_text);
  g_free (self->output_path);

  G_OBJECT_CLASS (fy_run_result_parent_class)->finalize (object);
}

static void
fy_run_result_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FyRunResult *self = FY_RUN_RESULT (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      g_value_set_uint (value, self->index);
      break;
    case PROP_FUNCTION:
      g_value_set_string (value, self->function);
      break;
    case PROP_ARGUMENT:
      g_value_set_variant (value, self->argument);
      break;
    case PROP_INPUT_TEXT:
      g_value_set_string (value, self->input_text);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_FAILED:
      g_value_set_boolean (value, fy_run_result_get_failed (self));
      break;
    case PROP_RESULT:
      g_value_set_variant (value, self->result);
      break;
    case PROP_RESULT_TEXT:
      g_value_set_string (value, self->result_text);
      break;
    case PROP_ERROR_TEXT:
      g_value_set_string (value, self->error_text);
      break;
    case PROP_OUTPUT_PATH:
      g_value_set_string (value, self->output_path);
      break;
    case PROP_WORKER_PID:
      g_value_set_int (value, self->worker_pid);
      break;
    case PROP_DURATION:
      g_value_set_double (value, self->duration);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_run_result_class_init (FyRunResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = fy_run_result_finalize;
  object_class->get_property = fy_run_result_get_property;

  properties[PROP_INDEX] =
    g_param_spec_uint ("index", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_FUNCTION] =
    g_param_spec_string ("function", NULL, NULL, NULL, flags);
  properties[PROP_ARGUMENT] =
    g_param_spec_variant ("argument", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, flags);
  properties[PROP_INPUT_TEXT] =
    g_param_spec_string ("input-text", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, FY_TYPE_FUTURE_STATE, FY_FUTURE_STATE_PENDING, flags);
  properties[PROP_FAILED] =
    g_param_spec_boolean ("failed", NULL, NULL, FALSE, flags);
  properties[PROP_RESULT] =
    g_param_spec_variant ("result", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, flags);
  properties[PROP_RESULT_TEXT] =
    g_param_spec_string ("result-text", NULL, NULL, NULL, flags);
  properties[PROP_ERROR_TEXT] =
    g_param_spec_string ("error-text", NULL, NULL, NULL, flags);
  properties[PROP_OUTPUT_PATH] =
    g_param_spec_string ("output-path", NULL, NULL, NULL, flags);
  properties[PROP_WORKER_PID] =
    g_param_spec_int ("worker-pid", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_DURATION] =
    g_param_spec_double ("duration", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_run_result_init (FyRunResult *self)
{
}

FyRunResult *
fy_run_result_new (guint          index,
                   const char    *function,
                   GVariant      *argument,
                   GVariant      *result,
                   const GError  *error,
                   FyFutureState  state,
                   GPid           worker_pid,
                   gint64         started_at,
                   gint64         finished_at)
{
  FyRunResult *self;

  g_return_val_if_fail (function != NULL, NULL);

  self = g_object_new (FY_TYPE_RUN_RESULT, NULL);
  self->index = index;
  self->function = g_strdup (function);
  self->argument = argument ? g_variant_ref_sink (argument) : NULL;
  self->state = state;
  self->worker_pid = worker_pid;
  if (started_at > 0 && finished_at >= started_at)
    self->duration = (finished_at - started_at) / (double) G_USEC_PER_SEC;

  self->input_text = format_input (argument);
  if (state == FY_FUTURE_STATE_DONE && result != NULL)
    {
      self->result = g_variant_ref_sink (result);
      format_result (self);
    }
  else if (state == FY_FUTURE_STATE_FAILED || state == FY_FUTURE_STATE_CANCELLED)
    format_error (self, error);

  return self;
}

guint
fy_run_result_get_index (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), 0);
  return self->index;
}

const char *
fy_run_result_get_function (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), NULL);
  return self->function;
}

GVariant *
fy_run_result_get_argument (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), NULL);
  return self->argument;
}

const char *
fy_run_result_get_input_text (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), NULL);
  return self->input_text;
}

FyFutureState
fy_run_result_get_state (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), FY_FUTURE_STATE_PENDING);
  return self->state;
}

gboolean
fy_run_result_get_failed (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), FALSE);
  return self->state != FY_FUTURE_STATE_DONE;
}

GVariant *
fy_run_result_get_result (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), NULL);
  return self->result;
}

const char *
fy_run_result_get_result_text (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), NULL);
  return self->result_text;
}

const char *
fy_run_result_get_error_text (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), NULL);
  return self->error_text;
}

const char *
fy_run_result_get_output_path (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), NULL);
  return self->output_path;
}

GPid
fy_run_result_get_worker_pid (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), 0);
  return self->worker_pid;
}

double
fy_run_result_get_duration (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), 0);
  return self->duration;
}

void
fy_run_result_set_worker_exitcode (FyRunResult *self,
                                   int          exitcode)
{
  g_return_if_fail (FY_IS_RUN_RESULT (self));
  self->worker_exitcode = exitcode;
}

int
fy_run_result_get_worker_exitcode (FyRunResult *self)
{
  g_return_val_if_fail (FY_IS_RUN_RESULT (self), 0);
  return self->worker_exitcode;
}
