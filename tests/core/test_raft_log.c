/* test_raft_log.c — the in-memory Raft log (core/log.c). */
#include "../../core/log.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static void put(raft_log *l, uint64_t term, const char *s)
{
    raft_entry e = {.term = term, .type = RAFT_ENTRY_DATA, .len = (uint32_t)strlen(s),
                    .data = (const uint8_t *)s};
    cr_assert_eq(raft_log_append(l, &e), RAFT_OK);
}

static void expect(const raft_log *l, uint64_t index, uint64_t term, const char *s)
{
    raft_entry e;
    cr_assert(raft_log_get(l, index, &e), "entry %llu held", (unsigned long long)index);
    cr_assert_eq(e.term, term);
    cr_assert_eq(e.len, strlen(s));
    cr_assert_eq(memcmp(e.data, s, e.len), 0);
}

Test(raft_log, appended_entries_are_found_by_index_with_their_data)
{
    raft_log l;
    raft_log_init(&l, 0, 0);
    put(&l, 1, "a");
    put(&l, 1, "bb");
    put(&l, 2, "ccc");
    cr_assert_eq(raft_log_last_index(&l), 3);
    cr_assert_eq(raft_log_last_term(&l), 2);
    expect(&l, 1, 1, "a");
    expect(&l, 3, 2, "ccc");
    cr_assert_eq(raft_log_term_at(&l, 0), 0);
    cr_assert_eq(raft_log_term_at(&l, 4), 0, "unknown past the end");
    cr_assert_eq(raft_log_payload_bytes(&l), 6);
    cr_assert_eq(raft_log_bytes_between(&l, 2, 3), 5);
    raft_log_free(&l);
}

Test(raft_log, truncate_removes_the_suffix_and_new_appends_reuse_the_space)
{
    raft_log l;
    raft_log_init(&l, 0, 0);
    put(&l, 1, "one");
    put(&l, 1, "two");
    put(&l, 1, "three");
    raft_log_truncate(&l, 2);
    cr_assert_eq(raft_log_last_index(&l), 1);
    cr_assert_eq(raft_log_payload_bytes(&l), 3);
    put(&l, 2, "TWO");
    expect(&l, 2, 2, "TWO");
    expect(&l, 1, 1, "one");
    raft_log_free(&l);
}

Test(raft_log, compaction_moves_the_base_and_keeps_later_entries_intact)
{
    raft_log l;
    raft_log_init(&l, 0, 0);
    char buf[16];
    for (int i = 1; i <= 1000; i++) {
        snprintf(buf, sizeof buf, "e%d", i);
        put(&l, (uint64_t)(i / 100 + 1), buf);
    }
    raft_log_compact(&l, 990);
    cr_assert_eq(l.base_index, 990);
    cr_assert_eq(l.base_term, 990 / 100 + 1);
    cr_assert_not(raft_log_get(&l, 990, &(raft_entry){0}));
    cr_assert_eq(raft_log_term_at(&l, 990), 10, "the base term is remembered");
    for (int i = 1001; i <= 3000; i++) { /* the dead prefix is reclaimed as we go */
        snprintf(buf, sizeof buf, "e%d", i);
        put(&l, 11, buf);
    }
    expect(&l, 991, 10, "e991");
    expect(&l, 3000, 11, "e3000");
    raft_log_free(&l);
}

Test(raft_log, reset_empties_the_log_at_a_new_base)
{
    raft_log l;
    raft_log_init(&l, 0, 0);
    put(&l, 1, "x");
    raft_log_reset(&l, 50, 3);
    cr_assert_eq(raft_log_last_index(&l), 50);
    cr_assert_eq(raft_log_last_term(&l), 3);
    put(&l, 3, "y");
    expect(&l, 51, 3, "y");
    raft_log_free(&l);
}

Test(raft_log, term_searches_find_the_first_and_last_index_of_a_term)
{
    raft_log l;
    raft_log_init(&l, 0, 0);
    uint64_t terms[] = {1, 1, 2, 2, 2, 5, 7};
    for (size_t i = 0; i < sizeof terms / sizeof *terms; i++)
        put(&l, terms[i], "z");
    cr_assert_eq(raft_log_first_of_term(&l, 5), 3);
    cr_assert_eq(raft_log_first_of_term(&l, 2), 1);
    cr_assert_eq(raft_log_first_of_term(&l, 7), 7);
    cr_assert_eq(raft_log_last_of_term(&l, 2), 5);
    cr_assert_eq(raft_log_last_of_term(&l, 1), 2);
    cr_assert_eq(raft_log_last_of_term(&l, 3), 0, "absent term");
    cr_assert_eq(raft_log_last_of_term(&l, 9), 0);
    raft_log_free(&l);
}

Test(raft_log, empty_entries_have_no_data_and_cost_no_arena_bytes)
{
    raft_log l;
    raft_log_init(&l, 7, 2);
    raft_entry noop = {.term = 3, .type = RAFT_ENTRY_NOOP};
    cr_assert_eq(raft_log_append(&l, &noop), RAFT_OK);
    raft_entry e;
    cr_assert(raft_log_get(&l, 8, &e));
    cr_assert_eq(e.type, RAFT_ENTRY_NOOP);
    cr_assert_null(e.data);
    cr_assert_eq(raft_log_payload_bytes(&l), 0);
    cr_assert_eq(sizeof(raft_log_ent), 24, "compact entries: 24 bytes of overhead");
    raft_log_free(&l);
}
