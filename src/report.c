/*
 * report.c: the report's sections, written from struct report_data onto the page
 * (report_page.h), and report_write, which writes the page, its charts and tables (report.h).
 * report_run.c swaps the finished folder into place.
 */
#define _GNU_SOURCE /* renameat2 */
#include "mqlcal/report.h"

#include <cairo.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <errno.h>
#include <gsl/gsl_version.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqlcal/clock.h"
#include "mqlcal/csvout.h"
#include "mqlcal/figures.h"
#include "mqlcal/fsx.h"
#include "mqlcal/strbuf.h"
#include "report_page.h"
#include "mqlcal/validate.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"
#include "mqlcal/review.h"
#include "mqlcal/stats.h"

#define NEAR_RULE 8 /* sweep rows shown either side of the recommended threshold */

void report_result_release(struct report_result *res)
{
    if (!res)
        return;
    free(res->dir);
    free(res->index);
    memset(res, 0, sizeof *res);
}

/* ---- sections ------------------------------------------------------------------------------ */

#define REPORT_SEGMENT_TOP 20 /* segment values shown by name; the rest pooled (figures.c too) */

static const char *css =
    "<style>\n"
    ":root{--ink:#1d232b;--muted:#5b6470;--line:#d9dee5;--bg:#f6f7f9;--accent:#0072b2}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.5 \"DejaVu Sans\",\"Segoe UI\",Helvetica,Arial,sans-serif;"
    "color:var(--ink);background:#fff}\n"
    "header{background:var(--ink);color:#fff;padding:22px 32px}\n"
    "header h1{margin:0;font-size:24px}header p{margin:4px 0 0;color:#c9d1db}\n"
    "nav{padding:10px 32px;border-bottom:1px solid var(--line);background:var(--bg);"
    "font-size:14px}\n"
    "nav a{margin-right:16px;color:var(--accent);text-decoration:none}\n"
    "main{max-width:1180px;padding:8px 32px 48px}\n"
    "h2{margin:40px 0 8px;padding-bottom:6px;border-bottom:2px solid var(--ink);font-size:21px}\n"
    "h3{margin:26px 0 6px;font-size:17px}\n"
    ".rec{font-size:19px;line-height:1.45;background:#eef6fb;border-left:5px solid "
    "var(--accent);padding:14px 18px;margin:16px 0}\n"
    ".rec.none{background:#fdf1e7;border-color:#d55e00}\n"
    ".rec.warn{background:#fff6e0;border-color:#e69f00}\n"
    ".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}\n"
    ".kpi{border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:150px}\n"
    ".kpi b{display:block;font-size:22px}.kpi span{color:var(--muted);font-size:13px}\n"
    ".tw{overflow-x:auto;margin:10px 0 18px}\n"
    "table{border-collapse:collapse;font-size:13.5px;min-width:50%}\n"
    "caption{text-align:left;font-weight:bold;padding:4px 0 6px}\n"
    "th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "th{background:var(--bg);font-weight:600}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tr.hl td{background:#fff4cc;font-weight:bold}\n"
    "tr.warn td{color:#a33c00}\n"
    "a.csv{font-weight:normal;font-size:12px;margin-left:8px;color:var(--accent)}\n"
    "figure{margin:14px 0 24px}figure img{max-width:100%;height:auto;border:1px solid "
    "var(--line)}\n"
    "figcaption{color:var(--muted);font-size:13px;margin-top:4px}\n"
    ".note{color:var(--muted);font-size:13.5px}\n"
    "ul.warnings li{margin:4px 0}\n"
    "pre{background:var(--bg);border:1px solid var(--line);padding:12px;overflow-x:auto;"
    "font-size:12.5px}\n"
    "dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px}\n"
    "dl.prov dt{color:var(--muted)}dl.prov dd{margin:0;word-break:break-all}\n"
    "@media print{nav{display:none}h2{break-before:page}figure,table{break-inside:avoid}"
    "header{background:#fff;color:#000;border-bottom:2px solid #000}header p{color:#333}}\n"
    "</style>\n";

static void section_summary(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *sw = &d->sweep, *ld = &d->load, *fit = &d->fit;
    struct strbuf *p = &w->p;
    int rec = page_num(sw, 0, "recommended") == 1;
    const char *per = page_text(sw, 0, "period");
    raw(p, "<section id=\"summary\"><h2>Summary</h2>\n");
    const char *warn = store_table_text(sw, 0, "warnings");
    rawf(p, "<p class=\"rec%s\">", !rec ? " none" : warn ? " warn" : "");
    if (rec && warn) { /* what not to trust, first and in bold */
        raw(p, "<b>");
        esc(p, warn);
        raw(p, "</b> ");
        const char *all = page_text(sw, 0, "reasoning");
        size_t wl = strlen(warn);
        esc(p, strncmp(all, warn, wl) == 0 ? all + wl + (all[wl] == ' ') : all);
    } else {
        esc(p, page_text(sw, 0, "reasoning"));
    }
    raw(p, "</p>\n<div class=\"kpis\">");
    char v[96], what[200], lo[32], hi[32];
    if (rec) {
        page_fmt(page_num(sw, 0, "threshold"), F_INT, v, sizeof v);
        if (isfinite(page_num(sw, 0, "fit_min"))) {
            char fm[32];
            page_fmt(page_num(sw, 0, "fit_min"), F_INT, fm, sizeof fm);
            snprintf(what, sizeof what, "MQL threshold (points), with fit >= %s", fm);
        } else {
            snprintf(what, sizeof what, "MQL threshold (points), no fit minimum");
        }
        page_kpi(p, v, what);
        int on_holdout = strcmp(page_text(sw, 0, "basis"), "holdout") == 0;
        /* the expected figures: what the team can plan on, with their intervals */
        page_fmt(page_num(sw, 0, "exp_conversion"), F_PCT, v, sizeof v);
        snprintf(lo, sizeof lo, "%.0f-%.0f %%", 100 * page_num(sw, 0, "exp_conv_lo"),
                 100 * page_num(sw, 0, "exp_conv_hi"));
        if (isfinite(page_num(sw, 0, "target_conversion")))
            snprintf(what, sizeof what, "of next quarter's MQLs become SQLs (%s; target %.0f %%)",
                     lo, 100 * page_num(sw, 0, "target_conversion"));
        else
            snprintf(what, sizeof what, "of next quarter's MQLs become SQLs (%s)", lo);
        page_kpi(p, v, what);
        page_fmt(page_num(sw, 0, "exp_mqls"), F_R1, v, sizeof v);
        page_fmt(page_num(sw, 0, "exp_mqls_lo"), F_R1, lo, sizeof lo);
        page_fmt(page_num(sw, 0, "exp_mqls_hi"), F_R1, hi, sizeof hi);
        if (isfinite(page_num(sw, 0, "capacity")))
            snprintf(what, sizeof what, "MQLs a %s expected (%s-%s; capacity %g)", per, lo, hi,
                     page_num(sw, 0, "capacity"));
        else
            snprintf(what, sizeof what, "MQLs a %s expected (%s-%s; no capacity set)", per, lo, hi);
        page_kpi(p, v, what);
        page_fmt(page_num(sw, 0, "exp_sqls"), F_R1, v, sizeof v);
        page_fmt(page_num(sw, 0, "exp_sqls_lo"), F_R1, lo, sizeof lo);
        page_fmt(page_num(sw, 0, "exp_sqls_hi"), F_R1, hi, sizeof hi);
        snprintf(what, sizeof what, "SQLs a %s expected (%s-%s)", per, lo, hi);
        page_kpi(p, v, what);
        if (isfinite(page_num(sw, 0, "feasible_share"))) {
            page_fmt(page_num(sw, 0, "feasible_share"), F_PCT0, v, sizeof v);
            page_kpi(p, v,
                     isfinite(page_num(sw, 0, "capacity")) &&
                             isfinite(page_num(sw, 0, "target_conversion"))
                         ? "chance next quarter meets capacity and target"
                     : isfinite(page_num(sw, 0, "capacity"))
                         ? "chance next quarter stays within capacity"
                         : "chance next quarter reaches the target");
        }
        /* the evidence: the holdout, which chose nothing, beside the training leads */
        if (on_holdout) {
            page_fmt(page_num(sw, 0, "holdout_conversion"), F_PCT, v, sizeof v);
            snprintf(what, sizeof what, "converted on the holdout (%.0f MQLs, %.0f SQLs)",
                     page_num(sw, 0, "holdout_mqls") - page_num(sw, 0, "holdout_pending"),
                     page_num(sw, 0, "holdout_sqls"));
            page_kpi(p, v, what);
        }
        page_fmt(page_num(sw, 0, "train_conversion"), F_PCT, v, sizeof v);
        snprintf(what, sizeof what, "converted on the training leads it was chosen on%s",
                 on_holdout ? "" : " (in sample: optimistic)");
        page_kpi(p, v, what);
    }
    page_fmt(page_num(ld, 0, "rows_loaded"), F_INT, v, sizeof v);
    page_kpi(p, v, "leads analysed");
    raw(p, "</div>\n<p>");
    char a[64], b[64], c[64];
    page_fmt(page_num(ld, 0, "rows_loaded"), F_INT, a, sizeof a);
    page_fmt(page_num(fit, 0, "n_holdout"), F_INT, b, sizeof b);
    page_fmt(page_num(fit, 0, "n_train"), F_INT, c, sizeof c);
    if (store_table_text(ld, 0, "date_min"))
        page_escf(p, "%s leads created %s to %s, %.0f %ss. ", a, page_text(ld, 0, "date_min"),
                  page_text(ld, 0, "date_max"), page_num(sw, 0, "periods"), per);
    else
        page_escf(p, "%s leads without creation dates (one period). ", a);
    page_escf(p, "The model was fitted on %s leads and checked on a holdout of %s: %s.", c, b,
              page_text(fit, 0, "holdout"));
    if (page_num(fit, 0, "n_pending") > 0)
        page_escf(p,
                  " %.0f leads whose outcome is not known yet (pending or immature) are in neither "
                  "(they count in the MQL "
                  "volumes).",
                  page_num(fit, 0, "n_pending"));
    raw(p, "</p>\n");
    page_figure(w, "sweep.png", "The recommended threshold against the whole sweep.");
    raw(p, "</section>\n");
}

/* Every record accounted for: read = loaded + rejected, and the outcomes of the loaded. */
static void quality_reconcile(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *ld = &d->load;
    struct strbuf *p = &w->p;
    char a[64], b[64], c[64];
    page_fmt(page_num(ld, 0, "rows_read"), F_INT, a, sizeof a);
    page_fmt(page_num(ld, 0, "rows_loaded"), F_INT, b, sizeof b);
    page_fmt(page_num(ld, 0, "rows_rejected"), F_INT, c, sizeof c);
    int balanced = page_num(ld, 0, "rows_read") ==
                   page_num(ld, 0, "rows_loaded") + page_num(ld, 0, "rows_rejected");
    raw(p, "<p>Reconciliation: ");
    page_escf(p, "%s records read = %s loaded + %s rejected", a, b, c);
    raw(p, balanced ? " (balanced; no record was dropped)." : " <b>(does not balance)</b>.");
    if (page_num(ld, 0, "blank_lines") > 0)
        page_escf(p, " %.0f blank lines were skipped.", page_num(ld, 0, "blank_lines"));
    raw(p, "</p>\n");
    {
        char s1[32], s2[32], s3[32];
        page_fmt(page_num(ld, 0, "sqls"), F_INT, s1, sizeof s1);
        page_fmt(page_num(ld, 0, "not_sqls"), F_INT, s2, sizeof s2);
        page_fmt(page_num(ld, 0, "pending"), F_INT, s3, sizeof s3);
        raw(p, "<p>Outcomes: ");
        if (d->maturity.nrows) {
            const struct store_table *m = &d->maturity;
            page_escf(p,
                      "%s loaded = %s SQL + %s not SQL + %s not known yet (%.0f immature, %.0f "
                      "pending, %.0f without a creation date: see Outcomes take time).",
                      b, s1, s2, s3, page_num(m, 0, "immature"), page_num(m, 0, "pending"),
                      page_num(m, 0, "undated"));
        } else {
            page_escf(p, "%s loaded = %s SQL + %s not SQL + %s pending.", b, s1, s2, s3);
        }
        if (!d->maturity.nrows && page_num(ld, 0, "pending") > 0)
            esc(p, " A pending lead (an open deal, its outcome not known yet) counts in MQL "
                   "volume and the capacity check, and in no fit, conversion, calibration or "
                   "holdout figure.");
        raw(p, "</p>\n");
    }
}

/* The [outcomes] file: every row accounted for too. */
static void quality_outcomes(struct writer *w)
{
    const struct store_table *ld = &w->d->load;
    struct strbuf *p = &w->p;
    const char *osrc = store_table_text(ld, 0, "outcomes_source");
    if (osrc) {
        char r1[32], r2[32], r3[32], r4[32];
        page_fmt(page_num(ld, 0, "outcomes_rows"), F_INT, r1, sizeof r1);
        page_fmt(page_num(ld, 0, "outcomes_ids"), F_INT, r2, sizeof r2);
        page_fmt(page_num(ld, 0, "outcomes_ids_matched"), F_INT, r3, sizeof r3);
        page_fmt(page_num(ld, 0, "outcomes_ids") - page_num(ld, 0, "outcomes_ids_matched"), F_INT,
                 r4, sizeof r4);
        raw(p, "<p>Outcomes from ");
        esc(p, osrc);
        page_escf(
            p,
            ": %s rows (%.0f without a lead id) for %s lead ids; %s matched a loaded lead, %s "
            "matched none.",
            r1, page_num(ld, 0, "outcomes_rows_no_id"), r2, r3, r4);
        if (page_num(ld, 0, "outcomes_pending_rows") > 0)
            page_escf(p, " %.0f rows are at a pending stage (open deals).",
                      page_num(ld, 0, "outcomes_pending_rows"));
        raw(p, "</p>\n");
    }
}

/* Each [join] table: its rows, and the leads that found one and did not. */
static void quality_joins(struct writer *w)
{
    const struct report_data *d = w->d;
    if (d->joins.nrows) {
        static const char *const h[] = {"table",           "file",       "rows",
                                        "rows, no key",    "keys",       "leads matched",
                                        "leads unmatched", "keys unused"};
        static const enum fmt f[] = {F_TEXT, F_TEXT, F_INT, F_INT, F_INT, F_INT, F_INT, F_INT};
        struct tab t;
        page_tab_begin(w, &t, "joins.csv",
                       "Joined tables: a lead whose key has no row reads the table's columns as "
                       "missing (it is never dropped)",
                       h, f, 8);
        for (size_t r = 0; r < d->joins.nrows; r++) {
            const struct store_table *j = &d->joins;
            page_tab_row_begin(&t, page_num(j, r, "leads_unmatched") > 0 ? "warn" : NULL);
            page_tab_text(&t, page_text(j, r, "name"));
            page_tab_text(&t, page_text(j, r, "source"));
            page_tab_num(&t, page_num(j, r, "rows"));
            page_tab_num(&t, page_num(j, r, "rows_no_key"));
            page_tab_num(&t, page_num(j, r, "keys"));
            page_tab_num(&t, page_num(j, r, "leads_matched"));
            page_tab_num(&t, page_num(j, r, "leads_unmatched"));
            page_tab_num(&t, page_num(j, r, "keys_unused"));
            page_tab_row_end(&t);
        }
        page_tab_end(w, &t);
    }
}

/* The rejected records by reason. */
static void quality_rejects(struct writer *w)
{
    const struct report_data *d = w->d;
    struct strbuf *p = &w->p;
    if (d->rejects.nrows) {
        static const char *const h[] = {"reason", "records", "first line", "first example"};
        static const enum fmt f[] = {F_TEXT, F_INT, F_INT, F_TEXT};
        struct tab t;
        page_tab_begin(w, &t, "rejects.csv", "Rejected records by reason", h, f, 4);
        for (size_t r = 0; r < d->rejects.nrows; r++) {
            page_tab_row_begin(&t, NULL);
            page_tab_text(&t, page_text(&d->rejects, r, "reason"));
            page_tab_num(&t, page_num(&d->rejects, r, "leads"));
            page_tab_num(&t, page_num(&d->rejects, r, "first_line"));
            page_tab_text(&t, page_text(&d->rejects, r, "detail"));
            page_tab_row_end(&t);
        }
        page_tab_end(w, &t);
    } else {
        raw(p, "<p>No record was rejected.</p>\n");
    }
}

/* Missing values per column, flagged over 20 % (but the SQL date, missing for non-SQLs). */
static void quality_missing(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *ld = &d->load;
    static const char *const h[] = {"column", "role", "kind", "missing", "missing rate"};
    static const enum fmt f[] = {F_TEXT, F_TEXT, F_TEXT, F_INT, F_PCT};
    struct tab t;
    page_tab_begin(w, &t, "missing.csv", "Missing values per column (loaded leads)", h, f, 5);
    double loaded = page_num(ld, 0, "rows_loaded");
    for (size_t r = 0; r < d->columns.nrows; r++) {
        double m = page_num(&d->columns, r, "missing");
        /* an SQL date is missing for every lead that is no SQL: no warning there */
        int expected = strcmp(page_text(&d->columns, r, "role"), "outcome_date") == 0;
        page_tab_row_begin(&t, !expected && isfinite(m) && loaded > 0 && m / loaded > 0.2 ? "warn"
                                                                                          : NULL);
        page_tab_text(&t, page_text(&d->columns, r, "name"));
        page_tab_text(&t, page_text(&d->columns, r, "role"));
        page_tab_text(&t, page_text(&d->columns, r, "kind"));
        page_tab_num(&t, m);
        page_tab_num(&t, loaded > 0 ? m / loaded : NAN);
        page_tab_row_end(&t);
    }
    page_tab_end(w, &t);
}

static void section_quality(struct writer *w)
{
    raw(&w->p, "<section id=\"quality\"><h2>Data quality</h2>\n");
    quality_reconcile(w);
    quality_outcomes(w);
    quality_joins(w);
    quality_rejects(w);
    quality_missing(w);
    raw(&w->p, "</section>\n");
}

/* Outcomes take time (maturity.h): as_of, the window, time to SQL, and each period's maturity. */
static void section_maturity(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *m = &d->maturity;
    struct strbuf *p = &w->p;
    if (!m->nrows)
        return;
    raw(p, "<section id=\"maturity\"><h2>Outcomes take time</h2>\n<p>");
    char a[32], b[32], c[32], e[32];
    page_fmt(page_num(m, 0, "window_days"), F_INT, a, sizeof a);
    page_escf(p,
              "The outcome is an SQL within %s days of the lead's creation (the window: %s). The "
              "export is taken as of %s (from %s). ",
              a, page_text(m, 0, "window_source"), page_text(m, 0, "as_of"),
              page_text(m, 0, "as_of_source"));
    if (isfinite(page_num(m, 0, "median_days")))
        page_escf(
            p,
            "Of the leads that convert, half do so within %.0f days of creation, 90 %% within "
            "%.0f and 95 %% within %.0f (Kaplan-Meier over %.0f leads, %.0f SQLs; a lead not "
            "converted yet counts until as_of, so recent leads do not pull the curve down). ",
            page_num(m, 0, "median_days"), page_num(m, 0, "p90_days"), page_num(m, 0, "p95_days"),
            page_num(m, 0, "curve_subjects"), page_num(m, 0, "curve_events"));
    page_fmt(page_num(m, 0, "immature"), F_INT, a, sizeof a);
    page_fmt(page_num(m, 0, "immature_sqls"), F_INT, b, sizeof b);
    page_fmt(page_num(m, 0, "late_sqls"), F_INT, c, sizeof c);
    page_fmt(page_num(m, 0, "undated"), F_INT, e, sizeof e);
    page_escf(
        p,
        "%s leads created from %s are immature: their window is still open (%s of them are SQLs "
        "so far). They are scored and counted in MQL volume and the capacity check, and left "
        "out of the fit, the calibration, the holdout and every conversion: counting them as "
        "failures would read their youth as low quality, and keeping only those that converted "
        "already would inflate conversion.",
        a, page_text(m, 0, "immature_from"), b);
    if (page_num(m, 0, "late_sqls") > 0)
        page_escf(p, " %s SQLs came later than the window: they count as not SQL.", c);
    if (page_num(m, 0, "undated") > 0)
        page_escf(
            p, " %s leads without a creation date cannot be placed in time: not known either.", e);
    raw(p, "</p>\n");
    page_figure(
        w, "time-to-sql.png",
        "The share of leads converted by day since creation, with its 95 % band; the window "
        "marked.");
    page_figure(w, "maturity.png",
                "A period still maturing is not a decline: its conversion so far, and what the "
                "time-to-SQL curve expects it to reach by the end of its window.");
    if (d->mat_periods.nrows) {
        static const char *const h[] = {"period",
                                        "status",
                                        "leads",
                                        "pending",
                                        "mature",
                                        "immature",
                                        "SQLs (window)",
                                        "late SQLs",
                                        "SQLs so far",
                                        "conversion (mature)",
                                        "expected conversion"};
        static const enum fmt f[] = {F_TEXT, F_TEXT, F_INT, F_INT, F_INT, F_INT,
                                     F_INT,  F_INT,  F_INT, F_PCT, F_PCT};
        struct tab t;
        page_tab_begin(w, &t, "maturity.csv",
                       "Maturity per period: a maturing period's conversion is not known yet; its "
                       "expected conversion is the Kaplan-Meier estimate",
                       h, f, 11);
        const struct store_table *x = &d->mat_periods;
        for (size_t r = 0; r < x->nrows; r++) {
            int maturing = strcmp(page_text(x, r, "status"), "maturing") == 0;
            page_tab_row_begin(&t, maturing ? "warn" : NULL);
            page_tab_text(&t, page_text(x, r, "period"));
            page_tab_text(&t, page_text(x, r, "status"));
            static const char *const cols[] = {"leads",       "pending",    "mature",
                                               "immature",    "sqls",       "late_sqls",
                                               "sqls_so_far", "conversion", "expected_conversion"};
            for (size_t k = 0; k < ARRAY_SIZE(cols); k++)
                page_tab_num(&t, maturing && k == 7 ? NAN : page_num(x, r, cols[k]));
            page_tab_row_end(&t);
        }
        page_tab_end(w, &t);
    }
    raw(p, "</section>\n");
}

static void section_model(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *fit = &d->fit;
    struct strbuf *p = &w->p;
    raw(p, "<section id=\"model\"><h2>The model</h2>\n<p>");
    page_escf(
        p,
        "Logistic regression on %.0f columns (%.0f aliased), %.0f iterations%s; deviance "
        "%.1f against %.1f for the base rate alone. Points: %s scaling, base %.0f; scores run "
        "from %.0f to %.0f.",
        page_num(fit, 0, "columns"), page_num(fit, 0, "aliased"), page_num(fit, 0, "iterations"),
        page_num(fit, 0, "converged") == 1 ? ", converged" : ", NOT converged",
        page_num(fit, 0, "deviance"), page_num(fit, 0, "null_deviance"),
        page_text(fit, 0, "scaling"), page_num(fit, 0, "base"), page_num(fit, 0, "min_score"),
        page_num(fit, 0, "max_score"));
    if (page_num(fit, 0, "l2") > 0)
        page_escf(p, " L2 penalty %g.", page_num(fit, 0, "l2"));
    raw(p, "</p>\n");
    page_figure(w, "scorecard-fit.png", NULL);
    page_figure(w, "scorecard-engagement.png", NULL);
    page_figure(w, "scorecard-other.png", NULL);
    static const char *const h[] = {"attribute", "group", "level",       "leads",
                                    "SQL rate",  "coef",  "95 % CI low", "95 % CI high",
                                    "p-value",   "points"};
    static const enum fmt f[] = {F_TEXT, F_TEXT, F_TEXT, F_INT, F_PCT,
                                 F_R3,   F_R3,   F_R3,   F_P,   F_INT};
    struct tab t;
    page_tab_begin(w, &t, "points.csv", "Points per attribute level (training leads)", h, f, 10);
    const struct store_table *lv = &d->levels;
    for (size_t r = 0; r < lv->nrows; r++) {
        int ref = page_num(lv, r, "is_reference") == 1, aliased = page_num(lv, r, "aliased") == 1;
        char label[512];
        snprintf(label, sizeof label, "%s%s%s", page_text(lv, r, "label"),
                 ref ? " (reference)" : "", aliased ? " (aliased)" : "");
        page_tab_row_begin(&t, NULL);
        page_tab_text(&t, page_text(lv, r, "attribute"));
        page_tab_text(&t, page_text(lv, r, "grp"));
        page_tab_text(&t, label);
        double leads = page_num(lv, r, "leads");
        page_tab_num(&t, leads);
        page_tab_num(&t, leads > 0 ? page_num(lv, r, "sqls") / leads : NAN);
        page_tab_num(&t, ref ? 0 : page_num(lv, r, "coef"));
        page_tab_num(&t, page_num(lv, r, "ci_lo"));
        page_tab_num(&t, page_num(lv, r, "ci_hi"));
        page_tab_num(&t, page_num(lv, r, "p_value"));
        page_tab_num(&t, page_num(lv, r, "points"));
        page_tab_row_end(&t);
    }
    page_tab_end(w, &t);
    /* excluded attributes and warnings */
    int any = 0;
    for (size_t r = 0; r < d->attrs.nrows; r++)
        if (page_num(&d->attrs, r, "excluded") == 1) {
            if (!any++)
                raw(p, "<h3>Attributes left out</h3><ul class=\"warnings\">\n");
            raw(p, "<li><b>");
            esc(p, page_text(&d->attrs, r, "attribute"));
            raw(p, "</b>: ");
            esc(p, page_text(&d->attrs, r, "why"));
            raw(p, "</li>\n");
        }
    if (any)
        raw(p, "</ul>\n");
    raw(p, "<h3>Warnings</h3>\n");
    if (d->warnings.nrows == 0) {
        raw(p, "<p>None: no separation, leakage, aliased column or sign surprise.</p>\n");
    } else {
        raw(p, "<ul class=\"warnings\">\n");
        for (size_t r = 0; r < d->warnings.nrows; r++) {
            raw(p, "<li><b>");
            esc(p, page_text(&d->warnings, r, "kind"));
            raw(p, "</b> (");
            esc(p, page_text(&d->warnings, r, "subject"));
            raw(p, "): ");
            esc(p, page_text(&d->warnings, r, "message"));
            raw(p, "</li>\n");
        }
        raw(p, "</ul>\n");
    }
    raw(p, "</section>\n");
}

static double metric(const struct report_data *d, const char *sample, const char *name,
                     const char *col)
{
    for (size_t r = 0; r < d->metrics.nrows; r++)
        if (strcmp(page_text(&d->metrics, r, "sample"), sample) == 0 &&
            strcmp(page_text(&d->metrics, r, "metric"), name) == 0)
            return page_num(&d->metrics, r, col);
    return NAN;
}

static void section_validation(struct writer *w)
{
    const struct report_data *d = w->d;
    struct strbuf *p = &w->p;
    raw(p, "<section id=\"validation\"><h2>Validation</h2>\n");
    static const char *const h[] = {"metric", "training", "holdout"};
    static const enum fmt f[] = {F_TEXT, F_R4, F_R4};
    struct tab t;
    page_tab_begin(w, &t, "metrics.csv", "How well the scores separate and predict", h, f, 3);
    static const struct {
        const char *name, *col, *label;
    } m[] = {
        {"leads", "value", "leads"},
        {"sqls", "value", "SQLs"},
        {"auc", "value", "AUC (model probability)"},
        {"auc", "lo", "AUC 95 % CI low (DeLong)"},
        {"auc", "hi", "AUC 95 % CI high (DeLong)"},
        {"auc_points", "value", "AUC with integer points"},
        {"brier", "value", "Brier score"},
        {"log_loss", "value", "log loss"},
        {"log_loss_points", "value", "log loss with integer points"},
        {"ks", "value", "KS statistic"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
        page_tab_row_begin(&t, NULL);
        page_tab_text(&t, m[i].label);
        double a = metric(d, "training", m[i].name, m[i].col);
        double b = metric(d, "holdout", m[i].name, m[i].col);
        if (i < 2) { /* counts */
            char x[64], y[64];
            page_fmt(a, F_INT, x, sizeof x);
            page_fmt(b, F_INT, y, sizeof y);
            rawf(p, "<td class=\"n\">%s</td><td class=\"n\">%s</td>", x, y);
            if (t.csv_open) {
                csvout_real(&t.csv, a);
                csvout_real(&t.csv, b);
            }
        } else {
            page_tab_num(&t, a);
            page_tab_num(&t, b);
        }
        page_tab_row_end(&t);
    }
    page_tab_end(w, &t);
    page_figure(w, "roc.png", NULL);
    page_figure(w, "gains.png", NULL);
    page_figure(w, "calibration.png", NULL);
    page_figure(w, "scores.png", NULL);
    static const char *const hc[] = {"sample",    "bin",      "leads",       "SQLs",
                                     "predicted", "observed", "95 % CI low", "95 % CI high"};
    static const enum fmt fc[] = {F_TEXT, F_INT, F_INT, F_INT, F_PCT, F_PCT, F_PCT, F_PCT};
    page_tab_begin(w, &t, "calibration.csv", "Calibration by decile of predicted probability", hc,
                   fc, 8);
    for (size_t r = 0; r < d->calib.nrows; r++) {
        page_tab_row_begin(&t, NULL);
        page_tab_text(&t, page_text(&d->calib, r, "sample"));
        page_tab_num(&t, page_num(&d->calib, r, "bin"));
        page_tab_num(&t, page_num(&d->calib, r, "leads"));
        page_tab_num(&t, page_num(&d->calib, r, "sqls"));
        page_tab_num(&t, page_num(&d->calib, r, "predicted"));
        page_tab_num(&t, page_num(&d->calib, r, "observed"));
        page_tab_num(&t, page_num(&d->calib, r, "lo"));
        page_tab_num(&t, page_num(&d->calib, r, "hi"));
        page_tab_row_end(&t);
    }
    page_tab_end(w, &t);
    raw(p, "</section>\n");
}

static void section_sweep(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *sw = &d->sweep, *th = &d->thresholds;
    struct strbuf *p = &w->p;
    const char *per = page_text(sw, 0, "period");
    int rec = page_num(sw, 0, "recommended") == 1;
    raw(p, "<section id=\"sweep\"><h2>The sweep</h2>\n<p>");
    const char *cr = page_text(sw, 0, "capacity_rule");
    page_escf(
        p,
        "Every integer threshold on all leads; capacity %g MQLs per %s (capacity_rule %s: the "
        "%s of the latest %.0f %ss, with growth), target conversion %s; %0.f bootstrap "
        "replicates (seed %.0f). The rule is chosen on the training leads (the grid's "
        "conversion and SQLs) and measured on the holdout.",
        page_num(sw, 0, "capacity"), per, cr,
        strcmp(cr, "mean") == 0  ? "mean"
        : strcmp(cr, "max") == 0 ? "busiest"
                                 : "90th percentile",
        page_num(sw, 0, "recent_periods"), per,
        isfinite(page_num(sw, 0, "target_conversion")) ? "set" : "not set",
        page_num(sw, 0, "bootstrap"), page_num(sw, 0, "seed"));
    if (!rec)
        page_escf(p, " No rule meets both constraints: %s binds.", page_text(sw, 0, "binding"));
    raw(p, "</p>\n");
    page_figure(w, "tradeoff.png", NULL);
    page_figure(w, "grid.png", NULL);
    if (!page_has_figure(w, "grid.png") && d->grid.nrows > 0)
        raw(p, "<p class=\"note\">No grid of fit minimums: no attribute is in the fit group "
               "(or every lead has the same fit score), so every rule is a threshold alone, as "
               "in the sweep above.</p>\n");
    page_figure(w, "periods.png", NULL);
    {
        const struct store_table *pt = &d->periods;
        size_t np = 0, last = 0;
        for (size_t r = 0; r < pt->nrows; r++)
            if (page_num(pt, r, "partial") == 1)
                np++, last = r;
        for (size_t r = 0, k = 0; r < pt->nrows; r++) {
            if (page_num(pt, r, "partial") != 1)
                continue;
            if (k++ == 0) {
                raw(p, "<p class=\"note\">");
                page_escf(p, "Partial %s%s ", per, np > 1 ? "s" : "");
            } else
                raw(p, r == last ? " and " : ", ");
            esc(p, page_text(pt, r, "period"));
        }
        if (np)
            page_escf(p,
                      " (starred in the chart): the data covers %s only in part, so %s left out of "
                      "the MQLs-per-%s figures, which a part-%s would pull down.",
                      np > 1 ? "them" : "it", np > 1 ? "they are" : "it is", per, per);
        if (np)
            raw(p, "</p>\n");
    }
    char cap[200], vol[64], vol90[64], volc[64];
    snprintf(vol, sizeof vol, "MQLs per %s", per);
    snprintf(vol90, sizeof vol90, "p90 MQLs per %s", per);
    snprintf(volc, sizeof volc, "capacity statistic (%s, lately)", cr);
    const char *h[] = {
        "threshold", "MQLs", "SQLs", "conversion", "95 % CI low",    "95 % CI high",   "recall",
        "lift",      vol,    vol90,  volc,         "band conv. low", "band conv. high"};
    static const enum fmt f[] = {F_INT, F_INT, F_INT, F_PCT, F_PCT, F_PCT, F_PCT,
                                 F_R2,  F_R1,  F_R1,  F_R1,  F_PCT, F_PCT};
    int center = rec ? (int)page_num(sw, 0, "threshold") : 0;
    snprintf(cap, sizeof cap,
             "The recommended rule (highlighted), then thresholds around %d points without a "
             "fit minimum (all leads; the full table is sweep.csv beside the store)",
             center);
    struct tab t;
    page_tab_begin(w, &t, "sweep-near.csv", rec ? cap : "Thresholds (all leads, no fit minimum)", h,
                   f, 13);
    size_t shown = 0;
    if (rec) {
        /* the highlighted row is the recommended rule itself, fit minimum included: the
         * threshold rows below have none, so one of them would show other figures */
        char label[64];
        if (isfinite(page_num(sw, 0, "fit_min")))
            snprintf(label, sizeof label, "%d, fit >= %.0f (the rule)", center,
                     page_num(sw, 0, "fit_min"));
        else
            snprintf(label, sizeof label, "%d (the rule)", center);
        page_tab_row_begin(&t, "hl");
        page_tab_text(&t, label);
        /* in sample, as the rows below; its bands are the threshold curve's, which a fit
         * minimum changes, so none are shown */
        static const char *const c[] = {"mqls",    "sqls",    "conversion", "conv_lo",
                                        "conv_hi", "recall",  NULL,         "vol_mean",
                                        "vol_p90", "vol_cap", NULL,         NULL};
        for (size_t k = 0; k < 12; k++)
            page_tab_num(&t, c[k] ? page_num(sw, 0, c[k]) : NAN);
        page_tab_row_end(&t);
    }
    for (size_t r = 0; r < th->nrows; r++) {
        if (strcmp(page_text(th, r, "sample"), "all") != 0)
            continue;
        int thr = (int)page_num(th, r, "threshold");
        if (rec && abs(thr - center) > NEAR_RULE)
            continue;
        if (!rec && shown >= 2 * NEAR_RULE + 1)
            break;
        shown++;
        page_tab_row_begin(&t, NULL);
        static const char *const c[] = {"threshold",   "mqls",    "sqls",    "conversion",
                                        "conv_lo",     "conv_hi", "recall",  "lift",
                                        "vol_mean",    "vol_p90", "vol_cap", "band_conv_lo",
                                        "band_conv_hi"};
        for (size_t k = 0; k < 13; k++)
            page_tab_num(&t, page_num(th, r, c[k]));
        page_tab_row_end(&t);
    }
    page_tab_end(w, &t);
    raw(p, "</section>\n");
}

static void section_disqualifiers(struct writer *w)
{
    const struct report_data *d = w->d;
    struct strbuf *p = &w->p;
    raw(p, "<section id=\"disqualifiers\"><h2>Disqualifiers</h2>\n");
    if (d->dqs.nrows == 0) {
        raw(p, "<p>No disqualifier is configured ([rules] disqualify).</p></section>\n");
        return;
    }
    raw(p, "<p>Leads a disqualifier matches are never MQLs. A high conversion here means the "
           "rule blocks real demand.</p>\n");
    static const char *const h[] = {"rule",       "leads removed", "their SQLs",
                                    "conversion", "MQLs blocked",  "SQLs blocked"};
    static const enum fmt f[] = {F_TEXT, F_INT, F_INT, F_PCT, F_INT, F_INT};
    struct tab t;
    page_tab_begin(w, &t, "disqualifiers.csv",
                   "What each disqualifier removes (blocked: at or above the recommended rule)", h,
                   f, 6);
    for (size_t r = 0; r < d->dqs.nrows; r++) {
        page_tab_row_begin(&t, NULL);
        page_tab_text(&t, page_text(&d->dqs, r, "rule"));
        page_tab_num(&t, page_num(&d->dqs, r, "leads"));
        page_tab_num(&t, page_num(&d->dqs, r, "sqls"));
        page_tab_num(&t, page_num(&d->dqs, r, "conversion"));
        page_tab_num(&t, page_num(&d->dqs, r, "mqls_blocked"));
        page_tab_num(&t, page_num(&d->dqs, r, "sqls_blocked"));
        page_tab_row_end(&t);
    }
    page_tab_end(w, &t);
    raw(p, "</section>\n");
}

static void section_segments(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *sg = &d->segments;
    struct strbuf *p = &w->p;
    raw(p, "<section id=\"segments\"><h2>Segment audits</h2>\n");
    if (page_num(&d->sweep, 0, "recommended") != 1) {
        raw(p, "<p>No recommended rule, so no audit.</p></section>\n");
        return;
    }
    if (sg->nrows == 0) {
        raw(p, "<p>No audit for this sweep: configure [segments] by = ... and run 'mqlcal "
               "audit' (or 'mqlcal run').</p></section>\n");
        return;
    }
    raw(p, "<p>At the recommended rule, per segment value: the conversion of all its leads, then "
           "of its MQLs. Flags are tests corrected for multiplicity over every value of every "
           "segment (Holm, 5 % family-wise), so a well-calibrated model is not flagged by chance: "
           "<i>over-rated</i> / <i>under-rated</i>: its MQLs convert less / more than the model "
           "predicts; <i>low</i>: its MQLs convert below the target (or, without one, below the "
           "rule's own conversion).</p>\n");
    size_t seg = 0;
    for (size_t r0 = 0; r0 < sg->nrows; seg++) {
        const char *col = page_text(sg, r0, "column_name");
        size_t r1 = r0;
        while (r1 < sg->nrows && strcmp(page_text(sg, r1, "column_name"), col) == 0)
            r1++;
        raw(p, "<h3>");
        esc(p, col);
        raw(p, "</h3>\n");
        char file[64], cap[300];
        snprintf(file, sizeof file, "segment-%zu.png", seg + 1);
        page_figure(w, file, NULL);
        static const char *const h[] = {
            "value",      "leads",       "conversion (all)", "MQLs",          "MQL rate",  "SQLs",
            "conversion", "95 % CI low", "95 % CI high",     "share of SQLs", "predicted", "flags"};
        static const enum fmt f[] = {F_TEXT, F_INT, F_PCT, F_INT, F_PCT, F_INT,
                                     F_PCT,  F_PCT, F_PCT, F_PCT, F_PCT, F_TEXT};
        snprintf(file, sizeof file, "audit-%zu.csv", seg + 1);
        snprintf(cap, sizeof cap, "Audit by %s", col);
        struct tab t;
        page_tab_begin(w, &t, file, cap, h, f, 12);
        /* the largest values (rows come by leads, most first) and every flagged one on the
         * page, the rest pooled into one row; the CSV keeps every value */
        double pool[8] = {0}; /* leads, known, all_sqls, mqls, pending, sqls, share, sum p x mqls */
        size_t pooled = 0;
        for (size_t r = r0; r < r1; r++) {
            const char *flag = page_text(sg, r, "flag");
            int low = page_num(sg, r, "low") == 1;
            int warn = (flag[0] && strcmp(flag, "no MQL") != 0) || low;
            if (r - r0 >= REPORT_SEGMENT_TOP && !warn) {
                static const char *const pc[] = {"leads",   "known", "all_sqls",  "mqls",
                                                 "pending", "sqls",  "share_sqls"};
                for (size_t k = 0; k < 7; k++)
                    pool[k] += isfinite(page_num(sg, r, pc[k])) ? page_num(sg, r, pc[k]) : 0;
                if (isfinite(page_num(sg, r, "predicted")))
                    pool[7] += page_num(sg, r, "predicted") *
                               (page_num(sg, r, "mqls") - page_num(sg, r, "pending"));
                pooled++;
                page_tab_row_where(&t, 0, 1);
            }
            char flags[64];
            snprintf(flags, sizeof flags, "%s%s%s", flag, flag[0] && low ? ", " : "",
                     low ? "low" : "");
            page_tab_row_begin(&t, warn ? "warn" : NULL);
            page_tab_text(&t, page_text(sg, r, "value"));
            static const char *const c[] = {"leads",      "all_conversion", "mqls",    "mql_rate",
                                            "sqls",       "conversion",     "conv_lo", "conv_hi",
                                            "share_sqls", "predicted"};
            for (size_t k = 0; k < 10; k++)
                page_tab_num(&t, page_num(sg, r, c[k]));
            page_tab_text(&t, flags);
            page_tab_row_end(&t);
        }
        if (pooled) { /* on the page only */
            char label[64];
            snprintf(label, sizeof label, "(%zu other values, pooled)", pooled);
            double decided = pool[3] - pool[4], lo = NAN, hi = NAN;
            if (decided > 0)
                validate_wilson((size_t)pool[5], (size_t)decided, STATS_Z95, &lo, &hi);
            double v[] = {pool[0], pool[1] > 0 ? pool[2] / pool[1] : NAN,
                          pool[3], pool[0] > 0 ? pool[3] / pool[0] : NAN,
                          pool[5], decided > 0 ? pool[5] / decided : NAN,
                          lo,      hi,
                          pool[6], decided > 0 ? pool[7] / decided : NAN};
            page_tab_row_where(&t, 1, 0);
            page_tab_row_begin(&t, "pooled");
            page_tab_text(&t, label);
            for (size_t k = 0; k < 10; k++)
                page_tab_num(&t, v[k]);
            page_tab_text(&t, "");
            page_tab_row_end(&t);
        }
        page_tab_end(w, &t);
        /* sales feedback on the MQLs, value by feedback */
        int any = 0;
        for (size_t r = 0; r < d->feedback.nrows && !any; r++)
            any = strcmp(page_text(&d->feedback, r, "column_name"), col) == 0;
        if (any) {
            static const char *const hf[] = {"value", "feedback", "MQLs"};
            static const enum fmt ff[] = {F_TEXT, F_TEXT, F_INT};
            snprintf(file, sizeof file, "feedback-%zu.csv", seg + 1);
            snprintf(cap, sizeof cap, "Sales feedback on the MQLs by %s", col);
            page_tab_begin(w, &t, file, cap, hf, ff, 3);
            for (size_t r = 0; r < d->feedback.nrows; r++) {
                if (strcmp(page_text(&d->feedback, r, "column_name"), col) != 0 ||
                    page_num(&d->feedback, r, "mqls") == 0)
                    continue;
                page_tab_row_begin(&t, NULL);
                page_tab_text(&t, page_text(&d->feedback, r, "value"));
                page_tab_text(&t, page_text(&d->feedback, r, "feedback"));
                page_tab_num(&t, page_num(&d->feedback, r, "mqls"));
                page_tab_row_end(&t);
            }
            page_tab_end(w, &t);
        }
        r0 = r1;
    }
    raw(p, "</section>\n");
}

/* ---- the quarterly review ------------------------------------------------------------------ */

static const char *css_review =
    "<style>\n"
    ".badge{display:inline-block;padding:1px 10px;margin-right:10px;border-radius:11px;"
    "font-size:13px;font-weight:bold;color:#fff;vertical-align:2px}\n"
    ".badge.drift{background:#d55e00}.badge.stable{background:#009e73}\n"
    "table.flips td,table.flips th{text-align:center;padding:6px 16px}\n"
    "table.flips td.moved{background:#fdf1e7}\n"
    ".rec.review{font-size:16px}\n"
    "#review td:first-child{white-space:nowrap}\n"
    "</style>\n";

static size_t rule_row(const struct store_table *t, const char *rule)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (strcmp(page_text(t, r, "rule"), rule) == 0)
            return r;
    return (size_t)-1;
}

/* The two rules side by side: one row per measure, a column per rule. */
static void review_rules_table(struct writer *w, const char *per)
{
    const struct store_table *t = &w->d->rv_rules;
    size_t rr[2] = {rule_row(t, "previous"), rule_row(t, "current")};
    static const char *const h[] = {"measure", "previous rule", "current rule"};
    static const enum fmt f[] = {F_TEXT, F_R4, F_R4};
    char l_mpp[64], l_spp[64];
    snprintf(l_mpp, sizeof l_mpp, "MQLs per %s (mean)", per);
    snprintf(l_spp, sizeof l_spp, "SQLs per %s (mean)", per);
    const struct {
        const char *label, *col;
        enum fmt f;
    } m[] = {
        {"threshold (points)", "threshold", F_INT},
        {"fit minimum (fit points)", "fit_min", F_INT},
        {"MQLs", "mqls", F_INT},
        {"SQLs among them", "sqls", F_INT},
        {"conversion", "conversion", F_PCT},
        {"conversion, 95 % CI low", "conv_lo", F_PCT},
        {"conversion, 95 % CI high", "conv_hi", F_PCT},
        {"recall (share of all SQLs)", "recall", F_PCT},
        {l_mpp, "mqls_per_period", F_R1},
        {l_spp, "sqls_per_period", F_R1},
        {"score PSI, baseline to current span", "psi", F_R4},
        {"values it could not read (scored as missing)", "unscorable", F_INT},
    };
    struct tab tb;
    page_tab_begin(w, &tb, "review-rules.csv", "The two rules on the same history", h, f, 3);
    page_tab_row_begin(&tb, NULL);
    page_tab_text(&tb, "source");
    for (int k = 0; k < 2; k++)
        page_tab_text(&tb, rr[k] == (size_t)-1 ? "" : page_text(t, rr[k], "source"));
    page_tab_row_end(&tb);
    for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
        page_tab_row_begin(&tb, NULL);
        page_tab_text(&tb, m[i].label);
        for (int k = 0; k < 2; k++) {
            int has = rr[k] != (size_t)-1 && page_num(t, rr[k], "has_rule") == 1;
            const char *none = NULL;
            if (!has && i < 2)
                none = "no rule";
            else if (i == 1)
                none = "none";
            page_tab_cell(&tb, rr[k] == (size_t)-1 ? NAN : page_num(t, rr[k], m[i].col), m[i].f,
                          none);
        }
        page_tab_row_end(&tb);
    }
    page_tab_end(w, &tb);
}

