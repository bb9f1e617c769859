/* bench_table.c — collect result rows; print them as a table and a CSV. */
#include <stdio.h>
#include <string.h>

#include "bench.h"

enum { MAX_ROWS = 128 };

typedef struct row {
    char bench[32], metric[48], unit[16], note[96];
    bench_stat s;
} row;

static row rows[MAX_ROWS];
static int n_rows;

void bench_row(const char *bench, const char *metric, bench_stat s, const char *unit,
               const char *note)
{
    if (n_rows == MAX_ROWS)
        return;
    row *r = &rows[n_rows++];
    snprintf(r->bench, sizeof r->bench, "%s", bench);
    snprintf(r->metric, sizeof r->metric, "%s", metric);
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    snprintf(r->note, sizeof r->note, "%s", note ? note : "");
    r->s = s;
}

/* Values print with as many decimals as their size needs: at least four
 * significant digits, so a ratio of 12.04 does not read as a met "<= 12". */
static void fmt_value(double v, char *buf, size_t cap)
{
    double a = v < 0 ? -v : v;
    if (a >= 1000)
        snprintf(buf, cap, "%.0f", v);
    else if (a >= 100)
        snprintf(buf, cap, "%.1f", v);
    else if (a >= 10)
        snprintf(buf, cap, "%.2f", v);
    else
        snprintf(buf, cap, "%.3f", v);
}

/* The CSV is data: six significant digits, whole numbers for large values. */
static void fmt_csv_value(double v, char *buf, size_t cap)
{
    double a = v < 0 ? -v : v;
    snprintf(buf, cap, a >= 100000 ? "%.0f" : "%.6g", v);
}

/* "lo..hi" of the runs, or "-" for a single one. */
static void fmt_range(const bench_stat *s, char *buf, size_t cap)
{
    if (s->runs < 2) {
        snprintf(buf, cap, "-");
        return;
    }
    char lo[32], hi[32];
    fmt_value(s->lo, lo, sizeof lo);
    fmt_value(s->hi, hi, sizeof hi);
    snprintf(buf, cap, "%s..%s", lo, hi);
}

void bench_print_table(FILE *out)
{
    fprintf(out, "\n%-12s %-40s %14s %-19s %-6s %4s  %s\n", "benchmark", "metric", "median",
            "range (min..max)", "unit", "runs", "note");
    for (int i = 0; i < n_rows; i++) {
        const row *r = &rows[i];
        char v[32], range[72];
        fmt_value(r->s.median, v, sizeof v);
        fmt_range(&r->s, range, sizeof range);
        fprintf(out, "%-12s %-40s %14s %-19s %-6s %4d  %s\n", r->bench, r->metric, v, range,
                r->unit, r->s.runs, r->note);
    }
}

int bench_write_csv(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    fprintf(f, "benchmark,metric,value,min,max,unit,runs,note\n");
    for (int i = 0; i < n_rows; i++) {
        const row *r = &rows[i];
        char v[32], lo[32], hi[32];
        fmt_csv_value(r->s.median, v, sizeof v);
        fmt_csv_value(r->s.lo, lo, sizeof lo);
        fmt_csv_value(r->s.hi, hi, sizeof hi);
        /* text fields quoted: metric names and notes contain commas */
        fprintf(f, "%s,\"%s\",%s,%s,%s,\"%s\",%d,\"%s\"\n", r->bench, r->metric, v, lo, hi,
                r->unit, r->s.runs, r->note);
    }
    return fclose(f) == 0 ? 0 : -1;
}
