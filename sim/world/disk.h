/* disk.h — one node's simulated disk.
 *
 * raft_write()s are queued as volatile. An fsync (latency from its own
 * distribution and rng stream) makes every write that was pending when it
 * STARTED durable at once (group commit); writes arriving while it runs wait
 * for the next one. A crash loses everything not yet synced; with torn writes
 * on, the first unsynced write (the one the disk was in the middle of), if it
 * carries two or more entries, survives torn: its hard state, its truncation
 * and a non-empty strict prefix of its entries become durable (draws from the
 * disk stream). Keeping extra state durable never breaks a promise the node
 * made, so torn writes are safe for a correct Raft.
 *
 * Durable state: hard state, snapshot (meta + bytes), log entries after the
 * snapshot. Entry payloads are shared between the disks of a run through a
 * blobstore (blob.h): one copy per (index, term, bytes), 8 bytes per entry
 * per disk (a pointer to the shared blob).
 */
#ifndef SIM_DISK_H
#define SIM_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../core/raft.h"
#include "blob.h"
#include "rng.h"
#include "sim.h"

typedef blob_entry disk_entry; /* term, type, len, data of one durable entry */

/* What a snapshot write carries besides the hard state. */
typedef struct disk_snap_write {
    raft_snapshot_meta meta;
    uint8_t *data;
    size_t len;
    bool keep_log;
} disk_snap_write;

/* A write not yet durable: one cache line in the 64-byte aligned queue, the
 * rare snapshot's part kept aside. */
typedef struct disk_pending {
    _Alignas(64) uint64_t token;
    raft_hard_state hs;
    uint64_t first_index;
    size_t ent_start, n_entries; /* into disk.pend_ents, from its start */
    disk_snap_write *snap;       /* RAFT_WRITE_SNAPSHOT only (else NULL) */
    enum raft_write_kind kind;
} disk_pending;
_Static_assert(sizeof(disk_pending) == 64, "a pending write is one cache line");

/* Fields in the order a write and an fsync use them, a cache line each
 * (the struct is 64-byte aligned): the pending queue, the durable log and
 * the fsync state, the durable hard state and counters, the fsync latency's
 * parameters and stream; the snapshot, seldom touched, last. */
typedef struct disk {
    /* volatile */
    /* pend[pend_head .. pend_head + pend_n) are queued, oldest first; their
     * entries are pend_ents[pend_ents_head .. pend_ents_n). Consuming moves
     * the heads; the arrays slide down only when full (see pend_reserve). */
    _Alignas(64) disk_pending *pend;
    size_t pend_head, pend_n, pend_cap;
    const blob **pend_ents;
    size_t pend_ents_head, pend_ents_n, pend_ents_cap;
    /* durable */
    const blob **log;          /* log[head .. head+n) hold indexes base+1 .. base+n */
    size_t log_head, log_n, log_cap;
    uint64_t log_base;
    uint64_t durable_token;
    size_t fsync_covers;       /* pending writes the running fsync covers (0 = idle) */
    uint64_t fsync_gen;        /* bumped on crash: a stale completion is ignored */
    raft_hard_state hs;
    blobstore *blobs;          /* shared with the other disks of the run */
    uint64_t fsyncs, writes, torn, lost_writes;
    uint8_t *snap_data;        /* (fills the line) */
    sim_disk_params params;
    rng r;
    raft_snapshot_meta snap;
    size_t snap_len;
} disk;
_Static_assert(offsetof(disk, log) == 64 && offsetof(disk, hs) == 128 &&
                   offsetof(disk, params) == 192,
               "disk's fields in the lines its comment says");

int disk_init(disk *d, const sim_disk_params *p, uint64_t seed, uint32_t node,
              blobstore *blobs);
void disk_free(disk *d);
/* The run's blobstore is about to be freed whole (blobstore_free): forget
 * this disk's references instead of dropping them one by one. Only
 * disk_free may follow. */
void disk_forget_blobs(disk *d);

/* Queue a write (copied). Returns 0 or -1 (allocation failure). */
int disk_write(disk *d, const raft_write *w);
/* If no fsync is running and writes are pending, start one: returns true and
 * its latency in *latency_ns. The caller schedules disk_fsync_done. */
bool disk_fsync_start(disk *d, uint64_t *latency_ns);
/* Would disk_fsync_start start one now? (Inline: asked after every fsync,
 * which usually finds nothing new to sync.) */
static inline bool disk_fsync_wanted(const disk *d) { return !d->fsync_covers && d->pend_n; }
/* The running fsync finished: its writes become durable. Returns the last
 * token now durable (0 if none). */
uint64_t disk_fsync_done(disk *d);
/* Crash: drop unsynced writes (maybe tearing one). Returns writes lost. */
size_t disk_crash(disk *d, bool *torn);

uint64_t disk_last_index(const disk *d);
/* Build a boot image for raft_new. `ents` must be freed by the caller. */
int disk_boot(const disk *d, raft_boot *boot, raft_entry **ents);
const disk_entry *disk_entry_get(const disk *d, uint64_t index);
/* The shared blob holding durable entry `index`, or NULL. */
const blob *disk_blob_get(const disk *d, uint64_t index);

#endif
