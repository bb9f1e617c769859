/* conn.h — a non-blocking TCP connection carrying length-prefixed frames:
 * [u32 length, little-endian][body]. Shared by raftd (peers and clients) and
 * raftctl. Frames over the connection's limit are a protocol error (the
 * connection is closed); queued output over its bound is refused (dropped by
 * the caller: Raft retransmits, a client retries). */
#ifndef RAFTD_CONN_H
#define RAFTD_CONN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

enum {
    CONN_FRAME_MAX = 16 << 20,  /* largest frame body anyone sends */
    CONN_ADDR_MAX = 128,
};

typedef struct conn {
    int fd;
    bbuf in, out;
    size_t in_off;        /* frames before this offset were handed out */
    size_t frame_max;     /* largest body accepted */
    size_t out_max;       /* largest output queue */
} conn;

void conn_init(conn *c, int fd, size_t frame_max, size_t out_max);
/* Close the socket and free the buffers (fd becomes -1). */
void conn_close(conn *c);
/* Read what is available. 0: fine (maybe nothing), -1: closed or failed. */
int conn_read(conn *c);
/* 1 and the next complete frame (valid until the next conn_read), 0 if
 * none is complete yet, -1 if the peer announced a frame over frame_max. */
int conn_next(conn *c, const uint8_t **body, size_t *len);
/* Queue a frame. -1 if it would overflow out_max (nothing queued). */
int conn_send(conn *c, const void *body, size_t len);
/* Write what the socket takes. 0: fine (maybe still pending), -1: failed. */
int conn_flush(conn *c);
static inline bool conn_pending(const conn *c) { return c->out.len > 0; }

/* "host:port" (IPv4 address or resolvable name) to an address. -1 if bad. */
int net_parse_addr(const char *s, struct sockaddr_in *out);
void net_format_addr(const struct sockaddr_in *a, char *buf, size_t cap);
/* A non-blocking listening socket (SO_REUSEADDR), or -1 with errno. */
int net_listen(const struct sockaddr_in *a);
/* A non-blocking socket connecting to `a` (in progress), or -1 with errno. */
int net_connect(const struct sockaddr_in *a);
/* Accept one connection, non-blocking, TCP_NODELAY; -1 if none. */
int net_accept(int lfd);

#endif
