/* relay.c — raftrelay: a fault-injecting TCP relay for raftd's peer links.
 *
 *   raftrelay --route NAME=LISTEN>TARGET ... [--control FILE] [--seed N]
 *
 * Each route accepts connections on LISTEN and opens one to TARGET per
 * connection. Bytes from the accepting side are split into raftd frames
 * ([u32 length][body], tools/raftd/conn.h) and each frame is delivered after
 * the route's delay (plus up to as much again, uniformly; order kept) or
 * dropped with the route's probability, or all dropped while the route is
 * cut. Bytes from the target side pass unchanged. Because raftd writes on a
 * peer link in one direction only (tools/raftd/peer.c), a route is one
 * direction of one pair of nodes: cutting it is a one-way cut, cutting both
 * directions a partition.
 *
 * The control file is re-read when it changes; each line is
 *   ROUTE|all [drop PERCENT] [delay MS] [cut on|off]
 * Loopback and test use only; runs until SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../raftd/conn.h"

enum {
    MAX_ROUTES = 64,
    MAX_PAIRS = 256,
    MAX_QUEUED = 4096,        /* frames held back per connection */
    RELAY_FRAME_MAX = 8 << 20,
    NAME_MAX_LEN = 32,
};

typedef struct route {
    char name[NAME_MAX_LEN];
    struct sockaddr_in listen, target;
    int lfd;
    uint32_t drop_ppm;
    uint64_t delay_ns;
    int cut;
} route;

typedef struct held {
    uint64_t at_ns;
    uint8_t *frame; /* with its length prefix */
    size_t len;
} held;

typedef struct pair {
    route *r;
    conn from, to; /* from: the accepted side; to: our connection to the target */
    held q[MAX_QUEUED];
    size_t q_head, q_n;
    uint64_t last_at;
} pair;

static route routes[MAX_ROUTES];
static size_t n_routes;
static pair *pairs[MAX_PAIRS];
static volatile sig_atomic_t stopping;
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static int parse_route(char *spec)
{
    char *eq = strchr(spec, '='), *gt = eq ? strchr(eq, '>') : NULL;
    if (!eq || !gt || n_routes == MAX_ROUTES || eq - spec >= NAME_MAX_LEN || eq == spec)
        return -1;
    route *r = &routes[n_routes];
    memcpy(r->name, spec, (size_t)(eq - spec));
    *gt = '\0';
    if (net_parse_addr(eq + 1, &r->listen) != 0 || net_parse_addr(gt + 1, &r->target) != 0)
        return -1;
    n_routes++;
    return 0;
}

/* ---- control file ---- */

static void apply_line(char *line)
{
    char *tok = strtok(line, " \t\n");
    if (!tok || tok[0] == '#')
        return;
    const char *target = tok;
    uint32_t drop = UINT32_MAX;
    long delay = -1;
    int cut = -1;
    while ((tok = strtok(NULL, " \t\n"))) {
        char *val = strtok(NULL, " \t\n");
        if (!val)
            break;
        if (!strcmp(tok, "drop"))
            drop = (uint32_t)(strtod(val, NULL) * 10000);
        else if (!strcmp(tok, "delay"))
            delay = strtol(val, NULL, 10);
        else if (!strcmp(tok, "cut"))
            cut = !strcmp(val, "on");
    }
    for (size_t i = 0; i < n_routes; i++) {
        route *r = &routes[i];
        if (strcmp(target, "all") && strcmp(target, r->name))
            continue;
        if (drop != UINT32_MAX)
            r->drop_ppm = drop > 1000000 ? 1000000 : drop;
        if (delay >= 0)
            r->delay_ns = (uint64_t)delay * 1000000u;
        if (cut >= 0)
            r->cut = cut;
    }
}

static void read_control(const char *path)
{
    static struct timespec seen;
    static off_t seen_size = -1;
    struct stat sb;
    if (!path || stat(path, &sb) != 0)
        return;
    if (sb.st_mtim.tv_sec == seen.tv_sec && sb.st_mtim.tv_nsec == seen.tv_nsec &&
        sb.st_size == seen_size)
        return;
    seen = sb.st_mtim;
    seen_size = sb.st_size;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    for (size_t i = 0; i < n_routes; i++) { /* the file says everything */
        routes[i].drop_ppm = 0;
        routes[i].delay_ns = 0;
        routes[i].cut = 0;
    }
    char line[256];
    while (fgets(line, sizeof line, f))
        apply_line(line);
    fclose(f);
}

/* ---- pairs ---- */

static void pair_close(size_t k)
{
    pair *p = pairs[k];
    conn_close(&p->from);
    conn_close(&p->to);
    for (size_t i = 0; i < p->q_n; i++)
        free(p->q[(p->q_head + i) % MAX_QUEUED].frame);
    free(p);
    pairs[k] = NULL;
}

static void accept_on(route *r)
{
    int fd;
    while ((fd = net_accept(r->lfd)) >= 0) {
        size_t k = 0;
        while (k < MAX_PAIRS && pairs[k])
            k++;
        int tfd = k < MAX_PAIRS ? net_connect(&r->target) : -1;
        pair *p = tfd >= 0 ? calloc(1, sizeof *p) : NULL;
        if (!p) {
            close(fd);
            if (tfd >= 0)
                close(tfd);
            continue;
        }
        p->r = r;
        conn_init(&p->from, fd, RELAY_FRAME_MAX, RELAY_FRAME_MAX);
        conn_init(&p->to, tfd, RELAY_FRAME_MAX, (size_t)RELAY_FRAME_MAX * 4);
        pairs[k] = p;
    }
}

