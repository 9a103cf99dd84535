/* test-shm.c: anonymous sealed mappings and the registry of live objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/fy-lock.h"
#include "core/fy-queue.h"
#include "core/fy-registry.h"
#include "core/fy-shm.h"
#include "core/fy-value.h"

static void
test_create (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyShm) shm = fy_shm_new (FY_SHM_KIND_VALUE, "answer", 100, &error);
  g_autofree char *link = NULL;
  g_autofree char *proc = NULL;
  int seals;

  g_assert_no_error (error);
  g_assert_nonnull (shm);
  g_assert_cmpstr (fy_shm_get_name (shm), ==, "answer");
  g_assert_cmpstr (fy_shm_get_kind_name (shm), ==, "value");
  g_assert_cmpint (fy_shm_get_kind (shm), ==, FY_SHM_KIND_VALUE);
  g_assert_cmpuint (fy_shm_get_data_size (shm), >=, 100);
  g_assert_cmpint (fy_shm_get_creator_pid (shm), ==, getpid ());
  g_assert_cmpint (fy_shm_get_holder_pid (shm), ==, 0);

  /* Close-on-exec, sealed at its size, and not a /dev/shm name. */
  g_assert_cmpint (fcntl (fy_shm_get_fd (shm), F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
  seals = fcntl (fy_shm_get_fd (shm), F_GET_SEALS);
  g_assert_cmpint (seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), ==,
                   F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
  g_assert_cmpint (ftruncate (fy_shm_get_fd (shm), 0), ==, -1);
  proc = g_strdup_printf ("/proc/self/fd/%d", fy_shm_get_fd (shm));
  link = g_file_read_link (proc, NULL);
  g_assert_nonnull (link);
  g_assert_true (g_str_has_prefix (link, "/memfd:"));

  /* Writes through one mapping are seen through another of the same fd. */
  {
    g_autoptr(FyShm) other = fy_shm_new_from_fd (fy_shm_get_fd (shm), FY_SHM_KIND_VALUE, &error);

    g_assert_no_error (error);
    g_assert_cmpint (fy_shm_get_fd (other), !=, fy_shm_get_fd (shm));
    g_assert_cmpstr (fy_shm_get_name (other), ==, "answer");
    memcpy (fy_shm_get_data (shm), "hello", 6);
    g_assert_cmpstr (fy_shm_get_data (other), ==, "hello");
  }
}

static void
test_made_up_names (void)
{
  g_autoptr(FyShm) a = fy_shm_new (FY_SHM_KIND_QUEUE, NULL, 8, NULL);
  g_autoptr(FyShm) b = fy_shm_new (FY_SHM_KIND_QUEUE, NULL, 8, NULL);

  g_assert_true (g_str_has_prefix (fy_shm_get_name (a), "queue-"));
  g_assert_cmpstr (fy_shm_get_name (a), !=, fy_shm_get_name (b));
}

static void
test_invalid_fds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FyShm) shm = fy_shm_new (FY_SHM_KIND_LOCK, "l", 8, NULL);
  FyShm *mapped;
  int fds[2];
  int unsealed;

  /* Wrong kind. */
  mapped = fy_shm_new_from_fd (fy_shm_get_fd (shm), FY_SHM_KIND_QUEUE, &error);
  g_assert_null (mapped);
  g_assert_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID);
  g_clear_error (&error);

  /* A pipe is no shared object. */
  g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
  mapped = fy_shm_new_from_fd (fds[0], FY_SHM_KIND_NONE, &error);
  g_assert_null (mapped);
  g_assert_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID);
  g_clear_error (&error);
  close (fds[0]);
  close (fds[1]);

  /* A memfd that could still shrink under us is refused. */
  unsealed = memfd_create ("unsealed", MFD_CLOEXEC);
  g_assert_cmpint (ftruncate (unsealed, 4096), ==, 0);
  mapped = fy_shm_new_from_fd (unsealed, FY_SHM_KIND_NONE, &error);
  g_assert_null (mapped);
  g_assert_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID);
  g_clear_error (&error);
  close (unsealed);

  /* Sealed, but garbage inside: no magic. */
  unsealed = memfd_create ("garbage", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  g_assert_cmpint (ftruncate (unsealed, 4096), ==, 0);
  g_assert_cmpint (fcntl (unsealed, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), ==, 0);
  mapped = fy_shm_new_from_fd (unsealed, FY_SHM_KIND_NONE, &error);
  g_assert_null (mapped);
  g_assert_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID);
  g_clear_error (&error);
  close (unsealed);

  /* The typed constructors check the kind as well. */
  {
    FyQueue *queue = fy_queue_new_from_fd (fy_shm_get_fd (shm), &error);

    g_assert_null (queue);
    g_assert_error (error, FY_SHM_ERROR, FY_SHM_ERROR_INVALID);
  }
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  int *changes = user_data;

  *changes += added - removed;
}

