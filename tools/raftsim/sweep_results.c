/* sweep_results.c — the results file of a sweep: one line per seed, appended
 * as seeds complete, so a rerun with the same --out resumes where an
 * interrupted one stopped, and shards' files merge into one table.
 *
 *   # raftsim sweep results v1
 *   # scenario: chaos.scn
 *   # options: 0x5c1e...          (hash of scenario text and options)
 *   # columns: seed verdict failure trace-hash events virtual-ns coverage
 *   17 FAIL election-safety 0x3f2a... 48211 2113000000 cov=1,0,4,...
 *
 * `raftsim explore` adds the dimensions the seed switched on: `dims=0x...`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep.h"

static const char results_magic[] = "# raftsim sweep results v1\n";

static void results_path(const sweep_config *cfg, char *buf, size_t cap)
{
    if (cfg->shard_count > 1)
        snprintf(buf, cap, "%s/%s-shard%" PRIu32 "of%" PRIu32 ".results", cfg->out_dir,
                 cfg->stem, cfg->shard_index, cfg->shard_count);
    else
        snprintf(buf, cap, "%s/%s.results", cfg->out_dir, cfg->stem);
}

/* Parse "seed verdict failure 0xhash events ns cov=a,b,...". */
bool parse_result_line(const char *line, seed_result *r)
{
    memset(r, 0, sizeof *r);
    char verdict[8], key[SWEEP_KEY_LEN];
    uint64_t seed, hash, events, ns;
    int used = 0;
    if (sscanf(line, "%" SCNu64 " %7s %47s 0x%" SCNx64 " %" SCNu64 " %" SCNu64 "%n", &seed,
               verdict, key, &hash, &events, &ns, &used) != 6)
        return false;
    bool pass = strcmp(verdict, "PASS") == 0;
    if (!pass && strcmp(verdict, "FAIL") != 0)
        return false;
    *r = (seed_result){ .seed = seed, .passed = pass, .trace_hash = hash, .events = events,
                        .end_ns = ns };
    snprintf(r->key, sizeof r->key, "%s", key);
    const char *dims = strstr(line + used, " dims=0x");
    if (dims)
        r->dims = strtoull(dims + 8, NULL, 16);
    const char *cov = strstr(line + used, "cov=");
    for (int c = 0; cov && c < SIM_COV__COUNT; c++) {
        char *end;
        r->coverage[c] = strtoull(cov + (c == 0 ? 4 : 1), &end, 10);
        cov = *end == ',' ? end : NULL;
    }
    return true;
}

static int seed_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

bool results_has_seed(const uint64_t *done, size_t n_done, uint64_t seed)
{
    return n_done > 0 && bsearch(&seed, done, n_done, sizeof *done, seed_cmp) != NULL;
}

/* Check the header of an existing file against this sweep. */
static int check_header(const char *path, const char *text, uint64_t key)
{
    if (strncmp(text, results_magic, sizeof results_magic - 1) != 0) {
        fprintf(stderr, "raftsim sweep: %s is not a raftsim results file\n", path);
        return EXIT_USAGE;
    }
    const char *opt = strstr(text, "\n# options: 0x");
    if (!opt || strtoull(opt + 14, NULL, 16) != key) {
        fprintf(stderr,
                "raftsim sweep: %s was written for a different scenario or different options;\n"
                "  use another --out folder or remove the file to start afresh\n", path);
        return EXIT_USAGE;
    }
    return 0;
}

