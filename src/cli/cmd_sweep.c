/* cmd_sweep.c: `mqlcal sweep CONFIG`: thresholds against conversion, volume and capacity, and
 * the recommended MQL rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mqlcal/audit.h"
#include "mqlcal/period.h"
#include "mqlcal/store.h"
#include "mqlcal/sweep.h"

static void pct(char *buf, size_t cap, double v)
{
    if (isfinite(v))
        snprintf(buf, cap, "%.1f", 100 * v);
    else
        snprintf(buf, cap, "-");
}

static void print_row(const struct sweep_row *r, int mark)
{
    char conv[16], lo[16], hi[16], rec[16];
    pct(conv, sizeof conv, r->conversion);
    pct(lo, sizeof lo, r->conv_lo);
    pct(hi, sizeof hi, r->conv_hi);
    pct(rec, sizeof rec, r->recall);
    printf("  %c %6d %9zu %7zu %6s %6s-%-6s %6s %5.2f %9.1f %8.1f %8.1f %8.1f %s\n",
           mark ? '*' : ' ', r->threshold, r->mqls, r->sqls, conv, lo, hi, rec,
           isfinite(r->lift) ? r->lift : 0.0, r->vol_mean, r->vol_p90, r->vol_max,
           r->sqls_per_period, r->feasible ? "yes" : "");
}

static void print_sweep(const struct config *cfg, const struct sweep_result *s)
{
    const char *per = sweep_period_word(cfg, s);
    printf("sweep %lld (fit %lld): %zu leads, %zu SQLs, %zu %ss", s->sweep_id, s->fit_id,
           s->all.leads, s->all.sqls, s->all.nperiods, per);
    if (cfg->capacity > 0)
        printf("; capacity %.0f MQLs a %s (capacity_rule %s of the latest %zu)", cfg->capacity, per,
               cfg->capacity_rule == CAPACITY_MEAN  ? "mean"
               : cfg->capacity_rule == CAPACITY_MAX ? "max"
                                                    : "p90",
               s->k);
    if (cfg->target_conversion > 0)
        printf("; target conversion %.0f %%", 100 * cfg->target_conversion);
    printf("\n");
    /* what the volumes stand on: whole periods only, undated MQLs spread over them */
    size_t partial = 0, undated = 0;
    for (size_t p = 0; s->period_full && p < s->nperiods; p++)
        partial += !s->period_full[p];
    for (size_t r = 0; r < s->data.n; r++)
        undated += s->period[r] < 0;
    if (partial && s->period_full) {
        char a[16] = "", b[16] = "";
        if (!s->period_full[0])
            period_label(s->period0, cfg->period, a, sizeof a);
        if (!s->period_full[s->nperiods - 1])
            period_label(s->period0 + (int32_t)s->nperiods - 1, cfg->period, b, sizeof b);
        printf(
            "  partial %ss left out of the volumes (the data covers them only in part): %s%s%s\n",
            per, a, a[0] && b[0] ? ", " : "", b);
    }
    if (undated && s->data.has_dates)
        printf("  %zu leads have no date: their MQLs are spread evenly over the whole %ss\n",
               undated, per);
    printf("  %s\n", cli_safe(s->reasoning));
    if (s->has_rec) {
        const struct sweep_expect *e = &s->expect;
        printf("  expected over the next %zu %ss (%s): conversion %.1f %% (%.1f-%.1f), MQLs a %s "
               "%.0f (%.0f-%.0f), SQLs a %s %.1f (%.1f-%.1f)",
               e->horizon, per,
               e->basis == SWEEP_BASIS_HOLDOUT ? "measured on the holdout" : "in sample",
               100 * e->conversion, 100 * e->conv_lo, 100 * e->conv_hi, per, e->mqls, e->mqls_lo,
               e->mqls_hi, per, e->sqls, e->sqls_lo, e->sqls_hi);
        if (isfinite(e->feasible_share))
            printf("; meets capacity and target with chance %.0f %%", 100 * e->feasible_share);
        printf("\n  on the training leads (the rule was chosen there): %zu MQLs with a known "
               "outcome, %.1f %% convert\n",
               s->rec_train.decided, 100 * s->rec_train.conversion);
        if (s->holdout.nrows && s->rec_holdout.mqls)
            printf("  on the holdout (%zu leads, %zu %ss): %zu MQLs, %.0f a %s, %.1f %% convert "
                   "(95 %% CI %.1f-%.1f)\n",
                   s->holdout.leads, s->holdout.nperiods, per, s->rec_holdout.mqls,
                   s->rec_holdout.vol_mean, per, 100 * s->rec_holdout.conversion,
                   100 * s->rec_holdout.conv_lo, 100 * s->rec_holdout.conv_hi);
    }
    int center = s->has_rec             ? s->rec.threshold
                 : s->has_near_capacity ? s->near_capacity.threshold
                                        : s->min_score;
    printf("\n  all leads, no fit minimum; volumes are MQLs per %s (mean, 90th percentile, "
           "busiest):\n",
           per);
    printf("  %c %6s %9s %7s %6s %13s %6s %5s %9s %8s %8s %8s %s\n", ' ', "score", "MQLs", "SQLs",
           "conv%", "95% CI", "recall", "lift", "mean", "p90", "busiest", "SQLs/per", "feasible");
    for (size_t t = 0; t < s->all.nrows; t++) {
        const struct sweep_row *r = &s->all.rows[t];
        if (abs(r->threshold - center) > 8)
            continue;
        print_row(r, s->has_rec && s->rec.fit_min == SWEEP_NO_FIT_MIN &&
                         r->threshold == s->rec.threshold);
    }
    if (s->ndq) {
        printf("\n  disqualifiers (leads never MQLs):\n");
        for (size_t i = 0; i < s->ndq; i++) {
            const struct sweep_disqualifier *q = &s->dq[i];
            printf("    %-30s %7zu leads removed, %5.1f %% converted", cli_safe(q->rule), q->leads,
                   q->leads ? 100.0 * (double)q->sqls / (double)q->leads : 0.0);
            if (s->has_rec)
                printf("; %zu would pass the rule (%zu SQLs)", q->mqls_blocked, q->sqls_blocked);
            printf("\n");
        }
    }
    printf("  tables: %s/sweep.csv, sweep_grid.csv, disqualifiers.csv\n", cfg->out_dir);
}

