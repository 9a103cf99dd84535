/* fy-cpu-sampler.c: per-core and total CPU busy fractions, on a timer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The busy convention is stated in fy-cpu-sampler.h.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "fy-cpu-sampler.h"
#include "fy-default-source.h"

struct _FyCpuSampler
{
  GObject           parent_instance;

  FySampleSource   *source;
  FyProcessSampler *processes;
  GMainContext     *context;
  GSource          *timer;

  guint             interval;
  guint             history_length;
  gboolean          paused;

  guint             n_cpus;
  FyCpuTicks       *prev;
  FyCpuTicks       *now;
  gboolean          have_prev;
  guint64           n_samples;

  FyCpuLoad        *cores;
  FyCpuLoad         total;
  double            load[3];

  GPtrArray        *core_histories;
  FyHistory        *total_history;
  FyHistory        *user_history;
  FyHistory        *system_history;
};

G_DEFINE_FINAL_TYPE (FyCpuSampler, fy_cpu_sampler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_INTERVAL,
  PROP_PAUSED,
  PROP_HISTORY_LENGTH,
  PROP_N_CPUS,
  N_PROPS
};

enum {
  SAMPLED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The ticks a counter moved by. A decrease is either a 32-bit counter that
 * wrapped (old kernels, or values below 2^32 that moved by a plausible
 * amount), a 64-bit one that wrapped, or a counter that went backwards
 * (iowait does on some kernels): the last counts as no progress rather
 * than an absurd interval. */
static guint64
counter_delta (guint64 now,
               guint64 prev)
{
  if (now >= prev)
    return now - prev;

  if (prev <= G_MAXUINT32)
    {
      guint32 wrapped = (guint32) now - (guint32) prev;

      return wrapped < G_MAXUINT32 / 2 ? wrapped : 0;
    }

  return now - prev < G_MAXUINT32 ? now - prev : 0;
}

static void
compute (FyCpuSampler *self)
{
  guint64 sum_total = 0;
  guint64 sum_user = 0;
  guint64 sum_sys = 0;

  for (guint i = 0; i < self->n_cpus; i++)
    {
      const FyCpuTicks *a = &self->prev[i];
      const FyCpuTicks *b = &self->now[i];
      FyCpuLoad *load = &self->cores[i];
      guint64 user, sys, total;

      load->online = b->online;
      load->busy = load->user = load->system = NAN;

      /* No figure for a core that is offline or just came online: its
       * counters may have restarted. */
      if (!b->online || !a->online)
        continue;

      user = counter_delta (b->user, a->user) + counter_delta (b->nice, a->nice);
      sys = counter_delta (b->sys, a->sys);
      total = user + sys
              + counter_delta (b->idle, a->idle)
              + counter_delta (b->iowait, a->iowait)
              + counter_delta (b->irq, a->irq)
              + counter_delta (b->softirq, a->softirq);
      if (total == 0)
        continue;

      load->user = (double) user / (double) total;
      load->system = (double) sys / (double) total;
      load->busy = (double) (user + sys) / (double) total;

      sum_user += user;
      sum_sys += sys;
      sum_total += total;
    }

  self->total.online = TRUE;
  if (sum_total > 0)
    {
      self->total.user = (double) sum_user / (double) sum_total;
      self->total.system = (double) sum_sys / (double) sum_total;
      self->total.busy = (double) (sum_user + sum_sys) / (double) sum_total;
    }
  else
    {
      self->total.busy = self->total.user = self->total.system = NAN;
    }

  for (guint i = 0; i < self->n_cpus; i++)
    fy_history_push (g_ptr_array_index (self->core_histories, i), self->cores[i].busy);
  fy_history_push (self->total_history, self->total.busy);
  fy_history_push (self->user_history, self->total.user);
  fy_history_push (self->system_history, self->total.system);
}

static gboolean
read_source (FyCpuSampler  *self,
             GError       **error)
{
  FyCpuTicks *swap;

  if (!fy_sample_source_read_cpus (self->source, self->now, self->n_cpus, self->load, error))
    return FALSE;

  if (self->have_prev)
    {
      compute (self);
      self->n_samples++;
    }

  swap = self->prev;
  self->prev = self->now;
  self->now = swap;

  return TRUE;
}

static gboolean
timer_cb (gpointer user_data)
{
  FyCpuSampler *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!fy_cpu_sampler_sample (self, &error) && error != NULL)
    g_debug ("Sampling the CPUs: %s", error->message);

  return G_SOURCE_CONTINUE;
}

