/*
 * figures.c: the report's charts: what each PNG shows, drawn from struct report_data with
 * chart.h (figures.h).
 */
#include "mqlcal/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqlcal/chart.h"
#include "mqlcal/review.h"
#include "mqlcal/text.h"
#include "mqlcal/stats.h"

#define MIN_MQLS_SHOWN 10 /* conversion is drawn where at least this many leads qualify */
#define MAX_SEGMENT_VALUES 20

/* ---- helpers ------------------------------------------------------------------------------- */

static double num(const struct store_table *t, size_t r, const char *name)
{
    return store_table_num(t, r, name);
}

static const char *txt(const struct store_table *t, size_t r, const char *name)
{
    const char *s = store_table_text(t, r, name);
    return s ? s : "";
}

/* Rows of t whose column `col` equals value (all rows when col is NULL). */
static size_t select_rows(const struct store_table *t, const char *col, const char *value,
                          size_t *rows)
{
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++)
        if (!col || strcmp(txt(t, r, col), value) == 0)
            rows[n++] = r;
    return n;
}

/* column name of the given rows into out */
static void column(const struct store_table *t, const size_t *rows, size_t n, const char *name,
                   double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = num(t, rows[i], name);
}

/* Room for the rows of t (*rows) and k doubles per row plus 8 (*buf); both NULL on failure. */
static int work_buffers(const struct store_table *t, size_t k, size_t **rows, double **buf)
{
    *rows = malloc((t->nrows + 1) * sizeof **rows);
    *buf = malloc((k * t->nrows + 8) * sizeof **buf);
    if (*rows && *buf)
        return 0;
    free(*rows);
    free(*buf);
    *rows = NULL;
    *buf = NULL;
    return -1;
}

struct drawer {
    const struct report_data *d;
    const char *dir;
    struct figure *figs;
    size_t n;
    struct mql_err *err;
    const char *period; /* "month", ... */
    double capacity, target;
    int threshold, has_fit_min, fit_min, has_rec;
    const char *cap_words; /* the capacity statistic: "mean", "p90" or "busiest" */
};

static int emit(struct drawer *w, const char *file, struct chart_spec *spec)
{
    if (w->n >= FIGURES_MAX)
        return mql_err_set(w->err, MQL_EIO, "too many figures");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->dir, file);
    int rc = chart_png(spec, path, w->err);
    if (rc)
        return rc;
    struct figure *f = &w->figs[w->n++];
    snprintf(f->file, sizeof f->file, "%s", file);
    snprintf(f->title, sizeof f->title, "%s", spec->title ? spec->title : file);
    f->width = spec->width ? spec->width : 800;
    f->height = spec->height ? spec->height : 450;
    return 0;
}

static struct chart_axis axis(const char *label, int percent)
{
    return (struct chart_axis){label, NAN, NAN, percent, 0, NULL, 0};
}

static void rule_text(const struct drawer *w, char *buf, size_t cap)
{
    if (!w->has_rec)
        snprintf(buf, cap, "no recommended rule");
    else if (w->has_fit_min)
        snprintf(buf, cap, "recommended: %d points, fit >= %d", w->threshold, w->fit_min);
    else
        snprintf(buf, cap, "recommended: %d points", w->threshold);
}

/* ---- a. the sweep -------------------------------------------------------------------------- */

static int fig_sweep(struct drawer *w)
{
    const struct store_table *t = &w->d->thresholds;
    size_t *rows;
    double *buf;
    if (work_buffers(t, 7, &rows, &buf))
        return mql_err_oom(w->err);
    size_t n = select_rows(t, "sample", "all", rows);
    double *x = buf, *conv = x + n, *clo = conv + n, *chi = clo + n, *vol = chi + n, *vlo = vol + n,
           *vhi = vlo + n;
    column(t, rows, n, "threshold", x);
    column(t, rows, n, "vol_mean", vol);
    column(t, rows, n, "band_vol_lo", vlo);
    column(t, rows, n, "band_vol_hi", vhi);
    for (size_t i = 0; i < n; i++) {
        int shown = num(t, rows[i], "mqls") >= MIN_MQLS_SHOWN;
        conv[i] = shown ? num(t, rows[i], "conversion") : NAN;
        clo[i] = shown ? num(t, rows[i], "band_conv_lo") : NAN;
        chi[i] = shown ? num(t, rows[i], "band_conv_hi") : NAN;
    }
    char vlabel[96], rl[96], cap[96], tgt[64], sub[200];
    snprintf(vlabel, sizeof vlabel, "MQLs per %s (mean, right axis)", w->period);
    struct chart_series s[] = {
        {"conversion, 95 % bootstrap band", CHART_BAND, x, NULL, clo, chi, n, CHART_BLUE, 0, 0, 0,
         0, 0},
        {"conversion (SQLs / MQLs)", CHART_LINE, x, conv, NULL, NULL, n, CHART_BLUE, 0, 0, 0, 0, 0},
        {NULL, CHART_BAND, x, NULL, vlo, vhi, n, CHART_ORANGE, 1, 0, 0, 0, 0},
        {vlabel, CHART_LINE, x, vol, NULL, NULL, n, CHART_ORANGE, 1, 0, 0, 0, 0},
    };
    rule_text(w, rl, sizeof rl);
    snprintf(cap, sizeof cap, "capacity %g per %s (right axis)", w->capacity, w->period);
    snprintf(tgt, sizeof tgt, "target %g %%", 100 * w->target);
    struct chart_mark m[3];
    size_t nm = 0;
    if (w->has_rec)
        m[nm++] = (struct chart_mark){1, 0, w->threshold, rl, CHART_BLACK, 0};
    if (isfinite(w->target))
        m[nm++] = (struct chart_mark){0, 0, w->target, tgt, CHART_BLUE, 1};
    if (isfinite(w->capacity))
        m[nm++] = (struct chart_mark){0, 1, w->capacity, cap, CHART_VERMILLION, 1};
    snprintf(sub, sizeof sub,
             "All leads, no fit minimum; conversion drawn where at least %d leads qualify",
             MIN_MQLS_SHOWN);
    char ylabel2[96];
    snprintf(ylabel2, sizeof ylabel2, "MQLs per %s", w->period);
    struct chart_spec spec = {
        .title = "Threshold sweep: conversion and MQL volume",
        .subtitle = sub,
        .x = axis("Score threshold (points)", 0),
        .y = axis("Conversion (%)", 1),
        .y2 = axis(ylabel2, 0),
        .has_y2 = 1,
        .series = s,
        .nseries = 4,
        .marks = m,
        .nmarks = nm,
    };
    spec.x.integer = 1;
    spec.y.min = 0;
    spec.y2.min = 0;
    int rc = emit(w, "sweep.png", &spec);
    free(rows);
    free(buf);
    return rc;
}

/* ---- b. the trade-off ---------------------------------------------------------------------- */

