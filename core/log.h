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
 * a raft_chunks (below; the log buffer of logbuf.c stores its payloads in
 * one too).
 *
 * Entry data handed out by raft_log_get() points into a chunk: valid until
 * the next mutation of the log.
 */
#ifndef RAFT_LOG_H
#define RAFT_LOG_H

#include "raft.h"

#include <assert.h>
#include <string.h>

typedef struct raft_log_ent {
    uint64_t term;
    uint64_t off; /* stream offset of the payload */
    uint32_t len;
    uint32_t type;
} raft_log_ent;

/* A stream of payloads (byte k at stream offset k) stored in chunks: chunk n
 * holds every payload that starts in stream bytes [n * RAFT_LOG_CHUNK,
 * (n + 1) * RAFT_LOG_CHUNK), each whole and in place (a payload may run past
 * the end of its chunk's range: the chunk is allocated with room for that).
 * Chunks are never moved or copied as the stream grows, and the owner frees
 * those before its oldest live payload (one is kept for reuse, so a stream
 * whose live part stays bounded stops allocating): a long stream needs no
 * big contiguous block, and growing it leaves no freed block behind.
 * Zero-initialised, it is empty. */
enum { RAFT_LOG_CHUNK_SHIFT = 16, RAFT_LOG_CHUNK = 1 << RAFT_LOG_CHUNK_SHIFT };

/* A chunk and its size side by side: a look-up reads both (one line). */
typedef struct raft_chunk {
    uint8_t *p;
    size_t cap;
} raft_chunk;

typedef struct raft_chunks {
    /* chunk[k] is chunk number first + k (p NULL and cap 0 if never
     * needed). Every chunk before `first` has been freed. */
    raft_chunk *chunk;
    size_t n;
    uint64_t first;
    size_t slots;   /* (the fields a look-up reads come first) */
    uint8_t *spare; /* a freed chunk of the usual size, or NULL */
} raft_chunks;

void raft_chunks_free(raft_chunks *c);
uint8_t *raft_chunks__room_slow(raft_chunks *c, uint64_t off, uint32_t len);
void raft_chunks__drop(raft_chunks *c, uint64_t off);

/* Where the payload of `len` (> 0) bytes at stream offset `off` goes (off at
 * or after the chunks kept): NULL when out of memory, and then nothing
 * observable changed. The bytes stay in place until freed. Inline while
 * off's chunk exists and has room. */
static inline uint8_t *raft_chunks_room(raft_chunks *c, uint64_t off, uint32_t len)
{
    size_t k = (size_t)((off >> RAFT_LOG_CHUNK_SHIFT) - c->first);
    size_t at = (size_t)(off & (RAFT_LOG_CHUNK - 1));
    if (k < c->n && at + (uint64_t)len <= c->chunk[k].cap) /* 0 for a missing chunk */
        return c->chunk[k].p + at;
    return raft_chunks__room_slow(c, off, len);
}

/* Free the chunks before the one holding stream offset `off`: no payload at
 * or after `off` may start in them. */
static inline void raft_chunks_drop_before(raft_chunks *c, uint64_t off)
{
    if (off >> RAFT_LOG_CHUNK_SHIFT > c->first)
        raft_chunks__drop(c, off);
}

/* The bytes of a payload at `off` with len > 0 (placed by raft_chunks_room). */
static inline uint8_t *raft_chunks_at(const raft_chunks *c, uint64_t off)
{
    return c->chunk[(size_t)((off >> RAFT_LOG_CHUNK_SHIFT) - c->first)].p +
           (off & (RAFT_LOG_CHUNK - 1));
}

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
