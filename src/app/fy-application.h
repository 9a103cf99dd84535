/* fy-application.h: the Forkyard application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "monitor/fy-cpu-sampler.h"

#include "fy-sampler-provider.h"

G_BEGIN_DECLS

#define FY_TYPE_APPLICATION (fy_application_get_type ())
G_DECLARE_FINAL_TYPE (FyApplication, fy_application, FY, APPLICATION, AdwApplication)

FyApplication *fy_application_new          (void);
GSettings     *fy_application_get_settings (FyApplication *self);
/* The CPU sampler every page shares (FyApplication is its
 * FySamplerProvider). It samples only while held (by a page
 * that is shown) and not paused by the app.pause-monitor action. */
FyCpuSampler  *fy_application_get_cpu_sampler (FyApplication *self);
void           fy_application_hold_sampler    (FyApplication *self);
void           fy_application_release_sampler (FyApplication *self);

G_END_DECLS
