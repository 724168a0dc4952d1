/* cmd_score.c: `mqlcal score --rules FILE [--format csv|jsonl] [FILE|-]` and
 * `mqlcal check-rules FILE`. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mqlcal/rules.h"
#include "mqlcal/scorer.h"

#define SCORE_USAGE "--rules FILE [--format csv|jsonl] [--strict] [FILE|-]"

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

int cmd_score(int argc, char **argv)
{
    const char *rules_path = NULL, *input = NULL, *format = "csv";
    int strict = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: mqlcal score " SCORE_USAGE "\n");
            return 0;
        } else if ((strcmp(a, "--rules") == 0 || strcmp(a, "--format") == 0) && i + 1 < argc) {
            *(a[2] == 'r' ? &rules_path : &format) = argv[++i];
        } else if (strcmp(a, "--strict") == 0) {
            strict = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr,
                    "mqlcal score: unknown option '%s'\nusage: mqlcal score " SCORE_USAGE "\n", a);
            return MQL_EUSAGE;
        } else if (input) {
            fprintf(stderr, "mqlcal score: one input only, got '%s' and '%s'\n", input, a);
            return MQL_EUSAGE;
        } else {
            input = a;
        }
    }
    if (!rules_path || (strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0)) {
        fprintf(stderr, "mqlcal score: %s\nusage: mqlcal score " SCORE_USAGE "\n",
                rules_path ? "--format is csv or jsonl" : "missing --rules FILE");
        return MQL_EUSAGE;
    }
    struct mql_err err;
    mql_err_clear(&err);
    struct rules r;
    int rc = rules_load_json(rules_path, &r, &err);
    if (rc)
        return cli_fail(&err);
    FILE *in = stdin;
    const char *name = "<stdin>";
    if (input && strcmp(input, "-") != 0) {
        name = input;
        if (!(in = fopen(input, "rb"))) {
            mql_err_set(&err, errno == ENOENT ? MQL_EINPUT : MQL_EIO, "cannot read '%s': %s", input,
                        strerror(errno));
            rules_release(&r);
            return cli_fail(&err);
        }
    }
    struct rejects rj = {name, 0};
    struct scorer_stats st;
    rc = scorer_run(&r, in, name, stdout, strcmp(format, "jsonl") == 0 ? SCORER_JSONL : SCORER_CSV,
                    on_reject, &rj, &st, &err);
    if (in != stdin)
        fclose(in);
    if (!rc)
        report_unseen(&r, &st);
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

int cmd_check_rules(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            printf("usage: mqlcal check-rules FILE\n");
            return 0;
        }
        fprintf(stderr, "usage: mqlcal check-rules FILE\n");
        return MQL_EUSAGE;
    }
    struct mql_err err;
    mql_err_clear(&err);
    struct rules r;
    if (rules_load_json(argv[1], &r, &err))
        return cli_fail(&err);
    size_t levels = 0;
    for (size_t a = 0; a < r.nattrs; a++)
        levels += r.attrs[a].nlevels;
    printf("%s: a valid rule file (version %d): %zu attributes, %zu levels, %zu disqualifiers, ",
           argv[1], r.version, r.nattrs, levels, r.ndq);
    if (r.has_rule)
        printf("MQL at %d points%s\n", r.threshold, r.has_fit_min ? " with a fit minimum" : "");
    else
        printf("no MQL rule\n");
    rules_release(&r);
    return 0;
}
