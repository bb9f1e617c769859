/* shrink_params.c — shrink the fault parameters, not only the list of
 * actions: network drop, duplication, reordering, latency, bandwidth, fsync
 * latency and torn writes go to zero or to the simulator's default (then by
 * halving); in the schedule, `set` values, pause lengths, clock drifts and
 * jumps are halved toward zero, and down times (crash -> restart, pause ->
 * resume, cut/partition/isolate -> uncut/heal, client-stop -> start) are
 * halved by moving the end earlier. Each change is kept only if the
 * candidate still fails the same way (shrink_try). */
#include <string.h>

#include "shrink.h"

/* A config whose one parameter is being lowered: the step produces the next
 * candidate value from the current config (false: nothing left to try). */
typedef bool (*cfg_step)(sim_config *cfg, unsigned k);

static void try_cfg_steps(shrinker *s, cfg_step step, const char *what)
{
    for (unsigned k = 0; k <= SHRINK_MAX_HALVINGS && s->runs < s->max_runs; k++) {
        sim_config cfg = s->cfg;
        if (!step(&cfg, k) || memcmp(&cfg, &s->cfg, sizeof cfg) == 0)
            return;
        if (!shrink_try(s, s->best, s->n_best, &cfg)) {
            if (k == 0)
                continue; /* straight to zero failed: try halving */
            return;
        }
        s->cfg = cfg;
        shrink_note(s, what);
        if (k == 0)
            return; /* it is at zero (or the default) already */
    }
}

/* k == 0: the target value; k > 0: halve toward it. */
static bool lower_u32(uint32_t *v, uint32_t target, unsigned k)
{
    if (*v <= target)
        return false;
    *v = k == 0 ? target : target + (*v - target) / 2;
    return true;
}

static bool lower_u64(uint64_t *v, uint64_t target, unsigned k)
{
    if (*v <= target)
        return false;
    *v = k == 0 ? target : target + (*v - target) / 2;
    return true;
}

/* A distribution toward the default constant: k == 0 the default itself,
 * then both ends halved toward it. */
static bool lower_dist(sim_dist *d, const sim_dist *def, unsigned k)
{
    if (memcmp(d, def, sizeof *d) == 0)
        return false;
    if (k == 0) {
        *d = *def;
        return true;
    }
    uint64_t a = d->a_ns, b = d->b_ns;
    d->a_ns = a > def->a_ns ? def->a_ns + (a - def->a_ns) / 2 : a;
    d->b_ns = b > d->a_ns ? d->a_ns + (b - d->a_ns) / 2 : b;
    if (d->kind == SIM_DIST_PARETO && d->b_ns <= d->a_ns)
        return false;
    return d->a_ns != a || d->b_ns != b;
}

static bool step_drop(sim_config *c, unsigned k) { return lower_u32(&c->net.drop_ppm, 0, k); }
static bool step_dup(sim_config *c, unsigned k) { return lower_u32(&c->net.dup_ppm, 0, k); }
static bool step_reorder(sim_config *c, unsigned k)
{
    return lower_u32(&c->net.reorder_ppm, 0, k);
}
static bool step_reorder_ns(sim_config *c, unsigned k)
{
    return lower_u64(&c->net.reorder_ns, 0, k);
}
static bool step_bandwidth(sim_config *c, unsigned k)
{
    (void)k; /* 0 = unlimited: only the one step, there is no "half as limited" */
    if (c->net.bandwidth_Bps == 0)
        return false;
    c->net.bandwidth_Bps = 0;
    return true;
}
static bool step_torn(sim_config *c, unsigned k)
{
    (void)k;
    if (!c->disk.torn_writes)
        return false;
    c->disk.torn_writes = false;
    return true;
}
static bool step_latency(sim_config *c, unsigned k)
{
    sim_config def;
    sim_config_default(&def);
    return lower_dist(&c->net.latency, &def.net.latency, k);
}
static bool step_fsync(sim_config *c, unsigned k)
{
    sim_config def;
    sim_config_default(&def);
    return lower_dist(&c->disk.fsync, &def.disk.fsync, k);
}

