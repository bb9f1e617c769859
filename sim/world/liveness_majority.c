/* liveness_majority.c — liveness without a full heal: while a majority of
 * the nodes is up, unpaused and mutually connected, a leader must emerge
 * among them, stay, and commit client writes — where Raft promises it.
 *
 * The connected nodes are recomputed only when the topology may have
 * changed (a node starts, crashes, pauses or resumes; an action ran; the
 * heal): U = the union of every mutually connected set of a majority of the
 * nodes (a maximal-clique search on one 64-bit mask per node, run on those
 * changes only). A link counts as connected when both directions are free
 * of cuts and partitions and lose at most CM_MAX_LOSS_PPM of their messages.
 *
 * What Raft promises U (enum cm_mode), decided with U:
 * - Timing (paper §5.6: broadcastTime << electionTimeout, "an order of
 *   magnitude"; §5.2, §9.3 Figure 16: the randomized part of the timeout is
 *   what separates candidates): the spread of the election timeout (max -
 *   min) must be at least SIM_TIMING_FACTOR broadcast times, the broadcast
 *   time being an RPC out and back over U's slowest link on average (mean
 *   latency plus the mean hold-back of reordered messages, both ways, and
 *   on a bandwidth-limited link the sending of a full AppendEntries) plus
 *   the mean fsync of U's slowest disk (a vote and an entry are durable
 *   before the reply). With a narrower spread candidates time out within
 *   one request's flight of each other and split votes may repeat without
 *   bound: U is not judged (CM_OFF_TIMING).
 * - Disruption (thesis §9.6 and §4.2.3): without PreVote, a node that cannot
 *   hear U's leader but can send to U (a node outside U with an open link
 *   into it, or U not one clique) campaigns in ever higher terms; its
 *   requests depose leaders and capture votes, as Figure 2 says they must.
 *   With CheckQuorum, followers that heard their leader within the minimum
 *   timeout ignore them, so a leader that has emerged stays, but when one
 *   emerges is not bounded: the period starts when a leader of U emerges
 *   (CM_AFTER_LEADER). Without CheckQuorum either, nothing is promised
 *   (CM_OFF_DISRUPTED).
 * - Without CheckQuorum, PreVote does not help against such a node when it
 *   leads: a leader that hears no quorum never steps down, its heartbeats
 *   (current-term AppendEntries, §5.2) keep resetting U's election timers,
 *   and U's followers refuse pre-votes while they hear it, so U may never
 *   elect (CM_OFF_DISRUPTED too).
 * Otherwise (CM_FULL) time is cut into periods of `bound`
 * (cfg.connected_within_ns, default 10 maximal election timeouts), the
 * first starting when U appeared; at the end of each period:
 * - some node of U must have been leader, without a break, for at least a
 *   fifth of the period (two election timeouts at the default): a cluster
 *   that elects a leader only to lose it again at once livelocks;
 * - if client writes were outstanding at the start and at the end of the
 *   period from clients that reach every node of U both ways, the committed
 *   index must have advanced (a client cut off from U cannot be served).
 * A change of U, of its links, of its mode or of the clients in reach starts
 * a new period. A failure names U and what happened instead; the run's
 * summary says how long connected majorities went unjudged and why. The
 * check is off for the naive protocol, once the liveness phase has healed
 * everything (the heal check takes over), and where the scenario says
 * `liveness connected-majority off`.
 */
#include <stdio.h>

#include "../../core/hash.h"

#include "dist.h"
#include "liveness_majority.h"

/* A link losing more than one message in ten is lossy, not connected: with
 * a heartbeat every third of the minimum timeout, a follower then misses a
 * whole timeout's heartbeats once in a thousand timeouts (0.1^3), and
 * elections need a request and a reply through from a majority. */
#define CM_MAX_LOSS_PPM UINT32_C(100000)

static uint64_t node_bit(raft_id id) { return UINT64_C(1) << (id - 1); }

/* Whether a node takes part: up and not paused. */
static bool cm_present(const sim *s, raft_id id)
{
    return s->nodes[id].up && !s->nodes[id].paused;
}

/* One direction of a link: not cut or partitioned, and not lossy. */
static bool cm_link(const sim *s, sim_ep from, sim_ep to)
{
    return !net_blocked(&s->nw, from, to) &&
           s->nw.params[net_link(&s->nw, from, to)].drop_ppm <= CM_MAX_LOSS_PPM;
}

