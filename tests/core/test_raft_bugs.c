/* test_raft_bugs.c — every deliberate mistake of the bug catalogue (issue 6)
 * changes exactly the behaviour it names. Compiled only in -DRAFT_BUGS test
 * builds (e.g. make BUILD=build/bugs XCFLAGS=-DRAFT_BUGS build/bugs/test_core);
 * the normal suite proves the correct behaviour of each rule. */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <string.h>

typedef int raft_bugs_tests_need_raft_bugs; /* keeps the unit non-empty */

#ifdef RAFT_BUGS

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_bugs, .init = setup3, .fini = teardown);

static raft_entry E(uint64_t term) { return (raft_entry){.term = term, .type = RAFT_ENTRY_NOOP}; }

static void with_bug(uint64_t bug) { H.cfg.bugs = bug; }

static void follow(raft_id from, uint64_t term, const uint64_t *terms, uint32_t n)
{
    raft_entry e[16];
    for (uint32_t i = 0; i < n; i++)
        e[i] = E(terms[i]);
    raft_msg m = fh_append(from, term, 0, 0, 0, e, n);
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    fh_clear(&H);
}

Test(raft_bugs, no_uptodate_check_grants_a_vote_to_an_outdated_log)
{
    with_bug(RAFT_BUG(NO_UPTODATE_CHECK));
    fh_start(&H);
    uint64_t terms[] = {1, 2};
    follow(2, 2, terms, 2);
    cr_assert(fh_request_vote(&H, 3, 3, 1, 1).rvr.granted);
}

Test(raft_bugs, commit_old_term_commits_a_previous_term_entry_by_counting)
{
    with_bug(RAFT_BUG(COMMIT_OLD_TERM));
    uint64_t terms[] = {1, 1};
    fh_seed_log(&H, 1, terms, 2);
    fh_start(&H);
    fh_make_leader(&H);
    raft_msg ok = fh_append_ok(2, 2, 1, 2);
    fh_deliver(&H, &ok);
    cr_assert_eq(raft_commit_index(H.node), 2);
}

Test(raft_bugs, ack_before_persist_replies_before_the_write_is_durable)
{
    with_bug(RAFT_BUG(ACK_BEFORE_PERSIST));
    fh_start(&H);
    raft_msg rv = fh_vote_req(2, 1, 0, 0);
    fh_deliver(&H, &rv);
    cr_assert_eq(fh_count(&H, RAFT_MSG_REQUEST_VOTE_RESP), 1);
    raft_entry e[1] = {E(1)};
    raft_msg ae = fh_append(2, 1, 0, 0, 0, e, 1);
    fh_deliver(&H, &ae);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 1);
}

Test(raft_bugs, forget_vote_votes_again_in_the_same_term_after_a_restart)
{
    with_bug(RAFT_BUG(FORGET_VOTE));
    fh_start(&H);
    cr_assert(fh_request_vote(&H, 2, 1, 0, 0).rvr.granted);
    fh_crash(&H);
    fh_clear(&H);
    fh_start(&H);
    cr_assert(fh_request_vote(&H, 3, 1, 0, 0).rvr.granted);
}

Test(raft_bugs, stale_truncate_cuts_a_matching_suffix)
{
    with_bug(RAFT_BUG(STALE_TRUNCATE));
    fh_start(&H);
    uint64_t terms[] = {1, 1, 1, 1};
    follow(2, 1, terms, 4);
    raft_entry e[2] = {E(1), E(1)};
    raft_msg m = fh_append(2, 1, 0, 0, 0, e, 2);
    fh_deliver(&H, &m);
    cr_assert_eq(raft_last_index(H.node), 2);
}

Test(raft_bugs, accept_stale_term_appends_from_an_old_leader)
{
    with_bug(RAFT_BUG(ACCEPT_STALE_TERM));
    fh_start(&H);
    raft_msg rv = fh_vote_req(3, 2, 0, 0);
    fh_deliver(&H, &rv);
    fh_persist_all(&H);
    raft_entry e[1] = {E(1)};
    raft_msg m = fh_append(2, 1, 0, 0, 0, e, 1);
    fh_deliver(&H, &m);
    cr_assert_eq(raft_last_index(H.node), 1);
}

Test(raft_bugs, commit_uncapped_commits_past_the_last_new_entry)
{
    with_bug(RAFT_BUG(COMMIT_UNCAPPED));
    fh_start(&H);
    uint64_t terms[] = {1, 1, 1};
    follow(2, 1, terms, 3);
    raft_msg m = fh_append(3, 2, 1, 1, 3, NULL, 0);
    fh_deliver(&H, &m);
    cr_assert_eq(raft_commit_index(H.node), 3);
}

