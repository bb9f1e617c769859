/* disk.c — volatile and durable writes, group-commit fsync, crash loss. */
#include "disk.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "grow.h"

int disk_init(disk *d, const sim_disk_params *p, uint64_t seed, uint32_t node,
              blobstore *blobs)
{
    memset(d, 0, sizeof *d);
    d->params = *p;
    d->blobs = blobs;
    rng_init(&d->r, seed, RNG_STREAM_DISK + node);
    return 0;
}

static void arena_release(disk *d, const blob *b);

static void snap_write_free(disk_snap_write *sw)
{
    if (sw)
        free(sw->data);
    free(sw);
}

/* The i-th queued write, oldest first. */
static disk_pending *pend_at(disk *d, size_t i) { return &d->pend[d->pend_head + i]; }

void disk_free(disk *d)
{
    for (size_t i = 0; i < d->log_n; i++)
        arena_release(d, d->log[d->log_head + i]);
    for (size_t i = d->pend_ents_head; i < d->pend_ents_n; i++)
        arena_release(d, d->pend_ents[i]);
    free(d->log);
    for (size_t i = 0; i < d->pend_n; i++)
        snap_write_free(pend_at(d, i)->snap);
    free(d->pend);
    free(d->pend_ents);
    free(d->snap_data);
    memset(d, 0, sizeof *d);
}

void disk_forget_blobs(disk *d)
{
    d->log_n = 0;
    d->pend_ents_head = d->pend_ents_n = 0;
}

/* ---- payloads: shared blobs ---- */

static int arena_put(disk *d, uint64_t index, const raft_entry *src, const blob **slot)
{
    *slot = blob_get(d->blobs, index, src);
    return *slot ? 0 : -1;
}

static void arena_release(disk *d, const blob *b) { blob_put(d->blobs, b); }

/* ---- durable log ---- */

uint64_t disk_last_index(const disk *d) { return d->log_base + d->log_n; }

const blob *disk_blob_get(const disk *d, uint64_t index)
{
    if (index <= d->log_base || index > disk_last_index(d))
        return NULL;
    return d->log[d->log_head + (index - d->log_base - 1)];
}

const disk_entry *disk_entry_get(const disk *d, uint64_t index)
{
    const blob *b = disk_blob_get(d, index);
    return b ? &b->e : NULL;
}

static __attribute__((noinline)) void log_truncate_loop(disk *d, uint64_t from_index)
{
    while (d->log_n > 0 && disk_last_index(d) >= from_index) {
        arena_release(d, d->log[d->log_head + d->log_n - 1]);
        d->log_n--;
    }
}

/* Drop the durable entries from from_index on. Inline test, loop out of
 * line: a write usually starts just after the last entry, and then nothing
 * goes and the call costs no register saves. */
static inline void log_truncate(disk *d, uint64_t from_index)
{
    if (d->log_n > 0 && disk_last_index(d) >= from_index)
        log_truncate_loop(d, from_index);
}

static void log_drop_prefix(disk *d, uint64_t upto_index)
{
    while (d->log_n > 0 && d->log_base < upto_index) {
        arena_release(d, d->log[d->log_head]);
        d->log_head++;
        d->log_n--;
        d->log_base++;
    }
    if (d->log_base < upto_index)
        d->log_base = upto_index;
    if (d->log_head > d->log_n) { /* amortised compaction of the array */
        memmove(d->log, d->log + d->log_head, d->log_n * sizeof *d->log);
        d->log_head = 0;
    }
}

static int log_push(disk *d, const blob *e)
{
    if (d->log_head + d->log_n == d->log_cap) {
        /* x4, not x2: without snapshots the log grows all run long, and
         * each growth copies it (a third of the copying of doubling) */
        size_t cap = d->log_cap ? d->log_cap * 4 : 1024;
        const blob **p = realloc(d->log, cap * sizeof *p);
        if (!p)
            return -1;
        d->log = p;
        d->log_cap = cap;
    }
    d->log[d->log_head + d->log_n++] = e;
    return 0;
}

/* ---- writes ---- */

/* Room for one more write of n_entries. Both queues slide down or grow as
 * grow.h says (amortised O(1)); the entries' slide also rebases the
 * pending writes' ent_start. */
static int pend_reserve(disk *d, size_t n_entries)
{
    disk_pending *pend = fifo_array_reserve(d->pend, sizeof *d->pend, &d->pend_head, d->pend_n,
                                            &d->pend_cap, 64, _Alignof(disk_pending));
    if (!pend)
        return -1;
    d->pend = pend;
    if (d->pend_ents_n + n_entries > d->pend_ents_cap) {
        size_t off = d->pend_ents_head, live = d->pend_ents_n - off;
        if (off > 0 && off >= live) {
            memmove(d->pend_ents, d->pend_ents + off, live * sizeof *d->pend_ents);
            for (size_t i = 0; i < d->pend_n; i++)
                pend_at(d, i)->ent_start -= off;
            d->pend_ents_head = 0;
            d->pend_ents_n = live;
        }
    }
    if (d->pend_ents_n + n_entries > d->pend_ents_cap) {
        size_t cap = d->pend_ents_cap ? d->pend_ents_cap : 256;
        while (cap < d->pend_ents_n + n_entries)
            cap *= 2;
        const blob **p = realloc(d->pend_ents, cap * sizeof *p);
        if (!p)
            return -1;
        d->pend_ents = p;
        d->pend_ents_cap = cap;
    }
    return 0;
}

