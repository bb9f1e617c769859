/* failure.c — naming why a run failed, and the one-line verdict.
 *
 * A failure key is "none", an invariant's name ("election-safety"), or
 * "expect#N": the N-th expectation of the file (1-based), which survives the
 * rewrite of a scenario into a replay file, where its line number does not. */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"

void failure_key(const scenario *sc, const run_result *res, char *buf, size_t cap)
{
    assert(cap > 0);
    if (res->cut_short) {
        snprintf(buf, cap, "cut-short");
    } else if (res->passed) {
        snprintf(buf, cap, "none");
    } else if (res->violation != SIM_V_NONE && !res->violation_expected) {
        snprintf(buf, cap, "%s", sim_violation_name(res->violation));
    } else if (res->failed_expect >= 0 && (size_t)res->failed_expect < sc->n_expects) {
        /* The expectation's ordinal, not its line: a replay file (a rewrite of
         * the scenario) has every expectation in the same order, on other lines. */
        snprintf(buf, cap, "expect#%d", res->failed_expect + 1);
    } else {
        snprintf(buf, cap, "failed");
    }
}

void format_seconds(uint64_t ns, char *buf, size_t cap)
{
    /* Integer arithmetic: exact for any run length. */
    snprintf(buf, cap, "%" PRIu64 ".%03" PRIu64 "s", ns / SIM_NS_PER_S,
             ns % SIM_NS_PER_S / SIM_NS_PER_MS);
}

void print_verdict(FILE *out, uint64_t seed, const run_result *res, const char *key)
{
    char vt[32];
    format_seconds(res->end_ns, vt, sizeof vt);
    fprintf(out, "verdict: %s  seed: %" PRIu64 "  events: %" PRIu64 "  virtual: %s"
                 "  trace-hash: 0x%016" PRIx64 "%s%s\n",
            res->cut_short ? "CUT-SHORT" : res->passed ? "PASS" : "FAIL", seed, res->events, vt,
            res->trace_hash,
            res->passed || res->cut_short ? "" : "  failed: ",
            res->passed || res->cut_short ? "" : key);
}

void report_verdict(const scenario *sc, uint64_t seed, const run_result *res, char *key,
                    size_t cap)
{
    fflush(stdout);
    failure_key(sc, res, key, cap);
    print_verdict(stdout, seed, res, key);
}