/* The flip matrix: a 2 x 2 table on the page, the four cells as rows in its CSV. */
static void review_flips_table(struct writer *w)
{
    const struct store_table *t = &w->d->rv_flips;
    struct strbuf *p = &w->p;
    const char *file = "review-flips.csv";
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->dir, file);
    struct csvout csv;
    int open = !w->rc && !(w->rc = csvout_open(&csv, path, w->err));
    static const char *const h[] = {"previous_mql", "current_mql", "leads",  "sqls",
                                    "conversion",   "conv_lo",     "conv_hi"};
    for (size_t i = 0; open && i < ARRAY_SIZE(h); i++)
        csvout_text(&csv, h[i]);
    if (open)
        csvout_row(&csv);
    raw(p, "<div class=\"tw\"><table class=\"flips\">\n<caption>");
    esc(p, "Which leads change MQL status (leads, and how they convert)");
    rawf(p, " <a class=\"csv\" href=\"%s\">CSV</a></caption>\n", file);
    raw(p, "<thead><tr><th></th><th>current rule: MQL</th><th>current rule: not MQL</th></tr>"
           "</thead>\n<tbody>\n");
    for (int prev = 1; prev >= 0; prev--) {
        rawf(p, "<tr><th>previous rule: %s</th>", prev ? "MQL" : "not MQL");
        for (int cur = 1; cur >= 0; cur--) {
            size_t r = (size_t)-1;
            for (size_t k = 0; k < t->nrows; k++)
                if (page_num(t, k, "previous_mql") == prev && page_num(t, k, "current_mql") == cur)
                    r = k;
            double leads = r == (size_t)-1 ? 0 : page_num(t, r, "leads");
            double sqls = r == (size_t)-1 ? 0 : page_num(t, r, "sqls");
            double conv = r == (size_t)-1 ? NAN : page_num(t, r, "conversion");
            char a[64], b[64], c[64];
            page_fmt(leads, F_INT, a, sizeof a);
            page_fmt(sqls, F_INT, b, sizeof b);
            page_fmt(conv, F_PCT, c, sizeof c);
            if (leads > 0)
                rawf(p, "<td%s><b>%s</b> leads<br>%s SQLs, %s convert</td>",
                     prev != cur ? " class=\"moved\"" : "", a, b, c);
            else
                raw(p, "<td>no lead</td>");
            if (open) {
                csvout_int(&csv, prev);
                csvout_int(&csv, cur);
                csvout_int(&csv, (long long)llround(leads));
                csvout_int(&csv, (long long)llround(sqls));
                csvout_real(&csv, conv);
                csvout_real(&csv, r == (size_t)-1 ? NAN : page_num(t, r, "conv_lo"));
                csvout_real(&csv, r == (size_t)-1 ? NAN : page_num(t, r, "conv_hi"));
                csvout_row(&csv);
            }
        }
        raw(p, "</tr>\n");
    }
    raw(p, "</tbody></table></div>\n");
    if (open && !w->rc)
        w->rc = csvout_close(&csv, w->err);
    else if (open)
        csvout_abort(&csv);
    w->ntables++;
}

