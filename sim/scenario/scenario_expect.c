/* scenario_expect.c — expectations: any metric the simulator keeps,
 * compared with a number or another metric, at the end, at an instant, over
 * a window, or "within" a deadline.
 *
 *   expect committed >= 1000                     at the end of the run
 *   expect acked >= 900 at 10s                   at an instant
 *   expect messages AppendEntries <= 42 between 1s 2s   change over a window
 *   expect always up n1 == 1 between 2s 4s       at every event in a window
 *   expect leader within 1s after 5s             becomes true by a deadline
 *   expect leader from first until 5s            once true, holds until then
 *   expect no leader-change between 1s 3s        sugar: leader-changes == 0
 *   expect read-only n1 at 4s                    sugar: read-only n1 == 1
 *   expect term n2 == term n3 at 3s              metric against metric
 *   expect violation state-machine-safety        the run must find this */
#include <stdlib.h>
#include <string.h>

#include "../../core/msg.h"
#include "scenario_int.h"

bool scn_metric_is_counter(enum sim_metric m)
{
    switch (m) {
    case SIM_M_LEADER: case SIM_M_LATENCY_P50: case SIM_M_LATENCY_P90:
    case SIM_M_LATENCY_P99: case SIM_M_LATENCY_P999: case SIM_M_LATENCY_MAX:
    case SIM_M_COMMIT: case SIM_M_APPLIED: case SIM_M_LOG_LENGTH: case SIM_M_READ_ONLY:
    case SIM_M_IS_LEADER: case SIM_M_UP: case SIM_M_SNAPSHOT_INDEX:
    case SIM_M_VOTE: case SIM_M_LOG_RETAINED: case SIM_M_LOG_BYTES: case SIM_M_SNAPSHOT_TERM:
    case SIM_M_WRITE_INDEX: case SIM_M_WRITE_COMMITTED: case SIM_M_WRITE_APPLIED_ON:
    case SIM_M_WRITE_ACKED: case SIM_M_HEARD_LEADER:
        return false;
    default:
        return true;
    }
}

static int tok_lookup(const scn_tok *t, int (*from_name)(const char *))
{
    char buf[64];
    if (t->len >= sizeof buf)
        return -1;
    memcpy(buf, t->s, t->len);
    buf[t->len] = 0;
    return from_name(buf);
}

static int msg_type_from_name(const char *name)
{
    int v = raft_msg_type_from_name(name);
    return v == 0 ? -1 : v;
}

/* A metric name, also in the singular (`leader-change`, `election`). */
static int metric_name(const scn_tok *t)
{
    int m = tok_lookup(t, sim_metric_from_name);
    if (m >= 0 || t->len + 1 >= 64)
        return m;
    char buf[64];
    memcpy(buf, t->s, t->len);
    memcpy(buf + t->len, "s", 2);
    return sim_metric_from_name(buf);
}

static int metric_arg(scn_parser *p, sim_metric_ref *r)
{
    char scope = sim_metric_scope(r->metric);
    const scn_tok *t = scn_peek(p);
    int v = -1;
    if (scope == 'T') {
        if (t && scn_tok_is(t, "all"))
            v = 0;
        else if (t)
            v = tok_lookup(t, msg_type_from_name);
        r->arg = v < 0 ? 0 : v; /* no type: every message */
    } else if (r->metric == SIM_M_COVERAGE) {
        if (t)
            v = tok_lookup(t, sim_coverage_from_name);
        if (v < 0)
            return scn_error(p, scn_here(p), "expected a coverage name (e.g. snapshot-installed)");
        r->arg = v;
    } else {
        if (t)
            v = scn_tok_is(t, "any") ? 0 : tok_lookup(t, sim_violation_from_name);
        r->arg = v < 0 ? 0 : v;
    }
    if (v >= 0)
        p->pos++;
    return 0;
}

/* At `among`: `among connected` or `among n1,n2,old` (nodes and bound names). */
static int among_set(scn_parser *p, sim_metric_ref *r)
{
    p->pos++;
    const scn_tok *t = scn_next(p);
    const char *what = "connected or a set of nodes (n1,n2,old)";
    if (!t)
        return scn_error(p, scn_here(p), "expected %s", what);
    if (scn_tok_is(t, "connected")) {
        r->among = SIM_AMONG_CONNECTED;
        return 0;
    }
    r->among = SIM_AMONG_SET;
    for (uint32_t i = 0; i < t->len;) {
        uint32_t j = i;
        while (j < t->len && t->s[j] != ',')
            j++;
        scn_tok part = { t->s + i, j - i, t->col + i };
        bool client = false;
        uint32_t n = scn_ep_number(&part, &client);
        int slot = scn_name_slot(p, &part);
        if (n && !client && n <= p->sc->cfg.n_nodes)
            r->among_nodes |= UINT64_C(1) << (n - 1);
        else if (slot >= 0)
            r->among_names |= (uint16_t)(1u << slot);
        else
            return scn_error(p, part.col, "expected %s, got '%.*s'", what, (int)part.len,
                             part.s);
        i = j + 1;
    }
    return 0;
}

