/* fy-sampler-provider.h: where a widget finds the shared CPU sampler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pages that draw CPU figures share one sampler, which the application
 * makes and runs only while something shown holds it. They reach it
 * through this interface rather than through FyApplication itself: the
 * application includes the window, which includes the pages, so a page
 * that included the application's header would close a loop in the
 * include graph.
 */

#pragma once

#include <gtk/gtk.h>

#include "monitor/fy-monitor.h"

G_BEGIN_DECLS

#define FY_TYPE_SAMPLER_PROVIDER (fy_sampler_provider_get_type ())
G_DECLARE_INTERFACE (FySamplerProvider, fy_sampler_provider, FY, SAMPLER_PROVIDER, GObject)

struct _FySamplerProviderInterface
{
  GTypeInterface parent_iface;

  FyCpuSampler *(*get_cpu_sampler) (FySamplerProvider *self);
  void          (*hold_sampler)    (FySamplerProvider *self);
  void          (*release_sampler) (FySamplerProvider *self);
};

/* The provider of @widget's window's application, or NULL (not in a
 * window yet, or an application that provides none, as in tests). */
FySamplerProvider *fy_sampler_provider_find            (GtkWidget         *widget);
/* The shared sampler, made on first use. */
FyCpuSampler      *fy_sampler_provider_get_cpu_sampler (FySamplerProvider *self);
/* The sampler runs while held at least once (and not paused by the user). */
void               fy_sampler_provider_hold_sampler    (FySamplerProvider *self);
void               fy_sampler_provider_release_sampler (FySamplerProvider *self);

G_END_DECLS