/* Which rules name an attribute: "both", "previous", "current", "neither"; ", not in data". */
static void attr_where(const struct store_table *t, size_t r, char *buf, size_t cap)
{
    int p = page_num(t, r, "in_previous") == 1, c = page_num(t, r, "in_current") == 1;
    snprintf(buf, cap, "%s%s",
             p && c ? "both"
             : p    ? "previous"
             : c    ? "current"
                    : "neither",
             page_num(t, r, "in_data") == 1 ? "" : ", not in data");
}

static void review_attributes_table(struct writer *w)
{
    const struct store_table *t = &w->d->rv_attrs;
    static const char *const h[] = {
        "attribute",   "in rules",   "CSI",           "band",
        "score shift", "new values", "top new value", "most changed level",
        "points",      "z",          "Holm p",        "sees from (points)",
        "flag"};
    static const enum fmt f[] = {F_TEXT, F_TEXT, F_R4, F_TEXT, F_R2, F_PCT, F_TEXT,
                                 F_TEXT, F_R1,   F_R2, F_P,    F_R1, F_TEXT};
    struct tab tb;
    page_tab_begin(
        w, &tb, "review-attributes.csv",
        "Attributes: how their mix moved (CSI, score shift in points, share of new values) "
        "and the level whose coefficient changed most between the spans (points: its change "
        "in the rule's scale); the smallest change its tests would have seen, in points (80 % "
        "power): a change below it passes unseen",
        h, f, 13);
    for (size_t r = 0; r < t->nrows; r++) {
        int flagged = page_num(t, r, "flagged") == 1;
        const char *band = page_text(t, r, "csi_band");
        int moved = strcmp(band, "investigate") == 0 || strcmp(band, "shifted") == 0;
        char flag[96] = "", where[64];
        if (flagged && moved)
            snprintf(flag, sizeof flag, "coefficient changed; mix %s", band);
        else if (flagged)
            snprintf(flag, sizeof flag, "coefficient changed");
        else if (moved)
            snprintf(flag, sizeof flag, "mix %s", band);
        attr_where(t, r, where, sizeof where);
        page_tab_row_begin(&tb, flagged || moved ? "warn" : NULL);
        page_tab_text(&tb, page_text(t, r, "attribute"));
        page_tab_text(&tb, where);
        page_tab_num(&tb, page_num(t, r, "csi"));
        page_tab_text(&tb, band);
        page_tab_num(&tb, page_num(t, r, "score_shift"));
        page_tab_num(&tb, page_num(t, r, "new_share"));
        page_tab_text(&tb, page_text(t, r, "new_value"));
        page_tab_text(&tb, page_text(t, r, "worst_level"));
        page_tab_num(&tb, page_num(t, r, "worst_points_change"));
        page_tab_num(&tb, page_num(t, r, "worst_z"));
        page_tab_num(&tb, page_num(t, r, "worst_p_holm"));
        page_tab_num(&tb, page_num(t, r, "min_detectable"));
        page_tab_text(&tb, flag);
        page_tab_row_end(&tb);
    }
    page_tab_end(w, &tb);
}

