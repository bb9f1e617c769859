/* naive.c — the naive replication baseline behind the same host interface.
 *
 * The protocol the Raft paper argues against (§1): node 1 is the leader
 * forever, in term 1. A proposal on node 1 is appended to its log and
 * persisted; it is "committed" and applied as soon as its own write is durable
 * (no quorum: a majority of one), and it is sent at once, as an AppendEntries
 * of term 1, to every replica. A replica appends whatever arrives at the end of
 * its log — no prevIndex/prevTerm check, no votes, no commit rule — and applies
 * it immediately. A dropped, duplicated or reordered message therefore makes
 * the replicas diverge, and the simulator's checker reports it
 * (state-machine-safety, log-matching). That is the point of this file.
 *
 * It reports the same events as raft.c (TERM, ROLE, APPEND, COMMIT, APPLY,
 * PERSISTED), so the checker and the trace watch it unchanged. Events are first
 * emitted from the first tick (deadline = creation time), never from create,
 * so the host already holds the node when its observer runs.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "proto.h"

enum { NAIVE_LEADER = 1, NAIVE_TERM = 1 };

typedef struct naive_entry {
    uint64_t term;
    uint64_t token; /* durable write that carried it (0 = recovered from disk) */
    uint32_t type, len;
    uint8_t *data;
} naive_entry;

typedef struct naive_node {
    raft_config cfg;
    raft_io io;
    bool started;
    uint64_t start_ns;
    naive_entry *log; /* log[i] holds index i + 1 */
    uint64_t last, cap;
    uint64_t log_bytes; /* payload bytes held, for status */
    uint64_t commit, applied;
    uint64_t next_token, persisted_token;
    uint8_t *sendbuf;
    size_t sendbuf_cap;
    raft_entry *scratch; /* RAFT_MAX_BATCH decode slots */
    raft_status counters; /* message and byte counters only */
} naive_node;

static bool naive_is_leader(const naive_node *n) { return n->cfg.id == NAIVE_LEADER; }

static void naive_event(naive_node *n, enum raft_event_kind kind, uint64_t a, uint64_t b)
{
    if (!n->io.event)
        return;
    raft_event ev = {.kind = kind, .a = a, .b = b};
    n->io.event(n->io.ctx, &ev);
}

static raft_entry naive_view(const naive_entry *e)
{
    return (raft_entry){.term = e->term, .type = e->type, .len = e->len, .data = e->data};
}

