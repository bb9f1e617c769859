/* bench_reference.c — benchmark 7's reference: run canonical/raft on the same
 * work (tools/bench/reference/canonical_h2h.c, built by `make bench` as
 * $(BUILD)/bench_ref_canonical) and read its one line of figures. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "bench_main.h"

int bench_reference(const char *program, uint64_t writes, bench_result *out)
{
    char cmd[1024];
    int n = snprintf(cmd, sizeof cmd, "'%s' %llu", program, (unsigned long long)writes);
    if (n < 0 || (size_t)n >= sizeof cmd || strchr(program, '\''))
        return -1;
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    unsigned long long got = 0, steps = 0;
    double wall = 0, cpu = 0;
    int fields = fscanf(p, "writes=%llu steps=%llu wall_s=%lf cpu_s=%lf", &got, &steps, &wall,
                        &cpu);
    int status = pclose(p);
    if (fields != 4 || status != 0 || got != writes || wall <= 0) {
        fprintf(stderr, "bench: the reference %s failed (status %d)\n", program, status);
        return -1;
    }
    memset(out, 0, sizeof *out);
    *out = (bench_result){.ok = 1, .wall_s = wall, .cpu_s = cpu, .events = steps,
                          .acked = got, .committed = got};
    return 0;
}
