/* conn.c — framed non-blocking connections and socket helpers (see conn.h). */
#define _GNU_SOURCE /* accept4 */
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { READ_CHUNK = 64 << 10 };

void conn_init(conn *c, int fd, size_t frame_max, size_t out_max)
{
    *c = (conn){.fd = fd, .frame_max = frame_max, .out_max = out_max};
}

void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    bbuf_free(&c->in);
    bbuf_free(&c->out);
    c->in_off = 0;
}

int conn_read(conn *c)
{
    bbuf_consume(&c->in, c->in_off);
    c->in_off = 0;
    for (;;) {
        if (!bbuf_reserve(&c->in, READ_CHUNK))
            return -1;
        ssize_t r = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
        if (r > 0) {
            c->in.len += (size_t)r;
            if (c->in.len - c->in_off > c->frame_max + 4 + READ_CHUNK)
                return 0; /* let the caller drain complete frames first */
            continue;
        }
        if (r == 0)
            return -1;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

int conn_next(conn *c, const uint8_t **body, size_t *len)
{
    size_t avail = c->in.len - c->in_off;
    if (avail < 4)
        return 0;
    uint32_t n = le32_get(c->in.p + c->in_off);
    if (n > c->frame_max)
        return -1;
    if (avail - 4 < n)
        return 0;
    *body = c->in.p + c->in_off + 4;
    *len = n;
    c->in_off += 4 + (size_t)n;
    return 1;
}

int conn_send(conn *c, const void *body, size_t len)
{
    if (c->fd < 0 || len > c->frame_max || c->out.len + 4 + len > c->out_max)
        return -1;
    bbuf_u32(&c->out, (uint32_t)len);
    bbuf_put(&c->out, body, len);
    return c->out.oom ? -1 : 0;
}

int conn_flush(conn *c)
{
    size_t done = 0;
    int rc = 0;
    while (done < c->out.len) {
        ssize_t w = send(c->fd, c->out.p + done, c->out.len - done, MSG_NOSIGNAL);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        rc = -1;
        break;
    }
    bbuf_consume(&c->out, done);
    return rc;
}

int net_parse_addr(const char *s, struct sockaddr_in *out)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || colon - s >= CONN_ADDR_MAX)
        return -1;
    char host[CONN_ADDR_MAX];
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535)
        return -1;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &out->sin_addr) == 1)
        return 0;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return -1;
    out->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return 0;
}

void net_format_addr(const struct sockaddr_in *a, char *buf, size_t cap)
{
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    snprintf(buf, cap, "%s:%u", host, ntohs(a->sin_port));
}

static int nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int net_listen(const struct sockaddr_in *a)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)a, sizeof *a) != 0 || listen(fd, 64) != 0 ||
        nonblock(fd) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int net_connect(const struct sockaddr_in *a)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (nonblock(fd) != 0) {
        close(fd);
        return -1;
    }
    nodelay(fd);
    if (connect(fd, (const struct sockaddr *)a, sizeof *a) != 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int net_accept(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        nodelay(fd);
    return fd;
}
