/* net.c — links, faults and the message pool (see net.h). */
#include "net.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"

enum { NET_MIN_CLASS_SHIFT = 6 }; /* smallest pooled buffer: 64 bytes */

int net_init(net *nw, uint32_t n_ep, const sim_link_params *dflt, uint64_t seed)
{
    memset(nw, 0, sizeof *nw);
    assert(n_ep >= 1 && n_ep <= SIM_MAX_ENDPOINTS);
    size_t links = (size_t)n_ep * n_ep;
    nw->n_ep = n_ep;
    nw->dflt = *dflt;
    nw->params = malloc(links * sizeof *nw->params);
    nw->links = aligned_alloc(_Alignof(net_link_state), links * sizeof *nw->links);
    if (!nw->params || !nw->links) {
        net_free(nw);
        return -1;
    }
    memset(nw->links, 0, links * sizeof *nw->links);
    net_reset_params(nw, dflt);
    for (int c = 0; c <= NET_SIZE_CLASSES; c++)
        nw->free_head[c] = NET_NO_SLOT;
    rng_init(&nw->r, seed, RNG_STREAM_NET);
    rng_init(&nw->fr, seed, RNG_STREAM_MSG_FAULTS);
    return 0;
}

void net_free(net *nw)
{
    for (uint32_t i = 0; i < nw->n_slots; i++)
        free(nw->slots[i].buf);
    free(nw->slots);
    free(nw->params);
    free(nw->links);
    memset(nw, 0, sizeof *nw);
}

/* ---- pool ---- */

/* The smallest c with 2^(c + 6) >= len, capped at NET_SIZE_CLASSES
 * (oversized, allocated exactly): one count-leading-zeros, no loop. */
static int size_class(size_t len)
{
    if (len <= ((size_t)1 << NET_MIN_CLASS_SHIFT))
        return 0;
    int bits = 64 - __builtin_clzll((unsigned long long)(len - 1)); /* 2^bits >= len */
    int c = bits - NET_MIN_CLASS_SHIFT;
    return c < NET_SIZE_CLASSES ? c : NET_SIZE_CLASSES;
}

static uint32_t pool_take(net *nw, size_t len)
{
    int c = size_class(len);
    uint32_t s = nw->free_head[c];
    if (s != NET_NO_SLOT && (c < NET_SIZE_CLASSES || nw->slots[s].cap >= len)) {
        nw->free_head[c] = nw->slots[s].next_free;
        nw->live++;
        POOL_UNPOISON(nw->slots[s].buf, nw->slots[s].cap);
        return s;
    }
    if (nw->n_slots == nw->cap_slots) {
        /* Aligned (which realloc cannot keep); a power of two >= 256 records
         * is a multiple of the alignment. */
        uint32_t cap = nw->cap_slots ? nw->cap_slots * 2 : 256;
        net_msg *p = aligned_alloc(64, (size_t)cap * sizeof *p);
        if (!p)
            return NET_NO_SLOT;
        if (nw->n_slots)
            memcpy(p, nw->slots, (size_t)nw->n_slots * sizeof *p);
        free(nw->slots);
        nw->slots = p;
        nw->cap_slots = cap;
    }
    size_t cap = c < NET_SIZE_CLASSES ? (size_t)1 << (c + NET_MIN_CLASS_SHIFT) : len;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return NET_NO_SLOT;
    s = nw->n_slots++;
    memset(&nw->slots[s], 0, sizeof nw->slots[s]);
    nw->slots[s].buf = buf;
    nw->slots[s].cap = (uint32_t)cap;
    nw->slots[s].size_class = (uint8_t)c;
    nw->live++;
    return s;
}

void net__release_oversized(net *nw, uint32_t slot)
{
    net_msg *m = &nw->slots[slot];
    assert(m->size_class == NET_SIZE_CLASSES);
    /* Oversized buffers are not kept: the slot gets a smallest-class one. */
    free(m->buf);
    m->buf = NULL;
    m->cap = 0;
    m->size_class = 0;
    uint8_t *buf = malloc((size_t)1 << NET_MIN_CLASS_SHIFT);
    if (buf) {
        m->buf = buf;
        m->cap = 1u << NET_MIN_CLASS_SHIFT;
    }
    assert(nw->live > 0);
    nw->live--;
    if (!m->buf)
        return; /* slot leaks out of use; harmless */
    m->next_free = nw->free_head[0];
    nw->free_head[0] = slot;
    POOL_POISON(m->buf, m->cap);
}

