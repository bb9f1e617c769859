/* cli_harness.c — run the raftsim binary from tests. Output goes through
 * temporary files, so a chatty child can never block on a full pipe. */
#define _XOPEN_SOURCE 700 /* nftw */

#include "cli_harness.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>

/* Scratch folders made by this test process, removed by scratch_cleanup. */
static char *scratch_dirs[256];
static size_t n_scratch_dirs;

static const char *raftsim_bin(void)
{
    const char *bin = getenv("RAFTSIM_BIN");
    cr_assert(bin && *bin, "RAFTSIM_BIN must name the raftsim binary (make test-units sets it)");
    return bin;
}

static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

static _Noreturn void exec_child(const char *cwd, const char *const *args, int out_fd,
                                 int err_fd)
{
    const char *bin = raftsim_bin();
    const char *argv[64] = { bin };
    size_t n = 1;
    for (; args[n - 1] && n < 63; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    if (cwd && chdir(cwd) != 0)
        _exit(126);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    signal(SIGINT, SIG_DFL);
    execv(bin, (char *const *)argv);
    _exit(127);
}

pid_t cli_start(const char *cwd, const char *const *args, const char *dir)
{
    char out_path[4096], err_path[4096];
    snprintf(out_path, sizeof out_path, "%s/.stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/.stderr", dir);
    int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(out_fd >= 0 && err_fd >= 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0)
        exec_child(cwd, args, out_fd, err_fd);
    close(out_fd);
    close(err_fd);
    return pid;
}

int cli_wait(pid_t pid)
{
    int status;
    cr_assert(waitpid(pid, &status, 0) == pid);
    return exit_code(status);
}

cli_out cli_run(const char *cwd, const char *const *args)
{
    char *dir = scratch_dir();
    pid_t pid = cli_start(cwd, args, dir);
    cli_out o = { .status = cli_wait(pid) };
    char path[4096];
    snprintf(path, sizeof path, "%s/.stdout", dir);
    o.out = slurp(path);
    snprintf(path, sizeof path, "%s/.stderr", dir);
    o.err = slurp(path);
    cr_assert(o.out && o.err);
    free(dir);
    return o;
}

void cli_out_free(cli_out *o)
{
    free(o->out);
    free(o->err);
}

char *scratch_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char templ[4096];
    snprintf(templ, sizeof templ, "%s/raftsim-cli-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *dir = mkdtemp(templ);
    cr_assert(dir, "mkdtemp failed");
    char *copy = strdup(dir);
    cr_assert(copy);
    if (n_scratch_dirs < sizeof scratch_dirs / sizeof scratch_dirs[0])
        scratch_dirs[n_scratch_dirs++] = strdup(copy);
    return copy;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void scratch_cleanup(void)
{
    for (size_t i = 0; i < n_scratch_dirs; i++) {
        if (scratch_dirs[i])
            nftw(scratch_dirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(scratch_dirs[i]);
    }
    n_scratch_dirs = 0;
}

char *scratch_file(const char *dir, const char *name, const char *text)
{
    char *path = path_in(dir, name);
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    fputs(text, fp);
    cr_assert(fclose(fp) == 0);
    return path;
}

char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *bigger = realloc(buf, cap *= 2);
            cr_assert(bigger, "out of memory");
            buf = bigger;
        }
    }
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int count_files(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += ends_with(e->d_name, suffix);
    closedir(d);
    return n;
}

char *first_file(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *best = NULL;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!ends_with(e->d_name, suffix) || (best && strcmp(e->d_name, best) >= 0))
            continue;
        free(best);
        best = strdup(e->d_name);
    }
    closedir(d);
    if (!best)
        return NULL;
    char *path = malloc(strlen(dir) + strlen(best) + 2);
    sprintf(path, "%s/%s", dir, best);
    free(best);
    return path;
}

unsigned long long trace_hash_in(const char *text)
{
    const char *p = text ? strstr(text, "trace-hash: 0x") : NULL;
    return p ? strtoull(p + 14, NULL, 16) : 0;
}

int data_lines(const char *text)
{
    int n = 0;
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        if (*line != '#' && *line != '\n')
            n++;
        line = nl ? nl + 1 : line + strlen(line);
    }
    return n;
}

char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    cr_assert(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

const char cli_passing_scn[] =
    "# passing: a quiet three-node cluster\n"
    "nodes 3\n"
    "client c1 writer rate 50/s payload 16\n"
    "duration 1s\n"
    "expect committed >= 1\n";

const char cli_failing_scn[] =
    "# failing: asks for far more commits than one second allows\n"
    "nodes 3\n"
    "client c1 writer rate 50/s payload 16\n"
    "duration 1s\n"
    "at 200ms crash n1\n"
    "at 300ms restart n1\n"
    "at 400ms pause n2 50ms\n"
    "at 500ms partition {n1} {n2 n3}\n"
    "at 600ms heal\n"
    "at 700ms crash n3\n"
    "at 800ms restart n3\n"
    "expect committed >= 100000000\n";

cli_fixture fx;

void fixture_init(void)
{
    fx.dir = scratch_dir();
    fx.ok = scratch_file(fx.dir, "ok.scn", cli_passing_scn);
    fx.bad = scratch_file(fx.dir, "bad.scn", cli_failing_scn);
}

void fixture_fini(void)
{
    free(fx.ok);
    free(fx.bad);
    free(fx.dir);
    fx = (cli_fixture){ NULL, NULL, NULL };
    scratch_cleanup();
}
