/* cmd_view.c — `raftsim view TRACE.jsonl -o FILE.html`: one self-contained
 * HTML page for a run (the viewer in tools/view/, compiled in as a generated
 * header), with the trace embedded; no network, no other files at view time.
 * Also used by `raftsim run FILE --html DIR`. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "view_assets.h" /* generated from tools/view/ by mk/view.mk */

/* A page past this many trace lines would freeze the browser: view a
 * window of it (--from/--to) instead. */
enum { VIEW_MAX_LINES = 1000000 };

static const char view_usage[] =
    "usage: raftsim view TRACE.jsonl -o FILE.html [--from TIME] [--to TIME]\n"
    "\n"
    "Write one self-contained HTML page (works offline, opened as a file) that\n"
    "shows a run's trace (`raftsim run FILE --trace TRACE.jsonl`): a timeline\n"
    "lane per node, fault bands and client operations; a step-through of every\n"
    "event with each node's log, commit and applied marks and the messages in\n"
    "flight (keys: left/right arrows, Shift for 100, Home/End, v = violation);\n"
    "a message diagram; throughput, latency and leader changes; the verdict\n"
    "and, on a violation, the failing event with the broken rule.\n"
    "\n"
    "  -o, --output FILE.html  the page to write (required)\n"
    "  --from TIME             only events at or after TIME (e.g. 2s, 1500ms);\n"
    "                          earlier state changes are kept so logs are right\n"
    "  --to TIME               only events up to TIME\n"
    "  --help                  this text\n"
    "\n"
    "Traces over 1000000 lines need a window. `raftsim run FILE --html DIR`\n"
    "runs a scenario and writes DIR/NAME.jsonl and DIR/NAME.html in one step.\n"
    "exit status: 0 written, 2 bad input\n";

enum { O_OUT = 1, O_FROM, O_TO, O_HELP };
static const opt_spec view_specs[] = {
    { "output", 'o', OPT_ARG, O_OUT }, { "from", 0, OPT_ARG, O_FROM },
    { "to", 0, OPT_ARG, O_TO },        { "help", 'h', OPT_NOARG, O_HELP },
};

/* "2s", "1500ms", "250us", "10ns" or a bare number of ns. */
static bool parse_time(const char *s, uint64_t *ns)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    static const struct { const char *unit; uint64_t mul; } units[] = {
        { "", 1 }, { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0 && v <= UINT64_MAX / units[i].mul) {
            *ns = v * units[i].mul;
            return true;
        }
    return false;
}

/* Events that change a node's state: kept before --from, so the page's logs,
 * roles and terms are right at the window's start. */
static bool is_state_event(const char *ev, size_t len)
{
    static const char *const keep[] = {
        "role", "term", "append", "truncate", "commit", "apply", "snapshot-taken",
        "snapshot-installed", "crash", "restart", "pause", "resume", "action", "heal",
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (strlen(keep[i]) == len && memcmp(keep[i], ev, len) == 0)
            return true;
    return false;
}

/* Write `s` into a <script> element: "</" becomes "<\/" (the same string in
 * JSON, and it cannot end the element). */
static void put_script_text(FILE *out, const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    for (const char *q; (q = memchr(p, '<', (size_t)(end - p))) != NULL; p = q + 1) {
        fwrite(p, 1, (size_t)(q - p) + 1, out);
        if (q + 1 < end && q[1] == '/')
            fputc('\\', out);
    }
    fwrite(p, 1, (size_t)(end - p), out);
}

/* The template up to the marker `mark` (advancing *pos past it). */
static void put_until(FILE *out, const char **pos, const char *mark)
{
    const char *at = strstr(*pos, mark);
    if (!at) {
        fputs(*pos, out);
        *pos += strlen(*pos);
        return;
    }
    fwrite(*pos, 1, (size_t)(at - *pos), out);
    *pos = at + strlen(mark);
}

/* Copy the trace's lines in the window into out; 0, or EXIT_USAGE after a
 * "file:line:col: error:" message for a line that is not a trace event. */
static int put_trace(FILE *out, const char *path, const char *text, uint64_t from, uint64_t to)
{
    unsigned long line_no = 0, kept = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        line_no++;
        if (len == 0 || (len == 1 && *p == '\r')) {
            p += len + (nl != NULL);
            continue;
        }
        unsigned long long t;
        int name_at = 0;
        if (sscanf(p, "{\"t\":%llu,\"ev\":\"%n", &t, &name_at) != 1 || name_at == 0) {
            fprintf(stderr, "%s:%lu:1: error: not a raftsim trace event (expected {\"t\":N,\"ev\":...})\n",
                    path, line_no);
            return EXIT_USAGE;
        }
        const char *ev = p + name_at;
        size_t ev_len = strcspn(ev, "\"");
        bool edge = (ev_len == 6 && memcmp(ev, "header", 6) == 0) ||
                    (ev_len == 3 && memcmp(ev, "end", 3) == 0);
        bool keep = edge || (t >= from && t <= to) || (t < from && is_state_event(ev, ev_len));
        if (keep) {
            if (++kept > VIEW_MAX_LINES) {
                fprintf(stderr, "%s: error: over %d trace lines in the page: view a window of "
                                "it with --from/--to\n", path, VIEW_MAX_LINES);
                return EXIT_USAGE;
            }
            put_script_text(out, p, len);
            fputc('\n', out);
        }
        p += len + (nl != NULL);
    }
    if (line_no == 0) {
        fprintf(stderr, "%s:1:1: error: the trace is empty\n", path);
        return EXIT_USAGE;
    }
    return 0;
}

