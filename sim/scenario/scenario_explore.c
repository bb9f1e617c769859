/* scenario_explore.c — the `explore { ... }` block: the swarm space of
 * `raftsim explore` (sim/scenario/explore.h). One line per dimension:
 *
 *     NAME CHANCE [VALUE] [KEYWORD VALUE]...
 *
 * CHANCE is the share of seeds that switch the dimension on (`40%`,
 * `500ppm`); every VALUE is a range `LO..HI` (or one value) drawn for each
 * seed where the dimension is on. Each value is checked against the limits
 * the rest of the language puts on it, so a space can only draw runs the
 * parser accepts. A space file holds the block and nothing else. */
#include <stdlib.h>
#include <string.h>

#include "../../core/raft.h"
#include "explore.h"
#include "scenario_int.h"

#define MS SIM_NS_PER_MS
#define HOUR (3600 * SIM_NS_PER_S)
#define MAX_PAYLOAD (UINT64_C(1) << 20) /* the default max-entry: larger ones are refused */

#define P(kw, k, lo, hi, w) { kw, k, lo, hi, w }
static const explore_dim_spec specs[EXD__COUNT] = {
    [EXD_NODES] = { "nodes", true, 1, { P(NULL, EXK_COUNT, 1, SIM_MAX_NODES, "a cluster size") } },
    [EXD_BIG_CLUSTER] = { "big-cluster", false, 1,
                          { P(NULL, EXK_COUNT, 1, SIM_MAX_NODES, "a cluster size") } },
    [EXD_PREVOTE] = { "prevote", false, 0, { { 0 } } },
    [EXD_CHECKQUORUM] = { "checkquorum", false, 0, { { 0 } } },
    [EXD_HEARTBEAT_IDLE_ONLY] = { "heartbeat-idle-only", false, 0, { { 0 } } },
    [EXD_ELECTION_TIMEOUT] = { "election-timeout", false, 2,
                               { P(NULL, EXK_DURATION, 3 * MS, HOUR, "a minimum election timeout"),
                                 P("spread", EXK_PPM, 1, 1000000, "a spread above the minimum") } },
    [EXD_BATCH] = { "batch", false, 1,
                    { P(NULL, EXK_COUNT, 1, RAFT_MAX_BATCH, "entries per message") } },
    [EXD_MAX_BYTES] = { "max-bytes", false, 1,
                        { P(NULL, EXK_SIZE, 1, UINT32_MAX, "a payload cap per message") } },
    [EXD_PIPELINE] = { "pipeline", false, 1,
                       { P(NULL, EXK_COUNT, 1, 1024, "a pipeline window") } },
    [EXD_SNAPSHOT] = { "snapshot", false, 2,
                       { P("every", EXK_COUNT, 1, UINT32_MAX, "a number of applied entries"),
                         P("keep", EXK_COUNT, 0, UINT32_MAX, "a number of entries to keep") } },
    [EXD_SNAPSHOT_CHUNK] = { "snapshot-chunk", false, 1,
                             { P(NULL, EXK_SIZE, 1, UINT32_MAX, "a chunk size") } },
    [EXD_TRANSFER] = { "transfer", false, 1,
                       { P("every", EXK_DURATION, MS, HOUR, "a mean interval") } },
    [EXD_WRITERS] = { "writers", false, 3,
                      { P(NULL, EXK_COUNT, 1, 16, "a number of writers"),
                        P("rate", EXK_RATE, 1, 100000, "a rate"),
                        P("payload", EXK_SIZE, 1, MAX_PAYLOAD, "a payload size") } },
    [EXD_CLOSED_LOOP] = { "closed-loop", false, 1,
                          { P(NULL, EXK_COUNT, 1, 1000, "a number of operations in flight") } },
    [EXD_BIG_PAYLOAD] = { "big-payload", false, 1,
                          { P(NULL, EXK_SIZE, 1, MAX_PAYLOAD, "a payload size") } },
    [EXD_READERS] = { "readers", false, 2,
                      { P(NULL, EXK_COUNT, 1, 16, "a number of readers"),
                        P("rate", EXK_RATE, 1, 100000, "a rate") } },
    [EXD_CLIENT_TIMEOUT] = { "client-timeout", false, 1,
                             { P(NULL, EXK_DURATION, MS, HOUR, "a retry timeout") } },
    [EXD_LATENCY] = { "latency", false, 1,
                      { P(NULL, EXK_DURATION, 0, 10 * SIM_NS_PER_S, "a one-way delay") } },
    [EXD_HEAVY_TAIL] = { "heavy-tail", false, 1,
                         { P(NULL, EXK_DURATION, 1000, 10 * SIM_NS_PER_S, "a mean delay") } },
    [EXD_DROP] = { "drop", false, 1, { P(NULL, EXK_PPM, 0, 1000000, "a drop rate") } },
    [EXD_DUPLICATE] = { "duplicate", false, 1,
                        { P(NULL, EXK_PPM, 0, 1000000, "a duplication rate") } },
    [EXD_REORDER] = { "reorder", false, 2,
                      { P(NULL, EXK_PPM, 0, 1000000, "a reordering rate"),
                        P("delay", EXK_DURATION, 1, HOUR, "an extra delay") } },
    [EXD_BANDWIDTH] = { "bandwidth", false, 1,
                        { P(NULL, EXK_BANDWIDTH, 1, UINT64_C(1) << 40, "a bandwidth") } },
    [EXD_PARTITION] = { "partition", false, 2,
                        { P("every", EXK_DURATION, MS, HOUR, "a mean interval"),
                          P("for", EXK_DURATION, 1, HOUR, "a duration") } },
    [EXD_PARTIAL_PARTITION] = { "partial-partition", false, 2,
                                { P("every", EXK_DURATION, MS, HOUR, "a mean interval"),
                                  P("for", EXK_DURATION, 1, HOUR, "a duration") } },
    [EXD_ISOLATE] = { "isolate", false, 2,
                      { P("every", EXK_DURATION, MS, HOUR, "a mean interval"),
                        P("for", EXK_DURATION, 1, HOUR, "a duration") } },
    [EXD_CUT] = { "cut", false, 2,
                  { P("every", EXK_DURATION, MS, HOUR, "a mean interval"),
                    P("for", EXK_DURATION, 1, HOUR, "a duration") } },
    [EXD_DROP_BURST] = { "drop-burst", false, 3,
                         { P("every", EXK_DURATION, MS, HOUR, "a mean interval"),
                           P("rate", EXK_PPM, 0, 1000000, "a drop rate"),
                           P("for", EXK_DURATION, 1, HOUR, "a duration") } },
    [EXD_CRASH] = { "crash", false, 3,
                    { P("every", EXK_DURATION, MS, HOUR, "a mean interval"),
                      P("down", EXK_DURATION, 1, HOUR, "a downtime"),
                      P("leader", EXK_PPM, 0, 1000000, "a share aimed at the leader") } },
    [EXD_CLUSTER_RESTART] = { "cluster-restart", false, 1,
                              { P("down", EXK_DURATION, 1, HOUR, "a downtime") } },
    [EXD_PAUSE] = { "pause", false, 2,
                    { P("every", EXK_DURATION, MS, HOUR, "a mean interval"),
                      P("for", EXK_DURATION, 1, HOUR, "a duration") } },
    [EXD_DRIFT] = { "drift", false, 2,
                    { P("every", EXK_DURATION, MS, HOUR, "a mean interval"),
                      P("max", EXK_PPM, 1, 1000000, "a clock drift") } },
    [EXD_CLOCK_JUMP] = { "clock-jump", false, 2,
                         { P(NULL, EXK_COUNT, 1, 16, "a number of jumps"),
                           P("by", EXK_DURATION, 1, HOUR, "a jump") } },
    [EXD_FSYNC] = { "fsync", false, 1,
                    { P(NULL, EXK_DURATION, 0, 10 * SIM_NS_PER_S, "an fsync latency") } },
    [EXD_TORN_WRITES] = { "torn-writes", false, 0, { { 0 } } },
    [EXD_CHAOS_PHASE] = { "chaos-phase", true, 1,
                          { P(NULL, EXK_DURATION, MS, HOUR, "a length of the chaos phase") } },
    [EXD_LIVENESS] = { "liveness", false, 1,
                       { P("within", EXK_DURATION, EXPLORE_MIN_LIVENESS_NS, HOUR,
                           "a convergence deadline") } },
    [EXD_DEAF] = { "deaf", false, 1, { P("for", EXK_DURATION, 1, HOUR, "a duration") } },
    [EXD_CLASS_FAULT] = { "class-fault", false, 3,
                          { P(NULL, EXK_COUNT, 1, SIM_MAX_MSG_FAULTS, "a number of faults"),
                            P("rate", EXK_PPM, 0, 1000000, "a share of the class's messages"),
                            P("delay", EXK_DURATION, 1, HOUR, "an extra delay") } },
};
#undef P