/* Drop a partial last line (the writer was killed mid-line). */
static int drop_partial_line(const char *path, const char *text, size_t len)
{
    if (len == 0 || text[len - 1] == '\n')
        return 0;
    const char *nl = strrchr(text, '\n');
    off_t keep = nl ? (off_t)(nl - text + 1) : 0;
    if (truncate(path, keep) != 0) {
        fprintf(stderr, "raftsim sweep: cannot repair %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    fprintf(stderr, "raftsim sweep: %s: dropped an incomplete last line\n", path);
    return 0;
}

/* Load the seeds already recorded for this sweep's range and shard. */
static int load_done(const sweep_config *cfg, const char *text, uint64_t **done, size_t *n_done,
                     sweep_tally *t)
{
    size_t cap = 0;
    const char *nl;
    for (const char *line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        seed_result r;
        if (*line == '#' || !parse_result_line(line, &r))
            continue;
        if (r.seed < cfg->first || r.seed > cfg->last || !sweep_seed_in_shard(cfg, r.seed))
            continue;
        if (*n_done == cap) {
            cap = cap ? cap * 2 : 1024;
            uint64_t *bigger = realloc(*done, cap * sizeof **done);
            if (!bigger) {
                fprintf(stderr, "raftsim sweep: out of memory\n");
                return EXIT_USAGE;
            }
            *done = bigger;
        }
        (*done)[(*n_done)++] = r.seed;
        tally_add(t, &r);
        t->resumed++;
    }
    if (*n_done > 1)
        qsort(*done, *n_done, sizeof **done, seed_cmp);
    size_t unique = 0; /* a seed recorded twice (two runs on one folder) counts once */
    for (size_t i = 0; i < *n_done; i++)
        if (unique == 0 || (*done)[unique - 1] != (*done)[i])
            (*done)[unique++] = (*done)[i];
    *n_done = unique;
    return 0;
}

static int resume_existing(results_file *rf, const sweep_config *cfg, uint64_t **done,
                           size_t *n_done, sweep_tally *t)
{
    size_t len;
    char *text = read_text_file(rf->path, &len);
    if (!text)
        return EXIT_USAGE;
    int rc = len == 0 ? 0 : check_header(rf->path, text, cfg->options_key);
    if (rc == 0)
        rc = drop_partial_line(rf->path, text, len);
    if (rc == 0)
        rc = load_done(cfg, text, done, n_done, t);
    free(text);
    return rc;
}

int results_open(results_file *rf, const sweep_config *cfg, uint64_t **done, size_t *n_done,
                 sweep_tally *t)
{
    *done = NULL;
    *n_done = 0;
    results_path(cfg, rf->path, sizeof rf->path);
    rf->explore = cfg->space != NULL;
    bool exists = access(rf->path, F_OK) == 0;
    if (exists && resume_existing(rf, cfg, done, n_done, t) != 0)
        return EXIT_USAGE;
    rf->fp = fopen(rf->path, "a");
    if (!rf->fp) {
        fprintf(stderr, "raftsim sweep: cannot write %s: %s\n", rf->path, strerror(errno));
        free(*done);
        *done = NULL;
        return EXIT_USAGE;
    }
    if (ftell(rf->fp) == 0) {
        fprintf(rf->fp, "%s# scenario: %s\n# options: 0x%016" PRIx64 "\n", results_magic,
                cfg->stem, cfg->options_key);
        fprintf(rf->fp, "# columns: seed verdict failure trace-hash events virtual-ns "
                        "coverage\n");
        fflush(rf->fp);
    }
    if (*n_done)
        fprintf(stderr, "raftsim sweep: resuming: %zu seeds already recorded in %s\n", *n_done,
                rf->path);
    return 0;
}

int results_append(results_file *rf, const seed_result *r)
{
    fprintf(rf->fp, "%" PRIu64 " %s %s 0x%016" PRIx64 " %" PRIu64 " %" PRIu64 " cov=", r->seed,
            r->passed ? "PASS" : "FAIL", r->key, r->trace_hash, r->events, r->end_ns);
    for (int c = 0; c < SIM_COV__COUNT; c++)
        fprintf(rf->fp, "%s%" PRIu64, c ? "," : "", r->coverage[c]);
    if (rf->explore)
        fprintf(rf->fp, " dims=0x%" PRIx64, r->dims);
    fputc('\n', rf->fp);
    /* Flushed per line: a killed sweep loses at most the seeds in flight. */
    if (fflush(rf->fp) != 0 || ferror(rf->fp)) {
        fprintf(stderr, "raftsim sweep: cannot write %s: %s\n", rf->path, strerror(errno));
        return -1;
    }
    return 0;
}

void results_sibling(const results_file *rf, const char *suffix, char *buf, size_t cap)
{
    size_t stem = strlen(rf->path) - (sizeof ".results" - 1);
    snprintf(buf, cap, "%.*s%s", (int)stem, rf->path, suffix);
}

void results_close(results_file *rf)
{
    if (rf->fp) {
        fsync(fileno(rf->fp));
        fclose(rf->fp);
        rf->fp = NULL;
    }
}
