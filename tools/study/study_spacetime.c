/* study_spacetime.c — study 7: the JSON Lines trace of a short scenario, for
 * the space-time diagram (reports/plot/spacetime.py) and the Chrome trace
 * converter (tools/trace2chrome.py).
 *
 * 3 nodes and one client; one-way latency uniform 3–5 ms, 5% of messages
 * lost, fsync 2 ms, timeouts 150–300 ms, heartbeat 50 ms. The client writes
 * 20 records per second from 300 ms; the leader crashes at 600 ms and
 * restarts at 850 ms; the run ends at 1 s.
 *
 * Output: spacetime.jsonl (the trace; schema in sim/world/trace.h). */
#include "study.h"

enum { N_NODES = 3 };
#define END_NS MS(1000)

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "spacetime", argc, argv);
    char path[4096];
    snprintf(path, sizeof path, "%s/spacetime.jsonl", args.outdir);
    FILE *trace = fopen(path, "w");
    if (!trace) {
        perror(path);
        return 2;
    }
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = N_NODES;
    cfg.net.latency = (sim_dist){SIM_DIST_UNIFORM, MS(3), MS(5)};
    cfg.net.drop_ppm = 50000;
    cfg.disk.fsync = (sim_dist){SIM_DIST_CONST, MS(2), 0};
    cfg.n_clients = 1;
    cfg.clients[0] = study_open_writer(20, 32);
    cfg.clients[0].start_ns = MS(300);
    cfg.clients[0].timeout_ns = MS(100);
    cfg.duration_ns = END_NS;
    sim *s = study_sim_drifting(&cfg, 7007);
    sim_set_trace(s, trace);
    sim_run_until(s, MS(600) - 1);
    sim_ep leader = (sim_ep)study_metric(s, SIM_M_LEADER);
    if (leader) {
        study_crash(s, MS(600), leader);
        study_restart(s, MS(850), leader);
    }
    sim_run_until(s, END_NS);
    fprintf(stderr, "[spacetime] %llu events, trace hash %016llx\n",
            (unsigned long long)sim_event_count(s), (unsigned long long)sim_trace_hash(s));
    study_sim_free(s);
    study_close_csv(trace);
    return 0;
}
