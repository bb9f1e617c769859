/* msg.h — Raft RPCs and client requests, and their versioned wire codec.
 *
 * Wire format (all integers little-endian, lengths bounds-checked on decode):
 *   u8 version (RAFT_WIRE_VERSION) | u8 type | u16 from | u64 term | body
 * Bodies are fixed fields followed, where needed, by variable parts; see
 * msg.c for the exact layout of each. Decoding never reads past `len`, never
 * writes past the caller's scratch, and rejects trailing bytes.
 */
#ifndef RAFT_MSG_H
#define RAFT_MSG_H

#include "raft.h"

#define RAFT_WIRE_VERSION 1

/* Raft peer messages first (indexes < RAFT_MSG_TYPE_SLOTS for status counters),
 * then the client protocol of the log-buffer service. */
#define RAFT_MSG_TYPES(X)                                        \
    X(RAFT_MSG_REQUEST_VOTE, 1, "RequestVote")                   \
    X(RAFT_MSG_REQUEST_VOTE_RESP, 2, "RequestVoteResp")          \
    X(RAFT_MSG_APPEND_ENTRIES, 3, "AppendEntries")               \
    X(RAFT_MSG_APPEND_ENTRIES_RESP, 4, "AppendEntriesResp")      \
    X(RAFT_MSG_INSTALL_SNAPSHOT, 5, "InstallSnapshot")           \
    X(RAFT_MSG_INSTALL_SNAPSHOT_RESP, 6, "InstallSnapshotResp")  \
    X(RAFT_MSG_TIMEOUT_NOW, 7, "TimeoutNow")                     \
    X(RAFT_MSG_CLIENT_APPEND, 8, "ClientAppend")                 \
    X(RAFT_MSG_CLIENT_APPEND_RESP, 9, "ClientAppendResp")        \
    X(RAFT_MSG_CLIENT_READ, 10, "ClientRead")                    \
    X(RAFT_MSG_CLIENT_READ_RESP, 11, "ClientReadResp")
#define RAFT_MSG_ENUM(name, code, text) name = code,
enum raft_msg_type { RAFT_MSG_TYPES(RAFT_MSG_ENUM) RAFT_MSG__END };
#undef RAFT_MSG_ENUM
_Static_assert((int)RAFT_MSG__END <= (int)RAFT_MSG_TYPE_SLOTS,
               "status counters sized for every type");
const char *raft_msg_type_name(int type); /* "AppendEntries", or "?" */
int raft_msg_type_from_name(const char *name); /* 0 if unknown */

enum raft_client_status {
    RAFT_CLIENT_OK = 0,
    RAFT_CLIENT_NOT_LEADER = 1, /* retry at leader_hint (0 = unknown) */
    RAFT_CLIENT_RETRY = 2,      /* leader busy / lost leadership: retry later */
    RAFT_CLIENT_TOO_BIG = 3,    /* the command exceeds max_entry_bytes: never retry */
};

typedef struct raft_msg {
    uint8_t type;  /* enum raft_msg_type */
    raft_id from;  /* sender's id (nodes 1..N; clients use their endpoint id) */
    uint64_t term; /* sender's current term (0 in client messages) */
    union {
        struct {
            uint64_t last_index, last_term;
            bool prevote;  /* a PreVote request: term is the prospective term */
            bool transfer; /* sent because of TimeoutNow: bypasses leader stickiness */
        } rv;
        struct {
            bool granted;
            bool prevote;
        } rvr;
        struct {
            uint64_t prev_index, prev_term, leader_commit;
            uint64_t seq;      /* leader's probe/heartbeat counter, echoed in the reply */
            uint32_t n_entries;
            const raft_entry *entries; /* encode: caller's; decode: caller's scratch,
                                          data pointing into the input buffer */
        } ae;
        struct {
            bool success;
            uint64_t seq;         /* echo of ae.seq; 0 if refused for its stale term */
            /* success: last index known to match the leader; rejection: the
             * prevLogIndex refused (etcd's rejected index; 0: stale term) */
            uint64_t match_index;
            uint64_t conflict_index, conflict_term; /* rejection hint (paper §5.3) */
            uint64_t last_index;  /* follower's last log index */
        } aer;
        struct {
            uint64_t last_index, last_term; /* snapshot metadata */
            uint64_t offset, total_len;
            bool done;
            uint32_t len;
            const uint8_t *data;
        } is;
        struct {
            uint64_t last_index;  /* snapshot this answers */
            uint64_t next_offset; /* bytes received so far (== total when installed) */
            bool done;
        } isr;
        struct {
            uint64_t client_id, seq;
            uint32_t len;
            const uint8_t *data;
        } capp;
        struct {
            uint64_t client_id, seq;
            uint8_t status; /* enum raft_client_status */
            raft_id leader_hint;
            uint64_t index; /* where the record sits in the log (OK only) */
        } cappr;
        struct {
            uint64_t client_id, seq;
            uint32_t last_n; /* how many of the newest records to return the ids of */
        } cread;
        struct {
            uint64_t client_id, seq;
            uint8_t status;
            raft_id leader_hint;
            uint64_t read_index;    /* index the read was served at */
            uint64_t records_total; /* records applied so far */
            uint64_t digest;        /* log-buffer digest at read_index */
        } creadr;
    };
} raft_msg;

/* Exact size of the encoding of `m`. */
size_t raft_msg_encoded_size(const raft_msg *m);
/* Encode into buf (cap bytes). Returns the number of bytes written, or 0 if
 * cap is too small or the message is invalid (buf's contents are then
 * unspecified). */
size_t raft_msg_encode(const raft_msg *m, uint8_t *buf, size_t cap);
/* Decode. AppendEntries entries go into `scratch` (capacity `scratch_cap`);
 * their data and any other variable part point into `buf`, which must outlive
 * `out`. On RAFT_OK the header and every field of the type's body are set;
 * the union's other members are left as they were (unspecified); on an
 * error all of `out` is unspecified. Returns RAFT_OK or RAFT_EMSG (bad version/type, truncated, trailing
 * bytes, count over scratch_cap, lengths past the end, invalid flags). */
int raft_msg_decode(const uint8_t *buf, size_t len, raft_msg *out, raft_entry *scratch,
                    size_t scratch_cap);

#endif