static int fig_tradeoff(struct drawer *w)
{
    const struct store_table *t = &w->d->thresholds;
    size_t *rows;
    double *buf;
    if (work_buffers(t, 4, &rows, &buf))
        return mql_err_oom(w->err);
    size_t na = select_rows(t, "sample", "all", rows);
    size_t nh = select_rows(t, "sample", "holdout", rows + na);
    double *xa = buf, *ya = xa + na, *xh = ya + na, *yh = xh + nh;
    for (size_t i = 0; i < na + nh; i++) {
        size_t r = rows[i];
        int shown = num(t, r, "mqls") >= MIN_MQLS_SHOWN;
        double *x = i < na ? &xa[i] : &xh[i - na], *y = i < na ? &ya[i] : &yh[i - na];
        *x = num(t, r, "vol_cap");
        *y = shown ? num(t, r, "conversion") : NAN;
    }
    /* the rule where the headline puts it: its capacity statistic, and the conversion expected
     * of next quarter's MQLs with its prediction interval */
    double rx = num(&w->d->sweep, 0, "vol_cap"), ry = num(&w->d->sweep, 0, "exp_conversion");
    double rlo = num(&w->d->sweep, 0, "exp_conv_lo"), rhi = num(&w->d->sweep, 0, "exp_conv_hi");
    char rl[96], cap[96], tgt[64], xl[96];
    rule_text(w, rl, sizeof rl);
    snprintf(cap, sizeof cap, "capacity %g", w->capacity);
    snprintf(tgt, sizeof tgt, "target %g %%", 100 * w->target);
    snprintf(xl, sizeof xl, "MQLs per %s: %s of the latest %ss", w->period, w->cap_words,
             w->period);
    struct chart_series s[] = {
        {"all leads", CHART_LINE, xa, ya, NULL, NULL, na, CHART_BLUE, 0, 0, 0, 0, 0},
        {"holdout", CHART_LINE, xh, yh, NULL, NULL, nh, CHART_SKY, 0, 1, 0, 0, 0},
        {rl, CHART_POINTS, &rx, &ry, &rlo, &rhi, w->has_rec ? 1 : 0, CHART_VERMILLION, 0, 0, 0, 0,
         0},
    };
    struct chart_mark m[2];
    size_t nm = 0;
    if (isfinite(w->capacity))
        m[nm++] = (struct chart_mark){1, 0, w->capacity, cap, CHART_VERMILLION, 1};
    if (isfinite(w->target))
        m[nm++] = (struct chart_mark){0, 0, w->target, tgt, CHART_BLUE, 1};
    struct chart_spec spec = {
        .title = "Trade-off: MQL volume against conversion",
        .subtitle = "One point per score threshold (no fit minimum): higher ones give fewer, "
                    "better MQLs; the rule at its expected conversion",
        .x = axis(xl, 0),
        .y = axis("Conversion (%)", 1),
        .series = s,
        .nseries = 3,
        .marks = m,
        .nmarks = nm,
    };
    spec.x.min = 0;
    spec.y.min = 0;
    int rc = emit(w, "tradeoff.png", &spec);
    free(rows);
    free(buf);
    return rc;
}

/* ---- c. score distribution ----------------------------------------------------------------- */

static int fig_scores(struct drawer *w)
{
    const struct store_table *t = &w->d->hist;
    if (t->nrows == 0)
        return 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < t->nrows; r++) {
        double s = num(t, r, "score");
        lo = s < lo ? s : lo;
        hi = s > hi ? s : hi;
    }
    /* about 40 bands of a nice width */
    double a = lo, b = hi + 1, ticks[64];
    size_t nt = chart_ticks(&a, &b, 40, 1, ticks, 64);
    double width = nt > 1 ? ticks[1] - ticks[0] : 1;
    size_t nb = (size_t)((b - a) / width) + 1;
    double *buf = calloc(3 * nb + 1, sizeof *buf);
    if (!buf)
        return mql_err_oom(w->err);
    double *x = buf, *pos = x + nb, *neg = pos + nb, tp = 0, tn = 0;
    for (size_t i = 0; i < nb; i++)
        x[i] = a + width * (double)i + width / 2;
    for (size_t r = 0; r < t->nrows; r++) {
        size_t k = (size_t)((num(t, r, "score") - a) / width);
        if (k >= nb)
            k = nb - 1;
        double leads = num(t, r, "leads"), sqls = num(t, r, "sqls");
        pos[k] += sqls;
        neg[k] += leads - sqls;
        tp += sqls;
        tn += leads - sqls;
    }
    for (size_t i = 0; i < nb; i++) {
        pos[i] = tp > 0 ? pos[i] / tp : NAN;
        neg[i] = tn > 0 ? neg[i] / tn : NAN;
    }
    char rl[96], sub[160];
    rule_text(w, rl, sizeof rl);
    snprintf(sub, sizeof sub, "All leads, in bands of %g points; each group sums to 100 %%", width);
    struct chart_series s[] = {
        {"not SQL", CHART_BARS, x, neg, NULL, NULL, nb, CHART_SKY, 0, 0, width * 0.45,
         -width * 0.22, 0},
        {"SQL", CHART_BARS, x, pos, NULL, NULL, nb, CHART_VERMILLION, 0, 0, width * 0.45,
         width * 0.22, 0},
    };
    struct chart_mark m = {1, 0, w->threshold, rl, CHART_BLACK, 1};
    struct chart_spec spec = {
        .title = "Score distribution of SQLs and non-SQLs",
        .subtitle = sub,
        .x = axis("Score (points)", 0),
        .y = axis("Share of the group's leads (%)", 1),
        .series = s,
        .nseries = 2,
        .marks = &m,
        .nmarks = w->has_rec ? 1 : 0,
    };
    int rc = emit(w, "scores.png", &spec);
    free(buf);
    return rc;
}

/* ---- d. calibration ------------------------------------------------------------------------ */

static const char *validation_sample(const struct report_data *d)
{
    for (size_t r = 0; r < d->calib.nrows; r++)
        if (strcmp(txt(&d->calib, r, "sample"), "holdout") == 0)
            return "holdout";
    return "training";
}

static int fig_calibration(struct drawer *w)
{
    const struct store_table *t = &w->d->calib;
    const char *sample = validation_sample(w->d);
    size_t rows[64];
    size_t n = 0;
    for (size_t r = 0; r < t->nrows && n < 64; r++)
        if (strcmp(txt(t, r, "sample"), sample) == 0)
            rows[n++] = r;
    double x[64], y[64], lo[64], hi[64], top = 0;
    column(t, rows, n, "predicted", x);
    column(t, rows, n, "observed", y);
    column(t, rows, n, "lo", lo);
    column(t, rows, n, "hi", hi);
    for (size_t i = 0; i < n; i++) {
        top = fmax(top, fmax(x[i], isfinite(hi[i]) ? hi[i] : 0));
    }
    double dx[2] = {0, top}, dy[2] = {0, top};
    char sub[160];
    snprintf(sub, sizeof sub,
             "Leads of the %s in ten bins by predicted probability; bars: Wilson 95 %% intervals",
             sample);
    struct chart_series s[] = {
        {"perfect calibration", CHART_LINE, dx, dy, NULL, NULL, 2, CHART_GREY, 0, 1, 0, 0, 0},
        {"observed conversion", CHART_POINTS, x, y, lo, hi, n, CHART_BLUE, 0, 0, 0, 0, 0},
    };
    struct chart_spec spec = {
        .title = "Calibration: predicted against observed conversion",
        .subtitle = sub,
        .x = axis("Predicted conversion (%)", 1),
        .y = axis("Observed conversion (%)", 1),
        .series = s,
        .nseries = 2,
    };
    spec.x.min = 0;
    spec.y.min = 0;
    return emit(w, "calibration.png", &spec);
}

