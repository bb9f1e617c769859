/* test_raft_status.c — status, dump, malformed input, configuration, names. */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <string.h>

static fhost H;

static void setup3(void) { fh_init(&H, 1, 3); }
static void teardown(void) { fh_free(&H); }

TestSuite(raft_status, .init = setup3, .fini = teardown);

Test(raft_status, status_reports_role_term_indexes_and_message_counters)
{
    fh_start(&H);
    fh_make_leader(&H);
    raft_propose(H.node, "abc", 3, NULL, NULL);
    fh_persist_all(&H);
    H.now += 4 * MS;
    fh_ack_last(&H, 2); /* the no-op probe; entry 2 follows at once */
    H.now += 4 * MS;
    fh_ack_last(&H, 2);
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.id, 1);
    cr_assert_eq(st.role, RAFT_LEADER);
    cr_assert_eq(st.term, 1);
    cr_assert_eq(st.vote, 1);
    cr_assert_eq(st.leader, 1);
    cr_assert_eq(st.last_index, 2);
    cr_assert_eq(st.commit_index, 2);
    cr_assert_eq(st.applied_index, 2);
    cr_assert_eq(st.log_entries, 2);
    cr_assert_eq(st.log_bytes, 3);
    cr_assert_eq(st.elections_started, 1);
    cr_assert_eq(st.elections_won, 1);
    cr_assert_eq(st.msgs_recv[RAFT_MSG_REQUEST_VOTE_RESP], 2);
    cr_assert_eq(st.msgs_recv[RAFT_MSG_APPEND_ENTRIES_RESP], 2);
    cr_assert_eq(st.msgs_sent[RAFT_MSG_REQUEST_VOTE], 2);
    cr_assert_geq(st.msgs_sent[RAFT_MSG_APPEND_ENTRIES], 3);
    cr_assert_gt(st.bytes_sent, 0);
    cr_assert_eq(st.rtt_mean_ns, 4 * MS, "round trip measured with host time");
    cr_assert_eq(st.persisted_token, st.pending_token);
    cr_assert_eq(st.connected_peers, 2, "a new leader gives every peer a grace period");
}

Test(raft_status, follower_status_names_its_leader_and_last_heartbeat)
{
    fh_start(&H);
    raft_msg ae = fh_append(3, 2, 0, 0, 0, NULL, 0);
    fh_deliver(&H, &ae);
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.role, RAFT_FOLLOWER);
    cr_assert_eq(st.leader, 3);
    cr_assert_eq(st.last_heartbeat_ns, H.now);
    cr_assert(st.healthy);
    cr_assert_eq(st.pending_token, st.persisted_token + 1, "the term write is pending");
}

Test(raft_status, dump_shows_state_log_entries_and_follower_progress)
{
    fh_start(&H);
    fh_make_leader(&H);
    raft_propose(H.node, "abc", 3, NULL, NULL);
    fh_persist_all(&H);
    fh_ack_last(&H, 2);
    fh_ack_last(&H, 2);
    char buf[1024];
    size_t n = raft_dump(H.node, buf, sizeof buf);
    cr_assert_lt(n, sizeof buf);
    cr_assert_eq(strlen(buf), n);
    cr_assert_not_null(strstr(buf, "n1: leader term 1 vote n1 leader n1"), "%s", buf);
    cr_assert_not_null(strstr(buf, "commit 2 applied 2 last 2"), "%s", buf);
    cr_assert_not_null(strstr(buf, "1:t1:noop(0) 2:t1(3)"), "%s", buf);
    cr_assert_not_null(strstr(buf, "peer n2: next 3 match 2 inflight 0 replicate"), "%s", buf);
    cr_assert_not_null(strstr(buf, "peer n3: next 1 match 0 inflight 1 probe"), "%s", buf);
}

Test(raft_status, dump_truncates_to_the_buffer_and_returns_the_full_length)
{
    fh_start(&H);
    char big[1024], small[16];
    size_t full = raft_dump(H.node, big, sizeof big);
    size_t n = raft_dump(H.node, small, sizeof small);
    cr_assert_eq(n, full);
    cr_assert_eq(strlen(small), sizeof small - 1);
    cr_assert_eq(strncmp(small, big, sizeof small - 1), 0);
}

