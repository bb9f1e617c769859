/* names.c — name tables generated from sim.h's X-macros. */
#include <string.h>

#include "sim.h"

#define ACT_NAME(name, text) [name] = text,
static const char *const action_names[SIM_ACT__COUNT] = {SIM_ACTIONS(ACT_NAME)};
#undef ACT_NAME

#define M_NAME(name, text, scope) [name] = text,
static const char *const metric_names[SIM_M__COUNT] = {SIM_METRICS(M_NAME)};
#undef M_NAME
#define M_SCOPE(name, text, scope) [name] = scope,
static const char metric_scopes[SIM_M__COUNT] = {SIM_METRICS(M_SCOPE)};
#undef M_SCOPE

#define COV_NAME(name, text) [name] = text,
static const char *const coverage_names[SIM_COV__COUNT] = {SIM_COVERAGE(COV_NAME)};
#undef COV_NAME

#define V_NAME(name, text) [name] = text,
static const char *const violation_names[SIM_V__COUNT] = {SIM_VIOLATIONS(V_NAME)};
#undef V_NAME

static int find(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *sim_action_name(enum sim_action_kind kind)
{
    return (unsigned)kind < SIM_ACT__COUNT ? action_names[kind] : "?";
}

const char *sim_metric_name(enum sim_metric m)
{
    return (unsigned)m < SIM_M__COUNT ? metric_names[m] : "?";
}

char sim_metric_scope(enum sim_metric m)
{
    return (unsigned)m < SIM_M__COUNT ? metric_scopes[m] : '?';
}

int sim_metric_from_name(const char *name) { return find(metric_names, SIM_M__COUNT, name); }

const char *sim_coverage_name(int id)
{
    return id >= 0 && id < SIM_COV__COUNT ? coverage_names[id] : "?";
}

int sim_coverage_from_name(const char *name)
{
    return find(coverage_names, SIM_COV__COUNT, name);
}

const char *sim_violation_name(int id)
{
    return id >= 0 && id < SIM_V__COUNT ? violation_names[id] : "?";
}

int sim_violation_from_name(const char *name)
{
    return find(violation_names, SIM_V__COUNT, name);
}
