/* raft_snapshot.c — log compaction and InstallSnapshot (paper §7). */
#include "raft_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared snapshot buffers ---- */

/* Takes ownership of `data` (freed on failure too). */
raft_snapbuf *raft__snapbuf_new(raft_snapshot_meta meta, uint8_t *data, size_t len)
{
    raft_snapbuf *b = malloc(sizeof *b);
    if (!b) {
        free(data);
        return NULL;
    }
    *b = (raft_snapbuf){.meta = meta, .data = data, .len = len, .refs = 1};
    return b;
}

void raft__snapbuf_release(raft_snapbuf *b)
{
    assert(b->refs > 0);
    if (--b->refs)
        return;
    free(b->data);
    free(b);
}

/* `b` (one reference, handed over) becomes the node's current snapshot. */
void raft__set_snapshot(raft_node *r, raft_snapbuf *b)
{
    if (r->snap_buf)
        raft__snapbuf_release(r->snap_buf);
    r->snap_buf = b;
    r->snap = b->meta;
}

void raft__peer_release_snapshot(raft_peer *p)
{
    if (p->sending)
        raft__snapbuf_release(p->sending);
    p->sending = NULL;
}

/* ---- taking a snapshot locally ---- */

void raft__take_snapshot(raft_node *r)
{
    size_t len = 0;
    uint8_t *data = r->io.snapshot_take(r->io.ctx, r->applied, &len);
    if (!data)
        return; /* the host could not serialize; try again after the next apply */
    r->taking.index = r->applied;
    r->taking.term = raft_log_term_at(&r->log, r->applied);
    assert(r->taking.term != 0);
    r->taking_data = data;
    r->taking_len = len;
    r->taking_token = raft__persist_snapshot(r, r->taking, data, len, true);
}

/* Where compaction may go, given the policy's point `upto`: not past the
 * index of a snapshot a transfer in progress is sending (paper §7 leaves
 * compaction to each server; etcd pauses compaction while a snapshot is in
 * flight): that follower, once it installs it, catches up by AppendEntries
 * from the next entry. If the log compacted past it instead, a log
 * compacted faster than one transfer completes would need a newer snapshot
 * after every transfer, forever (issue 15, swarm5 seed 68981; issue 16,
 * explore seeds 10720 13693 28782 46496, compacting every 7-42
 * entries). Likewise a follower that installed it and catches up by
 * AppendEntries holds the log above its match until it has the commit
 * index (explore seed 113647: with `keep 1` on a slow link it was
 * overtaken three times). Only a follower heard from within an election
 * timeout holds the log (one that crashed or was cut off has no use for it
 * until it answers again, and then gets a newer snapshot), and by at most
 * RAFT_MAX_TRANSFER_LOG bytes past the policy's point; beyond that
 * compaction proceeds to the policy's point (reported) and that follower
 * will need a newer snapshot. */
static uint64_t compaction_point(raft_node *r, uint64_t upto)
{
    if (r->role != RAFT_LEADER)
        return upto;
    uint64_t now = raft__now(r);
    uint64_t keep = upto;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++) {
        const raft_peer *p = &r->peers[id - 1];
        if (id == r->cfg.id || !raft__heard_within(p, now, r->cfg.election_timeout_max_ns))
            continue;
        uint64_t needs = p->sending ? p->sending->meta.index
                         : p->catching_up ? r->match[id - 1] : UINT64_MAX;
        if (needs < keep)
            keep = needs;
    }
    if (keep < r->log.base_index)
        keep = r->log.base_index;
    if (keep >= upto)
        return upto;
    uint64_t kept = raft_log_bytes_between(&r->log, keep + 1, upto) +
                    (upto - keep) * RAFT_LOG_ENTRY_OVERHEAD;
    if (kept > RAFT_MAX_TRANSFER_LOG) {
        raft__limit_hit(r, RAFT_LIMIT_TRANSFER_LOG, kept);
        return upto;
    }
    return keep;
}

/* The snapshot being taken is durable: it replaces the old one, and the log
 * prefix it covers is dropped, keeping snapshot_trailing entries for
 * followers that are only slightly behind, and what transfers in progress
 * need (compaction_point). */
