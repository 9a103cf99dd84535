/* fy-task-timeline-private.h: the timeline's state, shared by its two halves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fy-task-timeline.c is the widget, fy-task-timeline-record.c records
 * (pool signals, samples, scripts), fy-task-timeline-draw.c draws and
 * describes, fy-task-timeline-input.c moves the view and the selection;
 * this is their contract.
 */

#pragma once

#include "fy-graph-describer.h"
#include "fy-sampler-provider.h"
#include "fy-task-timeline.h"
#include "fy-timeline-layout.h"

G_BEGIN_DECLS

#define LANE_H              24.0
#define FY_TIMELINE_STRIP_H 48.0
#define NO_LEVEL            255

typedef struct
{
  GPid    pid;
  gint64  start;
} Segment;

typedef struct
{
  GArray *bars;      /* FyTimelineBar, in start order */
  GArray *segments;  /* Segment, in start order */
} Lane;

typedef struct
{
  FyFuture *future;  /* NULL for a scripted task */
  guint     lane;
  guint     bar;     /* its latest bar in its lane */
  guint64   cores;   /* cores its worker was seen on (bit per core < 64) */
} Task;

struct _FyTaskTimeline
{
  GtkWidget       parent_instance;

  FyPool         *pool;
  FyCpuSampler   *sampler;
  FySamplerProvider *held_provider;

  GArray         *lanes;     /* Lane */
  GArray         *tasks;     /* Task */
  GHashTable     *task_ids;  /* FyFuture → index + 1 */
  guint           n_state[FY_TIMELINE_N_STATES];
  guint           n_scripted;
  gint64          origin;

  /* The CPU strip: sample times and per-core heat levels. */
  GArray         *sample_times;   /* gint64 */
  GByteArray     *sample_levels;  /* n_cpus per sample */
  guint           strip_n_cpus;

  gboolean        follow;
  gint64          view_start;
  double          us_per_px;
  guint           tick_id;

  int             selected;  /* task index or -1 */
  double          pointer_x;
  double          zoom_scale;

  /* Cached layers. The legend depends on the style alone; the time axis
   * (rules and labels) on the view and the geometry, so it is drawn again
   * only when those move: not for a sample, a hover or a new bar. */
  GskRenderNode  *legend_node;
  int             legend_text_h;
  double          legend_label_w;
  GskRenderNode  *axis_node;
  gint64          axis_view_start;
  double          axis_us_per_px;
  gint64          axis_origin;
  graphene_rect_t axis_strip;
  graphene_rect_t axis_plot;

  /* Geometry of the last frame. */
  graphene_rect_t plot;
  graphene_rect_t strip;
  guint           n_bar_nodes;
  GArray         *rects;

  FyGraphDescriber describer;
};

/* After any news: holds the sampler as needed, redraws, re-describes and
 * starts or stops the live redraw (fy-task-timeline.c). */
void     fy_task_timeline_changed             (FyTaskTimeline  *self);

/* Recording (fy-task-timeline-record.c): forgets everything; follows
 * self->pool's signals after taking what it did so far; takes a sample. */
void     fy_task_timeline_reset               (FyTaskTimeline  *self);
void     fy_task_timeline_watch_pool          (FyTaskTimeline  *self);
void     fy_task_timeline_sampled             (FyTaskTimeline  *self);

/* Draws the whole widget (fy-task-timeline-draw.c). */
void     fy_task_timeline_clear_cache         (FyTaskTimeline  *self);
void     fy_task_timeline_draw                (FyTaskTimeline  *self,
                                               GtkSnapshot     *snapshot);
/* Input, worker, cores, start, duration and outcome of task @task (the
 * item under @time for a map chunk). */
char    *fy_task_timeline_describe_task       (FyTaskTimeline  *self,
                                               guint            task,
                                               gint64           time);
/* Input (fy-task-timeline-input.c). */
void     fy_task_timeline_add_controllers     (FyTaskTimeline  *self);
/* A frame-clock redraw only while running tasks are on screen. */
void     fy_task_timeline_update_ticking      (FyTaskTimeline  *self);
/* The task under a point and the time there, or FALSE. */
gboolean fy_task_timeline_task_at             (FyTaskTimeline  *self,
                                               double           x,
                                               double           y,
                                               guint           *out_task,
                                               gint64          *out_time);
/* Moves the selection @lane_step lanes and @bar_step bars; selects the
 * first bar in view when nothing is selected. */
void     fy_task_timeline_step_selection      (FyTaskTimeline  *self,
                                               int              lane_step,
                                               int              bar_step);
/* Redraws and re-describes after the selection changed. */
void     fy_task_timeline_selection_changed   (FyTaskTimeline  *self);
/* The range shown while following: all of a short run, the last half
 * minute of a long one. */
void     fy_task_timeline_follow_view         (FyTaskTimeline  *self,
                                               double           width);

/* A worker taking lane @lane at @start: a new segment labelled @pid. */
void     fy_task_timeline_add_scripted_worker (FyTaskTimeline  *self,
                                               guint            lane,
                                               GPid             pid,
                                               gint64           start);
/* A task on the lane's current worker; @end 0 while running. */
void     fy_task_timeline_add_scripted_task   (FyTaskTimeline  *self,
                                               guint            lane,
                                               gint64           start,
                                               gint64           end,
                                               FyTimelineState  state);
/* Where the last frame drew lane @lane, and the CPU strip. */
void     fy_task_timeline_get_lane_area       (FyTaskTimeline  *self,
                                               guint            lane,
                                               graphene_rect_t *area);
void     fy_task_timeline_get_strip_area      (FyTaskTimeline  *self,
                                               graphene_rect_t *area);
/* Colour nodes the last frame's bars took. */
guint    fy_task_timeline_get_n_bar_nodes     (FyTaskTimeline  *self);
/* The fill colour of a state in the widget's current style. */
void     fy_task_timeline_state_color         (FyTaskTimeline  *self,
                                               FyTimelineState  state,
                                               GdkRGBA         *color);

G_END_DECLS
