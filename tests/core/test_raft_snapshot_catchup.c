/* test_raft_snapshot_catchup.c — a follower sent a snapshot catches up by
 * AppendEntries after it (issue 15, swarm5 seed 68981): the leader keeps
 * the log above a snapshot being sent, and learns of its installation from
 * a heartbeat when the last chunk's reply is lost. */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_snapshot_catchup, .init = setup3, .fini = teardown);

/* Leader of term 2 (no-op at 11) sending peer 2 its 40-byte snapshot at 10
 * in 16-byte chunks, all three in flight; a snapshot every 5 entries, the
 * policy keeping `trailing` behind it. */
static void sending_snapshot_trailing(uint64_t trailing)
{
    H.cfg.snapshot_threshold = 5;
    H.cfg.snapshot_trailing = trailing;
    fh_leader_over_snapshot(&H, 16, 4, 40);
    fh_empty_peer_rejects_the_probe(&H, 2);
    cr_assert(fh_has_event(&H, RAFT_EV_SNAPSHOT_SENT, 2, 10));
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 3);
}

/* The policy keeps 1 entry: a snapshot at 15 would compact to 14, holding
 * back 4 entries for the transfer (fewer than one interval of 5). */
static void sending_snapshot(void) { sending_snapshot_trailing(1); }

/* The leader commits entries 11..15 with peer 3 and takes a snapshot at 15,
 * whose policy point is past the transfer's 10. */
static void compact_past_the_transfer(void)
{
    for (int i = 0; i < 4; i++)
        raft_propose(H.node, "n", 1, NULL, NULL);
    fh_persist_all(&H);
    fh_ack_last(&H, 3); /* the no-op (peer 3 was probing) */
    fh_ack_last(&H, 3); /* 12..15 */
    fh_persist_all(&H);
    cr_assert_eq(raft_applied_index(H.node), 15);
    cr_assert(fh_has_event(&H, RAFT_EV_SNAPSHOT_TAKEN, 15, 2), "a newer snapshot is current");
}

static void snap_reply(uint64_t next_offset, bool done)
{
    raft_msg r = {.type = RAFT_MSG_INSTALL_SNAPSHOT_RESP, .from = 2, .term = 2};
    r.isr.last_index = 10;
    r.isr.next_offset = next_offset;
    r.isr.done = done;
    fh_deliver(&H, &r);
}

Test(raft_snapshot_catchup, the_log_above_a_snapshot_being_sent_is_kept_for_append_entries)
{
    sending_snapshot();
    compact_past_the_transfer();
    raft_entry e;
    cr_assert(raft_entry_at(H.node, 11, &e), "entries after the snapshot being sent are kept");
    snap_reply(16, false);
    snap_reply(32, false);
    fh_clear(&H);
    snap_reply(40, true); /* installed */
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0,
                 "no second snapshot after the first is installed");
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae));
    cr_assert_eq(ae.ae.prev_index, 10, "AppendEntries continues after the installed snapshot");
    cr_assert_gt(ae.ae.n_entries, 0);
}

/* Issue 16, explore seed 113647: a follower that installed the snapshot
 * catches up by AppendEntries from its match; compacting past that sent it
 * a newer snapshot, three times in one leadership. */
Test(raft_snapshot_catchup, a_follower_catching_up_after_its_install_holds_the_log_above_its_match)
{
    sending_snapshot();
    snap_reply(40, true); /* installed: match 10, below the commit index to come */
    compact_past_the_transfer();
    raft_entry e;
    cr_assert(raft_entry_at(H.node, 11, &e), "the entries after its match are kept");
    cr_assert_eq(fh_event_count(&H, RAFT_EV_LIMIT), 0);
}

Test(raft_snapshot_catchup, the_policy_compacts_the_log_once_the_follower_caught_up)
{
    sending_snapshot();
    snap_reply(40, true);
    fh_ack_last(&H, 2); /* it holds 11, the commit index is 10: caught up */
    compact_past_the_transfer();
    raft_entry e;
    cr_assert_not(raft_entry_at(H.node, 14, &e), "no transfer in progress: compacted to 14");
    cr_assert(raft_entry_at(H.node, 15, &e));
}

/* Issue 16, explore seeds 10720 and others: with a short interval and no
 * trailing entries, the old bound (less than one interval) never held, so
 * every transfer ended behind the compaction point again. */
Test(raft_snapshot_catchup, a_transfer_holds_compaction_back_whatever_the_interval)
{
    sending_snapshot_trailing(0); /* the snapshot at 15 compacts to 15: 5 past 10 */
    compact_past_the_transfer();
    raft_entry e;
    cr_assert(raft_entry_at(H.node, 11, &e), "entries after the snapshot being sent are kept");
    cr_assert_eq(fh_event_count(&H, RAFT_EV_LIMIT), 0);
}