static void print_audit(const struct config *cfg, const struct audit_result *a)
{
    for (size_t s = 0; s < a->nsegments; s++) {
        const struct audit_segment *g = &a->segments[s];
        printf("\naudit by %s, at the recommended rule (all leads):\n", cli_safe(g->column));
        printf("  %-24s %8s %6s %7s %6s %6s %6s %13s %7s %6s  %s\n", "value", "leads", "conv%",
               "MQLs", "MQL%", "SQLs", "conv%", "95% CI", "SQL sh%", "pred%", "flags");
        for (size_t i = 0; i < g->nvalues && i < 20; i++) {
            const struct audit_value *v = &g->values[i];
            char flags[64];
            snprintf(flags, sizeof flags, "%s%s%s", audit_flag_name(v->flag),
                     v->low && v->flag != AUDIT_OK ? ", " : "", v->low ? "low" : "");
            printf("  %-24.24s %8zu %6.1f %7zu %6.1f %6zu", cli_safe(v->value), v->leads,
                   100 * v->all_conversion, v->mqls, 100 * v->mql_rate, v->sqls);
            if (v->mqls)
                printf(" %6.1f %6.1f-%-6.1f %7.1f %6.1f  %s\n", 100 * v->conversion,
                       100 * v->conv_lo, 100 * v->conv_hi, 100 * v->share_sqls, 100 * v->predicted,
                       flags);
            else
                printf(" %6s %13s %7s %6s  %s\n", "-", "-", "-", "-", flags);
        }
        if (g->nvalues > 20)
            printf("  (%zu more values in audit.csv)\n", g->nvalues - 20);
    }
    printf("  the first conv%% is over all of a value's leads, the second over its MQLs; flags are "
           "tests corrected for %s (Holm, %.0f %% family-wise): over-/under-rated (the model's "
           "prediction against the MQLs' SQLs), low (MQLs convert below %s)\n",
           "every value shown and in audit.csv", 100 * AUDIT_ALPHA,
           cfg->target_conversion > 0 ? "the target" : "the rule's conversion");
    printf("  tables: %s/audit.csv, audit_periods.csv, audit_feedback.csv\n", cfg->out_dir);
}

