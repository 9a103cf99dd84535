/* fy-inspector-row.c: one live shared object as the IPC inspector shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include <glib/gi18n.h>

#include "core/fy-array.h"
#include "core/fy-barrier.h"
#include "core/fy-dict.h"
#include "core/fy-event.h"
#include "core/fy-list.h"
#include "core/fy-queue.h"
#include "core/fy-value.h"

#include "fy-inspector-contents.h"
#include "fy-inspector-row.h"
#include "fy-inspector-state.h"

/* Rates are counted over windows at least this long, so one frame's
 * jitter does not make them jump. */
#define RATE_WINDOW_US (250 * 1000)
#define HISTORY_LENGTH 60

struct _FyInspectorRow
{
  GObject          parent_instance;

  FyShm           *shm;
  FyShmKind        kind;
  GObject         *handle;       /* the object mapped again, for contents and pokes */

  char            *state;
  char            *blocked;
  char            *rates;
  double           fraction;
  FyHistory       *history;
  guint64          revision;
  double           peak;         /* the highest rate the history holds, at least 10 */

  guint64          last_ops;     /* puts + gets at the start of the rate window */
  guint64          last_puts;
  gint64           window_start;
  guint64          contents_puts; /* the write count the contents were read at */
  char            *contents;
  GPid             holder;
  gint64           held_since;
};

G_DEFINE_FINAL_TYPE (FyInspectorRow, fy_inspector_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_NAME,
  PROP_STATE,
  PROP_BLOCKED,
  PROP_RATES,
  PROP_FRACTION,
  PROP_HISTORY,
  PROP_REVISION,
  PROP_POKE_LABEL,
  PROP_PEAK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_text (FyInspectorRow  *self,
          char           **field,
          char            *text,
          guint            prop)
{
  if (g_strcmp0 (*field, text) == 0)
    {
      g_free (text);
      return;
    }
  g_free (*field);
  *field = text;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static gpointer
open_handle (FyInspectorRow *self)
{
  int fd = fy_shm_get_fd (self->shm);
  g_autoptr(GError) error = NULL;
  GObject *handle = NULL;

  if (self->handle != NULL)
    return self->handle;

  switch (self->kind)
    {
    case FY_SHM_KIND_QUEUE: handle = G_OBJECT (fy_queue_new_from_fd (fd, &error)); break;
    case FY_SHM_KIND_VALUE: handle = G_OBJECT (fy_value_new_from_fd (fd, &error)); break;
    case FY_SHM_KIND_ARRAY: handle = G_OBJECT (fy_array_new_from_fd (fd, &error)); break;
    case FY_SHM_KIND_DICT: handle = G_OBJECT (fy_dict_new_from_fd (fd, &error)); break;
    case FY_SHM_KIND_LIST: handle = G_OBJECT (fy_list_new_from_fd (fd, &error)); break;
    case FY_SHM_KIND_EVENT: handle = G_OBJECT (fy_event_new_from_fd (fd, &error)); break;
    case FY_SHM_KIND_BARRIER: handle = G_OBJECT (fy_barrier_new_from_fd (fd, &error)); break;
    case FY_SHM_KIND_NONE:
    case FY_SHM_KIND_LOCK:
    case FY_SHM_KIND_RLOCK:
    case FY_SHM_KIND_SEMAPHORE:
    case FY_SHM_KIND_CONDITION:
    case FY_SHM_KIND_POOL_QUEUE:
    case FY_SHM_N_KINDS:
    default:
      break;
    }
  if (error != NULL)
    g_debug ("Cannot map %s again: %s", fy_shm_get_name (self->shm), error->message);
  self->handle = handle;
  return handle;
}

static char *
holder_text (FyInspectorRow *self,
             GPid            holder,
             gint64          now)
{
  if (holder != self->holder)
    {
      self->holder = holder;
      self->held_since = now;
    }
  if (holder == 0)
    return g_strdup (_("free"));
  /* TRANSLATORS: a lock's holder and for how long it has held it */
  return g_strdup_printf (_("held by PID %d for %.1f s"), (int) holder,
                          (now - self->held_since) / (double) G_USEC_PER_SEC);
}

static void
update_rates (FyInspectorRow *self,
              guint64         puts,
              guint64         gets,
              gint64          now)
{
  gint64 elapsed = now - self->window_start;
  guint64 ops = puts + gets;
  double per_second;

  if (self->window_start == 0)
    {
      self->window_start = now;
      self->last_ops = ops;
      self->last_puts = puts;
      return;
    }
  if (elapsed < RATE_WINDOW_US)
    return;

  per_second = (ops - MIN (ops, self->last_ops)) * (double) G_USEC_PER_SEC / elapsed;
  fy_history_push (self->history, per_second);
  {
    /* The sparkline's scale follows the busiest moment it shows. */
    double peak = 10;

    for (guint i = 0; i < fy_history_get_length (self->history); i++)
      peak = MAX (peak, fy_history_get (self->history, i));
    if (peak != self->peak)
      {
        self->peak = peak;
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEAK]);
      }
  }
  self->revision++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVISION]);

  if (per_second > 0)
    {
      double puts_per_second = (puts - MIN (puts, self->last_puts)) * (double) G_USEC_PER_SEC / elapsed;

      if (self->kind == FY_SHM_KIND_VALUE || self->kind == FY_SHM_KIND_ARRAY)
        /* TRANSLATORS: stores into a shared value or array per second */
        set_text (self, &self->rates, g_strdup_printf (_("%.0f writes/s"), puts_per_second),
                  PROP_RATES);
      else
        /* TRANSLATORS: operations per second on a shared object */
        set_text (self, &self->rates,
                  g_strdup_printf (_("%.0f puts/s, %.0f gets/s"), puts_per_second, per_second - puts_per_second),
                  PROP_RATES);
    }
  else
    set_text (self, &self->rates, g_strdup (""), PROP_RATES);

  self->window_start = now;
  self->last_ops = ops;
  self->last_puts = puts;
}

