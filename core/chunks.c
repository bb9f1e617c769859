/* chunks.c — the chunked payload stream (see chunks.h). */
#include "chunks.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
    CHUNKS_MIN_SLOTS = 8,
    /* Room past the end of a chunk's range, for a payload that starts near
     * it: only a longer payload makes its chunk grow (by realloc). */
    CHUNKS_SPILL = 1024,
    CHUNKS_SIZE = RAFT_CHUNK + CHUNKS_SPILL, /* the usual chunk */
};

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
    uint64_t first = off >> RAFT_CHUNK_SHIFT;
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
    uint64_t num = off >> RAFT_CHUNK_SHIFT;
    size_t at = (size_t)(off & (RAFT_CHUNK - 1));
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
