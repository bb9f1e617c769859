/* store_file.c — whole files of the store: the metadata file (term, vote),
 * snapshot files, and the atomic replace (temp file, fsync, rename, fsync of
 * the directory) both rely on. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "rlog.h"
#include "store.h"

enum { META_SIZE = 24, SNAP_HEADER = 40 };
static const char META_MAGIC[8] = "RAFTDMT1";
static const char SNAP_MAGIC[8] = "RAFTDSN1";

int store_fail(store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(st->err, sizeof st->err, "%s: ", st->dir);
    if (n > 0 && (size_t)n < sizeof st->err)
        vsnprintf(st->err + n, sizeof st->err - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

void store_seg_name(char *buf, size_t cap, uint64_t seq)
{
    snprintf(buf, cap, "log-%016" PRIu64, seq);
}

void store_snap_name(char *buf, size_t cap, raft_snapshot_meta meta)
{
    snprintf(buf, cap, "snap-%016" PRIu64 "-%016" PRIu64, meta.index, meta.term);
}

int store_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int store_replace_file(store *st, const char *tmp, const char *name, const void *a,
                       size_t alen, const void *b, size_t blen)
{
    int fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return store_fail(st, "create %s: %s", tmp, strerror(errno));
    if (store_write_all(fd, a, alen) != 0 || store_write_all(fd, b, blen) != 0 ||
        fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return store_fail(st, "write %s: %s", tmp, strerror(e));
    }
    close(fd);
    if (renameat(st->dirfd, tmp, st->dirfd, name) != 0)
        return store_fail(st, "rename %s to %s: %s", tmp, name, strerror(errno));
    if (fsync(st->dirfd) != 0)
        return store_fail(st, "fsync directory: %s", strerror(errno));
    st->stats.bytes_written += alen + blen;
    return 0;
}

/* 0 and the contents, 1 if the file does not exist, -1 on another error. */
int store_read_file(int dirfd, const char *name, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return -1;
    }
    size_t size = (size_t)sb.st_size;
    uint8_t *p = malloc(size ? size : 1);
    size_t got = 0;
    while (p && got < size) {
        ssize_t r = read(fd, p + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!p || got != size) {
        free(p);
        return -1;
    }
    *out = p;
    *len = size;
    return 0;
}

int store_meta_load(store *st)
{
    uint8_t *p;
    size_t len;
    int rc = store_read_file(st->dirfd, "meta", &p, &len);
    if (rc == 1)
        return 0; /* a fresh node: term 0, no vote */
    if (rc != 0)
        return store_fail(st, "read meta: %s", strerror(errno));
    bool ok = len == META_SIZE && memcmp(p, META_MAGIC, 8) == 0 &&
              le32_get(p + 20) == crc32c(0, p, 20);
    if (ok) {
        st->hs_durable.term = le64_get(p + 8);
        st->hs_durable.vote = le32_get(p + 16);
    }
    free(p);
    if (!ok) /* it is only ever replaced whole: damage is not a torn write */
        return store_fail(st, "meta: damaged (%zu bytes, bad magic or checksum)", len);
    st->hs_pending = st->hs_durable;
    return 0;
}

int store_meta_save(store *st, raft_hard_state hs)
{
    uint8_t p[META_SIZE];
    memcpy(p, META_MAGIC, 8);
    le64_put(p + 8, hs.term);
    le32_put(p + 16, hs.vote);
    le32_put(p + 20, crc32c(0, p, 20));
    if (store_replace_file(st, "meta.tmp", "meta", p, sizeof p, NULL, 0) != 0)
        return -1;
    st->hs_durable = hs;
    st->stats.meta_writes++;
    return 0;
}

int store_snap_save(store *st, raft_snapshot_meta meta, const uint8_t *data, size_t len)
{
    uint8_t h[SNAP_HEADER];
    memcpy(h, SNAP_MAGIC, 8);
    le64_put(h + 8, meta.index);
    le64_put(h + 16, meta.term);
    le64_put(h + 24, len);
    le32_put(h + 32, crc32c(0, data, len));
    le32_put(h + 36, crc32c(0, h, 36));
    char name[64];
    store_snap_name(name, sizeof name, meta);
    if (store_replace_file(st, "snap.tmp", name, h, sizeof h, data, len) != 0)
        return -1;
    st->stats.snapshots_written++;
    return 0;
}

int store_snap_load(store *st, raft_snapshot_meta meta)
{
    char name[64];
    store_snap_name(name, sizeof name, meta);
    uint8_t *p;
    size_t len;
    int rc = store_read_file(st->dirfd, name, &p, &len);
    if (rc != 0)
        return store_fail(st, "the log names snapshot %s, which %s", name,
                          rc == 1 ? "is missing" : "cannot be read");
    bool ok = len >= SNAP_HEADER && memcmp(p, SNAP_MAGIC, 8) == 0 &&
              le32_get(p + 36) == crc32c(0, p, 36) && le64_get(p + 8) == meta.index &&
              le64_get(p + 16) == meta.term && le64_get(p + 24) == len - SNAP_HEADER &&
              le32_get(p + 32) == crc32c(0, p + SNAP_HEADER, len - SNAP_HEADER);
    if (!ok) {
        free(p);
        return store_fail(st, "%s: damaged (bad header, length or checksum)", name);
    }
    free(st->snap_data);
    st->snap_len = len - SNAP_HEADER;
    st->snap_data = malloc(st->snap_len ? st->snap_len : 1);
    if (!st->snap_data) {
        free(p);
        return store_fail(st, "out of memory loading %s", name);
    }
    memcpy(st->snap_data, p + SNAP_HEADER, st->snap_len);
    free(p);
    st->snap = meta;
    return 0;
}
