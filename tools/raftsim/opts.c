/* opts.c — option parsing helpers shared by every command. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void opt_init(opt_parser *p, int argc, char **argv, const opt_spec *specs, size_t n_specs,
              const char *cmd)
{
    assert(argc >= 1);
    *p = (opt_parser){ argc, argv, 1, specs, n_specs, cmd };
}

static const opt_spec *find_long(const opt_parser *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->n_specs; i++)
        if (strlen(p->specs[i].name) == len && strncmp(p->specs[i].name, name, len) == 0)
            return &p->specs[i];
    return NULL;
}

static const opt_spec *find_short(const opt_parser *p, char c)
{
    for (size_t i = 0; i < p->n_specs; i++)
        if (p->specs[i].short_name == c)
            return &p->specs[i];
    return NULL;
}

/* Attach the value of an option that takes one: "--x=v", "--x v", "-x v". */
static int take_value(opt_parser *p, const opt_spec *s, const char *inline_val,
                      const char *shown, const char **arg)
{
    *arg = NULL;
    if (s->arg == OPT_NOARG) {
        if (inline_val) {
            fprintf(stderr, "%s: option %s takes no value\n", p->cmd, shown);
            return OPT_ERROR;
        }
        return s->id;
    }
    if (inline_val || s->arg == OPT_OPTARG) {
        *arg = inline_val;
        return s->id;
    }
    if (p->next >= p->argc) {
        fprintf(stderr, "%s: option %s needs a value\n", p->cmd, shown);
        return OPT_ERROR;
    }
    *arg = p->argv[p->next++];
    return s->id;
}

int opt_next(opt_parser *p, const char **arg)
{
    if (p->next >= p->argc)
        return OPT_END;
    const char *w = p->argv[p->next++];
    if (w[0] != '-' || w[1] == '\0') {
        *arg = w;
        return OPT_POSITIONAL;
    }
    const opt_spec *s;
    const char *inline_val = NULL;
    if (w[1] == '-') {
        const char *eq = strchr(w + 2, '=');
        size_t len = eq ? (size_t)(eq - (w + 2)) : strlen(w + 2);
        s = find_long(p, w + 2, len);
        inline_val = eq ? eq + 1 : NULL;
    } else {
        s = find_short(p, w[1]);
        if (s && w[2] != '\0') /* "-j8": an attached value */
            inline_val = s->arg == OPT_ARG ? w + 2 : NULL;
        if (s && w[2] != '\0' && !inline_val)
            s = NULL;
    }
    if (!s) {
        fprintf(stderr, "%s: unknown option '%s' (try `%s --help`)\n", p->cmd, w, p->cmd);
        return OPT_ERROR;
    }
    return take_value(p, s, inline_val, w, arg);
}

bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0')
        return false;
    *out = (uint64_t)v;
    return true;
}

bool parse_seed_range(const char *s, uint64_t *first, uint64_t *last)
{
    char buf[64];
    if (!s || strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    char *dash = strchr(buf, '-');
    if (!dash)
        return parse_u64(buf, first) && (*last = *first, true);
    *dash = '\0';
    return parse_u64(buf, first) && parse_u64(dash + 1, last) && *first <= *last;
}

bool parse_shard(const char *s, uint32_t *index, uint32_t *count)
{
    char buf[64];
    if (!s || strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    char *slash = strchr(buf, '/');
    if (!slash)
        return false;
    *slash = '\0';
    uint64_t i, n;
    if (!parse_u64(buf, &i) || !parse_u64(slash + 1, &n))
        return false;
    if (n == 0 || n > UINT32_MAX || i < 1 || i > n)
        return false;
    *index = (uint32_t)i;
    *count = (uint32_t)n;
    return true;
}

int bug_index_from_name(const char *name)
{
    for (int i = 0; i < RAFT_BUG__COUNT; i++)
        if (strcmp(raft_bug_flag(i), name) == 0)
            return i;
    return -1;
}

void bug_mask_names(uint64_t mask, char *buf, size_t cap)
{
    assert(cap > 0);
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < RAFT_BUG__COUNT; i++) {
        if (!(mask & (UINT64_C(1) << i)))
            continue;
        int n = snprintf(buf + used, cap - used, "%s%s", used ? "," : "", raft_bug_flag(i));
        if (n < 0 || (size_t)n >= cap - used)
            return; /* truncated: the names are for people, not for parsing back */
        used += (size_t)n;
    }
}

int check_bugs_available(uint64_t mask)
{
    if (mask == 0 || raft_bugs_compiled())
        return 0;
    fprintf(stderr, "raftsim: this build has no bug catalogue; build it with `make bugs`\n");
    return EXIT_USAGE;
}

int set_list_add(set_list *sl, const char *kv, const char *cmd)
{
    if (sl->n >= sizeof sl->items / sizeof sl->items[0]) {
        fprintf(stderr, "%s: too many --set options\n", cmd);
        return EXIT_USAGE;
    }
    if (!strchr(kv, '=')) {
        fprintf(stderr, "%s: --set needs key=value, got '%s'\n", cmd, kv);
        return EXIT_USAGE;
    }
    sl->items[sl->n++] = kv;
    return 0;
}

int cli_load_scenario(const char *path, const set_list *sets, uint64_t bugs, scenario *sc)
{
    char err[512];
    if (scenario_load(path, sc, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (sc->explore) {
        fprintf(stderr, "%s:1:1: error: expected a scenario, got an explore space (run it "
                "with `raftsim explore %s --seeds A-B`)\n", path, path);
        scenario_free(sc);
        return EXIT_USAGE;
    }
    for (size_t i = 0; sets && i < sets->n; i++) {
        if (scenario_set(sc, sets->items[i], err, sizeof err) != 0) {
            fprintf(stderr, "--set %s: %s\n", sets->items[i], err);
            scenario_free(sc);
            return EXIT_USAGE;
        }
    }
    sc->cfg.raft.bugs |= bugs;
    /* A `bug` line in a build without the catalogue would silently run the
     * correct code: refuse instead. */
    if (check_bugs_available(sc->cfg.raft.bugs) != 0) {
        scenario_free(sc);
        return EXIT_USAGE;
    }
    return 0;
}
