/* test_raft_replication.c — AppendEntries on both sides: consistency check,
 * truncation, hints, caps, pipelining, resends (paper Figure 2, §5.3). */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <string.h>

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_replication, .init = setup3, .fini = teardown);

static raft_entry E(uint64_t term) { return (raft_entry){.term = term, .type = RAFT_ENTRY_NOOP}; }

/* Follower: take entries of these terms from leader `from` in `term`, from index 1. */
static void follow(raft_id from, uint64_t term, const uint64_t *terms, uint32_t n)
{
    raft_entry e[16];
    for (uint32_t i = 0; i < n; i++)
        e[i] = E(terms[i]);
    raft_msg m = fh_append(from, term, 0, 0, 0, e, n);
    cr_assert_eq(fh_deliver(&H, &m), RAFT_OK);
    fh_persist_all(&H);
    fh_clear(&H);
}

static raft_msg last_reply(void)
{
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES_RESP, 0, &r), "a reply was sent");
    return r;
}

/* ---- follower side ---- */

Test(raft_replication, append_success_is_not_sent_before_the_entries_are_durable)
{
    fh_start(&H);
    raft_entry e[2] = {E(1), E(1)};
    raft_msg m = fh_append(2, 1, 0, 0, 0, e, 2);
    fh_deliver(&H, &m);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 0);
    cr_assert_eq(H.writes[H.n_writes - 1].first_index, 1);
    cr_assert_eq(H.writes[H.n_writes - 1].n_entries, 2);
    fh_persist_all(&H);
    raft_msg r = last_reply();
    cr_assert(r.aer.success);
    cr_assert_eq(r.aer.match_index, 2);
}

Test(raft_replication, duplicate_append_is_acknowledged_only_after_the_first_copy_is_durable)
{
    fh_start(&H);
    raft_entry e[1] = {E(1)};
    raft_msg m = fh_append(2, 1, 0, 0, 0, e, 1);
    fh_deliver(&H, &m);
    fh_deliver(&H, &m); /* nothing new to write, but the entry is not durable yet */
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 0);
    fh_persist_all(&H);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 2);
}

Test(raft_replication, heartbeat_answer_is_not_held_behind_a_pending_write_of_newer_entries)
{
    fh_start(&H);
    uint64_t terms[] = {1, 1};
    follow(2, 1, terms, 2);
    raft_entry e[1] = {E(1)};
    raft_msg m = fh_append(2, 1, 2, 1, 0, e, 1);
    fh_deliver(&H, &m); /* entry 3: its write is pending */
    raft_msg hb = fh_append(2, 1, 2, 1, 0, NULL, 0);
    fh_deliver(&H, &hb);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 1, "the heartbeat is answered");
    raft_msg r = last_reply();
    cr_assert(r.aer.success);
    cr_assert_eq(r.aer.match_index, 2, "promising only what is durable");
    fh_persist_all(&H);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 2);
    r = last_reply();
    cr_assert_eq(r.aer.match_index, 3);
}

Test(raft_replication, stale_append_entries_is_refused_and_does_not_reset_the_timer)
{
    fh_start(&H);
    raft_msg rv = fh_vote_req(3, 2, 0, 0);
    fh_deliver(&H, &rv);
    fh_persist_all(&H);
    fh_advance(&H, 100 * MS);
    uint64_t deadline = raft_next_deadline(H.node);
    raft_entry e[1] = {E(1)};
    raft_msg m = fh_append(2, 1, 0, 0, 0, e, 1);
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    raft_msg r = last_reply();
    cr_assert_not(r.aer.success);
    cr_assert_eq(r.term, 2);
    cr_assert_eq(raft_next_deadline(H.node), deadline, "timer untouched");
    cr_assert_eq(raft_last_index(H.node), 0, "nothing appended");
    cr_assert_neq(raft_leader(H.node), 2);
}

Test(raft_replication, valid_append_entries_resets_the_election_timer)
{
    fh_start(&H);
    fh_advance(&H, 100 * MS);
    raft_msg m = fh_append(2, 1, 0, 0, 0, NULL, 0);
    fh_deliver(&H, &m);
    cr_assert_eq(raft_next_deadline(H.node), H.now + 150 * MS);
    cr_assert_eq(raft_leader(H.node), 2);
}