/* A copy of the message in a pool slot, with its header: `type` is its
 * wire type byte (read once per send), `duplicate` whether it is the
 * second copy. */
static uint32_t pool_copy(net *nw, sim_ep from, sim_ep to, uint64_t gen, const uint8_t *buf,
                          size_t len, uint8_t type, bool duplicate)
{
    uint32_t s = pool_take(nw, len);
    if (s == NET_NO_SLOT)
        return s;
    net_msg *m = &nw->slots[s];
    assert(m->cap >= len);
    memcpy(m->buf, buf, len);
    m->len = (uint32_t)len;
    m->from = (uint8_t)from; /* net_send checked both against n_ep */
    m->to = (uint8_t)to;
    m->dst_gen = gen;
    m->type = type;
    m->duplicate = duplicate;
    return s;
}

/* ---- topology ---- */

void net_set_cut(net *nw, sim_ep from, sim_ep to, bool cut)
{
    assert(from >= 1 && from <= nw->n_ep && to >= 1 && to <= nw->n_ep);
    net_link_state *l = &nw->links[net_link(nw, from, to)];
    l->flags = (uint8_t)(cut ? l->flags | NET_LINK_CUT : l->flags & ~NET_LINK_CUT);
}

bool net_faulted(const net *nw)
{
    size_t links = (size_t)nw->n_ep * nw->n_ep;
    for (size_t i = 0; i < links; i++)
        if (nw->links[i].flags & NET_LINK_CUT)
            return true;
    for (sim_ep ep = 1; ep <= nw->n_ep; ep++)
        if (nw->group[ep])
            return true;
    return false;
}

void net_isolate(net *nw, sim_ep ep)
{
    for (sim_ep o = 1; o <= nw->n_ep; o++) {
        if (o == ep)
            continue;
        net_set_cut(nw, ep, o, true);
        net_set_cut(nw, o, ep, true);
    }
}

void net_partition(net *nw, const sim_epset *groups, uint32_t n)
{
    assert(n <= SIM_MAX_GROUPS);
    memset(nw->group, 0, sizeof nw->group);
    for (uint32_t g = 0; g < n; g++)
        for (sim_ep ep = 1; ep <= nw->n_ep; ep++)
            if (epset_has(&groups[g], ep) && !nw->group[ep])
                nw->group[ep] = (uint8_t)(g + 1);
    for (sim_ep a = 1; a <= nw->n_ep; a++)
        for (sim_ep b = 1; b <= nw->n_ep; b++) {
            uint8_t ga = nw->group[a], gb = nw->group[b];
            net_link_state *l = &nw->links[net_link(nw, a, b)];
            l->flags = (uint8_t)(ga && gb && ga != gb ? l->flags | NET_LINK_SPLIT
                                                      : l->flags & ~NET_LINK_SPLIT);
        }
}

void net_heal(net *nw)
{
    size_t links = (size_t)nw->n_ep * nw->n_ep;
    for (size_t i = 0; i < links; i++)
        nw->links[i].flags &= (uint8_t)~NET_LINK_BLOCKED;
    memset(nw->group, 0, sizeof nw->group);
}

/* ---- parameters ---- */

static inline uint32_t ppm_to_2p20(uint32_t ppm)
{
    return (uint32_t)((((uint64_t)ppm << 20) + 500000) / 1000000); /* rounded */
}

/* Refresh link li's send state after a parameter change: a send reads only
 * that, with the probabilities as thresholds it compares with directly. */
static void link_changed(net *nw, size_t li)
{
    const sim_link_params *lp = &nw->params[li];
    net_link_state *l = &nw->links[li];
    l->latency = lp->latency;
    l->thresholds[0] = ppm_to_2p20(lp->drop_ppm);
    l->thresholds[1] = ppm_to_2p20(lp->dup_ppm);
    l->thresholds[2] = ppm_to_2p20(lp->reorder_ppm);
    l->bandwidth_Bps = lp->bandwidth_Bps;
    l->reorder_ns = lp->reorder_ns;
    l->reorder_free = lp->reorder_free;
}

/* Does a send on link l need the fault word? Not while its latency is
 * constant and its probabilities are zero: the word then decides nothing. */
static bool link_needs_draws(const net_link_state *l)
{
    return l->latency.kind != SIM_DIST_CONST ||
           (l->thresholds[0] | l->thresholds[1] | l->thresholds[2]) != 0;
}

