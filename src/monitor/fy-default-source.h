/* fy-default-source.h: which sample source the app and the CLI read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The choice between the running system and scripted cores sits above
 * both sources and the interface they implement, so the interface never
 * needs to know its implementations.
 */

#pragma once

#include "fy-sample-source.h"

G_BEGIN_DECLS

/* The system's source, or a fake one with N cores that advance by
 * themselves when FORKYARD_FAKE_CPUS=N is set (1 to 1024), so the app can
 * be tried with many cores on a small machine. */
FySampleSource *fy_default_source_new (void);

G_END_DECLS
