/* net_class.c — network faults restricted to a class of messages (`drop 5%
 * replies`, `delay append 20ms`, `reorder 10% vote.replies delay 200ms..2s`):
 * the table the network keeps and the decision for one message. The
 * semantics and the draws are documented in net.h. */
#include <assert.h>
#include <string.h>

#include "dist.h"
#include "net.h"

static void types_changed(net *nw)
{
    nw->fault_types = 0;
    for (uint32_t i = 0; i < nw->n_faults; i++)
        if (nw->faults[i].ppm)
            nw->fault_types |= nw->fault_mask[i];
}

void net_set_msg_fault(net *nw, const sim_msg_fault *f)
{
    uint32_t i = 0;
    while (i < nw->n_faults && !(nw->faults[i].kind == f->kind && nw->faults[i].group == f->group))
        i++;
    assert(i < SIM_MAX_MSG_FAULTS && "the scenario language bounds the (kind, class) pairs");
    if (i == nw->n_faults)
        nw->n_faults++;
    nw->faults[i] = *f;
    nw->fault_mask[i] = sim_msg_group_types(f->group);
    types_changed(nw);
}

void net_reset_msg_faults(net *nw, const sim_msg_fault *f, uint32_t n)
{
    assert(n <= SIM_MAX_MSG_FAULTS);
    nw->n_faults = 0;
    for (uint32_t i = 0; i < n; i++)
        net_set_msg_fault(nw, &f[i]);
    types_changed(nw);
}

void net_class_faults(net *nw, const net_link_state *l, uint8_t type, net_class_fx *fx)
{
    memset(fx, 0, sizeof *fx);
    for (uint32_t i = 0; i < nw->n_faults; i++) {
        const sim_msg_fault *f = &nw->faults[i];
        if (!f->ppm || !((nw->fault_mask[i] >> type) & 1))
            continue;
        uint64_t u = rng_next(&nw->fr);
        /* the probability scaled to 2^20, as the link's (exact to 1e-6) */
        uint32_t threshold = (uint32_t)((((uint64_t)f->ppm << 20) + 500000) / 1000000);
        if ((u & 0xfffff) >= threshold)
            continue;
        switch ((enum sim_msg_fault_kind)f->kind) {
        case SIM_MF_DROP: fx->drop = true; return; /* nothing more to decide */
        case SIM_MF_DUP:
            if (!fx->dup)
                fx->dup_latency_ns = dist_sample(&l->latency, &nw->fr);
            fx->dup = true;
            break;
        case SIM_MF_REORDER:
            fx->reorder = true;
            fx->reorder_ns += dist_sample(&f->delay, &nw->fr);
            break;
        case SIM_MF_DELAY: fx->delay_ns += dist_sample(&f->delay, &nw->fr); break;
        }
    }
}