int disk_write(disk *d, const raft_write *w)
{
    assert(w->n_entries == 0 || w->first_index > 0);
    if (pend_reserve(d, w->n_entries) != 0)
        return -1;
    assert(d->pend_n == 0 || pend_at(d, d->pend_n - 1)->token < w->token);
    disk_pending *p = pend_at(d, d->pend_n);
    /* every field set, none zeroed first: one write per disk_write */
    p->token = w->token;
    p->kind = w->kind;
    p->hs = w->hs;
    p->first_index = w->first_index;
    p->ent_start = d->pend_ents_n;
    p->n_entries = 0;
    p->snap = NULL;
    if (w->kind == RAFT_WRITE_SNAPSHOT) {
        disk_snap_write *sw = calloc(1, sizeof *sw);
        if (!sw)
            return -1;
        sw->meta = w->snap;
        sw->keep_log = w->keep_log;
        if (w->snap_len) {
            sw->data = malloc(w->snap_len);
            if (!sw->data) {
                free(sw);
                return -1;
            }
            memcpy(sw->data, w->snap_data, w->snap_len);
            sw->len = w->snap_len;
        }
        p->snap = sw;
    }
    for (size_t i = 0; i < w->n_entries; i++) {
        if (arena_put(d, w->first_index + i, &w->entries[i], &d->pend_ents[d->pend_ents_n]))
            return -1; /* earlier entries of this write stay referenced: bounded leak */
        d->pend_ents_n++;
    }
    p->n_entries = w->n_entries;
    d->pend_n++;
    d->writes++;
    return 0;
}

/* Make pending write p durable, keeping only its first n entries. */
static void apply_pending(disk *d, disk_pending *p, size_t n)
{
    d->hs = p->hs;
    if (p->kind == RAFT_WRITE_SNAPSHOT) {
        disk_snap_write *sw = p->snap;
        free(d->snap_data);
        d->snap_data = sw->data;
        d->snap_len = sw->len;
        d->snap = sw->meta;
        if (!sw->keep_log || disk_last_index(d) < sw->meta.index)
            log_truncate(d, 1);
        log_drop_prefix(d, sw->meta.index);
        free(sw); /* its bytes are the disk's now */
        p->snap = NULL;
        return;
    }
    if (p->first_index == 0)
        return; /* a pure hard-state write */
    log_truncate(d, p->first_index);
    for (size_t i = 0; i < p->n_entries; i++) {
        const blob *e = d->pend_ents[p->ent_start + i];
        uint64_t index = p->first_index + i;
        bool keep = i < n && index == disk_last_index(d) + 1;
        if (!keep || log_push(d, e) != 0)
            arena_release(d, e);
    }
}

/* Remove the first k pending writes (already applied or dropped). */
static void pend_consume(disk *d, size_t k)
{
    assert(k <= d->pend_n);
    if (k == d->pend_n) { /* all of them: start over at the arrays' start */
        d->pend_head = d->pend_n = 0;
        d->pend_ents_head = d->pend_ents_n = 0;
        return;
    }
    d->pend_ents_head = pend_at(d, k)->ent_start;
    d->pend_head += k;
    d->pend_n -= k;
}

bool disk_fsync_start(disk *d, uint64_t *latency_ns)
{
    if (!disk_fsync_wanted(d))
        return false;
    d->fsync_covers = d->pend_n;
    *latency_ns = dist_sample(&d->params.fsync, &d->r);
    return true;
}

uint64_t disk_fsync_done(disk *d)
{
    size_t k = d->fsync_covers;
    assert(k > 0 && k <= d->pend_n);
    for (size_t i = 0; i < k; i++)
        apply_pending(d, pend_at(d, i), pend_at(d, i)->n_entries);
    uint64_t token = pend_at(d, k - 1)->token;
    pend_consume(d, k);
    d->fsync_covers = 0;
    d->fsyncs++;
    if (token > d->durable_token)
        d->durable_token = token;
    return token;
}

static void drop_pending(disk *d, disk_pending *p)
{
    for (size_t i = 0; i < p->n_entries; i++)
        arena_release(d, d->pend_ents[p->ent_start + i]);
    snap_write_free(p->snap);
    p->snap = NULL;
}

size_t disk_crash(disk *d, bool *torn)
{
    size_t lost = d->pend_n, first = 0;
    *torn = false;
    if (d->params.torn_writes && d->pend_n > 0) {
        disk_pending *p = pend_at(d, 0);
        if (p->kind == RAFT_WRITE_ENTRIES && p->n_entries >= 2 && p->first_index > 0) {
            size_t keep = 1 + (size_t)rng_below(&d->r, p->n_entries - 1);
            apply_pending(d, p, keep);
            *torn = true;
            d->torn++;
            first = 1;
        }
    }
    for (size_t i = first; i < d->pend_n; i++)
        drop_pending(d, pend_at(d, i));
    pend_consume(d, d->pend_n);
    d->fsync_covers = 0;
    d->fsync_gen++;
    d->lost_writes += lost;
    return lost;
}

int disk_boot(const disk *d, raft_boot *boot, raft_entry **ents)
{
    memset(boot, 0, sizeof *boot);
    *ents = NULL;
    boot->hs = d->hs;
    boot->snap = d->snap;
    boot->snap_data = d->snap_data;
    boot->snap_len = d->snap_len;
    if (d->log_n) {
        raft_entry *e = malloc(d->log_n * sizeof *e);
        if (!e)
            return -1;
        for (size_t i = 0; i < d->log_n; i++) {
            const disk_entry *de = &d->log[d->log_head + i]->e;
            e[i] = (raft_entry){.term = de->term, .type = de->type, .len = de->len,
                                .data = de->data};
        }
        *ents = e;
        boot->entries = e;
        boot->n_entries = d->log_n;
    }
    return 0;
}