int view_write_html(const char *trace_path, const char *html_path, uint64_t from, uint64_t to)
{
    size_t len;
    char *text = read_text_file(trace_path, &len);
    if (!text)
        return EXIT_USAGE;
    atomic_file af;
    if (atomic_open(&af, html_path) != 0) {
        free(text);
        return EXIT_USAGE;
    }
    const char *pos = view_asset_html;
    put_until(af.fp, &pos, "/*@CSS@*/");
    fputs(view_asset_css, af.fp);
    put_until(af.fp, &pos, "<!--@DATA@-->");
    int rc = put_trace(af.fp, trace_path, text, from, to);
    if (from || to != UINT64_MAX)
        fprintf(af.fp, "{\"t\":0,\"ev\":\"window\",\"from\":%" PRIu64 ",\"to\":%" PRIu64 "}\n",
                from, to);
    put_until(af.fp, &pos, "/*@JS@*/");
    put_script_text(af.fp, view_asset_js, strlen(view_asset_js));
    fputs(pos, af.fp);
    free(text);
    if (rc != 0) {
        atomic_abort(&af);
        return rc;
    }
    return atomic_commit(&af) == 0 ? EXIT_PASS : EXIT_USAGE;
}

int cmd_view(int argc, char **argv, const cli_globals *g)
{
    (void)g;
    const char *file = NULL, *out = NULL;
    uint64_t from = 0, to = UINT64_MAX;
    bool help = false;
    opt_parser p;
    opt_init(&p, argc, argv, view_specs, sizeof view_specs / sizeof view_specs[0], "raftsim view");
    const char *v;
    int id;
    while ((id = opt_next(&p, &v)) != OPT_END) {
        switch (id) {
        case OPT_ERROR: return EXIT_USAGE;
        case OPT_POSITIONAL:
            if (cli_one_file(&file, v, "raftsim view", "trace file") != 0)
                return EXIT_USAGE;
            break;
        case O_OUT: out = v; break;
        case O_FROM: case O_TO:
            if (!parse_time(v, id == O_FROM ? &from : &to)) {
                fprintf(stderr, "raftsim view: --%s needs a time such as 2s or 1500ms, got '%s'\n",
                        id == O_FROM ? "from" : "to", v);
                return EXIT_USAGE;
            }
            break;
        case O_HELP: help = true; break;
        default: return EXIT_USAGE;
        }
    }
    if (!help && !file)
        return cli_missing_file("raftsim view", "TRACE.jsonl");
    if (!help && !out)
        return cli_missing_file("raftsim view", "-o FILE.html");
    int rc = cli_parsed(help, view_usage);
    if (rc >= 0)
        return rc;
    if (from > to) {
        fprintf(stderr, "raftsim view: --from is after --to\n");
        return EXIT_USAGE;
    }
    return view_write_html(file, out, from, to);
}
