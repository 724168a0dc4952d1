/* cmd_review.c: `mqlcal review CONFIG [--previous FILE] [--current FILE]`: last quarter's rule
 * file against the current rule on the same history, and the drift between two spans. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mqlcal/review.h"
#include "mqlcal/store.h"
#include "mqlcal/text.h"

static void print_side(const char *name, const struct review_side *s)
{
    char vol[32];
    text_format_number(s->mqls_per_period, 1, vol, sizeof vol);
    if (!s->has_rule) {
        printf("  %-9s no rule%33s %s\n", name, "", cli_safe(s->source));
        return;
    }
    printf("  %-9s %5d %7s %9zu %7zu %10s %5.1f %5.1f-%-5.1f %6.1f  %s\n", name, s->threshold,
           s->has_fit_min ? "yes" : "", s->mqls, s->sqls, vol, 100 * s->conversion,
           100 * s->conv_lo, 100 * s->conv_hi, 100 * s->recall, cli_safe(s->source));
}

static void print_review(const struct config *cfg, const struct review_result *r)
{
    const char *per = r->has_dates ? config_period_name(cfg->period) : "period";
    printf("review %lld (fit %lld): %zu leads, %zu SQLs, %zu %ss\n", r->review_id, r->fit_id, r->n,
           r->sqls, r->nperiods, per);
    printf("  %-9s %5s %7s %9s %7s %10s %5s %11s %6s  %s\n", "rule", "score", "fit min", "MQLs",
           "SQLs", "MQLs/per", "conv%", "95% CI", "recall", "source");
    print_side("previous", &r->prev);
    print_side("current", &r->cur);
    const struct review_promise *pr = &r->promise;
    if (pr->has && pr->mqls > pr->pending) {
        char vol[128] = "no whole period yet";
        if (pr->whole_periods)
            snprintf(vol, sizeof vol, "%.0f a %s over %zu whole %s%s", pr->per_period, pr->period,
                     pr->whole_periods, pr->period, pr->whole_periods == 1 ? "" : "s");
        printf("\n  promise kept? the previous rule promised %.1f %% (%.1f-%.1f) and %.0f a %s; on "
               "the leads created after %s it delivered %.1f %% (%.1f-%.1f) of %zu MQLs with a "
               "known outcome, and %s\n",
               100 * pr->promised_conversion, 100 * pr->promised_lo, 100 * pr->promised_hi,
               pr->promised_per_period, pr->period, pr->since, 100 * pr->conversion,
               100 * pr->conv_lo, 100 * pr->conv_hi, pr->mqls - pr->pending, vol);
    } else if (pr->has) {
        printf("\n  promise kept? no lead created after %s (where the previous rule's data ended) "
               "has a known outcome yet: nothing to judge it on\n",
               pr->since);
    }
    printf("\n  flips (rows: previous rule, columns: current rule):\n");
    printf("  %-16s %22s %22s\n", "", "current: MQL", "current: not MQL");
    for (int a = 1; a >= 0; a--) {
        printf("  %-16s", a ? "previous: MQL" : "previous: not MQL");
        for (int b = 1; b >= 0; b--) {
            const struct review_cell *c = &r->flips[a][b];
            char conv[16] = "-";
            if (c->leads)
                snprintf(conv, sizeof conv, "%.1f %%", 100 * c->conversion);
            printf(" %10zu at %8s", c->leads, conv);
        }
        printf("\n");
    }
    size_t shown = 0;
    for (size_t i = 0; i < r->npoints; i++)
        shown += r->points[i].change != REVIEW_SAME;
    if (shown) {
        printf("\n  points that changed (%zu):\n", shown);
        for (size_t i = 0, k = 0; i < r->npoints && k < 25; i++) {
            const struct review_point *p = &r->points[i];
            if (p->change == REVIEW_SAME)
                continue;
            char a[16] = "-", b[16] = "-";
            if (p->has_prev)
                snprintf(a, sizeof a, "%d", p->prev);
            if (p->has_cur)
                snprintf(b, sizeof b, "%d", p->cur);
            printf("    %-24.24s %-24.24s %6s -> %-6s %s\n", cli_safe(p->attribute),
                   cli_safe(p->level), a, b, review_change_name(p->change));
            if (++k == 25 && shown > 25)
                printf("    ... (%zu more in the report's review_points.csv)\n", shown - 25);
        }
    }
    if (r->has_spans) {
        printf("\n  stability, %s (%zu leads) -> %s (%zu leads): PSI %.4f (%s); previous rule "
               "%.4f; between the rules %.4f\n",
               r->base_label, r->base_n, r->cur_label, r->cur_n, r->cur.psi,
               review_band_name(r->psi_band), r->prev.psi, r->psi_rules);
        printf("  %-24s %8s %-12s %8s %6s %7s %s\n", "attribute", "CSI", "band", "shift", "tests",
               "sees", "largest coefficient change (Holm p)");
        for (size_t i = 0; i < r->nattrs; i++) {
            const struct review_attr *a = &r->attrs[i];
            char worst[160] = "";
            if (a->worst >= 0) {
                const struct review_level_test *w = &a->tests[a->worst];
                snprintf(worst, sizeof worst, "%s: %+.1f points, z %.1f (%.2g)%s",
                         cli_safe(w->level), w->points_change, w->z, w->p_holm,
                         a->flagged ? "  CHANGED" : "");
            }
            if (!a->in_data)
                snprintf(worst, sizeof worst, "not in the data");
            char sees[16] = "-";
            if (isfinite(a->min_detectable))
                snprintf(sees, sizeof sees, ">= %.0f", a->min_detectable);
            printf("  %-24.24s %8.4f %-12s %+8.1f %6zu %7s %s\n", cli_safe(a->name), a->csi,
                   review_band_name(a->csi_band), a->score_shift, a->ntests, sees, worst);
        }
    } else {
        printf("\n  stability: not checked: %s\n", cli_safe(r->span_note));
    }
    printf("\n  %s\n", cli_safe(r->summary));
    if (r->todo[0])
        printf("  what to do: %s\n", cli_safe(r->todo));
}

int cli_stage_review(const struct cli_opts *o, const struct config *cfg)
{
    const char *previous = o->previous ? o->previous : cfg->review_previous;
    if (!previous) {
        fprintf(stderr, "mqlcal review: no previous rule file: give --previous FILE or set "
                        "[review] previous in the config\n");
        return MQL_EUSAGE;
    }
    struct mql_err err;
    mql_err_clear(&err);
    sqlite3 *db = NULL;
    struct review_result r;
    memset(&r, 0, sizeof r);
    int rc = cli_open_store(o, cfg, &db, &err);
    if (!rc)
        rc = review_run(db, cfg, previous, o->current, &r, &err);
    if (!rc && o->previous_of) {
        /* the review read the copy run took first; the source is the file the config names */
        char *name = text_dup(o->previous_of);
        if (!name) {
            rc = mql_err_oom(&err);
        } else {
            free(r.prev.source);
            r.prev.source = name;
        }
    }
    if (!rc)
        rc = review_store(db, cfg, &r, &err);
    if (!rc)
        print_review(cfg, &r);
    review_release(&r);
    store_close(db);
    return rc ? cli_fail(&err) : 0;
}

static const struct cli_option review_options[] = {
    CLI_OPT_DB,
    CLI_OPT_QUIET,
    {"--previous", 0, CLI_VALUE, "RULES.json", offsetof(struct cli_opts, previous),
     "last quarter's rule file (default: [review] previous)", 0},
    {"--current", 0, CLI_VALUE, "RULES.json", offsetof(struct cli_opts, current),
     "the rule to compare with it (default: the store's latest sweep)", 0},
};
static const struct cli_spec review_spec = CLI_STAGE_SPEC("review", review_options, NULL);

int cmd_review(int argc, char **argv)
{
    return cli_command(&review_spec, argc, argv, cli_stage_review);
}
