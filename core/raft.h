/* raft.h — the Raft node: public API and the host interface.
 *
 * The node is I/O-free. Everything that touches the world — time, randomness,
 * sending bytes, durable writes, applying committed entries, taking and
 * restoring snapshots, observing events — goes through `raft_io`, supplied by
 * the host (the simulator in sim/, or a real daemon). The node keeps no global
 * or static mutable state; two nodes in one process share nothing.
 *
 * Units: times are host nanoseconds (uint64_t, `_ns` suffix); indexes and
 * terms start at 1 (0 means "none"); node ids are 1..n_nodes (0 = none).
 *
 * Calling convention: every entry point (raft_receive, raft_tick,
 * raft_persisted, raft_propose, ...) may call back into the host
 * synchronously (send, persist, apply, event). Callbacks must not re-enter
 * the node; a host that wants to deliver a message to the same node queues it.
 */
#ifndef RAFT_H
#define RAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t raft_id;
#define RAFT_NONE 0u
#define RAFT_MAX_NODES 64u   /* static membership, ids 1..n_nodes */
#define RAFT_MAX_BATCH 1024u /* hard cap on entries in one AppendEntries */

/* Error codes: X-macro so codes and messages never drift apart. */
#define RAFT_ERRORS(X)                                                 \
    X(RAFT_OK, "ok")                                                   \
    X(RAFT_ENOTLEADER, "not the leader")                               \
    X(RAFT_EBUSY, "leadership transfer in progress")                   \
    X(RAFT_ENOMEM, "out of memory")                                    \
    X(RAFT_EINVAL, "invalid argument")                                 \
    X(RAFT_EMSG, "malformed message")                                  \
    X(RAFT_ETOOBIG, "entry too large")                                 \
    X(RAFT_ENOTREADY, "leader has not committed an entry of its term") \
    X(RAFT_ESTOPPED, "node is shut down")                              \
    X(RAFT_ELIMIT, "a queue of the node is at its bound")
#define RAFT_ERR_ENUM(name, text) name,
enum raft_err { RAFT_ERRORS(RAFT_ERR_ENUM) RAFT_ERR_COUNT };
#undef RAFT_ERR_ENUM
const char *raft_strerror(int err);

/* ---- Explicit bounds on the node's queues (issue 15). Hitting one is never
 * silent: the call that would grow the queue fails with RAFT_ELIMIT where
 * it can (raft_propose, raft_read_index), and the node always reports
 * RAFT_EV_LIMIT (a = the queue, b = its length) and counts the hit in
 * raft_status.limit_hits. Running out of memory while growing one counts the
 * same way. ---- */
enum raft_limit {
    RAFT_LIMIT_OUTBOX,   /* messages waiting for a durable write: the new one is
                            dropped, as the network may drop it */
    RAFT_LIMIT_WRITES,   /* writes not yet durable: raft_propose refused; any
                            other write is tracked with the newest pending one
                            (its durability is credited a little later) */
    RAFT_LIMIT_READS,    /* pending ReadIndex requests: raft_read_index refused */
    RAFT_LIMIT_SNAPSHOT, /* an InstallSnapshot of more than RAFT_MAX_SNAPSHOT
                            bytes: refused (the receive buffer is never allocated) */
    RAFT_LIMIT_TRANSFER_LOG, /* log a leader keeps past the compaction policy for
                            snapshot transfers in progress and the catch-up
                            after them (RAFT_MAX_TRANSFER_LOG
                            bytes): compacted anyway; that follower will need a
                            newer snapshot */
    RAFT_LIMIT__COUNT
};
#define RAFT_MAX_OUTBOX 4096u          /* powers of two: the queues double from 16 */
#define RAFT_MAX_PENDING_WRITES 65536u
#define RAFT_MAX_READS 4096u
#define RAFT_MAX_SNAPSHOT (UINT64_C(1) << 30) /* bytes of one snapshot received */
/* Log bytes (payload + RAFT_LOG_ENTRY_OVERHEAD per entry) a leader keeps past
 * its compaction policy's point while a snapshot transfer is in progress */
#define RAFT_MAX_TRANSFER_LOG (UINT64_C(64) << 20)
const char *raft_limit_name(enum raft_limit limit);

enum raft_role { RAFT_FOLLOWER, RAFT_PRECANDIDATE, RAFT_CANDIDATE, RAFT_LEADER };
const char *raft_role_name(enum raft_role role);

