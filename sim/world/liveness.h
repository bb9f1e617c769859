/* liveness.h — liveness mode (liveness.c), at the top of the world beside
 * sim.c: at heal time heal everything and restart or resume every node
 * (node.h); then require convergence by a deadline, and say why not. */
#ifndef SIM_LIVENESS_H
#define SIM_LIVENESS_H

#include "world.h"

void liveness_heal(sim *s);
/* The heal check's verdict in words for the run's summary. */
const char *liveness_verdict(const sim *s, char *buf, size_t cap);
void liveness_check(sim *s);
void liveness_deadline(sim *s);

#endif
