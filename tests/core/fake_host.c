/* fake_host.c — see fake_host.h. */
#include "fake_host.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap)                                              \
    do {                                                               \
        if ((n) == (cap)) {                                            \
            (cap) = (cap) ? (cap) * 2 : 64;                            \
            (arr) = realloc((arr), (cap) * sizeof *(arr));             \
            cr_assert_not_null((arr));                                 \
        }                                                              \
    } while (0)

static uint64_t fh_now_cb(void *ctx) { return ((fhost *)ctx)->now; }
static uint64_t fh_random_cb(void *ctx)
{
    fhost *h = ctx;
    if (!h->rand_state)
        return h->rand_value;
    h->rand_state = h->rand_state * 6364136223846793005u + 1442695040888963407u;
    return h->rand_state >> 11;
}

static void fh_send_cb(void *ctx, raft_id to, const uint8_t *buf, size_t len)
{
    fhost *h = ctx;
    GROW(h->sent, h->n_sent, h->sent_cap);
    fh_sent *s = &h->sent[h->n_sent++];
    s->to = to;
    s->buf = malloc(len);
    cr_assert_not_null(s->buf);
    memcpy(s->buf, buf, len);
    s->len = len;
}

static void disk_truncate(fhost *h, uint64_t from)
{
    /* disk[i] holds index disk_snap.index + 1 + i */
    while (h->n_disk && h->disk_snap.index + h->n_disk >= from) {
        free(h->disk[h->n_disk - 1].data);
        h->n_disk--;
    }
}

static void disk_append(fhost *h, const raft_entry *e)
{
    GROW(h->disk, h->n_disk, h->disk_cap);
    fh_disk_entry *d = &h->disk[h->n_disk++];
    d->term = e->term;
    d->type = e->type;
    d->len = e->len;
    d->data = malloc(e->len ? e->len : 1);
    cr_assert_not_null(d->data);
    if (e->len)
        memcpy(d->data, e->data, e->len);
}

static void disk_snapshot(fhost *h, const raft_write *w)
{
    uint64_t old_base = h->disk_snap.index;
    size_t drop = 0;
    if (w->keep_log && w->snap.index > old_base)
        drop = (size_t)(w->snap.index - old_base);
    if (!w->keep_log || drop > h->n_disk)
        drop = h->n_disk;
    for (size_t i = 0; i < drop; i++)
        free(h->disk[i].data);
    if (h->n_disk > drop)
        memmove(h->disk, h->disk + drop, (h->n_disk - drop) * sizeof *h->disk);
    h->n_disk -= drop;
    h->disk_snap = w->snap;
    free(h->disk_snap_data);
    h->disk_snap_data = malloc(w->snap_len ? w->snap_len : 1);
    if (w->snap_len)
        memcpy(h->disk_snap_data, w->snap_data, w->snap_len);
    h->disk_snap_len = w->snap_len;
}

/* Make one write durable on the fake disk. */
static void disk_apply(fhost *h, const raft_write *w)
{
    h->disk_hs = w->hs;
    if (w->kind == RAFT_WRITE_SNAPSHOT) {
        disk_snapshot(h, w);
        return;
    }
    if (w->first_index == 0)
        return; /* a pure hard-state write */
    disk_truncate(h, w->first_index);
    if (w->n_entries == 0)
        return; /* a pure truncation */
    cr_assert_eq(h->disk_snap.index + h->n_disk + 1, w->first_index, "write leaves no gap");
    for (size_t i = 0; i < w->n_entries; i++)
        disk_append(h, &w->entries[i]);
}

/* Writes reach the disk only when the test makes them durable; a crash loses
 * the rest. Keep a deep copy until then. */
static void pending_push(fhost *h, const raft_write *w)
{
    GROW(h->pending, h->n_pending, h->pending_cap);
    fh_pending *p = &h->pending[h->n_pending++];
    size_t bytes = w->snap_len;
    for (size_t i = 0; i < w->n_entries; i++)
        bytes += w->entries[i].len;
    p->w = *w;
    p->ents = calloc(w->n_entries + 1, sizeof *p->ents);
    p->blob = malloc(bytes + 1);
    cr_assert(p->ents && p->blob);
    uint8_t *at = p->blob;
    for (size_t i = 0; i < w->n_entries; i++) {
        p->ents[i] = w->entries[i];
        if (w->entries[i].len)
            memcpy(at, w->entries[i].data, w->entries[i].len);
        p->ents[i].data = at;
        at += w->entries[i].len;
    }
    if (w->snap_len)
        memcpy(at, w->snap_data, w->snap_len);
    p->w.snap_data = at;
    p->w.entries = p->ents;
}

