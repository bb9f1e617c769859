/* scenario.c — parse a scenario file into a plan (scenario.h).
 *
 * Two passes over the lines: the first reads only `nodes` and the client
 * names, so that endpoint names (n3, c1 = endpoint n_nodes + 1) resolve the
 * same wherever those lines sit; the second runs every command's handler
 * from the tables in scenario_cmds.c / scenario_actions.c / scenario_chaos.c.
 * Any error stops the parse: one "path:line:col: error: expected ..." and
 * nothing allocated. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define SCN_MAX_FILE (16u << 20)

static const scn_command *lookup(const scn_command *cmds, size_t n, const scn_tok *t)
{
    for (size_t i = 0; i < n; i++)
        if (scn_tok_is(t, cmds[i].name))
            return &cmds[i];
    return NULL;
}

static int chaos_line(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    if (scn_tok_is(t, "}")) {
        p->in_chaos = false;
        return scn_end(p);
    }
    size_t n;
    const scn_command *cmds = scn_chaos_commands(&n);
    const scn_command *c = lookup(cmds, n, t);
    if (!c)
        return scn_error(p, t->col, "expected a chaos fault (crash, partition, isolate, cut, "
                         "pause, drop-burst, drift, transfer, from, max-down) or '}', "
                         "got '%.*s'", (int)t->len, t->s);
    return c->fn(p);
}

static int top_line(scn_parser *p)
{
    const scn_tok *t = scn_next(p);
    size_t n;
    const scn_command *cmds = scn_top_commands(&n);
    const scn_command *c = lookup(cmds, n, t);
    if (p->pass == 1) /* only what endpoint names depend on */
        return c && (strcmp(c->name, "nodes") == 0 || strcmp(c->name, "client") == 0)
                   ? c->fn(p) : 0;
    if (scn_tok_is(t, "}"))
        return scn_error(p, t->col, "expected a command, got '}' outside a chaos or repeat "
                         "block");
    if (c && strcmp(c->name, "explore") != 0 && p->other_line == 0) {
        p->other_line = p->ln->line;
        p->other_col = t->col;
    }
    if (c && strcmp(c->name, "nodes") == 0)
        return 0; /* done in pass 1 */
    if (!c)
        return scn_error(p, t->col, "expected a command (nodes, client, at, expect, chaos, "
                         "duration, ...; see scenarios/README.md), got '%.*s'",
                         (int)t->len, t->s);
    return c->fn(p);
}

/* Run one pass over every line. *n_lines counts lines with words. */
static int parse_pass(scn_parser *p, const char *text, size_t len, scn_line *ln,
                      uint32_t *n_lines)
{
    uint32_t line = 1;
    *n_lines = 0;
    for (size_t i = 0; i <= len; line++) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        int rc = scn_tokenize(p, text + i, end - i, line, ln);
        if (rc)
            return rc;
        if (ln->n > 0) {
            (*n_lines)++;
            if (p->pass == 1 && (p->in_chaos || p->in_explore)) {
                if (scn_tok_is(&ln->tok[0], "}")) /* pass 1 skips the block */
                    p->in_chaos = p->in_explore = false;
            } else if ((rc = p->in_chaos     ? chaos_line(p)
                           : p->in_explore ? scn_explore_line(p)
                           : p->in_repeat  ? scn_repeat_line(p)
                                           : top_line(p)))
                return rc;
            else if (p->pass == 1 && scn_tok_is(&ln->tok[0], "chaos"))
                p->in_chaos = true;
            else if (p->pass == 1 && scn_tok_is(&ln->tok[0], "explore"))
                p->in_explore = true;
        }
        i = end + 1;
    }
    return 0;
}

static int finish(scn_parser *p, uint32_t n_lines, uint32_t last_line)
{
    static const scn_line none = { .n = 0, .line = 1 };
    if (n_lines == 0) {
        p->ln = &none;
        return scn_error(p, 1, "expected a scenario, got an empty file");
    }
    if (p->in_explore) {
        scn_line at = { .n = 0, .line = p->explore_line };
        p->ln = &at;
        scn_error(p, p->explore_col,
                  "expected '}' to close this explore block (file ends at line %u)", last_line);
        p->ln = NULL;
        return 2;
    }
    if (p->sc->explore && p->other_line) {
        scn_line at = { .n = 0, .line = p->other_line };
        p->ln = &at;
        scn_error(p, p->other_col, "expected only the explore block in a space file (every "
                  "setting of a run is drawn from it)");
        p->ln = NULL;
        return 2;
    }
    if (p->in_chaos) {
        scn_line at = { .n = 0, .line = p->chaos_line };
        p->ln = &at;
        scn_error(p, p->chaos_col, "expected '}' to close this chaos block (file ends at line %u)",
                  last_line);
        p->ln = NULL;
        return 2;
    }
    if (scn_repeat_unclosed(p, last_line))
        return 2;
    return scn_check_limits(p);
}

static void scenario_init(scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    sim_config_default(&sc->cfg);
    sc->cfg.client_links_reliable = true; /* the language's default (issue 17) */
}

int scenario_parse(const char *path, const char *text, size_t len, scenario *out, char *err,
                   size_t err_cap)
{
    scenario sc;
    scenario_init(&sc);
    if (!text) { /* an empty file: reported as such below */
        text = "";
        len = 0;
    }
    scn_line *ln = malloc(sizeof *ln);
    scn_parser p = { .sc = &sc, .path = path ? path : "<scenario>", .err = err,
                     .err_cap = err_cap };
    if (err_cap)
        err[0] = 0;
    int rc = ln ? scn_check_text(&p, text, len) : 2;
    if (!ln)
        snprintf(err, err_cap, "%s:1:1: error: out of memory", p.path);
    uint32_t n_lines = 0, last_line = 1;
    for (p.pass = 1; rc == 0 && p.pass <= 2; p.pass++) {
        p.in_chaos = p.in_explore = false;
        p.in_repeat = false;
        rc = parse_pass(&p, text, len, ln, &n_lines);
        last_line = ln->line;
    }
    if (rc == 0)
        rc = finish(&p, n_lines, last_line);
    free(ln);
    if (rc == 0) {
        sc.path = strdup(p.path);
        sc.text = malloc(len + 1);
        if (!sc.path || !sc.text) {
            snprintf(err, err_cap, "%s:1:1: error: out of memory", p.path);
            rc = 2;
        } else {
            memcpy(sc.text, text, len);
            sc.text[len] = 0;
        }
    }
    if (rc) {
        scenario_free(&sc);
        return 2;
    }
    *out = sc;
    return 0;
}

int scenario_load(const char *path, scenario *out, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_cap, "%s:1:1: error: expected a readable file (%s)", path,
                 strerror(errno));
        return 2;
    }
    char *buf = malloc(SCN_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, SCN_MAX_FILE + 1, f) : 0;
    bool read_error = ferror(f);
    fclose(f);
    int rc = 2;
    if (!buf)
        snprintf(err, err_cap, "%s:1:1: error: out of memory", path);
    else if (read_error)
        snprintf(err, err_cap, "%s:1:1: error: expected a readable file", path);
    else if (n > SCN_MAX_FILE)
        snprintf(err, err_cap, "%s:1:1: error: expected a file of at most %u bytes", path,
                 SCN_MAX_FILE);
    else
        rc = scenario_parse(path, buf, n, out, err, err_cap);
    free(buf);
    return rc;
}

void scenario_free(scenario *sc)
{
    free(sc->path);
    free(sc->text);
    free(sc->actions);
    free(sc->expects);
    free(sc->explore);
    free(sc->repeats);
    memset(sc, 0, sizeof *sc);
}
