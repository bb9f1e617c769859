/* logbuf_internal.h — the log buffer's representation, shared by the files
 * that implement it (one job each):
 *   logbuf.c           the ring of records: life cycle, apply, eviction,
 *                      counters and the state digest
 *   logbuf_cmd.c       the command codec (the bytes a client proposes)
 *   logbuf_session.c   client session tables (thesis §6.3)
 *   logbuf_query.c     queries by index, time and count
 *   logbuf_snapshot.c  the snapshot codec (write, and a verified restore)
 * Payloads and record metadata live in raft_chunks streams (chunks.h).
 *
 * Storage, chosen so that applying a command seldom allocates once the
 * buffer has grown to its bounds:
 *  - record metadata is a stream too: record number k (counted from the
 *    buffer's creation or restore) sits at byte k * sizeof(lb_rec) of a
 *    raft_chunks (`recs`), oldest at `first`. Records are never copied as
 *    the buffer grows (a growing ring was: a third of the records written
 *    again, in fresh memory, which cost cache misses on every node), and
 *    the chunks before the oldest record's are freed (one is kept for reuse)
 *    as records are evicted;
 *  - payloads are a stream, addressed by a monotonic 64-bit position
 *    (`pos`), stored in chunks that never move (raft_chunks): the chunks
 *    before the oldest record's are freed as records are evicted (one is
 *    kept for reuse), so no payload is ever copied again;
 *  - client sessions (thesis §6.3), never expired, in two parts that hold
 *    disjoint client ids: a dense window, indexed by client id minus its
 *    first id (O(1) lookup and insertion), for hosts that hand out ids from
 *    a counter (the simulator gives every operation its own session, and
 *    commands commit out of id order, by hundreds of ids); and an array
 *    sorted by client id (binary search, an insertion moves the larger ids)
 *    for every id the window does not cover. Snapshots list both merged in
 *    client id order.
 */
#ifndef LOGBUF_INTERNAL_H
#define LOGBUF_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "chunks.h"
#include "hash.h"
#include "logbuf.h"
#include "raft.h" /* RAFT_BUG() */

enum {
    LB_SESSIONS_INITIAL = 8,
    LB_DENSE_INITIAL = 64, /* first size of the dense session window */
};

typedef struct lb_rec {
    uint64_t index, timestamp_ns, client_id, client_seq;
    uint64_t pos;  /* stream position of the payload's first byte */
    uint64_t hash; /* lb_rec_hash: its share of the state digest */
    uint32_t len;
} lb_rec;

typedef struct lb_session {
    uint64_t client_id, seq, index;
    uint64_t hash; /* lb_session_hash; 0 in a free slot of the window */
} lb_session;

/* What an apply uses comes first, in three cache lines (the struct is
 * allocated 64-byte aligned: logbuf_new; pay's fields that an apply reads
 * end the third): each node's apply starts with them out of the cache. */
struct logbuf {
    _Alignas(64) logbuf_counters c;
    uint64_t rec_sum; /* sum of the hashes of the records in the ring */
    size_t max_records, max_bytes;
    uint64_t first;     /* number of the oldest record */
    size_t count;
    uint64_t newest_ts; /* the newest record's timestamp, if count > 0 */
    /* Where record number first + count goes when it is not the first of
     * its chunk (records are appended in order: a bump pointer that spares
     * a look-up in recs' chunk table); NULL when unknown. */
    lb_rec *next_slot;
    /* The dense window: client ids [dense_lo, dense_lo + dense_cap), id k's
     * session in dense[k - dense_lo]; a free slot has index 0 (a stored
     * session's index is at least 1). dense_n slots are in use. */
    lb_session *dense;
    size_t dense_cap, dense_n;
    uint64_t dense_lo;
    uint64_t sess_sum; /* sum of the hashes of every session */
    uint64_t tail_pos; /* stream position one past the newest payload */
    raft_chunks pay;   /* the payloads */
    size_t ts_inversions; /* adjacent stored pairs with decreasing timestamps */
    raft_chunks recs; /* the records: number k at byte k * sizeof(lb_rec) */
    lb_session *sessions; /* sorted by client id; none inside the dense window */
    size_t n_sessions, scap;
#ifdef RAFT_BUGS
    uint64_t bugs;  /* logbuf_set_bugs */
    bool restored;  /* (DEDUP_FAST_PATH) the sessions came from a snapshot */
#endif
};

