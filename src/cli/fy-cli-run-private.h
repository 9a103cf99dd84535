/* fy-cli-run-private.h: what the files of forkyard-cli's pool runs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A Run describes one run of fib, sumsq, sleep, load, hash or resize from
 * its options to its report: fy-cli-run-options.c reads the options,
 * fy-cli-run-tasks.c makes the tasks, fy-cli-run-hash.c hands hash's
 * files out in chunks (fy-cli-run-stream.c the small ones found while
 * the walk goes on), fy-cli-run-output.c records and prints each
 * input's outcome, and fy-cli-run.c runs it all on the pool.
 */

#pragma once

#include <sched.h>

#include "core/fy-pool.h"
#include "fy-cli-walk.h"
#include "fy-hash-engine.h"

G_BEGIN_DECLS

/* Below this size a file hashes in well under a millisecond: such files
 * travel to the workers in chunks (each still its own task), so that the
 * round trips do not cost more than the hashing. */
#define SMALL_FILE_SIZE (1024 * 1024)

/* What a file costs a worker besides its bytes (open, read, close), in
 * bytes of digest that take as long. */
#define HASH_FILE_COST (8 * 1024)
/* The bytes counted for a file of unknown size (the walk did not stat
 * it): about the median small file of a system tree (2.2 KiB under /usr);
 * a large one is handed back. It sets how many such files make a chunk:
 * fuller chunks cost fewer round trips, and fewer files at each chunk's
 * end that finish alone outside the lanes. */
#define UNSIZED_FILE_BYTES (4 * 1024)
/* A chunk of small files costs at most this much, in those units (about
 * a millisecond of one core), so the pool can hand a worker its next
 * chunk before it is done with one; chunks shrink toward the end
 * (guided: each one about a 1/SMALL_CHUNKS_PER_WORKER share of what is
 * left per worker) down to SMALL_CHUNK_MIN_COST, so the workers end
 * close together. */
#define SMALL_CHUNK_MAX_COST (1536 * 1024)
#define SMALL_CHUNK_MIN_COST (128 * 1024)
#define SMALL_CHUNKS_PER_WORKER 4
/* Chunks each worker may have handed out and not yet back: one it
 * hashes, one it has ready when that one ends. The rest wait in the run,
 * where a large file handed back can still go ahead of them. */
#define CHUNKS_OUT_PER_WORKER 2
/* Large files go in groups of about this fraction of a worker's share of
 * their bytes (take_large_chunk ()). */
#define LARGE_TASKS_PER_WORKER 4

/* The load's period: short enough that a 1 s sample (mpstat, the monitor)
 * sees ten of them, long enough that the sleeps are not all scheduler
 * noise. */
#define LOAD_PERIOD_MS 100

/* A chunk of small files the walk put together, in walk order. */
typedef struct
{
  GArray   *inputs; /* guint input indices */
  GVariant *paths;  /* (taay): the size to hand back from, their paths */
  guint64   cost;
} HashStreamChunk;

/* hash: chunks of small files handed to the workers while the walk goes
 * on (fy-cli-run-stream.c). Large files wait for the small ones, so that
 * they go out largest first with every size known. */
typedef struct
{
  /* The walking thread's, until it is joined. */
  GArray      *pending;      /* guint: small files in no chunk yet */
  guint64      pending_cost;
  const char  *workload;     /* set before the first chunk is queued */
  /* From the walking thread to the main one. */
  GAsyncQueue *queue;        /* HashStreamChunk */
  int          walk_done;    /* atomic */
  /* The main thread's. */
  GPtrArray   *ready;        /* HashStreamChunk, not handed out yet, in order */
  guint        n_in_flight;
  guint        n_streamed;   /* chunks handed out during the walk */
  GPtrArray   *early;        /* FyFuture: chunks back before the run records them … */
  GArray      *early_chunks; /* … guint: and their chunk */
} HashStream;

typedef enum
{
  RUN_MODE_MAP,
  RUN_MODE_IMAP,
  RUN_MODE_UNORDERED,
  RUN_MODE_SUBMIT,
} RunMode;