Test(raft_replication, stale_or_duplicate_append_entries_does_not_truncate_matching_entries)
{
    fh_start(&H);
    uint64_t terms[] = {1, 1, 1, 1};
    follow(2, 1, terms, 4);
    raft_entry e[2] = {E(1), E(1)};
    raft_msg m = fh_append(2, 1, 0, 0, 0, e, 2); /* an old, delayed message */
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    cr_assert_eq(raft_last_index(H.node), 4, "entries after the matching ones are kept");
    cr_assert_eq(fh_event_count(&H, RAFT_EV_TRUNCATE), 0);
    raft_msg r = last_reply();
    cr_assert(r.aer.success);
    cr_assert_eq(r.aer.match_index, 2, "acknowledges only what the message matched");
}

Test(raft_replication, conflicting_append_entries_truncates_from_the_conflict)
{
    fh_start(&H);
    uint64_t terms[] = {1, 1, 1};
    follow(2, 1, terms, 3);
    size_t ev0 = H.n_events;
    raft_entry e[1] = {E(2)};
    raft_msg m = fh_append(3, 2, 1, 1, 0, e, 1);
    fh_deliver(&H, &m);
    cr_assert_eq(raft_last_index(H.node), 2);
    cr_assert_eq(raft_term_at(H.node, 2), 2);
    cr_assert_eq(raft_term_at(H.node, 1), 1, "the matching prefix stays");
    size_t trunc = 0, append = 0;
    for (size_t i = ev0; i < H.n_events; i++) {
        if (H.events[i].kind == RAFT_EV_TRUNCATE && H.events[i].a == 2 && H.events[i].b == 3)
            trunc = i;
        if (H.events[i].kind == RAFT_EV_APPEND && H.events[i].a == 2 && H.events[i].b == 2)
            append = i;
    }
    cr_assert(trunc && append && trunc < append, "TRUNCATE [2..3] reported before APPEND [2,2]");
    cr_assert_eq(H.writes[H.n_writes - 1].first_index, 2, "the disk replaces from index 2");
    fh_persist_all(&H);
    cr_assert_eq(H.n_disk, 2);
    cr_assert_eq(H.disk[1].term, 2);
}

Test(raft_replication, rejection_names_the_conflicting_term_and_its_first_index)
{
    fh_start(&H);
    uint64_t terms[] = {1, 1, 2, 2, 2};
    follow(2, 2, terms, 5);
    raft_msg m = fh_append(3, 4, 5, 3, 0, NULL, 0);
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    raft_msg r = last_reply();
    cr_assert_not(r.aer.success);
    cr_assert_eq(r.aer.conflict_term, 2);
    cr_assert_eq(r.aer.conflict_index, 3);
    cr_assert_eq(raft_last_index(H.node), 5, "a rejection changes no entry");
}

Test(raft_replication, rejection_for_a_short_log_points_just_past_its_end)
{
    fh_start(&H);
    uint64_t terms[] = {1, 1};
    follow(2, 1, terms, 2);
    raft_msg m = fh_append(2, 1, 7, 1, 0, NULL, 0);
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    raft_msg r = last_reply();
    cr_assert_not(r.aer.success);
    cr_assert_eq(r.aer.conflict_index, 3);
    cr_assert_eq(r.aer.conflict_term, 0);
    cr_assert_eq(r.aer.last_index, 2);
}

Test(raft_replication, follower_commit_is_capped_by_the_index_of_the_last_new_entry)
{
    fh_start(&H);
    uint64_t terms[] = {1, 1, 1};
    follow(2, 1, terms, 3);
    raft_msg m = fh_append(3, 2, 1, 1, 3, NULL, 0); /* leader committed 3 of its own log */
    fh_deliver(&H, &m);
    cr_assert_eq(raft_commit_index(H.node), 1, "only the verified prefix can be committed");
    cr_assert_eq(raft_applied_index(H.node), 1);
}

