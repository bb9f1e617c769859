/* study_compaction.c — study 5: catch-up time of a follower that was down for
 * T seconds, with and without snapshots (log compaction, paper §7).
 *
 * 3 nodes, one-way latency uniform 1–2 ms, fsync 1 ms, every link limited to
 * 10 MB/s. An open-loop writer adds 1,000 records of 256 bytes per second;
 * the log buffer keeps the newest 2,000 records (older ones are evicted, so a
 * snapshot stays small while the log keeps growing). With snapshots on, each
 * node snapshots every 1,000 applied entries and keeps 100 behind it, so a
 * follower that fell further behind gets an InstallSnapshot instead of the
 * missing entries. A follower crashes at 2 s and restarts at 2 s + T; catch-up
 * is the time from the restart until it has applied everything that was
 * committed when it restarted.
 *
 * Output: compaction.csv
 *   snapshots,down_s,catchup_us,entries_behind,bytes_sent,snapshot_installed */
#include "study.h"

enum { N_NODES = 3, CLIENT = N_NODES + 1 };
#define CRASH_NS (2 * SIM_NS_PER_S)
#define GIVE_UP_NS (60 * SIM_NS_PER_S)

static const uint32_t DOWN_S[] = {1, 2, 5, 10, 20};
static const uint32_t DOWN_S_QUICK[] = {1, 2, 5};

static void run_point(FILE *csv, bool snapshots, uint32_t down_s)
{
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = N_NODES;
    cfg.raft.snapshot_threshold = snapshots ? 1000 : 0;
    cfg.raft.snapshot_trailing = snapshots ? 100 : 0;
    cfg.net.latency = (sim_dist){SIM_DIST_UNIFORM, MS(1), MS(2)};
    cfg.net.bandwidth_Bps = 10 * 1000 * 1000;
    cfg.disk.fsync = (sim_dist){SIM_DIST_CONST, MS(1), 0};
    cfg.logbuf_max_records = 2000;
    cfg.logbuf_max_bytes = 2000 * 256;
    cfg.n_clients = 1;
    cfg.clients[0] = study_open_writer(1000, 256);
    cfg.clients[0].start_ns = MS(500);
    cfg.duration_ns = CRASH_NS + (uint64_t)down_s * SIM_NS_PER_S + GIVE_UP_NS;
    sim *s = study_sim_drifting(&cfg, 5005 + down_s);
    study_colocate_client(s, CLIENT);
    sim_run_until(s, CRASH_NS - 1);
    sim_ep leader = (sim_ep)study_metric(s, SIM_M_LEADER);
    sim_ep victim = leader == 1 ? 2 : 1;
    uint64_t restart_ns = CRASH_NS + (uint64_t)down_s * SIM_NS_PER_S;
    study_crash(s, CRASH_NS, victim);
    study_restart(s, restart_ns, victim);
    sim_run_until(s, restart_ns);
    int64_t target = study_metric(s, SIM_M_COMMITTED);
    int64_t behind = target - study_metric_node(s, SIM_M_APPLIED, victim);
    int64_t bytes0 = study_metric_arg(s, SIM_M_BYTES, 0);
    bool caught_up = false;
    while (!caught_up && sim_step(s))
        caught_up = study_metric_node(s, SIM_M_APPLIED, victim) >= target;
    uint64_t catchup_us = caught_up ? (sim_now(s) - restart_ns) / 1000 : 0;
    fprintf(csv, "%s,%u,%llu,%lld,%lld,%d\n", snapshots ? "on" : "off", down_s,
            (unsigned long long)catchup_us, (long long)behind,
            (long long)(study_metric_arg(s, SIM_M_BYTES, 0) - bytes0),
            study_metric_node(s, SIM_M_SNAPSHOT_INDEX, victim) > 0);
    study_sim_free(s);
}

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "compaction", argc, argv);
    const uint32_t *downs = args.quick ? DOWN_S_QUICK : DOWN_S;
    size_t n = args.quick ? sizeof DOWN_S_QUICK / sizeof *DOWN_S_QUICK
                          : sizeof DOWN_S / sizeof *DOWN_S;
    FILE *csv = study_open_csv(&args, "");
    fprintf(csv, "snapshots,down_s,catchup_us,entries_behind,bytes_sent,snapshot_installed\n");
    for (int snap = 0; snap < 2; snap++)
        for (size_t i = 0; i < n; i++) {
            run_point(csv, snap == 1, downs[i]);
            study_progress(&args, "points", (uint64_t)snap * n + i + 1, 2 * n);
        }
    study_close_csv(csv);
    return 0;
}
