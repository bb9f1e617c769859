/* bytes.c — growable buffer and bounds-checked reader (see bytes.h). */
#include "bytes.h"

#include <stdlib.h>
#include <string.h>

void le32_put(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void le64_put(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t le32_get(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t le64_get(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void bbuf_free(bbuf *b)
{
    free(b->p);
    *b = (bbuf){0};
}

bool bbuf_reserve(bbuf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->cap - b->len >= extra)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void bbuf_put(bbuf *b, const void *src, size_t n)
{
    if (n == 0 || !bbuf_reserve(b, n))
        return;
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

void bbuf_u8(bbuf *b, uint8_t v) { bbuf_put(b, &v, 1); }

void bbuf_u32(bbuf *b, uint32_t v)
{
    uint8_t t[4];
    le32_put(t, v);
    bbuf_put(b, t, 4);
}

void bbuf_u64(bbuf *b, uint64_t v)
{
    uint8_t t[8];
    le64_put(t, v);
    bbuf_put(b, t, 8);
}

void bbuf_consume(bbuf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

static const uint8_t *take(brd *r, size_t n)
{
    if (r->err || r->len - r->pos < n) {
        r->err = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += n;
    return p;
}

uint8_t brd_u8(brd *r)
{
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}

uint32_t brd_u32(brd *r)
{
    const uint8_t *p = take(r, 4);
    return p ? le32_get(p) : 0;
}

uint64_t brd_u64(brd *r)
{
    const uint8_t *p = take(r, 8);
    return p ? le64_get(p) : 0;
}

const uint8_t *brd_bytes(brd *r, size_t n) { return take(r, n); }
