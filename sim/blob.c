/* blob.c — shared, reference-counted entry payloads (see blob.h). */
#include "blob.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../core/hash.h"

void blobstore_init(blobstore *bs) { memset(bs, 0, sizeof *bs); }

void blobstore_free(blobstore *bs)
{
    for (size_t i = 0; i < bs->n_buckets; i++) {
        blob *b = bs->buckets[i];
        while (b) {
            blob *next = b->next;
            free(b);
            b = next;
        }
    }
    free(bs->buckets);
    memset(bs, 0, sizeof *bs);
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
    blob *b = malloc(sizeof *b + src->len);
    if (!b)
        return NULL;
    b->index = index;
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
    free(b);
}
