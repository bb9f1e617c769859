/* action.c — timed actions (scripted or chaos-generated): validation,
 * scheduling, resolving LEADER / FOLLOWER / ALL targets when they fire, and
 * executing them. Every executed action is recorded with its concrete target
 * so a replay can reproduce the run exactly. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "action_int.h"

static bool ep_valid(const sim *s, const sim_target *t, bool node_only)
{
    switch (t->kind) {
    case SIM_TARGET_EP:
        return t->ep >= 1 && t->ep <= (node_only ? s->cfg.n_nodes
                                                 : s->cfg.n_nodes + s->cfg.n_clients);
    case SIM_TARGET_LEADER:
    case SIM_TARGET_FOLLOWER:
        return true;
    case SIM_TARGET_NAME:
        return t->ep < SIM_MAX_NAMES;
    case SIM_TARGET_ALL:
    case SIM_TARGET_NONE:
        return false;
    }
    return false;
}

static bool action_valid(const sim *s, const sim_action *a)
{
    switch (a->kind) {
    case SIM_ACT_CRASH: case SIM_ACT_RESTART: case SIM_ACT_PAUSE: case SIM_ACT_RESUME:
        return ep_valid(s, &a->target, true) || a->target.kind == SIM_TARGET_ALL;
    case SIM_ACT_DRIFT: case SIM_ACT_CLOCK_JUMP:
        return ep_valid(s, &a->target, true) || a->target.kind == SIM_TARGET_ALL;
    case SIM_ACT_PARTITION:
        if (a->n_groups > SIM_MAX_GROUPS || a->n_sym > SIM_MAX_GROUP_SYMS)
            return false;
        for (uint32_t i = 0; i < a->n_sym; i++)
            if (a->sym_group[i] >= a->n_groups || !ep_valid(s, &a->sym[i], false))
                return false;
        return true;
    case SIM_ACT_CUT: case SIM_ACT_UNCUT:
        return ep_valid(s, &a->target, false) && ep_valid(s, &a->target2, false);
    case SIM_ACT_ISOLATE: case SIM_ACT_RECONNECT:
        return ep_valid(s, &a->target, false);
    case SIM_ACT_ISOLATE_PEERS:
        return ep_valid(s, &a->target, true);
    case SIM_ACT_HEAL: case SIM_ACT_SKIPPED:
        return true;
    case SIM_ACT_SET:
        if (a->param == SIM_PARAM_LATENCY || a->param == SIM_PARAM_FSYNC ||
            a->param == SIM_PARAM_REORDER_DIST || a->msg_class)
            if (dist_validate(&a->dist) != 0)
                return false;
        if (a->msg_class) /* every link; drop, duplicate, reorder or delay */
            return a->target.kind == SIM_TARGET_NONE && sim_msg_group_name(a->msg_class - 1) &&
                   (a->param == SIM_PARAM_DROP || a->param == SIM_PARAM_DUP ||
                    a->param == SIM_PARAM_REORDER || a->param == SIM_PARAM_DELAY);
        if (a->param == SIM_PARAM_DELAY)
            return false;
        return a->target.kind != SIM_TARGET_EP || ep_valid(s, &a->target, false);
    case SIM_ACT_TRANSFER:
        return ep_valid(s, &a->target2, true);
    case SIM_ACT_CLIENT_STOP: case SIM_ACT_CLIENT_START: case SIM_ACT_WRITE:
        return a->target.kind == SIM_TARGET_EP && a->target.ep > s->cfg.n_nodes &&
               a->target.ep <= s->cfg.n_nodes + s->cfg.n_clients;
    case SIM_ACT__COUNT:
        break;
    }
    return false;
}

static int add_one(sim *s, const sim_action *a);

