/* raft_status.c — queries, status snapshot and the human-readable dump. */
#include "raft_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum raft_role raft_role(const raft_node *r) { return r->role; }
uint64_t raft_term(const raft_node *r) { return r->term; }
raft_id raft_leader(const raft_node *r) { return r->leader; }
uint64_t raft_commit_index(const raft_node *r) { return r->commit; }
uint64_t raft_applied_index(const raft_node *r) { return r->applied; }
uint64_t raft_last_index(const raft_node *r) { return raft_log_last_index(&r->log); }

bool raft_entry_at(const raft_node *r, uint64_t index, raft_entry *out)
{
    return raft_log_get(&r->log, index, out);
}

uint64_t raft_term_at(const raft_node *r, uint64_t index)
{
    return raft_log_term_at(&r->log, index);
}

static uint32_t peers_connected(const raft_node *r, uint64_t now)
{
    uint32_t n = 0;
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++) {
        const raft_peer *p = &r->peers[id - 1];
        if (id != r->cfg.id && raft__heard_within(p, now, r->cfg.election_timeout_max_ns))
            n++;
    }
    return n;
}

/* Leader: the time by which a majority (self included) had last been heard from. */
static uint64_t quorum_heard_ns(const raft_node *r, uint64_t now)
{
    uint64_t t[RAFT_MAX_NODES];
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++) {
        const raft_peer *p = &r->peers[id - 1];
        t[id - 1] = id == r->cfg.id ? now : p->heard ? p->last_heard_ns : 0;
    }
    return quorum_kth_largest(t, r->cfg.n_nodes, raft__majority(r));
}

void raft_get_status(const raft_node *r, raft_status *s)
{
    uint64_t now = r->io.now(r->io.ctx);
    memset(s, 0, sizeof *s);
    s->id = r->cfg.id;
    s->role = r->role;
    s->term = r->term;
    s->vote = r->vote;
    s->leader = r->leader;
    s->commit_index = r->commit;
    s->applied_index = r->applied;
    s->last_index = raft_log_last_index(&r->log);
    s->log_entries = r->log.count;
    s->log_bytes = raft_log_payload_bytes(&r->log);
    s->snap = r->snap;
    s->elections_started = r->elections_started;
    s->elections_won = r->elections_won;
    for (unsigned t = 0; t < RAFT_MSG_TYPE_SLOTS; t++) {
        s->msgs_sent[t] = r->msgs[raft__msg_slot(t)].sent;
        s->msgs_recv[t] = r->msgs[raft__msg_slot(t)].recv;
    }
    s->bytes_sent = r->bytes_sent;
    s->bytes_recv = r->bytes_recv;
    s->msgs_malformed = r->msgs_malformed;
    s->rtt_mean_ns = r->rtt_samples ? r->rtt_sum_ns / r->rtt_samples : 0;
    s->connected_peers = peers_connected(r, now);
    if (r->role == RAFT_LEADER) {
        s->healthy = s->connected_peers + 1 >= raft__majority(r);
        s->last_heartbeat_ns = quorum_heard_ns(r, now);
    } else {
        s->healthy = r->leader_contact &&
                     now - r->leader_contact_ns <= r->cfg.election_timeout_max_ns;
        s->last_heartbeat_ns = r->leader_contact ? r->leader_contact_ns : 0;
    }
    s->read_only = !s->healthy;
    s->persisted_token = r->persisted_token;
    s->pending_token = r->last_token;
    memcpy(s->limit_hits, r->limit_hits, sizeof s->limit_hits);
}

/* snprintf into a bounded buffer, counting what would have been written. */
typedef struct dumper {
    char *buf;
    size_t cap, len;
} dumper;

static void out(dumper *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = d->len < d->cap ? d->cap - d->len : 0;
    int n = vsnprintf(room ? d->buf + d->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        d->len += (size_t)n;
}

static const char *state_name(enum progress_state m)
{
    return m == PROGRESS_PROBE ? "probe" : m == PROGRESS_REPLICATE ? "replicate" : "snapshot";
}

enum { DUMP_ENTRIES = 8 };

static void dump_log(const raft_node *r, dumper *d)
{
    uint64_t first = r->log.base_index + 1, last = raft_log_last_index(&r->log);
    out(d, "log: base %llu/%llu, %llu entries, %llu bytes:",
        (unsigned long long)r->log.base_index, (unsigned long long)r->log.base_term,
        (unsigned long long)r->log.count, (unsigned long long)raft_log_payload_bytes(&r->log));
    for (uint64_t i = first; i <= last && i < first + DUMP_ENTRIES; i++) {
        raft_entry e;
        if (!raft_log_get(&r->log, i, &e))
            break; /* cannot happen: i is held */
        out(d, " %llu:t%llu%s(%u)", (unsigned long long)i, (unsigned long long)e.term,
            e.type == RAFT_ENTRY_NOOP ? ":noop" : "", e.len);
    }
    if (last >= first + DUMP_ENTRIES)
        out(d, " ...");
    out(d, "\n");
}

static void dump_peers(const raft_node *r, dumper *d)
{
    for (raft_id id = 1; id <= r->cfg.n_nodes; id++) {
        const raft_peer *p = &r->peers[id - 1];
        if (id == r->cfg.id)
            continue;
        out(d, "  peer n%u: next %llu match %llu inflight %u %s\n", id,
            (unsigned long long)p->pr.next, (unsigned long long)r->match[id - 1], p->pr.count,
            state_name(p->pr.state));
    }
}

size_t raft_dump(const raft_node *r, char *buf, size_t cap)
{
    dumper d = {.buf = buf, .cap = cap, .len = 0};
    if (buf && cap)
        buf[0] = '\0';
    char vote[16] = "none", leader[16] = "none"; /* node ids as n1..nN; 0 = nobody */
    if (r->vote)
        snprintf(vote, sizeof vote, "n%u", r->vote);
    if (r->leader)
        snprintf(leader, sizeof leader, "n%u", r->leader);
    out(&d, "n%u: %s term %llu vote %s leader %s\n", r->cfg.id, raft_role_name(r->role),
        (unsigned long long)r->term, vote, leader);
    out(&d, "commit %llu applied %llu last %llu durable %llu snapshot %llu/%llu\n",
        (unsigned long long)r->commit, (unsigned long long)r->applied,
        (unsigned long long)raft_log_last_index(&r->log), (unsigned long long)r->durable_index,
        (unsigned long long)r->snap.index, (unsigned long long)r->snap.term);
    out(&d, "tokens: persisted %llu issued %llu, outbox %zu\n",
        (unsigned long long)r->persisted_token, (unsigned long long)r->last_token,
        r->outbox.count);
    dump_log(r, &d);
    if (r->role == RAFT_LEADER)
        dump_peers(r, &d);
    return d.len;
}