/* ---- e. ROC and gains ---------------------------------------------------------------------- */

double figures_auc(const struct store_table *hist, const char *sample)
{
    double P = 0, N = 0, tp = 0, auc = 0;
    for (size_t r = 0; r < hist->nrows; r++)
        if (strcmp(txt(hist, r, "sample"), sample) == 0) {
            P += num(hist, r, "sqls");
            N += num(hist, r, "leads") - num(hist, r, "sqls");
        }
    /* from the highest score down (rows are in ascending score) */
    for (size_t k = hist->nrows; k-- > 0;) {
        if (strcmp(txt(hist, k, "sample"), sample) != 0)
            continue;
        double pos = num(hist, k, "sqls"), neg = num(hist, k, "leads") - pos;
        auc += neg * (tp + pos / 2); /* ties count one half */
        tp += pos;
    }
    return P > 0 && N > 0 ? auc / (P * N) : NAN;
}

static int fig_roc_gains(struct drawer *w)
{
    const struct store_table *t = &w->d->hist;
    const char *sample = validation_sample(w->d);
    size_t *rows;
    double *buf;
    if (work_buffers(t, 4, &rows, &buf))
        return mql_err_oom(w->err);
    size_t n = select_rows(t, "sample", sample, rows); /* ascending score */
    double P = 0, N = 0;
    for (size_t i = 0; i < n; i++) {
        P += num(t, rows[i], "sqls");
        N += num(t, rows[i], "leads") - num(t, rows[i], "sqls");
    }
    /* from the highest score down: (FPR, TPR) and (share of leads, share of SQLs) */
    double *fpr = buf, *tpr = fpr + n + 1, *lead = tpr + n + 1, *sql = lead + n + 1;
    double tp = 0, fp = 0, share_at_rule = NAN, auc = figures_auc(t, sample);
    fpr[0] = tpr[0] = lead[0] = sql[0] = 0;
    for (size_t k = 0; k < n; k++) {
        size_t r = rows[n - 1 - k];
        double pos = num(t, r, "sqls"), neg = num(t, r, "leads") - pos;
        tp += pos;
        fp += neg;
        fpr[k + 1] = N > 0 ? fp / N : NAN;
        tpr[k + 1] = P > 0 ? tp / P : NAN;
        lead[k + 1] = (P + N) > 0 ? (tp + fp) / (P + N) : NAN;
        sql[k + 1] = tpr[k + 1];
        if (w->has_rec && num(t, r, "score") >= w->threshold)
            share_at_rule = lead[k + 1];
    }
    char label[96], sub[160];
    snprintf(label, sizeof label, "%s, AUC %.4f", sample, auc);
    snprintf(sub, sizeof sub, "Scores in points on the %s (%.0f leads, %.0f SQLs)", sample, P + N,
             P);
    double d0[2] = {0, 1};
    struct chart_series s[] = {
        {"chance", CHART_LINE, d0, d0, NULL, NULL, 2, CHART_GREY, 0, 1, 0, 0, 0},
        {label, CHART_LINE, fpr, tpr, NULL, NULL, n + 1, CHART_BLUE, 0, 0, 0, 0, 0},
    };
    struct chart_spec spec = {
        .title = "ROC curve of the points",
        .subtitle = sub,
        .x = axis("False positive rate: non-SQLs passed (%)", 1),
        .y = axis("True positive rate: SQLs passed (%)", 1),
        .series = s,
        .nseries = 2,
        .width = 620,
        .height = 520,
    };
    spec.x.min = spec.y.min = 0;
    spec.x.max = spec.y.max = 1;
    int rc = emit(w, "roc.png", &spec);
    if (!rc) {
        struct chart_series g[] = {
            {"random order", CHART_LINE, d0, d0, NULL, NULL, 2, CHART_GREY, 0, 1, 0, 0, 0},
            {label, CHART_LINE, lead, sql, NULL, NULL, n + 1, CHART_GREEN, 0, 0, 0, 0, 0},
        };
        char rl[96];
        rule_text(w, rl, sizeof rl);
        struct chart_mark m = {1, 0, share_at_rule, rl, CHART_BLACK, 1};
        struct chart_spec gs = {
            .title = "Cumulative gains of the points",
            .subtitle = sub,
            .x = axis("Leads worked, highest scores first (%)", 1),
            .y = axis("SQLs found (%)", 1),
            .series = g,
            .nseries = 2,
            .marks = &m,
            .nmarks = isfinite(share_at_rule) ? 1 : 0,
            .width = 620,
            .height = 520,
        };
        gs.x.min = gs.y.min = 0;
        gs.x.max = gs.y.max = 1;
        rc = emit(w, "gains.png", &gs);
    }
    free(rows);
    free(buf);
    return rc;
}

/* ---- f. the scorecard ---------------------------------------------------------------------- */

/* The bytes of s's first `chars` UTF-8 characters (all of s when shorter). */
static int utf8_prefix(const char *s, int chars)
{
    int i = 0, c = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && c++ == chars)
            break;
    return i;
}

static int fig_scorecard(struct drawer *w, const char *group, const char *file, const char *title)
{
    const struct store_table *t = &w->d->levels;
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++)
        n += strcmp(txt(t, r, "grp"), group) == 0;
    if (n == 0)
        return 0;
    double *buf = malloc((6 * n + 1) * sizeof *buf);
    char **labels = calloc(n + 1, sizeof *labels);
    if (!buf || !labels) {
        free(buf);
        free(labels);
        return mql_err_oom(w->err);
    }
    double *x = buf, *pos = x + n, *neg = pos + n, *lo = neg + n, *hi = lo + n, *zero = hi + n;
    double factor = num(&w->d->fit, 0, "factor");
    size_t k = 0;
    int rc = 0;
    for (size_t r = 0; r < t->nrows && !rc; r++) {
        if (strcmp(txt(t, r, "grp"), group) != 0)
            continue;
        double pts = num(t, r, "points"), coef = num(t, r, "coef");
        int ref = num(t, r, "is_reference") == 1;
        size_t len = strlen(txt(t, r, "attribute")) + strlen(txt(t, r, "label")) + 16;
        if (!(labels[k] = malloc(len))) {
            rc = mql_err_oom(w->err);
            break;
        }
        /* a long attribute name is shortened, not the level, which tells the bars apart */
        const char *attr = txt(t, r, "attribute");
        int cut = utf8_prefix(attr, 18);
        snprintf(labels[k], len, "%.*s%s: %s%s", cut, attr, attr[cut] ? "\xE2\x80\xA6" : "",
                 txt(t, r, "label"), ref ? " (ref)" : "");
        x[k] = (double)k;
        pos[k] = pts >= 0 ? pts : NAN;
        neg[k] = pts < 0 ? pts : NAN;
        zero[k] = ref ? 0 : NAN;
        lo[k] = ref || !isfinite(coef) ? NAN : pts + factor * (num(t, r, "ci_lo") - coef);
        hi[k] = ref || !isfinite(coef) ? NAN : pts + factor * (num(t, r, "ci_hi") - coef);
        k++;
    }
    if (!rc) {
        struct chart_series s[] = {
            {"adds points", CHART_BARS, x, pos, lo, hi, n, CHART_BLUE, 0, 0, 0.7, 0, 0},
            {"takes points", CHART_BARS, x, neg, lo, hi, n, CHART_VERMILLION, 0, 0, 0.7, 0, 0},
            {"reference level (0 points)", CHART_POINTS, x, zero, NULL, NULL, n, CHART_GREY, 0, 0,
             0, 0, 0},
        };
        struct chart_spec spec = {
            .title = title,
            .subtitle = "Points per level against the attribute's reference level; bars: 95 % "
                        "intervals of the coefficient, in points",
            .x = {NULL, NAN, NAN, 0, 0, (const char *const *)labels, n},
            .y = axis("Points", 0),
            .horizontal = 1,
            .series = s,
            .nseries = 3,
            .width = 800,
            .height = (int)(150 + 22 * n),
        };
        rc = emit(w, file, &spec);
    }
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
    free(buf);
    return rc;
}

