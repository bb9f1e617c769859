/* scenario_set.c — `at T set PARAM [WHERE] VALUE`: change a network or disk
 * parameter during the run, for every link (no WHERE), one link (`n1 -> n2`),
 * or one disk (`set fsync n3 ...`).
 *
 *   at 3s set drop 5%                       at 3s set latency n1 -> n2 uniform 5ms 10ms
 *   at 3s set duplicate 1%                  at 3s set reorder 2% 10ms
 *   at 3s set bandwidth 1MB/s               at 3s set fsync n3 const 50ms
 *   at 3s set reorder-delay 20ms            at 3s set reorder-delay 200ms..2s
 * and the faults of scenario_faults.c: drop / duplicate / reorder restricted
 * to a message class (every link), `reorder P delay DELAY` (outside FIFO
 * order, per link too), `delay [P] CLASS DELAY`. */
#include <string.h>

#include "scenario_int.h"

#define ACT (&p->act)

typedef struct param_name {
    const char *name;
    enum sim_param param;
} param_name;

static const param_name params[] = {
    { "latency", SIM_PARAM_LATENCY }, { "drop", SIM_PARAM_DROP },
    { "duplicate", SIM_PARAM_DUP },   { "reorder", SIM_PARAM_REORDER },
    { "bandwidth", SIM_PARAM_BANDWIDTH }, { "fsync", SIM_PARAM_FSYNC },
    { "reorder-delay", SIM_PARAM_REORDER_DELAY }, { "delay", SIM_PARAM_DELAY },
};

static bool next_is_endpoint(const scn_parser *p)
{
    const scn_tok *t = scn_peek(p);
    bool client;
    return t && (scn_ep_number(t, &client) != 0 || scn_tok_is(t, "all") ||
                 scn_tok_is(t, "leader") || scn_tok_is(t, "follower") || scn_name_slot(p, t) >= 0);
}

static int where(scn_parser *p)
{
    if (!next_is_endpoint(p))
        return 0; /* the default for every link / disk */
    const unsigned chosen = SCN_EP_LEADER | SCN_EP_FOLLOWER | SCN_EP_NAME; /* at run time */
    if (ACT->param == SIM_PARAM_FSYNC)
        return scn_target(p, SCN_EP_NODE | SCN_EP_ALL | chosen, "a node (n1, leader or all)",
                          &ACT->target);
    const char *what = "a node or client (n1, c1, leader, follower, a name)";
    int rc = scn_target(p, SCN_EP_NODE | SCN_EP_CLIENT | chosen, what, &ACT->target);
    if (rc || (rc = scn_keyword(p, "->")))
        return rc;
    uint32_t col = scn_here(p);
    if ((rc = scn_target(p, SCN_EP_NODE | SCN_EP_CLIENT | chosen, what, &ACT->target2)))
        return rc;
    if (ACT->target.kind == ACT->target2.kind && ACT->target.ep == ACT->target2.ep)
        return scn_error(p, col, "expected two different endpoints");
    return 0;
}

/* `set reorder-delay D` (FIFO kept: 0..D) or `set reorder-delay DELAY`
 * with a range or a distribution (outside FIFO order). */
static int reorder_delay(scn_parser *p)
{
    const scn_tok *t = scn_peek(p);
    bool range = false;
    for (uint32_t i = 0; t && i + 1 < t->len; i++)
        range = range || (t->s[i] == '.' && t->s[i + 1] == '.');
    if (range) {
        ACT->param = SIM_PARAM_REORDER_DIST;
        ACT->dist = (sim_dist){ .kind = SIM_DIST_UNIFORM };
        return scn_duration_range(p, "an extra delay (e.g. 200ms..2s)", &ACT->dist.a_ns,
                                  &ACT->dist.b_ns);
    }
    if (t && (scn_tok_is(t, "const") || scn_tok_is(t, "uniform") || scn_tok_is(t, "normal") ||
              scn_tok_is(t, "pareto"))) {
        ACT->param = SIM_PARAM_REORDER_DIST;
        return scn_dist(p, &ACT->dist);
    }
    uint64_t v;
    int rc = scn_duration(p, "an extra delay (e.g. 5ms, or 200ms..2s)", &v);
    ACT->value = (int64_t)v;
    return rc;
}

/* drop / duplicate / reorder / delay: `P [CLASS]` and the rest (scenario_faults.c). */
static int fault(scn_parser *p, bool has_where)
{
    scn_fault f;
    int rc = scn_fault_spec(p, ACT->param, &f);
    if (rc)
        return rc;
    if (f.group >= 0) {
        if (has_where)
            return scn_error(p, f.class_col, "expected no message class here: a fault "
                                             "restricted to one applies to every link");
        ACT->msg_class = (uint8_t)(f.group + 1);
        ACT->value = f.ppm;
        ACT->dist = f.delay;
        return scn_note_msg_fault(p, scn_fault_kind(ACT->param), f.group, f.class_col);
    }
    ACT->value = f.ppm;
    if (ACT->param != SIM_PARAM_REORDER || !f.has_delay)
        return 0; /* `set reorder P` alone: the probability only */
    /* `set reorder P D` is two settings: the probability, then the delay
     * (`set reorder P` and `set reorder-delay D` set them one at a time);
     * `set reorder P delay DELAY` likewise, outside FIFO order. */
    if ((rc = scn_push_action(p, ACT)))
        return rc;
    if (f.plain) {
        ACT->param = SIM_PARAM_REORDER_DELAY;
        ACT->value = (int64_t)f.delay.b_ns;
    } else {
        ACT->param = SIM_PARAM_REORDER_DIST;
        ACT->value = 0;
        ACT->dist = f.delay;
    }
    return 0;
}

static int value(scn_parser *p, bool has_where)
{
    uint64_t v;
    int rc;
    switch (ACT->param) {
    case SIM_PARAM_LATENCY:
    case SIM_PARAM_FSYNC:
        return scn_dist(p, &ACT->dist);
    case SIM_PARAM_BANDWIDTH:
        rc = scn_bandwidth(p, &v);
        ACT->value = (int64_t)v;
        return rc;
    case SIM_PARAM_DROP:
    case SIM_PARAM_DUP:
    case SIM_PARAM_DELAY:
    case SIM_PARAM_REORDER:
        return fault(p, has_where);
    case SIM_PARAM_REORDER_DELAY:
        return reorder_delay(p);
    case SIM_PARAM_REORDER_DIST:
        break;
    }
    return scn_error(p, scn_here(p), "expected a settable parameter");
}

int scn_action_set(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    const char *what = "a parameter (latency, drop, duplicate, reorder, delay, bandwidth, fsync)";
    if (!t)
        return scn_error(p, scn_here(p), "expected %s", what);
    size_t i = 0, n = sizeof params / sizeof *params;
    while (i < n && !scn_tok_is(t, params[i].name))
        i++;
    if (i == n)
        return scn_error(p, t->col, "expected %s, got '%.*s'", what, (int)t->len, t->s);
    ACT->param = params[i].param;
    bool has_where = next_is_endpoint(p);
    if (has_where && ACT->param == SIM_PARAM_DELAY)
        return scn_error(p, scn_here(p), "expected a percentage or a message class: `delay` "
                                         "applies to a class on every link");
    int rc = where(p);
    return rc ? rc : value(p, has_where);
}
