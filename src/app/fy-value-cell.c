/* fy-value-cell.c: one value in a table cell, with its accessible description
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include "fy-value-cell.h"

struct _FyValueCell
{
  GtkWidget  parent_instance;

  char      *text;
  char      *description;
  char      *full_text;
  GObject   *item;
  float      xalign;
  PangoEllipsizeMode ellipsize;

  GtkLabel  *label;
};

G_DEFINE_FINAL_TYPE (FyValueCell, fy_value_cell, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_DESCRIPTION,
  PROP_ITEM,
  PROP_XALIGN,
  PROP_ELLIPSIZE,
  PROP_FULL_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* replace_string () is GLib 2.76. */
static gboolean
replace_string (char       **dest,
                const char  *src)
{
  if (g_strcmp0 (*dest, src) == 0)
    return FALSE;
  g_free (*dest);
  *dest = g_strdup (src);
  return TRUE;
}

/* Long texts, cut at their start or middle (paths, errors), show whole in
 * a tooltip, as does a text shortened from a longer one ("full-text");
 * short values cut at the end need none. Asked for on demand:
 * a tooltip text set in advance would replace the accessible description. */
static gboolean
query_tooltip_cb (FyValueCell *self,
                  int          x,
                  int          y,
                  gboolean     keyboard_mode,
                  GtkTooltip  *tooltip)
{
  const char *text = self->full_text != NULL ? self->full_text : self->text;

  if (text == NULL || text[0] == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
update_tooltip (FyValueCell *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->label),
                              self->full_text != NULL
                              || self->ellipsize == PANGO_ELLIPSIZE_START
                              || self->ellipsize == PANGO_ELLIPSIZE_MIDDLE);
}

static void
fy_value_cell_dispose (GObject *object)
{
  FyValueCell *self = FY_VALUE_CELL (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FY_TYPE_VALUE_CELL);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (fy_value_cell_parent_class)->dispose (object);
}

static void
fy_value_cell_finalize (GObject *object)
{
  FyValueCell *self = FY_VALUE_CELL (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->full_text, g_free);

  G_OBJECT_CLASS (fy_value_cell_parent_class)->finalize (object);
}

static void
fy_value_cell_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  FyValueCell *self = FY_VALUE_CELL (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;

    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;

    case PROP_XALIGN:
      g_value_set_float (value, self->xalign);
      break;

    case PROP_ELLIPSIZE:
      g_value_set_enum (value, self->ellipsize);
      break;

    case PROP_FULL_TEXT:
      g_value_set_string (value, self->full_text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_value_cell_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  FyValueCell *self = FY_VALUE_CELL (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      fy_value_cell_set_text (self, g_value_get_string (value));
      break;

    case PROP_DESCRIPTION:
      fy_value_cell_set_description (self, g_value_get_string (value));
      break;

    case PROP_ITEM:
      fy_value_cell_set_item (self, g_value_get_object (value));
      break;

    case PROP_XALIGN:
      if (self->xalign != g_value_get_float (value))
        {
          self->xalign = g_value_get_float (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_ELLIPSIZE:
      fy_value_cell_set_ellipsize (self, g_value_get_enum (value));
      break;

    case PROP_FULL_TEXT:
      if (replace_string (&self->full_text, g_value_get_string (value)))
        {
          update_tooltip (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_value_cell_class_init (FyValueCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fy_value_cell_dispose;
  object_class->finalize = fy_value_cell_finalize;
  object_class->get_property = fy_value_cell_get_property;
  object_class->set_property = fy_value_cell_set_property;

  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_ITEM] = g_param_spec_object ("item", NULL, NULL, G_TYPE_OBJECT, flags);
  properties[PROP_XALIGN] = g_param_spec_float ("xalign", NULL, NULL, 0.0, 1.0, 0.0, flags);
  /* Where a text too long for its column is cut: a path keeps its file
   * name with "start". The whole text is the tooltip. */
  properties[PROP_ELLIPSIZE] = g_param_spec_enum ("ellipsize", NULL, NULL, PANGO_TYPE_ELLIPSIZE_MODE,
                                                  PANGO_ELLIPSIZE_END, flags);
  /* The text "text" was shortened from, for the tooltip. */
  properties[PROP_FULL_TEXT] = g_param_spec_string ("full-text", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/forkyard/Forkyard/fy-value-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, FyValueCell, label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "fy-value-cell");
}

static void
fy_value_cell_init (FyValueCell *self)
{
  self->ellipsize = PANGO_ELLIPSIZE_END;
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->label, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
}

const char *
fy_value_cell_get_text (FyValueCell *self)
{
  g_return_val_if_fail (FY_IS_VALUE_CELL (self), NULL);

  return self->text;
}

void
fy_value_cell_set_text (FyValueCell *self,
                        const char  *text)
{
  g_return_if_fail (FY_IS_VALUE_CELL (self));

  if (replace_string (&self->text, text))
    {
      gtk_label_set_text (self->label, text != NULL ? text : "");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
    }
}

const char *
fy_value_cell_get_description (FyValueCell *self)
{
  g_return_val_if_fail (FY_IS_VALUE_CELL (self), NULL);

  return self->description;
}

void
fy_value_cell_set_description (FyValueCell *self,
                               const char  *description)
{
  g_return_if_fail (FY_IS_VALUE_CELL (self));

  if (replace_string (&self->description, description))
    {
      /* The label is what assistive technologies find; it carries both. */
      if (description != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (self->label),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                        -1);
      else
        gtk_accessible_reset_property (GTK_ACCESSIBLE (self->label),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
    }
}

GObject *
fy_value_cell_get_item (FyValueCell *self)
{
  g_return_val_if_fail (FY_IS_VALUE_CELL (self), NULL);

  return self->item;
}

void
fy_value_cell_set_item (FyValueCell *self,
                        GObject     *item)
{
  g_return_if_fail (FY_IS_VALUE_CELL (self));

  if (g_set_object (&self->item, item))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

PangoEllipsizeMode
fy_value_cell_get_ellipsize (FyValueCell *self)
{
  g_return_val_if_fail (FY_IS_VALUE_CELL (self), PANGO_ELLIPSIZE_END);

  return self->ellipsize;
}

void
fy_value_cell_set_ellipsize (FyValueCell        *self,
                             PangoEllipsizeMode  ellipsize)
{
  g_return_if_fail (FY_IS_VALUE_CELL (self));

  if (self->ellipsize != ellipsize)
    {
      self->ellipsize = ellipsize;
      update_tooltip (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELLIPSIZE]);
    }
}
