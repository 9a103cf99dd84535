/* fy-graph-describer.c: a graph's accessible description, at most once a second
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include "fy-graph-describer.h"
#include "fy-graph-util.h"

void
fy_graph_describer_init (FyGraphDescriber *self,
                         GtkAccessible    *accessible,
                         FyDescribeFunc    describe)
{
  g_return_if_fail (GTK_IS_ACCESSIBLE (accessible));
  g_return_if_fail (describe != NULL);

  /* The accessible owns the describer: no reference, or it would never go. */
  self->accessible = accessible;
  self->describe = describe;
  self->text = NULL;
  self->described_at = 0;
  self->timeout_id = 0;
}

void
fy_graph_describer_now (FyGraphDescriber *self)
{
  g_autofree char *text = NULL;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->described_at = g_get_monotonic_time ();
  text = self->describe (self->accessible);
  if (text == NULL || g_strcmp0 (text, self->text) == 0)
    return;
  g_free (self->text);
  self->text = g_steal_pointer (&text);
  gtk_accessible_update_property (self->accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->text,
                                  -1);
}

static gboolean
timeout_cb (gpointer data)
{
  FyGraphDescriber *self = data;

  self->timeout_id = 0;
  fy_graph_describer_now (self);
  return G_SOURCE_REMOVE;
}

void
fy_graph_describer_queue (FyGraphDescriber *self)
{
  gint64 wait = self->described_at + FY_GRAPH_DESCRIPTION_PERIOD - g_get_monotonic_time ();

  if (self->timeout_id != 0)
    return;
  if (self->text == NULL || wait <= 0)
    fy_graph_describer_now (self);
  else
    self->timeout_id = g_timeout_add ((guint) (wait / 1000) + 1, timeout_cb, self);
}

const char *
fy_graph_describer_get_text (FyGraphDescriber *self)
{
  return self->text;
}

void
fy_graph_describer_clear (FyGraphDescriber *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_pointer (&self->text, g_free);
}
