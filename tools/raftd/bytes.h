/* bytes.h — a growable byte buffer and a bounds-checked reader, little-endian.
 *
 * Shared by the client protocol, the storage records and the frame codec of
 * raftd and raftctl. Writers never fail silently: a failed allocation sets
 * `oom` and later puts do nothing. Readers never read past `len`: a short
 * read sets `err` and returns zeros. */
#ifndef RAFTD_BYTES_H
#define RAFTD_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bbuf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
} bbuf;

void bbuf_free(bbuf *b);
bool bbuf_reserve(bbuf *b, size_t extra); /* room for `extra` more bytes */
void bbuf_put(bbuf *b, const void *src, size_t n);
void bbuf_u8(bbuf *b, uint8_t v);
void bbuf_u32(bbuf *b, uint32_t v);
void bbuf_u64(bbuf *b, uint64_t v);
/* Drop the first n bytes (consumed), sliding the rest down. */
void bbuf_consume(bbuf *b, size_t n);

typedef struct brd {
    const uint8_t *p;
    size_t len, pos;
    bool err;
} brd;

static inline brd brd_make(const void *p, size_t len)
{
    return (brd){.p = p, .len = len, .pos = 0, .err = false};
}
uint8_t brd_u8(brd *r);
uint32_t brd_u32(brd *r);
uint64_t brd_u64(brd *r);
/* Borrow n bytes (NULL and err on a short read). */
const uint8_t *brd_bytes(brd *r, size_t n);
/* True when everything was read and nothing went wrong. */
static inline bool brd_done(const brd *r) { return !r->err && r->pos == r->len; }

void le32_put(uint8_t *p, uint32_t v);
void le64_put(uint8_t *p, uint64_t v);
uint32_t le32_get(const uint8_t *p);
uint64_t le64_get(const uint8_t *p);

#endif