Test(raft_bugs, apply_uncommitted_applies_past_the_commit_index)
{
    with_bug(RAFT_BUG(APPLY_UNCOMMITTED));
    fh_start(&H);
    uint64_t terms[] = {1, 1};
    follow(2, 1, terms, 2);
    raft_msg m = fh_append(2, 1, 2, 1, 1, NULL, 0);
    fh_deliver(&H, &m);
    cr_assert_eq(raft_commit_index(H.node), 1);
    cr_assert_eq(H.n_applied, 2);
}

Test(raft_bugs, no_stepdown_keeps_leading_after_a_higher_term_reply)
{
    with_bug(RAFT_BUG(NO_STEPDOWN));
    fh_start(&H);
    fh_make_leader(&H);
    raft_msg r = fh_append_ok(2, 7, 1, 0);
    r.aer.success = false;
    fh_deliver(&H, &r);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
    cr_assert_eq(raft_term(H.node), 1);
}

/* The bug names every reply, InstallSnapshot's too (raft_snapshot.c). */
Test(raft_bugs, no_stepdown_keeps_leading_after_a_higher_term_snapshot_reply)
{
    with_bug(RAFT_BUG(NO_STEPDOWN));
    fh_start(&H);
    fh_make_leader(&H);
    raft_msg r = {.type = RAFT_MSG_INSTALL_SNAPSHOT_RESP, .from = 2, .term = 7};
    fh_deliver(&H, &r);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
    cr_assert_eq(raft_term(H.node), 1);
}

Test(raft_bugs, no_backtrack_keeps_next_index_after_a_rejection)
{
    with_bug(RAFT_BUG(NO_BACKTRACK));
    uint64_t terms[] = {1, 1, 1};
    fh_seed_log(&H, 1, terms, 3);
    fh_start(&H);
    fh_make_leader(&H); /* probe at prev 3 */
    raft_msg r = fh_append_ok(2, 2, 1, 0);
    r.aer.success = false;
    r.aer.conflict_index = 1;
    fh_deliver(&H, &r);
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 3);
}

/* With `bug` on, a follower holding entries 1..6 of term 1 installs a
 * one-chunk snapshot at index 3 of snap_term from the leader of term 2:
 * its last index after. */
static uint64_t last_index_after_a_snapshot_at_3(uint64_t bug, uint64_t snap_term)
{
    with_bug(bug);
    fh_start(&H);
    uint64_t terms[] = {1, 1, 1, 1, 1, 1};
    follow(2, 1, terms, 6);
    uint8_t data[4] = {0};
    raft_msg c = {.type = RAFT_MSG_INSTALL_SNAPSHOT, .from = 2, .term = 2};
    c.is.last_index = 3;
    c.is.last_term = snap_term;
    c.is.len = 4;
    c.is.total_len = 4;
    c.is.done = true;
    c.is.data = data;
    fh_deliver(&H, &c);
    return raft_last_index(H.node);
}

Test(raft_bugs, snap_drop_suffix_discards_a_matching_suffix)
{
    cr_assert_eq(last_index_after_a_snapshot_at_3(RAFT_BUG(SNAP_DROP_SUFFIX), 1), 3);
}

Test(raft_bugs, snap_keep_conflict_keeps_a_conflicting_suffix)
{
    cr_assert_eq(last_index_after_a_snapshot_at_3(RAFT_BUG(SNAP_KEEP_CONFLICT), 2), 6);
}

Test(raft_bugs, count_self_early_commits_before_the_leaders_write_is_durable)
{
    with_bug(RAFT_BUG(COUNT_SELF_EARLY));
    fh_start(&H);
    fh_make_leader(&H);
    raft_propose(H.node, "x", 1, NULL, NULL);
    raft_msg ok = fh_append_ok(2, 1, 1, 2);
    fh_deliver(&H, &ok);
    cr_assert_eq(raft_commit_index(H.node), 2);
}

Test(raft_bugs, duplicate_votes_wins_with_one_peer_voting_twice)
{
    with_bug(RAFT_BUG(DUPLICATE_VOTES));
    fh_init(&H, 1, 5);
    with_bug(RAFT_BUG(DUPLICATE_VOTES));
    fh_become_candidate(&H);
    raft_msg v = fh_vote_resp(2, 1, true);
    fh_deliver(&H, &v);
    fh_deliver(&H, &v);
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
}

Test(raft_bugs, bad_conflict_hint_treats_the_hint_as_a_match_point)
{
    with_bug(RAFT_BUG(BAD_CONFLICT_HINT));
    uint64_t terms[] = {1, 1, 1};
    fh_seed_log(&H, 1, terms, 3);
    fh_start(&H);
    fh_make_leader(&H);
    raft_msg r = fh_append_ok(2, 2, 1, 0);
    r.aer.success = false;
    r.aer.match_index = 3;    /* the refused prevLogIndex: the probe sent after the election */
    r.aer.conflict_index = 3; /* the follower holds 1..2, possibly from another leader */
    fh_deliver(&H, &r);
    char buf[512];
    raft_dump(H.node, buf, sizeof buf);
    cr_assert_not_null(strstr(buf, "peer n2: next 3 match 2"), "%s", buf);
}

#endif
