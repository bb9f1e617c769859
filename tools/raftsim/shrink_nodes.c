/* shrink_nodes.c — drop the highest-numbered node while nothing in the
 * schedule or the expectations names it directly. Client endpoints follow
 * the nodes (c1 = n_nodes + 1), so they are renumbered; a partition group
 * simply loses the dropped node. */
#include <string.h>

#include "shrink.h"

static bool epset_has(const sim_epset *set, sim_ep ep)
{
    return ep >= 1 && ep <= SIM_MAX_ENDPOINTS &&
           ((set->bits[(ep - 1) / 64] >> ((ep - 1) % 64)) & 1);
}

static void epset_put(sim_epset *set, sim_ep ep)
{
    if (ep >= 1 && ep <= SIM_MAX_ENDPOINTS)
        set->bits[(ep - 1) / 64] |= UINT64_C(1) << ((ep - 1) % 64);
}

static bool action_targets(const sim_action *a, sim_ep ep)
{
    return (a->target.kind == SIM_TARGET_EP && a->target.ep == ep) ||
           (a->target2.kind == SIM_TARGET_EP && a->target2.ep == ep);
}

static bool ref_names(const sim_metric_ref *ref, sim_ep node)
{
    return sim_metric_scope(ref->metric) == 'N' && ref->sel == SIM_SEL_NODE && ref->node == node;
}

static bool node_is_named(const shrinker *s, sim_ep node)
{
    for (size_t i = 0; i < s->sc->n_expects; i++) {
        sim_metric_ref *refs[EXPECT_MAX_REFS];
        size_t n = expect_refs(&s->sc->expects[i], refs);
        for (size_t k = 0; k < n; k++)
            if (ref_names(refs[k], node))
                return true;
    }
    for (size_t i = 0; i < s->n_best; i++)
        if (action_targets(&s->best[i], node))
            return true;
    return false;
}

static sim_ep renumber(sim_ep ep, sim_ep removed)
{
    return ep > removed ? ep - 1 : ep;
}

static void renumber_action(sim_action *a, sim_ep removed)
{
    if (a->target.kind == SIM_TARGET_EP)
        a->target.ep = renumber(a->target.ep, removed);
    if (a->target2.kind == SIM_TARGET_EP)
        a->target2.ep = renumber(a->target2.ep, removed);
    for (unsigned g = 0; g < a->n_groups && g < SIM_MAX_GROUPS; g++) {
        sim_epset out;
        memset(&out, 0, sizeof out);
        for (sim_ep ep = 1; ep <= SIM_MAX_ENDPOINTS; ep++)
            if (ep != removed && epset_has(&a->groups[g], ep))
                epset_put(&out, renumber(ep, removed));
        a->groups[g] = out;
    }
}

/* Try the schedule without endpoint `last` (renumbering the ones after it)
 * under `cfg`, which has one node or client fewer; keep it if it still fails
 * the same way. */
static bool drop_last_endpoint(shrinker *s, sim_ep last, const sim_config *cfg)
{
    for (size_t i = 0; i < s->n_best; i++) {
        s->scratch[i] = s->best[i];
        renumber_action(&s->scratch[i], last);
    }
    if (!shrink_try(s, s->scratch, s->n_best, cfg))
        return false;
    s->cfg = *cfg;
    shrink_adopt_scratch(s, s->n_best);
    return true;
}

void shrink_nodes(shrinker *s)
{
    while (s->cfg.n_nodes > 1 && s->runs < s->max_runs) {
        sim_ep last = s->cfg.n_nodes;
        if (node_is_named(s, last))
            return;
        sim_config cfg = s->cfg;
        cfg.n_nodes--;
        if (!drop_last_endpoint(s, last, &cfg))
            return;
        if (s->verbose)
            fprintf(stderr, "shrink: %u nodes are enough (run %u)\n", s->cfg.n_nodes, s->runs);
    }
}

static bool client_is_named(const shrinker *s, sim_ep ep)
{
    for (size_t i = 0; i < s->n_best; i++)
        if (action_targets(&s->best[i], ep))
            return true;
    return false;
}

/* Drop the last client while nothing names it (its endpoint is the last
 * one, so no other endpoint is renumbered; partition groups lose it). */
void shrink_drop_clients(shrinker *s)
{
    if (s->keep_load)
        return;
    while (s->cfg.n_clients > 0 && s->runs < s->max_runs) {
        sim_ep last = s->cfg.n_nodes + s->cfg.n_clients;
        if (client_is_named(s, last))
            return;
        sim_config cfg = s->cfg;
        cfg.n_clients--;
        if (!drop_last_endpoint(s, last, &cfg))
            return;
        if (s->verbose)
            fprintf(stderr, "shrink: %u clients are enough (run %u)\n", s->cfg.n_clients,
                    s->runs);
    }
}
