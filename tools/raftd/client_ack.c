/* client_ack.c — which index an APPEND acknowledges (client_ack.h). */
#include "client_ack.h"

uint64_t ack_index(const logbuf *lb, uint64_t client, uint64_t seq, uint64_t index,
                   const logbuf_result *res)
{
    if (!res->duplicate)
        return index;
    uint64_t last_seq, last_index;
    if (logbuf_session(lb, client, &last_seq, &last_index) && last_seq == seq)
        return res->index; /* the session's newest: its index is this record's */
    return 0;              /* an older seq: res->index is the newest's, not ours */
}

typedef struct stored_scan {
    uint64_t client, first_seq;
    uint32_t count;
    uint64_t *index;
} stored_scan;

static void stored_visit(void *arg, const logbuf_record *r)
{
    stored_scan *sc = arg;
    if (r->client_id == sc->client && r->client_seq >= sc->first_seq &&
        r->client_seq - sc->first_seq < sc->count && sc->index[r->client_seq - sc->first_seq] == 0)
        sc->index[r->client_seq - sc->first_seq] = r->index;
}

void ack_lookup_stored(const logbuf *lb, uint64_t client, uint64_t first_seq, uint32_t count,
                       uint64_t *index)
{
    uint64_t last_seq, last_index;
    if (!logbuf_session(lb, client, &last_seq, &last_index))
        return;
    bool missing = false;
    for (uint32_t k = 0; k < count && !missing; k++)
        missing = index[k] == 0 && first_seq + k <= last_seq;
    if (!missing)
        return;
    stored_scan sc = {.client = client, .first_seq = first_seq, .count = count, .index = index};
    logbuf_query_index(lb, 0, last_index, stored_visit, &sc);
}
