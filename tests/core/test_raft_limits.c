/* test_raft_limits.c — configuration limits, explicit queue bounds, and the
 * smaller durability rules of issue 15 (item 6). */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_limits, .init = setup3, .fini = teardown);

Test(raft_limits, raft_new_refuses_a_heartbeat_not_below_the_minimum_election_timeout)
{
    H.cfg.heartbeat_ns = H.cfg.election_timeout_min_ns;
    cr_assert_null(raft_new(&H.cfg, &H.io, NULL), "heartbeat == minimum election timeout");
    H.cfg.heartbeat_ns = H.cfg.election_timeout_min_ns + 1;
    cr_assert_null(raft_new(&H.cfg, &H.io, NULL), "heartbeat above it");
    H.cfg.heartbeat_ns = H.cfg.election_timeout_min_ns - 1;
    raft_node *r = raft_new(&H.cfg, &H.io, NULL);
    cr_assert_not_null(r, "just below it");
    raft_free(r);
}

/* ---- a truncation reaches the disk even if the append after it fails ---- */

/* The process's address space in bytes now (/proc/self/statm, in pages). */
static size_t address_space_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    cr_assert_not_null(f);
    unsigned long pages = 0;
    cr_assert_eq(fscanf(f, "%lu", &pages), 1);
    fclose(f);
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

Test(raft_limits, a_truncation_reaches_the_disk_even_when_the_append_after_it_fails)
{
#ifdef UNDER_ASAN
    cr_skip_test("address-space limits and the sanitizer's allocator do not mix");
#else
    /* Follower with 1..3 of term 1 on disk; leader 2 of term 2 sends one
     * entry at 2 that conflicts, too big for the memory left: the node cuts
     * 2..3 in memory and cannot append. (Criterion runs each test in its own
     * process: the limit stays here.) */
    enum { BIG = 32u << 20, MARGIN = 8u << 20 };
    static const uint64_t terms[] = {1, 1, 1};
    fh_seed_log(&H, 1, terms, 3);
    fh_start(&H);
    uint8_t *payload = calloc(BIG, 1);
    cr_assert_not_null(payload);
    raft_entry e = {.term = 2, .type = RAFT_ENTRY_DATA, .len = BIG, .data = payload};
    raft_msg m = fh_append(2, 2, 1, 1, 0, &e, 1);
    size_t cap = raft_msg_encoded_size(&m);
    uint8_t *buf = malloc(cap);
    cr_assert_not_null(buf);
    size_t len = raft_msg_encode(&m, buf, cap);
    cr_assert_gt(len, 0);
    struct rlimit old, low;
    cr_assert_eq(getrlimit(RLIMIT_AS, &old), 0);
    low = old;
    low.rlim_cur = address_space_now() + MARGIN;
    cr_assert_eq(setrlimit(RLIMIT_AS, &low), 0);
    int rc = raft_receive(H.node, 2, buf, len);
    cr_assert_eq(setrlimit(RLIMIT_AS, &old), 0);
    free(buf);
    free(payload);
    cr_assert_eq(rc, RAFT_OK);
    cr_assert_eq(raft_last_index(H.node), 1, "cut 2..3, and the new entry did not fit");
    cr_assert_eq(fh_event_count(&H, RAFT_EV_APPEND), 0, "the append failed");
    bool cut_written = false;
    for (size_t i = 0; i < H.n_writes; i++)
        cut_written |= H.writes[i].kind == RAFT_WRITE_ENTRIES && H.writes[i].first_index == 2;
    cr_assert(cut_written, "a write discards the disk's entries from 2 on");
    fh_persist_all(&H);
    fh_crash(&H);
    fh_start(&H);
    cr_assert_eq(raft_last_index(H.node), 1, "recovery does not resurrect the cut entries");
#endif
}