/* After parameter changes: sends draw the fault word while any link needs
 * it, on every link, as the draws of all links interleave in one stream.
 * While none does, net_send counts the words it skips; when one starts to,
 * they are drawn here first, so the stream is where it would have been. */
static void draws_changed(net *nw)
{
    size_t links = (size_t)nw->n_ep * nw->n_ep;
    bool draws = false;
    for (size_t i = 0; i < links && !draws; i++)
        draws = link_needs_draws(&nw->links[i]);
    for (; draws && nw->owed; nw->owed--)
        rng_next(&nw->r);
    for (size_t i = 0; i < links; i++)
        nw->links[i].flags = (uint8_t)(draws ? nw->links[i].flags | NET_LINK_DRAWS
                                             : nw->links[i].flags & ~NET_LINK_DRAWS);
}

static void apply_param(sim_link_params *lp, enum sim_param p, int64_t v, const sim_dist *d)
{
    uint64_t u = v < 0 ? 0 : (uint64_t)v;
    switch (p) {
    case SIM_PARAM_LATENCY: lp->latency = *d; break;
    case SIM_PARAM_DROP: lp->drop_ppm = (uint32_t)(u > 1000000 ? 1000000 : u); break;
    case SIM_PARAM_DUP: lp->dup_ppm = (uint32_t)(u > 1000000 ? 1000000 : u); break;
    case SIM_PARAM_REORDER: lp->reorder_ppm = (uint32_t)(u > 1000000 ? 1000000 : u); break;
    case SIM_PARAM_REORDER_DELAY:
        lp->reorder_ns = u;
        lp->reorder_free = false;
        break;
    case SIM_PARAM_REORDER_DIST:
        lp->reorder_delay = *d;
        lp->reorder_free = true;
        break;
    case SIM_PARAM_BANDWIDTH: lp->bandwidth_Bps = u; break;
    case SIM_PARAM_FSYNC: break; /* a disk parameter: not the network's */
    case SIM_PARAM_DELAY: assert(0 && "only with a message class (net_set_msg_fault)"); break;
    }
}

/* A probability (drop, duplicate, reorder): sheltered links keep theirs. */
static bool is_probability(enum sim_param p)
{
    return p == SIM_PARAM_DROP || p == SIM_PARAM_DUP || p == SIM_PARAM_REORDER ||
           p == SIM_PARAM_REORDER_DELAY || p == SIM_PARAM_REORDER_DIST;
}

void net_set_param_all(net *nw, enum sim_param p, int64_t value, const sim_dist *d)
{
    apply_param(&nw->dflt, p, value, d);
    size_t links = (size_t)nw->n_ep * nw->n_ep;
    for (size_t i = 0; i < links; i++) {
        if (nw->links[i].sheltered && is_probability(p))
            continue;
        apply_param(&nw->params[i], p, value, d);
        link_changed(nw, i);
    }
    draws_changed(nw);
}

void net_set_param_link(net *nw, sim_ep from, sim_ep to, enum sim_param p, int64_t value,
                        const sim_dist *d)
{
    assert(from >= 1 && from <= nw->n_ep && to >= 1 && to <= nw->n_ep);
    apply_param(&nw->params[net_link(nw, from, to)], p, value, d);
    link_changed(nw, net_link(nw, from, to));
    draws_changed(nw);
}

void net_reset_params(net *nw, const sim_link_params *dflt)
{
    nw->dflt = *dflt;
    size_t links = (size_t)nw->n_ep * nw->n_ep;
    for (size_t i = 0; i < links; i++) {
        nw->params[i] = *dflt;
        sim_ep from = (sim_ep)(i / nw->n_ep) + 1, to = (sim_ep)(i % nw->n_ep) + 1;
        bool sheltered = nw->first_sheltered &&
                         (from >= nw->first_sheltered || to >= nw->first_sheltered);
        if (sheltered) { /* reliable: no probability of the default */
            nw->params[i].drop_ppm = nw->params[i].dup_ppm = nw->params[i].reorder_ppm = 0;
            nw->params[i].reorder_free = false;
        }
        nw->links[i].sheltered = sheltered;
        link_changed(nw, i);
    }
    draws_changed(nw);
}

void net_shelter_clients(net *nw, sim_ep first)
{
    nw->first_sheltered = first;
    net_reset_params(nw, &nw->dflt);
}

/* ---- sending ---- */

