/* fy-launch-fields.c: checking and showing the launch form's fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Numbers are typed into plain entries rather than spin buttons: a spin
 * button silently clamps what it is given, and the form must instead say
 * what is wrong where it is wrong. The messages here are that saying.
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

#include "fy-launch-fields.h"

#define SUBTITLE_KEY "fy-subtitle"

gboolean
fy_launch_parse_number (const FyNumberRange  *range,
                        const char           *text,
                        guint64              *out_value,
                        char                **out_error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  guint64 value;

  if (*stripped == '\0' && range->empty_is_zero)
    {
      *out_value = 0;
      return TRUE;
    }
  if (*stripped == '\0')
    {
      *out_error = g_strdup (_("Enter a number"));
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (stripped, 10, 0, G_MAXUINT64, &value, NULL))
    {
      *out_error = g_strdup (_("Enter a whole number"));
      return FALSE;
    }
  if (range->empty_is_zero && value == 0)
    {
      *out_value = 0;
      return TRUE;
    }
  if (value < range->min)
    {
      g_autofree char *bound = g_strdup_printf ("%" G_GUINT64_FORMAT, range->min);

      *out_error = g_strdup_printf (_("Must be at least %s"), bound);
      return FALSE;
    }
  if (value > range->max)
    {
      /* Fibonacci's limit says why, since 92 looks arbitrary. */
      if (range->max == 92)
        *out_error = g_strdup (_("Must be at most 92: fib (93) does not fit in 64 bits"));
      else
        {
          g_autofree char *bound = g_strdup_printf ("%" G_GUINT64_FORMAT, range->max);

          *out_error = g_strdup_printf (_("Must be at most %s"), bound);
        }
      return FALSE;
    }
  *out_value = value;
  return TRUE;
}

gboolean
fy_launch_parse_timeout (const char  *text,
                         double      *out_seconds,
                         char       **out_error)
{
  g_autofree char *stripped = g_strdelimit (g_strstrip (g_strdup (text)), ",", '.');
  char *end = NULL;
  double seconds;

  if (*stripped == '\0')
    {
      *out_seconds = 0;
      return TRUE;
    }
  errno = 0;
  seconds = g_ascii_strtod (stripped, &end);
  if (errno != 0 || end == stripped || *end != '\0' || !isfinite (seconds) || seconds < 0)
    {
      *out_error = g_strdup (_("Enter seconds, such as 2.5"));
      return FALSE;
    }
  if (seconds > 86400)
    {
      *out_error = g_strdup (_("Must be at most 86400 seconds (a day)"));
      return FALSE;
    }
  *out_seconds = seconds;
  return TRUE;
}

char *
fy_launch_check_files (const char *const *files)
{
  for (guint i = 0; files[i] != NULL; i++)
    if (!g_file_test (files[i], G_FILE_TEST_IS_REGULAR) || g_access (files[i], R_OK) != 0)
      return g_strdup_printf (_("%s cannot be read"), files[i]);
  return NULL;
}

char *
fy_launch_check_folder (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_access (path, R_OK | X_OK) != 0)
    return g_strdup_printf (_("%s is not a folder that can be read"), path);
  return NULL;
}

char *
fy_launch_check_output_folder (const char *path)
{
  g_autofree char *ancestor = g_strdup (path);

  /* The run makes what is missing: the nearest existing folder decides. */
  while (!g_file_test (ancestor, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (ancestor);

      g_free (ancestor);
      ancestor = parent;
    }
  if (!g_file_test (ancestor, G_FILE_TEST_IS_DIR))
    return g_strdup_printf (_("%s is not a folder"), ancestor);
  if (g_access (ancestor, W_OK | X_OK) != 0)
    return g_strdup_printf (_("%s cannot be written to"), ancestor);
  return NULL;
}

void
fy_launch_remember_subtitle (AdwActionRow *row)
{
  fy_launch_set_subtitle (row, adw_action_row_get_subtitle (row));
}

void
fy_launch_set_subtitle (AdwActionRow *row,
                        const char   *subtitle)
{
  g_object_set_data_full (G_OBJECT (row), SUBTITLE_KEY, g_strdup (subtitle), g_free);
}

void
fy_launch_show_field_state (AdwActionRow *row,
                            GtkWidget    *widget,
                            const char   *error,
                            const char   *value_text)
{
  const char *subtitle = g_object_get_data (G_OBJECT (row), SUBTITLE_KEY);
  const char *description = error != NULL ? error : value_text;
  g_autofree char *escaped = NULL;

  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  if (widget != NULL && GTK_IS_ENTRY (widget))
    {
      if (error != NULL)
        gtk_widget_add_css_class (widget, "error");
      else
        gtk_widget_remove_css_class (widget, "error");
    }
  /* Subtitles are markup; paths and "<1 ms" are not. */
  escaped = g_markup_escape_text (error != NULL ? error : (subtitle ? subtitle : ""), -1);
  adw_action_row_set_subtitle (row, escaped);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description ? description : "",
                                  -1);
  if (widget != NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description ? description : "",
                                      -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (widget),
                                   GTK_ACCESSIBLE_STATE_INVALID, error != NULL ? GTK_ACCESSIBLE_INVALID_TRUE
                                                                               : GTK_ACCESSIBLE_INVALID_FALSE,
                                   -1);
    }
}

void
fy_launch_describe_choice (AdwComboRow *row)
{
  gpointer item = adw_combo_row_get_selected_item (row);
  const char *text = GTK_IS_STRING_OBJECT (item) ? gtk_string_object_get_string (item) : "";

  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
}