void raft__snapshot_durable(raft_node *r)
{
    assert(r->taking_token && r->taking_token <= r->persisted_token);
    r->taking_token = 0;
    if (r->taking.index <= r->snap.index) { /* overtaken by an installed snapshot */
        free(r->taking_data);
        r->taking_data = NULL;
        return;
    }
    raft_snapbuf *b = raft__snapbuf_new(r->taking, r->taking_data, r->taking_len);
    r->taking_data = NULL;
    if (!b)
        return; /* out of memory: keep serving the old snapshot and the full log */
    raft__set_snapshot(r, b);
    raft__event(r, RAFT_EV_SNAPSHOT_TAKEN, r->snap.index, r->snap.term);
    uint64_t trailing = r->cfg.snapshot_trailing;
    uint64_t upto = r->snap.index > trailing ? r->snap.index - trailing : 0;
    if (upto > r->log.base_index)
        upto = compaction_point(r, upto);
    if (upto > r->log.base_index)
        raft_log_compact(&r->log, upto);
}

/* ---- sending: a bounded window of chunks ---- */

/* Chunks a transfer may have in flight: the AppendEntries window, within
 * the in-flight byte limit, at least one. */
static uint64_t window_bytes(const raft_node *r)
{
    uint64_t chunk = r->cfg.snapshot_chunk_bytes;
    uint64_t n = r->cfg.max_inflight_bytes / chunk;
    if (n > r->cfg.pipeline_window)
        n = r->cfg.pipeline_window;
    return (n ? n : 1) * chunk;
}

/* Whether a chunk is unanswered: sent past what the follower confirmed, or
 * the last one sent and its installation not yet confirmed. */
static bool chunks_in_flight(const raft_peer *p)
{
    return p->snap_last_sent || p->snap_next > p->snap_offset;
}

/* The chunk at `off`: sent, nothing recorded; its length goes to *len. */
static bool put_chunk(raft_node *r, raft_id id, const raft_peer *p, uint64_t off, uint64_t *len)
{
    const raft_snapbuf *s = p->sending;
    assert(s && off <= s->len);
    uint64_t left = s->len - off;
    uint64_t chunk = left < r->cfg.snapshot_chunk_bytes ? left : r->cfg.snapshot_chunk_bytes;
    raft_msg m = {.type = RAFT_MSG_INSTALL_SNAPSHOT, .from = r->cfg.id, .term = r->term};
    m.is.last_index = s->meta.index;
    m.is.last_term = s->meta.term;
    m.is.offset = off;
    m.is.total_len = s->len;
    m.is.done = off + chunk == s->len;
    m.is.len = (uint32_t)chunk;
    m.is.data = chunk ? s->data + off : NULL;
    raft__send(r, id, &m);
    *len = chunk;
    return m.is.done;
}

/* The chunk at snap_next. */
static void send_chunk(raft_node *r, raft_id id, raft_peer *p)
{
    assert(p->snap_offset <= p->snap_next);
    if (!chunks_in_flight(p))
        p->snap_sent_ns = raft__now(r); /* the timer starts with the window */
    uint64_t chunk;
    bool done = put_chunk(r, id, p, p->snap_next, &chunk);
    if (p->snap_next >= p->snap_high) { /* sent for the first time */
        p->snap_high = p->snap_next + chunk;
        if (!p->snap_timed_end) { /* Karn's rule: only such a chunk is timed */
            p->snap_timed_end = p->snap_high;
            p->snap_timed_ns = raft__now(r);
        }
    }
    p->snap_next += chunk;
    p->snap_last_sent = done;
}

/* The transfer's retransmission timeout (RFC 6298 §2, as progress.h): from
 * the chunks' own round trips, which include each chunk's transmission
 * behind the window on a narrow link; before the first sample, the
 * AppendEntries estimate. */
static uint64_t chunk_rto(const raft_node *r, const raft_peer *p)
{
    raft_progress_limits lim = raft__progress_limits(r);
    if (!p->snap_srtt_ns)
        return raft_progress_rto(&p->pr, &lim);
    return raft_rto_of(p->snap_srtt_ns, p->snap_rttvar_ns, p->pr.backoff, &lim);
}

/* A reply confirmed `next`: if that covers the timed chunk, its round trip
 * is a sample, and (RFC 6298 §5.7 with Karn's rule) only a valid sample
 * ends the backoff; progress made by a retransmission leaves it. */
static void chunk_rtt(raft_node *r, raft_peer *p, uint64_t next)
{
    if (!p->snap_timed_end || next < p->snap_timed_end)
        return;
    raft_rtt_update(&p->snap_srtt_ns, &p->snap_rttvar_ns, raft__now(r) - p->snap_timed_ns);
    p->snap_timed_end = 0;
    p->pr.backoff = 0;
}

/* Go back to the confirmed offset and resend the one chunk there (RFC 6298
 * §5.4: the earliest unacknowledged); the replies that show progress
 * refill the window, so a timeout that was only the window draining
 * through a narrow link adds one chunk to the link, not a window. */
