/* log.c — the in-memory Raft log (see log.h). */
#include "log.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum {
    LOG_MIN_ENTS = 64,
    LOG_MIN_CHUNKS = 8,
    /* Room past the end of a chunk's range, for a payload that starts near
     * it: only a longer payload makes its chunk grow (by realloc). */
    LOG_CHUNK_SPILL = 1024,
};

void raft_log_init(raft_log *log, uint64_t base_index, uint64_t base_term)
{
    memset(log, 0, sizeof *log);
    log->base_index = base_index;
    log->base_term = base_term;
}

void raft_log_free(raft_log *log)
{
    free(log->ents);
    for (size_t k = 0; k < log->n_chunks; k++)
        free(log->chunk[k]);
    free(log->chunk);
    free(log->chunk_cap);
    memset(log, 0, sizeof *log);
}

uint64_t raft_log_payload_bytes(const raft_log *log) { return log->bytes_end - log->bytes_start; }

uint64_t raft_log_bytes_between(const raft_log *log, uint64_t from, uint64_t to)
{
    assert(from <= to);
    const raft_log_ent *a = raft_log_ent_at(log, from);
    const raft_log_ent *b = raft_log_ent_at(log, to);
    return b->off + b->len - a->off;
}

/* Room for one more record: reclaim the dead prefix or grow (amortised O(1)). */
static int log_reserve_ent(raft_log *log)
{
    if (log->ents_start + log->count < log->ents_cap)
        return RAFT_OK;
    if (log->ents_start > log->ents_cap / 2) {
        memmove(log->ents, log->ents + log->ents_start, log->count * sizeof *log->ents);
        log->ents_start = 0;
        return RAFT_OK;
    }
    size_t cap = log->ents_cap ? log->ents_cap * 2 : LOG_MIN_ENTS;
    raft_log_ent *p = realloc(log->ents, cap * sizeof *p);
    if (!p)
        return RAFT_ENOMEM;
    log->ents = p;
    log->ents_cap = cap;
    return RAFT_OK;
}

/* Free the chunks before the one holding stream offset `from`: no payload
 * at or after `from` starts in them. */
static void log_drop_chunks(raft_log *log, uint64_t from)
{
    uint64_t first = from >> RAFT_LOG_CHUNK_SHIFT;
    if (first <= log->chunk0)
        return;
    size_t drop = first - log->chunk0 < log->n_chunks ? (size_t)(first - log->chunk0)
                                                      : log->n_chunks;
    for (size_t k = 0; k < drop; k++)
        free(log->chunk[k]);
    log->n_chunks -= drop;
    memmove(log->chunk, log->chunk + drop, log->n_chunks * sizeof *log->chunk);
    memmove(log->chunk_cap, log->chunk_cap + drop, log->n_chunks * sizeof *log->chunk_cap);
    log->chunk0 = first;
}

/* Give chunk number `num` (>= chunk0) a slot in the table; new slots hold
 * no chunk yet. */
static int log_chunk_slot(raft_log *log, uint64_t num)
{
    assert(num >= log->chunk0);
    if (num - log->chunk0 >= SIZE_MAX / sizeof *log->chunk_cap)
        return RAFT_ENOMEM;
    size_t want = (size_t)(num - log->chunk0) + 1;
    if (want > log->chunks_cap) {
        size_t cap = log->chunks_cap ? log->chunks_cap : LOG_MIN_CHUNKS;
        while (cap < want)
            cap = cap > SIZE_MAX / 2 / sizeof *log->chunk_cap ? want : cap * 2;
        uint8_t **c = realloc(log->chunk, cap * sizeof *c);
        if (!c)
            return RAFT_ENOMEM;
        log->chunk = c;
        size_t *cc = realloc(log->chunk_cap, cap * sizeof *cc);
        if (!cc)
            return RAFT_ENOMEM; /* chunk[] is bigger than chunks_cap says: harmless */
        log->chunk_cap = cc;
        log->chunks_cap = cap;
    }
    for (size_t k = log->n_chunks; k < want; k++) {
        log->chunk[k] = NULL;
        log->chunk_cap[k] = 0;
    }
    if (want > log->n_chunks)
        log->n_chunks = want;
    return RAFT_OK;
}

