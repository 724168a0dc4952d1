/*
 * report.c: the report's HTML page: its sections, written from struct report_data, and the swap
 * of the finished report folder into place (report.h).
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

#include "mqlcal/csvout.h"
#include "mqlcal/figures.h"
#include "mqlcal/fsx.h"
#include "mqlcal/strbuf.h"
#include "mqlcal/validate.h"
#include "mqlcal/text.h"
#include "mqlcal/version.h"
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

/* ---- the page, as a growing string --------------------------------------------------------- */

#define raw strbuf_add
#define rawf strbuf_addf
#define esc strbuf_markup

static void escf(struct strbuf *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void escf(struct strbuf *p, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    esc(p, buf);
}

/* ---- numbers ------------------------------------------------------------------------------- */

enum fmt { F_INT, F_PCT, F_PCT0, F_R1, F_R2, F_R3, F_R4, F_P, F_TEXT };

/* v formatted for people: thousands separators, NaN as a dash. */
static void fmt_value(double v, enum fmt f, char *buf, size_t cap)
{
    if (!isfinite(v)) {
        snprintf(buf, cap, "\xE2\x80\x93"); /* en dash */
        return;
    }
    switch (f) {
    case F_INT:
        text_format_number(v, 0, buf, cap);
        return;
    case F_PCT:
        snprintf(buf, cap, "%.1f %%", 100 * v);
        return;
    case F_PCT0:
        snprintf(buf, cap, "%.0f %%", 100 * v);
        return;
    case F_R1:
        text_format_number(v, 1, buf, cap);
        return;
    case F_R2:
        snprintf(buf, cap, "%.2f", v);
        return;
    case F_R3:
        snprintf(buf, cap, "%.3f", v);
        return;
    case F_P: /* a p-value; "&lt;" is HTML: only for table cells, which are not escaped */
        if (v < 1e-4)
            snprintf(buf, cap, "&lt; 0.0001");
        else
            snprintf(buf, cap, "%.4f", v);
        return;
    default:
        snprintf(buf, cap, "%.4f", v);
        return;
    }
}

/* ---- tables: HTML and CSV at once ---------------------------------------------------------- */

struct tab {
    struct strbuf *p;
    struct csvout csv;
    int csv_open;
    size_t ncols, col;
    const enum fmt *fmts;
    int to_page, to_csv; /* where the next cells go (tab_row_begin sets both; a long table
                            keeps every row in its CSV and pools the rest on the page) */
};

struct writer {
    const struct config *cfg;
    const struct report_data *d;
    const char *dir;
    struct strbuf p;
    struct mql_err *err;
    int rc;
    size_t ntables;
    const struct figure *figs;
    size_t nfigs;
};

/* Opens a table with its caption, a link to its CSV file, and the headers. */
static void tab_begin(struct writer *w, struct tab *t, const char *file, const char *caption,
                      const char *const *heads, const enum fmt *fmts, size_t n)
{
    memset(t, 0, sizeof *t);
    t->p = &w->p;
    t->ncols = n;
    t->fmts = fmts;
    t->to_page = t->to_csv = 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->dir, file);
    if (!w->rc && !(w->rc = csvout_open(&t->csv, path, w->err)))
        t->csv_open = 1;
    raw(t->p, "<div class=\"tw\"><table>\n<caption>");
    esc(t->p, caption);
    rawf(t->p, " <a class=\"csv\" href=\"%s\">CSV</a></caption>\n<thead><tr>", file);
    for (size_t i = 0; i < n; i++) {
        rawf(t->p, "<th%s>", fmts[i] == F_TEXT ? "" : " class=\"n\"");
        esc(t->p, heads[i]);
        raw(t->p, "</th>");
        if (t->csv_open)
            csvout_text(&t->csv, heads[i]);
    }
    raw(t->p, "</tr></thead>\n<tbody>\n");
    if (t->csv_open)
        csvout_row(&t->csv);
    w->ntables++;
}

/* A row on the page and in the CSV; tab_row_where sends the next one to either alone. */
static void tab_row_where(struct tab *t, int page, int csv)
{
    t->to_page = page;
    t->to_csv = csv;
}

static void tab_row_begin(struct tab *t, const char *cls)
{
    if (!t->to_page)
        ;
    else if (cls)
        rawf(t->p, "<tr class=\"%s\">", cls);
    else
        raw(t->p, "<tr>");
    t->col = 0;
}

static void tab_text(struct tab *t, const char *s)
{
    if (t->to_page) {
        raw(t->p, "<td>");
        esc(t->p, s ? s : "");
        raw(t->p, "</td>");
    }
    if (t->csv_open && t->to_csv)
        csvout_text(&t->csv, s);
    t->col++;
}

/* A cell in its own format f (tables whose rows hold different kinds of number); `none` is
 * shown instead of NaN when given. */
static void tab_cell(struct tab *t, double v, enum fmt f, const char *none)
{
    char buf[64];
    if (!isfinite(v) && none) {
        if (t->to_page) {
            raw(t->p, "<td class=\"n\">");
            esc(t->p, none);
            raw(t->p, "</td>");
        }
        if (t->csv_open && t->to_csv)
            csvout_text(&t->csv, none);
        t->col++;
        return;
    }
    fmt_value(v, f, buf, sizeof buf);
    if (t->to_page)
        rawf(t->p, "<td class=\"n\">%s</td>", buf);
    if (t->csv_open && t->to_csv) {
        if (f == F_INT && isfinite(v))
            csvout_int(&t->csv, (long long)llround(v));
        else
            csvout_real(&t->csv, v);
    }
    t->col++;
}

static void tab_num(struct tab *t, double v)
{
    tab_cell(t, v, t->col < t->ncols ? t->fmts[t->col] : F_R4, NULL);
}

static void tab_row_end(struct tab *t)
{
    if (t->to_page)
        raw(t->p, "</tr>\n");
    if (t->csv_open && t->to_csv)
        csvout_row(&t->csv);
    t->to_page = t->to_csv = 1;
}

static void tab_end(struct writer *w, struct tab *t)
{
    raw(t->p, "</tbody></table></div>\n");
    if (t->csv_open && !w->rc)
        w->rc = csvout_close(&t->csv, w->err);
    else if (t->csv_open)
        csvout_abort(&t->csv);
}

static double N(const struct store_table *t, size_t r, const char *c)
{
    return store_table_num(t, r, c);
}

static const char *S(const struct store_table *t, size_t r, const char *c)
{
    const char *s = store_table_text(t, r, c);
    return s ? s : "";
}

static int has_figure(const struct writer *w, const char *file)
{
    for (size_t i = 0; i < w->nfigs; i++)
        if (strcmp(w->figs[i].file, file) == 0)
            return 1;
    return 0;
}

