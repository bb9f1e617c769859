/* histcheck.c — raftd_histcheck: check a real cluster's client history with
 * the simulator's history checker (sim/world/history.h).
 *
 *   raftd_histcheck QUERY_LONG HISTORY...
 *
 * HISTORY files are written by `raftctl --history` (several raftctl runs may
 * share one, or each have its own; times are CLOCK_MONOTONIC on one machine):
 *   A CLIENT SEQ INVOKE_NS COMPLETE_NS INDEX   an acknowledged append
 *   P CLIENT SEQ INVOKE_NS                     an append never acknowledged
 *   R CLIENT INVOKE_NS COMPLETE_NS READ_INDEX RECORDS_TOTAL   a query
 * QUERY_LONG is `raftctl query --long` after the run: every stored record as
 * INDEX, CLIENT, SEQ, TIMESTAMP, TEXT (tab-separated).
 *
 * The events are replayed into a `history` in time order, the stored records
 * are noted, and hist_check verifies: every acknowledged append is stored
 * exactly once, at the index it was acknowledged with; appends respect real
 * time; a query sees every append acknowledged before it began.
 * Exit 0 if the history is fine, 1 if not (with the violation), 2 on bad input.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/world/history.h"

enum { MAX_CLIENTS = 4096 };

typedef struct event {
    uint64_t t;
    int complete; /* invokes sort before completes at the same time */
    size_t op;    /* index into ops */
} event;

typedef struct op {
    char kind;
    uint32_t session;
    uint64_t seq, invoke, complete, index, total;
    size_t id; /* from hist_invoke */
} op;

static uint64_t clients[MAX_CLIENTS];
static uint32_t n_clients;

static uint32_t session_of(uint64_t client, int add)
{
    for (uint32_t i = 0; i < n_clients; i++)
        if (clients[i] == client)
            return i + 1;
    if (!add || n_clients == MAX_CLIENTS)
        return 0;
    clients[n_clients++] = client;
    return n_clients;
}

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->complete != y->complete)
        return x->complete - y->complete;
    return x->op < y->op ? -1 : x->op > y->op;
}

static int load_history(const char *path, op **ops, size_t *n, size_t *cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[512];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            op *q = realloc(*ops, *cap * sizeof *q);
            if (!q)
                return -1;
            *ops = q;
        }
        op o = {.kind = line[0]};
        uint64_t client = 0;
        int got = 0;
        if (o.kind == 'A')
            got = sscanf(line + 1, "%" SCNx64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
                         &client, &o.seq, &o.invoke, &o.complete, &o.index) == 5;
        else if (o.kind == 'P')
            got = sscanf(line + 1, "%" SCNx64 " %" SCNu64 " %" SCNu64, &client, &o.seq,
                         &o.invoke) == 3;
        else if (o.kind == 'R')
            got = sscanf(line + 1, "%" SCNx64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
                         &client, &o.invoke, &o.complete, &o.index, &o.total) == 5;
        o.session = session_of(client, 1);
        if (!got || !o.session) {
            fprintf(stderr, "%s:%d:1: error: not a history line\n", path, lineno);
            rc = -1;
            break;
        }
        (*ops)[(*n)++] = o;
    }
    fclose(f);
    return rc;
}

static int load_stored(const char *path, history *h)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[1 << 17];
    int rc = 0;
    uint64_t n = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        uint64_t index, client, seq;
        if (sscanf(line, "%" SCNu64 "\t%" SCNx64 "\t%" SCNu64, &index, &client, &seq) != 3) {
            fprintf(stderr, "%s: error: not a `query --long` line: %s", path, line);
            rc = -1;
            break;
        }
        uint32_t s = session_of(client, 0);
        uint64_t prev;
        if (s && hist_note_stored(h, s, seq, index, &prev) == -1) {
            printf("history: FAIL: client %016" PRIx64 " seq %" PRIu64 " stored at %" PRIu64
                   " and at %" PRIu64 "\n", client, seq, prev, index);
            rc = 1;
        }
        n++;
    }
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: raftd_histcheck QUERY_LONG HISTORY...\n");
        return 2;
    }
    op *ops = NULL;
    size_t n = 0, cap = 0;
    for (int i = 2; i < argc; i++)
        if (load_history(argv[i], &ops, &n, &cap) != 0)
            return 2;
    event *ev = malloc((2 * n + 1) * sizeof *ev);
    if (!ev)
        return 2;
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        ev[ne++] = (event){.t = ops[i].invoke, .complete = 0, .op = i};
        if (ops[i].kind != 'P')
            ev[ne++] = (event){.t = ops[i].complete, .complete = 1, .op = i};
    }
    qsort(ev, ne, sizeof *ev, cmp_event);
    history h;
    hist_init(&h);
    for (size_t k = 0; k < ne; k++) {
        op *o = &ops[ev[k].op];
        if (!ev[k].complete) {
            o->id = hist_invoke(&h, o->kind == 'R' ? HIST_READ : HIST_APPEND, o->session,
                                o->session, o->seq, o->invoke);
            if (o->id == SIZE_MAX)
                return 2;
        } else {
            hist_complete(&h, o->id, o->complete, o->index, o->total);
        }
    }
    int rc = load_stored(argv[1], &h);
    if (rc < 0)
        return 2;
    sim_violation v;
    if (rc == 0 && !hist_check(&h, &v)) {
        printf("history: FAIL: %s\n", v.detail);
        rc = 1;
    }
    if (rc == 0)
        printf("history: ok: %zu operations of %u sessions (%" PRIu64 " acknowledged appends, "
               "%" PRIu64 " reads)\n", n, n_clients, h.acked, h.reads);
    hist_free(&h);
    free(ev);
    free(ops);
    return rc;
}
