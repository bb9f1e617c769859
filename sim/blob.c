/* blob.c — shared, reference-counted entry payloads (see blob.h). */
#include "blob.h"

#include <assert.h>
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
    return (size_t)(hash_combine(index, term) & (bs->n_buckets - 1));
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
            size_t k = bucket_of(bs, b->index, b->term);
            b->next = nb[k];
            nb[k] = b;
            b = next;
        }
    }
    free(old);
    return 0;
}

const uint8_t *blob_get(blobstore *bs, uint64_t index, uint64_t term, const uint8_t *data,
                        uint32_t len)
{
    if (bs->n_blobs >= bs->n_buckets && rehash(bs) != 0)
        return NULL;
    size_t k = bucket_of(bs, index, term);
    for (blob *b = bs->buckets[k]; b; b = b->next) {
        if (b->index == index && b->term == term && b->len == len &&
            (len == 0 || memcmp(b->data, data, len) == 0)) {
            b->refs++;
            return b->data;
        }
    }
    blob *b = malloc(sizeof *b + len);
    if (!b)
        return NULL;
    b->index = index;
    b->term = term;
    b->len = len;
    b->refs = 1;
    if (len)
        memcpy(b->data, data, len);
    b->next = bs->buckets[k];
    bs->buckets[k] = b;
    bs->n_blobs++;
    bs->bytes += len;
    return b->data;
}

void blob_put(blobstore *bs, const uint8_t *data)
{
    blob *b = (blob *)(void *)((uint8_t *)(uintptr_t)data - offsetof(blob, data));
    assert(b->refs > 0);
    if (--b->refs > 0)
        return;
    size_t k = bucket_of(bs, b->index, b->term);
    blob **p = &bs->buckets[k];
    while (*p != b) {
        assert(*p);
        p = &(*p)->next;
    }
    *p = b->next;
    bs->n_blobs--;
    bs->bytes -= b->len;
    free(b);
}