static void resend_oldest(raft_node *r, raft_id id, raft_peer *p)
{
    p->snap_next = p->snap_offset;
    p->snap_last_sent = false;
    p->snap_dups = 0;
    p->snap_timed_end = 0; /* Karn: a timed chunk may now be sent twice */
    send_chunk(r, id, p);
}

/* Fast retransmit: resend the one chunk at the confirmed offset and leave
 * the rest of the window as it is: what follows it is in flight or already
 * kept by the follower (it keeps chunks ahead of a gap), so rewinding would
 * send it all again, and those duplicates would bring back replies at the
 * same offset that look like more losses. */
static void resend_hole(raft_node *r, raft_id id, raft_peer *p)
{
    uint64_t chunk;
    put_chunk(r, id, p, p->snap_offset, &chunk);
    p->snap_timed_end = 0; /* Karn: the timed chunk's reply may now be the hole's */
}

/* Send what the window allows: chunks in order from snap_next, at most
 * window_bytes past what the follower confirmed. */
static void send_window(raft_node *r, raft_id id, raft_peer *p)
{
    uint64_t window = window_bytes(r);
    while (!p->snap_last_sent && p->snap_next - p->snap_offset < window)
        send_chunk(r, id, p);
}

/* Paper §7: the entries peer `id` needs are compacted away, so send it the
 * snapshot, pinned (a newer snapshot does not restart the transfer), in
 * chunks, a bounded window of them in flight. Starts the transfer if none
 * is in progress, then sends what the window allows. */
void raft__send_snapshot_chunk(raft_node *r, raft_id id)
{
    raft_peer *p = &r->peers[id - 1];
    assert(r->snap_buf && r->snap.index > 0);
    if (p->pr.state != PROGRESS_SNAPSHOT || !p->sending) {
        raft__peer_release_snapshot(p);
        raft_progress_become_snapshot(&p->pr);
        p->sending = r->snap_buf;
        p->sending->refs++;
        p->snap_offset = p->snap_next = 0;
        p->snap_last_sent = false;
        p->snap_hint = UINT64_MAX;
        p->snap_dups = 0;
        p->snap_high = p->snap_timed_end = 0;
        raft__event(r, RAFT_EV_SNAPSHOT_SENT, id, p->sending->meta.index);
    }
    send_window(r, id, p);
}

/* The leader's interval timer during a transfer (paper §7, with
 * retransmission as progress.h states it): when nothing was confirmed for
 * the transfer's RTO, back off and go back to the follower's confirmed
 * offset — or to the lowest offset a reply reported since (the follower
 * lost its copy) — and resend the chunk there. True if a chunk went out. */
bool raft__snapshot_heartbeat(raft_node *r, raft_id id)
{
    raft_peer *p = &r->peers[id - 1];
    assert(p->pr.state == PROGRESS_SNAPSHOT && p->sending);
    if (chunks_in_flight(p)) {
        if (raft__now(r) - p->snap_sent_ns < chunk_rto(r, p))
            return false;
        raft_progress_backoff(&p->pr);
        if (p->snap_hint < p->snap_offset)
            p->snap_offset = p->snap_hint;
        p->snap_hint = UINT64_MAX;
        resend_oldest(r, id, p);
        return true;
    }
    send_window(r, id, p);
    return true;
}

/* Peer `id` holds the snapshot being sent (matchIndex reached its index):
 * the transfer ends; probe from just after matchIndex. */
void raft__snapshot_transfer_end(raft_node *r, raft_id id)
{
    raft_peer *p = &r->peers[id - 1];
    assert(p->pr.state == PROGRESS_SNAPSHOT && p->sending);
    assert(r->match[id - 1] >= p->sending->meta.index);
    raft__peer_release_snapshot(p);
    p->catching_up = true;
    p->pr.backoff = 0;
    raft__peer_reset_probe(r, id);
}

/* Paper §7 (leader side) with a bounded window: only a reply that reports
 * progress past what the follower confirmed moves the window on, so
 * duplicated and delayed replies never start a second chain; one that
 * reports less is noted for the next timeout (raft__snapshot_heartbeat). */
