/* logbuf.c — the log buffer's ring of records (see logbuf.h): life cycle,
 * apply (deduplication by session, storage with eviction), counters and
 * the digest. The representation is in logbuf_internal.h; the command
 * codec, sessions, queries and snapshots have their own files.
 *
 * Digest: of the state (logbuf.h, logbuf_internal.h): a stored record adds
 * its hash to rec_sum, an evicted one subtracts it; a session's change
 * replaces its hash in sess_sum; the counters are folded in when it is read.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "logbuf_internal.h"

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

/* ---- record access ---- */

void lb_to_record(const logbuf *lb, const lb_rec *r, logbuf_record *out)
{
    static const uint8_t nothing[1]; /* the data of an empty payload */
    out->index = r->index;
    out->timestamp_ns = r->timestamp_ns;
    out->client_id = r->client_id;
    out->client_seq = r->client_seq;
    out->len = r->len;
    out->data = r->len ? raft_chunks_at(&lb->pay, r->pos) : nothing;
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
    lb->rec_sum -= old->hash;
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
    bool same_chunk = ((num + 1) * sizeof(lb_rec)) >> RAFT_CHUNK_SHIFT ==
                      (num * sizeof(lb_rec)) >> RAFT_CHUNK_SHIFT;
    lb->next_slot = same_chunk ? slot + 1 : NULL;
    uint64_t hash = lb_rec_hash(index, cmd->timestamp_ns, cmd->client_id, cmd->client_seq,
                                cmd->data, cmd->len);
    *slot = (lb_rec){
        .index = index, .timestamp_ns = cmd->timestamp_ns, .client_id = cmd->client_id,
        .client_seq = cmd->client_seq, .pos = lb->tail_pos, .hash = hash, .len = cmd->len};
    lb->rec_sum += hash;
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
    if (LB_BUG(lb, READ_COUNTS_NOOPS)) /* as if every applied entry were a command */
        out->records_total = lb->c.applied_index - lb->c.duplicates - lb->c.malformed;
}

uint64_t logbuf_digest(const logbuf *lb)
{
    assert(lb);
    return lb_digest_of(lb->rec_sum, lb->sess_sum, &lb->c);
}

void logbuf_set_bugs(logbuf *lb, uint64_t bugs)
{
    assert(lb);
#ifdef RAFT_BUGS
    lb->bugs = bugs;
#else
    (void)bugs;
#endif
}
