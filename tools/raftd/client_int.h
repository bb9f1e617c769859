/* client_int.h — the client service's internals, shared by client.c
 * (connections, dispatch, appends), client_read.c (linearizable queries) and
 * client_ops.c (status, dump, transfer, fault). */
#ifndef RAFTD_CLIENT_INT_H
#define RAFTD_CLIENT_INT_H

#include "client_ack.h"
#include "client_proto.h"
#include "raftd.h"

/* An APPEND request waiting for its records to be applied. It is answered
 * once (`done`), and freed when no proposal refers to it any more. */
typedef struct pending_append {
    struct pending_append *next;
    client_conn *cc; /* NULL once the connection closed */
    uint64_t req_id;
    uint64_t client_id, first_seq; /* record k is the client's seq first_seq + k */
    uint32_t count;
    uint32_t waiting;  /* records not yet applied */
    uint32_t inflight; /* proposals of it in d->props */
    bool done;
    uint64_t index[]; /* where each record is stored (0: stored earlier, index unknown) */
} pending_append;

typedef struct pending_read {
    struct pending_read *next;
    client_conn *cc;
    uint64_t req_id;  /* the client's */
    uint64_t read_id; /* ours, for raft_read_index */
    uint8_t mode;
    uint64_t a, b;
    bool ready;
    uint64_t index; /* safe to answer once applied reaches it */
} pending_read;

/* Send a response frame; a connection whose queue overflows is closed. */
void client_reply(raftd *d, client_conn *cc, bbuf *b);
/* A bare response: status and leader hint, no body. */
void client_reply_status(raftd *d, client_conn *cc, uint8_t op, uint64_t req_id,
                         uint8_t status, uint32_t hint);
void client_reply_error(raftd *d, client_conn *cc, uint8_t op, uint64_t req_id,
                        const char *msg);
/* The node's guess of the leader, 0 if unknown or itself. */
uint32_t client_leader_hint(raftd *d);

void client_query(raftd *d, client_conn *cc, const cp_request *rq);
void client_reads_forget(raftd *d, client_conn *cc);
void client_status(raftd *d, client_conn *cc, const cp_request *rq);
void client_dump(raftd *d, client_conn *cc, const cp_request *rq);
void client_transfer(raftd *d, client_conn *cc, const cp_request *rq);
void client_fault(raftd *d, client_conn *cc, const cp_request *rq);

#endif