/* A deliberate mistake of the bug catalogue is on (test-only builds). */
#ifdef RAFT_BUGS
#define LB_BUG(lb, name) (((lb)->bugs & RAFT_BUG(name)) != 0)
#else
#define LB_BUG(lb, name) ((void)(lb), 0)
#endif

/* ---- the state digest ----
 * Sums (mod 2^64) of one hash per record in the ring and one per session,
 * each added when it appears and subtracted when it leaves or changes, and
 * the counters folded in when the digest is read: O(1) per apply, and a
 * function of the state alone (logbuf.h). The seeds are linear in the
 * fields, then mixed: a changed field changes the hash, short of a
 * deliberate cancellation. */
static inline uint64_t lb_rec_hash(uint64_t index, uint64_t ts, uint64_t client, uint64_t seq,
                                   const uint8_t *data, uint32_t len)
{
    uint64_t seed = index * UINT64_C(0x9e3779b97f4a7c15) + ts * UINT64_C(0xc2b2ae3d27d4eb4f) +
                    client * UINT64_C(0x165667b19e3779f9) + seq * UINT64_C(0xd6e8feb86659fd93);
    return hash_bytes_fast(seed, data, len);
}

static inline uint64_t lb_session_hash(uint64_t client, uint64_t seq, uint64_t index)
{
    return hash_mix64(client * UINT64_C(0x9e3779b97f4a7c15) +
                      seq * UINT64_C(0xc2b2ae3d27d4eb4f) +
                      index * UINT64_C(0x165667b19e3779f9) + 1);
}

/* The digest of a state given its sums and counters (the host's commit
 * note is not state: nodes learn of commits at different times). */
static inline uint64_t lb_digest_of(uint64_t rec_sum, uint64_t sess_sum,
                                    const logbuf_counters *c)
{
    uint64_t counters = c->applied_index * UINT64_C(0x9e3779b97f4a7c15) +
                        c->records_total * UINT64_C(0xc2b2ae3d27d4eb4f) +
                        c->records_evicted * UINT64_C(0x165667b19e3779f9) +
                        c->duplicates * UINT64_C(0xd6e8feb86659fd93) +
                        c->malformed * UINT64_C(0xff51afd7ed558ccd);
    return hash_mix64(rec_sum + sess_sum * UINT64_C(0x94d049bb133111eb) + counters +
                      UINT64_C(0x6c6f676275660002));
}


/* ---- little-endian helpers (command and snapshot encodings) ---- */

static inline uint32_t lb_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t lb_get64(const uint8_t *p)
{
    return lb_get32(p) | (uint64_t)lb_get32(p + 4) << 32;
}
static inline uint8_t *lb_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; /* byte by byte, merged into one store by the compiler */
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}
static inline uint8_t *lb_put64(uint8_t *p, uint64_t v)
{
    lb_put32(p, (uint32_t)v);
    return lb_put32(p + 4, (uint32_t)(v >> 32));
}

/* ---- command decoding ---- */

/* logbuf_cmd_decode, inline for logbuf_apply: it runs on every apply. */
static inline bool lb_cmd_decode(const uint8_t *cmd, size_t len, logbuf_record *out)
{
    if (!cmd || len < LOGBUF_CMD_HEADER)
        return false;
    uint32_t plen = lb_get32(cmd + 24);
    if ((size_t)plen != len - LOGBUF_CMD_HEADER)
        return false; /* truncated, or trailing bytes */
    out->index = 0;
    out->client_id = lb_get64(cmd);
    out->client_seq = lb_get64(cmd + 8);
    out->timestamp_ns = lb_get64(cmd + 16);
    out->len = plen;
    out->data = cmd + LOGBUF_CMD_HEADER;
    return true;
}

/* ---- record access ---- */

/* Record numbers stay below this, so that their byte offsets do not wrap. */
#define LB_REC_NUM_MAX (UINT64_MAX / sizeof(lb_rec) - 1)