const explore_dim_spec *explore_spec(int dim)
{
    return dim >= 0 && dim < EXD__COUNT ? &specs[dim] : NULL;
}

const char *explore_dim_name(int dim)
{
    return dim >= 0 && dim < EXD__COUNT ? specs[dim].name : "?";
}

int explore_dim_lookup(const char *name, size_t len)
{
    for (int d = 0; d < EXD__COUNT; d++)
        if (strlen(specs[d].name) == len && memcmp(specs[d].name, name, len) == 0)
            return d;
    return -1;
}

/* One value of the given kind, with the language's own value parsers. */
static int one_value(scn_parser *p, const explore_part_spec *ps, uint64_t *v)
{
    uint32_t u32;
    int rc;
    switch (ps->kind) {
    case EXK_COUNT: return scn_uint(p, 0, UINT64_MAX, ps->what, v);
    case EXK_DURATION: return scn_duration(p, ps->what, v);
    case EXK_SIZE: return scn_size(p, ps->what, v);
    case EXK_BANDWIDTH: return scn_bandwidth(p, v);
    case EXK_PPM:
        rc = scn_percent(p, ps->what, &u32);
        *v = u32;
        return rc;
    case EXK_RATE:
        rc = scn_rate(p, &u32);
        *v = u32;
        return rc;
    }
    return scn_error(p, scn_here(p), "expected %s", ps->what);
}

