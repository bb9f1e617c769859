/* report.c — sim_metric (every SIM_M_* with its selectors) and the printed
 * reports: summary, violation, node dumps, coverage, metrics CSV. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "liveness.h"
#include "liveness_majority.h"
#include "world.h"

/* Latency percentiles sort the sample vector lazily: a cache, not state. */
static uint64_t latency(const sim *s, unsigned per_mille)
{
    return u64vec_percentile((u64vec *)&s->met.lat_ack, per_mille);
}

static bool node_value(const sim *s, enum sim_metric m, raft_id id, int64_t *out)
{
    const sim_node *n = &s->nodes[id];
    const chk_node *c = &s->chk.nodes[id];
    raft_status st;
    logbuf_counters lc;
    switch (m) {
    case SIM_M_TERM: *out = (int64_t)n->term; return true;
    case SIM_M_COMMIT: *out = (int64_t)c->commit; return true;
    case SIM_M_APPLIED: *out = (int64_t)c->applied; return true;
    case SIM_M_LOG_LENGTH: *out = (int64_t)c->last; return true;
    case SIM_M_IS_LEADER: *out = n->up && n->role == RAFT_LEADER; return true;
    case SIM_M_UP: *out = n->up; return true;
    case SIM_M_SNAPSHOT_INDEX: *out = (int64_t)c->base; return true;
    case SIM_M_NODE_ELECTIONS: *out = (int64_t)n->elections; return true;
    case SIM_M_HEARD_LEADER:
        *out = n->up && n->role == RAFT_LEADER ? 0 : (int64_t)(s->now - n->heard_leader_ns);
        return true;
    case SIM_M_READ_ONLY:
        *out = 0;
        if (n->proto) {
            s->ops->get_status(n->proto, &st);
            *out = st.read_only;
        }
        return true;
    case SIM_M_VOTE: case SIM_M_LOG_RETAINED: case SIM_M_LOG_BYTES: case SIM_M_SNAPSHOT_TERM:
        *out = 0;
        if (n->proto) {
            s->ops->get_status(n->proto, &st);
            *out = (int64_t)(m == SIM_M_VOTE           ? st.vote
                             : m == SIM_M_LOG_RETAINED ? st.log_entries
                             : m == SIM_M_LOG_BYTES    ? st.log_bytes
                                                       : st.snap.term);
        }
        return true;
    case SIM_M_RECORDS:
        *out = 0;
        if (n->lb) {
            logbuf_counters_get(n->lb, &lc);
            *out = (int64_t)lc.records_total;
        }
        return true;
    default: return false;
    }
}

static bool node_metric(const sim *s, const sim_metric_ref *r, int64_t *out)
{
    if (r->sel == SIM_SEL_NODE)
        return sim_is_node(s, r->node) && node_value(s, r->metric, r->node, out);
    if (r->sel == SIM_SEL_LEADER) {
        *out = 0;
        return !s->leader || node_value(s, r->metric, s->leader, out);
    }
    bool any = false;
    int64_t acc = 0;
    uint64_t among = ~UINT64_C(0); /* `among`: only these nodes (bit id - 1) */
    if (r->among == SIM_AMONG_CONNECTED) {
        among = sim_connected_nodes(s);
    } else if (r->among == SIM_AMONG_SET) {
        among = r->among_nodes;
        for (uint32_t k = 0; k < SIM_MAX_NAMES; k++)
            if ((r->among_names >> k & 1) && sim_is_node(s, s->bound[k]))
                among |= UINT64_C(1) << (s->bound[k] - 1);
    }
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++) {
        int64_t v;
        bool skip = (r->sel != SIM_SEL_SUM && !s->nodes[id].up && r->metric != SIM_M_UP) ||
                    !(among >> (id - 1) & 1);
        if (skip || !node_value(s, r->metric, id, &v))
            continue;
        if (!any)
            acc = v;
        else if (r->sel == SIM_SEL_ALL)
            acc = v < acc ? v : acc;
        else if (r->sel == SIM_SEL_ANY)
            acc = v > acc ? v : acc;
        else
            acc += v;
        any = true;
    }
    *out = acc;
    return true;
}

