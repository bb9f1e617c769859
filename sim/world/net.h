/* net.h — the simulated network: one link per ordered pair of endpoints,
 * each with its own parameters (latency distribution, drop, duplication,
 * reordering, bandwidth), one-way cuts and partitions into groups; plus a
 * pool of message buffers so steady-state sends never call malloc.
 *
 * Semantics (documented here because tests and scenarios rely on them):
 * - Cuts and partitions are checked when a message is SENT: a message already
 *   on the wire when a link is cut still arrives (packets in flight).
 * - A partition assigns endpoints to groups 1..k; two endpoints that are both
 *   in groups but in different groups cannot talk. Endpoints listed in no
 *   group keep all their links.
 * - Per send, the network stream draws, in order: latency, one 64-bit word
 *   that decides drop, duplicate and reorder (three 20-bit uniforms, so a
 *   probability change never shifts later draws), [reorder delay], [latency
 *   of the duplicate]. Only the network stream is used: other streams never
 *   shift. While every link has a constant latency and no drop, duplicate or
 *   reorder probability, the word decides nothing: it is owed instead of
 *   drawn, and the owed words are drawn the moment a parameter change makes
 *   them matter, so the stream is exactly the same.
 * - Links are FIFO, like a TCP connection: a message is never delivered
 *   before the previous one on its link, whatever the latency jitter. Only
 *   the reorder fault (extra delay after the FIFO slot is taken) and
 *   duplicates let messages overtake.
 * - Bandwidth: delivery >= previous delivery on that link + len / bandwidth
 *   (sends on one link are serialised).
 * - A link with reorder_free set (`reorder 10% delay 200ms..2s`) delivers a
 *   reordered message latency + a reorder_delay sample after its send and
 *   leaves the link's FIFO order alone: the message takes no place in it, is
 *   not held behind earlier ones nor holds later ones back, so it overtakes
 *   and is overtaken. Its delay is drawn where the FIFO-keeping reorder's is
 *   (after the fault word), so switching modes shifts no other draw.
 * - Faults restricted to a message class (sim_msg_fault: `drop 5% replies`,
 *   `delay append 20ms`) apply on every link after the link's own faults,
 *   to messages not already dropped or cut, and draw from their own stream
 *   (RNG_STREAM_MSG_FAULTS): per matching message, per matching fault in
 *   the order they were first set, one word (its low 20 bits against the
 *   probability), then, if it hit, the delay (reorder, delay) or the
 *   duplicate's latency. Messages of other classes draw nothing there, and
 *   the network stream sees exactly the draws it would without these faults,
 *   so adding one shifts no other message's fate by itself (only through
 *   what the nodes do differently). `delay` adds latency and keeps the link
 *   FIFO (what comes after waits behind the delayed message, as on a TCP
 *   connection); `reorder` is outside the FIFO order as above; a class
 *   duplicate trails its original; drop loses the message (NET_DROPPED_LOSS).
 */
#ifndef SIM_NET_H
#define SIM_NET_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "poison.h"
#include "rng.h"
#include "sim.h"

#define NET_NO_SLOT UINT32_MAX

/* One message in flight. The buffer belongs to the pool. 32 bytes, in a
 * 64-byte aligned array: a delivery's first look at its message costs one
 * line, never two. */
typedef struct net_msg {
    uint8_t *buf;
    union {
        uint64_t dst_gen;   /* in flight: destination's lifetime when sent (crash => stale) */
        uint32_t next_free; /* in the pool: its free list */
    };
    uint32_t len, cap;
    uint8_t from, to;   /* endpoints (sim_ep), at most SIM_MAX_ENDPOINTS */
    uint8_t type;       /* wire type byte (0 if too short) */
    bool duplicate;     /* the second copy of a duplicated message */
    uint8_t size_class; /* of buf, fixed when the slot is made */
} net_msg;
_Static_assert(SIM_MAX_ENDPOINTS <= UINT8_MAX, "an endpoint fits net_msg's bytes");
_Static_assert(sizeof(net_msg) == 32, "a message record is half a cache line");

enum net_verdict { NET_SENT, NET_DROPPED_LOSS, NET_DROPPED_CUT };

/* What one send turned into: up to two deliveries (the second a duplicate). */
typedef struct net_plan {
    enum net_verdict verdict;
    uint32_t n;
    uint32_t slot[2];
    uint64_t at_ns[2];
    bool reordered;
} net_plan;

enum { NET_SIZE_CLASSES = 24 };

/* net_link_state.flags */
enum {
    NET_LINK_CUT = 1,   /* a one-way cut */
    NET_LINK_SPLIT = 2, /* its endpoints are in different groups of a partition */
    NET_LINK_BLOCKED = NET_LINK_CUT | NET_LINK_SPLIT,
    NET_LINK_DRAWS = 4, /* sends draw the fault word (set on every link, or on none) */
};

/* Everything a send reads and writes about its link, in one cache line:
 * a send then touches one line of link state, not five arrays. The
 * parameters come from the link's sim_link_params (kept in step by
 * link_changed in net.c); flags and last_delivery live only here. */
typedef struct net_link_state {
    _Alignas(64) sim_dist latency;
    uint32_t thresholds[3];  /* drop, dup, reorder ppm scaled to 2^20 */
    uint8_t flags;           /* NET_LINK_* */
    bool reorder_free;       /* sim_link_params.reorder_free (its delay: params) */
    bool sheltered;          /* a reliable client link (net_shelter_clients) */
    uint64_t last_delivery;  /* for FIFO order and bandwidth serialisation */
    uint64_t bandwidth_Bps;
    uint64_t reorder_ns;     /* FIFO-keeping reorder (not reorder_free) */
} net_link_state;
_Static_assert(sizeof(net_link_state) == 64, "a link's send state is one cache line");

