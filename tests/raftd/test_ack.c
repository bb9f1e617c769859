/* test_ack.c — the index raftd acknowledges for each record of an APPEND
 * (tools/raftd/client_ack.c): where the record is stored, also when the copy
 * that completes the request is a duplicate of an older seq, as a request
 * retried after a leader change produces. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "../../tools/raftd/client_ack.h"

enum { CLIENT = 7, BATCH = 10 };

static logbuf *lb;

static void setup(void) { lb = logbuf_new(100000, 1 << 24); }
static void teardown(void) { logbuf_free(lb); }

TestSuite(ack, .init = setup, .fini = teardown);

static logbuf_result apply(uint64_t index, uint64_t client, uint64_t seq)
{
    uint8_t cmd[64];
    size_t n = logbuf_cmd_encode(cmd, sizeof cmd, client, seq, index, "rec", 3);
    cr_assert_gt(n, 0);
    logbuf_result res;
    cr_assert_eq(logbuf_apply(lb, index, cmd, n, &res), 0);
    return res;
}

static void noops_upto(uint64_t last)
{
    logbuf_counters c;
    logbuf_counters_get(lb, &c);
    for (uint64_t i = c.applied_index + 1; i <= last; i++)
        cr_assert_eq(logbuf_apply_noop(lb, i), 0);
}

/* The leader-kill test's failure "acknowledged append not stored exactly
 * there (981, 972)": seqs 1..10 stored at 972..981 by the old leader, the
 * retry's copies at 983..992 (after the new leader's no-op) applied as
 * duplicates, each answered with the session's newest index, 981. */
Test(ack, a_retried_batch_applied_as_duplicates_acknowledges_where_each_record_is_stored)
{
    noops_upto(971);
    for (uint64_t k = 0; k < BATCH; k++)
        cr_assert_not(apply(972 + k, CLIENT, 1 + k).duplicate);
    noops_upto(982);
    uint64_t index[BATCH] = {0};
    for (uint64_t k = 0; k < BATCH; k++) {
        logbuf_result res = apply(983 + k, CLIENT, 1 + k);
        cr_assert(res.duplicate);
        index[k] = ack_index(lb, CLIENT, 1 + k, 983 + k, &res);
    }
    ack_lookup_stored(lb, CLIENT, 1, BATCH, index);
    for (uint64_t k = 0; k < BATCH; k++)
        cr_assert_eq(index[k], 972 + k, "seq %llu acknowledged at %llu, stored at %llu",
                     (unsigned long long)(1 + k), (unsigned long long)index[k],
                     (unsigned long long)(972 + k));
}

Test(ack, a_record_stored_by_its_own_copy_acknowledges_that_index)
{
    noops_upto(4);
    logbuf_result res = apply(5, CLIENT, 1);
    cr_assert_eq(ack_index(lb, CLIENT, 1, 5, &res), 5);
    res = apply(6, CLIENT + 1, 1); /* another client's */
    cr_assert_eq(ack_index(lb, CLIENT + 1, 1, 6, &res), 6);
}

Test(ack, a_duplicate_of_the_sessions_newest_seq_acknowledges_the_stored_index_without_a_scan)
{
    apply(1, CLIENT, 1);
    apply(2, CLIENT, 2);
    logbuf_result res = apply(3, CLIENT, 2);
    cr_assert(res.duplicate);
    cr_assert_eq(ack_index(lb, CLIENT, 2, 3, &res), 2);
}

Test(ack, records_interleaved_with_other_clients_are_found_by_client_and_seq)
{
    for (uint64_t k = 0; k < 4; k++) {
        apply(1 + 2 * k, CLIENT, 1 + k);
        apply(2 + 2 * k, CLIENT + 1, 1 + k); /* same seqs, another session */
    }
    uint64_t index[4] = {0};
    for (uint64_t k = 0; k < 4; k++) {
        logbuf_result res = apply(9 + k, CLIENT, 1 + k);
        index[k] = ack_index(lb, CLIENT, 1 + k, 9 + k, &res);
    }
    ack_lookup_stored(lb, CLIENT, 1, 4, index);
    for (uint64_t k = 0; k < 4; k++)
        cr_assert_eq(index[k], 1 + 2 * k);
}

Test(ack, a_record_not_applied_yet_is_left_for_its_own_apply)
{
    apply(1, CLIENT, 1);
    uint64_t index[3] = {0, 0, 0}; /* seq 1 stored; 2 and 3 proposed, not applied */
    ack_lookup_stored(lb, CLIENT, 1, 3, index);
    cr_assert_eq(index[0], 1);
    cr_assert_eq(index[1], 0);
    cr_assert_eq(index[2], 0);
}
