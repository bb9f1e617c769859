/* runner.h — run one scenario with one seed: build the simulator, add the
 * scripted and chaos actions, evaluate expectations after every event, and
 * return a verdict. The CLI (run, sweep, replay, shrink) is built on this. */
#ifndef SIM_RUNNER_H
#define SIM_RUNNER_H

#include <stdio.h>

#include "scenario.h"

/* Called between slices of virtual time while a run with a progress
 * callback runs (display only: slicing leaves the run unchanged). end_ns is
 * the scenario's duration (a liveness phase may run past it). */
typedef void (*run_progress_fn)(void *arg, uint64_t now_ns, uint64_t end_ns, uint64_t events);

typedef struct run_options {
    FILE *trace;          /* JSON Lines trace, or NULL */
    FILE *metrics_csv;    /* metrics CSV, or NULL */
    FILE *summary;        /* human summary (stdout), or NULL for none */
    FILE *diag;           /* violation report / failed expectations (stderr), or NULL */
    int verbosity;        /* -1 quiet, 0 normal, 1 verbose */
    uint64_t until_event; /* replay --until: stop before this event (0 = off) and dump nodes */
    const char *replay_hint; /* the command that replays this run, printed on failure */
    run_progress_fn progress;  /* or NULL */
    void *progress_arg;
} run_options;

typedef struct run_result {
    bool passed;                      /* no unexpected violation, every expectation held */
    bool cut_short;                   /* stopped early (until_event): decides nothing, never passes */
    enum sim_violation_kind violation; /* SIM_V_NONE if none */
    bool violation_expected;          /* an `expect violation` matched it */
    int failed_expect;                /* index of the first failed expectation, or -1 */
    char reason[256];                 /* one line: why it failed ("" if passed) */
    uint64_t trace_hash;
    uint64_t events;
    uint64_t end_ns;
    uint64_t coverage[SIM_COV__COUNT];
    sim_action *executed;             /* concrete actions executed (malloc'd; run_result_free) */
    size_t n_executed;
} run_result;

/* Returns 0 after a run (passed or not; see res->passed), 2 on a setup error
 * (message in err). */
int run_scenario(const scenario *sc, uint64_t seed, const run_options *opt, run_result *res,
                 char *err, size_t err_cap);
void run_result_free(run_result *res);

#endif
