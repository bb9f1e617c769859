/* client.h — the simulated clients (client.c): open- and closed-loop writers
 * and readers with timeouts, retries and backoff. Each client issues through
 * the network only (world.h); it calls nothing of the nodes. */
#ifndef SIM_CLIENT_H
#define SIM_CLIENT_H

#include "world.h"

int client_init(sim *s, uint32_t idx);
void client_free(sim_client *c);
bool client_next(sim *s, uint32_t idx, uint64_t gen);
bool client_timeout(sim *s, uint32_t idx, uint32_t slot, uint64_t attempt);
bool client_timer(sim *s, uint32_t idx);
/* A message delivered to client endpoint `to` (network slot `slot`). */
void client_deliver(sim *s, uint32_t slot);
void client_set_stopped(sim *s, uint32_t idx, bool stopped);
/* One write now, beside the client's workload (`at T write c1 as w1`), even
 * if stopped; none in the liveness phase. Its history op + 1, or 0. */
size_t client_write(sim *s, uint32_t idx);

#endif
