/* fy-cli-parse.c: parsers of forkyard-cli's option values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fy-cli-parse.h"

#define MAX_DURATION_S (7.0 * 24 * 3600)

gboolean
fy_cli_parse_duration (const char  *text,
                       double      *out_seconds,
                       GError     **error)
{
  char *end = NULL;
  double value, unit = 1;

  /* g_ascii_strtod also takes "inf", "nan" and hexadecimal: only plain
   * decimal digits and one point are a duration here. */
  for (const char *p = text; *p != '\0' && !g_ascii_isalpha (*p); p++)
    if (!g_ascii_isdigit (*p) && *p != '.')
      goto bad;
  if (text[0] == '\0' || text[0] == '.' || g_ascii_isalpha (text[0]))
    goto bad;

  value = g_ascii_strtod (text, &end);
  if (end == text)
    goto bad;
  if (g_str_equal (end, "h"))
    unit = 3600;
  else if (g_str_equal (end, "m"))
    unit = 60;
  else if (!g_str_equal (end, "s") && end[0] != '\0')
    goto bad;

  value *= unit;
  if (!isfinite (value) || value <= 0 || value > MAX_DURATION_S)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not between 0 and a week"), text);
      return FALSE;
    }
  *out_seconds = value;
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a duration such as 90, 90s, 1.5m or 1h"), text);
  return FALSE;
}
