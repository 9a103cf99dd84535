/* fy-sample-source.c: the sample source interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fy-sample-source.h"

G_DEFINE_QUARK (fy-monitor-error-quark, fy_monitor_error)

G_DEFINE_INTERFACE (FySampleSource, fy_sample_source, G_TYPE_OBJECT)

static void
fy_sample_source_default_init (FySampleSourceInterface *iface)
{
}

guint
fy_sample_source_get_n_cpus (FySampleSource *self)
{
  g_return_val_if_fail (FY_IS_SAMPLE_SOURCE (self), 0);

  return FY_SAMPLE_SOURCE_GET_IFACE (self)->get_n_cpus (self);
}

gboolean
fy_sample_source_read_cpus (FySampleSource *self,
                            FyCpuTicks     *ticks,
                            guint           n_ticks,
                            double          load[3],
                            GError        **error)
{
  g_return_val_if_fail (FY_IS_SAMPLE_SOURCE (self), FALSE);
  g_return_val_if_fail (ticks != NULL, FALSE);
  g_return_val_if_fail (load != NULL, FALSE);
  g_return_val_if_fail (n_ticks == fy_sample_source_get_n_cpus (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return FY_SAMPLE_SOURCE_GET_IFACE (self)->read_cpus (self, ticks, n_ticks, load, error);
}

gboolean
fy_sample_source_read_process (FySampleSource *self,
                               GPid            pid,
                               FyProcStat     *stat,
                               GError        **error)
{
  g_return_val_if_fail (FY_IS_SAMPLE_SOURCE (self), FALSE);
  g_return_val_if_fail (pid > 0, FALSE);
  g_return_val_if_fail (stat != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!FY_SAMPLE_SOURCE_GET_IFACE (self)->read_process (self, pid, stat, error))
    {
      /* Callers rely on never seeing a half-read process. */
      memset (stat, 0, sizeof *stat);
      return FALSE;
    }

  return TRUE;
}
