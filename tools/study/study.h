/* study.h — helpers shared by the classroom study drivers (tools/study/study_*.c).
 *
 * Each driver builds its runs directly against sim.h with fixed seeds and
 * writes exactly the CSV its plot needs, so the report depends on no CLI
 * output format. Only integers go into CSVs (virtual times in microseconds),
 * so the same seeds always give byte-identical files. Progress goes to stderr.
 *
 * Usage of every driver:  study_NAME [--quick] OUTDIR
 * It writes OUTDIR/NAME.csv (and, for some studies, OUTDIR/NAME_*.csv). */
#ifndef STUDY_H
#define STUDY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../../sim/world/rng.h"
#include "../../core/msg.h"
#include "../../sim/world/sim.h"

#define MS(x) ((uint64_t)(x) * SIM_NS_PER_MS)
#define US(x) ((uint64_t)(x) * UINT64_C(1000))

typedef struct study_args {
    const char *name;   /* study name, e.g. "election" */
    bool quick;         /* QUICK=1: fewer trials */
    const char *outdir; /* where CSVs go */
} study_args;

/* Parse `[--quick] OUTDIR`; exits with status 2 and a usage line on error. */
void study_parse_args(study_args *a, const char *name, int argc, char **argv);

/* Open OUTDIR/<name><suffix>.csv for writing (exits on failure). */
FILE *study_open_csv(const study_args *a, const char *suffix);
/* Close a CSV, exiting with an error message if any write failed. */
void study_close_csv(FILE *f);

/* Progress on stderr: "[name] what: done/total", at most ~20 lines per loop. */
void study_progress(const study_args *a, const char *what, uint64_t done, uint64_t total);

/* Create a simulator or exit with the error. A study measures liveness
 * (how long until a leader, how long writes stall) and never asserts it, so
 * the connected-majority liveness check, which would end a long leaderless
 * stretch as a violation, is off; every safety check stays on. */
sim *study_sim_new(const sim_config *cfg, uint64_t seed);
/* study_sim_new, then every node's clock drifts by up to STUDY_DRIFT_PPM
 * (study_drift_all from `seed`): the world most studies measure. */
sim *study_sim_drifting(const sim_config *cfg, uint64_t seed);
/* Free a simulator; exits with status 1, naming the violation, if its run
 * broke an invariant: no study may report figures from a broken run. */
void study_sim_free(sim *s);

/* Metric shorthands (exit on an invalid reference: a driver bug). */
int64_t study_metric(const sim *s, enum sim_metric m);
int64_t study_metric_node(const sim *s, enum sim_metric m, sim_ep node);
int64_t study_metric_arg(const sim *s, enum sim_metric m, int arg);
/* A per-node metric over all live nodes: SIM_SEL_ALL (min), ANY (max), SUM. */
int64_t study_metric_sel(const sim *s, enum sim_metric m, enum sim_node_sel sel);

/* Run until some node leads (returns its id) or `until_ns` passes (returns 0). */
sim_ep study_run_until_leader(sim *s, uint64_t until_ns);

/* Scheduling timed actions; every one exits on a rejected action. */
void study_crash(sim *s, uint64_t at_ns, sim_ep node);
void study_restart(sim *s, uint64_t at_ns, sim_ep node);
void study_cut(sim *s, uint64_t at_ns, sim_ep from, sim_ep to);
void study_heal(sim *s, uint64_t at_ns);
/* Two-sided partition: `side_a` versus every other endpoint (nodes and clients). */
void study_partition(sim *s, uint64_t at_ns, sim_epset side_a);
void study_client_start(sim *s, uint64_t at_ns, sim_ep client);
/* Set the latency of the link from -> to. */
void study_set_link_latency(sim *s, uint64_t at_ns, sim_ep from, sim_ep to, sim_dist d);
/* Set an integer link parameter (drop ppm, ...) on from -> to. */
void study_set_link_value(sim *s, uint64_t at_ns, sim_ep from, sim_ep to, enum sim_param p,
                          int64_t value);
void study_uncut(sim *s, uint64_t at_ns, sim_ep from, sim_ep to);
/* Per-node clock drift at time 0: each node's rate error is drawn uniformly
 * from [-max_ppm, +max_ppm] from its own stream of `seed` (real quartz: a few
 * tens of ppm). max_ppm 0 = perfect clocks. */
void study_drift_all(sim *s, uint64_t seed, uint32_t n_nodes, int32_t max_ppm);
/* The drift every study uses (study 9, which times the simulator itself, excepted). */
#define STUDY_DRIFT_PPM 50
/* A client co-located with the nodes: zero latency and no loss on its links. */
void study_colocate_client(sim *s, sim_ep client);

/* Endpoint sets. */
void study_epset_add(sim_epset *set, sim_ep ep);
bool study_epset_has(const sim_epset *set, sim_ep ep);

/* A closed-loop writer (outstanding ops in flight, retry after timeout). */
sim_client_config study_closed_writer(uint32_t outstanding, uint32_t payload_bytes);
sim_client_config study_open_writer(uint32_t rate_per_s, uint32_t payload_bytes);

/* Order statistics over microsecond samples (sorts in place). */
void study_sort_u64(uint64_t *v, size_t n);
uint64_t study_percentile(const uint64_t *sorted, size_t n, uint32_t per_mille);

#endif
