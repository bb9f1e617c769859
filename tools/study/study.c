/* study.c — helpers shared by the study drivers (see study.h). */
#include "study.h"

#include <stdlib.h>
#include <string.h>

void study_parse_args(study_args *a, const char *name, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->name = name;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            a->quick = true;
        else if (argv[i][0] != '-' && !a->outdir)
            a->outdir = argv[i];
        else
            a->outdir = NULL, i = argc; /* force the usage message */
    }
    if (!a->outdir) {
        fprintf(stderr, "usage: study_%s [--quick] OUTDIR\n", name);
        exit(2);
    }
}

FILE *study_open_csv(const study_args *a, const char *suffix)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s%s.csv", a->outdir, a->name, suffix);
    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "study_%s: output path too long\n", a->name);
        exit(2);
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    return f;
}

void study_close_csv(FILE *f)
{
    if (ferror(f) || fclose(f) != 0) {
        perror("study: writing CSV");
        exit(2);
    }
}

void study_progress(const study_args *a, const char *what, uint64_t done, uint64_t total)
{
    uint64_t step = total >= 20 ? total / 20 : 1;
    if (done == total || done % step == 0)
        fprintf(stderr, "[%s] %s: %llu/%llu\n", a->name, what, (unsigned long long)done,
                (unsigned long long)total);
}

sim *study_sim_new(const sim_config *cfg, uint64_t seed)
{
    char err[512] = "";
    sim_config measured = *cfg;
    measured.connected_liveness = false;
    sim *s = sim_new(&measured, seed, err, sizeof err);
    if (!s) {
        fprintf(stderr, "study: sim_new failed: %s\n", err);
        exit(2);
    }
    return s;
}

sim *study_sim_drifting(const sim_config *cfg, uint64_t seed)
{
    sim *s = study_sim_new(cfg, seed);
    study_drift_all(s, seed, cfg->n_nodes, STUDY_DRIFT_PPM);
    return s;
}

void study_sim_free(sim *s)
{
    const sim_violation *v = sim_violation_get(s);
    if (v) {
        fprintf(stderr, "study: the run broke an invariant, its figures are void: %s: %s\n",
                sim_violation_name(v->kind), v->detail);
        exit(1);
    }
    sim_free(s);
}

static int64_t metric_ref(const sim *s, sim_metric_ref ref)
{
    int64_t v = 0;
    if (!sim_metric(s, &ref, &v)) {
        fprintf(stderr, "study: invalid metric %s\n", sim_metric_name(ref.metric));
        exit(2);
    }
    return v;
}

int64_t study_metric(const sim *s, enum sim_metric m)
{
    return metric_ref(s, (sim_metric_ref){.metric = m});
}

int64_t study_metric_node(const sim *s, enum sim_metric m, sim_ep node)
{
    return metric_ref(s, (sim_metric_ref){.metric = m, .sel = SIM_SEL_NODE, .node = node});
}

int64_t study_metric_arg(const sim *s, enum sim_metric m, int arg)
{
    return metric_ref(s, (sim_metric_ref){.metric = m, .arg = arg});
}

int64_t study_metric_sel(const sim *s, enum sim_metric m, enum sim_node_sel sel)
{
    return metric_ref(s, (sim_metric_ref){.metric = m, .sel = sel});
}

sim_ep study_run_until_leader(sim *s, uint64_t until_ns)
{
    while (sim_now(s) <= until_ns) {
        int64_t leader = study_metric(s, SIM_M_LEADER);
        if (leader > 0)
            return (sim_ep)leader;
        if (!sim_step(s))
            return 0;
    }
    return 0;
}

static void add(sim *s, const sim_action *a)
{
    if (sim_add_action(s, a) != 0) {
        fprintf(stderr, "study: action %s at %llu ns rejected\n", sim_action_name(a->kind),
                (unsigned long long)a->at_ns);
        exit(2);
    }
}

static sim_target ep_target(sim_ep ep) { return (sim_target){.kind = SIM_TARGET_EP, .ep = ep}; }

void study_crash(sim *s, uint64_t at_ns, sim_ep node)
{
    add(s, &(sim_action){.at_ns = at_ns, .kind = SIM_ACT_CRASH, .target = ep_target(node)});
}

void study_restart(sim *s, uint64_t at_ns, sim_ep node)
{
    add(s, &(sim_action){.at_ns = at_ns, .kind = SIM_ACT_RESTART, .target = ep_target(node)});
}

void study_cut(sim *s, uint64_t at_ns, sim_ep from, sim_ep to)
{
    add(s, &(sim_action){.at_ns = at_ns, .kind = SIM_ACT_CUT, .target = ep_target(from),
                         .target2 = ep_target(to)});
}

