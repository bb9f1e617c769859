/* store_log.c — log segments: record encoding, the in-memory mirror of the
 * durable log, and the replay of a segment at recovery, which tells a torn
 * write at the end of the newest segment (truncated) from corruption
 * anywhere else (an error).
 *
 * Record: [u32 len][u32 crc32c over the 4 length bytes and the payload][payload]
 * Payload: u8 kind, then
 *   ENTRY  u64 index, u64 term, u32 type, data (the rest): the log from
 *          `index` on is replaced by this entry (a conflict truncation)
 *   TRUNC  u64 from: entries from `from` on are discarded
 *   RESET  u64 index, u64 term: the log is empty after snapshot (index, term)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "rlog.h"
#include "store.h"

static const char SEG_MAGIC[8] = "RAFTDLG1";
enum { REC_HEADER = 8, ENTRY_FIXED = 1 + 8 + 8 + 4 };

void store_seg_header(uint8_t hdr[STORE_SEG_HEADER])
{
    memcpy(hdr, SEG_MAGIC, 8);
    le32_put(hdr + 8, 1); /* format version */
    le32_put(hdr + 12, crc32c(0, hdr, 12));
}

/* Reserve the 8-byte record header, then fill it in once the payload is in. */
static size_t rec_begin(bbuf *out)
{
    size_t at = out->len;
    bbuf_u64(out, 0);
    return at;
}

static void rec_end(bbuf *out, size_t at)
{
    if (out->oom)
        return;
    uint32_t len = (uint32_t)(out->len - at - REC_HEADER);
    le32_put(out->p + at, len);
    uint32_t crc = crc32c(0, out->p + at, 4);
    crc = crc32c(crc, out->p + at + REC_HEADER, len);
    le32_put(out->p + at + 4, crc);
}

void store_rec_entry(bbuf *out, uint64_t index, const raft_entry *e)
{
    size_t at = rec_begin(out);
    bbuf_u8(out, STORE_REC_ENTRY);
    bbuf_u64(out, index);
    bbuf_u64(out, e->term);
    bbuf_u32(out, e->type);
    bbuf_put(out, e->data, e->len);
    rec_end(out, at);
}

void store_rec_trunc(bbuf *out, uint64_t from_index)
{
    size_t at = rec_begin(out);
    bbuf_u8(out, STORE_REC_TRUNC);
    bbuf_u64(out, from_index);
    rec_end(out, at);
}

void store_rec_reset(bbuf *out, raft_snapshot_meta snap)
{
    size_t at = rec_begin(out);
    bbuf_u8(out, STORE_REC_RESET);
    bbuf_u64(out, snap.index);
    bbuf_u64(out, snap.term);
    rec_end(out, at);
}

/* ---- the mirror ---- */

void store_mirror_truncate(store *st, uint64_t from_index)
{
    while (st->n > 0 && st->base + st->n >= from_index) {
        st->n--;
        free(st->ents[st->n].data);
    }
}

void store_mirror_reset(store *st, uint64_t base)
{
    store_mirror_truncate(st, 0);
    st->base = base;
}

int store_mirror_append(store *st, uint64_t index, const raft_entry *e)
{
    if (index <= st->base || index > st->base + st->n + 1)
        return store_fail(st, "entry %" PRIu64 " out of sequence (log holds %" PRIu64
                              "..%" PRIu64 ")", index, st->base + 1, st->base + st->n);
    store_mirror_truncate(st, index);
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 1024;
        store_entry *q = realloc(st->ents, cap * sizeof *q);
        if (!q)
            return store_fail(st, "out of memory (log mirror)");
        st->ents = q;
        st->cap = cap;
    }
    uint8_t *copy = malloc(e->len ? e->len : 1);
    if (!copy)
        return store_fail(st, "out of memory (entry %" PRIu64 ")", index);
    if (e->len)
        memcpy(copy, e->data, e->len);
    st->ents[st->n++] = (store_entry){.term = e->term, .type = e->type, .len = e->len,
                                      .data = copy};
    return 0;
}

/* ---- replay ---- */

/* Length of an intact record at p[0..avail), or 0 if there is none. */
static size_t rec_intact(const uint8_t *p, size_t avail)
{
    if (avail < REC_HEADER)
        return 0;
    uint32_t len = le32_get(p);
    if (len == 0 || len > STORE_MAX_RECORD || len > avail - REC_HEADER)
        return 0;
    uint32_t crc = crc32c(crc32c(0, p, 4), p + REC_HEADER, len);
    return crc == le32_get(p + 4) ? REC_HEADER + len : 0;
}

