/* fy-inspector-state.c: the lines a shared object's snapshot gives the inspector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "fy-inspector-state.h"

guint64
fy_inspector_lookup_count (GVariant   *snapshot,
                           const char *key)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (snapshot, key, NULL);

  if (value == NULL)
    return 0;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return g_variant_get_uint64 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    return (guint64) MAX (g_variant_get_int32 (value), 0);
  return 0;
}

gint32
fy_inspector_lookup_pid (GVariant   *snapshot,
                         const char *key)
{
  gint32 pid = 0;

  g_variant_lookup (snapshot, key, "i", &pid);
  return pid;
}

gboolean
fy_inspector_lookup_flag (GVariant   *snapshot,
                          const char *key)
{
  gboolean flag = FALSE;

  g_variant_lookup (snapshot, key, "b", &flag);
  return flag;
}

void
fy_inspector_append_line (GString    *text,
                          const char *line)
{
  if (text->len > 0)
    g_string_append_c (text, '\n');
  g_string_append (text, line);
}

void
fy_inspector_append_waiting (GString *blocked,
                             guint    n)
{
  g_autofree char *who = NULL;

  if (n == 0)
    return;
  who = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u waiting", "%u waiting", n), n);
  fy_inspector_append_line (blocked, who);
}

double
fy_inspector_describe (FyShmKind  kind,
                       GVariant  *snapshot,
                       GString   *state,
                       GString   *blocked)
{
  guint depth = (guint) fy_inspector_lookup_count (snapshot, "depth");
  guint capacity = (guint) fy_inspector_lookup_count (snapshot, "capacity");
  guint waiters = (guint) fy_inspector_lookup_count (snapshot, "waiters");
  GPid holder = fy_inspector_lookup_pid (snapshot, "holder-pid");
  double fraction = -1;

  switch (kind)
    {
    case FY_SHM_KIND_QUEUE:
      {
        guint put_waiters = (guint) fy_inspector_lookup_count (snapshot, "put-waiters");
        guint get_waiters = (guint) fy_inspector_lookup_count (snapshot, "get-waiters");
        guint64 bytes = fy_inspector_lookup_count (snapshot, "bytes");
        guint64 capacity_bytes = fy_inspector_lookup_count (snapshot, "capacity-bytes");
        GPid getter = fy_inspector_lookup_pid (snapshot, "get-holder-pid");
        g_autofree char *line = NULL;

        if (capacity > 0)
          {
            /* TRANSLATORS: items in a queue out of its maximum */
            line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u item", "%u of %u items", capacity),
                                    depth, capacity);
            fraction = (double) depth / capacity;
          }
        else
          {
            line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u item", "%u items", depth), depth);
            fraction = capacity_bytes > 0 ? (double) bytes / capacity_bytes : 0;
          }
        fy_inspector_append_line (state, line);
        if (capacity > 0 && depth >= capacity)
          fy_inspector_append_line (state, _("full"));
        if (fy_inspector_lookup_flag (snapshot, "closed"))
          fy_inspector_append_line (state, _("closed"));
        /* A blocked put sleeps holding the producers' lock, and a blocked
         * get the consumers': their holders are the blocked processes. */
        if (put_waiters > 0)
          {
            g_autofree char *who = holder != 0
                                   ? g_strdup_printf (_("producer PID %d blocked"), (int) holder)
                                   : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u producer blocked",
                                                                 "%u producers blocked", put_waiters),
                                                    put_waiters);
            fy_inspector_append_line (blocked, who);
          }
        if (get_waiters > 0)
          {
            g_autofree char *who = getter != 0
                                   ? g_strdup_printf (_("consumer PID %d blocked"), (int) getter)
                                   : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u consumer blocked",
                                                                 "%u consumers blocked", get_waiters),
                                                    get_waiters);
            fy_inspector_append_line (blocked, who);
          }
      }
      break;

    case FY_SHM_KIND_POOL_QUEUE:
      {
        g_autofree char *line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u item, %u in flight",
                                                              "%u items, %u in flight", depth),
                                                 depth,
                                                 (guint) fy_inspector_lookup_count (snapshot, "in-flight"));

        fy_inspector_append_line (state, line);
        fy_inspector_append_waiting (blocked, waiters);
      }
      break;

    case FY_SHM_KIND_SEMAPHORE:
      {
        guint32 value = 0;
        g_autofree char *line = NULL;

        g_variant_lookup (snapshot, "value", "u", &value);
        if (capacity > 0)
          {
            line = g_strdup_printf (_("%u of %u free"), value, capacity);
            fraction = (double) value / capacity;
          }
        else
          line = g_strdup_printf (_("%u free"), value);
        fy_inspector_append_line (state, line);
        fy_inspector_append_waiting (blocked, waiters);
      }
      break;

    case FY_SHM_KIND_EVENT:
      fy_inspector_append_line (state, fy_inspector_lookup_flag (snapshot, "set") ? _("set")
                                                                                  : _("clear"));
      fy_inspector_append_waiting (blocked, waiters);
      break;

    case FY_SHM_KIND_CONDITION:
      fy_inspector_append_line (state, holder != 0 ? _("lock held") : _("lock free"));
      fy_inspector_append_waiting (blocked, waiters);
      break;

    case FY_SHM_KIND_BARRIER:
      {
        guint arrivals = (guint) fy_inspector_lookup_count (snapshot, "arrivals");
        g_autofree char *line = g_strdup_printf (_("%u of %u arrived"),
                                                 arrivals, capacity);

        fy_inspector_append_line (state, line);
        if (fy_inspector_lookup_flag (snapshot, "broken"))
          fy_inspector_append_line (state, _("broken"));
        fraction = capacity > 0 ? (double) arrivals / capacity : -1;
        fy_inspector_append_waiting (blocked, arrivals);
      }
      break;

    case FY_SHM_KIND_LOCK:
    case FY_SHM_KIND_RLOCK:
    case FY_SHM_KIND_VALUE:
    case FY_SHM_KIND_ARRAY:
    case FY_SHM_KIND_DICT:
    case FY_SHM_KIND_LIST:
    case FY_SHM_KIND_NONE:
    case FY_SHM_N_KINDS:
    default:
      break;
    }
  return fraction;
}

void
fy_inspector_append_recoveries (FyShmKind  kind,
                                GVariant  *snapshot,
                                GString   *state)
{
  guint recoveries = (guint) fy_inspector_lookup_count (snapshot, "recoveries");

  if (recoveries > 0 && kind != FY_SHM_KIND_LOCK && kind != FY_SHM_KIND_RLOCK)
    {
      g_autofree char *line = g_strdup_printf (_("lock recovered %u times"), recoveries);

      fy_inspector_append_line (state, line);
    }
  else if (recoveries > 0)
    {
      g_autofree char *line = g_strdup_printf (_("recovered %u times from a dead holder"),
                                               recoveries);

      fy_inspector_append_line (state, line);
    }
}