static void
fy_inspector_row_dispose (GObject *object)
{
  FyInspectorRow *self = FY_INSPECTOR_ROW (object);

  g_clear_object (&self->handle);
  g_clear_object (&self->history);
  g_clear_object (&self->shm);

  G_OBJECT_CLASS (fy_inspector_row_parent_class)->dispose (object);
}

static void
fy_inspector_row_finalize (GObject *object)
{
  FyInspectorRow *self = FY_INSPECTOR_ROW (object);

  g_free (self->state);
  g_free (self->blocked);
  g_free (self->rates);
  g_free (self->contents);

  G_OBJECT_CLASS (fy_inspector_row_parent_class)->finalize (object);
}

static void
fy_inspector_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  FyInspectorRow *self = FY_INSPECTOR_ROW (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_string (value, fy_inspector_row_get_kind (self));
      break;

    case PROP_NAME:
      g_value_set_string (value, fy_inspector_row_get_name (self));
      break;

    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;

    case PROP_BLOCKED:
      g_value_set_string (value, self->blocked);
      break;

    case PROP_RATES:
      g_value_set_string (value, self->rates);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;

    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;

    case PROP_REVISION:
      g_value_set_uint64 (value, self->revision);
      break;

    case PROP_POKE_LABEL:
      g_value_set_string (value, fy_inspector_row_get_poke_label (self));
      break;

    case PROP_PEAK:
      g_value_set_double (value, self->peak);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fy_inspector_row_class_init (FyInspectorRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fy_inspector_row_dispose;
  object_class->finalize = fy_inspector_row_finalize;
  object_class->get_property = fy_inspector_row_get_property;

  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BLOCKED] =
    g_param_spec_string ("blocked", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RATES] =
    g_param_spec_string ("rates", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, -1, 1, -1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, FY_TYPE_HISTORY,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVISION] =
    g_param_spec_uint64 ("revision", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POKE_LABEL] =
    g_param_spec_string ("poke-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PEAK] =
    g_param_spec_double ("peak", NULL, NULL, 0, G_MAXDOUBLE, 10,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fy_inspector_row_init (FyInspectorRow *self)
{
  self->fraction = -1;
  self->peak = 10;
  self->state = g_strdup ("");
  self->blocked = g_strdup ("");
  self->rates = g_strdup ("");
  self->history = fy_history_new (HISTORY_LENGTH);
}

FyInspectorRow *
fy_inspector_row_new (FyShm *shm)
{
  FyInspectorRow *self;

  g_return_val_if_fail (FY_IS_SHM (shm), NULL);

  self = g_object_new (FY_TYPE_INSPECTOR_ROW, NULL);
  self->shm = g_object_ref (shm);
  self->kind = fy_shm_get_kind (shm);
  return self;
}

FyShm *
fy_inspector_row_get_shm (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), NULL);
  return self->shm;
}

const char *
fy_inspector_row_get_kind (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), NULL);

  switch (self->kind)
    {
    case FY_SHM_KIND_LOCK: return _("Lock");
    case FY_SHM_KIND_RLOCK: return _("RLock");
    case FY_SHM_KIND_SEMAPHORE: return _("Semaphore");
    case FY_SHM_KIND_EVENT: return _("Event");
    case FY_SHM_KIND_CONDITION: return _("Condition");
    case FY_SHM_KIND_BARRIER: return _("Barrier");
    case FY_SHM_KIND_QUEUE: return _("Queue");
    case FY_SHM_KIND_VALUE: return _("Value");
    case FY_SHM_KIND_ARRAY: return _("Array");
    case FY_SHM_KIND_DICT: return _("Dict");
    case FY_SHM_KIND_LIST: return _("List");
    case FY_SHM_KIND_POOL_QUEUE: return _("Pool queue");
    case FY_SHM_KIND_NONE:
    case FY_SHM_N_KINDS:
    default:
      return fy_shm_get_kind_name (self->shm);
    }
}

