/* raft_internal.h — the node's state, shared by the core/raft_*.c modules.
 *
 * Module map:
 * raft.c is the top: the entry points and the dispatch; no file calls back
 * into it. raft_host.c is the bottom: it calls no other raft_*.c file.
 *   raft.c             entry points (tick, receive, propose, persisted), the
 *                      dispatch of messages, proposals, the durable outbox
 *   raft_node.c        raft_new (fresh or from raft_boot), raft_free
 *   raft_role.c        every change of role and term: become follower,
 *                      pre-candidate, candidate, leader; the vote tally
 *   raft_host.c        the node's side of raft_io: time, events, sending,
 *                      durable writes and their tokens; the FIFOs
 *   raft_election.c    PreVote, RequestVote (both sides), TimeoutNow
 *   raft_replication.c leader side of AppendEntries: sending, retransmission, replies,
 *                      the commit rule
 *   progress.c         a follower's progress: states, the in-flight window, the RTO
 *   quorum.c           majority arithmetic (k-th largest, counts)
 *   raft_append.c      follower side of AppendEntries: consistency check, truncation
 *   raft_snapshot.c    compaction, InstallSnapshot (both sides, chunked)
 *   raft_read.c        ReadIndex and leadership transfer
 *   raft_status.c      queries, raft_get_status, raft_dump
 *   names.c            names of codes/roles/events/bugs, raft_config_default
 */
#ifndef RAFT_INTERNAL_H
#define RAFT_INTERNAL_H

#include "log.h"
#include "msg.h"
#include "progress.h"
#include "quorum.h"
#include "raft.h"

#include <assert.h>

/* A deliberate mistake from the catalogue is active (test-only builds). */
#ifdef RAFT_BUGS
#define BUG(r, name) (((r)->cfg.bugs & RAFT_BUG(name)) != 0)
#else
#define BUG(r, name) 0
#endif

/* An invariant of the node (TigerStyle: asserted where it may change). Not
 * checked in -DRAFT_BUGS builds, where a catalogue bug breaks one on purpose
 * for the simulator's checker, not an assertion, to catch. */
#ifdef RAFT_BUGS
#define raft__invariant(cond) ((void)0)
#else
#define raft__invariant(cond) assert(cond)
#endif

/* A snapshot's bytes, shared by the node and the peers it is being sent to,
 * so a transfer in progress survives the leader taking a newer snapshot. */
typedef struct raft_snapbuf {
    raft_snapshot_meta meta;
    uint8_t *data;
    size_t len;
    uint32_t refs;
} raft_snapbuf;

/* A follower as the leader sees it: its progress (progress.h: state,
 * nextIndex, the AppendEntries window; matchIndex is raft_node's match), what
 * it has confirmed, and a snapshot transfer in progress. */
typedef struct raft_peer {
    _Alignas(64) raft_progress pr;
    bool append_sent;        /* last_append_ns is meaningful (heartbeat_idle_only) */
    bool heard;              /* ever heard from (last_heard_ns is meaningful) */
    bool timeout_now_sent;
    /* Installed a snapshot this leadership sent and not yet acknowledged
     * the commit index: it catches up by AppendEntries from its match,
     * which holds compaction back (compaction_point). */
    bool catching_up;
    /* Highest seq echoed this term (ReadIndex rounds). Only answers to this
     * leadership's requests count: a reply of our term that echoes a nonzero
     * seq answers an AppendEntries this node sent in this term (see
     * raft__recv_append_resp). */
    uint64_t acked_seq;
    uint64_t last_heard_ns;  /* any message of the current term from this peer */
    uint64_t last_append_ns; /* last AppendEntries sent to it, if append_sent */
    /* snapshot transfer, a bounded window of chunks in flight: the
     * snapshot is pinned until the follower has it. snap_offset: bytes
     * the follower confirmed; snap_next: the next byte to send; snap_hint:
     * the lowest offset a reply reported below snap_offset since the last
     * progress (a follower that lost its copy restarts from it at the next
     * timeout), or UINT64_MAX; snap_last_sent: the chunk that ends the
     * snapshot was sent since the last rewind; snap_dups: replies at
     * snap_offset since the last progress (fast retransmit at two);
     * snap_sent_ns: the retransmission timer's start. */
    raft_snapbuf *sending;
    bool snap_last_sent;
    uint32_t snap_dups;
    uint64_t snap_offset, snap_next, snap_hint, snap_sent_ns;
    /* Chunk round trips, timed apart from AppendEntries (a chunk's includes
     * its transmission behind the window): snap_high, the end of the
     * furthest byte sent in this transfer (a chunk below it is a
     * retransmission); one chunk timed at a time, ending at snap_timed_end
     * (0: none) and sent at snap_timed_ns; the smoothed estimate
     * snap_srtt_ns (0: no sample yet) and snap_rttvar_ns. */
    uint64_t snap_high, snap_timed_end, snap_timed_ns, snap_srtt_ns, snap_rttvar_ns;
} raft_peer;

