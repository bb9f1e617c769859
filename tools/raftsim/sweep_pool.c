/* sweep_pool.c — worker processes for `raftsim sweep`.
 *
 * Each worker is a fork of the parent holding the parsed scenario. The parent
 * hands out one seed at a time over the worker's own command pipe; workers
 * answer on one shared result pipe with fixed-size records (atomic writes).
 * A worker that dies mid-seed is noticed with waitpid, its seed is recorded
 * as a crash, and a fresh worker takes its place. Workers ignore SIGINT and
 * SIGTERM (which `pkill` or a process-group kill sends them too): the parent
 * decides when to stop, so an interrupted sweep finishes the seeds in flight,
 * every replay file is complete, and no seed is blamed for a kill from
 * outside. */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep.h"

static int write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* 1 = read all, 0 = clean end of file, -1 = error or short read. */
static int read_all(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)n;
    }
    return 1;
}

static _Noreturn void worker_main(const sweep_config *cfg, unsigned idx, int cmd_fd, int res_fd)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_DFL);
    for (;;) {
        uint64_t seed;
        int rc = read_all(cmd_fd, &seed, sizeof seed);
        if (rc <= 0)
            _exit(rc == 0 ? 0 : 3);
        seed_result r;
        sweep_run_seed(cfg, seed, &r);
        r.worker = idx;
        if (write_all(res_fd, &r, sizeof r) != 0)
            _exit(3);
    }
}

static int spawn_worker(sweep_pool *p, unsigned idx)
{
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "raftsim sweep: pipe: %s\n", strerror(errno));
        return -1;
    }
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "raftsim sweep: fork: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        /* Other workers' command pipes must not stay open here, or they
         * would never see end-of-file when the parent closes them. */
        for (unsigned i = 0; i < p->n; i++)
            if (i != idx && p->w[i].pid > 0)
                close(p->w[i].cmd_fd);
        close(fds[1]);
        close(p->res_rfd);
        worker_main(p->cfg, idx, fds[0], p->res_wfd);
    }
    close(fds[0]);
    p->w[idx] = (sweep_worker){ .pid = pid, .cmd_fd = fds[1] };
    return 0;
}

int sweep_pool_start(sweep_pool *p, const sweep_config *cfg, unsigned n)
{
    assert(n >= 1 && n <= SWEEP_MAX_JOBS);
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "raftsim sweep: pipe: %s\n", strerror(errno));
        return -1;
    }
    p->res_rfd = fds[0];
    p->res_wfd = fds[1];
    signal(SIGPIPE, SIG_IGN); /* a dead worker's pipe gives EPIPE, not death */
    for (unsigned i = 0; i < n; i++) {
        p->n = i;
        if (spawn_worker(p, i) != 0) {
            sweep_pool_stop(p);
            return -1;
        }
    }
    p->n = n;
    return 0;
}

int sweep_pool_idle(const sweep_pool *p)
{
    for (unsigned i = 0; i < p->n; i++)
        if (p->w[i].pid > 0 && !p->w[i].busy)
            return (int)i;
    return -1;
}

unsigned sweep_pool_busy(const sweep_pool *p)
{
    unsigned busy = 0;
    for (unsigned i = 0; i < p->n; i++)
        busy += p->w[i].busy;
    return busy;
}

int sweep_pool_dispatch(sweep_pool *p, unsigned wi, uint64_t seed)
{
    assert(wi < p->n);
    assert(!p->w[wi].busy);
    p->w[wi].busy = true;
    p->w[wi].seed = seed;
    /* A failed write means the worker died; sweep_pool_next reports it. */
    write_all(p->w[wi].cmd_fd, &seed, sizeof seed);
    return 0;
}

/* Collect one complete record from the result pipe if one is there. */
static int take_record(sweep_pool *p, seed_result *out)
{
    ssize_t n = read(p->res_rfd, p->buf + p->buf_used, sizeof p->buf - p->buf_used);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0)
        return -1; /* cannot happen: the parent holds a write end */
    p->buf_used += (size_t)n;
    if (p->buf_used < sizeof p->buf)
        return 0;
    memcpy(out, p->buf, sizeof *out);
    p->buf_used = 0;
    if (out->worker >= p->n || !p->w[out->worker].busy || p->w[out->worker].seed != out->seed) {
        fprintf(stderr, "raftsim sweep: internal error: unexpected worker report\n");
        return -1;
    }
    p->w[out->worker].busy = false;
    return 1;
}

static int find_worker(const sweep_pool *p, pid_t pid)
{
    for (unsigned i = 0; i < p->n; i++)
        if (p->w[i].pid == pid)
            return (int)i;
    return -1;
}

/* A worker exited. Returns 1 with a crash record, or 0. Replaces it. */
static int reap_one(sweep_pool *p, pid_t pid, int status, seed_result *out)
{
    int wi = find_worker(p, pid);
    if (wi < 0)
        return 0;
    sweep_worker *w = &p->w[wi];
    close(w->cmd_fd);
    w->pid = 0;
    int got = 0;
    if (w->busy) {
        sweep_crash_result(p->cfg, w->seed, status, out);
        out->worker = (uint32_t)wi;
        w->busy = false;
        got = 1;
    }
    if (spawn_worker(p, (unsigned)wi) != 0)
        fprintf(stderr, "raftsim sweep: could not replace a dead worker\n");
    return got;
}

int sweep_pool_next(sweep_pool *p, seed_result *out, int timeout_ms)
{
    struct pollfd pfd = { .fd = p->res_rfd, .events = POLLIN };
    int rc = poll(&pfd, 1, p->n_dead ? 0 : timeout_ms);
    if (rc < 0 && errno != EINTR)
        return -1;
    if (rc > 0)
        return take_record(p, out);
    if (p->n_dead == 0) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return 0;
        p->dead[0] = (sweep_dead){ pid, status };
        p->n_dead = 1;
        /* A worker writes its report before it exits, so anything it sent is
         * in the pipe now: read the pipe dry before blaming its seed. */
        return 0;
    }
    p->n_dead = 0;
    return reap_one(p, p->dead[0].pid, p->dead[0].status, out);
}

void sweep_pool_stop(sweep_pool *p)
{
    for (unsigned i = 0; i < p->n; i++) {
        if (p->w[i].pid > 0) {
            close(p->w[i].cmd_fd);
            waitpid(p->w[i].pid, NULL, 0);
            p->w[i].pid = 0;
        }
    }
    close(p->res_rfd);
    close(p->res_wfd);
}
