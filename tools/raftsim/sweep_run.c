/* sweep_run.c — the parent side of a sweep: hand seeds to workers, record
 * their results, show progress, stop on request, print the table. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

/* Set by SIGINT/SIGTERM: stop handing out seeds, finish the ones in flight.
 * The handler then restores the default, so a second Ctrl-C ends at once. */
static volatile sig_atomic_t sweep_interrupted;

static void on_interrupt(int sig)
{
    sweep_interrupted = 1;
    signal(sig, SIG_DFL);
}

typedef struct seed_cursor {
    const sweep_config *cfg;
    const uint64_t *done;
    size_t n_done;
    uint64_t next;
    bool more;
} seed_cursor;

static void cursor_init(seed_cursor *c, const sweep_config *cfg, const uint64_t *done,
                        size_t n_done)
{
    *c = (seed_cursor){ cfg, done, n_done, cfg->first + (cfg->shard_index - 1), true };
    c->more = cfg->shard_index - 1 <= cfg->last - cfg->first;
}

/* The next seed of this shard not yet recorded; false when there is none. */
static bool cursor_take(seed_cursor *c, uint64_t *seed)
{
    while (c->more) {
        uint64_t s = c->next;
        if (c->cfg->last - s < c->cfg->shard_count) /* s <= last always holds */
            c->more = false;
        else
            c->next = s + c->cfg->shard_count;
        if (!results_has_seed(c->done, c->n_done, s)) {
            *seed = s;
            return true;
        }
    }
    return false;
}

static uint64_t count_todo(const sweep_config *cfg, size_t n_done)
{
    if (cfg->shard_index - 1 > cfg->last - cfg->first)
        return 0;
    uint64_t in_shard = (cfg->last - cfg->first - (cfg->shard_index - 1)) / cfg->shard_count + 1;
    return in_shard - n_done;
}

typedef struct sweep_state {
    const sweep_config *cfg;
    sweep_pool pool;
    results_file rf;
    sweep_tally tally;
    progress prog;
    uint64_t finished;
    uint64_t tally_failed_before; /* failures recorded by an earlier run */
    bool stopping;
    int rc;
} sweep_state;

/* Name the first failures on stderr; after that only the results file and
 * the replay folder list them, so a broken build cannot flood the log. */
#define SWEEP_FAILURES_SHOWN 20

static void report_failure(sweep_state *st, const seed_result *r)
{
    uint64_t nth = st->tally.failed - st->tally_failed_before;
    if (nth > SWEEP_FAILURES_SHOWN)
        return;
    char path[4200];
    sweep_replay_path(st->cfg, r->seed, path, sizeof path);
    progress_clear(&st->prog);
    /* "violation KEY at 1.5 s: ..." after the key says the key twice */
    const char *why = r->reason;
    size_t k = strlen(r->key);
    if (strncmp(why, "violation ", 10) == 0 && strncmp(why + 10, r->key, k) == 0 &&
        why[10 + k] == ' ')
        why += 10 + k + 1;
    fprintf(stderr, "FAIL seed %" PRIu64 ": %s%s%s\n  -> %s\n", r->seed, r->key,
            why[0] ? why == r->reason ? ": " : " " : "", why, path);
    if (nth == SWEEP_FAILURES_SHOWN)
        fprintf(stderr, "(further failures are only recorded in %s and %s/)\n", st->rf.path,
                st->cfg->out_dir);
}

static void handle_result(sweep_state *st, const seed_result *r)
{
    if (r->setup_error) {
        progress_clear(&st->prog);
        fprintf(stderr, "%s: error: %s\n", st->cfg->scenario_path, r->reason);
        st->rc = EXIT_USAGE;
        st->stopping = true;
        return;
    }
    if (results_append(&st->rf, r) != 0) {
        st->rc = EXIT_USAGE;
        st->stopping = true;
    }
    tally_add(&st->tally, r);
    st->tally.fresh++;
    st->finished++;
    if (!r->passed)
        report_failure(st, r);
    if (st->cfg->stop_after && st->tally.failed >= st->cfg->stop_after)
        st->stopping = true;
    progress_update(&st->prog, st->finished, st->tally.failed, false);
}

static int sweep_loop(sweep_state *st, seed_cursor *cur)
{
    for (;;) {
        int wi;
        uint64_t seed;
        while (!st->stopping && (wi = sweep_pool_idle(&st->pool)) >= 0 &&
               cursor_take(cur, &seed))
            sweep_pool_dispatch(&st->pool, (unsigned)wi, seed);
        if (sweep_pool_busy(&st->pool) == 0)
            return 0;
        seed_result r;
        int got = sweep_pool_next(&st->pool, &r, 200);
        if (got < 0) {
            fprintf(stderr, "raftsim sweep: lost contact with the workers\n");
            return -1;
        }
        if (got > 0)
            handle_result(st, &r);
        if (sweep_interrupted && !st->stopping) {
            progress_clear(&st->prog);
            fprintf(stderr, "raftsim sweep: interrupted; finishing %u seed(s) in flight "
                            "(Ctrl-C again to quit at once)\n", sweep_pool_busy(&st->pool));
            st->stopping = true;
        }
        progress_update(&st->prog, st->finished, st->tally.failed, false);
    }
}

static int run_workers(sweep_state *st, const uint64_t *done, size_t n_done, uint64_t todo)
{
    seed_cursor cur;
    cursor_init(&cur, st->cfg, done, n_done);
    unsigned jobs = st->cfg->jobs;
    if (jobs > todo)
        jobs = (unsigned)todo;
    if (sweep_pool_start(&st->pool, st->cfg, jobs) != 0)
        return EXIT_USAGE;
    signal(SIGINT, on_interrupt);
    signal(SIGTERM, on_interrupt);
    int rc = sweep_loop(st, &cur);
    sweep_pool_stop(&st->pool);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    progress_update(&st->prog, st->finished, st->tally.failed, true);
    progress_clear(&st->prog);
    return rc == 0 ? 0 : EXIT_USAGE;
}

int sweep_execute(sweep_config *cfg)
{
    if (make_dir(cfg->out_dir) != 0)
        return EXIT_USAGE;
    sweep_state *st = calloc(1, sizeof *st);
    if (!st)
        return EXIT_USAGE;
    st->cfg = cfg;
    uint64_t *done = NULL;
    size_t n_done = 0;
    int rc = results_open(&st->rf, cfg, &done, &n_done, &st->tally);
    if (rc != 0) {
        free(st);
        return rc;
    }
    st->tally_failed_before = st->tally.failed;
    uint64_t todo = count_todo(cfg, n_done);
    progress_init(&st->prog, todo);
    if (todo > 0)
        rc = run_workers(st, done, n_done, todo);
    st->tally.wall_s = wall_seconds() - st->prog.start;
    results_close(&st->rf);
    char title[512];
    snprintf(title, sizeof title, "%s %s, seeds %" PRIu64 "-%" PRIu64 " (shard %" PRIu32
             "/%" PRIu32 ")", cfg->space ? "explore" : "sweep", cfg->scenario_path, cfg->first,
             cfg->last, cfg->shard_index, cfg->shard_count);
    tally_print(stdout, &st->tally, title);
    if (cfg->space) {
        char csv[4200];
        results_sibling(&st->rf, "-coverage.csv", csv, sizeof csv);
        explore_report(stdout, &st->tally, csv);
    }
    if (rc == 0)
        rc = st->rc;
    if (rc == 0)
        rc = sweep_interrupted ? 130 : st->tally.failed ? EXIT_FAIL : EXIT_PASS;
    free(done);
    free(st);
    return rc;
}
