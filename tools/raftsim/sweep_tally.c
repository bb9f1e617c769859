/* sweep_tally.c — counting seeds, failures by kind and coverage, and the
 * final table of a sweep (or of merged results files). */
#include <inttypes.h>
#include <string.h>

#include "sweep.h"

static void tally_failure(sweep_tally *t, const seed_result *r)
{
    for (size_t i = 0; i < t->n_kinds; i++) {
        if (strcmp(t->kinds[i].key, r->key) == 0) {
            t->kinds[i].count++;
            if (r->seed < t->kinds[i].first_seed)
                t->kinds[i].first_seed = r->seed;
            return;
        }
    }
    if (t->n_kinds == sizeof t->kinds / sizeof t->kinds[0]) {
        t->other_kinds++;
        return;
    }
    sweep_kind *k = &t->kinds[t->n_kinds++];
    snprintf(k->key, sizeof k->key, "%s", r->key);
    k->count = 1;
    k->first_seed = r->seed;
}

/* Explore keeps the lowest-numbered failures (workers finish out of order)
 * with the dimensions each had on. */
static void keep_failure(sweep_tally *t, const seed_result *r)
{
    size_t cap = sizeof t->fails / sizeof t->fails[0], top = 0;
    if (t->n_fails < cap) {
        t->fails[t->n_fails++] = *r;
        return;
    }
    for (size_t i = 1; i < cap; i++)
        if (t->fails[i].seed > t->fails[top].seed)
            top = i;
    if (r->seed < t->fails[top].seed)
        t->fails[top] = *r;
}

void tally_add(sweep_tally *t, const seed_result *r)
{
    t->run++;
    if (r->passed)
        t->passed++;
    else {
        t->failed++;
        tally_failure(t, r);
    }
    for (int d = 0; d < 64; d++) {
        t->dim_on[d] += (r->dims >> d) & 1;
        t->dim_failed[d] += !r->passed && ((r->dims >> d) & 1);
    }
    t->explore |= r->dims != 0;
    if (!r->passed && r->dims)
        keep_failure(t, r);
    for (int c = 0; c < SIM_COV__COUNT; c++) {
        t->cov_sum[c] += r->coverage[c];
        t->cov_seeds[c] += r->coverage[c] > 0;
    }
}

static void print_coverage(FILE *out, const sweep_tally *t)
{
    fprintf(out, "coverage (situation, times reached summed over seeds, seeds reaching it):\n");
    for (int c = 0; c < SIM_COV__COUNT; c++)
        fprintf(out, "  %-28s %12" PRIu64 " %10" PRIu64 "%s\n", sim_coverage_name(c),
                t->cov_sum[c], t->cov_seeds[c], t->cov_seeds[c] ? "" : "   <- never reached");
}

void tally_print(FILE *out, const sweep_tally *t, const char *title)
{
    fprintf(out, "%s\n", title);
    fprintf(out, "  seeds run          %10" PRIu64, t->run);
    if (t->resumed)
        fprintf(out, "   (%" PRIu64 " recorded by an earlier run)", t->resumed);
    fprintf(out, "\n  passed             %10" PRIu64 "\n", t->passed);
    fprintf(out, "  failed             %10" PRIu64 "\n", t->failed);
    for (size_t i = 0; i < t->n_kinds; i++)
        fprintf(out, "    %-24s %8" PRIu64 "   first at seed %" PRIu64 "\n", t->kinds[i].key,
                t->kinds[i].count, t->kinds[i].first_seed);
    if (t->other_kinds)
        fprintf(out, "    %-24s %8" PRIu64 "\n", "(other kinds)", t->other_kinds);
    if (t->wall_s > 0) {
        /* Floating point only for printing: nothing here decides a run. */
        fprintf(out, "  seeds per second   %10.1f\n", (double)t->fresh / t->wall_s);
        fprintf(out, "  wall time          %10.2f s\n", t->wall_s);
    }
    print_coverage(out, t);
}
