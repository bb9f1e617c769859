/* scenario_write_expect.c — an expectation in canonical form:
 *   expect [always] METRIC [ARG|NODE] OP (NUMBER|METRIC) [at T | between T1 T2 |
 *          within D after T | from first [after T0] until T]
 *   or   expect violation NAME */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "../../core/msg.h"
#include "scenario_int.h"

const char *scn_write_metric_word(enum sim_metric m)
{
    const char *name = sim_metric_name(m);
    assert(sim_metric_scope(m) == 'W');
    assert(strncmp(name, SCN_WRITE_METRIC_PREFIX, strlen(SCN_WRITE_METRIC_PREFIX)) == 0);
    return name + strlen(SCN_WRITE_METRIC_PREFIX);
}

void scn_write_metric_ref(FILE *out, const sim_config *cfg, const sim_metric_ref *r)
{
    if (sim_metric_scope(r->metric) == 'W') { /* `w1 applied-on` */
        assert(r->arg >= 0 && (uint32_t)r->arg < cfg->n_names);
        fprintf(out, "%s %s", cfg->names[r->arg], scn_write_metric_word(r->metric));
        return;
    }
    fputs(sim_metric_name(r->metric), out);
    if (sim_metric_scope(r->metric) == 'T' && r->arg >= SIM_MSG_GROUP) {
        const char *g = sim_msg_group_name(r->arg - SIM_MSG_GROUP);
        fprintf(out, ".%s", g ? g : "?");
        return;
    }
    switch (sim_metric_scope(r->metric)) {
    case 'T':
        if (r->arg)
            fprintf(out, " %s", raft_msg_type_name(r->arg));
        break;
    case 'V':
        if (r->metric == SIM_M_COVERAGE)
            fprintf(out, " %s", sim_coverage_name(r->arg));
        else
            fprintf(out, " %s", r->arg ? sim_violation_name(r->arg) : "any");
        break;
    case 'N': {
        static const char *sels[] = { "", "on all", "on any", "on sum", "on leader" };
        assert(r->sel <= SIM_SEL_LEADER);
        fputc(' ', out);
        if (r->sel == SIM_SEL_NODE)
            scn_write_ep(out, cfg, r->node);
        else
            fputs(sels[r->sel], out);
        if (r->among == SIM_AMONG_CONNECTED) {
            fputs(" among connected", out);
        } else if (r->among == SIM_AMONG_SET) {
            const char *sep = " among ";
            for (raft_id id = 1; id <= 64; id++)
                if (r->among_nodes >> (id - 1) & 1) {
                    fputs(sep, out);
                    scn_write_ep(out, cfg, id);
                    sep = ",";
                }
            for (uint32_t k = 0; k < SIM_MAX_NAMES; k++)
                if (r->among_names >> k & 1) {
                    fprintf(out, "%s%s", sep, cfg->names[k]);
                    sep = ",";
                }
        }
        break;
    }
    default:
        break;
    }
}

/* `[K * ]METRIC[ / D]` or a number alone. */
static void write_term(FILE *out, const sim_config *cfg, const sim_metric_ref *r,
                       const expect_term *t)
{
    if (t->number || t->has_mul)
        fprintf(out, t->number ? "%" PRId64 : "%" PRId64 " * ", t->mul);
    if (t->number)
        return;
    scn_write_metric_ref(out, cfg, r);
    if (t->div == EXPECT_DIV_NUMBER)
        fprintf(out, " / %" PRId64, t->div_value);
    else if (t->div == EXPECT_DIV_METRIC) {
        fputs(" / ", out);
        scn_write_metric_ref(out, cfg, &t->div_ref);
    }
}

static void write_side(FILE *out, const sim_config *cfg, const sim_metric_ref *first,
                       const expect_term *terms, const expect_terms *more)
{
    write_term(out, cfg, first, &terms[0]);
    for (uint32_t k = 0; k < more->n; k++) {
        fputs(more->sign[k] > 0 ? " + " : " - ", out);
        write_term(out, cfg, &more->ref[k], &terms[k + 1]);
    }
}

static bool is_time_metric(enum sim_metric m)
{
    return m == SIM_M_UNAVAILABLE || (m >= SIM_M_LATENCY_P50 && m <= SIM_M_LATENCY_MAX) ||
           m == SIM_M_HEARD_LEADER;
}

static void write_when(FILE *out, const expectation *e)
{
    switch (e->when) {
    case EXPECT_AT_END: break;
    case EXPECT_AT:
        fputs(" at ", out);
        scn_write_duration(out, e->t1_ns);
        break;
    case EXPECT_BETWEEN:
        fputs(" between ", out);
        scn_write_duration(out, e->t1_ns);
        fputc(' ', out);
        scn_write_duration(out, e->t2_ns);
        break;
    case EXPECT_WITHIN:
        fputs(" within ", out);
        scn_write_duration(out, e->t2_ns);
        fputs(" after ", out);
        scn_write_duration(out, e->t1_ns);
        break;
    case EXPECT_FROM_FIRST:
        fputs(" from first", out);
        if (e->t1_ns) {
            fputs(" after ", out);
            scn_write_duration(out, e->t1_ns);
        }
        fputs(" until ", out);
        scn_write_duration(out, e->t2_ns);
        break;
    }
}

void scn_write_expectation(FILE *out, const sim_config *cfg, const expectation *e)
{
    static const char *ops[] = { "<", "<=", "==", "!=", ">=", ">" };
    if (e->kind == EXPECT_VIOLATION) {
        fprintf(out, "expect violation %s\n",
                e->violation == SIM_V_NONE ? "any" : sim_violation_name(e->violation));
        return;
    }
    assert(e->op <= EXPECT_GT);
    fputs(e->always ? "expect always " : "expect ", out);
    write_side(out, cfg, &e->lhs, e->lhs_term, &e->lhs_more);
    fprintf(out, " %s ", ops[e->op]);
    if (e->rhs_is_metric)
        write_side(out, cfg, &e->rhs, e->rhs_term, &e->rhs_more);
    else if (is_time_metric(e->lhs.metric) && e->value > 0)
        scn_write_duration(out, (uint64_t)e->value);
    else
        fprintf(out, "%" PRId64, e->value);
    write_when(out, e);
    fputc('\n', out);
}