static void format_limit(char *buf, size_t cap, enum explore_kind k, uint64_t v)
{
    if (k == EXK_DURATION)
        scn_format_duration(buf, cap, v);
    else if (k == EXK_PPM)
        snprintf(buf, cap, "%lluppm", (unsigned long long)v);
    else
        snprintf(buf, cap, "%llu%s", (unsigned long long)v,
                 k == EXK_SIZE ? "B" : k == EXK_BANDWIDTH ? "B/s" : k == EXK_RATE ? "/s" : "");
}

static int check_limit(scn_parser *p, const explore_part_spec *ps, uint64_t v, uint32_t col)
{
    if (v >= ps->min && v <= ps->max)
        return 0;
    char lo[40], hi[40];
    format_limit(lo, sizeof lo, ps->kind, ps->min);
    format_limit(hi, sizeof hi, ps->kind, ps->max);
    return scn_error(p, col, "expected %s from %s to %s (out of range)", ps->what, lo, hi);
}

/* "LO..HI" or one value, as one word: each half is parsed by the language's
 * value parser on a line of its own, so messages point at the right column. */
static int range_value(scn_parser *p, const explore_part_spec *ps, explore_range *out)
{
    const scn_tok *t = scn_peek(p);
    if (!t)
        return scn_error(p, scn_here(p), "expected %s (e.g. a range LO..HI)", ps->what);
    const char *dots = NULL;
    for (uint32_t i = 0; i + 1 < t->len && !dots; i++)
        if (t->s[i] == '.' && t->s[i + 1] == '.')
            dots = t->s + i;
    static scn_line half; /* the parser is single-threaded; too big for the stack */
    const scn_line *saved_ln = p->ln;
    uint32_t saved_pos = p->pos + 1;
    uint32_t left = dots ? (uint32_t)(dots - t->s) : t->len;
    half = (scn_line){ .n = dots ? 2 : 1, .line = saved_ln->line, .end_col = saved_ln->end_col };
    half.tok[0] = (scn_tok){ t->s, left, t->col };
    if (dots)
        half.tok[1] = (scn_tok){ dots + 2, t->len - left - 2, t->col + left + 2 };
    p->ln = &half;
    p->pos = 0;
    int rc = one_value(p, ps, &out->lo);
    out->hi = out->lo;
    if (!rc && dots)
        rc = one_value(p, ps, &out->hi);
    p->ln = saved_ln;
    p->pos = saved_pos;
    if (rc)
        return rc;
    if (out->hi < out->lo)
        return scn_error(p, t->col, "expected a range LO..HI with LO <= HI, got an empty "
                         "range '%.*s'", (int)t->len, t->s);
    if ((rc = check_limit(p, ps, out->lo, t->col)))
        return rc;
    return check_limit(p, ps, out->hi, dots ? half.tok[1].col : t->col);
}

