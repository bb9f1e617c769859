/* sim.c — the simulator's construction, event loop and small public API: the
 * top of the world (world.h), which nothing below it calls. Actions are in
 * action.c, the liveness phase in liveness.c, metrics queries and reports in
 * report.c; nodes and clients in node*.c and client.c; the services they
 * share in world.c. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "dist.h"
#include "action.h"
#include "client.h"
#include "liveness.h"
#include "liveness_majority.h"
#include "node.h"
#include "world.h"

void sim_config_default(sim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->n_nodes = 3;
    cfg->protocol = SIM_PROTO_RAFT;
    raft_config_default(&cfg->raft, 1, 3);
    cfg->net.latency = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = SIM_NS_PER_MS};
    cfg->disk.fsync = (sim_dist){.kind = SIM_DIST_CONST, .a_ns = SIM_NS_PER_MS};
    cfg->logbuf_max_records = 1u << 16;
    cfg->logbuf_max_bytes = 8u << 20;
    cfg->duration_ns = 10 * SIM_NS_PER_S;
    cfg->heal_at_ns = 0;
    cfg->converge_within_ns = 10 * SIM_NS_PER_S;
    cfg->connected_liveness = true;
}

static int validate(const sim_config *cfg, char *err, size_t cap)
{
    const char *why = NULL;
    if (cfg->n_nodes < 1 || cfg->n_nodes > SIM_MAX_NODES)
        why = "n_nodes must be 1..64";
    else if (cfg->n_clients > SIM_MAX_CLIENTS)
        why = "at most 64 clients";
    else if (cfg->protocol != SIM_PROTO_RAFT && cfg->protocol != SIM_PROTO_NAIVE)
        why = "unknown protocol";
    else if (dist_validate(&cfg->net.latency) || dist_validate(&cfg->disk.fsync))
        why = "invalid latency distribution";
    else if (cfg->net.reorder_free && dist_validate(&cfg->net.reorder_delay))
        why = "invalid reorder delay distribution";
    else if (cfg->n_msg_faults > SIM_MAX_MSG_FAULTS)
        why = "at most 8 faults restricted to a message class";
    else if (cfg->duration_ns == 0)
        why = "duration must be > 0";
    else if (!cfg->logbuf_max_records || !cfg->logbuf_max_bytes)
        why = "log buffer bounds must be > 0";
    for (uint32_t i = 0; !why && i < cfg->n_msg_faults; i++) {
        const sim_msg_fault *f = &cfg->msg_faults[i];
        if (f->kind > SIM_MF_DELAY || !sim_msg_group_name(f->group) || f->ppm > 1000000 ||
            dist_validate(&f->delay))
            why = "invalid fault restricted to a message class";
    }
    for (uint32_t i = 0; !why && i < cfg->n_clients; i++) {
        const sim_client_config *c = &cfg->clients[i];
        if (c->kind == SIM_CLIENT_CLOSED ? false : c->rate_per_s == 0)
            why = "open-loop writers and readers need a rate";
        else if (!c->no_backoff && (c->backoff_min_ns || c->backoff_max_ns) &&
                 (c->backoff_min_ns == 0 || c->backoff_min_ns > c->backoff_max_ns))
            why = "a client's backoff needs 0 < min <= max";
    }
    if (why && err && cap)
        snprintf(err, cap, "%s", why);
    return why ? -1 : 0;
}

static int sim_init_nodes(sim *s)
{
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++) {
        sim_node *n = &s->nodes[id];
        n->s = s;
        n->id = id;
        rng_init(&n->r, s->seed, RNG_STREAM_NODE_TIMER + id);
        if (disk_init(&n->dk, &s->cfg.disk, s->seed, id, &s->blobs) != 0 ||
            node_start(s, id) != 0)
            return -1;
    }
    return 0;
}

sim *sim_new(const sim_config *cfg, uint64_t seed, char *err, size_t err_cap)
{
    if (validate(cfg, err, err_cap) != 0)
        return NULL;
    /* Aligned as its cache-line sized parts ask (sizeof is a multiple of it) */
    sim *s = aligned_alloc(_Alignof(sim), sizeof *s);
    if (!s) {
        snprintf(err, err_cap, "out of memory");
        return NULL;
    }
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->seed = seed;
    s->ops = cfg->protocol == SIM_PROTO_NAIVE ? &naive_proto_ops : &raft_proto_ops;
    s->end_ns = cfg->duration_ns;
    evq_init(&s->q);
    blobstore_init(&s->blobs);
    trace_init(&s->tr);
    metrics_init(&s->met);
    hist_init(&s->hist);
    rng_init(&s->faults, seed, RNG_STREAM_FAULTS);
    uint32_t n_ep = cfg->n_nodes + cfg->n_clients;
    bool ok = net_init(&s->nw, n_ep, &cfg->net, seed) == 0 &&
              chk_init(&s->chk, cfg->n_nodes) == 0 && sim_init_nodes(s) == 0;
    if (ok)
        net_reset_msg_faults(&s->nw, cfg->msg_faults, cfg->n_msg_faults);
    if (ok && cfg->client_links_reliable && cfg->n_clients)
        net_shelter_clients(&s->nw, cfg->n_nodes + 1);
    for (uint32_t i = 0; ok && i < cfg->n_clients; i++)
        ok = client_init(s, i) == 0;
    if (ok)
        liveness_connected_start(s);
    if (ok && cfg->liveness) {
        uint64_t heal = cfg->heal_at_ns && cfg->heal_at_ns < cfg->duration_ns ? cfg->heal_at_ns
                                                                               : cfg->duration_ns;
        ok = sim_push(s, heal, EV_HEAL, 0, 0, 0) == 0;
    }
    if (!ok) {
        snprintf(err, err_cap, "could not create the simulation (out of memory or bad raft "
                               "config)");
        sim_free(s);
        return NULL;
    }
    return s;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++) {
        disk_forget_blobs(&s->nodes[id].dk); /* blobstore_free below frees them all */
        node_free(s, &s->nodes[id]);
    }
    for (uint32_t i = 0; i < s->cfg.n_clients; i++)
        client_free(&s->clients[i]);
    blobstore_free(&s->blobs); /* after the disks that referenced it */
    evq_free(&s->q);
    net_free(&s->nw);
    chk_free(&s->chk);
    trace_free(&s->tr);
    metrics_free(&s->met);
    hist_free(&s->hist);
    free(s->sessions);
    free(s->actions);
    free(s->executed);
    free(s->scratch);
    free(s);
}

