/* sweep.h — internals of `raftsim sweep`: worker processes, the results
 * file (resume and merge), the tally and the final table. */
#ifndef RAFTSIM_SWEEP_H
#define RAFTSIM_SWEEP_H

#include <limits.h>
#include <sys/types.h>

#include "cli.h"

#define SWEEP_MAX_JOBS 256
#define SWEEP_KEY_LEN 48
#define EXPLORE_DEFAULT_SPACE "scenarios/explore/default.scn"

/* What a worker reports for one seed. Fixed size and no larger than the
 * POSIX minimum PIPE_BUF, so each write to the shared result pipe is atomic
 * and reports from different workers never interleave. */
typedef struct seed_result {
    uint64_t seed;
    uint32_t worker;
    uint8_t passed;
    uint8_t crashed;          /* the worker died running this seed */
    uint8_t setup_error;      /* run_scenario refused the scenario: abort the sweep */
    uint8_t nondeterministic; /* --check-determinism: the rerun's hash differed */
    uint64_t trace_hash, trace_hash2, events, end_ns;
    uint64_t coverage[SIM_COV__COUNT];
    uint64_t dims;            /* explore: the dimensions this seed switched on (0 = a sweep) */
    char key[SWEEP_KEY_LEN];  /* failure_key(), "nondeterminism", "crash:SIGABRT" */
    char reason[160];
} seed_result;
_Static_assert(sizeof(seed_result) <= 512, "a seed_result must fit in _POSIX_PIPE_BUF");

typedef struct sweep_config {
    const scenario *sc;
    const struct explore_space *space; /* explore: every seed draws its scenario from it */
    const char *scenario_path;
    char stem[256];           /* scenario basename without .scn */
    const char *out_dir;
    uint64_t first, last;
    uint32_t shard_index, shard_count; /* 1-based; 1/1 = no sharding */
    unsigned jobs;
    uint32_t det_ppm;         /* share of seeds rerun to check determinism (0 = off) */
    uint64_t stop_after;      /* stop after this many failures (0 = never) */
    uint64_t bugs;
    uint64_t options_key;     /* hash of scenario text + options, guards resumes */
    const char *prog;
} sweep_config;

/* How a command drives the sweep machinery: `raftsim sweep` runs one
 * scenario for every seed, `raftsim explore` draws each seed's scenario from
 * an explore space (cmd_explore.c). */
typedef struct sweep_mode {
    const char *cmd;   /* "raftsim sweep", for messages */
    const char *usage;
    bool explore;
} sweep_mode;
int sweep_command(int argc, char **argv, const cli_globals *g, const sweep_mode *m);

/* Run the whole sweep (cmd_sweep has parsed options and loaded the
 * scenario). Prints the table; returns the exit code. */
int sweep_execute(sweep_config *cfg);
bool sweep_seed_in_shard(const sweep_config *cfg, uint64_t seed);
/* Run one seed in the current process (a worker) and fill *r. Writes the
 * replay file for a failure. */
void sweep_run_seed(const sweep_config *cfg, uint64_t seed, seed_result *r);
void sweep_replay_path(const sweep_config *cfg, uint64_t seed, char *buf, size_t cap);
/* A worker died on this seed: record it and leave a file to reproduce it. */
void sweep_crash_result(const sweep_config *cfg, uint64_t seed, int status, seed_result *r);

/* ---- sweep_pool.c ---- */
typedef struct sweep_worker {
    pid_t pid;
    int cmd_fd;      /* parent -> worker: seeds (uint64_t) */
    bool busy;
    uint64_t seed;   /* in flight when busy */
} sweep_worker;

typedef struct sweep_dead {
    pid_t pid;
    int status;
} sweep_dead;

typedef struct sweep_pool {
    const sweep_config *cfg;
    sweep_worker w[SWEEP_MAX_JOBS];
    unsigned n;
    int res_rfd, res_wfd; /* every worker -> parent: seed_result records */
    unsigned char buf[sizeof(seed_result)];
    size_t buf_used;
    sweep_dead dead[1]; /* reaped, waiting until the pipe is read dry */
    unsigned n_dead;
} sweep_pool;

