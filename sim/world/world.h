/* world.h — the simulated world's state (struct sim: nodes, clients, queue,
 * network, disks, checker, trace, metrics) and the few services every part
 * of the world may call (world.c): push an event, send a message, report a
 * violation, count coverage, track the cluster's leader. Not part of the
 * public API (that is sim.h).
 *
 * The world's files depend one way, top first; none calls a file above it:
 *   sim.c (construction, the event loop)
 *   action.c, action_bind.c (timed actions) · liveness.c (heal, converge) · report.c
 *   node.c (lifecycle, deliveries) -> node_io.c (raft_io) -> node_client.c, node_fsync.c
 *     -> node_clock.c (clock, timer)                              [node.h]
 *   client.c (workloads)                                          [client.h]
 *   liveness_majority.c (the connected-majority observer)         [liveness.h]
 *   world.c (the services below)
 *   check*, history, metrics, trace, net, disk, blob, queue, dist, rng, names */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <assert.h>
#include <stddef.h>

#include "../../core/logbuf.h"
#include "../../core/pending.h"
#include "../../core/proto.h"
#include "check.h"
#include "disk.h"
#include "history.h"
#include "metrics.h"
#include "net.h"
#include "queue.h"
#include "rng.h"
#include "sim.h"
#include "trace.h"

enum sim_ev_kind {
    EV_NODE_TIMER,     /* a = node, b = timer generation */
    EV_DELIVER,        /* a = message slot */
    EV_FSYNC_DONE,     /* a = node, b = disk fsync generation */
    EV_CLIENT_NEXT,    /* a = client index, b = client tick generation */
    EV_CLIENT_TIMEOUT, /* a = client index, b = op slot, c = attempt generation (backoff) */
    EV_CLIENT_TIMER,   /* a = client index: the head of its timeout queue is due */
    EV_ACTION,         /* a = action index */
    EV_PAUSE_END,      /* a = node, b = pause generation */
    EV_HEAL,           /* liveness: heal everything */
    EV_LIVENESS_DEADLINE,
    EV_CONNECTED_CHECK, /* b = generation: a connected majority's period ends */
};

typedef struct sim_prop { /* a client append proposed by this node */
    uint64_t index, term, propose_ns, seq;
    uint32_t session;
    sim_ep client;
} sim_prop;

typedef struct sim_read { /* a client read waiting for ReadIndex + apply */
    uint64_t req_id, index, seq;
    uint32_t session;
    sim_ep client;
    bool ready;
} sim_read;

/* Fields in the order events use them: the first three cache lines hold
 * what deliveries, timers and appends touch (an event starts on a cold node,
 * and each line it reads costs a miss); the disk follows, then the fields of
 * pauses, crashes and reads. The struct is 64-byte aligned (see sim_new). */
typedef struct sim_node {
    /* line 0 */
    _Alignas(64) struct sim *s;
    void *proto;      /* NULL while crashed or being created */
    uint64_t gen;     /* lifetime: bumped on crash (in-flight deliveries go stale) */
    logbuf *lb;
    raft_id id;
    bool up, paused, creating;
    bool timer_armed; /* of the timer below */
    enum raft_role role;
    /* clock: local = l0 + (v - v0) + (v - v0) * ppm / 1e6 */
    int64_t drift_ppm;
    uint64_t clk_v0;
    /* line 1 */
    uint64_t clk_l0, last_local;
    /* timer: one pending event, superseded by generation; timer_local is
     * the local deadline it was armed for (see node_sync_timer) */
    uint64_t timer_gen, timer_at, timer_local;
    uint64_t term;
    sim_prop *props;         /* FIFO by index */
    size_t props_head;
    /* line 2 */
    size_t props_n, props_cap;
    size_t reads_ready;
    uint64_t elections;
    rng r;            /* the node's raft randomness */
    disk dk;
    /* rarely used */
    uint64_t pause_gen;
    uint64_t persisted_held; /* fsync finished while paused: report on resume */
    uint32_t *held;          /* deliveries waiting for resume */
    size_t held_n, held_cap;
    sim_read *reads;
    size_t reads_n, reads_cap;
    uint64_t next_req;
    pending_writes pend;     /* client writes in our log, not applied (leader only) */
    /* when it last got an AppendEntries or InstallSnapshot of its own term
     * (from that term's leader), in virtual time: the metric heard-leader */
    uint64_t heard_leader_ns;
} sim_node;
_Static_assert(offsetof(sim_node, clk_l0) == 64 && offsetof(sim_node, props_n) == 128 &&
                   offsetof(sim_node, dk) == 192,
               "sim_node's hot fields in the lines its comments say");