typedef struct net {
    uint32_t n_ep;
    sim_link_params dflt;
    sim_link_params *params; /* [from-1][to-1]: as set (read on changes only) */
    net_link_state *links;   /* [from-1][to-1]: 64-byte aligned, one line each */
    uint8_t group[SIM_MAX_ENDPOINTS + 1]; /* of the partition (links: NET_LINK_SPLIT) */
    rng r;
    uint64_t owed;           /* fault words not drawn from r yet (see net_send) */
    net_msg *slots;          /* 64-byte aligned (see net_msg) */
    uint32_t n_slots, cap_slots;
    uint32_t free_head[NET_SIZE_CLASSES + 1]; /* last class: oversized, exact */
    uint64_t live;           /* messages currently allocated */
    sim_ep first_sheltered;  /* endpoints from here on (clients) have reliable links; 0: none */
    /* faults restricted to a message class (net_class.c) */
    uint32_t n_faults;
    uint32_t fault_types;    /* bit t: a fault with a probability applies to type t */
    uint32_t fault_mask[SIM_MAX_MSG_FAULTS];
    sim_msg_fault faults[SIM_MAX_MSG_FAULTS];
    rng fr;                  /* their stream */
} net;

/* What the faults restricted to a message class did to one message. */
typedef struct net_class_fx {
    bool drop, dup, reorder;
    uint64_t delay_ns;   /* extra latency, FIFO kept */
    uint64_t reorder_ns; /* extra delay outside FIFO order (if reorder) */
    uint64_t dup_latency_ns; /* the duplicate's latency sample (if dup) */
} net_class_fx;
/* Decide them for one message of wire type `type` on link l (net_class.c). */
void net_class_faults(net *nw, const net_link_state *l, uint8_t type, net_class_fx *fx);
/* Set (or change) the fault of this kind on this class; at most
 * SIM_MAX_MSG_FAULTS distinct pairs (the scenario language checks). */
void net_set_msg_fault(net *nw, const sim_msg_fault *f);
/* Back to exactly these faults (the configuration's, at a liveness heal). */
void net_reset_msg_faults(net *nw, const sim_msg_fault *f, uint32_t n);

int net_init(net *nw, uint32_t n_ep, const sim_link_params *dflt, uint64_t seed);
void net_free(net *nw);

static inline size_t net_link(const net *nw, sim_ep from, sim_ep to)
{
    return (size_t)(from - 1) * nw->n_ep + (to - 1);
}

/* Send `len` bytes from -> to at time now. Fills *plan; on NET_SENT the
 * slots hold copies of the bytes (to be delivered, then released).
 * Returns 0, or -1 on allocation failure. */
int net_send(net *nw, sim_ep from, sim_ep to, uint64_t dst_gen, uint64_t now_ns,
             const uint8_t *buf, size_t len, net_plan *plan);
/* The same, given the message's type byte (net_msg's `type`: buf[1], or 0
 * if len < 2), which the caller has read already. */
int net_send_typed(net *nw, sim_ep from, sim_ep to, uint64_t dst_gen, uint64_t now_ns,
                   const uint8_t *buf, size_t len, uint8_t type, net_plan *plan);
static inline net_msg *net_slot(net *nw, uint32_t slot) { return &nw->slots[slot]; }

void net__release_oversized(net *nw, uint32_t slot); /* net_release's slow path */
/* Return a delivered (or discarded) message's slot to the pool. Inline:
 * every delivery ends here. */
static inline void net_release(net *nw, uint32_t slot)
{
    assert(slot < nw->n_slots);
    net_msg *m = &nw->slots[slot];
    if (m->size_class == NET_SIZE_CLASSES) {
        net__release_oversized(nw, slot);
        return;
    }
    assert(nw->live > 0);
    nw->live--;
    m->next_free = nw->free_head[m->size_class];
    nw->free_head[m->size_class] = slot;
    POOL_POISON(m->buf, m->cap); /* reading a delivered message now is a bug */
}

/* Whether a message from -> to is lost to a cut or a partition (net_send
 * reads the same flags itself). */
static inline bool net_blocked(const net *nw, sim_ep from, sim_ep to)
{
    return nw->links[net_link(nw, from, to)].flags & NET_LINK_BLOCKED;
}
/* Is any cut or partition in force? */
bool net_faulted(const net *nw);
void net_set_cut(net *nw, sim_ep from, sim_ep to, bool cut);
void net_isolate(net *nw, sim_ep ep);
/* groups[0..n): endpoints in group g get group id g + 1. */
void net_partition(net *nw, const sim_epset *groups, uint32_t n);
void net_heal(net *nw);

/* Parameter changes. net_set_param_all also changes the default. */
void net_set_param_all(net *nw, enum sim_param p, int64_t value, const sim_dist *d);
void net_set_param_link(net *nw, sim_ep from, sim_ep to, enum sim_param p, int64_t value,
                        const sim_dist *d);
void net_reset_params(net *nw, const sim_link_params *dflt);
/* Links to and from endpoints >= first (the clients) become reliable: no
 * drop, duplicate or reorder probability unless set on that link by name;
 * setting one on every link and faults by message class skip them.
 * Resets every link's parameters to nw->dflt. */
void net_shelter_clients(net *nw, sim_ep first);

static inline bool epset_has(const sim_epset *s, sim_ep ep)
{
    return ep >= 1 && ep <= 128 && ((s->bits[(ep - 1) / 64] >> ((ep - 1) % 64)) & 1);
}
static inline void epset_add(sim_epset *s, sim_ep ep)
{
    s->bits[(ep - 1) / 64] |= UINT64_C(1) << ((ep - 1) % 64);
}

#endif
