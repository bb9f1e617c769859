/* test_raft_snapshot.c — log compaction and InstallSnapshot (paper §7). */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <string.h>

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_snapshot, .init = setup3, .fini = teardown);

static raft_entry E(uint64_t term) { return (raft_entry){.term = term, .type = RAFT_ENTRY_NOOP}; }

static void follow_terms(uint64_t term, uint32_t n)
{
    raft_entry e[16];
    for (uint32_t i = 0; i < n; i++)
        e[i] = E(term);
    raft_msg m = fh_append(2, term, 0, 0, 0, e, n);
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    fh_clear(&H);
}

static raft_msg chunk(uint64_t term, uint64_t index, uint64_t snap_term, uint64_t off,
                      uint32_t len, uint64_t total, const uint8_t *data)
{
    raft_msg m = {.type = RAFT_MSG_INSTALL_SNAPSHOT, .from = 2, .term = term};
    m.is.last_index = index;
    m.is.last_term = snap_term;
    m.is.offset = off;
    m.is.len = len;
    m.is.total_len = total;
    m.is.done = off + len == total;
    m.is.data = data;
    return m;
}

Test(raft_snapshot, snapshot_is_taken_at_the_threshold_and_the_prefix_dropped_once_durable)
{
    fh_init(&H, 1, 1);
    H.cfg.snapshot_threshold = 5;
    H.cfg.snapshot_trailing = 2;
    fh_start(&H);
    fh_fire(&H);
    fh_persist_all(&H);
    for (int i = 0; i < 3; i++)
        raft_propose(H.node, "d", 1, NULL, NULL);
    fh_persist_all(&H);
    cr_assert_eq(raft_applied_index(H.node), 4);
    cr_assert_eq(H.n_snapshots_taken, 0, "below the threshold");
    raft_propose(H.node, "d", 1, NULL, NULL);
    fh_persist_all(&H);
    cr_assert_eq(raft_applied_index(H.node), 5);
    cr_assert_eq(H.n_snapshots_taken, 1);
    fh_write *w = &H.writes[H.n_writes - 1];
    cr_assert_eq(w->kind, RAFT_WRITE_SNAPSHOT);
    cr_assert_eq(w->snap.index, 5);
    cr_assert_eq(w->snap.term, 1);
    cr_assert(w->keep_log);
    raft_entry e;
    cr_assert(raft_entry_at(H.node, 1, &e), "nothing dropped before the snapshot is durable");
    fh_persist_all(&H);
    cr_assert(fh_has_event(&H, RAFT_EV_SNAPSHOT_TAKEN, 5, 1));
    cr_assert_not(raft_entry_at(H.node, 3, &e));
    cr_assert(raft_entry_at(H.node, 4, &e), "snapshot_trailing entries kept");
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.snap.index, 5);
    cr_assert_eq(st.log_entries, 2);
}

Test(raft_snapshot, leader_sends_a_snapshot_in_chunks_to_a_follower_behind_the_compaction_point)
{
    fh_leader_over_snapshot(&H, 16, 1, 40);
    fh_clear(&H);
    fh_empty_peer_rejects_the_probe(&H, 2);
    cr_assert(fh_has_event(&H, RAFT_EV_SNAPSHOT_SENT, 2, 10));
    raft_msg is;
    uint64_t offsets[] = {0, 16, 32};
    for (int k = 0; k < 3; k++) {
        cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
        cr_assert_eq(is.is.offset, offsets[k]);
        cr_assert_eq(is.is.len, k < 2 ? 16 : 8);
        cr_assert_eq(is.is.total_len, 40);
        cr_assert_eq(is.is.last_index, 10);
        cr_assert_eq(is.is.done, k == 2);
        cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), (size_t)k + 1,
                     "one chunk in flight");
        raft_msg r = {.type = RAFT_MSG_INSTALL_SNAPSHOT_RESP, .from = 2, .term = 2};
        r.isr.last_index = 10;
        r.isr.next_offset = offsets[k] + is.is.len;
        r.isr.done = k == 2;
        fh_deliver(&H, &r);
    }
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 10, "replication resumes after the snapshot");
    cr_assert_eq(ae.ae.n_entries, 1);
}