/* ---- the loop ---- */

/* A message arrives: at a node, or at a client. */
static inline void deliver(sim *s, uint32_t slot)
{
    if (sim_is_node(s, net_slot(&s->nw, slot)->to))
        node_deliver(s, slot);
    else
        client_deliver(s, slot);
}

/* `ev` points into the queue's storage, which the next push may reuse (the
 * freed slot is handed out first): every case reads the fields it needs as
 * call arguments, never after a call that may push. */
static bool dispatch(sim *s, const sim_event *ev)
{
    if (ev->kind == EV_DELIVER) { /* most events: tested before the jump table */
        deliver(s, ev->a);
        return true;
    }
    switch ((enum sim_ev_kind)ev->kind) {
    case EV_NODE_TIMER: return node_timer(s, ev->a, ev->b);
    case EV_DELIVER: deliver(s, ev->a); return true;
    case EV_FSYNC_DONE: return node_fsync_done(s, ev->a, ev->b);
    case EV_CLIENT_NEXT: return client_next(s, ev->a, ev->b);
    case EV_CLIENT_TIMEOUT: return client_timeout(s, ev->a, (uint32_t)ev->b, ev->c);
    case EV_CLIENT_TIMER: return client_timer(s, ev->a);
    case EV_ACTION:
        action_run(s, ev->a);
        liveness_topology(s); /* cuts, partitions, crashes, pauses, ... */
        return true;
    case EV_PAUSE_END:
        if (s->nodes[ev->a].pause_gen != ev->b)
            return false;
        node_resume(s, ev->a);
        return true;
    case EV_HEAL: liveness_heal(s); return true;
    case EV_LIVENESS_DEADLINE: liveness_deadline(s); return true;
    case EV_CONNECTED_CHECK: return liveness_connected_check(s, ev->b);
    }
    assert(0 && "unknown event kind");
    return false;
}

static void record_violation(sim *s)
{
    s->violated = true;
    s->v = s->chk.v;
    s->over = true;
    trace_emit(&s->tr, s->now, TR_VIOLATION, s->v.nodes[0], 0, s->v.kind, s->v.index, 0);
}

/* Runs after every event: the test is inline, recording is the rare case. */
static inline void stop_on_violation(sim *s)
{
    if (s->chk.violated && !s->violated)
        record_violation(s);
}

/* After an event, when s->chk.attn says there may be something to do (the
 * loop's one test): the liveness check, a violation to record, the
 * observer. */
static inline void after_event(sim *s, bool real)
{
    if (s->healed && !s->live_decided && !s->chk.violated)
        liveness_check(s);
    stop_on_violation(s);
    if (real && s->observer)
        s->observer(s->observer_arg, s);
    if (s->stop_before && s->events + 1 >= s->stop_before && !s->over)
        s->stopped = s->over = true;
}

