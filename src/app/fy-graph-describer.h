/* fy-graph-describer.h: a graph's accessible description, at most once a second
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every drawing widget states its current values in its accessible
 * description, but a screen reader (and the accessibility bus) should not
 * hear a new sentence at every sample or frame. A describer builds the
 * text through its owner's callback no more often than
 * FY_GRAPH_DESCRIPTION_PERIOD: a change inside the period is described
 * when the period is up, so the last word is always current, and an
 * unchanged sentence is not sent again. Embedded in the widget's struct;
 * not a GObject.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Returns the new description (owned by the caller), or NULL to leave the
 * current one as it is. */
typedef char *(*FyDescribeFunc) (gpointer owner);

typedef struct
{
  GtkAccessible  *accessible;
  FyDescribeFunc  describe;
  char           *text;
  gint64          described_at;
  guint           timeout_id;
} FyGraphDescriber;

void        fy_graph_describer_init     (FyGraphDescriber *self,
                                         GtkAccessible    *accessible,
                                         FyDescribeFunc    describe);
/* Describes now if the period is up, else once it is. */
void        fy_graph_describer_queue    (FyGraphDescriber *self);
/* Describes now, whenever the last time was (a new data source). */
void        fy_graph_describer_now      (FyGraphDescriber *self);
/* The last description sent, or NULL. */
const char *fy_graph_describer_get_text (FyGraphDescriber *self);
/* Stops the pending timeout and frees the text: call from dispose. */
void        fy_graph_describer_clear    (FyGraphDescriber *self);

G_END_DECLS
