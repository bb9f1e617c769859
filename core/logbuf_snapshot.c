/* logbuf_snapshot.c — the log buffer's snapshot codec: a self-describing,
 * versioned, bounds-checked byte image of the whole state, and a restore
 * that swaps in the new state only when all of it is valid (logbuf.h). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "logbuf_internal.h"

/* ---- snapshot ----
 *
 * Layout (little-endian):
 *   u32 magic "LBUF" | u32 version
 *   u64 applied_index | commit_index | records_total | records_evicted |
 *       duplicates | malformed | digest | n_sessions | n_records | payload_bytes
 *   (digest: the state digest, logbuf_digest; version 1 had a history hash)
 *   n_sessions x (u64 client_id | u64 seq | u64 index)   strictly by client id
 *   n_records  x (u64 index | u64 timestamp | u64 client_id | u64 seq |
 *                 u32 len | len bytes)                   strictly by index
 * Everything else (bytes_stored, records_stored) is derived and checked, and
 * the restore recomputes the digest from what it restored: an image whose
 * recorded digest disagrees is refused (LOGBUF_EDIGEST).
 */
enum {
    LB_SNAP_MAGIC = 0x4655424c, /* "LBUF" read little-endian */
    LB_SNAP_VERSION = 2,
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
                               logbuf_digest(lb), lb->n_sessions + lb->dense_n, lb->count,
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
    uint64_t digest;            /* as recorded */
    uint64_t rec_sum, sess_sum; /* as recomputed */
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
        lb_session s = {lb_get64(p), lb_get64(p + 8), lb_get64(p + 16), 0};
        if (i > 0 && s.client_id <= im->sessions[i - 1].client_id)
            return false;
        if (s.index == 0 || s.index > im->c.applied_index)
            return false;
        s.hash = lb_session_hash(s.client_id, s.seq, s.index);
        im->sess_sum += s.hash;
        im->sessions[i] = s;
    }
    return true;
}

/* Records: indexes strictly increasing and applied; each covered by its
 * client's session; payload lengths add up. */
static bool lb_snap_records(const logbuf *lb, const uint8_t *p, lb_image *im)
{
    uint64_t pos = 0;
    const lb_rec *prev = NULL;
    for (size_t i = 0; i < im->n_records; i++) {
        size_t ts_at = LB_BUG(lb, RESTORE_BAD_RECORD) ? 16 : 8;
        lb_rec r = {.index = lb_get64(p), .timestamp_ns = lb_get64(p + ts_at),
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
        r.hash = lb_rec_hash(r.index, r.timestamp_ns, r.client_id, r.client_seq, p, r.len);
        im->rec_sum += r.hash;
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
    ok = ok && lb_snap_records(lb, p, &im);
    if (!ok) {
        lb_image_free(&im);
        return -1;
    }
    if (lb_digest_of(im.rec_sum, im.sess_sum, &im.c) != im.digest) {
        lb_image_free(&im); /* well-formed, but not the state it claims */
        return LOGBUF_EDIGEST;
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
    lb->rec_sum = im.rec_sum;
    lb->sess_sum = im.sess_sum;
#ifdef RAFT_BUGS
    lb->restored = true;
#endif
    return 0;
}
