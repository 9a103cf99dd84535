/* fy-launch-fields.h: checking and showing the launch form's fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each check returns the value, or a message written for the row it is
 * shown in; nothing here knows the form, so every rule is one function.
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct
{
  guint64   min;
  guint64   max;
  gboolean  empty_is_zero; /* "auto", "none": shown as the placeholder */
} FyNumberRange;

/* TRUE with the value, or FALSE with a message for the row. */
gboolean  fy_launch_parse_number  (const FyNumberRange  *range,
                                   const char           *text,
                                   guint64              *out_value,
                                   char                **out_error);
/* Seconds, with a dot or the locale's comma; empty or 0 for none. */
gboolean  fy_launch_parse_timeout (const char           *text,
                                   double               *out_seconds,
                                   char                **out_error);

/* NULL when every file can be read, else the error naming the first. */
char     *fy_launch_check_files         (const char *const *files);
/* NULL when @path is a folder that can be read. */
char     *fy_launch_check_folder        (const char        *path);
/* NULL when the folder exists and is writable, or can be made. */
char     *fy_launch_check_output_folder (const char        *path);

/* Keeps @row's subtitle from the template, shown again once an error is
 * gone; fy_launch_set_subtitle () replaces it. */
void      fy_launch_remember_subtitle   (AdwActionRow *row);
void      fy_launch_set_subtitle        (AdwActionRow *row,
                                         const char   *subtitle);
/* The row shows @error in place of its subtitle, with the error style;
 * @widget (the control) and the row carry it as their accessible
 * description, or @value_text when all is well. */
void      fy_launch_show_field_state    (AdwActionRow *row,
                                         GtkWidget    *widget,
                                         const char   *error,
                                         const char   *value_text);
/* @row's accessible description is the item it shows, as for the other
 * fields: a screen reader reads the choice without opening the list. */
void      fy_launch_describe_choice     (AdwComboRow  *row);

G_END_DECLS
