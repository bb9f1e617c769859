/* blob.h — log entries shared between the simulated disks of one run.
 *
 * By Log Matching, the entry at (index, term) is the same on every node, so
 * the five disks of a five-node cluster can hold one copy: each disk keeps a
 * pointer (8 bytes per entry) to a shared blob holding the entry's term, type
 * and bytes. Blobs are keyed by (index, term) AND compared field by field and
 * byte for byte, so a buggy run where two nodes hold different entries under
 * one (index, term) still stores both faithfully. Reference counted; freed
 * when the last disk drops it.
 */
#ifndef SIM_BLOB_H
#define SIM_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "../core/raft.h"

/* What a disk hands out for one of its entries. */
typedef struct blob_entry {
    uint64_t term;
    const uint8_t *data; /* the blob's bytes, or NULL when len is 0 */
    uint32_t len;
    uint32_t type;
} blob_entry;

typedef struct blob {
    blob_entry e;
    struct blob *next; /* bucket chain */
    uint64_t index;
    uint32_t refs;
    uint8_t bytes[];
} blob;

typedef struct blobstore {
    blob **buckets;
    size_t n_buckets, n_blobs;
    uint64_t bytes; /* payload bytes held */
} blobstore;

void blobstore_init(blobstore *bs);
void blobstore_free(blobstore *bs);
/* A shared copy of entry `index` with one more reference, or NULL on
 * allocation failure. */
const blob *blob_get(blobstore *bs, uint64_t index, const raft_entry *src);
/* Drop one reference to a blob returned by blob_get. */
void blob_put(blobstore *bs, const blob *b);

#endif
