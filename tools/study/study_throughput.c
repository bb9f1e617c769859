/* study_throughput.c — study 3: committed throughput and latency against
 * offered load, batching off/on and pipeline window 1 / 4 / 16.
 *
 * 3 nodes, fsync 1 ms (writes pending together share one fsync: group
 * commit), and two networks, both with a one-way delay uniform in 0.5–1.5 ms:
 * "fifo", where messages on a link arrive in the order sent (like TCP), and
 * "reorder", where in addition 10% of messages are held back up to 2 ms extra,
 * so later ones overtake them. One open-loop writer, co-located with the
 * cluster, offers R writes per second from t = 0.5 s (after the first
 * election) to the end; throughput is counted over the last part of the run.
 * Without batching a follower receives at most `window` entries per round
 * trip, so the knee sits near window / (RTT + fsync); batching (64 entries per
 * AppendEntries) moves it far to the right. When messages overtake each other,
 * pipelined AppendEntries arrive out of order, the follower rejects the early
 * ones, and the leader falls back to probing: a bigger window helps less.
 *
 * Output: throughput.csv
 *   network,batching,window,offered_per_s,acked_per_s,p50_us,p99_us */
#include "study.h"

enum { N_NODES = 3, CLIENT = N_NODES + 1 };
#define LOAD_START_NS MS(500)
#define MEASURE_FROM_NS MS(700)

static const uint32_t RATES[] = {100, 200, 500, 1000, 2000, 5000, 10000, 20000};
static const uint32_t RATES_QUICK[] = {200, 1000, 5000, 20000};
static const uint32_t WINDOWS[] = {1, 4, 16};

static void run_point(FILE *csv, bool reorder, bool batching, uint32_t window, uint32_t rate,
                      uint64_t end_ns)
{
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = N_NODES;
    cfg.raft.max_entries_per_msg = batching ? 64 : 1;
    cfg.raft.pipeline_window = window;
    cfg.net.latency = (sim_dist){SIM_DIST_UNIFORM, US(500), US(1500)};
    cfg.net.reorder_ppm = reorder ? 100000 : 0;
    cfg.net.reorder_ns = MS(2);
    cfg.disk.fsync = (sim_dist){SIM_DIST_CONST, MS(1), 0};
    cfg.n_clients = 1;
    cfg.clients[0] = study_open_writer(rate, 64);
    cfg.clients[0].start_ns = LOAD_START_NS;
    cfg.clients[0].timeout_ns = SIM_NS_PER_S;
    cfg.duration_ns = end_ns;
    sim *s = study_sim_drifting(&cfg, 3000 + rate + window * 100000 + (batching ? 1 : 0));
    study_colocate_client(s, CLIENT);
    sim_run_until(s, MEASURE_FROM_NS);
    int64_t acked0 = study_metric(s, SIM_M_ACKED);
    sim_run_until(s, end_ns);
    int64_t acked = study_metric(s, SIM_M_ACKED) - acked0;
    uint64_t window_ms = (end_ns - MEASURE_FROM_NS) / MS(1);
    fprintf(csv, "%s,%s,%u,%u,%llu,%lld,%lld\n", reorder ? "reorder" : "fifo",
            batching ? "on" : "off", window, rate,
            (unsigned long long)((uint64_t)acked * 1000 / window_ms),
            (long long)(study_metric(s, SIM_M_LATENCY_P50) / 1000),
            (long long)(study_metric(s, SIM_M_LATENCY_P99) / 1000));
    study_sim_free(s);
}

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "throughput", argc, argv);
    const uint32_t *rates = args.quick ? RATES_QUICK : RATES;
    size_t n_rates = args.quick ? sizeof RATES_QUICK / sizeof *RATES_QUICK
                                : sizeof RATES / sizeof *RATES;
    uint64_t end_ns = args.quick ? MS(1200) : MS(2700);
    FILE *csv = study_open_csv(&args, "");
    fprintf(csv, "network,batching,window,offered_per_s,acked_per_s,p50_us,p99_us\n");
    uint64_t done = 0, total = 2 * 2 * 3 * n_rates;
    for (int j = 0; j < 2; j++)
        for (int b = 0; b < 2; b++)
            for (size_t w = 0; w < 3; w++)
                for (size_t r = 0; r < n_rates; r++) {
                    run_point(csv, j == 1, b == 1, WINDOWS[w], rates[r], end_ns);
                    study_progress(&args, "points", ++done, total);
                }
    study_close_csv(csv);
    return 0;
}