enum raft_entry_type {
    RAFT_ENTRY_NOOP = 0, /* appended by a new leader (paper §8); not applied to the SM */
    RAFT_ENTRY_DATA = 1, /* an opaque command for the state machine */
};

/* A log entry as it crosses the interface. `data` is borrowed: valid only for
 * the duration of the call that hands it over; copy it to keep it. */
typedef struct raft_entry {
    uint64_t term;
    uint32_t type; /* enum raft_entry_type */
    uint32_t len;
    const uint8_t *data;
} raft_entry;

typedef struct raft_hard_state {
    uint64_t term;
    raft_id vote; /* RAFT_NONE if no vote in `term` */
} raft_hard_state;

typedef struct raft_snapshot_meta {
    uint64_t index; /* last index covered by the snapshot (0 = no snapshot) */
    uint64_t term;  /* term of that entry */
} raft_snapshot_meta;

/* One durable write. The node issues writes with strictly increasing tokens;
 * the host makes them durable in issue order and reports progress with
 * raft_persisted(node, token), meaning "every write with token <= this is
 * durable". One fsync may cover many writes (group commit).
 *
 * Every write carries the current hard state. Log changes:
 *   kind ENTRIES:  the log from `first_index` on is replaced by `entries`
 *                  (n may be 0: with first_index 0 a pure hard-state write;
 *                  with first_index > 0 a pure truncation). Entries at
 *                  first_index and later that the host holds are discarded
 *                  first — this is how a conflict truncation reaches the
 *                  disk, even when no entry could follow it.
 *   kind SNAPSHOT: `snap` + `snap_data` become the stored snapshot. If
 *                  `keep_log` is false the whole stored log is discarded;
 *                  otherwise entries <= snap.index are discarded and the
 *                  suffix is kept.
 * All pointers are borrowed for the duration of the call. */
enum raft_write_kind { RAFT_WRITE_ENTRIES, RAFT_WRITE_SNAPSHOT };
typedef struct raft_write {
    uint64_t token;
    enum raft_write_kind kind;
    raft_hard_state hs;
    uint64_t first_index;
    const raft_entry *entries;
    size_t n_entries;
    raft_snapshot_meta snap;
    const uint8_t *snap_data;
    size_t snap_len;
    bool keep_log;
} raft_write;

/* Events reported to the host's observer (trace, checker, coverage).
 * Reporting is passive: the host must not call back into the node. */
enum raft_event_kind {
    RAFT_EV_ROLE,              /* role changed: a = new role, b = term */
    RAFT_EV_TERM,              /* current term changed: a = new term */
    RAFT_EV_VOTE,              /* vote granted: a = candidate, b = term */
    RAFT_EV_APPEND,            /* log entries [a, b] appended (volatile) */
    RAFT_EV_TRUNCATE,          /* log entries from a on removed (conflict): b = old last */
    RAFT_EV_COMMIT,            /* commit index advanced: a = new commit, b = old */
    RAFT_EV_APPLY,             /* entry a applied (after the apply callback) */
    RAFT_EV_PERSISTED,         /* writes up to token a durable */
    RAFT_EV_SNAPSHOT_TAKEN,    /* local snapshot durable: a = index, b = term */
    RAFT_EV_SNAPSHOT_INSTALLED,/* snapshot from leader installed: a = index, b = term */
    RAFT_EV_SNAPSHOT_SENT,     /* started sending a snapshot to peer a */
    RAFT_EV_PREVOTE_REFUSED,   /* refused a pre-vote to candidate a */
    RAFT_EV_VOTE_REFUSED,      /* refused a vote to candidate a (b = reason bits) */
    RAFT_EV_STEPDOWN_QUORUM,   /* leader stepped down: CheckQuorum (no majority heard) */
    RAFT_EV_STEPDOWN_TERM,     /* stepped down on a higher term from peer a */
    RAFT_EV_OLD_TERM_COMMITTED,/* commit of index a covered entries of earlier terms */
    RAFT_EV_BACKTRACK,         /* leader lowered nextIndex of peer a to b */
    RAFT_EV_TRANSFER_START,    /* leadership transfer to a started */
    RAFT_EV_TIMEOUT_NOW,       /* received TimeoutNow: election started at once */
    RAFT_EV_STALE_MESSAGE,     /* ignored a message of an older term (a = type) */
    RAFT_EV_LIMIT,             /* a queue hit its bound: a = enum raft_limit, b = length */
    RAFT_EV_CAMPAIGN,          /* an election started: a = its term, b = the role it was
                                  started from (a candidate's retry too; not a pre-vote) */
    RAFT_EV__COUNT
};
typedef struct raft_event {
    enum raft_event_kind kind;
    uint64_t a, b;
} raft_event;
const char *raft_event_name(enum raft_event_kind kind);