/* adj[a]: the present nodes b != a with both directions a <-> b connected. */
static void adjacency(const sim *s, uint64_t *adj)
{
    for (raft_id a = 1; a <= s->cfg.n_nodes; a++) {
        adj[a] = 0;
        if (!cm_present(s, a))
            continue;
        for (raft_id b = 1; b <= s->cfg.n_nodes; b++)
            if (b != a && cm_present(s, b) && cm_link(s, a, b) && cm_link(s, b, a))
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

/* The largest AppendEntries payload: the per-message cap, or one entry of
 * the largest client payload (an entry always goes, alone if need be). */
static uint64_t largest_append(const sim *s)
{
    uint64_t big = s->cfg.raft.max_bytes_per_msg;
    for (uint32_t i = 0; i < s->cfg.n_clients; i++)
        if (s->cfg.clients[i].payload_bytes > big)
            big = s->cfg.clients[i].payload_bytes;
    return big;
}

/* The nodes of every connected majority (U), with the adjacency and the
 * present nodes for the caller. */
static uint64_t majorities(const sim *s, uint64_t *adj, uint64_t *present)
{
    uint64_t set = 0;
    adjacency(s, adj);
    *present = 0;
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
        if (cm_present(s, id))
            *present |= node_bit(id);
    cliques(adj, 0, *present, 0, s->cfg.n_nodes / 2 + 1, &set);
    return set;
}

uint64_t sim_connected_nodes(const sim *s)
{
    uint64_t adj[SIM_MAX_NODES + 1], present;
    return majorities(s, adj, &present);
}

/* Paper §5.6's broadcast time of `set`: out and back over its slowest
 * connected link on average (mean latency plus the mean hold-back of the
 * reordered share, each way, and on a bandwidth-limited link the sending
 * of a full AppendEntries, which a vote request or heartbeat may queue
 * behind), plus the mean fsync of its slowest disk. */
static uint64_t broadcast_ns(const sim *s, const uint64_t *adj, uint64_t set)
{
    uint64_t way = 0, fsync = 0, big = largest_append(s);
    for (raft_id a = 1; a <= s->cfg.n_nodes; a++) {
        if (!(set & node_bit(a)))
            continue;
        uint64_t f = dist_mean(&s->nodes[a].dk.params.fsync);
        fsync = f > fsync ? f : fsync;
        for (raft_id b = 1; b <= s->cfg.n_nodes; b++) {
            if (!(set & adj[a] & node_bit(b)))
                continue;
            const sim_link_params *p = &s->nw.params[net_link(&s->nw, a, b)];
            uint64_t d = 2 * (dist_mean(&p->latency) +
                              p->reorder_ppm * (p->reorder_ns / 2) / 1000000);
            if (p->bandwidth_Bps)
                d += big * SIM_NS_PER_S / p->bandwidth_Bps;
            way = d > way ? d : way;
        }
    }
    return way + fsync;
}

/* Thesis §9.6: can a node that may not hear U's leader send to U? A node
 * outside U with an open link into it, or a node of U not connected to
 * every other (U is not one clique). */
static bool disruptable(const sim *s, const uint64_t *adj, uint64_t set)
{
    for (raft_id x = 1; x <= s->cfg.n_nodes; x++) {
        if (!cm_present(s, x))
            continue;
        if (set & node_bit(x)) {
            if ((adj[x] & set) != (set & ~node_bit(x)))
                return true;
            continue;
        }
        for (raft_id u = 1; u <= s->cfg.n_nodes; u++)
            if ((set & node_bit(u)) && !net_blocked(&s->nw, x, u))
                return true;
    }
    return false;
}

static enum cm_mode mode_of(sim *s, const uint64_t *adj, uint64_t set)
{
    const raft_config *rc = &s->cfg.raft;
    uint64_t spread = rc->election_timeout_max_ns - rc->election_timeout_min_ns;
    uint64_t b = broadcast_ns(s, adj, set);
    if (spread < SIM_TIMING_FACTOR * b) {
        s->cm.broadcast_ns = b > s->cm.broadcast_ns ? b : s->cm.broadcast_ns;
        return CM_OFF_TIMING;
    }
    if ((!rc->prevote || !rc->check_quorum) && disruptable(s, adj, set))
        return rc->check_quorum ? CM_AFTER_LEADER : CM_OFF_DISRUPTED;
    return CM_FULL;
}

/* Clients (bit idx) connected both ways to every node of `set`. */
static uint64_t clients_in_reach(const sim *s, uint64_t set)
{
    uint64_t in = 0;
    for (uint32_t i = 0; i < s->cfg.n_clients; i++) {
        sim_ep c = s->clients[i].ep;
        bool all = true;
        for (raft_id u = 1; all && u <= s->cfg.n_nodes; u++)
            all = !(set & node_bit(u)) || (cm_link(s, c, u) && cm_link(s, u, c));
        if (all)
            in |= UINT64_C(1) << i;
    }
    return in;
}

/* Client writes outstanding from the clients in `in`. */
static uint64_t writes_waiting(const sim *s, uint64_t in)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < s->cfg.n_clients; i++) {
        if (!((in >> i) & 1))
            continue;
        const sim_client *c = &s->clients[i];
        for (size_t k = 0; k < c->n_ops; k++)
            n += c->ops[k].busy && c->ops[k].kind == HIST_APPEND;
    }
    return n;
}

