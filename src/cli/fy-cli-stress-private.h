/* fy-cli-stress-private.h: what the files of forkyard-cli stress share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A Stress is one soak from its options to its books: fy-cli-stress-options.c
 * reads the options, fy-cli-stress-tasks.c makes the inputs and feeds the
 * pool its tasks, fy-cli-stress-scenarios.c runs the queue and lock
 * rounds, fy-cli-stress-chaos.c disturbs them all, fy-cli-stress-measure.c
 * reads the processes, fds and memory from /proc, fy-cli-stress-books.c
 * takes the final measurements, checks them and prints the books (as text,
 * or as JSON through fy-cli-stress-json.c), and fy-cli-stress.c runs it all.
 */

#pragma once

#include "core/fy-lock.h"
#include "core/fy-pool.h"
#include "core/fy-process.h"
#include "core/fy-queue.h"
#include "core/fy-value.h"

G_BEGIN_DECLS

#define N_HASH_FILES      4
#define LOCK_PROCESSES    2
#define RSS_GROWTH_LIMIT  5.0
/* AddressSanitizer keeps freed memory in quarantine and its shadow grows
 * with the heap: there the RSS says how ASan works, not whether the run
 * leaked (LeakSanitizer checks that at exit), so the growth is reported
 * but not checked. */
#if defined(__SANITIZE_ADDRESS__)
# define CHECKS_RSS FALSE
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define CHECKS_RSS FALSE
# endif
#endif
#ifndef CHECKS_RSS
# define CHECKS_RSS TRUE
#endif

typedef enum
{
  KIND_FIB,
  KIND_SLEEP,
  KIND_HASH,
  KIND_RESIZE,
  KIND_TIMEOUT,
  N_KINDS
} Kind;

typedef struct
{
  /* Options */
  char       *duration_text;
  int         workers;
  gint64      seed;
  gboolean    json;
  gboolean    progress;
  gboolean    no_progress;
  /* Run */
  double      duration;
  FyPool     *pool;
  GPtrArray  *retiring;        /* closed pools whose tasks still run */
  gint64      pool_started_at;
  guint       pools;
  GMainContext *context;
  GRand      *rand;
  char       *dir;
  char       *hash_paths[N_HASH_FILES];
  char       *hash_digests[N_HASH_FILES];
  char       *image_path;
  char       *out_dir;
  GHashTable *outstanding;     /* FyFuture → Task, until it finishes */
  /* Every worker and scenario process not yet seen to exit: pid → start
   * time (a guint64). With pids reused within minutes on a busy machine,
   * a pid alone could name a stranger; and the table stays as small as
   * the live processes, not as the thousands that came and went. */
  GHashTable *live;
  GPid        forkserver_pid;
  gboolean    submitting;
  gboolean    interrupted;
  gboolean    show_progress;
  gint64      started_at;
  /* Scenarios */
  FyQueue    *queue;
  FyProcess  *producer;
  gint64      queue_next;      /* next sequence number expected */
  gint64      queue_first;
  FyValue    *counter;
  FyLock     *lock;
  FyProcess  *incrementers[LOCK_PROCESSES];
  /* Chaos */
  GThread    *chaos_thread;
  gint        chaos_stop;
  FyPoolWorker *stopped;
  /* Books */
  guint       tasks, done, failed, cancelled, duplicates, wrong;
  guint       failed_killed, failed_timeout, failed_other;
  guint       per_kind[N_KINDS];
  guint       kills, stops, cancels, timeouts, scenario_kills;
  guint       queue_rounds, queue_items, lock_rounds;
  guint       zombies, orphans;
  guint       fd_start, fd_end;
  gint64      rss_ref_kb, rss_end_kb;           /* RssAnon */
  gint64      vm_rss_ref_kb, vm_rss_end_kb;     /* VmRSS */
  gboolean    rss_ref_taken;
  gboolean    rss_ref_pending; /* a pool was replaced for the sample */
  GPtrArray  *problems;        /* the checks that failed, as sentences */
} Stress;

void      fy_cli_stress_problem          (Stress       *s,
                                          const char   *format,
                                          ...) G_GNUC_PRINTF (2, 3);

/* fy-cli-stress-options.c: fills @s's options from @argv; FALSE after
 * printing why they are wrong. */
gboolean  fy_cli_stress_parse_options    (Stress       *s,
                                          int           argc,
                                          char        **argv);

/* fy-cli-stress-measure.c: the parent, its children and their fds, from /proc. */
guint     fy_cli_stress_count_open_fds   (void);
char     *fy_cli_stress_describe_fds     (void);
gint64    fy_cli_stress_rss_kb           (gint64       *out_total);
void      fy_cli_stress_remember_process (Stress       *s,
                                          GPid          pid);
void      fy_cli_stress_forget_process   (Stress       *s,
                                          GPid          pid);
guint     fy_cli_stress_count_zombies    (Stress       *s);
guint     fy_cli_stress_count_orphans    (Stress       *s);

/* fy-cli-stress-tasks.c: the input files, the tasks and the pools. */
gboolean  fy_cli_stress_make_inputs      (Stress       *s,
                                          GError      **error);
void      fy_cli_stress_remove_inputs    (Stress       *s);
void      fy_cli_stress_submit           (Stress       *s,
                                          Kind          kind);
gboolean  fy_cli_stress_feed_cb          (gpointer      data);
gboolean  fy_cli_stress_new_pool         (Stress       *s,
                                          GError      **error);
void      fy_cli_stress_reap_retiring    (Stress       *s);

/* fy-cli-stress-scenarios.c: one step of the queue and the lock rounds. */
gboolean  fy_cli_stress_scenarios_cb     (gpointer      data);

/* fy-cli-stress-chaos.c */
gpointer  fy_cli_stress_chaos_thread     (gpointer      data);
void      fy_cli_stress_continue_stopped (Stress       *s);

/* fy-cli-stress-books.c */
void      fy_cli_stress_draw_progress    (Stress       *s,
                                          double        elapsed);
double    fy_cli_stress_rss_growth       (Stress       *s);
void      fy_cli_stress_finish           (Stress       *s);
void      fy_cli_stress_print_books      (Stress       *s);

/* fy-cli-stress-json.c */
void      fy_cli_stress_print_json       (Stress       *s,
                                          guint         lost);

G_END_DECLS
