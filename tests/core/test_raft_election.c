/* test_raft_election.c — elections, votes, PreVote, leader stickiness. */
#include "fake_host.h"

#include <criterion/criterion.h>

static fhost H;

static void setup3(void)
{
    fh_init(&H, 1, 3);
}
static void teardown(void) { fh_free(&H); }

/* Give the node entries of the given terms from leader 2 (term = last term). */
static void follow_log(const uint64_t *terms, uint32_t n)
{
    raft_entry e[16];
    cr_assert_leq(n, 16);
    for (uint32_t i = 0; i < n; i++)
        e[i] = (raft_entry){.term = terms[i], .type = RAFT_ENTRY_NOOP};
    raft_msg m = fh_append(2, terms[n - 1], 0, 0, 0, e, n);
    cr_assert_eq(fh_deliver(&H, &m), RAFT_OK);
    fh_persist_all(&H);
    fh_clear(&H);
}

TestSuite(raft_election, .init = setup3, .fini = teardown);

Test(raft_election, follower_becomes_candidate_after_its_election_timeout)
{
    fh_start(&H);
    uint64_t start = H.now;
    cr_assert_eq(raft_next_deadline(H.node), start + 150 * MS, "random 0 picks the minimum");
    fh_advance(&H, 149 * MS);
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
    fh_advance(&H, 1 * MS);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE);
    cr_assert_eq(raft_term(H.node), 1);
    cr_assert_eq(H.writes[H.n_writes - 1].hs.term, 1);
    cr_assert_eq(H.writes[H.n_writes - 1].hs.vote, 1, "votes for itself, persisted");
    cr_assert(fh_has_event(&H, RAFT_EV_ROLE, RAFT_CANDIDATE, 1));
}

Test(raft_election, candidate_sends_request_vote_only_once_its_term_and_vote_are_durable)
{
    fh_start(&H);
    fh_fire(&H);
    cr_assert_eq(fh_count(&H, RAFT_MSG_REQUEST_VOTE), 0);
    fh_persist_all(&H);
    cr_assert_eq(fh_count(&H, RAFT_MSG_REQUEST_VOTE), 2);
    raft_msg m;
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE, 3, &m));
    cr_assert_eq(m.term, 1);
    cr_assert_not(m.rv.prevote);
}

Test(raft_election, election_timeout_is_redrawn_in_range_on_every_reset)
{
    H.rand_value = 150 * MS; /* span is 150 ms: random % (span + 1) = span → maximum */
    fh_start(&H);
    cr_assert_eq(raft_next_deadline(H.node) - H.now, 300 * MS);
    H.rand_value = 150 * MS + 1; /* wraps to the minimum */
    fh_fire(&H);
    cr_assert_eq(raft_next_deadline(H.node) - H.now, 150 * MS, "drawn afresh at the reset");
    H.rand_state = 12345;
    uint64_t seen_min = UINT64_MAX, seen_max = 0;
    for (int i = 0; i < 50; i++) {
        fh_fire(&H);
        uint64_t d = raft_next_deadline(H.node) - H.now;
        cr_assert_geq(d, 150 * MS);
        cr_assert_leq(d, 300 * MS);
        seen_min = d < seen_min ? d : seen_min;
        seen_max = d > seen_max ? d : seen_max;
    }
    cr_assert_gt(seen_max - seen_min, 50 * MS, "timeouts vary");
}

Test(raft_election, vote_refused_to_a_candidate_whose_last_term_is_older)
{
    fh_start(&H);
    uint64_t terms[] = {1, 2};
    follow_log(terms, 2);
    raft_msg r = fh_request_vote(&H, 3, 3, 5, 1); /* longer log, but older last term */
    cr_assert_not(r.rvr.granted);
    cr_assert_eq(r.term, 3, "adopts the higher term even when refusing");
    cr_assert(fh_has_event(&H, RAFT_EV_VOTE_REFUSED, 3, 2));
}

