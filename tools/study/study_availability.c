/* study_availability.c — study 4: committed writes per 100 ms through a
 * leader crash, a minority partition, a majority partition and the heals.
 *
 * 5 nodes, one-way latency uniform 1–3 ms, fsync 1 ms, Raft defaults
 * (timeouts 150–300 ms, heartbeat 50 ms, PreVote and CheckQuorum on). Two
 * closed-loop writers with 8 writes in flight each; in partitions the clients
 * stay on the majority side. Timeline:
 *   3.0 s  crash the leader            4.5 s  restart it
 *   6.0 s  two followers cut off (minority partition: the leader carries on)
 *   7.5 s  heal
 *   9.0 s  the leader and one follower cut off (the majority elects anew)
 *  10.5 s  heal                        12 s   end
 * Output: availability.csv (t_ms,acked,leader,term),
 *         availability_events.csv (t_ms,kind,detail). */
#include "study.h"

enum { N_NODES = 5, N_CLIENTS = 2 };
#define BUCKET_NS MS(100)
#define END_NS (12 * SIM_NS_PER_S)

typedef struct run_state {
    sim *s;
    FILE *csv, *events;
    int64_t acked_at_bucket, leader;
    uint64_t next_bucket;
} run_state;

/* Step to `until_ns`, writing a row per 100 ms bucket and every leader change. */
static void advance(run_state *st, uint64_t until_ns)
{
    while (sim_now(st->s) < until_ns) {
        if (!sim_step(st->s))
            break;
        uint64_t now = sim_now(st->s);
        int64_t leader = study_metric(st->s, SIM_M_LEADER);
        while (now >= st->next_bucket) {
            int64_t acked = study_metric(st->s, SIM_M_ACKED);
            fprintf(st->csv, "%llu,%lld,%lld,%lld\n",
                    (unsigned long long)((st->next_bucket - BUCKET_NS) / MS(1)),
                    (long long)(acked - st->acked_at_bucket), (long long)st->leader,
                    (long long)study_metric_sel(st->s, SIM_M_TERM, SIM_SEL_ANY));
            st->acked_at_bucket = acked;
            st->next_bucket += BUCKET_NS;
        }
        if (leader != st->leader) {
            fprintf(st->events, "%llu,%s,%lld\n", (unsigned long long)(now / US(1)),
                    leader ? "leader" : "no-leader", (long long)leader);
            st->leader = leader;
        }
    }
}

static void fault(run_state *st, const char *kind, const char *detail)
{
    fprintf(st->events, "%llu,%s,%s\n", (unsigned long long)(sim_now(st->s) / US(1)), kind,
            detail);
}

static sim_epset clients_and(sim_ep a, sim_ep b, sim_ep c)
{
    sim_epset set = {{0, 0}};
    study_epset_add(&set, a);
    study_epset_add(&set, b);
    study_epset_add(&set, c);
    for (sim_ep k = 1; k <= N_CLIENTS; k++)
        study_epset_add(&set, N_NODES + k);
    return set;
}

/* The followers of `leader`, in id order. */
static void followers(sim_ep leader, sim_ep out[N_NODES - 1])
{
    int k = 0;
    for (sim_ep n = 1; n <= N_NODES; n++)
        if (n != leader)
            out[k++] = n;
}

int main(int argc, char **argv)
{
    study_args args;
    study_parse_args(&args, "availability", argc, argv);
    sim_config cfg;
    sim_config_default(&cfg);
    cfg.n_nodes = N_NODES;
    cfg.net.latency = (sim_dist){SIM_DIST_UNIFORM, MS(1), MS(3)};
    cfg.disk.fsync = (sim_dist){SIM_DIST_CONST, MS(1), 0};
    cfg.n_clients = N_CLIENTS;
    for (int k = 0; k < N_CLIENTS; k++) {
        cfg.clients[k] = study_closed_writer(8, 64);
        cfg.clients[k].start_ns = MS(500);
        cfg.clients[k].timeout_ns = MS(200);
    }
    cfg.duration_ns = END_NS;
    run_state st = {.s = study_sim_drifting(&cfg, 4004), .next_bucket = BUCKET_NS};
    st.csv = study_open_csv(&args, "");
    st.events = study_open_csv(&args, "_events");
    fprintf(st.csv, "t_ms,acked,leader,term\n");
    fprintf(st.events, "t_us,kind,detail\n");
    char what[64];
    advance(&st, 3 * SIM_NS_PER_S);
    sim_ep crashed = (sim_ep)st.leader;
    if (crashed) {
        study_crash(st.s, sim_now(st.s), crashed);
        study_restart(st.s, MS(4500), crashed);
        snprintf(what, sizeof what, "n%u", (unsigned)crashed);
        fault(&st, "crash", what);
    }
    advance(&st, MS(4500));
    if (crashed)
        fault(&st, "restart", what);
    study_progress(&args, "timeline (s)", 4, 12);
    advance(&st, MS(6000));
    sim_ep f[N_NODES - 1];
    followers((sim_ep)st.leader, f);
    sim_epset minority = {{0, 0}};
    study_epset_add(&minority, f[0]);
    study_epset_add(&minority, f[1]);
    study_partition(st.s, sim_now(st.s), minority);
    snprintf(what, sizeof what, "n%u n%u cut off", (unsigned)f[0], (unsigned)f[1]);
    fault(&st, "minority-partition", what);
    study_heal(st.s, MS(7500));
    advance(&st, MS(7500));
    fault(&st, "heal", "");
    study_progress(&args, "timeline (s)", 8, 12);
    advance(&st, MS(9000));
    followers((sim_ep)st.leader, f);
    study_partition(st.s, sim_now(st.s), clients_and(f[1], f[2], f[3]));
    snprintf(what, sizeof what, "n%lld n%u cut off", (long long)st.leader, (unsigned)f[0]);
    fault(&st, "majority-partition", what);
    study_heal(st.s, MS(10500));
    advance(&st, MS(10500));
    fault(&st, "heal", "");
    advance(&st, END_NS);
    study_progress(&args, "timeline (s)", 12, 12);
    study_close_csv(st.csv);
    study_close_csv(st.events);
    study_sim_free(st.s);
    return 0;
}
