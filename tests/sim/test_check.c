/* The safety checker flags a hand-made violation of each invariant, and
 * stays quiet on a correct history. States are fabricated directly against
 * check.c's API. */
#include <criterion/criterion.h>

#include "../../core/hash.h"
#include "../../sim/world/check.h"

static checker c;

static void setup(void) { cr_assert_eq(chk_init(&c, 3), 0); }
static void teardown(void) { chk_free(&c); }

static uint64_t eh(uint64_t term, uint8_t tag)
{
    return chk_entry_hash(term, RAFT_ENTRY_DATA, &tag, 1);
}

static uint64_t fixed_term = 1;
static uint64_t term_of(void *arg, uint64_t index)
{
    (void)arg;
    (void)index;
    return fixed_term;
}

/* Node n appends entries 1..k of term t with tags 1..k. */
static void fill(raft_id n, uint64_t k, uint64_t t)
{
    for (uint64_t i = 1; i <= k; i++)
        chk_append(&c, n, i, t, eh(t, (uint8_t)i));
}

static void expect(enum sim_violation_kind kind)
{
    cr_assert(c.violated, "expected %s", sim_violation_name(kind));
    cr_assert_eq(c.v.kind, kind, "got %s: %s", sim_violation_name(c.v.kind), c.v.detail);
}

TestSuite(check, .init = setup, .fini = teardown);

Test(check, a_correct_history_raises_nothing)
{
    chk_role(&c, 1, RAFT_LEADER, 1);
    for (raft_id n = 1; n <= 3; n++)
        fill(n, 5, 1);
    for (raft_id n = 1; n <= 3; n++) {
        chk_commit(&c, n, 5, term_of, NULL);
        for (uint64_t i = 1; i <= 5; i++)
            chk_apply(&c, n, i, 100 + i);
    }
    chk_acked(&c, 3, 1);
    chk_role(&c, 1, RAFT_FOLLOWER, 2);
    chk_role(&c, 2, RAFT_LEADER, 2);
    cr_assert(!c.violated, "%s", c.v.detail);
    cr_assert_eq(c.committed, 5);
}

Test(check, two_leaders_in_one_term_break_election_safety)
{
    chk_role(&c, 1, RAFT_LEADER, 4);
    chk_role(&c, 2, RAFT_LEADER, 4);
    expect(SIM_V_ELECTION_SAFETY);
    cr_assert_eq(c.v.term, 4);
}

Test(check, a_leader_truncating_its_log_breaks_leader_append_only)
{
    fill(1, 3, 1);
    chk_role(&c, 1, RAFT_LEADER, 1);
    chk_truncate(&c, 1, 3);
    expect(SIM_V_LEADER_APPEND_ONLY);
}

Test(check, a_leader_overwriting_an_entry_breaks_leader_append_only)
{
    fill(1, 3, 1);
    chk_role(&c, 1, RAFT_LEADER, 2);
    chk_append(&c, 1, 2, 2, eh(2, 9));
    expect(SIM_V_LEADER_APPEND_ONLY);
}

Test(check, same_index_and_term_with_different_prefixes_break_log_matching)
{
    chk_append(&c, 1, 1, 1, eh(1, 1));
    chk_append(&c, 1, 2, 2, eh(2, 2));
    chk_append(&c, 2, 1, 3, eh(3, 7)); /* a different entry at index 1 */
    chk_append(&c, 2, 2, 2, eh(2, 2)); /* same (2, 2) on top */
    expect(SIM_V_LOG_MATCHING);
    cr_assert_eq(c.v.index, 2);
}

Test(check, a_leader_missing_a_committed_entry_breaks_leader_completeness)
{
    fill(1, 4, 1);
    fill(2, 4, 1);
    chk_commit(&c, 1, 4, term_of, NULL);
    fill(3, 2, 1); /* node 3 has only 2 entries */
    chk_role(&c, 3, RAFT_LEADER, 2);
    expect(SIM_V_LEADER_COMPLETENESS);
}

/* A node paused while its vote replies were in flight can win an old term
 * after a later term has committed more: Figure 3 only asks leaders of
 * higher terms to hold an entry, so that is not a violation... */
Test(check, a_stale_leader_need_not_hold_entries_committed_in_a_later_term)
{
    fill(1, 2, 1);
    fill(3, 2, 1);
    chk_term(&c, 1, 1);
    chk_commit(&c, 1, 2, term_of, NULL); /* entries 1-2 committed in term 1 */
    chk_term(&c, 1, 6);
    chk_append(&c, 1, 3, 6, eh(6, 3));
    chk_append(&c, 1, 4, 6, eh(6, 4));
    chk_commit(&c, 1, 4, term_of, NULL); /* entries 3-4 committed in term 6 */
    chk_role(&c, 3, RAFT_LEADER, 5);     /* node 3 wins term 5 late, with 2 entries */
    cr_assert(!c.violated, "%s", c.v.detail);
}