static void
stop_timer (FyCpuSampler *self)
{
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

static void
start_timer (FyCpuSampler *self)
{
  stop_timer (self);

  self->timer = g_timeout_source_new (self->interval);
  g_source_set_static_name (self->timer, "[forkyard] cpu sampler");
  /* The source holds no reference: dispose destroys it first. */
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_attach (self->timer, self->context);
}

/* A fresh baseline, so the next tick covers exactly one interval. */
static void
take_baseline (FyCpuSampler *self)
{
  g_autoptr(GError) error = NULL;

  self->have_prev = FALSE;
  if (fy_sample_source_read_cpus (self->source, self->prev, self->n_cpus, self->load, &error))
    self->have_prev = TRUE;
  else
    g_debug ("Sampling the CPUs: %s", error->message);

  fy_process_sampler_update (self->processes);
}

static void
fy_cpu_sampler_constructed (GObject *object)
{
  FyCpuSampler *self = (FyCpuSampler *) object;

  G_OBJECT_CLASS (fy_cpu_sampler_parent_class)->constructed (object);

  if (self->source == NULL)
    self->source = fy_default_source_new ();

  self->processes = fy_process_sampler_new (self->source);
  self->n_cpus = fy_sample_source_get_n_cpus (self->source);
  self->prev = g_new0 (FyCpuTicks, self->n_cpus);
  self->now = g_new0 (FyCpuTicks, self->n_cpus);
  self->cores = g_new0 (FyCpuLoad, self->n_cpus);
  for (guint i = 0; i < self->n_cpus; i++)
    self->cores[i].busy = self->cores[i].user = self->cores[i].system = NAN;
  self->total.busy = self->total.user = self->total.system = NAN;

  self->core_histories = g_ptr_array_new_full (self->n_cpus, g_object_unref);
  for (guint i = 0; i < self->n_cpus; i++)
    g_ptr_array_add (self->core_histories, fy_history_new (self->history_length));
  self->total_history = fy_history_new (self->history_length);
  self->user_history = fy_history_new (self->history_length);
  self->system_history = fy_history_new (self->history_length);

  if (!self->paused)
    {
      take_baseline (self);
      start_timer (self);
    }
}

static void
fy_cpu_sampler_dispose (GObject *object)
{
  FyCpuSampler *self = (FyCpuSampler *) object;

  stop_timer (self);
  g_clear_object (&self->processes);
  g_clear_object (&self->source);
  g_clear_pointer (&self->core_histories, g_ptr_array_unref);
  g_clear_object (&self->total_history);
  g_clear_object (&self->user_history);
  g_clear_object (&self->system_history);

  G_OBJECT_CLASS (fy_cpu_sampler_parent_class)->dispose (object);
}

static void
fy_cpu_sampler_finalize (GObject *object)
{
  FyCpuSampler *self = (FyCpuSampler *) object;

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->prev, g_free);
  g_clear_pointer (&self->now, g_free);
  g_clear_pointer (&self->cores, g_free);

  G_OBJECT_CLASS (fy_cpu_sampler_parent_class)->finalize (object);
}

static void
fy_cpu_sampler_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FyCpuSampler *self = FY_CPU_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    case PROP_HISTORY_LENGTH:
      g_value_set_uint (value, self->history_length);
      break;
    case PROP_N_CPUS:
      g_value_set_uint (value, self->n_cpus);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_cpu_sampler_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FyCpuSampler *self = FY_CPU_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;
    case PROP_INTERVAL:
      fy_cpu_sampler_set_interval (self, g_value_get_uint (value));
      break;
    case PROP_PAUSED:
      fy_cpu_sampler_set_paused (self, g_value_get_boolean (value));
      break;
    case PROP_HISTORY_LENGTH:
      fy_cpu_sampler_set_history_length (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_cpu_sampler_class_init (FyCpuSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = fy_cpu_sampler_constructed;
  object_class->dispose = fy_cpu_sampler_dispose;
  object_class->finalize = fy_cpu_sampler_finalize;
  object_class->get_property = fy_cpu_sampler_get_property;
  object_class->set_property = fy_cpu_sampler_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL,
                         FY_TYPE_SAMPLE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL,
                       FY_CPU_SAMPLER_MIN_INTERVAL, FY_CPU_SAMPLER_MAX_INTERVAL,
                       FY_CPU_SAMPLER_DEFAULT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY_LENGTH] =
    g_param_spec_uint ("history-length", NULL, NULL,
                       1, FY_HISTORY_MAX_CAPACITY, FY_HISTORY_DEFAULT_CAPACITY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_CPUS] =
    g_param_spec_uint ("n-cpus", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted on every tick that produced figures, after the histories and
   * the processes were updated. */
  signals[SAMPLED] =
    g_signal_new ("sampled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
fy_cpu_sampler_init (FyCpuSampler *self)
{
  self->interval = FY_CPU_SAMPLER_DEFAULT_INTERVAL;
  self->history_length = FY_HISTORY_DEFAULT_CAPACITY;
  self->context = g_main_context_ref_thread_default ();
}

FyCpuSampler *
fy_cpu_sampler_new (FySampleSource *source)
{
  g_return_val_if_fail (source == NULL || FY_IS_SAMPLE_SOURCE (source), NULL);

  return g_object_new (FY_TYPE_CPU_SAMPLER, "source", source, NULL);
}

FySampleSource *
fy_cpu_sampler_get_source (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), NULL);

  return self->source;
}

FyProcessSampler *
fy_cpu_sampler_get_processes (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), NULL);

  return self->processes;
}

