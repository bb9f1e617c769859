/* store.c — open and recover a data directory, queue writes, group commit,
 * and compaction at snapshots (see store.h for the layout and the rules). */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rlog.h"

enum { STORE_MAX_FILES = 4096 }; /* segments or snapshots a directory may hold */

typedef struct dir_list {
    uint64_t segs[STORE_MAX_FILES];
    size_t n_segs;
    raft_snapshot_meta snaps[STORE_MAX_FILES];
    size_t n_snaps;
} dir_list;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int list_dir(store *st, dir_list *dl)
{
    int fd = dup(st->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d)
        return store_fail(st, "list directory: %s", strerror(errno));
    rewinddir(d); /* the duplicate shares the offset a previous listing moved */
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL && rc == 0) {
        uint64_t a, b;
        char tail;
        if (sscanf(de->d_name, "log-%16" SCNu64 "%c", &a, &tail) == 1) {
            if (dl->n_segs == STORE_MAX_FILES)
                rc = store_fail(st, "more than %d segments", STORE_MAX_FILES);
            else
                dl->segs[dl->n_segs++] = a;
        } else if (sscanf(de->d_name, "snap-%16" SCNu64 "-%16" SCNu64 "%c", &a, &b,
                          &tail) == 2) {
            if (dl->n_snaps == STORE_MAX_FILES)
                rc = store_fail(st, "more than %d snapshots", STORE_MAX_FILES);
            else
                dl->snaps[dl->n_snaps++] = (raft_snapshot_meta){.index = a, .term = b};
        }
    }
    closedir(d);
    qsort(dl->segs, dl->n_segs, sizeof *dl->segs, cmp_u64);
    return rc;
}

static int unlink_quiet(store *st, const char *name)
{
    if (unlinkat(st->dirfd, name, 0) != 0 && errno != ENOENT)
        return store_fail(st, "remove %s: %s", name, strerror(errno));
    return 0;
}

/* Create segment `seq` holding `body` (whole records) as log.tmp, renamed
 * into place: it appears complete or not at all. Then open it for appends. */