/* Elections started by the nodes of `set` (each node's count since it last
 * started; a crash or restart starts a new period anyway). */
static uint64_t elections_in(const sim *s, uint64_t set)
{
    uint64_t n = 0;
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++) {
        if (!(set & node_bit(id)) || !s->nodes[id].up)
            continue;
        raft_status st;
        s->ops->get_status(s->nodes[id].proto, &st);
        n += st.elections_started;
    }
    return n;
}

static uint64_t cm_bound(const sim *s)
{
    return s->cfg.connected_within_ns ? s->cfg.connected_within_ns
                                      : SIM_CONNECTED_PERIOD_TIMEOUTS * s->cfg.raft.election_timeout_max_ns;
}

static raft_id leader_in(const sim *s, uint64_t set)
{
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
        if ((set & node_bit(id)) && cm_present(s, id) && s->nodes[id].role == RAFT_LEADER)
            return id;
    return 0;
}

/* Start a period at now: its leader, its client-write baseline. Under
 * CM_AFTER_LEADER with no leader yet, the period waits for one. */
static void period_start(sim *s)
{
    sim_cm *m = &s->cm;
    m->period_ns = s->now;
    m->best_ns = 0;
    m->committed = s->chk.committed;
    m->writing = writes_waiting(s, m->clients) > 0;
    m->elections = elections_in(s, m->set);
    m->lead = leader_in(s, m->set);
    m->lead_since = s->now;
    m->awaiting = m->mode == CM_AFTER_LEADER && !m->lead;
    if (!m->awaiting)
        sim_push(s, s->now + cm_bound(s), EV_CONNECTED_CHECK, 0, m->gen, 0);
}

void liveness_connected_start(sim *s)
{
    s->cm.ready = s->cfg.connected_liveness && s->ops == &raft_proto_ops;
    liveness_topology(s);
}

/* The time a connected majority went unjudged, by mode, for the summary. */
static void mode_ends(sim *s)
{
    sim_cm *m = &s->cm;
    if (m->set && m->mode >= CM_OFF_TIMING)
        m->unchecked_ns[m->mode] += s->now - m->mode_since;
}

void liveness_topology(sim *s)
{
    sim_cm *m = &s->cm;
    if (!m->ready)
        return;
    uint64_t adj[SIM_MAX_NODES + 1], present = 0, set = 0, topo = 0, clients = 0;
    enum cm_mode mode = CM_FULL;
    if (!s->healed) {
        set = majorities(s, adj, &present);
        for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
            topo = hash_combine(topo, adj[id]);
        if (set) {
            mode = mode_of(s, adj, set);
            clients = clients_in_reach(s, set);
            topo = hash_combine(hash_combine(topo, mode), clients);
        }
    }
    if (set == m->set && topo == m->topo)
        return; /* the same nodes, links, mode and clients: the period goes on */
    mode_ends(s);
    m->set = set;
    m->topo = topo;
    m->mode = (uint8_t)mode;
    m->clients = clients;
    m->gen++;
    m->since_ns = s->now;
    m->mode_since = s->now;
    m->awaiting = false;
    if (!set)
        return;
    if (mode >= CM_OFF_TIMING)
        m->unchecked[mode]++;
    else
        period_start(s);
}