typedef struct raft_pending_write {
    uint64_t token;
    uint64_t last_index; /* log end after this write (clamped by truncations) */
} raft_pending_write;

/* A message that promises something durable: sent once `token` is durable. */
typedef struct raft_outbox_item {
    uint64_t token;
    raft_id to;
    raft_msg msg; /* never carries variable-length data */
} raft_outbox_item;

typedef struct raft_read_req {
    uint64_t req_id, index, seq;
} raft_read_req;

/* A growable FIFO of fixed-size items, at most `max` (a power of two, its
 * bound: raft.h's RAFT_MAX_*); reused, so steady state never allocates. */
typedef struct raft_fifo {
    void *items;
    size_t item_size, cap, head, count, max;
} raft_fifo;

/* Field order: events hop between nodes, so every call into a node starts
 * with its lines out of the cache, and each line touched costs a miss. What
 * nearly every call reads or writes comes first, in as few lines as it
 * fits (the node is allocated 64-byte aligned: raft_new), then io, cfg
 * and the log, the message counters, and last what elections, transfers,
 * snapshots and status queries use. */
struct raft_node {
    /* ---- hot: lines 0-3 ---- */
    /* host time, read once per call into the node (see raft__now) */
    _Alignas(64) bool in_call;
    bool now_valid;
    bool committed_in_term; /* leader: an entry of its term is committed */
    bool leader_contact;
    enum raft_role role;
    raft_id leader;
    raft_id vote; /* persistent (paper Figure 2), with term and log */
    /* The peers' inflight rings hold the power of two >= pipeline_window
     * entries, this minus one: a small window cycles through the same
     * line or two of each ring rather than through RAFT_MAX_WINDOW
     * entries. */
    uint32_t inflight_mask;
    uint64_t now_ns;
    uint64_t term;
    uint64_t commit, applied;

    /* persistence */
    uint64_t last_token, persisted_token;
    uint64_t hs_token;      /* last write that changed the term or the vote */
    uint64_t durable_index; /* the log up to here is durable */
    uint64_t taking_token;  /* snapshot being taken (below); 0: none in progress */
    raft_fifo writes;       /* raft_pending_write */
    raft_fifo outbox;       /* raft_outbox_item */

    /* timers */
    uint64_t election_deadline_ns, heartbeat_deadline_ns;
    uint64_t leader_contact_ns; /* last valid AppendEntries/snapshot from a leader */

    /* leader */
    raft_peer *peers; /* indexed by id - 1 */
    /* matchIndex of peer id - 1 (paper Figure 2): an array of its own, not
     * in raft_peer, as the commit rule's scans read every peer's: a few
     * lines rather than one per peer. */
    uint64_t *match;
    /* The commit rule's last count (raft__leader_advance_commit): with the
     * commit index at count_commit, count_above copies exceeded it, fewer
     * than a majority. Valid only while count_valid. */
    uint64_t count_commit;
    uint32_t count_above;
    bool count_valid;
    uint64_t seq;     /* last AppendEntries seq sent */
    raft_fifo reads;  /* raft_read_req, ordered by seq */
    /* A ReadIndex round is owed from read_round_ns on (raft_read_index):
     * the next raft_tick sends it, for every read registered until then. */
    bool read_round_due;
    uint64_t read_round_ns;

    /* buffers reused for every message */
    uint8_t *enc;
    size_t enc_cap;
    raft_entry *scratch; /* decode scratch, RAFT_MAX_BATCH */
    raft_entry *batch;   /* AppendEntries being built, max_entries_per_msg */

    raft_snapshot_meta snap; /* the durable snapshot (every apply reads its index) */

    /* ---- the host's callbacks, the configuration (its fields that calls
     * read fill its first 56 bytes, which share a line with io's last),
     * the log ---- */
    raft_io io;
    raft_config cfg;
    raft_log log;

