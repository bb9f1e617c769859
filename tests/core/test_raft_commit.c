/* test_raft_commit.c — the commit rule (paper §5.4.2, Figure 8), the leader's
 * own durable copy (thesis §10.2.1), CheckQuorum (thesis §6.2), restarts. */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_commit, .init = setup3, .fini = teardown);

static void ack(raft_id peer, uint64_t match)
{
    raft_msg r = fh_append_ok(peer, raft_term(H.node), 1, match);
    fh_deliver(&H, &r);
}

Test(raft_commit, previous_term_entry_is_not_committed_by_counting_replicas_alone)
{
    uint64_t terms[] = {1, 1};
    fh_seed_log(&H, 1, terms, 2);
    fh_start(&H);
    fh_make_leader(&H); /* term 2, no-op at 3, our copy durable */
    cr_assert_eq(raft_term(H.node), 2);
    ack(2, 2); /* a majority holds index 2, but it is from term 1 */
    cr_assert_eq(raft_commit_index(H.node), 0);
    cr_assert_eq(H.n_applied, 0);
    ack(2, 3); /* the current-term no-op above it reaches a majority */
    cr_assert_eq(raft_commit_index(H.node), 3);
    cr_assert_eq(H.n_applied, 3, "earlier entries commit indirectly, in order");
    cr_assert_eq(H.applied[0].index, 1);
    cr_assert(fh_has_event(&H, RAFT_EV_OLD_TERM_COMMITTED, 3, 0));
}

Test(raft_commit, leader_does_not_count_its_own_copy_before_its_write_is_durable)
{
    fh_init(&H, 1, 5);
    fh_start(&H);
    fh_make_leader(&H);
    uint64_t index = 0;
    cr_assert_eq(raft_propose(H.node, "x", 1, &index, NULL), RAFT_OK);
    cr_assert_eq(index, 2);
    ack(2, 2);
    ack(3, 2); /* two followers + our (not yet durable) copy would be 3 of 5 */
    cr_assert_eq(raft_commit_index(H.node), 1, "only the durable no-op counts us");
    fh_persist_all(&H);
    cr_assert_eq(raft_commit_index(H.node), 2);
    cr_assert_eq(H.applied[H.n_applied - 1].index, 2);
    cr_assert_str_eq(H.applied[H.n_applied - 1].data, "x");
}

Test(raft_commit, leader_may_send_entries_before_its_own_write_completes)
{
    fh_start(&H);
    fh_make_leader(&H);
    fh_ack_last(&H, 2);
    fh_clear(&H);
    raft_propose(H.node, "g", 1, NULL, NULL);
    cr_assert_gt(fh_last_token(&H), H.writes[0].token);
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae), "sent in parallel with the write");
    cr_assert_eq(ae.ae.n_entries, 1);
}

Test(raft_commit, single_node_elects_itself_once_its_vote_is_durable_and_commits_only_on_its_durable_write)
{
    fh_init(&H, 1, 1);
    fh_start(&H);
    fh_fire(&H);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE, "its term and vote are not durable yet");
    fh_persist_all(&H);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
    cr_assert_eq(raft_commit_index(H.node), 0);
    fh_persist_all(&H);
    cr_assert_eq(raft_commit_index(H.node), 1, "the no-op");
    raft_propose(H.node, "solo", 4, NULL, NULL);
    cr_assert_eq(raft_commit_index(H.node), 1);
    fh_persist_all(&H);
    cr_assert_eq(raft_commit_index(H.node), 2);
    cr_assert_str_eq(H.applied[1].data, "solo");
}

Test(raft_commit, commit_index_only_grows_and_the_commit_event_reports_old_and_new)
{
    fh_start(&H);
    fh_make_leader(&H);
    raft_propose(H.node, "a", 1, NULL, NULL);
    fh_persist_all(&H);
    ack(2, 2);
    cr_assert(fh_has_event(&H, RAFT_EV_COMMIT, 2, 0));
    ack(2, 1); /* an old, reordered reply */
    cr_assert_eq(raft_commit_index(H.node), 2);
}

Test(raft_commit, check_quorum_leader_steps_down_without_a_majority_and_reports_read_only)
{
    H.cfg.check_quorum = true;
    fh_start(&H);
    fh_make_leader(&H);
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert(st.healthy);
    cr_assert_not(st.read_only);
    fh_advance(&H, 400 * MS); /* nobody answers */
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
    cr_assert_eq(fh_event_count(&H, RAFT_EV_STEPDOWN_QUORUM), 1);
    raft_get_status(H.node, &st);
    cr_assert_not(st.healthy);
    cr_assert(st.read_only);
    cr_assert_eq(st.connected_peers, 0);
}

