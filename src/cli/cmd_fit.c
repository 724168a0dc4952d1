/* cmd_fit.c: `mqlcal fit CONFIG`: learn the points; prints the points table and validation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mqlcal/fit.h"
#include "mqlcal/store.h"

static void print_level_row(const struct fit_result *r, size_t a, size_t l)
{
    const struct encode_attr *ea = &r->enc.attrs[a];
    const struct encode_level *lv = &ea->levels[l];
    char label[64];
    snprintf(label, sizeof label, "%.24s%s", cli_safe(lv->label),
             l == ea->reference ? " (ref)" : "");
    printf("  %-24.24s %-30.30s %8zu %6.1f", l == 0 ? cli_safe(ea->name) : "", label, lv->count,
           lv->count ? 100.0 * (double)lv->positives / (double)lv->count : 0.0);
    int c = lv->column;
    if (ea->excluded)
        printf("  %8s %7s %6s\n", "-", "-", "-");
    else if (c > 0 && r->model.aliased[c])
        printf("  %8s %7s %6s\n", "aliased", "", "0");
    else if (c > 0)
        printf("  %+8.3f %7.3f %+6d\n", r->model.beta[c], r->model.se[c], r->points.points[a][l]);
    else
        printf("  %8s %7s %6d\n", "0", "", r->points.points[a][l]);
}

static void print_metrics_row(const char *name, double a, double b, int pa, int pb, int digits)
{
    printf("  %-22s", name);
    if (pa)
        printf(" %12.*f", digits, a);
    else
        printf(" %12s", "-");
    if (pb)
        printf(" %12.*f\n", digits, b);
    else
        printf(" %12s\n", "-");
}

static void print_fit(const struct fit_result *r)
{
    const struct model_result *m = &r->model;
    printf("fit %lld: %zu leads; training %zu, holdout %zu = %s\n", r->fit_id, r->data.n,
           r->n_train, r->n_holdout, r->holdout_desc);
    if (r->n_unknown)
        printf("  %zu leads whose outcome is not known yet (pending or immature) are in neither "
               "(scored, and counted in MQL volume only)\n",
               r->n_unknown);
    printf("  model: %zu columns (%zu aliased), %d iterations, %s; deviance %.2f (null %.2f), "
           "AIC %.2f%s\n",
           m->p, m->naliased, m->iterations, m->converged ? "converged" : "NOT converged",
           m->deviance, m->null_deviance, m->aic, m->l2 > 0 ? ", L2 penalty" : "");
    if (r->points.use_range)
        printf("  points: scaled to a range; base %d; scores run from %d to %d\n", r->points.base,
               r->points.min_score, r->points.max_score);
    else
        printf("  points: %.0f points double the odds; base %d; scores run from %d to %d\n",
               r->points.factor * log(2.0), r->points.base, r->points.min_score,
               r->points.max_score);
    printf("\n  %-24s %-30s %8s %6s  %8s %7s %6s\n", "attribute", "level", "leads", "SQL %", "coef",
           "se", "points");
    for (size_t a = 0; a < r->enc.nattrs; a++)
        for (size_t l = 0; l < r->enc.attrs[a].nlevels; l++)
            print_level_row(r, a, l);
    const struct fit_metrics *t = &r->train, *h = &r->hold;
    printf("\n  %-22s %12s %12s\n", "validation", "training", "holdout");
    printf("  %-22s", "leads (SQLs)");
    printf(" %5zu (%4zu)", t->n, t->n_pos);
    printf(" %5zu (%4zu)\n", h->n, h->n_pos);
    print_metrics_row("AUC", t->auc.auc, h->auc.auc, t->present, h->present, 4);
    print_metrics_row("  95 % CI low", t->auc.lo, h->auc.lo, t->present, h->present, 4);
    print_metrics_row("  95 % CI high", t->auc.hi, h->auc.hi, t->present, h->present, 4);
    print_metrics_row("AUC with points", t->auc_points, h->auc_points, t->present, h->present, 4);
    print_metrics_row("Brier score", t->brier, h->brier, t->present, h->present, 4);
    print_metrics_row("log loss", t->log_loss, h->log_loss, t->present, h->present, 4);
    print_metrics_row("log loss with points", t->log_loss_points, h->log_loss_points, t->present,
                      h->present, 4);
    print_metrics_row("KS", t->ks, h->ks, t->present, h->present, 4);
    if (r->nwarnings) {
        printf("\n  warnings:\n");
        for (size_t w = 0; w < r->nwarnings; w++)
            printf("    %s: %s: %s\n", r->warnings[w].kind, cli_safe(r->warnings[w].subject),
                   cli_safe(r->warnings[w].message));
    }
}

int cli_stage_fit(const struct cli_opts *o, const struct config *cfg)
{
    struct mql_err err;
    mql_err_clear(&err);
    sqlite3 *db = NULL;
    struct fit_result res;
    memset(&res, 0, sizeof res);
    int rc = cli_open_store(o, cfg, &db, &err);
    if (!rc)
        rc = fit_run(db, cfg, &res, &err);
    if (!rc && o->dump)
        rc = fit_dump_design(&res, o->dump, &err);
    if (!rc) {
        print_fit(&res);
        fflush(stdout);
        if (o->timings)
            fprintf(stderr, "timings: load %.3f s, solve %.3f s, fit stage %.3f s\n",
                    res.seconds_load, res.seconds_solve, res.seconds_total);
    }
    fit_release(&res);
    store_close(db);
    return rc ? cli_fail(&err) : 0;
}

static const struct cli_option fit_options[] = {
    CLI_OPT_DB,
    CLI_OPT_QUIET,
    CLI_OPT_TIMINGS,
    {"--dump-design", 0, CLI_VALUE, "PREFIX", offsetof(struct cli_opts, dump),
     "also write the encoded design (PREFIX.csv, PREFIX-levels.csv) for a peer to refit", 0},
};
static const struct cli_spec fit_spec = CLI_STAGE_SPEC("fit", fit_options, NULL);

int cmd_fit(int argc, char **argv)
{
    return cli_command(&fit_spec, argc, argv, cli_stage_fit);
}