    /* ---- statistics: what a message of the AppendEntries pair counts
     * fills one line ---- */
    _Alignas(64) uint64_t bytes_sent;
    uint64_t bytes_recv;
    uint64_t rtt_sum_ns, rtt_samples;
    struct {
        uint64_t sent, recv;
    } msgs[RAFT_MSG_TYPE_SLOTS]; /* by raft__msg_slot(type) */
    uint64_t msgs_malformed;
    uint64_t elections_started, elections_won;
    uint64_t limit_hits[RAFT_LIMIT__COUNT];

    /* ---- cold ---- */
    /* elections */
    uint64_t votes_mask;
    uint32_t votes_count; /* only the duplicate-votes bug counts this way */
    raft_id transfer_target;
    uint64_t transfer_deadline_ns;

    /* snapshots: the current durable one (snap, above), one being taken,
     * one being received */
    raft_snapbuf *snap_buf; /* snap_buf->meta == snap when there is one */
    raft_snapshot_meta taking;
    uint8_t *taking_data;
    size_t taking_len;
    /* A snapshot being received is one leader's, in one term: its chunks
     * are never mixed with another's (raft_snapshot.c's assemble). */
    raft_snapshot_meta recv;
    raft_id recv_from;
    uint64_t recv_term;
    uint8_t *recv_data;
    uint64_t recv_total, recv_off;
    /* Chunks of that transfer that arrived ahead of recv_off (reordered, or
     * past a lost one), already written at their offsets: [start, end),
     * at most RAFT_MAX_WINDOW of them (what a leader keeps in flight). */
    uint32_t recv_pieces;
    struct { uint64_t start, end; } recv_piece[RAFT_MAX_WINDOW];
};


/* The statistics slot of a message type: a rotation of the types that
 * puts AppendEntries and its reply first, in the counters' first line. */
static inline unsigned raft__msg_slot(unsigned type)
{
    return (type - RAFT_MSG_APPEND_ENTRIES) & (RAFT_MSG_TYPE_SLOTS - 1);
}
_Static_assert((RAFT_MSG_TYPE_SLOTS & (RAFT_MSG_TYPE_SLOTS - 1)) == 0, "a power of two");
_Static_assert(RAFT_MSG_APPEND_ENTRIES_RESP == RAFT_MSG_APPEND_ENTRIES + 1, "adjacent slots");

/* The index invariants: applied <= commit <= last index (paper Figure 2:
 * entries apply in order, and only committed ones), and durable <= last
 * index (a write covers no entry that is gone). Checked where they rise:
 * raft__commit_to (commit, applied) and persisted() (durable). */
static inline void raft__assert_indexes(const raft_node *r)
{
    uint64_t last = raft_log_last_index(&r->log);
    raft__invariant(r->applied <= r->commit);
    raft__invariant(r->commit <= last);
    raft__invariant(r->durable_index <= last);
    (void)last;
}

/* raft_host.c */
uint64_t raft__now_read(raft_node *r);
/* Host time; read once per call into the node (see raft__now_read). */
static inline uint64_t raft__now(raft_node *r)
{
    return r->now_valid ? r->now_ns : raft__now_read(r);
}
/* Whether a message of the current term or newer came from the peer within
 * the last `window_ns` (CheckQuorum's test, thesis §6.2). */
static inline bool raft__heard_within(const raft_peer *p, uint64_t now, uint64_t window_ns)
{
    return p->heard && now - p->last_heard_ns <= window_ns;
}
void raft__event(raft_node *r, enum raft_event_kind kind, uint64_t a, uint64_t b);
void raft__limit_hit(raft_node *r, enum raft_limit limit, uint64_t length);
/* Paper §5.2: a fresh random timeout from [min, max] on every reset (hot). */
static inline void raft__reset_election_timer(raft_node *r)
{
    uint64_t span = r->cfg.election_timeout_max_ns - r->cfg.election_timeout_min_ns;
    uint64_t step = r->cfg.election_timeout_step_ns;
    if (step > 1) /* whole steps only (LogCabin draws whole milliseconds) */
        span /= step;
    uint64_t pick = span ? r->io.random(r->io.ctx) % (span + 1) : 0;
    if (step > 1)
        pick *= step;
    r->election_deadline_ns = raft__now(r) + r->cfg.election_timeout_min_ns + pick;
}
size_t raft__send_encode_grow(raft_node *r, const raft_msg *m);
/* Encode straight into the reused buffer (grown by raft__send_encode_grow)
 * and hand it to the host (hot). */
