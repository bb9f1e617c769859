/* explore_seed.c — the explore side of the sweep machinery: the scenario a
 * seed draws from the space, and the report after the table (which
 * dimensions were on, for the swarm and for each failure; the coverage CSV). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/explore.h"
#include "sweep.h"

int explore_scenario(const sweep_config *cfg, uint64_t seed, scenario *out, uint64_t *dims,
                     char *err, size_t cap)
{
    char *text;
    if (explore_draw(cfg->space, cfg->scenario_path, seed, &text, dims) != 0) {
        snprintf(err, cap, "out of memory drawing seed %" PRIu64, seed);
        return -1;
    }
    /* The label names the space, the seed and what was on: replay files
     * carry it in their first line. */
    char names[1024], label[1400];
    explore_dims_names(*dims, names, sizeof names);
    snprintf(label, sizeof label, "%s (explore seed %" PRIu64 "; on: %s)", cfg->scenario_path,
             seed, names);
    int rc = scenario_parse(label, text, strlen(text), out, err, cap);
    free(text);
    if (rc != 0)
        return -1;
    out->cfg.raft.bugs |= cfg->bugs;
    return 0;
}

static int seed_cmp(const void *a, const void *b)
{
    const seed_result *x = a, *y = b;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

static void print_failures(FILE *out, const sweep_tally *t)
{
    seed_result sorted[sizeof t->fails / sizeof t->fails[0]];
    memcpy(sorted, t->fails, t->n_fails * sizeof *sorted);
    qsort(sorted, t->n_fails, sizeof *sorted, seed_cmp);
    fprintf(out, "failures (seed, what failed, dimensions on)%s:\n",
            t->failed > t->n_fails ? ", the lowest seeds" : "");
    for (size_t i = 0; i < t->n_fails; i++) {
        char names[1024];
        explore_dims_names(sorted[i].dims, names, sizeof names);
        fprintf(out, "  %8" PRIu64 "  %-22s %s\n", sorted[i].seed, sorted[i].key, names);
    }
}

static void write_csv(const sweep_tally *t, const char *path)
{
    atomic_file af;
    if (atomic_open(&af, path) != 0)
        return;
    fprintf(af.fp, "kind,name,seeds,times,failed_seeds,of_seeds\n");
    for (int d = 0; d < EXD__COUNT; d++)
        fprintf(af.fp, "dimension,%s,%" PRIu64 ",,%" PRIu64 ",%" PRIu64 "\n",
                explore_dim_name(d), t->dim_on[d], t->dim_failed[d], t->run);
    for (int c = 0; c < SIM_COV__COUNT; c++)
        fprintf(af.fp, "situation,%s,%" PRIu64 ",%" PRIu64 ",,%" PRIu64 "\n",
                sim_coverage_name(c), t->cov_seeds[c], t->cov_sum[c], t->run);
    if (ferror(af.fp))
        atomic_abort(&af);
    else
        atomic_commit(&af);
}

void explore_report(FILE *out, const sweep_tally *t, const char *csv_path)
{
    fprintf(out, "dimensions (seeds with it on, share, failing seeds with it on):\n");
    for (int d = 0; d < EXD__COUNT; d++) {
        uint64_t permille = t->run ? t->dim_on[d] * 1000 / t->run : 0;
        fprintf(out, "  %-28s %12" PRIu64 " %5" PRIu64 ".%" PRIu64 "%% %8" PRIu64 "%s\n",
                explore_dim_name(d), t->dim_on[d], permille / 10, permille % 10,
                t->dim_failed[d], t->dim_on[d] ? "" : "   <- never on");
    }
    if (t->n_fails)
        print_failures(out, t);
    if (csv_path) {
        write_csv(t, csv_path);
        fprintf(out, "coverage CSV: %s\n", csv_path);
    }
}