Test(raft_election, vote_refused_to_a_candidate_with_the_same_last_term_but_a_shorter_log)
{
    fh_start(&H);
    uint64_t terms[] = {1, 1, 1};
    follow_log(terms, 3);
    raft_msg r = fh_request_vote(&H, 3, 2, 2, 1);
    cr_assert_not(r.rvr.granted);
    r = fh_request_vote(&H, 3, 2, 3, 1); /* equally long: up to date */
    cr_assert(r.rvr.granted);
}

Test(raft_election, vote_reply_is_not_sent_before_the_vote_is_durable)
{
    fh_start(&H);
    raft_msg rv = fh_vote_req(2, 1, 0, 0);
    fh_deliver(&H, &rv);
    cr_assert_eq(fh_count(&H, RAFT_MSG_REQUEST_VOTE_RESP), 0);
    cr_assert_eq(H.writes[H.n_writes - 1].hs.vote, 2, "the vote write was issued");
    raft_persisted(H.node, H.writes[H.n_writes - 1].token - 1);
    cr_assert_eq(fh_count(&H, RAFT_MSG_REQUEST_VOTE_RESP), 0, "an older token is not enough");
    fh_persist_all(&H);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE_RESP, 2, &r));
    cr_assert(r.rvr.granted);
    cr_assert(fh_has_event(&H, RAFT_EV_VOTE, 2, 1));
}

Test(raft_election, vote_reply_is_never_sent_if_the_vote_never_becomes_durable)
{
    fh_start(&H);
    raft_msg rv = fh_vote_req(2, 1, 0, 0);
    fh_deliver(&H, &rv);
    fh_advance(&H, 100 * MS);
    cr_assert_eq(fh_count(&H, RAFT_MSG_REQUEST_VOTE_RESP), 0);
}

Test(raft_election, no_second_vote_in_the_same_term)
{
    fh_start(&H);
    cr_assert(fh_request_vote(&H, 2, 1, 0, 0).rvr.granted);
    raft_msg r = fh_request_vote(&H, 3, 1, 0, 0);
    cr_assert_not(r.rvr.granted);
    cr_assert(fh_has_event(&H, RAFT_EV_VOTE_REFUSED, 3, 1));
}

Test(raft_election, no_second_vote_in_the_same_term_after_a_restart_from_persisted_state)
{
    fh_start(&H);
    cr_assert(fh_request_vote(&H, 2, 1, 0, 0).rvr.granted);
    fh_crash(&H);
    fh_clear(&H);
    fh_start(&H);
    cr_assert_eq(raft_term(H.node), 1);
    raft_msg r = fh_request_vote(&H, 3, 1, 0, 0);
    cr_assert_not(r.rvr.granted, "the recovered vote for 2 still binds");
    r = fh_request_vote(&H, 2, 1, 0, 0);
    cr_assert(r.rvr.granted, "a repeated request from the same candidate is granted again");
}

Test(raft_election, granting_a_vote_resets_the_election_timer_and_refusing_does_not)
{
    fh_start(&H);
    fh_advance(&H, 100 * MS);
    uint64_t before = raft_next_deadline(H.node);
    raft_msg rv = fh_vote_req(2, 1, 0, 0);
    fh_deliver(&H, &rv);
    cr_assert_eq(raft_next_deadline(H.node), H.now + 150 * MS);
    fh_persist_all(&H);
    fh_advance(&H, 10 * MS);
    before = raft_next_deadline(H.node);
    rv = fh_vote_req(3, 1, 0, 0); /* refused: already voted */
    fh_deliver(&H, &rv);
    cr_assert_eq(raft_next_deadline(H.node), before);
}

Test(raft_election, stale_request_vote_is_refused_with_the_current_term)
{
    fh_start(&H);
    cr_assert(fh_request_vote(&H, 2, 4, 0, 0).rvr.granted);
    raft_msg r = fh_request_vote(&H, 3, 2, 9, 9);
    cr_assert_not(r.rvr.granted);
    cr_assert_eq(r.term, 4);
    cr_assert_eq(raft_term(H.node), 4);
    cr_assert(fh_has_event(&H, RAFT_EV_STALE_MESSAGE, RAFT_MSG_REQUEST_VOTE, 3));
    cr_assert(fh_has_event(&H, RAFT_EV_VOTE_REFUSED, 3, 8));
}