#define REVIEW_ALL_POINTS                                                                          \
    25 /* up to this many levels, the points table shows the same ones too                         \
        */

static void review_points_table(struct writer *w)
{
    const struct store_table *t = &w->d->rv_points;
    int all = t->nrows <= REVIEW_ALL_POINTS;
    static const char *const h[] = {
        "attribute",          "level",       "previous", "current", "change", "previous above ref.",
        "current above ref.", "what changed"};
    static const enum fmt f[] = {F_TEXT, F_TEXT, F_INT, F_INT, F_INT, F_INT, F_INT, F_TEXT};
    struct tab tb;
    page_tab_begin(w, &tb, "review-points.csv",
                   all ? "Points per level in both rules (above ref.: above the attribute's "
                         "reference level)"
                       : "Points per level that differ between the rules (above ref.: above the "
                         "attribute's reference level)",
                   h, f, 8);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *c = page_text(t, r, "change");
        if (!all && strcmp(c, "same") == 0)
            continue;
        double a = page_num(t, r, "previous_points"), b = page_num(t, r, "current_points");
        page_tab_row_begin(&tb, strcmp(c, "sign flip") == 0 ? "warn" : NULL);
        page_tab_text(&tb, page_text(t, r, "attribute"));
        page_tab_text(&tb, page_text(t, r, "level"));
        page_tab_num(&tb, a);
        page_tab_num(&tb, b);
        page_tab_num(&tb, strcmp(c, "added") == 0 ? b : strcmp(c, "removed") == 0 ? -a : b - a);
        page_tab_num(&tb, page_num(t, r, "previous_above"));
        page_tab_num(&tb, page_num(t, r, "current_above"));
        page_tab_text(&tb, c);
        page_tab_row_end(&tb);
    }
    page_tab_end(w, &tb);
}