Test(raft_replication, follower_applies_committed_entries_in_order_once)
{
    fh_start(&H);
    raft_entry e[3];
    const char *cmd[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        e[i] = (raft_entry){.term = 1, .type = RAFT_ENTRY_DATA, .len = 1,
                            .data = (const uint8_t *)cmd[i]};
    raft_msg m = fh_append(2, 1, 0, 0, 2, e, 3);
    fh_deliver(&H, &m);
    cr_assert_eq(H.n_applied, 2);
    m = fh_append(2, 1, 3, 1, 3, NULL, 0);
    fh_deliver(&H, &m);
    fh_deliver(&H, &m);
    cr_assert_eq(H.n_applied, 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(H.applied[i].index, (uint64_t)i + 1);
        cr_assert_str_eq(H.applied[i].data, cmd[i]);
    }
    cr_assert(fh_has_event(&H, RAFT_EV_COMMIT, 3, 2));
    cr_assert(fh_has_event(&H, RAFT_EV_APPLY, 3, 1));
}

Test(raft_replication, prev_index_below_the_snapshot_is_not_a_conflict)
{
    fh_seed_snapshot(&H, 5, 1, 10);
    fh_start(&H);
    raft_entry e[4] = {E(1), E(1), E(1), E(1)}; /* indexes 4..7 */
    raft_msg m = fh_append(2, 1, 3, 9 /* unknown to us */, 0, e, 4);
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    raft_msg r = last_reply();
    cr_assert(r.aer.success);
    cr_assert_eq(r.aer.match_index, 7);
    cr_assert_eq(raft_last_index(H.node), 7);
    cr_assert_eq(H.writes[H.n_writes - 1].first_index, 6, "only entries past the snapshot");
}

Test(raft_replication, higher_term_is_persisted_before_any_reply_in_that_term)
{
    fh_start(&H);
    raft_msg m = fh_append(2, 3, 4, 1, 0, NULL, 0); /* will be rejected: short log */
    fh_deliver(&H, &m);
    cr_assert_eq(raft_term(H.node), 3);
    cr_assert_eq(H.writes[H.n_writes - 1].hs.term, 3);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 0);
    fh_persist_all(&H);
    cr_assert_eq(fh_count(&H, RAFT_MSG_APPEND_ENTRIES_RESP), 1);
}

/* ---- leader side ---- */

Test(raft_replication, proposal_on_a_follower_fails_with_a_leader_hint)
{
    fh_start(&H);
    raft_msg m = fh_append(3, 1, 0, 0, 0, NULL, 0);
    fh_deliver(&H, &m);
    uint64_t index = 0;
    cr_assert_eq(raft_propose(H.node, "x", 1, &index, NULL), RAFT_ENOTLEADER);
    cr_assert_eq(raft_leader(H.node), 3);
    cr_assert_eq(raft_last_index(H.node), 0);
}

Test(raft_replication, oversized_proposal_fails_with_too_big)
{
    H.cfg.max_entry_bytes = 8;
    fh_start(&H);
    fh_make_leader(&H);
    cr_assert_eq(raft_propose(H.node, "123456789", 9, NULL, NULL), RAFT_ETOOBIG);
    cr_assert_eq(raft_propose(H.node, "12345678", 8, NULL, NULL), RAFT_OK);
}

Test(raft_replication, leader_steps_down_on_a_higher_term_in_a_reply)
{
    fh_start(&H);
    fh_make_leader(&H);
    raft_msg r = fh_append_ok(2, 7, 1, 0);
    r.aer.success = false;
    fh_deliver(&H, &r);
    cr_assert_eq(raft_role(H.node), RAFT_FOLLOWER);
    cr_assert_eq(raft_term(H.node), 7);
    cr_assert(fh_has_event(&H, RAFT_EV_STEPDOWN_TERM, 2, 7));
    cr_assert_eq(raft_propose(H.node, "x", 1, NULL, NULL), RAFT_ENOTLEADER);
}

Test(raft_replication, conflict_hint_lets_the_leader_skip_a_whole_term)
{
    uint64_t terms[] = {1, 1, 1, 4, 4};
    fh_seed_log(&H, 4, terms, 5);
    fh_start(&H);
    fh_make_leader(&H); /* term 5, no-op at 6, first probe at prev 5 */
    fh_clear(&H);
    raft_msg ae;
    raft_msg r = fh_append_ok(2, 5, 0, 0);
    r.aer.success = false;
    r.aer.seq = 1;
    r.aer.match_index = 5; /* the rejected prevLogIndex */
    r.aer.conflict_term = 3; /* follower holds term 3 from index 2; we have no term 3 */
    r.aer.conflict_index = 2;
    fh_deliver(&H, &r);
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 1, "skipped the whole of term 3 in one step");
    cr_assert(fh_has_event(&H, RAFT_EV_BACKTRACK, 2, 2));
    r.aer.seq = ae.ae.seq;
    r.aer.match_index = ae.ae.prev_index;
    r.aer.conflict_term = 4; /* we hold term 4 up to index 5 */
    r.aer.conflict_index = 4;
    fh_deliver(&H, &r);
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 5, "resumes after our last entry of the follower's term");
}