int sim_add_action(sim *s, const sim_action *a)
{
    if (a->at_ns < s->now || (unsigned)a->kind >= SIM_ACT__COUNT || !action_valid(s, a) ||
        a->bind > SIM_MAX_NAMES || (a->guarded && !action_guard_valid(s, a)) || a->way_back ||
        (a->both && a->kind != SIM_ACT_CUT && a->kind != SIM_ACT_UNCUT))
        return -1;
    if (add_one(s, a) != 0)
        return -1;
    if (!a->both)
        return 0;
    /* The way back: the next event (queued right after), its ends set when
     * the first half fires, no guard or binding of its own. */
    sim_action back = *a;
    back.both = back.guarded = false;
    back.bind = 0;
    back.way_back = true;
    return add_one(s, &back);
}

static int add_one(sim *s, const sim_action *a)
{
    if (s->n_actions == s->cap_actions) {
        size_t cap = s->cap_actions ? s->cap_actions * 2 : 64;
        sim_action *p = realloc(s->actions, cap * sizeof *p);
        if (!p)
            return -1;
        s->actions = p;
        s->cap_actions = cap;
    }
    s->actions[s->n_actions] = *a;
    if (sim_push(s, a->at_ns, EV_ACTION, (uint32_t)s->n_actions, 0, 0) != 0)
        return -1;
    s->n_actions++;
    return 0;
}

static sim_ep resolve(sim *s, const sim_target *t)
{
    return action_resolve(s, t, NULL, 0);
}

static void record(sim *s, const sim_action *a)
{
    if (s->n_executed == s->cap_executed) {
        size_t cap = s->cap_executed ? s->cap_executed * 2 : 64;
        sim_action *p = realloc(s->executed, cap * sizeof *p);
        if (!p)
            return;
        s->executed = p;
        s->cap_executed = cap;
    }
    s->executed[s->n_executed++] = *a;
}

static void node_action(sim *s, const sim_action *a, raft_id id)
{
    sim_node *n = &s->nodes[id];
    switch (a->kind) {
    case SIM_ACT_CRASH: node_crash(s, id); break;
    case SIM_ACT_RESTART:
        if (!n->up && node_start(s, id) != 0)
            sim_fail(s, SIM_V_EVENT_LIMIT, id, 0, "n%u could not restart", id);
        break;
    case SIM_ACT_PAUSE:
        if (n->up && !n->paused) {
            node_pause(s, id);
            if (a->dur_ns)
                sim_push(s, s->now + a->dur_ns, EV_PAUSE_END, id, n->pause_gen, 0);
        }
        break;
    case SIM_ACT_RESUME: node_resume(s, id); break;
    case SIM_ACT_DRIFT: node_set_drift(s, n, a->value); break;
    case SIM_ACT_CLOCK_JUMP: node_clock_jump(s, n, a->value); break;
    default: assert(0 && "not a node action");
    }
}

static void set_param(sim *s, const sim_action *a, sim_ep t1)
{
    if (a->msg_class) {
        static const uint8_t kinds[] = { [SIM_PARAM_DROP] = SIM_MF_DROP,
                                         [SIM_PARAM_DUP] = SIM_MF_DUP,
                                         [SIM_PARAM_REORDER] = SIM_MF_REORDER,
                                         [SIM_PARAM_DELAY] = SIM_MF_DELAY };
        sim_msg_fault f = { .kind = kinds[a->param], .group = (uint8_t)(a->msg_class - 1),
                            .ppm = (uint32_t)a->value, .delay = a->dist };
        net_set_msg_fault(&s->nw, &f);
        return;
    }
    if (a->param == SIM_PARAM_FSYNC) {
        for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
            if (!t1 || t1 == id)
                s->nodes[id].dk.params.fsync = a->dist;
        return;
    }
    sim_ep t2 = a->target2.kind == SIM_TARGET_EP ? a->target2.ep : 0;
    if (!t1) {
        net_set_param_all(&s->nw, a->param, a->value, &a->dist);
        return;
    }
    for (sim_ep o = 1; o <= s->nw.n_ep; o++) {
        if (o == t1 || (t2 && o != t2))
            continue;
        net_set_param_link(&s->nw, t1, o, a->param, a->value, &a->dist);
        net_set_param_link(&s->nw, o, t1, a->param, a->value, &a->dist);
    }
}

