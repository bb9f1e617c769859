/* loop.c — the single-threaded event loop.
 *
 * One iteration: wait in epoll_wait until the earliest of the node's next
 * deadline (raft_next_deadline, CLOCK_MONOTONIC ns) and the next reconnect;
 * dispatch socket events (peer messages go to raft_receive, client frames to
 * the client service); run raft_tick if its deadline passed; flush output to
 * peers (a leader's AppendEntries leave before its own disk write, as the
 * paper allows, §10.2.1 of the thesis); then group commit: one store_sync
 * makes every write queued during the iteration durable and raft_persisted
 * reports the highest token (which may queue more writes: repeated, bounded);
 * finally answer ready reads and flush again.
 */
#define _GNU_SOURCE /* epoll */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "raftd.h"

enum { LOOP_MAX_EVENTS = 64, LOOP_MAX_WAIT_MS = 1000 };

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int loop_add(raftd *d, watch *w, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = w};
    w->events = events;
    return epoll_ctl(d->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

void loop_set(raftd *d, watch *w, uint32_t events)
{
    if (w->events == events)
        return;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, w->fd, &ev) == 0)
        w->events = events;
}

void loop_del(raftd *d, watch *w)
{
    if (w->fd >= 0)
        epoll_ctl(d->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

void raftd_fatal(raftd *d, const char *what)
{
    LOG_ERROR("fatal: %s%s%s", what, d->st && d->st->err[0] ? ": " : "",
              d->st ? d->st->err : "");
    exit(1);
}

/* Group commit: everything queued so far becomes durable with one sync. */
static void settle(raftd *d)
{
    /* A snapshot write is made durable inside store_write (it is synced as
     * it is written), so a durable token may be waiting with nothing pending. */
    for (int round = 0; round < RAFTD_SETTLE_ROUNDS; round++) {
        if (!store_pending(d->st) && d->st->token_durable <= d->persisted_token)
            break;
        uint64_t token;
        if (store_sync(d->st, &token) != 0)
            raftd_fatal(d, "storage");
        if (token > d->persisted_token) {
            d->persisted_token = token;
            raft_persisted(d->node, token);
        }
    }
}

static int wait_ms(raftd *d, uint64_t now)
{
    if (store_pending(d->st))
        return 0; /* settle ran out of rounds: sync again before sleeping */
    uint64_t next = raft_next_deadline(d->node);
    uint64_t retry = UINT64_MAX;
    peers_reconnect(d, now, &retry);
    if (retry < next)
        next = retry;
    if (next <= now)
        return 0;
    uint64_t ms = (next - now + 999999) / 1000000;
    return ms > LOOP_MAX_WAIT_MS ? LOOP_MAX_WAIT_MS : (int)ms;
}

int loop_run(raftd *d)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct epoll_event evs[LOOP_MAX_EVENTS];
    while (!stop_requested) {
        int n = epoll_wait(d->epfd, evs, LOOP_MAX_EVENTS, wait_ms(d, mono_ns()));
        if (n < 0 && errno != EINTR)
            raftd_fatal(d, "epoll_wait failed");
        for (int i = 0; i < n; i++) {
            watch *w = evs[i].data.ptr;
            w->fn(d, w, evs[i].events);
        }
        if (mono_ns() >= raft_next_deadline(d->node))
            raft_tick(d->node);
        peers_flush(d);
        settle(d);
        clients_answer_reads(d);
        peers_flush(d);
        clients_flush(d);
    }
    LOG_INFO("stopping on a signal");
    settle(d);
    return 0;
}
