/* peer.c — TCP links between the nodes.
 *
 * Each ordered pair has its own connection: node i connects to node j and
 * only writes on it; j only reads. So there is no tie-break between two
 * nodes dialling each other, and a link's state is one side's business.
 * A link starts with a hello frame (magic, sender id, cluster size); every
 * later frame is one message in the core's wire codec (core/msg.h), handed
 * to raft_receive as it is — the core validates it.
 *
 * A link that is down drops what is sent to it (Raft tolerates loss and
 * retransmits); it is redialled with exponential backoff (RECONNECT_MIN_NS
 * doubling up to RECONNECT_MAX_NS). The FAULT hook (--allow-faults) drops
 * messages to or from chosen peers, to partition a node in tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "raftd.h"

enum { HELLO_LEN = 16 };
static const char HELLO_MAGIC[8] = "RAFTDHI1";
#define RECONNECT_MIN_NS 50000000u    /* 50 ms */
#define RECONNECT_MAX_NS 1000000000u  /* 1 s */

static void out_event(raftd *d, watch *w, uint32_t events);
static void in_event(raftd *d, watch *w, uint32_t events);

static peer_out *out_of(raftd *d, watch *w)
{
    for (raft_id id = 1; id <= d->cfg.n_nodes; id++)
        if (&d->out[id].w == w)
            return &d->out[id];
    return NULL;
}

static void out_down(raftd *d, raft_id id, const char *why)
{
    peer_out *p = &d->out[id];
    if (p->connected)
        LOG_WARN("link to n%u down: %s", id, why);
    loop_del(d, &p->w);
    conn_close(&p->c);
    p->w.fd = -1;
    p->connected = false;
    p->backoff_ns = p->backoff_ns ? p->backoff_ns * 2 : RECONNECT_MIN_NS;
    if (p->backoff_ns > RECONNECT_MAX_NS)
        p->backoff_ns = RECONNECT_MAX_NS;
    p->retry_at_ns = mono_ns() + p->backoff_ns;
}

static void dial(raftd *d, raft_id id)
{
    peer_out *p = &d->out[id];
    int fd = net_connect(&d->cfg.peer_addr[id]);
    if (fd < 0) {
        out_down(d, id, strerror(errno));
        return;
    }
    conn_init(&p->c, fd, RAFTD_PEER_FRAME_MAX, RAFTD_PEER_OUT_MAX);
    p->w = (watch){.fd = fd, .fn = out_event};
    if (loop_add(d, &p->w, EPOLLOUT | EPOLLIN) != 0) {
        out_down(d, id, "epoll");
        return;
    }
    p->retry_at_ns = UINT64_MAX; /* until the connect completes or fails */
}

static void connected(raftd *d, raft_id id)
{
    peer_out *p = &d->out[id];
    uint8_t hello[HELLO_LEN];
    memcpy(hello, HELLO_MAGIC, 8);
    le32_put(hello + 8, d->cfg.id);
    le32_put(hello + 12, d->cfg.n_nodes);
    p->connected = true;
    p->backoff_ns = 0;
    conn_send(&p->c, hello, sizeof hello);
    char addr[CONN_ADDR_MAX];
    net_format_addr(&d->cfg.peer_addr[id], addr, sizeof addr);
    LOG_INFO("link to n%u (%s) up", id, addr);
}

static void out_event(raftd *d, watch *w, uint32_t events)
{
    peer_out *p = out_of(d, w);
    raft_id id = (raft_id)(p - d->out);
    if (!p->connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err || (events & (EPOLLERR | EPOLLHUP))) {
            out_down(d, id, strerror(err ? err : ECONNRESET));
            return;
        }
        connected(d, id);
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) { /* we never expect data: EOF or error */
        if (conn_read(&p->c) != 0) {
            out_down(d, id, "closed by the peer");
            return;
        }
        p->c.in.len = p->c.in_off = 0;
    }
    if (conn_flush(&p->c) != 0)
        out_down(d, id, "write failed");
    else
        loop_set(d, w, EPOLLIN | (conn_pending(&p->c) ? EPOLLOUT : 0));
}

void peers_send(raftd *d, raft_id to, const uint8_t *buf, size_t len)
{
    if (to < 1 || to > d->cfg.n_nodes || to == d->cfg.id)
        return;
    peer_out *p = &d->out[to];
    if ((d->drop_out_mask >> to) & 1 || !p->connected || conn_send(&p->c, buf, len) != 0)
        p->dropped++;
}