/* Apply one intact record's payload. A checksummed record that makes no
 * sense (unknown kind, bad size, out-of-sequence index) is an error: it was
 * written that way, which no torn write explains. */
static int rec_apply(store *st, const uint8_t *p, size_t len, raft_snapshot_meta *reset)
{
    brd r = brd_make(p, len);
    uint8_t kind = brd_u8(&r);
    if (kind == STORE_REC_ENTRY && len >= ENTRY_FIXED) {
        uint64_t index = brd_u64(&r);
        raft_entry e = {.term = brd_u64(&r), .type = brd_u32(&r)};
        e.len = (uint32_t)(len - ENTRY_FIXED);
        e.data = brd_bytes(&r, e.len);
        return store_mirror_append(st, index, &e);
    }
    if (kind == STORE_REC_TRUNC && len == 9) {
        uint64_t from = brd_u64(&r);
        if (from <= st->base)
            return store_fail(st, "truncation at %" PRIu64 " inside the snapshot", from);
        store_mirror_truncate(st, from);
        return 0;
    }
    if (kind == STORE_REC_RESET && len == 17) {
        reset->index = brd_u64(&r);
        reset->term = brd_u64(&r);
        store_mirror_reset(st, reset->index);
        return 0;
    }
    return store_fail(st, "record of kind %u and %zu bytes is not valid", kind, len);
}

/* Is there an intact record anywhere in p[from..size)? Then damage before
 * it was not a torn write at the end. */
static bool intact_after(const uint8_t *p, size_t from, size_t size, size_t *at)
{
    for (size_t q = from; q + REC_HEADER <= size; q++) {
        if (rec_intact(p + q, size - q)) {
            *at = q;
            return true;
        }
    }
    return false;
}

static int truncate_tail(store *st, const char *name, size_t at, size_t size)
{
    int fd = openat(st->dirfd, name, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)at) != 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return store_fail(st, "truncate %s: %s", name, strerror(e));
    }
    close(fd);
    LOG_WARN("store: %s: torn write at the tail: truncated %zu bytes at offset %zu", name,
             size - at, at);
    st->stats.torn_bytes_truncated += size - at;
    return 0;
}

static int damaged(store *st, const char *name, bool last, const uint8_t *p, size_t pos,
                   size_t size)
{
    if (!last)
        return store_fail(st, "%s: damaged record at offset %zu in a segment that is not the "
                              "last: corruption, refusing to start", name, pos);
    size_t at;
    if (intact_after(p, pos + 1, size, &at))
        return store_fail(st, "%s: damaged record at offset %zu followed by an intact record "
                              "at offset %zu: corruption in the middle, refusing to start",
                          name, pos, at);
    return truncate_tail(st, name, pos, size);
}

int store_seg_replay(store *st, uint64_t seq, bool last, raft_snapshot_meta *reset)
{
    char name[64];
    store_seg_name(name, sizeof name, seq);
    uint8_t *p;
    size_t size;
    if (store_read_file(st->dirfd, name, &p, &size) != 0)
        return store_fail(st, "read %s: %s", name, strerror(errno));
    int rc = 0;
    uint8_t hdr[STORE_SEG_HEADER];
    store_seg_header(hdr);
    if (size < STORE_SEG_HEADER || memcmp(p, hdr, STORE_SEG_HEADER) != 0) {
        /* a segment is created with its header synced before any record */
        rc = store_fail(st, "%s: bad segment header", name);
        goto out;
    }
    size_t pos = STORE_SEG_HEADER;
    while (pos < size) {
        size_t n = rec_intact(p + pos, size - pos);
        if (n == 0) {
            rc = damaged(st, name, last, p, pos, size);
            size = pos;
            break;
        }
        if ((rc = rec_apply(st, p + pos + REC_HEADER, n - REC_HEADER, reset)) != 0) {
            size_t k = strlen(st->err);
            snprintf(st->err + k, sizeof st->err - k, " (%s offset %zu)", name, pos);
            goto out;
        }
        st->stats.records++;
        pos += n;
    }
    if (last)
        st->seg_size = size;
out:
    free(p);
    return rc;
}