Test(raft_replication, next_index_never_drops_below_one)
{
    fh_start(&H);
    fh_make_leader(&H);
    raft_msg r = fh_append_ok(2, 1, 1, 0);
    r.aer.success = false;
    r.aer.conflict_index = 0;
    fh_deliver(&H, &r);
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 0);
    cr_assert_eq(ae.ae.n_entries, 1);
}

Test(raft_replication, pipelining_keeps_up_to_the_window_in_flight_and_probes_after_a_rejection)
{
    H.cfg.max_entries_per_msg = 1;
    H.cfg.pipeline_window = 4;
    fh_start(&H);
    fh_make_leader(&H);
    fh_ack_last(&H, 2); /* probe succeeded: pipeline mode */
    fh_clear(&H);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(raft_propose(H.node, "p", 1, NULL, NULL), RAFT_OK);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 4, "window of 4 in flight");
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 3), 0, "peer 3 waits on its probe");
    raft_msg ae;
    fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae);
    cr_assert_eq(ae.ae.prev_index, 4, "nextIndex advanced optimistically");
    raft_msg r = fh_append_ok(2, 1, ae.ae.seq, 0);
    r.aer.success = false;
    r.aer.match_index = ae.ae.prev_index; /* the rejected prevLogIndex */
    r.aer.conflict_index = 2;
    fh_clear(&H);
    fh_deliver(&H, &r);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1, "one probe after a rejection");
    raft_propose(H.node, "q", 1, NULL, NULL);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1, "probe mode: one at a time");
    fh_ack_last(&H, 2);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 5, "pipeline again after success");
}

/* Entry counts of the AppendEntries sent to `peer` from sent-list position `from`. */
static uint32_t batch_sizes(raft_id peer, size_t from, uint32_t *sizes, uint32_t cap)
{
    uint32_t n = 0;
    raft_msg ae;
    for (size_t i = from; i < H.n_sent && n < cap; i++) {
        if (H.sent[i].to != peer)
            continue;
        fh_msg(&H, i, &ae);
        if (ae.type == RAFT_MSG_APPEND_ENTRIES)
            sizes[n++] = ae.ae.n_entries;
    }
    return n;
}

Test(raft_replication, batching_respects_the_entry_cap)
{
    H.cfg.max_entries_per_msg = 3;
    fh_start(&H);
    fh_make_leader(&H); /* the no-op probe is in flight: proposals wait */
    for (int i = 0; i < 7; i++)
        raft_propose(H.node, "b", 1, NULL, NULL);
    size_t mark = H.n_sent;
    fh_ack_last(&H, 2);
    uint32_t sizes[8];
    cr_assert_eq(batch_sizes(2, mark, sizes, 8), 3);
    cr_assert_eq(sizes[0], 3);
    cr_assert_eq(sizes[1], 3);
    cr_assert_eq(sizes[2], 1);
}

Test(raft_replication, batching_respects_the_byte_cap_but_always_sends_one_entry)
{
    H.cfg.max_bytes_per_msg = 100;
    fh_start(&H);
    fh_make_leader(&H);
    char small[40], big[500];
    memset(small, 's', sizeof small);
    memset(big, 'B', sizeof big);
    for (int i = 0; i < 3; i++)
        raft_propose(H.node, small, sizeof small, NULL, NULL);
    raft_propose(H.node, big, sizeof big, NULL, NULL);
    size_t mark = H.n_sent;
    fh_ack_last(&H, 2);
    uint32_t sizes[8];
    cr_assert_eq(batch_sizes(2, mark, sizes, 8), 3);
    cr_assert_eq(sizes[0], 2, "two 40-byte entries fit in 100 bytes, three do not");
    cr_assert_eq(sizes[1], 1);
    cr_assert_eq(sizes[2], 1, "an entry over the cap still goes, alone");
}

Test(raft_replication, lost_append_entries_is_resent_after_the_heartbeat_interval)
{
    fh_start(&H);
    fh_make_leader(&H);
    fh_clear(&H);
    fh_advance(&H, 49 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 0);
    fh_advance(&H, 1 * MS);
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 0);
    cr_assert_eq(ae.ae.n_entries, 1, "the unacknowledged no-op is sent again");
}

Test(raft_replication, idle_leader_sends_heartbeats_every_interval)
{
    fh_start(&H);
    fh_make_leader(&H);
    fh_ack_last(&H, 2);
    fh_ack_last(&H, 3);
    fh_clear(&H);
    fh_advance(&H, 50 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 3), 1);
    raft_msg ae;
    fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae);
    cr_assert_eq(ae.ae.n_entries, 0);
    cr_assert_eq(ae.ae.prev_index, 1, "heartbeat at the follower's match index");
    cr_assert_eq(ae.ae.leader_commit, 1);
    fh_advance(&H, 50 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 2);
}

