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

#ifndef UNDER_ASAN
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
#endif

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

/* ---- snapshot chunks of different leaders or terms are never put together ---- */

static raft_msg snap_chunk(raft_id from, uint64_t term, uint64_t off, uint32_t len,
                           const uint8_t *data)
{
    raft_msg m = {.type = RAFT_MSG_INSTALL_SNAPSHOT, .from = from, .term = term};
    m.is.last_index = 5;
    m.is.last_term = 1;
    m.is.offset = off;
    m.is.len = len;
    m.is.total_len = 20;
    m.is.done = off + len == 20;
    m.is.data = data;
    return m;
}

static uint64_t last_snapshot_reply_offset(raft_id to)
{
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP, to, &r));
    return r.isr.next_offset;
}

Test(raft_limits, snapshot_chunks_of_another_leader_are_not_assembled_into_one_snapshot)
{
    static const uint8_t a[10] = "AAAAAAAAA", b[10] = "BBBBBBBBB";
    fh_start(&H);
    raft_msg m = snap_chunk(2, 2, 0, 10, a); /* leader 2, term 2: the first half */
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    cr_assert_eq(last_snapshot_reply_offset(2), 10);
    m = snap_chunk(3, 3, 10, 10, b); /* leader 3, term 3: the second half of the "same" one */
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    cr_assert_eq(H.n_restores, 0, "no snapshot made of two leaders' halves");
    cr_assert_eq(last_snapshot_reply_offset(3), 0, "leader 3 is asked to start from 0");
    m = snap_chunk(3, 3, 0, 10, b); /* leader 3's own transfer goes through */
    fh_deliver(&H, &m);
    m = snap_chunk(3, 3, 10, 10, b);
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    cr_assert_eq(H.n_restores, 1);
    cr_assert_eq(H.restored.index, 5);
}

Test(raft_limits, snapshot_chunks_of_one_leader_in_another_term_are_not_assembled_together)
{
    static const uint8_t a[10] = "AAAAAAAAA", b[10] = "BBBBBBBBB";
    fh_start(&H);
    raft_msg m = snap_chunk(2, 2, 0, 10, a);
    fh_deliver(&H, &m);
    m = snap_chunk(2, 4, 10, 10, b); /* node 2 again, leading a later term */
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    cr_assert_eq(raft_term(H.node), 4);
    cr_assert_eq(H.n_restores, 0, "a term-2 half and a term-4 half are not one snapshot");
    cr_assert_eq(last_snapshot_reply_offset(2), 0);
}

/* ---- every queue has a bound, and hitting it is visible ---- */

static size_t limit_events(enum raft_limit which)
{
    size_t n = 0;
    for (size_t i = 0; i < H.n_events; i++)
        n += H.events[i].kind == RAFT_EV_LIMIT && H.events[i].a == which;
    return n;
}

Test(raft_limits, outbox_holds_at_most_its_bound_and_a_drop_is_reported)
{
    fh_start(&H);
    raft_msg hb = fh_append(2, 2, 0, 0, 0, NULL, 0); /* term 2: a write the host never makes */
    for (unsigned i = 0; i < RAFT_MAX_OUTBOX + 10; i++) {
        hb.ae.seq = i + 1;
        cr_assert_eq(fh_deliver(&H, &hb), RAFT_OK);
    }
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 0, "all wait for the term");
    cr_assert_eq(limit_events(RAFT_LIMIT_OUTBOX), 10, "each dropped answer is reported");
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.limit_hits[RAFT_LIMIT_OUTBOX], 10);
    fh_persist_all(&H);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), RAFT_MAX_OUTBOX);
}

