/* The end-of-run history checker: exactly once, real-time order, reads. */
#include <criterion/criterion.h>

#include "../../sim/history.h"

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