static int node_selector(scn_parser *p, sim_metric_ref *r)
{
    if (scn_peek_is(p, "among")) { /* summed, like `sum among ...` */
        r->sel = SIM_SEL_SUM;
        return among_set(p, r);
    }
    static const struct { const char *w; enum sim_node_sel sel; } sels[] = {
        { "all", SIM_SEL_ALL }, { "any", SIM_SEL_ANY }, { "sum", SIM_SEL_SUM },
        { "leader", SIM_SEL_LEADER },
    };
    const scn_tok *next = scn_peek(p);
    bool is_client = false;
    if (p->guard_sum && (!next || !(scn_tok_is(next, "on") || scn_ep_number(next, &is_client)))) {
        r->sel = SIM_SEL_SUM; /* `if up < 3`: no selector, so summed */
        return 0;
    }
    if (scn_peek_is(p, "on"))
        p->pos++;
    for (size_t i = 0; i < sizeof sels / sizeof *sels; i++)
        if (scn_peek_is(p, sels[i].w)) {
            p->pos++;
            r->sel = sels[i].sel;
            if (r->sel != SIM_SEL_LEADER && scn_peek_is(p, "among"))
                return among_set(p, r);
            return 0;
        }
    sim_target t;
    int rc = scn_target(p, SCN_EP_NODE, "a node (n1), all, any, sum or leader", &t);
    r->sel = SIM_SEL_NODE;
    r->node = t.ep;
    return rc;
}

/* `messages.KIND[.DIR]` / `bytes.KIND[.DIR]`: a group of message types. */
static bool dotted_group(const scn_tok *t, sim_metric_ref *r)
{
    static const struct { const char *prefix; enum sim_metric m; } bases[] = {
        { "messages.", SIM_M_MESSAGES }, { "bytes.", SIM_M_BYTES },
    };
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(bases[i].prefix);
        if (t->len <= n || memcmp(t->s, bases[i].prefix, n) != 0)
            continue;
        scn_tok rest = { t->s + n, (uint32_t)(t->len - n), t->col };
        int g = tok_lookup(&rest, sim_msg_group_from_name);
        if (g < 0)
            return false;
        *r = (sim_metric_ref){ .metric = bases[i].m, .arg = SIM_MSG_GROUP + g };
        return true;
    }
    return false;
}

/* After a write's name (`w1 applied-on`): what is asked of it, a metric of
 * scope 'W' named without SCN_WRITE_METRIC_PREFIX. */
static int write_observable(scn_parser *p, int slot, sim_metric_ref *r)
{
    for (int m = 0; m < SIM_M__COUNT; m++)
        if (sim_metric_scope((enum sim_metric)m) == 'W' &&
            scn_peek_is(p, scn_write_metric_word((enum sim_metric)m))) {
            p->pos++;
            *r = (sim_metric_ref){ .metric = (enum sim_metric)m, .arg = slot };
            return 0;
        }
    return scn_error(p, scn_here(p), "expected what to ask of the write: index, committed, "
                     "applied-on or acked");
}

int scn_metric_ref(scn_parser *p, sim_metric_ref *r)
{
    const scn_tok *t = scn_next(p);
    const char *what = "a metric (e.g. committed, term n1, messages AppendEntries)";
    if (!t)
        return scn_error(p, scn_here(p), "expected %s", what);
    int slot = scn_write_slot(p, t);
    if (slot >= 0) /* `w1 applied-on`: a write named with `write c1 as w1` */
        return write_observable(p, slot, r);
    int m = metric_name(t);
    if (m < 0 && scn_tok_is(t, "leaders")) { /* nodes in the leader role, summed */
        *r = (sim_metric_ref){ .metric = SIM_M_IS_LEADER, .sel = SIM_SEL_SUM };
        return scn_peek_is(p, "among") ? among_set(p, r) : 0;
    }
    if (m < 0 && dotted_group(t, r))
        return 0; /* messages.append, bytes.vote.replies */
    if (m < 0)
        return scn_error(p, t->col, "expected %s, got '%.*s'", what, (int)t->len, t->s);
    *r = (sim_metric_ref){ .metric = (enum sim_metric)m, .sel = SIM_SEL_NODE };
    char scope = sim_metric_scope(r->metric);
    if (scope == 'N')
        return node_selector(p, r);
    return scope == 'C' ? 0 : metric_arg(p, r);
}

