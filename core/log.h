/* log.h — the in-memory Raft log with a compaction base.
 *
 * Entries (base_index, last] are held as compact records (term, type, len,
 * offset in the payload stream): 24 bytes of overhead per entry, O(1) lookup
 * by index, amortised O(1) append, truncate and prefix compaction. The record
 * array is a linear buffer whose dead prefix is reclaimed by one memmove when
 * it outgrows the live part.
 *
 * Payloads are a stream of bytes, offset k being byte k ever appended (so the
 * payload bytes of a range of entries is a difference of offsets). The stream
 * is stored in chunks: chunk n holds every payload that starts in stream bytes
 * [n * RAFT_LOG_CHUNK, (n + 1) * RAFT_LOG_CHUNK), each whole and in place (a
 * payload may run past the end of its chunk's range: the chunk is allocated
 * with room for that). Chunks are never moved or copied as the log grows, and
 * compaction frees the chunks before the first live payload: a long log needs
 * no big contiguous block, and growing it leaves no freed block behind.
 *
 * Entry data handed out by raft_log_get() points into a chunk: valid until
 * the next mutation of the log.
 */
#ifndef RAFT_LOG_H
#define RAFT_LOG_H

#include "raft.h"

#include <assert.h>

typedef struct raft_log_ent {
    uint64_t term;
    uint64_t off; /* absolute arena offset of the payload */
    uint32_t len;
    uint32_t type;
} raft_log_ent;

enum { RAFT_LOG_CHUNK_SHIFT = 16, RAFT_LOG_CHUNK = 1 << RAFT_LOG_CHUNK_SHIFT };

typedef struct raft_log {
    raft_log_ent *ents;
    size_t ents_cap, ents_start, count; /* live records: ents[start, start + count) */
    /* chunk[k] is chunk number chunk0 + k (NULL if never needed); chunk_cap[k]
     * its size. Every chunk before chunk0 has been freed. */
    uint8_t **chunk;
    size_t *chunk_cap;
    size_t n_chunks, chunks_cap;
    uint64_t chunk0;
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
    out->data = e->len ? log->chunk[(size_t)((e->off >> RAFT_LOG_CHUNK_SHIFT) - log->chunk0)] +
                             (e->off & (RAFT_LOG_CHUNK - 1))
                       : NULL;
    return true;
}

uint64_t raft_log_payload_bytes(const raft_log *log);
/* Payload bytes of entries [from, to] (both held). O(1). */
uint64_t raft_log_bytes_between(const raft_log *log, uint64_t from, uint64_t to);

/* Append one entry at last + 1. RAFT_OK or RAFT_ENOMEM. */
int raft_log_append(raft_log *log, const raft_entry *e);
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