Test(raft_snapshot, an_unanswered_chunk_is_resent_on_the_heartbeat)
{
    fh_leader_over_snapshot(&H, 16, 1, 40);
    fh_empty_peer_rejects_the_probe(&H, 2);
    fh_clear(&H);
    fh_advance(&H, 50 * MS);
    raft_msg is;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 0);
}

Test(raft_snapshot, installed_snapshot_replaces_the_prefix_and_keeps_a_matching_suffix)
{
    fh_start(&H);
    follow_terms(1, 8);
    uint8_t data[20];
    memset(data, 7, sizeof data);
    raft_msg c1 = chunk(1, 5, 1, 0, 12, 20, data);
    fh_deliver(&H, &c1);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP, 2, &r));
    cr_assert_eq(r.isr.next_offset, 12);
    cr_assert_not(r.isr.done);
    cr_assert_eq(H.n_restores, 0, "nothing installed before the last chunk");
    fh_clear(&H);
    raft_msg c2 = chunk(1, 5, 1, 12, 8, 20, data + 12);
    fh_deliver(&H, &c2);
    cr_assert_eq(H.n_restores, 1);
    cr_assert_eq(H.restored.index, 5);
    cr_assert_eq(H.restored_len, 20);
    cr_assert_eq(raft_last_index(H.node), 8, "the matching suffix 6..8 is kept");
    raft_entry e;
    cr_assert_not(raft_entry_at(H.node, 5, &e));
    cr_assert(raft_entry_at(H.node, 6, &e));
    cr_assert_geq(raft_commit_index(H.node), 5);
    cr_assert_eq(raft_applied_index(H.node), 5);
    fh_write *w = &H.writes[H.n_writes - 1];
    cr_assert_eq(w->kind, RAFT_WRITE_SNAPSHOT);
    cr_assert(w->keep_log);
    cr_assert_eq(fh_count(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP), 0, "reply waits for the write");
    fh_persist_all(&H);
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP, 2, &r));
    cr_assert(r.isr.done);
    cr_assert(fh_has_event(&H, RAFT_EV_SNAPSHOT_INSTALLED, 5, 1));
}

Test(raft_snapshot, installed_snapshot_discards_a_conflicting_log)
{
    fh_start(&H);
    follow_terms(1, 8);
    uint8_t data[4] = {1, 2, 3, 4};
    raft_msg c = chunk(2, 6, 2, 0, 4, 4, data); /* index 6 has term 1 here: conflict */
    fh_deliver(&H, &c);
    cr_assert_eq(raft_last_index(H.node), 6);
    cr_assert_eq(raft_term_at(H.node, 6), 2);
    raft_entry e;
    cr_assert_not(raft_entry_at(H.node, 7, &e));
    cr_assert_not(H.writes[H.n_writes - 1].keep_log);
    cr_assert(fh_has_event(&H, RAFT_EV_TRUNCATE, 1, 8));
    fh_persist_all(&H);
    cr_assert_eq(H.n_disk, 0, "the disk log is discarded too");
    cr_assert_eq(H.disk_snap.index, 6);
}

Test(raft_snapshot, a_chunk_at_the_wrong_offset_is_refused_with_the_expected_offset)
{
    fh_start(&H);
    uint8_t data[20] = {0};
    raft_msg c = chunk(1, 5, 1, 12, 8, 20, data);
    fh_deliver(&H, &c);
    fh_persist_all(&H); /* the new term */
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP, 2, &r));
    cr_assert_eq(r.isr.next_offset, 0);
    cr_assert_not(r.isr.done);
    cr_assert_eq(H.n_restores, 0);
}

