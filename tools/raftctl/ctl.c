/* ctl.c — raftctl's transport: one framed connection per node (conn.h),
 * poll() with timeouts, leader following and retries (see ctl.h). */
#include "ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum { BACKOFF_MIN_MS = 20, BACKOFF_MAX_MS = 500 };

uint64_t ctl_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

int ctl_parse_cluster(ctl *c, char *list)
{
    uint32_t pos = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        uint32_t id = ++pos;
        char *eq = strchr(tok, '=');
        if (eq) {
            id = (uint32_t)strtoul(tok, NULL, 10);
            tok = eq + 1;
        }
        if (id < 1 || id > RAFT_MAX_NODES || net_parse_addr(tok, &c->addr[id]) != 0)
            return -1;
        if (id > c->n)
            c->n = id;
    }
    for (uint32_t id = 1; id <= c->n; id++) {
        if (!c->addr[id].sin_family)
            return -1;
        conn_init(&c->c[id], -1, CP_FRAME_MAX, CP_FRAME_MAX + 64);
    }
    return c->n ? 0 : -1;
}

void ctl_close(ctl *c)
{
    for (uint32_t id = 1; id <= c->n; id++)
        conn_close(&c->c[id]);
    bbuf_free(&c->resp);
}

static int wait_fd(int fd, short events, uint64_t until)
{
    for (;;) {
        uint64_t now = ctl_now_ns();
        if (now >= until)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int ms = (int)((until - now + 999999) / 1000000);
        int rc = poll(&p, 1, ms);
        if (rc < 0 && errno == EINTR)
            continue;
        return rc < 0 ? -1 : rc ? p.revents : 0;
    }
}

static int ensure_connected(ctl *c, uint32_t id, uint64_t until)
{
    conn *k = &c->c[id];
    if (k->fd >= 0)
        return 0;
    int fd = net_connect(&c->addr[id]);
    if (fd < 0)
        return -1;
    conn_init(k, fd, CP_FRAME_MAX, CP_FRAME_MAX + 64);
    int ev = wait_fd(fd, POLLOUT, until);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (ev <= 0 || err) {
        conn_close(k);
        return -1;
    }
    return 0;
}

static int exchange(ctl *c, uint32_t id, uint64_t req_id, uint64_t until, cp_response *resp)
{
    conn *k = &c->c[id];
    for (;;) {
        if (conn_flush(k) != 0)
            return -1;
        int ev = wait_fd(k->fd, POLLIN | (conn_pending(k) ? POLLOUT : 0), until);
        if (ev <= 0)
            return -1; /* timed out or failed */
        bool eof = (ev & (POLLIN | POLLHUP | POLLERR)) && conn_read(k) != 0;
        const uint8_t *body;
        size_t len;
        int got;
        while ((got = conn_next(k, &body, &len)) == 1) {
            cp_response r;
            if (!cp_decode_response(body, len, &r))
                return -1;
            if (r.req_id != req_id)
                continue; /* the answer to an attempt we gave up on */
            c->resp.len = 0;
            bbuf_put(&c->resp, body, len);
            if (c->resp.oom || !cp_decode_response(c->resp.p, c->resp.len, resp))
                return -1;
            return 0;
        }
        if (got < 0 || eof)
            return -1;
    }
}

int ctl_call(ctl *c, uint32_t id, bbuf *req, cp_response *resp)
{
    uint64_t now = ctl_now_ns();
    uint64_t until = now + c->request_timeout_ns;
    if (until > c->deadline_ns)
        until = c->deadline_ns;
    uint64_t req_id = ++c->next_req_id;
    le64_put(req->p + 1, req_id); /* a fresh id per attempt: stale answers are skipped */
    c->requests++;
    if (ensure_connected(c, id, until) != 0 || conn_send(&c->c[id], req->p, req->len) != 0 ||
        exchange(c, id, req_id, until, resp) != 0) {
        if (c->verbose)
            fprintf(stderr, "raftctl: node %u: no answer\n", id);
        conn_close(&c->c[id]);
        return -1;
    }
    return 0;
}

int ctl_call_leader(ctl *c, bbuf *req, cp_response *resp)
{
    uint64_t backoff = BACKOFF_MIN_MS;
    uint32_t hops = 0;
    if (c->only)
        c->target = c->only;
    if (c->target < 1 || c->target > c->n)
        c->target = 1;
    while (ctl_now_ns() < c->deadline_ns) {
        uint32_t id = c->target;
        int rc = ctl_call(c, id, req, resp);
        if (rc == 0 && (resp->status == CP_OK || resp->status == CP_ERROR))
            return 0;
        c->retries++;
        if (rc == 0 && resp->status == CP_NOT_LEADER && c->only)
            return -1; /* told to talk to this node only */
        if (rc == 0 && resp->status == CP_NOT_LEADER && resp->leader_hint >= 1 &&
            resp->leader_hint <= c->n && resp->leader_hint != id && hops++ < 2 * c->n) {
            if (c->verbose)
                fprintf(stderr, "raftctl: node %u says the leader is %u\n", id,
                        resp->leader_hint);
            c->target = resp->leader_hint; /* follow the hint at once */
            continue;
        }
        hops = 0;
        if (!c->only && (rc != 0 || resp->status == CP_NOT_LEADER))
            c->target = id % c->n + 1; /* no answer or no hint: try the next node */
        sleep_ms(backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return -1;
}