static void review_periods_table(struct writer *w, const char *per)
{
    const struct store_table *t = &w->d->rv_periods;
    if (t->nrows == 0)
        return;
    static const char *const h[] = {"period",         "leads",
                                    "SQLs",           "base conversion",
                                    "previous: MQLs", "previous: conversion",
                                    "current: MQLs",  "current: conversion"};
    static const enum fmt f[] = {F_TEXT, F_INT, F_INT, F_PCT, F_INT, F_PCT, F_INT, F_PCT};
    char cap[160];
    snprintf(cap, sizeof cap, "Each %s at both rules (base conversion: SQLs / leads)", per);
    struct tab tb;
    page_tab_begin(w, &tb, "review-periods.csv", cap, h, f, 8);
    for (size_t r = 0; r < t->nrows; r++) {
        /* conversions among leads whose outcome is known (pending ones are in the counts) */
        double leads = page_num(t, r, "leads"), sqls = page_num(t, r, "sqls");
        double pm = page_num(t, r, "previous_mqls"), cm = page_num(t, r, "current_mqls");
        double kl = leads - page_num(t, r, "pending"), kp = pm - page_num(t, r, "previous_pending"),
               kc = cm - page_num(t, r, "current_pending");
        page_tab_row_begin(&tb, NULL);
        page_tab_text(&tb, page_text(t, r, "period"));
        page_tab_num(&tb, leads);
        page_tab_num(&tb, sqls);
        page_tab_num(&tb, kl > 0 ? sqls / kl : NAN);
        page_tab_num(&tb, pm);
        page_tab_num(&tb, kp > 0 ? page_num(t, r, "previous_sqls") / kp : NAN);
        page_tab_num(&tb, cm);
        page_tab_num(&tb, kc > 0 ? page_num(t, r, "current_sqls") / kc : NAN);
        page_tab_row_end(&tb);
    }
    page_tab_end(w, &tb);
}

