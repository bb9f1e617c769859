/* liveness_majority.c — liveness without a full heal: while a majority of
 * the nodes is up, unpaused and mutually connected (both directions of
 * every link among them free of cuts and partitions), a leader must emerge
 * among them, stay, and commit client writes.
 *
 * The connected nodes are recomputed only when the topology may have
 * changed (a node starts, crashes, pauses or resumes; an action ran; the
 * heal): U = the union of every mutually connected set of a majority of the
 * nodes (a maximal-clique search on one 64-bit mask per node, run on those
 * changes only). While U and the links among the present nodes stay the
 * same, time is cut into periods of `bound`
 * (cfg.connected_within_ns, default 10 maximal election timeouts), the
 * first starting when U appeared; at the end of each period:
 * - some node of U must have been leader, without a break, for at least a
 *   fifth of the period (two election timeouts at the default): a cluster
 *   that elects a leader only to lose it again at once livelocks;
 * - if client writes were outstanding at the start and at the end of the
 *   period, the committed index must have advanced.
 * A failure names U and what happened instead. The check is off for the
 * naive protocol, once the liveness phase has healed everything (the heal
 * check takes over), and where the scenario says
 * `liveness connected-majority off`.
 */
#include <stdio.h>

#include "../../core/hash.h"

#include "liveness_majority.h"

static uint64_t node_bit(raft_id id) { return UINT64_C(1) << (id - 1); }

/* Whether a node takes part: up and not paused. */
static bool cm_present(const sim *s, raft_id id)
{
    return s->nodes[id].up && !s->nodes[id].paused;
}

/* adj[a]: the present nodes b != a with both directions a <-> b open. */
static void adjacency(const sim *s, uint64_t *adj)
{
    for (raft_id a = 1; a <= s->cfg.n_nodes; a++) {
        adj[a] = 0;
        if (!cm_present(s, a))
            continue;
        for (raft_id b = 1; b <= s->cfg.n_nodes; b++)
            if (b != a && cm_present(s, b) && !net_blocked(&s->nw, a, b) &&
                !net_blocked(&s->nw, b, a))
                adj[a] |= node_bit(b);
    }
}

/* Bron–Kerbosch with a pivot: OR into *u every maximal clique R of at least
 * `need` nodes (P: candidates, X: excluded). */
static void cliques(const uint64_t *adj, uint64_t r, uint64_t p, uint64_t x, uint32_t need,
                    uint64_t *u)
{
    if ((uint32_t)__builtin_popcountll(r | p) < need)
        return; /* too small whatever is added */
    if (!p && !x) {
        *u |= r;
        return;
    }
    uint64_t px = p | x;
    raft_id pivot = (raft_id)__builtin_ctzll(px) + 1;
    uint64_t todo = p & ~adj[pivot];
    while (todo) {
        raft_id v = (raft_id)__builtin_ctzll(todo) + 1;
        todo &= todo - 1;
        cliques(adj, r | node_bit(v), p & adj[v], x & adj[v], need, u);
        p &= ~node_bit(v);
        x |= node_bit(v);
    }
}

/* The nodes of every connected majority; *topo: a digest of the links
 * among present nodes (a change of it starts a new period). */
static uint64_t connected_majorities(const sim *s, uint64_t *topo)
{
    uint64_t adj[SIM_MAX_NODES + 1], p = 0, u = 0;
    adjacency(s, adj);
    *topo = 0;
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
        *topo = hash_combine(*topo, adj[id]);
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
        if (cm_present(s, id))
            p |= node_bit(id);
    cliques(adj, 0, p, 0, s->cfg.n_nodes / 2 + 1, &u);
    return u;
}

uint64_t sim_connected_nodes(const sim *s)
{
    uint64_t topo;
    return connected_majorities(s, &topo);
}

static uint64_t cm_bound(const sim *s)
{
    return s->cfg.connected_within_ns ? s->cfg.connected_within_ns
                                      : 10 * s->cfg.raft.election_timeout_max_ns;
}

static raft_id leader_in(const sim *s, uint64_t set)
{
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
        if ((set & node_bit(id)) && cm_present(s, id) && s->nodes[id].role == RAFT_LEADER)
            return id;
    return 0;
}