/* ---- g. segments --------------------------------------------------------------------------- */

static int fig_segments(struct drawer *w)
{
    const struct store_table *t = &w->d->segments;
    int rc = 0;
    size_t seg = 0;
    for (size_t r0 = 0; r0 < t->nrows && !rc; seg++) {
        const char *col = txt(t, r0, "column_name");
        size_t r1 = r0;
        while (r1 < t->nrows && strcmp(txt(t, r1, "column_name"), col) == 0)
            r1++;
        size_t n = r1 - r0 < MAX_SEGMENT_VALUES ? r1 - r0 : MAX_SEGMENT_VALUES;
        double x[MAX_SEGMENT_VALUES], c[MAX_SEGMENT_VALUES], lo[MAX_SEGMENT_VALUES],
            hi[MAX_SEGMENT_VALUES], p[MAX_SEGMENT_VALUES];
        const char *labels[MAX_SEGMENT_VALUES];
        for (size_t i = 0; i < n; i++) { /* rows are by leads, most first */
            size_t r = r0 + i;
            x[i] = (double)i;
            labels[i] = txt(t, r, "value");
            c[i] = num(t, r, "conversion");
            lo[i] = num(t, r, "conv_lo");
            hi[i] = num(t, r, "conv_hi");
            p[i] = num(t, r, "predicted");
        }
        char title[200], sub[200], tgt[64], file[64];
        snprintf(title, sizeof title, "Conversion of MQLs by %s at the recommended rule", col);
        snprintf(sub, sizeof sub,
                 "%s values by leads%s; bars: Wilson 95 %% intervals; dots: the model's mean "
                 "prediction",
                 r1 - r0 > n ? "The 20 largest" : "All",
                 r1 - r0 > n ? " (the rest pooled in the table; every one in its CSV)" : "");
        snprintf(tgt, sizeof tgt, "target %g %%", 100 * w->target);
        snprintf(file, sizeof file, "segment-%zu.png", seg + 1);
        struct chart_series s[] = {
            {"observed conversion", CHART_BARS, x, c, lo, hi, n, CHART_SKY, 0, 0, 0.6, 0, 0},
            {"predicted", CHART_POINTS, x, p, NULL, NULL, n, CHART_ORANGE, 0, 0, 0, 0, 0},
        };
        struct chart_mark m = {0, 0, w->target, tgt, CHART_BLUE, 1};
        struct chart_spec spec = {
            .title = title,
            .subtitle = sub,
            .x = {col, NAN, NAN, 0, 0, labels, n},
            .y = axis("Conversion of MQLs (%)", 1),
            .series = s,
            .nseries = 2,
            .marks = &m,
            .nmarks = isfinite(w->target) ? 1 : 0,
        };
        spec.y.min = 0;
        /* values whose names would be turned to fit under the bars run down the left side
         * instead, one row each, so that no label squashes the plot */
        size_t longest = 0;
        for (size_t i = 0; i < n; i++)
            longest = strlen(labels[i]) > longest ? strlen(labels[i]) : longest;
        if (n * (longest * 7 + 8) > 640) {
            spec.horizontal = 1;
            spec.x.label = NULL;
            spec.width = 800;
            spec.height = (int)(170 + 26 * n);
        }
        rc = emit(w, file, &spec);
        r0 = r1;
    }
    return rc;
}

/* ---- h. the grid --------------------------------------------------------------------------- */