static int dimension_line(scn_parser *p, const scn_tok *name)
{
    int d = explore_dim_lookup(name->s, name->len);
    if (d < 0)
        return scn_error(p, name->col, "expected a dimension (nodes, prevote, crash, ...; see "
                         "scenarios/explore/default.scn) or '}', got '%.*s'",
                         (int)name->len, name->s);
    explore_setting *s = &p->sc->explore->dim[d];
    if (s->given)
        return scn_error(p, name->col, "expected each dimension once, got a second '%s' "
                         "(first at line %u)", specs[d].name, s->line);
    const explore_dim_spec *ds = &specs[d];
    uint32_t chance_col = scn_here(p);
    int rc = scn_percent(p, "a chance that a seed switches it on (e.g. 40%)", &s->on_ppm);
    if (rc)
        return rc;
    if (ds->required && s->on_ppm != 1000000)
        return scn_error(p, chance_col, "expected 100%%: every seed draws %s", ds->name);
    for (uint32_t i = 0; i < ds->n_parts; i++) {
        const explore_part_spec *ps = &ds->part[i];
        if (ps->keyword && (rc = scn_keyword(p, ps->keyword)))
            return rc;
        if ((rc = range_value(p, ps, &s->part[i])))
            return rc;
    }
    s->given = true;
    s->line = p->ln->line;
    return scn_end(p);
}

/* At `}`: the space must be able to draw a run. */
static int close_block(scn_parser *p, const scn_tok *brace)
{
    const explore_space *sp = p->sc->explore;
    for (int d = 0; d < EXD__COUNT; d++)
        if (specs[d].required && !sp->dim[d].given)
            return scn_error(p, brace->col, "expected a '%s' line in the explore block: "
                             "every seed needs one (impossible space)", specs[d].name);
    const explore_setting *sn = &sp->dim[EXD_SNAPSHOT];
    if (sn->given && sn->on_ppm && sn->part[1].lo >= sn->part[0].hi)
        return scn_error(p, brace->col, "expected snapshot keep below snapshot every (line %u):"
                         " no snapshot could ever be taken (impossible space)", sn->line);
    p->in_explore = false;
    return scn_end(p);
}

int scn_explore_line(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    return scn_tok_is(t, "}") ? close_block(p, t) : dimension_line(p, t);
}

/* `explore {` opens the block. */
int scn_cmd_explore(scn_parser *p)
{
    uint32_t col = scn_here(p);
    int rc = scn_keyword(p, "{");
    if (rc || (rc = scn_end(p)))
        return rc;
    if (p->sc->explore)
        return scn_error(p, p->ln->tok[0].col, "expected one explore block, got a second one");
    p->sc->explore = calloc(1, sizeof *p->sc->explore);
    if (!p->sc->explore)
        return scn_error(p, col, "out of memory");
    p->in_explore = true;
    p->explore_line = p->ln->line;
    p->explore_col = col;
    return 0;
}