/* Start a period at now: its leader, its client-write baseline. */
static void period_start(sim *s)
{
    sim_cm *m = &s->cm;
    m->period_ns = s->now;
    m->best_ns = 0;
    m->committed = s->chk.committed;
    m->writing = s->outstanding_writes > 0;
    m->elections = s->met.elections;
    m->lead = leader_in(s, m->set);
    m->lead_since = s->now;
    sim_push(s, s->now + cm_bound(s), EV_CONNECTED_CHECK, 0, m->gen, 0);
}

void liveness_connected_start(sim *s)
{
    s->cm.ready = s->cfg.connected_liveness && s->ops == &raft_proto_ops;
    liveness_topology(s);
}

void liveness_topology(sim *s)
{
    sim_cm *m = &s->cm;
    if (!m->ready)
        return;
    uint64_t topo = 0, set = s->healed ? 0 : connected_majorities(s, &topo);
    if (set == m->set && topo == m->topo)
        return; /* the same nodes and links: the period goes on */
    m->set = set;
    m->topo = topo;
    m->gen++;
    m->since_ns = s->now;
    if (set)
        period_start(s);
}

void liveness_role(sim *s, raft_id id, enum raft_role role)
{
    sim_cm *m = &s->cm;
    if (!(m->set & node_bit(id)))
        return;
    if (role == RAFT_LEADER) {
        if (!m->lead) {
            m->lead = id;
            m->lead_since = s->now;
        }
        return;
    }
    if (m->lead != id)
        return;
    uint64_t from = m->lead_since > m->period_ns ? m->lead_since : m->period_ns;
    if (s->now - from > m->best_ns)
        m->best_ns = s->now - from;
    m->lead = leader_in(s, m->set); /* another leader there (a newer term) */
    m->lead_since = s->now;
}

static void set_names(const sim *s, uint64_t set, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
    for (raft_id id = 1; id <= s->cfg.n_nodes && k + 1 < cap; id++)
        if (set & node_bit(id)) {
            int w = snprintf(buf + k, cap - k, "%sn%u", k ? "," : "", id);
            if (w < 0 || (size_t)w >= cap - k)
                break;
            k += (size_t)w;
        }
}

bool liveness_connected_check(sim *s, uint64_t gen)
{
    sim_cm *m = &s->cm;
    if (gen != m->gen || !m->set || s->healed)
        return false;
    uint64_t bound = cm_bound(s);
    if (m->lead) {
        uint64_t from = m->lead_since > m->period_ns ? m->lead_since : m->period_ns;
        if (s->now - from > m->best_ns)
            m->best_ns = s->now - from;
    }
    char names[SIM_MAX_NODES * 4];
    set_names(s, m->set, names, sizeof names);
    unsigned long long since_ms = (s->now - m->since_ns) / SIM_NS_PER_MS;
    unsigned long long elections = s->met.elections - m->elections;
    if (m->best_ns < bound / 5) {
        sim_fail(s, SIM_V_CONNECTED_LIVENESS, m->lead, 0,
                 "nodes %s up and connected for %llu ms, yet no leader among them held office "
                 "for %llu ms in the last %llu ms (longest %llu ms; %llu elections)", names,
                 since_ms, (unsigned long long)(bound / 5 / SIM_NS_PER_MS),
                 (unsigned long long)(bound / SIM_NS_PER_MS),
                 (unsigned long long)(m->best_ns / SIM_NS_PER_MS), elections);
        return true;
    }
    if (m->writing && s->outstanding_writes > 0 && s->chk.committed == m->committed) {
        sim_fail(s, SIM_V_CONNECTED_LIVENESS, m->lead, m->committed,
                 "nodes %s up and connected for %llu ms with leader n%u, yet no client write "
                 "committed in %llu ms (commit index %llu, %llu writes outstanding)", names,
                 since_ms, m->lead, (unsigned long long)(bound / SIM_NS_PER_MS),
                 (unsigned long long)m->committed,
                 (unsigned long long)s->outstanding_writes);
        return true;
    }
    period_start(s);
    return true;
}
