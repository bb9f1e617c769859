/* test_raft_limits.c — configuration limits, explicit queue bounds, and the
 * smaller durability rules of issue 15 (item 6). */
#include "fake_host.h"

#include <criterion/criterion.h>

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_limits, .init = setup3, .fini = teardown);

Test(raft_limits, raft_new_refuses_a_heartbeat_not_below_the_minimum_election_timeout)
{
    H.cfg.heartbeat_ns = H.cfg.election_timeout_min_ns;
    cr_assert_null(raft_new(&H.cfg, &H.io, NULL), "heartbeat == minimum election timeout");
    H.cfg.heartbeat_ns = H.cfg.election_timeout_min_ns + 1;
    cr_assert_null(raft_new(&H.cfg, &H.io, NULL), "heartbeat above it");
    H.cfg.heartbeat_ns = H.cfg.election_timeout_min_ns - 1;
    raft_node *r = raft_new(&H.cfg, &H.io, NULL);
    cr_assert_not_null(r, "just below it");
    raft_free(r);
}
