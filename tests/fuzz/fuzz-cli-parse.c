/* fuzz-cli-parse.c: forkyard-cli's option values and the crash policy text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input, cut at its first NUL, is given to each parser of option text.
 * Besides not crashing, each must keep its promise: a duration it accepts
 * is above 0 and at most a week; an error always says something.
 */

#include "config.h"

#include <string.h>

#include "cli/fy-cli-parse.h"
#include "core/fy-pool.h"

#include "fuzz-target.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  double seconds = -1;
  FyCrashPolicy policy;
  guint retries;

  if (fy_cli_parse_duration (text, &seconds, &error))
    {
      if (!(seconds > 0 && seconds <= 7 * 24 * 3600))
        abort ();
    }
  else if (error == NULL || error->message[0] == '\0')
    abort ();
  g_clear_error (&error);

  if (!fy_crash_policy_parse (text, &policy, &retries, &error) &&
      (error == NULL || error->message[0] == '\0'))
    abort ();
  return 0;
}
