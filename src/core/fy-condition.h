/* fy-condition.h: a process-shared condition variable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * multiprocessing.Condition without a process-shared pthread condvar (which
 * can hang its destroyer when a waiter was killed): a futex sequence word and
 * a count of wake-up grants, under the condition's own robust lock. notify (n)
 * wakes exactly min (n, waiting) waiters.
 */

#pragma once

#include "fy-lock.h"

G_BEGIN_DECLS

#define FY_CONDITION_ERROR (fy_condition_error_quark ())

typedef enum
{
  FY_CONDITION_ERROR_NOT_HELD,   /* wait or notify without holding the lock */
} FyConditionError;

GQuark fy_condition_error_quark (void);

#define FY_TYPE_CONDITION (fy_condition_get_type ())
G_DECLARE_FINAL_TYPE (FyCondition, fy_condition, FY, CONDITION, GObject)

typedef gboolean (*FyConditionPredicate) (gpointer user_data);

FyCondition *fy_condition_new         (const char            *name,
                                       GError               **error);
FyCondition *fy_condition_new_from_fd (int                    fd,
                                       GError               **error);
int          fy_condition_get_fd      (FyCondition           *self);
FyShm       *fy_condition_get_shm     (FyCondition           *self);
/* The lock the condition is used with (transfer none). */
FyLock      *fy_condition_get_lock    (FyCondition           *self);

/* Shorthands for the lock. */
gboolean     fy_condition_acquire     (FyCondition           *self,
                                       double                 timeout_seconds,
                                       GError               **error);
gboolean     fy_condition_release     (FyCondition           *self,
                                       GError               **error);

/* With the lock held: releases it, sleeps until notified or the timeout
 * (< 0: forever) passes, re-acquires it. FALSE without error on timeout. */
gboolean     fy_condition_wait        (FyCondition           *self,
                                       double                 timeout_seconds,
                                       GError               **error);
/* Waits until @predicate returns TRUE; FALSE (without error) when it is
 * still FALSE at the timeout. */
gboolean     fy_condition_wait_for    (FyCondition           *self,
                                       FyConditionPredicate   predicate,
                                       gpointer               user_data,
                                       double                 timeout_seconds,
                                       GError               **error);
/* With the lock held. */
gboolean     fy_condition_notify      (FyCondition           *self,
                                       guint                  n,
                                       GError               **error);
gboolean     fy_condition_notify_all  (FyCondition           *self,
                                       GError               **error);
/* Waiters not yet notified. */
guint        fy_condition_get_n_waiting (FyCondition         *self);

G_END_DECLS