static int seg_create(store *st, uint64_t seq, const bbuf *body)
{
    uint8_t hdr[STORE_SEG_HEADER];
    store_seg_header(hdr);
    char name[64];
    store_seg_name(name, sizeof name, seq);
    if (store_replace_file(st, "log.tmp", name, hdr, sizeof hdr, body ? body->p : NULL,
                           body ? body->len : 0) != 0)
        return -1;
    int fd = openat(st->dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return store_fail(st, "open %s: %s", name, strerror(errno));
    if (st->seg_fd >= 0)
        close(st->seg_fd);
    st->seg_fd = fd;
    st->seg_seq = seq;
    st->seg_size = sizeof hdr + (body ? body->len : 0);
    return 0;
}

static int seg_open_last(store *st, uint64_t seq)
{
    char name[64];
    store_seg_name(name, sizeof name, seq);
    int fd = openat(st->dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return store_fail(st, "open %s: %s", name, strerror(errno));
    st->seg_fd = fd;
    st->seg_seq = seq;
    return 0;
}

/* Remove segments older than the open one and snapshots other than ours. */
static int collect_garbage(store *st)
{
    dir_list *dl = calloc(1, sizeof *dl);
    if (!dl)
        return store_fail(st, "out of memory");
    int rc = list_dir(st, dl);
    char name[64];
    for (size_t i = 0; rc == 0 && i < dl->n_segs; i++) {
        if (dl->segs[i] >= st->seg_seq)
            continue;
        store_seg_name(name, sizeof name, dl->segs[i]);
        rc = unlink_quiet(st, name);
    }
    for (size_t i = 0; rc == 0 && i < dl->n_snaps; i++) {
        if (dl->snaps[i].index == st->snap.index && dl->snaps[i].term == st->snap.term)
            continue;
        store_snap_name(name, sizeof name, dl->snaps[i]);
        rc = unlink_quiet(st, name);
    }
    free(dl);
    return rc;
}

static int recover(store *st)
{
    static const char *tmps[] = {"meta.tmp", "snap.tmp", "log.tmp"};
    for (size_t i = 0; i < 3; i++) /* an interrupted replace left it: never committed */
        if (unlink_quiet(st, tmps[i]) != 0)
            return -1;
    if (store_meta_load(st) != 0)
        return -1;
    dir_list *dl = calloc(1, sizeof *dl);
    if (!dl)
        return store_fail(st, "out of memory");
    int rc = list_dir(st, dl);
    raft_snapshot_meta reset = {0};
    for (size_t i = 0; rc == 0 && i < dl->n_segs; i++)
        rc = store_seg_replay(st, dl->segs[i], i + 1 == dl->n_segs, &reset);
    if (rc == 0 && dl->n_segs)
        rc = seg_open_last(st, dl->segs[dl->n_segs - 1]);
    else if (rc == 0)
        rc = seg_create(st, 1, NULL);
    if (rc == 0 && reset.index)
        rc = store_snap_load(st, reset);
    if (rc == 0)
        rc = collect_garbage(st); /* leftovers of an interrupted compaction */
    free(dl);
    if (rc == 0)
        LOG_INFO("store: recovered term %" PRIu64 " vote %u, snapshot %" PRIu64 "/%" PRIu64
                 ", log %" PRIu64 "..%" PRIu64 " (%" PRIu64 " records, segment %" PRIu64 ")",
                 st->hs_durable.term, st->hs_durable.vote, st->snap.index, st->snap.term,
                 st->base + 1, st->base + st->n, st->stats.records, st->seg_seq);
    return rc;
}

static void sync_parent(const char *dir)
{
    char *copy = strdup(dir);
    if (!copy)
        return;
    char *slash = strrchr(copy, '/');
    const char *parent = slash == copy ? "/" : slash ? (*slash = '\0', copy) : ".";
    int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

store *store_open(const char *dir, char *err, size_t errcap)
{
    store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    st->seg_fd = -1;
    st->dirfd = -1;
    st->dir = strdup(dir);
    if (!st->dir) {
        snprintf(err, errcap, "out of memory");
        store_close(st);
        return NULL;
    }
    if (mkdir(dir, 0755) == 0) {
        sync_parent(dir); /* the new directory's entry is durable too */
    } else if (errno != EEXIST) {
        snprintf(err, errcap, "%s: create: %s", dir, strerror(errno));
        store_close(st);
        return NULL;
    }
    st->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (st->dirfd < 0) {
        snprintf(err, errcap, "%s: open: %s", dir, strerror(errno));
        store_close(st);
        return NULL;
    }
    if (recover(st) != 0) {
        snprintf(err, errcap, "%s", st->err);
        store_close(st);
        return NULL;
    }
    st->token_queued = st->token_durable = 0;
    return st;
}

void store_close(store *st)
{
    if (!st)
        return;
    store_mirror_reset(st, 0);
    free(st->ents);
    free(st->snap_data);
    bbuf_free(&st->out);
    if (st->seg_fd >= 0)
        close(st->seg_fd);
    if (st->dirfd >= 0)
        close(st->dirfd);
    free(st->dir);
    free(st);
}

int store_boot(store *st, raft_boot *boot, raft_entry **ents)
{
    memset(boot, 0, sizeof *boot);
    *ents = NULL;
    boot->hs = st->hs_durable;
    boot->snap = st->snap;
    boot->snap_data = st->snap_data;
    boot->snap_len = st->snap_len;
    if (st->n == 0)
        return 0;
    raft_entry *e = malloc(st->n * sizeof *e);
    if (!e)
        return store_fail(st, "out of memory");
    for (size_t i = 0; i < st->n; i++)
        e[i] = (raft_entry){.term = st->ents[i].term, .type = st->ents[i].type,
                            .len = st->ents[i].len, .data = st->ents[i].data};
    *ents = e;
    boot->entries = e;
    boot->n_entries = st->n;
    return 0;
}

uint64_t store_last_index(const store *st) { return st->base + st->n; }

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

uint32_t store_sync_mean_recent(const store *st)
{
    size_t n = st->stats.syncs < STORE_SYNC_SAMPLES ? (size_t)st->stats.syncs
                                                    : STORE_SYNC_SAMPLES;
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += st->sync_us[i];
    return n ? (uint32_t)(sum / n) : 0;
}

uint32_t store_sync_percentile(const store *st, unsigned pct)
{
    size_t n = st->stats.syncs < STORE_SYNC_SAMPLES ? (size_t)st->stats.syncs
                                                    : STORE_SYNC_SAMPLES;
    if (n == 0)
        return 0;
    uint32_t v[STORE_SYNC_SAMPLES];
    memcpy(v, st->sync_us, n * sizeof v[0]);
    qsort(v, n, sizeof v[0], cmp_u32);
    return v[(n - 1) * (pct > 100 ? 100 : pct) / 100];
}

bool store_pending(const store *st) { return st->token_queued > st->token_durable; }

/* Write the queued records and make them (and the hard state) durable. The
 * hard state goes first: a term on disk newer than the log is harmless, a
 * log entry of a term the disk does not know is not. */
static int sync_now(store *st)
{
    if (st->out.oom)
        return store_fail(st, "out of memory encoding records");
    if (st->hs_pending.term != st->hs_durable.term || st->hs_pending.vote != st->hs_durable.vote)
        if (store_meta_save(st, st->hs_pending) != 0)
            return -1;
    if (st->out.len) {
        if (store_write_all(st->seg_fd, st->out.p, st->out.len) != 0)
            return store_fail(st, "append to segment %" PRIu64 ": %s", st->seg_seq,
                              strerror(errno));
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (fdatasync(st->seg_fd) != 0)
            return store_fail(st, "fdatasync segment %" PRIu64 ": %s", st->seg_seq,
                              strerror(errno));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        uint64_t ns = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL +
                                 (t1.tv_nsec - t0.tv_nsec));
        st->stats.sync_ns += ns;
        st->sync_us[st->stats.syncs % STORE_SYNC_SAMPLES] = (uint32_t)(ns / 1000);
        st->seg_size += st->out.len;
        st->stats.bytes_written += st->out.len;
        st->out.len = 0;
        st->stats.syncs++;
    }
    st->token_durable = st->token_queued;
    if (st->seg_size >= STORE_SEGMENT_BYTES)
        return seg_create(st, st->seg_seq + 1, NULL);
    return 0;
}

int store_sync(store *st, uint64_t *token)
{
    int rc = store_pending(st) ? sync_now(st) : 0;
    *token = st->token_durable;
    return rc;
}

/* A snapshot write: earlier writes first, then the snapshot file, then the
 * new segment (RESET + retained suffix) as the commit point, then cleanup. */
static int compact(store *st, const raft_write *w)
{
    if (sync_now(st) != 0)
        return -1;
    if (store_snap_save(st, w->snap, w->snap_data, w->snap_len) != 0)
        return -1;
    if (!w->keep_log || store_last_index(st) < w->snap.index) {
        store_mirror_reset(st, w->snap.index);
    } else { /* drop the prefix the snapshot covers */
        size_t drop = (size_t)(w->snap.index - st->base);
        for (size_t i = 0; i < drop; i++)
            free(st->ents[i].data);
        memmove(st->ents, st->ents + drop, (st->n - drop) * sizeof *st->ents);
        st->n -= drop;
        st->base = w->snap.index;
    }
    bbuf body = {0};
    store_rec_reset(&body, w->snap);
    for (size_t i = 0; i < st->n; i++) {
        raft_entry e = {.term = st->ents[i].term, .type = st->ents[i].type,
                        .len = st->ents[i].len, .data = st->ents[i].data};
        store_rec_entry(&body, st->base + 1 + i, &e);
    }
    int rc = body.oom ? store_fail(st, "out of memory") : seg_create(st, st->seg_seq + 1, &body);
    bbuf_free(&body);
    if (rc != 0)
        return -1;
    uint8_t *data = malloc(w->snap_len ? w->snap_len : 1);
    if (!data)
        return store_fail(st, "out of memory");
    if (w->snap_len)
        memcpy(data, w->snap_data, w->snap_len);
    free(st->snap_data);
    st->snap_data = data;
    st->snap_len = w->snap_len;
    st->snap = w->snap;
    st->token_durable = w->token;
    LOG_INFO("store: snapshot %" PRIu64 "/%" PRIu64 " (%zu bytes) written; log now %" PRIu64
             "..%" PRIu64 " in segment %" PRIu64, st->snap.index, st->snap.term, st->snap_len,
             st->base + 1, st->base + st->n, st->seg_seq);
    return collect_garbage(st);
}

int store_write(store *st, const raft_write *w)
{
    if (w->token <= st->token_queued)
        return store_fail(st, "write token %" PRIu64 " not after %" PRIu64, w->token,
                          st->token_queued);
    st->token_queued = w->token;
    st->hs_pending = w->hs;
    st->stats.writes++;
    if (w->kind == RAFT_WRITE_SNAPSHOT)
        return compact(st, w);
    if (w->first_index == 0)
        return 0; /* hard state only */
    if (w->n_entries == 0) {
        uint64_t from = w->first_index > st->base ? w->first_index : st->base + 1;
        store_mirror_truncate(st, from);
        store_rec_trunc(&st->out, from);
        return 0;
    }
    for (size_t i = 0; i < w->n_entries; i++) {
        uint64_t index = w->first_index + i;
        if (index <= st->base)
            continue; /* covered by the snapshot already (as sim/world/disk.c keeps it) */
        if (store_mirror_append(st, index, &w->entries[i]) != 0)
            return -1;
        store_rec_entry(&st->out, index, &w->entries[i]);
    }
    return 0;
}
