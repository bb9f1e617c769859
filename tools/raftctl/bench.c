/* bench.c — `raftctl bench`: appends per second and latency percentiles.
 *
 * C clients, each its own session (client id) on its own connection to the
 * leader, each with one APPEND of B records outstanding at a time (so C × B
 * records in flight), for S seconds. A request's latency runs from its send
 * to its acknowledgement (commit and apply at the leader). A NOT_LEADER or
 * RETRY answer is counted and the same request (same sequence numbers) sent
 * again. Output: one line of key=value figures, for scripts. */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { BENCH_MAX_CLIENTS = 256 };

typedef struct bclient {
    conn c;
    uint64_t client_id, seq, req_id, sent_ns;
    bbuf req;
} bclient;

static void build(bclient *b, uint32_t batch, uint32_t size)
{
    char rec[CP_MAX_RECORD];
    memset(rec, 'b', size);
    b->req.len = 0;
    cp_request_head(&b->req, CP_APPEND, ++b->req_id);
    bbuf_u64(&b->req, b->client_id);
    bbuf_u64(&b->req, b->seq);
    bbuf_u32(&b->req, batch);
    for (uint32_t i = 0; i < batch; i++)
        cp_put_record(&b->req, rec, size);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return (double)v[i] / 1e6;
}

/* Read answers on one client; 1 if its request completed, -1 on failure. */
static int on_readable(bclient *b, uint64_t now, uint64_t *lat, size_t *n_lat, size_t cap,
                       uint64_t *retries, uint32_t batch)
{
    if (conn_read(&b->c) != 0)
        return -1;
    const uint8_t *body;
    size_t len;
    while (conn_next(&b->c, &body, &len) == 1) {
        cp_response r;
        if (!cp_decode_response(body, len, &r) || r.req_id != b->req_id)
            continue;
        if (r.status != CP_OK) { /* resend the same request */
            (*retries)++;
            if (conn_send(&b->c, b->req.p, b->req.len) != 0)
                return -1;
            continue;
        }
        if (*n_lat < cap)
            lat[(*n_lat)++] = now - b->sent_ns;
        b->seq += batch;
        return 1;
    }
    return 0;
}

/* Median round trip of a STATUS request to node `id`: the network's cost. */
static uint64_t ping_median_us(ctl *c, uint32_t id)
{
    enum { PINGS = 101 };
    uint64_t v[PINGS];
    size_t n = 0;
    for (int i = 0; i < PINGS; i++) {
        bbuf req = {0};
        cp_request_head(&req, CP_STATUS, 0);
        cp_response r;
        uint64_t t0 = ctl_now_ns();
        if (ctl_call(c, id, &req, &r) == 0)
            v[n++] = ctl_now_ns() - t0;
        bbuf_free(&req);
    }
    qsort(v, n, sizeof v[0], cmp_u64);
    return n ? v[n / 2] / 1000 : 0;
}

int bench_run(ctl *c, uint32_t clients, uint32_t batch, uint32_t size, double seconds,
              uint64_t id_base)
{
    if (clients < 1 || clients > BENCH_MAX_CLIENTS || batch < 1 || batch > CP_MAX_BATCH ||
        size < 1 || size > CP_MAX_RECORD) {
        fprintf(stderr, "raftctl: bench: clients 1..%d, batch 1..%d, size 1..%d\n",
                BENCH_MAX_CLIENTS, CP_MAX_BATCH, CP_MAX_RECORD);
        return 2;
    }
    id_base = (id_base & ~(uint64_t)0xFFFF) + 1; /* room for the clients, never 0 */
    uint32_t leader = bench_find_leader(c);
    if (!leader)
        return 1;
    uint64_t ping_us = ping_median_us(c, leader);
    size_t cap = 1 << 22;
    uint64_t *lat = malloc(cap * sizeof *lat);
    bclient *cl = calloc(clients, sizeof *cl);
    struct pollfd *pf = calloc(clients, sizeof *pf);
    if (!lat || !cl || !pf)
        return 1;
    uint64_t t0 = ctl_now_ns(), end = t0 + (uint64_t)(seconds * 1e9), retries = 0;
    size_t n_lat = 0;
    int rc = 0;
    for (uint32_t i = 0; i < clients && rc == 0; i++) {
        int fd = net_connect(&c->addr[leader]);
        conn_init(&cl[i].c, fd, CP_FRAME_MAX, CP_FRAME_MAX + 64);
        cl[i].client_id = id_base + i;
        cl[i].seq = 1;
        build(&cl[i], batch, size);
        cl[i].sent_ns = ctl_now_ns();
        if (fd < 0 || conn_send(&cl[i].c, cl[i].req.p, cl[i].req.len) != 0)
            rc = 1;
    }
    while (rc == 0 && ctl_now_ns() < end) {
        for (uint32_t i = 0; i < clients; i++) {
            if (conn_flush(&cl[i].c) != 0)
                rc = 1;
            pf[i] = (struct pollfd){.fd = cl[i].c.fd,
                                    .events = POLLIN | (conn_pending(&cl[i].c) ? POLLOUT : 0)};
        }
        if (poll(pf, clients, 100) < 0)
            break;
        uint64_t now = ctl_now_ns();
        for (uint32_t i = 0; i < clients && rc == 0; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int got = on_readable(&cl[i], now, lat, &n_lat, cap, &retries, batch);
            if (got < 0) {
                fprintf(stderr, "raftctl: bench: connection to node %u lost\n", leader);
                rc = 1;
            } else if (got == 1) {
                build(&cl[i], batch, size);
                cl[i].sent_ns = ctl_now_ns();
                if (conn_send(&cl[i].c, cl[i].req.p, cl[i].req.len) != 0)
                    rc = 1;
            }
        }
    }
    double secs = (double)(ctl_now_ns() - t0) / 1e9;
    qsort(lat, n_lat, sizeof *lat, cmp_u64);
    if (rc == 0)
        printf("clients=%u batch=%u size=%u in_flight=%u seconds=%.2f requests=%zu "
               "appends_per_s=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
               "retries=%" PRIu64 " ping_us=%" PRIu64 "\n",
               clients, batch, size, clients * batch, secs, n_lat,
               (double)n_lat * batch / secs, pct(lat, n_lat, 0.50), pct(lat, n_lat, 0.90),
               pct(lat, n_lat, 0.99), pct(lat, n_lat, 1.0), retries, ping_us);
    for (uint32_t i = 0; i < clients; i++) {
        conn_close(&cl[i].c);
        bbuf_free(&cl[i].req);
    }
    free(lat);
    free(cl);
    free(pf);
    return rc;
}
