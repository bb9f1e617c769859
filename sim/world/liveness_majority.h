/* liveness_majority.h — the connected-majority liveness check
 * (liveness_majority.c): whenever a majority of nodes is up, unpaused and
 * connected, some leader must hold office and writes must commit. Below the
 * nodes, which report roles and topology changes to it; it calls only
 * world.c's services. */
#ifndef SIM_LIVENESS_MAJORITY_H
#define SIM_LIVENESS_MAJORITY_H

#include "world.h"

void liveness_connected_start(sim *s);
/* Nodes, links or pauses changed: re-evaluate which majority is connected. */
void liveness_topology(sim *s);
void liveness_role(sim *s, raft_id id, enum raft_role role);
bool liveness_connected_check(sim *s, uint64_t gen);
/* The nodes of every mutually connected majority of up, unpaused nodes,
 * now (bit id - 1; 0 if no majority is connected). */
uint64_t sim_connected_nodes(const sim *s);
/* "" or how long connected majorities went unjudged and why (the summary). */
void liveness_connected_summary(const sim *s, char *buf, size_t cap);

#endif
