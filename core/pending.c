/* pending.c — the client writes in a leader's uncommitted log (pending.h). */
#include "pending.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "logbuf.h"

enum { PENDING_FIRST_CAP = 64 };

void pending_init(pending_writes *p)
{
    memset(p, 0, sizeof *p);
}

void pending_free(pending_writes *p)
{
    free(p->slots);
    memset(p, 0, sizeof *p);
}

void pending_reset(pending_writes *p, uint64_t term)
{
    if (p->n)
        memset(p->slots, 0, p->cap * sizeof *p->slots);
    p->n = 0;
    p->term = term;
}

static size_t home(const pending_writes *p, uint64_t client_id)
{
    assert(p->cap && (p->cap & (p->cap - 1)) == 0);
    return (size_t)hash_mix64(client_id) & (p->cap - 1);
}

/* The slot holding client_id, or the empty slot where it would go. */
static pending_slot *probe(const pending_writes *p, uint64_t client_id)
{
    for (size_t i = home(p, client_id), k = 0; k < p->cap; i = (i + 1) & (p->cap - 1), k++) {
        pending_slot *s = &p->slots[i];
        if (s->client_id == client_id || s->client_id == 0)
            return s;
    }
    assert(!"a pending table is never full: it grows at half load");
    return NULL;
}

/* Rebuild into `cap` slots, keeping only entries above `applied`. */
static int rehash(pending_writes *p, size_t cap, uint64_t applied)
{
    pending_slot *fresh = calloc(cap, sizeof *fresh);
    if (!fresh)
        return RAFT_ENOMEM;
    pending_writes next = { .slots = fresh, .cap = cap, .n = 0, .term = p->term };
    for (size_t i = 0; i < p->cap; i++) {
        const pending_slot *s = &p->slots[i];
        if (s->client_id == 0 || s->index <= applied)
            continue;
        *probe(&next, s->client_id) = *s;
        next.n++;
    }
    free(p->slots);
    *p = next;
    return RAFT_OK;
}

/* Room for one more client at most half load: drop what is applied first,
 * then grow (up to PENDING_MAX_CLIENTS). */
static int make_room(pending_writes *p, uint64_t applied)
{
    if (p->cap && (p->n + 1) * 2 <= p->cap)
        return RAFT_OK;
    if (p->cap) {
        int rc = rehash(p, p->cap, applied);
        if (rc != RAFT_OK || (p->n + 1) * 2 <= p->cap)
            return rc;
    }
    size_t cap = p->cap ? p->cap * 2 : PENDING_FIRST_CAP;
    if (cap / 2 > PENDING_MAX_CLIENTS)
        return RAFT_ENOMEM; /* the bound: the host appends without deduplicating */
    return rehash(p, cap, applied);
}

int pending_note(pending_writes *p, uint64_t client_id, uint64_t seq, uint64_t index,
                 uint64_t applied)
{
    assert(index > applied);
    if (client_id == 0) /* not a session: nothing to deduplicate */
        return RAFT_OK;
    if (p->cap) {
        pending_slot *s = probe(p, client_id);
        if (s->client_id == client_id) {
            if (seq >= s->seq) { /* keep the newest seq for this client */
                s->seq = seq;
                s->index = index;
            }
            return RAFT_OK;
        }
    }
    int rc = make_room(p, applied);
    if (rc != RAFT_OK)
        return rc;
    pending_slot *s = probe(p, client_id);
    assert(s->client_id == 0);
    *s = (pending_slot){ .client_id = client_id, .seq = seq, .index = index };
    p->n++;
    return RAFT_OK;
}

int pending_note_cmd(pending_writes *p, const raft_entry *e, uint64_t index, uint64_t applied)
{
    logbuf_record rec;
    if (e->type != RAFT_ENTRY_DATA || !logbuf_cmd_decode(e->data, e->len, &rec))
        return RAFT_OK;
    return pending_note(p, rec.client_id, rec.client_seq, index, applied);
}

uint64_t pending_find(const pending_writes *p, uint64_t client_id, uint64_t seq,
                      uint64_t applied)
{
    if (!p->cap || client_id == 0)
        return 0;
    const pending_slot *s = probe(p, client_id);
    return s->client_id == client_id && s->seq == seq && s->index > applied ? s->index : 0;
}
