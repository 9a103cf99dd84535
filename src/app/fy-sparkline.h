/* fy-sparkline.h: a small line of one series, for table rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_TYPE_SPARKLINE (fy_sparkline_get_type ())
G_DECLARE_FINAL_TYPE (FySparkline, fy_sparkline, FY, SPARKLINE, GtkWidget)

GtkWidget *fy_sparkline_new          (void);
FyHistory *fy_sparkline_get_history  (FySparkline *self);
void       fy_sparkline_set_history  (FySparkline *self,
                                      FyHistory   *history);
/* The value drawn at the top edge; values above it are clipped. */
double     fy_sparkline_get_maximum  (FySparkline *self);
void       fy_sparkline_set_maximum  (FySparkline *self,
                                      double       maximum);
/* A counter that changes whenever the history got a new value: bind it to
 * the model's sample count so the line redraws as the history moves. */
guint64    fy_sparkline_get_revision (FySparkline *self);
void       fy_sparkline_set_revision (FySparkline *self,
                                      guint64      revision);

G_END_DECLS
