/* client_proto.h — the client protocol of raftd, shared with raftctl.
 *
 * Every request and response is one frame (conn.h). Integers little-endian.
 *   request:  u8 op | u64 req_id | body
 *   response: u8 op | u64 req_id | u8 status | u32 leader_hint | body
 * Bodies (request → OK response):
 *   APPEND    u64 client_id | u64 first_seq | u32 count | count × (u32 len | bytes)
 *             → u32 count | count × u64 index (where each record is stored)
 *             Record k carries sequence number first_seq + k. A retry sends the
 *             same client id and numbers: the log buffer's sessions (thesis §6.3)
 *             store each (client, seq) once. One request per client at a time.
 *   QUERY     u8 mode | u64 a | u64 b  (ALL; LAST a; RANGE a..b; TIME a..b ns)
 *             → u64 read_index | u64 records_total | u32 count | u8 truncated |
 *               count × (u64 index | u64 timestamp_ns | u64 client | u64 seq | u32 len | bytes)
 *             Linearizable (ReadIndex, thesis §6.4): leader only.
 *   STATUS    → u32 len | text ("key=value" lines), any node, from its own state
 *   DUMP      → u32 len | text (raft_dump and the store), any node
 *   TRANSFER  u32 target → (nothing); leader only (thesis §3.10)
 *   FAULT     u64 drop_in_mask | u64 drop_out_mask → (nothing): test hook, honoured
 *             only by a node started with --allow-faults (bit i = peer id i)
 * A non-OK status carries no body except ERROR: u32 len | message. NOT_LEADER
 * carries the node's guess of the leader (0 = unknown) in leader_hint.
 */
#ifndef RAFTD_CLIENT_PROTO_H
#define RAFTD_CLIENT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

enum cp_op { CP_APPEND = 1, CP_QUERY, CP_STATUS, CP_DUMP, CP_TRANSFER, CP_FAULT, CP__END };
enum cp_status { CP_OK = 0, CP_NOT_LEADER = 1, CP_RETRY = 2, CP_ERROR = 3 };
enum cp_query_mode { CP_Q_ALL = 0, CP_Q_LAST, CP_Q_RANGE, CP_Q_TIME };

enum {
    CP_FRAME_MAX = 8 << 20,     /* largest request or response body */
    CP_MAX_BATCH = 4096,        /* records in one APPEND */
    CP_MAX_RECORD = 64 << 10,   /* bytes in one record */
    CP_RESPONSE_HEAD = 1 + 8 + 1 + 4,
};

typedef struct cp_request {
    uint8_t op;
    uint64_t req_id;
    union {
        struct {
            uint64_t client_id, first_seq;
            uint32_t count;
            brd recs; /* count × (u32 len | bytes), validated; read with cp_next_record */
        } append;
        struct {
            uint8_t mode;
            uint64_t a, b;
        } query;
        struct {
            uint32_t target;
        } transfer;
        struct {
            uint64_t drop_in, drop_out;
        } fault;
    };
} cp_request;

typedef struct cp_response {
    uint8_t op;
    uint64_t req_id;
    uint8_t status;
    uint32_t leader_hint;
    brd body; /* the rest, for the op's own reader */
} cp_response;

const char *cp_op_name(int op);
const char *cp_status_name(int status);

/* Decode and validate a request. false: malformed. */
bool cp_decode_request(const uint8_t *p, size_t len, cp_request *out);
/* The next record of a decoded APPEND. */
bool cp_next_record(brd *recs, const uint8_t **data, uint32_t *len);
bool cp_decode_response(const uint8_t *p, size_t len, cp_response *out);

/* Encoders: a head, then the op's fields with bbuf_u64 and friends. */
void cp_request_head(bbuf *b, uint8_t op, uint64_t req_id);
void cp_response_head(bbuf *b, uint8_t op, uint64_t req_id, uint8_t status, uint32_t hint);
void cp_put_record(bbuf *b, const void *data, uint32_t len);
/* A u32-length-prefixed text. */
void cp_put_text(bbuf *b, const char *text, size_t len);
bool cp_get_text(brd *r, const char **text, size_t *len);

#endif
