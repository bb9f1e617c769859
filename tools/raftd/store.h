/* store.h — raftd's durable storage: hard state, log and snapshot in files.
 *
 * Layout of the data directory:
 *   meta                      term and vote (24 bytes, CRC-32C); replaced
 *                             atomically: write meta.tmp, fsync, rename, fsync dir
 *   log-<seq>                 append-only log segments (store_log.c), records
 *                             [u32 len][u32 crc32c(len, payload)][payload]
 *   snap-<index>-<term>       the snapshot: header with CRC, then the bytes;
 *                             written as snap.tmp and renamed into place
 *
 * Writes (raft_io.persist) are encoded at once and queued; store_sync makes
 * every queued write durable with one fdatasync (group commit) and returns
 * the highest token covered — what the host passes to raft_persisted. The
 * hard state is written (atomically, before the log records of the same sync)
 * only when it changed.
 *
 * A snapshot write compacts: earlier writes are synced, the snapshot file is
 * installed, then a new segment holding RESET(index, term) and the retained
 * log suffix is written as log.tmp and renamed into place (the commit point),
 * and the older segments and snapshots are deleted.
 *
 * Recovery (store_open) replays the segments in order. Damage at the very end
 * of the last segment — a record cut short or failing its checksum with no
 * intact record after it — is a torn write: it is truncated and reported. A
 * damaged record followed by an intact one, or in any segment but the last,
 * is corruption: store_open fails with a message naming file and offset.
 *
 * The store keeps a copy of the durable log (entries after the snapshot) in
 * memory: it is what recovery hands to raft_new and what compaction rewrites.
 */
#ifndef RAFTD_STORE_H
#define RAFTD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../core/raft.h"
#include "bytes.h"

enum {
    STORE_SEGMENT_BYTES = 16 << 20,  /* a segment is closed once it is this big */
    STORE_MAX_RECORD = 64 << 20,     /* larger record lengths are damage */
    STORE_ERR_CAP = 512,
    STORE_SYNC_SAMPLES = 1024,       /* recent fdatasync times kept for percentiles */
};

typedef struct store_entry {
    uint64_t term;
    uint32_t type, len;
    uint8_t *data;
} store_entry;

typedef struct store_stats {
    uint64_t syncs, writes, records, bytes_written, meta_writes, snapshots_written;
    uint64_t torn_bytes_truncated; /* at recovery */
    uint64_t sync_ns;              /* time spent in the log's fdatasync calls */
} store_stats;

typedef struct store {
    char *dir;
    int dirfd;
    raft_hard_state hs_durable, hs_pending;
    /* the log after the snapshot: ents[i] has index base + 1 + i */
    uint64_t base;
    store_entry *ents;
    size_t n, cap;
    raft_snapshot_meta snap;
    uint8_t *snap_data;
    size_t snap_len;
    /* the open segment */
    uint64_t seg_seq;
    int seg_fd;
    uint64_t seg_size;
    bbuf out;                /* encoded records not yet written to seg_fd */
    uint64_t token_queued;   /* highest token handed to store_write */
    uint64_t token_durable;  /* highest token covered by a completed sync */
    store_stats stats;
    uint32_t sync_us[STORE_SYNC_SAMPLES]; /* ring of recent fdatasync times */
    char err[STORE_ERR_CAP];
} store;

/* Open (creating if needed) and recover `dir`. Returns NULL on damage or an
 * I/O error, with the reason in err. */
store *store_open(const char *dir, char *err, size_t errcap);
void store_close(store *st);

/* The recovered state for raft_new; pointers stay valid until the next call
 * that changes the store. *ents is malloc'd (free it after raft_new). */
int store_boot(store *st, raft_boot *boot, raft_entry **ents);

/* Queue one write. -1: fatal I/O error (st->err). */
int store_write(store *st, const raft_write *w);
/* True if some write is queued but not yet durable. */
bool store_pending(const store *st);
/* Make every queued write durable; *token = highest durable token.
 * -1: fatal I/O error (st->err). */
int store_sync(store *st, uint64_t *token);

uint64_t store_last_index(const store *st);
/* A percentile (0..100) of the recent fdatasync times, in microseconds. */
uint32_t store_sync_percentile(const store *st, unsigned pct);
/* The mean of the same recent fdatasync times, in microseconds. */
uint32_t store_sync_mean_recent(const store *st);

/* ---- file helpers (store_file.c) ---- */
int store_write_all(int fd, const void *buf, size_t len);
/* Write `len` bytes to dir/tmp, fsync, rename to dir/name, fsync dir. */
int store_replace_file(store *st, const char *tmp, const char *name, const void *a,
                       size_t alen, const void *b, size_t blen);
int store_read_file(int dirfd, const char *name, uint8_t **out, size_t *len);
int store_meta_load(store *st);
int store_meta_save(store *st, raft_hard_state hs);
int store_snap_save(store *st, raft_snapshot_meta meta, const uint8_t *data, size_t len);
int store_snap_load(store *st, raft_snapshot_meta meta);
void store_snap_name(char *buf, size_t cap, raft_snapshot_meta meta);
void store_seg_name(char *buf, size_t cap, uint64_t seq);
int store_fail(store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- records and segments (store_log.c) ---- */
enum store_rec_kind { STORE_REC_ENTRY = 1, STORE_REC_TRUNC = 2, STORE_REC_RESET = 3 };
enum { STORE_SEG_HEADER = 16 };
void store_seg_header(uint8_t hdr[STORE_SEG_HEADER]);
void store_rec_entry(bbuf *out, uint64_t index, const raft_entry *e);
void store_rec_trunc(bbuf *out, uint64_t from_index);
void store_rec_reset(bbuf *out, raft_snapshot_meta snap);
/* Replay one segment into the mirror. `last`: it is the newest segment, so
 * damage at its end is a torn write (truncated). Returns 0 or -1 (st->err). */
int store_seg_replay(store *st, uint64_t seq, bool last, raft_snapshot_meta *reset);
/* Mirror edits shared by writes and replay. */
int store_mirror_append(store *st, uint64_t index, const raft_entry *e);
void store_mirror_truncate(store *st, uint64_t from_index);
void store_mirror_reset(store *st, uint64_t base);

#endif
