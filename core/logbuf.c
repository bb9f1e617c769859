/* logbuf.c — the replicated log buffer (see logbuf.h).
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
 *    (`pos`), stored in chunks that never move (raft_chunks, log.h): the
 *    chunks before the oldest record's are freed as records are evicted
 *    (one is kept for reuse), so no payload is ever copied again;
 *  - client sessions (thesis §6.3), never expired, in two parts that hold
 *    disjoint client ids: a dense window, indexed by client id minus its
 *    first id (O(1) lookup and insertion), for hosts that hand out ids from
 *    a counter (the simulator gives every operation its own session, and
 *    commands commit out of id order, by hundreds of ids); and an array
 *    sorted by client id (binary search, an insertion moves the larger ids)
 *    for every id the window does not cover. Snapshots list both merged in
 *    client id order.
 *
 * Queries: records are stored in increasing Raft index, so index queries are
 * two binary searches. Timestamps are client-supplied and need not be
 * monotonic; the buffer counts adjacent inversions among stored records and
 * binary-searches time only when there are none, otherwise it scans.
 *
 * Digest: h = combine(h, index, kind[, command bytes]) on every apply (data,
 * duplicate, malformed or no-op), so equal applied histories give equal
 * digests; eviction does not touch it.
 */
#include "logbuf.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h" /* raft_chunks */

enum {
    LB_SESSIONS_INITIAL = 8,
    LB_DENSE_INITIAL = 64,     /* first size of the dense session window */
    LB_DIGEST_NOOP = 0x4e,     /* kind tags folded into the digest */
    LB_DIGEST_COMMAND = 0x43,
};

typedef struct lb_rec {
    uint64_t index, timestamp_ns, client_id, client_seq;
    uint64_t pos; /* stream position of the payload's first byte */
    uint32_t len;
} lb_rec;

typedef struct lb_session {
    uint64_t client_id, seq, index;
} lb_session;

/* What an apply uses comes first, in three cache lines (the struct is
 * allocated 64-byte aligned: logbuf_new; pay's fields that an apply reads
 * end the third): each node's apply starts with them out of the cache. */
struct logbuf {
    _Alignas(64) logbuf_counters c;
    uint64_t digest;
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
    uint64_t tail_pos; /* stream position one past the newest payload */
    raft_chunks pay;   /* the payloads */
    size_t ts_inversions; /* adjacent stored pairs with decreasing timestamps */
    raft_chunks recs; /* the records: number k at byte k * sizeof(lb_rec) */
    lb_session *sessions; /* sorted by client id; none inside the dense window */
    size_t n_sessions, scap;
};

/* ---- little-endian helpers (command and snapshot encodings) ---- */

static inline uint32_t lb_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t lb_get64(const uint8_t *p)
{
    return lb_get32(p) | (uint64_t)lb_get32(p + 4) << 32;
}
static uint8_t *lb_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; /* byte by byte, merged into one store by the compiler */
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return p + 4;
}
static uint8_t *lb_put64(uint8_t *p, uint64_t v)
{
    lb_put32(p, (uint32_t)v);
    return lb_put32(p + 4, (uint32_t)(v >> 32));
}

/* ---- life cycle ---- */

logbuf *logbuf_new(size_t max_records, size_t max_bytes)
{
    if (max_records == 0 || max_bytes == 0)
        return NULL;
    logbuf *lb = aligned_alloc(64, sizeof *lb); /* sizeof is a multiple of 64 */
    if (!lb)
        return NULL;
    memset(lb, 0, sizeof *lb);
    lb->max_records = max_records;
    lb->max_bytes = max_bytes;
    lb->scap = LB_SESSIONS_INITIAL;
    lb->sessions = malloc(lb->scap * sizeof *lb->sessions);
    lb->digest = hash_mix64(UINT64_C(0x6c6f676275660001)); /* "logbuf", v1 */
    if (!lb->sessions) {
        logbuf_free(lb);
        return NULL;
    }
    return lb;
}

