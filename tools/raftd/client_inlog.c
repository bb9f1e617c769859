/* client_inlog.c — a leader's unapplied copies of client records (client_inlog.h). */
#include "client_inlog.h"

#include "../../core/logbuf.h"

void inlog_sync(pending_writes *p, uint64_t term, uint64_t applied, uint64_t last,
                inlog_entry_fn at, void *ctx)
{
    if (p->term == term)
        return;
    pending_reset(p, term);
    if (term == 0)
        return;
    raft_entry e;
    for (uint64_t i = applied + 1; i <= last; i++)
        if (at(ctx, i, &e) && pending_note_cmd(p, &e, i, applied) != RAFT_OK)
            break; /* the table's bound: later ones are simply not deduplicated */
}

inlog_anchor inlog_anchor_find(const pending_writes *p, uint64_t client, uint64_t first_seq,
                               uint32_t count, uint64_t applied)
{
    for (uint32_t k = count; k > 0; k--) {
        uint64_t seq = first_seq + k - 1;
        uint64_t index = pending_find(p, client, seq, applied);
        if (index)
            return (inlog_anchor){.seq = seq, .index = index};
    }
    return (inlog_anchor){0};
}

uint64_t inlog_copy(const inlog_anchor *a, inlog_entry_fn at, void *ctx, uint64_t client,
                    uint64_t seq, uint64_t applied, uint64_t *term)
{
    if (a->index == 0 || seq > a->seq || a->seq - seq >= a->index - applied)
        return 0; /* after the anchor, or its guess would be applied already */
    uint64_t index = a->index - (a->seq - seq);
    raft_entry e;
    logbuf_record rec;
    if (!at(ctx, index, &e) || e.type != RAFT_ENTRY_DATA ||
        !logbuf_cmd_decode(e.data, e.len, &rec) || rec.client_id != client ||
        rec.client_seq != seq)
        return 0; /* not proposed in one go with the anchor: propose it again */
    *term = e.term;
    return index;
}
