/* trace_header.h — the first and last lines of a JSON Lines trace (schema in
 * trace.h): a "header" naming the format, the program version, the seed and
 * the full configuration, and an "end" line with the verdict and every
 * expectation's result. Neither is folded into the trace hash. */
#ifndef SIM_TRACE_HEADER_H
#define SIM_TRACE_HEADER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "expect.h"
#include "scenario.h"

#define TRACE_FORMAT_VERSION 2
#define RAFTSIM_VERSION "0.1.0"

void trace_write_header(FILE *out, const scenario *sc, uint64_t seed);
/* cut_short: the run was stopped early (replay --until) and decides nothing. */
void trace_write_end(FILE *out, const scenario *sc, const expect_eval *ev, uint64_t t_ns,
                     uint64_t events, const sim_violation *v, bool passed, bool cut_short);
/* s as a JSON string body (no quotes), escaped. */
void trace_json_string(FILE *out, const char *s);

#endif