static FyShm *
find_in_registry (const char *name)
{
  GListModel *model = G_LIST_MODEL (fy_registry_get_default ());

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(FyShm) shm = g_list_model_get_item (model, i);

      if (g_str_equal (fy_shm_get_name (shm), name))
        return g_steal_pointer (&shm);
    }
  return NULL;
}

static void
test_registry (void)
{
  FyRegistry *registry = fy_registry_get_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FyShm) listed = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  FyQueue *queue;
  FyValue *value;
  FyLock *lock;
  guint before;
  int changes = 0;
  gulong handler;
  guint32 depth = 0;
  const char *kind = NULL;

  g_assert_true (G_IS_LIST_MODEL (registry));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (registry)) == FY_TYPE_SHM);
  before = g_list_model_get_n_items (G_LIST_MODEL (registry));
  handler = g_signal_connect (registry, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  queue = fy_queue_new ("registry-queue", 6, &error);
  g_assert_no_error (error);
  value = fy_value_new ("registry-value", FY_VALUE_TYPE_INT32, TRUE, &error);
  g_assert_no_error (error);
  lock = fy_lock_new ("registry-lock", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, before + 3);
  g_assert_cmpint (changes, ==, 3);

  /* The snapshot reads the shared memory itself. */
  g_assert_true (fy_queue_put (queue, g_variant_new_int32 (1), 0, &error));
  g_assert_true (fy_queue_put (queue, g_variant_new_int32 (2), 0, &error));
  listed = find_in_registry ("registry-queue");
  g_assert_nonnull (listed);
  snapshot = fy_shm_snapshot (listed);
  g_assert_true (g_variant_lookup (snapshot, "kind", "&s", &kind));
  g_assert_cmpstr (kind, ==, "queue");
  g_assert_true (g_variant_lookup (snapshot, "depth", "u", &depth));
  g_assert_cmpuint (depth, ==, 2);
  {
    guint32 capacity = 0;
    guint64 puts = 0;

    g_assert_true (g_variant_lookup (snapshot, "capacity", "u", &capacity));
    g_assert_cmpuint (capacity, ==, 6);
    g_assert_true (g_variant_lookup (snapshot, "puts", "t", &puts));
    g_assert_cmpuint (puts, ==, 2);
  }
  g_clear_pointer (&snapshot, g_variant_unref);

  /* The holder pid shows while the lock is held. */
  {
    g_autoptr(FyShm) lock_shm = find_in_registry ("registry-lock");
    gint32 holder = -1;

    g_assert_true (fy_lock_acquire (lock, -1, &error));
    snapshot = fy_shm_snapshot (lock_shm);
    g_assert_true (g_variant_lookup (snapshot, "holder-pid", "i", &holder));
    g_assert_cmpint (holder, ==, getpid ());
    g_clear_pointer (&snapshot, g_variant_unref);
    g_assert_true (fy_lock_release (lock, &error));
    snapshot = fy_shm_snapshot (lock_shm);
    g_assert_true (g_variant_lookup (snapshot, "holder-pid", "i", &holder));
    g_assert_cmpint (holder, ==, 0);
    g_clear_pointer (&snapshot, g_variant_unref);
  }

  {
    g_autoptr(GVariant) all = fy_registry_snapshot_all (registry);

    g_assert_cmpuint (g_variant_n_children (all), ==, before + 3);
  }

  /* Gone from the list with their owners. */
  g_object_unref (queue);
  g_object_unref (value);
  g_object_unref (lock);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, before);
  g_assert_cmpint (changes, ==, 0);
  g_signal_handler_disconnect (registry, handler);

  /* The listed mapping stays readable while someone holds it. */
  snapshot = fy_shm_snapshot (listed);
  g_assert_nonnull (snapshot);
}

static gpointer
create_lock_thread (gpointer data)
{
  return fy_lock_new ("registry-thread-lock", NULL);
}

/* Objects made in another thread reach the model through the registry's
 * main context, never from the creating thread. */
static void
test_registry_other_thread (void)
{
  FyRegistry *registry = fy_registry_get_default ();
  guint before = g_list_model_get_n_items (G_LIST_MODEL (registry));
  FyLock *lock = g_thread_join (g_thread_new ("create", create_lock_thread, NULL));
  gint64 start = g_get_monotonic_time ();

  g_assert_nonnull (lock);
  while (g_list_model_get_n_items (G_LIST_MODEL (registry)) == before)
    {
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, before + 1);
  {
    g_autoptr(FyShm) shm = find_in_registry ("registry-thread-lock");

    g_assert_nonnull (shm);
  }
  g_object_unref (lock);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/core/shm/create", test_create);
  g_test_add_func ("/core/shm/made-up-names", test_made_up_names);
  g_test_add_func ("/core/shm/invalid-fds", test_invalid_fds);
  g_test_add_func ("/core/registry/list", test_registry);
  g_test_add_func ("/core/registry/other-thread", test_registry_other_thread);

  return g_test_run ();
}
