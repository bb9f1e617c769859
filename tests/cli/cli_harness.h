/* cli_harness.h — drive the built raftsim binary (path in RAFTSIM_BIN) from
 * Criterion tests: run it with arguments, capture stdout, stderr and the
 * exit status; make scratch folders and files. */
#ifndef CLI_HARNESS_H
#define CLI_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct cli_out {
    int status;   /* exit status, or 128 + signal */
    char *out;    /* stdout, NUL-terminated */
    char *err;    /* stderr, NUL-terminated */
} cli_out;

/* A NULL-terminated argument list for cli_run: ARGS("run", "x.scn"). */
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Run raftsim with a NULL-terminated argument list (without argv[0]), in
 * folder `cwd` (NULL = current). */
cli_out cli_run(const char *cwd, const char *const *args);
void cli_out_free(cli_out *o);

/* Start raftsim without waiting (stdout/stderr to files in dir). */
pid_t cli_start(const char *cwd, const char *const *args, const char *dir);
int cli_wait(pid_t pid);

/* A fresh scratch folder (malloc'd path), removed by scratch_cleanup. */
char *scratch_dir(void);
/* Remove every scratch folder this test made (a suite's .fini). */
void scratch_cleanup(void);
/* Write `text` to dir/name; returns the malloc'd path. */
char *scratch_file(const char *dir, const char *name, const char *text);
/* dir/name (malloc'd). */
char *path_in(const char *dir, const char *name);
/* Whole file, NUL-terminated, or NULL. */
char *slurp(const char *path);
/* Count files in dir whose names end with `suffix`. */
int count_files(const char *dir, const char *suffix);
/* First file in dir ending with `suffix` (malloc'd path) or NULL. */
char *first_file(const char *dir, const char *suffix);
/* The value after "trace-hash: " in text, or 0. */
unsigned long long trace_hash_in(const char *text);
/* Number of lines in text that do not start with '#'. */
int data_lines(const char *text);

/* Three nodes, light load, one second: passes for every seed. */
extern const char cli_passing_scn[];
/* Scripted faults and an expectation (on line 12) no run can meet: fails
 * for every seed, whatever the actions do, so shrinking can drop them all. */
extern const char cli_failing_scn[];

/* What every test of the CLI suites starts with (their .init and .fini): a
 * fresh scratch folder holding ok.scn (cli_passing_scn) and bad.scn
 * (cli_failing_scn), with the paths of both. */
typedef struct cli_fixture {
    char *dir, *ok, *bad;
} cli_fixture;
extern cli_fixture fx;
void fixture_init(void);
void fixture_fini(void); /* frees fx, then scratch_cleanup */

#endif
