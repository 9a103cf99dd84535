/* fy-graph-describer.c: a graph's accessible description, at most once a second
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include "fy-graph-describer.h"
#include "fy-graph-util.h"

static void
mapped_cb (FyGraphDescriber *self)
{
  if (self->stale)
    fy_graph_describer_now (self);
}

/* A description due later waits for the next map instead of a timer. */
static void
unmapped_cb (FyGraphDescriber *self)
{
  if (self->timeout_id != 0)
    {
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      self->stale = TRUE;
    }
}

static gboolean
is_mapped (FyGraphDescriber *self)
{
  return !GTK_IS_WIDGET (self->accessible) || gtk_widget_get_mapped (GTK_WIDGET (self->accessible));
}

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
  self->stale = FALSE;
  self->map_id = 0;
  self->unmap_id = 0;
  if (GTK_IS_WIDGET (accessible))
    {
      self->map_id = g_signal_connect_swapped (accessible, "map", G_CALLBACK (mapped_cb), self);
      self->unmap_id = g_signal_connect_swapped (accessible, "unmap", G_CALLBACK (unmapped_cb), self);
    }
}

void
fy_graph_describer_now (FyGraphDescriber *self)
{
  g_autofree char *text = NULL;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->stale = FALSE;
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

  if (self->timeout_id != 0 || self->stale)
    return;
  if (self->text == NULL || wait <= 0)
    fy_graph_describer_now (self);
  else if (!is_mapped (self))
    self->stale = TRUE;
  else
    self->timeout_id = g_timeout_add ((guint) (wait / 1000) + 1, timeout_cb, self);
}

const char *
fy_graph_describer_get_text (FyGraphDescriber *self)
{
  if (self->stale)
    fy_graph_describer_now (self);
  return self->text;
}

void
fy_graph_describer_clear (FyGraphDescriber *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->accessible != NULL)
    {
      g_clear_signal_handler (&self->map_id, self->accessible);
      g_clear_signal_handler (&self->unmap_id, self->accessible);
    }
  self->stale = FALSE;
  g_clear_pointer (&self->text, g_free);
}