void raft__recv_install_snapshot_resp(raft_node *r, const raft_msg *m)
{
    if (raft__reply_term_is_higher(r, m))
        return;
    raft_peer *p = &r->peers[m->from - 1];
    if (m->term < r->term || r->role != RAFT_LEADER || p->pr.state != PROGRESS_SNAPSHOT ||
        !p->sending || m->isr.last_index != p->sending->meta.index)
        return;
    if (m->isr.done) {
        chunk_rtt(r, p, p->sending->len);
        if (p->sending->meta.index > r->match[m->from - 1])
            r->match[m->from - 1] = p->sending->meta.index;
        raft__snapshot_transfer_end(r, m->from);
        raft__leader_advance_commit(r);
        if (r->role != RAFT_LEADER)
            return;
        raft__transfer_check(r, m->from);
        raft__replicate(r, m->from);
        return;
    }
    uint64_t next = m->isr.next_offset < p->sending->len ? m->isr.next_offset : 0;
    if (next <= p->snap_offset) {
        if (next < p->snap_offset && next < p->snap_hint)
            p->snap_hint = next; /* no progress: acted on at the timeout */
        /* Fast retransmit (as TCP's duplicate acknowledgements): a second
         * reply at the confirmed offset since the last progress, with more
         * than one chunk out, means chunks past a lost one were refused; go
         * back at once to resend it, once per progress. */
        if (next == p->snap_offset && p->snap_next - next > r->cfg.snapshot_chunk_bytes &&
            ++p->snap_dups == 2)
            resend_hole(r, m->from, p);
        return;
    }
    p->snap_offset = next;
    if (p->snap_next < next) { /* the follower is past what we resent: skip ahead */
        p->snap_next = next;
        p->snap_last_sent = false;
    }
    p->snap_hint = UINT64_MAX;
    p->snap_dups = 0;
    chunk_rtt(r, p, next);
    p->snap_sent_ns = raft__now(r); /* progress restarts the timer (RFC 6298 §5.3) */
    send_window(r, m->from, p);
}

/* ---- receiving ---- */

static void reply_snapshot(raft_node *r, raft_id to, uint64_t index, uint64_t next, bool done)
{
    raft_msg m = {.type = RAFT_MSG_INSTALL_SNAPSHOT_RESP, .from = r->cfg.id, .term = r->term};
    m.isr.last_index = index;
    m.isr.next_offset = next;
    m.isr.done = done;
    raft__send_durable(r, to, &m);
}

static void recv_reset(raft_node *r)
{
    free(r->recv_data);
    r->recv_data = NULL;
    r->recv = (raft_snapshot_meta){0, 0};
    r->recv_from = RAFT_NONE;
    r->recv_term = 0;
    r->recv_total = r->recv_off = 0;
    r->recv_pieces = 0;
}

/* The chunk continues the snapshot being received: the same leader, in the
 * same term, sending the same snapshot. */
static bool recv_ours(const raft_node *r, const raft_msg *m)
{
    return r->recv_data && r->recv_from == m->from && r->recv_term == m->term &&
           r->recv.index == m->is.last_index && r->recv.term == m->is.last_term &&
           r->recv_total == m->is.total_len;
}

/* Paper §7: keep the suffix after a matching entry; otherwise discard the log. */
static void install_log(raft_node *r, raft_snapshot_meta meta, bool *keep_out)
{
    uint64_t last = raft_log_last_index(&r->log);
    bool keep = meta.index <= last && raft_log_term_at(&r->log, meta.index) == meta.term;
    if (keep && BUG(r, SNAP_DROP_SUFFIX))
        keep = false;
    if (!keep && BUG(r, SNAP_KEEP_CONFLICT) && meta.index < last)
        keep = true;
    if (keep) {
        raft_log_compact(&r->log, meta.index);
        r->log.base_term = meta.term;
    } else {
        /* Entries up to the commit index are covered by the snapshot; only the
         * uncommitted rest is really removed. */
        if (last > r->commit)
            raft__event(r, RAFT_EV_TRUNCATE, r->commit + 1, last);
        raft_log_reset(&r->log, meta.index, meta.term);
        raft__clamp_durable(r, r->commit < meta.index ? r->commit : meta.index);
    }
    *keep_out = keep;
}

/* The last chunk arrived: install. False (nothing changed) without memory. */
static bool install(raft_node *r)
{
    raft_snapshot_meta meta = r->recv;
    raft_snapbuf *b = raft__snapbuf_new(meta, r->recv_data, r->recv_total);
    r->recv_data = NULL; /* owned by b now, or freed */
    recv_reset(r);
    if (!b)
        return false;
    bool keep;
    install_log(r, meta, &keep);
    r->io.snapshot_restore(r->io.ctx, &meta, b->data, b->len);
    raft__set_snapshot(r, b);
    raft__persist_snapshot(r, meta, b->data, b->len, keep);
    raft__event(r, RAFT_EV_SNAPSHOT_INSTALLED, meta.index, meta.term);
    uint64_t old = r->commit;
    r->commit = meta.index;
    r->applied = meta.index;
    raft__event(r, RAFT_EV_COMMIT, meta.index, old);
    raft__apply(r);
    return true;
}

