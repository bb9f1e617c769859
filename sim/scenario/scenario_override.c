/* scenario_override.c — `--set key=value`: any top-level setting, parsed by
 * the same handler as the scenario line "key value" (commas separate
 * several words: --set election-timeout=100ms,200ms). Changing `nodes`
 * renumbers client endpoints, and fails if an action or expectation names a
 * node that no longer exists. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

/* Renumbering for a new node count: clients move, nodes stay; a node above
 * the new count cannot be renumbered. With dry set, only check. */
typedef struct remap {
    uint32_t old_n, new_n;
    bool dry;
} remap;

static bool remap_ep(const remap *m, sim_ep *ep)
{
    if (*ep == 0)
        return true;
    if (*ep > m->old_n) { /* a client */
        if (!m->dry)
            *ep = *ep - m->old_n + m->new_n;
        return true;
    }
    return *ep <= m->new_n;
}

static bool remap_set(const remap *m, sim_epset *g)
{
    sim_epset out = { { 0, 0 } };
    for (sim_ep ep = 1; ep <= SIM_MAX_ENDPOINTS; ep++) {
        if (!(g->bits[(ep - 1) / 64] >> ((ep - 1) % 64) & 1))
            continue;
        sim_ep e = ep;
        remap wet = { m->old_n, m->new_n, false };
        if (!remap_ep(&wet, &e) || e > SIM_MAX_ENDPOINTS)
            return false;
        out.bits[(e - 1) / 64] |= UINT64_C(1) << ((e - 1) % 64);
    }
    if (!m->dry)
        *g = out;
    return true;
}

static bool remap_target(const remap *m, sim_target *t)
{
    return t->kind != SIM_TARGET_EP || remap_ep(m, &t->ep);
}

static bool remap_ref(const remap *m, sim_metric_ref *r)
{
    return r->sel != SIM_SEL_NODE || sim_metric_scope(r->metric) != 'N' || remap_ep(m, &r->node);
}

static bool remap_nodes(scenario *sc, const remap *m)
{
    for (size_t i = 0; i < sc->n_actions; i++) {
        sim_action *a = &sc->actions[i];
        if (!remap_target(m, &a->target) || !remap_target(m, &a->target2) ||
            (a->guarded && !remap_ref(m, &a->guard)) ||
            (a->guarded && a->guard_rhs_metric && !remap_ref(m, &a->guard_rhs)))
            return false;
        for (int g = 0; g < a->n_groups; g++)
            if (!remap_set(m, &a->groups[g]))
                return false;
    }
    for (size_t i = 0; i < sc->n_expects; i++) {
        sim_metric_ref *refs[EXPECT_MAX_REFS];
        size_t n = expect_refs(&sc->expects[i], refs);
        for (size_t k = 0; k < n; k++)
            if (!remap_ref(m, refs[k]))
                return false;
    }
    return true;
}

static int apply_line(scenario *sc, const char *line, char *err, size_t err_cap)
{
    scn_line *ln = malloc(sizeof *ln);
    if (!ln) {
        snprintf(err, err_cap, "--set:1:1: error: out of memory");
        return 2;
    }
    scn_parser p = { .sc = sc, .path = "--set", .err = err, .err_cap = err_cap, .pass = 2,
                     .n_clients_declared = sc->cfg.n_clients };
    int rc = scn_tokenize(&p, line, strlen(line), 1, ln);
    size_t n;
    const scn_command *cmds = scn_top_commands(&n), *c = NULL;
    for (size_t i = 0; rc == 0 && ln->n > 0 && i < n && !c; i++)
        if (cmds[i].setting && scn_tok_is(&ln->tok[0], cmds[i].name))
            c = &cmds[i];
    if (rc == 0 && !c)
        rc = scn_error(&p, 1, "expected key=value with a setting as the key (nodes, drop, "
                       "prevote, duration, ...)");
    if (rc == 0) {
        p.pos = 1;
        rc = c->fn(&p);
    }
    if (rc == 0)
        rc = scn_check_timing(&p);
    free(ln);
    return rc;
}

int scenario_set(scenario *sc, const char *key_value, char *err, size_t err_cap)
{
    char line[SCN_MAX_LINE + 1];
    size_t len = strlen(key_value);
    if (len > SCN_MAX_LINE || !strchr(key_value, '=')) {
        snprintf(err, err_cap, "--set:1:1: error: expected key=value (e.g. drop=1%%)");
        return 2;
    }
    memcpy(line, key_value, len + 1);
    *strchr(line, '=') = ' ';
    for (char *c = line; *c; c++)
        if (*c == ',')
            *c = ' ';
    scenario tmp = *sc; /* apply to a copy of the settings: all or nothing */
    int rc = apply_line(&tmp, line, err, err_cap);
    if (rc)
        return rc;
    remap m = { sc->cfg.n_nodes, tmp.cfg.n_nodes, true };
    if (m.old_n != m.new_n) {
        if (!remap_nodes(&tmp, &m) || m.new_n + tmp.cfg.n_clients > SIM_MAX_ENDPOINTS) {
            snprintf(err, err_cap, "--set:1:7: error: expected at least as many nodes as the "
                     "scenario's actions and expectations name");
            return 2;
        }
        m.dry = false;
        bool ok = remap_nodes(&tmp, &m);
        assert(ok);
        (void)ok;
    }
    *sc = tmp;
    return 0;
}
