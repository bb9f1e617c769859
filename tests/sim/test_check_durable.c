/* The durability and vote checks (check_durable.c, check_vote.c) flag a
 * hand-made broken promise, and stay quiet when a node keeps them. States
 * are fabricated against check.h's API, as the simulator feeds it: sends,
 * fsync completions, votes reported, restarts. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../sim/world/check.h"

static checker c;

static void setup(void) { cr_assert_eq(chk_init(&c, 3), 0); }
static void teardown(void) { chk_free(&c); }

TestSuite(durable, .init = setup, .fini = teardown);

static uint64_t eh(uint64_t term, uint8_t tag)
{
    return chk_entry_hash(term, RAFT_ENTRY_DATA, &tag, 1);
}

static uint64_t term_one(void *arg, uint64_t index)
{
    (void)arg;
    (void)index;
    return 1;
}

static void expect(enum sim_violation_kind kind, const char *words)
{
    cr_assert(c.violated, "expected %s", sim_violation_name(kind));
    cr_assert_eq(c.v.kind, kind, "got %s: %s", sim_violation_name(c.v.kind), c.v.detail);
    cr_assert_not_null(strstr(c.v.detail, words), "%s", c.v.detail);
}

/* Node n restarts from a disk holding `entries` entries of `term` (tags
 * 1..entries) and hard state (term, vote). */
static void restart(raft_id n, uint64_t term, raft_id vote, uint64_t entries)
{
    chk_node_crash(&c, n);
    chk_node_start(&c, n, 0);
    for (uint64_t i = 1; i <= entries; i++)
        chk_append(&c, n, i, 2, eh(2, (uint8_t)i));
    chk_recovery r = {.term = term, .vote = vote, .last_index = entries};
    chk_recovered(&c, n, &r);
}

Test(durable, a_restart_that_keeps_every_promise_raises_nothing)
{
    chk_term(&c, 2, 2);
    chk_vote(&c, 2, 1, 2);                /* votes for n1 in term 2 */
    chk_disk_durable(&c, 2, 2, 1);        /* (2, n1) synced */
    chk_vote_granted_sent(&c, 2, 1, 2);   /* then tells n1 */
    for (uint64_t i = 1; i <= 3; i++)
        chk_append(&c, 2, i, 2, eh(2, (uint8_t)i));
    chk_sent_ack(&c, 2, 2, 3);            /* acknowledges 1..3 */
    restart(2, 2, 1, 3);
    cr_assert(!c.violated, "%s", c.v.detail);
    chk_term(&c, 2, 3);
    chk_vote(&c, 2, 3, 3);                /* a new term, a new vote */
    cr_assert(!c.violated, "%s", c.v.detail);
}

Test(durable, a_restart_below_a_term_the_node_answered_in_is_flagged)
{
    chk_term(&c, 1, 4);
    chk_sent_term(&c, 1, 4);      /* answered in term 4 ... */
    chk_disk_durable(&c, 1, 3, RAFT_NONE); /* ... with only term 3 on disk */
    restart(1, 3, RAFT_NONE, 0);
    expect(SIM_V_DURABILITY, "below the term 4 it had sent messages in");
}

Test(durable, a_restart_below_the_term_on_disk_is_flagged)
{
    chk_disk_durable(&c, 1, 5, RAFT_NONE);
    restart(1, 4, RAFT_NONE, 0);
    expect(SIM_V_DURABILITY, "below the term 5 its disk made durable");
}

Test(durable, a_vote_granted_then_lost_in_a_restart_is_flagged)
{
    chk_term(&c, 3, 2);
    chk_vote(&c, 3, 1, 2);
    chk_vote_granted_sent(&c, 3, 1, 2);
    restart(3, 2, RAFT_NONE, 0); /* same term, vote forgotten */
    expect(SIM_V_DURABILITY, "without its vote for n1");
}

Test(durable, a_candidate_that_restarts_without_its_own_vote_is_flagged)
{
    chk_term(&c, 2, 5);
    chk_vote(&c, 2, 2, 5);
    chk_sent_vote(&c, 2, 2, 5); /* its RequestVote of term 5 */
    restart(2, 5, RAFT_NONE, 0);
    expect(SIM_V_DURABILITY, "without its vote for n2");
}

Test(durable, an_unsent_vote_lost_in_a_crash_may_be_given_again)
{
    chk_term(&c, 3, 2);
    chk_vote(&c, 3, 1, 2);  /* in memory only: never synced, never sent */
    restart(3, 2, RAFT_NONE, 0);
    chk_vote(&c, 3, 2, 2);  /* a correct node may now vote for n2 */
    cr_assert(!c.violated, "%s", c.v.detail);
}

Test(durable, an_acknowledged_entry_missing_after_a_restart_is_flagged)
{
    chk_term(&c, 2, 2);
    for (uint64_t i = 1; i <= 4; i++)
        chk_append(&c, 2, i, 2, eh(2, (uint8_t)i));
    chk_sent_ack(&c, 2, 2, 4);
    restart(2, 2, RAFT_NONE, 3); /* entry 4 did not survive */
    expect(SIM_V_DURABILITY, "acknowledged its log up to 4");
}