Test(raft_snapshot, a_snapshot_already_covered_by_the_commit_index_is_acknowledged_unused)
{
    fh_start(&H);
    raft_entry e[3] = {E(1), E(1), E(1)};
    raft_msg m = fh_append(2, 1, 0, 0, 3, e, 3);
    fh_deliver(&H, &m);
    fh_persist_all(&H);
    uint8_t data[4] = {0};
    raft_msg c = chunk(1, 2, 1, 0, 4, 4, data);
    fh_deliver(&H, &c);
    fh_persist_all(&H);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP, 2, &r));
    cr_assert(r.isr.done);
    cr_assert_eq(H.n_restores, 0);
    cr_assert_eq(raft_last_index(H.node), 3);
}

Test(raft_snapshot, restart_from_a_snapshot_and_suffix_sets_commit_to_the_snapshot)
{
    uint64_t terms[] = {2, 2};
    fh_seed_snapshot(&H, 10, 2, 8);
    fh_seed_log(&H, 2, terms, 2);
    fh_start(&H);
    cr_assert_eq(raft_last_index(H.node), 12);
    cr_assert_eq(raft_commit_index(H.node), 10);
    cr_assert_eq(raft_applied_index(H.node), 10);
    cr_assert_eq(raft_term_at(H.node, 10), 2);
}

Test(raft_snapshot, a_transfer_in_progress_continues_with_its_snapshot_after_a_newer_one_is_taken)
{
    H.cfg.snapshot_threshold = 2;
    fh_leader_over_snapshot(&H, 16, 1, 40);
    fh_empty_peer_rejects_the_probe(&H, 2); /* peer 2 gets the snapshot at 10, chunk 0 in flight */
    raft_propose(H.node, "n", 1, NULL, NULL);
    fh_persist_all(&H);
    fh_ack_last(&H, 3); /* the no-op */
    fh_ack_last(&H, 3); /* entry 12 */
    cr_assert_eq(raft_applied_index(H.node), 12);
    fh_persist_all(&H);
    cr_assert(fh_has_event(&H, RAFT_EV_SNAPSHOT_TAKEN, 12, 2), "a newer snapshot is current");
    raft_msg r = {.type = RAFT_MSG_INSTALL_SNAPSHOT_RESP, .from = 2, .term = 2};
    r.isr.last_index = 10;
    r.isr.next_offset = 16;
    fh_deliver(&H, &r);
    raft_msg is;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.last_index, 10, "the transfer is not restarted with the new snapshot");
    cr_assert_eq(is.is.offset, 16);
    cr_assert_eq(is.is.total_len, 40);
}

/* ---- the send side's window: one chunk in flight (issue 15 item 2) ---- */

/* Leader of term 2 sending peer 2 a 40-byte snapshot at 10 in 16-byte
 * chunks; chunk 0 is in flight and the sent list is cleared. */
static void sending_snapshot(void)
{
    /* the default window of 4: make it one chunk at a time */
    fh_leader_over_snapshot(&H, 16, H.cfg.pipeline_window == 4 ? 1 : H.cfg.pipeline_window, 40);
    fh_empty_peer_rejects_the_probe(&H, 2);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1);
    fh_clear(&H);
}

static void snap_reply(uint64_t next_offset)
{
    raft_msg r = {.type = RAFT_MSG_INSTALL_SNAPSHOT_RESP, .from = 2, .term = 2};
    r.isr.last_index = 10;
    r.isr.next_offset = next_offset;
    fh_deliver(&H, &r);
}

Test(raft_snapshot, a_duplicated_reply_sends_no_second_chunk)
{
    sending_snapshot();
    snap_reply(16);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1, "the next chunk");
    snap_reply(16); /* the network delivered the reply twice */
    snap_reply(16);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1,
                 "a duplicate starts no second chain");
}

Test(raft_snapshot, a_delayed_reply_that_makes_no_progress_sends_nothing)
{
    sending_snapshot();
    snap_reply(16);
    snap_reply(32);
    fh_clear(&H);
    snap_reply(16); /* an old reply, overtaken */
    snap_reply(0);  /* or a refusal from a previous leadership */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0);
}

