/* scenario_set.c — `at T set PARAM [WHERE] VALUE`: change a network or disk
 * parameter during the run, for every link (no WHERE), one link (`n1 -> n2`),
 * or one disk (`set fsync n3 ...`).
 *
 *   at 3s set drop 5%                       at 3s set latency n1 -> n2 uniform 5ms 10ms
 *   at 3s set duplicate 1%                  at 3s set reorder 2% 10ms
 *   at 3s set bandwidth 1MB/s               at 3s set fsync n3 const 50ms
 *   at 3s set reorder-delay 20ms */
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
    { "reorder-delay", SIM_PARAM_REORDER_DELAY },
};

static bool next_is_endpoint(const scn_parser *p)
{
    const scn_tok *t = scn_peek(p);
    bool client;
    return t && (scn_ep_number(t, &client) != 0 || scn_tok_is(t, "all"));
}

static int where(scn_parser *p)
{
    if (!next_is_endpoint(p))
        return 0; /* the default for every link / disk */
    if (ACT->param == SIM_PARAM_FSYNC)
        return scn_target(p, SCN_EP_NODE | SCN_EP_ALL, "a node (n1 or all)", &ACT->target);
    const char *what = "a node or client (n1, c1)";
    int rc = scn_target(p, SCN_EP_NODE | SCN_EP_CLIENT, what, &ACT->target);
    if (rc || (rc = scn_keyword(p, "->")))
        return rc;
    uint32_t col = scn_here(p);
    if ((rc = scn_target(p, SCN_EP_NODE | SCN_EP_CLIENT, what, &ACT->target2)))
        return rc;
    if (ACT->target.ep == ACT->target2.ep)
        return scn_error(p, col, "expected two different endpoints");
    return 0;
}

static int value(scn_parser *p)
{
    uint32_t ppm;
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
    case SIM_PARAM_REORDER:
        rc = scn_percent(p, "a percentage (e.g. 5%)", &ppm);
        ACT->value = ppm;
        return rc;
    case SIM_PARAM_REORDER_DELAY:
        rc = scn_duration(p, "an extra delay (e.g. 5ms)", &v);
        ACT->value = (int64_t)v;
        return rc;
    }
    return scn_error(p, scn_here(p), "expected a settable parameter");
}

int scn_action_set(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    const char *what = "a parameter (latency, drop, duplicate, reorder, bandwidth, fsync)";
    if (!t)
        return scn_error(p, scn_here(p), "expected %s", what);
    size_t i = 0, n = sizeof params / sizeof *params;
    while (i < n && !scn_tok_is(t, params[i].name))
        i++;
    if (i == n)
        return scn_error(p, t->col, "expected %s, got '%.*s'", what, (int)t->len, t->s);
    ACT->param = params[i].param;
    int rc = where(p);
    if (rc || (rc = value(p)) || ACT->param != SIM_PARAM_REORDER || !scn_peek(p))
        return rc;
    /* `set reorder P D` is two settings: the probability, then the delay
     * (`set reorder P` and `set reorder-delay D` set them one at a time). */
    uint64_t d;
    if ((rc = scn_duration(p, "an extra delay (e.g. 5ms)", &d)) || (rc = scn_push_action(p, ACT)))
        return rc;
    ACT->param = SIM_PARAM_REORDER_DELAY;
    ACT->value = (int64_t)d;
    return 0;
}