static void figure(struct writer *w, const char *file, const char *caption)
{
    for (size_t i = 0; i < w->nfigs; i++) {
        if (strcmp(w->figs[i].file, file) != 0)
            continue;
        rawf(&w->p, "<figure><img src=\"%s\" width=\"%d\" height=\"%d\" alt=\"", file,
             w->figs[i].width, w->figs[i].height);
        esc(&w->p, w->figs[i].title);
        raw(&w->p, "\">");
        if (caption) {
            raw(&w->p, "<figcaption>");
            esc(&w->p, caption);
            raw(&w->p, "</figcaption>");
        }
        raw(&w->p, "</figure>\n");
        return;
    }
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

static void kpi(struct strbuf *p, const char *value, const char *what)
{
    raw(p, "<div class=\"kpi\"><b>");
    esc(p, value);
    raw(p, "</b><span>");
    esc(p, what);
    raw(p, "</span></div>");
}

static void section_summary(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *sw = &d->sweep, *ld = &d->load, *fit = &d->fit;
    struct strbuf *p = &w->p;
    int rec = N(sw, 0, "recommended") == 1;
    const char *per = S(sw, 0, "period");
    raw(p, "<section id=\"summary\"><h2>Summary</h2>\n");
    const char *warn = store_table_text(sw, 0, "warnings");
    rawf(p, "<p class=\"rec%s\">", !rec ? " none" : warn ? " warn" : "");
    if (rec && warn) { /* what not to trust, first and in bold */
        raw(p, "<b>");
        esc(p, warn);
        raw(p, "</b> ");
        const char *all = S(sw, 0, "reasoning");
        size_t wl = strlen(warn);
        esc(p, strncmp(all, warn, wl) == 0 ? all + wl + (all[wl] == ' ') : all);
    } else {
        esc(p, S(sw, 0, "reasoning"));
    }
    raw(p, "</p>\n<div class=\"kpis\">");
    char v[96], what[200], lo[32], hi[32];
    if (rec) {
        fmt_value(N(sw, 0, "threshold"), F_INT, v, sizeof v);
        if (isfinite(N(sw, 0, "fit_min"))) {
            char fm[32];
            fmt_value(N(sw, 0, "fit_min"), F_INT, fm, sizeof fm);
            snprintf(what, sizeof what, "MQL threshold (points), with fit >= %s", fm);
        } else {
            snprintf(what, sizeof what, "MQL threshold (points), no fit minimum");
        }
        kpi(p, v, what);
        int on_holdout = strcmp(S(sw, 0, "basis"), "holdout") == 0;
        /* the expected figures: what the team can plan on, with their intervals */
        fmt_value(N(sw, 0, "exp_conversion"), F_PCT, v, sizeof v);
        snprintf(lo, sizeof lo, "%.0f-%.0f %%", 100 * N(sw, 0, "exp_conv_lo"),
                 100 * N(sw, 0, "exp_conv_hi"));
        if (isfinite(N(sw, 0, "target_conversion")))
            snprintf(what, sizeof what, "of next quarter's MQLs become SQLs (%s; target %.0f %%)",
                     lo, 100 * N(sw, 0, "target_conversion"));
        else
            snprintf(what, sizeof what, "of next quarter's MQLs become SQLs (%s)", lo);
        kpi(p, v, what);
        fmt_value(N(sw, 0, "exp_mqls"), F_R1, v, sizeof v);
        fmt_value(N(sw, 0, "exp_mqls_lo"), F_R1, lo, sizeof lo);
        fmt_value(N(sw, 0, "exp_mqls_hi"), F_R1, hi, sizeof hi);
        if (isfinite(N(sw, 0, "capacity")))
            snprintf(what, sizeof what, "MQLs a %s expected (%s-%s; capacity %g)", per, lo, hi,
                     N(sw, 0, "capacity"));
        else
            snprintf(what, sizeof what, "MQLs a %s expected (%s-%s; no capacity set)", per, lo, hi);
        kpi(p, v, what);
        fmt_value(N(sw, 0, "exp_sqls"), F_R1, v, sizeof v);
        fmt_value(N(sw, 0, "exp_sqls_lo"), F_R1, lo, sizeof lo);
        fmt_value(N(sw, 0, "exp_sqls_hi"), F_R1, hi, sizeof hi);
        snprintf(what, sizeof what, "SQLs a %s expected (%s-%s)", per, lo, hi);
        kpi(p, v, what);
        if (isfinite(N(sw, 0, "feasible_share"))) {
            fmt_value(N(sw, 0, "feasible_share"), F_PCT0, v, sizeof v);
            kpi(p, v,
                isfinite(N(sw, 0, "capacity")) && isfinite(N(sw, 0, "target_conversion"))
                    ? "chance next quarter meets capacity and target"
                : isfinite(N(sw, 0, "capacity")) ? "chance next quarter stays within capacity"
                                                 : "chance next quarter reaches the target");
        }
        /* the evidence: the holdout, which chose nothing, beside the training leads */
        if (on_holdout) {
            fmt_value(N(sw, 0, "holdout_conversion"), F_PCT, v, sizeof v);
            snprintf(what, sizeof what, "converted on the holdout (%.0f MQLs, %.0f SQLs)",
                     N(sw, 0, "holdout_mqls") - N(sw, 0, "holdout_pending"),
                     N(sw, 0, "holdout_sqls"));
            kpi(p, v, what);
        }
        fmt_value(N(sw, 0, "train_conversion"), F_PCT, v, sizeof v);
        snprintf(what, sizeof what, "converted on the training leads it was chosen on%s",
                 on_holdout ? "" : " (in sample: optimistic)");
        kpi(p, v, what);
    }
    fmt_value(N(ld, 0, "rows_loaded"), F_INT, v, sizeof v);
    kpi(p, v, "leads analysed");
    raw(p, "</div>\n<p>");
    char a[64], b[64], c[64];
    fmt_value(N(ld, 0, "rows_loaded"), F_INT, a, sizeof a);
    fmt_value(N(fit, 0, "n_holdout"), F_INT, b, sizeof b);
    fmt_value(N(fit, 0, "n_train"), F_INT, c, sizeof c);
    if (store_table_text(ld, 0, "date_min"))
        escf(p, "%s leads created %s to %s, %.0f %ss. ", a, S(ld, 0, "date_min"),
             S(ld, 0, "date_max"), N(sw, 0, "periods"), per);
    else
        escf(p, "%s leads without creation dates (one period). ", a);
    escf(p, "The model was fitted on %s leads and checked on a holdout of %s: %s.", c, b,
         S(fit, 0, "holdout"));
    if (N(fit, 0, "n_pending") > 0)
        escf(p,
             " %.0f leads whose outcome is not known yet (pending or immature) are in neither "
             "(they count in the MQL "
             "volumes).",
             N(fit, 0, "n_pending"));
    raw(p, "</p>\n");
    figure(w, "sweep.png", "The recommended threshold against the whole sweep.");
    raw(p, "</section>\n");
}

/* Every record accounted for: read = loaded + rejected, and the outcomes of the loaded. */
static void quality_reconcile(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *ld = &d->load;
    struct strbuf *p = &w->p;
    char a[64], b[64], c[64];
    fmt_value(N(ld, 0, "rows_read"), F_INT, a, sizeof a);
    fmt_value(N(ld, 0, "rows_loaded"), F_INT, b, sizeof b);
    fmt_value(N(ld, 0, "rows_rejected"), F_INT, c, sizeof c);
    int balanced = N(ld, 0, "rows_read") == N(ld, 0, "rows_loaded") + N(ld, 0, "rows_rejected");
    raw(p, "<p>Reconciliation: ");
    escf(p, "%s records read = %s loaded + %s rejected", a, b, c);
    raw(p, balanced ? " (balanced; no record was dropped)." : " <b>(does not balance)</b>.");
    if (N(ld, 0, "blank_lines") > 0)
        escf(p, " %.0f blank lines were skipped.", N(ld, 0, "blank_lines"));
    raw(p, "</p>\n");
    {
        char s1[32], s2[32], s3[32];
        fmt_value(N(ld, 0, "sqls"), F_INT, s1, sizeof s1);
        fmt_value(N(ld, 0, "not_sqls"), F_INT, s2, sizeof s2);
        fmt_value(N(ld, 0, "pending"), F_INT, s3, sizeof s3);
        raw(p, "<p>Outcomes: ");
        if (d->maturity.nrows) {
            const struct store_table *m = &d->maturity;
            escf(p,
                 "%s loaded = %s SQL + %s not SQL + %s not known yet (%.0f immature, %.0f "
                 "pending, %.0f without a creation date: see Outcomes take time).",
                 b, s1, s2, s3, N(m, 0, "immature"), N(m, 0, "pending"), N(m, 0, "undated"));
        } else {
            escf(p, "%s loaded = %s SQL + %s not SQL + %s pending.", b, s1, s2, s3);
        }
        if (!d->maturity.nrows && N(ld, 0, "pending") > 0)
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
        fmt_value(N(ld, 0, "outcomes_rows"), F_INT, r1, sizeof r1);
        fmt_value(N(ld, 0, "outcomes_ids"), F_INT, r2, sizeof r2);
        fmt_value(N(ld, 0, "outcomes_ids_matched"), F_INT, r3, sizeof r3);
        fmt_value(N(ld, 0, "outcomes_ids") - N(ld, 0, "outcomes_ids_matched"), F_INT, r4,
                  sizeof r4);
        raw(p, "<p>Outcomes from ");
        esc(p, osrc);
        escf(p,
             ": %s rows (%.0f without a lead id) for %s lead ids; %s matched a loaded lead, %s "
             "matched none.",
             r1, N(ld, 0, "outcomes_rows_no_id"), r2, r3, r4);
        if (N(ld, 0, "outcomes_pending_rows") > 0)
            escf(p, " %.0f rows are at a pending stage (open deals).",
                 N(ld, 0, "outcomes_pending_rows"));
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
        tab_begin(w, &t, "joins.csv",
                  "Joined tables: a lead whose key has no row reads the table's columns as "
                  "missing (it is never dropped)",
                  h, f, 8);
        for (size_t r = 0; r < d->joins.nrows; r++) {
            const struct store_table *j = &d->joins;
            tab_row_begin(&t, N(j, r, "leads_unmatched") > 0 ? "warn" : NULL);
            tab_text(&t, S(j, r, "name"));
            tab_text(&t, S(j, r, "source"));
            tab_num(&t, N(j, r, "rows"));
            tab_num(&t, N(j, r, "rows_no_key"));
            tab_num(&t, N(j, r, "keys"));
            tab_num(&t, N(j, r, "leads_matched"));
            tab_num(&t, N(j, r, "leads_unmatched"));
            tab_num(&t, N(j, r, "keys_unused"));
            tab_row_end(&t);
        }
        tab_end(w, &t);
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
        tab_begin(w, &t, "rejects.csv", "Rejected records by reason", h, f, 4);
        for (size_t r = 0; r < d->rejects.nrows; r++) {
            tab_row_begin(&t, NULL);
            tab_text(&t, S(&d->rejects, r, "reason"));
            tab_num(&t, N(&d->rejects, r, "leads"));
            tab_num(&t, N(&d->rejects, r, "first_line"));
            tab_text(&t, S(&d->rejects, r, "detail"));
            tab_row_end(&t);
        }
        tab_end(w, &t);
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
    tab_begin(w, &t, "missing.csv", "Missing values per column (loaded leads)", h, f, 5);
    double loaded = N(ld, 0, "rows_loaded");
    for (size_t r = 0; r < d->columns.nrows; r++) {
        double m = N(&d->columns, r, "missing");
        /* an SQL date is missing for every lead that is no SQL: no warning there */
        int expected = strcmp(S(&d->columns, r, "role"), "outcome_date") == 0;
        tab_row_begin(&t,
                      !expected && isfinite(m) && loaded > 0 && m / loaded > 0.2 ? "warn" : NULL);
        tab_text(&t, S(&d->columns, r, "name"));
        tab_text(&t, S(&d->columns, r, "role"));
        tab_text(&t, S(&d->columns, r, "kind"));
        tab_num(&t, m);
        tab_num(&t, loaded > 0 ? m / loaded : NAN);
        tab_row_end(&t);
    }
    tab_end(w, &t);
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
    fmt_value(N(m, 0, "window_days"), F_INT, a, sizeof a);
    escf(p,
         "The outcome is an SQL within %s days of the lead's creation (the window: %s). The "
         "export is taken as of %s (from %s). ",
         a, S(m, 0, "window_source"), S(m, 0, "as_of"), S(m, 0, "as_of_source"));
    if (isfinite(N(m, 0, "median_days")))
        escf(p,
             "Of the leads that convert, half do so within %.0f days of creation, 90 %% within "
             "%.0f and 95 %% within %.0f (Kaplan-Meier over %.0f leads, %.0f SQLs; a lead not "
             "converted yet counts until as_of, so recent leads do not pull the curve down). ",
             N(m, 0, "median_days"), N(m, 0, "p90_days"), N(m, 0, "p95_days"),
             N(m, 0, "curve_subjects"), N(m, 0, "curve_events"));
    fmt_value(N(m, 0, "immature"), F_INT, a, sizeof a);
    fmt_value(N(m, 0, "immature_sqls"), F_INT, b, sizeof b);
    fmt_value(N(m, 0, "late_sqls"), F_INT, c, sizeof c);
    fmt_value(N(m, 0, "undated"), F_INT, e, sizeof e);
    escf(p,
         "%s leads created from %s are immature: their window is still open (%s of them are SQLs "
         "so far). They are scored and counted in MQL volume and the capacity check, and left "
         "out of the fit, the calibration, the holdout and every conversion: counting them as "
         "failures would read their youth as low quality, and keeping only those that converted "
         "already would inflate conversion.",
         a, S(m, 0, "immature_from"), b);
    if (N(m, 0, "late_sqls") > 0)
        escf(p, " %s SQLs came later than the window: they count as not SQL.", c);
    if (N(m, 0, "undated") > 0)
        escf(p, " %s leads without a creation date cannot be placed in time: not known either.", e);
    raw(p, "</p>\n");
    figure(w, "time-to-sql.png",
           "The share of leads converted by day since creation, with its 95 % band; the window "
           "marked.");
    figure(w, "maturity.png",
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
        tab_begin(w, &t, "maturity.csv",
                  "Maturity per period: a maturing period's conversion is not known yet; its "
                  "expected conversion is the Kaplan-Meier estimate",
                  h, f, 11);
        const struct store_table *x = &d->mat_periods;
        for (size_t r = 0; r < x->nrows; r++) {
            int maturing = strcmp(S(x, r, "status"), "maturing") == 0;
            tab_row_begin(&t, maturing ? "warn" : NULL);
            tab_text(&t, S(x, r, "period"));
            tab_text(&t, S(x, r, "status"));
            static const char *const cols[] = {"leads",       "pending",    "mature",
                                               "immature",    "sqls",       "late_sqls",
                                               "sqls_so_far", "conversion", "expected_conversion"};
            for (size_t k = 0; k < ARRAY_SIZE(cols); k++)
                tab_num(&t, maturing && k == 7 ? NAN : N(x, r, cols[k]));
            tab_row_end(&t);
        }
        tab_end(w, &t);
    }
    raw(p, "</section>\n");
}

static void section_model(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *fit = &d->fit;
    struct strbuf *p = &w->p;
    raw(p, "<section id=\"model\"><h2>The model</h2>\n<p>");
    escf(p,
         "Logistic regression on %.0f columns (%.0f aliased), %.0f iterations%s; deviance "
         "%.1f against %.1f for the base rate alone. Points: %s scaling, base %.0f; scores run "
         "from %.0f to %.0f.",
         N(fit, 0, "columns"), N(fit, 0, "aliased"), N(fit, 0, "iterations"),
         N(fit, 0, "converged") == 1 ? ", converged" : ", NOT converged", N(fit, 0, "deviance"),
         N(fit, 0, "null_deviance"), S(fit, 0, "scaling"), N(fit, 0, "base"),
         N(fit, 0, "min_score"), N(fit, 0, "max_score"));
    if (N(fit, 0, "l2") > 0)
        escf(p, " L2 penalty %g.", N(fit, 0, "l2"));
    raw(p, "</p>\n");
    figure(w, "scorecard-fit.png", NULL);
    figure(w, "scorecard-engagement.png", NULL);
    figure(w, "scorecard-other.png", NULL);
    static const char *const h[] = {"attribute", "group", "level",       "leads",
                                    "SQL rate",  "coef",  "95 % CI low", "95 % CI high",
                                    "p-value",   "points"};
    static const enum fmt f[] = {F_TEXT, F_TEXT, F_TEXT, F_INT, F_PCT,
                                 F_R3,   F_R3,   F_R3,   F_P,   F_INT};
    struct tab t;
    tab_begin(w, &t, "points.csv", "Points per attribute level (training leads)", h, f, 10);
    const struct store_table *lv = &d->levels;
    for (size_t r = 0; r < lv->nrows; r++) {
        int ref = N(lv, r, "is_reference") == 1, aliased = N(lv, r, "aliased") == 1;
        char label[512];
        snprintf(label, sizeof label, "%s%s%s", S(lv, r, "label"), ref ? " (reference)" : "",
                 aliased ? " (aliased)" : "");
        tab_row_begin(&t, NULL);
        tab_text(&t, S(lv, r, "attribute"));
        tab_text(&t, S(lv, r, "grp"));
        tab_text(&t, label);
        double leads = N(lv, r, "leads");
        tab_num(&t, leads);
        tab_num(&t, leads > 0 ? N(lv, r, "sqls") / leads : NAN);
        tab_num(&t, ref ? 0 : N(lv, r, "coef"));
        tab_num(&t, N(lv, r, "ci_lo"));
        tab_num(&t, N(lv, r, "ci_hi"));
        tab_num(&t, N(lv, r, "p_value"));
        tab_num(&t, N(lv, r, "points"));
        tab_row_end(&t);
    }
    tab_end(w, &t);
    /* excluded attributes and warnings */
    int any = 0;
    for (size_t r = 0; r < d->attrs.nrows; r++)
        if (N(&d->attrs, r, "excluded") == 1) {
            if (!any++)
                raw(p, "<h3>Attributes left out</h3><ul class=\"warnings\">\n");
            raw(p, "<li><b>");
            esc(p, S(&d->attrs, r, "attribute"));
            raw(p, "</b>: ");
            esc(p, S(&d->attrs, r, "why"));
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
            esc(p, S(&d->warnings, r, "kind"));
            raw(p, "</b> (");
            esc(p, S(&d->warnings, r, "subject"));
            raw(p, "): ");
            esc(p, S(&d->warnings, r, "message"));
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
        if (strcmp(S(&d->metrics, r, "sample"), sample) == 0 &&
            strcmp(S(&d->metrics, r, "metric"), name) == 0)
            return N(&d->metrics, r, col);
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
    tab_begin(w, &t, "metrics.csv", "How well the scores separate and predict", h, f, 3);
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
        tab_row_begin(&t, NULL);
        tab_text(&t, m[i].label);
        double a = metric(d, "training", m[i].name, m[i].col);
        double b = metric(d, "holdout", m[i].name, m[i].col);
        if (i < 2) { /* counts */
            char x[64], y[64];
            fmt_value(a, F_INT, x, sizeof x);
            fmt_value(b, F_INT, y, sizeof y);
            rawf(p, "<td class=\"n\">%s</td><td class=\"n\">%s</td>", x, y);
            if (t.csv_open) {
                csvout_real(&t.csv, a);
                csvout_real(&t.csv, b);
            }
        } else {
            tab_num(&t, a);
            tab_num(&t, b);
        }
        tab_row_end(&t);
    }
    tab_end(w, &t);
    figure(w, "roc.png", NULL);
    figure(w, "gains.png", NULL);
    figure(w, "calibration.png", NULL);
    figure(w, "scores.png", NULL);
    static const char *const hc[] = {"sample",    "bin",      "leads",       "SQLs",
                                     "predicted", "observed", "95 % CI low", "95 % CI high"};
    static const enum fmt fc[] = {F_TEXT, F_INT, F_INT, F_INT, F_PCT, F_PCT, F_PCT, F_PCT};
    tab_begin(w, &t, "calibration.csv", "Calibration by decile of predicted probability", hc, fc,
              8);
    for (size_t r = 0; r < d->calib.nrows; r++) {
        tab_row_begin(&t, NULL);
        tab_text(&t, S(&d->calib, r, "sample"));
        tab_num(&t, N(&d->calib, r, "bin"));
        tab_num(&t, N(&d->calib, r, "leads"));
        tab_num(&t, N(&d->calib, r, "sqls"));
        tab_num(&t, N(&d->calib, r, "predicted"));
        tab_num(&t, N(&d->calib, r, "observed"));
        tab_num(&t, N(&d->calib, r, "lo"));
        tab_num(&t, N(&d->calib, r, "hi"));
        tab_row_end(&t);
    }
    tab_end(w, &t);
    raw(p, "</section>\n");
}

static void section_sweep(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *sw = &d->sweep, *th = &d->thresholds;
    struct strbuf *p = &w->p;
    const char *per = S(sw, 0, "period");
    int rec = N(sw, 0, "recommended") == 1;
    raw(p, "<section id=\"sweep\"><h2>The sweep</h2>\n<p>");
    const char *cr = S(sw, 0, "capacity_rule");
    escf(p,
         "Every integer threshold on all leads; capacity %g MQLs per %s (capacity_rule %s: the "
         "%s of the latest %.0f %ss, with growth), target conversion %s; %0.f bootstrap "
         "replicates (seed %.0f). The rule is chosen on the training leads (the grid's "
         "conversion and SQLs) and measured on the holdout.",
         N(sw, 0, "capacity"), per, cr,
         strcmp(cr, "mean") == 0  ? "mean"
         : strcmp(cr, "max") == 0 ? "busiest"
                                  : "90th percentile",
         N(sw, 0, "recent_periods"), per,
         isfinite(N(sw, 0, "target_conversion")) ? "set" : "not set", N(sw, 0, "bootstrap"),
         N(sw, 0, "seed"));
    if (!rec)
        escf(p, " No rule meets both constraints: %s binds.", S(sw, 0, "binding"));
    raw(p, "</p>\n");
    figure(w, "tradeoff.png", NULL);
    figure(w, "grid.png", NULL);
    if (!has_figure(w, "grid.png") && d->grid.nrows > 0)
        raw(p, "<p class=\"note\">No grid of fit minimums: no attribute is in the fit group "
               "(or every lead has the same fit score), so every rule is a threshold alone, as "
               "in the sweep above.</p>\n");
    figure(w, "periods.png", NULL);
    {
        const struct store_table *pt = &d->periods;
        size_t np = 0, last = 0;
        for (size_t r = 0; r < pt->nrows; r++)
            if (N(pt, r, "partial") == 1)
                np++, last = r;
        for (size_t r = 0, k = 0; r < pt->nrows; r++) {
            if (N(pt, r, "partial") != 1)
                continue;
            if (k++ == 0) {
                raw(p, "<p class=\"note\">");
                escf(p, "Partial %s%s ", per, np > 1 ? "s" : "");
            } else
                raw(p, r == last ? " and " : ", ");
            esc(p, S(pt, r, "period"));
        }
        if (np)
            escf(p,
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
    int center = rec ? (int)N(sw, 0, "threshold") : 0;
    snprintf(cap, sizeof cap,
             "The recommended rule (highlighted), then thresholds around %d points without a "
             "fit minimum (all leads; the full table is sweep.csv beside the store)",
             center);
    struct tab t;
    tab_begin(w, &t, "sweep-near.csv", rec ? cap : "Thresholds (all leads, no fit minimum)", h, f,
              13);
    size_t shown = 0;
    if (rec) {
        /* the highlighted row is the recommended rule itself, fit minimum included: the
         * threshold rows below have none, so one of them would show other figures */
        char label[64];
        if (isfinite(N(sw, 0, "fit_min")))
            snprintf(label, sizeof label, "%d, fit >= %.0f (the rule)", center,
                     N(sw, 0, "fit_min"));
        else
            snprintf(label, sizeof label, "%d (the rule)", center);
        tab_row_begin(&t, "hl");
        tab_text(&t, label);
        /* in sample, as the rows below; its bands are the threshold curve's, which a fit
         * minimum changes, so none are shown */
        static const char *const c[] = {"mqls",    "sqls",    "conversion", "conv_lo",
                                        "conv_hi", "recall",  NULL,         "vol_mean",
                                        "vol_p90", "vol_cap", NULL,         NULL};
        for (size_t k = 0; k < 12; k++)
            tab_num(&t, c[k] ? N(sw, 0, c[k]) : NAN);
        tab_row_end(&t);
    }
    for (size_t r = 0; r < th->nrows; r++) {
        if (strcmp(S(th, r, "sample"), "all") != 0)
            continue;
        int thr = (int)N(th, r, "threshold");
        if (rec && abs(thr - center) > NEAR_RULE)
            continue;
        if (!rec && shown >= 2 * NEAR_RULE + 1)
            break;
        shown++;
        tab_row_begin(&t, NULL);
        static const char *const c[] = {"threshold",   "mqls",    "sqls",    "conversion",
                                        "conv_lo",     "conv_hi", "recall",  "lift",
                                        "vol_mean",    "vol_p90", "vol_cap", "band_conv_lo",
                                        "band_conv_hi"};
        for (size_t k = 0; k < 13; k++)
            tab_num(&t, N(th, r, c[k]));
        tab_row_end(&t);
    }
    tab_end(w, &t);
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
    tab_begin(w, &t, "disqualifiers.csv",
              "What each disqualifier removes (blocked: at or above the recommended rule)", h, f,
              6);
    for (size_t r = 0; r < d->dqs.nrows; r++) {
        tab_row_begin(&t, NULL);
        tab_text(&t, S(&d->dqs, r, "rule"));
        tab_num(&t, N(&d->dqs, r, "leads"));
        tab_num(&t, N(&d->dqs, r, "sqls"));
        tab_num(&t, N(&d->dqs, r, "conversion"));
        tab_num(&t, N(&d->dqs, r, "mqls_blocked"));
        tab_num(&t, N(&d->dqs, r, "sqls_blocked"));
        tab_row_end(&t);
    }
    tab_end(w, &t);
    raw(p, "</section>\n");
}

static void section_segments(struct writer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *sg = &d->segments;
    struct strbuf *p = &w->p;
    raw(p, "<section id=\"segments\"><h2>Segment audits</h2>\n");
    if (N(&d->sweep, 0, "recommended") != 1) {
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
        const char *col = S(sg, r0, "column_name");
        size_t r1 = r0;
        while (r1 < sg->nrows && strcmp(S(sg, r1, "column_name"), col) == 0)
            r1++;
        raw(p, "<h3>");
        esc(p, col);
        raw(p, "</h3>\n");
        char file[64], cap[300];
        snprintf(file, sizeof file, "segment-%zu.png", seg + 1);
        figure(w, file, NULL);
        static const char *const h[] = {
            "value",      "leads",       "conversion (all)", "MQLs",          "MQL rate",  "SQLs",
            "conversion", "95 % CI low", "95 % CI high",     "share of SQLs", "predicted", "flags"};
        static const enum fmt f[] = {F_TEXT, F_INT, F_PCT, F_INT, F_PCT, F_INT,
                                     F_PCT,  F_PCT, F_PCT, F_PCT, F_PCT, F_TEXT};
        snprintf(file, sizeof file, "audit-%zu.csv", seg + 1);
        snprintf(cap, sizeof cap, "Audit by %s", col);
        struct tab t;
        tab_begin(w, &t, file, cap, h, f, 12);
        /* the largest values (rows come by leads, most first) and every flagged one on the
         * page, the rest pooled into one row; the CSV keeps every value */
        double pool[8] = {0}; /* leads, known, all_sqls, mqls, pending, sqls, share, sum p x mqls */
        size_t pooled = 0;
        for (size_t r = r0; r < r1; r++) {
            const char *flag = S(sg, r, "flag");
            int low = N(sg, r, "low") == 1;
            int warn = (flag[0] && strcmp(flag, "no MQL") != 0) || low;
            if (r - r0 >= REPORT_SEGMENT_TOP && !warn) {
                static const char *const pc[] = {"leads",   "known", "all_sqls",  "mqls",
                                                 "pending", "sqls",  "share_sqls"};
                for (size_t k = 0; k < 7; k++)
                    pool[k] += isfinite(N(sg, r, pc[k])) ? N(sg, r, pc[k]) : 0;
                if (isfinite(N(sg, r, "predicted")))
                    pool[7] += N(sg, r, "predicted") * (N(sg, r, "mqls") - N(sg, r, "pending"));
                pooled++;
                tab_row_where(&t, 0, 1);
            }
            char flags[64];
            snprintf(flags, sizeof flags, "%s%s%s", flag, flag[0] && low ? ", " : "",
                     low ? "low" : "");
            tab_row_begin(&t, warn ? "warn" : NULL);
            tab_text(&t, S(sg, r, "value"));
            static const char *const c[] = {"leads",      "all_conversion", "mqls",    "mql_rate",
                                            "sqls",       "conversion",     "conv_lo", "conv_hi",
                                            "share_sqls", "predicted"};
            for (size_t k = 0; k < 10; k++)
                tab_num(&t, N(sg, r, c[k]));
            tab_text(&t, flags);
            tab_row_end(&t);
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
            tab_row_where(&t, 1, 0);
            tab_row_begin(&t, "pooled");
            tab_text(&t, label);
            for (size_t k = 0; k < 10; k++)
                tab_num(&t, v[k]);
            tab_text(&t, "");
            tab_row_end(&t);
        }
        tab_end(w, &t);
        /* sales feedback on the MQLs, value by feedback */
        int any = 0;
        for (size_t r = 0; r < d->feedback.nrows && !any; r++)
            any = strcmp(S(&d->feedback, r, "column_name"), col) == 0;
        if (any) {
            static const char *const hf[] = {"value", "feedback", "MQLs"};
            static const enum fmt ff[] = {F_TEXT, F_TEXT, F_INT};
            snprintf(file, sizeof file, "feedback-%zu.csv", seg + 1);
            snprintf(cap, sizeof cap, "Sales feedback on the MQLs by %s", col);
            tab_begin(w, &t, file, cap, hf, ff, 3);
            for (size_t r = 0; r < d->feedback.nrows; r++) {
                if (strcmp(S(&d->feedback, r, "column_name"), col) != 0 ||
                    N(&d->feedback, r, "mqls") == 0)
                    continue;
                tab_row_begin(&t, NULL);
                tab_text(&t, S(&d->feedback, r, "value"));
                tab_text(&t, S(&d->feedback, r, "feedback"));
                tab_num(&t, N(&d->feedback, r, "mqls"));
                tab_row_end(&t);
            }
            tab_end(w, &t);
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
        if (strcmp(S(t, r, "rule"), rule) == 0)
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
    tab_begin(w, &tb, "review-rules.csv", "The two rules on the same history", h, f, 3);
    tab_row_begin(&tb, NULL);
    tab_text(&tb, "source");
    for (int k = 0; k < 2; k++)
        tab_text(&tb, rr[k] == (size_t)-1 ? "" : S(t, rr[k], "source"));
    tab_row_end(&tb);
    for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
        tab_row_begin(&tb, NULL);
        tab_text(&tb, m[i].label);
        for (int k = 0; k < 2; k++) {
            int has = rr[k] != (size_t)-1 && N(t, rr[k], "has_rule") == 1;
            const char *none = NULL;
            if (!has && i < 2)
                none = "no rule";
            else if (i == 1)
                none = "none";
            tab_cell(&tb, rr[k] == (size_t)-1 ? NAN : N(t, rr[k], m[i].col), m[i].f, none);
        }
        tab_row_end(&tb);
    }
    tab_end(w, &tb);
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
                if (N(t, k, "previous_mql") == prev && N(t, k, "current_mql") == cur)
                    r = k;
            double leads = r == (size_t)-1 ? 0 : N(t, r, "leads");
            double sqls = r == (size_t)-1 ? 0 : N(t, r, "sqls");
            double conv = r == (size_t)-1 ? NAN : N(t, r, "conversion");
            char a[64], b[64], c[64];
            fmt_value(leads, F_INT, a, sizeof a);
            fmt_value(sqls, F_INT, b, sizeof b);
            fmt_value(conv, F_PCT, c, sizeof c);
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
                csvout_real(&csv, r == (size_t)-1 ? NAN : N(t, r, "conv_lo"));
                csvout_real(&csv, r == (size_t)-1 ? NAN : N(t, r, "conv_hi"));
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
    int p = N(t, r, "in_previous") == 1, c = N(t, r, "in_current") == 1;
    snprintf(buf, cap, "%s%s",
             p && c ? "both"
             : p    ? "previous"
             : c    ? "current"
                    : "neither",
             N(t, r, "in_data") == 1 ? "" : ", not in data");
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
    tab_begin(
        w, &tb, "review-attributes.csv",
        "Attributes: how their mix moved (CSI, score shift in points, share of new values) "
        "and the level whose coefficient changed most between the spans (points: its change "
        "in the rule's scale); the smallest change its tests would have seen, in points (80 % "
        "power): a change below it passes unseen",
        h, f, 13);
    for (size_t r = 0; r < t->nrows; r++) {
        int flagged = N(t, r, "flagged") == 1;
        const char *band = S(t, r, "csi_band");
        int moved = strcmp(band, "investigate") == 0 || strcmp(band, "shifted") == 0;
        char flag[96] = "", where[64];
        if (flagged && moved)
            snprintf(flag, sizeof flag, "coefficient changed; mix %s", band);
        else if (flagged)
            snprintf(flag, sizeof flag, "coefficient changed");
        else if (moved)
            snprintf(flag, sizeof flag, "mix %s", band);
        attr_where(t, r, where, sizeof where);
        tab_row_begin(&tb, flagged || moved ? "warn" : NULL);
        tab_text(&tb, S(t, r, "attribute"));
        tab_text(&tb, where);
        tab_num(&tb, N(t, r, "csi"));
        tab_text(&tb, band);
        tab_num(&tb, N(t, r, "score_shift"));
        tab_num(&tb, N(t, r, "new_share"));
        tab_text(&tb, S(t, r, "new_value"));
        tab_text(&tb, S(t, r, "worst_level"));
        tab_num(&tb, N(t, r, "worst_points_change"));
        tab_num(&tb, N(t, r, "worst_z"));
        tab_num(&tb, N(t, r, "worst_p_holm"));
        tab_num(&tb, N(t, r, "min_detectable"));
        tab_text(&tb, flag);
        tab_row_end(&tb);
    }
    tab_end(w, &tb);
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
    tab_begin(w, &tb, "review-points.csv",
              all ? "Points per level in both rules (above ref.: above the attribute's "
                    "reference level)"
                  : "Points per level that differ between the rules (above ref.: above the "
                    "attribute's reference level)",
              h, f, 8);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *c = S(t, r, "change");
        if (!all && strcmp(c, "same") == 0)
            continue;
        double a = N(t, r, "previous_points"), b = N(t, r, "current_points");
        tab_row_begin(&tb, strcmp(c, "sign flip") == 0 ? "warn" : NULL);
        tab_text(&tb, S(t, r, "attribute"));
        tab_text(&tb, S(t, r, "level"));
        tab_num(&tb, a);
        tab_num(&tb, b);
        tab_num(&tb, strcmp(c, "added") == 0 ? b : strcmp(c, "removed") == 0 ? -a : b - a);
        tab_num(&tb, N(t, r, "previous_above"));
        tab_num(&tb, N(t, r, "current_above"));
        tab_text(&tb, c);
        tab_row_end(&tb);
    }
    tab_end(w, &tb);
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
    tab_begin(w, &tb, "review-periods.csv", cap, h, f, 8);
    for (size_t r = 0; r < t->nrows; r++) {
        /* conversions among leads whose outcome is known (pending ones are in the counts) */
        double leads = N(t, r, "leads"), sqls = N(t, r, "sqls");
        double pm = N(t, r, "previous_mqls"), cm = N(t, r, "current_mqls");
        double kl = leads - N(t, r, "pending"), kp = pm - N(t, r, "previous_pending"),
               kc = cm - N(t, r, "current_pending");
        tab_row_begin(&tb, NULL);
        tab_text(&tb, S(t, r, "period"));
        tab_num(&tb, leads);
        tab_num(&tb, sqls);
        tab_num(&tb, kl > 0 ? sqls / kl : NAN);
        tab_num(&tb, pm);
        tab_num(&tb, kp > 0 ? N(t, r, "previous_sqls") / kp : NAN);
        tab_num(&tb, cm);
        tab_num(&tb, kc > 0 ? N(t, r, "current_sqls") / kc : NAN);
        tab_row_end(&tb);
    }
    tab_end(w, &tb);
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
    const char *per = S(rv, 0, "period")[0] ? S(rv, 0, "period") : "period";
    int flagged = N(rv, 0, "flagged") == 1;
    char a[64], b[64];
    fmt_value(N(rv, 0, "leads"), F_INT, a, sizeof a);
    fmt_value(N(rv, 0, "sqls"), F_INT, b, sizeof b);
    raw(p, "<p>");
    escf(
        p,
        "Review %lld, stored %s: the previous rule (%s) against the current rule (%s), both on the "
        "same %s leads and %s SQLs of fit %.0f.",
        d->review_id, S(rv, 0, "created_at"), S(rv, 0, "previous"), S(rv, 0, "current"), a, b,
        N(rv, 0, "fit_id"));
    if (N(rv, 0, "fit_id") != (double)d->fit_id)
        escf(p,
             " The rest of this report is fit %lld: run 'mqlcal review' again to review the "
             "current fit.",
             d->fit_id);
    raw(p, "</p>\n");
    rawf(p, "<p class=\"rec review%s\"><span class=\"badge %s\">%s</span>", flagged ? " none" : "",
         flagged ? "drift" : "stable", flagged ? "drift found" : "stable");
    esc(p, S(rv, 0, "summary"));
    raw(p, "</p>\n<p><b>What to do:</b> ");
    esc(p, S(rv, 0, "todo"));
    raw(p, "</p>\n");

    const struct store_table *pm = &d->rv_promise;
    if (pm->nrows) {
        raw(p, "<h3>Promise kept?</h3>\n<p>");
        double known = N(pm, 0, "mqls") - N(pm, 0, "pending");
        if (known > 0) {
            char vol[96] = "no whole period yet";
            if (N(pm, 0, "whole_periods") > 0)
                snprintf(vol, sizeof vol, "%.0f a %s over %.0f whole %s%s", N(pm, 0, "per_period"),
                         S(pm, 0, "period"), N(pm, 0, "whole_periods"), S(pm, 0, "period"),
                         N(pm, 0, "whole_periods") == 1 ? "" : "s");
            escf(p,
                 "The previous rule promised %.1f %% (%.1f-%.1f) of its MQLs converting and %.0f "
                 "MQLs a %s. On the leads created after %s, where its data ended, it delivered "
                 "%.1f %% (%.1f-%.1f, %.0f MQLs with a known outcome) and %s.",
                 100 * N(pm, 0, "promised_conversion"), 100 * N(pm, 0, "promised_lo"),
                 100 * N(pm, 0, "promised_hi"), N(pm, 0, "promised_per_period"), S(pm, 0, "period"),
                 S(pm, 0, "since"), 100 * N(pm, 0, "conversion"), 100 * N(pm, 0, "conv_lo"),
                 100 * N(pm, 0, "conv_hi"), known, vol);
        } else {
            escf(p,
                 "No lead created after %s, where the previous rule's data ended, has a known "
                 "outcome yet: its promise cannot be judged.",
                 S(pm, 0, "since"));
        }
        raw(p, "</p>\n");
    }
    raw(p, "<h3>The two rules</h3>\n");
    review_rules_table(w, per);
    review_flips_table(w);
    figure(w, "review-curves.png", NULL);

    raw(p, "<h3>Stability</h3>\n<p>");
    const char *note = S(rv, 0, "span_note");
    if (note[0] || !isfinite(N(rv, 0, "psi"))) {
        esc(p, note[0] ? note : "No baseline and current span: no stability check.");
    } else {
        char bn[64], cn[64];
        fmt_value(N(rv, 0, "baseline_leads"), F_INT, bn, sizeof bn);
        fmt_value(N(rv, 0, "current_leads"), F_INT, cn, sizeof cn);
        escf(p,
             "Baseline %s (%s to %s, %s leads) against %s (%s to %s, %s leads). Score PSI of "
             "the current rule %.4f (%s), of the previous rule %.4f; between the two rules' "
             "scores %.4f. Bands: below 0.1 stable, 0.1 to 0.25 investigate, 0.25 and above "
             "shifted.",
             S(rv, 0, "baseline"), S(rv, 0, "baseline_from"), S(rv, 0, "baseline_to"), bn,
             S(rv, 0, "current_span"), S(rv, 0, "current_from"), S(rv, 0, "current_to"), cn,
             N(rv, 0, "psi"), S(rv, 0, "psi_band"), N(rv, 0, "psi_previous"),
             N(rv, 0, "psi_rules"));
    }
    raw(p, "</p>\n");
    figure(w, "review-stability.png", NULL);
    review_attributes_table(w);

    raw(p, "<h3>Points</h3>\n");
    size_t changed = figures_review_changes(d);
    if (changed == 0) {
        raw(p, "<p>The points are the same in both rules.</p>\n");
    } else {
        figure(w, "review-points.png", NULL);
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
        {"input file", S(&d->load, 0, "source")},
        {"input sha256", S(&d->load, 0, "sha256")},
        {"ingested", S(&d->load, 0, "finished_at")},
        {"fitted", S(&d->fit, 0, "created_at")},
        {"swept", S(&d->sweep, 0, "created_at")},
        {"fitted by", S(&d->fit, 0, "mqlcal_version")},
        {"config file", S(&d->load, 0, "config")},
        {"config hash (FNV-1a 64)", S(&d->fit, 0, "config_hash")},
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
    fmt_value(N(&d->load, 0, "bytes"), F_INT, bytes, sizeof bytes);
    raw(p, "<dt>input bytes</dt><dd>");
    esc(p, bytes);
    raw(p, "</dd>\n<dt>runs in the store</dt><dd>");
    esc(p, ids);
    raw(p, "</dd>\n<dt>versions</dt><dd>");
    escf(p, "mqlcal %s, SQLite %s, GSL %s, cairo %s", MQLCAL_VERSION, sqlite3_libversion(),
         GSL_VERSION, cairo_version_string());
    raw(p, "</dd>\n</dl>\n<h3>Config of the fit</h3>\n<pre>");
    esc(p, S(&d->fit, 0, "config"));
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

    double t0 = store_seconds();
    struct figure figs[FIGURES_MAX];
    size_t nfigs = 0;
    if ((rc = figures_draw(d, dir, figs, &nfigs, err)))
        return rc;
    if (cfg->review_previous && (rc = figures_draw_review(d, cfg, dir, figs, &nfigs, err)))
        return rc;
    res->ncharts = nfigs;
    double t1 = store_seconds();
    res->seconds_charts = t1 - t0;

    struct writer w = {.cfg = cfg, .d = d, .dir = dir, .err = err, .figs = figs, .nfigs = nfigs};
    struct strbuf *p = &w.p;
    raw(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    escf(p, "MQL definition review: %s", S(&d->load, 0, "source"));
    raw(p, "</title>\n");
    raw(p, css);
    if (cfg->review_previous)
        raw(p, css_review);
    raw(p, "</head>\n<body>\n<header><h1>MQL definition review</h1><p>");
    escf(p, "%s \xC2\xB7 fitted %s \xC2\xB7 mqlcal %s", S(&d->load, 0, "source"),
         S(&d->fit, 0, "created_at"), MQLCAL_VERSION);
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
    res->seconds_html = store_seconds() - t1;
    return w.rc;
}

/* What a killed run may have left in out_dir: the folder of a report being written by a
 * process that no longer runs (removed), and the old report set aside by swap_in's fallback
 * (put back when the new one never came, else removed). Only folders that mqlcal can prove it
 * wrote (fsx_remove_owned_dir) are touched; anything else stops the report (MQL_EINPUT). */
static int remove_leftovers(const char *out_dir, const char *final, const char *old,
                            struct mql_err *err)
{
    DIR *dir = opendir(out_dir);
    if (!dir)
        return 0;
    static const char prefix[] = ".report-tmp-";
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(dir))) {
        if (strncmp(e->d_name, prefix, sizeof prefix - 1) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + sizeof prefix - 1, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* not ours to remove: a running mqlcal's */
        size_t n = strlen(out_dir) + strlen(e->d_name) + 2;
        char *path = malloc(n);
        if (!path) {
            rc = mql_err_oom(err);
            break;
        }
        snprintf(path, n, "%s/%s", out_dir, e->d_name);
        rc = fsx_remove_owned_dir(path, err);
        free(path);
    }
    closedir(dir);
    struct stat st;
    if (!rc && lstat(old, &st) == 0) {
        if (lstat(final, &st) != 0) {
            if (!(rc = fsx_check_owned_dir(old, err)) && rename(old, final) != 0)
                rc = mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", old, final,
                                 strerror(errno));
        } else {
            rc = fsx_remove_owned_dir(old, err);
        }
    }
    return rc;
}

/* Makes the folder tmp the folder final: swapped in one step where the file system can
 * (renameat2 RENAME_EXCHANGE), the old report then removed; else old aside, new in place. */
static int swap_in(const char *tmp, const char *final, const char *old, struct mql_err *err)
{
    struct stat st;
    if (lstat(final, &st) != 0) {
        if (rename(tmp, final) != 0)
            return mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", tmp, final,
                               strerror(errno));
        return 0;
    }
    /* checked again just before: the folder may have changed while the report was written */
    int rc = fsx_check_owned_dir(final, err);
    if (rc)
        return rc;
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) == 0)
        return fsx_remove_owned_dir(tmp, err); /* now the old report */
    if ((rc = fsx_remove_owned_dir(old, err)))
        return rc;
    if (rename(final, old) != 0)
        rc = mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", final, old,
                         strerror(errno));
    else if (rename(tmp, final) != 0)
        rc = mql_err_set(err, MQL_EIO, "cannot rename '%s' to '%s': %s", tmp, final,
                         strerror(errno));
    else
        rc = fsx_remove_owned_dir(old, err);
    return rc;
}