guint
fy_cpu_sampler_get_interval (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), 0);

  return self->interval;
}

void
fy_cpu_sampler_set_interval (FyCpuSampler *self,
                             guint         interval_ms)
{
  g_return_if_fail (FY_IS_CPU_SAMPLER (self));
  g_return_if_fail (interval_ms >= FY_CPU_SAMPLER_MIN_INTERVAL);
  g_return_if_fail (interval_ms <= FY_CPU_SAMPLER_MAX_INTERVAL);

  if (self->interval == interval_ms)
    return;

  self->interval = interval_ms;
  if (self->timer != NULL)
    {
      /* The next interval would mix two cadences: start over. */
      take_baseline (self);
      start_timer (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

gboolean
fy_cpu_sampler_get_paused (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), FALSE);

  return self->paused;
}

void
fy_cpu_sampler_set_paused (FyCpuSampler *self,
                           gboolean      paused)
{
  g_return_if_fail (FY_IS_CPU_SAMPLER (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  /* Before construction ends there is nothing to start or stop yet. */
  if (self->prev != NULL)
    {
      if (paused)
        {
          stop_timer (self);
        }
      else
        {
          take_baseline (self);
          start_timer (self);
        }
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

guint
fy_cpu_sampler_get_history_length (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), 0);

  return self->history_length;
}

void
fy_cpu_sampler_set_history_length (FyCpuSampler *self,
                                   guint         length)
{
  g_return_if_fail (FY_IS_CPU_SAMPLER (self));
  g_return_if_fail (length >= 1 && length <= FY_HISTORY_MAX_CAPACITY);

  if (self->history_length == length)
    return;

  self->history_length = length;
  if (self->core_histories != NULL)
    {
      for (guint i = 0; i < self->core_histories->len; i++)
        fy_history_set_capacity (g_ptr_array_index (self->core_histories, i), length);
      fy_history_set_capacity (self->total_history, length);
      fy_history_set_capacity (self->user_history, length);
      fy_history_set_capacity (self->system_history, length);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY_LENGTH]);
}

gboolean
fy_cpu_sampler_sample (FyCpuSampler  *self,
                       GError       **error)
{
  gboolean had_prev;

  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  had_prev = self->have_prev;
  if (!read_source (self, error))
    return FALSE;
  self->have_prev = TRUE;

  fy_process_sampler_update (self->processes);

  if (!had_prev)
    return FALSE;

  g_signal_emit (self, signals[SAMPLED], 0);
  return TRUE;
}

guint64
fy_cpu_sampler_get_n_samples (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), 0);

  return self->n_samples;
}

guint
fy_cpu_sampler_get_n_cpus (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), 0);

  return self->n_cpus;
}

const FyCpuLoad *
fy_cpu_sampler_get_core (FyCpuSampler *self,
                         guint         cpu)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), NULL);
  g_return_val_if_fail (cpu < self->n_cpus, NULL);

  return &self->cores[cpu];
}

const FyCpuLoad *
fy_cpu_sampler_get_total (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), NULL);

  return &self->total;
}

void
fy_cpu_sampler_get_load_average (FyCpuSampler *self,
                                 double        load[3])
{
  g_return_if_fail (FY_IS_CPU_SAMPLER (self));
  g_return_if_fail (load != NULL);

  memcpy (load, self->load, sizeof self->load);
}

FyHistory *
fy_cpu_sampler_get_core_history (FyCpuSampler *self,
                                 guint         cpu)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), NULL);
  g_return_val_if_fail (cpu < self->n_cpus, NULL);

  return g_ptr_array_index (self->core_histories, cpu);
}

FyHistory *
fy_cpu_sampler_get_total_history (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), NULL);

  return self->total_history;
}

FyHistory *
fy_cpu_sampler_get_user_history (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), NULL);

  return self->user_history;
}

FyHistory *
fy_cpu_sampler_get_system_history (FyCpuSampler *self)
{
  g_return_val_if_fail (FY_IS_CPU_SAMPLER (self), NULL);

  return self->system_history;
}