void logbuf_free(logbuf *lb)
{
    if (!lb)
        return;
    raft_chunks_free(&lb->recs);
    raft_chunks_free(&lb->pay);
    free(lb->sessions);
    free(lb->dense);
    free(lb);
}

/* ---- command encoding ---- */

size_t logbuf_cmd_size(uint32_t payload_len) { return LOGBUF_CMD_HEADER + (size_t)payload_len; }

size_t logbuf_cmd_encode(uint8_t *buf, size_t cap, uint64_t client_id, uint64_t seq,
                         uint64_t timestamp_ns, const void *payload, uint32_t len)
{
    size_t size = logbuf_cmd_size(len);
    if (!buf || cap < size || (len > 0 && !payload))
        return 0;
    uint8_t *p = lb_put64(buf, client_id);
    p = lb_put64(p, seq);
    p = lb_put64(p, timestamp_ns);
    p = lb_put32(p, len);
    if (len)
        memcpy(p, payload, len);
    return size;
}

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

bool logbuf_cmd_decode(const uint8_t *cmd, size_t len, logbuf_record *out)
{
    assert(out);
    return lb_cmd_decode(cmd, len, out);
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

static void lb_to_record(const logbuf *lb, const lb_rec *r, logbuf_record *out)
{
    static const uint8_t nothing[1]; /* the data of an empty payload */
    out->index = r->index;
    out->timestamp_ns = r->timestamp_ns;
    out->client_id = r->client_id;
    out->client_seq = r->client_seq;
    out->len = r->len;
    out->data = r->len ? raft_chunks_at(&lb->pay, r->pos) : nothing;
}

/* ---- sessions ---- */

/* First session with client_id >= id (n_sessions if none). */
static size_t lb_session_lower(const lb_session *s, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].client_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Where client_id is, or would be inserted, in the sorted session array.
 * Fast path, verified, O(1) instead of a binary search: ids handed out
 * densely from 1 (as in a restored buffer) sit at position id - 1. */
static size_t lb_session_pos(const logbuf *lb, uint64_t client_id)
{
    if (client_id >= 1 && client_id <= lb->n_sessions &&
        lb->sessions[client_id - 1].client_id == client_id)
        return (size_t)(client_id - 1);
    return lb_session_lower(lb->sessions, lb->n_sessions, client_id);
}

/* The session at position i if it is client_id's, else NULL. */
static const lb_session *lb_session_at(const logbuf *lb, size_t i, uint64_t client_id)
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

/* client_id's session, or NULL; *slot is its slot of the dense window
 * (NULL outside the window). Inline: it runs on every apply, and mostly ends
 * in the dense window. */
static inline const lb_session *lb_session_find_slot(const logbuf *lb, uint64_t client_id,
                                                     lb_session **slot)
{
    lb_session *d = *slot = lb_dense_slot(lb, client_id);
    if (d)
        return d->index ? d : NULL;
    return lb_session_at(lb, lb_session_pos(lb, client_id), client_id);
}

static inline const lb_session *lb_session_find(const logbuf *lb, uint64_t client_id)
{
    lb_session *slot;
    return lb_session_find_slot(lb, client_id, &slot);
}

bool logbuf_session(const logbuf *lb, uint64_t client_id, uint64_t *seq, uint64_t *index)
{
    assert(lb);
    const lb_session *s = lb_session_find(lb, client_id);
    if (!s)
        return false;
    if (seq)
        *seq = s->seq;
    if (index)
        *index = s->index;
    return true;
}

/* Sessions of the sorted array with ids in [from, from + n): positions
 * [*first, return value). */
static size_t lb_sorted_range(const logbuf *lb, uint64_t from, uint64_t n, size_t *first)
{
    *first = lb_session_lower(lb->sessions, lb->n_sessions, from);
    size_t end = *first;
    while (end < lb->n_sessions && lb->sessions[end].client_id - from < n)
        end++;
    return end;
}

/* The window that would cover client_id: its first id in *lo and its size
 * returned (the window grown up or down, or a new one starting at
 * client_id), or 0 if the id belongs in the sorted array: so far from the
 * window that it would be less than about an eighth full (ids of
 * operations still in flight are holes until they commit: the simulator's
 * chaos runs need that slack). Grown down, the window keeps its last id and
 * takes all its new room below: ids arriving in decreasing order (the first
 * id applied need not be the smallest) move it a logarithmic number of
 * times, not once each. */
static size_t lb_dense_want(const logbuf *lb, uint64_t client_id, uint64_t *lo)
{
    *lo = lb->dense_cap ? lb->dense_lo : client_id;
    size_t cap = lb->dense_cap ? lb->dense_cap : LB_DENSE_INITIAL;
    if (client_id < *lo) {
        uint64_t last = *lo + (cap - 1); /* fits: checked when the window grew */
        while (last - client_id >= cap) {
            if (cap > SIZE_MAX / 8 / sizeof *lb->dense)
                return 0;
            cap *= 2;
        }
        *lo = last >= cap - 1 ? last - (cap - 1) : 0;
    } else {
        while (client_id - *lo >= cap) {
            if (cap > SIZE_MAX / 8 / sizeof *lb->dense)
                return 0;
            cap *= 2;
        }
        if (cap - 1 > UINT64_MAX - *lo)
            return 0;
    }
    /* the sorted array holds no id of the current window */
    size_t first, end = lb_sorted_range(lb, *lo, cap, &first);
    if (cap > 8 * (lb->dense_n + (end - first) + 1) + LB_DENSE_INITIAL)
        return 0;
    return cap;
}

/* Grow (or start) the dense window to ids [lo, lo + cap), which covers the
 * current one, and move the sorted array's sessions of the new slots into
 * it. No observable change. */
static bool lb_dense_grow(logbuf *lb, uint64_t lo, size_t cap)
{
    assert(!lb->dense_cap || (lo <= lb->dense_lo && cap >= lb->dense_cap &&
                              lb->dense_lo - lo <= cap - lb->dense_cap));
    lb_session *d = realloc(lb->dense, cap * sizeof *d);
    if (!d)
        return false;
    size_t below = lb->dense_cap ? (size_t)(lb->dense_lo - lo) : 0; /* new slots below */
    memmove(d + below, d, lb->dense_cap * sizeof *d);
    memset(d, 0, below * sizeof *d);
    memset(d + below + lb->dense_cap, 0, (cap - below - lb->dense_cap) * sizeof *d);
    lb->dense = d;
    lb->dense_lo = lo;
    lb->dense_cap = cap;
    size_t first, end = lb_sorted_range(lb, lo, cap, &first);
    for (size_t i = first; i < end; i++)
        lb->dense[lb->sessions[i].client_id - lo] = lb->sessions[i];
    lb->dense_n += end - first;
    memmove(&lb->sessions[first], &lb->sessions[end],
            (lb->n_sessions - end) * sizeof *lb->sessions);
    lb->n_sessions -= end - first;
    return true;
}

/* Make room for client_id's session (in the window, or one more in the
 * sorted array); changes no observable state. */
static bool lb_sessions_reserve(logbuf *lb, uint64_t client_id)
{
    if (lb_dense_slot(lb, client_id))
        return true;
    uint64_t lo;
    size_t cap = lb_dense_want(lb, client_id, &lo);
    if (cap)
        return lb_dense_grow(lb, lo, cap);
    if (lb->n_sessions < lb->scap)
        return true;
    if (lb->scap > SIZE_MAX / 2 / sizeof *lb->sessions)
        return false;
    size_t ncap = lb->scap * 2;
    lb_session *s = realloc(lb->sessions, ncap * sizeof *s);
    if (!s)
        return false;
    lb->sessions = s;
    lb->scap = ncap;
    return true;
}

/* Record (client, seq) -> index at position i (from lb_session_pos); space
 * must have been reserved. */
static void lb_session_set(logbuf *lb, size_t i, uint64_t client_id, uint64_t seq,
                           uint64_t index)
{
    assert(i <= lb->n_sessions); /* i is the lower bound of client_id: */
    assert(i == 0 || lb->sessions[i - 1].client_id < client_id);
    assert(i == lb->n_sessions || lb->sessions[i].client_id >= client_id);
    if (i == lb->n_sessions || lb->sessions[i].client_id != client_id) {
        assert(lb->n_sessions < lb->scap);
        memmove(&lb->sessions[i + 1], &lb->sessions[i],
                (lb->n_sessions - i) * sizeof *lb->sessions);
        lb->n_sessions++;
        lb->sessions[i] = (lb_session){.client_id = client_id, .seq = 0, .index = 0};
    }
    assert(lb->sessions[i].seq < seq || lb->sessions[i].index == 0);
    lb->sessions[i].seq = seq;
    lb->sessions[i].index = index;
}

/* Record (client, seq) -> index (index >= 1) in d, client_id's slot of the
 * dense window. */
static inline void lb_dense_put(logbuf *lb, lb_session *d, uint64_t client_id, uint64_t seq,
                                uint64_t index)
{
    assert(index >= 1);
    assert(d->seq < seq || d->index == 0);
    lb->dense_n += d->index == 0;
    *d = (lb_session){.client_id = client_id, .seq = seq, .index = index};
}

/* Record (client, seq) -> index (index >= 1); room must have been reserved
 * (lb_sessions_reserve). */
static void lb_session_put(logbuf *lb, uint64_t client_id, uint64_t seq, uint64_t index)
{
    assert(index >= 1);
    lb_session *d = lb_dense_slot(lb, client_id);
    if (!d) {
        lb_session_set(lb, lb_session_pos(lb, client_id), client_id, seq, index);
        return;
    }
    lb_dense_put(lb, d, client_id, seq, index);
}

/* ---- append with eviction ---- */

/* How many of the oldest records must go for one more record of `len`
 * bytes to fit both bounds. The newest record always stays. */
static size_t lb_evictions_needed(const logbuf *lb, uint32_t len)
{
    /* The usual case, the loop's first test: one more record fits. */
    if (lb->count < lb->max_records && lb->c.bytes_stored + len <= lb->max_bytes)
        return 0;
    size_t k = 0;
    uint64_t bytes = lb->c.bytes_stored;
    while (k < lb->count) {
        bool over_count = lb->count - k + 1 > lb->max_records;
        bool over_bytes = bytes + len > lb->max_bytes;
        if (!over_count && !over_bytes)
            break;
        bytes -= lb_at(lb, k)->len;
        k++;
    }
    return k;
}

static void lb_evict_oldest(logbuf *lb)
{
    assert(lb->count > 0);
    const lb_rec *old = lb_at(lb, 0);
    if (lb->count >= 2 && old->timestamp_ns > lb_at(lb, 1)->timestamp_ns) {
        assert(lb->ts_inversions > 0);
        lb->ts_inversions--;
    }
    assert(lb->c.bytes_stored >= old->len);
    lb->c.bytes_stored -= old->len;
    lb->c.records_stored--;
    lb->c.records_evicted++;
    lb->first++;
    lb->count--;
}

/* Store a decoded record at `index`. dense is the client's slot of the dense
 * window if logbuf_apply found it there (nothing below moves the window
 * then), else NULL. Returns false (nothing changed) only when memory runs
 * out. */
static bool lb_store(logbuf *lb, uint64_t index, const logbuf_record *cmd, lb_session *dense)
{
    if (!dense && !lb_sessions_reserve(lb, cmd->client_id))
        return false;
    uint64_t num = lb->first + lb->count; /* the new record's number */
    if (num > LB_REC_NUM_MAX)
        return false;
    lb_rec *slot = lb->next_slot ? lb->next_slot
                                 : (lb_rec *)(void *)raft_chunks_room(
                                       &lb->recs, num * sizeof(lb_rec), sizeof(lb_rec));
    if (!slot)
        return false;
    uint8_t *dst = NULL;
    if (cmd->len && !(dst = raft_chunks_room(&lb->pay, lb->tail_pos, cmd->len)))
        return false;
    size_t k = lb_evictions_needed(lb, cmd->len);
    for (size_t i = 0; i < k; i++)
        lb_evict_oldest(lb);
    if (cmd->len)
        memcpy(dst, cmd->data, cmd->len);
    /* Evictions free the chunks before the oldest record's (the new
     * record's chunks are at or after it: slot and dst stay valid);
     * without any, nothing changed. */
    if (k) {
        raft_chunks_drop_before(&lb->pay, lb->count ? lb_at(lb, 0)->pos : lb->tail_pos);
        raft_chunks_drop_before(&lb->recs, lb->first * sizeof(lb_rec));
    }
    if (lb->count > 0 && cmd->timestamp_ns < lb->newest_ts)
        lb->ts_inversions++;
    lb->count++;
    lb->newest_ts = cmd->timestamp_ns;
    /* The next record follows in the same chunk if it starts in its range
     * (see raft_chunks: the chunk has room for a record that runs past it). */
    bool same_chunk = ((num + 1) * sizeof(lb_rec)) >> RAFT_LOG_CHUNK_SHIFT ==
                      (num * sizeof(lb_rec)) >> RAFT_LOG_CHUNK_SHIFT;
    lb->next_slot = same_chunk ? slot + 1 : NULL;
    *slot = (lb_rec){
        .index = index, .timestamp_ns = cmd->timestamp_ns, .client_id = cmd->client_id,
        .client_seq = cmd->client_seq, .pos = lb->tail_pos, .len = cmd->len};
    lb->tail_pos += cmd->len;
    lb->c.bytes_stored += cmd->len;
    lb->c.records_stored++;
    lb->c.records_total++;
    if (dense)
        lb_dense_put(lb, dense, cmd->client_id, cmd->client_seq, index);
    else
        lb_session_put(lb, cmd->client_id, cmd->client_seq, index);
    assert(lb->count <= lb->max_records);
    return true;
}

/* ---- apply ---- */

int logbuf_apply(logbuf *lb, uint64_t index, const uint8_t *cmd, size_t len,
                 logbuf_result *res)
{
    assert(lb);
    if (index == 0 || index != lb->c.applied_index + 1)
        return -1; /* index 0 guards the wrap of applied_index + 1 */
    logbuf_result r = {.duplicate = false, .index = 0};
    logbuf_record rec;
    if (!lb_cmd_decode(cmd, len, &rec)) {
        lb->c.malformed++;
    } else {
        lb_session *d; /* kept for lb_store: no second window lookup */
        const lb_session *s = lb_session_find_slot(lb, rec.client_id, &d);
        if (s && rec.client_seq <= s->seq) {
            /* Thesis §6.3: a retried command is answered, not re-executed. For
             * a seq older than the newest, the newest's index is reported. */
            lb->c.duplicates++;
            r.duplicate = true;
            r.index = s->index;
        } else {
            if (!lb_store(lb, index, &rec, d))
                return -1; /* out of memory: nothing changed */
            r.index = index;
        }
    }
    lb->digest = hash_combine(hash_combine(lb->digest, index), LB_DIGEST_COMMAND);
    lb->digest = hash_bytes_fast(lb->digest, cmd ? cmd : (const uint8_t *)"", cmd ? len : 0);
    lb->c.applied_index = index;
    if (res)
        *res = r;
    return 0;
}

int logbuf_apply_noop(logbuf *lb, uint64_t index)
{
    assert(lb);
    if (index == 0 || index != lb->c.applied_index + 1)
        return -1;
    lb->digest = hash_combine(hash_combine(lb->digest, index), LB_DIGEST_NOOP);
    lb->c.applied_index = index;
    return 0;
}

void logbuf_note_commit(logbuf *lb, uint64_t commit_index)
{
    assert(lb);
    if (commit_index > lb->c.commit_index)
        lb->c.commit_index = commit_index;
}

void logbuf_counters_get(const logbuf *lb, logbuf_counters *out)
{
    assert(lb && out);
    assert(lb->c.records_stored == lb->count);
    *out = lb->c;
}

uint64_t logbuf_digest(const logbuf *lb)
{
    assert(lb);
    return lb->digest;
}

/* ---- queries ---- */

/* First stored record whose index >= idx (count if none). */
static size_t lb_lower_index(const logbuf *lb, uint64_t idx)
{
    size_t lo = 0, hi = lb->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lb_at(lb, mid)->index < idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First stored record whose timestamp >= ts; timestamps must be sorted. */
static size_t lb_lower_time(const logbuf *lb, uint64_t ts)
{
    assert(lb->ts_inversions == 0);
    size_t lo = 0, hi = lb->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lb_at(lb, mid)->timestamp_ns < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void lb_visit_range(const logbuf *lb, size_t from, size_t to_excl, logbuf_visit_fn fn,
                           void *arg)
{
    for (size_t i = from; fn && i < to_excl; i++) {
        logbuf_record r;
        lb_to_record(lb, lb_at(lb, i), &r);
        fn(arg, &r);
    }
}

/* Records with from <= index <= to (inclusive), oldest first. */
size_t logbuf_query_index(const logbuf *lb, uint64_t from, uint64_t to, logbuf_visit_fn fn,
                          void *arg)
{
    assert(lb);
    if (from > to)
        return 0;
    size_t first = lb_lower_index(lb, from);
    size_t end = to == UINT64_MAX ? lb->count : lb_lower_index(lb, to + 1);
    assert(first <= end);
    lb_visit_range(lb, first, end, fn, arg);
    return end - first;
}

/* Records with from_ns <= timestamp <= to_ns (inclusive), in ring order.
 * Binary search while stored timestamps are non-decreasing, else a scan. */
size_t logbuf_query_time(const logbuf *lb, uint64_t from_ns, uint64_t to_ns,
                         logbuf_visit_fn fn, void *arg)
{
    assert(lb);
    if (from_ns > to_ns)
        return 0;
    if (lb->ts_inversions == 0) {
        size_t first = lb_lower_time(lb, from_ns);
        size_t end = to_ns == UINT64_MAX ? lb->count : lb_lower_time(lb, to_ns + 1);
        lb_visit_range(lb, first, end, fn, arg);
        return end - first;
    }
    size_t n = 0;
    for (size_t i = 0; i < lb->count; i++) {
        const lb_rec *r = lb_at(lb, i);
        if (r->timestamp_ns < from_ns || r->timestamp_ns > to_ns)
            continue;
        n++;
        lb_visit_range(lb, i, i + 1, fn, arg);
    }
    return n;
}

/* The newest n records (all if fewer are stored), oldest first. */
size_t logbuf_query_last(const logbuf *lb, size_t n, logbuf_visit_fn fn, void *arg)
{
    assert(lb);
    size_t k = n < lb->count ? n : lb->count;
    lb_visit_range(lb, lb->count - k, lb->count, fn, arg);
    return k;
}

/* ---- snapshot ----
 *
 * Layout (little-endian):
 *   u32 magic "LBUF" | u32 version
 *   u64 applied_index | commit_index | records_total | records_evicted |
 *       duplicates | malformed | digest | n_sessions | n_records | payload_bytes
 *   n_sessions x (u64 client_id | u64 seq | u64 index)   strictly by client id
 *   n_records  x (u64 index | u64 timestamp | u64 client_id | u64 seq |
 *                 u32 len | len bytes)                   strictly by index
 * Everything else (bytes_stored, records_stored) is derived and checked.
 */
enum {
    LB_SNAP_MAGIC = 0x4655424c, /* "LBUF" read little-endian */
    LB_SNAP_VERSION = 1,
    LB_SNAP_HEADER = 8 + 10 * 8,
    LB_SNAP_SESSION = 24,
    LB_SNAP_RECORD = 36,
};

size_t logbuf_snapshot_size(const logbuf *lb)
{
    assert(lb);
    return LB_SNAP_HEADER + (lb->n_sessions + lb->dense_n) * LB_SNAP_SESSION +
           lb->count * LB_SNAP_RECORD +
           (size_t)lb->c.bytes_stored;
}

static uint8_t *lb_put_session(uint8_t *p, const lb_session *s)
{
    p = lb_put64(p, s->client_id);
    p = lb_put64(p, s->seq);
    return lb_put64(p, s->index);
}

size_t logbuf_snapshot_write(const logbuf *lb, uint8_t *buf, size_t cap)
{
    assert(lb);
    size_t size = logbuf_snapshot_size(lb);
    if (!buf || cap < size)
        return 0;
    uint8_t *p = lb_put32(buf, LB_SNAP_MAGIC);
    p = lb_put32(p, LB_SNAP_VERSION);
    const uint64_t head[10] = {lb->c.applied_index, lb->c.commit_index, lb->c.records_total,
                               lb->c.records_evicted, lb->c.duplicates, lb->c.malformed,
                               lb->digest, lb->n_sessions + lb->dense_n, lb->count,
                               lb->c.bytes_stored};
    for (int i = 0; i < 10; i++)
        p = lb_put64(p, head[i]);
    /* By client id: the sorted ids below the window, the window's sessions,
     * then the sorted ids above it. */
    size_t below = lb_session_lower(lb->sessions, lb->n_sessions, lb->dense_lo);
    for (size_t i = 0; i < below; i++)
        p = lb_put_session(p, &lb->sessions[i]);
    for (size_t k = 0; k < lb->dense_cap; k++)
        if (lb->dense[k].index)
            p = lb_put_session(p, &lb->dense[k]);
    for (size_t i = below; i < lb->n_sessions; i++)
        p = lb_put_session(p, &lb->sessions[i]);
    for (size_t i = 0; i < lb->count; i++) {
        logbuf_record r;
        lb_to_record(lb, lb_at(lb, i), &r);
        p = lb_put64(p, r.index);
        p = lb_put64(p, r.timestamp_ns);
        p = lb_put64(p, r.client_id);
        p = lb_put64(p, r.client_seq);
        p = lb_put32(p, r.len);
        if (r.len)
            memcpy(p, r.data, r.len);
        p += r.len;
    }
    assert((size_t)(p - buf) == size);
    return size;
}

/* A restore in progress: new storage, swapped in only when all is valid. */
typedef struct lb_image {
    logbuf_counters c;
    uint64_t digest;
    uint64_t n_sessions, n_records, bytes;
    lb_session *sessions;
    raft_chunks recs; /* record i at byte i * sizeof(lb_rec) */
    raft_chunks pay;
    size_t scap;
    size_t ts_inversions;
    uint64_t newest_ts;
} lb_image;

static void lb_image_free(lb_image *im)
{
    free(im->sessions);
    raft_chunks_free(&im->recs);
    raft_chunks_free(&im->pay);
}

/* Parse and check the fixed header; sizes are checked against `rest` bytes
 * so that no later allocation is bigger than the input justifies. */
static bool lb_snap_header(const logbuf *lb, const uint8_t *p, size_t len, lb_image *im)
{
    if (len < LB_SNAP_HEADER || lb_get32(p) != LB_SNAP_MAGIC ||
        lb_get32(p + 4) != LB_SNAP_VERSION)
        return false;
    uint64_t h[10];
    for (int i = 0; i < 10; i++)
        h[i] = lb_get64(p + 8 + 8 * i);
    im->c = (logbuf_counters){.applied_index = h[0], .commit_index = h[1],
                              .records_total = h[2], .records_evicted = h[3],
                              .duplicates = h[4], .malformed = h[5]};
    im->digest = h[6];
    im->n_sessions = h[7];
    im->n_records = h[8];
    im->bytes = h[9];
    size_t rest = len - LB_SNAP_HEADER;
    if (im->n_sessions > rest / LB_SNAP_SESSION)
        return false;
    rest -= (size_t)im->n_sessions * LB_SNAP_SESSION;
    if (im->n_records > rest / LB_SNAP_RECORD || im->n_records > lb->max_records)
        return false;
    rest -= (size_t)im->n_records * LB_SNAP_RECORD;
    if (im->bytes != rest)
        return false; /* payloads must fill exactly what is left */
    if (im->bytes > lb->max_bytes && im->n_records != 1)
        return false; /* only a lone oversized record may exceed the bound */
    if (im->c.records_evicted > im->c.records_total ||
        im->c.records_total - im->c.records_evicted != im->n_records)
        return false;
    return true;
}

static bool lb_snap_sessions(const uint8_t *p, lb_image *im)
{
    for (size_t i = 0; i < im->n_sessions; i++, p += LB_SNAP_SESSION) {
        lb_session s = {lb_get64(p), lb_get64(p + 8), lb_get64(p + 16)};
        if (i > 0 && s.client_id <= im->sessions[i - 1].client_id)
            return false;
        if (s.index == 0 || s.index > im->c.applied_index)
            return false;
        im->sessions[i] = s;
    }
    return true;
}

/* Records: indexes strictly increasing and applied; each covered by its
 * client's session; payload lengths add up. */
static bool lb_snap_records(const uint8_t *p, lb_image *im)
{
    uint64_t pos = 0;
    const lb_rec *prev = NULL;
    for (size_t i = 0; i < im->n_records; i++) {
        lb_rec r = {.index = lb_get64(p), .timestamp_ns = lb_get64(p + 8),
                    .client_id = lb_get64(p + 16), .client_seq = lb_get64(p + 24),
                    .len = lb_get32(p + 32), .pos = pos};
        p += LB_SNAP_RECORD;
        if (r.index == 0 || r.index > im->c.applied_index || r.len > im->bytes - pos)
            return false;
        if (prev && r.index <= prev->index)
            return false;
        size_t s = lb_session_lower(im->sessions, im->n_sessions, r.client_id);
        if (s == im->n_sessions || im->sessions[s].client_id != r.client_id ||
            im->sessions[s].seq < r.client_seq || im->sessions[s].index < r.index)
            return false;
        if (prev && r.timestamp_ns < prev->timestamp_ns)
            im->ts_inversions++;
        lb_rec *slot = (lb_rec *)(void *)raft_chunks_room(&im->recs, i * sizeof(lb_rec),
                                                           sizeof(lb_rec));
        if (!slot)
            return false; /* out of memory */
        uint8_t *dst = NULL;
        if (r.len && !(dst = raft_chunks_room(&im->pay, pos, r.len)))
            return false; /* out of memory */
        if (r.len)
            memcpy(dst, p, r.len);
        p += r.len;
        pos += r.len;
        *slot = r;
        prev = slot;
        im->newest_ts = r.timestamp_ns;
    }
    return pos == im->bytes;
}

static bool lb_image_alloc(lb_image *im)
{
    im->scap = im->n_sessions > LB_SESSIONS_INITIAL ? im->n_sessions : LB_SESSIONS_INITIAL;
    im->sessions = malloc(im->scap * sizeof *im->sessions);
    return im->sessions != NULL;
}

int logbuf_restore(logbuf *lb, const uint8_t *buf, size_t len)
{
    assert(lb);
    lb_image im = {0};
    if (!buf || !lb_snap_header(lb, buf, len, &im))
        return -1;
    bool ok = lb_image_alloc(&im);
    const uint8_t *p = buf + LB_SNAP_HEADER;
    ok = ok && lb_snap_sessions(p, &im);
    p += im.n_sessions * LB_SNAP_SESSION;
    ok = ok && lb_snap_records(p, &im);
    if (!ok) {
        lb_image_free(&im);
        return -1;
    }
    free(lb->sessions);
    raft_chunks_free(&lb->recs);
    raft_chunks_free(&lb->pay);
    lb->sessions = im.sessions;
    lb->n_sessions = im.n_sessions;
    lb->scap = im.scap;
    free(lb->dense); /* every restored session is in the sorted array */
    lb->dense = NULL;
    lb->dense_cap = 0;
    lb->dense_n = 0;
    lb->dense_lo = 0;
    lb->recs = im.recs;
    lb->next_slot = NULL;
    lb->first = 0;
    lb->count = im.n_records;
    lb->newest_ts = im.newest_ts;
    lb->pay = im.pay;
    lb->tail_pos = im.bytes;
    lb->ts_inversions = im.ts_inversions;
    lb->c = im.c;
    lb->c.records_stored = im.n_records;
    lb->c.bytes_stored = im.bytes;
    lb->digest = im.digest;
    return 0;
}
