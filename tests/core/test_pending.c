/* test_pending.c — core/pending.c: the client writes in a leader's
 * uncommitted log, by (client id, seq). */
#include <criterion/criterion.h>
#include <string.h>

#include "../../core/logbuf.h"
#include "../../core/pending.h"

Test(pending, a_noted_write_is_found_until_it_is_applied)
{
    pending_writes p;
    pending_init(&p);
    pending_reset(&p, 3);
    cr_assert_eq(pending_note(&p, 7, 1, 10, 5), RAFT_OK);
    cr_assert_eq(pending_find(&p, 7, 1, 5), 10, "in flight at index 10");
    cr_assert_eq(pending_find(&p, 7, 1, 9), 10);
    cr_assert_eq(pending_find(&p, 7, 1, 10), 0, "applied: the log buffer answers it now");
    cr_assert_eq(pending_find(&p, 7, 2, 5), 0, "another seq of the same client");
    cr_assert_eq(pending_find(&p, 8, 1, 5), 0, "another client");
    cr_assert_eq(pending_find(&p, 0, 0, 0), 0, "client 0 is no session");
    pending_free(&p);
}

Test(pending, a_client_keeps_its_newest_seq_and_a_reset_forgets_everything)
{
    pending_writes p;
    pending_init(&p);
    pending_reset(&p, 1);
    cr_assert_eq(pending_note(&p, 7, 1, 10, 0), RAFT_OK);
    cr_assert_eq(pending_note(&p, 7, 2, 11, 0), RAFT_OK);
    cr_assert_eq(pending_note(&p, 7, 1, 12, 0), RAFT_OK, "an older seq does not replace it");
    cr_assert_eq(pending_find(&p, 7, 2, 0), 11);
    cr_assert_eq(pending_find(&p, 7, 1, 0), 0);
    pending_reset(&p, 2);
    cr_assert_eq(p.term, 2);
    cr_assert_eq(pending_find(&p, 7, 2, 0), 0, "a new term starts empty");
    pending_free(&p);
}

Test(pending, many_clients_grow_the_table_and_applied_ones_make_room)
{
    pending_writes p;
    pending_init(&p);
    pending_reset(&p, 1);
    for (uint64_t c = 1; c <= 5000; c++)
        cr_assert_eq(pending_note(&p, c, c * 3, c, 0), RAFT_OK);
    for (uint64_t c = 1; c <= 5000; c++)
        cr_assert_eq(pending_find(&p, c, c * 3, 0), c, "client %llu", (unsigned long long)c);
    size_t cap = p.cap;
    /* Everything up to 4999 applied: new clients reuse the room. */
    for (uint64_t c = 5001; c <= 9000; c++)
        cr_assert_eq(pending_note(&p, c, 1, c, 4999), RAFT_OK);
    cr_assert_eq(p.cap, cap, "applied entries were dropped instead of growing");
    cr_assert_eq(pending_find(&p, 5000, 15000, 4999), 5000);
    cr_assert_eq(pending_find(&p, 9000, 1, 4999), 9000);
    pending_free(&p);
}

Test(pending, log_entries_are_noted_only_when_they_carry_a_client_command)
{
    pending_writes p;
    pending_init(&p);
    pending_reset(&p, 1);
    uint8_t cmd[64];
    size_t len = logbuf_cmd_encode(cmd, sizeof cmd, 42, 9, 0, "abc", 3);
    cr_assert_gt(len, 0);
    raft_entry data = { .term = 1, .type = RAFT_ENTRY_DATA, .data = cmd,
                        .len = (uint32_t)len };
    raft_entry noop = { .term = 1, .type = RAFT_ENTRY_NOOP };
    raft_entry junk = { .term = 1, .type = RAFT_ENTRY_DATA, .data = cmd, .len = 5 };
    cr_assert_eq(pending_note_cmd(&p, &data, 4, 0), RAFT_OK);
    cr_assert_eq(pending_note_cmd(&p, &noop, 5, 0), RAFT_OK);
    cr_assert_eq(pending_note_cmd(&p, &junk, 6, 0), RAFT_OK);
    cr_assert_eq(pending_find(&p, 42, 9, 0), 4);
    cr_assert_eq(p.n, 1, "only the client command");
    pending_free(&p);
}