/* heartbeat-idle-only (canonical/raft's rule): the periodic heartbeat skips a
 * follower that was sent an AppendEntries less than one interval ago. */
static void busy_leader(bool idle_only)
{
    H.cfg.heartbeat_idle_only = idle_only;
    fh_start(&H);
    fh_make_leader(&H);
    fh_ack_last(&H, 2);
    fh_ack_last(&H, 3);
    fh_advance(&H, 30 * MS);
    fh_clear(&H);
    cr_assert_eq(raft_propose(H.node, "w", 1, NULL, NULL), RAFT_OK);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1, "the entry goes out at once");
    fh_ack_last(&H, 2);
    fh_ack_last(&H, 3);
    fh_clear(&H);
}

Test(raft_replication, idle_only_heartbeat_skips_a_follower_sent_an_append_within_the_interval)
{
    busy_leader(true);
    fh_advance(&H, 20 * MS); /* the tick at 50 ms: the append went 20 ms ago */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 0);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 3), 0);
    fh_advance(&H, 50 * MS); /* the tick at 100 ms: 70 ms of silence */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 3), 1);
    raft_msg ae;
    fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 3, &ae);
    cr_assert_eq(ae.ae.n_entries, 0, "an empty heartbeat");
    cr_assert_eq(ae.ae.leader_commit, 2, "it carries the commit index");
}

Test(raft_replication, classic_heartbeat_goes_to_every_follower_every_interval)
{
    busy_leader(false);
    fh_advance(&H, 20 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 3), 1);
}

Test(raft_replication, idle_only_still_sends_the_heartbeat_round_of_a_read_index)
{
    busy_leader(true);
    cr_assert_eq(raft_read_index(H.node, 9), RAFT_OK);
    fh_fire(&H); /* the read's round */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 2), 1,
                 "a read needs fresh answers, however recent the last append");
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_APPEND_ENTRIES, 3), 1);
    fh_ack_last(&H, 2);
    cr_assert_eq(H.n_reads, 1);
    cr_assert_eq(H.reads[0].status, RAFT_OK);
}

/* ---- flow control (issue 15 item 3; core/progress.h) ---- */

/* Leader of term 1 whose peer 2 is replicating (its probe answered), one
 * entry per message, a window of 4; the sent list is cleared. */
static void replicating_leader(void)
{
    H.cfg.max_entries_per_msg = 1;
    H.cfg.pipeline_window = 4;
    fh_start(&H);
    fh_make_leader(&H);
    fh_ack_last(&H, 2);
    fh_ack_last(&H, 3);
    fh_clear(&H);
}

/* AppendEntries to `peer` carrying entries, since the last clear. */
static size_t appends_with_entries(raft_id peer)
{
    size_t n = 0;
    raft_msg ae;
    for (size_t i = 0; i < H.n_sent; i++) {
        if (H.sent[i].to != peer)
            continue;
        fh_msg(&H, i, &ae);
        n += ae.type == RAFT_MSG_APPEND_ENTRIES && ae.ae.n_entries > 0;
    }
    return n;
}

Test(raft_replication, a_window_still_draining_is_not_resent_after_one_heartbeat)
{
    replicating_leader();
    for (int i = 0; i < 4; i++)
        raft_propose(H.node, "w", 1, NULL, NULL);
    fh_persist_all(&H);
    cr_assert_eq(appends_with_entries(2), 4, "a full window in flight");
    raft_msg first; /* peer 2's first */
    for (size_t i = 0; i < H.n_sent; i++)
        if (H.sent[i].to == 2) {
            fh_msg(&H, i, &first);
            break;
        }
    fh_advance(&H, 40 * MS); /* a narrow link: the first answer comes late */
    raft_msg ok = fh_append_ok(2, 1, first.ae.seq, first.ae.prev_index + 1);
    fh_deliver(&H, &ok);
    fh_clear(&H);
    fh_advance(&H, 20 * MS); /* the heartbeat: the rest was sent 60 ms ago */
    cr_assert_eq(appends_with_entries(2), 0,
                 "nothing is presumed lost while acknowledgements show the window "
                 "draining");
    /* The RTO is max(heartbeat, SRTT + 4 RTTVAR) = 50 ms, from the
     * acknowledgement at 40 ms: the heartbeat at 100 ms resends. */
    fh_advance(&H, 40 * MS);
    cr_assert_eq(appends_with_entries(2), 1, "then the oldest is resent, as a probe");
}

