/* chunks.h — a byte stream stored in chunks that never move: the payload
 * store of the Raft log (log.h) and of the log buffer (logbuf.h).
 *
 * Byte k of the stream is at stream offset k. Chunk n holds every payload
 * that starts in stream bytes [n * RAFT_CHUNK, (n + 1) * RAFT_CHUNK), each
 * whole and in place (a payload may run past the end of its chunk's range:
 * the chunk is allocated with room for that). Chunks are never moved or
 * copied as the stream grows, and the owner frees those before its oldest
 * live payload (one is kept for reuse, so a stream whose live part stays
 * bounded stops allocating): a long stream needs no big contiguous block,
 * and growing it leaves no freed block behind. Zero-initialised, it is empty.
 */
#ifndef RAFT_CHUNKS_H
#define RAFT_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

enum { RAFT_CHUNK_SHIFT = 16, RAFT_CHUNK = 1 << RAFT_CHUNK_SHIFT };

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
    size_t k = (size_t)((off >> RAFT_CHUNK_SHIFT) - c->first);
    size_t at = (size_t)(off & (RAFT_CHUNK - 1));
    if (k < c->n && at + (uint64_t)len <= c->chunk[k].cap) /* 0 for a missing chunk */
        return c->chunk[k].p + at;
    return raft_chunks__room_slow(c, off, len);
}

/* Free the chunks before the one holding stream offset `off`: no payload at
 * or after `off` may start in them. */
static inline void raft_chunks_drop_before(raft_chunks *c, uint64_t off)
{
    if (off >> RAFT_CHUNK_SHIFT > c->first)
        raft_chunks__drop(c, off);
}

/* The bytes of a payload at `off` with len > 0 (placed by raft_chunks_room). */
static inline uint8_t *raft_chunks_at(const raft_chunks *c, uint64_t off)
{
    return c->chunk[(size_t)((off >> RAFT_CHUNK_SHIFT) - c->first)].p +
           (off & (RAFT_CHUNK - 1));
}

#endif