/* Frames from the accepting side: drop, or hold until their time. */
static int take_frames(pair *p, uint64_t now)
{
    if (conn_read(&p->from) != 0)
        return -1;
    const uint8_t *body;
    size_t len;
    int got;
    while ((got = conn_next(&p->from, &body, &len)) == 1) {
        route *r = p->r;
        if (r->cut || (r->drop_ppm && rnd() % 1000000 < r->drop_ppm) || p->q_n == MAX_QUEUED)
            continue;
        uint64_t at = now + r->delay_ns + (r->delay_ns ? rnd() % r->delay_ns : 0);
        if (at < p->last_at)
            at = p->last_at; /* TCP keeps order */
        p->last_at = at;
        held *h = &p->q[(p->q_head + p->q_n) % MAX_QUEUED];
        h->frame = malloc(len + 4);
        if (!h->frame)
            continue;
        le32_put(h->frame, (uint32_t)len);
        memcpy(h->frame + 4, body, len);
        h->len = len + 4;
        h->at_ns = at;
        p->q_n++;
    }
    return got < 0 ? -1 : 0;
}

static void release_due(pair *p, uint64_t now, uint64_t *next)
{
    while (p->q_n) {
        held *h = &p->q[p->q_head];
        if (h->at_ns > now) {
            if (h->at_ns < *next)
                *next = h->at_ns;
            return;
        }
        bbuf_put(&p->to.out, h->frame, h->len); /* already framed */
        free(h->frame);
        p->q_head = (p->q_head + 1) % MAX_QUEUED;
        p->q_n--;
    }
}

/* Whatever the target says goes back unchanged. */
static int pass_back(pair *p)
{
    if (conn_read(&p->to) != 0)
        return -1;
    bbuf_put(&p->from.out, p->to.in.p + p->to.in_off, p->to.in.len - p->to.in_off);
    p->to.in_off = p->to.in.len;
    return 0;
}

static int run(const char *control)
{
    struct pollfd pf[MAX_ROUTES + 2 * MAX_PAIRS];
    while (!stopping) {
        read_control(control);
        uint64_t now = now_ns(), next = now + 100000000u;
        size_t n = 0;
        for (size_t i = 0; i < n_routes; i++)
            pf[n++] = (struct pollfd){.fd = routes[i].lfd, .events = POLLIN};
        for (size_t k = 0; k < MAX_PAIRS; k++) {
            pair *p = pairs[k];
            if (!p)
                continue;
            release_due(p, now, &next);
            if (conn_flush(&p->to) != 0 || conn_flush(&p->from) != 0) {
                pair_close(k);
                continue;
            }
            pf[n++] = (struct pollfd){.fd = p->from.fd,
                                      .events = POLLIN | (conn_pending(&p->from) ? POLLOUT : 0)};
            pf[n++] = (struct pollfd){.fd = p->to.fd,
                                      .events = POLLIN | (conn_pending(&p->to) ? POLLOUT : 0)};
        }
        int ms = (int)((next - now + 999999) / 1000000);
        if (poll(pf, n, ms) < 0 && errno != EINTR)
            return 1;
        read_control(control); /* a change made while we slept applies to what woke us */
        now = now_ns();
        size_t i = 0;
        for (; i < n_routes; i++)
            if (pf[i].revents & POLLIN)
                accept_on(&routes[i]);
        for (size_t k = 0; k < MAX_PAIRS; k++) {
            pair *p = pairs[k];
            if (!p || i + 1 >= n || pf[i].fd != p->from.fd)
                continue;
            short a = pf[i].revents, b = pf[i + 1].revents;
            i += 2;
            if (((a & (POLLIN | POLLHUP | POLLERR)) && take_frames(p, now) != 0) ||
                ((b & (POLLIN | POLLHUP | POLLERR)) && pass_back(p) != 0))
                pair_close(k);
        }
    }
    return 0;
}

static const char USAGE[] =
    "usage: raftrelay --route NAME=LISTEN_HOST:PORT>TARGET_HOST:PORT ... [--control FILE]\n"
    "                 [--seed N]\n"
    "A fault-injecting relay for raftd's peer links (tests only). Frames from the\n"
    "accepting side are delayed, dropped or cut as the control file says; each\n"
    "line: ROUTE|all [drop PERCENT] [delay MS] [cut on|off]. The file is re-read\n"
    "when it changes and describes the whole state (unnamed routes are clean).\n";

int main(int argc, char **argv)
{
    const char *control = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "raftrelay: error: %s needs a value\n", argv[i]);
            return 2;
        }
        char *val = argv[++i];
        if (!strcmp(argv[i - 1], "--route") && parse_route(val) == 0)
            continue;
        if (!strcmp(argv[i - 1], "--control")) {
            control = val;
            continue;
        }
        if (!strcmp(argv[i - 1], "--seed")) {
            rng_state ^= strtoull(val, NULL, 10);
            continue;
        }
        fprintf(stderr, "raftrelay: error: bad option %s %s\n", argv[i - 1], val);
        return 2;
    }
    if (!n_routes) {
        fputs(USAGE, stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    for (size_t i = 0; i < n_routes; i++) {
        routes[i].lfd = net_listen(&routes[i].listen);
        if (routes[i].lfd < 0) {
            fprintf(stderr, "raftrelay: error: route %s: cannot listen: %s\n", routes[i].name,
                    strerror(errno));
            return 1;
        }
    }
    return run(control);
}