static bool transfer(sim *s, sim_action *done)
{
    raft_id leader = s->leader && s->nodes[s->leader].up ? s->leader : 0;
    sim_ep to = resolve(s, &done->target2);
    if (!leader || !to || !sim_is_node(s, to) || s->nodes[leader].paused)
        return false;
    done->target = (sim_target){.kind = SIM_TARGET_EP, .ep = leader};
    done->target2 = (sim_target){.kind = SIM_TARGET_EP, .ep = to};
    s->ops->transfer(s->nodes[leader].proto, to);
    node_sync_timer(s, &s->nodes[leader]);
    return true;
}

/* Execute; returns false if the action was skipped (no such target now). */
static bool execute(sim *s, sim_action *done)
{
    sim_ep t = 0;
    if (done->kind != SIM_ACT_TRANSFER && done->target.kind != SIM_TARGET_ALL &&
        done->target.kind != SIM_TARGET_NONE) {
        t = resolve(s, &done->target);
        if (!t)
            return false;
        done->target = (sim_target){.kind = SIM_TARGET_EP, .ep = t};
    }
    bool node_kind = done->kind <= SIM_ACT_RESUME || done->kind == SIM_ACT_DRIFT ||
                     done->kind == SIM_ACT_CLOCK_JUMP || done->kind == SIM_ACT_ISOLATE_PEERS;
    if (node_kind && t && !sim_is_node(s, t))
        return false; /* a name bound to a client */
    if (done->bind)
        s->bound[done->bind - 1] = t;
    sim_ep t2 = 0;
    if (done->kind == SIM_ACT_CUT || done->kind == SIM_ACT_UNCUT ||
        (done->kind == SIM_ACT_SET && done->target2.kind != SIM_TARGET_NONE)) {
        t2 = resolve(s, &done->target2);
        if (!t2 || t2 == t)
            return false;
        done->target2 = (sim_target){.kind = SIM_TARGET_EP, .ep = t2};
    }
    switch (done->kind) {
    case SIM_ACT_CRASH: case SIM_ACT_RESTART: case SIM_ACT_PAUSE: case SIM_ACT_RESUME:
    case SIM_ACT_DRIFT: case SIM_ACT_CLOCK_JUMP:
        for (raft_id id = 1; id <= s->cfg.n_nodes; id++)
            if (!t || t == id)
                node_action(s, done, id);
        return true;
    case SIM_ACT_PARTITION:
        if (done->n_sym && !action_resolve_groups(s, done))
            return false;
        net_partition(&s->nw, done->groups, done->n_groups);
        return true;
    case SIM_ACT_CUT: case SIM_ACT_UNCUT:
        net_set_cut(&s->nw, t, t2, done->kind == SIM_ACT_CUT);
        return true;
    case SIM_ACT_RECONNECT: action_reconnect(s, t); return true;
    case SIM_ACT_ISOLATE_PEERS: action_isolate_peers(s, t); return true;
    case SIM_ACT_ISOLATE: net_isolate(&s->nw, t); return true;
    case SIM_ACT_HEAL: net_heal(&s->nw); return true;
    case SIM_ACT_SET: set_param(s, done, t); return true;
    case SIM_ACT_TRANSFER: return transfer(s, done);
    case SIM_ACT_CLIENT_STOP: client_set_stopped(s, t - s->cfg.n_nodes - 1, true); return true;
    case SIM_ACT_CLIENT_START:
        client_set_stopped(s, t - s->cfg.n_nodes - 1, false);
        return true;
    case SIM_ACT_SKIPPED: return false; /* a replay's record of a skip: skipped again */
    case SIM_ACT_WRITE: {
        size_t op = client_write(s, t - s->cfg.n_nodes - 1);
        if (done->bind) { /* the name is the write's, not the client's */
            s->bound[done->bind - 1] = 0;
            s->write_op[done->bind - 1] = op;
        }
        return op != 0;
    }
    case SIM_ACT__COUNT: break;
    }
    return false;
}