static int comparison(scn_parser *p, enum expect_op *op)
{
    static const char *ops[] = { "<", "<=", "==", "!=", ">=", ">" };
    for (int i = 0; i < 6; i++)
        if (scn_peek_is(p, ops[i])) {
            p->pos++;
            *op = (enum expect_op)i;
            return 0;
        }
    return 1;
}

/* At `from`: `from first [after T0] until T` — watched from T0 (default: the
 * start); once it holds it must keep holding after every event up to T. */
static int from_first(scn_parser *p, expectation *e)
{
    int rc;
    p->pos++;
    if ((rc = scn_keyword(p, "first")))
        return rc;
    e->when = EXPECT_FROM_FIRST;
    if (scn_peek_is(p, "after")) {
        p->pos++;
        if ((rc = scn_duration(p, "a start time (e.g. 2s)", &e->t1_ns)))
            return rc;
    }
    if ((rc = scn_keyword(p, "until")) ||
        (rc = scn_duration(p, "an end time (e.g. 5s)", &e->t2_ns)))
        return rc;
    if (e->t2_ns < e->t1_ns)
        return scn_error(p, p->ln->tok[p->pos - 1].col,
                         "expected an end time at or after the start time");
    return 0;
}

static int when(scn_parser *p, expectation *e)
{
    int rc = 0;
    if (scn_peek_is(p, "always")) {
        p->pos++;
        e->always = true;
        if (!scn_peek_is(p, "between"))
            return scn_keyword(p, "between");
    }
    if (scn_peek_is(p, "at")) {
        p->pos++;
        e->when = EXPECT_AT;
        return scn_duration(p, "a time (e.g. 4s)", &e->t1_ns);
    }
    if (scn_peek_is(p, "between")) {
        p->pos++;
        e->when = EXPECT_BETWEEN;
        if ((rc = scn_duration(p, "a start time (e.g. 1s)", &e->t1_ns)) ||
            (rc = scn_duration(p, "an end time (e.g. 3s)", &e->t2_ns)))
            return rc;
        if (e->t2_ns < e->t1_ns)
            return scn_error(p, p->ln->tok[p->pos - 1].col,
                             "expected an end time at or after the start time");
        return 0;
    }
    if (scn_peek_is(p, "within")) {
        p->pos++;
        e->when = EXPECT_WITHIN;
        if ((rc = scn_duration(p, "a deadline (e.g. 1s)", &e->t2_ns)) || !scn_peek_is(p, "after"))
            return rc;
        p->pos++;
        return scn_duration(p, "a start time (e.g. 5s)", &e->t1_ns);
    }
    if (scn_peek_is(p, "from"))
        return from_first(p, e);
    return 0;
}

/* A metric with no comparison reads as a yes/no question. */
static int sugar_truth(scn_parser *p, expectation *e, uint32_t col)
{
    enum sim_metric m = e->lhs.metric;
    if (m == SIM_M_LEADER) {
        e->op = EXPECT_NE; /* "there is a leader" */
        e->value = 0;
        return 0;
    }
    if (m == SIM_M_READ_ONLY || m == SIM_M_IS_LEADER || m == SIM_M_UP ||
        m == SIM_M_WRITE_COMMITTED || m == SIM_M_WRITE_ACKED) {
        e->op = EXPECT_EQ;
        e->value = 1;
        return 0;
    }
    (void)col;
    return scn_error(p, scn_here(p), "expected a comparison (<, <=, ==, !=, >=, >)");
}

static int violation(scn_parser *p, expectation *e)
{
    const scn_tok *t = scn_next(p);
    int v = !t ? -1 : scn_tok_is(t, "any") ? SIM_V_NONE : tok_lookup(t, sim_violation_from_name);
    if (v < 0 || (v == SIM_V_NONE && !scn_tok_is(t, "any")))
        return scn_error(p, t ? t->col : scn_here(p),
                         "expected a violation name (e.g. state-machine-safety, or any)");
    e->kind = EXPECT_VIOLATION;
    e->violation = (enum sim_violation_kind)v;
    return 0;
}