Test(raft_election, candidate_with_a_majority_becomes_leader_sends_at_once_and_appends_a_noop)
{
    fh_init(&H, 1, 5);
    fh_become_candidate(&H);
    fh_clear(&H);
    raft_msg v = fh_vote_resp(2, 1, true);
    fh_deliver(&H, &v);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE, "2 of 5 is not a majority");
    v = fh_vote_resp(4, 1, true);
    fh_deliver(&H, &v);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
    cr_assert_eq(raft_leader(H.node), 1);
    for (raft_id id = 2; id <= 5; id++)
        cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, id), 1, "AE to %u at once", id);
    raft_entry e;
    cr_assert_eq(raft_last_index(H.node), 1);
    cr_assert(raft_entry_at(H.node, 1, &e));
    cr_assert_eq(e.type, RAFT_ENTRY_NOOP);
    cr_assert_eq(e.term, 1);
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 3, &ae));
    cr_assert_eq(ae.ae.prev_index, 0, "nextIndex reset to last + 1");
    cr_assert_eq(ae.ae.n_entries, 1);
}

Test(raft_election, a_duplicate_vote_from_one_peer_is_counted_once)
{
    fh_init(&H, 1, 5);
    fh_become_candidate(&H);
    raft_msg v = fh_vote_resp(2, 1, true);
    fh_deliver(&H, &v);
    fh_deliver(&H, &v);
    fh_deliver(&H, &v);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE);
}

Test(raft_election, refused_votes_do_not_count)
{
    fh_become_candidate(&H);
    raft_msg v = fh_vote_resp(2, 1, false);
    fh_deliver(&H, &v);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE);
}

Test(raft_election, candidate_returns_to_follower_on_append_entries_of_its_term)
{
    fh_become_candidate(&H);
    raft_msg ae = fh_append(2, 1, 0, 0, 0, NULL, 0);
    fh_deliver(&H, &ae);
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
    cr_assert_eq(raft_leader(H.node), 2);
    cr_assert_eq(raft_term(H.node), 1);
}

Test(raft_election, unanswered_candidate_starts_a_new_election_with_a_higher_term)
{
    fh_become_candidate(&H);
    fh_fire(&H);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE);
    cr_assert_eq(raft_term(H.node), 2);
}

Test(raft_election, leader_steps_down_on_a_request_vote_with_a_higher_term_without_check_quorum)
{
    fh_start(&H);
    fh_make_leader(&H);
    raft_msg rv = fh_vote_req(2, 5, 1, 1);
    fh_deliver(&H, &rv);
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
    cr_assert_eq(raft_term(H.node), 5);
    cr_assert(fh_has_event(&H, RAFT_EV_STEPDOWN_TERM, 2, 5));
}

/* ---- PreVote (thesis §9.6) ---- */

Test(raft_election, prevote_candidate_asks_for_term_plus_one_without_changing_its_state)
{
    H.cfg.prevote = true;
    fh_start(&H);
    size_t writes = H.n_writes;
    fh_fire(&H);
    cr_assert_eq(raft_role(H.node), RAFT_PRECANDIDATE);
    cr_assert_eq(raft_term(H.node), 0);
    cr_assert_eq(H.n_writes, writes, "nothing persisted");
    raft_msg m;
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE, 2, &m), "sent without waiting for a write");
    cr_assert(m.rv.prevote);
    cr_assert_eq(m.term, 1);
}

Test(raft_election, prevote_majority_starts_a_real_election)
{
    H.cfg.prevote = true;
    fh_start(&H);
    fh_fire(&H);
    raft_msg v = fh_vote_resp(2, 1, true);
    v.rvr.prevote = true;
    fh_deliver(&H, &v);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE);
    cr_assert_eq(raft_term(H.node), 1);
}