static void pending_free(fh_pending *p)
{
    free(p->ents);
    free(p->blob);
}

static void fh_persist_cb(void *ctx, const raft_write *w)
{
    fhost *h = ctx;
    GROW(h->writes, h->n_writes, h->writes_cap);
    h->writes[h->n_writes++] = (fh_write){w->token, w->kind, w->hs, w->first_index,
                                          w->n_entries, w->snap, w->keep_log};
    pending_push(h, w);
}

static void fh_apply_cb(void *ctx, uint64_t index, const raft_entry *e)
{
    fhost *h = ctx;
    GROW(h->applied, h->n_applied, h->applied_cap);
    fh_applied *a = &h->applied[h->n_applied++];
    memset(a, 0, sizeof *a);
    a->index = index;
    a->term = e->term;
    a->type = e->type;
    a->len = e->len;
    if (e->len)
        memcpy(a->data, e->data, e->len < sizeof a->data - 1 ? e->len : sizeof a->data - 1);
}

static uint8_t *fh_snapshot_take_cb(void *ctx, uint64_t index, size_t *len)
{
    fhost *h = ctx;
    uint8_t *p = malloc(40);
    cr_assert_not_null(p);
    for (int i = 0; i < 40; i++)
        p[i] = (uint8_t)(index + (uint64_t)i);
    *len = 40;
    h->n_snapshots_taken++;
    return p;
}

static void fh_snapshot_restore_cb(void *ctx, const raft_snapshot_meta *meta,
                                   const uint8_t *data, size_t len)
{
    fhost *h = ctx;
    (void)data;
    h->restored = *meta;
    h->restored_len = len;
    h->n_restores++;
}

static void fh_read_ready_cb(void *ctx, uint64_t req_id, int status, uint64_t index)
{
    fhost *h = ctx;
    if (h->n_reads < sizeof h->reads / sizeof *h->reads) /* tests look at the first few */
        h->reads[h->n_reads++] = (fh_read){req_id, index, status};
}

static void fh_event_cb(void *ctx, const raft_event *ev)
{
    fhost *h = ctx;
    GROW(h->events, h->n_events, h->events_cap);
    h->events[h->n_events++] = *ev;
}

void fh_init(fhost *h, raft_id id, uint32_t n_nodes)
{
    memset(h, 0, sizeof *h);
    raft_config_default(&h->cfg, id, n_nodes);
    h->cfg.prevote = false;
    h->cfg.check_quorum = false;
    h->now = 1000 * MS;
    h->io = (raft_io){.ctx = h, .now = fh_now_cb, .random = fh_random_cb, .send = fh_send_cb,
                      .persist = fh_persist_cb, .apply = fh_apply_cb,
                      .snapshot_take = fh_snapshot_take_cb,
                      .snapshot_restore = fh_snapshot_restore_cb,
                      .read_ready = fh_read_ready_cb, .event = fh_event_cb};
}

raft_node *fh_start(fhost *h)
{
    raft_entry *ents = calloc(h->n_disk + 1, sizeof *ents);
    cr_assert_not_null(ents);
    for (size_t i = 0; i < h->n_disk; i++)
        ents[i] = (raft_entry){h->disk[i].term, h->disk[i].type, h->disk[i].len,
                               h->disk[i].data};
    raft_boot boot = {.hs = h->disk_hs, .snap = h->disk_snap, .snap_data = h->disk_snap_data,
                      .snap_len = h->disk_snap_len, .entries = ents, .n_entries = h->n_disk};
    h->node = raft_new(&h->cfg, &h->io, &boot);
    free(ents);
    cr_assert_not_null(h->node);
    return h->node;
}

void fh_crash(fhost *h)
{
    raft_free(h->node);
    h->node = NULL;
    for (size_t i = 0; i < h->n_pending; i++)
        pending_free(&h->pending[i]);
    h->n_pending = 0;
}

