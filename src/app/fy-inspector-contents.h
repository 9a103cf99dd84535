/* fy-inspector-contents.h: a shared array's, dict's or list's contents as one line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the inspector shows of an object's contents: an array's elements
 * (plain loads, no lock), a dict's items or a list's length and newest
 * items (read under the object's lock), cut to a row's length.
 */

#pragma once

#include "core/fy-array.h"

G_BEGIN_DECLS

char *fy_inspector_array_contents      (FyArray *array);
/* @collection: a FyDict or a FyList. */
char *fy_inspector_collection_contents (GObject *collection);

G_END_DECLS