Test(raft_election, prevote_request_is_granted_without_raising_the_term)
{
    fh_start(&H);
    raft_msg rv = fh_vote_req(2, 5, 0, 0);
    rv.rv.prevote = true;
    fh_deliver(&H, &rv);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE_RESP, 2, &r));
    cr_assert(r.rvr.granted);
    cr_assert(r.rvr.prevote);
    cr_assert_eq(raft_term(H.node), 0, "a pre-vote never raises the term");
    cr_assert_eq(H.n_writes, 0);
    cr_assert_eq(fh_event_count(&H, RAFT_EV_TERM), 0);
}

Test(raft_election, prevote_is_refused_while_a_leader_was_heard_within_the_minimum_timeout)
{
    fh_start(&H);
    raft_msg ae = fh_append(2, 1, 0, 0, 0, NULL, 0);
    fh_deliver(&H, &ae);
    fh_persist_all(&H);
    H.now += 100 * MS;
    raft_msg rv = fh_vote_req(3, 2, 0, 0);
    rv.rv.prevote = true;
    fh_deliver(&H, &rv);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE_RESP, 3, &r));
    cr_assert_not(r.rvr.granted);
    cr_assert(fh_has_event(&H, RAFT_EV_PREVOTE_REFUSED, 3, 0));
    H.now += 60 * MS; /* 160 ms since the leader: past the minimum timeout */
    fh_deliver(&H, &rv);
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE_RESP, 3, &r));
    cr_assert(r.rvr.granted);
}

Test(raft_election, prevote_is_refused_to_a_candidate_with_an_outdated_log)
{
    fh_start(&H);
    uint64_t terms[] = {1, 1};
    follow_log(terms, 2);
    H.now += 200 * MS;
    raft_msg rv = fh_vote_req(3, 2, 1, 1);
    rv.rv.prevote = true;
    fh_deliver(&H, &rv);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE_RESP, 3, &r));
    cr_assert_not(r.rvr.granted);
}

/* ---- leader stickiness (thesis §4.2.3) ---- */

Test(raft_election, leader_stickiness_refuses_a_disruptive_request_vote_without_raising_the_term)
{
    H.cfg.check_quorum = true;
    fh_start(&H);
    raft_msg ae = fh_append(2, 1, 0, 0, 0, NULL, 0);
    fh_deliver(&H, &ae);
    fh_persist_all(&H);
    fh_clear(&H);
    H.now += 50 * MS;
    raft_msg rv = fh_vote_req(3, 2, 0, 0);
    fh_deliver(&H, &rv);
    fh_persist_all(&H);
    cr_assert_eq(raft_term(H.node), 1, "term not raised");
    cr_assert_eq(raft_leader(H.node), 2);
    cr_assert_eq(fh_count(&H, RAFT_MSG_REQUEST_VOTE_RESP), 0);
    rv.rv.transfer = true; /* a transfer bypasses stickiness */
    fh_deliver(&H, &rv);
    fh_persist_all(&H);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE_RESP, 3, &r));
    cr_assert(r.rvr.granted);
    cr_assert_eq(raft_term(H.node), 2);
}

Test(raft_election, leader_with_check_quorum_ignores_a_higher_term_request_vote)
{
    H.cfg.check_quorum = true;
    fh_start(&H);
    fh_make_leader(&H);
    raft_msg rv = fh_vote_req(2, 5, 9, 9);
    fh_deliver(&H, &rv);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
    cr_assert_eq(raft_term(H.node), 1);
}

/* ---- TimeoutNow (thesis §3.10) ---- */