void fh_clear(fhost *h)
{
    for (size_t i = 0; i < h->n_sent; i++)
        free(h->sent[i].buf);
    h->n_sent = 0;
}

void fh_free(fhost *h)
{
    fh_crash(h);
    fh_clear(h);
    free(h->sent);
    free(h->writes);
    free(h->pending);
    free(h->applied);
    free(h->events);
    for (size_t i = 0; i < h->n_disk; i++)
        free(h->disk[i].data);
    free(h->disk);
    free(h->disk_snap_data);
}

int fh_deliver(fhost *h, const raft_msg *m)
{
    uint8_t *buf = malloc(raft_msg_encoded_size(m) + 1);
    cr_assert_not_null(buf);
    size_t len = raft_msg_encode(m, buf, raft_msg_encoded_size(m) + 1);
    cr_assert_gt(len, 0, "test message encodes");
    int rc = raft_receive(h->node, m->from, buf, len);
    free(buf);
    return rc;
}

uint64_t fh_last_token(const fhost *h)
{
    return h->n_writes ? h->writes[h->n_writes - 1].token : 0;
}

void fh_persist_all(fhost *h)
{
    for (size_t i = 0; i < h->n_pending; i++) {
        disk_apply(h, &h->pending[i].w);
        pending_free(&h->pending[i]);
    }
    h->n_pending = 0;
    raft_persisted(h->node, fh_last_token(h));
}

void fh_fire(fhost *h)
{
    uint64_t d = raft_next_deadline(h->node);
    if (d > h->now)
        h->now = d;
    raft_tick(h->node);
}

void fh_advance(fhost *h, uint64_t ns)
{
    uint64_t end = h->now + ns;
    for (int guard = 0; guard < 100000; guard++) {
        uint64_t d = raft_next_deadline(h->node);
        if (d > end)
            break;
        if (d > h->now)
            h->now = d;
        raft_tick(h->node);
    }
    h->now = end;
}

void fh_msg(fhost *h, size_t i, raft_msg *m)
{
    cr_assert_lt(i, h->n_sent);
    int rc = raft_msg_decode(h->sent[i].buf, h->sent[i].len, m, h->scratch, RAFT_MAX_BATCH);
    cr_assert_eq(rc, RAFT_OK, "the node sends decodable messages");
}

static uint8_t sent_type(const fhost *h, size_t i) { return h->sent[i].buf[1]; }

size_t fh_count(const fhost *h, int type) { return fh_count_to(h, type, 0); }

size_t fh_count_to(const fhost *h, int type, raft_id to)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_sent; i++)
        if (sent_type(h, i) == type && (to == 0 || h->sent[i].to == to))
            n++;
    return n;
}

bool fh_last(fhost *h, int type, raft_id to, raft_msg *m)
{
    for (size_t i = h->n_sent; i-- > 0;) {
        if (sent_type(h, i) == type && (to == 0 || h->sent[i].to == to)) {
            fh_msg(h, i, m);
            return true;
        }
    }
    return false;
}

size_t fh_event_count(const fhost *h, enum raft_event_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_events; i++)
        n += h->events[i].kind == kind;
    return n;
}

bool fh_has_event(const fhost *h, enum raft_event_kind kind, uint64_t a, uint64_t b)
{
    for (size_t i = 0; i < h->n_events; i++)
        if (h->events[i].kind == kind && h->events[i].a == a && h->events[i].b == b)
            return true;
    return false;
}

raft_msg fh_vote_req(raft_id from, uint64_t term, uint64_t last_index, uint64_t last_term)
{
    raft_msg m = {.type = RAFT_MSG_REQUEST_VOTE, .from = from, .term = term};
    m.rv.last_index = last_index;
    m.rv.last_term = last_term;
    return m;
}

raft_msg fh_request_vote(fhost *h, raft_id from, uint64_t term, uint64_t last_index,
                         uint64_t last_term)
{
    raft_msg rv = fh_vote_req(from, term, last_index, last_term);
    fh_deliver(h, &rv);
    fh_persist_all(h);
    raft_msg r;
    cr_assert(fh_last(h, RAFT_MSG_REQUEST_VOTE_RESP, from, &r), "no reply to n%" PRIu64,
              (uint64_t)from);
    return r;
}

