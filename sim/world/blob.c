/* blob.c — shared, reference-counted entry payloads (see blob.h). */
#include "blob.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/hash.h"
#include "poison.h"

void blobstore_init(blobstore *bs) { memset(bs, 0, sizeof *bs); }

/* Bytes a blob of payload length len occupies: a multiple of BLOB_GRAIN, so
 * carved blobs stay aligned. */
static size_t blob_size(uint32_t len)
{
    return (sizeof(blob) + (size_t)len + BLOB_GRAIN - 1) & ~(size_t)(BLOB_GRAIN - 1);
}

static bool is_large(size_t size) { return size > BLOB_SLAB_MAX; }

void blobstore_free(blobstore *bs)
{
    for (size_t i = 0; bs->n_large && i < bs->n_buckets; i++) /* only malloc'd ones */
        for (blob *b = bs->buckets[i], *next; b; b = next) {
            next = b->next;
            if (is_large(blob_size(b->e.len))) {
                free(b);
                bs->n_large--;
            }
        }
    for (blob_chunk *c = bs->chunks, *next; c; c = next) {
        next = c->next;
        free(c); /* ASan forgets manual poisoning on free */
    }
    free(bs->buckets);
    memset(bs, 0, sizeof *bs);
}

/* Room for a blob of `size` bytes: from its class's free list, else carved
 * from the newest chunk (a new one, twice the last up to 1 MiB, when the
 * tail is too short: the tail is left unused), else malloc for large ones. */
static blob *blob_alloc(blobstore *bs, size_t size)
{
    if (is_large(size)) {
        blob *b = malloc(size);
        bs->n_large += b != NULL;
        return b;
    }
    blob **fl = &bs->free_class[size / BLOB_GRAIN];
    if (*fl) {
        blob *b = *fl;
        POOL_UNPOISON(b, size);
        *fl = b->next;
        return b;
    }
    if ((size_t)(bs->carve_end - bs->carve) < size) {
        size_t cs = bs->chunk_size ? bs->chunk_size : 16384;
        blob_chunk *c = malloc(cs);
        if (!c)
            return NULL;
        c->next = bs->chunks;
        bs->chunks = c;
        /* the header takes one grain: blobs start 16-byte aligned like malloc's */
        _Static_assert(sizeof(blob_chunk) <= BLOB_GRAIN, "chunk header fits one grain");
        bs->carve = (uint8_t *)c + BLOB_GRAIN;
        bs->carve_end = (uint8_t *)c + cs;
        bs->chunk_size = cs < ((size_t)1 << 20) ? cs * 2 : cs;
        POOL_POISON(bs->carve, cs - BLOB_GRAIN); /* uncarved: nobody's yet */
    }
    blob *b = (blob *)(void *)bs->carve;
    bs->carve += size;
    POOL_UNPOISON(b, size);
    return b;
}

static void blob_release(blobstore *bs, blob *b)
{
    size_t size = blob_size(b->e.len);
    if (is_large(size)) {
        free(b);
        bs->n_large--;
        return;
    }
    blob **fl = &bs->free_class[size / BLOB_GRAIN];
    b->next = *fl;
    *fl = b;
    POOL_POISON(b, size); /* a disk still reading it is a use after free */
}

static size_t bucket_of(const blobstore *bs, uint64_t index, uint64_t term)
{
    (void)term; /* by index alone: consecutive entries use consecutive buckets (cache) */
    return (size_t)(index & (bs->n_buckets - 1));
}

static int rehash(blobstore *bs)
{
    size_t n = bs->n_buckets ? bs->n_buckets * 2 : 1024;
    blob **nb = calloc(n, sizeof *nb);
    if (!nb)
        return -1;
    size_t old_n = bs->n_buckets;
    blob **old = bs->buckets;
    bs->buckets = nb;
    bs->n_buckets = n;
    for (size_t i = 0; i < old_n; i++) {
        blob *b = old[i];
        while (b) {
            blob *next = b->next;
            size_t k = bucket_of(bs, b->index, b->e.term);
            b->next = nb[k];
            nb[k] = b;
            b = next;
        }
    }
    free(old);
    return 0;
}

static bool blob_equal(const blob *b, uint64_t index, const raft_entry *src)
{
    return b->index == index && b->e.term == src->term && b->e.len == src->len &&
           b->e.type == src->type && (src->len == 0 || memcmp(b->bytes, src->data, src->len) == 0);
}

const blob *blob_get(blobstore *bs, uint64_t index, const raft_entry *src)
{
    if (bs->n_blobs >= bs->n_buckets && rehash(bs) != 0)
        return NULL;
    size_t k = bucket_of(bs, index, src->term);
    for (blob *b = bs->buckets[k]; b; b = b->next) {
        if (blob_equal(b, index, src)) {
            b->refs++;
            return b;
        }
    }
    blob *b = blob_alloc(bs, blob_size(src->len));
    if (!b)
        return NULL;
    b->index = index;
    b->memo = 0;
    b->refs = 1;
    b->e = (blob_entry){.term = src->term, .len = src->len, .type = src->type,
                        .data = src->len ? b->bytes : NULL};
    if (src->len)
        memcpy(b->bytes, src->data, src->len);
    b->next = bs->buckets[k];
    bs->buckets[k] = b;
    bs->n_blobs++;
    bs->bytes += src->len;
    return b;
}

uint64_t blob_memo(const blob *cb, uint64_t (*derive)(const blob_entry *e))
{
    blob *b = (blob *)(uintptr_t)cb; /* the memo is the store's cache, not the entry */
    if (!b->memo)
        b->memo = derive(&b->e);
    return b->memo;
}

void blob_put(blobstore *bs, const blob *cb)
{
    blob *b = (blob *)(uintptr_t)cb; /* the store owns it; callers hold const views */
    assert(b->refs > 0);
    if (--b->refs > 0)
        return;
    size_t k = bucket_of(bs, b->index, b->e.term);
    blob **p = &bs->buckets[k];
    while (*p != b) {
        assert(*p);
        p = &(*p)->next;
    }
    *p = b->next;
    bs->n_blobs--;
    bs->bytes -= b->e.len;
    blob_release(bs, b);
}