Test(raft_election, timeout_now_starts_an_election_at_once_skipping_prevote)
{
    H.cfg.prevote = true;
    fh_start(&H);
    raft_msg ae = fh_append(2, 1, 0, 0, 0, NULL, 0);
    fh_deliver(&H, &ae);
    fh_persist_all(&H);
    fh_clear(&H);
    raft_msg tn = {.type = RAFT_MSG_TIMEOUT_NOW, .from = 2, .term = 1};
    fh_deliver(&H, &tn);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE);
    cr_assert_eq(raft_term(H.node), 2);
    fh_persist_all(&H);
    raft_msg rv;
    cr_assert(fh_last(&H, RAFT_MSG_REQUEST_VOTE, 3, &rv));
    cr_assert(rv.rv.transfer);
    cr_assert_not(rv.rv.prevote);
    cr_assert(fh_has_event(&H, RAFT_EV_TIMEOUT_NOW, 2, 1));
}

/* ---- a node's own vote counts only once durable (issue 15, item 4) ---- */

Test(raft_election, single_node_does_not_lead_while_its_term_and_self_vote_are_not_durable)
{
    fh_init(&H, 1, 1);
    fh_start(&H);
    fh_fire(&H);
    cr_assert_eq(raft_term(H.node), 1);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE, "the self-vote is not durable yet");
    for (int i = 0; i < 5; i++) { /* the host never acknowledges: never a leader */
        fh_fire(&H);
        cr_assert_neq(raft_role(H.node), RAFT_LEADER, "election %d", i + 2);
    }
    cr_assert_eq(fh_event_count(&H, RAFT_EV_APPEND), 0, "no leader's no-op was appended");
    fh_persist_all(&H);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER, "leads once its vote is durable");
    cr_assert_eq(raft_term(H.node), 6);
}

/* Count the leaderships of `term` among the recorded role events. */
static size_t leaderships_of(uint64_t term)
{
    size_t n = 0;
    for (size_t i = 0; i < H.n_events; i++)
        n += H.events[i].kind == RAFT_EV_ROLE && H.events[i].a == RAFT_LEADER &&
             H.events[i].b == term;
    return n;
}

Test(raft_election, single_node_never_leads_one_term_twice_across_a_crash_before_its_vote_is_durable)
{
    fh_init(&H, 1, 1);
    fh_start(&H);
    fh_fire(&H); /* term 1: nothing durable yet */
    raft_propose(H.node, "a", 1, NULL, NULL); /* refused, or appended but never durable */
    fh_crash(&H);
    fh_start(&H); /* from what was durable: term 0 */
    cr_assert_eq(raft_term(H.node), 0);
    fh_fire(&H);
    fh_persist_all(&H);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
    cr_assert_eq(raft_propose(H.node, "b", 1, NULL, NULL), RAFT_OK);
    fh_persist_all(&H);
    for (uint64_t t = 1; t <= raft_term(H.node); t++)
        cr_assert_leq(leaderships_of(t), 1, "term %llu led %zu times", (unsigned long long)t,
                      leaderships_of(t));
    /* every (index, term) the node ever appended names one entry */
    raft_entry e;
    cr_assert(raft_entry_at(H.node, 2, &e));
    cr_assert_eq(e.len, 1);
    cr_assert_eq(e.data[0], 'b');
}

Test(raft_election, candidate_counts_its_own_vote_only_once_durable_in_a_cluster_too)
{
    fh_start(&H); /* 3 nodes */
    fh_fire(&H);
    raft_msg v = fh_vote_resp(2, 1, true); /* a grant that overtook our durable write */
    fh_deliver(&H, &v);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE, "1 durable vote of 3 is no majority");
    fh_persist_all(&H);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER, "our vote is durable: 2 of 3");
}

Test(raft_election, prevote_counts_its_own_vote_at_once_as_it_persists_nothing)
{
    H.cfg.prevote = true;
    fh_start(&H);
    fh_fire(&H);
    cr_assert_eq(raft_role(H.node), RAFT_PRECANDIDATE);
    size_t writes = H.n_writes;
    raft_msg v = fh_vote_resp(2, 1, true);
    v.rvr.prevote = true;
    fh_deliver(&H, &v);
    cr_assert_eq(raft_role(H.node), RAFT_CANDIDATE, "self + peer 2 pre-votes: a majority");
    cr_assert_eq(H.n_writes, writes + 1, "the real election's term and vote");
}