const char *
fy_inspector_row_get_name (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), NULL);
  return fy_shm_get_name (self->shm);
}

const char *
fy_inspector_row_get_state (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), NULL);
  return self->state;
}

const char *
fy_inspector_row_get_blocked (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), NULL);
  return self->blocked;
}

const char *
fy_inspector_row_get_rates (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), NULL);
  return self->rates;
}

double
fy_inspector_row_get_fraction (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), -1);
  return self->fraction;
}

FyHistory *
fy_inspector_row_get_history (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), NULL);
  return self->history;
}

guint64
fy_inspector_row_get_revision (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), 0);
  return self->revision;
}

FyInspectorPoke
fy_inspector_row_get_poke (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), FY_INSPECTOR_POKE_NONE);

  switch (self->kind)
    {
    case FY_SHM_KIND_QUEUE: return FY_INSPECTOR_POKE_PUT;
    case FY_SHM_KIND_VALUE: return FY_INSPECTOR_POKE_SET;
    case FY_SHM_KIND_EVENT: return FY_INSPECTOR_POKE_EVENT;
    case FY_SHM_KIND_BARRIER: return FY_INSPECTOR_POKE_BREAK;
    case FY_SHM_KIND_NONE:
    case FY_SHM_KIND_LOCK:
    case FY_SHM_KIND_RLOCK:
    case FY_SHM_KIND_SEMAPHORE:
    case FY_SHM_KIND_CONDITION:
    case FY_SHM_KIND_ARRAY:
    case FY_SHM_KIND_DICT:
    case FY_SHM_KIND_LIST:
    case FY_SHM_KIND_POOL_QUEUE:
    case FY_SHM_N_KINDS:
    default:
      return FY_INSPECTOR_POKE_NONE;
    }
}

const char *
fy_inspector_row_get_poke_label (FyInspectorRow *self)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), NULL);

  switch (fy_inspector_row_get_poke (self))
    {
    case FY_INSPECTOR_POKE_PUT: return _("Put");
    case FY_INSPECTOR_POKE_SET: return _("Set Value");
    case FY_INSPECTOR_POKE_EVENT:
      return open_handle (self) != NULL && fy_event_is_set (FY_EVENT (self->handle))
             ? _("Clear Event") : _("Set Event");
    case FY_INSPECTOR_POKE_BREAK: return _("Break");
    case FY_INSPECTOR_POKE_NONE:
    default:
      return NULL;
    }
}

