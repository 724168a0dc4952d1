/* cmd_score.c: `mqlcal score --rules FILE [--join NAME=FILE]... [--format csv|jsonl] [FILE|-]`
 * and `mqlcal check-rules FILE`. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mqlcal/joins.h"
#include "mqlcal/rules.h"
#include "mqlcal/scorer.h"

struct rejects {
    const char *name;
    uint64_t shown;
};

static void on_reject(void *ctx, uint64_t line, const char *why)
{
    struct rejects *r = ctx;
    if (r->shown++ < 100)
        fprintf(stderr, "%s:%" PRIu64 ": not scored: %s\n", cli_safe(r->name), line, cli_safe(why));
}

/* On stderr: how many leads had categorical values the rule has never seen, per attribute
 * with its most frequent such values. Always one summary line, so a log shows it was checked. */
static void report_unseen(const struct rules *r, const struct scorer_stats *st)
{
    fprintf(stderr,
            "mqlcal score: %" PRIu64 " leads scored, %" PRIu64 " MQLs; %" PRIu64
            " leads with values the rule has never seen%s\n",
            st->scored, st->mqls, st->unseen_leads,
            st->unseen_leads ? " (they take the unseen level's points):" : "");
    for (size_t a = 0; a < st->nattrs; a++) {
        const struct scorer_unseen *u = &st->unseen[a];
        if (!u->leads)
            continue;
        fprintf(stderr, "  %s: %" PRIu64 " leads (%.1f %%):", cli_safe(r->attrs[a].name), u->leads,
                st->scored ? 100.0 * (double)u->leads / (double)st->scored : 0.0);
        /* the top five, by count */
        int shown[SCORER_UNSEEN_VALUES] = {0};
        for (int k = 0; k < 5; k++) {
            size_t best = SIZE_MAX;
            for (size_t i = 0; i < u->nvalues; i++)
                if (!shown[i] && (best == SIZE_MAX || u->counts[i] > u->counts[best]))
                    best = i;
            if (best == SIZE_MAX)
                break;
            shown[best] = 1;
            fprintf(stderr, "%s '%s' %" PRIu64, k ? "," : "", cli_safe(u->values[best]),
                    u->counts[best]);
        }
        if (u->nvalues > 5 || u->other)
            fprintf(stderr, ", ...");
        fprintf(stderr, "\n");
    }
}

/* Loads the rule's tables: each from its --join NAME=FILE, else from the file the rule names.
 * t has r->njoins entries, released by the caller. */
static int load_tables(const struct rules *r, const char *rules_path, const char *const *joins,
                       int njoin, struct join_table *t, struct mql_err *err)
{
    for (int i = 0; i < njoin; i++) {
        const char *eq = strchr(joins[i], '=');
        int found = 0;
        for (size_t j = 0; eq && j < r->njoins && !found; j++)
            found = strlen(r->joins[j].name) == (size_t)(eq - joins[i]) &&
                    strncmp(r->joins[j].name, joins[i], (size_t)(eq - joins[i])) == 0;
        if (!eq || !eq[1] || !found) {
            char names[512] = "";
            for (size_t j = 0; j < r->njoins; j++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", j ? ", " : "",
                         r->joins[j].name);
            return mql_err_set(err, MQL_EUSAGE,
                               "--join '%s': expected NAME=FILE with NAME a table of the rule (%s)",
                               joins[i], r->njoins ? names : "it joins none");
        }
    }
    struct strlist missing = {r->missing_values, r->nmissing};
    for (size_t j = 0; j < r->njoins; j++) {
        const struct rules_join *rj = &r->joins[j];
        const char *file = rj->file, *given = NULL;
        size_t n = strlen(rj->name);
        for (int i = 0; i < njoin; i++)
            if (strncmp(joins[i], rj->name, n) == 0 && joins[i][n] == '=')
                given = file = joins[i] + n + 1;
        char origin[700];
        if (given)
            snprintf(origin, sizeof origin, "--join %s=%s", rj->name, given);
        else
            snprintf(origin, sizeof origin,
                     "%s: input.joins[%zu] (table %s; give another file with --join %s=FILE)",
                     rules_path, j, rj->name, rj->name);
        const char **sub = malloc((r->nattrs + r->ndq + 1) * sizeof *sub);
        if (!sub)
            return mql_err_oom(err);
        size_t nsub = rules_join_columns(r, j, sub);
        struct join_spec spec = {rj->name, file, rj->on, origin, r->delimiter ? r->delimiter : ',',
                                 &missing};
        int rc = joins_load(&spec, sub, nsub, &t[j], err);
        free(sub);
        if (rc)
            return rc;
        if (rj->sha256 && strcmp(rj->sha256, t[j].sha256) != 0)
            fprintf(stderr,
                    "mqlcal score: table %s: '%s' is not the file the rule was fitted on (its "
                    "bytes differ): leads are scored with its rows\n",
                    cli_safe(rj->name), cli_safe(file));
    }
    return 0;
}

/* score's options (options.h). */
struct score_args {
    const char *rules, *format;
    int strict;
    struct cli_list joins;
};