/* One client operation slot = one session: one cache line in the client's
 * 64-byte aligned array. */
typedef struct sim_cop {
    _Alignas(64) uint32_t session; /* global session id (history, wire client_id) */
    uint32_t failures;   /* failed attempts of the current op (backoff exponent) */
    uint64_t seq;        /* current or last op's sequence number */
    size_t hist_id;
    uint64_t invoke_ns;
    uint64_t attempt;    /* generation: stale timeouts are ignored */
    raft_id target, retry_target; /* retry_target 0: try the next node */
    uint64_t wire_seq;   /* seq of the append request kept in the client's wire[] (0: none) */
    bool busy;
    uint8_t kind;        /* enum hist_kind */
} sim_cop;
_Static_assert(sizeof(sim_cop) == 64, "an op slot is one cache line");

typedef struct sim_client_deadline { /* a pending timeout, in deadline order */
    uint64_t at_ns, attempt;
    uint32_t slot;
} sim_client_deadline;

typedef struct sim_client {
    sim_client_config cfg;
    uint32_t idx;
    sim_ep ep;
    rng r;
    bool stopped;
    uint64_t tick_gen, issued;
    raft_id leader_guess, rr;
    sim_cop *ops;       /* 64-byte aligned */
    size_t n_ops, cap_ops, busy;
    uint32_t *free_ops;
    size_t n_free;
    /* Timeouts share one queue event: with a fixed timeout, deadlines arrive
     * in order, so a FIFO replaces one heap entry per operation. */
    sim_client_deadline *toq;
    size_t toq_head, toq_n, toq_cap;
    bool timer_armed;
    /* Each slot's encoded append request, wire_stride bytes at slot *
     * wire_stride, so a retry resends it without building it again. */
    uint8_t *wire;
    size_t wire_stride, wire_slots;
} sim_client;

typedef struct sim_session_ref {
    uint32_t client, slot;
} sim_session_ref;

/* The simulator's bits of s->chk.attn (beside CHK_ATTN_VIOLATED): while the
 * word is 0, the loop's look after an event (liveness, violation, observer)
 * has nothing to do. Each bit is set whenever its condition may hold. */
enum {
    SIM_ATTN_HEALED = 2,   /* s->healed: the liveness phase checks after events */
    SIM_ATTN_OBSERVER = 4, /* s->observer is set */
    SIM_ATTN_STOP = 8,     /* s->stop_before is set: the loop may stop at an event */
};

/* What Raft promises a connected majority (liveness_majority.c). */
enum cm_mode {
    CM_FULL,          /* a leader must emerge, stay and commit */
    CM_AFTER_LEADER,  /* once a leader emerged, it (or a successor) must stay and commit */
    CM_OFF_TIMING,    /* not judged: the timeout spread is under SIM_TIMING_FACTOR broadcast times */
    CM_OFF_DISRUPTED, /* not judged: CheckQuorum off (and PreVote, or a leader outside), disruptors reach it */
    CM__COUNT
};

/* The connected-majority liveness check's state (liveness_majority.c). */
typedef struct sim_cm {
    bool ready;          /* on, and the nodes have started */
    uint64_t set;        /* nodes in a connected majority (bit id - 1); 0 = none */
    uint64_t topo;       /* digest of the links among present nodes */
    uint64_t gen;        /* bumped when either changes: stale period ends are ignored */
    uint64_t since_ns;   /* since when `set` is connected */
    uint64_t period_ns;  /* the current period's start */
    uint64_t best_ns;    /* longest unbroken leadership in `set` this period */
    raft_id lead;        /* a leader in `set` (0 = none), leading since lead_since */
    uint64_t lead_since;
    uint64_t committed, elections; /* at the period's start */
    bool writing;        /* writes outstanding at the period's start, from clients in reach */
    uint64_t clients;    /* clients reaching every node of `set` both ways (bit idx) */
    uint8_t mode;        /* enum cm_mode (liveness_majority.c): what Raft promises `set` */
    bool awaiting;       /* CM_AFTER_LEADER: the period starts when a leader emerges */
    uint64_t checked;                /* periods judged */
    uint64_t unchecked[CM__COUNT];   /* connected majorities not judged, by mode */
    uint64_t unchecked_ns[CM__COUNT]; /* how long they lasted, by mode */
    uint64_t mode_since;            /* when `set` got its current mode */
    uint64_t broadcast_ns;          /* the largest broadcast time that failed the timing rule */
} sim_cm;