void
fy_inspector_row_update (FyInspectorRow *self,
                         gint64          now)
{
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GString) state = g_string_new (NULL);
  g_autoptr(GString) blocked = g_string_new (NULL);
  guint64 puts, gets;
  guint depth, lock_waiters;
  GPid holder;
  double fraction;

  g_return_if_fail (FY_IS_INSPECTOR_ROW (self));

  snapshot = fy_shm_snapshot (self->shm);
  puts = fy_inspector_lookup_count (snapshot, "puts");
  gets = fy_inspector_lookup_count (snapshot, "gets");
  depth = (guint) fy_inspector_lookup_count (snapshot, "depth");
  lock_waiters = (guint) fy_inspector_lookup_count (snapshot, "lock-waiters");
  holder = fy_inspector_lookup_pid (snapshot, "holder-pid");

  /* The kinds whose snapshot says it all, then those that need more. */
  fraction = fy_inspector_describe (self->kind, snapshot, state, blocked);
  switch (self->kind)
    {
    case FY_SHM_KIND_LOCK:
    case FY_SHM_KIND_RLOCK:
      {
        g_autofree char *line = holder_text (self, holder, now);

        fy_inspector_append_line (state, line);
        if (self->kind == FY_SHM_KIND_RLOCK && holder != 0)
          {
            g_autofree char *level = g_strdup_printf (_("taken %u times"), depth);

            fy_inspector_append_line (state, level);
          }
        fy_inspector_append_waiting (blocked, lock_waiters);
      }
      break;

    case FY_SHM_KIND_VALUE:
      {
        g_autoptr(GVariant) value = g_variant_lookup_value (snapshot, "value", NULL);
        g_autofree char *printed = value != NULL ? g_variant_print (value, FALSE) : g_strdup ("?");

        fy_inspector_append_line (state, printed);
        if (holder != 0)
          {
            g_autofree char *line = holder_text (self, holder, now);

            fy_inspector_append_line (state, line);
          }
        fy_inspector_append_waiting (blocked, lock_waiters);
      }
      break;

    case FY_SHM_KIND_ARRAY:
      if (open_handle (self) != NULL)
        {
          g_autofree char *contents = fy_inspector_array_contents (FY_ARRAY (self->handle));

          fy_inspector_append_line (state, contents);
        }
      break;

    case FY_SHM_KIND_DICT:
    case FY_SHM_KIND_LIST:
      if (open_handle (self) != NULL)
        {
          if (self->contents == NULL || puts != self->contents_puts)
            {
              g_free (self->contents);
              /* Read under its lock, but only when its write count moved,
               * so an idle dict or list costs no lock at all. */
              self->contents = fy_inspector_collection_contents (self->handle);
              self->contents_puts = puts;
            }
          fy_inspector_append_line (state, self->contents);
        }
      break;

    case FY_SHM_KIND_QUEUE:
    case FY_SHM_KIND_POOL_QUEUE:
    case FY_SHM_KIND_SEMAPHORE:
    case FY_SHM_KIND_EVENT:
    case FY_SHM_KIND_CONDITION:
    case FY_SHM_KIND_BARRIER:
    case FY_SHM_KIND_NONE:
    case FY_SHM_N_KINDS:
    default:
      break;
    }
  fy_inspector_append_recoveries (self->kind, snapshot, state);

  set_text (self, &self->state, g_string_free (g_steal_pointer (&state), FALSE), PROP_STATE);
  set_text (self, &self->blocked, g_string_free (g_steal_pointer (&blocked), FALSE), PROP_BLOCKED);
  if (fraction != self->fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  update_rates (self, puts, gets, now);
  if (self->kind == FY_SHM_KIND_EVENT)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POKE_LABEL]);
}

static GVariant *
parse_item (const char  *text,
            GError     **error)
{
  g_autoptr(GVariant) parsed = g_variant_parse (NULL, text, NULL, NULL, NULL);

  /* Numbers go in as int64, as the scenarios' items are; anything that
   * is not a GVariant text goes in as a string. */
  if (parsed != NULL && g_variant_is_of_type (parsed, G_VARIANT_TYPE_INT32))
    return g_variant_new_int64 (g_variant_get_int32 (parsed));
  if (parsed != NULL)
    return g_steal_pointer (&parsed);
  return g_variant_new_string (text);
}

gboolean
fy_inspector_row_poke (FyInspectorRow  *self,
                       const char      *text,
                       GError         **error)
{
  g_return_val_if_fail (FY_IS_INSPECTOR_ROW (self), FALSE);

  if (fy_inspector_row_get_poke (self) == FY_INSPECTOR_POKE_NONE || open_handle (self) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("A %s cannot be poked"), fy_inspector_row_get_kind (self));
      return FALSE;
    }

  switch (fy_inspector_row_get_poke (self))
    {
    case FY_INSPECTOR_POKE_PUT:
      /* put_nowait: the main loop never waits for room. */
      return fy_queue_put (FY_QUEUE (self->handle), parse_item (text != NULL ? text : "0", error), 0, error);

    case FY_INSPECTOR_POKE_SET:
      {
        FyValue *value = FY_VALUE (self->handle);
        FyValueType type = fy_value_get_value_type (value);
        const char *input = text != NULL ? g_strstrip (g_strdup (text)) : NULL;
        g_autofree char *owned = (char *) input;
        char *end = NULL;

        if (input == NULL || *input == '\0')
          {
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Type a number first"));
            return FALSE;
          }
        if (type == FY_VALUE_TYPE_FLOAT || type == FY_VALUE_TYPE_DOUBLE)
          {
            double d = g_ascii_strtod (input, &end);

            if (*end != '\0')
              goto not_a_number;
            fy_value_set_double (value, d);
          }
        else
          {
            gint64 n = g_ascii_strtoll (input, &end, 10);

            if (*end != '\0')
              goto not_a_number;
            fy_value_set_int (value, n);
          }
        return TRUE;

      not_a_number:
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("“%s” is not a number"), input);
        return FALSE;
      }

    case FY_INSPECTOR_POKE_EVENT:
      if (fy_event_is_set (FY_EVENT (self->handle)))
        fy_event_clear (FY_EVENT (self->handle));
      else
        fy_event_set (FY_EVENT (self->handle));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POKE_LABEL]);
      return TRUE;

    case FY_INSPECTOR_POKE_BREAK:
      fy_barrier_abort (FY_BARRIER (self->handle));
      return TRUE;

    case FY_INSPECTOR_POKE_NONE:
    default:
      g_assert_not_reached ();
    }
}
