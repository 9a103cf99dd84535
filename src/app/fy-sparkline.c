/* fy-sparkline.c: a small line of one series, for table rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A worker's CPU % over the last samples, drawn in the accent colour with
 * a faint fill under it, scaled from 0 to :maximum (100 % = one core by
 * default). A FyHistory does not signal its pushes, so the owner bumps
 * :revision (bound from the row's sample count) to get a redraw.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-graph-describer.h"
#include "fy-graph-util.h"
#include "fy-sparkline.h"

struct _FySparkline
{
  GtkWidget  parent_instance;

  FyHistory *history;
  double     maximum;
  guint64    revision;
  FyGraphDescriber describer;
};

G_DEFINE_FINAL_TYPE (FySparkline, fy_sparkline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_MAXIMUM,
  PROP_REVISION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
describe (gpointer owner)
{
  FySparkline *self = owner;
  double newest = self->history != NULL && fy_history_get_length (self->history) > 0
                  ? fy_history_get_newest (self->history) : NAN;

  if (isnan (newest))
    return g_strdup (_("no figure"));
  /* Translators: a process's latest CPU use, 100 % being one core. */
  return g_strdup_printf (_("%.0f %% CPU"), newest);
}

static void
fy_sparkline_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  FySparkline *self = FY_SPARKLINE (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  const double *spans[2];
  guint n_spans[2];
  guint length, capacity, index = 0;
  GdkRGBA color, fill;
  cairo_t *cr;
  double first_x = -1, last_x = 0;

  if (self->history == NULL || width <= 0 || height <= 0)
    return;
  length = fy_history_get_length (self->history);
  capacity = fy_history_get_capacity (self->history);
  if (length == 0)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "accent_color", &color))
    fy_graph_line_color (0, fy_graph_is_dark (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  fill = color;
  fill.alpha *= 0.25;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  fy_history_peek (self->history, &spans[0], &n_spans[0], &spans[1], &n_spans[1]);
  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < n_spans[s]; i++, index++)
      {
        double value = spans[s][i];
        double x = fy_graph_sample_x (index, length, capacity, width - 1) + 0.5;
        double y;

        if (isnan (value))
          continue;
        y = fy_graph_value_y (value / self->maximum, 1, height - 2);
        if (first_x < 0)
          {
            cairo_move_to (cr, x, y);
            first_x = x;
          }
        else
          cairo_line_to (cr, x, y);
        last_x = x;
      }
  if (first_x >= 0)
    {
      cairo_path_t *line = cairo_copy_path (cr);

      cairo_line_to (cr, last_x, height);
      cairo_line_to (cr, first_x, height);
      cairo_close_path (cr);
      gdk_cairo_set_source_rgba (cr, &fill);
      cairo_fill (cr);
      cairo_append_path (cr, line);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_stroke (cr);
      cairo_path_destroy (line);
    }
  cairo_destroy (cr);
}

static void
fy_sparkline_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 40 : 16;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 96 : 20;
}

static void
fy_sparkline_dispose (GObject *object)
{
  FySparkline *self = FY_SPARKLINE (object);

  g_clear_object (&self->history);
  fy_graph_describer_clear (&self->describer);

  G_OBJECT_CLASS (fy_sparkline_parent_class)->dispose (object);
}

static void
fy_sparkline_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FySparkline *self = FY_SPARKLINE (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;

    case PROP_MAXIMUM:
      g_value_set_double (value, self->maximum);
      break;

    case PROP_REVISION:
      g_value_set_uint64 (value, self->revision);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_sparkline_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FySparkline *self = FY_SPARKLINE (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      fy_sparkline_set_history (self, g_value_get_object (value));
      break;

    case PROP_MAXIMUM:
      fy_sparkline_set_maximum (self, g_value_get_double (value));
      break;

    case PROP_REVISION:
      fy_sparkline_set_revision (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_sparkline_class_init (FySparklineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fy_sparkline_dispose;
  object_class->get_property = fy_sparkline_get_property;
  object_class->set_property = fy_sparkline_set_property;

  widget_class->snapshot = fy_sparkline_snapshot;
  widget_class->measure = fy_sparkline_measure;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL,
                         FY_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_MAXIMUM] =
    g_param_spec_double ("maximum", NULL, NULL,
                         1e-6, G_MAXDOUBLE, 100,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_REVISION] =
    g_param_spec_uint64 ("revision", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "sparkline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fy_sparkline_init (FySparkline *self)
{
  self->maximum = 100;
  fy_graph_describer_init (&self->describer, GTK_ACCESSIBLE (self), describe);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("CPU history"),
                                  -1);
}

GtkWidget *
fy_sparkline_new (void)
{
  return g_object_new (FY_TYPE_SPARKLINE, NULL);
}

FyHistory *
fy_sparkline_get_history (FySparkline *self)
{
  g_return_val_if_fail (FY_IS_SPARKLINE (self), NULL);

  return self->history;
}

void
fy_sparkline_set_history (FySparkline *self,
                          FyHistory   *history)
{
  g_return_if_fail (FY_IS_SPARKLINE (self));
  g_return_if_fail (history == NULL || FY_IS_HISTORY (history));

  if (!g_set_object (&self->history, history))
    return;
  fy_graph_describer_now (&self->describer);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

double
fy_sparkline_get_maximum (FySparkline *self)
{
  g_return_val_if_fail (FY_IS_SPARKLINE (self), 0);

  return self->maximum;
}

void
fy_sparkline_set_maximum (FySparkline *self,
                          double       maximum)
{
  g_return_if_fail (FY_IS_SPARKLINE (self));
  g_return_if_fail (maximum > 0);

  if (self->maximum == maximum)
    return;
  self->maximum = maximum;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAXIMUM]);
}

guint64
fy_sparkline_get_revision (FySparkline *self)
{
  g_return_val_if_fail (FY_IS_SPARKLINE (self), 0);

  return self->revision;
}

void
fy_sparkline_set_revision (FySparkline *self,
                           guint64      revision)
{
  g_return_if_fail (FY_IS_SPARKLINE (self));

  if (self->revision == revision)
    return;
  self->revision = revision;
  fy_graph_describer_queue (&self->describer);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);
}
