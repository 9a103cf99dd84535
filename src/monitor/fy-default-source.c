/* fy-default-source.c: which sample source the app and the CLI read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-default-source.h"
#include "fy-fake-source.h"
#include "fy-gtop-source.h"

FySampleSource *
fy_default_source_new (void)
{
  const char *fake = g_getenv ("FORKYARD_FAKE_CPUS");

  if (fake != NULL && *fake != '\0')
    {
      guint64 n = 0;

      if (g_ascii_string_to_unsigned (fake, 10, 1, 1024, &n, NULL))
        {
          FyFakeSource *source = fy_fake_source_new ((guint) n);

          fy_fake_source_set_auto_advance (source, TRUE);
          return FY_SAMPLE_SOURCE (source);
        }

      g_debug ("Ignoring FORKYARD_FAKE_CPUS=%s: not a number from 1 to 1024", fake);
    }

  return FY_SAMPLE_SOURCE (fy_gtop_source_new ());
}
