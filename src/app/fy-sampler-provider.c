/* fy-sampler-provider.c: where a widget finds the shared CPU sampler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Forkyard"

#include "config.h"

#include "fy-sampler-provider.h"

G_DEFINE_INTERFACE (FySamplerProvider, fy_sampler_provider, G_TYPE_OBJECT)

static void
fy_sampler_provider_default_init (FySamplerProviderInterface *iface)
{
}

FySamplerProvider *
fy_sampler_provider_find (GtkWidget *widget)
{
  GtkRoot *root;
  GtkApplication *app;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  root = gtk_widget_get_root (widget);
  app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  return FY_IS_SAMPLER_PROVIDER (app) ? FY_SAMPLER_PROVIDER (app) : NULL;
}

FyCpuSampler *
fy_sampler_provider_get_cpu_sampler (FySamplerProvider *self)
{
  g_return_val_if_fail (FY_IS_SAMPLER_PROVIDER (self), NULL);

  return FY_SAMPLER_PROVIDER_GET_IFACE (self)->get_cpu_sampler (self);
}

void
fy_sampler_provider_hold_sampler (FySamplerProvider *self)
{
  g_return_if_fail (FY_IS_SAMPLER_PROVIDER (self));

  FY_SAMPLER_PROVIDER_GET_IFACE (self)->hold_sampler (self);
}

void
fy_sampler_provider_release_sampler (FySamplerProvider *self)
{
  g_return_if_fail (FY_IS_SAMPLER_PROVIDER (self));

  FY_SAMPLER_PROVIDER_GET_IFACE (self)->release_sampler (self);
}
