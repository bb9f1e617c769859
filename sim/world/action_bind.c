/* action_bind.c — targets resolved when an action fires (see action.c):
 * names bound by `as NAME`, partition members given as leader / follower /
 * a name, the per-node link actions `reconnect` and `isolate-peers`, and
 * guards (`if leader ...`). */
#include <assert.h>
#include <string.h>

#include "action_int.h"

static bool in_groups(const sim_epset *groups, uint32_t n, sim_ep ep)
{
    for (uint32_t g = 0; g < n; g++)
        if (groups[g].bits[(ep - 1) / 64] >> ((ep - 1) % 64) & 1)
            return true;
    return false;
}

sim_ep action_resolve(sim *s, const sim_target *t, const sim_epset *taken, uint32_t n_taken)
{
    switch (t->kind) {
    case SIM_TARGET_EP: return t->ep;
    case SIM_TARGET_NAME:
        assert(t->ep < SIM_MAX_NAMES);
        return s->bound[t->ep];
    case SIM_TARGET_LEADER: return s->leader && s->nodes[s->leader].up ? s->leader : 0;
    case SIM_TARGET_FOLLOWER: {
        /* a live non-leader node (not one already placed), from the fault stream */
        raft_id cand[SIM_MAX_NODES];
        uint32_t k = 0;
        for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
            if (s->nodes[id].up && id != s->leader && !in_groups(taken, n_taken, id))
                cand[k++] = id;
        return k ? cand[rng_below(&s->faults, k)] : 0;
    }
    case SIM_TARGET_ALL: case SIM_TARGET_NONE: break;
    }
    return 0;
}

bool action_resolve_groups(sim *s, sim_action *done)
{
    for (uint32_t i = 0; i < done->n_sym; i++) {
        uint32_t g = done->sym_group[i];
        assert(g < done->n_groups);
        sim_ep ep = action_resolve(s, &done->sym[i], done->groups, done->n_groups);
        if (!ep || in_groups(done->groups, done->n_groups, ep))
            return false; /* nobody to place, or placed twice: skipped */
        done->groups[g].bits[(ep - 1) / 64] |= UINT64_C(1) << ((ep - 1) % 64);
    }
    done->n_sym = 0; /* recorded with concrete members */
    memset(done->sym, 0, sizeof done->sym);
    memset(done->sym_group, 0, sizeof done->sym_group);
    return true;
}

/* Every cut to and from ep removed, and ep taken out of the partition (it
 * then reaches every group); other endpoints' faults stay. */
void action_reconnect(sim *s, sim_ep ep)
{
    net *nw = &s->nw;
    for (sim_ep o = 1; o <= nw->n_ep; o++) {
        if (o == ep)
            continue;
        net_set_cut(nw, ep, o, false);
        net_set_cut(nw, o, ep, false);
    }
    if (!nw->group[ep])
        return;
    sim_epset groups[SIM_MAX_GROUPS];
    memset(groups, 0, sizeof groups);
    uint32_t n = 0;
    for (sim_ep o = 1; o <= nw->n_ep; o++) {
        uint8_t g = nw->group[o];
        if (!g || o == ep)
            continue;
        assert(g <= SIM_MAX_GROUPS);
        groups[g - 1].bits[(o - 1) / 64] |= UINT64_C(1) << ((o - 1) % 64);
        if (g > n)
            n = g;
    }
    net_partition(nw, groups, n);
}

/* ep cut from every other node, both ways; its links to clients stay. */
void action_isolate_peers(sim *s, sim_ep ep)
{
    for (raft_id o = 1; o <= s->cfg.n_nodes; o++) {
        if (o == ep)
            continue;
        net_set_cut(&s->nw, ep, o, true);
        net_set_cut(&s->nw, o, ep, true);
    }
}

bool action_guard_valid(const sim *s, const sim_action *a)
{
    int64_t v;
    return a->guard_op <= 5 && sim_metric(s, &a->guard, &v) &&
           (!a->guard_rhs_metric || sim_metric(s, &a->guard_rhs, &v));
}

bool action_guard_holds(const sim *s, const sim_action *a)
{
    int64_t l, r = a->guard_value;
    if (!sim_metric(s, &a->guard, &l) || (a->guard_rhs_metric && !sim_metric(s, &a->guard_rhs, &r)))
        return false;
    switch (a->guard_op) {
    case 0: return l < r;
    case 1: return l <= r;
    case 2: return l == r;
    case 3: return l != r;
    case 4: return l >= r;
    case 5: return l > r;
    }
    assert(0 && "guard operator checked by action_guard_valid");
    return false;
}
