/* world.c — the services every part of the world may call (world.h):
 * pushing an event, reporting a violation, a scratch encode buffer, coverage
 * counts, the cluster's leader, and sending a message through the network. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "world.h"

/* sim_push when the queue is full: grow it, or fail the run. Kept out of
 * line so that the common path makes no call (and saves no registers). */
__attribute__((noinline, cold)) int sim__push_grow(sim *s, uint64_t at_ns, enum sim_ev_kind kind,
                                                   uint32_t a, uint64_t b, uint64_t c)
{
    if (evq__grow(&s->q) == 0)
        return sim_push(s, at_ns, kind, a, b, c);
    sim_fail(s, SIM_V_EVENT_LIMIT, 0, 0, "out of memory in the event queue");
    return -1;
}

int sim_push(sim *s, uint64_t at_ns, enum sim_ev_kind kind, uint32_t a, uint64_t b, uint64_t c)
{
    return sim_push_inline(s, at_ns, kind, a, b, c);
}

void sim_fail(sim *s, enum sim_violation_kind kind, sim_ep n1, uint64_t index,
              const char *fmt, ...)
{
    char detail[sizeof s->v.detail];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    chk_fail(&s->chk, kind, n1, 0, index, 0, "%s", detail);
}

uint8_t *sim_scratch(sim *s, size_t len)
{
    if (len > s->scratch_cap) {
        size_t cap = s->scratch_cap ? s->scratch_cap : 4096;
        while (cap < len)
            cap *= 2;
        uint8_t *p = realloc(s->scratch, cap);
        if (!p)
            return NULL;
        s->scratch = p;
        s->scratch_cap = cap;
    }
    return s->scratch;
}

void sim_cover(sim *s, enum sim_coverage c)
{
    assert((unsigned)c < SIM_COV__COUNT);
    s->coverage[c]++;
}

void sim_set_leader(sim *s, raft_id n, uint64_t term)
{
    if (term < s->leader_term || (n == s->leader && term == s->leader_term))
        return;
    raft_id old = s->leader;
    if (old == 0)
        s->unavail_ns += s->now - s->unavail_since;
    else if (s->nodes[old].up && net_faulted(&s->nw))
        sim_cover(s, SIM_COV_LEADER_LOST_IN_PARTITION); /* deposed while cut off */
    s->leader = n;
    s->leader_term = term;
    s->met.leader_changes++;
}

void sim_leader_gone(sim *s, raft_id n)
{
    if (s->leader != n)
        return;
    if (net_faulted(&s->nw))
        sim_cover(s, SIM_COV_LEADER_LOST_IN_PARTITION);
    s->leader = 0;
    s->unavail_since = s->now;
}

/* Tracing: remember which message id each delivery slot carries; a
 * duplicate (the second slot) is a message of its own with a fresh id. */
static void trace_send_ids(sim *s, const net_plan *plan, uint64_t id)
{
    for (uint32_t i = 0; i < plan->n; i++)
        if (trace_msg_bind(&s->tr, plan->slot[i], i ? trace_msg_new(&s->tr) : id) != 0)
            sim_fail(s, SIM_V_EVENT_LIMIT, 0, 0, "out of memory for the trace's message ids");
}

/* A node-to-node message arrives delay_ns from now, later than the minimum
 * election timeout: remember the latest such arrival for the heal check
 * (liveness.c, paper §5.6). */
static void note_late(sim *s, sim_ep from, sim_ep to, uint64_t delay_ns)
{
    if (s->now + delay_ns < s->late_until_ns)
        return;
    s->late_until_ns = s->now + delay_ns;
    s->late_ns = delay_ns;
    s->late_from = from;
    s->late_to = to;
}

void sim_send(sim *s, sim_ep from, sim_ep to, const uint8_t *buf, size_t len)
{
    uint8_t type = len >= 2 ? buf[1] : 0;
    metrics_sent(&s->met, from, type, len);
    uint64_t id = s->tr.out ? trace_msg_new(&s->tr) : 0; /* ids: only when tracing */
    if (id)
        trace_extra(&s->tr, "\"id\":%llu", (unsigned long long)id);
    trace_emit(&s->tr, s->now, TR_SEND, from, to, type, len, 0);
    uint64_t gen = sim_is_node(s, to) ? s->nodes[to].gen : 0;
    net_plan plan;
    if (net_send_typed(&s->nw, from, to, gen, s->now, buf, len, type, &plan) != 0) {
        sim_fail(s, SIM_V_EVENT_LIMIT, from, 0, "out of memory in the message pool");
        return;
    }
    if (plan.verdict != NET_SENT) {
        s->met.dropped++;
        if (id)
            trace_extra(&s->tr, "\"id\":%llu", (unsigned long long)id);
        trace_emit(&s->tr, s->now, TR_DROP, from, to, type, len,
                   plan.verdict == NET_DROPPED_CUT ? TR_DROP_CUT : TR_DROP_LOSS);
        return;
    }
    for (uint32_t i = 0; i < plan.n; i++)
        sim_push_inline(s, plan.at_ns[i], EV_DELIVER, plan.slot[i], 0, 0);
    if (plan.at_ns[0] - s->now > s->cfg.raft.election_timeout_min_ns && sim_is_node(s, from) &&
        sim_is_node(s, to))
        note_late(s, from, to, plan.at_ns[0] - s->now);
    if (id)
        trace_send_ids(s, &plan, id);
    if (plan.n == 2) {
        s->met.duplicated++;
        if (id)
            trace_extra(&s->tr, "\"id\":%llu,\"copy_of\":%llu",
                        (unsigned long long)trace_msg_id(&s->tr, plan.slot[1]),
                        (unsigned long long)id);
        trace_emit(&s->tr, s->now, TR_DUPLICATE, from, to, type, len, 0);
    }
}
