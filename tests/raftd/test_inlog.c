/* test_inlog.c — a retried APPEND finds the copies of its records that the
 * leader still holds in its log above the applied index
 * (tools/raftd/client_inlog.c over core/pending.h), and only those: every
 * answer is checked against the log entry itself. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../core/logbuf.h"
#include "../../tools/raftd/client_inlog.h"

enum { CLIENT = 7, OTHER = 8, LOG_MAX = 64, BATCH = 10 };

/* A leader's log: index i in ents[i] (0: none), with its command bytes. */
static raft_entry ents[LOG_MAX + 1];
static uint8_t cmds[LOG_MAX + 1][64];
static uint64_t last;
static pending_writes pend;

static bool entry_at(void *ctx, uint64_t index, raft_entry *out)
{
    (void)ctx;
    if (index == 0 || index > last)
        return false;
    *out = ents[index];
    return true;
}

static void append_noop(uint64_t term)
{
    cr_assert_lt(last, LOG_MAX);
    last++;
    ents[last] = (raft_entry){.term = term, .type = RAFT_ENTRY_NOOP};
}

/* Append (client, seq) as a proposal would, and note it like client.c does. */
static uint64_t propose(uint64_t term, uint64_t client, uint64_t seq, uint64_t applied)
{
    cr_assert_lt(last, LOG_MAX);
    last++;
    size_t n = logbuf_cmd_encode(cmds[last], sizeof cmds[last], client, seq, last, "rec", 3);
    cr_assert_gt(n, 0);
    ents[last] = (raft_entry){.term = term, .type = RAFT_ENTRY_DATA, .data = cmds[last],
                              .len = (uint32_t)n};
    if (pend.term == term)
        cr_assert_eq(pending_note(&pend, client, seq, last, applied), RAFT_OK);
    return last;
}

static void setup(void)
{
    memset(ents, 0, sizeof ents);
    last = 0;
    pending_init(&pend);
}

static void teardown(void) { pending_free(&pend); }

TestSuite(inlog, .init = setup, .fini = teardown);

/* The copy of (client, seq) a retry of batch first..first+count-1 would wait for. */
static uint64_t copy_of(uint64_t client, uint64_t first, uint32_t count, uint64_t seq,
                        uint64_t applied, uint64_t *term)
{
    inlog_anchor a = inlog_anchor_find(&pend, client, first, count, applied);
    return inlog_copy(&a, entry_at, NULL, client, seq, applied, term);
}

Test(inlog, a_retried_batch_waits_for_every_record_of_its_first_copy)
{
    inlog_sync(&pend, 2, 0, last, entry_at, NULL);
    append_noop(2);
    for (uint64_t k = 0; k < BATCH; k++)
        propose(2, CLIENT, 1 + k, 0);
    for (uint64_t k = 0; k < BATCH; k++) {
        uint64_t term = 0;
        cr_assert_eq(copy_of(CLIENT, 1, BATCH, 1 + k, 0, &term), 2 + k, "seq %llu",
                     (unsigned long long)(1 + k));
        cr_assert_eq(term, 2);
    }
}

Test(inlog, a_new_leader_waits_for_the_copies_an_earlier_leader_left_in_its_log)
{
    append_noop(1);
    for (uint64_t k = 0; k < BATCH; k++)
        propose(1, CLIENT, 1 + k, 1); /* appended under leader term 1, not by us */
    append_noop(3);                   /* our term-3 no-op */
    inlog_sync(&pend, 3, 1, last, entry_at, NULL);
    for (uint64_t k = 0; k < BATCH; k++) {
        uint64_t term = 0;
        cr_assert_eq(copy_of(CLIENT, 1, BATCH, 1 + k, 1, &term), 2 + k);
        cr_assert_eq(term, 1, "the entry's own term, not ours");
    }
}

Test(inlog, records_at_or_below_the_applied_index_are_not_waited_for)
{
    inlog_sync(&pend, 2, 0, last, entry_at, NULL);
    for (uint64_t k = 0; k < BATCH; k++)
        propose(2, CLIENT, 1 + k, 0); /* at 1..10 */
    uint64_t term = 0;
    cr_assert_eq(copy_of(CLIENT, 1, BATCH, 5, 5, &term), 0, "seq 5 at index 5 is applied");
    cr_assert_eq(copy_of(CLIENT, 1, BATCH, 6, 5, &term), 6);
    cr_assert_eq(copy_of(CLIENT, 1, BATCH, 10, 10, &term), 0, "all applied");
}

Test(inlog, a_batch_interleaved_with_another_client_is_waited_for_only_where_the_log_agrees)
{
    inlog_sync(&pend, 2, 0, last, entry_at, NULL);
    for (uint64_t k = 0; k < 4; k++) {
        propose(2, CLIENT, 1 + k, 0);
        propose(2, OTHER, 1 + k, 0);
    } /* CLIENT's seqs 1..4 at 1, 3, 5, 7 */
    uint64_t term = 0;
    cr_assert_eq(copy_of(CLIENT, 1, 4, 4, 0, &term), 7, "the newest: the table knows it");
    for (uint64_t seq = 1; seq < 4; seq++)
        cr_assert_eq(copy_of(CLIENT, 1, 4, seq, 0, &term), 0,
                     "seq %llu: the guessed entry is the other client's: propose again",
                     (unsigned long long)seq);
}

Test(inlog, a_batch_proposed_in_part_waits_for_the_part_and_proposes_the_rest)
{
    inlog_sync(&pend, 2, 0, last, entry_at, NULL);
    append_noop(2);
    for (uint64_t k = 0; k < 4; k++) /* the first attempt stopped after seq 4 */
        propose(2, CLIENT, 1 + k, 0);
    uint64_t term = 0;
    for (uint64_t seq = 1; seq <= 4; seq++)
        cr_assert_eq(copy_of(CLIENT, 1, BATCH, seq, 0, &term), 1 + seq);
    for (uint64_t seq = 5; seq <= BATCH; seq++)
        cr_assert_eq(copy_of(CLIENT, 1, BATCH, seq, 0, &term), 0);
}

Test(inlog, another_clients_records_and_other_seqs_are_not_matched)
{
    inlog_sync(&pend, 2, 0, last, entry_at, NULL);
    for (uint64_t k = 0; k < BATCH; k++)
        propose(2, CLIENT, 1 + k, 0);
    uint64_t term = 0;
    cr_assert_eq(copy_of(OTHER, 1, BATCH, 3, 0, &term), 0);
    cr_assert_eq(copy_of(CLIENT, 11, BATCH, 11, 0, &term), 0, "a later batch is new");
}

Test(inlog, the_table_is_emptied_when_not_leading_and_rebuilt_for_a_new_term)
{
    inlog_sync(&pend, 2, 0, last, entry_at, NULL);
    for (uint64_t k = 0; k < BATCH; k++)
        propose(2, CLIENT, 1 + k, 0);
    inlog_sync(&pend, 0, 0, last, entry_at, NULL); /* stepped down */
    uint64_t term = 0;
    cr_assert_eq(copy_of(CLIENT, 1, BATCH, 10, 0, &term), 0);
    /* leading term 4 with the log cut back to 5 and another client's entry at 6 */
    last = 5;
    propose(3, OTHER, 1, 0);
    inlog_sync(&pend, 4, 0, last, entry_at, NULL);
    cr_assert_eq(copy_of(CLIENT, 1, BATCH, 10, 0, &term), 0, "seq 10 is gone from the log");
    cr_assert_eq(copy_of(CLIENT, 1, BATCH, 5, 0, &term), 5, "seq 5 is still at 5");
}
