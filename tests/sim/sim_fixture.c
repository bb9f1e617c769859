/* sim_fixture.c — the cluster the whole-run tests start from (sim_fixture.h). */
#include <criterion/criterion.h>

#include "sim_fixture.h"

sim_config fixture_cluster(uint32_t nodes, uint64_t secs, uint32_t payload_bytes,
                           uint64_t latency_min_ns, uint64_t latency_max_ns)
{
    cr_assert_leq(latency_min_ns, latency_max_ns);
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = nodes;
    raft_config_default(&cfg.raft, 1, nodes);
    cfg.n_clients = 1;
    cfg.clients[0] = (sim_client_config){.kind = SIM_CLIENT_OPEN, .rate_per_s = 200,
                                         .payload_bytes = payload_bytes};
    cfg.net.latency = (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = latency_min_ns,
                                 .b_ns = latency_max_ns};
    cfg.duration_ns = secs * SIM_NS_PER_S;
    return cfg;
}

sim *fixture_sim(const sim_config *cfg, uint64_t seed)
{
    char err[128];
    sim *s = sim_new(cfg, seed, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    return s;
}
