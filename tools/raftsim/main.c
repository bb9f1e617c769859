/* main.c — raftsim: global options (--help, --version, --bug) and dispatch
 * to the commands run, sweep, replay, shrink, explore and view. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../../sim/world/hostmem.h"

static const char usage_text[] =
    "usage: raftsim [--bug NAME]... COMMAND [options]\n"
    "\n"
    "A deterministic discrete-event simulation testbed for Raft.\n"
    "\n"
    "commands:\n"
    "  run FILE      run one scenario with one seed and print a summary\n"
    "  sweep FILE    run many seeds in parallel; failures become replay files\n"
    "  replay FILE   rerun a replay file exactly (same trace hash)\n"
    "  shrink FILE   reduce a failing replay to a small scenario that still fails\n"
    "  explore [SPACE]  swarm testing: each seed draws its own run from a space\n"
    "  view TRACE    write a self-contained HTML page that shows a traced run\n"
    "\n"
    "global options:\n"
    "  --bug NAME    switch on a deliberate core bug (only in `make bugs` builds);\n"
    "                may be repeated; `--bug list` lists them\n"
    "  --help        this text (`raftsim COMMAND --help` for a command)\n"
    "  --version     print the version\n"
    "\n"
    "exit status: 0 pass, 1 an invariant or expectation failed, 2 bad input\n";

static void print_bug_list(FILE *out)
{
    for (int i = 0; i < RAFT_BUG__COUNT; i++)
        fprintf(out, "%-20s %s\n", raft_bug_flag(i), raft_bug_text(i));
}

/* Handle one "--bug NAME". Returns -1 to continue, or an exit code. */
static int take_bug(cli_globals *g, const char *name)
{
    if (strcmp(name, "list") == 0) {
        print_bug_list(stdout);
        if (!raft_bugs_compiled())
            fprintf(stderr, "raftsim: note: this build has no bug catalogue; build it with "
                            "`make bugs`\n");
        return EXIT_PASS;
    }
    int idx = bug_index_from_name(name);
    if (idx < 0) {
        fprintf(stderr, "raftsim: unknown bug '%s' (see `raftsim --bug list`)\n", name);
        return EXIT_USAGE;
    }
    g->bugs |= UINT64_C(1) << idx;
    g->bugs_given = true;
    return -1;
}

/* Remove every --bug option from argv (they may come before or after the
 * command). Returns -1 to continue, or an exit code. */
static int strip_global_options(int *argc, char **argv, cli_globals *g)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *name = NULL;
        if (strcmp(argv[i], "--bug") == 0) {
            if (i + 1 >= *argc) {
                fprintf(stderr, "raftsim: --bug needs a NAME (see `raftsim --bug list`)\n");
                return EXIT_USAGE;
            }
            name = argv[++i];
        } else if (strncmp(argv[i], "--bug=", 6) == 0) {
            name = argv[i] + 6;
        }
        if (!name) {
            argv[out++] = argv[i];
            continue;
        }
        int rc = take_bug(g, name);
        if (rc >= 0)
            return rc;
    }
    *argc = out;
    argv[out] = NULL;
    return check_bugs_available(g->bugs) == 0 ? -1 : EXIT_USAGE;
}

int main(int argc, char **argv)
{
    hostmem_setup(); /* before the first allocation: see sim/world/hostmem.h */
    cli_globals g = { .prog = argc > 0 ? argv[0] : "raftsim" };
    int rc = strip_global_options(&argc, argv, &g);
    if (rc >= 0)
        return rc;
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_PASS;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("raftsim %s%s\n", RAFTSIM_VERSION,
               raft_bugs_compiled() ? " (bug catalogue compiled in)" : "");
        return EXIT_PASS;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **, const cli_globals *);
    } commands[] = {
        { "run", cmd_run }, { "sweep", cmd_sweep }, { "replay", cmd_replay },
        { "shrink", cmd_shrink }, { "explore", cmd_explore }, { "view", cmd_view },
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1, &g);
    fprintf(stderr, "raftsim: unknown command '%s' (try `raftsim --help`)\n", cmd);
    return EXIT_USAGE;
}
