/* scenario.h — the scenario language: parse a .scn file into a plan, and
 * write a plan back out as a self-contained scenario (replay files and shrunk
 * schedules are scenario files too). The language reference, with an example
 * of every command, is scenarios/README.md. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../world/sim.h"

/* Random faults for swarm testing. Each kind has a mean interval between
 * occurrences (0 = off) and its own random stream, so turning one kind on or
 * off never changes the schedule of another. Expanded into concrete
 * sim_actions (from_chaos = true) before the run starts. */
typedef struct sim_chaos {
    bool on;
    uint64_t start_ns, stop_ns;         /* window (stop 0 = the whole run) */
    uint64_t crash_every_ns;            /* crash a node (leader or any, see crash_leader_ppm) */
    uint64_t crash_leader_ppm;          /* share of crashes aimed at the current leader */
    uint64_t down_min_ns, down_max_ns;  /* how long a crashed node stays down */
    uint64_t partition_every_ns;        /* random split into two groups */
    uint64_t partition_min_ns, partition_max_ns;
    uint64_t isolate_every_ns;          /* one node cut off both ways */
    uint64_t isolate_min_ns, isolate_max_ns; /* (added) how long an isolation lasts */
    uint64_t cut_every_ns;              /* one-way link cut */
    uint64_t cut_min_ns, cut_max_ns;    /* (added) how long a cut lasts */
    uint64_t pause_every_ns;            /* process stall */
    uint64_t pause_min_ns, pause_max_ns;
    uint64_t drop_burst_every_ns;       /* network-wide drop rate raised for a while */
    uint32_t drop_burst_ppm;
    uint64_t drop_burst_ns;             /* (added) how long a burst lasts */
    uint64_t drift_every_ns;            /* clock drift changes on a node */
    int32_t drift_max_ppm;
    uint64_t transfer_every_ns;         /* leadership transfer to a random node */
    uint32_t max_down;                  /* at most this many nodes down at once (0 = minority) */
} sim_chaos;

enum expect_op { EXPECT_LT, EXPECT_LE, EXPECT_EQ, EXPECT_NE, EXPECT_GE, EXPECT_GT };

enum expect_when {
    EXPECT_AT_END,      /* evaluated when the run ends */
    EXPECT_AT,          /* at virtual time t1 */
    EXPECT_BETWEEN,     /* change of the metric over [t1, t2] (counters), or must hold
                           throughout (gauges: `always`) */
    EXPECT_WITHIN,      /* must become true at some time in [t1, t1 + t2] */
    EXPECT_FROM_FIRST,  /* must become true at some time in [t1, t2] and then hold
                           after every event up to t2 (`from first [after t1] until t2`) */
};

enum expect_kind {
    EXPECT_COMPARE,     /* lhs op number, or lhs op rhs (metric vs metric) */
    EXPECT_VIOLATION,   /* the run must find this violation (a demonstration) */
};

/* Metric arithmetic: the terms after the first of a side, `a + b - c`. */
#define EXPECT_MAX_TERMS 4
typedef struct expect_terms {
    uint8_t n;                              /* terms after the first */
    int8_t sign[EXPECT_MAX_TERMS - 1];      /* +1 or -1 */
    sim_metric_ref ref[EXPECT_MAX_TERMS - 1];
} expect_terms;

/* What a term has beside its metric: `K * METRIC`, `METRIC / D` (D a metric
 * or a number above 0), `K * METRIC / D` (= (K x METRIC) / D, integer
 * division toward zero: `100 * acked / committed` is a percentage), or a
 * number alone (`acked + 1`: the term is K, its metric unused). All zero:
 * the plain metric. A zero divisor at run time: the comparison cannot be
 * made, so it does not hold. Guards do no arithmetic (scn_parse_guard). */
