/* blob.h — log entries shared between the simulated disks of one run.
 *
 * By Log Matching, the entry at (index, term) is the same on every node, so
 * the five disks of a five-node cluster can hold one copy: each disk keeps a
 * pointer (8 bytes per entry) to a shared blob holding the entry's term, type
 * and bytes. Blobs are keyed by (index, term) AND compared field by field and
 * byte for byte, so a buggy run where two nodes hold different entries under
 * one (index, term) still stores both faithfully. Reference counted; freed
 * when the last disk drops it.
 *
 * Blobs up to BLOB_SLAB_MAX bytes come from the store's own chunks, carved
 * in 16-byte size classes, and a freed one goes on its class's free list:
 * a run allocates and frees one blob per committed entry, which malloc would
 * do one by one, and blobstore_free releases a few chunks instead of every
 * blob. Larger blobs use malloc.
 */
#ifndef SIM_BLOB_H
#define SIM_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/raft.h"

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
    uint64_t memo; /* see blob_memo; 0 = not derived yet */
    uint32_t refs;
    uint8_t bytes[];
} blob;

enum { BLOB_GRAIN = 16, BLOB_SLAB_MAX = 512 };

typedef struct blob_chunk {
    struct blob_chunk *next;
    /* blobs follow from one BLOB_GRAIN in: 16-byte aligned like malloc's */
} blob_chunk;

typedef struct blobstore {
    blob **buckets;
    size_t n_buckets, n_blobs;
    uint64_t bytes; /* payload bytes held */
    size_t n_large; /* blobs held that malloc allocated */
    blob *free_class[BLOB_SLAB_MAX / BLOB_GRAIN + 1]; /* chained by next */
    blob_chunk *chunks;
    uint8_t *carve, *carve_end; /* the unused tail of the newest chunk */
    size_t chunk_size;          /* of the next chunk */
} blobstore;

/* A zeroed blobstore is an empty one, as is one after blobstore_init. */
void blobstore_init(blobstore *bs);
/* Free every blob, referenced or not: the disks that referenced them must be
 * freed already, or be freed after disk_forget_blobs. */
void blobstore_free(blobstore *bs);
/* A shared copy of entry `index` with one more reference, or NULL on
 * allocation failure. */
const blob *blob_get(blobstore *bs, uint64_t index, const raft_entry *src);
/* derive(&b->e), computed on the first call for b and remembered: a blob
 * never changes, so neither does a value derived from its entry alone. Lets
 * every disk holding the entry share one computation (the checker's entry
 * hash on reboot). A derived 0 is simply derived again next time. */
uint64_t blob_memo(const blob *b, uint64_t (*derive)(const blob_entry *e));
/* Drop one reference to a blob returned by blob_get. */
void blob_put(blobstore *bs, const blob *b);

#endif
