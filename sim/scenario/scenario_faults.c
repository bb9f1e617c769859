/* scenario_faults.c — the network faults a lab tester uses, beyond one
 * probability for every message: faults restricted to a message class and
 * reordering outside the links' FIFO order (semantics: net.h).
 *
 *   drop 5% replies                      at 3s set drop 5% replies
 *   duplicate 1% append                  at 3s set duplicate 0% append
 *   reorder 10% replies 5ms              at 3s set reorder 10% vote delay 200ms..2200ms
 *   reorder 10% delay 200ms..2200ms      at 3s set reorder n1 -> n2 10% delay pareto 200ms 600ms
 *   delay append 20ms                    at 3s set delay 50% replies uniform 10ms 30ms
 *
 * A class is a message group of the metrics (`replies`, `requests`,
 * `append`, `append.replies`, `vote.requests`, `snapshot`, `client`, ...).
 * A DELAY is `D` (constant), `MIN..MAX` (uniform) or a distribution
 * (`uniform A B`, `normal M SD`, `pareto MIN MEAN` for a skewed one). */
#include <string.h>

#include "scenario_int.h"

/* A DELAY; *plain tells a bare `D` (which the FIFO-keeping `reorder P D`
 * reads as 0..D) from the other forms. */
static int delay_value(scn_parser *p, const char *what, sim_dist *out, bool *plain)
{
    const scn_tok *t = scn_peek(p);
    *plain = false;
    static const char *const forms[] = { "const", "uniform", "normal", "pareto" };
    for (size_t i = 0; t && i < sizeof forms / sizeof *forms; i++)
        if (scn_tok_is(t, forms[i]))
            return scn_dist(p, out);
    bool range = false;
    for (uint32_t i = 0; t && i + 1 < t->len; i++)
        range = range || (t->s[i] == '.' && t->s[i + 1] == '.');
    if (range) {
        *out = (sim_dist){ .kind = SIM_DIST_UNIFORM };
        return scn_duration_range(p, what, &out->a_ns, &out->b_ns);
    }
    *out = (sim_dist){ .kind = SIM_DIST_CONST };
    *plain = true;
    return scn_duration(p, what, &out->a_ns);
}

/* The message class at the next word, if there is one (else *group = -1). */
static void msg_class(scn_parser *p, int *group, uint32_t *col)
{
    const scn_tok *t = scn_peek(p);
    *group = -1;
    *col = scn_here(p);
    if (!t || t->len >= 32)
        return;
    char word[32];
    memcpy(word, t->s, t->len);
    word[t->len] = 0;
    *group = sim_msg_group_from_name(word);
    if (*group >= 0)
        p->pos++;
}

static bool looks_like_percent(const scn_tok *t)
{
    return t && t->len >= 2 &&
           (t->s[t->len - 1] == '%' || (t->len > 3 && memcmp(t->s + t->len - 3, "ppm", 3) == 0));
}

int scn_fault_spec(scn_parser *p, enum sim_param param, scn_fault *f)
{
    memset(f, 0, sizeof *f);
    f->group = -1;
    int rc = 0;
    static const char *delay_what = "an extra delay (e.g. 20ms, 200ms..2s, pareto 200ms 600ms)";
    if (param == SIM_PARAM_DELAY) {
        f->ppm = 1000000;
        if (looks_like_percent(scn_peek(p)) &&
            (rc = scn_percent(p, "a percentage (e.g. 50%)", &f->ppm)))
            return rc;
        msg_class(p, &f->group, &f->class_col);
        if (f->group < 0)
            return scn_error(p, f->class_col, "expected a message class (e.g. replies, append, "
                                              "vote.requests)");
        f->has_delay = true;
        return delay_value(p, delay_what, &f->delay, &f->plain);
    }
    if ((rc = scn_percent(p, "a percentage (e.g. 5%)", &f->ppm)))
        return rc;
    msg_class(p, &f->group, &f->class_col);
    const scn_tok *t = scn_peek(p);
    if (param != SIM_PARAM_REORDER && f->group < 0 && t)
        return scn_error(p, t->col, "expected a message class (e.g. replies, append, "
                                    "vote.requests) or the end of the line, got '%.*s'",
                         (int)t->len, t->s);
    if (param != SIM_PARAM_REORDER || (f->group < 0 && !t))
        return 0; /* `set reorder P` may leave the delay as it is */
    f->has_delay = true;
    if (scn_peek_is(p, "delay")) { /* outside the links' FIFO order */
        p->pos++;
        rc = delay_value(p, delay_what, &f->delay, &f->plain);
        f->plain = false; /* a bare D after `delay` is a constant */
        return rc;
    }
    /* `reorder P [CLASS] D`: up to D extra */
    uint64_t d;
    if ((rc = scn_duration(p, "an extra delay (e.g. 5ms, or delay 200ms..2s)", &d)))
        return rc;
    f->plain = true;
    f->delay = (sim_dist){ .kind = SIM_DIST_UNIFORM, .a_ns = 0, .b_ns = d };
    return 0;
}

/* At most SIM_MAX_MSG_FAULTS (kind, class) pairs in a file: the pairs seen
 * are counted from the configuration and the actions on first use, then as
 * they come. */