/* Record number k, placed by raft_chunks_room. Chunks come from malloc and
 * sizeof(lb_rec) is a multiple of its alignment, so the record is aligned. */
static inline lb_rec *lb_rec_num(const raft_chunks *recs, uint64_t k)
{
    return (lb_rec *)(void *)raft_chunks_at(recs, k * sizeof(lb_rec));
}

/* The i-th oldest stored record. */
static inline const lb_rec *lb_at(const logbuf *lb, size_t i)
{
    assert(i < lb->count);
    return lb_rec_num(&lb->recs, lb->first + i);
}

/* Fill *out from a stored record (its data borrowed from the buffer). */
void lb_to_record(const logbuf *lb, const lb_rec *r, logbuf_record *out);

/* ---- sessions (logbuf_session.c; the lookups an apply makes, inline) ---- */

/* First session with client_id >= id in s[0, n) (n if none). */
size_t lb_session_lower(const lb_session *s, size_t n, uint64_t id);
/* Where client_id is, or would be inserted, in the sorted session array. */
size_t lb_session_pos(const logbuf *lb, uint64_t client_id);
/* Make room for client_id's session; changes no observable state. */
bool lb_sessions_reserve(logbuf *lb, uint64_t client_id);
/* Record (client, seq) -> index (index >= 1); room must have been reserved. */
void lb_session_put(logbuf *lb, uint64_t client_id, uint64_t seq, uint64_t index);

/* The session at position i if it is client_id's, else NULL. */
static inline const lb_session *lb_session_at(const logbuf *lb, size_t i, uint64_t client_id)
{
    if (i < lb->n_sessions && lb->sessions[i].client_id == client_id)
        return &lb->sessions[i];
    return NULL;
}

/* The dense window's slot for client_id, or NULL if outside the window. */
static inline lb_session *lb_dense_slot(const logbuf *lb, uint64_t client_id)
{
    return client_id - lb->dense_lo < lb->dense_cap ? &lb->dense[client_id - lb->dense_lo]
                                                    : NULL;
}

/* client_id's session, or NULL. */
static inline const lb_session *lb_session_find(const logbuf *lb, uint64_t client_id)
{
    const lb_session *d = lb_dense_slot(lb, client_id);
    if (d)
        return d->index ? d : NULL;
    return lb_session_at(lb, lb_session_pos(lb, client_id), client_id);
}

/* The apply's lookup: lb_session_find that also gives *slot, client_id's
 * slot of the dense window (NULL outside the window). Inline: it runs on
 * every apply, and mostly ends in the dense window. */
static inline const lb_session *lb_session_find_slot(const logbuf *lb, uint64_t client_id,
                                                     lb_session **slot)
{
    lb_session *d = *slot = lb_dense_slot(lb, client_id);
    if (d)
        return d->index ? d : NULL;
#ifdef RAFT_BUGS
    /* A restored array holds ids "dense from 1": lb_session_pos's fast
     * path, trusted without its check (past a gap in the ids, e.g. a
     * reader's sessions, it is another client's session). */
    if (LB_BUG(lb, DEDUP_FAST_PATH) && lb->restored && client_id >= 1 &&
        client_id <= lb->n_sessions)
        return &lb->sessions[client_id - 1];
#endif
    return lb_session_at(lb, lb_session_pos(lb, client_id), client_id);
}

/* Record (client, seq) -> index (index >= 1) in d, client_id's slot of the
 * dense window. */
static inline void lb_dense_put(logbuf *lb, lb_session *d, uint64_t client_id, uint64_t seq,
                                uint64_t index)
{
    assert(index >= 1);
    assert(d->seq < seq || d->index == 0 || LB_BUG(lb, DEDUP_FAST_PATH));
    assert(d->index != 0 || d->hash == 0);
    lb->dense_n += d->index == 0;
    uint64_t h = lb_session_hash(client_id, seq, index);
    lb->sess_sum += h - d->hash;
    *d = (lb_session){.client_id = client_id, .seq = seq, .index = index, .hash = h};
}

#endif