int report_run(sqlite3 *db, const struct config *cfg, struct report_result *res,
               struct mql_err *err)
{
    memset(res, 0, sizeof *res);
    struct report_data d;
    double t0 = store_seconds();
    int rc = report_load(db, &d, err);
    double t1 = store_seconds();
    size_t n = strlen(cfg->out_dir) + 48;
    char *final = malloc(n), *tmp = malloc(n), *old = malloc(n);
    int made = 0;
    if (!rc && (!final || !tmp || !old))
        rc = mql_err_oom(err);
    if (!rc) {
        /* the whole report is written beside the old one, then swapped in: a reader (or a
         * crash) sees the old report or the new one, never a mix */
        snprintf(final, n, "%s/report", cfg->out_dir);
        snprintf(tmp, n, "%s/.report-tmp-%ld", cfg->out_dir, (long)getpid());
        snprintf(old, n, "%s/report.old", cfg->out_dir);
        /* refused before anything is written: a report folder that is not mqlcal's */
        if (!(rc = remove_leftovers(cfg->out_dir, final, old, err)) &&
            !(rc = fsx_check_owned_dir(final, err)) && !(rc = fsx_remove_owned_dir(tmp, err))) {
            rc = report_write(cfg, &d, tmp, res, err);
            if (!rc)
                rc = report_check_reads(&d, err);
            if (!rc)
                rc = swap_in(tmp, final, old, err);
            made = 1;
        }
        if (rc && made) {
            struct mql_err ignored;
            fsx_remove_owned_dir(tmp, &ignored);
        } else if (!rc) {
            free(res->dir);
            free(res->index);
            res->dir = text_dup(final);
            res->index = malloc(n + 16);
            if (!res->dir || !res->index)
                rc = mql_err_oom(err);
            else
                snprintf(res->index, n + 16, "%s/index.html", final);
        }
    }
    res->seconds_load = t1 - t0;
    free(final);
    free(tmp);
    free(old);
    report_release(&d);
    return rc;
}