static inline void raft__send(raft_node *r, raft_id to, const raft_msg *m)
{
    assert(to >= 1 && to <= r->cfg.n_nodes && to != r->cfg.id);
    size_t len = raft_msg_encode(m, r->enc, r->enc_cap);
    if (len == 0 && (len = raft__send_encode_grow(r, m)) == 0)
        return;
    assert(len > 0 && len <= r->enc_cap);
    r->msgs[raft__msg_slot(m->type)].sent++;
    r->bytes_sent += len;
    r->io.send(r->io.ctx, to, r->enc, len);
}
void raft__send_ack(raft_node *r, raft_id to, const raft_msg *m, uint64_t index);
uint64_t raft__persist_hs(raft_node *r);
uint64_t raft__persist_entries(raft_node *r, uint64_t first, const raft_entry *e, size_t n);
uint64_t raft__persist_snapshot(raft_node *r, raft_snapshot_meta meta, const uint8_t *data,
                                size_t len, bool keep_log);
void raft__clamp_durable(raft_node *r, uint64_t last_kept);
/* raft_role.c */
uint32_t raft__majority(const raft_node *r);
void raft__set_term(raft_node *r, uint64_t term);
void raft__become_follower(raft_node *r, uint64_t term, raft_id leader);
bool raft__reply_term_is_higher(raft_node *r, const raft_msg *m);
void raft__become_precandidate(raft_node *r);
void raft__become_candidate(raft_node *r);
void raft__become_leader(raft_node *r);
void raft__set_role(raft_node *r, enum raft_role role);
uint32_t raft__votes_counted(const raft_node *r);
void raft__count_vote(raft_node *r, raft_id from);
bool raft__self_vote_counted(const raft_node *r);
void raft__take_snapshot(raft_node *r); /* raft_snapshot.c */
/* Take a snapshot once snapshot_threshold entries were applied since the
 * last, unless one is being taken (hot). */
static inline void raft__maybe_take_snapshot(raft_node *r)
{
    uint64_t threshold = r->cfg.snapshot_threshold;
    if (threshold && !r->taking_token && r->applied - r->snap.index >= threshold)
        raft__take_snapshot(r);
}
/* Paper Figure 2: apply committed entries in order, never past commitIndex
 * (hot). */
static inline void raft__apply(raft_node *r)
{
    uint64_t limit = r->commit;
    if (BUG(r, APPLY_UNCOMMITTED))
        limit = raft_log_last_index(&r->log);
    while (r->applied < limit) {
        raft_entry e;
        bool held = raft_log_get(&r->log, r->applied + 1, &e);
        assert(held);
        if (!held)
            break;
        r->applied++;
        r->io.apply(r->io.ctx, r->applied, &e);
        raft__event(r, RAFT_EV_APPLY, r->applied, e.term);
    }
    raft__maybe_take_snapshot(r);
}
/* Raise the commit index to `index` (held) and apply; nothing if it is not
 * above it (hot). */
static inline void raft__commit_to(raft_node *r, uint64_t index)
{
    if (index <= r->commit)
        return;
    assert(index <= raft_log_last_index(&r->log));
    uint64_t old = r->commit;
    r->commit = index;
    raft__event(r, RAFT_EV_COMMIT, index, old);
    raft__apply(r);
    raft__invariant(r->applied <= r->commit); /* commit <= last: asserted above */
}
int raft__fifo_grow(raft_fifo *f);
int raft__fifo_push(raft_fifo *f, const void *item);

/* The FIFO helpers (hot). The capacity is 0 or a power of two (16,
 * doubling). */
static inline void *raft__fifo_at(const raft_fifo *f, size_t i)
{
    assert(i < f->count);
    return (uint8_t *)f->items + ((f->head + i) & (f->cap - 1)) * f->item_size;
}

/* Append an uninitialised item and return it for the caller to fill (a typed
 * store, cheaper than a copy of item_size bytes); NULL at the bound or when
 * out of memory (the caller reports it: raft__limit_hit). */
static inline void *raft__fifo_push_slot(raft_fifo *f)
{
    if (f->count == f->cap && raft__fifo_grow(f) != RAFT_OK)
        return NULL;
    f->count++;
    return raft__fifo_at(f, f->count - 1);
}

/* An emptied FIFO starts again at slot 0: the next items reuse the lines
 * just used, still in the cache, rather than the ring's next (cold) ones. */
static inline void raft__fifo_pop(raft_fifo *f)
{
    assert(f->count > 0);
    f->count--;
    f->head = f->count ? (f->head + 1) & (f->cap - 1) : 0;
}