/* The chunk at recv_off arrived: the pieces it reaches continue it. */
static void join_pieces(raft_node *r)
{
    for (bool moved = true; moved;) {
        moved = false;
        for (uint32_t i = 0; i < r->recv_pieces; i++) {
            if (r->recv_piece[i].start > r->recv_off)
                continue;
            if (r->recv_piece[i].end > r->recv_off) {
                r->recv_off = r->recv_piece[i].end;
                moved = true;
            }
            r->recv_piece[i--] = r->recv_piece[--r->recv_pieces];
        }
    }
    assert(r->recv_off <= r->recv_total);
}

/* A chunk ahead of recv_off: written at its offset and remembered, unless
 * it is already held or RAFT_MAX_WINDOW pieces are (then it is refused and
 * the leader resends it). */
static bool keep_piece(raft_node *r, const raft_msg *m)
{
    uint64_t start = m->is.offset, end = start + m->is.len;
    for (uint32_t i = 0; i < r->recv_pieces; i++)
        if (r->recv_piece[i].start <= start && end <= r->recv_piece[i].end)
            return true; /* a duplicate */
    if (r->recv_pieces == RAFT_MAX_WINDOW)
        return false;
    if (m->is.len)
        memcpy(r->recv_data + start, m->is.data, m->is.len);
    r->recv_piece[r->recv_pieces].start = start;
    r->recv_piece[r->recv_pieces].end = end;
    r->recv_pieces++;
    return true;
}

/* Start or continue assembling; false if the chunk cannot be used. Paper
 * Figure 13 (InstallSnapshot, receiver 2-4): offset 0 starts a new snapshot
 * and chunks are written at their offset, so a chunk that overtook another
 * (reordering) or follows a lost one is kept, not refused and sent again;
 * here only chunks of one leader's transfer in one term (recv_ours) are put
 * together: another leader's chunks of the same index could carry other
 * bytes. */
static bool assemble(raft_node *r, const raft_msg *m)
{
    bool same = recv_ours(r, m);
    if (!same && m->is.offset == 0) {
        recv_reset(r);
        if (m->is.total_len > RAFT_MAX_SNAPSHOT) {
            raft__limit_hit(r, RAFT_LIMIT_SNAPSHOT, m->is.total_len);
            return false;
        }
        r->recv_data = malloc(m->is.total_len ? m->is.total_len : 1);
        if (!r->recv_data) {
            raft__limit_hit(r, RAFT_LIMIT_SNAPSHOT, m->is.total_len);
            return false;
        }
        r->recv = (raft_snapshot_meta){m->is.last_index, m->is.last_term};
        r->recv_from = m->from;
        r->recv_term = m->term;
        r->recv_total = m->is.total_len;
        same = true;
    }
    if (!same || m->is.len > r->recv_total || m->is.offset > r->recv_total - m->is.len)
        return false;
    if (m->is.offset > r->recv_off)
        return keep_piece(r, m);
    if (m->is.offset != r->recv_off)
        return false; /* already held */
    if (m->is.len)
        memcpy(r->recv_data + r->recv_off, m->is.data, m->is.len);
    r->recv_off += m->is.len;
    join_pieces(r);
    return true;
}

/* Paper §7 and Figure 13, InstallSnapshot receiver: refuse an older term;
 * write chunks at their offset; on the last, keep a matching log suffix. */
void raft__recv_install_snapshot(raft_node *r, const raft_msg *m)
{
    if (m->term < r->term) {
        raft__event(r, RAFT_EV_STALE_MESSAGE, m->type, m->from);
        reply_snapshot(r, m->from, m->is.last_index, 0, false);
        return;
    }
    raft__note_leader(r, m);
    if (m->is.last_index <= r->commit) { /* nothing new in it */
        reply_snapshot(r, m->from, m->is.last_index, m->is.total_len, true);
        return;
    }
    if (!assemble(r, m)) {
        /* where this leader's transfer should go on: at our offset if it is
         * the one being assembled, else from the start */
        reply_snapshot(r, m->from, m->is.last_index, recv_ours(r, m) ? r->recv_off : 0, false);
        return;
    }
    if (r->recv_off != r->recv_total) { /* the whole snapshot, in whatever order */
        reply_snapshot(r, m->from, m->is.last_index, r->recv_off, false);
        return;
    }
    bool installed = install(r);
    reply_snapshot(r, m->from, m->is.last_index, installed ? m->is.total_len : 0, installed);
}