/* distinct sorted values of v[0..n) in place; returns how many */
static size_t distinct(double *v, size_t n)
{
    qsort(v, n, sizeof *v, stats_cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

static size_t find(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int fig_grid(struct drawer *w)
{
    const struct store_table *t = &w->d->grid;
    size_t n = t->nrows;
    if (n == 0)
        return 0;
    double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        return mql_err_oom(w->err);
    }
    /* fit minimum "none" (NULL) is the bottom row, one step below the lowest fit minimum */
    double flo = INFINITY, fhi = -INFINITY;
    for (size_t r = 0; r < n; r++) {
        double f = num(t, r, "fit_min");
        if (isfinite(f)) {
            flo = f < flo ? f : flo;
            fhi = f > fhi ? f : fhi;
        }
    }
    double none = isfinite(flo) ? flo - (fhi - flo > 20 ? (fhi - flo) / 20 : 1) : 0;
    for (size_t r = 0; r < n; r++) {
        xs[r] = num(t, r, "threshold");
        double f = num(t, r, "fit_min");
        ys[r] = isfinite(f) ? f : none;
    }
    size_t nx = distinct(xs, n), ny = distinct(ys, n);
    if (ny < 2) { /* no fit group, or one fit score: the grid is the threshold sweep again */
        free(xs);
        free(ys);
        return 0;
    }
    double *z = malloc(nx * ny * sizeof *z);
    unsigned char *inside = calloc(nx * ny, 1);
    if (!z || !inside) {
        free(xs);
        free(ys);
        free(z);
        free(inside);
        return mql_err_oom(w->err);
    }
    for (size_t i = 0; i < nx * ny; i++)
        z[i] = NAN;
    for (size_t r = 0; r < n; r++) {
        double f = num(t, r, "fit_min");
        size_t i = find(xs, nx, num(t, r, "threshold")), j = find(ys, ny, isfinite(f) ? f : none);
        z[j * nx + i] = num(t, r, "sqls_per_period");
        double vol = num(t, r, "vol_cap");
        inside[j * nx + i] = !isfinite(w->capacity) || vol <= w->capacity;
    }
    char scale[96], bl[96], sub[240], rl[96];
    snprintf(scale, sizeof scale, "SQLs per %s", w->period);
    snprintf(bl, sizeof bl, "within capacity (%s of the latest %ss <= %g)", w->cap_words, w->period,
             w->capacity);
    snprintf(sub, sizeof sub,
             "Every rule (threshold, fit minimum) with MQLs; bottom row: no fit minimum%s",
             isfinite(w->target) ? "; rules below the target conversion still shown" : "");
    rule_text(w, rl, sizeof rl);
    struct chart_heatmap h = {z, xs, ys, nx, ny, isfinite(w->capacity) ? inside : NULL, scale, bl};
    double rx = w->threshold, ry = w->has_fit_min ? w->fit_min : none;
    struct chart_series s = {
        rl, CHART_POINTS, &rx, &ry, NULL, NULL, w->has_rec ? 1 : 0, CHART_VERMILLION, 0, 0, 0, 0,
        0};
    char title[160];
    snprintf(title, sizeof title, "SQLs per %s for every threshold and fit minimum", w->period);
    struct chart_spec spec = {
        .title = title,
        .subtitle = sub,
        .x = axis("Score threshold (points)", 0),
        .y = axis("Fit minimum (fit points)", 0),
        .series = &s,
        .nseries = 1,
        .heatmap = &h,
        .height = 500,
    };
    int rc = emit(w, "grid.png", &spec);
    free(xs);
    free(ys);
    free(z);
    free(inside);
    return rc;
}

/* ---- i. periods ---------------------------------------------------------------------------- */

static int fig_periods(struct drawer *w)
{
    const struct store_table *t = &w->d->periods;
    size_t n = t->nrows;
    if (n < 2 || !w->has_rec) /* one period (no dates): nothing to show over time */
        return 0;
    double *buf = malloc((3 * n + 1) * sizeof *buf);
    const char **labels = malloc((n + 1) * sizeof *labels);
    if (!buf || !labels) {
        free(buf);
        free(labels);
        return mql_err_oom(w->err);
    }
    double *x = buf, *m = x + n, *c = m + n;
    /* a partial period (the data covers it only in part: left out of the volumes) is starred */
    char starred[2][40];
    size_t k = 0;
    for (size_t r = 0; r < n; r++) {
        x[r] = (double)r;
        labels[r] = txt(t, r, "period");
        if (num(t, r, "partial") == 1 && k < 2) {
            snprintf(starred[k], sizeof starred[k], "%s*", labels[r] ? labels[r] : "");
            labels[r] = starred[k++];
        }
        m[r] = num(t, r, "mqls");
        c[r] = num(t, r, "conversion");
    }
    char yl[96], title[160], cap[96], tgt[64], rl[96], xl[64];
    snprintf(yl, sizeof yl, "MQLs per %s", w->period);
    snprintf(xl, sizeof xl, "%s (lead creation date)", w->period);
    if (xl[0] >= 'a' && xl[0] <= 'z')
        xl[0] = (char)(xl[0] - 'a' + 'A');
    snprintf(title, sizeof title, "MQLs and conversion per %s at the recommended rule", w->period);
    snprintf(cap, sizeof cap, "capacity %g", w->capacity);
    snprintf(tgt, sizeof tgt, "target %g %% (right axis)", 100 * w->target);
    rule_text(w, rl, sizeof rl);
    struct chart_series s[] = {
        {"MQLs", CHART_BARS, x, m, NULL, NULL, n, CHART_SKY, 0, 0, 0.7, 0, 0},
        {"conversion (right axis)", CHART_LINE, x, c, NULL, NULL, n, CHART_BLUE, 1, 0, 0, 0, 0},
    };
    struct chart_mark mk[2];
    size_t nm = 0;
    if (isfinite(w->capacity))
        mk[nm++] = (struct chart_mark){0, 0, w->capacity, cap, CHART_VERMILLION, 1};
    if (isfinite(w->target))
        mk[nm++] = (struct chart_mark){0, 1, w->target, tgt, CHART_BLUE, 1};
    struct chart_spec spec = {
        .title = title,
        .subtitle = rl,
        .x = {xl, NAN, NAN, 0, 0, labels, n},
        .y = axis(yl, 0),
        .y2 = axis("Conversion (%)", 1),
        .has_y2 = 1,
        .series = s,
        .nseries = 2,
        .marks = mk,
        .nmarks = nm,
    };
    spec.y2.min = 0;
    int rc = emit(w, "periods.png", &spec);
    free(buf);
    free(labels);
    return rc;
}

/* ---- k. outcomes take time ---------------------------------------------------------------- */

/* The share converted by day since creation (a step curve), its band, the window marked. */
static int fig_time_to_sql(struct drawer *w)
{
    const struct store_table *t = &w->d->mat_curve, *m = &w->d->maturity;
    if (!m->nrows || t->nrows < 2)
        return 0;
    double window = num(m, 0, "window_days");
    /* up to a little past the last SQL (the curve is flat beyond it) and the window */
    double xmax = window;
    for (size_t r = 0; r < t->nrows; r++)
        if (num(t, r, "events") > 0)
            xmax = fmax(xmax, num(t, r, "day"));
    xmax = ceil(xmax * 1.1);
    size_t n = 0, cap = 2 * t->nrows + 2;
    double *buf = malloc(4 * cap * sizeof *buf);
    if (!buf)
        return mql_err_oom(w->err);
    double *x = buf, *y = x + cap, *lo = y + cap, *hi = lo + cap;
    double py = 0, plo = 0, phi = 0;
    x[n] = 0, y[n] = 0, lo[n] = 0, hi[n++] = 0;
    for (size_t r = 0; r < t->nrows && num(t, r, "day") <= xmax; r++) {
        double d = num(t, r, "day"), c = num(t, r, "converted");
        double l = num(t, r, "converted_lo"), h = num(t, r, "converted_hi");
        if (c == py && l == plo && h == phi)
            continue;
        x[n] = d, y[n] = py, lo[n] = plo, hi[n++] = phi; /* the step's riser */
        x[n] = d, y[n] = c, lo[n] = l, hi[n++] = h;
        py = c, plo = l, phi = h;
    }
    x[n] = xmax, y[n] = py, lo[n] = plo, hi[n++] = phi;
    char wl[64], sub[200];
    snprintf(wl, sizeof wl, "window %.0f days", window);
    snprintf(sub, sizeof sub,
             "Kaplan-Meier over %.0f leads (%.0f SQLs), a lead not converted yet counted until "
             "%s; median %.0f days among those that convert, 95th percentile %.0f",
             num(m, 0, "curve_subjects"), num(m, 0, "curve_events"), txt(m, 0, "as_of"),
             num(m, 0, "median_days"), num(m, 0, "p95_days"));
    struct chart_series s[] = {
        {"95 % band", CHART_BAND, x, NULL, lo, hi, n, CHART_BLUE, 0, 0, 0, 0, 0},
        {"share of leads converted", CHART_LINE, x, y, NULL, NULL, n, CHART_BLUE, 0, 0, 0, 0, 0},
    };
    struct chart_mark mk[] = {{1, 0, window, wl, CHART_VERMILLION, 1}};
    struct chart_spec spec = {
        .title = "Time to SQL: the share of leads converted by day since creation",
        .subtitle = sub,
        .x = axis("Days since the lead was created", 0),
        .y = axis("Converted (% of leads)", 1),
        .series = s,
        .nseries = 2,
        .marks = mk,
        .nmarks = 1,
    };
    spec.x.min = 0;
    spec.x.max = xmax;
    spec.y.min = 0;
    int rc = emit(w, "time-to-sql.png", &spec);
    free(buf);
    return rc;
}

/* Conversion per period: mature periods as they are, maturing ones so far and as expected. */
static int fig_maturity(struct drawer *w)
{
    const struct store_table *t = &w->d->mat_periods;
    size_t n = t->nrows;
    if (n < 2)
        return 0;
    double *buf = malloc((4 * n + 1) * sizeof *buf);
    const char **labels = malloc((n + 1) * sizeof *labels);
    if (!buf || !labels) {
        free(buf);
        free(labels);
        return mql_err_oom(w->err);
    }
    double *x = buf, *mat = x + n, *far = mat + n, *exp_ = far + n;
    for (size_t r = 0; r < n; r++) {
        x[r] = (double)r;
        labels[r] = txt(t, r, "period");
        int maturing = strcmp(txt(t, r, "status"), "maturing") == 0;
        double known = num(t, r, "leads") - num(t, r, "pending");
        mat[r] = maturing ? NAN : num(t, r, "conversion");
        far[r] = maturing && known > 0 ? num(t, r, "sqls_so_far") / known : NAN;
        exp_[r] = maturing ? num(t, r, "expected_conversion") : NAN;
    }
    char xl[64];
    snprintf(xl, sizeof xl, "%s (lead creation date)", w->period);
    if (xl[0] >= 'a' && xl[0] <= 'z')
        xl[0] = (char)(xl[0] - 'a' + 'A');
    struct chart_series s[] = {
        {"mature: SQLs within the window", CHART_POINTS, x, mat, NULL, NULL, n, CHART_BLUE, 0, 0, 0,
         0, 0},
        {"maturing: SQLs so far", CHART_POINTS, x, far, NULL, NULL, n, CHART_GREY, 0, 0, 0, 0, 0},
        {"maturing: expected by the end of the window (Kaplan-Meier)", CHART_POINTS, x, exp_, NULL,
         NULL, n, CHART_ORANGE, 0, 0, 0, 0, 0},
    };
    struct chart_spec spec = {
        .title = "Conversion per period: a period still maturing is not a decline",
        .subtitle = "All leads (pending ones left out); a maturing period holds leads whose "
                    "window is still open",
        .x = {xl, NAN, NAN, 0, 0, labels, n},
        .y = axis("Leads that became SQLs (%)", 1),
        .series = s,
        .nseries = 3,
    };
    spec.y.min = 0;
    int rc = emit(w, "maturity.png", &spec);
    free(buf);
    free(labels);
    return rc;
}

int figures_draw(const struct report_data *d, const char *dir, struct figure *figs, size_t *n,
                 struct mql_err *err)
{
    struct drawer w = {.d = d, .dir = dir, .figs = figs, .err = err};
    const struct store_table *sw = &d->sweep;
    w.period = txt(sw, 0, "period");
    w.capacity = num(sw, 0, "capacity");
    w.target = num(sw, 0, "target_conversion");
    const char *cr = txt(sw, 0, "capacity_rule");
    w.cap_words = strcmp(cr, "mean") == 0 ? "mean" : strcmp(cr, "max") == 0 ? "busiest" : "p90";
    w.has_rec = num(sw, 0, "recommended") == 1;
    w.threshold = w.has_rec ? (int)num(sw, 0, "threshold") : 0;
    w.has_fit_min = w.has_rec && isfinite(num(sw, 0, "fit_min"));
    w.fit_min = w.has_fit_min ? (int)num(sw, 0, "fit_min") : 0;
    int rc = fig_sweep(&w);
    if (!rc)
        rc = fig_tradeoff(&w);
    if (!rc)
        rc = fig_grid(&w);
    if (!rc)
        rc = fig_periods(&w);
    if (!rc)
        rc = fig_scores(&w);
    if (!rc)
        rc = fig_calibration(&w);
    if (!rc)
        rc = fig_roc_gains(&w);
    if (!rc)
        rc = fig_scorecard(&w, "fit", "scorecard-fit.png", "Scorecard: fit attributes");
    if (!rc)
        rc = fig_scorecard(&w, "engagement", "scorecard-engagement.png",
                           "Scorecard: engagement attributes");
    if (!rc)
        rc = fig_scorecard(&w, "none", "scorecard-other.png",
                           "Scorecard: attributes in neither sub-score");
    if (!rc)
        rc = fig_segments(&w);
    if (!rc)
        rc = fig_time_to_sql(&w);
    if (!rc)
        rc = fig_maturity(&w);
    *n = w.n;
    return rc;
}

/* ---- j. the review ------------------------------------------------------------------------- */

#define REVIEW_MAX_POINTS 30  /* bars of the points-change chart */
#define REVIEW_X_CAPACITIES 3 /* the curves' volume axis runs to this many times capacity */

/* The row of review_rules for rule ("previous", "current"), or SIZE_MAX. */
static size_t review_rule_row(const struct report_data *d, const char *rule)
{
    for (size_t r = 0; r < d->rv_rules.nrows; r++)
        if (strcmp(txt(&d->rv_rules, r, "rule"), rule) == 0)
            return r;
    return (size_t)-1;
}

/* "122 points, fit >= -24" for the rule's row (or "no rule"). */
static void review_rule_text(const struct report_data *d, size_t r, char *buf, size_t cap)
{
    const struct store_table *t = &d->rv_rules;
    if (r == (size_t)-1 || num(t, r, "has_rule") != 1)
        snprintf(buf, cap, "no rule");
    else if (isfinite(num(t, r, "fit_min")))
        snprintf(buf, cap, "%.0f points, fit >= %.0f", num(t, r, "threshold"),
                 num(t, r, "fit_min"));
    else
        snprintf(buf, cap, "%.0f points", num(t, r, "threshold"));
}

/* The curve of rule as (MQLs per period, conversion) with x <= xmax, in threshold order; where
 * the curve leaves [0, xmax] a point is put on the edge, so the line reaches it. Returns how
 * many points went into x and y (room for 2 n). */
static size_t review_curve_points(const struct store_table *t, const char *rule, double xmax,
                                  double *x, double *y)
{
    size_t n = 0;
    double px = NAN, py = NAN;
    for (size_t r = 0; r < t->nrows; r++) {
        if (strcmp(txt(t, r, "rule"), rule) != 0)
            continue;
        double cx = num(t, r, "mqls_per_period");
        double cy = num(t, r, "mqls") >= MIN_MQLS_SHOWN ? num(t, r, "conversion") : NAN;
        int in = cx <= xmax, was_in = px <= xmax;
        if (isfinite(px) && in != was_in && isfinite(py) && isfinite(cy) && cx != px) {
            double f = (xmax - px) / (cx - px);
            x[n] = xmax;
            y[n++] = py + f * (cy - py);
        }
        if (in) {
            x[n] = cx;
            y[n++] = cy;
        } else if (n > 0 && isfinite(y[n - 1])) {
            x[n] = NAN; /* a break: nothing beyond the edge is joined */
            y[n++] = NAN;
        }
        px = cx;
        py = cy;
    }
    return n;
}

static int fig_review_curves(struct drawer *w, const struct config *cfg)
{
    const struct report_data *d = w->d;
    const struct store_table *t = &d->rv_curve;
    if (t->nrows == 0)
        return 0;
    double cap = cfg->capacity > 0 ? cfg->capacity : NAN;
    double target = cfg->target_conversion > 0 ? cfg->target_conversion : NAN;
    size_t rp = review_rule_row(d, "previous"), rcur = review_rule_row(d, "current");
    double ox[2], oy[2], olo[2], ohi[2];
    size_t rows[2] = {rp, rcur};
    double top = 0, data_max = 0;
    for (int i = 0; i < 2; i++) {
        size_t r = rows[i];
        int ok = r != (size_t)-1 && num(&d->rv_rules, r, "has_rule") == 1;
        ox[i] = ok ? num(&d->rv_rules, r, "mqls_per_period") : NAN;
        oy[i] = ok ? num(&d->rv_rules, r, "conversion") : NAN;
        olo[i] = ok ? num(&d->rv_rules, r, "conv_lo") : NAN;
        ohi[i] = ok ? num(&d->rv_rules, r, "conv_hi") : NAN;
        if (isfinite(ox[i]))
            top = fmax(top, ox[i]);
    }
    for (size_t r = 0; r < t->nrows; r++)
        if (isfinite(num(t, r, "mqls_per_period")))
            data_max = fmax(data_max, num(t, r, "mqls_per_period"));
    /* the interesting part: up to three times capacity (or the operating points), not the
     * thousands of MQLs a threshold near the bottom gives */
    double want = fmax(isfinite(cap) ? REVIEW_X_CAPACITIES * cap : 0, 1.5 * top);
    double xmax = want > 0 && want < data_max ? want : data_max;
    if (!(xmax > 0))
        xmax = 1;
    size_t room = 2 * t->nrows + 2; /* a row adds at most two points: an edge and itself */
    double *buf = malloc(4 * room * sizeof *buf);
    if (!buf)
        return mql_err_oom(w->err);
    double *xp = buf, *yp = xp + room, *xc = yp + room, *yc = xc + room;
    size_t np = review_curve_points(t, "previous", xmax, xp, yp);
    size_t nc = review_curve_points(t, "current", xmax, xc, yc);
    char per[64], xl[96], lp[128], lc[128], capl[96], tgt[64], sub[240], rt[64];
    snprintf(per, sizeof per, "%s",
             txt(&d->review, 0, "period")[0] ? txt(&d->review, 0, "period") : "period");
    snprintf(xl, sizeof xl, "MQLs per %s (mean)", per);
    review_rule_text(d, rp, rt, sizeof rt);
    snprintf(lp, sizeof lp, "previous rule at %s", rt);
    review_rule_text(d, rcur, rt, sizeof rt);
    snprintf(lc, sizeof lc, "current rule at %s", rt);
    snprintf(capl, sizeof capl, "capacity %g per %s", cap, per);
    snprintf(tgt, sizeof tgt, "target %g %%", 100 * target);
    char cut[64] = "";
    if (xmax < data_max)
        snprintf(cut, sizeof cut, "; axis cut at %.0f MQLs", xmax);
    snprintf(sub, sizeof sub,
             "One point per threshold, each rule's fit minimum kept; dots: the rules, Wilson "
             "95 %% intervals%s",
             cut);
    struct chart_series s[] = {
        {"previous rule", CHART_LINE, xp, yp, NULL, NULL, np, CHART_ORANGE, 0, 1, 0, 0, 0},
        {"current rule", CHART_LINE, xc, yc, NULL, NULL, nc, CHART_BLUE, 0, 0, 0, 0, 0},
        /* the previous line again, dashed over the current one: both show where they agree */
        {NULL, CHART_LINE, xp, yp, NULL, NULL, np, CHART_ORANGE, 0, 1, 0, 0, 0},
        {lp, CHART_POINTS, &ox[0], &oy[0], &olo[0], &ohi[0], isfinite(ox[0]) ? 1 : 0, CHART_ORANGE,
         0, 0, 0, 0, 0},
        {lc, CHART_POINTS, &ox[1], &oy[1], &olo[1], &ohi[1], isfinite(ox[1]) ? 1 : 0, CHART_BLUE, 0,
         0, 0, 0, 0},
    };
    struct chart_mark m[2];
    size_t nm = 0;
    if (isfinite(cap))
        m[nm++] = (struct chart_mark){1, 0, cap, capl, CHART_VERMILLION, 1};
    if (isfinite(target))
        m[nm++] = (struct chart_mark){0, 0, target, tgt, CHART_GREEN, 1};
    struct chart_spec spec = {
        .title = "Review: conversion against MQL volume, previous and current rule",
        .subtitle = sub,
        .x = axis(xl, 0),
        .y = axis("Conversion (%)", 1),
        .series = s,
        .nseries = 5,
        .marks = m,
        .nmarks = nm,
    };
    spec.x.min = 0;
    spec.x.max = xmax;
    spec.y.min = 0;
    int rc = emit(w, "review-curves.png", &spec);
    free(buf);
    return rc;
}

static int fig_review_stability(struct drawer *w)
{
    const struct report_data *d = w->d;
    const struct store_table *t = &d->rv_attrs, *rv = &d->review;
    double psi = num(rv, 0, "psi");
    if (txt(rv, 0, "span_note")[0] || !isfinite(psi)) /* no spans: nothing to compare */
        return 0;
    size_t n = 1;
    for (size_t r = 0; r < t->nrows; r++)
        n += isfinite(num(t, r, "csi"));
    double *buf = malloc((5 * n + 1) * sizeof *buf);
    const char **labels = malloc((n + 1) * sizeof *labels);
    if (!buf || !labels) {
        free(buf);
        free(labels);
        return mql_err_oom(w->err);
    }
    /* one series per colour: the score, then the attributes by band */
    double *x = buf, *ys = x + n, *y0 = ys + n, *y1 = y0 + n, *y2 = y1 + n;
    size_t nb[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)i;
        ys[i] = y0[i] = y1[i] = y2[i] = NAN;
    }
    labels[0] = "score (PSI)";
    ys[0] = psi;
    size_t k = 1;
    for (size_t r = 0; r < t->nrows; r++) {
        double c = num(t, r, "csi");
        if (!isfinite(c))
            continue;
        labels[k] = txt(t, r, "attribute");
        int band = c >= REVIEW_BAND_SHIFTED ? 2 : c >= REVIEW_BAND_INVESTIGATE ? 1 : 0;
        (band == 2 ? y2 : band == 1 ? y1 : y0)[k] = c;
        nb[band]++;
        k++;
    }
    char title[320], sub[240], sl[64];
    char bl[64], cl[64], bn[32], cn[32];
    text_format_number(num(rv, 0, "baseline_leads"), 0, bn, sizeof bn);
    text_format_number(num(rv, 0, "current_leads"), 0, cn, sizeof cn);
    snprintf(bl, sizeof bl, "%s", txt(rv, 0, "baseline"));
    snprintf(cl, sizeof cl, "%s", txt(rv, 0, "current_span"));
    snprintf(title, sizeof title, "Stability: %s (%s leads) against %s (%s leads)", bl, bn, cl, cn);
    snprintf(sub, sizeof sub,
             "Score PSI %.3f (%s) and CSI per attribute: how far each mix moved from the first "
             "span to the second",
             psi, txt(rv, 0, "psi_band")[0] ? txt(rv, 0, "psi_band") : "no band");
    snprintf(sl, sizeof sl, "score PSI (current rule)");
    struct chart_series s[] = {
        {sl, CHART_BARS, x, ys, NULL, NULL, n, CHART_BLUE, 0, 0, 0.7, 0, 0},
        {nb[0] ? "CSI, stable" : NULL, CHART_BARS, x, y0, NULL, NULL, n, CHART_SKY, 0, 0, 0.7, 0,
         0},
        {nb[1] ? "CSI, investigate" : NULL, CHART_BARS, x, y1, NULL, NULL, n, CHART_ORANGE, 0, 0,
         0.7, 0, 0},
        {nb[2] ? "CSI, shifted" : NULL, CHART_BARS, x, y2, NULL, NULL, n, CHART_VERMILLION, 0, 0,
         0.7, 0, 0},
    };
    char band_label[2][32]; /* the bands' thresholds as review.h defines them */
    snprintf(band_label[0], sizeof band_label[0], "investigate (%g)", REVIEW_BAND_INVESTIGATE);
    snprintf(band_label[1], sizeof band_label[1], "shifted (%g)", REVIEW_BAND_SHIFTED);
    struct chart_mark m[] = {
        {0, 0, REVIEW_BAND_INVESTIGATE, band_label[0], CHART_ORANGE, 1},
        {0, 0, REVIEW_BAND_SHIFTED, band_label[1], CHART_VERMILLION, 1},
    };
    struct chart_spec spec = {
        .title = title,
        .subtitle = sub,
        .x = {NULL, NAN, NAN, 0, 0, labels, n},
        .y = axis("PSI / CSI (0: the same mix)", 0),
        .horizontal = 1,
        .series = s,
        .nseries = 4,
        .marks = m,
        .nmarks = 2,
        .width = 800,
        .height = (int)(170 + 22 * n),
    };
    spec.y.min = 0;
    double top = psi;
    for (size_t i = 1; i < n; i++)
        top = fmax(top, fmax(y0[i], fmax(y1[i], y2[i])));
    if (!(top >
          1.1 * REVIEW_BAND_SHIFTED)) /* the "shifted" line inside the plot, not on its edge */
        spec.y.max = 1.2 * REVIEW_BAND_SHIFTED;
    int rc = emit(w, "review-stability.png", &spec);
    free(buf);
    free(labels);
    return rc;
}

struct point_change {
    size_t row;
    double delta;
};

static int cmp_change(const void *a, const void *b)
{
    const struct point_change *p = a, *q = b;
    double x = fabs(p->delta), y = fabs(q->delta);
    if (x != y)
        return x > y ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;
}

/* How many levels of the review's points are not the same (the chart shows them). */
size_t figures_review_changes(const struct report_data *d)
{
    size_t n = 0;
    for (size_t r = 0; r < d->rv_points.nrows; r++)
        n += strcmp(txt(&d->rv_points, r, "change"), "same") != 0;
    return n;
}

static int fig_review_points(struct drawer *w)
{
    const struct store_table *t = &w->d->rv_points;
    size_t total = figures_review_changes(w->d);
    if (total == 0)
        return 0;
    struct point_change *pc = malloc(total * sizeof *pc);
    size_t n = total < REVIEW_MAX_POINTS ? total : REVIEW_MAX_POINTS;
    double *buf = malloc((5 * n + 1) * sizeof *buf);
    char **labels = calloc(n + 1, sizeof *labels);
    int rc = 0;
    if (!pc || !buf || !labels) {
        rc = mql_err_oom(w->err);
        goto out;
    }
    size_t k = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *c = txt(t, r, "change");
        if (strcmp(c, "same") == 0)
            continue;
        double prev = num(t, r, "previous_points"), cur = num(t, r, "current_points");
        pc[k].row = r;
        pc[k].delta = strcmp(c, "added") == 0     ? cur
                      : strcmp(c, "removed") == 0 ? -prev
                                                  : cur - prev;
        k++;
    }
    qsort(pc, total, sizeof *pc, cmp_change);
    /* one series per kind of change, so that the legend tells them apart */
    static const struct {
        const char *change, *label;
        enum chart_color color;
    } kinds[] = {
        {"changed", "points changed", CHART_BLUE},
        {"sign flip", "sign flip (against the reference level)", CHART_VERMILLION},
        {"added", "added: its points against 0", CHART_GREEN},
        {"removed", "removed: minus its points", CHART_GREY},
    };
    double *x = buf, *y[4] = {x + n, x + 2 * n, x + 3 * n, x + 4 * n};
    size_t count[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n && !rc; i++) {
        size_t r = pc[i].row;
        x[i] = (double)i;
        for (int j = 0; j < 4; j++)
            y[j][i] = NAN;
        const char *c = txt(t, r, "change");
        int j = 0;
        while (j < 3 && strcmp(c, kinds[j].change) != 0)
            j++;
        y[j][i] = pc[i].delta;
        count[j]++;
        const char *attr = txt(t, r, "attribute"), *lev = txt(t, r, "level");
        size_t len = strlen(attr) + strlen(lev) + 64;
        if (!(labels[i] = malloc(len))) {
            rc = mql_err_oom(w->err);
            break;
        }
        int cut = utf8_prefix(attr, 18);
        char was[24], now[24];
        snprintf(was, sizeof was, "%.0f", num(t, r, "previous_points"));
        snprintf(now, sizeof now, "%.0f", num(t, r, "current_points"));
        snprintf(labels[i], len, "%.*s%s: %s (%s \xE2\x86\x92 %s)", cut, attr,
                 attr[cut] ? "\xE2\x80\xA6" : "", lev,
                 isfinite(num(t, r, "previous_points")) ? was : "none",
                 isfinite(num(t, r, "current_points")) ? now : "none");
    }
    if (!rc) {
        struct chart_series s[4];
        for (int j = 0; j < 4; j++)
            s[j] = (struct chart_series){.label = count[j] ? kinds[j].label : NULL,
                                         .kind = CHART_BARS,
                                         .x = x,
                                         .y = y[j],
                                         .n = n,
                                         .color = kinds[j].color,
                                         .width = 0.7};
        char sub[200];
        if (total > n)
            snprintf(sub, sizeof sub,
                     "The %zu largest of %zu changed levels (all in the table), largest first", n,
                     total);
        else
            snprintf(sub, sizeof sub, "Every level whose points differ (%zu), largest first",
                     total);
        struct chart_spec spec = {
            .title = "Points per level: current rule minus previous rule",
            .subtitle = sub,
            .x = {NULL, NAN, NAN, 0, 0, (const char *const *)labels, n},
            .y = axis("Change in points (current \xE2\x88\x92 previous)", 0),
            .horizontal = 1,
            .series = s,
            .nseries = 4,
            .width = 800,
            .height = (int)(150 + 22 * n),
        };
        spec.y.integer = 1;
        rc = emit(w, "review-points.png", &spec);
    }
out:
    if (labels)
        for (size_t i = 0; i < n; i++)
            free(labels[i]);
    free(labels);
    free(buf);
    free(pc);
    return rc;
}

int figures_draw_review(const struct report_data *d, const struct config *cfg, const char *dir,
                        struct figure *figs, size_t *n, struct mql_err *err)
{
    if (d->review_id == 0)
        return 0;
    struct drawer w = {.d = d, .dir = dir, .figs = figs, .n = *n, .err = err};
    int rc = fig_review_curves(&w, cfg);
    if (!rc)
        rc = fig_review_stability(&w);
    if (!rc)
        rc = fig_review_points(&w);
    *n = w.n;
    return rc;
}