struct sim {
    sim_config cfg;
    uint64_t seed;
    const proto_ops *ops;
    uint64_t now, events, end_ns;
    evq q;
    net nw;
    checker chk;
    blobstore blobs; /* entry payloads shared by the disks */
    trace tr;
    metrics met;
    history hist;
    rng faults;
    sim_node nodes[SIM_MAX_NODES + 1];
    sim_client clients[SIM_MAX_CLIENTS];
    sim_session_ref *sessions;
    size_t n_sessions, cap_sessions;
    sim_action *actions, *executed;
    size_t n_actions, cap_actions, n_executed, cap_executed;
    sim_ep bound[SIM_MAX_NAMES]; /* `as NAME` bindings (0 = unbound) */
    size_t write_op[SIM_MAX_NAMES]; /* `write cK as NAME`: its history op + 1 (0 = none) */
    uint64_t coverage[SIM_COV__COUNT];
    /* cluster view */
    raft_id leader;
    uint64_t leader_term;
    uint64_t unavail_ns, unavail_since;
    uint64_t outstanding_writes;
    /* liveness */
    bool healed, live_decided, live_ok;
    uint64_t heal_ns, converged_ns, elections_at_heal;
    /* The latest delivery of a node-to-node message that spent longer than
     * the minimum election timeout on its link (world.c, sim_send): Raft's
     * timing requirement broken until then (paper §5.6). late_ns: its delay. */
    uint64_t late_until_ns, late_ns;
    sim_ep late_from, late_to;
    bool live_unjudged; /* the heal check decided nothing (liveness.c) */
    sim_cm cm;
    /* stop */
    bool stopped, violated, over; /* stopped: cut short before event stop_before */
    uint64_t stop_before;
    sim_violation v;
    void (*observer)(void *arg, sim *s);
    void *observer_arg;
    uint8_t *scratch; /* encode buffer for client messages */
    size_t scratch_cap;
    raft_entry *dec_entries; /* decode scratch */
};

/* ---- services (world.c): what every part of the world may use ---- */
int sim_push(sim *s, uint64_t at_ns, enum sim_ev_kind kind, uint32_t a, uint64_t b, uint64_t c);
int sim__push_grow(sim *s, uint64_t at_ns, enum sim_ev_kind kind, uint32_t a, uint64_t b,
                   uint64_t c); /* sim_push's rare path */
/* sim_push's body, for the pushes made on most events (a delivery per
 * message, an fsync's completion, a timer): inline there, the call's
 * register saves were a fifth of the push. */
static inline __attribute__((always_inline)) int sim_push_inline(sim *s, uint64_t at_ns,
                                                                enum sim_ev_kind kind,
                                                                uint32_t a, uint64_t b,
                                                                uint64_t c)
{
    assert(at_ns >= s->now);
    if (!evq_has_room(&s->q))
        return sim__push_grow(s, at_ns, kind, a, b, c);
    /* cannot fail: there is room. Deliveries go through the queue's FIFO
     * lane: on links of constant latency they come in the order sent. */
    if (kind == EV_DELIVER)
        return evq_push_lane_fields(&s->q, at_ns, kind, a, b, c);
    return evq_push_fields(&s->q, at_ns, kind, a, b, c);
}
void sim_fail(sim *s, enum sim_violation_kind kind, sim_ep n1, uint64_t index,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Send bytes between endpoints through the network (nodes and clients). */
void sim_send(sim *s, sim_ep from, sim_ep to, const uint8_t *buf, size_t len);
uint8_t *sim_scratch(sim *s, size_t len);
void sim_cover(sim *s, enum sim_coverage c);
void sim_set_leader(sim *s, raft_id n, uint64_t term);
void sim_leader_gone(sim *s, raft_id n);
/* 1 <= ep <= n_nodes, in one compare (ep 0 wraps to the largest value). */
static inline bool sim_is_node(const sim *s, sim_ep ep)
{
    return (uint32_t)(ep - 1) < s->cfg.n_nodes;
}

#endif
