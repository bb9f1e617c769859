/* client_ops.c — STATUS, DUMP, TRANSFER and FAULT: the node's own view,
 * served by any node (status and dump are not linearizable reads). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

static void kv(bbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void kv(bbuf *b, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        bbuf_put(b, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void status_text(raftd *d, bbuf *b)
{
    raft_status s;
    raft_get_status(d->node, &s);
    logbuf_counters c;
    logbuf_counters_get(d->lb, &c);
    kv(b, "id=%u\nrole=%s\nterm=%" PRIu64 "\nvote=%u\nleader=%u\n", s.id,
       raft_role_name(s.role), s.term, s.vote, s.leader);
    kv(b, "commit=%" PRIu64 "\napplied=%" PRIu64 "\nlast=%" PRIu64 "\n", s.commit_index,
       s.applied_index, s.last_index);
    kv(b, "snapshot_index=%" PRIu64 "\nsnapshot_term=%" PRIu64 "\n", s.snap.index, s.snap.term);
    kv(b, "log_entries=%" PRIu64 "\nlog_bytes=%" PRIu64 "\n", s.log_entries, s.log_bytes);
    kv(b, "elections_started=%" PRIu64 "\nelections_won=%" PRIu64 "\n", s.elections_started,
       s.elections_won);
    kv(b, "rtt_mean_us=%" PRIu64 "\n", s.rtt_mean_ns / 1000);
    kv(b, "healthy=%d\nread_only=%d\nconnected_peers=%u\n", s.healthy, s.read_only,
       s.connected_peers);
    kv(b, "bytes_sent=%" PRIu64 "\nbytes_recv=%" PRIu64 "\nmsgs_malformed=%" PRIu64 "\n",
       s.bytes_sent, s.bytes_recv, s.msgs_malformed);
    kv(b, "persisted_token=%" PRIu64 "\npending_token=%" PRIu64 "\n", s.persisted_token,
       s.pending_token);
    kv(b, "records_total=%" PRIu64 "\nrecords_stored=%" PRIu64 "\nduplicates=%" PRIu64 "\n",
       c.records_total, c.records_stored, c.duplicates);
    kv(b, "digest=%016" PRIx64 "\n", logbuf_digest(d->lb));
    kv(b, "snapshots_taken=%" PRIu64 "\nsnapshots_installed=%" PRIu64 "\n", d->snapshots_taken,
       d->snapshots_installed);
    kv(b, "appends_acked=%" PRIu64 "\nappends_deduplicated=%" PRIu64 "\n", d->appends_acked,
       d->appends_deduplicated);
    kv(b, "appends_joined=%" PRIu64 "\n", d->appends_joined);
    const store_stats *ss = &d->st->stats;
    kv(b, "store_syncs=%" PRIu64 "\nstore_writes=%" PRIu64 "\nstore_bytes=%" PRIu64 "\n",
       ss->syncs, ss->writes, ss->bytes_written);
    kv(b, "store_torn_bytes_truncated=%" PRIu64 "\nstore_segment=%" PRIu64 "\n",
       ss->torn_bytes_truncated, d->st->seg_seq);
    kv(b, "store_sync_mean_us=%" PRIu64 "\n", ss->syncs ? ss->sync_ns / ss->syncs / 1000 : 0);
    kv(b, "store_sync_recent_mean_us=%u\nstore_sync_p50_us=%u\nstore_sync_p90_us=%u\n",
       store_sync_mean_recent(d->st), store_sync_percentile(d->st, 50),
       store_sync_percentile(d->st, 90));
    kv(b, "clients=%zu\n", d->n_clients);
    peers_status(d, b);
}

void dump_text(raftd *d, bbuf *b)
{
    size_t want = raft_dump(d->node, NULL, 0) + 1;
    if (!bbuf_reserve(b, want))
        return;
    raft_dump(d->node, (char *)b->p + b->len, want);
    b->len += strlen((char *)b->p + b->len);
    kv(b, "\nstore: %s, snapshot %" PRIu64 "/%" PRIu64 ", log %" PRIu64 "..%" PRIu64
          ", segment %" PRIu64 " (%" PRIu64 " bytes)\n",
       d->st->dir, d->st->snap.index, d->st->snap.term, d->st->base + 1,
       d->st->base + d->st->n, d->st->seg_seq, d->st->seg_size);
}

static void reply_text(raftd *d, client_conn *cc, uint8_t op, uint64_t req_id,
                       void (*fill)(raftd *, bbuf *))
{
    bbuf text = {0};
    fill(d, &text);
    bbuf b = {0};
    cp_response_head(&b, op, req_id, CP_OK, 0);
    cp_put_text(&b, (const char *)text.p, text.len);
    bbuf_free(&text);
    client_reply(d, cc, &b);
}

void client_status(raftd *d, client_conn *cc, const cp_request *rq)
{
    reply_text(d, cc, CP_STATUS, rq->req_id, status_text);
}

void client_dump(raftd *d, client_conn *cc, const cp_request *rq)
{
    reply_text(d, cc, CP_DUMP, rq->req_id, dump_text);
}

void client_transfer(raftd *d, client_conn *cc, const cp_request *rq)
{
    uint32_t target = rq->transfer.target;
    if (target < 1 || target > d->cfg.n_nodes) {
        client_reply_error(d, cc, CP_TRANSFER, rq->req_id, "no such transfer target");
        return;
    }
    if (raft_role(d->node) != RAFT_LEADER) { /* only the leader hands over */
        client_reply_status(d, cc, CP_TRANSFER, rq->req_id, CP_NOT_LEADER,
                            client_leader_hint(d));
        return;
    }
    if (target == d->cfg.id) { /* already there */
        client_reply_status(d, cc, CP_TRANSFER, rq->req_id, CP_OK, 0);
        return;
    }
    int rc = raft_transfer(d->node, target);
    uint8_t st = rc == RAFT_OK ? CP_OK : rc == RAFT_ENOTLEADER ? CP_NOT_LEADER : CP_RETRY;
    if (rc == RAFT_EINVAL) {
        client_reply_error(d, cc, CP_TRANSFER, rq->req_id, raft_strerror(rc));
        return;
    }
    client_reply_status(d, cc, CP_TRANSFER, rq->req_id, st,
                        st == CP_NOT_LEADER ? client_leader_hint(d) : 0);
}

void client_fault(raftd *d, client_conn *cc, const cp_request *rq)
{
    if (!d->cfg.allow_faults) {
        client_reply_error(d, cc, CP_FAULT, rq->req_id,
                           "fault injection is off (start raftd with --allow-faults)");
        return;
    }
    d->drop_in_mask = rq->fault.drop_in;
    d->drop_out_mask = rq->fault.drop_out;
    LOG_WARN("fault injection: dropping messages from peers %#" PRIx64 " and to peers %#" PRIx64
             " (bit i = node i)", d->drop_in_mask, d->drop_out_mask);
    client_reply_status(d, cc, CP_FAULT, rq->req_id, CP_OK, 0);
}
