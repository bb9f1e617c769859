/* scenario_write_plan.c — the writer's timed parts: the chaos block, actions
 * and expectations, each in the canonical form the parser reads back. */
#include <assert.h>
#include <inttypes.h>

#include "../../core/msg.h"
#include "scenario_int.h"

void scn_write_ep(FILE *out, const sim_config *cfg, sim_ep ep)
{
    if (ep > cfg->n_nodes)
        fprintf(out, "c%u", ep - cfg->n_nodes);
    else
        fprintf(out, "n%u", ep);
}

void scn_write_target(FILE *out, const sim_config *cfg, const sim_target *t)
{
    switch (t->kind) {
    case SIM_TARGET_EP: scn_write_ep(out, cfg, t->ep); break;
    case SIM_TARGET_LEADER: fputs("leader", out); break;
    case SIM_TARGET_FOLLOWER: fputs("follower", out); break;
    case SIM_TARGET_ALL: fputs("all", out); break;
    case SIM_TARGET_NAME:
        fputs(t->ep < cfg->n_names ? cfg->names[t->ep] : "?", out);
        break;
    case SIM_TARGET_NONE: break;
    }
}

static void range(FILE *out, const char *word, uint64_t lo, uint64_t hi)
{
    fprintf(out, " %s ", word);
    scn_write_duration(out, lo);
    fputs("..", out);
    scn_write_duration(out, hi);
}

static void every(FILE *out, const char *kind, uint64_t mean)
{
    fprintf(out, "    %s every ", kind);
    scn_write_duration(out, mean);
}