static void section_review(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *rv = &d->review;
    struct strbuf *p = &w->p;
    raw(p, "<section id=\"review\"><h2>Quarterly review</h2>\n");
    if (d->review_id == 0) {
        raw(p, "<p>No review is stored yet: run <code>mqlcal review CONFIG</code> to compare the "
               "previous rule file ([review] previous) with the current rule.</p>\n</section>\n");
        return;
    }
    const char *per = page_text(rv, 0, "period")[0] ? page_text(rv, 0, "period") : "period";
    int flagged = page_num(rv, 0, "flagged") == 1;
    char a[64], b[64];
    page_fmt(page_num(rv, 0, "leads"), F_INT, a, sizeof a);
    page_fmt(page_num(rv, 0, "sqls"), F_INT, b, sizeof b);
    raw(p, "<p>");
    page_escf(
        p,
        "Review %lld, stored %s: the previous rule (%s) against the current rule (%s), both on the "
        "same %s leads and %s SQLs of fit %.0f.",
        d->review_id, page_text(rv, 0, "created_at"), page_text(rv, 0, "previous"),
        page_text(rv, 0, "current"), a, b, page_num(rv, 0, "fit_id"));
    if (page_num(rv, 0, "fit_id") != (double)d->fit_id)
        page_escf(p,
                  " The rest of this report is fit %lld: run 'mqlcal review' again to review the "
                  "current fit.",
                  d->fit_id);
    raw(p, "</p>\n");
    rawf(p, "<p class=\"rec review%s\"><span class=\"badge %s\">%s</span>", flagged ? " none" : "",
         flagged ? "drift" : "stable", flagged ? "drift found" : "stable");
    esc(p, page_text(rv, 0, "summary"));
    raw(p, "</p>\n<p><b>What to do:</b> ");
    esc(p, page_text(rv, 0, "todo"));
    raw(p, "</p>\n");

    const struct store_table *pm = &d->rv_promise;
    if (pm->nrows) {
        raw(p, "<h3>Promise kept?</h3>\n<p>");
        double known = page_num(pm, 0, "mqls") - page_num(pm, 0, "pending");
        if (known > 0) {
            char vol[96] = "no whole period yet";
            if (page_num(pm, 0, "whole_periods") > 0)
                snprintf(vol, sizeof vol, "%.0f a %s over %.0f whole %s%s",
                         page_num(pm, 0, "per_period"), page_text(pm, 0, "period"),
                         page_num(pm, 0, "whole_periods"), page_text(pm, 0, "period"),
                         page_num(pm, 0, "whole_periods") == 1 ? "" : "s");
            page_escf(
                p,
                "The previous rule promised %.1f %% (%.1f-%.1f) of its MQLs converting and %.0f "
                "MQLs a %s. On the leads created after %s, where its data ended, it delivered "
                "%.1f %% (%.1f-%.1f, %.0f MQLs with a known outcome) and %s.",
                100 * page_num(pm, 0, "promised_conversion"), 100 * page_num(pm, 0, "promised_lo"),
                100 * page_num(pm, 0, "promised_hi"), page_num(pm, 0, "promised_per_period"),
                page_text(pm, 0, "period"), page_text(pm, 0, "since"),
                100 * page_num(pm, 0, "conversion"), 100 * page_num(pm, 0, "conv_lo"),
                100 * page_num(pm, 0, "conv_hi"), known, vol);
        } else {
            page_escf(p,
                      "No lead created after %s, where the previous rule's data ended, has a known "
                      "outcome yet: its promise cannot be judged.",
                      page_text(pm, 0, "since"));
        }
        raw(p, "</p>\n");
    }
    raw(p, "<h3>The two rules</h3>\n");
    review_rules_table(w, per);
    review_flips_table(w);
    page_figure(w, "review-curves.png", NULL);

    raw(p, "<h3>Stability</h3>\n<p>");
    const char *note = page_text(rv, 0, "span_note");
    if (note[0] || !isfinite(page_num(rv, 0, "psi"))) {
        esc(p, note[0] ? note : "No baseline and current span: no stability check.");
    } else {
        char bn[64], cn[64];
        page_fmt(page_num(rv, 0, "baseline_leads"), F_INT, bn, sizeof bn);
        page_fmt(page_num(rv, 0, "current_leads"), F_INT, cn, sizeof cn);
        page_escf(
            p,
            "Baseline %s (%s to %s, %s leads) against %s (%s to %s, %s leads). Score PSI of "
            "the current rule %.4f (%s), of the previous rule %.4f; between the two rules' "
            "scores %.4f. Bands: below %g stable, %g to %g investigate, %g and above shifted.",
            page_text(rv, 0, "baseline"), page_text(rv, 0, "baseline_from"),
            page_text(rv, 0, "baseline_to"), bn, page_text(rv, 0, "current_span"),
            page_text(rv, 0, "current_from"), page_text(rv, 0, "current_to"), cn,
            page_num(rv, 0, "psi"), page_text(rv, 0, "psi_band"), page_num(rv, 0, "psi_previous"),
            page_num(rv, 0, "psi_rules"), REVIEW_BAND_INVESTIGATE, REVIEW_BAND_INVESTIGATE,
            REVIEW_BAND_SHIFTED, REVIEW_BAND_SHIFTED);
    }
    raw(p, "</p>\n");
    page_figure(w, "review-stability.png", NULL);
    review_attributes_table(w);

    raw(p, "<h3>Points</h3>\n");
    size_t changed = figures_review_changes(d);
    if (changed == 0) {
        raw(p, "<p>The points are the same in both rules.</p>\n");
    } else {
        page_figure(w, "review-points.png", NULL);
    }
    if (changed > 0 || (d->rv_points.nrows > 0 && d->rv_points.nrows <= REVIEW_ALL_POINTS))
        review_points_table(w);

    raw(p, "<h3>Per ");
    esc(p, per);
    raw(p, "</h3>\n");
    review_periods_table(w, per);
    raw(p, "</section>\n");
}

