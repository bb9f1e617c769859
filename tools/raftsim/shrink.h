/* shrink.h — delta debugging of a failing schedule: remove actions (halves,
 * quarters, ... single ones), shorten the run to just after the failure,
 * lower client load and drop unused nodes, keeping each change only if the
 * SAME failure (the same invariant, or the same expectation) still occurs. */
#ifndef RAFTSIM_SHRINK_H
#define RAFTSIM_SHRINK_H

#include "cli.h"

#define SHRINK_ID_LEN 200

typedef struct shrinker {
    scenario *sc;            /* the loaded replay; cfg/actions swapped in per trial */
    uint64_t seed;
    char target[SHRINK_ID_LEN]; /* failure_identity() of the original failure */
    sim_config cfg;          /* the smallest config found so far */
    sim_action *best;        /* the smallest schedule found so far */
    size_t n_best;
    sim_action *scratch;     /* candidate schedule; same capacity as best */
    size_t cap;
    uint64_t fail_ns;        /* when the last reproducing trial failed */
    uint64_t best_hash;      /* trace hash of the best schedule's run */
    unsigned runs, max_runs;
    bool verbose;
} shrinker;

/* "violation:<name>" or "expect:<expectation text>" ("" if it passed). */
void failure_identity(const scenario *sc, const run_result *res, char *buf, size_t cap);

/* Run the original; returns 0 if it fails (target set), EXIT_FAIL if it
 * passes, EXIT_USAGE on a setup error. */
int shrink_init(shrinker *s, scenario *sc, uint64_t seed, unsigned max_runs, bool verbose);
void shrink_free(shrinker *s);
/* One trial: true if `acts` under `cfg` still fails the same way. */
bool shrink_try(shrinker *s, const sim_action *acts, size_t n, const sim_config *cfg);
/* Make scratch the new best (after a successful trial on scratch). */
void shrink_adopt_scratch(shrinker *s, size_t n);

void shrink_duration(shrinker *s);
void shrink_actions(shrinker *s);
void shrink_clients(shrinker *s);
void shrink_nodes(shrinker *s);
void shrink_drop_clients(shrinker *s);

#endif