/* Acknowledges the newest AppendEntries with entries sent to `peer` (not a
 * heartbeat sent after it). */
static void ack_entries_sent_to(raft_id peer)
{
    for (size_t i = H.n_sent; i-- > 0;) {
        raft_msg ae;
        fh_msg(&H, i, &ae);
        if (H.sent[i].to == peer && ae.type == RAFT_MSG_APPEND_ENTRIES && ae.ae.n_entries) {
            raft_msg ok = fh_append_ok(peer, ae.term, ae.ae.seq, ae.ae.prev_index + ae.ae.n_entries);
            fh_deliver(&H, &ok);
            return;
        }
    }
    cr_assert_fail("no AppendEntries with entries was sent to %u", peer);
}

Test(raft_snapshot_catchup, a_transfer_to_a_silent_follower_holds_nothing)
{
    sending_snapshot_trailing(0);
    for (int i = 0; i < 4; i++)
        raft_propose(H.node, "n", 1, NULL, NULL);
    fh_persist_all(&H);
    fh_ack_last(&H, 3); /* the no-op */
    /* nothing heard from peer 2 for longer than an election timeout */
    fh_advance(&H, H.cfg.election_timeout_max_ns + MS);
    ack_entries_sent_to(3);
    fh_persist_all(&H);
    cr_assert(fh_has_event(&H, RAFT_EV_SNAPSHOT_TAKEN, 15, 2));
    raft_entry e;
    cr_assert_not(raft_entry_at(H.node, 15, &e), "compacted to the policy's point");
    cr_assert_not(raft_entry_at(H.node, 11, &e));
    cr_assert_eq(fh_event_count(&H, RAFT_EV_LIMIT), 0, "not a limit: the follower is presumed gone");
}

Test(raft_snapshot_catchup, a_transfer_holds_at_most_the_transfer_log_limit)
{
    /* four entries of 17 MiB past the snapshot being sent: 68 MiB, more
     * than RAFT_MAX_TRANSFER_LOG (64 MiB) */
    H.cfg.max_entry_bytes = 17u << 20;
    H.cfg.snapshot_threshold = 5;
    H.cfg.snapshot_trailing = 0;
    fh_leader_over_snapshot(&H, 16, 4, 40);
    fh_empty_peer_rejects_the_probe(&H, 2);
    size_t big = (size_t)17 << 20;
    char *payload = calloc(1, big);
    cr_assert_not_null(payload);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(raft_propose(H.node, payload, big, NULL, NULL), RAFT_OK);
    free(payload);
    fh_persist_all(&H);
    for (int acks = 0; acks < 8 && raft_applied_index(H.node) < 15; acks++) {
        fh_ack_last(&H, 3); /* one entry a message: each is larger than max-bytes */
        fh_persist_all(&H);
    }
    cr_assert(fh_has_event(&H, RAFT_EV_SNAPSHOT_TAKEN, 15, 2));
    raft_entry e;
    cr_assert_not(raft_entry_at(H.node, 15, &e), "the bound reached: compacted to the policy's point");
    cr_assert_eq(fh_event_count(&H, RAFT_EV_LIMIT), 1);
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.limit_hits[RAFT_LIMIT_TRANSFER_LOG], 1);
    cr_assert_str_eq(raft_limit_name(RAFT_LIMIT_TRANSFER_LOG), "transfer-log");
}

Test(raft_snapshot_catchup, a_heartbeat_ends_a_transfer_whose_last_reply_was_lost)
{
    sending_snapshot();
    fh_clear(&H);
    fh_advance(&H, 20 * MS);
    snap_reply(16, false);
    snap_reply(32, false);
    /* the reply to the last chunk (done) is lost; the heartbeat comes
     * before the chunk's RTO (50 ms from the last progress) */
    fh_clear(&H);
    fh_advance(&H, 30 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0);
    raft_msg hb;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &hb));
    cr_assert_eq(hb.ae.prev_index, 10, "the heartbeat checks the snapshot's index");
    cr_assert_eq(hb.ae.prev_term, 1);
    cr_assert_eq(hb.ae.n_entries, 0);
    fh_clear(&H);
    raft_msg ok = fh_append_ok(2, 2, hb.ae.seq, 10); /* it holds 10: installed */
    fh_deliver(&H, &ok);
    raft_msg ae;
    cr_assert(fh_last(&H, RAFT_MSG_APPEND_ENTRIES, 2, &ae), "replication resumes at once");
    cr_assert_eq(ae.ae.prev_index, 10);
    cr_assert_eq(ae.ae.n_entries, 1);
    fh_clear(&H);
    fh_advance(&H, 200 * MS);
    cr_assert_eq(fh_count_to(&H, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0, "the transfer is over");
}