static const char *const set_param_names[] = {
    [SIM_PARAM_LATENCY] = "latency", [SIM_PARAM_DROP] = "drop", [SIM_PARAM_DUP] = "duplicate",
    [SIM_PARAM_REORDER] = "reorder", [SIM_PARAM_REORDER_DELAY] = "reorder-delay",
    [SIM_PARAM_BANDWIDTH] = "bandwidth", [SIM_PARAM_FSYNC] = "fsync",
    [SIM_PARAM_REORDER_DIST] = "reorder-delay", [SIM_PARAM_DELAY] = "delay",
};

/* Tracing to a file: a partition's groups ("groups":[[1,2,6],[3,4,5,7]],
 * endpoints) and a set action's parameter name (trace.h). */
static void trace_action_detail(sim *s, const sim_action *a)
{
    if (a->kind == SIM_ACT_PARTITION) {
        char buf[TRACE_EXTRA_MAX - 64];
        size_t len = 0;
        for (uint8_t g = 0; g < a->n_groups; g++) {
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s[", g ? "," : "");
            bool first = true;
            for (sim_ep ep = 1; ep <= SIM_MAX_ENDPOINTS; ep++)
                if (epset_has(&a->groups[g], ep)) {
                    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%u",
                                            first ? "" : ",", ep);
                    first = false;
                }
            len += (size_t)snprintf(buf + len, sizeof buf - len, "]");
            assert(len < sizeof buf && "SIM_MAX_GROUPS groups of endpoints fit");
        }
        trace_extra(&s->tr, "\"groups\":[%s]", buf);
    } else if (a->kind == SIM_ACT_SET) {
        if (a->msg_class)
            trace_extra(&s->tr, "\"param\":\"%s\",\"class\":\"%s\"", set_param_names[a->param],
                        sim_msg_group_name(a->msg_class - 1));
        else
            trace_extra(&s->tr, "\"param\":\"%s\"", set_param_names[a->param]);
    }
}

/* An action that did not fire is still an event of the run (it counts
 * toward max-events and `--until`, and the connected-majority check looks at
 * the topology after it), so it is recorded as `skipped` at its time: the
 * replay file spells it out and the replay takes the same events. */
static void record_skipped(sim *s, uint64_t at_ns)
{
    record(s, &(sim_action){ .at_ns = at_ns, .kind = SIM_ACT_SKIPPED });
}

/* The first half of a run-time `A <-> B` has fired (`done`, its ends now
 * concrete) or was skipped (NULL): the way back, queued next, follows it. */
static void settle_way_back(sim *s, size_t index, const sim_action *done)
{
    assert(index + 1 < s->n_actions && s->actions[index + 1].way_back);
    sim_action *back = &s->actions[index + 1];
    if (!done) {
        back->kind = SIM_ACT_SKIPPED;
        return;
    }
    back->target = done->target2;
    back->target2 = done->target;
}

void action_run(sim *s, size_t index)
{
    assert(index < s->n_actions);
    sim_action done = s->actions[index];
    if (s->healed && done.from_chaos) {
        if (done.both)
            settle_way_back(s, index, NULL);
        record_skipped(s, done.at_ns); /* liveness phase: chaos is over */
        return;
    }
    assert(!done.way_back || done.kind == SIM_ACT_SKIPPED ||
           (done.target.kind == SIM_TARGET_EP && done.target2.kind == SIM_TARGET_EP));
    bool held = !done.guarded || action_guard_holds(s, &done);
    done.guarded = false; /* recorded as it ran: a replay needs no guard */
    if (!held || !execute(s, &done)) {
        if (done.bind) { /* nobody to bind: the name is unbound */
            s->bound[done.bind - 1] = 0;
            s->write_op[done.bind - 1] = 0;
        }
        if (done.both)
            settle_way_back(s, index, NULL);
        record_skipped(s, done.at_ns);
        return;
    }
    /* A run-time `A <-> B` runs as the two one-way actions a replay file
     * spells out, each its own event: the replay takes the same events. */
    if (done.both)
        settle_way_back(s, index, &done);
    done.both = done.way_back = false;
    record(s, &done);
    if (s->tr.out)
        trace_action_detail(s, &done);
    trace_emit(&s->tr, s->now, TR_ACTION, done.target.ep, done.target2.ep, done.kind,
               (uint64_t)done.value, 0);
}
