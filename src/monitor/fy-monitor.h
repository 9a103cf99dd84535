/* fy-monitor.h: the monitor library in one include
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fy-cpu-sampler.h"
#include "fy-default-source.h"
#include "fy-fake-source.h"
#include "fy-gtop-source.h"
#include "fy-history.h"
#include "fy-process-sampler.h"
#include "fy-sample-source.h"
