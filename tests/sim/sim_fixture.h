/* sim_fixture.h — the cluster the whole-run tests in tests/sim start from
 * (sim_fixture.c), which test_sim.c and test_liveness_majority.c had each
 * copied. */
#ifndef TESTS_SIM_FIXTURE_H
#define TESTS_SIM_FIXTURE_H

#include <stdint.h>

#include "../../sim/world/sim.h"

/* `nodes` nodes with the default Raft configuration, one open-loop writer
 * of 200 writes/s of payload_bytes each, every link's one-way latency
 * uniform in [latency_min_ns, latency_max_ns], a run of `secs` seconds. */
sim_config fixture_cluster(uint32_t nodes, uint64_t secs, uint32_t payload_bytes,
                           uint64_t latency_min_ns, uint64_t latency_max_ns);
/* A simulator for cfg and seed (the test fails with sim_new's message
 * otherwise); the caller frees it. */
sim *fixture_sim(const sim_config *cfg, uint64_t seed);

#endif