void peers_flush(raftd *d)
{
    for (raft_id id = 1; id <= d->cfg.n_nodes; id++) {
        peer_out *p = &d->out[id];
        if (!p->connected || !conn_pending(&p->c))
            continue;
        if (conn_flush(&p->c) != 0)
            out_down(d, id, "write failed");
        else
            loop_set(d, &p->w, EPOLLIN | (conn_pending(&p->c) ? EPOLLOUT : 0));
    }
}

void peers_reconnect(raftd *d, uint64_t now, uint64_t *next_ns)
{
    for (raft_id id = 1; id <= d->cfg.n_nodes; id++) {
        peer_out *p = &d->out[id];
        if (id == d->cfg.id || p->connected || (p->w.fd >= 0 && p->retry_at_ns == UINT64_MAX))
            continue;
        if (p->retry_at_ns <= now)
            dial(d, id);
        if (!p->connected && p->retry_at_ns < *next_ns)
            *next_ns = p->retry_at_ns;
    }
}

/* ---- inbound links ---- */

static void in_close(raftd *d, peer_in *pi, const char *why)
{
    if (pi->id)
        LOG_INFO("link from n%u closed: %s", pi->id, why);
    loop_del(d, &pi->w);
    conn_close(&pi->c);
    for (peer_in **pp = &d->in; *pp; pp = &(*pp)->next) {
        if (*pp == pi) {
            *pp = pi->next;
            break;
        }
    }
    free(pi);
}

static bool hello_ok(raftd *d, peer_in *pi, const uint8_t *b, size_t len)
{
    if (len != HELLO_LEN || memcmp(b, HELLO_MAGIC, 8) != 0)
        return false;
    uint32_t id = le32_get(b + 8), n = le32_get(b + 12);
    if (id < 1 || id > d->cfg.n_nodes || id == d->cfg.id || n != d->cfg.n_nodes) {
        LOG_WARN("refused a link: hello from n%u of a %u-node cluster", id, n);
        return false;
    }
    pi->id = id;
    LOG_INFO("link from n%u up", id);
    return true;
}

static void in_event(raftd *d, watch *w, uint32_t events)
{
    peer_in *pi = (peer_in *)w; /* the watch is the first member */
    (void)events;
    int rc = conn_read(&pi->c);
    const uint8_t *body;
    size_t len;
    int got;
    while ((got = conn_next(&pi->c, &body, &len)) == 1) {
        if (!pi->id) {
            if (!hello_ok(d, pi, body, len)) {
                in_close(d, pi, "bad hello");
                return;
            }
            continue;
        }
        if ((d->drop_in_mask >> pi->id) & 1)
            continue;
        if (raft_receive(d->node, pi->id, body, len) != RAFT_OK)
            d->frames_malformed++;
    }
    if (got < 0)
        in_close(d, pi, "frame over the size limit");
    else if (rc != 0)
        in_close(d, pi, "end of stream");
}

static void listen_event(raftd *d, watch *w, uint32_t events)
{
    (void)events;
    int fd;
    while ((fd = net_accept(w->fd)) >= 0) {
        peer_in *pi = calloc(1, sizeof *pi);
        if (!pi) {
            close(fd);
            continue;
        }
        conn_init(&pi->c, fd, RAFTD_PEER_FRAME_MAX, 0);
        pi->w = (watch){.fd = fd, .fn = in_event};
        if (loop_add(d, &pi->w, EPOLLIN) != 0) {
            conn_close(&pi->c);
            free(pi);
            continue;
        }
        pi->next = d->in;
        d->in = pi;
    }
}

int peers_start(raftd *d)
{
    int fd = net_listen(&d->cfg.peer_addr[d->cfg.id]);
    char addr[CONN_ADDR_MAX];
    net_format_addr(&d->cfg.peer_addr[d->cfg.id], addr, sizeof addr);
    if (fd < 0) {
        LOG_ERROR("cannot listen for peers on %s: %s", addr, strerror(errno));
        return -1;
    }
    d->peer_listen = (watch){.fd = fd, .fn = listen_event};
    if (loop_add(d, &d->peer_listen, EPOLLIN) != 0)
        return -1;
    for (raft_id id = 1; id <= d->cfg.n_nodes; id++) {
        d->out[id].w.fd = -1;
        d->out[id].retry_at_ns = 0;
    }
    LOG_INFO("listening for peers on %s", addr);
    return 0;
}

void peers_status(raftd *d, bbuf *out)
{
    char line[128];
    for (raft_id id = 1; id <= d->cfg.n_nodes; id++) {
        if (id == d->cfg.id)
            continue;
        int n = snprintf(line, sizeof line, "link_n%u=%s dropped=%" PRIu64 "\n", id,
                         d->out[id].connected ? "up" : "down", d->out[id].dropped);
        bbuf_put(out, line, (size_t)n);
    }
}