Test(durable, an_acknowledged_prefix_replaced_in_a_later_term_is_not_flagged)
{
    chk_term(&c, 2, 2);
    for (uint64_t i = 1; i <= 4; i++)
        chk_append(&c, 2, i, 2, eh(2, (uint8_t)i));
    chk_sent_ack(&c, 2, 2, 4);
    chk_disk_durable(&c, 2, 3, RAFT_NONE);
    restart(2, 3, RAFT_NONE, 2); /* term 3's leader cut the unfinished tail */
    cr_assert(!c.violated, "%s", c.v.detail);
}

Test(durable, a_snapshot_of_another_term_than_the_committed_entry_is_flagged)
{
    chk_append(&c, 1, 1, 1, eh(1, 1));
    chk_append(&c, 1, 2, 1, eh(1, 2));
    chk_commit(&c, 1, 2, term_one, NULL); /* 1..2 committed, of term 1 */
    chk_node_crash(&c, 2);
    chk_node_start(&c, 2, 2);
    chk_recovery r = {.term = 2, .last_index = 2, .snap = {.index = 2, .term = 2}};
    chk_recovered(&c, 2, &r);
    expect(SIM_V_DURABILITY, "snapshot at 2 of term 2");
}

/* ---- votes ---- */

Test(durable, a_second_vote_in_the_same_term_without_a_restart_is_flagged)
{
    chk_term(&c, 3, 4);
    chk_vote(&c, 3, 1, 4);
    chk_vote(&c, 3, 1, 4); /* the same vote again: fine */
    cr_assert(!c.violated, "%s", c.v.detail);
    chk_vote(&c, 3, 2, 4);
    expect(SIM_V_VOTE, "voted for n2 in term 4 after voting for n1");
}

Test(durable, a_candidate_that_then_votes_for_another_in_its_term_is_flagged)
{
    chk_term(&c, 2, 3);
    chk_vote(&c, 2, 2, 3); /* its RequestVote: a vote for itself */
    chk_vote(&c, 2, 1, 3);
    expect(SIM_V_VOTE, "after voting for n2");
}

Test(durable, a_vote_granted_to_a_stale_request_is_flagged)
{
    chk_term(&c, 1, 5);
    chk_vote(&c, 1, 2, 4);
    expect(SIM_V_VOTE, "in term 4 while in term 5");
}

Test(durable, a_granting_reply_for_a_refused_request_is_flagged)
{
    chk_term(&c, 1, 5);
    chk_vote(&c, 1, 3, 5);
    chk_vote_granted_sent(&c, 1, 3, 5); /* the vote it gave: fine */
    cr_assert(!c.violated, "%s", c.v.detail);
    chk_vote_granted_sent(&c, 1, 2, 5); /* n2 was refused */
    expect(SIM_V_VOTE, "n1 sent n2 a reply granting its vote in term 5, but its vote there is n3");
}

Test(durable, a_vote_changed_across_a_restart_is_flagged_as_a_vote)
{
    chk_term(&c, 3, 2);
    chk_vote(&c, 3, 1, 2);
    chk_vote_granted_sent(&c, 3, 1, 2);
    restart(3, 2, 2, 0); /* recovered a vote for n2 in the same term */
    expect(SIM_V_VOTE, "voting for n2, after granting its vote to n1");
}

Test(durable, a_vote_answering_a_request_of_an_older_term_is_flagged)
{
    chk_term(&c, 2, 6);
    chk_vote_request(&c, 2, 3, 6); /* n3 asks in term 6: granted, fine */
    chk_vote(&c, 2, 3, 6);
    chk_vote_request(&c, 2, RAFT_NONE, 0);
    cr_assert(!c.violated, "%s", c.v.detail);
    chk_term(&c, 2, 7);
    chk_vote_request(&c, 2, 1, 5); /* n1's request of term 5 ... */
    chk_vote(&c, 2, 1, 7);         /* ... answered with a vote in term 7 */
    expect(SIM_V_VOTE, "RequestVote of term 5 (a stale request)");
}

/* n1 and n2 hold entries 1..4 of term 1, 1..2 committed, and n2 has
 * acknowledged 1..4 in term 1. */
static void acknowledged_four_committed_two(void)
{
    for (uint64_t i = 1; i <= 4; i++) {
        chk_append(&c, 1, i, 1, eh(1, (uint8_t)i));
        chk_append(&c, 2, i, 1, eh(1, (uint8_t)i));
    }
    chk_commit(&c, 1, 2, term_one, NULL);
    chk_term(&c, 2, 1);
    chk_sent_ack(&c, 2, 1, 4);
}

Test(durable, a_snapshot_install_that_drops_an_acknowledged_suffix_is_flagged)
{
    acknowledged_four_committed_two();
    chk_snapshot_installed(&c, 2, 2, 1, 2, 0); /* discards 3..4 (Figure 13, step 6) */
    expect(SIM_V_DURABILITY, "dropped its log, which it had acknowledged up to 4");
}

Test(durable, a_snapshot_install_that_keeps_the_acknowledged_suffix_raises_nothing)
{
    acknowledged_four_committed_two();
    chk_snapshot_installed(&c, 2, 2, 1, 4, 0);
    cr_assert(!c.violated, "%s", c.v.detail);
}

Test(durable, a_snapshot_install_may_drop_a_suffix_acknowledged_in_an_earlier_term)
{
    acknowledged_four_committed_two();
    chk_term(&c, 2, 2); /* term 2's leader may hold another 3..4 */
    chk_snapshot_installed(&c, 2, 2, 1, 2, 0);
    cr_assert(!c.violated, "%s", c.v.detail);
}
