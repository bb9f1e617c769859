/* test_raft_read.c — ReadIndex (thesis §6.4) and leadership transfer (§3.10). */
#include "fake_host.h"

#include <criterion/criterion.h>

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_read, .init = setup3, .fini = teardown);

/* Leader of term 1 with its no-op committed (peer 2 acknowledged it). */
static void committed_leader(void)
{
    fh_start(&H);
    fh_make_leader(&H);
    fh_ack_last(&H, 2);
    cr_assert_eq(raft_commit_index(H.node), 1);
}

Test(raft_read, read_index_answers_after_a_majority_acknowledges_a_new_heartbeat_round)
{
    committed_leader();
    raft_msg old;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 3, &old));
    fh_clear(&H);
    cr_assert_eq(raft_read_index(H.node, 77), RAFT_OK);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES), 0, "the round waits for the tick");
    cr_assert_eq(raft_next_deadline(H.node), H.now, "which is due at once");
    fh_fire(&H);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1, "a heartbeat round goes out");
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 3), 1);
    cr_assert_eq(H.n_reads, 0);
    raft_msg late = fh_append_ok(3, 1, old.ae.seq, 0); /* answers a pre-read message */
    late.aer.success = false;
    fh_deliver(&H, &late);
    cr_assert_eq(H.n_reads, 0, "an acknowledgement from before the read does not count");
    fh_ack_last(&H, 2);
    cr_assert_eq(H.n_reads, 1);
    cr_assert_eq(H.reads[0].req_id, 77);
    cr_assert_eq(H.reads[0].status, RAFT_OK);
    cr_assert_eq(H.reads[0].index, 1, "the commit index when the read arrived");
}

/* Reads registered before the round goes out share it: a burst of reads
 * costs one heartbeat to each follower (explore seed 15597: 467 reads in
 * one instant had sent 1,401 AppendEntries). */
Test(raft_read, reads_registered_together_share_one_heartbeat_round)
{
    committed_leader();
    fh_clear(&H);
    for (uint64_t id = 1; id <= 50; id++)
        cr_assert_eq(raft_read_index(H.node, id), RAFT_OK);
    fh_fire(&H);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1, "one round for all 50");
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 3), 1);
    cr_assert_gt(raft_next_deadline(H.node), H.now, "nothing more is owed");
    fh_ack_last(&H, 2);
    cr_assert_eq(H.n_reads, 50, "the round's acknowledgement confirms every read");
    cr_assert_eq(H.reads[49].req_id, 50);
    /* a read after the round needs a round of its own */
    cr_assert_eq(raft_read_index(H.node, 51), RAFT_OK);
    fh_ack_last(&H, 3);
    cr_assert_eq(H.n_reads, 50, "an answer to the earlier round does not confirm it");
    fh_fire(&H);
    fh_ack_last(&H, 3);
    cr_assert_eq(H.n_reads, 51);
}

Test(raft_read, read_index_is_refused_until_the_leader_commits_an_entry_of_its_term)
{
    fh_start(&H);
    cr_assert_eq(raft_read_index(H.node, 1), RAFT_ENOTLEADER);
    fh_make_leader(&H);
    cr_assert_eq(raft_read_index(H.node, 1), RAFT_ENOTREADY);
    fh_ack_last(&H, 2);
    cr_assert_eq(raft_read_index(H.node, 1), RAFT_OK);
}

Test(raft_read, outstanding_reads_fail_when_leadership_is_lost)
{
    committed_leader();
    raft_read_index(H.node, 5);
    raft_read_index(H.node, 6);
    raft_msg up = fh_append_ok(3, 9, 0, 0);
    up.aer.success = false;
    fh_deliver(&H, &up);
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
    cr_assert_eq(H.n_reads, 2);
    cr_assert_eq(H.reads[0].req_id, 5);
    cr_assert_eq(H.reads[0].status, RAFT_ENOTLEADER);
    cr_assert_eq(H.reads[1].status, RAFT_ENOTLEADER);
}

Test(raft_read, single_node_answers_a_read_at_once)
{
    fh_init(&H, 1, 1);
    fh_start(&H);
    fh_fire(&H);
    fh_persist_all(&H); /* its term and vote: it leads */
    fh_persist_all(&H); /* its no-op: committed */
    cr_assert_eq(raft_read_index(H.node, 3), RAFT_OK);
    cr_assert_eq(H.n_reads, 1);
    cr_assert_eq(H.reads[0].index, 1);
}

Test(raft_read, transfer_to_an_up_to_date_peer_sends_timeout_now_and_blocks_proposals)
{
    committed_leader();
    fh_clear(&H);
    cr_assert_eq(raft_transfer(H.node, 2), RAFT_OK);
    raft_msg tn;
    cr_assert(fh_last(&H, RAFT_MSG_TIMEOUT_NOW, 2, &tn));
    cr_assert_eq(tn.term, 1);
    cr_assert(fh_has_event(&H, RAFT_EV_TRANSFER_START, 2, 1));
    cr_assert_eq(raft_propose(H.node, "x", 1, NULL, NULL), RAFT_EBUSY);
    cr_assert_eq(raft_transfer(H.node, 3), RAFT_EBUSY);
}