typedef struct raft_io {
    void *ctx;
    /* Monotonic host time, ns. Read at most once per call into the node
     * (raft_receive, raft_tick, raft_persisted, raft_propose): handling one
     * input happens at one instant. */
    uint64_t (*now)(void *ctx);
    /* 64 uniformly random bits from a host-owned (seeded) stream. */
    uint64_t (*random)(void *ctx);
    /* Send encoded bytes to node `to`. May be lost, delayed, duplicated. */
    void (*send)(void *ctx, raft_id to, const uint8_t *buf, size_t len);
    /* Start a durable write (see raft_write). Asynchronous. */
    void (*persist)(void *ctx, const raft_write *w);
    /* Apply committed entry `index` to the state machine, in order, once per
     * lifetime (RAFT_ENTRY_NOOP entries are passed too; the SM ignores them). */
    void (*apply)(void *ctx, uint64_t index, const raft_entry *e);
    /* Serialize the state machine as of the last applied index. Returns a
     * malloc'd buffer that the node owns and frees, or NULL on failure. */
    uint8_t *(*snapshot_take)(void *ctx, uint64_t index, size_t *len);
    /* Replace the state machine with a snapshot received from the leader. */
    void (*snapshot_restore)(void *ctx, const raft_snapshot_meta *meta,
                             const uint8_t *data, size_t len);
    /* A ReadIndex request is ready (status RAFT_OK): it is safe to answer the
     * read once the state machine has applied `index`. Otherwise the read
     * failed (not leader / lost leadership). */
    void (*read_ready)(void *ctx, uint64_t req_id, int status, uint64_t index);
    /* Optional observer; may be NULL. */
    void (*event)(void *ctx, const raft_event *ev);
} raft_io;

/* The election-timer rule on a step-down (raft_config.stepdown_timer). Every
 * rule also re-arms on a granted vote and on AppendEntries from the leader
 * (paper Figure 2, followers); they differ only on stepping down:
 *   NOT_FOLLOWER  a leader or candidate re-arms, a follower that merely adopts
 *                 a higher term keeps its deadline (raftsim's rule, default);
 *   LEADER        only a former leader re-arms, a candidate keeps its deadline
 *                 (LogCabin RaftConsensus::stepDown, the paper's implementation);
 *   ALWAYS        every step-down re-arms, also a follower refusing a vote in a
 *                 higher term (etcd raft becomeFollower -> reset). */
enum raft_stepdown_timer {
    RAFT_STEPDOWN_RESET_NOT_FOLLOWER = 0,
    RAFT_STEPDOWN_RESET_LEADER = 1,
    RAFT_STEPDOWN_RESET_ALWAYS = 2,
};

typedef struct raft_config {
    raft_id id;
    uint32_t n_nodes;
    uint64_t election_timeout_min_ns; /* default 150 ms */
    uint64_t election_timeout_max_ns; /* default 300 ms; drawn afresh on every reset */
    uint64_t heartbeat_ns;            /* default 50 ms */
    /* Heartbeats only to idle followers (as canonical/raft does): the periodic
     * heartbeat skips a follower that was sent an AppendEntries less than one
     * interval ago, so a follower may hear nothing for up to two intervals.
     * Default off: a heartbeat to every follower on every interval. */
    bool heartbeat_idle_only;
    /* Whether a node that steps down to follower (higher term, or a leader
     * heard) re-arms its election timer; see enum raft_stepdown_timer. */
    uint8_t stepdown_timer;
    /* Election timeouts are drawn as min + k * step (k whole, <= max); 0 =
     * any nanosecond. 1 ms is LogCabin's draw (setElectionTimer: whole ms). */
    uint64_t election_timeout_step_ns;
    bool prevote;                     /* thesis §9.6 */
    bool check_quorum;                /* thesis §6.2 (+ §4.2.3 vote suppression) */
    uint32_t max_entries_per_msg;     /* 1 = no batching; <= RAFT_MAX_BATCH; default 64 */
    uint32_t max_bytes_per_msg;       /* payload bytes cap per AppendEntries; default 64 KiB */
    uint32_t pipeline_window;         /* in-flight AppendEntries per follower; default 4 */
    uint64_t max_inflight_bytes;      /* payload bytes in flight per follower; default 256 KiB */
    uint64_t retransmit_max_ns;       /* cap on the backed-off retransmission timeout; default 1 s */
    uint64_t snapshot_threshold;      /* snapshot after this many applied entries; 0 = never */
    uint64_t snapshot_trailing;       /* entries kept in the log behind a snapshot */
    uint32_t snapshot_chunk_bytes;    /* InstallSnapshot chunk size; default 16 KiB */
    uint32_t max_entry_bytes;         /* proposals larger than this fail: RAFT_ETOOBIG */
    uint64_t bugs;                    /* RAFT_BUG_* mask; honoured only in -DRAFT_BUGS builds */
} raft_config;

