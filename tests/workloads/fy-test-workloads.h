/* fy-test-workloads.h: what several workload tests do, written once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* Runs the registered workload @name on @argument (sunk) in this process,
 * checking the argument's and the result's types against the registry. */
GVariant  *fy_test_run_workload (const char  *name,
                                 GVariant    *argument,
                                 GError     **error);
/* Loads a JPEG or PNG with the loader its bytes name; @out_format gets
 * "jpeg" or "png" when not NULL. */
GdkPixbuf *fy_test_load_image   (const char  *path,
                                 char       **out_format);
/* A new directory inside this test's own cache directory, which
 * G_TEST_OPTION_ISOLATE_DIRS removes with everything in it after the
 * test. */
char      *fy_test_make_tmp_dir (void);

G_END_DECLS
