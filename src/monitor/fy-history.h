/* fy-history.h: a fixed-capacity ring buffer of samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One series of a graph: the newest value overwrites the oldest once the
 * buffer is full. Graphs read it in place through fy_history_peek (), which
 * hands out the stored values as two spans, oldest first, without copying.
 * A NAN value means "no figure" (e.g. the core was offline).
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define FY_HISTORY_DEFAULT_CAPACITY 120
#define FY_HISTORY_MAX_CAPACITY     600

#define FY_TYPE_HISTORY (fy_history_get_type ())
G_DECLARE_FINAL_TYPE (FyHistory, fy_history, FY, HISTORY, GObject)

/* @capacity from 1 to FY_HISTORY_MAX_CAPACITY. */
FyHistory *fy_history_new          (guint          capacity);
guint      fy_history_get_capacity (FyHistory     *self);
/* Keeps the newest values that fit. */
void       fy_history_set_capacity (FyHistory     *self,
                                    guint          capacity);
guint      fy_history_get_length   (FyHistory     *self);
void       fy_history_push         (FyHistory     *self,
                                    double         value);
/* @index 0 is the oldest value kept, length - 1 the newest. */
double     fy_history_get          (FyHistory     *self,
                                    guint          index);
double     fy_history_get_newest   (FyHistory     *self);
void       fy_history_clear        (FyHistory     *self);
/* The values oldest first: @first[0 .. n_first) then @second[0 ..
 * n_second). Valid until the next push, set_capacity or clear. Either
 * span may be empty (then its pointer is NULL). */
void       fy_history_peek         (FyHistory     *self,
                                    const double **first,
                                    guint         *n_first,
                                    const double **second,
                                    guint         *n_second);

G_END_DECLS