void raft_config_default(raft_config *cfg, raft_id id, uint32_t n_nodes);

/* What the host recovered from its disk at start-up. All zero for a fresh
 * node. `entries[0]` has index snap.index + 1. The host restores its own
 * state machine from the snapshot before calling raft_new. */
typedef struct raft_boot {
    raft_hard_state hs;
    raft_snapshot_meta snap;
    const uint8_t *snap_data; /* copied by raft_new; needed to serve followers */
    size_t snap_len;
    const raft_entry *entries;
    size_t n_entries;
} raft_boot;

typedef struct raft_node raft_node;

/* Create a node (follower, election timer armed). `boot` may be NULL. The io
 * struct is copied. Returns NULL on allocation failure or a bad config. */
raft_node *raft_new(const raft_config *cfg, const raft_io *io, const raft_boot *boot);
void raft_free(raft_node *node);

/* Deliver encoded bytes from peer `from`. Malformed input is counted and
 * dropped (RAFT_EMSG returned); it never crashes the node. */
int raft_receive(raft_node *node, raft_id from, const uint8_t *buf, size_t len);

/* Host time has reached (or passed) raft_next_deadline(): run timers. */
void raft_tick(raft_node *node);
uint64_t raft_next_deadline(const raft_node *node);

/* Writes up to `token` are durable. */
void raft_persisted(raft_node *node, uint64_t token);

/* Leader only: append a command. On success *index and *term identify the
 * entry; it is committed when the host sees apply(index) with that term.
 * RAFT_ENOTLEADER: raft_leader() gives the node's best guess of the leader. */
int raft_propose(raft_node *node, const void *data, size_t len, uint64_t *index,
                 uint64_t *term);

/* Linearizable read (thesis §6.4, ReadIndex). Result via io->read_ready.
 * The heartbeat round that confirms it goes out at the next raft_tick,
 * which raft_next_deadline asks for at once; one round serves every read
 * registered before it. */
int raft_read_index(raft_node *node, uint64_t req_id);

/* Leadership transfer (thesis §3.10) to `target`. */
int raft_transfer(raft_node *node, raft_id target);

/* Queries. */
enum raft_role raft_role(const raft_node *node);
uint64_t raft_term(const raft_node *node);
raft_id raft_leader(const raft_node *node);
uint64_t raft_commit_index(const raft_node *node);
uint64_t raft_applied_index(const raft_node *node);
uint64_t raft_last_index(const raft_node *node);
/* Entry at `index` if it is in the in-memory log (snap.index < index <= last). */
bool raft_entry_at(const raft_node *node, uint64_t index, raft_entry *out);
uint64_t raft_term_at(const raft_node *node, uint64_t index); /* 0 if unknown */

enum { RAFT_MSG_TYPE_SLOTS = 16 };
typedef struct raft_status {
    raft_id id;
    enum raft_role role;
    uint64_t term;
    raft_id vote;
    raft_id leader;
    uint64_t commit_index, applied_index, last_index;
    uint64_t log_entries; /* entries held in memory */
    uint64_t log_bytes;   /* payload bytes held in memory */
    raft_snapshot_meta snap;
    uint64_t elections_started, elections_won;
    uint64_t msgs_sent[RAFT_MSG_TYPE_SLOTS], msgs_recv[RAFT_MSG_TYPE_SLOTS];
    uint64_t bytes_sent, bytes_recv, msgs_malformed;
    uint64_t rtt_mean_ns;         /* leader: mean AppendEntries round trip */
    bool healthy;                 /* leader: heard from a majority within an election timeout;
                                     follower: heard from a leader within one */
    bool read_only;               /* cut off from a quorum: serves no writes */
    uint32_t connected_peers;     /* peers heard from within an election timeout */
    uint64_t last_heartbeat_ns;   /* last valid AppendEntries (follower) / majority ack (leader) */
    uint64_t persisted_token, pending_token;
    uint64_t limit_hits[RAFT_LIMIT__COUNT]; /* RAFT_EV_LIMIT reports, by queue */
} raft_status;
void raft_get_status(const raft_node *node, raft_status *out);

