/* client_inlog.h — a leader's copies of a client's records that are in its
 * log but not applied yet, so that a retried APPEND waits for them instead of
 * proposing them again (core/pending.h; the simulator's node service does the
 * same in sim/world/node_client.c).
 *
 * core/pending.h keeps one slot per client id: the newest seq noted for it.
 * An APPEND carries a batch of consecutive seqs, all proposed in one go, so
 * they sit at consecutive indexes; a retry of the batch finds the newest of
 * its seqs that the table knows (the anchor) and expects each older record
 * of the batch as many indexes below it as seqs. Every guess is checked
 * against the log entry itself (it must carry that client and seq, above the
 * applied index); a record whose guess does not hold is proposed again, as
 * before (correct, only not deduplicated; the log buffer drops the copy at
 * apply and client_ack.c acknowledges where the record is stored).
 *
 * Pure: the log is read through a callback, so the unit tests
 * (tests/raftd/test_inlog.c) use a plain array. */
#ifndef RAFTD_CLIENT_INLOG_H
#define RAFTD_CLIENT_INLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "../../core/pending.h"

/* The entry at `index` of the leader's log, false if it has none there. */
typedef bool (*inlog_entry_fn)(void *ctx, uint64_t index, raft_entry *out);

/* The table for leader term `term`: unless it already describes that term,
 * reset it and note every client entry in (applied, last] (pending.h: the
 * entries earlier leaders appended count too). term 0: not leading, empty. */
void inlog_sync(pending_writes *p, uint64_t term, uint64_t applied, uint64_t last,
                inlog_entry_fn at, void *ctx);

/* The newest record of a batch that the table holds in the log. */
typedef struct inlog_anchor {
    uint64_t seq, index; /* index 0: none of the batch is there */
} inlog_anchor;

/* Looks for seqs first_seq + count - 1 down to first_seq (count probes at most). */
inlog_anchor inlog_anchor_find(const pending_writes *p, uint64_t client, uint64_t first_seq,
                               uint32_t count, uint64_t applied);

/* The index above `applied` of a log entry carrying (client, seq), guessed
 * from the anchor and checked; 0 if there is none. *term: that entry's term. */
uint64_t inlog_copy(const inlog_anchor *a, inlog_entry_fn at, void *ctx, uint64_t client,
                    uint64_t seq, uint64_t applied, uint64_t *term);

#endif