void liveness_role(sim *s, raft_id id, enum raft_role role)
{
    sim_cm *m = &s->cm;
    if (!(m->set & node_bit(id)))
        return;
    if (role == RAFT_LEADER) {
        if (m->awaiting) { /* CM_AFTER_LEADER: the first leader starts the period */
            period_start(s);
            return;
        }
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
    assert(m->mode < CM_OFF_TIMING && !m->awaiting);
    uint64_t bound = cm_bound(s);
    if (m->lead) {
        uint64_t from = m->lead_since > m->period_ns ? m->lead_since : m->period_ns;
        if (s->now - from > m->best_ns)
            m->best_ns = s->now - from;
    }
    char names[SIM_MAX_NODES * 4];
    set_names(s, m->set, names, sizeof names);
    unsigned long long since_ms = (s->now - m->since_ns) / SIM_NS_PER_MS;
    uint64_t now_elections = elections_in(s, m->set);
    unsigned long long elections = now_elections > m->elections ? now_elections - m->elections : 0;
    const char *after = m->mode == CM_AFTER_LEADER ? " since a leader emerged" : "";
    if (m->best_ns < bound / 5) {
        sim_fail(s, SIM_V_CONNECTED_LIVENESS, m->lead, 0,
                 "nodes %s up and connected for %llu ms, yet no leader among them held office "
                 "for %llu ms in the %s%llu ms%s (longest %llu ms; %llu elections)", names,
                 since_ms, (unsigned long long)(bound / 5 / SIM_NS_PER_MS), *after ? "" : "last ",
                 (unsigned long long)(bound / SIM_NS_PER_MS), after,
                 (unsigned long long)(m->best_ns / SIM_NS_PER_MS), elections);
        return true;
    }
    uint64_t waiting = writes_waiting(s, m->clients);
    if (m->writing && waiting > 0 && s->chk.committed == m->committed) {
        char leader[24] = "no leader at the end";
        if (m->lead)
            snprintf(leader, sizeof leader, "leader n%u", m->lead);
        sim_fail(s, SIM_V_CONNECTED_LIVENESS, m->lead, m->committed,
                 "nodes %s up and connected for %llu ms with %s, yet no client write "
                 "committed in %llu ms%s (commit index %llu, %llu writes outstanding from "
                 "clients that reach them)", names, since_ms, leader,
                 (unsigned long long)(bound / SIM_NS_PER_MS), after,
                 (unsigned long long)m->committed, (unsigned long long)waiting);
        return true;
    }
    m->checked++;
    period_start(s);
    return true;
}

/* For the run's summary: periods judged, and connected majorities not
 * judged with how long and why ("" when every one was judged). */
void liveness_connected_summary(const sim *s, char *buf, size_t cap)
{
    const sim_cm *m = &s->cm;
    const raft_config *rc = &s->cfg.raft;
    char timing[160];
    snprintf(timing, sizeof timing,
             "election-timeout spread %llu ms under %d broadcast times (up to %llu.%03llu ms: "
             "paper §5.6, §9.3)",
             (unsigned long long)((rc->election_timeout_max_ns - rc->election_timeout_min_ns) /
                                  SIM_NS_PER_MS),
             SIM_TIMING_FACTOR, (unsigned long long)(m->broadcast_ns / SIM_NS_PER_MS),
             (unsigned long long)(m->broadcast_ns % SIM_NS_PER_MS / 1000));
    const char *why[CM__COUNT] = {
        [CM_OFF_TIMING] = timing,
        [CM_OFF_DISRUPTED] = "CheckQuorum off, a node that may not hear the leader reaches "
                             "them (thesis §9.6; with PreVote it can lead them from outside)",
    };
    buf[0] = 0;
    uint64_t open_ns[CM__COUNT] = { 0 };
    for (int k = CM_OFF_TIMING; k <= CM_OFF_DISRUPTED; k++)
        open_ns[k] = m->unchecked_ns[k] + (m->set && m->mode == k ? s->now - m->mode_since : 0);
    size_t used = 0;
    for (int k = CM_OFF_TIMING; k <= CM_OFF_DISRUPTED && used < cap; k++) {
        if (!m->unchecked[k])
            continue;
        int w = snprintf(buf + used, cap - used, "%s%llu ms not judged: %s", used ? "; " : "",
                         (unsigned long long)(open_ns[k] / SIM_NS_PER_MS), why[k]);
        used += w > 0 ? (size_t)w : 0;
    }
}
