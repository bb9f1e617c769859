/* log.c — the in-memory Raft log (see log.h). */
#include "log.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum { LOG_MIN_ENTS = 64, LOG_MIN_BYTES = 4096 };

void raft_log_init(raft_log *log, uint64_t base_index, uint64_t base_term)
{
    memset(log, 0, sizeof *log);
    log->base_index = base_index;
    log->base_term = base_term;
}

void raft_log_free(raft_log *log)
{
    free(log->ents);
    free(log->bytes);
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

static int log_reserve_bytes(raft_log *log, size_t len)
{
    size_t used = (size_t)(log->bytes_end - log->bytes_base);
    if (used + len <= log->bytes_cap)
        return RAFT_OK;
    size_t dead = (size_t)(log->bytes_start - log->bytes_base);
    size_t live = used - dead;
    if (dead > live && live + len <= log->bytes_cap) {
        /* moves at most as many bytes as compaction freed: amortised O(1) */
        memmove(log->bytes, log->bytes + dead, live);
        log->bytes_base += dead;
        return RAFT_OK;
    }
    size_t cap = log->bytes_cap ? log->bytes_cap : LOG_MIN_BYTES;
    while (cap < used + len) {
        if (cap > SIZE_MAX / 2)
            return RAFT_ENOMEM;
        cap *= 2;
    }
    /* realloc: large blocks grow by remapping pages, without copying */
    uint8_t *p = realloc(log->bytes, cap);
    if (!p)
        return RAFT_ENOMEM;
    log->bytes = p;
    log->bytes_cap = cap;
    return RAFT_OK;
}

int raft_log_append(raft_log *log, const raft_entry *e)
{
    assert(e->len == 0 || e->data != NULL);
    if (log_reserve_ent(log) != RAFT_OK || log_reserve_bytes(log, e->len) != RAFT_OK)
        return RAFT_ENOMEM;
    raft_log_ent *r = &log->ents[log->ents_start + log->count];
    r->term = e->term;
    r->type = e->type;
    r->len = e->len;
    r->off = log->bytes_end;
    if (e->len)
        memcpy(log->bytes + (log->bytes_end - log->bytes_base), e->data, e->len);
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
}

void raft_log_reset(raft_log *log, uint64_t base_index, uint64_t base_term)
{
    log->ents_start = 0;
    log->count = 0;
    log->bytes_base = log->bytes_end;
    log->bytes_start = log->bytes_end;
    log->base_index = base_index;
    log->base_term = base_term;
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