Test(raft_read, transfer_brings_a_lagging_target_up_to_date_before_timeout_now)
{
    committed_leader();
    raft_propose(H.node, "a", 1, NULL, NULL);
    fh_persist_all(&H);
    fh_clear(&H);
    cr_assert_eq(raft_transfer(H.node, 3), RAFT_OK);
    cr_assert_eq(fh_count(&H, RAFT_MSG_TIMEOUT_NOW), 0, "peer 3 has not got entry 2 yet");
    raft_msg ok = fh_append_ok(3, 1, 0, 2);
    fh_deliver(&H, &ok);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_TIMEOUT_NOW, 3), 1);
}

Test(raft_read, a_lost_timeout_now_is_repeated_on_the_next_heartbeat)
{
    committed_leader();
    cr_assert_eq(raft_transfer(H.node, 2), RAFT_OK);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_TIMEOUT_NOW, 2), 1);
    fh_advance(&H, 50 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_TIMEOUT_NOW, 2), 2);
}

Test(raft_read, transfer_is_abandoned_after_an_election_timeout)
{
    committed_leader();
    cr_assert_eq(raft_transfer(H.node, 3), RAFT_OK);
    fh_advance(&H, 299 * MS);
    cr_assert_eq(raft_propose(H.node, "x", 1, NULL, NULL), RAFT_EBUSY);
    fh_advance(&H, 1 * MS);
    cr_assert_eq(raft_propose(H.node, "x", 1, NULL, NULL), RAFT_OK);
}

Test(raft_read, transfer_rejects_bad_targets_and_non_leaders)
{
    fh_start(&H);
    cr_assert_eq(raft_transfer(H.node, 2), RAFT_ENOTLEADER);
    fh_make_leader(&H);
    cr_assert_eq(raft_transfer(H.node, 1), RAFT_EINVAL);
    cr_assert_eq(raft_transfer(H.node, 4), RAFT_EINVAL);
}

/* ---- acknowledgements from before the read (issue 15 item 1) ---- */

Test(raft_read, a_follower_refusing_a_stale_term_echoes_no_seq)
{
    fh_init(&H, 2, 3);
    fh_start(&H);
    raft_msg rv = fh_vote_req(3, 5, 0, 0);
    fh_deliver(&H, &rv);
    fh_persist_all(&H);
    fh_clear(&H);
    raft_msg old = fh_append(1, 4, 0, 0, 0, NULL, 0);
    old.ae.seq = 900; /* an earlier incarnation of node 1 had sent many */
    fh_deliver(&H, &old);
    fh_persist_all(&H);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES_RESP, 1, &r));
    cr_assert_eq(r.term, 5, "refused with our term");
    cr_assert_not(r.aer.success);
    cr_assert_eq(r.aer.seq, 0, "the refusal answers no request of term 5");
}

Test(raft_read, an_answer_to_a_previous_incarnation_does_not_confirm_a_read)
{
    committed_leader();
    fh_clear(&H);
    cr_assert_eq(raft_read_index(H.node, 41), RAFT_OK);
    fh_fire(&H);
    /* A follower in our term refusing an AppendEntries a previous
     * incarnation of this node sent in an older term, with that message's
     * (larger) seq, as followers did before the fix. */
    raft_msg stale = fh_append_ok(2, 1, 5000, 0);
    stale.aer.success = false;
    fh_deliver(&H, &stale);
    cr_assert_eq(H.n_reads, 0, "no acknowledgement from before the read counts");
    raft_msg dup = stale;
    dup.from = 3;
    fh_deliver(&H, &dup);
    cr_assert_eq(H.n_reads, 0);
    fh_ack_last(&H, 2);
    cr_assert_eq(H.n_reads, 1, "a real answer to the read's round does");
    cr_assert_eq(H.reads[0].req_id, 41);
}

Test(raft_read, a_duplicated_or_reordered_pre_read_answer_does_not_confirm_a_read)
{
    committed_leader();
    raft_msg before;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 3, &before));
    raft_msg ok = fh_append_ok(3, 1, before.ae.seq, 1);
    fh_deliver(&H, &ok);
    cr_assert_eq(raft_read_index(H.node, 8), RAFT_OK);
    fh_fire(&H);
    fh_deliver(&H, &ok); /* the same answer again, late */
    fh_deliver(&H, &ok);
    cr_assert_eq(H.n_reads, 0);
    fh_ack_last(&H, 3);
    cr_assert_eq(H.n_reads, 1);
}
