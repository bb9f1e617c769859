/* scenario_actions.c — timed actions: `at TIME ACTION ...`.
 *
 * TIME is absolute (`at 2s`) or relative to the previous `at` (`at +500ms`).
 * Time never goes backwards; actions sharing a time keep file order. Replay
 * files mark actions that a chaos block generated: `at 2s chaos crash n3`. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define ACT (&p->act)

int scn_push_action(scn_parser *p, const sim_action *a)
{
    scenario *sc = p->sc;
    if (sc->n_actions == SCN_MAX_ACTIONS)
        return scn_error(p, p->ln->tok[0].col, "expected at most %d actions", SCN_MAX_ACTIONS);
    if (sc->n_actions == p->cap_actions) {
        size_t cap = p->cap_actions ? p->cap_actions * 2 : 16;
        sim_action *na = realloc(sc->actions, cap * sizeof *na);
        if (!na)
            return scn_error(p, p->ln->tok[0].col, "out of memory");
        sc->actions = na;
        p->cap_actions = cap;
    }
    sc->actions[sc->n_actions++] = *a;
    return 0;
}

#define NODE_SEL (SCN_EP_NODE | SCN_EP_LEADER | SCN_EP_FOLLOWER | SCN_EP_ALL | SCN_EP_NAME)
#define NODE_WHAT "a node (n1, leader, follower, all or a name bound with `as`)"
/* an endpoint, or a node chosen when the action fires */
#define EP_SEL (SCN_EP_NODE | SCN_EP_CLIENT | SCN_EP_LEADER | SCN_EP_FOLLOWER | SCN_EP_NAME)
#define EP_SEL_WHAT "a node or client (n1, c1, leader, follower or a name bound with `as`)"

static int act_crash(scn_parser *p)
{
    return scn_target(p, NODE_SEL, NODE_WHAT, &ACT->target);
}

static int act_restart(scn_parser *p)
{
    return scn_target(p, NODE_SEL, NODE_WHAT, &ACT->target);
}

static int act_pause(scn_parser *p)
{
    int rc = scn_target(p, NODE_SEL, NODE_WHAT, &ACT->target);
    if (rc || !scn_peek(p) || scn_peek_is(p, "as"))
        return rc; /* no duration: paused until `resume` */
    return scn_duration(p, "a pause length (e.g. 300ms)", &ACT->dur_ns);
}

static int act_resume(scn_parser *p)
{
    return scn_target(p, NODE_SEL, NODE_WHAT, &ACT->target);
}


/* {n1 n2} {n3 n4 n5 c1} — up to SIM_MAX_GROUPS groups of endpoints. */
static int act_partition(scn_parser *p)
{
    sim_epset seen = { { 0, 0 } };
    while (scn_peek(p)) {
        if (ACT->n_groups == SIM_MAX_GROUPS)
            return scn_error(p, scn_here(p), "expected at most %d groups", SIM_MAX_GROUPS);
        int rc = scn_keyword(p, "{");
        if (rc)
            return rc;
        sim_epset *g = &ACT->groups[ACT->n_groups++];
        while (!scn_peek_is(p, "}")) {
            sim_target t;
            uint32_t col = scn_here(p);
            if (!scn_peek(p))
                return scn_error(p, col, "expected '}' to close the group");
            if ((rc = scn_target(p, EP_SEL, EP_SEL_WHAT, &t)))
                return rc;
            if (t.kind != SIM_TARGET_EP) { /* placed when the partition happens */
                if (ACT->n_sym == SIM_MAX_GROUP_SYMS)
                    return scn_error(p, col, "expected at most %d members chosen at run time "
                                     "(leader, follower, names)", SIM_MAX_GROUP_SYMS);
                ACT->sym_group[ACT->n_sym] = (uint8_t)(ACT->n_groups - 1);
                ACT->sym[ACT->n_sym++] = t;
                continue;
            }
            uint32_t w = (t.ep - 1) / 64, bit = (t.ep - 1) % 64;
            if (seen.bits[w] >> bit & 1)
                return scn_error(p, col, "expected each endpoint in one group only");
            seen.bits[w] |= UINT64_C(1) << bit;
            g->bits[w] |= UINT64_C(1) << bit;
        }
        p->pos++;
        bool has_sym = ACT->n_sym && ACT->sym_group[ACT->n_sym - 1] == ACT->n_groups - 1;
        if (g->bits[0] == 0 && g->bits[1] == 0 && !has_sym)
            return scn_error(p, p->ln->tok[p->pos - 1].col, "expected a non-empty group");
    }
    if (ACT->n_groups == 0)
        return scn_error(p, scn_here(p), "expected a group of endpoints (e.g. {n1 n2})");
    return 0;
}

