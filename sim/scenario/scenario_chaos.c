/* scenario_chaos.c — the `chaos { ... }` block: random faults for swarm
 * testing, one line per fault kind with its mean interval (`every`). The
 * block only sets sim_chaos; sim/scenario/chaos.c draws the concrete schedule. */
#include <string.h>

#include "scenario_int.h"

#define CHAOS (&p->sc->chaos)

static int every(scn_parser *p, uint64_t *mean)
{
    int rc = scn_keyword(p, "every");
    if (rc || (rc = scn_duration(p, "a mean interval (e.g. 2s)", mean)))
        return rc;
    /* A floor keeps the drawn schedule finite and sane (a fault every few
     * nanoseconds would draw billions of actions before the run starts). */
    if (*mean < SIM_NS_PER_MS)
        return scn_error(p, p->ln->tok[p->pos - 1].col,
                         "expected a mean interval of at least 1ms");
    return 0;
}

/* "every MEAN for LO..HI" */
static int every_for(scn_parser *p, uint64_t *mean, uint64_t *lo, uint64_t *hi)
{
    int rc = every(p, mean);
    if (rc)
        return rc;
    if (scn_peek_is(p, "for")) {
        p->pos++;
        if ((rc = scn_duration_range(p, "a duration range (e.g. 500ms..2s)", lo, hi)))
            return rc;
    }
    return scn_end(p);
}

static int chaos_crash(scn_parser *p)
{
    int rc = every(p, &CHAOS->crash_every_ns);
    if (rc)
        return rc;
    if (scn_peek_is(p, "down")) {
        p->pos++;
        if ((rc = scn_duration_range(p, "a downtime range (e.g. 200ms..1s)", &CHAOS->down_min_ns,
                                     &CHAOS->down_max_ns)))
            return rc;
    }
    if (scn_peek_is(p, "leader")) {
        uint32_t ppm;
        p->pos++;
        if ((rc = scn_percent(p, "a share of crashes aimed at the leader (e.g. 50%)", &ppm)))
            return rc;
        CHAOS->crash_leader_ppm = ppm;
    }
    return scn_end(p);
}

static int chaos_partition(scn_parser *p)
{
    return every_for(p, &CHAOS->partition_every_ns, &CHAOS->partition_min_ns,
                     &CHAOS->partition_max_ns);
}

static int chaos_isolate(scn_parser *p)
{
    return every_for(p, &CHAOS->isolate_every_ns, &CHAOS->isolate_min_ns,
                     &CHAOS->isolate_max_ns);
}

static int chaos_cut(scn_parser *p)
{
    return every_for(p, &CHAOS->cut_every_ns, &CHAOS->cut_min_ns, &CHAOS->cut_max_ns);
}

static int chaos_pause(scn_parser *p)
{
    return every_for(p, &CHAOS->pause_every_ns, &CHAOS->pause_min_ns, &CHAOS->pause_max_ns);
}

/* drop-burst every 4s 20% for 300ms */
static int chaos_drop_burst(scn_parser *p)
{
    int rc = every(p, &CHAOS->drop_burst_every_ns);
    if (rc || (rc = scn_percent(p, "a drop rate (e.g. 20%)", &CHAOS->drop_burst_ppm)))
        return rc;
    if (scn_peek_is(p, "for")) {
        p->pos++;
        if ((rc = scn_duration(p, "a burst length (e.g. 300ms)", &CHAOS->drop_burst_ns)))
            return rc;
    }
    return scn_end(p);
}

static int chaos_drift(scn_parser *p)
{
    int64_t ppm;
    int rc = every(p, &CHAOS->drift_every_ns);
    if (rc || (rc = scn_keyword(p, "max")))
        return rc;
    const scn_tok *t = scn_peek(p);
    uint32_t u = 0;
    if (t && (t->s[0] == '+' || t->s[0] == '-'))
        rc = scn_signed_ppm(p, "a drift (e.g. 500ppm)", &ppm);
    else
        rc = scn_percent(p, "a drift (e.g. 500ppm)", &u), ppm = u;
    if (rc)
        return rc;
    CHAOS->drift_max_ppm = (int32_t)(ppm < 0 ? -ppm : ppm);
    return scn_end(p);
}

static int chaos_transfer(scn_parser *p)
{
    int rc = every(p, &CHAOS->transfer_every_ns);
    return rc ? rc : scn_end(p);
}

/* from 1s [until 50s] */
static int chaos_from(scn_parser *p)
{
    int rc = scn_duration(p, "a start time (e.g. 1s)", &CHAOS->start_ns);
    if (rc)
        return rc;
    if (scn_peek_is(p, "until")) {
        p->pos++;
        if ((rc = scn_duration(p, "a stop time (e.g. 50s)", &CHAOS->stop_ns)))
            return rc;
        if (CHAOS->stop_ns <= CHAOS->start_ns)
            return scn_error(p, p->ln->tok[p->pos - 1].col,
                             "expected a stop time later than the start time");
    }
    return scn_end(p);
}

static int chaos_max_down(scn_parser *p)
{
    uint64_t v;
    int rc = scn_uint(p, 0, SIM_MAX_NODES, "a number of nodes (0 = a minority)", &v);
    if (rc)
        return rc;
    CHAOS->max_down = (uint32_t)v;
    return scn_end(p);
}

static const scn_command chaos_commands[] = {
    { "crash", chaos_crash, "crash every 2s down 200ms..1s", false },
    { "partition", chaos_partition, "partition every 3s for 500ms..2s", false },
    { "isolate", chaos_isolate, "isolate every 7s for 300ms..1s", false },
    { "cut", chaos_cut, "cut every 4s for 200ms..1s", false },
    { "pause", chaos_pause, "pause every 5s for 100ms..400ms", false },
    { "drop-burst", chaos_drop_burst, "drop-burst every 4s 20% for 300ms", false },
    { "drift", chaos_drift, "drift every 5s max 500ppm", false },
    { "transfer", chaos_transfer, "transfer every 10s", false },
    { "from", chaos_from, "from 1s until 50s", false },
    { "max-down", chaos_max_down, "max-down 2", false },
};

const scn_command *scn_chaos_commands(size_t *n)
{
    *n = sizeof chaos_commands / sizeof *chaos_commands;
    return chaos_commands;
}

/* `chaos {` opens the block (defaults for the ranges a line may leave out). */
int scn_cmd_chaos(scn_parser *p)
{
    uint32_t col = scn_here(p);
    int rc = scn_keyword(p, "{");
    if (rc || (rc = scn_end(p)))
        return rc;
    if (p->sc->chaos.on)
        return scn_error(p, p->ln->tok[0].col, "expected one chaos block, got a second one");
    *CHAOS = (sim_chaos){
        .on = true,
        .down_min_ns = 200 * SIM_NS_PER_MS, .down_max_ns = SIM_NS_PER_S,
        .partition_min_ns = 500 * SIM_NS_PER_MS, .partition_max_ns = 2 * SIM_NS_PER_S,
        .isolate_min_ns = 500 * SIM_NS_PER_MS, .isolate_max_ns = 2 * SIM_NS_PER_S,
        .cut_min_ns = 200 * SIM_NS_PER_MS, .cut_max_ns = SIM_NS_PER_S,
        .pause_min_ns = 100 * SIM_NS_PER_MS, .pause_max_ns = 400 * SIM_NS_PER_MS,
        .drop_burst_ppm = 200000, .drop_burst_ns = 300 * SIM_NS_PER_MS,
    };
    p->in_chaos = true;
    p->chaos_line = p->ln->line;
    p->chaos_col = col;
    return 0;
}