Test(raft_snapshot, an_unanswered_chunk_is_resent_on_timeout_with_backoff)
{
    sending_snapshot();
    fh_advance(&H, 50 * MS); /* one RTO: the heartbeat interval, no round trip known */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1, "resent once");
    fh_advance(&H, 50 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1, "the RTO doubled");
    fh_advance(&H, 50 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 2);
    fh_advance(&H, 150 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 2, "and doubled again");
    fh_advance(&H, 50 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 3);
}

Test(raft_snapshot, a_follower_that_lost_its_copy_is_resent_from_its_offset_at_the_timeout)
{
    sending_snapshot();
    snap_reply(16);
    snap_reply(32);
    fh_clear(&H);
    snap_reply(0); /* the follower restarted its assembly */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0, "not at once");
    fh_advance(&H, 50 * MS);
    raft_msg is;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 0, "the timeout resends from the lowest offset reported");
    snap_reply(16);
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 16, "and the transfer goes on from there");
}

Test(raft_snapshot, a_window_of_chunks_is_bounded_and_a_timeout_goes_back_to_the_confirmed_offset)
{
    fh_leader_over_snapshot(&H, 8, 2, 40);
    fh_clear(&H);
    fh_empty_peer_rejects_the_probe(&H, 2);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 2, "a window of two chunks");
    snap_reply(8);
    snap_reply(8); /* duplicated */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 3, "one slot freed, one sent");
    raft_msg is;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 16);
    fh_clear(&H);
    fh_advance(&H, 50 * MS); /* chunks at 8 and 16 unanswered for an RTO */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1, "the oldest chunk again");
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 8, "from the confirmed offset");
}

Test(raft_snapshot, chunks_refused_past_a_lost_one_trigger_one_fast_retransmit)
{
    fh_leader_over_snapshot(&H, 8, 4, 64);
    fh_empty_peer_rejects_the_probe(&H, 2); /* chunks at 0, 8, 16, 24 */
    snap_reply(8);        /* chunk 0 arrived; chunk 8 was lost */
    fh_clear(&H);
    snap_reply(8); /* chunk 16 refused: the follower still expects 8 */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0, "one could be a duplicate");
    snap_reply(8); /* chunk 24 refused too */
    raft_msg is;
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1, "the lost chunk again, at once");
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 8);
    fh_clear(&H);
    snap_reply(8);
    snap_reply(8);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0, "once per progress");
}

/* ---- the transfer's own retransmission timer (explore seeds 10899, 20431,
 * 22514: a window of chunks takes longer to cross a narrow link than the
 * heartbeat-sized RTO, so every window went out several times) ---- */

/* Leader of term 2 with a 64-byte snapshot at 10 in 8-byte chunks, a
 * window of 4 in flight (0, 8, 16, 24), the sent list cleared. */
static void sending_window_of_four(void)
{
    fh_leader_over_snapshot(&H, 8, 4, 64);
    fh_empty_peer_rejects_the_probe(&H, 2);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 4);
    fh_clear(&H);
}

Test(raft_snapshot, a_timeout_resends_only_the_oldest_unconfirmed_chunk)
{
    sending_window_of_four();
    fh_advance(&H, 50 * MS); /* one RTO, nothing confirmed: the window may only be slow */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1,
                 "one chunk resent, not the window (RFC 6298 §5.4)");
    raft_msg is;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 0);
    fh_clear(&H);
    snap_reply(32); /* the first window arrived after all */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 4, "the next window");
    fh_msg(&H, 0, &is);
    cr_assert_eq(is.type, RAFT_MSG_INSTALL_SNAPSHOT);
    cr_assert_eq(is.is.offset, 32, "the transfer goes on past what arrived");
}