Test(raft_replication, retransmission_backs_off_exponentially)
{
    fh_start(&H);
    fh_make_leader(&H); /* the no-op's probe is in flight to both peers */
    fh_clear(&H);
    fh_advance(&H, 50 * MS);
    cr_assert_eq(appends_with_entries(2), 1, "resent after one RTO");
    fh_clear(&H);
    fh_advance(&H, 50 * MS);
    cr_assert_eq(appends_with_entries(2), 0, "the RTO doubled: only a heartbeat");
    fh_advance(&H, 50 * MS);
    cr_assert_eq(appends_with_entries(2), 1);
    fh_clear(&H);
    fh_advance(&H, 150 * MS);
    cr_assert_eq(appends_with_entries(2), 0, "doubled again");
    fh_advance(&H, 50 * MS);
    cr_assert_eq(appends_with_entries(2), 1);
}

Test(raft_replication, a_rejection_at_or_below_the_match_index_is_stale_while_replicating)
{
    replicating_leader();
    for (int i = 0; i < 3; i++)
        raft_propose(H.node, "w", 1, NULL, NULL);
    fh_persist_all(&H);
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    fh_clear(&H);
    /* A rejection of prevLogIndex 1, which peer 2 already acknowledged
     * (match 1): it predates that, however fresh its seq. */
    raft_msg r = fh_append_ok(2, 1, ae.ae.seq, 0);
    r.aer.success = false;
    r.aer.match_index = 1;
    r.aer.conflict_index = 1;
    fh_deliver(&H, &r);
    cr_assert_eq(fh_event_count(&H, RAFT_EV_BACKTRACK), 0, "ignored");
    cr_assert_eq(appends_with_entries(2), 0, "nothing resent");
    r.aer.match_index = ae.ae.prev_index; /* a real one: the newest message's */
    r.aer.conflict_index = 2;
    fh_deliver(&H, &r);
    cr_assert(fh_has_event(&H, RAFT_EV_BACKTRACK, 2, 2));
    cr_assert_eq(appends_with_entries(2), 1, "one probe, at once");
}

Test(raft_replication, a_probe_ignores_rejections_of_other_indexes)
{
    uint64_t terms[] = {1, 1, 1};
    fh_seed_log(&H, 1, terms, 3);
    fh_start(&H);
    fh_make_leader(&H); /* term 2, no-op at 4, probe at prev 3 */
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 3);
    fh_clear(&H);
    raft_msg r = fh_append_ok(2, 2, ae.ae.seq, 0);
    r.aer.success = false;
    r.aer.match_index = 2; /* not the probe's prevLogIndex: a stale answer */
    r.aer.conflict_index = 1;
    fh_deliver(&H, &r);
    cr_assert_eq(fh_event_count(&H, RAFT_EV_BACKTRACK), 0);
    r.aer.match_index = 3;
    fh_deliver(&H, &r);
    cr_assert(fh_has_event(&H, RAFT_EV_BACKTRACK, 2, 1));
}

Test(raft_replication, a_heartbeat_answer_ends_probing_without_resending_the_probe)
{
    H.cfg.max_entries_per_msg = 1;
    fh_start(&H);
    fh_make_leader(&H); /* probe of the no-op (prev 0) in flight to peer 2 */
    raft_propose(H.node, "a", 1, NULL, NULL);
    fh_persist_all(&H);
    fh_clear(&H);
    /* An empty AppendEntries at match 0 answered: the follower matches at
     * nextIndex - 1, so replication may start, after the probe in flight. */
    raft_msg hb = fh_append_ok(2, 1, 1, 0);
    fh_deliver(&H, &hb);
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 1, "entry 2 follows the probe's entry 1, not entry 1 again");
    cr_assert_eq(appends_with_entries(2), 1);
}

#ifndef FLOW_OLD_CORE /* max_inflight_bytes is new: not in the pre-fix core */
Test(raft_replication, in_flight_bytes_are_limited_as_well_as_messages)
{
    H.cfg.max_inflight_bytes = 8;
    replicating_leader();
    for (int i = 0; i < 4; i++)
        raft_propose(H.node, "four", 4, NULL, NULL);
    fh_persist_all(&H);
    cr_assert_eq(appends_with_entries(2), 2, "8 bytes in flight: two 4-byte entries");
}
#endif