static int compare(scn_parser *p, expectation *e)
{
    bool no = scn_peek_is(p, "no");
    if (no)
        p->pos++;
    if (scn_peek_is(p, "always")) {
        p->pos++;
        e->always = true;
    }
    int rc = scn_parse_side(p, &e->lhs, e->lhs_term, &e->lhs_more);
    if (rc)
        return rc;
    bool plain = scn_side_is_plain(e->lhs_term, &e->lhs_more);
    if (no && !plain)
        return scn_error(p, p->ln->tok[1].col, "expected `no` before one metric only");
    if (no) {
        e->op = EXPECT_EQ;
        e->value = 0;
    } else if (comparison(p, &e->op) == 0) {
        rc = scn_parse_rhs(p, e);
    } else if (!plain) {
        rc = scn_error(p, scn_here(p), "expected a comparison (<, <=, ==, !=, >=, >)");
    } else {
        rc = sugar_truth(p, e, scn_here(p));
    }
    if (rc || (rc = when(p, e)))
        return rc;
    if (e->always && e->when != EXPECT_BETWEEN)
        return scn_error(p, p->ln->tok[1].col, "expected `always` only with `between`");
    bool gauge = scn_side_has_gauge(&e->lhs, e->lhs_term, &e->lhs_more) ||
                 (e->rhs_is_metric && scn_side_has_gauge(&e->rhs, e->rhs_term, &e->rhs_more));
    if (e->when == EXPECT_BETWEEN && gauge)
        e->always = true; /* a gauge has no "change": it must hold throughout */
    return 0;
}

/* `if [no] METRIC [OP NUMBER | OP METRIC]` of a guarded action
 * (scenario_control.c). */
static int guard(scn_parser *p, expectation *e)
{
    bool no = scn_peek_is(p, "no");
    if (no)
        p->pos++;
    int rc = scn_metric_ref(p, &e->lhs);
    if (rc)
        return rc;
    if (no) {
        e->op = EXPECT_EQ;
        e->value = 0;
    } else if (comparison(p, &e->op) == 0) {
        uint32_t col = scn_here(p);
        if ((rc = scn_parse_rhs(p, e)))
            return rc;
        if (e->rhs_is_metric && !scn_side_is_plain(e->rhs_term, &e->rhs_more))
            return scn_error(p, col, "expected one metric or a number after the comparison "
                             "in `if` (a guard does no arithmetic)");
    } else if (e->lhs.metric == SIM_M_UP && e->lhs.sel == SIM_SEL_SUM) {
        return scn_error(p, scn_here(p), "expected a comparison (<, <=, ==, !=, >=, >) "
                         "after `if up`");
    } else {
        return sugar_truth(p, e, scn_here(p));
    }
    return 0;
}

int scn_parse_guard(scn_parser *p, sim_action *a)
{
    expectation e = { .kind = EXPECT_COMPARE };
    p->guard_sum = true; /* `if up < 3` is `if up on sum < 3` */
    int rc = guard(p, &e);
    p->guard_sum = false;
    if (rc)
        return rc;
    a->guarded = true;
    a->guard = e.lhs;
    a->guard_op = (uint8_t)e.op;
    a->guard_value = e.value;
    a->guard_rhs_metric = e.rhs_is_metric;
    if (e.rhs_is_metric)
        a->guard_rhs = e.rhs;
    return 0;
}

static void source_text(const scn_parser *p, expectation *e)
{
    const scn_tok *first = &p->ln->tok[0], *last = &p->ln->tok[p->ln->n - 1];
    size_t n = (size_t)(last->s + last->len - first->s);
    if (n >= sizeof e->text)
        n = sizeof e->text - 1;
    memcpy(e->text, first->s, n);
    e->text[n] = 0;
}

int scn_parse_expect(scn_parser *p)
{
    expectation e = { .kind = EXPECT_COMPARE, .when = EXPECT_AT_END, .line = p->ln->line };
    int rc;
    if (scn_peek_is(p, "violation")) {
        p->pos++;
        rc = violation(p, &e);
    } else {
        rc = compare(p, &e);
    }
    if (rc || (rc = scn_end(p)))
        return rc;
    source_text(p, &e);
    scenario *sc = p->sc;
    if (sc->n_expects == SCN_MAX_EXPECTS)
        return scn_error(p, 1, "expected at most %d expectations", SCN_MAX_EXPECTS);
    if (sc->n_expects == p->cap_expects) {
        size_t cap = p->cap_expects ? p->cap_expects * 2 : 8;
        expectation *ne = realloc(sc->expects, cap * sizeof *ne);
        if (!ne)
            return scn_error(p, 1, "out of memory");
        sc->expects = ne;
        p->cap_expects = cap;
    }
    sc->expects[sc->n_expects++] = e;
    return 0;
}
