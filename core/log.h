/* log.h — the in-memory Raft log with a compaction base.
 *
 * Entries (base_index, last] are held as compact records (term, type, len,
 * offset in the payload stream): 24 bytes of overhead per entry, O(1) lookup
 * by index, amortised O(1) append, truncate and prefix compaction. The record
 * array is a linear buffer whose dead prefix is reclaimed by one memmove when
 * it outgrows the live part.
 *
 * Payloads are a stream of bytes, offset k being byte k ever appended (so the
 * payload bytes of a range of entries is a difference of offsets), stored in
 * a raft_chunks (chunks.h; the log buffer stores its payloads in one too).
 *
 * Entry data handed out by raft_log_get() points into a chunk: valid until
 * the next mutation of the log.
 */
#ifndef RAFT_LOG_H
#define RAFT_LOG_H

#include "chunks.h"
#include "raft.h"

#include <assert.h>
#include <string.h>

#define RAFT_LOG_ENTRY_OVERHEAD 24u /* bytes of one record, beside its payload */

typedef struct raft_log_ent {
    uint64_t term;
    uint64_t off; /* stream offset of the payload */
    uint32_t len;
    uint32_t type;
} raft_log_ent;

_Static_assert(sizeof(raft_log_ent) == RAFT_LOG_ENTRY_OVERHEAD, "log.h's record size");

typedef struct raft_log {
    raft_log_ent *ents;
    size_t ents_cap, ents_start, count; /* live records: ents[start, start + count) */
    raft_chunks payload;
    uint64_t bytes_start, bytes_end; /* stream offsets of the live payload */
    uint64_t base_index, base_term; /* entry before the first held (compaction point) */
} raft_log;

void raft_log_init(raft_log *log, uint64_t base_index, uint64_t base_term);
void raft_log_free(raft_log *log);

/* The lookups below run several times per message, so they are inline here
 * rather than calls into log.c. */

static inline uint64_t raft_log_last_index(const raft_log *log)
{
    return log->base_index + log->count;
}

/* The record of a held index (base_index < index <= last). */
static inline const raft_log_ent *raft_log_ent_at(const raft_log *log, uint64_t index)
{
    assert(index > log->base_index);
    assert(index <= raft_log_last_index(log));
    return &log->ents[log->ents_start + (size_t)(index - log->base_index - 1)];
}

static inline uint64_t raft_log_last_term(const raft_log *log)
{
    return log->count ? raft_log_ent_at(log, raft_log_last_index(log))->term : log->base_term;
}

/* Term of `index`: base_term at base_index, 0 if unknown (below base or past last). */
static inline uint64_t raft_log_term_at(const raft_log *log, uint64_t index)
{
    if (index == log->base_index)
        return log->base_term;
    if (index < log->base_index || index > raft_log_last_index(log))
        return 0;
    return raft_log_ent_at(log, index)->term;
}

static inline bool raft_log_get(const raft_log *log, uint64_t index, raft_entry *out)
{
    if (index <= log->base_index || index > raft_log_last_index(log))
        return false;
    const raft_log_ent *e = raft_log_ent_at(log, index);
    out->term = e->term;
    out->type = e->type;
    out->len = e->len;
    out->data = e->len ? raft_chunks_at(&log->payload, e->off) : NULL;
    return true;
}

uint64_t raft_log_payload_bytes(const raft_log *log);
/* Payload bytes of entries [from, to] (both held). O(1). */
uint64_t raft_log_bytes_between(const raft_log *log, uint64_t from, uint64_t to);

int raft_log__reserve_slow(raft_log *log);

/* Append one entry at last + 1. RAFT_OK or RAFT_ENOMEM. Inline: every
 * entry of every node comes here. */
static inline int raft_log_append(raft_log *log, const raft_entry *e)
{
    assert(e->len == 0 || e->data != NULL);
    if (log->ents_start + log->count >= log->ents_cap && raft_log__reserve_slow(log) != RAFT_OK)
        return RAFT_ENOMEM;
    if (e->len) {
        uint8_t *dst = raft_chunks_room(&log->payload, log->bytes_end, e->len);
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
/* Remove entries [from, last]; from > base_index. */
void raft_log_truncate(raft_log *log, uint64_t from);
/* Drop entries (base, upto]; upto <= last. The base becomes upto. */
void raft_log_compact(raft_log *log, uint64_t upto);
/* Drop everything; the log is empty with the given base. */
void raft_log_reset(raft_log *log, uint64_t base_index, uint64_t base_term);

/* Binary searches; terms never decrease along a log. */
/* First held index whose term equals term_at(index) (index must be held). */
uint64_t raft_log_first_of_term(const raft_log *log, uint64_t index);
/* Last held index with exactly `term`, or 0 if none. */
uint64_t raft_log_last_of_term(const raft_log *log, uint64_t term);

#endif