/* A -> B (one way) or A <-> B (both ways: two actions). */
static int act_link(scn_parser *p)
{
    int rc = scn_target(p, EP_SEL, EP_SEL_WHAT, &ACT->target);
    if (rc)
        return rc;
    bool both = scn_peek_is(p, "<->");
    if (!both && (rc = scn_keyword(p, "->")))
        return rc;
    if (both)
        p->pos++;
    uint32_t col = scn_here(p);
    if ((rc = scn_target(p, EP_SEL, EP_SEL_WHAT, &ACT->target2)))
        return rc;
    if (ACT->target.kind == ACT->target2.kind && ACT->target.ep == ACT->target2.ep &&
        ACT->target.kind != SIM_TARGET_FOLLOWER)
        return scn_error(p, col, "expected two different endpoints");
    if (!both)
        return 0;
    if (ACT->target.kind != SIM_TARGET_EP || ACT->target2.kind != SIM_TARGET_EP) {
        ACT->both = true; /* resolved once, cut both ways (action.c) */
        return 0;
    }
    if ((rc = scn_push_action(p, ACT)))
        return rc;
    sim_target a = ACT->target; /* the way back is pushed by scn_parse_at */
    ACT->target = ACT->target2;
    ACT->target2 = a;
    return 0;
}

static int act_isolate(scn_parser *p)
{
    return scn_target(p, EP_SEL, EP_SEL_WHAT, &ACT->target);
}

static int act_isolate_peers(scn_parser *p)
{
    return scn_target(p, NODE_SEL & ~SCN_EP_ALL, "a node (n1, leader, follower or a name "
                      "bound with `as`)", &ACT->target);
}

static int act_no_arguments(scn_parser *p) /* heal, skipped */
{
    (void)p;
    return 0;
}

static int act_drift(scn_parser *p)
{
    int rc = scn_target(p, NODE_SEL, NODE_WHAT, &ACT->target);
    return rc ? rc : scn_signed_ppm(p, "a signed drift (e.g. +200ppm)", &ACT->value);
}

static int act_clock_jump(scn_parser *p)
{
    int rc = scn_target(p, NODE_SEL, NODE_WHAT, &ACT->target);
    return rc ? rc : scn_signed_duration(p, "a signed jump (e.g. +1s or -500ms)", &ACT->value);
}

static int act_transfer(scn_parser *p)
{
    return scn_target(p, SCN_EP_NODE | SCN_EP_FOLLOWER | SCN_EP_NAME,
                      "a node (n2, follower or a name bound with `as`)", &ACT->target2);
}

static int act_client(scn_parser *p)
{
    return scn_target(p, SCN_EP_CLIENT, "a client (c1)", &ACT->target);
}

int scn_action_set(scn_parser *p);

