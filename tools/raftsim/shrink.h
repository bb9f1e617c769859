/* shrink.h — delta debugging of a failing schedule: remove actions (halves,
 * quarters, ... single ones), shorten the run, lower client load and fault
 * parameters, drop unused nodes, clients and expectations, keeping each
 * change only if the candidate still fails THE SAME WAY:
 *   - the same invariant (violation kind), or
 *   - the same expectation failing for the same reason (the same kind of
 *     miss, on the same side of its threshold), or
 *   - the same crash (signal, and the assertion text when there is one);
 * and, when a catalogue bug is on (`raftsim --bug X shrink`), only if the
 * candidate PASSES with the bug mask cleared: the bug is the cause, not a
 * threshold that no longer fits the reduced load.
 *
 * Every trial runs in a child process (shrink_child.c), so an assertion or a
 * crash inside core/ is a failure to shrink, not the shrinker's death. */
#ifndef RAFTSIM_SHRINK_H
#define RAFTSIM_SHRINK_H

#include "cli.h"

#define SHRINK_ID_LEN 320

/* Wall-clock seconds after which a trial's child is killed: a safety net
 * against a hang only (runs are bounded by virtual time and an event limit).
 * A killed trial counts as "does not reproduce" and is reported. */
#define SHRINK_TRIAL_WALL_S_DEFAULT 120
/* Event bound of a trial: this many times the original run's event rate over
 * the whole (uncut) run, and never below SHRINK_MIN_EVENT_BOUND. A candidate
 * that exceeds it fails with event-limit, which is not the same failure. */
#define SHRINK_EVENT_BOUND_FACTOR 20
#define SHRINK_MIN_EVENT_BOUND UINT64_C(2000000)
/* At most this many halvings per parameter (each one a trial). */
#define SHRINK_MAX_HALVINGS 12

enum trial_kind {
    TRIAL_RAN,     /* the run finished: passed, or failed with `id` */
    TRIAL_CRASHED, /* the child died (signal or exit without a result): `id` = crash:... */
    TRIAL_KILLED,  /* the wall-clock safety net killed it */
    TRIAL_SETUP,   /* the simulator rejected the candidate (e.g. a bad parameter) */
};

typedef struct trial {
    enum trial_kind kind;
    bool passed;
    char id[SHRINK_ID_LEN]; /* failure identity; "" if it passed */
    uint64_t end_ns, trace_hash, events;
} trial;

/* Run sc with seed in a child process; never returns without a verdict.
 * `wall_s` is the safety net (0 = none). */
void shrink_trial_run(const scenario *sc, uint64_t seed, unsigned wall_s, trial *out);

/* "violation:<name>", "expect:<text> -- <why, numbers elided> [lhs<rhs]",
 * or "failed:<reason>"; "" if it passed. */
void failure_identity(const scenario *sc, const run_result *res, char *buf, size_t cap);

/* What a shrunk run changed in the parameters, for the summary. */
typedef struct shrink_param_log {
    unsigned actions_changed; /* action parameters lowered (set values, pauses, down times) */
    uint64_t down_before, down_after; /* sum of crash->restart, pause and cut/partition times */
} shrink_param_log;

typedef struct shrinker {
    scenario *sc;            /* the loaded replay; cfg/actions/expects swapped in per trial */
    uint64_t seed;
    char target[SHRINK_ID_LEN]; /* failure identity of the original failure */
    uint64_t bugs;           /* the bug mask; != 0 with `oracle`: candidates must pass without */
    bool oracle;
    bool keep_load;          /* no oracle and an expectation target: client load stays */
    uint64_t event_bound;    /* max-events given to every trial (0 = the scenario's own) */
    unsigned wall_s;
    sim_config cfg;          /* the smallest config found so far */
    sim_action *best;        /* the smallest schedule found so far */
    size_t n_best;
    sim_action *scratch;     /* candidate schedule; same capacity as best */
    size_t cap;
    uint64_t fail_ns;        /* when the last reproducing trial failed */
    uint64_t best_hash;      /* trace hash of the best schedule's run */
    uint64_t orig_hash;      /* trace hash of the original run (0 if it crashed) */
    bool orig_crashed;
    unsigned runs, max_runs;
    unsigned killed;         /* trials the wall-clock safety net killed */
    unsigned oracle_rejects; /* candidates that failed the same way but also without the bug */
    shrink_param_log params;
    bool verbose;
} shrinker;

/* Run the original; returns 0 if it fails (target set), EXIT_FAIL if it
 * passes, EXIT_USAGE on a setup error. */
int shrink_init(shrinker *s, scenario *sc, uint64_t seed, unsigned max_runs, unsigned wall_s,
                bool verbose);
void shrink_free(shrinker *s);
/* One trial: true if `acts` under `cfg` still fails the same way (and, with
 * the oracle, passes without the bugs). */
bool shrink_try(shrinker *s, const sim_action *acts, size_t n, const sim_config *cfg);
/* Make scratch the new best (after a successful trial on scratch). */
void shrink_adopt_scratch(shrinker *s, size_t n);
void shrink_note(const shrinker *s, const char *what);

void shrink_expects(shrinker *s);
void shrink_duration(shrinker *s);
void shrink_actions(shrinker *s);
void shrink_clients(shrinker *s);
void shrink_nodes(shrinker *s);
void shrink_drop_clients(shrinker *s);
/* shrink_params.c: network, disk and action parameters toward zero/defaults. */
void shrink_params(shrinker *s);
/* Sum of the fault times in a schedule (crash->restart, pauses, cuts). */
uint64_t shrink_down_time(const sim_action *acts, size_t n, uint64_t end_ns);
/* ", drop 3% -> 0%, latency ... -> ..." for every config parameter that changed. */
void shrink_describe_params(const sim_config *before, const sim_config *after, char *buf,
                            size_t cap);

#endif