static void section_provenance(struct writer *w)
{
    const struct report_data *d = w->d;
    struct strbuf *p = &w->p;
    raw(p, "<section id=\"provenance\"><h2>Run provenance</h2>\n<dl class=\"prov\">\n");
    struct {
        const char *k;
        const char *v;
    } items[] = {
        {"input file", page_text(&d->load, 0, "source")},
        {"input sha256", page_text(&d->load, 0, "sha256")},
        {"ingested", page_text(&d->load, 0, "finished_at")},
        {"fitted", page_text(&d->fit, 0, "created_at")},
        {"swept", page_text(&d->sweep, 0, "created_at")},
        {"fitted by", page_text(&d->fit, 0, "mqlcal_version")},
        {"config file", page_text(&d->load, 0, "config")},
        {"config hash (FNV-1a 64)", page_text(&d->fit, 0, "config_hash")},
    };
    for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
        raw(p, "<dt>");
        esc(p, items[i].k);
        raw(p, "</dt><dd>");
        esc(p, items[i].v[0] ? items[i].v : "\xE2\x80\x93");
        raw(p, "</dd>\n");
    }
    char ids[64], bytes[64];
    snprintf(ids, sizeof ids, "fit %lld, sweep %lld", d->fit_id, d->sweep_id);
    page_fmt(page_num(&d->load, 0, "bytes"), F_INT, bytes, sizeof bytes);
    raw(p, "<dt>input bytes</dt><dd>");
    esc(p, bytes);
    raw(p, "</dd>\n<dt>runs in the store</dt><dd>");
    esc(p, ids);
    raw(p, "</dd>\n<dt>versions</dt><dd>");
    page_escf(p, "mqlcal %s, SQLite %s, GSL %s, cairo %s", MQLCAL_VERSION, sqlite3_libversion(),
              GSL_VERSION, cairo_version_string());
    raw(p, "</dd>\n</dl>\n<h3>Config of the fit</h3>\n<pre>");
    esc(p, page_text(&d->fit, 0, "config"));
    raw(p, "</pre>\n</section>\n");
}