static uint64_t bandwidth_ns(uint64_t len, uint64_t bps)
{
    return (uint64_t)(((unsigned __int128)len * SIM_NS_PER_S + bps - 1) / bps);
}

int net_send(net *nw, sim_ep from, sim_ep to, uint64_t dst_gen, uint64_t now_ns,
             const uint8_t *buf, size_t len, net_plan *plan)
{
    return net_send_typed(nw, from, to, dst_gen, now_ns, buf, len, len >= 2 ? buf[1] : 0, plan);
}

int net_send_typed(net *nw, sim_ep from, sim_ep to, uint64_t dst_gen, uint64_t now_ns,
                   const uint8_t *buf, size_t len, uint8_t type, net_plan *plan)
{
    assert(from >= 1 && from <= nw->n_ep && to >= 1 && to <= nw->n_ep);
    plan->n = 0; /* the slot and time fields are set as deliveries are planned */
    plan->reordered = false;
    net_link_state *l = &nw->links[net_link(nw, from, to)];
    uint8_t flags = l->flags;
    uint64_t at;
    bool dup = false, reorder = false;
    if (flags == NET_LINK_DRAWS) { /* not blocked: the usual send of a noisy network */
        at = now_ns + dist_sample(&l->latency, &nw->r);
        /* One draw decides drop, duplicate and reorder: three 20-bit uniforms,
         * each compared with its probability scaled to 2^20 (exact to 1e-6). */
        uint64_t u = rng_next(&nw->r);
        const uint32_t *t = l->thresholds; /* kept in step by link_changed */
        bool drop = (u & 0xfffff) < t[0];
        dup = ((u >> 20) & 0xfffff) < t[1];
        reorder = ((u >> 40) & 0xfffff) < t[2];
        if (drop) {
            plan->verdict = NET_DROPPED_LOSS;
            return 0;
        }
    } else if (flags & NET_LINK_BLOCKED) { /* before any draw, like net_blocked */
        plan->verdict = NET_DROPPED_CUT;
        return 0;
    } else {
        /* No link draws (see draws_changed): the latency is constant, every
         * probability 0, and the word that would decide nothing is owed. */
        at = now_ns + l->latency.a_ns;
        nw->owed++;
    }
    /* The link's other draws, in their order: the reorder delay, the
     * duplicate's latency (made before the class faults, which may drop). */
    uint64_t link_extra = 0, dup_latency = 0;
    if (reorder)
        link_extra = l->reorder_free
                         ? dist_sample(&nw->params[net_link(nw, from, to)].reorder_delay, &nw->r)
                         : rng_range(&nw->r, 0, l->reorder_ns);
    if (dup)
        dup_latency = dist_sample(&l->latency, &nw->r);
    /* Faults restricted to a message class: their own stream (net.h). */
    net_class_fx fx = { 0 };
    if (type < 32 && ((nw->fault_types >> type) & 1) && !l->sheltered) {
        net_class_faults(nw, l, type, &fx);
        if (fx.drop) {
            plan->verdict = NET_DROPPED_LOSS;
            return 0;
        }
        at += fx.delay_ns;
    }
    /* Links are FIFO (like a TCP connection): jitter never reorders by itself.
     * The FIFO-keeping reorder takes its place, then adds its delay; the free
     * ones (reorder_free, a class's reorder) take no place at all. */
    if ((reorder && l->reorder_free) || fx.reorder) {
        at += link_extra + fx.reorder_ns;
    } else {
        uint64_t earliest = l->last_delivery;
        if (l->bandwidth_Bps)
            earliest += bandwidth_ns(len, l->bandwidth_Bps);
        if (at < earliest)
            at = earliest;
        l->last_delivery = at;
        at += link_extra;
    }
    plan->reordered = reorder || fx.reorder;
    plan->verdict = NET_SENT;
    plan->at_ns[0] = at;
    if (dup || fx.dup) {
        uint64_t at2 = now_ns + (dup ? dup_latency : fx.dup_latency_ns);
        plan->at_ns[1] = at2 < at ? at : at2; /* a duplicate trails its original */
        dup = true;
    }
    /* One copy per delivery, from a single call site so that it inlines. */
    uint32_t n = dup ? 2 : 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t slot = pool_copy(nw, from, to, dst_gen, buf, len, type, i == 1);
        if (slot == NET_NO_SLOT)
            return -1;
        plan->slot[i] = slot;
    }
    plan->n = n;
    return 0;
}