void scn_write_chaos(FILE *out, const sim_chaos *ch)
{
    fputs("chaos {\n", out);
    if (ch->crash_every_ns) {
        every(out, "crash", ch->crash_every_ns);
        range(out, "down", ch->down_min_ns, ch->down_max_ns);
        if (ch->crash_leader_ppm) {
            fputs(" leader ", out);
            scn_write_percent(out, (uint32_t)ch->crash_leader_ppm);
        }
        fputc('\n', out);
    }
    const struct { const char *kind; uint64_t every, lo, hi; } kinds[] = {
        { "partition", ch->partition_every_ns, ch->partition_min_ns, ch->partition_max_ns },
        { "isolate", ch->isolate_every_ns, ch->isolate_min_ns, ch->isolate_max_ns },
        { "cut", ch->cut_every_ns, ch->cut_min_ns, ch->cut_max_ns },
        { "pause", ch->pause_every_ns, ch->pause_min_ns, ch->pause_max_ns },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (kinds[i].every) {
            every(out, kinds[i].kind, kinds[i].every);
            range(out, "for", kinds[i].lo, kinds[i].hi);
            fputc('\n', out);
        }
    if (ch->drop_burst_every_ns) {
        every(out, "drop-burst", ch->drop_burst_every_ns);
        fputc(' ', out);
        scn_write_percent(out, ch->drop_burst_ppm);
        fputs(" for ", out);
        scn_write_duration(out, ch->drop_burst_ns);
        fputc('\n', out);
    }
    if (ch->drift_every_ns) {
        every(out, "drift", ch->drift_every_ns);
        fprintf(out, " max %dppm\n", ch->drift_max_ppm);
    }
    if (ch->transfer_every_ns) {
        every(out, "transfer", ch->transfer_every_ns);
        fputc('\n', out);
    }
    fputs("    from ", out);
    scn_write_duration(out, ch->start_ns);
    if (ch->stop_ns) {
        fputs(" until ", out);
        scn_write_duration(out, ch->stop_ns);
    }
    fprintf(out, "\n    max-down %u\n}\n", ch->max_down);
}

static void write_signed(FILE *out, int64_t v, bool duration)
{
    fputc(v < 0 ? '-' : '+', out);
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (duration)
        scn_write_duration(out, mag);
    else
        fprintf(out, "%" PRIu64 "ppm", mag);
}

static void write_set(FILE *out, const sim_config *cfg, const sim_action *a)
{
    static const char *names[] = { "latency", "drop", "duplicate", "reorder",
                                   "reorder-delay", "bandwidth", "fsync", "reorder-delay",
                                   "delay" };
    assert(a->param <= SIM_PARAM_DELAY);
    fprintf(out, " %s", names[a->param]);
    if (a->msg_class) { /* every link: `set drop 5% replies` */
        sim_msg_fault f = { .kind = scn_fault_kind(a->param), .group = (uint8_t)(a->msg_class - 1),
                            .ppm = (uint32_t)a->value, .delay = a->dist };
        fputc(' ', out);
        scn_write_msg_fault(out, &f, false);
        return;
    }
    if (a->target.kind != SIM_TARGET_NONE) {
        fputc(' ', out);
        scn_write_target(out, cfg, &a->target);
    }
    if (a->target2.kind != SIM_TARGET_NONE) {
        fputs(" -> ", out);
        scn_write_target(out, cfg, &a->target2);
    }
    fputc(' ', out);
    switch (a->param) {
    case SIM_PARAM_LATENCY: case SIM_PARAM_FSYNC: scn_write_dist(out, &a->dist); break;
    case SIM_PARAM_DROP: case SIM_PARAM_DUP: case SIM_PARAM_REORDER:
        scn_write_percent(out, (uint32_t)a->value);
        break;
    case SIM_PARAM_REORDER_DELAY: scn_write_duration(out, (uint64_t)a->value); break;
    case SIM_PARAM_REORDER_DIST: /* a range or a distribution: outside FIFO order */
        if (a->dist.kind == SIM_DIST_CONST)
            fputs("const ", out);
        scn_write_delay(out, &a->dist);
        break;
    case SIM_PARAM_DELAY: assert(0 && "only with a message class"); break;
    case SIM_PARAM_BANDWIDTH:
        if (a->value == 0) {
            fputs("off", out);
        } else {
            scn_write_size(out, (uint64_t)a->value);
            fputs("/s", out);
        }
        break;
    }
}

static void write_groups(FILE *out, const sim_config *cfg, const sim_action *a)
{
    for (int g = 0; g < a->n_groups; g++) {
        fputs(" {", out);
        const char *sep = "";
        for (sim_ep ep = 1; ep <= SIM_MAX_ENDPOINTS; ep++)
            if (a->groups[g].bits[(ep - 1) / 64] >> ((ep - 1) % 64) & 1) {
                fputs(sep, out);
                scn_write_ep(out, cfg, ep);
                sep = " ";
            }
        for (int i = 0; i < a->n_sym; i++) /* members chosen at run time */
            if (a->sym_group[i] == g) {
                fputs(sep, out);
                scn_write_target(out, cfg, &a->sym[i]);
                sep = " ";
            }
        fputc('}', out);
    }
}

void scn_write_action(FILE *out, const sim_config *cfg, const sim_action *a)
{
    fputs("at ", out);
    scn_write_duration(out, a->at_ns);
    fputs(a->from_chaos ? " chaos" : "", out);
    if (a->guarded) {
        static const char *ops[] = { "<", "<=", "==", "!=", ">=", ">" };
        fputs(" if ", out);
        scn_write_metric_ref(out, cfg, &a->guard);
        fprintf(out, " %s ", a->guard_op < 6 ? ops[a->guard_op] : "?");
        if (a->guard_rhs_metric)
            scn_write_metric_ref(out, cfg, &a->guard_rhs);
        else
            fprintf(out, "%" PRId64, a->guard_value);
    }
    fprintf(out, " %s", sim_action_name(a->kind));
    switch (a->kind) {
    case SIM_ACT_PARTITION: write_groups(out, cfg, a); break;
    case SIM_ACT_HEAL: case SIM_ACT_SKIPPED: break;
    case SIM_ACT_SET: write_set(out, cfg, a); break;
    case SIM_ACT_TRANSFER:
        fputc(' ', out);
        scn_write_target(out, cfg, &a->target2);
        break;
    case SIM_ACT_CUT: case SIM_ACT_UNCUT:
        fputc(' ', out);
        scn_write_target(out, cfg, &a->target);
        fputs(a->both ? " <-> " : " -> ", out);
        scn_write_target(out, cfg, &a->target2);
        break;
    default:
        fputc(' ', out);
        scn_write_target(out, cfg, &a->target);
        if (a->kind == SIM_ACT_PAUSE && a->dur_ns) {
            fputc(' ', out);
            scn_write_duration(out, a->dur_ns);
        }
        if (a->kind == SIM_ACT_DRIFT || a->kind == SIM_ACT_CLOCK_JUMP) {
            fputc(' ', out);
            write_signed(out, a->value, a->kind == SIM_ACT_CLOCK_JUMP);
        }
        break;
    }
    if (a->bind && a->bind <= cfg->n_names)
        fprintf(out, " as %s", cfg->names[a->bind - 1]);
    fputc('\n', out);
}