typedef struct
{
  const char    *command;
  /* Options */
  gint64         n;
  int            ms;
  int            tasks;
  char          *size;
  gboolean       keep_aspect;
  char          *out_dir;
  int            workers;
  int            chunksize;
  char          *mode_text;
  double         timeout;
  char          *on_crash;
  gboolean       json;
  gboolean       progress;
  gboolean       no_progress;
  char         **paths;
  double         percent;
  double         duration;
  char          *cpus;
  /* Derived */
  RunMode        mode;
  int            width;
  int            height;
  FyCrashPolicy  policy;
  guint          retries;
  GPtrArray     *inputs;        /* display names of the tasks' inputs */
  GVariant      *arguments;     /* one child per task */
  const char    *workload;      /* what the tasks run */
  guint          batch_size;    /* inputs per task: 1, or up to 8 for hash */
  GArray        *slot_input;    /* guint: task t holds inputs at slots [t × batch_size, …) */
  GArray        *input_slot;    /* guint: the inverse */
  FyCliWalk     *walk;          /* hash and resize: what was skipped or failed */
  FyHashEngineChoice engine;
  FyHashEngine   large_engine;  /* hash: the engines that ran, for the files of 1 MiB or more … */
  FyHashEngine   small_engine;  /* … and for the smaller ones */
  gboolean       chunked_hash;  /* hash: files travel in packed chunks (hash-files, -pairs or -lanes) */
  GArray        *deferred;      /* … guint inputs of SMALL_FILE_SIZE or more: … */
  guint          deferred_next; /* … those from this one on are in no chunk yet, … */
  gboolean       deferred_sorted; /* … largest first unless files joined since */
  guint64        large_target;  /* … the bytes of a group of them, set when the first goes */
  gboolean       scheduling;    /* … chunks go out as others come back (submit_more ()) */
  guint          next_small;    /* … the next of chunk_arguments to hand out */
  guint          n_out;         /* … chunks handed out and not back */
  FyPool        *pool;          /* … the pool they go to */
  GError        *late_error;    /* … why one could not: the run ends */
  GVariant      *chunk_arguments; /* … one "aay" per task */
  GArray        *chunk_starts;  /* … guint: chunk c holds slots [starts[c], starts[c + 1]) */
  /* Outcome */
  GPtrArray     *futures;       /* by input index, filled as they finish: its task */
  GArray        *items;         /* guint by input index: its item in that task (0 for a task of one) */
  GPtrArray     *texts;         /* hash in chunks: by input index, its digest or why it failed, NULL
                                 * while its chunk has not come back */
  GByteArray    *oks;           /* … and whether it is a digest */
  char          *hex;           /* … the digests' text, 65 bytes per input */
  GPtrArray     *reasons;       /* … the failures' reasons, which texts point to */
  GArray        *micros;        /* … guint32 by input index: its time in the worker */
  guint          n_finished;
  guint          n_failed;
  guint          next_to_print;
  gboolean       show_progress;
  gboolean       interrupted;
  gint64         started_at;
  gboolean       stdout_is_tty;
  gboolean       auto_chunks;   /* no --chunksize given */
  guint          n_large_tasks; /* hash: the tasks of files of SMALL_FILE_SIZE or more, first */
  HashStream    *stream;        /* hash in chunks: the part that runs during the walk */
  GThread       *engine_thread; /* hash: times the engines while the walk runs */
  gboolean       recording;     /* the outcome's arrays are ready for results */
  cpu_set_t      cpu_set;       /* --cpus, when given */
  GArray        *last_cpu;      /* int per input: the worker's CPU when it reported (--cpus) */
} Run;

/* fy-cli-run-options.c: fills @run's options from @argv. Returns
 * FY_CLI_EXIT_OK to go on, or the status to exit with. */
int           fy_cli_run_parse_options     (Run          *run,
                                            int           argc,
                                            char        **argv);

/* fy-cli-run-tasks.c: the inputs and the tasks' arguments. Walking the
 * files may come first on another thread; build_tasks walks them itself
 * if that was not done. */
gboolean      fy_cli_run_walk_inputs       (Run          *run,
                                            GError      **error);
gboolean      fy_cli_run_build_tasks       (Run          *run,
                                            GError      **error);
/* Sorts @inputs, indices into @files, largest file first. */
void          fy_cli_run_sort_largest_first (GArray      *files,
                                             GArray      *inputs);

/* fy-cli-run-stream.c: hash's small files out while the walk goes on. */
void          fy_cli_run_stream_new        (Run          *run);
void          fy_cli_run_stream_free       (HashStream   *stream);
void          fy_cli_run_stream_file_added (FyCliWalk    *walk,
                                            guint         index,
                                            gpointer      user_data);
void          fy_cli_run_stream_walk_done  (Run          *run);
void          fy_cli_run_stream_while_walking (Run       *run,
                                               FyPool    *pool);

/* What a file of @size costs a worker, in bytes of digest. */
static inline guint64
fy_cli_run_file_cost (guint64 size)
{
  return (size == FY_CLI_WALK_SIZE_UNKNOWN ? UNSIZED_FILE_BYTES : size) + HASH_FILE_COST;
}

/* fy-cli-run-hash.c: hash's files in chunks. */
const char   *fy_cli_run_hash_workload     (FyHashEngine  engine);
void          fy_cli_run_build_hash_chunks (Run          *run,
                                            GArray       *files);
FyFutureIter *fy_cli_run_start_hash_tasks  (Run          *run,
                                            FyPool       *pool,
                                            GError      **error);
gboolean      fy_cli_run_start_hash_chunks (Run          *run,
                                            FyPool       *pool,
                                            GError      **error);
void          fy_cli_run_watch_hash_chunk  (Run          *run,
                                            FyFuture     *future,
                                            guint         chunk);
void          fy_cli_run_record_early_chunks (Run        *run);

/* fy-cli-run-output.c: each input's outcome as it arrives, and the report. */
void          fy_cli_run_clear_progress    (Run          *run);
void          fy_cli_run_draw_progress     (Run          *run);
int           fy_cli_run_worker_last_cpu   (GPid          pid);
void          fy_cli_run_record_input      (Run          *run,
                                            FyFuture     *future,
                                            guint         item,
                                            guint         index,
                                            int           cpu);
void          fy_cli_run_record_finished   (Run          *run,
                                            FyFuture     *future,
                                            guint         task_index);
void          fy_cli_run_print_json        (Run          *run,
                                            int           n_workers,
                                            double        wall_seconds);

G_END_DECLS