/* ... but it must still hold everything committed before its own term. */
Test(check, a_stale_leader_missing_an_entry_committed_before_its_term_is_flagged)
{
    fill(1, 3, 1);
    fill(3, 1, 1);
    chk_term(&c, 1, 2);
    chk_commit(&c, 1, 3, term_of, NULL); /* committed in term 2 */
    chk_term(&c, 1, 6);
    chk_append(&c, 1, 4, 6, eh(6, 4));
    chk_commit(&c, 1, 4, term_of, NULL); /* committed in term 6 */
    chk_role(&c, 3, RAFT_LEADER, 5);     /* lacks 2 and 3, committed in term 2 */
    expect(SIM_V_LEADER_COMPLETENESS);
    cr_assert_eq(c.v.index, 3);
}

Test(check, a_leader_with_a_different_committed_entry_breaks_leader_completeness)
{
    fill(1, 4, 1);
    chk_commit(&c, 1, 4, term_of, NULL);
    fill(3, 3, 1);
    chk_append(&c, 3, 4, 2, eh(2, 4)); /* long enough, but a different entry at 4 */
    chk_role(&c, 3, RAFT_LEADER, 3);
    expect(SIM_V_LEADER_COMPLETENESS);
}

Test(check, committing_a_different_entry_at_a_committed_index_breaks_state_machine_safety)
{
    fill(1, 3, 1);
    chk_commit(&c, 1, 3, term_of, NULL);
    chk_append(&c, 2, 1, 1, eh(1, 1));
    chk_append(&c, 2, 2, 1, eh(1, 2));
    chk_append(&c, 2, 3, 2, eh(2, 3));
    chk_commit(&c, 2, 3, term_of, NULL);
    expect(SIM_V_STATE_MACHINE_SAFETY);
    cr_assert_eq(c.v.index, 3);
}

Test(check, a_commit_index_going_down_is_flagged)
{
    fill(1, 5, 1);
    chk_commit(&c, 1, 4, term_of, NULL);
    chk_commit(&c, 1, 2, term_of, NULL);
    expect(SIM_V_COMMIT_DECREASED);
}

Test(check, a_commit_index_past_the_last_log_index_is_flagged)
{
    fill(1, 2, 1);
    chk_commit(&c, 1, 3, term_of, NULL);
    expect(SIM_V_COMMIT_PAST_LOG);
}

Test(check, applying_beyond_the_commit_index_is_flagged)
{
    fill(1, 3, 1);
    chk_commit(&c, 1, 1, term_of, NULL);
    chk_apply(&c, 1, 1, 11);
    chk_apply(&c, 1, 2, 12);
    expect(SIM_V_APPLIED_PAST_COMMIT);
}

Test(check, acknowledging_an_uncommitted_write_is_flagged)
{
    fill(1, 3, 1);
    chk_commit(&c, 1, 2, term_of, NULL);
    chk_acked(&c, 3, 1);
    expect(SIM_V_ACKED_WRITE_LOST);
}

Test(check, acknowledging_a_write_of_another_term_than_the_committed_one_is_flagged)
{
    fixed_term = 1;
    fill(1, 3, 1);
    chk_commit(&c, 1, 3, term_of, NULL);
    chk_acked(&c, 2, 7);
    expect(SIM_V_ACKED_WRITE_LOST);
}

Test(check, different_digests_at_the_same_applied_index_are_flagged)
{
    fill(1, 2, 1);
    fill(2, 2, 1);
    chk_commit(&c, 1, 2, term_of, NULL);
    chk_commit(&c, 2, 2, term_of, NULL);
    chk_apply(&c, 1, 1, 0xaaa);
    chk_apply(&c, 2, 1, 0xbbb);
    expect(SIM_V_DIGEST_MISMATCH);
}

Test(check, a_snapshot_beyond_the_committed_index_is_flagged)
{
    fill(1, 3, 1);
    chk_commit(&c, 1, 1, term_of, NULL);
    chk_snapshot_installed(&c, 2, 3, 1, 3, 0);
    expect(SIM_V_STATE_MACHINE_SAFETY);
}