/* Send once every write issued so far is durable (raft.c's outbox; hot). */
static inline void raft__send_durable(raft_node *r, raft_id to, const raft_msg *m)
{
    if (r->last_token <= r->persisted_token || BUG(r, ACK_BEFORE_PERSIST)) {
        raft__send(r, to, m);
        return;
    }
    raft_outbox_item *it = raft__fifo_push_slot(&r->outbox);
    if (!it) { /* dropped, as the network may drop it, but not silently */
        raft__limit_hit(r, RAFT_LIMIT_OUTBOX, r->outbox.count);
        return;
    }
    /* Field by field: a compound literal was built on the stack and then
     * copied, the message twice. */
    it->token = r->last_token;
    it->to = to;
    it->msg = *m;
}

/* raft_election.c */
void raft__election_timeout(raft_node *r);
void raft__start_election(raft_node *r, bool transfer);
void raft__recv_request_vote(raft_node *r, const raft_msg *m);
void raft__recv_request_vote_resp(raft_node *r, const raft_msg *m);
void raft__recv_timeout_now(raft_node *r, const raft_msg *m);
void raft__candidate_vote_durable(raft_node *r);
bool raft__heard_leader_recently(raft_node *r);

/* raft_replication.c */
void raft__replicate_send(raft_node *r, raft_id id);
/* The flow-control limits of the configuration (progress.h). */
static inline raft_progress_limits raft__progress_limits(const raft_node *r)
{
    return (raft_progress_limits){r->cfg.pipeline_window, r->cfg.max_inflight_bytes,
                             r->cfg.heartbeat_ns, r->cfg.retransmit_max_ns};
}
/* Send what peer `id`'s window allows. Most calls (after every ack, every
 * proposal) find a replicating peer that already has everything sent, so
 * that test is inline; raft__replicate_send does the rest. */
static inline void raft__replicate(raft_node *r, raft_id id)
{
    const raft_peer *p = &r->peers[id - 1];
    assert(r->role == RAFT_LEADER);
    /* Where raft__replicate_send would send nothing: a replicating peer has
     * everything sent, or the peer may not be sent more now. */
    if (p->pr.state == PROGRESS_REPLICATE && p->pr.next > raft_log_last_index(&r->log))
        return;
    raft_progress_limits lim = raft__progress_limits(r);
    if (raft_progress_paused(&p->pr, &lim))
        return;
    raft__replicate_send(r, id);
}
void raft__heartbeat(raft_node *r, raft_id id, bool periodic);
void raft__heartbeat_all(raft_node *r);
void raft__leader_advance_commit(raft_node *r);
void raft__leader_durable_rose(raft_node *r, uint64_t old);
void raft__leader_commit_check(raft_node *r);
void raft__recv_append(raft_node *r, const raft_msg *m);
void raft__note_leader(raft_node *r, const raft_msg *m);
void raft__recv_append_resp(raft_node *r, const raft_msg *m);
void raft__peer_reset_probe(raft_node *r, raft_id id);
int raft__append_local(raft_node *r, uint32_t type, const void *data, uint32_t len);

/* raft_snapshot.c */
raft_snapbuf *raft__snapbuf_new(raft_snapshot_meta meta, uint8_t *data, size_t len);
void raft__snapbuf_release(raft_snapbuf *b);
void raft__set_snapshot(raft_node *r, raft_snapbuf *b);
void raft__peer_release_snapshot(raft_peer *p);
void raft__snapshot_durable(raft_node *r);
bool raft__snapshot_heartbeat(raft_node *r, raft_id id);
void raft__send_snapshot_chunk(raft_node *r, raft_id id);
void raft__snapshot_transfer_end(raft_node *r, raft_id id);
void raft__recv_install_snapshot(raft_node *r, const raft_msg *m);
void raft__recv_install_snapshot_resp(raft_node *r, const raft_msg *m);

/* raft_read.c */
void raft__reads_answer(raft_node *r);
void raft__read_round(raft_node *r); /* raft_read.c: the round raft_read_index owes */
/* Answer the pending ReadIndex requests a majority has confirmed (hot, mostly
 * with none pending). */
static inline void raft__reads_check(raft_node *r)
{
    assert(r->role == RAFT_LEADER);
    if (r->reads.count)
        raft__reads_answer(r);
}
void raft__reads_fail_all(raft_node *r);
void raft__transfer_check_target(raft_node *r, raft_id id);
/* Once the transfer target holds our whole log, tell it to start an
 * election now (hot, nearly always with no transfer). */
static inline void raft__transfer_check(raft_node *r, raft_id id)
{
    if (r->transfer_target == id)
        raft__transfer_check_target(r, id);
}
void raft__transfer_tick(raft_node *r, uint64_t now);

#endif
