/* ctl.h — raftctl's connection to a cluster: blocking request/response over
 * the client protocol (tools/raftd/client_proto.h), leader following and
 * retries, all bounded by an overall deadline. */
#ifndef RAFTCTL_CTL_H
#define RAFTCTL_CTL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../../core/raft.h"
#include "../raftd/client_proto.h"
#include "../raftd/conn.h"

typedef struct ctl {
    struct sockaddr_in addr[RAFT_MAX_NODES + 1]; /* by node id */
    uint32_t n;
    conn c[RAFT_MAX_NODES + 1];
    uint32_t only;        /* --node: talk to this node only, follow no hint */
    uint32_t target;      /* whom to ask first */
    uint64_t deadline_ns; /* overall, CLOCK_MONOTONIC */
    uint64_t request_timeout_ns;
    uint64_t next_req_id;
    uint64_t requests, retries;
    bool verbose;
    bbuf resp; /* the last response frame */
    FILE *history;      /* --history: every operation, for raftd_histcheck */
    uint64_t client_id; /* this run's session */
} ctl;

uint64_t ctl_now_ns(void);
/* "A,B,C" (node i is the i-th) or "1=A,2=B". 0 or -1. */
int ctl_parse_cluster(ctl *c, char *list);
void ctl_close(ctl *c);

/* One request to node `id`, waiting for its response. 0 and *resp (its body
 * borrowed from c->resp), or -1 (unreachable, timed out, malformed). */
int ctl_call(ctl *c, uint32_t id, bbuf *req, cp_response *resp);
/* The request to the leader: follows NOT_LEADER hints, retries RETRY and
 * failures with backoff (the same bytes: an APPEND keeps its sequence
 * numbers) until OK or ERROR or the deadline. 0 with *resp, or -1. */
int ctl_call_leader(ctl *c, bbuf *req, cp_response *resp);

#endif