static const scn_command action_commands[] = {
    { "crash", act_crash, "at 2s crash leader", false },
    { "restart", act_restart, "at +500ms restart n3", false },
    { "pause", act_pause, "at 1s pause n2 300ms", false },
    { "resume", act_resume, "at 2s resume n2", false },
    { "partition", act_partition, "at 3s partition {n1 n2} {n3 n4 n5 c1}", false },
    { "cut", act_link, "at 4s cut n1 -> n2", false },
    { "uncut", act_link, "at 5s uncut n1 -> n2", false },
    { "isolate", act_isolate, "at 2s isolate n3", false },
    { "heal", act_no_arguments, "at 6s heal", false },
    { "drift", act_drift, "at 1s drift n4 +200ppm", false },
    { "clock-jump", act_clock_jump, "at 2s clock-jump n2 +1s", false },
    { "set", scn_action_set, "at 3s set drop 5%", false },
    { "transfer-leadership", act_transfer, "at 4s transfer-leadership n2", false },
    { "client-stop", act_client, "at 5s client-stop c1", false },
    { "client-start", act_client, "at 6s client-start c1", false },
    { "reconnect", act_isolate, "at 7s reconnect n3", false },
    { "isolate-peers", act_isolate_peers, "at 2s isolate-peers leader as old", false },
    { "skipped", act_no_arguments, "at 6s skipped", false },
    { "write", act_client, "at 2s write c1 as w1", false },
};

const scn_command *scn_action_commands(size_t *n)
{
    *n = sizeof action_commands / sizeof *action_commands;
    return action_commands;
}

static int at_time(scn_parser *p, uint64_t *at)
{
    const scn_tok *t = scn_peek(p);
    const char *what = "a time (e.g. 2s, or +500ms after the previous `at`)";
    if (t && t->s[0] == '+') {
        uint64_t d;
        if (!scn_parse_duration_word(t->s + 1, t->len - 1, &d) ||
            __builtin_add_overflow(p->last_at_ns, d, at))
            return scn_error(p, t->col, "expected %s, got '%.*s'", what, (int)t->len, t->s);
        p->pos++;
        return 0;
    }
    int rc = scn_duration(p, what, at);
    if (rc)
        return rc;
    if (*at < p->last_at_ns) {
        char prev[32];
        scn_format_duration(prev, sizeof prev, p->last_at_ns);
        return scn_error(p, t->col, "expected a time at or after the previous `at` (%s), "
                         "got '%.*s' (time cannot go backwards)", prev, (int)t->len, t->s);
    }
    return 0;
}

static const scn_command *find_action(scn_parser *p, const scn_tok *t)
{
    size_t n;
    const scn_command *cmds = scn_action_commands(&n);
    for (size_t i = 0; i < n; i++)
        if (scn_tok_is(t, cmds[i].name))
            return &cmds[i];
    (void)p;
    return NULL;
}

int scn_parse_at(scn_parser *p)
{
    uint64_t at;
    int rc = at_time(p, &at);
    if (rc)
        return rc;
    p->act = (sim_action){ .at_ns = at, .line = p->ln->line };
    if (scn_peek_is(p, "chaos")) {
        p->pos++;
        p->act.from_chaos = true;
    }
    if (scn_peek_is(p, "if")) { /* a guard, evaluated when the action is due */
        p->pos++;
        if ((rc = scn_parse_guard(p, &p->act)))
            return rc;
    }
    const scn_tok *t = scn_next(p);
    const scn_command *c = t ? find_action(p, t) : NULL;
    if (!c && !t)
        return scn_error(p, scn_here(p), "expected an action (crash, restart, partition, ...)");
    if (!c)
        return scn_error(p, t->col, "expected an action (crash, restart, partition, ...), "
                         "got '%.*s'", (int)t->len, t->s);
    for (int k = 0; k < SIM_ACT__COUNT; k++)
        if (strcmp(sim_action_name((enum sim_action_kind)k), c->name) == 0)
            p->act.kind = (enum sim_action_kind)k;
    assert(strcmp(sim_action_name(p->act.kind), c->name) == 0);
    p->last_at_ns = at;
    if ((rc = c->fn(p)))
        return rc;
    if (scn_peek_is(p, "as") && (rc = scn_parse_bind(p, &p->act)))
        return rc;
    if ((rc = scn_end(p)))
        return rc;
    sim_action done = p->act;
    return scn_push_action(p, &done);
}