static void shrink_cfg_params(shrinker *s)
{
    static const struct {
        cfg_step step;
        const char *what;
    } steps[] = {
        { step_drop, "lowered drop" },           { step_dup, "lowered duplication" },
        { step_reorder, "lowered reordering" },  { step_reorder_ns, "shortened reorder delay" },
        { step_bandwidth, "lifted bandwidth" },  { step_latency, "lowered latency" },
        { step_fsync, "lowered fsync latency" }, { step_torn, "turned torn writes off" },
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        try_cfg_steps(s, steps[i].step, steps[i].what);
}

/* ---- the schedule ---- */

static bool same_target(const sim_target *a, const sim_target *b)
{
    return a->kind == b->kind && (a->kind != SIM_TARGET_EP || a->ep == b->ep);
}

/* The action that `end` ends (its crash, pause, cut...), or -1. */
static long begin_of(const sim_action *acts, size_t i)
{
    const sim_action *e = &acts[i];
    for (size_t j = i; j-- > 0;) {
        const sim_action *b = &acts[j];
        switch (e->kind) {
        case SIM_ACT_RESTART:
            if (b->kind == SIM_ACT_CRASH && same_target(&b->target, &e->target))
                return (long)j;
            break;
        case SIM_ACT_RESUME:
            if (b->kind == SIM_ACT_PAUSE && same_target(&b->target, &e->target))
                return (long)j;
            break;
        case SIM_ACT_UNCUT:
            if (b->kind == SIM_ACT_CUT && same_target(&b->target, &e->target) &&
                same_target(&b->target2, &e->target2))
                return (long)j;
            break;
        case SIM_ACT_HEAL:
            if (b->kind == SIM_ACT_CUT || b->kind == SIM_ACT_PARTITION ||
                b->kind == SIM_ACT_ISOLATE)
                return (long)j;
            break;
        case SIM_ACT_CLIENT_START:
            if (b->kind == SIM_ACT_CLIENT_STOP && same_target(&b->target, &e->target))
                return (long)j;
            break;
        default: return -1;
        }
    }
    return -1;
}

uint64_t shrink_down_time(const sim_action *acts, size_t n, uint64_t end_ns)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (acts[i].kind == SIM_ACT_PAUSE && acts[i].dur_ns)
            sum += acts[i].dur_ns;
        long b = begin_of(acts, i);
        if (b >= 0 && acts[i].at_ns <= end_ns)
            sum += acts[i].at_ns - acts[(size_t)b].at_ns;
    }
    return sum;
}

static int64_t halve_signed(int64_t v)
{
    return v / 2; /* toward zero for either sign */
}

/* The next value of action i's parameter (into *a); false if none. */
static bool lower_action(const sim_action *acts, size_t i, sim_action *a, unsigned k)
{
    sim_config def;
    switch (a->kind) {
    case SIM_ACT_SET:
        if (a->param == SIM_PARAM_LATENCY || a->param == SIM_PARAM_FSYNC) {
            sim_config_default(&def);
            return lower_dist(&a->dist, &def.net.latency, k);
        }
        if (a->param == SIM_PARAM_BANDWIDTH || a->value <= 0)
            return false; /* bandwidth 0 is "unlimited": not a smaller fault */
        a->value = k == 0 ? 0 : halve_signed(a->value);
        return true;
    case SIM_ACT_PAUSE:
        if (a->dur_ns <= SIM_NS_PER_MS)
            return false;
        a->dur_ns = k == 0 ? SIM_NS_PER_MS : a->dur_ns / 2;
        return true;
    case SIM_ACT_DRIFT:
    case SIM_ACT_CLOCK_JUMP:
        if (a->value == 0)
            return false;
        a->value = k == 0 ? 0 : halve_signed(a->value);
        return true;
    default: break;
    }
    long b = begin_of(acts, i);
    if (b < 0)
        return false;
    /* A down time: end earlier, but never before the action ahead of it
     * (the schedule stays in time order). */
    uint64_t begin = acts[b].at_ns, floor = i > 0 ? acts[i - 1].at_ns : 0;
    uint64_t gap = a->at_ns - begin;
    if (gap <= SIM_NS_PER_MS)
        return false;
    uint64_t at = begin + (k == 0 ? SIM_NS_PER_MS : gap / 2);
    at = at < floor ? floor : at;
    if (at >= a->at_ns)
        return false;
    a->at_ns = at;
    return true;
}

