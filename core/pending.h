/* pending.h — the client writes a leader holds in its log but has not applied
 * yet, by (client id, sequence number).
 *
 * A client retries a write it has no answer for with the same (client, seq)
 * (thesis §6.3). The log buffer drops a second copy when it applies it, but
 * every copy a leader appends still costs log space, replication bandwidth
 * and a commit: on a lossy network each timeout becomes another entry, and
 * retries feed on themselves. So a leader must not append a second copy of a
 * (client, seq) that is already in its uncommitted log; it answers the retry
 * when the first copy is applied.
 *
 * Pure and I/O-free, for any host that serves log-buffer commands over Raft
 * (the simulator's node service, a networked daemon): the host
 *   - calls pending_reset(term) when it starts leading a term (and whenever
 *     it is not leader), then pending_note_cmd for every entry of its log above
 *     its applied index (pending_note_cmd ignores non-client entries);
 *   - asks pending_find before it proposes a client write, and if found,
 *     waits for that index to apply instead of proposing;
 *   - calls pending_note after every successful proposal.
 * Within one leader term the log only grows (Leader Append-Only, paper
 * Figure 3), so the table stays true until the term ends. The host should
 * still check that the entry it is told about carries the (client, seq).
 *
 * One slot per client id: the newest seq noted for it. A client that has
 * several writes in flight on one id is served for its newest only (an older
 * one's retry is appended again, and dropped at apply as before). The table
 * is bounded (PENDING_MAX_CLIENTS); past it, pending_note fails with
 * RAFT_ENOMEM and the host simply appends (correct, only not deduplicated). */
#ifndef RAFT_PENDING_H
#define RAFT_PENDING_H

#include <stddef.h>
#include <stdint.h>

#include "raft.h"

enum { PENDING_MAX_CLIENTS = 1 << 20 };

typedef struct pending_slot {
    uint64_t client_id; /* 0 = empty */
    uint64_t seq, index;
} pending_slot;

typedef struct pending_writes {
    pending_slot *slots; /* open addressing, linear probing; cap a power of two */
    size_t cap, n;
    uint64_t term;       /* the leader term the table describes (0 = none) */
} pending_writes;

void pending_init(pending_writes *p);
void pending_free(pending_writes *p);
/* Forget every entry: the host leads `term` from now on (0: it does not lead). */
void pending_reset(pending_writes *p, uint64_t term);
/* (client_id, seq) was appended at `index` (> applied). Entries at or below
 * `applied` are done and may be dropped to make room. RAFT_OK, or
 * RAFT_ENOMEM (memory ran out or the
 * PENDING_MAX_CLIENTS bound is reached; the table is unchanged and still true). */
int pending_note(pending_writes *p, uint64_t client_id, uint64_t seq, uint64_t index,
                 uint64_t applied);
/* pending_note for a log entry at `index` if it is a client command
 * (logbuf_cmd_decode); other entries are ignored (RAFT_OK). */
int pending_note_cmd(pending_writes *p, const raft_entry *e, uint64_t index, uint64_t applied);
/* The index above `applied` of the entry carrying (client_id, seq), or 0. */
uint64_t pending_find(const pending_writes *p, uint64_t client_id, uint64_t seq,
                      uint64_t applied);

#endif