static bool counter_metric(const sim *s, const sim_metric_ref *r, int64_t *out)
{
    const metrics *m = &s->met;
    switch (r->metric) {
    case SIM_M_COMMITTED: *out = (int64_t)s->chk.committed; return true;
    case SIM_M_ACKED: *out = (int64_t)s->hist.acked; return true;
    case SIM_M_READS: *out = (int64_t)s->hist.reads; return true;
    case SIM_M_ELECTIONS: *out = (int64_t)m->elections; return true;
    case SIM_M_LEADER_CHANGES: *out = (int64_t)m->leader_changes; return true;
    case SIM_M_LEADER: *out = s->leader; return true;
    case SIM_M_UNAVAILABLE:
        *out = (int64_t)(s->unavail_ns + (s->leader ? 0 : s->now - s->unavail_since));
        return true;
    case SIM_M_LATENCY_P50: *out = (int64_t)latency(s, 500); return true;
    case SIM_M_LATENCY_P90: *out = (int64_t)latency(s, 900); return true;
    case SIM_M_LATENCY_P99: *out = (int64_t)latency(s, 990); return true;
    case SIM_M_LATENCY_P999: *out = (int64_t)latency(s, 999); return true;
    case SIM_M_LATENCY_MAX: *out = (int64_t)latency(s, 1000); return true;
    case SIM_M_CLIENT_RETRIES: *out = (int64_t)m->retries; return true;
    case SIM_M_CLIENT_FAILED: *out = (int64_t)m->client_failed; return true;
    case SIM_M_DROPPED: *out = (int64_t)m->dropped; return true;
    case SIM_M_DUPLICATED: *out = (int64_t)m->duplicated; return true;
    case SIM_M_EVENTS: *out = (int64_t)s->events; return true;
    default: return false;
    }
}

/* A write named by `write cK as NAME`, against the checker's truth: the
 * index where the first state machine stored its (session, seq) — only
 * committed entries are applied, and every node's decision there must agree
 * (exactly-once) — and the up nodes whose applied index has reached it. */
static bool write_metric(const sim *s, const sim_metric_ref *r, int64_t *out)
{
    *out = 0;
    if (r->arg < 0 || r->arg >= SIM_MAX_NAMES)
        return false;
    size_t op = s->write_op[r->arg];
    if (!op)
        return true; /* not written (yet, or its action was skipped) */
    assert(op - 1 < s->hist.n);
    const hist_op *o = &s->hist.ops[op - 1];
    uint64_t index = hist_stored_at(&s->hist, o->session, o->seq);
    switch (r->metric) {
    case SIM_M_WRITE_INDEX: *out = (int64_t)index; return true;
    case SIM_M_WRITE_COMMITTED: *out = index != 0; return true;
    case SIM_M_WRITE_ACKED: *out = o->outcome == HIST_OK; return true;
    case SIM_M_WRITE_APPLIED_ON:
        for (raft_id id = 1; index && id <= s->cfg.n_nodes; id++)
            *out += s->nodes[id].up && s->chk.nodes[id].applied >= index;
        return true;
    default: return false;
    }
}

bool sim_metric(const sim *s, const sim_metric_ref *r, int64_t *out)
{
    if ((unsigned)r->metric >= SIM_M__COUNT)
        return false;
    switch (sim_metric_scope(r->metric)) {
    case 'N': return node_metric(s, r, out);
    case 'W': return write_metric(s, r, out);
    case 'T':
        if (r->arg >= SIM_MSG_GROUP) {
            uint32_t types = sim_msg_group_types(r->arg - SIM_MSG_GROUP);
            const uint64_t *by = r->metric == SIM_M_MESSAGES ? s->met.msgs_type
                                                             : s->met.bytes_type;
            *out = 0;
            for (int t = 1; t < RAFT_MSG_TYPE_SLOTS && t < 32; t++)
                if (types >> t & 1)
                    *out += (int64_t)by[t];
            return types != 0;
        }
        if (r->arg < 0 || r->arg >= RAFT_MSG_TYPE_SLOTS)
            return false;
        if (r->metric == SIM_M_MESSAGES)
            *out = (int64_t)(r->arg ? s->met.msgs_type[r->arg] : s->met.msgs_total);
        else
            *out = (int64_t)(r->arg ? s->met.bytes_type[r->arg] : s->met.bytes_total);
        return true;
    case 'V':
        if (r->metric == SIM_M_COVERAGE) {
            if (r->arg < 0 || r->arg >= SIM_COV__COUNT)
                return false;
            *out = (int64_t)s->coverage[r->arg];
            return true;
        }
        if (r->arg < 0 || r->arg >= SIM_V__COUNT)
            return false;
        *out = s->violated && (r->arg == 0 || (int)s->v.kind == r->arg);
        return true;
    default: return counter_metric(s, r, out);
    }
}

/* ---- printed reports ---- */

static double ms(uint64_t ns) { return (double)ns / 1e6; }