Test(check, after_a_snapshot_install_new_appends_still_chain_to_the_truth)
{
    fill(1, 4, 1);
    chk_commit(&c, 1, 4, term_of, NULL);
    chk_snapshot_installed(&c, 2, 3, 1, 3, 0);
    chk_append(&c, 2, 4, 1, eh(1, 4));
    chk_commit(&c, 2, 4, term_of, NULL);
    cr_assert(!c.violated, "%s", c.v.detail);
    chk_append(&c, 3, 1, 1, eh(1, 1)); /* a wrong entry after a matching snapshot */
    chk_snapshot_installed(&c, 3, 3, 1, 3, 0);
    chk_append(&c, 3, 4, 1, eh(1, 99));
    expect(SIM_V_LOG_MATCHING);
}

Test(check, keeping_a_conflicting_suffix_after_a_snapshot_is_flagged)
{
    fill(1, 3, 1);
    chk_commit(&c, 1, 3, term_of, NULL);
    chk_append(&c, 2, 1, 1, eh(1, 1));
    chk_append(&c, 2, 2, 5, eh(5, 2)); /* conflicts with the committed entry 2 */
    chk_append(&c, 2, 3, 5, eh(5, 3));
    chk_snapshot_installed(&c, 2, 2, 1, 3, 0); /* claims to keep entry 3 */
    expect(SIM_V_LOG_MATCHING);
}

Test(check, a_restarted_node_is_checked_from_its_snapshot_on)
{
    fill(1, 5, 1);
    chk_commit(&c, 1, 5, term_of, NULL);
    chk_node_crash(&c, 2);
    chk_node_start(&c, 2, 4);
    cr_assert_eq(c.nodes[2].commit, 4);
    chk_append(&c, 2, 5, 1, eh(1, 5));
    chk_commit(&c, 2, 5, term_of, NULL);
    cr_assert(!c.violated, "%s", c.v.detail);
    chk_commit(&c, 2, 5, term_of, NULL);
    chk_role(&c, 2, RAFT_LEADER, 2);
    cr_assert(!c.violated, "leader completeness holds through the snapshot");
}

/* chk_entry_hash as first written, one word per turn: the unrolled loop
 * must give the same value for every length. */
static uint64_t entry_hash_reference(uint64_t term, uint32_t type, const uint8_t *data,
                                     size_t len)
{
    uint64_t h = hash_mix64(term ^ ((uint64_t)type << 32) ^ ((uint64_t)len << 40));
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        h = (h ^ hash_load_le64(data + i)) * UINT64_C(0x9e3779b97f4a7c15);
        h ^= h >> 29;
    }
    return hash_mix64(h ^ hash_load_tail(data + i, len - i));
}

Test(check, entry_hash_is_the_same_function_for_every_length)
{
    uint8_t buf[200];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(hash_mix64(i) >> 7);
    for (size_t len = 0; len <= sizeof buf; len++)
        cr_assert_eq(chk_entry_hash(7, RAFT_ENTRY_DATA, buf, len),
                     entry_hash_reference(7, RAFT_ENTRY_DATA, buf, len), "len %zu", len);
}

/* ---- the leader's commit rule (Figure 2, Rules for Servers; §5.4.2) ---- */

static const uint64_t figure8_terms[] = {0, 1, 1, 2}; /* index -> term */
static uint64_t figure8_term_of(void *arg, uint64_t index)
{
    (void)arg;
    return index < sizeof figure8_terms / sizeof figure8_terms[0] ? figure8_terms[index] : 0;
}

/* Node 1 holds entries 1-2 of term 1 and its own no-op 3 of term 2. */
static void figure8_leader(void)
{
    for (uint64_t i = 1; i <= 3; i++)
        chk_append(&c, 1, i, figure8_terms[i], eh(figure8_terms[i], (uint8_t)i));
    chk_role(&c, 1, RAFT_LEADER, 2);
}

Test(check, a_leader_counting_an_earlier_terms_entry_breaks_the_commit_rule)
{
    figure8_leader();
    chk_commit(&c, 1, 2, figure8_term_of, NULL); /* index 2 is of term 1 */
    expect(SIM_V_COMMIT_RULE);
    cr_assert_eq(c.v.index, 2);
    cr_assert_eq(c.v.term, 2);
}

Test(check, a_leader_commits_earlier_terms_under_an_entry_of_its_own)
{
    figure8_leader();
    chk_commit(&c, 1, 3, figure8_term_of, NULL);
    cr_assert(!c.violated, "%s", c.v.detail);
    cr_assert_eq(c.committed, 3);
}

Test(check, a_follower_may_commit_an_earlier_terms_entry_on_the_leaders_word)
{
    for (uint64_t i = 1; i <= 2; i++)
        chk_append(&c, 2, i, 1, eh(1, (uint8_t)i));
    chk_role(&c, 2, RAFT_FOLLOWER, 2);
    chk_commit(&c, 2, 2, figure8_term_of, NULL);
    cr_assert(!c.violated, "%s", c.v.detail);
}
