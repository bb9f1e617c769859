/* blob.h — payload bytes shared between the simulated disks of one run.
 *
 * By Log Matching, the entry at (index, term) has the same bytes on every
 * node, so the five disks of a five-node cluster can hold one copy. Blobs are
 * keyed by (index, term) AND compared byte for byte, so a buggy run where two
 * nodes hold different entries under one (index, term) still stores both
 * faithfully. Reference counted; freed when the last disk drops it.
 */
#ifndef SIM_BLOB_H
#define SIM_BLOB_H

#include <stddef.h>
#include <stdint.h>

typedef struct blob {
    struct blob *next; /* bucket chain */
    uint64_t index, term;
    uint32_t len, refs;
    uint8_t data[];
} blob;

typedef struct blobstore {
    blob **buckets;
    size_t n_buckets, n_blobs;
    uint64_t bytes; /* payload bytes held */
} blobstore;

void blobstore_init(blobstore *bs);
void blobstore_free(blobstore *bs);
/* A shared copy of (index, term, data[0..len)) with one more reference, or
 * NULL on allocation failure. */
const uint8_t *blob_get(blobstore *bs, uint64_t index, uint64_t term, const uint8_t *data,
                        uint32_t len);
/* Drop one reference to bytes returned by blob_get. */
void blob_put(blobstore *bs, const uint8_t *data);

#endif