int sweep_pool_start(sweep_pool *p, const sweep_config *cfg, unsigned n);
/* Index of an idle worker, or -1. */
int sweep_pool_idle(const sweep_pool *p);
int sweep_pool_dispatch(sweep_pool *p, unsigned wi, uint64_t seed);
/* Wait up to timeout_ms for one result: 1 = *out filled, 0 = nothing yet,
 * -1 = error. A worker that dies is reported as a crash result and replaced. */
int sweep_pool_next(sweep_pool *p, seed_result *out, int timeout_ms);
unsigned sweep_pool_busy(const sweep_pool *p);
void sweep_pool_stop(sweep_pool *p);

/* ---- sweep_tally.c ---- */
typedef struct sweep_kind {
    char key[SWEEP_KEY_LEN];
    uint64_t count, first_seed;
} sweep_kind;

typedef struct sweep_tally {
    uint64_t run, passed, failed, resumed;
    sweep_kind kinds[64];
    size_t n_kinds;
    uint64_t other_kinds;     /* failures beyond the kinds table */
    uint64_t cov_sum[SIM_COV__COUNT], cov_seeds[SIM_COV__COUNT];
    uint64_t fresh;           /* seeds run by this invocation (for seeds/s) */
    bool explore;             /* seeds carry the dimensions they switched on */
    uint64_t dim_on[64], dim_failed[64]; /* explore: seeds with a dimension on (and failing) */
    seed_result fails[32];    /* explore: the first failures, for the table */
    size_t n_fails;
    double wall_s;
} sweep_tally;

void tally_add(sweep_tally *t, const seed_result *r);
void tally_print(FILE *out, const sweep_tally *t, const char *title);

/* ---- sweep_results.c ---- */
typedef struct results_file {
    FILE *fp;
    bool explore;             /* lines carry dims=0x... */
    char path[4096];
} results_file;

/* The results file of this sweep (DIR/<stem>.results, or
 * DIR/<stem>-shard<i>of<n>.results). Creates it, or loads the seeds already
 * recorded (sorted, malloc'd into *done) and adds them to the tally.
 * Returns 0 or EXIT_USAGE. */
int results_open(results_file *rf, const sweep_config *cfg, uint64_t **done, size_t *n_done,
                 sweep_tally *t);
int results_append(results_file *rf, const seed_result *r);
void results_close(results_file *rf);
/* The results file's path with ".results" replaced by suffix. */
void results_sibling(const results_file *rf, const char *suffix, char *buf, size_t cap);
bool results_has_seed(const uint64_t *done, size_t n_done, uint64_t seed);
/* One data line of a results file; false if it is not one. */
bool parse_result_line(const char *line, seed_result *r);
/* `raftsim sweep --merge FILE...`: one table for several results files. */
int results_merge(char **paths, size_t n);

/* ---- explore_seed.c ---- */
/* The scenario seed runs in explore mode, drawn from cfg->space (with the
 * sweep's bugs); *dims = the dimensions switched on. 0, or -1 + err. */
int explore_scenario(const sweep_config *cfg, uint64_t seed, scenario *out, uint64_t *dims,
                     char *err, size_t cap);
/* After the table: which dimensions were on (for each failure too), and the
 * coverage CSV DIR/<stem>-coverage.csv (csv_path NULL: print only). */
void explore_report(FILE *out, const sweep_tally *t, const char *csv_path);

/* ---- progress.c ---- */
typedef struct progress {
    bool tty;
    uint64_t total;
    double start, last;
    bool shown;
} progress;
double wall_seconds(void);
void progress_init(progress *p, uint64_t total);
void progress_update(progress *p, uint64_t done, uint64_t failed, bool force);
/* Clear the bar so a diagnostic line can be printed. */
void progress_clear(progress *p);

#endif
