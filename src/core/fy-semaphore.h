/* fy-semaphore.h: process-shared counting semaphores, plain and bounded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.Semaphore and BoundedSemaphore on one futex word: acquire
 * never spins, and a blocked acquire sleeps in the kernel until a release.
 */

#pragma once

#include "fy-shm.h"

G_BEGIN_DECLS

#define FY_SEMAPHORE_ERROR (fy_semaphore_error_quark ())

typedef enum
{
  FY_SEMAPHORE_ERROR_TIMED_OUT,     /* the count stayed at 0 */
  FY_SEMAPHORE_ERROR_OVER_RELEASED, /* a bounded semaphore released too often */
} FySemaphoreError;

GQuark fy_semaphore_error_quark (void);

#define FY_TYPE_SEMAPHORE (fy_semaphore_get_type ())
G_DECLARE_FINAL_TYPE (FySemaphore, fy_semaphore, FY, SEMAPHORE, GObject)

FySemaphore *fy_semaphore_new         (const char   *name,
                                       guint         value,
                                       GError      **error);
/* Releasing above @value is an error. */
FySemaphore *fy_semaphore_new_bounded (const char   *name,
                                       guint         value,
                                       GError      **error);
FySemaphore *fy_semaphore_new_from_fd (int           fd,
                                       GError      **error);
int          fy_semaphore_get_fd      (FySemaphore  *self);
FyShm       *fy_semaphore_get_shm     (FySemaphore  *self);

/* @timeout_seconds < 0 blocks, 0 tries once. */
gboolean     fy_semaphore_acquire     (FySemaphore  *self,
                                       double        timeout_seconds,
                                       GError      **error);
gboolean     fy_semaphore_release     (FySemaphore  *self,
                                       GError      **error);
guint        fy_semaphore_get_value   (FySemaphore  *self);
gboolean     fy_semaphore_is_bounded  (FySemaphore  *self);

G_END_DECLS