/* Where the payload of `len` (> 0) bytes at stream offset `off` goes: in the
 * chunk of off's range, at off's place in it. NULL when out of memory. */
static uint8_t *log_payload_room(raft_log *log, uint64_t off, uint32_t len)
{
    uint64_t num = off >> RAFT_LOG_CHUNK_SHIFT; /* >= chunk0: off is not below bytes_start */
    size_t at = (size_t)(off & (RAFT_LOG_CHUNK - 1));
    if (num - log->chunk0 >= log->n_chunks && log_chunk_slot(log, num) != RAFT_OK)
        return NULL;
    size_t k = (size_t)(num - log->chunk0);
    size_t need = at + len; /* at < 2^16 and len < 2^32: no overflow */
    if (need > log->chunk_cap[k]) {
        size_t cap = need > RAFT_LOG_CHUNK + LOG_CHUNK_SPILL ? need
                                                             : RAFT_LOG_CHUNK + LOG_CHUNK_SPILL;
        uint8_t *p = realloc(log->chunk[k], cap); /* keeps the chunk's earlier payloads */
        if (!p)
            return NULL;
        log->chunk[k] = p;
        log->chunk_cap[k] = cap;
    }
    return log->chunk[k] + at;
}

int raft_log_append(raft_log *log, const raft_entry *e)
{
    assert(e->len == 0 || e->data != NULL);
    if (log_reserve_ent(log) != RAFT_OK)
        return RAFT_ENOMEM;
    if (e->len) {
        uint8_t *dst = log_payload_room(log, log->bytes_end, e->len);
        if (!dst)
            return RAFT_ENOMEM;
        memcpy(dst, e->data, e->len);
    }
    raft_log_ent *r = &log->ents[log->ents_start + log->count];
    r->term = e->term;
    r->type = e->type;
    r->len = e->len;
    r->off = log->bytes_end;
    log->bytes_end += e->len;
    log->count++;
    assert(raft_log_last_term(log) == e->term);
    return RAFT_OK;
}

void raft_log_truncate(raft_log *log, uint64_t from)
{
    assert(from > log->base_index);
    if (from > raft_log_last_index(log))
        return;
    log->bytes_end = raft_log_ent_at(log, from)->off;
    log->count = (size_t)(from - log->base_index - 1);
    assert(raft_log_last_index(log) == from - 1);
}

void raft_log_compact(raft_log *log, uint64_t upto)
{
    if (upto <= log->base_index)
        return;
    assert(upto <= raft_log_last_index(log));
    uint64_t term = raft_log_ent_at(log, upto)->term;
    size_t drop = (size_t)(upto - log->base_index);
    log->ents_start += drop;
    log->count -= drop;
    log->bytes_start = log->count ? log->ents[log->ents_start].off : log->bytes_end;
    log->base_index = upto;
    log->base_term = term;
    log_drop_chunks(log, log->bytes_start);
}

void raft_log_reset(raft_log *log, uint64_t base_index, uint64_t base_term)
{
    log->ents_start = 0;
    log->count = 0;
    log->bytes_start = log->bytes_end;
    log->base_index = base_index;
    log->base_term = base_term;
    log_drop_chunks(log, log->bytes_start);
}

uint64_t raft_log_first_of_term(const raft_log *log, uint64_t index)
{
    uint64_t term = raft_log_term_at(log, index);
    uint64_t lo = log->base_index + 1, hi = index; /* answer in [lo, hi] */
    assert(index > log->base_index);
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (raft_log_ent_at(log, mid)->term < term)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint64_t raft_log_last_of_term(const raft_log *log, uint64_t term)
{
    uint64_t lo = log->base_index + 1, hi = raft_log_last_index(log) + 1;
    while (lo < hi) { /* first index with a term > `term` */
        uint64_t mid = lo + (hi - lo) / 2;
        if (raft_log_ent_at(log, mid)->term <= term)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t last = lo - 1;
    return last > log->base_index && raft_log_ent_at(log, last)->term == term ? last : 0;
}
