/* trace_header.c — the trace's header and end lines (trace_header.h). */
#include "trace_header.h"

#include <inttypes.h>
#include <stdlib.h>

void trace_json_string(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
}

void trace_write_header(FILE *out, const scenario *sc, uint64_t seed)
{
    const sim_config *c = &sc->cfg;
    fprintf(out, "{\"t\":0,\"ev\":\"header\",\"format\":%d,\"raftsim\":\"%s\",\"seed\":%" PRIu64
                 ",\"file\":\"",
            TRACE_FORMAT_VERSION, RAFTSIM_VERSION, seed);
    trace_json_string(out, sc->path ? sc->path : "");
    fprintf(out, "\",\"nodes\":%u,\"clients\":[", c->n_nodes);
    for (uint32_t i = 0; i < c->n_clients; i++)
        fprintf(out, "%s\"c%u\"", i ? "," : "", i + 1);
    fprintf(out, "],\"protocol\":\"%s\",\"duration_ns\":%" PRIu64 ",\"liveness\":%s",
            c->protocol == SIM_PROTO_NAIVE ? "naive" : "raft", c->duration_ns,
            c->liveness ? "true" : "false");
    fputs(",\"expects\":[", out);
    for (size_t i = 0; i < sc->n_expects; i++) {
        fprintf(out, "%s{\"line\":%u,\"text\":\"", i ? "," : "", sc->expects[i].line);
        trace_json_string(out, sc->expects[i].text);
        fputs("\"}", out);
    }
    fputs("],\"config\":\"", out);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem) {
        scenario_write(mem, sc, sc->actions, sc->n_actions, seed, NULL);
        fclose(mem);
        trace_json_string(out, text ? text : "");
    }
    free(text);
    fputs("\"}\n", out);
}

void trace_write_end(FILE *out, const scenario *sc, const expect_eval *ev, uint64_t t_ns,
                     uint64_t events, const sim_violation *v, bool passed, bool cut_short)
{
    static const char *const words[] = { "pending", "held", "failed", "skipped" };
    fprintf(out, "{\"t\":%" PRIu64 ",\"ev\":\"end\",\"verdict\":\"%s\",\"events\":%" PRIu64,
            t_ns, cut_short ? "cut-short" : passed ? "pass" : "fail", events);
    fputs(",\"expects\":[", out);
    for (size_t i = 0; i < sc->n_expects; i++) {
        fprintf(out, "%s{\"line\":%u,\"status\":\"%s\",\"text\":\"", i ? "," : "",
                sc->expects[i].line, words[ev->slots[i].status]);
        trace_json_string(out, sc->expects[i].text);
        fputs("\",\"why\":\"", out);
        trace_json_string(out, ev->slots[i].why);
        fputs("\"}", out);
    }
    fputs("]", out);
    if (v) {
        fprintf(out, ",\"violation\":{\"kind\":\"%s\",\"t\":%" PRIu64 ",\"nodes\":[%u,%u],"
                     "\"index\":%" PRIu64 ",\"term\":%" PRIu64 ",\"detail\":\"",
                sim_violation_name(v->kind), v->time_ns, v->nodes[0], v->nodes[1], v->index,
                v->term);
        trace_json_string(out, v->detail);
        fputs("\",\"rule\":\"", out);
        trace_json_string(out, sim_violation_rule(v->kind));
        fputs("\"}", out);
    }
    fputs("}\n", out);
}
