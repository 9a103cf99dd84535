/* fy-playground-page.h: the Playground page — classic examples beside the inspector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sidebar of scenarios (workloads/fy-scenario.h); for the selected one
 * its explanation, the Python idea beside the C calls, a Run button, the
 * lines it prints as it runs and its outcome; and the IPC inspector with
 * the shared objects the run creates. Scenarios run on a thread of their
 * own, so the main loop never waits for them.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FY_TYPE_PLAYGROUND_PAGE (fy_playground_page_get_type ())
G_DECLARE_FINAL_TYPE (FyPlaygroundPage, fy_playground_page, FY, PLAYGROUND_PAGE, GtkWidget)

GtkWidget  *fy_playground_page_new           (void);
/* The selected scenario's name. */
const char *fy_playground_page_get_scenario  (FyPlaygroundPage *self);
gboolean    fy_playground_page_set_scenario  (FyPlaygroundPage *self,
                                              const char       *name);
/* Whether a scenario is running now. */
gboolean    fy_playground_page_get_running   (FyPlaygroundPage *self);

G_END_DECLS