int scn_note_msg_fault(scn_parser *p, uint8_t kind, int group, uint32_t col)
{
    uint16_t key = (uint16_t)(kind << 8 | (unsigned)group);
    if (!p->mf_seeded) {
        p->mf_seeded = true;
        const sim_config *c = &p->sc->cfg;
        for (uint32_t i = 0; i < c->n_msg_faults; i++)
            p->mf_keys[p->n_mf_keys++] =
                (uint16_t)(c->msg_faults[i].kind << 8 | c->msg_faults[i].group);
        for (size_t i = 0; i < p->sc->n_actions; i++) {
            const sim_action *a = &p->sc->actions[i];
            if (a->kind != SIM_ACT_SET || !a->msg_class)
                continue;
            uint16_t k = (uint16_t)(scn_fault_kind(a->param) << 8 | (a->msg_class - 1));
            uint32_t j = 0;
            while (j < p->n_mf_keys && p->mf_keys[j] != k)
                j++;
            if (j == p->n_mf_keys && p->n_mf_keys < SIM_MAX_MSG_FAULTS)
                p->mf_keys[p->n_mf_keys++] = k;
        }
    }
    for (uint32_t j = 0; j < p->n_mf_keys; j++)
        if (p->mf_keys[j] == key)
            return 0;
    if (p->n_mf_keys == SIM_MAX_MSG_FAULTS)
        return scn_error(p, col, "expected at most %d faults restricted to a message class "
                                 "(distinct kind and class) in a file", SIM_MAX_MSG_FAULTS);
    p->mf_keys[p->n_mf_keys++] = key;
    return 0;
}

uint8_t scn_fault_kind(enum sim_param param)
{
    switch (param) {
    case SIM_PARAM_DROP: return SIM_MF_DROP;
    case SIM_PARAM_DUP: return SIM_MF_DUP;
    case SIM_PARAM_REORDER: return SIM_MF_REORDER;
    default: return SIM_MF_DELAY;
    }
}

/* The top-level commands: `drop`, `duplicate`, `reorder`, `delay`. */
int scn_cmd_net_fault(scn_parser *p, enum sim_param param)
{
    scn_fault f;
    int rc = scn_fault_spec(p, param, &f);
    if (rc)
        return rc;
    if (param == SIM_PARAM_REORDER && !f.has_delay)
        return scn_error(p, scn_here(p), "expected an extra delay (e.g. 5ms, or delay 200ms..2s)");
    if ((rc = scn_end(p)))
        return rc;
    sim_config *c = &p->sc->cfg;
    if (f.group < 0) {
        switch (param) {
        case SIM_PARAM_DROP: c->net.drop_ppm = f.ppm; break;
        case SIM_PARAM_DUP: c->net.dup_ppm = f.ppm; break;
        case SIM_PARAM_REORDER:
            c->net.reorder_ppm = f.ppm;
            c->net.reorder_free = !f.plain;
            if (f.plain)
                c->net.reorder_ns = f.delay.b_ns;
            else
                c->net.reorder_delay = f.delay;
            break;
        default: return scn_error(p, f.class_col, "expected a message class");
        }
        return 0;
    }
    uint8_t kind = scn_fault_kind(param);
    if ((rc = scn_note_msg_fault(p, kind, f.group, f.class_col)))
        return rc;
    uint32_t i = 0;
    while (i < c->n_msg_faults && !(c->msg_faults[i].kind == kind && c->msg_faults[i].group == f.group))
        i++;
    if (i == c->n_msg_faults)
        c->n_msg_faults++; /* within the bound scn_note_msg_fault checked */
    c->msg_faults[i] = (sim_msg_fault){ .kind = kind, .group = (uint8_t)f.group, .ppm = f.ppm,
                                        .delay = f.has_delay ? f.delay : (sim_dist){ 0 } };
    return 0;
}

/* `client-links reliable | like-peers` */
int scn_cmd_client_links(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    if (t && (scn_tok_is(t, "reliable") || scn_tok_is(t, "like-peers"))) {
        p->sc->cfg.client_links_reliable = scn_tok_is(t, "reliable");
        return scn_end(p);
    }
    return scn_error(p, t ? t->col : scn_here(p), "expected reliable or like-peers");
}

/* ---- writing ---- */

void scn_write_delay(FILE *out, const sim_dist *d)
{
    if (d->kind == SIM_DIST_CONST) {
        scn_write_duration(out, d->a_ns);
    } else if (d->kind == SIM_DIST_UNIFORM) {
        scn_write_duration(out, d->a_ns);
        fputs("..", out);
        scn_write_duration(out, d->b_ns);
    } else {
        scn_write_dist(out, d);
    }
}

void scn_write_msg_fault(FILE *out, const sim_msg_fault *f, bool named)
{
    static const char *const names[] = { [SIM_MF_DROP] = "drop", [SIM_MF_DUP] = "duplicate",
                                         [SIM_MF_REORDER] = "reorder", [SIM_MF_DELAY] = "delay" };
    if (named)
        fprintf(out, "%s ", names[f->kind]);
    scn_write_percent(out, f->ppm);
    fprintf(out, " %s", sim_msg_group_name(f->group));
    if (f->kind == SIM_MF_REORDER)
        fputs(" delay", out);
    if (f->kind == SIM_MF_REORDER || f->kind == SIM_MF_DELAY) {
        fputc(' ', out);
        scn_write_delay(out, &f->delay);
    }
}