void study_heal(sim *s, uint64_t at_ns)
{
    add(s, &(sim_action){.at_ns = at_ns, .kind = SIM_ACT_HEAL});
}

void study_partition(sim *s, uint64_t at_ns, sim_epset side_a)
{
    const sim_config *cfg = sim_get_config(s);
    sim_action a = {.at_ns = at_ns, .kind = SIM_ACT_PARTITION, .n_groups = 2};
    a.groups[0] = side_a;
    for (sim_ep ep = 1; ep <= cfg->n_nodes + cfg->n_clients; ep++)
        if (!study_epset_has(&side_a, ep))
            study_epset_add(&a.groups[1], ep);
    add(s, &a);
}

void study_client_start(sim *s, uint64_t at_ns, sim_ep client)
{
    add(s, &(sim_action){.at_ns = at_ns, .kind = SIM_ACT_CLIENT_START,
                         .target = ep_target(client)});
}

void study_set_link_latency(sim *s, uint64_t at_ns, sim_ep from, sim_ep to, sim_dist d)
{
    add(s, &(sim_action){.at_ns = at_ns, .kind = SIM_ACT_SET, .param = SIM_PARAM_LATENCY,
                         .target = ep_target(from), .target2 = ep_target(to), .dist = d});
}

void study_set_link_value(sim *s, uint64_t at_ns, sim_ep from, sim_ep to, enum sim_param p,
                          int64_t value)
{
    add(s, &(sim_action){.at_ns = at_ns, .kind = SIM_ACT_SET, .param = p,
                         .target = ep_target(from), .target2 = ep_target(to), .value = value});
}

void study_uncut(sim *s, uint64_t at_ns, sim_ep from, sim_ep to)
{
    add(s, &(sim_action){.at_ns = at_ns, .kind = SIM_ACT_UNCUT, .target = ep_target(from),
                         .target2 = ep_target(to)});
}

void study_drift_all(sim *s, uint64_t seed, uint32_t n_nodes, int32_t max_ppm)
{
    if (max_ppm <= 0)
        return;
    for (sim_ep n = 1; n <= n_nodes; n++) {
        rng r;
        rng_init(&r, seed, UINT64_C(0xD41F7000) + n); /* one stream per node */
        int64_t ppm = (int64_t)rng_range(&r, 0, 2 * (uint64_t)max_ppm) - max_ppm;
        add(s, &(sim_action){.at_ns = 0, .kind = SIM_ACT_DRIFT, .target = ep_target(n),
                             .value = ppm});
    }
}

void study_colocate_client(sim *s, sim_ep client)
{
    const sim_config *cfg = sim_get_config(s);
    sim_dist zero = {SIM_DIST_CONST, 0, 0};
    for (sim_ep n = 1; n <= cfg->n_nodes; n++) {
        study_set_link_latency(s, 0, client, n, zero);
        study_set_link_latency(s, 0, n, client, zero);
        study_set_link_value(s, 0, client, n, SIM_PARAM_DROP, 0);
        study_set_link_value(s, 0, n, client, SIM_PARAM_DROP, 0);
    }
}

void study_epset_add(sim_epset *set, sim_ep ep)
{
    if (ep < 1 || ep > SIM_MAX_ENDPOINTS) {
        fprintf(stderr, "study: endpoint %u out of range\n", (unsigned)ep);
        exit(2);
    }
    set->bits[(ep - 1) / 64] |= UINT64_C(1) << ((ep - 1) % 64);
}

bool study_epset_has(const sim_epset *set, sim_ep ep)
{
    if (ep < 1 || ep > SIM_MAX_ENDPOINTS)
        return false;
    return (set->bits[(ep - 1) / 64] >> ((ep - 1) % 64)) & 1u;
}

sim_client_config study_closed_writer(uint32_t outstanding, uint32_t payload_bytes)
{
    return (sim_client_config){.kind = SIM_CLIENT_CLOSED, .outstanding = outstanding,
                               .payload_bytes = payload_bytes, .timeout_ns = MS(500)};
}

sim_client_config study_open_writer(uint32_t rate_per_s, uint32_t payload_bytes)
{
    return (sim_client_config){.kind = SIM_CLIENT_OPEN, .rate_per_s = rate_per_s,
                               .payload_bytes = payload_bytes, .timeout_ns = MS(500)};
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void study_sort_u64(uint64_t *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_u64);
}

/* Nearest-rank percentile; per_mille 500 = median, 1000 = maximum. */
uint64_t study_percentile(const uint64_t *sorted, size_t n, uint32_t per_mille)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)(((uint64_t)n * per_mille + 999) / 1000);
    if (rank < 1)
        rank = 1;
    return sorted[(rank > n ? n : rank) - 1];
}