void sim_print_summary(const sim *s, FILE *out)
{
    const metrics *m = &s->met;
    fprintf(out, "seed %llu: %u nodes (%s), %u clients, %.3f s virtual\n",
            (unsigned long long)s->seed, s->cfg.n_nodes, s->ops->name, s->cfg.n_clients,
            (double)s->now / 1e9);
    char leader[16] = "none";
    if (s->leader)
        snprintf(leader, sizeof leader, "n%u", s->leader);
    fprintf(out, "  leader changes %llu, elections %llu, current leader %s (term %llu)\n",
            (unsigned long long)m->leader_changes, (unsigned long long)m->elections, leader,
            (unsigned long long)s->leader_term);
    fprintf(out, "  committed %llu, acked writes %llu, reads %llu, client retries %llu\n",
            (unsigned long long)s->chk.committed, (unsigned long long)s->hist.acked,
            (unsigned long long)s->hist.reads, (unsigned long long)m->retries);
    if (m->client_failed)
        fprintf(out, "  client operations FAILED %llu (the leader answered too big; never "
                "retried)\n", (unsigned long long)m->client_failed);
    fprintf(out, "  ack latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
            ms(latency(s, 500)), ms(latency(s, 900)), ms(latency(s, 990)),
            ms(latency(s, 999)), ms(latency(s, 1000)));
    u64vec *commit = (u64vec *)&m->lat_commit, *down = (u64vec *)&m->downtime_hb;
    fprintf(out, "  commit latency ms (leader propose -> apply): p50 %.3f  p99 %.3f  max %.3f\n",
            ms(u64vec_percentile(commit, 500)), ms(u64vec_percentile(commit, 990)),
            ms(u64vec_percentile(commit, 1000)));
    if (down->n)
        fprintf(out, "  leader-change downtime ms: %zu changes, p50 %.3f  max %.3f\n", down->n,
                ms(u64vec_percentile(down, 500)), ms(u64vec_percentile(down, 1000)));
    fprintf(out, "  messages %llu (%llu bytes), dropped %llu, duplicated %llu\n",
            (unsigned long long)m->msgs_total, (unsigned long long)m->bytes_total,
            (unsigned long long)m->dropped, (unsigned long long)m->duplicated);
    fprintf(out, "  events %llu, trace hash %016llx\n", (unsigned long long)s->events,
            (unsigned long long)s->tr.hash);
    if (s->cfg.liveness) {
        char why[200];
        fprintf(out, "  liveness: %s\n", liveness_verdict(s, why, sizeof why));
    }
    char unjudged[512];
    liveness_connected_summary(s, unjudged, sizeof unjudged);
    if (*unjudged)
        fprintf(out, "  connected majority: %s\n", unjudged);
    if (s->violated)
        fprintf(out, "  invariants: VIOLATION %s\n", sim_violation_name(s->v.kind));
    else
        fprintf(out, "  invariants: every one held after every event%s\n",
                s->stopped ? " up to the stop" : "");
}

void sim_print_violation(const sim *s, FILE *out)
{
    if (!s->violated) {
        fprintf(out, "no violation\n");
        return;
    }
    const sim_violation *v = &s->v;
    char when[48];
    sim_format_time(v->time_ns, when, sizeof when);
    fprintf(out, "VIOLATION %s at %s (event %llu)", sim_violation_name(v->kind), when,
            (unsigned long long)v->event);
    for (int i = 0; i < 2; i++)
        if (v->nodes[i]) /* 0: no node involved */
            fprintf(out, "%s n%u", i && v->nodes[0] ? "," : " on", v->nodes[i]);
    if (v->index)
        fprintf(out, ", index %llu", (unsigned long long)v->index);
    if (v->term)
        fprintf(out, ", term %llu", (unsigned long long)v->term);
    fprintf(out, "\n  %s\n", v->detail);
    if (*sim_violation_rule(v->kind))
        fprintf(out, "  broken rule: %s\n", sim_violation_rule(v->kind));
    fprintf(out, "  last trace events (virtual time, then the trace line, t in ns; `--trace FILE` "
                 "and `raftsim view` show all):\n");
    trace_print_recent(&s->tr, out, TRACE_RING);
}

void sim_dump_nodes(const sim *s, FILE *out)
{
    char buf[4096];
    for (raft_id id = 1; id <= s->cfg.n_nodes; id++) {
        const sim_node *n = &s->nodes[id];
        if (!n->proto) {
            fprintf(out, "n%u: crashed\n", id);
            continue;
        }
        s->ops->dump(n->proto, buf, sizeof buf);
        if (n->paused)
            fprintf(out, "n%u is paused:\n", id);
        fprintf(out, "%s\n", buf); /* the dump's first line names the node */
    }
}

void sim_print_coverage(const sim *s, FILE *out)
{
    fprintf(out, "coverage:\n");
    for (int i = 0; i < SIM_COV__COUNT; i++)
        fprintf(out, "  %-28s %llu\n", sim_coverage_name(i),
                (unsigned long long)s->coverage[i]);
}

int sim_write_metrics_csv(const sim *s, FILE *out)
{
    return metrics_write_csv((metrics *)&s->met, out, s->events);
}