raft_msg fh_vote_resp(raft_id from, uint64_t term, bool granted)
{
    raft_msg m = {.type = RAFT_MSG_REQUEST_VOTE_RESP, .from = from, .term = term};
    m.rvr.granted = granted;
    return m;
}

raft_msg fh_append(raft_id from, uint64_t term, uint64_t prev_index, uint64_t prev_term,
                   uint64_t commit, const raft_entry *e, uint32_t n)
{
    raft_msg m = {.type = RAFT_MSG_APPEND_ENTRIES, .from = from, .term = term};
    m.ae.prev_index = prev_index;
    m.ae.prev_term = prev_term;
    m.ae.leader_commit = commit;
    m.ae.entries = e;
    m.ae.n_entries = n;
    return m;
}

raft_msg fh_append_ok(raft_id from, uint64_t term, uint64_t seq, uint64_t match)
{
    raft_msg m = {.type = RAFT_MSG_APPEND_ENTRIES_RESP, .from = from, .term = term};
    m.aer.success = true;
    m.aer.seq = seq;
    m.aer.match_index = match;
    m.aer.last_index = match;
    return m;
}

void fh_become_candidate(fhost *h)
{
    fh_start(h);
    fh_fire(h);
    fh_persist_all(h);
    cr_assert_eq(raft_role(h->node), RAFT_CANDIDATE);
}

void fh_make_leader(fhost *h)
{
    fh_fire(h);
    fh_persist_all(h);
    fh_clear(h);
    for (raft_id id = 1; id <= h->cfg.n_nodes; id++) {
        if (id == h->cfg.id)
            continue;
        raft_msg v = fh_vote_resp(id, raft_term(h->node), true);
        fh_deliver(h, &v);
    }
    cr_assert_eq(raft_role(h->node), RAFT_LEADER);
    fh_persist_all(h);
}

void fh_leader_over_snapshot(fhost *h, uint32_t chunk_bytes, uint32_t window, size_t snap_bytes)
{
    h->cfg.snapshot_chunk_bytes = chunk_bytes;
    h->cfg.pipeline_window = window;
    fh_seed_snapshot(h, 10, 1, snap_bytes);
    fh_start(h);
    fh_make_leader(h);
    cr_assert_eq(raft_term(h->node), 2);
    cr_assert_eq(raft_last_index(h->node), 11);
}

void fh_empty_peer_rejects_the_probe(fhost *h, raft_id from)
{
    raft_msg rej = fh_append_ok(from, raft_term(h->node), 1, 0);
    rej.aer.success = false;
    rej.aer.match_index = 10;   /* the rejected prevLogIndex */
    rej.aer.conflict_index = 1; /* the peer's log is empty */
    fh_deliver(h, &rej);
}

void fh_seed_log(fhost *h, uint64_t hs_term, const uint64_t *terms, size_t n)
{
    h->disk_hs.term = hs_term;
    for (size_t i = 0; i < n; i++) {
        raft_entry e = {.term = terms[i], .type = RAFT_ENTRY_DATA, .len = 1,
                        .data = (const uint8_t *)"s"};
        disk_append(h, &e);
    }
}

void fh_seed_snapshot(fhost *h, uint64_t index, uint64_t term, size_t len)
{
    raft_write w = {.kind = RAFT_WRITE_SNAPSHOT, .snap = {index, term}, .keep_log = false};
    uint8_t *data = calloc(len + 1, 1);
    cr_assert_not_null(data);
    w.snap_data = data;
    w.snap_len = len;
    disk_snapshot(h, &w);
    free(data);
    if (h->disk_hs.term < term)
        h->disk_hs.term = term;
}

void fh_ack_last(fhost *h, raft_id peer)
{
    raft_msg ae;
    cr_assert(fh_last(h, RAFT_MSG_APPEND_ENTRIES, peer, &ae), "an AE was sent to %u", peer);
    raft_msg ok = fh_append_ok(peer, ae.term, ae.ae.seq, ae.ae.prev_index + ae.ae.n_entries);
    fh_deliver(h, &ok);
}