/* Human-readable state dump (state, term, vote, indexes, the first log
 * entries, follower progress). Writes at most `cap` bytes including the NUL;
 * returns the length it wanted (snprintf-style). */
size_t raft_dump(const raft_node *node, char *buf, size_t cap);

/* ---- Deliberate mistakes, for proving that the testbed catches bugs. ----
 * Compiled in only with -DRAFT_BUGS (the `make bugs` build); in every other
 * build cfg.bugs is ignored. Each one breaks exactly the rule it names. */
#define RAFT_BUGS_LIST(X)                                                                  \
    X(NO_UPTODATE_CHECK, "no-uptodate-check", "vote granted without the log up-to-date check") \
    X(COMMIT_OLD_TERM, "commit-old-term", "previous-term entry committed by counting replicas (Figure 8)") \
    X(ACK_BEFORE_PERSIST, "ack-before-persist", "vote or append acknowledged before it is persisted") \
    X(FORGET_VOTE, "forget-vote", "voted-for forgotten on restart")                         \
    X(STALE_TRUNCATE, "stale-truncate", "stale AppendEntries truncates a matching log")     \
    X(ACCEPT_STALE_TERM, "accept-stale-term", "AppendEntries from a stale term accepted")   \
    X(COMMIT_UNCAPPED, "commit-uncapped", "follower commit index not capped by its last new entry") \
    X(APPLY_UNCOMMITTED, "apply-uncommitted", "entries applied beyond the commit index")    \
    X(NO_STEPDOWN, "no-stepdown", "leader does not step down on a higher term in a reply") \
    X(NO_BACKTRACK, "no-backtrack", "next index never lowered after a rejection")          \
    X(SNAP_DROP_SUFFIX, "snap-drop-suffix", "snapshot install drops a matching log suffix") \
    X(SNAP_KEEP_CONFLICT, "snap-keep-conflict", "snapshot install keeps a conflicting log suffix") \
    X(COUNT_SELF_EARLY, "count-self-early", "leader counts its own copy before its write is durable") \
    X(DUPLICATE_VOTES, "duplicate-votes", "candidate counts duplicate votes from one peer") \
    X(BAD_CONFLICT_HINT, "bad-conflict-hint", "conflict hint skips past the real conflict") \
    X(RESTORE_BAD_RECORD, "restore-bad-record", "log-buffer restore reads a record's timestamp from the client-id field") \
    X(DEDUP_FAST_PATH, "dedup-fast-path", "log-buffer apply trusts a restored session array to hold ids dense from 1 (past a gap: another client's session)") \
    X(READ_COUNTS_NOOPS, "read-counts-noops", "log-buffer counters derive the record count from the applied index (no-ops count)") \
    X(STEPDOWN_TERM_VOLATILE, "stepdown-term-volatile", "a higher term adopted on step-down is not persisted") \
    X(STALE_SELF_VOTE, "stale-self-vote", "a follower that lost its candidacy votes again in that term") \
    X(ADOPT_DISRUPTIVE_TERM, "adopt-disruptive-term", "a vote refused while the leader is alive still adopts the candidate's term")
#define RAFT_BUG_ENUM(name, flag, text) RAFT_BUG_INDEX_##name,
enum { RAFT_BUGS_LIST(RAFT_BUG_ENUM) RAFT_BUG__COUNT };
#undef RAFT_BUG_ENUM
#define RAFT_BUG(name) (UINT64_C(1) << RAFT_BUG_INDEX_##name)
const char *raft_bug_flag(int index);  /* "no-uptodate-check", ... */
const char *raft_bug_text(int index);
bool raft_bugs_compiled(void);         /* true in -DRAFT_BUGS builds */

#endif
