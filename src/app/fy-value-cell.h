/* fy-value-cell.h: one value in a table cell, with its accessible description
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cell templates of the Run page's tables bind a row's text and a
 * sentence that says what the value is: a screen reader reads "12 %" as
 * the cell's name and "CPU usage of worker 4242" as its description. The
 * cell also holds the row's item, so a click anywhere in a row can be
 * mapped back to the row (GTK 4.8 has no GtkColumnViewCell to ask).
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FY_TYPE_VALUE_CELL (fy_value_cell_get_type ())
G_DECLARE_FINAL_TYPE (FyValueCell, fy_value_cell, FY, VALUE_CELL, GtkWidget)

const char *fy_value_cell_get_text        (FyValueCell *self);
void        fy_value_cell_set_text        (FyValueCell *self,
                                           const char  *text);
const char *fy_value_cell_get_description (FyValueCell *self);
void        fy_value_cell_set_description (FyValueCell *self,
                                           const char  *description);
/* The list item's item, or NULL. Borrowed. */
GObject    *fy_value_cell_get_item        (FyValueCell *self);
void        fy_value_cell_set_item        (FyValueCell *self,
                                           GObject     *item);
PangoEllipsizeMode fy_value_cell_get_ellipsize (FyValueCell        *self);
void        fy_value_cell_set_ellipsize   (FyValueCell        *self,
                                           PangoEllipsizeMode  ellipsize);

G_END_DECLS
