/* cli.h — shared pieces of the raftsim command-line program.
 *
 * The program is a thin shell around sim/scenario/runner.h: it parses options, loads
 * scenarios, writes files atomically, and turns run results into exit codes.
 * Exit codes: 0 pass, 1 an invariant or expectation failed, 2 bad input. */
#ifndef RAFTSIM_CLI_H
#define RAFTSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../sim/scenario/runner.h"
#include "../../sim/scenario/scenario.h"

#include "../../sim/scenario/trace_header.h" /* RAFTSIM_VERSION */

enum { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Options that apply to every command (given before or after it). */
typedef struct cli_globals {
    const char *prog;  /* argv[0], for replay commands written into files */
    uint64_t bugs;     /* RAFT_BUG_* mask from --bug */
    bool bugs_given;
} cli_globals;

/* ---- opts.c: a small long-option parser (getopt_long is a GNU extension) ---- */
enum opt_arg { OPT_NOARG, OPT_ARG, OPT_OPTARG /* only as --name=value */ };
typedef struct opt_spec {
    const char *name;  /* long name without "--" */
    char short_name;   /* 0 if none */
    enum opt_arg arg;
    int id;            /* > 0 */
} opt_spec;

typedef struct opt_parser {
    int argc;
    char **argv;
    int next;
    const opt_spec *specs;
    size_t n_specs;
    const char *cmd;   /* for messages: "raftsim run" */
} opt_parser;

enum { OPT_END = -1, OPT_ERROR = -2, OPT_POSITIONAL = 0 };

void opt_init(opt_parser *p, int argc, char **argv, const opt_spec *specs, size_t n_specs,
              const char *cmd);
/* Returns an option id (value in *arg, NULL if none), OPT_POSITIONAL (the
 * word in *arg), OPT_END, or OPT_ERROR after printing a message. */
int opt_next(opt_parser *p, const char **arg);

/* ---- run_progress.c: progress of one long run on stderr (display only) ---- */
typedef struct run_progress {
    double start, last; /* wall seconds */
    bool forced, shown, tty;
} run_progress;
/* forced: show progress from the start (--progress), else only past 2 s. */
void run_progress_init(run_progress *p, bool forced);
void run_progress_cb(void *arg, uint64_t now_ns, uint64_t end_ns, uint64_t events); /* run_progress_fn */
/* The run is over: a last line if any was shown (or forced). */
void run_progress_done(run_progress *p, uint64_t now_ns, uint64_t end_ns, uint64_t events);
/* One run of sc with this seed under *opt (`raftsim run`, `replay`), its
 * progress on stderr when `show` (forced: from the start): 0, or EXIT_USAGE
 * after "FILE: error: ..." on stderr when the run cannot start. *res is
 * zeroed first; the caller frees it. */
int run_with_progress(const scenario *sc, uint64_t seed, run_options *opt, bool show,
                      bool forced, const char *file, run_result *res);

bool parse_u64(const char *s, uint64_t *out);
bool parse_seed_range(const char *s, uint64_t *first, uint64_t *last);
bool parse_shard(const char *s, uint32_t *index, uint32_t *count);
/* "--bug NAME": the bit for NAME, or -1 if unknown. */
int bug_index_from_name(const char *name);
/* Comma-separated bug flags of a mask, into buf ("" for none). */
void bug_mask_names(uint64_t mask, char *buf, size_t cap);
/* Refuse --bug in a build without the catalogue. Returns 0 or EXIT_USAGE. */
int check_bugs_available(uint64_t mask);

/* A list of --set key=value overrides. */
typedef struct set_list {
    const char *items[64];
    size_t n;
} set_list;
int set_list_add(set_list *sl, const char *kv, const char *cmd);

/* Load a scenario, apply --set overrides and the bug mask. Prints
 * "file:line:col: error: ..." on failure. Returns 0 or EXIT_USAGE. */
int cli_load_scenario(const char *path, const set_list *sets, uint64_t bugs, scenario *sc);

/* ---- fileio.c: files that are complete or absent, never half-written ---- */
typedef struct atomic_file {
    FILE *fp;
    char path[4096];
    char tmp[4096 + 8];
} atomic_file;
int atomic_open(atomic_file *af, const char *path);   /* 0, or -1 + message */
int atomic_commit(atomic_file *af);                   /* flush, fsync, rename: 0 or -1 */
void atomic_abort(atomic_file *af);                   /* remove the temporary */
/* Whole file into a NUL-terminated malloc'd buffer; NULL + message on error. */
char *read_text_file(const char *path, size_t *len);
int make_dir(const char *path);                       /* mkdir -p one level; 0 or -1 */
const char *path_basename(const char *path);
/* basename without a trailing ".scn" / ".replay" into buf. */
void scenario_stem(const char *path, char *buf, size_t cap);

/* ---- failure.c: naming why a run failed ---- */
/* "none", an invariant name ("election-safety"), or "expect#N" (the N-th
 * expectation, 1-based: the same in a scenario and in its replay file). */
void failure_key(const scenario *sc, const run_result *res, char *buf, size_t cap);
/* Print the one-line verdict: "verdict: PASS|FAIL ... trace-hash: 0x..." */
void print_verdict(FILE *out, uint64_t seed, const run_result *res, const char *key);
void format_seconds(uint64_t ns, char *buf, size_t cap);
/* After a run: flush the summary, name the failure (into key) and print the
 * verdict line on stdout. */
void report_verdict(const scenario *sc, uint64_t seed, const run_result *res, char *key,
                    size_t cap);

/* ---- replayfile.c ---- */
typedef struct replay_header {
    bool has_hash;
    uint64_t trace_hash;
    uint64_t bugs;
    char failure[64];   /* the failure key recorded, "" if none */
} replay_header;
/* Write a replay file for a failed run: header + scenario_write. */
int replay_write(const char *path, const scenario *sc, uint64_t seed, const run_result *res,
                 const char *key, uint64_t bugs, const char *prog);
/* Scan the leading comment block of a replay/scenario file. Returns 0, or
 * EXIT_USAGE after printing a message (unknown bug name; none if path is NULL). */
int replay_header_read(const char *path, const char *text, replay_header *h);
/* Why a replay's trace hash is not the recorded one: both hashes and the
 * likely causes, on stderr (under the caller's first line). */
void replay_hash_mismatch(uint64_t recorded, uint64_t replayed);

/* ---- cmd_common.c: steps several commands share ---- */
/* The command's one file argument: `word` into *file, or a message naming
 * `what` ("scenario file") and EXIT_USAGE if it already has one. */
int cli_one_file(const char **file, const char *word, const char *cmd, const char *what);
/* "CMD: missing WHAT (try `CMD --help`)" on stderr; returns EXIT_USAGE. */
int cli_missing_file(const char *cmd, const char *what);
/* After a command's options parsed cleanly: 0 once --help printed `usage`
 * (the exit code), or -1 to go on. */
int cli_parsed(bool help, const char *usage);
/* The name of a signal that ended a child run (SIGABRT, SIGSEGV, ...; "signal" for others). */
const char *cli_signal_name(int sig);
/* Load a replay file: its header (recorded hash, failure, bugs) into *h and
 * its scenario, which must have a `seed` line, into *sc. The scenario's bugs
 * are --bug's if given, else the header's plus the file's own `bug` lines.
 * Returns 0 or EXIT_USAGE (after a message). */
int load_replay(const char *path, const cli_globals *g, scenario *sc, replay_header *h);
/* `raftsim run` of a file whose `# bug:` header names bugs that are off in
 * this run (a shrunk or replay file, run against the correct core): a note
 * on stderr saying so and how to see the failure. */
void note_bugs_off(const char *path, const char *cmd, uint64_t bugs_on);

/* ---- commands ---- */
int cmd_run(int argc, char **argv, const cli_globals *g);
int cmd_sweep(int argc, char **argv, const cli_globals *g);
int cmd_replay(int argc, char **argv, const cli_globals *g);
int cmd_shrink(int argc, char **argv, const cli_globals *g);
int cmd_explore(int argc, char **argv, const cli_globals *g);
int cmd_view(int argc, char **argv, const cli_globals *g);
/* cmd_view.c: the viewer page for a trace, events in [from, to] ns (0 and
 * UINT64_MAX for all). Returns 0 or EXIT_USAGE after a message. */
int view_write_html(const char *trace_path, const char *html_path, uint64_t from, uint64_t to);

#endif