/* The sweep, stored and printed when print_sweep_table, and the audit when with_audit. */
static int stage(const struct cli_opts *o, const struct config *cfg, int print_sweep_table,
                 int with_audit)
{
    struct mql_err err;
    mql_err_clear(&err);
    sqlite3 *db = NULL;
    struct sweep_result res;
    struct audit_result au;
    memset(&res, 0, sizeof res);
    memset(&au, 0, sizeof au);
    int rc = cli_open_store(o, cfg, &db, &err);
    if (!rc)
        rc = sweep_compute(db, cfg, &res, &err);
    if (!rc)
        rc = sweep_store(db, cfg, &res, &err);
    if (!rc && print_sweep_table)
        print_sweep(cfg, &res);
    else if (!rc)
        printf("sweep %lld: %s\n", res.sweep_id, cli_safe(res.reasoning));
    double audit_s = 0;
    if (!rc && with_audit) {
        struct timespec a0, a1;
        clock_gettime(CLOCK_MONOTONIC, &a0);
        if (!res.has_rec) {
            printf("\naudit: skipped, there is no recommended rule to audit\n");
        } else {
            rc = audit_run(cfg, &res, &au, &err);
            clock_gettime(CLOCK_MONOTONIC, &a1);
            audit_s = (double)(a1.tv_sec - a0.tv_sec) + 1e-9 * (double)(a1.tv_nsec - a0.tv_nsec);
            if (!rc)
                rc = audit_store(db, cfg, &res, &au, &err);
            if (!rc)
                print_audit(cfg, &au);
        }
    }
    if (!rc && o->timings) {
        fflush(stdout);
        fprintf(stderr,
                "timings: load %.3f s, sweep and bootstrap %.3f s, audit %.3f s, compute %.3f s\n",
                res.seconds_load, res.seconds_compute, audit_s, res.seconds_compute + audit_s);
    }
    audit_release(&au);
    sweep_release(&res);
    store_close(db);
    return rc ? cli_fail(&err) : 0;
}

int cli_stage_sweep(const struct cli_opts *o, const struct config *cfg)
{
    return stage(o, cfg, 1, 1);
}

/* `mqlcal sweep`: the sweep with its full table; `mqlcal audit`: the sweep, then the audit */
static int sweep_only(const struct cli_opts *o, const struct config *cfg)
{
    return stage(o, cfg, 1, 0);
}

static int audit_only(const struct cli_opts *o, const struct config *cfg)
{
    return stage(o, cfg, 0, 1);
}

static const struct cli_option sweep_options[] = {CLI_OPT_DB, CLI_OPT_QUIET, CLI_OPT_TIMINGS};
static const struct cli_spec sweep_spec = CLI_STAGE_SPEC("sweep", sweep_options, NULL);
static const struct cli_spec audit_spec = CLI_STAGE_SPEC("audit", sweep_options, NULL);

int cmd_sweep(int argc, char **argv)
{
    return cli_command(&sweep_spec, argc, argv, sweep_only);
}

int cmd_audit(int argc, char **argv)
{
    return cli_command(&audit_spec, argc, argv, audit_only);
}