Test(raft_status, malformed_bytes_are_rejected_counted_and_change_nothing)
{
    fh_start(&H);
    uint8_t junk[] = {0xff, 0x00, 0x13, 0x37};
    cr_assert_eq(raft_receive(H.node, 2, junk, sizeof junk), RAFT_EMSG);
    cr_assert_eq(raft_receive(H.node, 2, junk, 0), RAFT_EMSG);
    raft_entry e = {.term = 1, .type = RAFT_ENTRY_DATA, .len = 3, .data = (const uint8_t *)"abc"};
    raft_msg ae = fh_append(2, 1, 0, 0, 0, &e, 1);
    uint8_t buf[256];
    size_t len = raft_msg_encode(&ae, buf, sizeof buf);
    for (size_t cut = 0; cut < len; cut++)
        cr_assert_eq(raft_receive(H.node, 2, buf, cut), RAFT_EMSG, "prefix of %zu bytes", cut);
    cr_assert_eq(raft_receive(H.node, 0, buf, len), RAFT_EMSG, "sender 0");
    cr_assert_eq(raft_receive(H.node, 4, buf, len), RAFT_EMSG, "sender beyond n_nodes");
    cr_assert_eq(raft_receive(H.node, 1, buf, len), RAFT_EMSG, "sender is ourselves");
    cr_assert_eq(raft_receive(H.node, 3, buf, len), RAFT_EMSG, "header names another sender");
    raft_msg client = {.type = RAFT_MSG_CLIENT_APPEND, .from = 2};
    client.capp.data = (const uint8_t *)"x";
    client.capp.len = 1;
    size_t clen = raft_msg_encode(&client, buf + 128, 128);
    cr_assert_gt(clen, 0);
    cr_assert_eq(raft_receive(H.node, 2, buf + 128, clen), RAFT_EMSG, "client message");
    raft_status st;
    raft_get_status(H.node, &st);
    cr_assert_eq(st.msgs_malformed, 2 + len + 5);
    cr_assert_eq(st.term, 0);
    cr_assert_eq(st.last_index, 0);
    cr_assert_eq(H.n_writes, 0);
    cr_assert_eq(raft_receive(H.node, 2, buf, len), RAFT_OK, "the whole message is fine");
    cr_assert_eq(raft_last_index(H.node), 1);
}

Test(raft_status, bad_configurations_are_refused)
{
    raft_config c = H.cfg;
    c.id = 0;
    cr_assert_null(raft_new(&c, &H.io, NULL));
    c = H.cfg;
    c.id = 4;
    cr_assert_null(raft_new(&c, &H.io, NULL));
    c = H.cfg;
    c.election_timeout_min_ns = c.election_timeout_max_ns + 1;
    cr_assert_null(raft_new(&c, &H.io, NULL));
    c = H.cfg;
    c.pipeline_window = 0;
    cr_assert_null(raft_new(&c, &H.io, NULL));
    c = H.cfg;
    c.max_entries_per_msg = RAFT_MAX_BATCH + 1;
    cr_assert_null(raft_new(&c, &H.io, NULL));
    raft_io io = H.io;
    io.persist = NULL;
    cr_assert_null(raft_new(&H.cfg, &io, NULL));
}

Test(raft_status, defaults_match_the_documented_values)
{
    raft_config c;
    raft_config_default(&c, 2, 5);
    cr_assert_eq(c.id, 2);
    cr_assert_eq(c.n_nodes, 5);
    cr_assert_eq(c.election_timeout_min_ns, 150 * MS);
    cr_assert_eq(c.election_timeout_max_ns, 300 * MS);
    cr_assert_eq(c.heartbeat_ns, 50 * MS);
    cr_assert_eq(c.max_entries_per_msg, 64);
    cr_assert_eq(c.max_bytes_per_msg, 64 * 1024);
    cr_assert_eq(c.pipeline_window, 4);
    cr_assert_eq(c.snapshot_chunk_bytes, 16 * 1024);
}

Test(raft_status, names_cover_every_code_role_event_and_bug)
{
    cr_assert_str_eq(raft_strerror(RAFT_ENOTLEADER), "not the leader");
    cr_assert_str_eq(raft_strerror(999), "unknown error");
    cr_assert_str_eq(raft_role_name(RAFT_PRECANDIDATE), "precandidate");
    for (int k = 0; k < RAFT_EV__COUNT; k++)
        cr_assert_str_neq(raft_event_name((enum raft_event_kind)k), "?", "event %d named", k);
    cr_assert_str_eq(raft_bug_flag(0), "no-uptodate-check");
    cr_assert_str_eq(raft_bug_flag(RAFT_BUG_INDEX_BAD_CONFLICT_HINT), "bad-conflict-hint");
    cr_assert_str_eq(raft_bug_flag(RAFT_BUG_INDEX_READ_COUNTS_NOOPS), "read-counts-noops");
    cr_assert_not_null(raft_bug_flag(RAFT_BUG__COUNT - 1)); /* the last one is named */
    cr_assert_null(raft_bug_flag(RAFT_BUG__COUNT));
    cr_assert_not_null(raft_bug_text(3));
#ifdef RAFT_BUGS
    cr_assert(raft_bugs_compiled());
#else
    cr_assert_not(raft_bugs_compiled());
#endif
}