Test(raft_snapshot, the_chunk_timer_follows_the_chunks_own_round_trip)
{
    sending_window_of_four();
    fh_advance(&H, 45 * MS);
    snap_reply(8); /* chunk 0, sent once: a 45 ms sample; RTO = 45 + 4 * 22.5 = 135 ms */
    fh_clear(&H);
    fh_advance(&H, 100 * MS); /* past the heartbeat-sized RTO of 50 ms */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0,
                 "chunks still within their measured round trip are not resent");
    fh_advance(&H, 100 * MS); /* the tick 155 ms after the progress */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1);
    raft_msg is;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 8, "from the confirmed offset");
}

Test(raft_snapshot, progress_by_a_retransmitted_chunk_keeps_the_backoff)
{
    sending_window_of_four();
    fh_advance(&H, 50 * MS); /* timeout: backoff 1, the RTO now 100 ms */
    snap_reply(8);           /* chunk 0 was sent twice: no sample (Karn) */
    fh_clear(&H);
    fh_advance(&H, 50 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0, "the backoff stands");
    fh_advance(&H, 50 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1);
}

/* ---- the receive side: a chunk that overtook another is kept (Figure 13:
 * written at its offset), not refused and sent again (explore seeds 10899,
 * 113647: 15 % of chunks reordered by up to 86 ms) ---- */

Test(raft_snapshot, a_chunk_ahead_of_a_missing_one_is_kept_and_counted_once_the_gap_fills)
{
    fh_start(&H);
    uint8_t data[24];
    memset(data, 5, sizeof data);
    raft_msg c0 = chunk(1, 5, 1, 0, 8, 24, data);
    raft_msg c1 = chunk(1, 5, 1, 8, 8, 24, data + 8);
    raft_msg c2 = chunk(1, 5, 1, 16, 8, 24, data + 16);
    fh_deliver(&H, &c0);
    fh_persist_all(&H);
    fh_clear(&H);
    fh_deliver(&H, &c2); /* overtook chunk 8 */
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP, 2, &r));
    cr_assert_eq(r.isr.next_offset, 8, "still waiting for 8");
    cr_assert_eq(H.n_restores, 0);
    fh_clear(&H);
    fh_deliver(&H, &c1);
    cr_assert_eq(H.n_restores, 1, "8 fills the gap: the kept last chunk completes it");
    cr_assert_eq(H.restored.index, 5);
    cr_assert_eq(H.restored_len, 24);
    fh_persist_all(&H);
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP, 2, &r));
    cr_assert(r.isr.done);
}

Test(raft_snapshot, kept_chunks_belong_to_one_transfer)
{
    fh_start(&H);
    uint8_t data[24] = {0};
    raft_msg c0 = chunk(1, 5, 1, 0, 8, 24, data);
    raft_msg c2 = chunk(1, 5, 1, 16, 8, 24, data + 16);
    fh_deliver(&H, &c0);
    fh_deliver(&H, &c2); /* kept */
    fh_persist_all(&H);
    raft_msg n0 = chunk(2, 5, 1, 0, 8, 24, data); /* a new term restarts the transfer */
    raft_msg n1 = chunk(2, 5, 1, 8, 8, 24, data + 8);
    fh_deliver(&H, &n0);
    fh_deliver(&H, &n1);
    fh_persist_all(&H);
    raft_msg r;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT_RESP, 2, &r));
    cr_assert_eq(r.isr.next_offset, 16, "the old term's chunk at 16 is not used");
    cr_assert_eq(H.n_restores, 0);
}

Test(raft_snapshot, a_fast_retransmit_resends_the_missing_chunk_and_leaves_the_window)
{
    sending_window_of_four(); /* chunks 0, 8, 16, 24 in flight */
    snap_reply(8);            /* chunk 0 arrived, chunk 8 lost: 32 goes out */
    snap_reply(8);            /* 16 and 24 arrive ahead of the gap: kept */
    fh_clear(&H);
    snap_reply(8);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1, "the missing chunk");
    raft_msg is;
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 8);
    fh_clear(&H);
    snap_reply(16); /* the hole filled; 16.. still on its way */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 1,
                 "only the slot freed: 16, 24 and 32 are not sent again");
    cr_assert(fh_last(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2, &is));
    cr_assert_eq(is.is.offset, 40);
}