Test(raft_commit, check_quorum_leader_stays_while_a_majority_answers)
{
    H.cfg.check_quorum = true;
    fh_start(&H);
    fh_make_leader(&H);
    for (int i = 0; i < 20; i++) {
        fh_advance(&H, 50 * MS);
        fh_ack_last(&H, 2); /* peer 3 is silent: 2 of 3 is still a majority */
    }
    uint64_t acked_at = H.now;
    H.now += 10 * MS;
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.connected_peers, 1);
    cr_assert(st.healthy);
    cr_assert_eq(st.last_heartbeat_ns, acked_at, "when a majority was last heard from");
}

Test(raft_commit, restart_recovers_term_vote_and_log_and_starts_as_follower)
{
    fh_start(&H);
    fh_make_leader(&H);
    raft_propose(H.node, "p", 1, NULL, NULL);
    fh_persist_all(&H);
    fh_crash(&H);
    fh_start(&H);
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
    cr_assert_eq(raft_term(H.node), 1);
    cr_assert_eq(raft_last_index(H.node), 2);
    cr_assert_eq(raft_commit_index(H.node), 0, "commit is volatile");
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.vote, 1);
}

/* The majority match is found by selection; compare with sorting. */
#include "../../core/quorum.h"

static int desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

Test(raft_commit, majority_match_selection_agrees_with_sorting_including_ties)
{
    uint64_t seed = 42;
    for (int it = 0; it < 20000; it++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        uint32_t n = 1 + (uint32_t)(seed >> 58);
        uint64_t range = 1 + (seed >> 20) % 12, v[64], sorted[64];
        for (uint32_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            v[i] = sorted[i] = (seed >> 33) % range;
        }
        uint32_t k = 1 + (uint32_t)((seed >> 8) % n);
        qsort(sorted, n, sizeof *sorted, desc);
        cr_assert_eq(quorum_kth_largest(v, n, k), sorted[k - 1], "n %u k %u", n, k);
    }
}

Test(raft_commit, each_copy_counts_once_and_an_entry_commits_exactly_at_a_majority)
{
    /* 7 nodes: a majority is 4. The leader counts acknowledgements between
     * its scans of every match index; a repeated or raised one must not
     * count twice, and the copy that makes 4 must commit at once. */
    fh_init(&H, 1, 7);
    fh_start(&H);
    fh_make_leader(&H); /* no-op at 1 */
    uint64_t index = 0;
    cr_assert_eq(raft_propose(H.node, "a", 1, &index, NULL), RAFT_OK);
    cr_assert_eq(raft_propose(H.node, "b", 1, &index, NULL), RAFT_OK);
    cr_assert_eq(index, 3);
    fh_persist_all(&H); /* our copies of 1..3 are durable */
    cr_assert_eq(raft_commit_index(H.node), 0);
    ack(2, 2);
    ack(2, 2); /* the same copy again */
    ack(2, 3); /* raised, still one copy */
    ack(3, 3);
    cr_assert_eq(raft_commit_index(H.node), 0, "3 copies of 7 (ours, 2, 3)");
    ack(4, 1); /* the fourth copy of index 1 */
    cr_assert_eq(raft_commit_index(H.node), 1);
    ack(4, 3); /* the fourth copy of 2 and 3 */
    cr_assert_eq(raft_commit_index(H.node), 3);
    ack(5, 3);
    cr_assert_eq(raft_commit_index(H.node), 3);
}

Test(raft_commit, our_durable_copy_counts_once_and_can_make_the_majority)
{
    /* 7 nodes: a majority is 4. The count carries over a commit, and our
     * own copy joins it when our write is durable: once, and at once when
     * it makes the majority. */
    fh_init(&H, 1, 7);
    fh_start(&H);
    fh_make_leader(&H); /* no-op at 1, our copy durable */
    ack(2, 1);
    ack(3, 1);
    ack(4, 1);
    cr_assert_eq(raft_commit_index(H.node), 1);
    uint64_t index = 0;
    cr_assert_eq(raft_propose(H.node, "a", 1, &index, NULL), RAFT_OK);
    cr_assert_eq(raft_propose(H.node, "b", 1, &index, NULL), RAFT_OK);
    cr_assert_eq(index, 3);
    ack(2, 3);
    ack(3, 3);
    ack(4, 3);
    cr_assert_eq(raft_commit_index(H.node), 1, "3 copies of 7: ours is not durable");
    fh_persist_all(&H); /* our copy is the fourth */
    cr_assert_eq(raft_commit_index(H.node), 3);
    cr_assert_eq(raft_propose(H.node, "c", 1, &index, NULL), RAFT_OK);
    fh_persist_all(&H);
    raft_persisted(H.node, fh_last_token(&H)); /* reported again: no second count */
    ack(2, 4);
    ack(3, 4);
    cr_assert_eq(raft_commit_index(H.node), 3, "3 copies of 7 (ours, 2, 3)");
    ack(4, 4);
    cr_assert_eq(raft_commit_index(H.node), 4);
}
