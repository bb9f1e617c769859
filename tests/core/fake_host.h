/* fake_host.h — a test host for one Raft node: it records every message sent
 * (decodable on demand), every durable-write request (and keeps a little disk
 * from them for restarts), every apply, event and read result; it controls
 * time and randomness; and it delivers hand-made messages to the node. */
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include "../../core/msg.h"
#include "../../core/raft.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS (UINT64_C(1000000))

typedef struct fh_sent {
    raft_id to;
    uint8_t *buf;
    size_t len;
} fh_sent;

typedef struct fh_write {
    uint64_t token;
    enum raft_write_kind kind;
    raft_hard_state hs;
    uint64_t first_index;
    size_t n_entries;
    raft_snapshot_meta snap;
    bool keep_log;
} fh_write;

typedef struct fh_applied {
    uint64_t index, term;
    uint32_t type, len;
    char data[32];
} fh_applied;

typedef struct fh_read {
    uint64_t req_id, index;
    int status;
} fh_read;

typedef struct fh_disk_entry {
    uint64_t term;
    uint32_t type, len;
    uint8_t *data;
} fh_disk_entry;

typedef struct fh_pending {
    raft_write w; /* pointers into ents / blob */
    raft_entry *ents;
    uint8_t *blob;
} fh_pending;

typedef struct fhost {
    raft_config cfg;
    raft_io io;
    raft_node *node;
    uint64_t now;
    uint64_t rand_value; /* what io->random returns, unless rand_state != 0 */
    uint64_t rand_state; /* nonzero: io->random draws from an LCG seeded with it */
    fh_sent *sent;
    size_t n_sent, sent_cap;
    fh_write *writes;
    size_t n_writes, writes_cap;
    fh_pending *pending; /* issued, not yet durable: lost on a crash */
    size_t n_pending, pending_cap;
    fh_applied *applied;
    size_t n_applied, applied_cap;
    raft_event *events;
    size_t n_events, events_cap;
    fh_read reads[64];
    size_t n_reads;
    raft_snapshot_meta restored;
    size_t restored_len, n_restores;
    size_t n_snapshots_taken;
    /* the "disk": what was persisted, for restarts */
    raft_hard_state disk_hs;
    raft_snapshot_meta disk_snap;
    uint8_t *disk_snap_data;
    size_t disk_snap_len;
    fh_disk_entry *disk;
    size_t n_disk, disk_cap;
    raft_entry scratch[RAFT_MAX_BATCH];
} fhost;

/* Defaults for tests: 3 nodes, timeouts 150-300 ms, heartbeat 50 ms, no PreVote,
 * no CheckQuorum, random() returning 0 (timeout = the minimum). */
void fh_init(fhost *h, raft_id id, uint32_t n_nodes);
/* (Re)start the node from the fake disk. */
raft_node *fh_start(fhost *h);
/* Crash: free the node, keep the disk, lose writes not yet durable. */
void fh_crash(fhost *h);
void fh_free(fhost *h);

int fh_deliver(fhost *h, const raft_msg *m);
/* Make every issued write durable (onto the fake disk), then tell the node. */
void fh_persist_all(fhost *h);
uint64_t fh_last_token(const fhost *h);
/* Move time to the node's next deadline and tick. */
void fh_fire(fhost *h);
/* Advance time by `ns`, ticking at each deadline passed. */
void fh_advance(fhost *h, uint64_t ns);

/* Sent messages. */
void fh_clear(fhost *h);
size_t fh_count(const fhost *h, int type);
size_t fh_count_to(const fhost *h, int type, raft_id to);
/* Decode sent message i into *m (entries into h->scratch). */
void fh_msg(fhost *h, size_t i, raft_msg *m);
/* Last sent message of `type` to `to` (0 = anyone); false if none. */
bool fh_last(fhost *h, int type, raft_id to, raft_msg *m);

size_t fh_event_count(const fhost *h, enum raft_event_kind kind);
bool fh_has_event(const fhost *h, enum raft_event_kind kind, uint64_t a, uint64_t b);

/* Build messages. */
raft_msg fh_vote_req(raft_id from, uint64_t term, uint64_t last_index, uint64_t last_term);
raft_msg fh_vote_resp(raft_id from, uint64_t term, bool granted);
raft_msg fh_append(raft_id from, uint64_t term, uint64_t prev_index, uint64_t prev_term,
                   uint64_t commit, const raft_entry *e, uint32_t n);
raft_msg fh_append_ok(raft_id from, uint64_t term, uint64_t seq, uint64_t match);

/* Deliver a RequestVote from `from`, make every write durable, and return
 * the node's reply to it (the test fails if there is none). */
raft_msg fh_request_vote(fhost *h, raft_id from, uint64_t term, uint64_t last_index,
                         uint64_t last_term);

/* Put entries of the given terms on the fake disk (before fh_start). */
void fh_seed_log(fhost *h, uint64_t hs_term, const uint64_t *terms, size_t n);
/* Put a snapshot on the fake disk (before fh_seed_log and fh_start). */
void fh_seed_snapshot(fhost *h, uint64_t index, uint64_t term, size_t len);
/* A leader of term 2 (its no-op at 11) over a snapshot of snap_bytes at
 * index 10 of term 1, which it sends in chunks of chunk_bytes with `window`
 * in flight (any other h->cfg field set before). */
void fh_leader_over_snapshot(fhost *h, uint32_t chunk_bytes, uint32_t window, size_t snap_bytes);
/* Peer `from`, its log empty, rejects the leader's probe at index 10 (seq 1,
 * conflict index 1): the leader has to send it the snapshot at 10. */
void fh_empty_peer_rejects_the_probe(fhost *h, raft_id from);
/* Acknowledge the last AppendEntries sent to `peer` (success, its seq, prev + n). */
void fh_ack_last(fhost *h, raft_id peer);

/* Start the node and let its election timer fire; once its new term and
 * self-vote are durable it is a candidate (asserted), its RequestVotes sent. */
void fh_become_candidate(fhost *h);
/* Drive a node to leadership in its next term with votes from every peer;
 * persists everything; the sent list then holds what the new leader sent. */
void fh_make_leader(fhost *h);

#endif
