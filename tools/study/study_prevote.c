/* study_prevote.c — study 6: PreVote and CheckQuorum on a partial partition.
 *
 * 5 nodes, one-way latency uniform 1–3 ms, fsync 1 ms, timeouts 150–300 ms,
 * heartbeat 50 ms, one closed-loop writer (4 in flight). At 2 s one follower X
 * loses its links to the leader (both ways) but still reaches every other
 * node; at 8 s the links come back; the run ends at 10 s. X stops hearing
 * heartbeats, times out and campaigns. Without PreVote or CheckQuorum's vote
 * suppression its ever higher terms depose working leaders again and again.
 * Run once per combination of the two options.
 *
 * Output: prevote.csv  config,t_ms,max_term,leader,leader_changes,acked
 * (sampled every 50 ms). */
#include "study.h"

enum { N_NODES = 5, CLIENT = N_NODES + 1 };
#define SAMPLE_NS MS(50)
#define CUT_NS (2 * SIM_NS_PER_S)
#define HEAL_NS (8 * SIM_NS_PER_S)
#define END_NS (10 * SIM_NS_PER_S)

static void run_config(FILE *csv, bool prevote, bool check_quorum)
{
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = N_NODES;
    cfg.raft.prevote = prevote;
    cfg.raft.check_quorum = check_quorum;
    cfg.raft.election_timeout_min_ns = MS(150);
    cfg.raft.election_timeout_max_ns = MS(300);
    cfg.raft.heartbeat_ns = MS(50);
    cfg.net.latency = (sim_dist){SIM_DIST_UNIFORM, MS(1), MS(3)};
    cfg.disk.fsync = (sim_dist){SIM_DIST_CONST, MS(1), 0};
    cfg.n_clients = 1;
    cfg.clients[0] = study_closed_writer(4, 64);
    cfg.clients[0].start_ns = MS(500);
    cfg.clients[0].timeout_ns = MS(200);
    cfg.duration_ns = END_NS;
    sim *s = study_sim_drifting(&cfg, 6006);
    study_colocate_client(s, CLIENT);
    char label[32];
    snprintf(label, sizeof label, "prevote=%s checkquorum=%s", prevote ? "on" : "off",
             check_quorum ? "on" : "off");
    for (uint64_t t = 0; t <= END_NS; t += SAMPLE_NS) {
        sim_run_until(s, t);
        if (t == CUT_NS) {
            sim_ep leader = (sim_ep)study_metric(s, SIM_M_LEADER);
            sim_ep x = leader == 1 ? 2 : 1;
            study_cut(s, t, leader, x);
            study_cut(s, t, x, leader);
            study_heal(s, HEAL_NS);
        }
        int64_t changes = study_metric(s, SIM_M_LEADER_CHANGES);
        fprintf(csv, "%s,%llu,%lld,%lld,%lld,%lld\n", label,
                (unsigned long long)(t / MS(1)),
                (long long)study_metric_sel(s, SIM_M_TERM, SIM_SEL_ANY),
                (long long)study_metric(s, SIM_M_LEADER), (long long)changes,
                (long long)study_metric(s, SIM_M_ACKED));
    }
    study_sim_free(s);
}

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "prevote", argc, argv);
    FILE *csv = study_open_csv(&args, "");
    fprintf(csv, "config,t_ms,max_term,leader,leader_changes,acked\n");
    for (int c = 0; c < 4; c++) {
        run_config(csv, c & 1, c & 2);
        study_progress(&args, "configurations", (uint64_t)c + 1, 4);
    }
    study_close_csv(csv);
    return 0;
}
