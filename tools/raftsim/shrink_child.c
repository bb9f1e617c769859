/* shrink_child.c — one shrink trial in a child process.
 *
 * The child runs the candidate and writes a fixed-size `trial` record to a
 * pipe; its stderr goes through a second pipe so that the text of a failed
 * assertion (glibc: "prog: file:line: func: Assertion `x' failed.") or a
 * sanitizer's first report line names the crash. A child that dies, or
 * exits without a whole record, crashed: its identity is
 * "crash:SIGABRT: <assertion>" (or the exit status), so two crashes are the
 * same failure only if they die the same way.
 *
 * Runs are bounded by virtual time and by the event limit the shrinker puts
 * in the config; the wall-clock kill (wall_s) is only a safety net against a
 * hang and is reported as such by the caller. */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shrink.h"

/* Bytes of a child's stderr kept to find the crash text in. */
#define CHILD_STDERR_KEEP 8192

/* Test-only: RAFTSIM_TEST_ASSERT_ON=KIND (an action name, e.g. clock-jump)
 * makes a trial die on an assertion when its schedule holds that action:
 * "at least two" and "exactly one" fail two different assertions. It stands
 * in for an assertion inside core/ in the CLI tests, which run the correct
 * core (tests/cli/test_shrink.c). */
static unsigned test_hook_count(const scenario *sc)
{
    const char *kind = getenv("RAFTSIM_TEST_ASSERT_ON");
    unsigned n = 0;
    for (size_t i = 0; kind && i < sc->n_actions; i++)
        n += strcmp(sim_action_name(sc->actions[i].kind), kind) == 0;
    return n;
}

static void test_hook(const scenario *sc)
{
    unsigned n = test_hook_count(sc);
    assert(n < 2 && "test hook: two or more marked actions");
    assert(n != 1 && "test hook: exactly one marked action");
}

static bool write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        len -= (size_t)w;
    }
    return true;
}

static _Noreturn void child_main(const scenario *sc, uint64_t seed, int result_fd, int err_fd)
{
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (dup2(err_fd, STDERR_FILENO) < 0)
        _exit(3);
    close(err_fd);
    test_hook(sc);
    trial t;
    memset(&t, 0, sizeof t);
    run_options opt = { .verbosity = -1 };
    run_result res;
    char err[256];
    if (run_scenario(sc, seed, &opt, &res, err, sizeof err) != 0) {
        t.kind = TRIAL_SETUP;
        snprintf(t.id, sizeof t.id, "setup:%s", err);
    } else {
        t.kind = TRIAL_RAN;
        t.passed = res.passed;
        failure_identity(sc, &res, t.id, sizeof t.id);
        t.end_ns = res.end_ns;
        t.trace_hash = res.trace_hash;
        t.events = res.events;
        run_result_free(&res);
    }
    _exit(write_all(result_fd, &t, sizeof t) ? 0 : 3);
}

/* The line of the child's stderr that names the crash, or NULL: a failed
 * assertion (without the program-name prefix), else a sanitizer report
 * (without the pid and addresses it carries). */
static void crash_text(const char *err, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *a = strstr(err, "Assertion `");
    if (a) {
        const char *line = a;
        while (line > err && line[-1] != '\n')
            line--;
        const char *colon = strstr(line, ": "); /* after "prog" */
        if (colon && colon < a)
            line = colon + 2;
        snprintf(buf, cap, "%.*s", (int)strcspn(line, "\n"), line);
        return;
    }
    const char *k = strstr(err, "runtime error: ");
    const char *san = strstr(err, "Sanitizer: ");
    if (k) {
        snprintf(buf, cap, "%.*s", (int)strcspn(k, "\n"), k);
    } else if (san) {
        san += strlen("Sanitizer: ");
        snprintf(buf, cap, "sanitizer: %.*s", (int)strcspn(san, " \n"), san);
    }
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

typedef struct child_io {
    int result_fd, err_fd;
    trial got;
    size_t got_len;
    char err[CHILD_STDERR_KEEP];
    size_t err_len;
} child_io;

/* Read from whichever pipe is ready; false once both are closed. */
static bool pump(child_io *io, int timeout_ms)
{
    struct pollfd p[2] = { { .fd = io->result_fd, .events = POLLIN },
                           { .fd = io->err_fd, .events = POLLIN } };
    if (io->result_fd < 0 && io->err_fd < 0)
        return false;
    int r = poll(p, 2, timeout_ms);
    if (r < 0 && errno != EINTR)
        return false;
    for (int i = 0; r > 0 && i < 2; i++) {
        if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        char scrap[4096];
        char *dst = scrap;
        size_t room = sizeof scrap;
        if (i == 0 && io->got_len < sizeof io->got) {
            dst = (char *)&io->got + io->got_len;
            room = sizeof io->got - io->got_len;
        } else if (i == 1 && io->err_len + 1 < sizeof io->err) {
            dst = io->err + io->err_len;
            room = sizeof io->err - 1 - io->err_len;
        }
        ssize_t n = read(p[i].fd, dst, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(p[i].fd);
            *(i == 0 ? &io->result_fd : &io->err_fd) = -1;
        } else if (dst != scrap) {
            *(i == 0 ? &io->got_len : &io->err_len) += (size_t)n;
        }
    }
    return true;
}

static void crashed(trial *out, int status, const child_io *io)
{
    char text[SHRINK_ID_LEN - 40];
    crash_text(io->err, text, sizeof text);
    char how[32];
    if (WIFSIGNALED(status))
        snprintf(how, sizeof how, "%s", cli_signal_name(WTERMSIG(status)));
    else
        snprintf(how, sizeof how, "exit%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    memset(out, 0, sizeof *out);
    out->kind = TRIAL_CRASHED;
    snprintf(out->id, sizeof out->id, "crash:%s%s%s", how, text[0] ? ": " : "", text);
}

void shrink_trial_run(const scenario *sc, uint64_t seed, unsigned wall_s, trial *out)
{
    int rp[2], ep[2];
    memset(out, 0, sizeof *out);
    out->kind = TRIAL_SETUP;
    if (pipe(rp) != 0 || pipe(ep) != 0) {
        snprintf(out->id, sizeof out->id, "setup:pipe: %s", strerror(errno));
        return;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(out->id, sizeof out->id, "setup:fork: %s", strerror(errno));
        close(rp[0]), close(rp[1]), close(ep[0]), close(ep[1]);
        return;
    }
    if (pid == 0) {
        close(rp[0]);
        close(ep[0]);
        child_main(sc, seed, rp[1], ep[1]);
    }
    close(rp[1]);
    close(ep[1]);
    static child_io io; /* 8 KiB of stderr: not on the stack */
    memset(&io, 0, sizeof io);
    io.result_fd = rp[0];
    io.err_fd = ep[0];
    uint64_t deadline = wall_s ? now_ms() + (uint64_t)wall_s * 1000 : 0;
    bool killed = false;
    while (pump(&io, 200)) {
        if (deadline && !killed && now_ms() > deadline) {
            kill(pid, SIGKILL); /* the safety net: the pipes close as it dies */
            killed = true;
        }
    }
    io.err[io.err_len] = '\0';
    if (io.result_fd >= 0)
        close(io.result_fd);
    if (io.err_fd >= 0)
        close(io.err_fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (killed) {
        out->kind = TRIAL_KILLED;
        snprintf(out->id, sizeof out->id, "killed:after %us of wall time", wall_s);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && io.got_len == sizeof io.got) {
        *out = io.got;
    } else {
        crashed(out, status, &io);
    }
}