/* The event loop, shared by sim_step, sim_run_until and sim_run so that the
 * loop runs inside one function: its register saves are paid once per call,
 * not once per event. It stops when the run is over; with `once`, after one
 * event; with `until`, before an event later than until_ns or when none is
 * left, without ending the run. Returns !over. */
static bool steps(sim *s, bool until, uint64_t until_ns, bool once)
{
    /* An event at or before `limit` runs: one compare per event. The end of
     * the run does not move while the loop runs (only sim_run sets it). */
    const uint64_t limit = until && until_ns < s->end_ns ? until_ns : s->end_ns;
    const uint64_t max_events = s->cfg.max_events ? s->cfg.max_events : UINT64_MAX;
    while (!s->over) {
        const evq_key *head = evq_head(&s->q);
        if (!head || head->time_ns > limit) {
            if (until && (!head || head->time_ns > until_ns))
                break;
            if (s->now < s->end_ns) /* none left, or the next is after the end */
                s->now = s->end_ns;
            s->over = true;
            break;
        }
        /* dispatch() reads the event's fields before anything can push (which
         * may reuse its storage), so it runs on the queue's copy. */
        uint64_t t = head->time_ns;
        const sim_event *ev = evq_take_head(&s->q, head);
        assert(ev->time_ns == t && t >= s->now);
        s->now = t;
        chk_set_clock(&s->chk, s->now, s->events + 1);
        bool real = dispatch(s, ev);
        if (real) {
            s->events++;
            if (s->events > max_events)
                sim_fail(s, SIM_V_EVENT_LIMIT, 0, 0, "more than %llu events",
                         (unsigned long long)s->cfg.max_events);
        }
        if (s->chk.attn)
            after_event(s, real);
        if (once)
            break;
    }
    return !s->over;
}

bool sim_step(sim *s)
{
    return steps(s, false, 0, true);
}

bool sim_run_until(sim *s, uint64_t t_ns)
{
    steps(s, true, t_ns, false);
    if (!s->over && s->now < t_ns)
        s->now = t_ns < s->end_ns ? t_ns : s->end_ns;
    return !s->over;
}

bool sim_run(sim *s)
{
    steps(s, false, 0, false);
    if (s->stopped)
        return !s->violated; /* cut short: nothing more is decided */
    if (!s->violated && s->cfg.liveness && !s->live_decided) {
        /* The liveness phase may run past the duration: heal, then converge. */
        uint64_t heal = s->healed ? s->heal_ns
                                  : (s->cfg.heal_at_ns ? s->cfg.heal_at_ns : s->cfg.duration_ns);
        s->end_ns = heal + s->cfg.converge_within_ns;
        s->over = false;
        steps(s, false, 0, false);
        if (s->stopped)
            return !s->violated;
        if (!s->violated && !s->live_decided)
            liveness_deadline(s);
        stop_on_violation(s);
    }
    if (!s->violated) {
        sim_violation v;
        if (!hist_check(&s->hist, &v)) {
            v.event = s->events;
            chk_mark_violated(&s->chk);
            s->chk.v = v;
            stop_on_violation(s);
        }
    }
    return !s->violated;
}

void sim_stop_before_event(sim *s, uint64_t n)
{
    assert(n >= 1);
    s->stop_before = n;
    s->chk.attn |= SIM_ATTN_STOP;
    if (s->events + 1 >= n && !s->over)
        s->stopped = s->over = true;
}

bool sim_stopped(const sim *s) { return s->stopped; }

/* ---- small accessors ---- */

uint64_t sim_now(const sim *s) { return s->now; }
uint64_t sim_event_count(const sim *s) { return s->events; }
uint64_t sim_trace_hash(const sim *s) { return s->tr.hash; }
const sim_violation *sim_violation_get(const sim *s) { return s->violated ? &s->v : NULL; }
const sim_config *sim_get_config(const sim *s) { return &s->cfg; }
void sim_set_trace(sim *s, FILE *jsonl) { trace_set_output(&s->tr, jsonl, s->cfg.n_nodes); }
const uint64_t *sim_coverage_counts(const sim *s) { return s->coverage; }

void sim_set_observer(sim *s, void (*fn)(void *arg, sim *s), void *arg)
{
    s->observer = fn;
    s->observer_arg = arg;
    if (fn)
        s->chk.attn |= SIM_ATTN_OBSERVER;
    else
        s->chk.attn &= (uint8_t)~SIM_ATTN_OBSERVER;
}

const sim_action *sim_executed_actions(const sim *s, size_t *n)
{
    *n = s->n_executed;
    return s->executed;
}