static void shrink_action_params(shrinker *s)
{
    for (size_t i = 0; i < s->n_best && s->runs < s->max_runs; i++) {
        bool changed = false;
        for (unsigned k = 0; k <= SHRINK_MAX_HALVINGS && s->runs < s->max_runs; k++) {
            memcpy(s->scratch, s->best, s->n_best * sizeof *s->best);
            if (!lower_action(s->best, i, &s->scratch[i], k))
                break;
            if (!shrink_try(s, s->scratch, s->n_best, &s->cfg)) {
                if (k == 0)
                    continue;
                break;
            }
            shrink_adopt_scratch(s, s->n_best);
            changed = true;
            if (k == 0)
                break;
        }
        if (changed) {
            s->params.actions_changed++;
            shrink_note(s, "lowered an action's parameter");
        }
    }
}

void shrink_params(shrinker *s)
{
    shrink_cfg_params(s);
    shrink_action_params(s);
}

static void duration_text(char *buf, size_t cap, uint64_t ns)
{
    static const struct {
        const char *unit;
        uint64_t scale;
    } units[] = { { "s", SIM_NS_PER_S }, { "ms", SIM_NS_PER_MS }, { "us", 1000 }, { "ns", 1 } };
    snprintf(buf, cap, "0");
    for (size_t i = 0; ns && i < sizeof units / sizeof units[0]; i++)
        if (ns % units[i].scale == 0) {
            snprintf(buf, cap, "%llu%s", (unsigned long long)(ns / units[i].scale),
                     units[i].unit);
            return;
        }
}

static void dist_text(const sim_dist *d, char *buf, size_t cap)
{
    char a[32], b[32];
    duration_text(a, sizeof a, d->a_ns);
    duration_text(b, sizeof b, d->b_ns);
    switch (d->kind) {
    case SIM_DIST_CONST: snprintf(buf, cap, "%s", a); break;
    case SIM_DIST_UNIFORM: snprintf(buf, cap, "%s..%s", a, b); break;
    case SIM_DIST_NORMAL: snprintf(buf, cap, "normal %s/%s", a, b); break;
    case SIM_DIST_PARETO: snprintf(buf, cap, "pareto %s/%s", a, b); break;
    }
}

static void append(char *buf, size_t cap, const char *fmt_name, const char *from,
                   const char *to)
{
    size_t n = strlen(buf);
    if (n < cap)
        snprintf(buf + n, cap - n, ", %s %s -> %s", fmt_name, from, to);
}

static void ppm_text(uint32_t ppm, char *buf, size_t cap)
{
    if (ppm % 10000 == 0)
        snprintf(buf, cap, "%u%%", ppm / 10000);
    else
        snprintf(buf, cap, "%u.%04u%%", ppm / 10000, ppm % 10000);
}

void shrink_describe_params(const sim_config *before, const sim_config *after, char *buf,
                            size_t cap)
{
    char x[80], y[80]; /* "pareto " and two 31-character durations fit */
    buf[0] = '\0';
    const struct {
        const char *name;
        uint32_t a, b;
    } ppms[] = {
        { "drop", before->net.drop_ppm, after->net.drop_ppm },
        { "duplicate", before->net.dup_ppm, after->net.dup_ppm },
        { "reorder", before->net.reorder_ppm, after->net.reorder_ppm },
    };
    for (size_t i = 0; i < sizeof ppms / sizeof ppms[0]; i++)
        if (ppms[i].a != ppms[i].b) {
            ppm_text(ppms[i].a, x, sizeof x);
            ppm_text(ppms[i].b, y, sizeof y);
            append(buf, cap, ppms[i].name, x, y);
        }
    if (before->net.reorder_ns != after->net.reorder_ns) {
        duration_text(x, sizeof x, before->net.reorder_ns);
        duration_text(y, sizeof y, after->net.reorder_ns);
        append(buf, cap, "reorder delay", x, y);
    }
    if (memcmp(&before->net.latency, &after->net.latency, sizeof after->net.latency) != 0) {
        dist_text(&before->net.latency, x, sizeof x);
        dist_text(&after->net.latency, y, sizeof y);
        append(buf, cap, "latency", x, y);
    }
    if (before->net.bandwidth_Bps != after->net.bandwidth_Bps) {
        snprintf(x, sizeof x, "%lluB/s", (unsigned long long)before->net.bandwidth_Bps);
        append(buf, cap, "bandwidth", x, "off");
    }
    if (memcmp(&before->disk.fsync, &after->disk.fsync, sizeof after->disk.fsync) != 0) {
        dist_text(&before->disk.fsync, x, sizeof x);
        dist_text(&after->disk.fsync, y, sizeof y);
        append(buf, cap, "fsync", x, y);
    }
    if (before->disk.torn_writes != after->disk.torn_writes)
        append(buf, cap, "torn-writes", "on", "off");
}
