/* cmd_explore.c — `raftsim explore [SPACE] --seeds A-B`: swarm testing of
 * the whole fault x feature space (issue 16). Each seed draws which
 * dimensions of the space are on, then draws its run (sim/scenario/explore.c); the
 * sweep machinery runs the seeds (workers, progress, resumable results,
 * shards, merge, replay files). */
#include "sweep.h"

static const char explore_usage[] =
    "usage: raftsim explore [SPACE] --seeds A-B [options]\n"
    "       raftsim explore --merge RESULTS...\n"
    "\n"
    "Swarm testing: every seed first draws which dimensions of the SPACE (an\n"
    "`explore { ... }` file; default " EXPLORE_DEFAULT_SPACE ") are on,\n"
    "then draws its run: cluster and Raft options, workload, network, nodes and\n"
    "disks, a chaos phase, a heal and a liveness phase. Every failure is written\n"
    "to DIR/explore-<space>-seed<N>.replay, a complete scenario with the drawn\n"
    "configuration spelled out and the seed pinned (`raftsim replay` reproduces\n"
    "it, `raftsim shrink` reduces it). Every finished seed is appended to\n"
    "DIR/explore-<space>.results (rerun the command to resume). At the end: the\n"
    "table, how often each dimension was on (and with each failure), how often\n"
    "each coverage situation was reached, and DIR/explore-<space>-coverage.csv.\n"
    "\n"
    "  --seeds A-B            seed range (inclusive), or a single seed\n"
    "  -j, --jobs N           worker processes (default: one per core)\n"
    "  --shard I/N            run only seeds with (seed - A) % N == I - 1\n"
    "  --out DIR              replay, results and CSV files (default: failures)\n"
    "  --check-determinism[=PPM]  rerun every seed (or PPM per million of them)\n"
    "  --stop-after N         stop handing out seeds after N failures\n"
    "  --merge                one table for the given results files (shards)\n"
    "  --help                 this text\n"
    "\n"
    "exit status: 0 every seed passed, 1 a seed failed, 2 bad input,\n"
    "130 interrupted (rerun the same command to resume)\n";

int cmd_explore(int argc, char **argv, const cli_globals *g)
{
    static const sweep_mode explore = { "raftsim explore", explore_usage, true };
    return sweep_command(argc, argv, g, &explore);
}
