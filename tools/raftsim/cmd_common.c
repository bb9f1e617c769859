/* cmd_common.c — steps that several commands take the same way: the file
 * argument, finishing option parsing (--help), and loading a replay file. */
#include <signal.h>
#include <stdlib.h>

#include "cli.h"

int cli_one_file(const char **file, const char *word, const char *cmd, const char *what)
{
    if (*file) {
        fprintf(stderr, "%s: one %s only (got '%s')\n", cmd, what, word);
        return EXIT_USAGE;
    }
    *file = word;
    return 0;
}

int cli_missing_file(const char *cmd, const char *what)
{
    fprintf(stderr, "%s: missing %s (try `%s --help`)\n", cmd, what, cmd);
    return EXIT_USAGE;
}

const char *cli_signal_name(int sig)
{
    switch (sig) {
    case SIGABRT: return "SIGABRT";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    default: return "signal";
    }
}

int cli_parsed(bool help, const char *usage)
{
    if (help) {
        fputs(usage, stdout);
        return EXIT_PASS;
    }
    return -1;
}

int load_replay(const char *path, const cli_globals *g, scenario *sc, replay_header *h)
{
    char *text = read_text_file(path, NULL);
    if (!text)
        return EXIT_USAGE;
    int rc = replay_header_read(path, text, h);
    free(text);
    if (rc != 0)
        return rc;
    uint64_t bugs = g->bugs_given ? g->bugs : h->bugs;
    if (bugs && !raft_bugs_compiled()) {
        char names[512];
        bug_mask_names(bugs, names, sizeof names);
        fprintf(stderr, "%s: error: this replay needs `--bug %s`, which only a bugs build has: "
                        "`make bugs`, then `build/bugs/raftsim replay %s` (`raftsim run %s` "
                        "plays its schedule against the correct core)\n",
                path, names, path, path);
        return EXIT_USAGE;
    }
    if (g->bugs_given && (h->bugs & ~bugs)) {
        char names[512];
        bug_mask_names(h->bugs & ~bugs, names, sizeof names);
        fprintf(stderr, "raftsim replay: note: %s records a failure with `--bug %s` (its "
                        "`# bug:` line); the --bug given here replaces it, so that bug is off\n",
                path, names);
    }
    if ((rc = cli_load_scenario(path, NULL, 0, sc)) != 0)
        return rc;
    if (!sc->has_seed) {
        fprintf(stderr, "%s: error: not a replay file: it has no `seed` line\n", path);
        scenario_free(sc);
        return EXIT_USAGE;
    }
    /* The file's own `bug` lines count unless --bug overrides them. */
    sc->cfg.raft.bugs = g->bugs_given ? bugs : (bugs | sc->cfg.raft.bugs);
    return 0;
}

void note_bugs_off(const char *path, const char *cmd, uint64_t bugs_on)
{
    char *text = read_text_file(path, NULL);
    replay_header h;
    /* A header that does not parse is the loader's business: no notice. */
    bool off = text && replay_header_read(NULL, text, &h) == 0 && (h.bugs & ~bugs_on);
    free(text);
    if (!off)
        return;
    char names[512];
    bug_mask_names(h.bugs & ~bugs_on, names, sizeof names);
    if (raft_bugs_compiled())
        fprintf(stderr, "%s: note: %s records a failure with `--bug %s` (its `# bug:` line), "
                        "off in this run: the verdict is the correct core's; to see the "
                        "failure, `raftsim replay %s` or add `--bug %s`\n",
                cmd, path, names, path, names);
    else
        fprintf(stderr, "%s: note: %s records a failure with `--bug %s` (its `# bug:` line), "
                        "which this build does not have: the verdict is the correct core's; "
                        "to see the failure, `make bugs`, then `build/bugs/raftsim replay %s`\n",
                cmd, path, names, path);
}