enum { EXPECT_DIV_NONE, EXPECT_DIV_NUMBER, EXPECT_DIV_METRIC };
typedef struct expect_term {
    bool has_mul;     /* K written */
    bool number;      /* a number alone: K */
    uint8_t div;      /* EXPECT_DIV_* */
    int64_t mul;
    int64_t div_value;
    sim_metric_ref div_ref;
} expect_term;
/* Every metric an expectation reads (sides, terms, divisors). */
#define EXPECT_MAX_REFS (2 * EXPECT_MAX_TERMS * 2)

typedef struct expectation {
    enum expect_kind kind;
    sim_metric_ref lhs;
    expect_terms lhs_more;  /* lhs + lhs_more... */
    bool rhs_is_metric;
    sim_metric_ref rhs;
    expect_terms rhs_more;  /* rhs + rhs_more... (rhs_is_metric) */
    int64_t value;
    /* term k of each side (0 = lhs / rhs, k = lhs_more / rhs_more k - 1):
     * factors, divisors, numbers (rhs_term only when rhs_is_metric) */
    expect_term lhs_term[EXPECT_MAX_TERMS], rhs_term[EXPECT_MAX_TERMS];
    enum expect_op op;
    enum expect_when when;
    bool always;        /* BETWEEN on a gauge: holds at every event in the window */
    uint64_t t1_ns, t2_ns;
    enum sim_violation_kind violation;
    uint32_t line;      /* source line, for messages */
    char text[160];     /* the source text of the expectation, for reports */
} expectation;

/* A `repeat` block as written. The plan holds it unrolled: `rounds` rounds
 * of `per_round` actions from actions[first], round k at from + k x every;
 * the writer writes it back as the block while the actions it is given are
 * still exactly that (scenario_write_repeat.c). */
typedef struct scn_repeat {
    size_t first, per_round;
    uint64_t rounds, every_ns, from_ns;
} scn_repeat;

typedef struct scenario {
    char *path;                 /* as given (for messages) */
    char *text;                 /* the source, NUL-terminated */
    sim_config cfg;
    sim_action *actions;        /* scripted actions, in time order */
    size_t n_actions;
    sim_chaos chaos;
    expectation *expects;
    size_t n_expects;
    bool has_seed;              /* a `seed N` line (replay files) */
    uint64_t seed;
    bool chaos_expanded;        /* replay files: chaos already spelled out as actions */
    struct explore_space *explore; /* a space file for `raftsim explore` (sim/scenario/explore.h) */
    scn_repeat *repeats;        /* the file's repeat blocks, in file order */
    size_t n_repeats;
} scenario;

/* The metric refs an expectation reads, into out[EXPECT_MAX_REFS] (for
 * renumbering nodes, or asking whether one is named). Returns how many. */
size_t expect_refs(expectation *e, sim_metric_ref **out);

/* Parse. On error returns 2 and writes "path:line:col: error: ..." into err;
 * nothing is allocated in *out then. Returns 0 on success. */
int scenario_parse(const char *path, const char *text, size_t len, scenario *out,
                   char *err, size_t err_cap);
/* Read and parse a file (empty, unreadable or binary files are errors). */
int scenario_load(const char *path, scenario *out, char *err, size_t err_cap);
void scenario_free(scenario *sc);

/* Apply a `--set key=value` override: any top-level setting the language
 * knows (e.g. nodes=5, prevote=on, drop=1%, duration=10s). 0 or 2 + err. */
int scenario_set(scenario *sc, const char *key_value, char *err, size_t err_cap);

/* Expand the chaos block with the run seed into concrete actions (appended
 * with from_chaos set). Deterministic in (chaos, cfg, seed). */
int scenario_expand_chaos(const scenario *sc, uint64_t seed, sim_action **out, size_t *n);

/* Write a self-contained scenario: config, the given actions (already
 * concrete), expectations, `seed`, with `header` as a leading comment.
 * Parsing the output gives back an equivalent plan. Returns 0 or -1. */
int scenario_write(FILE *out, const scenario *sc, const sim_action *actions, size_t n_actions,
                   uint64_t seed, const char *header);

#endif