/* Append one entry at the end of the log (copying its data). */
static int naive_append(naive_node *n, uint64_t term, uint32_t type, const uint8_t *data,
                        uint32_t len)
{
    if (n->last == n->cap) {
        uint64_t cap = n->cap ? n->cap * 2 : 64;
        naive_entry *log = realloc(n->log, cap * sizeof *log);
        if (!log)
            return RAFT_ENOMEM;
        n->log = log;
        n->cap = cap;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return RAFT_ENOMEM;
    if (len)
        memcpy(copy, data, len);
    n->log[n->last] = (naive_entry){.term = term, .type = type, .len = len, .data = copy};
    n->last++;
    n->log_bytes += len;
    return RAFT_OK;
}

/* Persist entry `index` (the only entry of its write). */
static void naive_persist(naive_node *n, uint64_t index)
{
    assert(index >= 1 && index <= n->last);
    naive_entry *e = &n->log[index - 1];
    raft_entry view = naive_view(e);
    e->token = ++n->next_token;
    raft_write w = {.token = e->token, .kind = RAFT_WRITE_ENTRIES,
                    .hs = {.term = NAIVE_TERM, .vote = RAFT_NONE},
                    .first_index = index, .entries = &view, .n_entries = 1};
    n->io.persist(n->io.ctx, &w);
}

/* Commit and apply up to `index`: no quorum, no term check. */
static void naive_commit_to(naive_node *n, uint64_t index)
{
    assert(index <= n->last);
    if (index <= n->commit)
        return;
    uint64_t old = n->commit;
    n->commit = index;
    naive_event(n, RAFT_EV_COMMIT, index, old);
    while (n->applied < n->commit) {
        uint64_t i = ++n->applied;
        raft_entry view = naive_view(&n->log[i - 1]);
        n->io.apply(n->io.ctx, i, &view);
        naive_event(n, RAFT_EV_APPLY, i, 0);
    }
    assert(n->applied == n->commit);
}

static void naive_free(void *node)
{
    naive_node *n = node;
    if (!n)
        return;
    for (uint64_t i = 0; i < n->last; i++)
        free(n->log[i].data);
    free(n->log);
    free(n->sendbuf);
    free(n->scratch);
    free(n);
}

static void *naive_create(const raft_config *cfg, const raft_io *io, const raft_boot *boot)
{
    if (!cfg || !io || !io->send || !io->persist || !io->apply || !io->now)
        return NULL;
    if (cfg->id < 1 || cfg->id > cfg->n_nodes || cfg->n_nodes > RAFT_MAX_NODES)
        return NULL;
    if (boot && boot->snap.index != 0)
        return NULL; /* the baseline never snapshots */
    naive_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->cfg = *cfg;
    n->io = *io;
    n->start_ns = io->now(io->ctx);
    n->scratch = calloc(RAFT_MAX_BATCH, sizeof *n->scratch);
    if (!n->scratch)
        goto fail;
    for (size_t i = 0; boot && i < boot->n_entries; i++) {
        const raft_entry *e = &boot->entries[i];
        if (naive_append(n, e->term, e->type, e->data, e->len) != RAFT_OK)
            goto fail;
    }
    return n;
fail:
    naive_free(n);
    return NULL;
}

/* First tick: announce term 1 (and leadership on node 1), then apply
 * everything recovered from disk — in this protocol all of it counts as
 * committed. */
static void naive_tick(void *node)
{
    naive_node *n = node;
    if (n->started)
        return;
    n->started = true;
    naive_event(n, RAFT_EV_TERM, NAIVE_TERM, 0);
    if (naive_is_leader(n))
        naive_event(n, RAFT_EV_ROLE, RAFT_LEADER, NAIVE_TERM);
    if (n->last > 0)
        naive_commit_to(n, n->last);
}

static uint64_t naive_next_deadline(const void *node)
{
    const naive_node *n = node;
    return n->started ? UINT64_MAX : n->start_ns;
}

static void naive_send(naive_node *n, raft_id to, const raft_msg *m)
{
    size_t need = raft_msg_encoded_size(m);
    assert(need > 0);
    if (need > n->sendbuf_cap) {
        uint8_t *buf = realloc(n->sendbuf, need);
        if (!buf)
            return; /* out of memory: behaves as a lost message */
        n->sendbuf = buf;
        n->sendbuf_cap = need;
    }
    size_t len = raft_msg_encode(m, n->sendbuf, n->sendbuf_cap);
    assert(len == need);
    n->counters.msgs_sent[m->type]++;
    n->counters.bytes_sent += len;
    n->io.send(n->io.ctx, to, n->sendbuf, len);
}

/* The leader's fan-out: entry `index` to every replica, fire and forget. */
static void naive_broadcast(naive_node *n, uint64_t index)
{
    raft_entry view = naive_view(&n->log[index - 1]);
    raft_msg m = {.type = RAFT_MSG_APPEND_ENTRIES, .from = n->cfg.id, .term = NAIVE_TERM};
    m.ae.prev_index = index - 1;
    m.ae.prev_term = index > 1 ? n->log[index - 2].term : 0;
    m.ae.leader_commit = n->commit;
    m.ae.seq = index;
    m.ae.n_entries = 1;
    m.ae.entries = &view;
    for (raft_id to = 1; to <= n->cfg.n_nodes; to++)
        if (to != n->cfg.id)
            naive_send(n, to, &m);
}

static int naive_propose(void *node, const void *data, size_t len, uint64_t *index,
                         uint64_t *term)
{
    naive_node *n = node;
    if (!naive_is_leader(n) || !n->started)
        return RAFT_ENOTLEADER;
    if (len > UINT32_MAX || (n->cfg.max_entry_bytes && len > n->cfg.max_entry_bytes))
        return RAFT_ETOOBIG;
    int rc = naive_append(n, NAIVE_TERM, RAFT_ENTRY_DATA, data, (uint32_t)len);
    if (rc != RAFT_OK)
        return rc;
    uint64_t i = n->last;
    naive_event(n, RAFT_EV_APPEND, i, i);
    naive_persist(n, i);
    naive_broadcast(n, i);
    if (index)
        *index = i;
    if (term)
        *term = NAIVE_TERM;
    return RAFT_OK;
}

/* A replica takes every entry it is sent, at the end of its own log. */
static int naive_receive(void *node, raft_id from, const uint8_t *buf, size_t len)
{
    naive_node *n = node;
    raft_msg m;
    if (!buf || raft_msg_decode(buf, len, &m, n->scratch, RAFT_MAX_BATCH) != RAFT_OK) {
        n->counters.msgs_malformed++;
        return RAFT_EMSG;
    }
    n->counters.msgs_recv[m.type]++;
    n->counters.bytes_recv += len;
    if (m.type != RAFT_MSG_APPEND_ENTRIES || from != NAIVE_LEADER || naive_is_leader(n))
        return RAFT_OK; /* nothing else means anything here */
    if (!n->started)
        naive_tick(n);
    for (uint32_t k = 0; k < m.ae.n_entries; k++) {
        const raft_entry *e = &m.ae.entries[k];
        int rc = naive_append(n, e->term, e->type, e->data, e->len);
        if (rc != RAFT_OK)
            return rc;
        naive_event(n, RAFT_EV_APPEND, n->last, n->last);
        naive_persist(n, n->last);
        naive_commit_to(n, n->last);
    }
    return RAFT_OK;
}

/* The leader commits what is durable on its own disk: a "majority" of one. */
static void naive_persisted(void *node, uint64_t token)
{
    naive_node *n = node;
    assert(token <= n->next_token);
    if (token <= n->persisted_token)
        return;
    n->persisted_token = token;
    naive_event(n, RAFT_EV_PERSISTED, token, 0);
    if (!naive_is_leader(n) || !n->started)
        return;
    uint64_t to = n->commit;
    while (to < n->last && n->log[to].token <= token)
        to++;
    naive_commit_to(n, to);
}

static int naive_read_index(void *node, uint64_t req_id)
{
    naive_node *n = node;
    if (!naive_is_leader(n) || !n->started)
        return RAFT_ENOTLEADER;
    if (n->io.read_ready)
        n->io.read_ready(n->io.ctx, req_id, RAFT_OK, n->commit);
    return RAFT_OK;
}

static int naive_transfer(void *node, raft_id target)
{
    (void)node;
    (void)target;
    return RAFT_EINVAL;
}

static void naive_get_status(const void *node, raft_status *out)
{
    const naive_node *n = node;
    *out = n->counters;
    out->id = n->cfg.id;
    out->role = naive_is_leader(n) && n->started ? RAFT_LEADER : RAFT_FOLLOWER;
    out->term = n->started ? NAIVE_TERM : 0;
    out->vote = RAFT_NONE;
    out->leader = NAIVE_LEADER;
    out->commit_index = n->commit;
    out->applied_index = n->applied;
    out->last_index = n->last;
    out->log_entries = n->last;
    out->log_bytes = n->log_bytes;
    out->healthy = true;
    out->connected_peers = n->cfg.n_nodes - 1;
    out->persisted_token = n->persisted_token;
    out->pending_token = n->next_token;
}

static size_t naive_dump(const void *node, char *buf, size_t cap)
{
    const naive_node *n = node;
    int len = snprintf(buf, cap, "naive n%u %s term=%u last=%llu commit=%llu applied=%llu\n",
                       (unsigned)n->cfg.id, naive_is_leader(n) ? "leader" : "replica",
                       n->started ? NAIVE_TERM : 0, (unsigned long long)n->last,
                       (unsigned long long)n->commit, (unsigned long long)n->applied);
    return len < 0 ? 0 : (size_t)len;
}

static bool naive_entry_at(const void *node, uint64_t index, raft_entry *out)
{
    const naive_node *n = node;
    if (index < 1 || index > n->last)
        return false;
    *out = naive_view(&n->log[index - 1]);
    return true;
}

const proto_ops naive_proto_ops = {
    .name = "naive",
    .create = naive_create,
    .destroy = naive_free,
    .receive = naive_receive,
    .tick = naive_tick,
    .next_deadline = naive_next_deadline,
    .persisted = naive_persisted,
    .propose = naive_propose,
    .read_index = naive_read_index,
    .transfer = naive_transfer,
    .get_status = naive_get_status,
    .dump = naive_dump,
    .entry_at = naive_entry_at,
};
