/* Soak: a handful of seeds of the standard chaos mix — 5 nodes, 1,000
 * writes/s, 1% drops, jitter, duplicates, crashes/restarts, partitions,
 * pauses, drift — every invariant checked after every event. */
#include <criterion/criterion.h>

#include "../../sim/world/rng.h"
#include "../../sim/world/sim.h"
#include "sim_fixture.h"

static void add_chaos(sim *s, uint64_t seed, uint64_t dur_ns)
{
    rng r;
    rng_init(&r, seed, RNG_STREAM_CHAOS);
    for (uint64_t t = 300 * SIM_NS_PER_MS; t < dur_ns; t += 250 * SIM_NS_PER_MS) {
        sim_action a = {.at_ns = t, .from_chaos = true};
        a.target = (sim_target){.kind = SIM_TARGET_EP, .ep = 1 + (sim_ep)rng_below(&r, 5)};
        switch (rng_below(&r, 6)) {
        case 0: a.kind = SIM_ACT_CRASH; a.target.kind = rng_below(&r, 2) ? SIM_TARGET_LEADER
                                                                          : SIM_TARGET_EP; break;
        case 1: a.kind = SIM_ACT_RESTART; break;
        case 2:
            a.kind = SIM_ACT_PARTITION;
            a.n_groups = 2;
            for (sim_ep e = 1; e <= 5; e++)
                a.groups[rng_below(&r, 2)].bits[0] |= UINT64_C(1) << (e - 1);
            break;
        case 3: a.kind = SIM_ACT_HEAL; break;
        case 4: a.kind = SIM_ACT_PAUSE; a.dur_ns = 150 * SIM_NS_PER_MS; break;
        default: a.kind = SIM_ACT_DRIFT; a.value = (int64_t)rng_below(&r, 100001) - 50000; break;
        }
        cr_assert_eq(sim_add_action(s, &a), 0);
    }
}

Test(soak, five_seeds_of_chaos_with_clients_find_no_violation_and_converge, .timeout = 60)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        sim_config cfg;
        sim_config_default(&cfg);
        cfg.n_nodes = 5;
        raft_config_default(&cfg.raft, 1, 5);
        cfg.raft.prevote = seed % 2;
        cfg.raft.check_quorum = true;
        cfg.raft.snapshot_threshold = seed % 2 ? 0 : 400;
        cfg.raft.snapshot_trailing = 50;
        cfg.disk.torn_writes = true;
        cfg.disk.fsync = (sim_dist){.kind = SIM_DIST_UNIFORM, .a_ns = 500000, .b_ns = 2000000};
        cfg.net.latency = (sim_dist){.kind = SIM_DIST_NORMAL, .a_ns = 1000000, .b_ns = 300000};
        cfg.net.drop_ppm = 10000;
        cfg.net.dup_ppm = 2000;
        cfg.net.reorder_ppm = 5000;
        cfg.net.reorder_ns = 3000000;
        cfg.n_clients = 2;
        cfg.clients[0] = (sim_client_config){.kind = SIM_CLIENT_OPEN, .rate_per_s = 1000,
                                             .payload_bytes = 64};
        cfg.clients[1] = (sim_client_config){.kind = SIM_CLIENT_READER, .rate_per_s = 100};
        cfg.duration_ns = 3 * SIM_NS_PER_S;
        cfg.liveness = true;
        cfg.converge_within_ns = 10 * SIM_NS_PER_S;
        sim *s = fixture_sim(&cfg, seed);
        add_chaos(s, seed, cfg.duration_ns);
        bool ok = sim_run(s);
        if (!ok)
            sim_print_violation(s, stderr);
        cr_assert(ok, "seed %llu: %s", (unsigned long long)seed, sim_violation_get(s)->detail);
        sim_metric_ref acked = {.metric = SIM_M_ACKED};
        int64_t v;
        sim_metric(s, &acked, &v);
        cr_assert_gt(v, 500, "seed %llu made progress", (unsigned long long)seed);
        sim_free(s);
    }
}