/* ---- writing ------------------------------------------------------------------------------- */

int report_write(const struct config *cfg, const struct report_data *d, const char *dir,
                 struct report_result *res, struct mql_err *err)
{
    memset(res, 0, sizeof *res);
    int rc = fsx_mkdirs(dir, err);
    if (rc)
        return rc;
    size_t n = strlen(dir) + 16;
    res->dir = text_dup(dir);
    res->index = malloc(n);
    if (!res->dir || !res->index)
        return mql_err_oom(err);
    snprintf(res->index, n, "%s/index.html", dir);

    double t0 = clock_seconds();
    struct figure figs[FIGURES_MAX];
    size_t nfigs = 0;
    if ((rc = figures_draw(d, dir, figs, &nfigs, err)))
        return rc;
    if (cfg->review_previous && (rc = figures_draw_review(d, cfg, dir, figs, &nfigs, err)))
        return rc;
    res->ncharts = nfigs;
    double t1 = clock_seconds();
    res->seconds_charts = t1 - t0;

    struct writer w = {.cfg = cfg, .d = d, .dir = dir, .err = err, .figs = figs, .nfigs = nfigs};
    struct strbuf *p = &w.p;
    raw(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    page_escf(p, "MQL definition review: %s", page_text(&d->load, 0, "source"));
    raw(p, "</title>\n");
    raw(p, css);
    if (cfg->review_previous)
        raw(p, css_review);
    raw(p, "</head>\n<body>\n<header><h1>MQL definition review</h1><p>");
    page_escf(p, "%s \xC2\xB7 fitted %s \xC2\xB7 mqlcal %s", page_text(&d->load, 0, "source"),
              page_text(&d->fit, 0, "created_at"), MQLCAL_VERSION);
    raw(p, "</p></header>\n<nav><a href=\"#summary\">Summary</a><a href=\"#quality\">Data "
           "quality</a>");
    if (w.d->maturity.nrows)
        raw(p, "<a href=\"#maturity\">Maturity</a>");
    raw(p, "<a href=\"#model\">Model</a><a href=\"#validation\">Validation</a><a "
           "href=\"#sweep\">Sweep</a><a href=\"#disqualifiers\">Disqualifiers</a><a "
           "href=\"#segments\">Segments</a>");
    if (cfg->review_previous)
        raw(p, "<a href=\"#review\">Review</a>");
    raw(p, "<a href=\"#provenance\">Provenance</a></nav>\n<main>\n");
    section_summary(&w);
    section_quality(&w);
    section_maturity(&w);
    section_model(&w);
    section_validation(&w);
    section_sweep(&w);
    section_disqualifiers(&w);
    section_segments(&w);
    if (cfg->review_previous)
        section_review(&w);
    section_provenance(&w);
    raw(p, "</main>\n</body>\n</html>\n");
    res->ntables = w.ntables;
    if (!w.rc && p->oom)
        w.rc = mql_err_oom(err);
    if (!w.rc)
        w.rc = fsx_write_file(res->index, p->s, p->len, FSX_OWNED, err);
    free(p->s);
    res->seconds_html = clock_seconds() - t1;
    return w.rc;
}
