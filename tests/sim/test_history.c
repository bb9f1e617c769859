/* The end-of-run history checker: exactly once, real-time order, reads. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../sim/world/history.h"

static history h;
static void setup(void) { hist_init(&h); }
static void teardown(void) { hist_free(&h); }
TestSuite(history, .init = setup, .fini = teardown);

/* An append on `session` acknowledged at `index`, stored there. */
static size_t append(uint32_t session, uint64_t seq, uint64_t t0, uint64_t t1, uint64_t index)
{
    size_t op = hist_invoke(&h, HIST_APPEND, 10, session, seq, t0);
    uint64_t prev;
    cr_assert_eq(hist_note_stored(&h, session, seq, index, &prev), 0);
    hist_complete(&h, op, t1, index, 0);
    return op;
}

Test(history, a_linearizable_history_passes)
{
    append(1, 1, 0, 10, 1);
    append(2, 1, 5, 20, 2);  /* concurrent with the first */
    append(1, 2, 30, 40, 3);
    size_t r = hist_invoke(&h, HIST_READ, 11, 3, 1, 45);
    hist_complete(&h, r, 50, 3, 3);
    sim_violation v;
    cr_assert(hist_check(&h, &v), "%s", v.detail);
}

Test(history, concurrent_appends_may_commit_in_either_order)
{
    uint64_t prev;
    size_t a = hist_invoke(&h, HIST_APPEND, 10, 1, 1, 0);
    size_t b = hist_invoke(&h, HIST_APPEND, 10, 2, 1, 5);
    hist_note_stored(&h, 2, 1, 1, &prev);
    hist_note_stored(&h, 1, 1, 2, &prev);
    hist_complete(&h, b, 15, 1, 0); /* the later-invoked one is acked first, lower index */
    hist_complete(&h, a, 20, 2, 0);
    sim_violation v;
    cr_assert(hist_check(&h, &v), "%s", v.detail);
}

Test(history, an_append_ordered_before_one_acknowledged_earlier_is_flagged)
{
    append(1, 1, 0, 10, 5);
    append(2, 1, 20, 30, 4); /* invoked after the first was acked, yet lower index */
    sim_violation v;
    cr_assert(!hist_check(&h, &v));
    cr_assert_eq(v.kind, SIM_V_HISTORY);
}

Test(history, a_read_missing_an_earlier_acknowledged_append_is_flagged)
{
    append(1, 1, 0, 10, 7);
    size_t r = hist_invoke(&h, HIST_READ, 11, 3, 1, 20);
    hist_complete(&h, r, 25, 6, 6);
    sim_violation v;
    cr_assert(!hist_check(&h, &v));
    cr_assert_eq(v.kind, SIM_V_HISTORY);
}

Test(history, an_acknowledged_append_not_stored_at_its_index_is_flagged)
{
    size_t op = hist_invoke(&h, HIST_APPEND, 10, 1, 1, 0);
    hist_complete(&h, op, 10, 4, 0); /* never stored anywhere */
    sim_violation v;
    cr_assert(!hist_check(&h, &v));
    cr_assert_eq(v.kind, SIM_V_HISTORY);
}

Test(history, storing_one_request_at_two_indexes_is_refused)
{
    uint64_t prev;
    cr_assert_eq(hist_note_stored(&h, 4, 9, 12, &prev), 0);
    cr_assert_eq(hist_note_stored(&h, 4, 9, 12, &prev), 0, "the same index again is fine");
    cr_assert_eq(hist_note_stored(&h, 4, 9, 15, &prev), -1);
    cr_assert_eq(prev, 12);
}

Test(history, pending_operations_are_not_judged)
{
    hist_invoke(&h, HIST_APPEND, 10, 1, 1, 0);
    append(2, 1, 5, 9, 1);
    sim_violation v;
    cr_assert(hist_check(&h, &v), "%s", v.detail);
    cr_assert_eq(h.acked, 1);
}

