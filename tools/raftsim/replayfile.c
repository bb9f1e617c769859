/* replayfile.c — replay files: a failing run as a self-contained scenario.
 *
 * A replay file is an ordinary scenario file (scenario_write) holding the
 * config, every action that was executed — chaos-generated ones spelled out
 * with their concrete targets — the expectations and the seed. Its leading
 * comment records what failed, the trace hash the failing run produced, any
 * --bug that was on, and the command that replays it:
 *
 *   # failed: election-safety
 *   # trace-hash: 0x3f2a...
 *   # bug: no-uptodate-check
 *   # replay: raftsim replay failures/chaos-seed17.replay
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void header_text(char *buf, size_t cap, const char *path, const scenario *sc,
                        uint64_t seed, const run_result *res, const char *key,
                        uint64_t bugs, const char *prog)
{
    char bug_names[512], vt[32];
    bug_mask_names(bugs, bug_names, sizeof bug_names);
    format_seconds(res->end_ns, vt, sizeof vt);
    int n = snprintf(buf, cap,
                     "raftsim replay file: scenario %s, seed %" PRIu64 "\n"
                     "failed: %s\n"
                     "reason: %s\n"
                     "trace-hash: 0x%016" PRIx64 "\n"
                     "events: %" PRIu64 ", virtual time %s\n",
                     sc->path ? sc->path : "?", seed, key, res->reason[0] ? res->reason : "-",
                     res->trace_hash, res->events, vt);
    if (n < 0 || (size_t)n >= cap)
        return;
    size_t used = (size_t)n;
    if (bug_names[0]) {
        n = snprintf(buf + used, cap - used, "bug: %s\n", bug_names);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
    snprintf(buf + used, cap - used, "replay: %s replay %s", prog, path);
}

int replay_write(const char *path, const scenario *sc, uint64_t seed, const run_result *res,
                 const char *key, uint64_t bugs, const char *prog)
{
    char header[2048];
    header_text(header, sizeof header, path, sc, seed, res, key, bugs, prog);
    /* The reason may hold a newline from a sloppy message: keep one line each. */
    for (char *nl = strchr(header, '\r'); nl; nl = strchr(nl, '\r'))
        *nl = ' ';
    atomic_file af;
    if (atomic_open(&af, path) != 0)
        return -1;
    if (scenario_write(af.fp, sc, res->executed, res->n_executed, seed, header) != 0) {
        fprintf(stderr, "raftsim: cannot write the replay file %s\n", path);
        atomic_abort(&af);
        return -1;
    }
    return atomic_commit(&af);
}

/* One "# key: value" comment line; returns the value or NULL. */
static const char *comment_value(const char *line, const char *key)
{
    if (*line != '#')
        return NULL;
    line++;
    while (*line == ' ' || *line == '\t')
        line++;
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0 || line[k] != ':')
        return NULL;
    line += k + 1;
    while (*line == ' ' || *line == '\t')
        line++;
    return line;
}

static int header_take_bugs(const char *path, const char *v, replay_header *h)
{
    char name[64];
    while (*v && *v != '\n') {
        size_t n = strcspn(v, ",\n ");
        if (n == 0 || n >= sizeof name) {
            if (path)
                fprintf(stderr, "%s: error: bad `# bug:` line in the header\n", path);
            return EXIT_USAGE;
        }
        memcpy(name, v, n);
        name[n] = '\0';
        int idx = bug_index_from_name(name);
        if (idx < 0) {
            if (path)
                fprintf(stderr, "%s: error: unknown bug '%s' in the header\n", path, name);
            return EXIT_USAGE;
        }
        h->bugs |= UINT64_C(1) << idx;
        v += n;
        v += strspn(v, ", ");
    }
    return 0;
}

/* Line and column (1-based) of `at` in text, for messages. */
static void line_col(const char *text, const char *at, unsigned *line, unsigned *col)
{
    *line = 1;
    const char *start = text;
    for (const char *p = text; p < at; p++)
        if (*p == '\n') {
            (*line)++;
            start = p + 1;
        }
    *col = (unsigned)(at - start) + 1;
}

/* "# trace-hash: 0x" and 1 to 16 hex digits, nothing else on the line: a
 * hash that is not one (`banana`, more than 64 bits) is an error, never
 * read as some other number. */
static int header_take_hash(const char *path, const char *text, const char *v,
                            replay_header *h)
{
    size_t len = strcspn(v, "\r\n");
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    size_t digits = 0;
    bool prefix = len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    if (prefix)
        digits = strspn(v + 2, "0123456789abcdefABCDEF");
    const char *why = NULL;
    if (!prefix || digits == 0 || digits + 2 != len)
        why = "is not a trace hash (0x followed by 1 to 16 hex digits)";
    else if (digits > 16)
        why = "has more than 64 bits (at most 16 hex digits)";
    if (why && !path)
        return EXIT_USAGE;
    if (why) {
        unsigned ln, col;
        line_col(text, v, &ln, &col);
        fprintf(stderr, "%s:%u:%u: error: `# trace-hash: %.*s` %s\n", path, ln, col,
                (int)(len < 80 ? len : 80), v, why);
        return EXIT_USAGE;
    }
    uint64_t x = 0;
    for (size_t i = 0; i < digits; i++) {
        char c = v[2 + i];
        x = x << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    h->trace_hash = x;
    h->has_hash = true;
    return 0;
}

int replay_header_read(const char *path, const char *text, replay_header *h)
{
    memset(h, 0, sizeof *h);
    const char *next;
    for (const char *line = text; *line; line = next) {
        const char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : line + strlen(line);
        if (*line != '#' && *line != '\n')
            break; /* the header is the leading comment block */
        const char *v;
        if ((v = comment_value(line, "trace-hash")) != NULL) {
            if (header_take_hash(path, text, v, h) != 0)
                return EXIT_USAGE;
        } else if ((v = comment_value(line, "bug")) != NULL) {
            if (header_take_bugs(path, v, h) != 0)
                return EXIT_USAGE;
        } else if ((v = comment_value(line, "failed")) != NULL) {
            size_t n = strcspn(v, "\n");
            snprintf(h->failure, sizeof h->failure, "%.*s", (int)n, v);
        }
    }
    return 0;
}

void replay_hash_mismatch(uint64_t recorded, uint64_t replayed)
{
    fprintf(stderr,
            "  recorded trace-hash 0x%016" PRIx64 "\n"
            "  replayed trace-hash 0x%016" PRIx64 "\n"
            "  (a different build, different --bug flags, or a determinism bug)\n",
            recorded, replayed);
}
