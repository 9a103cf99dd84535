/* fy-cpu-list.c: CPU lists as Linux writes them ("0-3,6")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fy-cpu-list.h"
#include "fy-workload-error.h"

static gboolean
parse_cpu (const char  *text,
           guint64     *out_cpu,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 0, CPU_SETSIZE - 1, out_cpu, &local_error))
    {
      g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a CPU number (0 to %d)", text, CPU_SETSIZE - 1);
      return FALSE;
    }
  return TRUE;
}

gboolean
fy_cpu_list_parse (const char  *text,
                   cpu_set_t   *out_set,
                   GError     **error)
{
  g_auto(GStrv) items = NULL;

  CPU_ZERO (out_set);
  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) bounds = g_strsplit (g_strstrip (items[i]), "-", 3);
      guint64 first, last;

      if (g_strv_length (bounds) == 1 && parse_cpu (bounds[0], &first, error))
        last = first;
      else if (g_strv_length (bounds) == 2 && parse_cpu (bounds[0], &first, error) &&
               parse_cpu (bounds[1], &last, error))
        {
          if (last < first)
            {
              g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "range “%s” runs backwards", items[i]);
              return FALSE;
            }
        }
      else
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                         "“%s” is not a CPU or a range like 0-3", items[i]);
          return FALSE;
        }
      for (guint64 cpu = first; cpu <= last; cpu++)
        CPU_SET (cpu, out_set);
    }

  if (CPU_COUNT (out_set) == 0)
    {
      g_set_error_literal (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                           "the CPU list is empty");
      return FALSE;
    }
  return TRUE;
}

gboolean
fy_cpu_list_parse_online (const char  *text,
                          cpu_set_t   *out_set,
                          GError     **error)
{
  g_autofree char *online_text = NULL;
  g_autofree char *wanted = NULL;
  cpu_set_t online;

  if (!fy_cpu_list_parse (text, out_set, error))
    return FALSE;

  /* Without sysfs, what this process may use is the best guess. */
  if (g_file_get_contents ("/sys/devices/system/cpu/online", &online_text, NULL, NULL))
    {
      g_strstrip (online_text);
      if (!fy_cpu_list_parse (online_text, &online, NULL))
        return TRUE;
    }
  else if (sched_getaffinity (0, sizeof online, &online) != 0)
    return TRUE;

  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET (cpu, out_set) && !CPU_ISSET (cpu, &online))
      {
        g_autofree char *online_list = fy_cpu_list_format (&online);

        g_set_error (error, FY_WORKLOAD_ERROR, FY_WORKLOAD_ERROR_INVALID_ARGUMENT,
                     "CPU %d is not online (online: %s)", cpu, online_list);
        return FALSE;
      }
  return TRUE;
}

char *
fy_cpu_list_format (const cpu_set_t *set)
{
  GString *text = g_string_new (NULL);

  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
    {
      int last = cpu;

      if (!CPU_ISSET (cpu, set))
        continue;
      while (last + 1 < CPU_SETSIZE && CPU_ISSET (last + 1, set))
        last++;
      if (text->len > 0)
        g_string_append_c (text, ',');
      if (last == cpu)
        g_string_append_printf (text, "%d", cpu);
      else
        g_string_append_printf (text, "%d-%d", cpu, last);
      cpu = last;
    }
  return g_string_free (text, FALSE);
}
