/* sweep_merge.c — `raftsim sweep --merge FILE...`: one table for the results
 * files of several shards (or several machines, or resumed runs). A seed
 * recorded twice counts once; if its two trace hashes differ the run was not
 * deterministic, and the merge says so loudly. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

typedef struct merge_entry {
    uint32_t scenario; /* index into the scenario-name table */
    uint64_t seed;
    const char *line;
} merge_entry;

typedef struct merge_state {
    char names[64][128];
    size_t n_names;
    merge_entry *e;
    size_t n, cap;
} merge_state;

/* A sweep is identified by its scenario and its options key: shards of one
 * sweep merge, while runs under other options are kept apart (their seeds
 * legitimately give other trace hashes). */
static int scenario_id(merge_state *m, const char *path, const char *text)
{
    const char *s = strstr(text, "\n# scenario: ");
    const char *o = strstr(text, "\n# options: ");
    char name[128] = "?";
    if (s)
        snprintf(name, sizeof name, "%.*s [options %.*s]", (int)strcspn(s + 13, "\n"),
                 s + 13, o ? (int)strcspn(o + 12, "\n") : 1, o ? o + 12 : "?");
    for (size_t i = 0; i < m->n_names; i++)
        if (strcmp(m->names[i], name) == 0)
            return (int)i;
    if (m->n_names == sizeof m->names / sizeof m->names[0]) {
        fprintf(stderr, "raftsim sweep: %s: too many different scenarios to merge\n", path);
        return -1;
    }
    snprintf(m->names[m->n_names], sizeof m->names[0], "%s", name);
    return (int)m->n_names++;
}

static int add_entry(merge_state *m, uint32_t scn, uint64_t seed, const char *line)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4096;
        merge_entry *bigger = realloc(m->e, cap * sizeof *bigger);
        if (!bigger) {
            fprintf(stderr, "raftsim sweep: out of memory\n");
            return -1;
        }
        m->e = bigger;
        m->cap = cap;
    }
    m->e[m->n++] = (merge_entry){ scn, seed, line };
    return 0;
}

static int collect_file(merge_state *m, const char *path, const char *text)
{
    if (strncmp(text, "# raftsim sweep results v1\n", 27) != 0) {
        fprintf(stderr, "raftsim sweep: %s is not a raftsim results file\n", path);
        return -1;
    }
    int scn = scenario_id(m, path, text);
    if (scn < 0)
        return -1;
    const char *nl;
    for (const char *line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        seed_result r;
        if (*line == '#' || !parse_result_line(line, &r))
            continue;
        if (add_entry(m, (uint32_t)scn, r.seed, line) != 0)
            return -1;
    }
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const merge_entry *x = a, *y = b;
    if (x->scenario != y->scenario)
        return x->scenario < y->scenario ? -1 : 1;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Tally the sorted entries; returns how many seeds disagreed with themselves. */
static uint64_t tally_entries(const merge_state *m, sweep_tally *t)
{
    uint64_t mismatches = 0;
    seed_result prev;
    for (size_t i = 0; i < m->n; i++) {
        seed_result r;
        parse_result_line(m->e[i].line, &r);
        bool dup = i > 0 && entry_cmp(&m->e[i - 1], &m->e[i]) == 0;
        if (dup && r.trace_hash != prev.trace_hash) {
            mismatches++;
            fprintf(stderr, "raftsim sweep: NONDETERMINISM: %s seed %" PRIu64
                            " recorded with trace hashes 0x%016" PRIx64 " and 0x%016" PRIx64
                            "\n", m->names[m->e[i].scenario], r.seed, prev.trace_hash,
                    r.trace_hash);
        }
        if (!dup)
            tally_add(t, &r);
        prev = r;
    }
    return mismatches;
}

static void print_title(const merge_state *m, size_t n_files, char *buf, size_t cap)
{
    int used = snprintf(buf, cap, "merged %zu results file%s; scenario%s:", n_files,
                        n_files == 1 ? "" : "s", m->n_names == 1 ? "" : "s");
    for (size_t i = 0; i < m->n_names && used >= 0 && (size_t)used < cap; i++)
        used += snprintf(buf + used, cap - (size_t)used, "%s %s", i ? "," : "", m->names[i]);
}

int results_merge(char **paths, size_t n)
{
    merge_state *m = calloc(1, sizeof *m);
    char **texts = calloc(n ? n : 1, sizeof *texts);
    int rc = m && texts ? EXIT_PASS : EXIT_USAGE;
    for (size_t i = 0; rc == EXIT_PASS && i < n; i++) {
        texts[i] = read_text_file(paths[i], NULL);
        if (!texts[i] || collect_file(m, paths[i], texts[i]) != 0)
            rc = EXIT_USAGE;
    }
    if (rc == EXIT_PASS) {
        if (m->n > 1)
            qsort(m->e, m->n, sizeof *m->e, entry_cmp);
        sweep_tally t;
        memset(&t, 0, sizeof t);
        uint64_t mismatches = tally_entries(m, &t);
        char title[2048];
        print_title(m, n, title, sizeof title);
        tally_print(stdout, &t, title);
        if (t.explore)
            explore_report(stdout, &t, NULL);
        if (mismatches)
            printf("  nondeterministic   %10" PRIu64 "   (same seed, different trace hash)\n",
                   mismatches);
        rc = t.failed || mismatches ? EXIT_FAIL : EXIT_PASS;
    }
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    if (m)
        free(m->e);
    free(m);
    return rc;
}