static const struct cli_option score_options[] = {
    {"--rules", 0, CLI_VALUE, "FILE", offsetof(struct score_args, rules),
     "the rule file (rules.json) to score with", 1},
    {"--join", 0, CLI_LIST, "NAME=FILE", offsetof(struct score_args, joins),
     "the file of the rule's joined table NAME (one per table)", 0},
    {"--format", 0, CLI_VALUE, "csv|jsonl", offsetof(struct score_args, format),
     "CSV (default) or one JSON object per line", 0},
    {"--strict", 0, CLI_FLAG, NULL, offsetof(struct score_args, strict),
     "exit 2 when a lead has a value the rule has never seen", 0},
};
static const struct cli_spec score_spec = {
    "score",
    "[FILE|-]",
    0,
    1,
    score_options,
    ARRAY_SIZE(score_options),
    "Scores the leads of FILE (standard input without one or with -) to standard output."};

int cmd_score(int argc, char **argv)
{
    struct score_args sa = {.format = "csv"};
    const char *pos[1] = {NULL};
    size_t npos = 0;
    int prc = cli_parse(&score_spec, argc, argv, &sa, pos, &npos);
    if (prc)
        return prc < 0 ? 0 : prc;
    /* --rules is required: cli_parse has refused a command line without it */
    if (strcmp(sa.format, "csv") != 0 && strcmp(sa.format, "jsonl") != 0) {
        fprintf(stderr, "mqlcal score: --format is csv or jsonl\n");
        cli_usage(&score_spec, stderr);
        return MQL_EUSAGE;
    }
    /* the parser refuses a 17th --join (CLI_LIST_MAX), as many as a rule can have tables */
    _Static_assert(CLI_LIST_MAX == CONFIG_MAX_JOINS, "one --join per joined table at most");
    const char *rules_path = sa.rules, *input = pos[0], *format = sa.format;
    int strict = sa.strict;
    const char *const *joins = sa.joins.v;
    int njoin = (int)sa.joins.n;
    struct mql_err err;
    mql_err_clear(&err);
    struct rules r;
    int rc = rules_load_json(rules_path, &r, &err);
    if (rc)
        return cli_fail(&err);
    struct join_table tables[CONFIG_MAX_JOINS];
    memset(tables, 0, sizeof tables);
    FILE *in = stdin;
    const char *name = "<stdin>";
    if (r.njoins > CONFIG_MAX_JOINS)
        rc = mql_err_set(&err, MQL_EINPUT, "%s: more than %d tables", rules_path, CONFIG_MAX_JOINS);
    if (!rc)
        rc = load_tables(&r, rules_path, joins, njoin, tables, &err);
    if (!rc && input && strcmp(input, "-") != 0) {
        name = input;
        if (!(in = fopen(input, "rb")))
            rc = mql_err_set(&err, errno == ENOENT ? MQL_EINPUT : MQL_EIO, "cannot read '%s': %s",
                             input, strerror(errno));
    }
    struct rejects rj = {name, 0};
    struct scorer_stats st;
    memset(&st, 0, sizeof st);
    if (!rc)
        rc = scorer_run(&r, tables, in, name, stdout,
                        strcmp(format, "jsonl") == 0 ? SCORER_JSONL : SCORER_CSV, on_reject, &rj,
                        &st, &err);
    if (in && in != stdin)
        fclose(in);
    if (!rc) {
        report_unseen(&r, &st);
        for (size_t j = 0; j < r.njoins; j++)
            fprintf(stderr, "  table %s: %" PRIu64 " leads matched, %" PRIu64 " unmatched%s%s%s\n",
                    cli_safe(r.joins[j].name), st.join_matched[j], st.join_unmatched[j],
                    st.join_unmatched[j] ? " (scored with missing " : "",
                    st.join_unmatched[j] ? cli_safe(r.joins[j].name) : "",
                    st.join_unmatched[j] ? ".* values)" : "");
    }
    for (size_t j = 0; j < r.njoins && j < CONFIG_MAX_JOINS; j++)
        joins_release(&tables[j]);
    rules_release(&r);
    int unseen = st.unseen_leads > 0;
    scorer_stats_release(&st);
    if (rc)
        return cli_fail(&err);
    if (st.unscored) {
        fprintf(stderr, "mqlcal score: %" PRIu64 " of %" PRIu64 " records could not be scored%s\n",
                st.unscored, st.records, st.unscored > 100 ? " (the first 100 are shown)" : "");
        return MQL_EINPUT;
    }
    if (unseen && strict) {
        fprintf(stderr, "mqlcal score: --strict: values the rule has never seen (above)\n");
        return MQL_EINPUT;
    }
    return 0;
}

static const struct cli_spec check_spec = {
    "check-rules",
    "FILE",
    1,
    1,
    NULL,
    0,
    "Checks a rule file as mqlcal score reads it; an error names the JSON path."};

int cmd_check_rules(int argc, char **argv)
{
    const char *pos[1] = {NULL};
    size_t npos = 0;
    int prc = cli_parse(&check_spec, argc, argv, NULL, pos, &npos);
    if (prc)
        return prc < 0 ? 0 : prc;
    struct mql_err err;
    mql_err_clear(&err);
    struct rules r;
    if (rules_load_json(pos[0], &r, &err))
        return cli_fail(&err);
    size_t levels = 0;
    for (size_t a = 0; a < r.nattrs; a++)
        levels += r.attrs[a].nlevels;
    printf("%s: a valid rule file (version %d): %zu attributes, %zu levels, %zu disqualifiers, ",
           pos[0], r.version, r.nattrs, levels, r.ndq);
    if (r.has_rule)
        printf("MQL at %d points%s\n", r.threshold, r.has_fit_min ? " with a fit minimum" : "");
    else
        printf("no MQL rule\n");
    rules_release(&r);
    return 0;
}