Test(raft_limits, proposals_are_refused_with_elimit_while_the_disk_is_the_bound_behind)
{
    fh_init(&H, 1, 1);
    fh_start(&H);
    fh_fire(&H);
    fh_persist_all(&H); /* leader; its no-op's write pending from here on */
    cr_assert_eq(raft_role(H.node), RAFT_LEADER);
    int rc = RAFT_OK;
    unsigned accepted = 0;
    while (accepted <= RAFT_MAX_PENDING_WRITES && (rc = raft_propose(H.node, "w", 1, NULL,
                                                                      NULL)) == RAFT_OK)
        accepted++;
    cr_assert_eq(rc, RAFT_ELIMIT);
    cr_assert_eq(accepted, RAFT_MAX_PENDING_WRITES - 1, "the no-op's write + the proposals");
    cr_assert_eq(limit_events(RAFT_LIMIT_WRITES), 1);
    fh_persist_all(&H);
    cr_assert_eq(raft_commit_index(H.node), 1 + (uint64_t)accepted, "all durable, committed");
    cr_assert_eq(raft_propose(H.node, "w", 1, NULL, NULL), RAFT_OK, "room again");
}

Test(raft_limits, writes_past_the_bound_are_tracked_with_the_newest_and_credited_once_durable)
{
    fh_start(&H); /* a follower: its writes are not proposals and cannot be refused */
    raft_entry e = {.term = 1, .type = RAFT_ENTRY_NOOP};
    for (uint64_t i = 0; i < RAFT_MAX_PENDING_WRITES + 2; i++) {
        raft_msg m = fh_append(2, 1, i, i ? 1 : 0, 0, &e, 1);
        m.ae.seq = i + 1;
        cr_assert_eq(fh_deliver(&H, &m), RAFT_OK);
    }
    cr_assert_eq(raft_last_index(H.node), RAFT_MAX_PENDING_WRITES + 2);
    cr_assert_geq(limit_events(RAFT_LIMIT_WRITES), 1, "the merge is reported");
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 0);
    fh_persist_all(&H);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES_RESP, 2, &r));
    cr_assert(r.aer.success);
    cr_assert_eq(r.aer.match_index, RAFT_MAX_OUTBOX, "the answers the outbox held went out");
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER, "not stopped");
    raft_msg hb = fh_append(2, 1, RAFT_MAX_PENDING_WRITES + 2, 1, 0, NULL, 0);
    cr_assert_eq(fh_deliver(&H, &hb), RAFT_OK, "the node still works");
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES_RESP, 2, &r));
    cr_assert_eq(r.aer.match_index, RAFT_MAX_PENDING_WRITES + 2, "answered at once: all durable");
}

Test(raft_limits, read_index_is_refused_with_elimit_at_its_bound)
{
    fh_start(&H);
    fh_make_leader(&H);
    fh_ack_last(&H, 2); /* the no-op commits: reads are possible */
    cr_assert_eq(raft_commit_index(H.node), 1);
    for (uint64_t i = 0; i < RAFT_MAX_READS; i++)
        cr_assert_eq(raft_read_index(H.node, i + 1), RAFT_OK, "read %llu", (unsigned long long)i);
    cr_assert_eq(raft_read_index(H.node, 99999), RAFT_ELIMIT);
    cr_assert_eq(limit_events(RAFT_LIMIT_READS), 1);
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.limit_hits[RAFT_LIMIT_READS], 1);
}

Test(raft_limits, a_snapshot_above_the_bound_is_refused_and_reported)
{
    fh_start(&H);
    raft_msg m = snap_chunk(2, 2, 0, 0, NULL);
    m.is.total_len = RAFT_MAX_SNAPSHOT + 1;
    m.is.done = false;
    cr_assert_eq(fh_deliver(&H, &m), RAFT_OK);
    cr_assert_eq(limit_events(RAFT_LIMIT_SNAPSHOT), 1);
    fh_persist_all(&H);
    cr_assert_eq(last_snapshot_reply_offset(2), 0);
    cr_assert_str_eq(raft_limit_name(RAFT_LIMIT_SNAPSHOT), "snapshot");
    cr_assert_str_eq(raft_strerror(RAFT_ELIMIT), "a queue of the node is at its bound");
}