Test(history, stored_indexes_are_kept_for_seqs_in_place_and_beyond)
{
    /* seqs below HIST_SEQ_INLINE are kept in the session, later ones apart */
    for (uint64_t seq = 1; seq <= 3 * HIST_SEQ_INLINE; seq++)
        append(3, seq, 10 * seq, 10 * seq + 5, seq);
    uint64_t prev;
    cr_assert_eq(hist_note_stored(&h, 3, HIST_SEQ_INLINE - 1, 99, &prev), -1);
    cr_assert_eq(prev, HIST_SEQ_INLINE - 1);
    cr_assert_eq(hist_note_stored(&h, 3, HIST_SEQ_INLINE, 99, &prev), -1);
    cr_assert_eq(prev, HIST_SEQ_INLINE);
    sim_violation v;
    cr_assert(hist_check(&h, &v), "%s", v.detail);
}

/* ---- reads show exactly the committed state at their index ---- */

/* A read served at `index` that saw `records` records. */
static void read_at(uint64_t t0, uint64_t t1, uint64_t index, uint64_t records)
{
    size_t r = hist_invoke(&h, HIST_READ, 11, 9, 1, t0);
    hist_complete(&h, r, t1, index, records);
}

Test(history, a_read_showing_more_appends_than_were_committed_up_to_its_index_is_flagged)
{
    append(1, 1, 0, 10, 2);
    append(2, 1, 0, 30, 4); /* acknowledged after the read began */
    read_at(20, 25, 3, 2);  /* only index 2 holds an append up to 3 */
    sim_violation v;
    cr_assert(!hist_check(&h, &v));
    cr_assert_eq(v.kind, SIM_V_READ_STATE, "%s", v.detail);
    cr_assert(strstr(v.detail, "more appends"), "%s", v.detail);
}

Test(history, a_read_missing_a_committed_append_that_was_never_acknowledged_is_flagged)
{
    append(1, 1, 0, 10, 2);
    uint64_t prev;
    hist_invoke(&h, HIST_APPEND, 10, 2, 1, 0);
    cr_assert_eq(hist_note_stored(&h, 2, 1, 3, &prev), 0); /* committed, its ack lost */
    read_at(20, 25, 5, 1);
    sim_violation v;
    cr_assert(!hist_check(&h, &v));
    cr_assert_eq(v.kind, SIM_V_READ_STATE, "%s", v.detail);
    cr_assert(strstr(v.detail, "misses"), "%s", v.detail);
}

Test(history, reads_that_count_exactly_the_committed_appends_pass)
{
    append(1, 1, 0, 10, 2);
    read_at(5, 8, 1, 0);   /* before the append: nothing yet */
    read_at(20, 25, 2, 1);
    read_at(20, 26, 9, 1); /* later no-ops do not count */
    sim_violation v;
    cr_assert(hist_check(&h, &v), "%s", v.detail);
}

/* ---- exactly once across nodes ---- */

Test(history, nodes_that_decide_differently_at_an_index_are_refused)
{
    bool pd;
    uint64_t pa;
    cr_assert_eq(hist_note_decision(&h, 7, false, 7, &pd, &pa), 0);
    cr_assert_eq(hist_note_decision(&h, 7, false, 7, &pd, &pa), 0, "the same decision again");
    cr_assert_eq(hist_note_decision(&h, 7, true, 3, &pd, &pa), -1, "a duplicate where stored");
    cr_assert(!pd);
    cr_assert_eq(pa, 7);
    cr_assert_eq(hist_note_decision(&h, 9, true, 3, &pd, &pa), 0);
    cr_assert_eq(hist_note_decision(&h, 9, true, 4, &pd, &pa), -1, "a duplicate of another");
    cr_assert(pd);
    cr_assert_eq(pa, 3);
    cr_assert_eq(hist_note_decision(&h, 5000, false, 0, &pd, &pa), 0, "malformed, far index");
    cr_assert_eq(hist_note_decision(&h, 5000, false, 5000, &pd, &pa), -1);
}
