/* fy-history.c: a fixed-capacity ring buffer of samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "fy-history.h"

struct _FyHistory
{
  GObject  parent_instance;

  double  *values;
  guint    capacity;
  guint    start;     /* index of the oldest value */
  guint    length;
};

G_DEFINE_FINAL_TYPE (FyHistory, fy_history, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CAPACITY,
  PROP_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fy_history_finalize (GObject *object)
{
  FyHistory *self = (FyHistory *) object;

  g_clear_pointer (&self->values, g_free);

  G_OBJECT_CLASS (fy_history_parent_class)->finalize (object);
}

static void
fy_history_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FyHistory *self = FY_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case PROP_LENGTH:
      g_value_set_uint (value, self->length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_history_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FyHistory *self = FY_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      fy_history_set_capacity (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_history_class_init (FyHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fy_history_finalize;
  object_class->get_property = fy_history_get_property;
  object_class->set_property = fy_history_set_property;

  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL,
                       1, FY_HISTORY_MAX_CAPACITY, FY_HISTORY_DEFAULT_CAPACITY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Not notified on every push: graphs redraw on the sampler's signal. */
  properties[PROP_LENGTH] =
    g_param_spec_uint ("length", NULL, NULL,
                       0, FY_HISTORY_MAX_CAPACITY, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_history_init (FyHistory *self)
{
}

FyHistory *
fy_history_new (guint capacity)
{
  g_return_val_if_fail (capacity >= 1 && capacity <= FY_HISTORY_MAX_CAPACITY, NULL);

  return g_object_new (FY_TYPE_HISTORY, "capacity", capacity, NULL);
}

guint
fy_history_get_capacity (FyHistory *self)
{
  g_return_val_if_fail (FY_IS_HISTORY (self), 0);

  return self->capacity;
}

void
fy_history_set_capacity (FyHistory *self,
                         guint      capacity)
{
  double *values;
  guint keep;

  g_return_if_fail (FY_IS_HISTORY (self));
  g_return_if_fail (capacity >= 1 && capacity <= FY_HISTORY_MAX_CAPACITY);

  if (capacity == self->capacity)
    return;

  keep = MIN (self->length, capacity);
  values = g_new0 (double, capacity);
  /* Copy the newest @keep values, oldest first, to the start. */
  for (guint i = 0; i < keep; i++)
    values[i] = self->values[(self->start + self->length - keep + i) % self->capacity];

  g_free (self->values);
  self->values = values;
  self->capacity = capacity;
  self->start = 0;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPACITY]);
  if (keep != self->length)
    {
      self->length = keep;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
    }
}

guint
fy_history_get_length (FyHistory *self)
{
  g_return_val_if_fail (FY_IS_HISTORY (self), 0);

  return self->length;
}

void
fy_history_push (FyHistory *self,
                 double     value)
{
  g_return_if_fail (FY_IS_HISTORY (self));

  if (self->length < self->capacity)
    {
      self->values[(self->start + self->length) % self->capacity] = value;
      self->length++;
    }
  else
    {
      self->values[self->start] = value;
      self->start = (self->start + 1) % self->capacity;
    }
}

double
fy_history_get (FyHistory *self,
                guint      index)
{
  g_return_val_if_fail (FY_IS_HISTORY (self), NAN);
  g_return_val_if_fail (index < self->length, NAN);

  return self->values[(self->start + index) % self->capacity];
}

double
fy_history_get_newest (FyHistory *self)
{
  g_return_val_if_fail (FY_IS_HISTORY (self), NAN);

  if (self->length == 0)
    return NAN;

  return self->values[(self->start + self->length - 1) % self->capacity];
}

void
fy_history_clear (FyHistory *self)
{
  g_return_if_fail (FY_IS_HISTORY (self));

  self->start = 0;
  if (self->length != 0)
    {
      self->length = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
    }
}

void
fy_history_peek (FyHistory     *self,
                 const double **first,
                 guint         *n_first,
                 const double **second,
                 guint         *n_second)
{
  guint head;

  g_return_if_fail (FY_IS_HISTORY (self));
  g_return_if_fail (first != NULL && n_first != NULL);
  g_return_if_fail (second != NULL && n_second != NULL);

  head = MIN (self->length, self->capacity - self->start);
  *first = head > 0 ? self->values + self->start : NULL;
  *n_first = head;
  *second = self->length > head ? self->values : NULL;
  *n_second = self->length - head;
}
