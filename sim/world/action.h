/* action.h — timed actions (action.c, action_bind.c): run the action at
 * `index` of s->actions, against nodes (node.h), clients (client.h) and the
 * network. */
#ifndef SIM_ACTION_H
#define SIM_ACTION_H

#include "world.h"

void action_run(sim *s, size_t index);

#endif
