/* log.c — the in-memory Raft log (see log.h). */
#include "log.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum {
    LOG_MIN_ENTS = 64,
    CHUNKS_MIN_SLOTS = 8,
    /* Room past the end of a chunk's range, for a payload that starts near
     * it: only a longer payload makes its chunk grow (by realloc). */
    CHUNKS_SPILL = 1024,
    CHUNKS_SIZE = RAFT_LOG_CHUNK + CHUNKS_SPILL, /* the usual chunk */
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
    raft_chunks_free(&log->payload);
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

/* Room for one more record when the array is full: reclaim the dead prefix
 * or grow (amortised O(1)). */
int raft_log__reserve_slow(raft_log *log)
{
    assert(log->ents_start + log->count >= log->ents_cap);
    if (log->ents_start > log->ents_cap / 2) {
        memmove(log->ents, log->ents + log->ents_start, log->count * sizeof *log->ents);
        log->ents_start = 0;
        return RAFT_OK;
    }
    /* x4, not x2: a third of the copying, and of the freed blocks left
     * behind, for room that costs only address space until it is used */
    if (log->ents_cap > SIZE_MAX / 4 / sizeof *log->ents)
        return RAFT_ENOMEM;
    size_t cap = log->ents_cap ? log->ents_cap * 4 : LOG_MIN_ENTS;
    raft_log_ent *p = realloc(log->ents, cap * sizeof *p);
    if (!p)
        return RAFT_ENOMEM;
    log->ents = p;
    log->ents_cap = cap;
    return RAFT_OK;
}

void raft_chunks_free(raft_chunks *c)
{
    for (size_t k = 0; k < c->n; k++)
        free(c->chunk[k].p);
    free(c->chunk);
    free(c->spare);
    memset(c, 0, sizeof *c);
}

void raft_chunks__drop(raft_chunks *c, uint64_t off)
{
    uint64_t first = off >> RAFT_LOG_CHUNK_SHIFT;
    assert(first > c->first);
    size_t drop = first - c->first < c->n ? (size_t)(first - c->first) : c->n;
    for (size_t k = 0; k < drop; k++) {
        if (!c->spare && c->chunk[k].cap == CHUNKS_SIZE)
            c->spare = c->chunk[k].p;
        else
            free(c->chunk[k].p);
    }
    c->n -= drop;
    memmove(c->chunk, c->chunk + drop, c->n * sizeof *c->chunk);
    c->first = first;
}

/* Give chunk number `num` (>= first) a slot in the table; new slots hold no
 * chunk yet. */
static bool chunks_slot(raft_chunks *c, uint64_t num)
{
    assert(num >= c->first);
    if (num - c->first >= SIZE_MAX / 2 / sizeof *c->chunk)
        return false;
    size_t want = (size_t)(num - c->first) + 1;
    if (want > c->slots) {
        size_t slots = c->slots ? c->slots : CHUNKS_MIN_SLOTS;
        while (slots < want)
            slots *= 2;
        raft_chunk *p = realloc(c->chunk, slots * sizeof *p);
        if (!p)
            return false;
        c->chunk = p;
        c->slots = slots;
    }
    for (size_t k = c->n; k < want; k++)
        c->chunk[k] = (raft_chunk){.p = NULL, .cap = 0};
    if (want > c->n)
        c->n = want;
    return true;
}

/* raft_chunks_room when off's chunk is missing or too small. */
uint8_t *raft_chunks__room_slow(raft_chunks *c, uint64_t off, uint32_t len)
{
    uint64_t num = off >> RAFT_LOG_CHUNK_SHIFT;
    size_t at = (size_t)(off & (RAFT_LOG_CHUNK - 1));
    if (num - c->first >= c->n && !chunks_slot(c, num))
        return NULL;
    size_t k = (size_t)(num - c->first);
    if ((uint64_t)at + len > SIZE_MAX)
        return NULL;
    size_t need = at + (size_t)len;
    if (!c->chunk[k].p && c->spare && need <= CHUNKS_SIZE) {
        c->chunk[k] = (raft_chunk){.p = c->spare, .cap = CHUNKS_SIZE};
        c->spare = NULL;
    }
    if (need > c->chunk[k].cap) {
        size_t cap = need > CHUNKS_SIZE ? need : CHUNKS_SIZE;
        uint8_t *p = realloc(c->chunk[k].p, cap); /* keeps the chunk's earlier payloads */
        if (!p)
            return NULL;
        c->chunk[k] = (raft_chunk){.p = p, .cap = cap};
    }
    return c->chunk[k].p + at;
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
    raft_chunks_drop_before(&log->payload, log->bytes_start);
}

void raft_log_reset(raft_log *log, uint64_t base_index, uint64_t base_term)
{
    log->ents_start = 0;
    log->count = 0;
    log->bytes_start = log->bytes_end;
    log->base_index = base_index;
    log->base_term = base_term;
    raft_chunks_drop_before(&log->payload, log->bytes_start);
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
