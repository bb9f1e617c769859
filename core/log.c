/* log.c — the in-memory Raft log (see log.h). */
#include "log.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum { LOG_MIN_ENTS = 64 };

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
