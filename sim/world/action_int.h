/* action_int.h — run-time target resolution shared by action.c and
 * action_bind.c. */
#ifndef SIM_ACTION_INT_H
#define SIM_ACTION_INT_H

#include "action.h"
#include "client.h"
#include "node.h"

/* A target's endpoint now (0 = none: the action is skipped). A `follower`
 * draw leaves out endpoints already in taken[0..n_taken). */
sim_ep action_resolve(sim *s, const sim_target *t, const sim_epset *taken, uint32_t n_taken);
/* Place a partition's run-time members; false = skipped (a member resolves
 * to nobody, or to an endpoint already placed). */
bool action_resolve_groups(sim *s, sim_action *done);
/* `if METRIC OP VALUE` (action_bind.c): a readable metric and an operator;
 * whether it holds now. */
bool action_guard_valid(const sim *s, const sim_action *a);
bool action_guard_holds(const sim *s, const sim_action *a);
void action_reconnect(sim *s, sim_ep ep);
void action_isolate_peers(sim *s, sim_ep ep);

#endif
