/* logbuf.h — the replicated state machine: a bounded ring buffer of log records.
 *
 * Clients append records; every node applies committed Raft entries to its own
 * logbuf in log order, so all nodes hold the same records. A Raft entry's data
 * is a command encoded by logbuf_cmd_encode: (client id, sequence number,
 * timestamp, payload). Client sessions (thesis §6.3): the buffer remembers the
 * last sequence number applied per client and the index it got, so a retried
 * request is not stored twice — applying it again reports the first result.
 *
 * The ring holds at most `max_records` records and `max_bytes` payload bytes;
 * the oldest records are evicted first.
 *
 * The digest is a hash of the STATE, not of the history: the records in the
 * ring (index, timestamp, client, seq, payload), the session table and the
 * counters that a snapshot carries (applied index, records total and
 * evicted, duplicates, malformed; not the host's commit note). It is kept
 * incrementally (a record's hash is added as it enters the ring and
 * subtracted as it leaves, a session's likewise), so applying stays O(1),
 * and reading it is O(1). Two buffers in equal states have equal digests:
 * two nodes at the same applied index must. A restore recomputes it from the
 * restored state and refuses a snapshot whose recorded digest disagrees.
 */
#ifndef LOGBUF_H
#define LOGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct logbuf logbuf;

typedef struct logbuf_record {
    uint64_t index;        /* Raft index of the entry that carried it */
    uint64_t timestamp_ns; /* client-supplied time of the append */
    uint64_t client_id, client_seq;
    uint32_t len;
    const uint8_t *data; /* borrowed from the buffer; valid until the next mutation */
} logbuf_record;

typedef struct logbuf_counters {
    uint64_t applied_index;   /* last Raft index applied (no-ops included) */
    uint64_t commit_index;    /* last commit index the host reported */
    uint64_t records_total;   /* records ever appended (duplicates excluded) */
    uint64_t records_stored;  /* records in the ring now */
    uint64_t records_evicted; /* pushed out by the bound */
    uint64_t bytes_stored;
    uint64_t duplicates;      /* retried commands recognised and not stored again */
    uint64_t malformed;       /* commands that failed to decode (counted, skipped) */
} logbuf_counters;

/* Result of applying one command. */
typedef struct logbuf_result {
    bool duplicate;       /* the session had already applied this (client, seq) */
    /* Where the record was stored; for a duplicate, where the session's NEWEST
     * seq was stored, which is this record's index only if it is that seq
     * (the session keeps one index: logbuf.c, logbuf_apply). */
    uint64_t index;
} logbuf_result;

logbuf *logbuf_new(size_t max_records, size_t max_bytes);
void logbuf_free(logbuf *lb);

/* Command encoding (the bytes a client proposes). */
enum { LOGBUF_CMD_HEADER = 28 };
size_t logbuf_cmd_size(uint32_t payload_len);
size_t logbuf_cmd_encode(uint8_t *buf, size_t cap, uint64_t client_id, uint64_t seq,
                         uint64_t timestamp_ns, const void *payload, uint32_t len);
bool logbuf_cmd_decode(const uint8_t *cmd, size_t len, logbuf_record *out);

/* Apply the command of Raft entry `index` (must be applied_index + 1).
 * Returns 0, or -1 if index is out of order (nothing changes). A malformed
 * command is counted and skipped but still advances applied_index. */
int logbuf_apply(logbuf *lb, uint64_t index, const uint8_t *cmd, size_t len,
                 logbuf_result *res);
/* A no-op entry: advances applied_index only. */
int logbuf_apply_noop(logbuf *lb, uint64_t index);
void logbuf_note_commit(logbuf *lb, uint64_t commit_index);

/* Session lookup: last seq applied for client and the index it went to. */
bool logbuf_session(const logbuf *lb, uint64_t client_id, uint64_t *seq, uint64_t *index);

/* Queries. Each calls `fn` for matching stored records, oldest first, and
 * returns how many matched; `fn` may be NULL to count only. */
typedef void (*logbuf_visit_fn)(void *arg, const logbuf_record *r);
size_t logbuf_query_index(const logbuf *lb, uint64_t from, uint64_t to, logbuf_visit_fn fn,
                          void *arg);
size_t logbuf_query_time(const logbuf *lb, uint64_t from_ns, uint64_t to_ns,
                         logbuf_visit_fn fn, void *arg);
size_t logbuf_query_last(const logbuf *lb, size_t n, logbuf_visit_fn fn, void *arg);

void logbuf_counters_get(const logbuf *lb, logbuf_counters *out);
uint64_t logbuf_digest(const logbuf *lb);

/* Snapshot: a self-describing, versioned, bounds-checked byte image of the
 * whole state (records, sessions, counters, digest). */
size_t logbuf_snapshot_size(const logbuf *lb);
size_t logbuf_snapshot_write(const logbuf *lb, uint8_t *buf, size_t cap);
/* Replace the state with a snapshot. Returns 0; -1 on malformed input; or
 * LOGBUF_EDIGEST when the image is well-formed but the state it describes
 * does not have the digest it records (records, sessions or counters
 * altered). On error `lb` is unchanged. */
enum { LOGBUF_EDIGEST = -2 };
int logbuf_restore(logbuf *lb, const uint8_t *buf, size_t len);

/* Test-only: switch on deliberate mistakes of the bug catalogue (the
 * RAFT_BUG_* mask of raft.h) that live in the log buffer. Honoured only in
 * -DRAFT_BUGS builds; elsewhere it does nothing. */
void logbuf_set_bugs(logbuf *lb, uint64_t bugs);

#endif
